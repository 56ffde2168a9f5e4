#!/usr/bin/env python3
"""IVRS tables for the DMA tests (AMD IOMMU spec #48882 §5.2), written byte by byte.

    mkivrs.py CASE OUT
CASE: good (one IOMMU at 0xfed80000, device 00:01.0, like QEMU's), truncated (length 44, below the
48-byte header), lying-length (the IVHD claims 200 bytes in a 80-byte table), overlapping (the IVHD
claims 20 bytes, less than its own header, so the next block would start inside it).
The ACPI checksum is correct in every case: only the structure is wrong.
"""
import struct
import sys


def ivhd(length_field=None):
    entries = bytes([0x03, 0x00, 0x00, 0x00]) + bytes([0x04, 0xFF, 0xFF, 0x00])   # range 0000-ffff
    body_len = 24 + len(entries)
    hdr = struct.pack("<BBHHHQHHI",
                      0x10,                     # 0 type
                      0xB0,                     # 1 flags
                      length_field if length_field is not None else body_len,  # 2 length
                      0x0008,                   # 4 device id 00:01.0
                      0x40,                     # 6 capability offset
                      0xFED80000,               # 8 base
                      0,                        # 16 segment
                      0,                        # 18 IOMMU info
                      0)                        # 20 features
    return hdr + entries


def table(body, length_field=None):
    length = 48 + len(body) if length_field is None else length_field
    hdr = struct.pack("<4sIBB6s8sI4sI", b"IVRS", length, 2, 0, b"TBTEST", b"TBDMA   ", 1, b"TBIT", 1)
    t = bytearray(hdr + struct.pack("<IQ", 0x00203041, 0) + body)
    t = t[:length]
    t[9] = (-sum(t)) & 0xFF
    return bytes(t)


def main():
    case, out = sys.argv[1], sys.argv[2]
    if case == "good":
        t = table(ivhd())
    elif case == "truncated":
        t = table(b"", length_field=44)
    elif case == "lying-length":
        t = table(ivhd(length_field=200))
    elif case == "overlapping":
        t = table(ivhd(length_field=20))
    else:
        sys.exit(f"mkivrs: unknown case {case}")
    with open(out, "wb") as f:
        f.write(t)


if __name__ == "__main__":
    main()
