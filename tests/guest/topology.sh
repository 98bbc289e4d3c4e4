# A multi-card system (scripts/qemu-test.sh --topology SYSTEM): as many emulated
# Wormholes as the system has MMIO chips, at the PCI addresses its cluster
# descriptor names; real ttnn opens the whole mesh and every chip's memory must
# be on its own card and chip, step by step against ttnn's graph capture.
. ./lib.sh
system=$(sed -n 's/.*ttsystem=\([^ ]*\).*/\1/p' /proc/cmdline)    # NAME:ROWS:COLS
kind=${system%%:*}       # not `name`: check() uses that
want=$(sed -n 's/.*ttwormhole=\([^ ]*\).*/\1/p' /proc/cmdline | tr , '\n' | sort)
load_ttkmd
load_tt_track
check "$kind: tt-kmd and tt_track have all $(echo "$want" | wc -l) cards" \
    test "$(cards_by_ordinal | sort)" = "$want"
mount_host || return 0
describe $kind $kind
board=$kind
in_host sh -c "cd /tmp && exec $venv/bin/python /tmp/workload.py compare $(echo $system | tr : ' ')" 2>/tmp/ttnn.err ||
    fail "ttnn: workload.py compare $system" "$(tail -5 /tmp/ttnn.err)"
shape=$(echo ${system#*:} | tr : ' ')
check_one_call_per_event $kind $shape
if grep -q ttbench=1 /proc/cmdline; then
    echo "==== ttnn on the $kind mesh ($shape): per allocation event, alternating rounds"
    for round in 1 2 3 4 5; do
        echo "without shim: $(in_host env TT_TRACK_SHIM= $venv/bin/python /tmp/workload.py mesh-bench $shape 300 2>/dev/null)"
        echo "with shim:    $(in_host $venv/bin/python /tmp/workload.py mesh-bench $shape 300 2>/dev/null)"
    done
fi

# tt-track-smi groups the chips under their cards: a T3K's 4 cards each have a remote
# chip 1; a Galaxy's 32 chips are each chip 0 of their own card.
./tt-track-smi --width 150 > /tmp/smi.txt
head -45 /tmp/smi.txt
case $kind in t3k) remote=4 ;; *) remote=0 ;; esac
check "$kind: tt-track-smi lists $remote remote chips under their cards" \
    test "$(grep -c '^| *[0-9]* | 0  *| wormhole' /tmp/smi.txt) $(grep -c '^|  *| 1 remote |' /tmp/smi.txt)" = \
    "$(echo "$want" | wc -l) $remote"
unmount_host
