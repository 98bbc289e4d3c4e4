#!/bin/bash
# tests/ttnn/host-bench.sh [ROUNDS] [SHIM.so...]: what the TT-Metal shim adds to one ttnn
# allocation event, on this host, without tt_track.ko (no VM). The ttnn venv of
# scripts/setup-ttnn.sh in mock mode on an n150 descriptor runs `workload.py bench`;
# tests/ttnn/fake_module.c stands in for /dev/tenstorrent-track, so the shim attaches and does
# all its per-event work except the ioctl itself (the fake answers in user space).
# Each SHIM.so (default: this tree's, built here) is compared with no shim:
#   - instructions per event (callgrind, deterministic): the difference between 600 and 100
#     allocate/deallocate pairs, over 1000 events;
#   - wall time per event: ROUNDS (default 5) rounds of 2000 pairs, alternating, and the medians.
# Prints figures, asserts nothing. Heavy: run it alone, e.g. under `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
shift || true
venv=${TT_TRACK_CACHE:-$HOME/.cache/tt-track}/ttnn-venv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shims=("$@")
if [ ${#shims[@]} -eq 0 ]; then
    scripts/install-ttmetal-shim.sh "$work/prefix" >/dev/null
    shims=("$work/prefix/lib/libtttrack-ttmetal.so")
fi
gcc -O2 -Wall -Werror -shared -fPIC -o "$work/fake_module.so" tests/ttnn/fake_module.c -ldl
"$venv/bin/python" tests/ttnn/topology.py n150 --ordinals 0 0000:00:05.0 > "$work/n150.yaml"
cp tests/ttnn/workload.py "$work/"
cd "$work"  # TT-Metal writes ./generated
export TT_METAL_MOCK_CLUSTER_DESC_PATH=$work/n150.yaml TT_METAL_CACHE=$work/cache/ PYTHONHASHSEED=0 \
    TT_LOGGER_LEVEL=error LOGURU_LEVEL=WARNING PYTHONDONTWRITEBYTECODE=1

# run SHIM|none CMD...: CMD with the shim loaded after `import ttnn` (and the fake module), or none.
run() {
    if [ "$1" = none ]; then shift; "$@"; else
        shim=$1; shift; LD_PRELOAD=$work/fake_module.so TT_TRACK_SHIM=$shim "$@"; fi
}
instructions() {  # SHIM|none PAIRS
    run "$1" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$venv/bin/python" workload.py bench "$2" 2>&1 |
        sed -n 's/.*Collected : //p'
}
per_event() { echo $(( ($(instructions "$1" 600) - $(instructions "$1" 100)) / 1000 )); }
wall() { run "$1" "$venv/bin/python" workload.py bench 2000 2>&1 | sed -n 's/^BENCH \([0-9.]*\) us.*/\1/p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

base=$(per_event none)
echo "instructions per event: no shim $base"
for shim in "${shims[@]}"; do
    n=$(per_event "$shim")
    echo "instructions per event: $shim $n (+$((n - base)))"
done
all=(none "${shims[@]}")  # wall.K: the per-round figures of all[K]
for i in $(seq "$rounds"); do
    line="round $i:"
    for k in "${!all[@]}"; do
        t=$(wall "${all[$k]}")
        echo "$t" >> "$work/wall.$k"
        line="$line $t"
    done
    echo "$line us per event (no shim, then each shim)"
done
for k in "${!all[@]}"; do
    echo "wall per event, median of $rounds rounds: ${all[$k]} $(median < "$work/wall.$k") us"
done
