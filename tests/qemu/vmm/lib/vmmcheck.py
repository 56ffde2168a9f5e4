#!/usr/bin/env python3
"""Independent checks for the VMM's QEMU tests (formats: docs/launch-protocol.md).

    vmmcheck.py pcr19 --initial zero|ones NAME:REASON:IMAGE[:MANIFEST]...
        expected PCR 19 after one guest record per argument, as JSON {"sha1": hex, "sha256": hex}
    vmmcheck.py replay --initial zero|ones EVLOG
        replays a TCG crypto-agile event log (Spec ID Event03 + TCG_PCR_EVENT2, SHA-1 and SHA-256),
        prints {"pcrs": {"sha1": {"17": hex, ...}, "sha256": {...}}, "guest_records": [...]}
    vmmcheck.py proxy SOCKET OUTDIR
        talks to the tpm-proxy guest over its COM3 socket: ping, TPM2_PCR_Read(19), unknown frame
        type, event log, shutdown; writes OUTDIR/proxy.json
"""

import hashlib
import json
import socket
import struct
import sys
import time

BANKS = (("sha1", hashlib.sha1, 0x0004, 20), ("sha256", hashlib.sha256, 0x000B, 32))


def initial(kind, size):
    return (b"\xff" if kind == "ones" else b"\x00") * size


def guest_record(name, reason, image, manifest):
    """128-byte guest record: key id and security version come from the manifest whenever it was
    well formed (every reason after 2, vmm/README.md); the image hash is always present."""
    keyid, sv = bytes(32), 0
    if reason not in (1, 2, 9, 10, 11) and manifest is not None:
        keyid, sv = manifest[56:88], struct.unpack_from("<I", manifest, 48)[0]
    sha = hashlib.sha256(image).digest() if reason not in (9, 10, 11) else bytes(32)
    rec = (b"TBGR" + struct.pack("<III", 1, 1 if reason == 0 else 2, reason) + sha + keyid
           + struct.pack("<I", sv) + bytes(12) + name.encode().ljust(32, b"\0"))
    assert len(rec) == 128
    return rec


def cmd_pcr19(init, specs):
    pcrs = {b: initial(init, n) for b, _, _, n in BANKS}
    for spec in specs:
        parts = spec.split(":")
        name, reason, image = parts[0], int(parts[1]), open(parts[2], "rb").read()
        manifest = open(parts[3], "rb").read() if len(parts) > 3 and parts[3] else None
        rec = guest_record(name, reason, image, manifest)
        for bank, h, _, _ in BANKS:
            pcrs[bank] = h(pcrs[bank] + h(rec).digest()).digest()
    print(json.dumps({b: v.hex() for b, v in pcrs.items()}))


def cmd_replay(init, path):
    log = open(path, "rb").read()
    pos = 0

    def take(n):
        nonlocal pos
        if n > len(log) - pos:
            sys.exit(f"replay: truncated at offset {pos} (need {n})")
        pos += n
        return log[pos - n:pos]

    # TCG_PCClientPCREvent header: pcr, type, SHA-1 digest, size, Spec ID Event03
    pcr, etype = struct.unpack("<II", take(8))
    take(20)
    (size,) = struct.unpack("<I", take(4))
    spec = take(size)
    if etype != 3 or not spec.startswith(b"Spec ID Event03\0"):
        sys.exit("replay: first record is not the Spec ID Event03 header")
    pcrs, records = {}, []
    while pos < len(log):
        pcr, etype, count = struct.unpack("<III", take(12))
        digests = {}
        for _ in range(count):
            (alg,) = struct.unpack("<H", take(2))
            bank = [b for b in BANKS if b[2] == alg]
            if not bank:
                sys.exit(f"replay: unknown algorithm 0x{alg:04x} at offset {pos - 2}")
            digests[bank[0][0]] = take(bank[0][3])
        (size,) = struct.unpack("<I", take(4))
        data = take(size)
        for bank, h, _, n in BANKS:
            if bank not in digests:
                sys.exit(f"replay: event without a {bank} digest")
            if etype == 0x405 and digests[bank] != h(data).digest():
                sys.exit(f"replay: guest event digest is not H(record) in {bank}")
            start = initial("zero" if pcr in (17, 18) or init == "zero" else "ones", n)
            cur = pcrs.setdefault(bank, {}).get(str(pcr), start.hex())
            pcrs[bank][str(pcr)] = h(bytes.fromhex(cur) + digests[bank]).hexdigest()
        if etype == 0x405:
            name = data[96:128].rstrip(b"\0").decode()
            dec, reason = struct.unpack_from("<II", data, 8)
            records.append({"name": name, "decision": dec, "reason": reason})
    print(json.dumps({"pcrs": pcrs, "guest_records": records}))


def read_frame(s):
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = s.recv(n - len(buf))
            if not chunk:
                raise EOFError("proxy closed the connection")
            buf += chunk
        return buf
    t, n = struct.unpack(">BI", exact(5))
    return t, exact(n)


def cmd_proxy(path, outdir):
    deadline = time.time() + 30
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("proxy: cannot connect to " + path)
            time.sleep(0.05)
    out = {}
    s.settimeout(60)
    s.sendall(struct.pack(">BI", 3, 0))
    t, msg = read_frame(s)
    out["ping_type"], out["ping"] = t, msg.decode(errors="replace")
    # TPM2_PCR_Read(PCR 19, SHA-1 + SHA-256): TPM 2.0 Part 3 §22.4
    cmd = bytes.fromhex("80010000001a0000017e00000002000403000008000b03000008")
    s.sendall(struct.pack(">BI", 1, len(cmd)) + cmd)
    t, resp = read_frame(s)
    out["tpm_type"], out["tpm_response"] = t, resp.hex()
    s.sendall(struct.pack(">BI", 0x55, 0))
    t, msg = read_frame(s)
    out["unknown_type"], out["unknown_reply"] = t, msg.decode(errors="replace")
    s.sendall(struct.pack(">BI", 2, 0))
    t, evlog = read_frame(s)
    out["evlog_type"] = t
    open(outdir + "/proxy-evlog.bin", "wb").write(evlog)
    s.sendall(struct.pack(">BI", 4, 0))
    t, msg = read_frame(s)
    out["shutdown_type"], out["shutdown_len"] = t, len(msg)
    # Then the connection stays until QEMU ends it.
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
    json.dump(out, open(outdir + "/proxy.json", "w"))


def main(argv):
    if len(argv) >= 3 and argv[0] in ("pcr19", "replay") and argv[1] == "--initial":
        if argv[0] == "pcr19":
            return cmd_pcr19(argv[2], argv[3:])
        return cmd_replay(argv[2], argv[3])
    if len(argv) == 3 and argv[0] == "proxy":
        return cmd_proxy(argv[1], argv[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
