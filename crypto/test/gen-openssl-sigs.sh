#!/bin/bash
# Signatures made by another implementation (OpenSSL) for test_vectors, and signed image manifests
# (docs/launch-protocol.md "Image manifest") for verify-manifests.
#   gen-openssl-sigs.sh OUTDIR [KEYS [MESSAGES_PER_KEY [MANIFESTS]]]
# Writes OUTDIR/openssl-sigs.txt (lines: id valid pub msg sig), OUTDIR/manifests/good/*.manifest,
# OUTDIR/manifests/bad/*.manifest (each broken in one field) and OUTDIR/manifests/pub.hex.
set -euo pipefail
out=$1
keys=${2:-40}
per_key=${3:-50}
manifests=${4:-50}
work=$out/openssl-work
rm -rf "$work" "$out/manifests"
mkdir -p "$work" "$out/manifests/good" "$out/manifests/bad"

# Random messages, 1..600 bytes (openssl pkeyutl refuses empty input; RFC 8032 TEST 1 covers it).
python3 - "$work" "$keys" "$per_key" <<'PY'
import os, random, sys
work, keys, per_key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for k in range(keys):
    os.makedirs(f"{work}/k{k}", exist_ok=True)
    for m in range(per_key):
        with open(f"{work}/k{k}/m{m}.bin", "wb") as f:
            f.write(os.urandom(random.randint(1, 600)))
PY

for ((k = 0; k < keys; k++)); do
	d=$work/k$k
	openssl genpkey -algorithm ed25519 -out "$d/key.pem" 2>/dev/null
	openssl pkey -in "$d/key.pem" -pubout -outform DER | tail -c 32 > "$d/pub.bin"
	for ((m = 0; m < per_key; m++)); do
		openssl pkeyutl -sign -rawin -inkey "$d/key.pem" -in "$d/m$m.bin" -out "$d/m$m.sig"
	done
done

python3 - "$work" "$keys" "$per_key" > "$out/openssl-sigs.txt" <<'PY'
import sys
work, keys, per_key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for k in range(keys):
    pub = open(f"{work}/k{k}/pub.bin", "rb").read()
    assert len(pub) == 32
    for m in range(per_key):
        msg = open(f"{work}/k{k}/m{m}.bin", "rb").read()
        sig = open(f"{work}/k{k}/m{m}.sig", "rb").read()
        assert len(sig) == 64
        print(f"openssl-k{k}-m{m} valid {pub.hex()} {msg.hex()} {sig.hex()}")
PY

# Manifests: header bytes [0, 88) built here, signed by openssl, signature appended.
d=$work/manifest-key
mkdir -p "$d"
openssl genpkey -algorithm ed25519 -out "$d/key.pem" 2>/dev/null
openssl pkey -in "$d/key.pem" -pubout -outform DER | tail -c 32 > "$d/pub.bin"
od -An -v -tx1 "$d/pub.bin" | tr -d ' \n' > "$out/manifests/pub.hex"
python3 - "$d" "$manifests" <<'PY'
import hashlib, os, random, struct, sys
d, count = sys.argv[1], int(sys.argv[2])
key_id = hashlib.sha256(open(f"{d}/pub.bin", "rb").read()).digest()
for i in range(count):
    image = os.urandom(random.randint(1, 4096))
    header = (b"TBMF" + struct.pack("<HHQ", 1, random.choice((1, 2)), len(image)) +
              hashlib.sha256(image).digest() + struct.pack("<IHH", random.randint(0, 2**32 - 1), 1, 64) +
              key_id)
    assert len(header) == 88
    open(f"{d}/h{i}.bin", "wb").write(header)
PY
for ((i = 0; i < manifests; i++)); do
	openssl pkeyutl -sign -rawin -inkey "$d/key.pem" -in "$d/h$i.bin" -out "$d/h$i.sig"
	cat "$d/h$i.bin" "$d/h$i.sig" > "$out/manifests/good/m$i.manifest"
done

# One manifest broken per way; verify-manifests must refuse every one of them.
python3 - "$out/manifests/good/m0.manifest" "$out/manifests/bad" <<'PY'
import struct, sys
good = open(sys.argv[1], "rb").read()
bad = sys.argv[2]
def put(name, data):
    open(f"{bad}/{name}.manifest", "wb").write(data)
def flip(data, bit):
    b = bytearray(data); b[bit // 8] ^= 1 << (bit % 8); return bytes(b)
put("magic", b"TBMG" + good[4:])
put("version", good[:4] + struct.pack("<H", 2) + good[6:])
put("algorithm", good[:52] + struct.pack("<H", 2) + good[54:])
put("siglen", good[:54] + struct.pack("<H", 65) + good[56:] + b"\0")
put("keyid", flip(good, 56 * 8))
put("image-length", flip(good, 8 * 8 + 3))
put("security-version", flip(good, 48 * 8))
put("sig-r", flip(good, 88 * 8 + 5))
put("sig-s", flip(good, 120 * 8 + 1))
put("trailing", good + b"\0")
put("truncated", good[:-1])
put("header-only", good[:88])
put("empty", b"")
PY
echo "openssl: $((keys * per_key)) signatures, $manifests manifests in $out"
