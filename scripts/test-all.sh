#!/bin/bash
# Every test: the ABI freshness check, host `cargo test`, then the VM suite on
# Debian's stock kernel (real tt-kmd, real ttnn), README's demo (it fails if its
# ttnn process does not start), the instruction trace of the report path, the
# T3K and Galaxy VMs, the DKMS install, and the suite on the debug kernel
# (fuzzers, trinity, soak).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-host.sh
scripts/gen-abi.sh --check
cargo test --workspace --quiet
tests/host/libtttrack-consumers.sh
tests/host/kmemleak-blame.sh
scripts/qemu-test.sh
scripts/qemu-test.sh --demo
scripts/qemu-test.sh --trace
scripts/qemu-test.sh --topology t3k
scripts/qemu-test.sh --topology galaxy
scripts/qemu-test.sh --dkms
scripts/qemu-test.sh --debug
