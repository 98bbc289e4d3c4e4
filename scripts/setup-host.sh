#!/bin/bash
# Installs everything the build and the VM tests need on a fresh Debian 12 host.
# Idempotent: a second run only checks.
set -euo pipefail

PKGS=(linux-source-6.12 rustc-web rust-web-src libstd-rust-web-dev
      clang-16 lld-16 llvm-16 libclang-16-dev qemu-system-x86
      busybox-static trinity cmake pkg-config g++ bc flex bison libelf-dev libssl-dev cpio kmod pahole make gcc xz-utils)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Linux 6.12 refuses Debian's bindgen 0.60; it needs >= 0.65.1.
BINDGEN_VERSION=0.69.5
BINDGEN_ROOT=${TT_TRACK_CACHE:-$HOME/.cache/tt-track}/bindgen
if ! "$BINDGEN_ROOT/bin/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
    echo "setup: installing bindgen-cli $BINDGEN_VERSION"
    cargo install --quiet --locked bindgen-cli --version "$BINDGEN_VERSION" --root "$BINDGEN_ROOT"
fi
