# The main job, shown: a workload of several processes reports allocations
# (one of them real ttnn with the TT-Metal shim), one is SIGKILLed, the /proc
# files are printed before and after.
. ./lib.sh
load_ttkmd && load_tt_track
show() {
    echo "---- tt-track-smi"; ./tt-track-smi --width 120
    for n in 0 1; do
        echo "---- /proc/driver/tenstorrent/$n/stats"; cat /proc/driver/tenstorrent/$n/stats
        echo "---- /proc/driver/tenstorrent/$n/allocations"; cat /proc/driver/tenstorrent/$n/allocations
    done
}
pids=""
for i in 1 2 3 4; do
    $T hold $((i % 2)) $((i * 2)) &
    pids="$pids $!"
done
# Real ttnn (mock mode, Wormhole n150) with the shim preloaded, holding DRAM, L1, CBs and a program.
if mount_host; then
    describe n150 n150 --ordinals 0
    start_ttnn_holder
    ttnn_pid=$holder
    [ -n "$ttnn_pid" ] || fail "demo: the ttnn process" "did not start (its last lines are above)"
fi
sleep 1
echo "==== workload running (pids$pids, ttnn ${ttnn_pid:-not started})"
show
victim=${pids# }; victim=${victim%% *}
echo "==== kill -9 $victim"
kill -9 "$victim"; sleep 1
show
dmesg | grep tt_track
for p in $pids ${ttnn_pid:-}; do kill "$p" 2>/dev/null; done
wait
[ -z "${ttnn_pid:-}" ] || unmount_host
echo "==== all exited"
show
