#!/usr/bin/env bash
# QEMU integration tests of the VMM (vmm/README.md), through scripts/launch with swtpm:
#   boot A: a signed guest runs; badly signed guests are refused and never execute.
#   boot B: every escape attempt is stopped and PCRs 17-19 stay as `trustbit measure` predicts.
#   boot C: the probe guest checks CPUID/EFER hiding, the hypercall ABI and that the TPM refuses
#           locality-0 extends of PCRs 17-19; the tpm-proxy guest relays TPM commands and serves
#           the event log over COM3; PCRs 17-19 equal `trustbit measure`.
#   boot D: no register state crosses from one guest to the next (debug, x87/SSE/AVX, MXCSR, PKRU,
#           XCR0); hypercalls from ring 3 are refused; EFER.LME set under paging stops the guest;
#           a guest state VMRUN refuses is reported as VMEXIT_INVALID.
#   boot E: a guest printing the VMM's final line is not taken for the VMM (console checks anchored).
#   boot F: as D's state-set + state-check on a CPU without XSAVE (QEMU -cpu max,-xsave,-avx,-pku):
#           the VMM's FXRSTOR path resets x87, SSE and MXCSR.
#   boot G: (with the CLI) a guest signed by an HSS/LMS key boots beside an Ed25519-signed one under a
#           version-2 launch configuration; a damaged LMS signature is refused; a guest signed through a
#           PKCS#11 token (SoftHSM2, key generated inside) boots too.
# Boots A-D, F and G: PCR 19 equals an independent prediction and the event log replays to the TPM's PCRs.
# Uses the real launcher + SLB when skinit-loader is built; otherwise the VMM's test boot shim
# (vmm/test/shim), which measures nothing, so PCRs 17/18 are then only checked for being untouched.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
lib="$root/tests/qemu/vmm/lib"
launch="$root/scripts/launch"
guests="$root/vmm/build/guests"
export PYTHONDONTWRITEBYTECODE=1
work="$(mktemp -d /tmp/tb-vmm-tests.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failures=0

