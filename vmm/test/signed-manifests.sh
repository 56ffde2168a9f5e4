#!/usr/bin/env bash
# The verification chain on really signed manifests: made by openssl (tests/qemu/vmm/lib/sign.py)
# and, when the CLI is built, by `trustbit image sign` with a `trustbit launch-config` blob.
#   signed-manifests.sh build/host/test_policy
set -euo pipefail
t="$(realpath "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sign="$root/tests/qemu/vmm/lib/sign.py"
w="$(mktemp -d /tmp/tb-vmm-sign.XXXXXX)"
trap 'rm -rf "$w"' EXIT
fails=0
v() { "$t" verify "$@" || fails=$((fails + 1)); }

head -c 4000 /dev/urandom > "$w/img"
python3 "$sign" key "$w/k1"; python3 "$sign" key "$w/k2"
k1="$(python3 "$sign" keyhex "$w/k1.pub")"; k2="$(python3 "$sign" keyhex "$w/k2.pub")"
python3 "$root/tests/qemu/lib/mkconfig.py" --signer "$k1:5" --out "$w/cfg-k1"
python3 "$root/tests/qemu/lib/mkconfig.py" --signer "$k2:0" --signer "$k1:6" --out "$w/cfg-k2k1-6"
python3 "$root/tests/qemu/lib/mkconfig.py" --signer "$k2:0" --out "$w/cfg-k2"
python3 "$sign" manifest --key "$w/k1" --security-version 5 "$w/img" "$w/m"
v "$w/cfg-k1" "$w/img" "$w/m" 0                 # signed, trusted, version = minimum
v "$w/cfg-k2k1-6" "$w/img" "$w/m" 8             # second signer, version below its minimum
v "$w/cfg-k2" "$w/img" "$w/m" 6                 # signer not in the configuration
v "$w/cfg-k1" "$w/img" - 1                      # no manifest
flip() {   # flip FILE OFFSET OUT: OUT = FILE with one bit inverted at OFFSET
  python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 1; open(sys.argv[3], "wb").write(b)' "$@"
}
for off in 88 100 119 120 151; do               # one bit of R (88..119) or S (120..151)
  flip "$w/m" "$off" "$w/bad"; v "$w/cfg-k1" "$w/img" "$w/bad" 7
done
cp "$w/m" "$w/bad"; printf '\x06' | dd of="$w/bad" bs=1 seek=48 conv=notrunc 2>/dev/null
v "$w/cfg-k1" "$w/img" "$w/bad" 7               # security version raised after signing
cp "$w/img" "$w/img2"; printf 'x' | dd of="$w/img2" bs=1 seek=10 conv=notrunc 2>/dev/null
v "$w/cfg-k1" "$w/img2" "$w/m" 5                # tampered image
head -c 151 "$w/m" > "$w/short"; v "$w/cfg-k1" "$w/img" "$w/short" 2

# Linux manifests (kind 3): kernel, initrd and command line bound by one signature.
vl() { "$t" verify-linux "$@" || fails=$((fails + 1)); }
head -c 3000 /dev/urandom > "$w/rd"
python3 "$sign" manifest --key "$w/k1" --security-version 5 --kind 3 --initrd "$w/rd" \
  --cmdline "console=ttyS0 quiet" "$w/img" "$w/lm"
vl "$w/cfg-k1" "$w/img" "$w/lm" 0 "$w/rd"           # signed, trusted
vl "$w/cfg-k2k1-6" "$w/img" "$w/lm" 8 "$w/rd"       # rollback
vl "$w/cfg-k2" "$w/img" "$w/lm" 6 "$w/rd"           # unknown signer
vl "$w/cfg-k1" "$w/img2" "$w/lm" 5 "$w/rd"          # kernel changed by one byte
cp "$w/rd" "$w/rd2"; printf 'x' | dd of="$w/rd2" bs=1 seek=7 conv=notrunc 2>/dev/null
vl "$w/cfg-k1" "$w/img" "$w/lm" 5 "$w/rd2"          # initrd changed by one byte
head -c 2999 "$w/rd" > "$w/rd3"; vl "$w/cfg-k1" "$w/img" "$w/lm" 4 "$w/rd3"   # initrd shortened
cp "$w/lm" "$w/bad"; printf 'X' | dd of="$w/bad" bs=1 seek=135 conv=notrunc 2>/dev/null
vl "$w/cfg-k1" "$w/img" "$w/bad" 7 "$w/rd"          # command line changed by one byte
vl "$w/cfg-k1" "$w/img" "$w/m" 3 "$w/rd"            # a guest manifest for a Linux guest
v "$w/cfg-k1" "$w/img" "$w/lm" 3                    # a Linux manifest for a flat guest

