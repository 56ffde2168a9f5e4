#!/usr/bin/env python3
"""Talks to the tpm-proxy guest over its unix socket (docs/launch-protocol.md, "tpm-proxy framing").

    proxyctl.py SOCKET wait [SECONDS [PID]]  wait until the guest answers a ping (give up early when
                                          process PID, the launch, has ended)
    proxyctl.py SOCKET eventlog FILE      fetch the DRTM event log from the guest into FILE
    proxyctl.py SOCKET shutdown           ask the guest to shut down (the VMM then ends the run)
"""
import os
import socket
import struct
import sys
import time

MAX_PAYLOAD = 65536


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("tpm-proxy closed the connection")
        buf += chunk
    return bytes(buf)


def exchange(path, ftype, payload=b"", timeout=30.0):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path)
    try:
        s.sendall(struct.pack(">BI", ftype, len(payload)) + payload)
        if ftype == 0x04:
            # Closing at once can drop the frame inside QEMU's chardev: give the guest time to read it.
            time.sleep(1.0)
            return None
        rtype, length = struct.unpack(">BI", recv_exact(s, 5))
        if length > MAX_PAYLOAD:
            raise ValueError(f"frame length {length} exceeds {MAX_PAYLOAD}")
        body = recv_exact(s, length)
        if rtype == 0x7F:
            raise RuntimeError("tpm-proxy error: " + body.decode("ascii", "replace"))
        if rtype != ftype:
            raise ValueError(f"answer of type 0x{rtype:02x} to a request of type 0x{ftype:02x}")
        return body
    finally:
        s.close()


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, cmd = argv[1], argv[2]
    try:
        if cmd == "wait":
            deadline = time.monotonic() + float(argv[3] if len(argv) > 3 else 60)
            watch = int(argv[4]) if len(argv) > 4 else None
            while True:
                if watch is not None and not os.path.exists(f"/proc/{watch}"):
                    print("proxyctl: the launch ended before the tpm-proxy guest answered", file=sys.stderr)
                    return 1
                try:
                    if os.path.exists(path) and exchange(path, 0x03, timeout=5).startswith(b"tpm-proxy"):
                        return 0
                except (OSError, EOFError, ValueError, RuntimeError):
                    pass
                if time.monotonic() > deadline:
                    print(f"proxyctl: no answer from the tpm-proxy guest at {path}", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        if cmd == "eventlog":
            data = exchange(path, 0x02)
            tmp = argv[3] + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, argv[3])
            return 0
        if cmd == "shutdown":
            exchange(path, 0x04)
            return 0
    except (OSError, EOFError, ValueError, RuntimeError) as e:
        print(f"proxyctl: {cmd}: {e}", file=sys.stderr)
        return 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
