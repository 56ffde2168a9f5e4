#!/bin/bash
# Tests verify-manifests on OpenSSL-signed manifests from gen-openssl-sigs.sh: all good ones verify
# (with the count printed), each broken one is refused with its own reason, the wrong key refuses all.
#   test-verify-manifests.sh VERIFY_MANIFESTS_BINARY MANIFEST_DIR EXPECTED_GOOD_COUNT
set -uo pipefail
tool=$1
dir=$2
want=$3
pub=$(cat "$dir/pub.hex")
fail=0

out=$("$tool" "$pub" "$dir"/good/*.manifest) || { echo "FAIL good manifests: $out" >&2; fail=1; }
[[ "$out" == "verified $want of $want manifests" ]] || { echo "FAIL good manifests: '$out'" >&2; fail=1; }

nbad=0
for m in "$dir"/bad/*.manifest; do
	nbad=$((nbad + 1))
	if err=$("$tool" "$pub" "$m" 2>&1 >/dev/null); then
		echo "FAIL $(basename "$m"): accepted" >&2
		fail=1
	elif [[ "$err" != *offset* ]]; then
		echo "FAIL $(basename "$m"): reason does not name an offset: $err" >&2
		fail=1
	fi
done
[[ $nbad -ge 13 ]] || { echo "FAIL only $nbad broken manifests" >&2; fail=1; }

# Another key (the RFC 8032 TEST 1 key) must refuse every good manifest.
other=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
out=$("$tool" "$other" "$dir"/good/*.manifest 2>/dev/null)
[[ "$out" == "verified 0 of $want manifests" ]] || { echo "FAIL wrong key: '$out'" >&2; fail=1; }

# Malformed key arguments are usage errors (exit 2).
"$tool" abcd "$dir"/good/m0.manifest >/dev/null 2>&1; [[ $? -eq 2 ]] || { echo "FAIL short key accepted" >&2; fail=1; }
"$tool" "${pub:0:63}g" "$dir"/good/m0.manifest >/dev/null 2>&1; [[ $? -eq 2 ]] || { echo "FAIL non-hex key accepted" >&2; fail=1; }

[[ $fail -eq 0 ]] || exit 1
echo "verify-manifests: $want good manifests verified, $nbad broken ones refused, wrong key refuses all"
