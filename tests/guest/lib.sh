# Shared by the guest scripts.
M=/modules
T=/tests/tt_track_test
PARAMS="dram_capacity=4294967296 l1_capacity=1048576"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
load_standin() { insmod $M/tenstorrent.ko; }
load_tt_track() { insmod $M/tt_track.ko $PARAMS; }
loaded() { grep -q "^$1 " /proc/modules; }

# The debug kernel (KASAN, kmemleak, SLUB debugging) is ~100x slower per
# allocation: scale the largest test down there.
if grep -qw ttvariant=debug /proc/cmdline; then
    export TT_MILLION=100000 TT_FUZZ_SECONDS=15
fi
