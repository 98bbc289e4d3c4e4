# Long reliability runs (`make soak MINUTES=N`, `make fuzz MINUTES=N`): the
# minutes come on the kernel command line as ttminutes=N.
. ./lib.sh
minutes=10
for arg in $(cat /proc/cmdline); do
    case "$arg" in ttminutes=*) minutes=${arg#ttminutes=} ;; ttlong=*) what=${arg#ttlong=} ;; esac
done
load_ttkmd && load_tt_track
case "$what" in
    soak) ./soak $((minutes * 60)) ;;
    fuzz)
        # Rounds of the structured fuzzer (one minute, a fresh printed seed each)
        # and 1,000 trinity syscalls at each victim (about 3 minutes a round).
        i=0
        while [ $i -lt "$minutes" ]; do
            ./fuzz 60 $(cat /proc/sys/kernel/random/uuid | tr -dc 0-9 | cut -c1-9) || break
            trinity_at_tt_track 1000
            i=$((i + 1))
        done
        ;;
esac
rmmod tt_track && rmmod tenstorrent && echo "PASS clean unload after the long run"
