"""UMD cluster descriptors for TT-Metal mock mode (TT_METAL_MOCK_CLUSTER_DESC_PATH).

  topology.py SYSTEM [--ordinals N,N,...] [--no-pci] [PCI_ADDRESS...]
  topology.py --cards SYSTEM     the PCI address of each MMIO chip's card, a line each

SYSTEM is one of n150, 2xn150, p150, n300, t3k, galaxy. PCI_ADDRESS... are the
cards in tt-kmd's ordinal (probe) order (default: the --cards list). MMIO chip
k is reached through /dev/tenstorrent/<ordinal k> (`chips_with_mmio`), the
card at that place in the list (`chip_pci_bdfs`); the default ordinals are not
the identity on t3k and galaxy, as on real systems. `--no-pci` leaves out
`chip_pci_bdfs` (a process then finds the card through /dev/tenstorrent/N).
Prints the YAML.

Layouts (chip locations are [x, y, rack, shelf], the mesh is y rows by x columns):
  2xn150  two n150 boards, not linked
  n300    one board, 1x2: chip 0 (MMIO) at x=0, chip 1 (remote, over 2 links) at x=1
  t3k     four n300 boards, 2x4: MMIO chips 0-3 in columns 1 and 2, each board's
          remote chip (4-7) beside it in column 0 or 3
  galaxy  one ubb board, 4x8, every chip MMIO, 4 links between neighbours, chip ids
          and channels placed as on a 6U Galaxy (TT-Metal's mock mode knows where
          each chip id sits in its trays and finds the mesh only with that layout):
          chip c sits in half (c % 4) of rows {0,3} (c < 16) or {1,2}, at column
          c // 4 % 4 counted from the middle outwards. A Galaxy tray is a PCI
          segment: tray (c % 4) has buses 0xc0, 0x40, 0x00, 0x80 + 1..8, and
          TT-Metal reads the tray and the chip's place in it from the bus id.
Cards of the other systems sit on bus 0 from slot 5 on, as in the VM.
"""
import sys

# Board ids carry the board type in bits 36..55 (UMD refuses ids without).
BOARD_TYPE_BITS = {"n150": 0x18, "n300": 0x14, "p150": 0x41, "ubb": 0x35}


GALAXY_TRAY_BUS = (0xC0, 0x40, 0x00, 0x80)


def galaxy_bus(chip):
    return GALAXY_TRAY_BUS[chip % 4] + chip // 4 + 1


def cards(system):
    """PCI addresses of the system's cards, in tt-kmd's ordinal (probe) order."""
    if system == "galaxy":
        return [f"0000:{bus:02x}:00.0" for bus in sorted(galaxy_bus(c) for c in range(32))]
    return [f"0000:00:{5 + k:02x}.0" for k in range(len(layout(system)[2]))]


def default_ordinals(system):
    """/dev/tenstorrent/N of each MMIO chip: a T3K's wiring swaps two cards; a Galaxy's
    ordinals follow the bus numbers, its chip ids the mesh."""
    if system == "t3k":
        return [0, 1, 3, 2]
    if system == "galaxy":
        order = sorted(range(32), key=galaxy_bus)
        return [order.index(c) for c in range(32)]
    return list(range(len(layout(system)[2])))


def board_id(kind, serial):
    return (1 << 56) | (BOARD_TYPE_BITS[kind] << 36) | serial


