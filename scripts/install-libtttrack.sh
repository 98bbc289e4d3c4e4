#!/bin/bash
# Builds libtttrack and installs it under PREFIX (default /usr/local):
# include/{tt_track.h,tt_track_ioctl.h}, lib/libtttrack.{a,so.1}, the link-time
# lib/libtttrack.so -> libtttrack.so.1, lib/pkgconfig/tttrack.pc.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=$(realpath -m "${1:-/usr/local}")
cargo build --quiet --release -p libtttrack
version=$(sed -n 's/^version = "\(.*\)"/\1/p' userspace/libtttrack/Cargo.toml | head -1)
install -d "$PREFIX/include" "$PREFIX/lib/pkgconfig"
install -m 644 userspace/libtttrack/include/tt_track.h ioctl/tt_track_ioctl.h "$PREFIX/include/"
install -m 644 target/release/libtttrack.a "$PREFIX/lib/"
install -m 755 target/release/libtttrack.so "$PREFIX/lib/libtttrack.so.1"
ln -sf libtttrack.so.1 "$PREFIX/lib/libtttrack.so"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@VERSION@|$version|" userspace/libtttrack/tttrack.pc.in \
    > "$PREFIX/lib/pkgconfig/tttrack.pc"
echo "libtttrack $version installed under $PREFIX"
