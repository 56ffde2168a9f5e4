#!/bin/sh
# SHA-256 benchmark: tb's sha256() (host build, -O2) and sha256sum on the same 256 MiB of
# pseudo-random data, in this run. The file is hashed once by each; the digests must agree.
set -eu
bench=$1
data=$(mktemp /tmp/tb-bench-XXXXXX)
trap 'rm -f "$data"' EXIT
head -c 268435456 /dev/urandom > "$data"
cat "$data" > /dev/null   # warm the page cache for sha256sum
set -- $("$bench" "$data")
tb_mbs=$1; tb_digest=$2
t0=$(date +%s.%N)
ref_digest=$(sha256sum "$data" | cut -d' ' -f1)
t1=$(date +%s.%N)
ref_mbs=$(echo "$t0 $t1" | awk '{ printf "%.0f", 268.435456 / ($2 - $1) }')
[ "$tb_digest" = "$ref_digest" ] || { echo "bench: digests differ: $tb_digest vs $ref_digest" >&2; exit 1; }
echo "SHA-256, 256 MiB: clib sha256() $tb_mbs MB/s, sha256sum $ref_mbs MB/s (same data, digests equal)"
