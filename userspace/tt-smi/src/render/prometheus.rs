//! `--format prometheus` and `--serve`: the Prometheus text format 0.0.4,
//! which both the Prometheus server and node_exporter's textfile collector
//! parse, written by the `prometheus` crate (escaping, TYPE and HELP lines).
//!
//! One series per (device, chip, type) and per (device, chip, pid, type);
//! KERNEL's categories are a family of their own, so summing over `type`
//! counts kernel binaries once. `command` is the comm (bounded, no argv).

use crate::model::{Chip, Device, Snapshot, Usage, CATEGORIES, TYPES};
use crate::text::printable;
use prometheus::{Encoder, GaugeVec, IntCounterVec, Opts, Registry, TextEncoder};

/// The content type of what `render` returns.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const CHIP: [&str; 3] = ["device", "chip", "pci"];
const PROCESS: [&str; 7] = ["device", "chip", "pid", "command", "user", "container", "pod_uid"];

/// The families of one exposition, registered as they are made.
struct Families(Registry);

impl Families {
    fn gauge(&self, name: &str, help: &str, labels: &[&str]) -> GaugeVec {
        let g = GaugeVec::new(Opts::new(name, help), labels).expect("valid metric name and labels");
        self.0.register(Box::new(g.clone())).expect("each family registered once");
        g
    }

    fn counter(&self, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
        let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric name and labels");
        self.0.register(Box::new(c.clone())).expect("each family registered once");
        c
    }
}

/// `[device, chip, pci]`, then `extra`.
fn chip_labels(d: &Device, c: &Chip, extra: &[&str]) -> Vec<String> {
    let mut l = vec![d.ordinal.to_string(), c.chip.to_string(), d.pci_address.clone()];
    l.extend(extra.iter().map(|s| s.to_string()));
    l
}

fn set(g: &GaugeVec, labels: &[String], value: u64) {
    let l: Vec<&str> = labels.iter().map(String::as_str).collect();
    g.with_label_values(&l).set(value as f64);
}

/// Bytes, buffers and peak of each usage, in three families named
/// `{prefix}memory_used_bytes`, `{prefix}buffers`, `{prefix}memory_peak_bytes`.
fn usage_families(
    f: &Families,
    prefix: &str,
    what: &str,
    label: &str,
    s: &Snapshot,
    get: fn(&Chip) -> Vec<(&str, Usage)>,
) {
    let labels = [&CHIP[..], &[label]].concat();
    let used =
        f.gauge(&format!("{prefix}memory_used_bytes"), &format!("Live bytes tracked by tt_track, by {what}."), &labels);
    let buffers =
        f.gauge(&format!("{prefix}buffers"), &format!("Live buffers tracked by tt_track, by {what}."), &labels);
    let peak = f.gauge(
        &format!("{prefix}memory_peak_bytes"),
        &format!("Highest live bytes since tt_track was loaded, by {what}."),
        &labels,
    );
    for d in &s.devices {
        for c in &d.chips {
            for (name, u) in get(c) {
                let l = chip_labels(d, c, &[name]);
                set(&used, &l, u.bytes);
                set(&buffers, &l, u.buffers);
                set(&peak, &l, u.peak_bytes);
            }
        }
    }
}

pub fn render(s: &Snapshot) -> String {
    let f = Families(Registry::new());
    usage_families(&f, "tt_device_", "memory type", "type", s, |c| TYPES.iter().copied().zip(c.types).collect());
    usage_families(&f, "tt_device_kernel_", "KERNEL category (part of type KERNEL)", "category", s, |c| {
        CATEGORIES.iter().copied().zip(c.kernel).collect()
    });
    let capacity =
        f.gauge("tt_device_memory_capacity_bytes", "Nominal capacity per chip.", &[&CHIP[..], &["type"]].concat());
    let leaked_bytes =
        f.counter("tt_device_leaked_bytes_total", "Bytes reclaimed from processes that exited holding them.", &CHIP);
    let leaked_buffers = f.counter(
        "tt_device_leaked_buffers_total",
        "Buffers reclaimed from processes that exited holding them.",
        &CHIP,
    );
    for d in &s.devices {
        for c in &d.chips {
            for (t, cap) in [("DRAM", c.dram_capacity), ("L1", c.l1_capacity)] {
                if let Some(cap) = cap {
                    set(&capacity, &chip_labels(d, c, &[t]), cap);
                }
            }
            let l = chip_labels(d, c, &[]);
            let l: Vec<&str> = l.iter().map(String::as_str).collect();
            leaked_bytes.with_label_values(&l).inc_by(c.leaked_bytes);
            leaked_buffers.with_label_values(&l).inc_by(c.leaked_buffers);
        }
    }
    let process = f.gauge(
        "tt_process_memory_used_bytes",
        "Live bytes per process and chip, by memory type.",
        &[&PROCESS[..], &["type"]].concat(),
    );
    // Processes that report (a chip) and are visible (a pid); `read` made them one row each.
    for p in &s.processes {
        let (Some(chip), Some(pid)) = (p.chip, p.pid) else { continue };
        let container = p.container.as_ref();
        for (t, bytes) in TYPES.iter().zip(p.bytes) {
            let l = [
                p.device.to_string(),
                chip.to_string(),
                pid.to_string(),
                // Label values are read on terminals too; the format escapes no control character.
                printable(&p.comm).into_owned(),
                printable(p.user.as_deref().unwrap_or_default()).into_owned(),
                container.map(|c| c.uri()).unwrap_or_default(),
                container.and_then(|c| c.pod_uid.clone()).unwrap_or_default(),
                t.to_string(),
            ];
            set(&process, &l, bytes);
        }
    }
    let mut out = Vec::new();
    // Encoding families the registry made itself cannot fail.
    let _ = TextEncoder::new().encode(&f.0.gather(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
