#!/bin/bash
# Cross-checks the typed-in RFC 8032 vectors with openssl: from each secret seed, openssl must derive
# the listed public key and produce the listed signature (Ed25519 signing is deterministic).
# Usage: check-rfc8032-openssl.sh rfc8032.txt WORKDIR
set -euo pipefail
vectors=$1
work=$2
mkdir -p "$work"
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$1"; }
tohex() { od -An -v -tx1 | tr -d ' \n'; }
# PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410 §7): SEQUENCE { 0, AlgorithmIdentifier 1.3.101.112,
# OCTET STRING { OCTET STRING seed } }.
pkcs8_prefix=302e020100300506032b657004220420
# SubjectPublicKeyInfo for Ed25519 is 12 bytes of header then the raw 32-byte key.
failed=0
n=0
while read -r id _ pub msg sig seed; do
	[[ -z "$id" || "$id" == \#* ]] && continue
	n=$((n + 1))
	unhex "$pkcs8_prefix$seed" > "$work/key.der"
	got_pub=$(openssl pkey -inform DER -in "$work/key.der" -pubout -outform DER | tail -c 32 | tohex)
	if [[ "$msg" == - ]]; then
		# openssl pkeyutl refuses an empty input file; only the public key is checked here.
		got_sig=$sig
	else
		unhex "$msg" > "$work/msg"
		openssl pkeyutl -sign -rawin -inkey "$work/key.der" -keyform DER -in "$work/msg" -out "$work/sig"
		got_sig=$(tohex < "$work/sig")
	fi
	if [[ "$got_pub" != "$pub" || "$got_sig" != "$sig" ]]; then
		echo "FAIL $id: openssl derives pub $got_pub sig $got_sig" >&2
		failed=1
	fi
done < "$vectors"
[[ $n -eq 5 ]] || { echo "FAIL expected 5 RFC 8032 vectors, read $n" >&2; exit 1; }
[[ $failed -eq 0 ]] || exit 1
echo "rfc8032.txt: $n vectors agree with openssl"
