# The benchmarks, all in one VM boot so their ratios hold (see BENCHMARKS.md).
# Every figure is one `bench NAME VALUE` line; scripts/bench-table.py makes
# the table from several boots.
. ./lib.sh
load_ttkmd && load_tt_track
mkdir -p /tmp/bench-tmpfs && mount -t tmpfs bench /tmp/bench-tmpfs
./tt-track-bench report /tmp/bench-tmpfs || fail "tt-track-bench report" "exit status $?"
umount /tmp/bench-tmpfs
# What the TT-Metal shim adds per ttnn allocation event: alternating rounds
# of the same program without the shim and with it; and, without the shim,
# with one no-op ioctl on the node after each event against one plain C call
# (what one system call costs inside this large program).
if mount_host; then
    describe n150 n150 --ordinals 0
    for round in 1 2 3 4 5; do
        for run in without_shim with_shim noop_ioctl c_call; do
            preload= extra=
            case $run in
                with_shim) preload=/tmp/libtttrack-ttmetal.so ;;
                noop_ioctl) extra=ioctl ;;
                c_call) extra=call ;;
            esac
            us=$(in_host env TT_TRACK_SHIM=$preload $venv/bin/python /tmp/workload.py bench 5000 $extra 2>/dev/null |
                sed -n 's/^BENCH \([0-9.]*\) us.*/\1/p')
            echo "bench ttnn_event_${run}_us ${us:-nan}"
        done
    done
    unmount_host
fi
