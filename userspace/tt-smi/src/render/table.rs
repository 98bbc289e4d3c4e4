//! The one-shot view: header, devices, memory by type, processes, leaks.

use super::*;
use crate::model::*;
use crate::text::printable;
use comfy_table::{presets::ASCII_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};

fn table(width: u16, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(ASCII_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header.iter().map(Cell::new));
    t
}

fn right(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

pub fn header(s: &Snapshot) -> String {
    let module = printable(s.module_version.as_deref().unwrap_or("?")).into_owned();
    format!("tt-track-smi {}  |  tt_track {}  |  {}\n", s.tool_version, module, utc(s.time))
}

/// Below this width the wide tables are split or folded.
const NARROW: u16 = 110;
/// The device table with its memory columns needs this many.
const DEVICES_NARROW: u16 = 130;

/// One row per chip, grouped under its card: the card's ordinal, arch, PCI
/// address and telemetry on its first chip's row; the chips reached through
/// it (chip 1 and up: n300's second chip, a Galaxy's chips over Ethernet)
/// marked remote.
pub fn devices(s: &Snapshot, width: u16) -> String {
    let narrow = width < DEVICES_NARROW;
    let mut head = vec!["Card", "Chip", "Arch", "PCI", "Temp", "Power", "AICLK"];
    let mem_head = ["DRAM used", "DRAM%", "L1 used", "L1%"];
    if !narrow {
        head.extend(mem_head);
    }
    let mut t = table(width, &head);
    let mut m = table(width, &[&["Card", "Chip"][..], &mem_head[..]].concat());
    let share = |used: u64, cap: Option<u64>| match cap {
        Some(c) if c > 0 => (format!("{} / {}", human(used), human(c)), format!("{:.0}%", percent(used, c))),
        _ => (human(used), "N/A".to_string()),
    };
    for d in &s.devices {
        let tel = &d.telemetry;
        for (n, c) in d.chips.iter().enumerate() {
            let first = n == 0;
            let card = right(if first { d.ordinal.to_string() } else { String::new() });
            let chip = Cell::new(if c.chip == 0 { "0".to_string() } else { format!("{} remote", c.chip) });
            let card_only = |text: String| if first { text } else { String::new() };
            let (dram, dram_pct) = share(c.dram_used(), c.dram_capacity);
            let (l1, l1_pct) = share(c.l1_used(), c.l1_capacity);
            let mem = vec![right(dram), right(dram_pct), right(l1), right(l1_pct)];
            let mut row = vec![
                card.clone(),
                chip.clone(),
                Cell::new(card_only(printable(&d.arch).into_owned())),
                Cell::new(card_only(printable(&d.pci_address).into_owned())),
                right(card_only(or_na(tel.temperature_c, |v| format!("{v:.0} C")))),
                right(card_only(or_na(tel.power_w, |v| format!("{v:.0} W")))),
                right(card_only(or_na(tel.aiclk_mhz, |v| format!("{v} MHz")))),
            ];
            if narrow {
                m.add_row([vec![card, chip], mem].concat());
            } else {
                row.extend(mem);
            }
            t.add_row(row);
        }
    }
    if narrow {
        format!("{t}\n{m}\n")
    } else {
        format!("{t}\n")
    }
}

/// Per chip: each type with its share of the memory it lives in.
pub fn breakdown(s: &Snapshot, width: u16) -> String {
    let mut t = table(width, &["Dev/Chip", "Type", "Used", "Buffers", "Peak", "Share"]);
    let bar_width = if width < NARROW { 10 } else { 20 };
    for d in &s.devices {
        for c in &d.chips {
            let dev = format!("{}/{}", d.ordinal, c.chip);
            // DRAM and L1 always; other types once they have been used.
            let mut row = |name: String, u: &Usage, cap: Option<u64>| {
                if u.peak_bytes == 0 && u.bytes == 0 && !(name == "DRAM" || name == "L1") {
                    return;
                }
                t.add_row(vec![
                    Cell::new(&dev),
                    Cell::new(name),
                    right(human(u.bytes)),
                    right(u.buffers.to_string()),
                    right(human(u.peak_bytes)),
                    Cell::new(bar(u.bytes, cap, bar_width)),
                ]);
            };
            // Where each type lives decides its bar: DRAM and TRACE in DRAM, the rest in L1.
            row("DRAM".into(), &c.types[DRAM], c.dram_capacity);
            row("L1".into(), &c.types[L1], c.l1_capacity);
            row("L1_SMALL".into(), &c.types[L1_SMALL], c.l1_capacity);
            row("TRACE".into(), &c.types[TRACE], c.dram_capacity);
            row("CB".into(), &c.types[CB], c.l1_capacity);
            for (k, name) in CATEGORIES.iter().enumerate() {
                row(format!("KERNEL {name}"), &c.kernel[k], c.l1_capacity);
            }
            row("SYSTEM_MEMORY".into(), &c.types[SYSTEM_MEMORY], None);
        }
    }
    format!("{t}\n")
}

/// One row per process and chip: "DRAM used" and "L1 used" as in the device
/// table (per-type bytes are in --json and the CSV fields); a Container column
/// when any process runs in one. Narrow: no system memory, container ids alone.
pub fn processes(s: &Snapshot, width: u16) -> String {
    if s.processes.is_empty() {
        return "No processes are using a Tenstorrent device.\n".to_string();
    }
    let narrow = width < NARROW;
    let containers = s.processes.iter().any(|p| p.container.is_some());
    let mut head = vec!["Dev", "PID", "User"];
    if containers {
        head.push("Container");
    }
    head.extend(["Command", "DRAM used", "L1 used"]);
    if !narrow {
        head.push("Sys mem");
    }
    head.push("Buffers");
    let mut t = table(width, &head);
    for p in &s.processes {
        let dev = match p.chip {
            Some(c) if c != 0 => format!("{}/{}", p.device, c),
            _ => p.device.to_string(),
        };
        let mut row = vec![
            right(dev),
            right(p.pid.map_or_else(|| "-".to_string(), |v| v.to_string())),
            Cell::new(printable(p.user.as_deref().unwrap_or("?"))),
        ];
        if containers {
            let short = if narrow { Container::id12 } else { Container::short };
            row.push(Cell::new(p.container.as_ref().map_or_else(String::new, short)));
        }
        row.extend([Cell::new(printable(&p.command)), right(human(p.dram_used())), right(human(p.l1_used()))]);
        if !narrow {
            row.push(right(human(p.bytes[SYSTEM_MEMORY])));
        }
        row.push(right(p.buffers.to_string()));
        t.add_row(row);
    }
    format!("{t}\n")
}

pub fn leaks(s: &Snapshot) -> String {
    let mut out = String::new();
    for d in &s.devices {
        for c in d.chips.iter().filter(|c| c.leaked_buffers > 0) {
            out += &format!(
                "  device {} chip {}: {} in {} buffers\n",
                d.ordinal,
                c.chip,
                human(c.leaked_bytes),
                c.leaked_buffers
            );
        }
    }
    if out.is_empty() {
        "Leaks (reclaimed from processes that exited holding buffers): none\n".to_string()
    } else {
        format!("Leaks (reclaimed from processes that exited holding buffers):\n{out}")
    }
}

/// The whole one-shot output at a given width.
pub fn render(s: &Snapshot, width: u16) -> String {
    [
        header(s),
        devices(s, width),
        "Memory by type\n".to_string(),
        breakdown(s, width),
        "Processes\n".to_string(),
        processes(s, width),
        leaks(s),
    ]
    .join("")
}
