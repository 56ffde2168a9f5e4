"""A minimal QMP client (QEMU Machine Protocol: one JSON object per line)."""

import json


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"unexpected QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QmpError("QEMU closed the QMP connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError as e:
            raise QmpError(f"malformed QMP message: {e}") from e

    def execute(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")
            if "return" in reply:
                return reply["return"]
            raise QmpError(f"{command}: unexpected reply {reply}")

    def read_memory(self, addr, size, scratch_path):
        """Guest-physical bytes [addr, addr+size) via `pmemsave` into scratch_path."""
        self.execute("pmemsave", val=addr, size=size, filename=scratch_path)
        with open(scratch_path, "rb") as f:
            data = f.read()
        if len(data) != size:
            raise QmpError(f"pmemsave 0x{addr:x}+0x{size:x}: got {len(data)} bytes")
        return data

    def close(self):
        self.sock.close()
