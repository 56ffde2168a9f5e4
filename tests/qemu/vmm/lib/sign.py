#!/usr/bin/env python3
"""Test signer for guest images, independent of `trustbit image sign` (docs/launch-protocol.md
"Image manifest"). Ed25519 through the openssl command line (pkeyutl -rawin).

    sign.py key PATH                       PATH.pem (private, PKCS#8) and PATH.pub (raw 32 bytes)
    sign.py manifest --key PATH --security-version N [--kind K] IMAGE OUT
    sign.py manifest --key PATH --security-version N --kind 3 --initrd INITRD --cmdline TEXT KERNEL OUT
                                           a Linux manifest (kind 3) binding kernel, initrd, command line
    sign.py keyhex PATH.pub                the raw public key as 64 hex digits
"""

import hashlib
import os
import struct
import subprocess
import sys
import tempfile


def raw_public_key(pem):
    der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return der[-32:]          # SubjectPublicKeyInfo for Ed25519 ends with the raw 32-byte key


def cmd_key(path):
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path + ".pem"],
                   check=True, capture_output=True)
    with open(path + ".pub", "wb") as f:
        f.write(raw_public_key(path + ".pem"))


def cmd_manifest(key, sv, kind, image, out, initrd=None, cmdline=None):
    data = open(image, "rb").read()
    pub = raw_public_key(key + ".pem")
    body = (b"TBMF" + struct.pack("<HHQ", 1, kind, len(data)) + hashlib.sha256(data).digest()
            + struct.pack("<IHH", sv, 1, 64) + hashlib.sha256(pub).digest())
    assert len(body) == 88
    if kind == 3:
        rd = open(initrd, "rb").read()
        line = cmdline.encode("ascii")
        body += struct.pack("<Q", len(rd)) + hashlib.sha256(rd).digest() + struct.pack("<H", len(line)) + line
    with tempfile.TemporaryDirectory() as d:
        msg = os.path.join(d, "msg")
        with open(msg, "wb") as f:
            f.write(body)
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key + ".pem", "-rawin",
                              "-in", msg], check=True, capture_output=True).stdout
    assert len(sig) == 64
    with open(out, "wb") as f:
        f.write(body + sig)


def main(argv):
    if len(argv) == 2 and argv[0] == "key":
        return cmd_key(argv[1])
    if len(argv) == 2 and argv[0] == "keyhex":
        return print(open(argv[1], "rb").read().hex())
    if argv and argv[0] == "manifest":
        args, pos = {"--kind": "2"}, []
        it = iter(argv[1:])
        for a in it:
            if a.startswith("--"):
                args[a] = next(it)
            else:
                pos.append(a)
        return cmd_manifest(args["--key"], int(args["--security-version"]), int(args["--kind"]),
                            pos[0], pos[1], args.get("--initrd"), args.get("--cmdline"))
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
