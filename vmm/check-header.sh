#!/bin/sh
# Post-build check of the TBVM header (docs/launch-protocol.md "VMM image header"): pads the flat
# binary to the image size the header declares and verifies every field against the ELF symbols.
set -eu
elf=$1 bin=$2
sym() { nm "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
start=$(( $(sym __vmm_start) )); image_end=$(( $(sym __image_end) )); mem_end=$(( $(sym __mem_end) ))
entry=$(( $(sym vmm_entry) ))
size=$(stat -c %s "$bin")
want=$(( image_end - start ))
[ "$size" -le "$want" ] || { echo "check-header: $bin is $size bytes, more than the image size $want" >&2; exit 1; }
truncate -s "$want" "$bin"
field() { od -An -t u8 -j "$1" -N 8 "$bin" | tr -d ' '; }
[ "$(head -c 4 "$bin")" = "TBVM" ] || { echo "check-header: magic" >&2; exit 1; }
[ "$(od -An -t u4 -j 4 -N 4 "$bin" | tr -d ' ')" = 1 ] || { echo "check-header: version" >&2; exit 1; }
if [ "$(field 8)" != "$start" ] || [ $(( start % 4096 )) != 0 ]; then echo "check-header: load address" >&2; exit 1; fi
[ "$(field 16)" = "$entry" ] || { echo "check-header: entry" >&2; exit 1; }
[ "$(field 24)" = "$want" ] || { echo "check-header: image size" >&2; exit 1; }
[ "$(field 32)" = "$(( mem_end - start ))" ] || { echo "check-header: memory size" >&2; exit 1; }
[ "$(od -An -t x1 -j 40 -N 24 "$bin" | tr -d ' \n')" = "000000000000000000000000000000000000000000000000" ] \
	|| { echo "check-header: reserved bytes" >&2; exit 1; }
[ $(( mem_end )) -le $(( 0x03E00000 )) ] || { echo "check-header: VMM runs into the SLB IOMMU device table at 0x03E00000" >&2; exit 1; }
if readelf -r "$elf" | grep -q 'Relocation section'; then echo "check-header: relocations left" >&2; exit 1; fi
echo "vmm.bin: $want bytes, memory $(( mem_end - start )) bytes, entry $(printf 0x%x "$entry")"
