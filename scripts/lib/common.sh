# Shared by scripts/test and scripts/demo: locate the repository, install what is missing, build.
# shellcheck shell=bash

TB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TB_ROOT

# Debian packages the build and the demo (its Linux guest included) need, with the command or file that proves each is there.
TB_PACKAGES=(
  "java:openjdk-17-jdk-headless" "javac:openjdk-17-jdk-headless" "mvn:maven" "gcc:gcc" "/usr/lib/x86_64-linux-gnu/libc.a:libc6-dev" "make:make"
  "nasm:nasm" "qemu-system-x86_64:qemu-system-x86" "swtpm:swtpm" "swtpm_ioctl:swtpm-tools" "python3:python3"
  "/boot/vmlinuz-*:linux-image-amd64" "/usr/share/doc/busybox-static:busybox-static" "cpio:cpio"
)
# What only the tests need on top: cross-checking tools, linters, PostgreSQL, fuzzers, the GRUB path.
TB_TEST_PACKAGES=(
  "tpm2_eventlog:tpm2-tools" "openssl:openssl" "xxd:xxd" "shellcheck:shellcheck" "pyflakes3:pyflakes3"
  "evmctl:ima-evm-utils" "setfattr:attr" "jq:jq" "curl:curl"
  "/usr/lib/postgresql/*/bin/initdb:postgresql"
  "script:bsdutils" "clang:clang" "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-dev"
  "grub-mkrescue:grub-common" "/usr/lib/grub/i386-pc/moddep.lst:grub-pc-bin" "xorriso:xorriso" "mformat:mtools"
  "lintian:lintian" "systemd-analyze:systemd" "unzip:unzip" "softhsm2-util:softhsm2" "pkcs11-tool:opensc"
  "chromium:chromium" "chromedriver:chromium-driver"
)

# tb_verifier_address LOG PID: waits (up to 30 s) until the verifier started as PID has written its address
# and certificate fingerprint to LOG, and prints "URL FINGERPRINT"; fails if PID ends first or time runs out.
tb_verifier_address() {
  local log="$1" pid="$2" url fp _
  for _ in $(seq 300); do
    url=$(sed -n 's/^verifier listening on \(https:[^ ]*\).*/\1/p' "$log" | head -1)
    fp=$(sed -n 's/^TLS certificate SHA-256 fingerprint: //p' "$log" | head -1)
    [[ -n "$url" && -n "$fp" ]] && { echo "$url $fp"; return 0; }
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

tb_log() { printf '==> %s\n' "$*" >&2; }
tb_die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# tb_ensure_packages [test]: installs the missing Debian packages of TB_PACKAGES (and of TB_TEST_PACKAGES
# with "test") when root; otherwise prints the exact apt-get line and stops.
tb_ensure_packages() {
  local missing=() entry probe pkg wanted=("${TB_PACKAGES[@]}")
  [[ "${1:-}" == test ]] && wanted+=("${TB_TEST_PACKAGES[@]}")
  for entry in "${wanted[@]}"; do
    probe="${entry%%:*}"; pkg="${entry#*:}"
    if [[ "$probe" == /* ]]; then compgen -G "$probe" >/dev/null && continue
    else command -v "$probe" >/dev/null 2>&1 && continue; fi
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -eq 0 ]]; then
    tb_log "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    printf 'Missing packages. Install them with:\n  sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 2
  fi
}

# Builds the C parts (every directory with a Makefile, in dependency order) and the Java CLI.
tb_build() {
  local d
  for d in clib crypto skinit-loader vmm; do
    if [[ -f "$TB_ROOT/$d/Makefile" ]]; then
      tb_log "make -C $d"
      make -s -C "$TB_ROOT/$d" -j2
    fi
  done
  tb_log "mvn package (Java modules, tests skipped here)"
  (cd "$TB_ROOT" && mvn -q -B -DskipTests package)
}
