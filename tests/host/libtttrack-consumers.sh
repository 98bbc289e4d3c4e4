#!/bin/bash
# libtttrack as its consumers see it: installed with its header and .pc file,
# linked by a CMake project in three lines, and the TT-Metal shim built. On the host (no module) the
# example must run and report "tracking unavailable".
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scripts/install-libtttrack.sh "$work/prefix" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
cmake -S userspace/libtttrack/examples/cmake -B "$work/build" >/dev/null
cmake --build "$work/build" >/dev/null
out=$(LD_LIBRARY_PATH="$work/prefix/lib" "$work/build/example")
echo "$out"
grep -q "alloc: tracking unavailable" <<<"$out"
# A SONAME with the ABI's major version: programs record libtttrack.so.1, so
# an incompatible libtttrack.so.2 can be installed next to it.
soname=$(readelf -d "$work/prefix/lib/libtttrack.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libtttrack.so.1 ] || { echo "libtttrack.so has SONAME '$soname', not libtttrack.so.1" >&2; exit 1; }
readelf -d "$work/build/example" | grep -q '(NEEDED).*\[libtttrack\.so\.1\]' ||
    { echo "the example does not record libtttrack.so.1" >&2; exit 1; }

# The TT-Metal shim: one file exporting only its dlopen wrapper, inert in a
# process without TT-Metal (the VM suite runs it against real ttnn).
scripts/install-ttmetal-shim.sh "$work/prefix" >/dev/null
shim=$work/prefix/lib/libtttrack-ttmetal.so
exports=$(nm -D --defined-only "$shim" | awk '{ print $3 }' | tr '\n' ' ')
# dlopen, the attach entry, libtttrack's query API (tttrack.usage() reads the shim's own file); no reporting entry.
want="dlopen tt_track_available tt_track_devices tt_track_shim_attach tt_track_stats tt_track_stats_sized tt_track_strerror "
[ "$exports" = "$want" ] || { echo "shim exports $exports, not $want" >&2; exit 1; }
[ -z "$(LD_PRELOAD=$shim sh -c 'echo' 2>&1 | grep -v '^$')" ] || { echo "shim not silent without TT-Metal" >&2; exit 1; }
echo "libtttrack consumers: OK"
