"""A real ttnn program, run in TT-Metal mock mode with the tt-track shim loaded.

  workload.py compare   step by step, tt_track's view of this process
                        (/proc/driver/tenstorrent/0/allocations and stats) must
                        equal what ttnn's own graph capture recorded, byte for byte
  workload.py hold      allocate DRAM, L1 and CBs, print READY, wait to be killed
  workload.py threads   allocations made on other threads are tracked too
  workload.py bench N   N tensor allocate/deallocate pairs; prints µs per event

Prints PASS/FAIL lines like the rest of the VM suite.
"""
import ctypes
import os
import sys
import threading
import time

import ttnn

DEVICE = 0  # mock chip 0 is /dev/tenstorrent/0 to tt_track
PROC = f"/proc/driver/tenstorrent/{DEVICE}"
TYPES = ["DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL"]
CAPTURE_TYPES = {0: "DRAM", 1: "L1", 2: "SYSTEM_MEMORY", 3: "L1_SMALL", 4: "TRACE"}


def report(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)


def load_shim():
    # Either LD_PRELOAD (already in) or, as here by default, after `import ttnn`.
    if "libtttrack-ttmetal" not in os.environ.get("LD_PRELOAD", ""):
        ctypes.CDLL(os.environ["TT_TRACK_SHIM"])


def tracked(pid=None):
    """This process's live entries from the allocations file: {type: sorted sizes}."""
    pid = str(pid or os.getpid())
    seen = {t: [] for t in TYPES}
    with open(f"{PROC}/allocations") as f:
        next(f)
        for line in f:
            fields = line.split(" ", 6)
            if fields[0] == pid:
                seen[fields[2]].append(int(fields[4]))
    return {t: sorted(v) for t, v in seen.items()}


def stats_row(pid=None):
    """This process's `proc` line of the stats file: {type: bytes}, zeros if none."""
    pid = str(pid or os.getpid())
    with open(f"{PROC}/stats") as f:
        for line in f:
            fields = line.split(" ")
            if fields[0] == "proc" and fields[1] == pid:
                return dict(zip(TYPES, map(int, fields[3:10])))
    return dict.fromkeys(TYPES, 0)


class CaptureModel:
    """What ttnn's graph capture says is live, replayed from its events."""

    def __init__(self):
        self.buffers = {}  # (device_id, type, address) -> size
        self.cbs = []

    def run(self, step):
        ttnn.graph.begin_graph_capture(ttnn.graph.RunMode.NORMAL)
        ttnn.graph.disable_python_io_recording()  # else it imports torch
        try:
            result = step()
        finally:
            graph = ttnn.graph.end_graph_capture()
        if graph is None:
            raise RuntimeError("ttnn's graph capture returned nothing")
        for node in graph:
            kind, p = node["node_type"], node.get("params") or {}
            if kind == "buffer_allocate":
                self.buffers[(p["device_id"], p["buffer_type"], p["address"])] = int(p["size"])
            elif kind == "buffer_deallocate":
                self.buffers.pop((p["device_id"], p["buffer_type"], p["address"]), None)
            elif kind == "circular_buffer_allocate":
                self.cbs.append(int(p["size"]))
            elif kind == "circular_buffer_deallocate_all":
                self.cbs = []  # one chip: the mesh's free-all covers it
        return result

    def live(self):
        seen = {t: [] for t in TYPES}
        for (_, kind, _), size in self.buffers.items():
            seen[CAPTURE_TYPES[int(kind)]].append(size)
        seen["CB"] = list(self.cbs)
        return {t: sorted(v) for t, v in seen.items()}


