#!/bin/bash
# The real ttnn the VM suite runs: a Python 3.12 venv with ttnn==0.81.1 from
# PyPI (cp312 wheels only; Debian 12's Python is 3.11, pyenv's 3.12 is used),
# plus the sfpi compiler stand-in TT-Metal's mock mode needs
# (tests/ttnn/sfpi/riscv-tt-elf-g++). Idempotent. Prints the venv directory.
set -euo pipefail
cd "$(dirname "$0")/.."
TTNN_VERSION=0.81.1
VENV=${TT_TRACK_CACHE:-$HOME/.cache/tt-track}/ttnn-venv

installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("ttnn"))' 2>/dev/null; }
if [ "$(installed)" != "$TTNN_VERSION" ]; then
    python=""
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do
        "$candidate" --version >/dev/null 2>&1 && python=$candidate
    done
    [ -n "$python" ] || { echo "setup-ttnn: needs Python 3.12 (under pyenv or /usr/bin)" >&2; exit 1; }
    echo "setup-ttnn: installing ttnn==$TTNN_VERSION into $VENV (~670 MB)" >&2
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "ttnn==$TTNN_VERSION" >&2
fi
sfpi=$("$VENV/bin/python" -c 'import importlib.util as u; print(u.find_spec("ttnn").submodule_search_locations[0])')/runtime/sfpi/compiler/bin
install -D -m 755 tests/ttnn/sfpi/riscv-tt-elf-g++ "$sfpi/riscv-tt-elf-g++"
echo "$VENV"
