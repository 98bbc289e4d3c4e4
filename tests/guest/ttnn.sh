# Real TT-Metal, unchanged: the ttnn 0.81.1 wheel in mock mode with the
# tt-track shim loaded. The guest runs the host's Python and venv read-only
# over 9p (chroot into /host), with its own /proc, /dev and a tmpfs /tmp.
# Part of suite.sh; alone with `scripts/qemu-test.sh --ttnn`.
. ./lib.sh
loaded tt_track || { load_ttkmd && load_tt_track; }
mount_host || return 0
# py ARGS: workload.py in the host's venv; a crash is a failure of its own.
py() {
    in_host sh -c "cd /tmp && exec $venv/bin/python /tmp/workload.py $*" 2>/tmp/ttnn.err ||
        fail "ttnn: workload.py $* on $board" "$(tail -5 /tmp/ttnn.err)"
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$2"; }
total() { awk -v t=$1 '$1 == "total" && $2 == 0 && $3 == t { print $4 }' /proc/driver/tenstorrent/0/stats; }

# Step by step against ttnn's own graph capture, on both boards (shim via ctypes.CDLL).
for board in wormhole_n150 blackhole_p150; do py compare $board; done
board=wormhole_n150
py threads

# LD_PRELOAD, tt-smi's view, then SIGKILL in the middle: back to the baseline.
base="$(total DRAM) $(total L1) $(total CB) $(total KERNEL)"; leak0=$(leaked)
start_ttnn_holder
cat /tmp/hold.out
dram=$(field DRAM /tmp/hold.out); l1=$(field L1 /tmp/hold.out); cb=$(field CB /tmp/hold.out); kernel=$(field KERNEL /tmp/hold.out)
check "ttnn under LD_PRELOAD: DRAM, L1, CB and binaries tracked" test "${dram:-0}" -gt 0 -a "${l1:-0}" -gt 0 -a "${cb:-0}" -gt 0 -a "${kernel:-0}" -gt 0
./tt-smi --csv > /tmp/smi.csv
check "tt-smi shows the ttnn process with its DRAM, L1 and CB bytes" \
    grep -q "^0,0,$holder,0,[^,]*workload.py hold,[0-9]*,$dram,$l1,0,0,0,$cb,$kernel," /tmp/smi.csv
./tt-smi --width 120 | grep -E "PID|$holder"
kill -9 ${holder:-0}; wait
check "SIGKILL of the ttnn process: counters back to the baseline" \
    test "$(total DRAM) $(total L1) $(total CB) $(total KERNEL)" = "$base"
check "and the leak counter grew by exactly what it held" test "$(leaked)" -eq $((leak0 + ${dram:-0} + ${l1:-0} + ${cb:-0} + ${kernel:-0}))

# An interface the shim does not know: one line, and the host program is untouched.
LD_PRELOAD=/tests/ttnn/libtttrack-ttmetal.so ./fake_host /tests/fake/libtt_metal.so > /tmp/fake.out 2>&1
cat /tmp/fake.out
check "unknown TT-Metal interface: one line from the shim" \
    test "$(grep -c '^tt-track shim: unknown TT-Metal interface' /tmp/fake.out)" -eq 1
check "unknown TT-Metal interface: the host program runs to the end" grep -q "ran to the end" /tmp/fake.out

unmount_host
