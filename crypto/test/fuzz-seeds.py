#!/usr/bin/env python3
"""Seeds the ed25519_verify fuzz corpus with valid cases (signature || key || message) from a
line-format vector file, so mutations start next to the accepting path."""
import os
import sys

vectors, corpus = sys.argv[1], sys.argv[2]
os.makedirs(corpus, exist_ok=True)
for line in open(vectors, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    ident, _expect, pub, msg, sig = line.split()[:5]
    data = bytes.fromhex(sig) + bytes.fromhex(pub) + (b"" if msg == "-" else bytes.fromhex(msg))
    with open(os.path.join(corpus, "seed-" + ident), "wb") as f:
        f.write(data)
