#!/usr/bin/env python3
"""Checks from one QEMU trace (amdvi_* and tpm_tis_mmio_write* events, in the order they happened)
that the SLB's deny-all IOMMU set-up was complete before the TPM received the extend of PCR 17 with
the VMM, and that translation stayed on from then on, through the VMM's take-over
(skinit-loader/README.md "DMA protection").

    trace-order.py QEMU-TRACE-LOG DEVTAB-DUMP...
DEVTAB-DUMP: the 2 MiB at 0x03E00000 in order (the SLB's device table): every 32-byte entry must be
V = 1, TV = 1 and nothing else (no read or write permission, no page table).
Prints one line per finding; exit status 1 if any check fails.
"""
import re
import sys

WAIT = "completion wait requested with store address 0x103e000"   # the SLB's store (bootinfo.h)
CMDBUF = "command buffer base at 0x1036000"                          # the SLB's first command buffer
FIFO2 = 0x2024      # TIS locality 2 data FIFO (TCG PC Client PTP, TIS register space)
STS2 = 0x2018       # locality 2 status: 0x20 = tpmGo
PCR_EXTEND, PCR17 = 0x00000182, 0x00000011


def extend_line(lines):
    """Line index of tpmGo for the first TPM2_PCR_Extend(PCR 17) sent at locality 2, or None."""
    cmd = bytearray()
    for i, ln in enumerate(lines):
        m = re.match(r"tpm_tis_mmio_write write\.1\((0x[0-9a-f]+)\) = (0x[0-9a-f]+)", ln)
        if not m:
            continue
        addr, val = int(m.group(1), 16), int(m.group(2), 16)
        if addr == FIFO2:
            cmd.append(val & 0xFF)
        elif addr == STS2 and val == 0x20:
            # TPM2 command header: tag (2), size (4), command code (4), then the PCR handle (4), all BE.
            if len(cmd) >= 14 and int.from_bytes(cmd[6:10], "big") == PCR_EXTEND \
                    and int.from_bytes(cmd[10:14], "big") == PCR17:
                return i
            cmd = bytearray()
    return None


def main():
    lines = open(sys.argv[1]).read().splitlines()
    fails = 0

    def check(ok, text):
        nonlocal fails
        print(("ok: " if ok else "FAIL: ") + text)
        fails += not ok

    ext = extend_line(lines)
    check(ext is not None, "the trace holds the extend of PCR 17 at locality 2")
    ext = len(lines) if ext is None else ext
    before = lines[:ext]
    check(any(CMDBUF in ln for ln in before), "the IOMMU ran the SLB's command buffer before that extend")
    check(any("amdvi_all_inval" in ln for ln in before), "INVALIDATE_IOMMU_ALL before that extend")
    check(any(WAIT in ln for ln in before), "the SLB's COMPLETION_WAIT completed before that extend")
    enabled = [ln for ln in before if "amdvi_control_status MMIO_STATUS state" in ln]
    check(bool(enabled) and int(enabled[-1].split()[-1], 16) & 0x1001 == 0x1001,
          "IOMMU and command buffer enabled (control 0x1001) before that extend")

    states = [int(ln.split()[-1], 16) for ln in lines if "amdvi_control_status MMIO_STATUS state" in ln]
    first_on = next((i for i, v in enumerate(states) if v & 0x1001 == 0x1001), len(states))
    check(first_on < len(states) and all(v & 1 for v in states[first_on:]),
          "translation never off again once the SLB enabled it (the VMM's take-over included)")

    table = b"".join(open(f, "rb").read() for f in sys.argv[2:])
    entry = bytes([3]) + bytes(31)
    check(len(table) == 0x200000 and all(table[o:o + 32] == entry for o in range(0, len(table), 32)),
          "all 65,536 device table entries at 0x03e00000 are V=1 TV=1 with no permission")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
