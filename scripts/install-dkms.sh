#!/bin/bash
# Installs tt_track's source for DKMS and builds it for a kernel (default: the
# running one). DKMS rebuilds it on kernel upgrades. Needs dkms, the kernel's
# headers, its exact rustc (with rust-src and libstd-rust-dev), bindgen and C
# compiler, and for Debian kernels the matching linux-source package: the build
# says in one line what is missing.
#   scripts/install-dkms.sh [KERNEL-RELEASE]
set -euo pipefail
cd "$(dirname "$0")/.."
krel=${1:-$(uname -r)}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms/dkms.conf)
dest=/usr/src/tt-track-$version
command -v dkms >/dev/null || { echo "install-dkms: needs dkms: apt install dkms" >&2; exit 1; }
rm -rf "$dest" && mkdir -p "$dest"
tar -cf - --exclude='*.o' --exclude='*.cmd' --exclude='*.d' --exclude=bindings_generated.rs \
    Kbuild Makefile rust ioctl/tt_track_ioctl.h ioctl/tt_track_ioctl.rs | tar -xf - -C "$dest"
cp dkms/dkms.conf dkms/dkms-build.sh "$dest/"
dkms remove -q "tt-track/$version" --all >/dev/null 2>&1 || true
dkms add -q "tt-track/$version"
dkms install "tt-track/$version" -k "$krel"
