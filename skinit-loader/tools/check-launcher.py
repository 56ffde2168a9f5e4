#!/usr/bin/env python3
"""Post-build check of a launcher ELF: a Multiboot 0.6.96 header (magic 0x1BADB002, 4-byte aligned,
in the first 8192 bytes, checksum) and a Multiboot2 header (magic 0xE85250D6, 8-byte aligned, in
the first 32768 bytes, checksum, tags ending with an end tag inside header_length). With --release:
the file must not contain the word "tbtest" (the test options belong to the test launcher only).

    check-launcher.py [--release] LAUNCHER.ELF"""
import struct
import sys


def die(msg):
    print(f"check-launcher: {msg}", file=sys.stderr)
    sys.exit(1)


args = sys.argv[1:]
release = args[:1] == ["--release"]
if release:
    args = args[1:]
if len(args) != 1:
    die("usage: check-launcher.py [--release] LAUNCHER.ELF")
data = open(args[0], "rb").read()
if release and b"tbtest" in data:
    die(f"{args[0]}: the release launcher contains test options (the word 'tbtest' at file offset "
        f"0x{data.find(b'tbtest'):x})")
mb1 = [o for o in range(0, min(len(data), 8192) - 11, 4)
       if struct.unpack_from("<I", data, o)[0] == 0x1BADB002]
if not mb1:
    die("no multiboot v1 header in the first 8192 bytes")
magic, flags, csum = struct.unpack_from("<III", data, mb1[0])
if (magic + flags + csum) & 0xFFFFFFFF:
    die("multiboot v1 checksum wrong")
if flags & 0x10000:
    die("multiboot v1 address fields flag set (the ELF headers are meant to be used)")
mb2 = [o for o in range(0, min(len(data), 32768) - 15, 8)
       if struct.unpack_from("<I", data, o)[0] == 0xE85250D6]
if not mb2:
    die("no multiboot2 header in the first 32768 bytes")
o = mb2[0]
magic, arch, length, csum = struct.unpack_from("<IIII", data, o)
if (magic + arch + length + csum) & 0xFFFFFFFF or arch != 0:
    die("multiboot2 checksum or architecture wrong")
t = o + 16
while True:
    if t + 8 > o + length:
        die("multiboot2 tags run past header_length")
    ttype, _, tsize = struct.unpack_from("<HHI", data, t)
    if tsize < 8:
        die(f"multiboot2 tag {ttype} size {tsize}")
    if ttype == 0:
        break
    t += (tsize + 7) & ~7
print(f"check-launcher: ok: {'release, no test options; ' if release else ''}multiboot v1 header at file offset 0x{mb1[0]:x}, multiboot2 at 0x{o:x}")
