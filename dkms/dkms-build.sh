#!/bin/sh
# Builds tt_track.ko for kernel release $1 whose headers are at $2 (DKMS's MAKE).
# Out-of-tree Rust modules need the kernel's Rust metadata (rust/*.rmeta), which
# Debian's headers packages do not ship: it is made once per kernel release from
# the matching linux-source package, with the exact rustc the kernel names,
# under /var/cache/tt-track/<release> (TT_TRACK_DKMS_CACHE overrides).
set -eu
krel=$1
headers=$2
cache=${TT_TRACK_DKMS_CACHE:-/var/cache/tt-track}/$krel
die() { echo "tt-track: $*" >&2; exit 1; }
value() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}$/\\1/p" "$headers/.config"; }

[ -f "$headers/.config" ] || die "no headers for kernel $krel: apt install linux-headers-$krel"
[ "$(value CONFIG_RUST)" = y ] || die "kernel $krel is built without Rust (CONFIG_RUST): no Rust module can load into it"
want=$(value CONFIG_RUSTC_VERSION_TEXT)
have=$(rustc --version 2>/dev/null || true)
[ "$have" = "$want" ] ||
    die "kernel $krel needs exactly '$want' (found '${have:-no rustc}'): apt install rustc rust-src libstd-rust-dev of that version"
want=$(value CONFIG_BINDGEN_VERSION_TEXT)
have=$(bindgen --version 2>/dev/null | head -1 || true)
[ "$have" = "$want" ] || die "kernel $krel needs '$want' (found '${have:-no bindgen}'): apt install bindgen of that version"
want=$(value CONFIG_CC_VERSION_TEXT)
cc=${want%% *}                                      # e.g. x86_64-linux-gnu-gcc-14
have=$($cc --version 2>/dev/null | head -1 || true)
[ "$have" = "$want" ] || die "kernel $krel needs the C compiler '$want' (found '${have:-no $cc}'): apt install ${cc##*-linux-gnu-}"

tree=$headers
if [ ! -f "$headers/rust/libkernel.rmeta" ]; then
    tree=$cache/linux
    if [ ! -f "$tree/.tt-track-prepared" ]; then
        version=${krel%%[+-]*}                          # 7.3.4
        series=$(echo "$version" | cut -d. -f1-2)       # 7.3
        source=/usr/src/linux-source-$series.tar.xz
        [ -f "$source" ] || die "kernel $krel's headers lack its Rust metadata; making it needs linux-source-$series: apt install linux-source-$series"
        echo "tt-track: making the Rust metadata of $krel from linux-source-$series (once per release, minutes)"
        rm -rf "$tree" && mkdir -p "$tree"
        tar -xf "$source" -C "$tree" --strip-components=1
        made=$(make -s -C "$tree" kernelversion)
        [ "$made" = "$version" ] || die "linux-source-$series is $made, kernel $krel is $version: install the matching linux-source-$series"
        cp "$headers/.config" "$tree/.config"
        make -s -C "$tree" CC="$cc" olddefconfig
        make -s -C "$tree" CC="$cc" -j"$(nproc)" KERNELRELEASE="$krel" modules_prepare
        # The stock exports: modpost then fails on anything the kernel does not export.
        cp "$headers/Module.symvers" "$tree/Module.symvers"
        touch "$tree/.tt-track-prepared"
    fi
fi
make KDIR="$tree" CC="$cc"
