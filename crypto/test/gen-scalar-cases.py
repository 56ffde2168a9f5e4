#!/usr/bin/env python3
"""Reference reductions of 512-bit little-endian numbers modulo the Ed25519 group order
L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1), computed with Python integers.
Edge cases first, then random ones (seeded, so runs are repeatable). Lines: `<64-byte hex> <32-byte hex>`."""
import random

L = 2**252 + 27742317777372353535851937790883648493
edge = [0, 1, L - 1, L, L + 1, 2 * L - 1, 2 * L, 2**252, 2**253 - 1, 2**256 - 1,
        2**260 + 5, 2**504 * 255, 2**512 - 1, (2**512 - 1) // L * L, (2**512 - 1) // L * L - 1]
rng = random.Random(25519)
cases = edge + [rng.getrandbits(512) for _ in range(2000)]
for n in cases:
    print(n.to_bytes(64, "little").hex(), (n % L).to_bytes(32, "little").hex())
