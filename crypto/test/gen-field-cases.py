#!/usr/bin/env python3
"""Reference arithmetic modulo p = 2^255 - 19 with Python integers, for test_ed25519_internal.
Inputs a, b are 255-bit numbers (some >= p, as a decoder may see), little-endian hex.
Line: a b a*b a+b a-b (a+b)*(a-b) (a*b)^2 a^-1 (0 if a = 0 mod p), results reduced mod p.
Seeded, so runs are repeatable."""
import random

p = 2**255 - 19
edge = [0, 1, 2, 18, 19, p - 1, p, p + 1, p + 18, 2**255 - 1, 2**254, 2**51 - 1, 2**51, 2**204 + 2**153]
rng = random.Random(7748)
values = edge + [rng.getrandbits(255) for _ in range(600)]


def r(n):
    return (n % p).to_bytes(32, "little").hex()


for i, a in enumerate(values):
    b = values[(i * 7 + 3) % len(values)] if i < len(edge) else rng.getrandbits(255)
    inv = pow(a, p - 2, p)
    print(a.to_bytes(32, "little").hex(), b.to_bytes(32, "little").hex(), r(a * b), r(a + b), r(a - b),
          r((a + b) * (a - b)), r((a * b) ** 2), r(inv))
