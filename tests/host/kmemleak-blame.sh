#!/bin/bash
# The debug suite's kmemleak check blames each leak on the module that made it,
# also when a frame of a tt-kmd instance unloaded since resolves to tt_track
# now (seen in CI: tt-kmd's probe leaks named as tt_track's quicksort). The
# fixture is that CI report's first objects plus one leak from tt_track's ioctl.
set -euo pipefail
cd "$(dirname "$0")/../.."
got=$(awk -f tests/guest/kmemleak-blame.awk tests/host/fixtures/kmemleak-stale-frames.txt)
[ "$got" = "1 3" ] || { echo "kmemleak-blame: '$got' (tt_track, tt-kmd), expected '1 3'" >&2; exit 1; }
echo "kmemleak blame: OK"
