"""swtpm process management and its control channel.

The control channel protocol is swtpm's "non-CUSE" ioctl encoding
(/usr/include/swtpm/tpm_ioctl.h, package swtpm-dev): a request is a 4-byte
big-endian command code followed by the request part of the matching ptm_*
union; the reply is only the response part. Every integer is big-endian.
"""

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

from . import children

# Command codes (tpm_ioctl.h, "Commands used by the non-CUSE TPMs").
CMD_GET_CAPABILITY = 0x01
CMD_INIT = 0x02
CMD_SHUTDOWN = 0x03
CMD_GET_TPMESTABLISHED = 0x04
CMD_SET_LOCALITY = 0x05
CMD_HASH_START = 0x06
CMD_HASH_DATA = 0x07
CMD_HASH_END = 0x08
CMD_CANCEL_TPM_CMD = 0x09
CMD_STORE_VOLATILE = 0x0A
CMD_RESET_TPMESTABLISHED = 0x0B
CMD_GET_STATEBLOB = 0x0C
CMD_SET_STATEBLOB = 0x0D
CMD_STOP = 0x0E
CMD_GET_CONFIG = 0x0F
CMD_SET_DATAFD = 0x10
CMD_SET_BUFFERSIZE = 0x11
CMD_GET_INFO = 0x12

# Size of a complete request (command code included) for every fixed-size
# command a client may send. Commands with variable-size requests (state
# blobs, GET_INFO, HASH_DATA) are not forwarded by the proxy: QEMU uses them
# only for migration and snapshots, which the harness does not support.
REQUEST_SIZE = {
    CMD_GET_CAPABILITY: 4,
    CMD_INIT: 8,                 # u32 init_flags
    CMD_SHUTDOWN: 4,
    CMD_GET_TPMESTABLISHED: 4,
    CMD_SET_LOCALITY: 8,         # u8 loc, padded to the union size (4)
    CMD_CANCEL_TPM_CMD: 4,
    CMD_STORE_VOLATILE: 4,
    CMD_RESET_TPMESTABLISHED: 8,  # u8 loc, padded
    CMD_STOP: 4,
    CMD_GET_CONFIG: 4,
    CMD_SET_DATAFD: 4,           # plus one descriptor as SCM_RIGHTS
    CMD_SET_BUFFERSIZE: 8,       # u32 buffersize
}

# Size of the reply to each command (response part of the union only).
REPLY_SIZE = {
    CMD_GET_CAPABILITY: 8,       # u64 capability bits
    CMD_GET_TPMESTABLISHED: 8,   # u32 result, u8 bit, padding
    CMD_GET_CONFIG: 8,           # u32 result, u32 flags
    CMD_SET_BUFFERSIZE: 16,      # u32 result, buffersize, minsize, maxsize
}

HASH_CHUNK = 4096                # ptm_hdata.u.req.data

# Seconds to wait for swtpm's answer to one control or TPM command.
IO_TIMEOUT = 30.0


def reply_size(cmd):
    return REPLY_SIZE.get(cmd, 4)


class SwtpmError(Exception):
    pass


