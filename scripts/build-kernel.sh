#!/bin/bash
# The kernel a VM run boots, and the tree its modules are built against.
# Prints two lines: the module build tree as the trixie chroot sees it (KDIR),
# then the kernel image on the host.
#   scripts/build-kernel.sh          Debian's stock 7.3.4 kernel (signed vmlinuz) and
#                                    linux-source-7.3 prepared with its config and toolchain
#   scripts/build-kernel.sh debug    a debug kernel (KASAN, lockdep, kmemleak, UBSAN, ...)
#                                    built from the same linux-source-7.3 with the same
#                                    rustc and bindgen, and clang-19 as C compiler (7.3
#                                    allows KASAN with Rust only when clang builds the
#                                    kernel): tinyconfig + kernel/tt-track.config +
#                                    kernel/tt-track-debug.config, cached, keyed on the
#                                    versions and the fragments
# A third line gives the make variables its modules need (LLVM=-19 for debug).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
CHROOT=$(scripts/trixie.sh | tail -1)

case "${1:-base}" in
    base)
        echo "/build/linux-$KVER"
        echo "$TT_TRACK_CACHE/stock/root/usr/lib/modules/$KREL/vmlinuz"
        echo ""
        exit 0 ;;
    debug) ;;
    *) echo "usage: $0 [debug]" >&2; exit 2 ;;
esac

FRAGMENTS=(kernel/tt-track.config kernel/tt-track-debug.config)
LLVM=LLVM=-19
versions=$(scripts/trixie.sh run sh -c \
    "dpkg-query -W -f='\${Version}\n' linux-source-$KSERIES rustc bindgen clang-19")
KEY=$( { echo "$versions"; cat "${FRAGMENTS[@]}"; } | sha256sum | cut -c1-16)
OUT=/build/kernel-debug-$KEY
SRC=/build/src-$KVER

if [ ! -f "$CHROOT$OUT/.done" ]; then
    if [ ! -f "$CHROOT$SRC/.unpacked" ]; then
        echo "kernel: unpacking linux-source-$KSERIES" >&2
        rm -rf "$CHROOT$SRC" && mkdir -p "$CHROOT$SRC"
        tar -xf "$CHROOT/usr/src/linux-source-$KSERIES.tar.xz" -C "$CHROOT$SRC" --strip-components=1
        touch "$CHROOT$SRC/.unpacked"
    fi
    echo "kernel: building the debug kernel in $CHROOT$OUT (about 10 minutes)" >&2
    rm -rf "$CHROOT$OUT" && mkdir -p "$CHROOT$OUT"
    cp "${FRAGMENTS[@]}" "$CHROOT$OUT/"
    scripts/trixie.sh run sh -c "cd $SRC && make -s O=$OUT $LLVM tinyconfig >/dev/null &&
        scripts/kconfig/merge_config.sh -m -O $OUT $OUT/.config $OUT/tt-track.config $OUT/tt-track-debug.config >/dev/null &&
        make -s O=$OUT $LLVM olddefconfig >/dev/null"
    # merge_config warns but does not fail when a symbol is dropped: check ourselves.
    while read -r line; do
        case "$line" in
            CONFIG_*=*) grep -qx "$line" "$CHROOT$OUT/.config" || { echo "kernel: $line did not stick" >&2; exit 1; } ;;
        esac
    done < <(cat "${FRAGMENTS[@]}")
    scripts/trixie.sh run sh -c "make -C $SRC O=$OUT $LLVM -j$(nproc) bzImage modules >$OUT/build.log 2>&1" ||
        { tail -40 "$CHROOT$OUT/build.log" >&2; exit 1; }
    touch "$CHROOT$OUT/.done"
    # Older builds are stale (a key input changed): reclaim the disk.
    for old in "$CHROOT"/build/kernel-debug-*; do
        [ "$old" = "$CHROOT$OUT" ] || rm -rf "$old"
    done
fi
echo "$OUT"
echo "$CHROOT$OUT/arch/x86/boot/bzImage"
echo "$LLVM"
