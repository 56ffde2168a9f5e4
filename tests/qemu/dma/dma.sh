#!/usr/bin/env bash
# QEMU integration tests of DMA protection (vmm/README.md "DMA protection"), through scripts/launch
# with swtpm, QEMU TCG and QEMU's `edu` PCI device (its DMA engine: QEMU docs/specs/edu.txt):
#   A  q35 + AMD IOMMU: the dma-attack guest drives edu to write into VMM memory, the event log and
#      the SLB (blocked: the bytes read back through QMP are unchanged, QEMU's trace shows the
#      IOMMU page faults) and into its own memory (written). PCR 18 records dma-protection=iommu.
#   B  control, the same machine and attack without the IOMMU: VMM memory, event log and SLB are
#      overwritten, which shows the test can fail. PCR 18 records dma-protection=none.
#      The same boot traces QEMU's IOMMU and TPM TIS events into one file: the SLB's deny-all set-up
#      (its command buffer run, INVALIDATE_IOMMU_ALL, COMPLETION_WAIT, IOMMU enabled) comes before the
#      TPM receives the extend of PCR 17 with the VMM, and the SLB's device table blocks every device id.
#   C  malformed IVRS tables (truncated, lying length, overlapping blocks), one published by firmware
#      without an IOMMU on PCI and a second IVRS beside QEMU's: the SLB stops with the VMM's reason
#      before it copies or measures the VMM; an assigned device that does not exist: the VMM stops
#      with the reason, before PCR 18 and before any guest runs.
# Every boot with a guest: PCRs 17-19 equal `trustbit measure` with the matching --dma-protection.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$root/tests/qemu/dma"
launch="$root/scripts/launch"
T="$root/trustbit"
export PYTHONDONTWRITEBYTECODE=1
work="$(mktemp -d /tmp/tb-dma-tests.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failures=0

