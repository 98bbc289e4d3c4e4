#!/bin/bash
# Builds the kernel modules of a VM run in the trixie chroot, against the tree
# scripts/build-kernel.sh names, into one directory (printed on the last line):
#   tt_track.ko            the module
#   tenstorrent.ko         the real tt-kmd, from its release source: TT_KMD_SRC (a
#                          tarball or a directory), else tt-kmd's DKMS source under
#                          /usr/src/tenstorrent-* when installed, else
#                          ../shared/vendor/tt-kmd-2.10.0.tar.gz
#   ttcard.ko              test-only: QEMU functions shown as Tenstorrent cards
#   standin/tenstorrent.ko test-only stand-in for what the real driver cannot do in a VM
# For the stock kernel it then checks that every symbol tt_track.ko imports is
# exported by the stock kernel (its Module.symvers), before anything boots.
#   scripts/build-modules.sh KDIR [MAKE-VARIABLES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
KDIR=$1
MAKEVARS=${2:-}
OUT=$TT_TRACK_CACHE/modules/$(basename "$KDIR")
CHROOT=$TT_TRACK_CACHE/trixie

# tt-kmd's source, unpacked once per source under the cache.
src=${TT_KMD_SRC:-}
if [ -z "$src" ]; then
    src=$(ls -d /usr/src/tenstorrent-* 2>/dev/null | sort -V | tail -1 || true)
    src=${src:-../shared/vendor/tt-kmd-2.10.0.tar.gz}
fi
ttkmd=$TT_TRACK_CACHE/tt-kmd/$(basename "$src" .tar.gz)
# A checkout elsewhere than beside shared/ still finds the copy unpacked before.
[ -e "$src" ] || [ -f "$ttkmd/Makefile" ] || { echo "build-modules: no tt-kmd source at $src (set TT_KMD_SRC)" >&2; exit 1; }
if [ -d "$src" ]; then
    rm -rf "$ttkmd" && mkdir -p "$ttkmd" && cp -a "$src/." "$ttkmd/"
elif [ ! -f "$ttkmd/Makefile" ]; then
    rm -rf "$ttkmd" && mkdir -p "$ttkmd"
    tar -xzf "$src" -C "$ttkmd" --strip-components=1
fi

echo "build: tt_track.ko, tt-kmd ($(basename "$src")), the test modules, against $KDIR" >&2
scripts/trixie.sh run sh -c "make -s -C /src KDIR=$KDIR $MAKEVARS all standin ttcard >/dev/null &&
    make -s -C $KDIR M=/cache/tt-kmd/$(basename "$ttkmd") $MAKEVARS modules >/dev/null"
rm -rf "$OUT" && mkdir -p "$OUT/standin"
cp tt_track.ko tests/ttcard/ttcard.ko "$OUT/"
cp "$ttkmd/tenstorrent.ko" "$OUT/"
cp tests/ttkmd-standin/tenstorrent.ko "$OUT/standin/"

if [ -z "$MAKEVARS" ]; then
    symvers=$CHROOT/usr/src/linux-headers-$KREL/Module.symvers
    missing=$(nm --undefined-only tt_track.ko | awk '{ print $2 }' | sort -u |
        comm -23 - <(awk '{ print $2 }' "$symvers" | sort -u))
    if [ -n "$missing" ]; then
        echo "build-modules: tt_track.ko imports symbols the stock $KREL kernel does not export:" >&2
        echo "$missing" >&2
        exit 1
    fi
    echo "build: all $(nm --undefined-only tt_track.ko | wc -l) symbols tt_track.ko imports are exported by $KREL" >&2
fi
echo "$OUT"
