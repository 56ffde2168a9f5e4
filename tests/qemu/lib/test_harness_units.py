#!/usr/bin/env python3
"""Unit tests of the harness's parsers of untrusted bytes (TPM responses, COM2 request lines).

Run by tests/qemu/run (test `harness_units`); needs no QEMU and no swtpm.
"""

import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "harness"))
from tb_harness import launch, swtpm, tpm2  # noqa: E402


def pcr_read_response(alg=0x000B, select=b"\x00\x00\xff", digests=None, dsize=32, count=None,
                      sel_count=1, trailing=b""):
    """A TPM2_PCR_Read response built field by field (TPM 2.0 Part 3, 22.4.2)."""
    if digests is None:
        digests = [bytes([i]) * dsize for i in range(bin(int.from_bytes(select, "little")).count("1"))]
    body = struct.pack(">I", 7)                                   # pcrUpdateCounter
    body += struct.pack(">I", sel_count)                          # pcrSelectionOut.count
    body += struct.pack(">HB", alg, len(select)) + select         # hash, sizeofSelect, pcrSelect
    body += struct.pack(">I", len(digests) if count is None else count)   # pcrValues.count
    for d in digests:
        body += struct.pack(">H", len(d)) + d                     # TPM2B_DIGEST
    body += trailing
    return struct.pack(">HII", 0x8001, 10 + len(body), 0) + body


class PcrReadParsing(unittest.TestCase):
    def test_well_formed(self):
        values = tpm2.parse_pcr_read(pcr_read_response(), "sha256")
        self.assertEqual(sorted(values), list(range(16, 24)))
        self.assertEqual(values[16], b"\x00" * 32)
        self.assertEqual(values[23], b"\x07" * 32)

    def test_every_truncation_is_refused(self):
        good = pcr_read_response()
        for n in range(len(good)):
            cut = bytearray(good[:n])
            if n >= 6:
                cut[2:6] = struct.pack(">I", n)                   # keep the header size honest
            with self.assertRaises(tpm2.TpmError, msg=f"length {n}"):
                tpm2.parse_pcr_read(bytes(cut), "sha256")

    def test_header_size_mismatch(self):
        bad = bytearray(pcr_read_response())
        bad[2:6] = struct.pack(">I", len(bad) + 1)
        with self.assertRaisesRegex(tpm2.TpmError, "header size"):
            tpm2.parse_pcr_read(bytes(bad), "sha256")

    def test_trailing_bytes(self):
        with self.assertRaisesRegex(tpm2.TpmError, "trailing"):
            tpm2.parse_pcr_read(pcr_read_response(trailing=b"\x00"), "sha256")

    def test_wrong_bank(self):
        with self.assertRaisesRegex(tpm2.TpmError, "bank 0x0004"):
            tpm2.parse_pcr_read(pcr_read_response(alg=0x0004), "sha256")

    def test_digest_size(self):
        with self.assertRaisesRegex(tpm2.TpmError, r"pcrValues\[0\].size 20"):
            tpm2.parse_pcr_read(pcr_read_response(dsize=20), "sha256")

    def test_count_disagrees_with_selection(self):
        with self.assertRaisesRegex(tpm2.TpmError, "9 digests for 8"):
            tpm2.parse_pcr_read(pcr_read_response(count=9), "sha256")

    def test_selection_count(self):
        with self.assertRaisesRegex(tpm2.TpmError, "count 2"):
            tpm2.parse_pcr_read(pcr_read_response(sel_count=2), "sha256")

    def test_oversized_select(self):
        with self.assertRaisesRegex(tpm2.TpmError, "sizeofSelect 5"):
            tpm2.parse_pcr_read(pcr_read_response(select=b"\x00" * 5, digests=[]), "sha256")

    def test_error_code(self):
        resp = struct.pack(">HII", 0x8001, 10, 0x101)
        with self.assertRaisesRegex(tpm2.TpmError, "rc 0x101"):
            tpm2.parse_pcr_read(resp, "sha256")


class CommandMarshalling(unittest.TestCase):
    def test_pcr_read_selects_16_to_23(self):
        cmd = tpm2.pcr_read("sha1", range(16, 24))
        self.assertEqual(cmd.hex(), "8001000000140000017e00000001000403" "0000ff")

    def test_extend_checks_digest_size(self):
        with self.assertRaisesRegex(tpm2.TpmError, "sha256 digest is 20 bytes"):
            tpm2.pcr_extend(17, {"sha256": b"\x00" * 20})

    def test_pcr_index_range(self):
        with self.assertRaisesRegex(tpm2.TpmError, "PCR index 24"):
            tpm2.pcr_read("sha1", [24])


