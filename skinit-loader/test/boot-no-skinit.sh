#!/bin/sh
# Boots launcher + SLB + stub VMM in QEMU (TCG) WITHOUT skinit=emulate. TCG has no SKINIT, so the
# launcher must stop before touching the SLB with a clear message and isa-debug-exit 0x13
# (QEMU status 39). Skipped (exit 0 with a note) when qemu-system-x86_64 is not installed.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    echo "boot-no-skinit: FAILED: qemu-system-x86_64 is missing (apt-get install qemu-system-x86)" >&2
    exit 1
fi
work=$(mktemp -d /tmp/tb-boot-XXXXXX)
trap 'rm -rf "$work"' EXIT
# A valid launch configuration: TBLC v1, one signer, empty command line.
python3 -c "import struct,sys; sys.stdout.buffer.write(b'TBLC'+struct.pack('<HH',1,1)+bytes(32)+struct.pack('<IIH',0,0,0))" > "$work/config.bin"
ln -s "$build/slb.bin" "$work/slb.bin"
ln -s "$build/stub-vmm.bin" "$work/vmm.bin"

status=0
timeout 60 qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 128M -nodefaults -display none \
    -no-reboot -serial "file:$work/console.log" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$build/launcher.elf" -append "console" \
    -initrd "$work/slb.bin slb,$work/vmm.bin vmm,$work/config.bin config" || status=$?
console=$(tr -d '\r' < "$work/console.log")
fail() { echo "boot-no-skinit: FAILED: $*" >&2; echo "$console" | sed 's/^/  | /' >&2; exit 1; }
[ "$status" -eq 39 ] || fail "QEMU exit status $status, want 39 (launcher error)"
echo "$console" | grep -q '^LAUNCHER: error: CPU has no SKINIT' || fail "no 'CPU has no SKINIT' line"
echo "$console" | grep -q '^SLB:' && fail "the SLB ran without SKINIT"
echo "$console" | grep -q 'STUB-VMM' && fail "the VMM ran without SKINIT"
echo "boot-no-skinit: ok: launcher refused to start without SKINIT (status 39): $(echo "$console" | grep '^LAUNCHER: error')"
