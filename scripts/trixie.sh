#!/bin/bash
# Debian's stock Rust-enabled kernel and the exact toolchain it was built with,
# kept under the cache (TT_TRACK_CACHE, default ~/.cache/tt-track):
#
#   trixie/           a Debian 13 (trixie) chroot made by debootstrap, with the
#                     kernel's toolchain (rustc 1.85.1 from trixie, gcc-14,
#                     bindgen 0.71.1), the stock headers, DKMS and linux-source-7.3
#   trixie/build/linux-7.3.4   linux-source-7.3 prepared for out-of-tree Rust
#                     modules: the headers' .config, `modules_prepare` (the Rust
#                     metadata the headers package lacks) and the stock
#                     Module.symvers, so modpost fails on any symbol the stock
#                     kernel does not export (a toolchain mismatch shows here)
#   stock/            the signed vmlinuz and the stock modules, unpacked
#
# Packages come from Debian's registry through the chroot's own apt (and
# debootstrap), never through the host's /etc/apt. Idempotent; each step is
# cached and redone only if its inputs change.
#
#   scripts/trixie.sh            set up, print the chroot directory
#   scripts/trixie.sh run CMD... run CMD in the chroot (repo at /src, cache at /cache)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
export TT_TRACK_CACHE

MIRROR=${TT_TRACK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CHROOT=$TT_TRACK_CACHE/trixie
STOCK=$TT_TRACK_CACHE/stock
# clang-19 (the LLVM of that rustc) builds the debug kernel: 7.3 allows KASAN
# with Rust only in a clang-built kernel.
PKGS=(rustc="$TRIXIE_RUSTC" rust-src="$TRIXIE_RUSTC" libstd-rust-dev="$TRIXIE_RUSTC" bindgen libclang-19-dev
      clang-19 lld-19 llvm-19 gcc gcc-14 make bc bison flex libelf-dev libssl-dev python3 cpio kmod dwarves
      xz-utils dkms
      "linux-headers-$KREL" "linux-source-$KSERIES")

# Runs a command in the chroot with /proc, /dev, the repo and the cache mounted,
# in a mount namespace of its own: the mounts go with it, and several may run at once.
in_chroot() {
    mkdir -p "$CHROOT/src" "$CHROOT/cache"
    unshare --mount --propagation private sh -ec '
        root=$1; shift
        for m in proc dev dev/pts; do mount --bind "/$m" "$root/$m"; done
        mount --bind "$PWD" "$root/src"
        mount --bind "$TT_TRACK_CACHE" "$root/cache"
        exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
    ' in_chroot "$CHROOT" "$@"
}

if [ "${1:-}" = run ]; then
    shift
    in_chroot "$@"
    exit
fi

# 1. The chroot and the toolchain, pinned to the versions the kernel names.
want=$(printf '%s\n' "$MIRROR" "${PKGS[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$CHROOT/.tt-track-packages" 2>/dev/null)" != "$want" ]; then
    if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
        echo "trixie: debootstrap into $CHROOT (about a minute)" >&2
        rm -rf "$CHROOT"
        debootstrap --variant=minbase trixie "$CHROOT" "$MIRROR" >/dev/null
    fi
    cat > "$CHROOT/etc/apt/sources.list" <<EOF
deb $MIRROR trixie main
deb $MIRROR trixie-backports main
EOF
    echo "trixie: installing the kernel's toolchain, headers and linux-source in the chroot (a few minutes)" >&2
    in_chroot sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends ${PKGS[*]} >/dev/null"
    echo "$want" > "$CHROOT/.tt-track-packages"
fi

# 2. The stock kernel image and modules, unpacked (not installed: no initramfs hooks).
if [ ! -f "$STOCK/$KREL.done" ]; then
    echo "trixie: fetching the stock kernel $KREL" >&2
    rm -rf "$STOCK" && mkdir -p "$STOCK/debs"
    in_chroot sh -c "cd /cache/stock/debs && apt-get download -qq linux-binary-$KREL linux-modules-$KREL"
    for deb in "$STOCK"/debs/*.deb; do dpkg-deb -x "$deb" "$STOCK/root"; done
    touch "$STOCK/$KREL.done"
fi

# 3. linux-source prepared for Rust modules with the kernel's exact toolchain.
TREE=$CHROOT/build/linux-$KVER
if [ ! -f "$TREE/.tt-track-prepared" ]; then
    echo "trixie: preparing linux-source-$KSERIES for Rust modules (a few minutes)" >&2
    rm -rf "$TREE" && mkdir -p "$TREE"
    tar -xf "$CHROOT/usr/src/linux-source-$KSERIES.tar.xz" -C "$TREE" --strip-components=1
    headers=/usr/src/linux-headers-$KREL
    cp "$CHROOT$headers/.config" "$TREE/.config"
    in_chroot sh -c "cd /build/linux-$KVER && make -s olddefconfig && \
        make -s -j$(nproc) KERNELRELEASE=$KREL modules_prepare >/build/prepare.log 2>&1" ||
        { tail -30 "$CHROOT/build/prepare.log" >&2; exit 1; }
    cp "$CHROOT$headers/Module.symvers" "$TREE/Module.symvers"
    touch "$TREE/.tt-track-prepared"
fi
echo "$CHROOT"
