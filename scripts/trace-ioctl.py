# Run by gdb (scripts/qemu-test.sh --trace): counts the instructions of each
# call `tt-track-bench trace` loops over, stepping through the guest's
# __x64_sys_ioctl one instruction at a time through QEMU's gdbstub. Unlike
# the wall-clock benchmarks these counts are exact and repeat from boot to
# boot (BENCHMARKS.md). The guest's console log (TRACE_LOG) holds its kallsyms.
# TRACE_STEPS=FILE also writes every step there as symbol+offset (tt_track's
# offsets are those of `objdump -d` of its .ko's symbols).
import bisect
import collections
import os
import re

import gdb

# The calls, in the order the guest makes them (tt-track-bench's `trace`).
CALLS = ["no-op ioctl (the floor)", "ALLOC", "FREE", "BATCH of 8 allocations", "BATCH of 8 frees"]
NOOP_CMD = 0xFA7F  # _IO(0xFA, 0x7f), tt-track-bench's no-op
PT_REGS_SI = 13 * 8  # offset of `si` (the ioctl's cmd) in x86-64 struct pt_regs


def kallsyms(log):
    text = open(log, errors="replace").read()
    body = text.split("==== kallsyms\n", 1)[1].split("==== end kallsyms", 1)[0]
    syms = []
    for line in body.splitlines():
        f = line.split()
        if len(f) >= 3:
            syms.append((int(f[0], 16), f[2], len(f) > 3 and f[3] == "[tt_track]"))
    return sorted(syms)


syms = kallsyms(os.environ["TRACE_LOG"])
starts = [s[0] for s in syms]


def symbol(pc):
    return syms[max(bisect.bisect_right(starts, pc) - 1, 0)]


def where(pc):
    _, name, ours = symbol(pc)
    return short(name), ours


def short(name):
    """A Rust (v0-mangled) symbol's last two path segments: Client::alloc_in."""
    if not name.startswith("_R"):
        return name
    idents = [name[m.end() : m.end() + int(m.group())] for m in re.finditer(r"\d+(?=[A-Za-z_])", name)]
    return "::".join(idents[-2:])


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & (2**64 - 1)


steps = open(os.environ["TRACE_STEPS"], "w") if os.environ.get("TRACE_STEPS") else None


def trace_one():
    """Steps until __x64_sys_ioctl returns; the functions' instruction counts."""
    top = reg("rsp")
    counts = collections.Counter()
    while True:
        pc = reg("pc")
        counts[where(pc)] += 1
        if steps:
            start, name, _ = symbol(pc)
            steps.write("%s+0x%x\n" % (name, pc - start))
        gdb.execute("stepi", to_string=True)
        if reg("rsp") > top:
            return counts


gdb.execute("set pagination off")
gdb.execute("target remote 127.0.0.1:" + os.environ.get("TRACE_PORT", "1234"))
entry = next(a for a, n, _ in syms if n == "__x64_sys_ioctl")
gdb.execute("hbreak *0x%x" % entry, to_string=True)
while True:
    gdb.execute("continue", to_string=True)
    regs = reg("rdi")
    cmd = int(gdb.parse_and_eval("*(unsigned long *)0x%x" % (regs + PT_REGS_SI))) & 0xFFFFFFFF
    if cmd == NOOP_CMD:
        break
results = []
for n, name in enumerate(CALLS):
    if n > 0:
        gdb.execute("continue", to_string=True)
    if steps:
        steps.write("== %s\n" % name)
    results.append((name, trace_one()))
gdb.execute("delete", to_string=True)
floor = sum(results[0][1].values())
print("trace: instructions from __x64_sys_ioctl's entry to its return, stock kernel, tt-kmd loaded")
print("| call | instructions | beyond the floor | in tt_track | largest parts |")
print("|---|---|---|---|---|")
for name, counts in results:
    total = sum(counts.values())
    ours = sum(c for (_, mine), c in counts.items() if mine)
    top = ", ".join("%s %d" % (f, c) for (f, _), c in counts.most_common(4))
    print("| %s | %d | %+d | %d | %s |" % (name, total, total - floor, ours, top))
gdb.execute("monitor quit", to_string=True)
