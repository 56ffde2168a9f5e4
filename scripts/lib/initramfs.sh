# Shared by scripts/demo, scripts/bench/linux-boot, tests/linux/run and tests/linux-vmm/run (sourced): Debian's kernel and a busybox initramfs.
#   tb_kernel                      sets kernel, kver (the newest /boot/vmlinuz-*), checks its modules and busybox
#   tb_initramfs [--ima-cert DER]... [--ima-policy FILE] DIR INIT OUT M..
#                                  writes OUT (gzip'd cpio): busybox with its applets, INIT as /init, and
#                                  the kernel modules M.. with their dependencies, loaded in order by /init.
#                                  With --ima-cert and --ima-policy, /init is scripts/lib/ima-init.c (built
#                                  static here): it loads the certificates into the IMA keyring and the
#                                  policy into the kernel, then runs INIT as /sbin/init; /bin/ima-attach
#                                  writes FILE.sig files into security.ima.
# shellcheck shell=bash
tb_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

tb_kernel() {
  kernel="$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -1)"
  [[ -e "$kernel" ]] || fail "no kernel in /boot (install linux-image-amd64)"
  kver="${kernel#/boot/vmlinuz-}"
  [[ -r "$kernel" ]] || fail "$kernel is not readable by this user (some distributions install kernels 0600)"
  [[ -d "/lib/modules/$kver" ]] || fail "no modules for $kver in /lib/modules/$kver"
  busybox="$(command -v busybox)" || fail "busybox not found (install busybox-static)"
  [[ "$(ldd "$busybox" 2>&1)" == *"not a dynamic executable"* ]] || fail "$busybox is not statically linked (install busybox-static)"
}

tb_initramfs() {
  local certs=() policy="" ird init out m
  while [[ "${1:-}" == --ima-* ]]; do
    case "$1" in
      --ima-cert) certs+=("$2") ;;
      --ima-policy) policy="$2" ;;
      *) fail "tb_initramfs: unknown option $1" ;;
    esac
    shift 2
  done
  ird="$1" init="$2" out="$3"
  shift 3
  [[ ${#certs[@]} == 0 && -z "$policy" ]] || [[ ${#certs[@]} -gt 0 && -n "$policy" ]] \
    || fail "tb_initramfs: --ima-cert and --ima-policy go together"
  mkdir -p "$ird/bin" "$ird/modules" "$ird/proc" "$ird/sys" "$ird/dev"
  cp "$busybox" "$ird/bin/busybox"
  for m in sh mount umount insmod chroot poweroff mkdir sed cat ls sync echo ip dd devmem cut tr cp dmesg; do
    ln -s busybox "$ird/bin/$m"
  done
  if [[ -n "$policy" ]]; then
    mkdir -p "$ird/sbin" "$ird/etc/ima/keys"
    for m in "${certs[@]}"; do
      [[ -f "$m" ]] || fail "tb_initramfs: no certificate $m"
      # an EC key (OID id-ecPublicKey 1.2.840.10045.2.1 in DER) needs the kernel's ECDSA verifier, which
      # Debian's 6.1 kernels lack: the guest would load the key and then refuse every signed program
      if LC_ALL=C grep -qaF "$(printf '\x2a\x86\x48\xce\x3d\x02\x01')" "$m" \
          && ! grep -qE "^CONFIG_CRYPTO_ECDSA=[ym]" "/boot/config-$kver" 2>/dev/null; then
        fail "tb_initramfs: $m holds an ECDSA key and kernel $kver has no CONFIG_CRYPTO_ECDSA: make an RSA key (trustbit key new --type rsa-2048)"
      fi
      cp "$m" "$ird/etc/ima/keys/$(basename "$m" .der).der"
    done
    cp "$policy" "$ird/etc/ima/policy" || fail "tb_initramfs: no IMA policy $policy"
    gcc -static -Os -Wall -Wextra -Werror -o "$ird/init" "$tb_lib_dir/ima-init.c" \
      || fail "tb_initramfs: building ima-init (needs gcc and libc6-dev)"
    ln -s ../init "$ird/bin/ima-attach"
    cp "$init" "$ird/sbin/init"
    chmod 0755 "$ird/sbin/init"
  else
    cp "$init" "$ird/init"
    chmod 0755 "$ird/init"
  fi
  order=()
  for m in "$@"; do tb_add_module "$ird" "$m"; done
  printf '%s\n' "${order[@]}" > "$ird/modules.order"
  (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$out" || fail "cpio"
}

tb_add_module() {
  local ird="$1" m="$2" d
  [[ " ${order[*]} " == *" $m "* ]] && return
  for d in $(modinfo -k "$kver" -F depends "$m" | tr ',' ' '); do tb_add_module "$ird" "$d"; done
  cp "$(modinfo -k "$kver" -n "$m")" "$ird/modules/$m.ko" || fail "module $m"
  order+=("$m")
}
