"""A real ttnn program, run in TT-Metal mock mode with the tt-track shim loaded.

  workload.py compare SYSTEM ROWS COLS
                        on a ROWSxCOLS mesh of the cluster TT_METAL_MOCK_CLUSTER_DESC_PATH
                        describes, step by step: per chip, tt_track's view of this
                        process (allocations and stats of the chip's card) must equal
                        what ttnn's own graph capture recorded, byte for byte, and
                        nothing may be on any other card or chip
  workload.py ring BYTES  with worker_l1_size leaving a kernel-config ring of BYTES, KERNEL is
                        that ring, one entry per chip, through several programs
  workload.py on-card N|none
                        open chip 0, allocate: all of it must be on card N, chip 0
                        (none: counted nowhere)
  workload.py hooked N|none
                        no LD_PRELOAD, no ctypes, no TT_TRACK_SHIM: what the tttrack wheel's
                        import hook alone does (N: tracked on card N, tttrack.usage() agrees
                        with /proc; none: uninstalled, nothing tracked)
  workload.py hold      allocate DRAM, L1 and CBs, print READY, wait to be killed
  workload.py threads   allocations made on other threads are tracked too
  workload.py bench N [ioctl|call]
                        N tensor allocate/deallocate pairs; prints µs per event
                        (with a no-op ioctl, or a plain C call, after each event)
  workload.py mesh-bench ROWS COLS N
                        the same on a ROWSxCOLS mesh (a tensor on every chip)

Prints PASS/FAIL lines like the rest of the VM suite.
"""
import ctypes
import glob
import os
import sys
import threading
import time

import ttnn
import yaml

DEVICE = 0  # the n150 descriptor's chip 0 is card 0 (ttnn.sh writes it so)
TYPES = ["DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL"]
CAPTURE_TYPES = {0: "DRAM", 1: "L1", 2: "SYSTEM_MEMORY", 3: "L1_SMALL", 4: "TRACE"}


def report(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)


def load_shim():
    # Either LD_PRELOAD (already in) or, as here by default, after `import ttnn`.
    if "libtttrack-ttmetal" not in os.environ.get("LD_PRELOAD", "") and os.environ.get("TT_TRACK_SHIM"):
        ctypes.CDLL(os.environ["TT_TRACK_SHIM"])


def proc(card):
    return f"/proc/driver/tenstorrent/{card}"


def tracked_everywhere(pid=None):
    """This process's live entries on every card: {(card, chip): {type: sorted sizes}}."""
    pid = str(pid or os.getpid())
    seen = {}
    for path in glob.glob(proc("*") + "/allocations"):
        card = int(path.split("/")[-2])
        with open(path) as f:
            next(f)
            for line in f:
                fields = line.split(" ", 6)
                if fields[0] == pid:
                    seen.setdefault((card, int(fields[1])), {t: [] for t in TYPES})[fields[2]].append(int(fields[4]))
    return {where: {t: sorted(v) for t, v in types.items()} for where, types in seen.items()}


def tracked(card=DEVICE, chip=0, pid=None):
    """This process's live entries on one card's chip: {type: sorted sizes}."""
    return tracked_everywhere(pid).get((card, chip), {t: [] for t in TYPES})


def stats_row(card=DEVICE, chip=0, pid=None):
    """This process's `proc` line of a card's stats file for a chip: {type: bytes}, zeros if none."""
    pid = str(pid or os.getpid())
    with open(f"{proc(card)}/stats") as f:
        for line in f:
            fields = line.split(" ")
            if fields[0] == "proc" and fields[1] == pid and fields[2] == str(chip):
                return dict(zip(TYPES, map(int, fields[3:10])))
    return dict.fromkeys(TYPES, 0)


def card_ordinals():
    """tt_track's cards by PCI address, from each stats header."""
    ordinals = {}
    for path in glob.glob(proc("*") + "/stats"):
        with open(path) as f:
            header = f.readline().split()
        ordinals[header[header.index("pci") + 1]] = int(header[header.index("device") + 1])
    return ordinals