check() {   # check NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then echo "PASS vmm: $name"; else echo "FAIL vmm: $name"; failures=$((failures + 1)); fi
}
# line FILE TEXT: a console line starts with TEXT. Every console writer prefixes its lines (the VMM
# "VMM: ", each guest its name), so a check anchored at the line start cannot be met by a guest
# printing the text; hasnt matches anywhere, so forbidden text counts wherever it appears.
line() { awk -v s="$2" 'index($0, s) == 1 { f = 1 } END { exit !f }' "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }
same() { [[ -n "$1" && "$1" == "$2" ]] || { echo "    expected $2, got $1" >&2; return 1; }; }

make -s -C "$root/vmm" all shim >/dev/null || { echo "FAIL vmm: build"; exit 1; }

if [[ -s "$root/skinit-loader/build/slb.bin" && -s "$root/skinit-loader/build/launcher.elf" ]]; then
  chain=(); initial=zero
else
  echo "note: skinit-loader not built: booting the VMM through vmm/test/shim (nothing measured before PCR 19)"
  chain=(--launcher "$root/vmm/build/test/shim.elf" --slb "$root/vmm/build/test/shim.elf"); initial=ones
fi

# ---- keys, images, manifests ---------------------------------------------------------------------
trustbit_signs=0
# The CLI is used once it has the subcommand (it is written in parallel); until then sign.py.
cli_has() { local want="$1"; shift; "$root/trustbit" "$@" --help 2>&1 | grep -qF -- "$want"; }
cli_has --security-version image sign && cli_has --out key new && trustbit_signs=1
sign() {   # sign KEY SV IMAGE OUT
  if [[ $trustbit_signs == 1 ]]; then
    "$root/trustbit" image sign --key "$1.key" --kind guest --security-version "$2" "$3" >/dev/null &&
      mv "$3.manifest" "$4"
  else
    python3 "$lib/sign.py" manifest --key "$1" --security-version "$2" "$3" "$4"
  fi
}
newkey() {
  if [[ $trustbit_signs == 1 ]]; then "$root/trustbit" key new --out "$1" >/dev/null
  else python3 "$lib/sign.py" key "$1"; fi
}
newkey "$work/trusted"; newkey "$work/other"
d="$work/img"; mkdir -p "$d"
cp "$guests/hello.bin" "$d/hello.bin"; sign "$work/trusted" 3 "$d/hello.bin" "$d/hello.mf"
for c in unsigned tampered wrongkey truncated rollback badsig; do cp "$guests/canary.bin" "$d/$c.bin"; done
sign "$work/trusted" 3 "$d/tampered.bin" "$d/tampered.mf"
printf 'X' | dd of="$d/tampered.bin" bs=1 seek=$(( $(stat -c %s "$d/tampered.bin") - 1 )) conv=notrunc 2>/dev/null
sign "$work/other" 3 "$d/wrongkey.bin" "$d/wrongkey.mf"
sign "$work/trusted" 3 "$d/truncated.bin" "$d/truncated.full"
head -c $(( $(stat -c %s "$d/truncated.full") - 1 )) "$d/truncated.full" > "$d/truncated.mf"
sign "$work/trusted" 1 "$d/rollback.bin" "$d/rollback.mf"
sign "$work/trusted" 3 "$d/badsig.bin" "$d/badsig.mf"
printf '\x01' | dd of="$d/badsig.mf" bs=1 seek=100 conv=notrunc 2>/dev/null    # inside R
escapes=(vmm-write slb-read tpm-loc2 vmrun efer beyond wild-ptr skinit)
for e in "${escapes[@]}"; do cp "$guests/esc-$e.bin" "$d/esc-$e.bin"; sign "$work/trusted" 3 "$d/esc-$e.bin" "$d/esc-$e.mf"; done
keyhex() { if [[ -f "$1.pub" && $(stat -c %s "$1.pub") == 32 ]]; then xxd -p -c 64 "$1.pub"; else python3 "$lib/sign.py" keyhex "$1.pub"; fi; }
if cli_has --signer launch-config; then
  "$root/trustbit" launch-config --signer "$work/trusted.pub:2" --cmdline harness --out "$work/config.bin" >/dev/null
else
  python3 "$root/tests/qemu/lib/mkconfig.py" --signer "$(keyhex "$work/trusted"):2" --cmdline harness --out "$work/config.bin"
fi

config="$work/config.bin"
pcr() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pcrs"][sys.argv[2]][sys.argv[3]])' "$@" 2>/dev/null; }

# boot OUT NAME:REASON... : one QEMU run with these guests (module order); fills $con, $rc and the
# guest specs for vmmcheck.py / trustbit measure. At most 16 guest + manifest modules per boot.
boot() {
  local out="$1" p n r; shift
  args=(); specs=(); margs=(); plan=("$@")
  for p in "$@"; do
    n="${p%%:*}"; r="${p#*:}"
    if [[ -f "$d/$n.mf" ]]; then
      args+=(--guest "$n=$d/$n.bin:$d/$n.mf"); specs+=("$n:$r:$d/$n.bin:$d/$n.mf")
      margs+=(--guest "$n=$d/$n.bin:$d/$n.mf")
    else
      args+=(--guest "$n=$d/$n.bin"); specs+=("$n:$r:$d/$n.bin")
    fi
  done
  "$launch" "${chain[@]}" --config "$config" "${args[@]}" "${cpu[@]}" --out "$out" --timeout 60 \
    --quiet 2>"$out.stderr"
  rc=$?
  con="$out/console.log"
}

# check_pcrs OUT: PCR 19 equals the independent prediction; the event log replays to PCRs 17-19;
# one guest record per guest in module order; tpm2_eventlog parses the log.
check_pcrs() {
  local out="$1" expected bank i want got
  expected="$(python3 "$lib/vmmcheck.py" pcr19 --initial "$initial" "${specs[@]}")"
  for bank in sha1 sha256; do
    check "$2: PCR 19 ($bank) equals the independent prediction" same "$(pcr "$out/pcrs.json" $bank 19)" \
      "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$expected" $bank)"
  done
  python3 "$lib/vmmcheck.py" replay --initial "$initial" "$out/evlog.bin" > "$out/replay.json"
  for bank in sha1 sha256; do
    for i in 17 18 19; do
      want="$(pcr "$out/pcrs.json" $bank $i)"
      got="$(pcr "$out/replay.json" $bank $i)"
      [[ $initial == ones && $i != 19 ]] && got="$want"   # shim: nothing is logged for 17/18
      check "$2: event log replays to PCR $i ($bank)" same "$got" "$want"
    done
  done
  check "$2: one guest record per guest, in module order" same \
    "$(python3 -c 'import json,sys; print(" ".join("%s:%d" % (r["name"], r["reason"]) for r in json.load(open(sys.argv[1]))["guest_records"]))' "$out/replay.json" 2>/dev/null)" \
    "${plan[*]}"
  check "$2: tpm2_eventlog parses the log" tpm2_eventlog "$out/evlog.bin" >/dev/null 2>&1
  if cli_has --json eventlog replay && [[ $initial == zero ]]; then
    "$root/trustbit" eventlog replay "$out/evlog.bin" --json > "$out/tb-replay.json" 2>"$out/tb-replay.err" ||
      sed "s/^/    trustbit eventlog replay: /" "$out/tb-replay.err" >&2
    for bank in sha1 sha256; do
      for i in 17 18 19; do
        check "$2: trustbit eventlog replay gives PCR $i ($bank)" same "$(pcr "$out/tb-replay.json" $bank $i)" \
          "$(pcr "$out/pcrs.json" $bank $i)"
      done
    done
  fi
}

