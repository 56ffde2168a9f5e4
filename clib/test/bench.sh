#!/bin/sh
# SHA-256 benchmark: tb's sha256() (host build, -O2 -funroll-loops, as the VMM's) and sha256sum on
# the same 256 MiB of pseudo-random data, three interleaved rounds in this run (the machine is
# shared, so each round prints both figures and the best of each is summarised). The digests
# must agree.
set -eu
bench=$1
data=$(mktemp /tmp/tb-bench-XXXXXX)
trap 'rm -f "$data"' EXIT
head -c 268435456 /dev/urandom > "$data"
cat "$data" > /dev/null   # page cache
best_tb=0; best_ref=0
for round in 1 2 3; do
    read -r tb_mbs tb_digest <<EOF
$("$bench" "$data")
EOF
    t0=$(date +%s.%N)
    ref_digest=$(sha256sum "$data" | cut -d' ' -f1)
    t1=$(date +%s.%N)
    ref_mbs=$(echo "$t0 $t1" | awk '{ printf "%.0f", 268.435456 / ($2 - $1) }')
    [ "$tb_digest" = "$ref_digest" ] || { echo "bench: digests differ: $tb_digest vs $ref_digest" >&2; exit 1; }
    echo "round $round: clib sha256() $tb_mbs MB/s, sha256sum $ref_mbs MB/s"
    [ "$tb_mbs" -gt "$best_tb" ] && best_tb=$tb_mbs
    [ "$ref_mbs" -gt "$best_ref" ] && best_ref=$ref_mbs
done
echo "SHA-256, 256 MiB, best of 3: clib sha256() $best_tb MB/s, sha256sum $best_ref MB/s (same data, digests equal)"
