#!/bin/sh
# clib's TPM2 command bytes against a real TPM: starts swtpm (TCP, fresh state), runs tpm2_swtpm,
# then reads PCR 16 with tpm2_pcrread (tpm2-tools) and compares. Skipped without swtpm.
set -eu
client=$1
if ! command -v swtpm >/dev/null 2>&1 || ! command -v tpm2_pcrread >/dev/null 2>&1; then
    echo "check_swtpm: FAILED: swtpm or tpm2-tools is missing (apt-get install swtpm tpm2-tools)" >&2
    exit 1
fi
work=$(mktemp -d /tmp/tb-swtpm-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
swtpm socket --tpm2 --tpmstate dir="$work" --server type=tcp,port="$port",bindaddr=127.0.0.1 \
    --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
    --pid file="$work/pid" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/pid" ] && break; sleep 0.1; done
want=$("$client" "$port")
got=$(tpm2_pcrread -T "swtpm:host=127.0.0.1,port=$port" sha256:16 | awk '$1 == "16:" { print tolower($2) }')
[ "$got" = "0x$want" ] || { echo "check_swtpm: tpm2_pcrread PCR 16 = $got, clib expected 0x$want" >&2; exit 1; }
echo "check_swtpm: swtpm accepted clib's PCR_Extend/PCR_Read, rc 0x907 passed through, tpm2_pcrread agrees"