# check_measure OUT WHAT: PCRs 17-19 equal `trustbit measure` (only launched guests: a correct launch).
check_measure() {
  [[ $initial == zero ]] || return 0
  "$root/trustbit" measure --slb "$root/skinit-loader/build/slb.bin" --vmm "$root/vmm/build/vmm.bin" \
    --launch-config "$config" --launch-type emulated --dma-protection none "${margs[@]}" --json > "$1/measure.json" 2>"$1/measure.err" ||
    sed 's/^/    trustbit measure: /' "$1/measure.err" >&2
  local bank i
  for bank in sha1 sha256; do
    for i in 17 18 19; do
      check "$2: PCR $i ($bank) equals trustbit measure" same "$(pcr "$1/pcrs.json" $bank $i)" "$(pcr "$1/measure.json" $bank $i)"
    done
  done
}

# ---- boot A: a signed guest runs; badly signed guests are refused and never execute -----------------
t0=$SECONDS
cpu=()                              # QEMU -cpu for boot(): the harness's default (max) unless set
boot "$work/a" hello:0 unsigned:1 tampered:5 wrongkey:6 truncated:2 rollback:8 badsig:7
check "A: ends with status 33" same "$rc" 0
check "A: signed guest runs and prints" line "$con" "hello: hello from guest"
check "A: no refused image ever executes" hasnt "$con" "CANARY RAN"
check "A: unsigned guest refused" line "$con" "VMM: guest unsigned refused: no-manifest"
check "A: tampered guest refused" line "$con" "VMM: guest tampered refused: digest-mismatch"
check "A: wrong-key guest refused" line "$con" "VMM: guest wrongkey refused: unknown-signer"
check "A: truncated manifest refused" line "$con" "VMM: guest truncated refused: manifest-malformed: manifest: signature truncated"
check "A: rolled-back guest refused" line "$con" "VMM: guest rollback refused: rollback"
check "A: bad signature refused" line "$con" "VMM: guest badsig refused: bad-signature"
check "A: refused guests are never started" same "$(grep -c '^VMM: guest [a-z0-9_-]* running$' "$con")" 1
check_pcrs "$work/a" A

# ---- boot B: every escape attempt is stopped, the VMM goes on, PCRs stay as predicted -------------
eplan=(); for e in "${escapes[@]}"; do eplan+=("esc-$e:0"); done
boot "$work/b" "${eplan[@]}"
check "B: ends with status 33" same "$rc" 0
stopped=(
  "esc-vmm-write stopped: nested page fault at guest-physical 0x1100000"
  "esc-slb-read stopped: nested page fault at guest-physical 0xff0000"
  "esc-tpm-loc2 stopped: nested page fault at guest-physical 0xfed42000"
  "esc-vmrun stopped: VMRUN executed"
  "esc-efer stopped: attempt to set EFER.SVME"
  "esc-beyond stopped: nested page fault at guest-physical 0x400000"
  "esc-wild-ptr stopped: hypercall console-write: buffer outside guest memory at 0xfffff000"
  "esc-skinit stopped: SKINIT executed"
)
for i in "${!escapes[@]}"; do
  check "B: escape ${escapes[$i]} attempted" line "$con" "esc-${escapes[$i]}: escape attempt $((i + 1))"
  check "B: escape ${escapes[$i]} stopped" line "$con" "VMM: guest ${stopped[$i]}"
