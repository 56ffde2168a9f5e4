"""The few TPM 2.0 commands the harness sends, and bounds-checked response parsing.

Wire formats: TPM 2.0 Library, Part 3 "Commands" (Startup 9.3, PCR_Extend
22.2, PCR_Read 22.4) and Part 2 "Structures" (TPML_PCR_SELECTION 10.9.7,
TPML_DIGEST 10.9.4). All integers big-endian.
"""

import struct

TPM_ST_NO_SESSIONS = 0x8001
TPM_ST_SESSIONS = 0x8002
TPM_CC_STARTUP = 0x0144
TPM_CC_PCR_EXTEND = 0x0182
TPM_CC_PCR_READ = 0x017E
TPM_SU_CLEAR = 0x0000
TPM_RS_PW = 0x40000009
TPM_RC_SUCCESS = 0x000
TPM_RC_INITIALIZE = 0x100
TPM_RC_LOCALITY = 0x907

# (name, TPM_ALG_ID, digest size): TCG Algorithm Registry.
BANKS = (("sha1", 0x0004, 20), ("sha256", 0x000B, 32))
BANK_BY_NAME = {name: (alg, size) for name, alg, size in BANKS}


class TpmError(Exception):
    pass


def _command(tag, cc, body):
    return struct.pack(">HII", tag, 10 + len(body), cc) + body


def startup_clear():
    return _command(TPM_ST_NO_SESSIONS, TPM_CC_STARTUP, struct.pack(">H", TPM_SU_CLEAR))


def _pcr_select(pcrs):
    bitmap = bytearray(3)
    for p in pcrs:
        if not 0 <= p < 24:
            raise TpmError(f"PCR index {p} out of range 0..23")
        bitmap[p // 8] |= 1 << (p % 8)
    return bytes([3]) + bytes(bitmap)


def pcr_read(bank, pcrs):
    alg, _ = BANK_BY_NAME[bank]
    body = struct.pack(">IH", 1, alg) + _pcr_select(pcrs)
    return _command(TPM_ST_NO_SESSIONS, TPM_CC_PCR_READ, body)


def pcr_extend(pcr, digests):
    """digests: {bank name: digest bytes}. Empty-password authorization."""
    auth = struct.pack(">IHBH", TPM_RS_PW, 0, 0, 0)      # handle, nonce, attributes, hmac
    values = struct.pack(">I", len(digests))
    for bank, digest in digests.items():
        alg, size = BANK_BY_NAME[bank]
        if len(digest) != size:
            raise TpmError(f"{bank} digest is {len(digest)} bytes, expected {size}")
        values += struct.pack(">H", alg) + digest
    body = struct.pack(">II", pcr, len(auth)) + auth + values
    return _command(TPM_ST_SESSIONS, TPM_CC_PCR_EXTEND, body)


def response_code(resp):
    if len(resp) < 10:
        raise TpmError(f"TPM response: {len(resp)} bytes, shorter than the 10-byte header")
    _, size, rc = struct.unpack_from(">HII", resp)
    if size != len(resp):
        raise TpmError(f"TPM response: header size {size} but {len(resp)} bytes received")
    return rc


class _Reader:
    def __init__(self, data, what):
        self.data, self.off, self.what = data, 0, what

    def take(self, n, field):
        if n > len(self.data) - self.off:
            raise TpmError(f"{self.what}: {field} at offset {self.off} needs {n} bytes, "
                           f"{len(self.data) - self.off} remain")
        v = self.data[self.off:self.off + n]
        self.off += n
        return v

    def u8(self, field):
        return self.take(1, field)[0]

    def u16(self, field):
        return struct.unpack(">H", self.take(2, field))[0]

    def u32(self, field):
        return struct.unpack(">I", self.take(4, field))[0]

    def end(self):
        if self.off != len(self.data):
            raise TpmError(f"{self.what}: {len(self.data) - self.off} trailing bytes at offset {self.off}")


def parse_pcr_read(resp, bank):
    """Return {pcr index: digest bytes} from a TPM2_PCR_Read response."""
    rc = response_code(resp)
    if rc != TPM_RC_SUCCESS:
        raise TpmError(f"TPM2_PCR_Read({bank}) failed: rc 0x{rc:03x}")
    alg, size = BANK_BY_NAME[bank]
    r = _Reader(resp, "TPM2_PCR_Read response")
    r.take(10, "header")
    r.u32("pcrUpdateCounter")
    count = r.u32("pcrSelectionOut.count")
    if count != 1:
        raise TpmError(f"TPM2_PCR_Read response: pcrSelectionOut.count {count}, expected 1")
    got_alg = r.u16("pcrSelectionOut[0].hash")
    if got_alg != alg:
        raise TpmError(f"TPM2_PCR_Read response: bank 0x{got_alg:04x}, expected 0x{alg:04x}")
    select_size = r.u8("pcrSelectionOut[0].sizeofSelect")
    if select_size > 4:
        raise TpmError(f"TPM2_PCR_Read response: sizeofSelect {select_size} exceeds 4")
    bitmap = r.take(select_size, "pcrSelectionOut[0].pcrSelect")
    selected = [i for i in range(8 * select_size) if bitmap[i // 8] >> (i % 8) & 1]
    n = r.u32("pcrValues.count")
    if n != len(selected):
        raise TpmError(f"TPM2_PCR_Read response: {n} digests for {len(selected)} selected PCRs")
    values = {}
    for i, pcr in enumerate(selected):
        dsize = r.u16(f"pcrValues[{i}].size")
        if dsize != size:
            raise TpmError(f"TPM2_PCR_Read response: pcrValues[{i}].size {dsize}, expected {size}")
        values[pcr] = r.take(dsize, f"pcrValues[{i}].buffer")
    r.end()
    return values


def read_pcrs(data_channel, pcrs=range(16, 24), locality=0):
    """{"sha1": {"16": hex, ...}, "sha256": {...}} in the shape of `trustbit eventlog replay --json`."""
    out = {}
    for bank, _, _ in BANKS:
        resp = data_channel.command(pcr_read(bank, list(pcrs)), locality)
        values = parse_pcr_read(resp, bank)
        missing = sorted(set(pcrs) - set(values))
        if missing:
            raise TpmError(f"TPM2_PCR_Read({bank}) did not return PCRs {missing}")
        out[bank] = {str(p): values[p].hex() for p in sorted(values)}
    return {"pcrs": out}


def shutdown_clear(data_channel, locality=0):
    """TPM2_Shutdown(TPM_SU_CLEAR): an orderly power-off, so that the next start of a kept TPM state
    reports clockInfo.safe (TPM 2.0 Part 3, 9.4)."""
    cmd = struct.pack(">HII", 0x8001, 12, 0x00000145) + struct.pack(">H", 0x0000)
    rc = response_code(data_channel.command(cmd, locality))
    if rc != TPM_RC_SUCCESS:
        raise TpmError(f"TPM2_Shutdown failed: rc 0x{rc:03x}")
