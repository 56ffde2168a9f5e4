#!/usr/bin/env bash
# VMM benchmark (docs/benchmarks.md, "VMM"): size of the VMM, and wall time from starting
# scripts/launch to the first guest output in QEMU, beside a baseline measured in the same run:
# the same harness booting the test launcher to its immediate exit (tbtest=exit). Runs alternate.
#   vmm/bench.sh [RUNS]        (default 10)
set -euo pipefail
runs="${1:-10}"
vmm="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$vmm/.." && pwd)"
make -s -C "$vmm" all >/dev/null
w="$(mktemp -d /tmp/tb-vmm-bench.XXXXXX)"
trap 'rm -rf "$w"' EXIT
sign="$root/tests/qemu/vmm/lib/sign.py"
python3 "$sign" key "$w/k"
python3 "$sign" manifest --key "$w/k" --security-version 1 "$vmm/build/guests/hello.bin" "$w/hello.mf"
python3 "$root/tests/qemu/lib/mkconfig.py" --signer "$(python3 "$sign" keyhex "$w/k.pub")" \
  --cmdline harness --out "$w/config.bin"

echo "VMM size: $(stat -c %s "$vmm/build/vmm.bin") bytes vmm.bin (image incl. Ed25519/SHA-512 and clib), \
$(( $(nm "$vmm/build/vmm.elf" | awk '$3 == "__mem_size" { print "0x" $1 }') )) bytes in memory incl. bss"
echo "VMM source: $(cat "$vmm"/src/*.c "$vmm"/src/*.h "$vmm"/src/*.S | wc -l) lines C/asm in vmm/src \
(crypto/ and clib/ excluded); guests $(cat "$vmm"/guests/*.c "$vmm"/guests/*.asm "$vmm"/guests/*.S | wc -l) lines"

python3 - "$root" "$w" "$runs" <<'PY'
import statistics, subprocess, sys, time
root, w, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
launch = [f"{root}/scripts/launch", "--config", f"{w}/config.bin", "--out", f"{w}/out"]

def first_output():
    """Seconds from start to 'hello: hello from guest' and to 'VMM: trustbit VMM starting'."""
    t0 = time.monotonic()
    p = subprocess.Popen(launch + ["--guest", f"hello={root}/vmm/build/guests/hello.bin:{w}/hello.mf"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    vmm_start = guest = None
    for line in p.stdout:
        now = time.monotonic() - t0
        if vmm_start is None and line.startswith("VMM: trustbit VMM starting"):
            vmm_start = now
        if guest is None and line.startswith("hello: hello from guest"):
            guest = now
    if p.wait() != 0 or guest is None or vmm_start is None:
        sys.exit("bench: the hello launch failed")
    return guest, guest - vmm_start

def baseline():
    t0 = time.monotonic()
    rc = subprocess.run(launch + ["--launcher", f"{root}/skinit-loader/build/launcher-test.elf",
                                  "--launcher-args", "tbtest=exit"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    if rc != 1:
        sys.exit("bench: the tbtest=exit baseline did not end as a launcher exit")
    return time.monotonic() - t0

first_output(); baseline()          # warm-up
g, v, b = [], [], []
for _ in range(runs):
    gg, vv = first_output(); g.append(gg); v.append(vv); b.append(baseline())
ms = lambda xs: f"{statistics.mean(xs) * 1000:.0f} ± {statistics.stdev(xs) * 1000:.0f} (min {min(xs) * 1000:.0f})"
print(f"runs: {runs}")
print(f"baseline, scripts/launch to the launcher's immediate exit (ms): {ms(b)}")
print(f"scripts/launch start to first guest output (ms):              {ms(g)}")
print(f"  of which VMM start to first guest output (ms):              {ms(v)}")
PY
