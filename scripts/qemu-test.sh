#!/bin/bash
# Builds everything and runs the tt_track VM suite (or the demo) in QEMU.
#
#   scripts/qemu-test.sh           the test suite; exit status 0 only if all passed
#   scripts/qemu-test.sh --demo    the main job, shown: a live workload, a SIGKILL,
#                                  the /proc files before and after
#   scripts/qemu-test.sh --bench [BOOTS]
#                                  the benchmarks (BENCHMARKS.md) in BOOTS VM boots (5),
#                                  then their table: per-boot figures, median (min-max)
#   scripts/qemu-test.sh --ttnn    only the ttnn part of the suite (tests/guest/ttnn.sh)
#   scripts/qemu-test.sh --trace   the instructions of a no-op ioctl, an ALLOC, a FREE and
#                                  BATCHes of 8, counted by gdb through QEMU's gdbstub
#                                  (scripts/trace-ioctl.py, BENCHMARKS.md)
#   scripts/qemu-test.sh --topology n150|t3k|galaxy [--bench]
#                                  one n150, a T3K (4 cards, 2x4 mesh) or a 6U Galaxy (32 cards
#                                  on four PCI segments, 4x8 mesh): real ttnn opens the
#                                  whole mesh (tests/guest/topology.sh); --bench adds
#                                  the mesh allocation benchmark (BENCHMARKS.md)
#   scripts/qemu-test.sh --dkms    tt_track.ko built by DKMS in the trixie chroot
#                                  (scripts/install-dkms.sh), loaded next to the real
#                                  tt-kmd on the stock kernel: a smoke test
#   scripts/qemu-test.sh --debug   the suite on the debug kernel (KASAN, lockdep, kmemleak,
#                                  UBSAN, SLUB debugging), with a kmemleak scan at the end
#   scripts/qemu-test.sh --soak N  the soak test for N minutes (debug kernel)
#   scripts/qemu-test.sh --fuzz N  the structured fuzzer for N minutes, a fresh seed a minute (debug kernel)
#
# Fails on any FAIL line, on a guest that does not finish, and on any kernel
# WARNING, BUG, Oops, Call Trace or lockdep report in the console log.
# Last line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
mode=suite
variant=base
case "${1:-}" in
    --demo) mode=demo ;;
    --bench) mode=bench boots=${2:-5}
        [[ "$boots" =~ ^[1-9][0-9]*$ ]] || { echo "$0: BOOTS must be a positive number" >&2; exit 2; } ;;
    --ttnn) mode=ttnn ;;
    --trace) mode=trace ;;
    --dkms) mode=dkms ;;
    --topology) mode=topology
        case "${2:-}" in n150) system=n150:1:1 ;; t3k) system=t3k:2:4 ;; galaxy) system=galaxy:4:8 ;;
            *) echo "$0: --topology n150|t3k|galaxy [--bench]" >&2; exit 2 ;; esac
        [ "${3:-}" = --bench ] && topology_bench=1 ;;
    --debug) variant=debug ;;
    --soak|--fuzz) mode=long variant=debug long=${1#--} minutes=${2:?minutes}
        [[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "$0: minutes must be a positive number" >&2; exit 2; } ;;
    "") ;;
    *) echo "usage: $0 [--demo|--bench|--trace|--ttnn|--topology n150|t3k|galaxy|--dkms|--debug|--soak MINUTES|--fuzz MINUTES]" >&2
        exit 2 ;;
esac
TIMEOUT=${TT_TRACK_VM_TIMEOUT:-$(( ${minutes:-0} * 180 + 1800 ))}