def expected_places():
    """Where each chip of the descriptor must be counted, {chip: (card, chip on card)}, worked out
    from its boards: an MMIO chip is chip 0 of the card at its PCI address (or of
    /dev/tenstorrent/N); the other chips of its board follow as 1, 2, ... by [y, x] place."""
    with open(os.environ["TT_METAL_MOCK_CLUSTER_DESC_PATH"]) as f:
        desc = yaml.safe_load(f)
    by_address = card_ordinals()
    mmio = {chip: n for entry in desc["chips_with_mmio"] for chip, n in entry.items()}
    pci = desc.get("chip_pci_bdfs") or {}
    places = {}
    for board in desc["boards"]:
        chips = next(item["chips"] for item in board if "chips" in item)
        gateways = [c for c in chips if c in mmio]
        for gateway in gateways:
            card = by_address[pci[gateway]] if gateway in pci else mmio[gateway]
            places[gateway] = (card, 0)
        if len(gateways) == 1:
            where = desc.get("chips") or {}
            remote = sorted((c for c in chips if c not in mmio), key=lambda c: (where[c][1], where[c][0], c))
            for n, chip in enumerate(remote, 1):
                places[chip] = (places[gateways[0]][0], n)
    return places


def kernel_ring(device):
    """What TT-Metal says each Tensix core reserves for program binaries, runtime arguments and CB
    configuration: the L1 between the largest unreserved size and the allocator's L1 and L1_SMALL
    banks (the kernel-config ring; 70,656 B by default, `worker_l1_size` moves it)."""
    bank = lambda t: ttnn.get_memory_view(device, t).total_bytes_per_bank
    return ttnn.get_max_worker_l1_unreserved_size() - bank(ttnn.BufferType.L1) - bank(ttnn.BufferType.L1_SMALL)


class CaptureModel:
    """What ttnn's graph capture says is live on each chip of a mesh, replayed from its events:
    a buffer event names the mesh and places the buffer on every chip; a CB event names its chip;
    freeing all CBs names the mesh (or a chip). KERNEL: the kernel-config ring of every chip, from
    the mesh's first buffer on (tt-track reports it then, and until the process exits)."""

    def __init__(self, mesh):
        self.mesh_id, self.chips = mesh.id(), list(mesh.get_device_ids())
        self.buffers = {}  # (type, address) -> size, on every chip
        self.cbs = {chip: [] for chip in self.chips}
        self.ring, self.ring_live = kernel_ring(mesh), False

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
            device = int(p.get("device_id", self.mesh_id))
            if kind == "buffer_allocate":
                self.buffers[(p["buffer_type"], p["address"])] = int(p["size"])
                self.ring_live = True
            elif kind == "buffer_deallocate":
                self.buffers.pop((p["buffer_type"], p["address"]), None)
            elif kind == "circular_buffer_allocate":
                self.cbs[device].append(int(p["size"]))
            elif kind == "circular_buffer_deallocate_all":
                for chip in self.chips if device == self.mesh_id else [device]:
                    self.cbs[chip] = []
        return result

    def live(self, chip):
        seen = {t: [] for t in TYPES}
        for (kind, _), size in self.buffers.items():
            seen[CAPTURE_TYPES[int(kind)]].append(size)
        seen["CB"] = list(self.cbs[chip])
        seen["KERNEL"] = [self.ring] if self.ring_live else []
        return {t: sorted(v) for t, v in seen.items()}


