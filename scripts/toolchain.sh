# Sourced by the build scripts: the one toolchain that builds the kernel and
# every module (they must share a rustc, or modules fail with unknown symbols).
TT_TRACK_CACHE=${TT_TRACK_CACHE:-$HOME/.cache/tt-track}
RUSTC=/usr/bin/rustc
BINDGEN=$TT_TRACK_CACHE/bindgen/bin/bindgen
export LIBCLANG_PATH=/usr/lib/llvm-16/lib
KMAKE_FLAGS=(LLVM=-16 RUSTC="$RUSTC" RUSTDOC=/usr/bin/rustdoc BINDGEN="$BINDGEN")
