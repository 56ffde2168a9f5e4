#!/bin/bash
# Ed25519 verify/s and SHA-512 MB/s of crypto/ beside OpenSSL and sha512sum, measured in the same
# run on one core each. Usage: bench.sh BENCH_BINARY
set -euo pipefail
bench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ours=$("$bench" verify 3 | awk '{print $2}')
openssl_line=$(openssl speed -seconds 3 ed25519 2>/dev/null | grep -i 'Ed25519' | tail -1)
theirs=$(awk '{print $NF}' <<< "$openssl_line")

# 256 MiB of random data, hashed from memory by crypto/ and from the page cache by sha512sum.
head -c 268435456 /dev/urandom > "$tmp/data"
sha512sum "$tmp/data" > /dev/null   # warm the page cache
start=$(date +%s.%N)
ref=$(sha512sum "$tmp/data" | awk '{print $1}')
end=$(date +%s.%N)
sum_mbs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", 268.435456 / (e - s) }')
read -r _ _ our_mbs _ our_digest <<< "$("$bench" sha512 "$tmp/data" 1)"
[[ "$our_digest" == "$ref" ]] || { echo "bench: SHA-512 digest differs from sha512sum" >&2; exit 1; }

awk -v o="$ours" -v t="$theirs" -v om="$our_mbs" -v sm="$sum_mbs" 'BEGIN {
	printf "Ed25519 verify (1 core)  crypto/: %8.0f /s   openssl speed: %8.0f /s   ratio openssl/ours: %.2f\n", o, t, t / o
	printf "SHA-512 (256 MiB)        crypto/: %8.0f MB/s sha512sum:     %8.0f MB/s ratio sha512sum/ours: %.2f\n", om, sm, sm / om
}'
