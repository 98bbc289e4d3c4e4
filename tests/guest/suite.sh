# The VM test suite: module load/unload orders, then every scenario of
# tt_track_test with the stand-in and tt_track loaded.
. ./lib.sh

# check NAME CONDITION...: one PASS/FAIL line.
check() {
    name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
tt_files() { [ -e /proc/driver/tenstorrent/0/allocations ] && [ -e /proc/driver/tenstorrent/1/stats ] \
    && [ -c /dev/tenstorrent-track ]; }
no_tt_files() { [ ! -e /proc/driver/tenstorrent/0/allocations ] && [ ! -e /proc/driver/tenstorrent/1/stats ]; }
no_proc_dir() { [ ! -e /proc/driver/tenstorrent ]; }
devnode_mode() { [ "$(stat -c %a /dev/tenstorrent-track)" = 666 ]; }

# libtttrack without the module: a cheap no-op with a distinguishable status.
./lib_c_test unavailable

# tt_track must never create /proc/driver/tenstorrent (tt-kmd would then fail to load).
load_tt_track
check "alone: no /proc/driver/tenstorrent" no_proc_dir
check "alone: device node is 0666" devnode_mode
load_standin
check "tt_track then standin: files appear" tt_files
rmmod tenstorrent
check "standin unloaded first: files and directory gone" no_proc_dir
load_standin
check "standin reloaded: files back" tt_files
rmmod tt_track
check "tt_track unloaded first: our files gone" no_tt_files
check "tt_track unloaded first: pids stay" test -e /proc/driver/tenstorrent/0/pids
load_tt_track
check "standin then tt_track: files appear" tt_files
exec 3<>/dev/tenstorrent-track
check "rmmod refused while a file is open" sh -c '! rmmod tt_track 2>/dev/null'
exec 3>&-
rmmod tt_track
check "rmmod after close" sh -c '! grep -q "^tt_track " /proc/modules'
# Entries live across a tt-kmd reload, and are reclaimed once their holder dies.
allocs() { wc -l < /proc/driver/tenstorrent/0/allocations; }
load_tt_track
$T hold 0 5 & holder=$!
i=0; while [ "$(allocs)" -ne 6 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rmmod tenstorrent
load_standin
check "entries survive a tt-kmd reload" test "$(allocs)" -eq 6
kill $holder; wait $holder
check "holder reclaimed after the reload" test "$(allocs)" -eq 1
rmmod tt_track
rmmod tenstorrent
load_standin
load_tt_track
check "fresh load: no stale entries" test "$(allocs)" -eq 1
check "capacity parameters shown" sh -c "$T roundtrip >/dev/null && grep -q '^total 0 DRAM .* 4294967296$' /proc/driver/tenstorrent/0/stats"

for s in roundtrip errors fork8 sigkill threads rebind pidns million; do
    timeout 600 $T $s; rc=$?
    # 1: the test printed its FAIL line; anything else (timeout, crash) did not.
    [ $rc -le 1 ] || echo "FAIL $s: exit status $rc"
done
# libtttrack: C through the shared library, C++ through the static one.
./lib_c_test basic
./lib_c_test fork
TT_TRACK_DISABLE=1 ./lib_c_test disabled
./lib_cpp_test

rmmod tt_track && rmmod tenstorrent
check "clean unload at the end" no_proc_dir
