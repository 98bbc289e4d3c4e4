# Smoke test of the tt_track.ko DKMS built in the trixie chroot (the only one
# in this VM), on the stock kernel next to the real tt-kmd.
. ./lib.sh
load_ttkmd
check "DKMS-built tt_track loads into the stock kernel" load_tt_track
check "DKMS-built tt_track: round trips on the cards" $T roundtrip
check "DKMS-built tt_track: its /proc files" test -e /proc/driver/tenstorrent/2/allocations
check "DKMS-built tt_track: SIGKILL reclaims" $T sigkill
check "DKMS-built tt_track: clean unload" sh -c "rmmod tt_track && rmmod tenstorrent"
