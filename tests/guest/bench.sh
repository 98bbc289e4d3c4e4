# The benchmarks, all in one VM run so their ratios hold (see BENCHMARKS.md).
. ./lib.sh
load_ttkmd && load_tt_track
echo "==== criterion (report path)"
CRITERION_HOME=/tmp/criterion ./report-bench --bench --noplot --warm-up-time 1 --measurement-time 4 2>&1 |
    grep -E '^report/|time:'
echo "==== CPU per event"
./tt-track-bench cpu
echo "==== two processes"
./tt-track-bench scaling
echo "==== kernel memory per entry"
./tt-track-bench slab
echo "==== ttnn: what the TT-Metal shim adds per allocation event"
if mount_host; then
    for round in 1 2 3; do
        echo "without shim: $(in_host env TT_TRACK_SHIM= $venv/bin/python /tmp/workload.py bench 2000 2>/dev/null)"
        echo "with shim:    $(in_host $venv/bin/python /tmp/workload.py bench 2000 2>/dev/null)"
    done
    unmount_host
fi
