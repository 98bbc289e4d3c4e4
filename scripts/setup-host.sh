#!/bin/bash
# Installs everything the build and the VM tests need on a fresh Debian 12 host.
# Idempotent: a second run only checks.
set -euo pipefail

# The kernel and the modules are built in a trixie chroot (scripts/trixie.sh);
# the host needs QEMU, debootstrap, the guest's tools and what builds user space.
PKGS=(debootstrap qemu-system-x86 busybox-static trinity gdb binutils cpio kmod xz-utils
      clang-16 libclang-16-dev cmake pkg-config g++ make gcc
      python3 strace    # the cluster descriptors and the wheel; counting tracking calls in the VM
      prometheus prometheus-node-exporter tmux    # tt-track-smi's tests: metrics scraped, watch mode in a terminal,
      libnss-wrapper)                             # a user only NSS knows

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

# bindgen for the ABI's Rust file (scripts/gen-abi.sh); Debian 12's 0.60 is too old.
BINDGEN_VERSION=0.69.5
BINDGEN_ROOT=${TT_TRACK_CACHE:-$HOME/.cache/tt-track}/bindgen
if ! "$BINDGEN_ROOT/bin/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
    echo "setup: installing bindgen-cli $BINDGEN_VERSION"
    cargo install --quiet --locked bindgen-cli --version "$BINDGEN_VERSION" --root "$BINDGEN_ROOT"
fi
