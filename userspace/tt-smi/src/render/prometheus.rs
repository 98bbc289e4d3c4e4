//! `--format prometheus`: OpenMetrics text for node_exporter's textfile
//! collector. Device gauges per chip and type; per-process gauges.

use crate::model::{Snapshot, Usage, CATEGORIES, TYPES};
use std::fmt::Write;

/// A label value with `\`, `"` and newlines escaped.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

struct Metric<'a> {
    out: &'a mut String,
}

impl Metric<'_> {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# TYPE {name} {kind}\n# HELP {name} {help}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, String)], value: u64) {
        let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", esc(v))).collect();
        let _ = writeln!(self.out, "{name}{{{}}} {value}", l.join(","));
    }
}

pub fn render(s: &Snapshot) -> String {
    let mut out = String::new();
    let mut m = Metric { out: &mut out };
    let chips = || s.devices.iter().flat_map(|d| d.chips.iter().map(move |c| (d, c)));
    let base = |d: &crate::model::Device, chip: u32| {
        vec![("device", d.ordinal.to_string()), ("chip", chip.to_string()), ("pci", d.pci_address.clone())]
    };

    // One family per counter field, one sample per chip and type (KERNEL also by category).
    /// (metric, help, value, with KERNEL categories)
    type Field = (&'static str, &'static str, fn(&Usage) -> u64, bool);
    let fields: [Field; 3] = [
        ("tt_device_memory_used_bytes", "Live bytes tracked by tt_track, by memory type.", |u| u.bytes, true),
        ("tt_device_memory_peak_bytes", "Highest live bytes since tt_track was loaded.", |u| u.peak_bytes, false),
        ("tt_device_buffers", "Live buffers tracked by tt_track, by memory type.", |u| u.buffers, false),
    ];
    for (name, help, value, categories) in fields {
        m.family(name, "gauge", help);
        for (d, c) in chips() {
            let types = TYPES.iter().map(|t| t.to_string()).zip(c.types.iter());
            let kernel = CATEGORIES.iter().map(|k| format!("KERNEL_{}", k.to_uppercase())).zip(c.kernel.iter());
            for (t, u) in types.chain(kernel.filter(|_| categories)) {
                let mut l = base(d, c.chip);
                l.push(("type", t));
                m.sample(name, &l, value(u));
            }
        }
    }
    m.family("tt_device_memory_capacity_bytes", "gauge", "Nominal capacity per chip.");
    for (d, c) in chips() {
        for (t, cap) in [("DRAM", c.dram_capacity), ("L1", c.l1_capacity)] {
            if let Some(cap) = cap {
                let mut l = base(d, c.chip);
                l.push(("type", t.to_string()));
                m.sample("tt_device_memory_capacity_bytes", &l, cap);
            }
        }
    }
    m.family("tt_device_leaked_bytes", "counter", "Bytes reclaimed from processes that exited holding them.");
    for (d, c) in chips() {
        m.sample("tt_device_leaked_bytes_total", &base(d, c.chip), c.leaked_bytes);
    }
    m.family("tt_device_leaked_buffers", "counter", "Buffers reclaimed from processes that exited holding them.");
    for (d, c) in chips() {
        m.sample("tt_device_leaked_buffers_total", &base(d, c.chip), c.leaked_buffers);
    }
    m.family("tt_process_memory_used_bytes", "gauge", "Live bytes per process, by memory type.");
    for p in s.processes.iter().filter(|p| p.pid.is_some() && p.chip.is_some()) {
        for (k, t) in TYPES.iter().enumerate() {
            let l = [
                ("device", p.device.to_string()),
                ("chip", p.chip.unwrap_or(0).to_string()),
                ("pid", p.pid.unwrap_or(0).to_string()),
                ("command", p.command.clone()),
                ("type", t.to_string()),
            ];
            m.sample("tt_process_memory_used_bytes", &l, p.bytes[k]);
        }
    }
    out.push_str("# EOF\n");
    out
}
