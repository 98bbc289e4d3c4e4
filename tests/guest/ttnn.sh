# Real TT-Metal, unchanged: the ttnn 0.81.1 wheel in mock mode with the
# tt-track shim loaded. The guest runs the host's Python and venv read-only
# over 9p (chroot into /host), with its own /proc, /dev and a tmpfs /tmp.
# Cluster descriptors (tests/ttnn/topology.py) name this VM's cards.
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
wh0=$(ordinal_of 0000:00:05.0) wh1=$(ordinal_of 0000:00:06.0) bh=$(ordinal_of 0000:00:07.0)
describe n150 n150 --ordinals 0
describe p150 p150 --ordinals $bh
describe n300 n300 --ordinals $wh1
describe 2xn150 2xn150 --ordinals 0,1
describe n150-node n150 --no-pci --ordinals $wh0
in_host python3 /tmp/topology.py n150 --ordinals 0 0000:00:09.0 > $H/tmp/nowhere.yaml

# Step by step against ttnn's own graph capture, per chip (shim via ctypes.CDLL):
# the single-chip boards, and an n300 (its second chip behind the first, on card $wh1).
for system in n150:1:1 p150:1:1 n300:1:2; do
    board=${system%%:*}
    py compare $(echo $system | tr : ' ')
done
# Remaps: TT-Metal's chip 0 is whatever card UMD was given: the one TT_VISIBLE_DEVICES
# names (by number: /dev/tenstorrent/N, which is chip N here too; or by PCI address),
# or the one behind /dev/tenstorrent/0 in the process's mount namespace.
board=2xn150
for TT_VISIBLE_DEVICES in 1 $(cards_by_ordinal | sed -n 2p); do py on-card 1; done
board=n150-node TT_VISIBLE_DEVICES=
py on-card $wh0
unshare -m --propagation private sh -c ". ./lib.sh; mount --bind $H/dev/tenstorrent/$wh1 $H/dev/tenstorrent/$wh0 && board=n150-node &&
    in_host $venv/bin/python /tmp/workload.py on-card $wh1" 2>/tmp/ttnn.err ||
    fail "ttnn: card $wh1's node as /dev/tenstorrent/$wh0" "$(tail -5 /tmp/ttnn.err)"
# A chip on no card tt_track knows: one line on stderr, counted nowhere.
board=nowhere
py on-card none
check "a chip on no known card: one line from the shim" \
    test "$(grep -c '^tt-track shim: TT-Metal chip 0 is not tracked: no tt_track card at PCI address 0000:00:09.0' /tmp/ttnn.err)" -eq 1
board=n150
py threads
py ring 131072
check_one_call_per_event n150 1 1

# The tttrack wheel, pip-installed into a venv that sees ttnn (a fresh one in the
# guest's tmpfs, its path to the ttnn venv in a .pth): every `import ttnn` in it is
# tracked, no LD_PRELOAD, no code change; pip uninstall removes the hook.
wv=/tmp/wheel-venv
wpy="env -u TT_TRACK_SHIM $wv/bin/python /tmp/workload.py"
pip="$venv/bin/python -m pip --python $wv/bin/python -q --no-cache-dir"
in_host sh -c "$venv/bin/python -m venv --without-pip $wv &&
    echo $venv/lib/python3.12/site-packages > $wv/lib/python3.12/site-packages/ttnn-venv.pth &&
    $pip install --no-index /tmp/tttrack-*.whl && cd /tmp && $wpy hooked 0" 2>/tmp/ttnn.err ||
    fail "ttnn: the tttrack wheel" "$(tail -5 /tmp/ttnn.err)"
# Asking whether ttnn exists, or for usage, before importing it does not lose the hook.
in_host sh -c "cd /tmp && env -u TT_TRACK_SHIM $wv/bin/python -c \"import importlib.util, sys, tttrack
importlib.util.find_spec('ttnn'); tttrack.usage(0, 0)
sys.argv = ['workload.py', 'hooked', '0']; exec(open('/tmp/workload.py').read())\"" 2>/tmp/ttnn.err ||
    fail "ttnn: the tttrack wheel, usage() before import" "$(tail -5 /tmp/ttnn.err)"
in_host sh -c "$pip uninstall -y tttrack && cd /tmp && $wpy hooked none" 2>/tmp/ttnn.err ||
    fail "ttnn: the tttrack wheel uninstalled" "$(tail -5 /tmp/ttnn.err)"

# LD_PRELOAD, tt-track-smi, then SIGKILL in the middle: back to the baseline.
base="$(total DRAM) $(total L1) $(total CB) $(total KERNEL)"; leak0=$(leaked)
start_ttnn_holder
cat /tmp/hold.out
dram=$(field DRAM /tmp/hold.out); l1=$(field L1 /tmp/hold.out); cb=$(field CB /tmp/hold.out); kernel=$(field KERNEL /tmp/hold.out)
check "ttnn under LD_PRELOAD: DRAM, L1, CB and binaries tracked" test "${dram:-0}" -gt 0 -a "${l1:-0}" -gt 0 -a "${cb:-0}" -gt 0 -a "${kernel:-0}" -gt 0
./tt-track-smi --csv > /tmp/smi.csv
check "tt-track-smi shows the ttnn process with its DRAM, L1 and CB bytes" \
    grep -q "^0,0,$holder,0,[^,]*workload.py hold,[0-9]*,$dram,$l1,0,0,0,$cb,$kernel," /tmp/smi.csv
./tt-track-smi --width 120 | grep -E "PID|$holder"
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
