# The benchmarks, all in one VM run so their ratios hold (see BENCHMARKS.md).
. ./lib.sh
load_standin && load_tt_track
echo "==== criterion (report path)"
CRITERION_HOME=/tmp/criterion ./report-bench --bench --noplot --warm-up-time 1 --measurement-time 4 2>&1 |
    grep -E '^report/|time:'
echo "==== CPU per event"
./tt-track-bench cpu
echo "==== two processes"
./tt-track-bench scaling
echo "==== kernel memory per entry"
./tt-track-bench slab
