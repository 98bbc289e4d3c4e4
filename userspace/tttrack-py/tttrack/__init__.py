"""tt-track for Python: device memory of this process or of a whole chip, from the tt_track module.

Installing the wheel also tracks every `import ttnn` in its environment (see `tttrack._hook`).

    import tttrack
    tttrack.usage(0, 0)                    # this process on card 0, chip 0
    tttrack.usage(0, 1, scope="device")    # every process on card 0's second chip

`device` is tt_track's card ordinal (N of /dev/tenstorrent/N), `chip` the chip on that card (0 the
one on the PCI bus, 1.. the ones behind it, as tt-smi shows them). Raises `Unavailable` when the
module is not loaded, and OSError with the errno of anything else (ENODEV: no such card).
"""
import os

__all__ = ["usage", "Unavailable", "shim"]

TYPES = ("DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL")
CATEGORIES = ("application", "fabric", "dispatch")
_SCOPES = {"device": 0, "self": 1}
_lib = None
_shim = None


class Unavailable(RuntimeError):
    """tt_track is not loaded (or TT_TRACK_DISABLE=1): nothing is tracked."""


def shim():
    """The TT-Metal shim of this process: one already loaded (LD_PRELOAD of an installed copy),
    else the wheel's. One copy per process: two would both attach and count everything twice.
    It carries libtttrack and exports its query API, so usage() reads the file it reports into."""
    global _shim
    if _shim is None:
        import ctypes

        loaded = ctypes.CDLL(None)
        _shim = loaded if hasattr(loaded, "tt_track_shim_attach") else \
            ctypes.CDLL(os.path.join(os.path.dirname(__file__), "libtttrack-ttmetal.so"))
    return _shim


def _library():
    """The shim, with tt_track_stats's signature."""
    global _lib
    if _lib is None:
        import ctypes

        class TypeStats(ctypes.Structure):
            _fields_ = [("bytes", ctypes.c_uint64), ("buffers", ctypes.c_uint64), ("peak_bytes", ctypes.c_uint64)]

        class QueryStats(ctypes.Structure):  # struct tt_track_query_stats
            _fields_ = [(name, ctypes.c_uint32) for name in ("argsz", "flags", "device", "chip", "scope", "open_files")]
            _fields_ += [(name, ctypes.c_uint64) for name in
                         ("dram_capacity", "l1_capacity", "leaked_bytes", "leaked_buffers")]
            _fields_ += [("types", TypeStats * len(TYPES)), ("kernel", TypeStats * len(CATEGORIES))]

        lib = shim()
        lib.tt_track_stats.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(QueryStats)]
        lib.tt_track_stats.restype = ctypes.c_int
        lib.QueryStats = QueryStats
        _lib = lib
    return _lib


def usage(device, chip, scope="self"):
    """Live bytes, buffers and peak per memory type (and per KERNEL category) on one chip:
    {"DRAM": {"bytes": .., "buffers": .., "peak_bytes": ..}, ..., "KERNEL": {...},
     "kernel": {"application": {...}, "fabric": {...}, "dispatch": {...}},
     "dram_capacity": .., "l1_capacity": .., "leaked_bytes": .., "leaked_buffers": .., "open_files": ..}.
    scope "self": this process's tracking file, the one the wheel's shim reports through (peaks
    since it was opened); "device": every process (leaks only there)."""
    if scope not in _SCOPES:
        raise ValueError(f"scope must be 'self' or 'device', not {scope!r}")
    for name, value in (("device", device), ("chip", chip)):
        if not isinstance(value, int) or not 0 <= value < 2**32:
            raise ValueError(f"{name} must be an integer from 0 to 2**32 - 1, not {value!r}")
    lib = _library()
    out = lib.QueryStats()
    status = lib.tt_track_stats(device, chip, _SCOPES[scope], out)
    if status == 1:
        raise Unavailable("tt_track is not available (module not loaded, or TT_TRACK_DISABLE=1)")
    if status < 0:
        raise OSError(-status, os.strerror(-status))
    stats = lambda s: {"bytes": s.bytes, "buffers": s.buffers, "peak_bytes": s.peak_bytes}
    result = {name: stats(out.types[i]) for i, name in enumerate(TYPES)}
    result["kernel"] = {name: stats(out.kernel[i]) for i, name in enumerate(CATEGORIES)}
    for name in ("dram_capacity", "l1_capacity", "leaked_bytes", "leaked_buffers", "open_files"):
        result[name] = getattr(out, name)
    return result