check() {   # check NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then echo "PASS dma: $name"; else echo "FAIL dma: $name"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }          # anywhere in a line: harness.log, qemu-trace.log
# line FILE TEXT: a console line starts with TEXT (the VMM prefixes its lines "VMM: ", a guest's
# lines carry its name, so a guest cannot print one); hasnt matches forbidden text anywhere.
line() { awk -v s="$2" 'index($0, s) == 1 { f = 1 } END { exit !f }' "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }
same() { [[ -n "$1" && "$1" == "$2" ]] || { echo "    expected $2, got $1" >&2; return 1; }; }
hexat() { xxd -p -s "$2" -l "$3" "$1" | tr -d '\n'; }     # hexat FILE OFFSET LEN
pcr() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pcrs"][sys.argv[2]][sys.argv[3]].lower())' "$@" 2>/dev/null; }

{ make -s -C "$root/skinit-loader" >/dev/null && make -s -C "$root/vmm" all >/dev/null; } || { echo "FAIL dma: build"; exit 1; }
slb="$root/skinit-loader/build/slb.bin"; vmm="$root/vmm/build/vmm.bin"

# The attack guest, signed; the device assignment is on the measured VMM command line.
PATTERN_HEX="$(printf 'TB-DMA-ATTACK-1!' | xxd -p)"
img="$work/img"; mkdir -p "$img"
cp "$root/vmm/build/guests/dma-attack.bin" "$img/dma-attack.bin"
"$T" key new --out "$img/signer" >/dev/null || { echo "FAIL dma: trustbit key new"; exit 1; }
"$T" image sign --key "$img/signer.key" --kind guest --security-version 1 "$img/dma-attack.bin" >/dev/null
"$T" launch-config --signer "$img/signer.pub" --cmdline "harness device=dma-attack:00:04.0" --out "$img/config.bin" >/dev/null
guest=(--guest "dma-attack=$img/dma-attack.bin:$img/dma-attack.bin.manifest")
# Targets (vmm/guests/dma-attack.c): VMM header bytes 0x28-0x37, event log start, SLB + 0x10; the
# guest's own 0x300000 lies at host 0x04300000 (the first guest gets the pool's first 4 MiB).
dumps=(--dump 01100000:40 --dump 01010000:20 --dump 00400000:20 --dump 04300000:10)

attack_boot() {   # attack_boot OUT MACHINE-ARGS...: scripts/launch's exit code goes to OUT.rc
  local out="$1" rc=0; shift
  "$launch" --quiet --out "$out" "$@" --qemu-device edu,addr=04.0 --config "$img/config.bin" "${guest[@]}" \
    "${dumps[@]}" --timeout 120 >/dev/null 2>"$out.stderr" || rc=$?
  echo "$rc" >"$out.rc"
}

measure_matches() {   # measure_matches OUT DMA WHAT
  "$T" measure --slb "$slb" --vmm "$vmm" --launch-config "$img/config.bin" --launch-type emulated \
    --dma-protection "$2" "${guest[@]}" --json > "$1/measure.json" 2>"$1/measure.err" || { cat "$1/measure.err" >&2; return 1; }
  local bank i
  for bank in sha1 sha256; do
    for i in 17 18 19; do
      same "$(pcr "$1/pcrs.json" $bank $i)" "$(pcr "$1/measure.json" $bank $i)" || { echo "    $3: PCR $i ($bank)" >&2; return 1; }
    done
  done
}

replays() {   # the event log replays to the TPM's PCRs 17-19
  "$T" eventlog replay "$1/evlog.bin" --json > "$1/replay.json" 2>/dev/null || return 1
  local bank i
  for bank in sha1 sha256; do
    for i in 17 18 19; do same "$(pcr "$1/replay.json" $bank $i)" "$(pcr "$1/pcrs.json" $bank $i)" || return 1; done
  done
}

# The Spec ID event's first 16 bytes (TCG PFP §10.4.5.1): PCR 0, EV_NO_ACTION, SHA-1 digest zeros.
EVLOG_HEAD="00000000030000000000000000000000"

# ---- A: q35 + AMD IOMMU -----------------------------------------------------------------------------
a="$work/a"
attack_boot "$a" --machine q35 --iommu --qemu-trace 'amdvi_*' --qemu-trace 'tpm_tis_mmio_write*' \
  --dump 03e00000:100000 --dump 03f00000:100000
con="$a/console.log"
check "A: run ends with status 33" same "$(cat "$a/exit-status" 2>/dev/null)" 33
check "A: scripts/launch exits 0" same "$(cat "$a.rc")" 0
check "A: SLB at the first base candidate (the guest's SLB target)" has "$a/harness.log" "bytes at 0x00400000"
check "A: SLB blocked every device before loading the VMM" line "$con" "SLB: IOMMU: every device id blocked"
check "A: IOMMU deny-all before the SLB's extend of the VMM (trace), every device table entry blocks" \
  python3 "$here/trace-order.py" "$a/qemu-trace.log" "$a/mem-03e00000.bin" "$a/mem-03f00000.bin"
check "A: VMM found and programmed the IOMMU" line "$con" "VMM: IOMMU 00:01.0 at 0xfed80000: every device id blocked"
check "A: device assigned to the guest" line "$con" "VMM: device 00:04.0 assigned to guest dma-attack"
check "A: PCR 18 records dma-protection=iommu" line "$con" "VMM: recorded in PCR 18: dma-protection=iommu default=deny guests=own-memory"
check "A: every DMA completed" hasnt "$con" "did not complete"
check "A: the guest's own memory was written (seen by the guest)" line "$con" "dma-attack: own memory written: yes"
check "A: the guest's own memory was written (read from the host)" same "$(hexat "$a/mem-04300000.bin" 0 16)" "$PATTERN_HEX"
check "A: VMM memory unchanged (equal to vmm.bin)" same "$(hexat "$a/mem-01100000.bin" 0 64)" "$(hexat "$vmm" 0 64)"
check "A: SLB unchanged (equal to slb.bin)" same "$(hexat "$a/mem-00400000.bin" 0 32)" "$(hexat "$slb" 0 32)"
check "A: event log header unchanged" same "$(hexat "$a/mem-01010000.bin" 0 16)" "$EVLOG_HEAD"
check "A: the event log replays to PCRs 17-19" replays "$a"
check "A: PCRs 17-19 equal trustbit measure --dma-protection iommu" measure_matches "$a" iommu A
python3 "$root/tests/qemu/lib/expect.py" --slb "$slb" --vmm "$vmm" --config "$img/config.bin" --dma-protection iommu >"$a/expected.json"
for bank in sha1 sha256; do
  for i in 17 18; do
    check "A: PCR $i ($bank) equals the independent computation (tests/qemu/lib/expect.py)" \
      same "$(pcr "$a/pcrs.json" $bank $i)" "$(pcr "$a/expected.json" $bank $i)"
  done
done
check "A: the event log holds the DMA-protection event" grep -aqF "dma-protection=iommu default=deny guests=own-memory" "$a/evlog.bin"
for t in 0x1100028 0x1010000 0x400010; do
  check "A: QEMU traced the IOMMU page fault for the write to $t" has "$a/qemu-trace.log" "page fault accessing guest physical address $t"
done

# ---- B: control: the same attack without the IOMMU ------------------------------------------------------
b="$work/b"
attack_boot "$b" --machine q35
con="$b/console.log"
check "B: run ends with status 33" same "$(cat "$b/exit-status" 2>/dev/null)" 33
check "B: no IOMMU found (SLB)" line "$con" "SLB: no IOMMU found"
check "B: no IOMMU found (VMM)" line "$con" "VMM: no IOMMU found"
check "B: PCR 18 records dma-protection=none" line "$con" "VMM: recorded in PCR 18: dma-protection=none"
check "B: the guest's own memory was written" same "$(hexat "$b/mem-04300000.bin" 0 16)" "$PATTERN_HEX"
check "B: VMM memory overwritten" same "$(hexat "$b/mem-01100000.bin" 40 16)" "$PATTERN_HEX"
check "B: SLB overwritten" same "$(hexat "$b/mem-00400000.bin" 16 16)" "$PATTERN_HEX"
check "B: event log header overwritten" same "$(hexat "$b/mem-01010000.bin" 0 16)" "$PATTERN_HEX"

# ---- C: malformed or lying firmware tables stop the launch -----------------------------------------------
refused() {   # refused NAME REASON MACHINE-ARGS...: the SLB stops before it copies the VMM
  local name="$1" d="$work/c-$1" reason="$2"; shift 2
  "$launch" --quiet --out "$d" "$@" --config "$img/config.bin" "${guest[@]}" --timeout 60 >/dev/null 2>"$d.stderr"
  check "C: $name: SLB stops (status 37)" same "$(cat "$d/exit-status" 2>/dev/null)" 37
  check "C: $name: reason '$reason'" line "$d/console.log" "SLB: FATAL: $reason"
  check "C: $name: stopped before the VMM was copied and measured" hasnt "$d/console.log" "SLB: VMM loaded"
  check "C: $name: the VMM never ran" hasnt "$d/console.log" "VMM: "
}
for c in truncated lying-length overlapping good; do python3 "$here/mkivrs.py" "$c" "$work/ivrs-$c.bin"; done
refused truncated "IVRS: truncated: length 0x2c is below the 48-byte header" --acpitable "$work/ivrs-truncated.bin"
refused lying-length "IVRS: block at offset 0x30: length runs past the table end" --acpitable "$work/ivrs-lying-length.bin"
refused overlapping "IVRS: block at offset 0x30: length below its type's header (overlaps the next block)" \
  --acpitable "$work/ivrs-overlapping.bin"
refused no-iommu-on-pci "DMA protection: the IVRS lists an IOMMU that PCI does not show (class 0806h)" \
  --acpitable "$work/ivrs-good.bin"
refused second-ivrs "ACPI: more than one IVRS table" --machine q35 --iommu --acpitable "$work/ivrs-good.bin"
# The measured command line assigns 00:04.0, but this machine has no device there: the VMM's decision.
d="$work/c-absent-device"
"$launch" --quiet --out "$d" --machine q35 --iommu --config "$img/config.bin" "${guest[@]}" --timeout 60 >/dev/null 2>"$d.stderr"
check "C: absent-device: VMM stops (status 35)" same "$(cat "$d/exit-status" 2>/dev/null)" 35
check "C: absent-device: reason" line "$d/console.log" "VMM: die: DMA protection: an assigned device= PCI function does not exist"
check "C: absent-device: stopped before PCR 18 and before any guest" hasnt "$d/console.log" "recorded in PCR 18"
check "C: absent-device: no guest ran" hasnt "$d/console.log" "running"

if [[ $failures -gt 0 ]]; then echo "dma: $failures check(s) FAILED"; exit 1; fi
echo "dma: all checks passed"
