# Sourced by the build scripts.
TT_TRACK_CACHE=${TT_TRACK_CACHE:-$HOME/.cache/tt-track}
# Debian's stock Rust-enabled kernel (trixie-backports) and the exact rustc it
# was built with (trixie's; its full version string is in every Rust symbol
# name, so modules must be built with it). scripts/trixie.sh provides both.
KVER=7.3.4
KSERIES=7.3
KREL=7.3.4+deb13-amd64
TRIXIE_RUSTC=1.85.1+dfsg1-1+deb13u1
# bindgen on the host, for the ABI's Rust file (scripts/gen-abi.sh).
BINDGEN=$TT_TRACK_CACHE/bindgen/bin/bindgen
export LIBCLANG_PATH=/usr/lib/llvm-16/lib
