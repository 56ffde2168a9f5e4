#!/usr/bin/env python3
"""Expected PCR 17/18 values of an emulated launch, computed from docs/launch-protocol.md alone.

This is the tests' independent cross-check of `trustbit measure` (Java) and of the TPM: it shares no
code with either. Usage:
    expect.py --slb F [--vmm F] [--config F] [--launch-type emulated|unmeasured|skinit]
              [--dma-protection iommu|none]
prints {"pcrs":{"sha1":{"17":hex,"18":hex},"sha256":{...}}}. Without --vmm only the CPU's
measurement of the SLB is applied (PCR 17 after SKINIT, PCR 18 = 0). --dma-protection adds the real
VMM's record after the configuration (a stub VMM records nothing). With `unmeasured` no
locality-4 sequence took place and both start from the TPM2_Startup value (all 0xFF).
"""

import argparse
import hashlib
import json
import struct
import sys

BANKS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
# docs/launch-protocol.md "Measurements": the VMM's DMA-protection event data.
DMA_TEXT = {"iommu": b"dma-protection=iommu default=deny guests=own-memory", "none": b"dma-protection=none"}


def slb_measured(path):
    data = open(path, "rb").read()
    if len(data) < 4:
        sys.exit(f"expect: {path}: shorter than the SLB header")
    (length,) = struct.unpack_from("<H", data, 2)
    if not 4 <= length <= len(data):
        sys.exit(f"expect: {path}: header length 0x{length:04x} outside 4..{len(data)}")
    return data[:length]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--slb", required=True)
    p.add_argument("--vmm")
    p.add_argument("--config")
    p.add_argument("--launch-type", default="emulated", choices=("skinit", "emulated", "unmeasured"))
    p.add_argument("--dma-protection", choices=("iommu", "none"))
    a = p.parse_args()
    out = {}
    for bank, h in BANKS.items():
        size = h().digest_size

        def extend(pcr, data):
            return h(pcr + h(data).digest()).digest()

        if a.launch_type == "unmeasured":
            # No locality-4 sequence happened: PCRs 17-22 keep their TPM2_Startup value, all 0xFF.
            pcr17 = pcr18 = b"\xff" * size
        else:
            # SKINIT: PCR 17 reset to 0 and extended with H(SLB[0:len]); PCR 18 reset to 0.
            pcr17 = extend(bytes(size), slb_measured(a.slb))
            pcr18 = bytes(size)
        if a.vmm:
            pcr17 = extend(pcr17, open(a.vmm, "rb").read())
            pcr18 = extend(pcr18, f"launch-type={a.launch_type}".encode())
            if a.config:
                pcr18 = extend(pcr18, open(a.config, "rb").read())
                if a.dma_protection:
                    pcr18 = extend(pcr18, DMA_TEXT[a.dma_protection])
        out[bank] = {"17": pcr17.hex(), "18": pcr18.hex()}
    print(json.dumps({"pcrs": out}, sort_keys=True))


if __name__ == "__main__":
    main()
