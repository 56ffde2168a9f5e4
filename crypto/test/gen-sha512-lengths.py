#!/usr/bin/env python3
"""Reference SHA-512 digests from Python's hashlib for messages of every length 0..N (default 260).
Message of length n: byte i is (i * 131 + n) mod 256 (test_sha512 builds the same bytes).
Output lines: `<n> <hex digest>`."""
import hashlib
import sys

top = int(sys.argv[1]) if len(sys.argv) > 1 else 260
for n in range(top + 1):
    msg = bytes((i * 131 + n) & 0xFF for i in range(n))
    print(n, hashlib.sha512(msg).hexdigest())
