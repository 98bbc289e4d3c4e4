# The report path instruction by instruction (scripts/qemu-test.sh --trace):
# the kernel's symbols for the host's gdb, then the calls it steps through.
. ./lib.sh
load_ttkmd && load_tt_track
echo 0 > /proc/sys/kernel/kptr_restrict
echo "==== kallsyms"
grep ' [tT] ' /proc/kallsyms
echo "==== end kallsyms"
echo "TRACE-READY"
exec ./tt-track-bench trace
