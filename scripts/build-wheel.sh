#!/bin/bash
# scripts/build-wheel.sh [DIR [PREFIX]]
# Builds the `tttrack` wheel into DIR (default dist/) and prints its path:
# the Python package (userspace/tttrack-py: tttrack.usage() and the import
# hook), the TT-Metal shim (which carries libtttrack), and tttrack-hook.pth, which starts
# the hook with the interpreter. `pip install` it into ttnn's venv and every
# `import ttnn` there is tracked. A wheel is a zip with a RECORD of hashes;
# Python's standard library makes it, nothing is downloaded. PREFIX: where
# scripts/install-ttmetal-shim.sh has already installed the libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-dist}")
prefix=${2:-}
if [ -z "$prefix" ]; then
    prefix=$(mktemp -d)
    trap 'rm -rf "$prefix"' EXIT
    scripts/install-ttmetal-shim.sh "$prefix" >&2
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' userspace/libtttrack/Cargo.toml)
python3 - "$OUT" "$version" userspace/tttrack-py "$prefix/lib" <<'PY'
import base64, hashlib, os, sys, zipfile

out, version, src, lib = sys.argv[1:]
name = f"tttrack-{version}"
files = {f"tttrack/{f}": os.path.join(src, "tttrack", f) for f in ("__init__.py", "_hook.py")}
files["tttrack-hook.pth"] = os.path.join(src, "tttrack-hook.pth")
files["tttrack/libtttrack-ttmetal.so"] = os.path.join(lib, "libtttrack-ttmetal.so")
meta = {
    f"{name}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: tttrack\nVersion: {version}\n"
    "Summary: tt-track: per-process Tenstorrent device memory, tracked for every ttnn import\n"
    "License: GPL-2.0 OR MIT\nRequires-Python: >=3.8\n",
    f"{name}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: tt-track scripts/build-wheel.sh\n"
    "Root-Is-Purelib: false\nTag: py3-none-linux_x86_64\n",
}
os.makedirs(out, exist_ok=True)
wheel = os.path.join(out, f"{name}-py3-none-linux_x86_64.whl")
record = []
with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
    entries = [(arc, open(path, "rb").read()) for arc, path in sorted(files.items())]
    entries += [(arc, text.encode()) for arc, text in meta.items()]
    for arc, data in entries:
        info = zipfile.ZipInfo(arc, date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = (0o755 if arc.endswith(".so") else 0o644) << 16
        z.writestr(info, data, zipfile.ZIP_DEFLATED)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arc},sha256={digest},{len(data)}")
    record.append(f"{name}.dist-info/RECORD,,")
    z.writestr(zipfile.ZipInfo(f"{name}.dist-info/RECORD", date_time=(2026, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
print(wheel)
PY