if "$root/trustbit" image sign --help >/dev/null 2>&1; then
  "$root/trustbit" key new --out "$w/tk" >/dev/null
  cp "$w/img" "$w/timg"
  "$root/trustbit" image sign --key "$w/tk.key" --kind guest --security-version 9 "$w/timg" >/dev/null
  "$root/trustbit" launch-config --signer "$w/tk.pub:9" --cmdline harness --out "$w/tcfg" >/dev/null
  v "$w/tcfg" "$w/timg" "$w/timg.manifest" 0     # trustbit-signed, trustbit config
  "$root/trustbit" launch-config --signer "$w/tk.pub:10" --out "$w/tcfg10" >/dev/null
  v "$w/tcfg10" "$w/timg" "$w/timg.manifest" 8
  "$root/trustbit" image sign --key "$w/tk.key" --kind vmm --security-version 9 "$w/timg" >/dev/null
  v "$w/tcfg" "$w/timg" "$w/timg.manifest" 3     # a VMM manifest is not a guest manifest
  # HSS/LMS: an LMS signer in a version-2 configuration beside the Ed25519 one
  "$root/trustbit" key new --type lms --lms-height 5 --out "$w/lk" >/dev/null
  cp "$w/img" "$w/limg"
  "$root/trustbit" image sign --key "$w/lk.key" --kind guest --security-version 4 "$w/limg" >/dev/null
  "$root/trustbit" launch-config --signer "$w/tk.pub:0" --signer "$w/lk.pub:4" --out "$w/lcfg" >/dev/null
  v "$w/lcfg" "$w/limg" "$w/limg.manifest" 0     # LMS-signed, LMS signer trusted
  v "$w/tcfg" "$w/limg" "$w/limg.manifest" 6     # LMS signer not in the configuration
  for off in 88 93 200 1500 2000; do             # L, q, LM-OTS chains, path
    flip "$w/limg.manifest" "$off" "$w/lbad"; v "$w/lcfg" "$w/limg" "$w/lbad" 7
  done
  "$root/trustbit" launch-config --signer "$w/lk.pub:5" --out "$w/lcfg5" >/dev/null
  v "$w/lcfg5" "$w/limg" "$w/limg.manifest" 8
  # an Ed25519 manifest whose key id names the LMS signer is refused as the wrong algorithm
  cp "$w/timg.manifest" "$w/cross"
  "$root/trustbit" image sign --key "$w/tk.key" --kind guest --security-version 9 "$w/limg" >/dev/null
  python3 - "$w/limg.manifest" "$w/lk.pub" <<'PY'
import sys, hashlib, base64
pem = open(sys.argv[2]).read().split("-----")[2]
raw = base64.b64decode("".join(pem.split()))[-60:]
b = bytearray(open(sys.argv[1], "rb").read()); b[56:88] = hashlib.sha256(raw).digest()
open(sys.argv[1], "wb").write(b)
PY
  v "$w/lcfg" "$w/limg" "$w/limg.manifest" 7
  # an LMS-signed Linux manifest: the signature also covers the initrd digest and the command line
  cp "$w/img" "$w/lk-kernel"
  "$root/trustbit" image sign --key "$w/lk.key" --kind linux --initrd "$w/rd" --cmdline "console=ttyS0" \
    --security-version 4 "$w/lk-kernel" >/dev/null
  vl "$w/lcfg" "$w/lk-kernel" "$w/lk-kernel.manifest" 0 "$w/rd"
  vl "$w/lcfg" "$w/lk-kernel" "$w/lk-kernel.manifest" 5 "$w/rd2"    # initrd changed by one byte
else
  echo "note: trustbit CLI not built; manifests from openssl only"
fi
[[ $fails == 0 ]] || { echo "signed-manifests: $fails failure(s)" >&2; exit 1; }
echo "signed-manifests: all passed"