def checkpoint(model, what, arch):
    want, got, row = model.live(), tracked(), stats_row()
    compared = [t for t in TYPES if t != "KERNEL"]  # graph capture has no binary sizes
    same = all(want[t] == got[t] for t in compared)
    agree = all(row[t] == sum(got[t]) for t in TYPES)
    detail = " ".join(f"{t}={sum(got[t])}/{len(got[t])}" for t in compared if got[t] or want[t])
    report(same, f"ttnn {arch} {what}: tt_track = graph capture ({detail or 'nothing live'})")
    if not same:
        print(f"  capture: {want}\n  tt_track: {got}", flush=True)
    report(agree, f"ttnn {arch} {what}: stats proc line = allocations")


def tile_tensor(shape, device, memory=None):
    kwargs = {"memory_config": memory} if memory else {}
    return ttnn.zeros(shape, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, **kwargs)


def compare(arch):
    load_shim()
    model = CaptureModel()
    device = ttnn.open_device(device_id=0)  # graph capture records nothing across an open
    checkpoint(model, "device open", arch)
    a = model.run(lambda: tile_tensor((1, 1, 64, 128), device))
    host = ttnn.zeros((1, 1, 32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    b = model.run(lambda: ttnn.to_device(host, device))
    checkpoint(model, "DRAM tensors", arch)
    c = model.run(lambda: tile_tensor((1, 1, 32, 64), device, ttnn.L1_MEMORY_CONFIG))
    checkpoint(model, "L1 tensor", arch)
    d = model.run(lambda: ttnn.add(b, b))
    checkpoint(model, "add (CBs placed)", arch)
    kernel = tracked()["KERNEL"]
    report(len(kernel) > 0 and min(kernel) > 0, f"ttnn {arch} add: program binaries tracked ({kernel} bytes)")
    model.run(lambda: ttnn.from_device(d))
    model.run(lambda: ttnn.deallocate(a))
    model.run(lambda: ttnn.deallocate(c))
    checkpoint(model, "deallocate", arch)
    model.run(lambda: ttnn.deallocate(b))
    model.run(lambda: ttnn.deallocate(d))
    model.run(lambda: ttnn.close_device(device))
    checkpoint(model, "device closed", arch)


def hold():
    load_shim()
    device = ttnn.open_device(device_id=0)
    keep = [tile_tensor((1, 1, 256, 256), device), tile_tensor((1, 1, 64, 64), device, ttnn.L1_MEMORY_CONFIG)]
    keep.append(ttnn.add(keep[0], keep[0]))
    got = tracked()
    print(f"READY pid={os.getpid()} " + " ".join(f"{t}={sum(got[t])}" for t in TYPES), flush=True)
    while True:
        time.sleep(60)


def threads():
    load_shim()
    device = ttnn.open_device(device_id=0)
    before = tracked()["L1"]
    out = []
    worker = threading.Thread(target=lambda: out.append(tile_tensor((1, 1, 32, 32), device, ttnn.L1_MEMORY_CONFIG)))
    worker.start()
    worker.join()
    after = tracked()["L1"]
    report(len(after) == len(before) + 1 and sum(after) - sum(before) == 2048,
           f"ttnn: an L1 tensor made on another thread is tracked (L1 {sum(before)} -> {sum(after)})")
    ttnn.deallocate(out[0])
    report(tracked()["L1"] == before, "ttnn: and its deallocation too")
    ttnn.close_device(device)


def bench(n):
    if os.environ.get("TT_TRACK_SHIM"):
        load_shim()
    device = ttnn.open_device(device_id=0)
    tile_tensor((1, 1, 32, 32), device)  # warm up
    start = time.perf_counter()
    for _ in range(n):
        ttnn.deallocate(tile_tensor((1, 1, 32, 32), device))
    elapsed = time.perf_counter() - start
    print(f"BENCH {elapsed / (2 * n) * 1e6:.2f} us per event over {n} allocate/deallocate pairs", flush=True)
    ttnn.close_device(device)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "compare":
        compare(sys.argv[2])
    elif mode == "hold":
        hold()
    elif mode == "threads":
        threads()
    elif mode == "bench":
        bench(int(sys.argv[2]))
    else:
        sys.exit(f"usage: {sys.argv[0]} compare ARCH | hold | threads | bench N")
