#!/bin/bash
# libtttrack as its consumers see it: installed with its header and .pc file,
# linked by a CMake project in three lines, and the TT-Metal adapter compiled
# against the declarations kept in the repo. On the host (no module) the
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

g++ -std=c++17 -Wall -Wextra -Werror -I"$work/prefix/include" -Iuserspace/libtttrack/integration \
    -c userspace/libtttrack/integration/tt_metal_adapter.cpp -o "$work/adapter.o"
echo "libtttrack consumers: OK"
