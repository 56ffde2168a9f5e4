#!/usr/bin/env python3
"""Talks to the tpm-proxy guest over its unix socket (docs/launch-protocol.md, "tpm-proxy framing").

    proxyctl.py SOCKET wait [SECONDS [PID]]  wait until the guest answers a ping (give up early when
                                          process PID, the launch, has ended)
    proxyctl.py SOCKET eventlog FILE      fetch the DRTM event log from the guest into FILE
    proxyctl.py SOCKET shutdown           ask the guest to shut down (the VMM then ends the run)
"""
import os
import select
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


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError:
        s.close()
        raise
    return s


def send(s, ftype, payload=b""):
    s.sendall(struct.pack(">BI", ftype, len(payload)) + payload)


def answer(s, ftype):
    """The answer frame to a request of type ftype (socket timeout applies to each read)."""
    rtype, length = struct.unpack(">BI", recv_exact(s, 5))
    if length > MAX_PAYLOAD:
        raise ValueError(f"frame length {length} exceeds {MAX_PAYLOAD}")
    body = recv_exact(s, length)
    if rtype == 0x7F:
        raise RuntimeError("tpm-proxy error: " + body.decode("ascii", "replace"))
    if rtype != ftype:
        raise ValueError(f"answer of type 0x{rtype:02x} to a request of type 0x{ftype:02x}")
    return body


def wait(path, seconds, watch):
    """One connection, one ping: a ping abandoned on timeout would leave half a frame in the guest's
    UART and shift every later frame, so the ping is sent once and its answer awaited until the deadline."""
    deadline = time.monotonic() + seconds
    s = None
    try:
        while True:
            if watch is not None and not os.path.exists(f"/proc/{watch}"):
                print("proxyctl: the launch ended before the tpm-proxy guest answered", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"proxyctl: no answer from the tpm-proxy guest at {path} within {seconds:g} s",
                      file=sys.stderr)
                return 1
            if s is None:
                try:
                    s = connect(path, 0.5)
                    send(s, 0x03)
                except OSError:
                    s = None
                    time.sleep(0.1)
                    continue
            readable, _, _ = select.select([s], [], [], 0.5)
            if not readable:
                continue
            s.settimeout(10)
            if answer(s, 0x03).startswith(b"tpm-proxy"):
                return 0
            print("proxyctl: the peer at the socket is not a tpm-proxy guest", file=sys.stderr)
            return 1
    finally:
        if s is not None:
            s.close()


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, cmd = argv[1], argv[2]
    try:
        if cmd == "wait":
            return wait(path, float(argv[3] if len(argv) > 3 else 60), int(argv[4]) if len(argv) > 4 else None)
        if cmd == "eventlog":
            with connect(path, 30) as s:
                send(s, 0x02)
                data = answer(s, 0x02)
            tmp = argv[3] + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, argv[3])
            return 0
        if cmd == "shutdown":
            # The guest acknowledges the frame once it has read all of it; closing before that could
            # drop its unread bytes inside QEMU's chardev.
            with connect(path, 30) as s:
                send(s, 0x04)
                answer(s, 0x04)
            return 0
    except (OSError, EOFError, ValueError, RuntimeError) as e:
        print(f"proxyctl: {cmd}: {e or type(e).__name__}", file=sys.stderr)
        return 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
