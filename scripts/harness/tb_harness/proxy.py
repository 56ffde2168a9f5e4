"""The control-channel proxy between QEMU's tpm-emulator backend and swtpm.

swtpm serves one control client at a time, and QEMU must be that client, so
the harness connects to swtpm first and lets QEMU connect to this proxy
instead. The proxy forwards one request at a time (read one whole QEMU
request, forward it, read the whole reply, return it) and performs its own
commands -- the locality-4 hash sequence, the final PCR read -- only between
such pairs, under one lock.
"""

import os
import socket
import struct
import threading

from . import swtpm


class ControlProxy:
    def __init__(self, listen_path, upstream, log):
        self.upstream = upstream          # swtpm.ControlChannel, connected to swtpm
        self.log = log
        self.lock = threading.Lock()
        self.error = None                 # first fatal error, as one line
        self.requests = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(listen_path)
        self.listener.listen(1)
        self.thread = threading.Thread(target=self._run, name="ctrl-proxy", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return                        # listener closed before QEMU connected
        with conn:
            try:
                while self._serve_one(conn):
                    pass
            except (OSError, swtpm.SwtpmError) as e:
                self.error = f"control proxy: {e}"
                self.log(self.error)

    def _serve_one(self, conn):
        msg, fds, _, _ = socket.recv_fds(conn, 4096, 1)
        try:
            if not msg:
                return False              # QEMU went away
            while len(msg) < 4:
                more = conn.recv(4 - len(msg))
                if not more:
                    raise swtpm.SwtpmError("QEMU closed the control channel inside a command code")
                msg += more
            (cmd,) = struct.unpack_from(">I", msg)
            if cmd not in swtpm.REQUEST_SIZE:
                raise swtpm.SwtpmError(f"QEMU sent control command 0x{cmd:x}, which the proxy "
                                       "does not forward (migration and snapshots are unsupported)")
            need = swtpm.REQUEST_SIZE[cmd]
            if len(msg) > need:
                raise swtpm.SwtpmError(f"control command 0x{cmd:02x}: {len(msg)} bytes, expected {need}")
            if len(msg) < need:
                msg += swtpm.recv_exact(conn, need - len(msg), f"control command 0x{cmd:02x}")
            if (cmd == swtpm.CMD_SET_DATAFD) != (len(fds) == 1):
                raise swtpm.SwtpmError(f"control command 0x{cmd:02x} arrived with {len(fds)} descriptors")
            self.requests += 1
            if cmd == swtpm.CMD_SHUTDOWN:
                # CMD_SHUTDOWN would end swtpm before the harness reads the
                # PCRs; the harness owns swtpm's lifetime and stops it by PID.
                conn.sendall(struct.pack(">I", 0))
                return True
            with self.lock:
                reply = self.upstream.transact(cmd, msg[4:], fds or None)
            conn.sendall(reply)
            return True
        finally:
            for fd in fds:
                os.close(fd)

    def inject_skinit(self, slb_bytes):
        with self.lock:
            self.upstream.hash_sequence(slb_bytes)

    def fresh_data_channel(self):
        """A new data channel for the harness; call after QEMU has exited."""
        with self.lock:
            return swtpm.DataChannel(self.upstream)

    def close(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
