"""scripts/harness/tpm: raw TPM commands against a fresh swtpm, at a chosen locality.

    tpm skinit --slb FILE [--extend PCR:file:PATH | --extend PCR:text:TEXT]...
                                   locality-4 hash of SLB[0 : header length], then the given
                                   locality-2 extends (both banks, digest of the file or text) in
                                   order, as the SLB does them; prints PCRs 16-23 as JSON
    tpm skinit --tcp HOST:PORT ...  the same on a running, started swtpm (--server tcp on PORT,
                                   --ctrl tcp on PORT+1, as the agent's swtpm:HOST:PORT); leaves
                                   it at locality 0
    tpm extend --pcr N --locality L   TPM2_PCR_Extend (SHA-256 bank); prints rc=0x...
    tpm send --locality L HEX...   raw command bytes; prints the response as hex

Otherwise every invocation starts its own swtpm (CMD_INIT, TPM2_Startup(CLEAR)) in a
temporary directory and stops it before returning.
"""

import argparse
import hashlib
import json
import struct
import sys

from . import swtpm, tpm2


def fresh_tpm(t):
    ctrl = swtpm.ControlChannel.connect(t.ctrl_path)
    ctrl.init()
    data = swtpm.DataChannel(ctrl)
    rc = tpm2.response_code(data.command(tpm2.startup_clear(), 0))
    if rc != tpm2.TPM_RC_SUCCESS:
        raise tpm2.TpmError(f"TPM2_Startup failed: rc 0x{rc:03x}")
    return ctrl, data


def slb_measured_bytes(path):
    with open(path, "rb") as f:
        image = f.read()
    if len(image) < 4:
        raise tpm2.TpmError(f"{path}: {len(image)} bytes, shorter than the 4-byte SLB header")
    (length,) = struct.unpack_from("<H", image, 2)
    if length < 4 or length > len(image):
        raise tpm2.TpmError(f"{path}: header length 0x{length:04x} at offset 2 outside 4..{len(image)}")
    return image[:length]


def extend_at_locality2(data, spec):
    pcr, kind, arg = (spec.split(":", 2) + ["", ""])[:3]
    if kind == "file":
        with open(arg, "rb") as f:
            content = f.read()
    elif kind == "text":
        content = arg.encode()
    else:
        raise tpm2.TpmError(f"--extend {spec!r}: expected PCR:file:PATH or PCR:text:TEXT")
    digests = {bank: hashlib.new(bank, content).digest() for bank, _, _ in tpm2.BANKS}
    rc = tpm2.response_code(data.command(tpm2.pcr_extend(int(pcr), digests), 2))
    if rc != tpm2.TPM_RC_SUCCESS:
        raise tpm2.TpmError(f"TPM2_PCR_Extend({pcr}) at locality 2 failed: rc 0x{rc:03x}")


def skinit(ctrl, data, a):
    ctrl.hash_sequence(slb_measured_bytes(a.slb))
    for spec in a.extend:
        extend_at_locality2(data, spec)
    print(json.dumps(tpm2.read_pcrs(data), sort_keys=True))


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripts/harness/tpm")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("skinit")
    s.add_argument("--slb", required=True)
    s.add_argument("--extend", action="append", default=[], metavar="PCR:file:PATH|PCR:text:TEXT")
    s.add_argument("--tcp", metavar="HOST:PORT")
    e = sub.add_parser("extend")
    e.add_argument("--pcr", type=int, required=True)
    e.add_argument("--locality", type=int, required=True)
    r = sub.add_parser("send")
    r.add_argument("--locality", type=int, required=True)
    r.add_argument("hex", nargs="+")
    a = p.parse_args(argv)
    try:
        if a.cmd == "skinit" and a.tcp:
            host, _, port = a.tcp.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"--tcp {a.tcp!r}: expected HOST:PORT")
            ctrl = swtpm.ControlChannel.connect_tcp(host, int(port) + 1)
            data = swtpm.DataChannel(ctrl, (host, int(port)))
            try:
                skinit(ctrl, data, a)
                ctrl.set_locality(0)
            finally:
                data.close()
                ctrl.close()
            return 0
        with swtpm.Swtpm() as t:
            ctrl, data = fresh_tpm(t)
            if a.cmd == "skinit":
                skinit(ctrl, data, a)
            elif a.cmd == "extend":
                digest = hashlib.sha256(b"trustbit locality test").digest()
                resp = data.command(tpm2.pcr_extend(a.pcr, {"sha256": digest}), a.locality)
                print(f"rc=0x{tpm2.response_code(resp):03x}")
            else:
                resp = data.command(bytes.fromhex("".join(a.hex)), a.locality)
                print(resp.hex())
            data.close()
            ctrl.close()
    except (OSError, ValueError, swtpm.SwtpmError, tpm2.TpmError) as err:
        print(f"tpm: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