def layout(system):
    """(arch, {chip: (x, y)}, MMIO chips in order, [(board type, chips)], links per neighbour)."""
    if system in ("n150", "p150"):
        arch = "blackhole" if system == "p150" else "wormhole_b0"
        return arch, {0: (0, 0)}, [0], [(system, [0])], 0
    if system == "2xn150":
        return "wormhole_b0", {0: (0, 0), 1: (1, 0)}, [0, 1], [("n150", [0]), ("n150", [1])], 0
    if system == "n300":
        return "wormhole_b0", {0: (0, 0), 1: (1, 0)}, [0], [("n300", [0, 1])], 2
    if system == "t3k":
        where = {}
        for card in range(4):  # card k: MMIO chip k in column 1 or 2, its remote chip 4+k outside it
            x, y = (1 + card // 2, card % 2)
            where[card] = (x, y)
            where[4 + card] = (0 if x == 1 else 3, y)
        return "wormhole_b0", where, [0, 1, 2, 3], [("n300", [4 + k, k]) for k in range(4)], 2
    if system == "galaxy":
        where = {}
        for chip in range(32):
            half, step = chip % 4, chip // 4 % 4
            row = ((0, 0, 3, 3) if chip < 16 else (1, 1, 2, 2))[half]
            where[chip] = (step if half % 2 == 0 else 7 - step, row)
        return "wormhole_b0", where, list(range(32)), [("ubb", list(range(32)))], 4
    raise SystemExit(f"unknown system {system}")


def galaxy_links():
    """A 6U Galaxy's links: 4 channels a neighbour, outward 8-11 -> 4-7, across the middle 8-11 <-> 8-11,
    between a tray row and the next 12-15 -> 0-3, between the two inner rows 12-15 <-> 12-15."""
    pairs = []
    for c in range(32):
        if c % 16 < 12:
            pairs.append((c, 8, c + 4, 4))
        if c % 16 in (12, 14):
            pairs.append((c, 8, c + 1, 8))
        if c < 16:
            pairs.append((c, 12, c + 16, 0))
        if c >= 16 and c % 4 < 2:
            pairs.append((c, 12, c + 2, 12))
    return [(a, ca + i, b, cb + i) for a, ca, b, cb in pairs for i in range(4)]


def ethernet(where, links):
    """Links between grid neighbours: east uses channels 8.., west 0..; south 14.., north 6..."""
    if links == 4:
        return galaxy_links()
    at = {pos: chip for chip, pos in where.items()}
    east, west, south, north = 8, 0, 14, 6
    out = []
    for chip, (x, y) in sorted(where.items()):
        for (dx, dy), (mine, theirs) in (((1, 0), (east, west)), ((0, 1), (south, north))):
            other = at.get((x + dx, y + dy))
            if other is not None:
                out += [(chip, mine + i, other, theirs + i) for i in range(links)]
    return out


def descriptor(system, addresses, ordinals, with_pci):
    arch, where, mmio, boards, links = layout(system)
    addresses = addresses or cards(system)
    ordinals = ordinals or default_ordinals(system)
    if len(ordinals) != len(mmio) or max(ordinals) >= len(addresses):
        raise SystemExit(f"{system} has {len(mmio)} MMIO chips: give an ordinal each, below the number of cards")
    chips = sorted(where)
    out = ["# Generated by tests/ttnn/topology.py " + " ".join(sys.argv[1:]), "arch:"]
    out += [f"  {c}: {arch}" for c in chips]
    out.append("chips:")
    out += [f"  {c}: [{where[c][0]}, {where[c][1]}, 0, 0]" for c in chips]
    out.append("chip_unique_ids:")
    out += [f"  {c}: {0x1000 + c}" for c in chips]
    connections = ethernet(where, links)
    out.append("ethernet_connections:" + ("" if connections else " []"))
    for a, ca, b, cb in connections:
        out += [f"  - - chip: {a}", f"      chan: {ca}", f"    - chip: {b}", f"      chan: {cb}"]
    out.append("ethernet_connections_to_remote_devices: []")
    out.append("chips_with_mmio:")
    out += [f"  - {chip}: {ordinals[k]}" for k, chip in enumerate(mmio)]
    out.append("harvesting:")
    for c in chips:
        out += [f"  {c}:", "    noc_translation: true"]
        if arch == "blackhole":
            out += ["    harvest_mask: 0", "    dram_harvesting_mask: 0", "    eth_harvesting_mask: 0x3",
                    "    pcie_harvesting_mask: 0x2", "    l2cpu_harvesting_mask: 0"]
        else:
            out.append("    harvest_mask: 1")
    out.append("boards:")
    for serial, (kind, members) in enumerate(boards):
        out += [f"  - - board_id: {board_id(kind, 0x1000 + serial)}", f"    - board_type: {kind}", "    - chips:"]
        out += [f"        - {c}" for c in members]
    if system == "galaxy":
        out.append("chip_to_bus_id:")
        out += [f'  {c}: "0x{galaxy_bus(c):04x}"' for c in chips]
    if with_pci:
        out.append("chip_pci_bdfs:")
        out += [f'  {chip}: "{addresses[ordinals[k]]}"' for k, chip in enumerate(mmio)]
    return "\n".join(out) + "\n"



def main(argv):
    args, ordinals, with_pci = [], None, True
    it = iter(argv)
    for a in it:
        if a == "--ordinals":
            ordinals = [int(n) for n in next(it).split(",")]
        elif a == "--cards":
            print("\n".join(cards(next(it))))
            return
        elif a == "--no-pci":
            with_pci = False
        else:
            args.append(a)
    if not args:
        raise SystemExit(__doc__)
    sys.stdout.write(descriptor(args[0], args[1:], ordinals, with_pci))


if __name__ == "__main__":
    main(sys.argv[1:])