def recv_exact(sock, n, what):
    """Read exactly n bytes or raise naming what was being read."""
    buf = bytearray()
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            raise SwtpmError(f"{what}: no answer within {sock.gettimeout():g} s") from None
        if not chunk:
            raise SwtpmError(f"{what}: connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


class ControlChannel:
    """A client of swtpm's control socket. Strictly one message in flight."""

    def __init__(self, sock):
        self.sock = sock

    @classmethod
    def connect(cls, path, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                # swtpm answers a control command at once; a silent swtpm must not hang the run.
                s.settimeout(IO_TIMEOUT)
                return cls(s)
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise SwtpmError(f"swtpm control socket {path}: not accepting connections")
                time.sleep(0.01)

    @classmethod
    def connect_tcp(cls, host, port):
        """The control channel of a swtpm started with --ctrl type=tcp."""
        try:
            s = socket.create_connection((host, port), timeout=IO_TIMEOUT)
        except OSError as err:
            raise SwtpmError(f"swtpm control port {host}:{port}: {err}") from None
        return cls(s)

    def transact(self, cmd, payload=b"", fds=None):
        """Send one command and return its whole reply."""
        msg = struct.pack(">I", cmd) + payload
        if fds:
            socket.send_fds(self.sock, [msg], fds)
        else:
            self.sock.sendall(msg)
        return recv_exact(self.sock, reply_size(cmd), f"swtpm reply to control command 0x{cmd:02x}")

    def simple(self, cmd, payload=b"", fds=None):
        """Send a command whose reply starts with a TPM result; raise if non-zero."""
        reply = self.transact(cmd, payload, fds)
        (result,) = struct.unpack_from(">I", reply)
        if result != 0:
            raise SwtpmError(f"swtpm control command 0x{cmd:02x} failed: result 0x{result:x}")
        return reply

    def init(self):
        self.simple(CMD_INIT, struct.pack(">I", 0))

    def set_locality(self, locality):
        if not 0 <= locality <= 4:
            raise SwtpmError(f"locality {locality} out of range 0..4")
        self.simple(CMD_SET_LOCALITY, bytes([locality, 0, 0, 0]))

    def set_datafd(self, fd):
        self.simple(CMD_SET_DATAFD, fds=[fd])

    def hash_sequence(self, data):
        """The CPU's part of SKINIT: _TPM_Hash_Start/Data/End at locality 4.

        The TPM resets PCRs 17-22 to 0 and extends PCR 17 with H(data) in
        every bank (TPM 2.0 Library Part 1, section 34.3, "H-CRTM").
        """
        self.simple(CMD_HASH_START)
        for off in range(0, len(data), HASH_CHUNK):
            chunk = data[off:off + HASH_CHUNK]
            self.simple(CMD_HASH_DATA, struct.pack(">I", len(chunk)) + chunk)
        self.simple(CMD_HASH_END)

    def shutdown(self):
        self.simple(CMD_SHUTDOWN)

    def close(self):
        self.sock.close()


class DataChannel:
    """One end of a socketpair handed to swtpm with CMD_SET_DATAFD, or a connection to its --server port."""

    def __init__(self, ctrl, server=None):
        if server is not None:
            try:
                ours = socket.create_connection(server, timeout=IO_TIMEOUT)
            except OSError as err:
                raise SwtpmError(f"swtpm server port {server[0]}:{server[1]}: {err}") from None
        else:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                ctrl.set_datafd(theirs.fileno())
            finally:
                theirs.close()
        ours.settimeout(IO_TIMEOUT)
        self.sock = ours
        self.ctrl = ctrl

    def command(self, cmd_bytes, locality=0):
        """Send one TPM command at `locality`; return the whole response."""
        self.ctrl.set_locality(locality)
        self.sock.sendall(cmd_bytes)
        header = recv_exact(self.sock, 10, "TPM response header")
        (size,) = struct.unpack_from(">I", header, 2)
        if size < 10 or size > 65536:
            raise SwtpmError(f"TPM response header: size {size} out of range 10..65536")
        return header + recv_exact(self.sock, size - 10, "TPM response body")

    def close(self):
        self.sock.close()


class Swtpm:
    """A swtpm 'socket' process with its state in a private temporary directory.

    No --server and no startup flag: the data channel arrives later with
    CMD_SET_DATAFD, and CMD_INIT plus TPM2_Startup come from the client
    (QEMU's tpm-emulator backend and SeaBIOS, or the harness itself).
    """

    def __init__(self, workdir=None, state_dir=None):
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix="tb-swtpm-")
        # A kept state directory is one machine's TPM across boots (same EK, persistent AK, counters).
        self.state = state_dir or os.path.join(self.dir, "tpmstate")
        os.makedirs(self.dir, exist_ok=True)
        os.makedirs(self.state, exist_ok=True)
        self.ctrl_path = os.path.join(self.dir, "swtpm-ctrl.sock")
        self.log_path = os.path.join(self.dir, "swtpm.log")
        self.proc = None

    def start(self):
        self.proc = children.popen(
            ["swtpm", "socket", "--tpm2",
             "--tpmstate", f"dir={self.state}",
             "--ctrl", f"type=unixio,path={self.ctrl_path}",
             "--log", f"file={self.log_path},level=1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5.0
        while not os.path.exists(self.ctrl_path):
            if self.proc.poll() is not None:
                raise SwtpmError(f"swtpm exited with status {self.proc.returncode} at start "
                                 f"(log: {self.log_path})")
            if time.monotonic() > deadline:
                raise SwtpmError("swtpm did not create its control socket within 5 s")
            time.sleep(0.005)
        return self

    def stop(self):
        children.stop(self.proc)
        self.proc = None
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