done
check "B: no escape succeeded" hasnt "$con" "ESCAPED"
check "B: VMM survived every guest" line "$con" "VMM: all guests done"
check_pcrs "$work/b" B
check_measure "$work/b" B


# ---- boot C: the tpm-proxy guest relays TPM commands and serves the event log ----------------------
for g in tpm-proxy probe; do cp "$guests/$g.bin" "$d/$g.bin"; sign "$work/trusted" 3 "$d/$g.bin" "$d/$g.mf"; done
out2="$work/c"; sock="$work/proxy.sock"
"$launch" "${chain[@]}" --config "$work/config.bin" --guest "hello=$d/hello.bin:$d/hello.mf" \
  --guest "probe=$d/probe.bin:$d/probe.mf" --guest "tpm-proxy=$d/tpm-proxy.bin:$d/tpm-proxy.mf" --proxy-socket "$sock" --out "$out2" --quiet \
  --timeout 60 2>"$out2.stderr" &
lpid=$!
timeout 60 python3 "$lib/vmmcheck.py" proxy "$sock" "$work" 2>"$work/proxy.err"; prc=$?
wait $lpid; rc=$?
check "C: ends with status 33" same "$rc:$prc" "0:0"
pj() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/proxy.json" "$1" 2>/dev/null; }
check "C: proxy answers ping" same "$(pj ping_type):$(pj ping)" "3:tpm-proxy 1"
resp="$(pj tpm_response)"
check "C: proxy relays TPM2_PCR_Read (rc 0)" same "$(pj tpm_type):${resp:12:8}" "1:00000000"
check "C: PCR 19 read through the proxy equals the TPM after the run" same "${resp: -64}" "$(pcr "$out2/pcrs.json" sha256 19)"
check "C: proxy reports an unknown frame type" same "$(pj unknown_type):$(pj unknown_reply)" "127:unknown frame type"
check "C: proxy serves the event log" cmp -s "$work/proxy-evlog.bin" "$out2/evlog.bin"
check "C: proxy acknowledges the shutdown frame with an empty 0x04" same "$(pj shutdown_type):$(pj shutdown_len)" "4:0"
check "C: proxy guest shut down on request" line "$out2/console.log" "VMM: guest tpm-proxy shut down, status 0"
check "C: hello still runs before the proxy" line "$out2/console.log" "hello: hello from guest"
check "C: probe: every in-guest check passed (CPUID, EFER, hypercalls, TPM locality 0)" same \
  "$(grep -c '^probe: ok ' "$out2/console.log"):$(grep -c '^probe: FAIL' "$out2/console.log")" "13:0"
check "C: probe: TPM refused PCR 17 at locality 0" line "$out2/console.log" "probe: ok   TPM refuses a PCR 17 extend at locality 0 (0x907)"
specs=("hello:0:$d/hello.bin:$d/hello.mf" "probe:0:$d/probe.bin:$d/probe.mf" "tpm-proxy:0:$d/tpm-proxy.bin:$d/tpm-proxy.mf")
plan=(hello:0 probe:0 tpm-proxy:0)
margs=(--guest "hello=$d/hello.bin:$d/hello.mf" --guest "probe=$d/probe.bin:$d/probe.mf" --guest "tpm-proxy=$d/tpm-proxy.bin:$d/tpm-proxy.mf")
check_pcrs "$out2" C
check_measure "$out2" C

# ---- boot D: nothing crosses between guests; ring-3 hypercalls and invalid EFER writes are refused ----
for g in state-set state-check ring3 esc-efer-lme invalid-state; do cp "$guests/$g.bin" "$d/$g.bin"; sign "$work/trusted" 3 "$d/$g.bin" "$d/$g.mf"; done
boot "$work/d" state-set:0 state-check:0 ring3:0 esc-efer-lme:0 invalid-state:0
check "D: ends with status 33" same "$rc" 0
check "D: state-set loaded its registers" line "$con" "state-set: loaded DR0-DR3, DR6, DR7, x87, XMM0-7, MXCSR, PKRU"
check "D: state-set set XCR0 = 7 and YMM (QEMU executes the intercepted XSETBV)" line "$con" \
  "state-set: XCR0 = 7, YMM0-7 upper halves loaded"