def checkpoint(model, places, what, system):
    everywhere = tracked_everywhere()
    compared = TYPES
    empty = {t: [] for t in TYPES}
    same = agree = True
    for chip in model.chips:
        card, n = places[chip]
        want, got, row = model.live(chip), everywhere.pop((card, n), empty), stats_row(card, n)
        if not all(want[t] == got[t] for t in compared):
            same = False
            print(f"  chip {chip} (card {card} chip {n}): capture {want}\n  tt_track: {got}", flush=True)
        agree = agree and all(row[t] == sum(got[t]) for t in TYPES)
    stray = {where: got for where, got in everywhere.items() if any(got.values())}
    live = sum(sum(model.live(chip)[t]) for chip in model.chips for t in compared)
    report(same and not stray, f"ttnn {system} {what}: per chip, tt_track = graph capture "
           f"({len(model.chips)} chips, {live} B live), nothing elsewhere")
    if stray:
        print(f"  counted where no chip of the mesh is: {stray}", flush=True)
    report(agree, f"ttnn {system} {what}: stats proc lines = allocations")


def tile_tensor(shape, device, memory=None):
    kwargs = {"memory_config": memory} if memory else {}
    return ttnn.zeros(shape, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, **kwargs)


def compare(system, rows, cols):
    load_shim()
    places = expected_places()
    device = ttnn.open_mesh_device(ttnn.MeshShape(rows, cols))  # graph capture records nothing across an open
    model = CaptureModel(device)
    checkpoint(model, places, "device open", system)
    a = model.run(lambda: tile_tensor((1, 1, 64, 128), device))
    host = ttnn.zeros((1, 1, 32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    b = model.run(lambda: ttnn.to_device(host, device))
    checkpoint(model, places, "DRAM tensors", system)
    c = model.run(lambda: tile_tensor((1, 1, 32, 64), device, ttnn.L1_MEMORY_CONFIG))
    checkpoint(model, places, "L1 tensor", system)
    d = model.run(lambda: ttnn.add(b, b))
    checkpoint(model, places, "add (CBs placed)", system)
    report(model.ring > 0 and all(tracked(*places[chip])["KERNEL"] == [model.ring] for chip in model.chips),
           f"ttnn {system} add: KERNEL is each chip's kernel-config ring as TT-Metal reports it ({model.ring} B)")
    model.run(lambda: ttnn.from_device(d))
    model.run(lambda: ttnn.deallocate(a))
    model.run(lambda: ttnn.deallocate(c))
    checkpoint(model, places, "deallocate", system)
    model.run(lambda: ttnn.deallocate(b))
    model.run(lambda: ttnn.deallocate(d))
    model.run(lambda: ttnn.close_mesh_device(device))
    checkpoint(model, places, "device closed", system)


def ring_stays(reserve):
    """KERNEL is the ring TT-Metal reserves, here `reserve` bytes (worker_l1_size set to leave them):
    one entry per chip, the same after many programs, whatever the program cache holds."""
    load_shim()
    device = ttnn.open_device(device_id=0, worker_l1_size=ttnn.get_max_worker_l1_unreserved_size() - reserve)
    ring = kernel_ring(device)
    a = tile_tensor((1, 1, 32, 32), device)
    seen = []
    for op in (ttnn.add, ttnn.multiply, ttnn.subtract, ttnn.add, ttnn.multiply):
        ttnn.deallocate(op(a, a))
        seen.append(tracked()["KERNEL"])
    report(ring == reserve and all(k == [ring] for k in seen),
           f"ttnn: KERNEL is the {reserve} B kernel-config ring TT-Metal reports ({ring}), one entry through "
           f"5 programs ({seen[0]} .. {seen[-1]})")
    ttnn.deallocate(a)
    ttnn.close_device(device)


def on_card(card):
    """This process's memory must be on `card`, chip 0, or (card None) nowhere."""
    load_shim()
    device = ttnn.open_device(device_id=0)
    keep = tile_tensor((1, 1, 64, 64), device)
    everywhere = {where: sum(map(sum, got.values())) for where, got in tracked_everywhere().items()}
    if card is None:
        report(not everywhere, f"ttnn chip 0 counted nowhere ({everywhere})")
    else:
        report(list(everywhere) == [(card, 0)] and everywhere[(card, 0)] > 0,
               f"ttnn chip 0 counted on card {card} only ({everywhere})")
    ttnn.deallocate(keep)
    ttnn.close_device(device)


def hooked(card):
    """The wheel's hook alone: `import ttnn` above was all it took (or, uninstalled, nothing)."""
    clean = not any(k in os.environ for k in ("LD_PRELOAD", "TT_TRACK_SHIM"))
    device = ttnn.open_device(device_id=0)
    keep = tile_tensor((1, 1, 64, 64), device)
    mine = tracked_everywhere()
    if card is None:
        report(clean and not mine and "tttrack" not in sys.modules,
               f"wheel uninstalled: import ttnn is not tracked ({mine})")
    else:
        import tttrack

        want = {t: sum(v) for t, v in tracked(card, 0).items()}
        self_view, device_view = tttrack.usage(card, 0), tttrack.usage(card, 0, scope="device")
        report(clean and list(mine) == [(card, 0)] and want["DRAM"] > 0,
               f"wheel: import ttnn tracked with no LD_PRELOAD and no code change ({want})")
        agree = all(self_view[t]["bytes"] == want[t] for t in TYPES) and \
            all(device_view[t]["bytes"] >= want[t] for t in TYPES) and device_view["open_files"] >= 1
        report(agree, "wheel: tttrack.usage(card, 0) = this process's allocations, and scope='device' covers them")
        if not agree:
            print(f"  /proc: {want}\n  self: {self_view}\n  device: {device_view}", flush=True)
        try:
            tttrack.usage(card, 0, scope="everyone")
            report(False, "wheel: tttrack.usage refuses an unknown scope")
        except ValueError:
            report(True, "wheel: tttrack.usage refuses an unknown scope")
    ttnn.deallocate(keep)
    ttnn.close_device(device)


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


def per_event_extra(kind):
    """What the bench does besides each event: nothing; one no-op ioctl on the
    tracking node (an unknown command: the system call a report costs, made
    in this large process); or a C call of the same Python overhead and no
    system call (the control the ioctl's cost is taken against)."""
    if kind is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    if kind == "ioctl":
        fd = os.open("/dev/tenstorrent-track", os.O_RDWR)
        noop = (0xFA << 8) | 0x7F  # _IO(0xFA, 0x7f): no such command, ENOTTY
        return lambda: libc.ioctl(fd, noop, 0)
    if kind == "call":
        return lambda: libc.abs(0)
    sys.exit(f"bench: unknown extra {kind!r}")


def bench(n, rows=None, cols=None, extra=None):
    load_shim()
    mesh = rows is not None
    device = ttnn.open_mesh_device(ttnn.MeshShape(rows, cols)) if mesh else ttnn.open_device(device_id=0)
    tile_tensor((1, 1, 32, 32), device)  # warm up
    also = per_event_extra(extra)
    start = time.perf_counter()
    if also is None:
        for _ in range(n):
            ttnn.deallocate(tile_tensor((1, 1, 32, 32), device))
    else:
        for _ in range(n):
            t = tile_tensor((1, 1, 32, 32), device)
            also()
            ttnn.deallocate(t)
            also()
    elapsed = time.perf_counter() - start
    if n:
        print(f"BENCH {elapsed / (2 * n) * 1e6:.2f} us per event over {n} allocate/deallocate pairs", flush=True)
    (ttnn.close_mesh_device if mesh else ttnn.close_device)(device)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "compare":
        compare(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "ring":
        ring_stays(int(sys.argv[2]))
    elif mode == "on-card":
        on_card(None if sys.argv[2] == "none" else int(sys.argv[2]))
    elif mode == "hooked":
        hooked(None if sys.argv[2] == "none" else int(sys.argv[2]))
    elif mode == "hold":
        hold()
    elif mode == "threads":
        threads()
    elif mode == "bench":
        bench(int(sys.argv[2]), extra=sys.argv[3] if len(sys.argv) > 3 else None)
    elif mode == "mesh-bench":
        bench(int(sys.argv[4]), int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(f"usage: {sys.argv[0]} compare SYSTEM ROWS COLS | ring BYTES | on-card N | hooked N | hold | threads | bench N [ioctl|call] | mesh-bench ROWS COLS N")
