# Shared by the guest scripts.
M=/modules
T=/tests/tt_track_test
PARAMS="dram_capacity=4294967296 l1_capacity=1048576"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
# The real tt-kmd. power_policy=0: its probe otherwise waits 0.5 s per card
# for a power-state answer from firmware the emulated cards do not have.
load_ttkmd() { insmod $M/tenstorrent.ko power_policy=0; }
# The stand-in, for what the real driver cannot do in a VM (suite.sh says which).
load_standin() { insmod $M/standin/tenstorrent.ko "$@"; }
load_tt_track() { insmod $M/tt_track.ko $PARAMS; }
loaded() { grep -q "^$1 " /proc/modules; }
# Device 0's leak counter (bytes reclaimed from files closed with live entries).
leaked() { awk '$1 == "leak" && $2 == 0 { print $3 }' /proc/driver/tenstorrent/0/stats; }
# check NAME CONDITION...: one PASS/FAIL line.
check() {
    name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

# The debug kernel (KASAN, kmemleak, SLUB debugging) is ~100x slower per
# allocation: scale the largest tests down there (the CI time budget).
variant=$(sed -n 's/.*ttvariant=\([a-z]*\).*/\1/p' /proc/cmdline)
TT_MEMCG_MAX=16M
if [ "$variant" = debug ]; then
    export TT_MILLION=30000 TT_FUZZ_SECONDS=10
    TT_MEMCG_MAX=4M
fi

# trinity (Debian's syscall fuzzer) at tt_track only: OPS syscalls with its
# device node as the victim file, then OPS with its /proc directory (instead of
# trinity's default of all of /dev, /proc and /sys).
trinity_at_tt_track() {
    for victim in /dev/tenstorrent-track /proc/driver/tenstorrent; do
        (cd /tmp && timeout 600 /tests/trinity --dangerous -q -l off -C 2 -N "$1" -V $victim \
            --disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
            -c ioctl -c read -c write -c pread64 -c pwrite64 -c lseek -c mmap -c dup2) > /tmp/trinity.log 2>&1
        grep -E "Added|Ran [0-9]+ syscalls" /tmp/trinity.log
        # It may run one call more than asked (its children race for the last).
        ran=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' /tmp/trinity.log | tail -1)
        check "trinity at $victim: $1 syscalls ($ran)" test "${ran:-0}" -ge "$1"
    done
}

# The host's files, read-only over 9p at $H, with the guest's own /proc, /sys,
# /dev and a tmpfs /tmp on top: `in_host CMD` runs the host's programs (the
# ttnn venv) inside the guest. The tests' files are copied to $H/tmp.
H=/host
venv=$(sed -n 's/.*ttvenv=\([^ ]*\).*/\1/p' /proc/cmdline)
mount_host() {
    mkdir -p $H
    if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose host $H; then
        fail "host share" "cannot mount the 9p share"
        return 1
    fi
    for d in proc sys dev; do mount --bind /$d $H/$d; done
    mkdir -p /dev/shm && mount -t tmpfs tmp $H/tmp && mount -t tmpfs shm $H/dev/shm
    cp /tests/ttnn/* /tests/tt-track-smi $H/tmp/
}
unmount_host() { umount $H/dev/shm $H/tmp $H/dev $H/sys $H/proc $H; }
in_host() {
    chroot $H /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp TT_METAL_CACHE=/tmp/tt-metal-cache/ \
        PYTHONDONTWRITEBYTECODE=1 TT_LOGGER_LEVEL=error LOGURU_LEVEL=WARNING TT_TRACK_SHIM=/tmp/libtttrack-ttmetal.so \
        TT_METAL_MOCK_CLUSTER_DESC_PATH=/tmp/${board:-n150}.yaml ${TT_VISIBLE_DEVICES:+TT_VISIBLE_DEVICES=$TT_VISIBLE_DEVICES} "$@"
}
# The cards' PCI addresses in ordinal order, and one card's ordinal.
cards_by_ordinal() {
    for n in $(ls /proc/driver/tenstorrent | sort -n); do
        sed -n '1s/.* pci \([^ ]*\) .*/\1/p' /proc/driver/tenstorrent/$n/stats
    done
}
ordinal_of() { head -qn1 /proc/driver/tenstorrent/*/stats | sed -n "s/.* device \([0-9]*\) pci $1 .*/\1/p"; }
# describe NAME SYSTEM ARGS...: $H/tmp/NAME.yaml, a cluster descriptor of this VM's
# cards (tests/ttnn/topology.py), for `board=NAME in_host ...`.
describe() {
    name=$1; shift
    in_host python3 /tmp/topology.py "$@" $(cards_by_ordinal) > $H/tmp/$name.yaml
}
# check_one_call_per_event NAME ROWS COLS: one tracking system call per tensor
# allocation or deallocation on a ROWSxCOLS mesh, whatever its size. strace
# counts tt_track's ioctls (magic 0xfa) of 50 allocate/deallocate pairs against
# none (the device open and close around them are the same).
check_one_call_per_event() {
    calls() {
        in_host sh -c "cd /tmp && exec strace -f -qq -e trace=ioctl -o /tmp/strace.out \
            $venv/bin/python /tmp/workload.py mesh-bench $2 $3 $1" >/dev/null 2>&1
        grep -c 'ioctl([0-9]*, _IOC([^,]*, 0xfa, 0x4' $H/tmp/strace.out
    }
    n=$(( $(calls 50 $2 $3) - $(calls 0 $2 $3) ))
    check "$1 ($2x$3 mesh): $n tracking system calls for 50 tensor allocations and 50 deallocations" test "$n" -eq 100
}
# start_ttnn_holder: real ttnn with the shim preloaded, holding DRAM, L1, CBs
# and a program until killed; waits for its READY line (in /tmp/hold.out,
# with its pid and bytes per type) and sets holder to its pid.
start_ttnn_holder() {
    in_host sh -c "cd /tmp && LD_PRELOAD=/tmp/libtttrack-ttmetal.so exec $venv/bin/python /tmp/workload.py hold" \
        > /tmp/hold.out 2>/tmp/hold.err &
    i=0; while ! grep -q READY /tmp/hold.out && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done
    grep -q READY /tmp/hold.out || tail -5 /tmp/hold.err
    holder=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' /tmp/hold.out)
}