scripts/setup-host.sh
VENV=$(scripts/setup-ttnn.sh | tail -1)
source scripts/toolchain.sh
kernel=$(scripts/build-kernel.sh "$variant")
KDIR=$(sed -n 1p <<<"$kernel"); IMAGE=$(sed -n 2p <<<"$kernel"); MAKEVARS=$(sed -n 3p <<<"$kernel")
MODULES=$(scripts/build-modules.sh "$KDIR" "$MAKEVARS" | tail -1)
WORK=$(mktemp -d /tmp/tt-track-vm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "build: guest programs and initramfs" >&2
root=$WORK/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,tests}
chmod 755 "$root"
cp /bin/busybox "$root/bin/busybox"
cp -r "$MODULES"/. "$root/modules/"
if [ "$mode" = dkms ]; then
    # A real trixie system installs the module: dkms, headers, linux-source.
    echo "build: tt_track.ko by DKMS in the trixie chroot" >&2
    scripts/trixie.sh run sh -c "cd /src && scripts/install-dkms.sh $KREL" >&2
    built=$(ls "$TT_TRACK_CACHE"/trixie/lib/modules/$KREL/updates/dkms/tt_track.ko*)
    case "$built" in
        *.xz) xz -dc "$built" > "$root/modules/tt_track.ko" ;;
        *.zst) zstd -qdc "$built" > "$root/modules/tt_track.ko" ;;
        *) cp "$built" "$root/modules/tt_track.ko" ;;
    esac
fi
if [ "$variant" = base ]; then
    # 9p (the host's / for the ttnn part) is modular in the stock kernel.
    mkdir -p "$root/modules/9p"
    stock=$TT_TRACK_CACHE/stock/root/usr/lib/modules/$KREL/kernel
    for m in fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
        xz -dc "$stock/$m.ko.xz" > "$root/modules/9p/${m##*/}.ko"
    done
fi
for prog in tt_track_test fuzz soak; do
    extra=(); [ $prog = tt_track_test ] && extra=(tests/guest/hostile.c)
    gcc -static -O2 -Wall -Werror -pthread -o "$root/tests/$prog" tests/guest/$prog.c tests/guest/tt.c "${extra[@]}"
done
scripts/install-ttmetal-shim.sh "$WORK/prefix" >&2
inc=(-I"$WORK/prefix/include")
g++ -static -O2 -Wall -Werror -pthread "${inc[@]}" -o "$root/tests/lib_cpp_test" \
    tests/guest/lib_cpp_test.cpp "$WORK/prefix/lib/libtttrack.a" -ldl 2>/dev/null
gcc -O2 -Wall -Werror "${inc[@]}" -o "$root/tests/lib_c_test" tests/guest/lib_c_test.c \
    -L"$WORK/prefix/lib" -ltttrack -Wl,-rpath,/usr/lib/tt-track
# ttnn with the shim (tests/guest/ttnn.sh); an unknown TT-Metal for it to refuse.
mkdir -p "$root/tests/ttnn" "$root/tests/fake"
cp "$WORK/prefix/lib/libtttrack-ttmetal.so" tests/ttnn/{workload.py,topology.py} "$root/tests/ttnn/"
scripts/build-wheel.sh "$root/tests/ttnn" "$WORK/prefix" >/dev/null
gcc -O2 -Wall -Werror -shared -fPIC -o "$root/tests/fake/libtt_metal.so" tests/ttnn/fake_tt_metal.c
gcc -O2 -Wall -Werror -o "$root/tests/fake_host" tests/ttnn/fake_host.c
# Dynamically linked guest programs need the loader and their libraries.
mkdir -p "$root/usr/lib/tt-track"
cp "$WORK/prefix/lib/libtttrack.so.1" "$root/usr/lib/tt-track/"
cp /usr/bin/trinity "$root/tests/"
for dynamic in tests/lib_c_test tests/ttnn/libtttrack-ttmetal.so tests/trinity; do
    LD_LIBRARY_PATH="$WORK/prefix/lib" ldd "$root/$dynamic" | grep -o '/[^ ]*' | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
    done
