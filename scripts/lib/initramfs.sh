# Shared by scripts/demo, scripts/bench/linux-boot, tests/linux/run and tests/linux-vmm/run (sourced): Debian's kernel and a busybox initramfs.
#   tb_kernel                      sets kernel, kver (the newest /boot/vmlinuz-*), checks its modules and busybox
#   tb_initramfs DIR INIT OUT M..  writes OUT (gzip'd cpio): busybox with its applets, INIT as /init, and
#                                  the kernel modules M.. with their dependencies, loaded in order by /init
# shellcheck shell=bash

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
  local ird="$1" init="$2" out="$3" m
  shift 3
  mkdir -p "$ird/bin" "$ird/modules" "$ird/proc" "$ird/sys" "$ird/dev"
  cp "$busybox" "$ird/bin/busybox"
  for m in sh mount insmod chroot poweroff mkdir sed cat ls sync echo ip dd devmem cut tr; do ln -s busybox "$ird/bin/$m"; done
  cp "$init" "$ird/init"
  chmod 0755 "$ird/init"
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