grep '^state-check: FAIL' "$con" | sed 's/^/    /' >&2
check "D: state-check sees reset values only (DR0-3, DR6, DR7, XCR0, x87, ST0-7, MXCSR, XMM, PKRU, YMM)" same \
  "$(grep -c '^state-check: ok ' "$con"):$(grep -c '^state-check: FAIL' "$con")" "15:0"
check "D: state-check ran to its end" line "$con" "VMM: guest state-check shut down, status 0"
check "D: ring 3 hypercalls are not served" hasnt "$con" "ESCAPED"
check "D: ring 3 hypercalls return 0xfffffffc and the guest goes on" line "$con" \
  "ring3: both ring 3 hypercalls refused with 0xfffffffc"
check "D: ring 3 shutdown refused; ring 0 shut down with status 0" line "$con" "VMM: guest ring3 shut down, status 0"
check "D: EFER.LME under paging attempted" line "$con" "esc-efer-lme: escape attempt 9"
check "D: EFER.LME under paging stops the guest, named" line "$con" \
  "VMM: guest esc-efer-lme stopped: WRMSR EFER refused: LME changed while paging is on"
check "D: CR0.NW without CD (QEMU lets the MOV through) ends the guest at the next VMRUN" hasnt "$con" \
  "still running with CR0.NW set"
check "D: QEMU's 32-bit VMEXIT_INVALID is reported as such" line "$con" \
  "VMM: guest invalid-state stopped: VMRUN refused the guest state (VMEXIT_INVALID)"
check "D: no exit was left unexplained" hasnt "$con" "unexpected #VMEXIT"
check "D: VMM survived every guest" line "$con" "VMM: all guests done"
check_pcrs "$work/d" D
check_measure "$work/d" D

# ---- boot E: a guest forges the VMM's final line; the anchored check is not fooled ------------------
cp "$guests/forge.bin" "$d/forge.bin"; sign "$work/trusted" 3 "$d/forge.bin" "$d/forge.mf"
mkdir -p "$work/e"; con="$work/e/console.log"
"$launch" "${chain[@]}" --config "$work/config.bin" --guest "forge=$d/forge.bin:$d/forge.mf" --out "$work/e" \
  --timeout 120 --quiet 2>"$work/e.stderr" &
lpid=$!
for _ in $(seq 1200); do
  line "$con" "forge: VMM: all guests done" 2>/dev/null && break
  kill -0 "$lpid" 2>/dev/null || break       # the run ended on its own
  sleep 0.1
done
kill -TERM "$lpid" 2>/dev/null; wait "$lpid"
check "E: the forged text reached the console" line "$con" "forge: VMM: all guests done"
check "E: an unanchored match finds it (the old check was fooled)" grep -qF "VMM: all guests done" "$con"
# shellcheck disable=SC2016 # eval expands $con when the check runs
check "E: the anchored check finds no such VMM line" eval '! line "$con" "VMM: all guests done"'

# ---- boot F: the same on a CPU without XSAVE (and so without AVX or protection keys) ---------------
cpu=(--cpu "max,-xsave,-avx,-pku")
boot "$work/f" state-set:0 state-check:0
cpu=()
check "F: ends with status 33" same "$rc" 0
check "F: state-set loaded its registers" line "$con" "state-set: loaded DR0-DR3, DR6, DR7, x87, XMM0-7, MXCSR, PKRU"
grep '^state-check: FAIL' "$con" | sed 's/^/    /' >&2
check "F: state-check sees reset values only (DR0-3, DR6, DR7, x87, ST0-7, MXCSR, XMM)" same \
  "$(grep -c '^state-check: ok ' "$con"):$(grep -c '^state-check: FAIL' "$con")" "12:0"
check "F: state-check ran to its end" line "$con" "VMM: guest state-check shut down, status 0"
check_pcrs "$work/f" F

