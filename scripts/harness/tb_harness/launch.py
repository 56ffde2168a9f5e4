"""scripts/launch: boot launcher -> SLB -> VMM in QEMU with swtpm, emulating SKINIT.

Start order (each step needs the previous one): swtpm, then the control
proxy connected to swtpm as its only control client, then QEMU, which
connects to the proxy, to the COM1/COM2 and QMP sockets of the harness.
See docs/harness.md and docs/launch-protocol.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from . import children, proxy, qmp, swtpm, tpm2

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

DEFAULTS = {
    "launcher": "skinit-loader/build/launcher.elf",
    "slb": "skinit-loader/build/slb.bin",
    "vmm": "vmm/build/vmm.bin",
    "config": "vmm/build/launch-config.bin",
}

# QEMU exit status = (byte << 1) | 1 for a byte written to isa-debug-exit.
STATUS_MEANING = {
    33: "VMM finished",
    35: "VMM die()",
    37: "SLB die()",
    39: "launcher error",
}

# docs/launch-protocol.md, "Physical memory layout".
SLB_BASE_MIN, SLB_BASE_MAX = 0x00400000, 0x00FF0000
SLB_MAX = 0x10000
EVLOG_START, EVLOG_END = 0x01010000, 0x01030000

GUEST_NAME = re.compile(r"[a-z0-9_-]{1,31}\Z")
SKINIT_LINE = re.compile(r"TB-SKINIT base=0x([0-9a-fA-F]{8}) len=0x([0-9a-fA-F]{4})\Z")
DONE_LINE = re.compile(r"TB-DONE evlog=0x([0-9a-fA-F]{8}) len=0x([0-9a-fA-F]{1,8})\Z")
MAX_LINE = 256
DUMP_SPEC = re.compile(r"(?:0x)?([0-9a-fA-F]{1,8}):(?:0x)?([0-9a-fA-F]{1,8})\Z")
DUMP_MAX = 0x100000

# --boot grub: grub-mkrescue builds a BIOS-bootable ISO; GRUB loads the launcher with multiboot2.
GRUB_PACKAGES = "apt-get install grub-pc-bin grub-common xorriso mtools"
GRUB_TOOLS = ("grub-mkrescue", "xorriso")
GRUB_PC_DIR = "/usr/lib/grub/i386-pc"
GRUB_ISO_DIR = "boot/trustbit"
# Enough for the menu entry, the serial console and the CD; grub-mkrescue adds dependencies.
GRUB_MODULES = "normal multiboot2 serial terminal iso9660 biosdisk"
CONSOLE_CAP = 64 << 20      # a guest printing without end must not fill the disk


def slb_base_error(base):
    """None if an announced SLB base is acceptable, else the reason."""
    if base % SLB_MAX or not SLB_BASE_MIN <= base <= SLB_BASE_MAX:
        return (f"base=0x{base:08x} not 64 KiB aligned in "
                f"0x{SLB_BASE_MIN:08x}-0x{SLB_BASE_MAX:08x}")
    return None


def evlog_range_error(addr, length):
    """None if [addr, addr+length) lies inside the event-log area, else the reason."""
    if not EVLOG_START <= addr < EVLOG_END or length > EVLOG_END - addr:
        return (f"evlog=0x{addr:08x} len=0x{length:x} outside "
                f"0x{EVLOG_START:08x}-0x{EVLOG_END:08x}")
    return None


class UsageError(Exception):
    pass


class Terminated(Exception):
    pass


class HarnessError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/launch",
        description="Boot launcher, SLB, VMM and guests in QEMU with swtpm; "
                    "stream the console; collect event log and PCRs.")
    p.add_argument("--no-inject", action="store_true",
                   help="answer the emulated-SKINIT request with 'FAIL no-inject' (launch type unmeasured)")
    p.add_argument("--launcher", help=f"launcher ELF (default {DEFAULTS['launcher']})")
    p.add_argument("--slb", help=f"SLB image (default {DEFAULTS['slb']})")
    p.add_argument("--vmm", help=f"VMM image (default {DEFAULTS['vmm']})")
    p.add_argument("--config", help=f"launch configuration blob (default {DEFAULTS['config']})")
    p.add_argument("--no-config", action="store_true",
                   help="pass no config module (tests the SLB's refusal)")
    p.add_argument("--guest", action="append", default=[], metavar="NAME=IMAGE[:MANIFEST]",
                   help="a guest image, optionally with its detached manifest; repeatable, in order")
    p.add_argument("--linux", action="append", default=[], metavar="NAME=KERNEL:INITRD:MANIFEST",
                   help="a Linux guest: bzImage, initramfs and the kind-linux manifest that binds them "
                        "and the command line; repeatable, in order after the --guest modules")
    p.add_argument("--memory", default="512M", metavar="SIZE",
                   help="QEMU -m (default 512M; a Linux guest needs more, e.g. 1536M)")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="one more QEMU argument (repeatable), e.g. a network or 9p device for a Linux guest")
    p.add_argument("--boot", choices=("multiboot", "grub"), default="multiboot",
                   help="multiboot: QEMU -kernel/-initrd (multiboot v1, default); grub: a GRUB ISO "
                        "(grub-mkrescue) on a CD-ROM loads the launcher with multiboot2")
    p.add_argument("--launcher-args", default="",
                   help="extra words for the launcher command line (after skinit=emulate)")
    p.add_argument("--timeout", type=float,
                   help="seconds before QEMU is stopped (default 60, or 600 with --proxy-socket; "
                        "0 for no limit)")
    p.add_argument("--out", help="directory for console.log, evlog.bin, pcrs.json, exit-status "
                                 "(default: a new directory under /tmp, printed at the end)")
    p.add_argument("--proxy-socket", metavar="PATH",
                   help="expose COM3 (tpm-proxy) as a unix socket server at PATH")
    p.add_argument("--tpm-state", metavar="DIR",
                   help="keep the TPM's state in DIR across runs (one machine rebooted); the run ends "
                        "with an orderly TPM2_Shutdown so the next boot reports a safe clock")
    p.add_argument("--quiet", action="store_true", help="do not stream the console to stdout")
    p.add_argument("--cpu", default="max", metavar="MODEL",
                   help="QEMU -cpu model and feature flags (default max; e.g. max,-xsave)")
    p.add_argument("--machine", choices=("pc", "q35"), default="pc",
                   help="QEMU machine: pc (i440FX, default) or q35 (ICH9; needed for --iommu)")
    p.add_argument("--iommu", action="store_true",
                   help="add QEMU's AMD IOMMU (-device amd-iommu, with its IVRS ACPI table); needs --machine q35")
    p.add_argument("--qemu-device", action="append", default=[], metavar="SPEC",
                   help="an extra QEMU -device SPEC (e.g. edu,addr=04.0); repeatable")
    p.add_argument("--acpitable", action="append", default=[], metavar="FILE",
                   help="an extra ACPI table for the firmware to publish (QEMU -acpitable file=FILE); repeatable")
    p.add_argument("--dump", action="append", default=[], metavar="ADDR:LEN",
                   help="at TB-DONE, save LEN bytes of guest-physical memory at ADDR (hex) to "
                        "mem-ADDR.bin in --out, before the VMM goes on; with --linux, when the guest "
                        "powers the machine off (QEMU then runs with -no-shutdown); repeatable")
    p.add_argument("--qemu-trace", action="append", default=[], metavar="PATTERN",
                   help="QEMU trace events to record in qemu-trace.log (e.g. 'amdvi_*'); repeatable, "
                        "all events go to the one file in the order they happen")
    args = p.parse_args(argv)
    if args.iommu and args.machine != "q35":
        p.error("--iommu needs --machine q35 (QEMU's pc machine refuses amd-iommu)")
    args.dump_ranges = []
    for spec in args.dump:
        m = DUMP_SPEC.match(spec)
        if not m or not 0 < int(m.group(2), 16) <= DUMP_MAX or int(m.group(1), 16) + int(m.group(2), 16) > 1 << 32:
            p.error(f"--dump {spec!r}: expected ADDR:LEN in hex, 0 < LEN <= 0x{DUMP_MAX:x}, below 4 GiB")
        args.dump_ranges.append((int(m.group(1), 16), int(m.group(2), 16)))
    for f in args.acpitable:
        if "," in f or not os.path.isfile(f):
            p.error(f"--acpitable {f!r}: not a file (or contains a comma)")
    if args.timeout is not None and not 0 <= args.timeout < 1e9:
        p.error(f"--timeout: {args.timeout:g} is not a number of seconds (0 for no limit)")
    return args


HINTS = {
    "launcher": " (build it: make -C skinit-loader)",
    "slb": " (build it: make -C skinit-loader)",
    "vmm": " (build it: make -C vmm)",
    "config": " (give --config; write one with: trustbit launch-config --signer KEY.pub --cmdline harness --out FILE)",
}


GRUB_PLAIN_WORD = re.compile(r"[A-Za-z0-9_.,:/=+-]+\Z")


def grub_quote(word):
    """One GRUB script word that GRUB reads back as exactly `word` (GRUB manual, "Quoting"):
    plain if it holds no character special to GRUB's shell syntax, else single-quoted."""
    if GRUB_PLAIN_WORD.match(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def grub_file_name(role):
    """Name of a module's file on the ISO: from its role, which GUEST_NAME keeps to [a-z0-9_=-]."""
    kind, _, name = role.partition("=")
    return {"slb": "slb.bin", "vmm": "vmm.bin", "config": "launch.cfg",
            "guest": f"guest-{name}.bin", "manifest": f"guest-{name}.manifest",
            "initrd": f"guest-{name}.initrd"}[kind]


def grub_cfg(launcher_args, roles):
    """grub.cfg: the README's menu entry, booted at once, GRUB's own output on COM1.

    roles: module roles in module order. Words of launcher_args are quoted one by one, so the
    launcher sees the same command line as with -append.
    """
    words = ["skinit=emulate", *launcher_args.split()]
    lines = ["serial --unit=0 --speed=115200",
             "terminal_input serial",
             "terminal_output serial",
             "set timeout=0",            # timeout_style=hidden would cost 3 s under TCG
             "set default=0",
             'menuentry "trustbit measured launch" {',
             f"    multiboot2 /{GRUB_ISO_DIR}/launcher.elf " + " ".join(grub_quote(w) for w in words)]
    for role in roles:
        lines.append(f"    module2    /{GRUB_ISO_DIR}/{grub_file_name(role)} {role}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def grub_tools_error():
    """None if grub-mkrescue can build a BIOS ISO here, else the reason with the install line."""
    missing = [t for t in GRUB_TOOLS if shutil.which(t) is None]
    if not os.path.isfile(os.path.join(GRUB_PC_DIR, "moddep.lst")):
        missing.append(f"{GRUB_PC_DIR} (GRUB for BIOS)")
    if not missing:
        return None
    return f"--boot grub needs {', '.join(missing)}; install with: {GRUB_PACKAGES}"


def resolve(path, role, default_key=None):
    hint = ""
    if path is None:
        path = os.path.join(REPO, DEFAULTS[default_key])
        hint = HINTS[default_key]
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise UsageError(f"{role} image {path} does not exist{hint}")
    return path


class Launch:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.launcher = resolve(args.launcher, "launcher", "launcher")
        self.modules = self._modules()
        if args.boot == "grub":
            err = grub_tools_error()
            if err:
                raise UsageError(err)
        self.work = tempfile.mkdtemp(prefix="tb-launch-")
        self.out = os.path.abspath(args.out) if args.out else tempfile.mkdtemp(prefix="tb-launch-out-")
        os.makedirs(self.out, exist_ok=True)
        for name in ("console.log", "evlog.bin", "pcrs.json", "exit-status", "harness.log", "grub.cfg"):
            try:
                os.unlink(os.path.join(self.out, name))
            except FileNotFoundError:
                pass
        self.harness_log = open(os.path.join(self.out, "harness.log"), "a")
        self.log_lock = threading.Lock()
        self.swtpm = None
        self.proxy = None
        self.qemu = None
        self.threads = []
        self.listeners = []
        self.skinit_answer = None         # "OK" / "FAIL reason" once COM2 asked
        self.monitor = None               # the QMP client, once QEMU connected (use under qmp_lock)
        self.qmp_lock = threading.Lock()
        self.powered_off = False          # the Linux guest shut the machine down (runs with --dump)
        self.done_seen = False

    # -- logging -----------------------------------------------------------
    def log(self, msg):
        line = f"harness: [{time.monotonic() - self.t0:6.3f}s] {msg}"
        with self.log_lock:
            print(line, file=sys.stderr, flush=True)
            self.harness_log.write(line + "\n")
            self.harness_log.flush()

    # -- modules -----------------------------------------------------------
    def _link(self, src, name):
        # QEMU's -initrd splits on ',' and on the first space: give every
        # image a safe name in the private work directory.
        dst = os.path.join(self.work, name)
        os.symlink(src, dst)
        return dst

    def _modules(self):
        a = self.args
        mods = [(resolve(a.slb, "SLB", "slb"), "slb"), (resolve(a.vmm, "VMM", "vmm"), "vmm")]
        if not a.no_config:
            mods.append((resolve(a.config, "launch configuration", "config"), "config"))
        seen = set()
        for spec in a.guest:
            name, sep, rest = spec.partition("=")
            if not sep or not GUEST_NAME.match(name):
                raise UsageError(f"--guest {spec!r}: expected NAME=IMAGE[:MANIFEST] with NAME [a-z0-9_-]{{1,31}}")
            if name in seen:
                raise UsageError(f"--guest {name}: given twice")
            seen.add(name)
            image, _, manifest = rest.partition(":")
            mods.append((resolve(image, f"guest {name}"), f"guest={name}"))
            if manifest:
                mods.append((resolve(manifest, f"manifest of guest {name}"), f"manifest={name}"))
        for spec in a.linux:
            name, sep, rest = spec.partition("=")
            parts = rest.split(":")
            if not sep or not GUEST_NAME.match(name) or len(parts) != 3 or not all(parts):
                raise UsageError(f"--linux {spec!r}: expected NAME=KERNEL:INITRD:MANIFEST with NAME [a-z0-9_-]{{1,31}}")
            if name in seen:
                raise UsageError(f"--linux {name}: name given twice")
            seen.add(name)
            kernel, initrd, manifest = parts
            mods.append((resolve(kernel, f"kernel of Linux guest {name}"), f"guest={name}"))
            mods.append((resolve(initrd, f"initrd of Linux guest {name}"), f"initrd={name}"))
            mods.append((resolve(manifest, f"manifest of Linux guest {name}"), f"manifest={name}"))
        return mods

    def _initrd(self):
        parts = []
        for i, (path, role) in enumerate(self.modules):
            link = self._link(path, f"m{i}.bin")
            parts.append(f"{link} {role}")
        return ",".join(parts)

    def _grub_iso(self):
        """Build the GRUB ISO in the private directory; its grub.cfg is also kept in DIR.

        Returns the ISO's path; raises HarnessError with grub-mkrescue's reason.
        """
        root = os.path.join(self.work, "iso")
        files = os.path.join(root, GRUB_ISO_DIR)
        os.makedirs(files)
        os.makedirs(os.path.join(root, "boot", "grub"))
        # Copies, not links: the ISO must hold the bytes, and they are small (SLB ≤ 64 KiB, VMM,
        # guests); copying also fixes the images the run boots, as -initrd does.
        shutil.copyfile(self.launcher, os.path.join(files, "launcher.elf"))
        for path, role in self.modules:
            shutil.copyfile(path, os.path.join(files, grub_file_name(role)))
        cfg = grub_cfg(self.args.launcher_args, [role for _, role in self.modules])
        for where in (os.path.join(root, "boot", "grub", "grub.cfg"), os.path.join(self.out, "grub.cfg")):
            with open(where, "w") as f:
                f.write(cfg)
        iso = os.path.join(self.work, "boot.iso")
        argv = ["grub-mkrescue", "-d", GRUB_PC_DIR, "-o", iso,
                f"--install-modules={GRUB_MODULES}", "--fonts=", "--locales=", "--themes=",
                "--compress=no", root]
        with open(os.path.join(self.work, "grub-mkrescue.log"), "w+b") as log:
            proc = children.popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            try:
                rc = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                children.stop(proc)
                raise HarnessError("grub-mkrescue still running after 60 s (stopped)")
            except Terminated:
                children.stop(proc)
                raise
            log.seek(0)
            text = log.read().decode("utf-8", "replace").strip().splitlines()
        if rc != 0 or not os.path.isfile(iso):
            last = text[-1] if text else "no output"
            raise HarnessError(f"grub-mkrescue exited {rc}: {last}")
        self.log(f"GRUB ISO built ({os.path.getsize(iso)} bytes, {len(self.modules)} modules)")
        return iso

    # -- sockets -----------------------------------------------------------
    def _listen(self, name):
        path = os.path.join(self.work, name)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(1)
        s.settimeout(30)
        self.listeners.append(s)
        return s, path

    def _thread(self, target, name, *args):
        t = threading.Thread(target=target, name=name, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def _console(self, listener):
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        stream = not self.args.quiet
        written = 0
        with conn, open(os.path.join(self.out, "console.log"), "wb") as log:
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                data = data.replace(b"\r", b"")
                if written < CONSOLE_CAP:
                    data = data[:CONSOLE_CAP - written]
                    written += len(data)
                    log.write(data)
                    log.flush()
                    if written == CONSOLE_CAP:
                        self.log(f"console.log truncated at {CONSOLE_CAP} bytes")
                if stream:
                    try:
                        sys.stdout.buffer.write(data)
                        sys.stdout.flush()
                    except OSError:
                        stream = False      # reader went away; keep draining COM1

    def _control(self, com2_listener, qmp_listener):
        try:
            qconn, _ = qmp_listener.accept()
            qconn.settimeout(10)
            monitor = qmp.Qmp(qconn)
            self.monitor = monitor
            conn, _ = com2_listener.accept()
        except (OSError, qmp.QmpError) as e:
            self.log(f"QEMU did not connect COM2/QMP: {e}")
            return
        buf = b""
        with conn:
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    with self.qmp_lock:
                        reply = self._request(line.decode("ascii", "replace").strip(), monitor)
                    if reply is not None:
                        conn.sendall(reply.encode() + b"\n")
                if len(buf) > MAX_LINE:
                    self.log(f"COM2: line longer than {MAX_LINE} bytes discarded")
                    buf = b""
        with self.qmp_lock:
            self.monitor = None
            monitor.close()

    def _wait_power_off(self, timeout):
        """--linux with --dump: wait until QEMU (-no-shutdown) reports the guest's power-off, save the
        ranges through QMP, quit QEMU. Returns QEMU's exit status; raises TimeoutExpired like Popen.wait."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return self.qemu.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                if deadline is not None and time.monotonic() > deadline:
                    raise
            with self.qmp_lock:
                if self.monitor is None:
                    continue
                try:
                    if self.monitor.execute("query-status").get("status") != "shutdown":
                        continue
                    self._dump(self.monitor, "guest powered off")
                    self.powered_off = True
                    self.monitor.execute("quit")
                except (OSError, qmp.QmpError) as e:
                    self.log(f"QMP at power-off: {e}")
                    self.monitor = None

    def _request(self, line, monitor):
        """Handle one COM2 line; return the answer line or None."""
        if not line:
            return None
        m = SKINIT_LINE.match(line)
        if m:
            answer = self._skinit(int(m.group(1), 16), int(m.group(2), 16), monitor)
            if self.skinit_answer is None:
                self.skinit_answer = answer
            return answer
        m = DONE_LINE.match(line)
        if m:
            return self._done(int(m.group(1), 16), int(m.group(2), 16), monitor)
        self.log(f"COM2: ignored line {line[:80]!r}")
        return None

    def _skinit(self, base, length, monitor):
        if self.skinit_answer is not None:
            self.log("COM2: second TB-SKINIT refused")
            return "FAIL repeated"
        if self.args.no_inject:
            self.log("COM2: TB-SKINIT answered FAIL no-inject (--no-inject)")
            return "FAIL no-inject"
        err = slb_base_error(base)
        if err:
            self.log(f"COM2: TB-SKINIT {err}")
            return "FAIL bad-base"
        try:
            slb = monitor.read_memory(base, SLB_MAX, os.path.join(self.work, "slb-mem.bin"))
        except (OSError, qmp.QmpError) as e:
            self.log(f"COM2: reading the SLB from guest memory failed: {e}")
            return "FAIL read"
        # Like the CPU, hash SLB[0 : header length]; the launcher's own
        # announcement is untrusted and only compared.
        (measured,) = struct.unpack_from("<H", slb, 2)
        if measured != length:
            self.log(f"COM2: TB-SKINIT len=0x{length:04x} but the SLB header says 0x{measured:04x}")
            return "FAIL len-mismatch"
        if measured < 4:
            self.log(f"COM2: SLB header length 0x{measured:04x} does not cover the header")
            return "FAIL bad-len"
        try:
            self.proxy.inject_skinit(slb[:measured])
        except (OSError, swtpm.SwtpmError) as e:
            self.log(f"COM2: locality-4 hash sequence failed: {e}")
            return "FAIL inject"
        self.log(f"SKINIT emulated: locality-4 hash of 0x{measured:x} bytes at 0x{base:08x}")
        return "OK"

    def _done(self, addr, length, monitor):
        err = evlog_range_error(addr, length)
        if err:
            self.log(f"COM2: TB-DONE {err}")
            return "FAIL bad-range"
        try:
            data = monitor.read_memory(addr, length, os.path.join(self.work, "evlog-mem.bin"))
        except (OSError, qmp.QmpError) as e:
            self.log(f"COM2: reading the event log failed: {e}")
            return "FAIL read"
        with open(os.path.join(self.out, "evlog.bin"), "wb") as f:
            f.write(data)
        try:
            self._dump(monitor, "TB-DONE")
        except (OSError, qmp.QmpError) as e:
            self.log(f"COM2: reading memory for --dump failed: {e}")
            return "FAIL read"
        self.done_seen = True
        self.log(f"TB-DONE: event log of {length} bytes saved")
        return "OK"

    def _dump(self, monitor, when):
        """Save every --dump range to DIR/mem-ADDR.bin through QMP."""
        for base, size in self.args.dump_ranges:
            mem = monitor.read_memory(base, size, os.path.join(self.work, "dump-mem.bin"))
            with open(os.path.join(self.out, f"mem-{base:08x}.bin"), "wb") as f:
                f.write(mem)
            self.log(f"{when}: saved 0x{size:x} bytes at 0x{base:08x}")

    # -- the run -----------------------------------------------------------
    def qemu_argv(self, paths):
        a = self.args
        com3 = (["-chardev", f"socket,id=com3,path={a.proxy_socket},server=on,wait=off",
                 "-serial", "chardev:com3"] if a.proxy_socket else ["-serial", "null"])
        if a.boot == "grub":
            boot = ["-drive", f"file={paths['iso']},if=ide,media=cdrom,readonly=on", "-boot", "order=d"]
        else:
            append = "skinit=emulate" + (" " + a.launcher_args if a.launcher_args else "")
            boot = ["-kernel", self.launcher, "-append", append, "-initrd", self._initrd()]
        # The IOMMU comes first: QEMU gives it the DMA address space of devices created after it.
        devices = ["-device", "amd-iommu"] if a.iommu else []
        for spec in a.qemu_device:
            devices += ["-device", spec]
        for f in a.acpitable:
            devices += ["-acpitable", f"file={os.path.abspath(f)}"]
        for pattern in a.qemu_trace:      # one file: each -trace option names it
            devices += ["-trace", f"enable={pattern},file={os.path.join(self.out, 'qemu-trace.log')}"]
        devices += list(a.qemu_arg) + (["-no-shutdown"] if a.linux and a.dump_ranges else [])
        return ["qemu-system-x86_64",
                "-M", a.machine, "-accel", "tcg", "-cpu", a.cpu, "-smp", "1", "-m", a.memory,
                "-nodefaults", "-display", "none", "-no-reboot", *devices,
                "-chardev", f"socket,id=com1,path={paths['com1']}", "-serial", "chardev:com1",
                "-chardev", f"socket,id=com2,path={paths['com2']}", "-serial", "chardev:com2",
                *com3,
                "-chardev", f"socket,id=chrtpm,path={paths['tpm']}",
                "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                "-device", "tpm-tis,tpmdev=tpm0",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-chardev", f"socket,id=qmp,path={paths['qmp']}", "-mon", "chardev=qmp,mode=control",
                *boot]

    def run(self):
        """Return (exit code of scripts/launch, one-line reason)."""
        a = self.args
        timeout = a.timeout if a.timeout is not None else (600.0 if a.proxy_socket else 60.0)
        timeout = timeout or None
        iso = self._grub_iso() if a.boot == "grub" else None
        state = None
        if a.tpm_state:
            state = os.path.abspath(a.tpm_state)
            os.makedirs(state, exist_ok=True)
        self.swtpm = swtpm.Swtpm(os.path.join(self.work, "swtpm"), state).start()
        upstream = swtpm.ControlChannel.connect(self.swtpm.ctrl_path)
        tpm_path = os.path.join(self.work, "tpm-proxy.sock")
        self.proxy = proxy.ControlProxy(tpm_path, upstream, self.log).start()
        com1, com1_path = self._listen("com1.sock")
        com2, com2_path = self._listen("com2.sock")
        qmpl, qmp_path = self._listen("qmp.sock")
        self._thread(self._console, "com1", com1)
        self._thread(self._control, "com2", com2, qmpl)
        argv = self.qemu_argv({"com1": com1_path, "com2": com2_path, "tpm": tpm_path, "qmp": qmp_path,
                               "iso": iso})
        with open(os.path.join(self.work, "qemu.cmd"), "w") as f:
            f.write(" ".join(argv) + "\n")
        qemu_err = open(os.path.join(self.out, "qemu.stderr"), "wb")
        self.qemu = children.popen(argv, stdin=subprocess.DEVNULL, stdout=qemu_err, stderr=qemu_err)
        qemu_err.close()
        self.log(f"QEMU started (pid {self.qemu.pid}; swtpm pid {self.swtpm.proc.pid})")
        try:
            linux_dump = a.linux and a.dump_ranges
            status = self._wait_power_off(timeout) if linux_dump else self.qemu.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            children.stop(self.qemu)
            self._finish(None)
            return 1, f"timeout: QEMU still running after {timeout:g} s (stopped)"
        except Terminated as e:
            children.stop(self.qemu)
            self._finish(None)
            return 1, f"stopped by {e} before the VMM finished"
        return self._result(status)

    def _close_listeners(self):
        # shutdown() wakes a thread blocked in accept() (QEMU never connected).
        for s in self.listeners:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.listeners = []

    def _finish(self, status):
        """Drain the console, record the status, read the PCRs.

        Returns None, or a one-line reason why pcrs.json could not be written.
        """
        self._close_listeners()
        for t in self.threads:
            t.join(timeout=2)
        with open(os.path.join(self.out, "exit-status"), "w") as f:
            f.write(f"{status if status is not None else 'none'}\n")
        if self.proxy.error:
            return self.proxy.error
        try:
            data = self.proxy.fresh_data_channel()
            try:
                pcrs = tpm2.read_pcrs(data)
                if self.args.tpm_state:
                    tpm2.shutdown_clear(data)
            finally:
                data.close()
        except (OSError, swtpm.SwtpmError, tpm2.TpmError) as e:
            self.log(f"PCRs not read: {e}")
            return f"PCRs not read: {e}"
        with open(os.path.join(self.out, "pcrs.json"), "w") as f:
            json.dump(pcrs, f, indent=2, sort_keys=True)
            f.write("\n")
        return None

    def _result(self, status):
        self.log(f"QEMU exited with status {status}")
        pcr_error = self._finish(status)
        if status == 33:
            if pcr_error:
                return 3, f"harness error after the VMM finished: {pcr_error}"
            return 0, "VMM finished (status 33)"
        if status == 0 and self.args.linux and (self.powered_off or not self.args.dump_ranges):
            # A Linux guest ends the run by powering the machine off (ACPI), not through the VMM.
            if pcr_error:
                return 3, f"harness error after the Linux guest powered off: {pcr_error}"
            return 0, "the Linux guest powered the machine off (status 0)"
        # A broken control channel explains a failed run better than its symptom.
        extra = f"; {self.proxy.error}" if self.proxy.error else ""
        if status in STATUS_MEANING:
            return 1, f"QEMU exited with status {status} ({STATUS_MEANING[status]}){extra}"
        detail = ""
        try:
            with open(os.path.join(self.out, "qemu.stderr"), errors="replace") as f:
                first = f.readline().strip()
            if first:
                detail = f": {first}"
        except OSError:
            pass
        return 1, f"QEMU exited with status {status}{detail}{extra}"

    def cleanup(self):
        children.stop(self.qemu)
        self._close_listeners()
        if self.proxy:
            self.proxy.close()
        if self.swtpm:
            self.swtpm.stop()
        shutil.rmtree(self.work, ignore_errors=True)
        self.harness_log.close()


def _raise_terminated(signum, _frame):
    raise Terminated(signal.Signals(signum).name)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _raise_terminated)
    run = None
    started = time.monotonic()
    try:
        run = Launch(args)
        code, reason = run.run()
    except UsageError as e:
        code, reason = 2, str(e)
    except Terminated as e:
        code, reason = 1, f"stopped by {e}"
    except (OSError, HarnessError, swtpm.SwtpmError, tpm2.TpmError) as e:
        code, reason = 3, f"harness error: {e}"
    finally:
        if run is not None:
            # Signals during cleanup must not interrupt it.
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            run.cleanup()
    elapsed = time.monotonic() - started
    where = f" [{run.out}, {elapsed:.2f} s]" if run is not None else ""
    print(f"launch: {'ok' if code == 0 else 'FAILED'}: {reason}{where}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
