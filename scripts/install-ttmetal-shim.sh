#!/bin/bash
# Builds the TT-Metal shim (userspace/ttmetal-shim) against libtttrack and
# installs PREFIX/lib/libtttrack-ttmetal.so (libtttrack too, as its build input).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=$(realpath -m "${1:-/usr/local}")
scripts/install-libtttrack.sh "$PREFIX" >&2
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cmake -S userspace/ttmetal-shim -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" >/dev/null
cmake --build "$build" >/dev/null
cmake --install "$build" >/dev/null
echo "libtttrack-ttmetal.so installed under $PREFIX/lib"
