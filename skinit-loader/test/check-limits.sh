#!/bin/sh
# Negative tests of the build-time limits: the post-build check must reject a damaged header,
# the SLB link must fail when an absolute pointer in data would need a relocation, and the release
# launcher must not contain the test options.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/tb-limits-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-limits: FAILED: $*" >&2; exit 1; }

# 1. Header length one byte short of the file.
cp "$here/build/slb.bin" "$work/slb.bin"
len=$(od -A n -t u2 -j 2 -N 2 "$work/slb.bin" | tr -d ' ')
python3 -c "import struct,sys; f=open(sys.argv[1],'r+b'); f.seek(2); f.write(struct.pack('<H', int(sys.argv[2]) - 1))" "$work/slb.bin" "$len"
if "$here/tools/check-slb.sh" "$here/build/slb.elf" "$work/slb.bin" 2>"$work/err"; then
    fail "check-slb accepted a header length of $((len - 1))"
fi
grep -q "header length" "$work/err" || fail "check-slb reason: $(cat "$work/err")"

# 2. Magic damaged.
cp "$here/build/slb.bin" "$work/slb.bin"
printf 'XBSL' | dd of="$work/slb.bin" bs=1 seek=4 conv=notrunc 2>/dev/null
if "$here/tools/check-slb.sh" "$here/build/slb.elf" "$work/slb.bin" 2>"$work/err"; then
    fail "check-slb accepted magic XBSL"
fi

# 3. A pointer in initialised data must make the link fail (no relocation may remain).
cat > "$work/bad.c" <<'C'
const char *const slb_bad_table[] = { "a", "b" };
C
gcc -m32 -fpie -include tb/hidden.h -I"$here/../clib/include" -c "$work/bad.c" -o "$work/bad.o"
if ld -m elf_i386 -pie --no-dynamic-linker --no-warn-rwx-segments -T "$here/slb/slb.ld" \
    -o "$work/bad.elf" "$here"/build/slb/*.o "$work/bad.o" "$here/../clib/build/m32/libtb.a" 2>"$work/err"; then
    fail "SLB link with a pointer table succeeded"
fi
grep -q "relocations remain" "$work/err" || fail "link failed for another reason: $(cat "$work/err")"
# 4. The release check refuses a launcher with test options, and the release launcher has none.
if "$here/tools/check-launcher.py" --release "$here/build/launcher-test.elf" 2>"$work/err"; then
    fail "check-launcher --release accepted the test launcher"
fi
grep -q "contains test options" "$work/err" || fail "check-launcher reason: $(cat "$work/err")"
if grep -qa tbtest "$here/build/launcher.elf"; then
    fail "the release launcher build/launcher.elf contains 'tbtest'"
fi
grep -qa tbtest "$here/build/launcher-test.elf" || fail "the test launcher has no test options"
echo "check-limits: ok: damaged header and relocation in data are both refused; the release launcher has no test options"