done
# Rust programs for the guest, static so it needs no libraries.
static=(--target x86_64-unknown-linux-gnu -p tt-track-smi -p tt-track-bench)
export RUSTFLAGS="-C target-feature=+crt-static"
cargo build --quiet --release "${static[@]}" 2>/dev/null
cp target/x86_64-unknown-linux-gnu/release/{tt-track-smi,tt-track-bench} "$root/tests/"
unset RUSTFLAGS
cp tests/guest/{lib.sh,suite.sh,ttnn.sh,topology.sh,demo.sh,bench.sh,trace.sh,long.sh,dkms.sh,kmemleak-blame.awk} "$root/tests/"
install -m 755 tests/guest/init "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.gz"

# KVM only when it really works (see docs: nested KVM here stalls); TCG otherwise.
# TCG runs both vCPUs on one host thread: with one thread per vCPU, a vCPU
# could run code the other was patching (the stock kernel's static keys; seen
# once as an int3 Oops in sched_clock_cpu during boot). TT_TRACK_MTTCG=1 opts in;
# the benchmarks need it, as two processes must really run at once.
accel=tcg,thread=single
if [ "${TT_TRACK_MTTCG:-0}" = 1 ] || [ "$mode" = bench ]; then accel=tcg,thread=multi; fi
if [ "${TT_TRACK_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then accel=kvm; fi
# Three cards for the real tt-kmd (tests/ttcard makes them read as such, see
# shared/docs/real-ttkmd-facts.md): two Wormholes, NVMe controllers with a
# 32 MiB persistent memory region as BAR4, at 00:05.0 and 00:06.0, and a
# Blackhole, a secondary VGA with a 512 MiB BAR0, at 00:07.0.
wormhole() {  # wormhole N QEMU-PLACEMENT
    echo "-object memory-backend-ram,id=pmr$1,size=32M -device nvme,serial=wh$1,cmb_size_mb=1,pmrdev=pmr$1,$2"
}
cards=(-vga none $(wormhole 0 addr=0x5) $(wormhole 1 addr=0x6) -device secondary-vga,vgamem_mb=512,addr=0x7)
# 32 more PCI functions no driver claims: the suite binds them to the stand-in
# one at a time (driver_override), as cards coming and going at new addresses.
spares=()
for slot in 10 11 12 13; do
    for fn in 0 1 2 3 4 5 6 7; do spares+=(-device pci-testdev,addr=0x$slot.$fn,multifunction=on); done
done
cmdline=""
if [ "$mode" = topology ]; then
    # One Wormhole per MMIO chip at the address the descriptor names: on bus 0
    # (slot 5 on), or behind a PCIe root port: buses 0x01-0x3f under root ports
    # on bus 0, buses above 0x40 under a PCI expander bridge per 0x40 buses
    # (pxb-pcie numbers its root bus; the firmware numbers the ports' buses in order).
    addresses=$(python3 tests/ttnn/topology.py --cards "${system%%:*}")
    cards=(-vga none) spares=() n=0
    declare -A expander
    for a in $addresses; do
        bus=$((16#${a:5:2})) slot=${a:8:2}
        if [ $bus -eq 0 ]; then
            cards+=($(wormhole $n addr=0x$slot))
        else
            parent=pcie.0 base=$(( bus & 0xc0 ))
            if [ $base -ne 0 ]; then
                parent=pxb$base
                [ -n "${expander[$base]:-}" ] ||
                    cards+=(-device pxb-pcie,id=$parent,bus_nr=$base,bus=pcie.0,addr=0x$(printf %x $((0x18 + base / 64))))
                expander[$base]=1
            fi
            port=$(( (bus - base - 1) ))
            cards+=(-device pcie-root-port,id=rp$n,bus=$parent,chassis=$((n + 1)),slot=$((n + 1)),addr=0x$(printf %x $((0x10 + port / 8))).$((port % 8)),multifunction=on)
            cards+=($(wormhole $n bus=rp$n))
        fi
        n=$((n + 1))
    done
    cmdline="ttwormhole=$(echo $addresses | tr ' ' ,) ttsystem=$system ttbench=${topology_bench:-0}"
fi
# One boot; its console log in $log.
boot() {
    echo "vm: booting the $variant kernel ($accel, 2 vCPUs, ${#cards[@]} card arguments, ${#spares[@]} spare ones)" >&2
    set +e
    timeout "$TIMEOUT" qemu-system-x86_64 -machine q35 -accel $accel -cpu max -smp 2 -m 3G \
        -kernel "$IMAGE" -initrd "$WORK/initramfs.gz" \
        -append "console=ttyS0 panic=-1 oops=panic loglevel=5 ttmode=$mode ttvariant=$variant ttlong=${long:-} ttminutes=${minutes:-0} ttvenv=$VENV $cmdline" \
        "${cards[@]}" "${spares[@]}" \
        -fsdev local,id=hostfs,path=/,security_model=none,readonly=on,multidevs=remap \
        -device virtio-9p-pci,fsdev=hostfs,mount_tag=host,bus=pcie.0 \
        ${gdbstub[@]+"${gdbstub[@]}"} -nographic -no-reboot -monitor none -serial stdio </dev/null | tee "$log"
    set -e
}
if [ "$mode" = trace ]; then
    # The guest loops over the calls; gdb steps through one of each and ends
    # the VM (monitor quit). Needs gdb on the host (setup-host.sh).
    log=$WORK/console-1.log gdbstub=(-gdb tcp:127.0.0.1:${TT_TRACK_GDB_PORT:-1234})
    boot > /dev/null &
    until grep -q '^TRACE-READY' "$log" 2>/dev/null; do
        kill -0 $! 2>/dev/null || { echo "vm: the guest ended before the trace (log: $log)"; exit 1; }
        sleep 2
    done
    # gdb's own chatter (each step's location, the link closing at quit) left out.
    table=$(TRACE_LOG=$log TRACE_PORT=${TT_TRACK_GDB_PORT:-1234} gdb -q -batch -nx -x scripts/trace-ioctl.py 2>&1 |
        grep -E '^(trace|\|)') || true
    pkill -f -- "$WORK/initramfs.gz" || true  # a VM gdb did not end
    wait
    echo "$table"
    # One row per call (the header and separator rows start otherwise).
    [ "$(grep -c '^| [^c-]' <<<"$table")" -eq 5 ] || { echo "vm: the trace is incomplete (log: $log)"; exit 1; }
    exit
fi
logs=()
for n in $(seq 1 "${boots:-1}"); do
    log=$WORK/console-$n.log
    boot
    logs+=("$log")
done
if [ "$mode" = bench ]; then
    kept=$TT_TRACK_CACHE/bench/$(date +%Y%m%d-%H%M%S)
    mkdir -p "$kept" && cp "${logs[@]}" "$kept/"
    echo "bench: ${#logs[@]} boots, logs in $kept"
    python3 scripts/bench-table.py "$kept"/console-*.log
fi

passed=$(cat "${logs[@]}" | grep -c '^PASS ' || true)
failed=$(cat "${logs[@]}" | grep -c '^FAIL ' || true)
problems=0
for log in "${logs[@]}"; do
    if ! grep -q '^TT-TRACK-GUEST-DONE' "$log"; then
        echo "vm: the guest did not finish ($log)"; problems=1
    fi
done
kernel_problems='WARNING:|BUG:|Oops|Call Trace|possible (circular|recursive) locking|inconsistent lock state'
kernel_problems+='|DEBUG_LOCKS_WARN_ON|UBSAN:|KASAN:|kernel panic'
if grep -nE "$kernel_problems" "${logs[@]}"; then
    echo "vm: kernel problem reported in the console log (lines above)"; problems=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$problems" -eq 0 ] && { [ "$mode" = demo ] || [ "$mode" = bench ] || [ "$passed" -gt 0 ]; }