# ---- boot G: an LMS-signed guest (hash-based signature, RFC 8554) boots under a version-2 configuration --
if [[ $trustbit_signs == 1 ]] && cli_has "--type" key new; then
  "$root/trustbit" key new --type lms --lms-height 5 --out "$work/pq" >/dev/null
  cp "$guests/hello.bin" "$d/pqhello.bin"; cp "$guests/canary.bin" "$d/pqbad.bin"
  sign "$work/pq" 3 "$d/pqhello.bin" "$d/pqhello.mf"; sign "$work/pq" 3 "$d/pqbad.bin" "$d/pqbad.mf"
  printf '\x01' | dd of="$d/pqbad.mf" bs=1 seek=300 conv=notrunc 2>/dev/null    # inside an LM-OTS chain
  # a third signer whose Ed25519 key was generated inside a SoftHSM2 token (throwaway token directory)
  export SOFTHSM2_CONF="$work/softhsm2.conf"; mkdir -p "$work/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$SOFTHSM2_CONF"
  softhsm2-util --init-token --free --label vmm-test --so-pin 135791 --pin 246810 >/dev/null
  printf '246810\n' > "$work/hsm.pin"
  hsm="pkcs11:token=vmm-test;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:$work/hsm.pin"
  "$root/trustbit" key new --pkcs11 "$hsm" --out "$work/hsm" >/dev/null
  cp "$guests/hello.bin" "$d/hsmhello.bin"
  "$root/trustbit" image sign --key "$hsm" --kind guest --security-version 3 "$d/hsmhello.bin" >/dev/null &&
    mv "$d/hsmhello.bin.manifest" "$d/hsmhello.mf"
  check "G: image verify accepts the token-signed guest" "$root/trustbit" image verify --pub "$work/hsm.pub" \
    --manifest "$d/hsmhello.mf" "$d/hsmhello.bin"
  "$root/trustbit" launch-config --signer "$work/trusted.pub:2" --signer "$work/pq.pub:2" --signer "$work/hsm.pub:2" \
    --cmdline harness --out "$work/config-lms.bin" >/dev/null
  config="$work/config-lms.bin"
  boot "$work/g" hello:0 pqhello:0 pqbad:7 hsmhello:0
  check "G: ends with status 33" same "$rc" 0
  check "G: launch configuration is version 2" same "$(od -An -tu2 -j4 -N2 "$config" | tr -d ' ')" 2
  check "G: Ed25519-, LMS- and token-signed guests all run" same "$(grep -c 'hello: hello from guest' "$con")" 3
  check "G: token-signed guest launched" line "$con" "VMM: guest hsmhello running"
  check "G: LMS-signed guest launched" line "$con" "VMM: guest pqhello running"
  check "G: damaged LMS signature refused" line "$con" "VMM: guest pqbad refused: bad-signature: LMS signature does not verify"
  check "G: refused guest never executes" hasnt "$con" "CANARY RAN"
  check_pcrs "$work/g" G
  if [[ $initial == zero ]]; then   # trustbit measure reads the version-2 configuration and checks LMS manifests
    mes() { "$root/trustbit" measure --slb "$root/skinit-loader/build/slb.bin" --vmm "$root/vmm/build/vmm.bin" \
      --launch-config "$config" --launch-type emulated --dma-protection none "$@" --json >/dev/null 2>"$work/g.measure.err"; }
    check "G: trustbit measure accepts the LMS-signed guest" mes --guest "pqhello=$d/pqhello.bin:$d/pqhello.mf"
    mes --guest "pqbad=$d/pqbad.bin:$d/pqbad.mf"; mrc=$?
    check "G: trustbit measure refuses the damaged LMS signature" same "$mrc:$(cut -c1-20 "$work/g.measure.err")" "1:trustbit: SIGNATURE:"
  fi
  config="$work/config.bin"
fi

if [[ $failures -gt 0 ]]; then
  echo "vmm: $failures check(s) failed; consoles:" >&2
  for o in a b c d e f g; do sed 's/^/    /' "$work/$o/console.log" >&2 2>/dev/null; tail -2 "$work/$o.stderr" >&2 2>/dev/null; done
  cat "$work/proxy.err" >&2 2>/dev/null
  exit 1
fi
echo "vmm: all checks passed ($((SECONDS - t0)) s for 7 boots)"
