#!/usr/bin/env python3
"""Write a launch configuration blob (docs/launch-protocol.md, "Launch configuration blob").

    mkconfig.py --signer HEX64[:MINSV] ... [--cmdline STR] --out FILE

Test fixture writer, independent of `trustbit launch-config`; the tests compare the two when both
exist. Signer keys are given as 64 hex digits (raw 32-byte Ed25519 public key).
"""

import argparse
import struct
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--signer", action="append", required=True)
    p.add_argument("--cmdline", default="")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if not 1 <= len(a.signer) <= 16:
        sys.exit("mkconfig: 1..16 signers")
    blob = b"TBLC" + struct.pack("<HH", 1, len(a.signer))
    for spec in a.signer:
        key, _, minsv = spec.partition(":")
        raw = bytes.fromhex(key)
        if len(raw) != 32:
            sys.exit(f"mkconfig: signer {key!r} is not 32 bytes")
        blob += raw + struct.pack("<II", int(minsv or 0), 0)
    cmd = a.cmdline.encode("ascii")
    if len(cmd) > 1024 or any(c < 0x20 or c > 0x7E for c in cmd):
        sys.exit("mkconfig: command line must be 0..1024 printable ASCII bytes")
    blob += struct.pack("<H", len(cmd)) + cmd
    if len(blob) > 4096:
        sys.exit("mkconfig: blob exceeds 4096 bytes")
    with open(a.out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
