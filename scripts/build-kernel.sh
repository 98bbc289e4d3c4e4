#!/bin/bash
# Builds the Rust-enabled 6.12 test kernel from Debian's linux-source-6.12.
# The build is cached outside the repo, keyed on the source version, the rustc
# version and the config fragment; any change to one of them rebuilds.
# Prints the build directory (usable as KDIR) on its last line.
#   scripts/build-kernel.sh          the test kernel (kernel/tt-track.config)
#   scripts/build-kernel.sh debug    plus kernel/tt-track-debug.config (KASAN, lockdep, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh

VARIANT=${1:-base}
FRAGMENTS=(kernel/tt-track.config)
case "$VARIANT" in
    base) ;;
    debug) FRAGMENTS+=(kernel/tt-track-debug.config) ;;
    *) echo "usage: $0 [debug]" >&2; exit 2 ;;
esac
SRC_TAR=/usr/src/linux-source-6.12.tar.xz
SRC_VER=$(dpkg-query -W -f='${Version}' linux-source-6.12)
KEY=$( { echo "$SRC_VER"; $RUSTC --version; $BINDGEN --version; cat "${FRAGMENTS[@]}"; } | sha256sum | cut -c1-16)
SRC=$TT_TRACK_CACHE/linux-src-$SRC_VER
OUT=$TT_TRACK_CACHE/kernel-$VARIANT-$KEY

if [ ! -f "$OUT/.done" ]; then
    if [ ! -f "$SRC/.unpacked" ]; then
        echo "kernel: unpacking $SRC_TAR" >&2
        rm -rf "$SRC" && mkdir -p "$SRC"
        tar -xf "$SRC_TAR" -C "$SRC" --strip-components=1
        touch "$SRC/.unpacked"
    fi
    echo "kernel: building in $OUT (several minutes)" >&2
    rm -rf "$OUT" && mkdir -p "$OUT"
    kmake() { make -C "$SRC" O="$OUT" "${KMAKE_FLAGS[@]}" "$@"; }
    kmake tinyconfig >/dev/null
    "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "${FRAGMENTS[@]}" >/dev/null
    kmake olddefconfig >/dev/null
    # merge_config warns but does not fail when a symbol is dropped: check ourselves.
    while read -r line; do
        case "$line" in
            CONFIG_*=*) grep -qx "$line" "$OUT/.config" || { echo "kernel: $line did not stick" >&2; exit 1; } ;;
        esac
    done < <(cat "${FRAGMENTS[@]}")
    kmake -j"$(nproc)" bzImage modules >"$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log" >&2; exit 1; }
    touch "$OUT/.done"
    # Older builds of this variant are stale (a key input changed): reclaim the disk.
    for old in "$TT_TRACK_CACHE"/kernel-"$VARIANT"-*; do
        [ "$old" = "$OUT" ] || rm -rf "$old"
    done
fi
echo "$OUT"
