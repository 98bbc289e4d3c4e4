#!/usr/bin/env python3
"""The benchmark table from the console logs of several VM boots.

    scripts/bench-table.py BOOT.log...

Each boot prints `bench NAME VALUE` lines (tests/guest/bench.sh). Ratios are
taken within a boot (both sides measured in the same boot), then summarised
over boots: median (min-max). Prints markdown, as BENCHMARKS.md has it.
"""
import statistics
import sys


def parse(path):
    """NAME -> list of values, in the order the boot printed them."""
    values = {}
    with open(path, errors="replace") as log:
        for line in log:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "bench":
                try:
                    values.setdefault(parts[1], []).append(float(parts[2]))
                except ValueError:
                    pass
    return values


def one(boot, name):
    return boot[name][0] if name in boot else float("nan")


def round_diff_us(minus, plus):
    """Median over the rounds of (plus - minus), in µs."""
    diffs = [p - m for m, p in zip(minus, plus)]
    return statistics.median(diffs) if diffs else float("nan")


def shim_adds_us(boot):
    return round_diff_us(boot.get("ttnn_event_without_shim_us", []), boot.get("ttnn_event_with_shim_us", []))


def ioctl_in_ttnn_us(boot):
    """One no-op ioctl inside the ttnn program: (with it - with a plain C call), per round."""
    return round_diff_us(boot.get("ttnn_event_c_call_us", []), boot.get("ttnn_event_noop_ioctl_us", []))


def rounds(name):
    return lambda b: statistics.median(b[name]) if b.get(name) else float("nan")


# (what, unit, the `bench` name of a per-boot value, or how to compute it)
FIGURES = [
    ("no-op ioctl (the floor)", "ns", "noop_ioctl_ns"),
    ("tracked event (half an alloc+free pair, libtttrack)", "ns", "tracked_event_ns"),
    ("8 events in one BATCH call", "ns", "batch8_call_ns"),
    ("the same, raw ioctl (no libtttrack)", "ns", "batch8_raw_call_ns"),
    ("alloc+free pair, empty file", "ns", "pair_empty_ns"),
    ("alloc+free pair, 1,000,000 other entries", "ns", "pair_1m_ns"),
    ("pairs/s, 1 process", "", "pairs_per_s_1proc"),
    ("pairs/s, 2 processes", "", "pairs_per_s_2procs"),
    ("read `allocations`, 1,000,000 entries", "ms", "proc_read_1m_ms"),
    ("read the same bytes from tmpfs", "ms", "tmpfs_read_same_ms"),
    ("kernel memory per live entry", "B", "kernel_bytes_per_entry"),
    ("release 1,000,000 entries (close)", "ms", "release_1m_ms"),
    ("CPU per tracked event", "ns", "tracked_event_cpu_ns"),
    ("CPU per socket-design event, client + server", "ns",
     lambda b: one(b, "socket_client_cpu_ns") + one(b, "socket_server_cpu_ns")),
    ("ttnn allocation event without the shim (median of rounds)", "µs", rounds("ttnn_event_without_shim_us")),
    ("ttnn allocation event with the shim (median of rounds)", "µs", rounds("ttnn_event_with_shim_us")),
    ("what the shim adds (median of per-round differences)", "µs", shim_adds_us),
    ("one no-op ioctl inside the ttnn program (ioctl - plain C call, per round)", "µs", ioctl_in_ttnn_us),
]

# (target, per-boot ratio, limit, <= or >=)
TARGETS = [
    ("tracked event / no-op ioctl", lambda b: one(b, "tracked_event_ns") / one(b, "noop_ioctl_ns"), 1.5, "<="),
    ("8-event BATCH call / no-op ioctl", lambda b: one(b, "batch8_call_ns") / one(b, "noop_ioctl_ns"), 3.0, "<="),
    ("2 processes / 1 process", lambda b: one(b, "pairs_per_s_2procs") / one(b, "pairs_per_s_1proc"), 1.8, ">="),
    ("pair with 1,000,000 entries / empty", lambda b: one(b, "pair_1m_ns") / one(b, "pair_empty_ns"), 1.6, "<="),
    ("`allocations` read / tmpfs read", lambda b: one(b, "proc_read_1m_ms") / one(b, "tmpfs_read_same_ms"), 5.0, "<="),
    ("kernel bytes per live entry", lambda b: one(b, "kernel_bytes_per_entry"), 64.0, "<="),
    ("release of 1,000,000 entries, s", lambda b: one(b, "release_1m_ms") / 1e3, 1.0, "<="),
    ("shim's addition / tracked event", lambda b: shim_adds_us(b) * 1e3 / one(b, "tracked_event_ns"), 2.0, "<="),
    ("(diagnosis) shim's addition / a no-op ioctl in the ttnn program",
     lambda b: shim_adds_us(b) / ioctl_in_ttnn_us(b), 2.0, "<="),
    ("tracked CPU / socket design's total CPU", lambda b: one(b, "tracked_event_cpu_ns") /
     (one(b, "socket_client_cpu_ns") + one(b, "socket_server_cpu_ns")), 0.125, "<="),
]


def summary(values):
    good = [v for v in values if v == v]  # drop NaN
    if not good:
        return "-", float("nan")
    m = statistics.median(good)
    return f"{fmt(m)} ({fmt(min(good))}-{fmt(max(good))})", m


def fmt(v):
    if v != v:
        return "-"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"


def main(paths):
    boots = [parse(p) for p in paths]
    boots = [b for b in boots if b]
    if not boots:
        sys.exit("bench-table: no `bench` lines in " + " ".join(paths))
    n = len(boots)
    heads = " | ".join(f"boot {i + 1}" for i in range(n))
    print(f"| figure | unit | {heads} | median (min-max) |")
    print("|---|---|" + "---|" * n + "---|")
    for what, unit, get in FIGURES:
        values = [one(b, get) if isinstance(get, str) else get(b) for b in boots]
        print(f"| {what} | {unit} | " + " | ".join(fmt(v) for v in values) + f" | {summary(values)[0]} |")
    print()
    print(f"| target | {heads} | median (min-max) | limit | met |")
    print("|---|" + "---|" * n + "---|---|---|")
    for what, get, limit, op in TARGETS:
        values = [get(b) for b in boots]
        text, m = summary(values)
        met = "-" if m != m else ("yes" if (m <= limit if op == "<=" else m >= limit) else "**no**")
        print(f"| {what} | " + " | ".join(fmt(v) for v in values) + f" | {text} | {op} {fmt(limit)} | {met} |")


if __name__ == "__main__":
    main(sys.argv[1:])
