#!/bin/sh
# Post-build check of the SLB image (run by make): header fields against the linked ELF, size
# limits, and no relocation of any kind in the output. Usage: check-slb.sh slb.elf slb.bin
set -eu
elf=$1
bin=$2
die() { echo "check-slb: $*" >&2; exit 1; }

size=$(stat -c %s "$bin")
# Header: u16 entry, u16 measured length, u32 'TBSL', u16 params offset, u16 version (LE).
# shellcheck disable=SC2046 # od prints the six header words; they become $1..$6
set -- $(od -A n -t u2 -N 12 "$bin")
entry=$1; length=$2; lp=$5; version=$6
magic=$(dd if="$bin" bs=1 skip=4 count=4 2>/dev/null)
sym() { nm "$elf" | awk -v s="$1" '$3 == s { print $1 }'; }
entry_sym=$((0x$(sym slb_entry)))
end_sym=$((0x$(sym __slb_measured_end)))
bss_end=$((0x$(sym __bss_end)))

[ "$magic" = "TBSL" ] || die "magic at offset 4 is '$magic', want TBSL"
[ "$entry" -eq "$entry_sym" ] || die "header entry $entry != slb_entry $entry_sym"
[ "$length" -eq "$end_sym" ] || die "header length $length != __slb_measured_end $end_sym"
[ "$length" -eq "$size" ] || die "header length $length != file size $size (everything in the file must be measured)"
[ "$length" -le 65535 ] || die "measured length $length above 65535"
if [ "$entry" -lt 12 ] || [ "$entry" -ge "$length" ]; then die "entry $entry outside [12, $length)"; fi
[ "$lp" -eq $((0xA000)) ] || die "params offset $lp, want 0xA000"
[ "$bss_end" -le $((0xA000)) ] || die "bss ends at $bss_end, above the launch parameters"
[ "$version" -eq 1 ] || die "header version $version"
relocs=$(readelf -r "$elf" | grep -c '^ *[0-9a-f]\{8\} ' || true)
[ "$relocs" -eq 0 ] || die "$relocs relocations in $elf"
echo "check-slb: ok: measured length $length bytes (limit 65535, goal 16384), entry $entry, bss end $bss_end, 64 KiB region with parameters at 0xA000"