class ControlTables(unittest.TestCase):
    def test_reply_sizes(self):
        # swtpm/tpm_ioctl.h: only the response part of each union is returned.
        self.assertEqual(swtpm.reply_size(swtpm.CMD_GET_CAPABILITY), 8)
        self.assertEqual(swtpm.reply_size(swtpm.CMD_GET_TPMESTABLISHED), 8)
        self.assertEqual(swtpm.reply_size(swtpm.CMD_GET_CONFIG), 8)
        self.assertEqual(swtpm.reply_size(swtpm.CMD_SET_BUFFERSIZE), 16)
        self.assertEqual(swtpm.reply_size(swtpm.CMD_SET_LOCALITY), 4)
        self.assertEqual(swtpm.reply_size(swtpm.CMD_HASH_END), 4)

    def test_state_blobs_not_forwarded(self):
        for cmd in (swtpm.CMD_GET_STATEBLOB, swtpm.CMD_SET_STATEBLOB, swtpm.CMD_HASH_DATA, swtpm.CMD_GET_INFO):
            self.assertNotIn(cmd, swtpm.REQUEST_SIZE)


class Com2Lines(unittest.TestCase):
    def test_skinit_line(self):
        m = launch.SKINIT_LINE.match("TB-SKINIT base=0x00400000 len=0x3a00")
        self.assertEqual((m.group(1), m.group(2)), ("00400000", "3a00"))

    def test_skinit_line_rejects_variants(self):
        for line in ("TB-SKINIT base=0x400000 len=0x3a00",          # base not 8 digits
                     "TB-SKINIT base=0x00400000 len=0x13a00",       # len not 4 digits
                     "TB-SKINIT base=0x00400000 len=0x3a00 extra",
                     "xTB-SKINIT base=0x00400000 len=0x3a00"):
            self.assertIsNone(launch.SKINIT_LINE.match(line), line)

    def test_done_line(self):
        m = launch.DONE_LINE.match("TB-DONE evlog=0x01010000 len=0x1a3")
        self.assertEqual((m.group(1), m.group(2)), ("01010000", "1a3"))
        self.assertIsNone(launch.DONE_LINE.match("TB-DONE evlog=0x01010000 len=0x123456789"))

    def test_slb_base_bounds(self):
        self.assertIsNone(launch.slb_base_error(0x00400000))
        self.assertIsNone(launch.slb_base_error(0x00FF0000))
        for bad in (0x003F0000, 0x01000000, 0x00400001, 0x00408000, 0xFFFF0000):
            self.assertIsNotNone(launch.slb_base_error(bad), hex(bad))

    def test_evlog_range_bounds(self):
        self.assertIsNone(launch.evlog_range_error(0x01010000, 0x20000))       # whole area
        self.assertIsNone(launch.evlog_range_error(0x0102FFFF, 1))             # last byte
        self.assertIsNone(launch.evlog_range_error(0x01010000, 0))
        for addr, length in ((0x01010000, 0x20001),   # one byte past the end
                             (0x0100FFFF, 1),         # one byte before the start
                             (0x01030000, 0),         # starts at the end
                             (0x0102FFFF, 0xFFFFFFFF)):  # length that would wrap 32 bits
            self.assertIsNotNone(launch.evlog_range_error(addr, length), (hex(addr), hex(length)))

    def test_guest_names(self):
        self.assertTrue(launch.GUEST_NAME.match("tpm-proxy"))
        for bad in ("", "A", "a" * 32, "a b", "a,b", "a\n"):
            self.assertIsNone(launch.GUEST_NAME.match(bad), repr(bad))


class MachineOptions(unittest.TestCase):
    """--machine/--iommu/--dump/--acpitable: bad combinations are usage errors (exit 2), one line each."""

    def refused(self, argv, words):
        import contextlib
        import io
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as ex:
            launch.parse_args(argv)
        self.assertEqual(ex.exception.code, 2)
        self.assertIn(words, err.getvalue())

    def test_iommu_needs_q35(self):
        self.refused(["--iommu"], "--iommu needs --machine q35")
        self.refused(["--machine", "pc", "--iommu"], "--iommu needs --machine q35")
        a = launch.parse_args(["--machine", "q35", "--iommu"])
        self.assertTrue(a.iommu)
        self.assertEqual(launch.parse_args([]).machine, "pc")

    def test_dump_ranges(self):
        a = launch.parse_args(["--dump", "01100000:40", "--dump", "0x0:0x100000"])
        self.assertEqual(a.dump_ranges, [(0x01100000, 0x40), (0, 0x100000)])
        for bad in ("01100000", "01100000:0", "0:100001", "ffffffff:2", "g:1", "1:2:3", "123456789:1"):
            self.refused(["--dump", bad], "--dump")

    def test_acpitable_must_be_a_file(self):
        self.refused(["--acpitable", "/nonexistent/ivrs.bin"], "--acpitable")
        self.refused(["--acpitable", __file__ + ",x"], "--acpitable")

    def test_qemu_argv_puts_the_iommu_first(self):
        run = launch.Launch.__new__(launch.Launch)
        run.args = launch.parse_args(["--machine", "q35", "--iommu", "--qemu-device", "edu,addr=04.0"])
        run.launcher = "/dev/null"
        run.modules = []
        argv = run.qemu_argv({"com1": "c1", "com2": "c2", "tpm": "t", "qmp": "q", "iso": None})
        self.assertEqual(argv[argv.index("-M") + 1], "q35")
        devices = [argv[i + 1] for i, w in enumerate(argv) if w == "-device"]
        self.assertEqual(devices[0], "amd-iommu")
        self.assertEqual(devices[1], "edu,addr=04.0")


if __name__ == "__main__":
    unittest.main()
