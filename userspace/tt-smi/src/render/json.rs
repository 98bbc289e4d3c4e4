//! `--json`: the snapshot, schema version 2 (README.md). Memory types and
//! KERNEL categories are keyed by name; "DRAM used" and "L1 used" are given
//! as computed here, so no consumer re-derives them differently.

use crate::model::{Chip, Container, Device, Process, Snapshot, Telemetry, Usage, CATEGORIES, TYPES};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 2;

/// Values keyed by the names they are indexed by.
struct ByName<'a, T>(&'a [&'static str], &'a [T]);

impl<T: Serialize> Serialize for ByName<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0.iter().zip(self.1) {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    time: u64,
    tool_version: &'a str,
    module_version: Option<&'a str>,
    devices: Vec<DeviceView<'a>>,
    processes: Vec<ProcessView<'a>>,
}

#[derive(Serialize)]
struct DeviceView<'a> {
    ordinal: u32,
    pci_address: &'a str,
    arch: &'a str,
    open_files: u64,
    telemetry: &'a Telemetry,
    chips: Vec<ChipView<'a>>,
}

#[derive(Serialize)]
struct ChipView<'a> {
    chip: u32,
    dram_used_bytes: u64,
    dram_capacity_bytes: Option<u64>,
    l1_used_bytes: u64,
    l1_capacity_bytes: Option<u64>,
    memory: ByName<'a, Usage>,
    kernel: ByName<'a, Usage>,
    leaked_bytes: u64,
    leaked_buffers: u64,
    /// Leaked bytes per type; null from a module that does not count them.
    leaked_memory: Option<ByName<'a, u64>>,
}

#[derive(Serialize)]
struct ProcessView<'a> {
    device: u32,
    chip: Option<u32>,
    pid: Option<i32>,
    user: Option<&'a str>,
    comm: &'a str,
    command: &'a str,
    container: Option<&'a Container>,
    used_memory_bytes: u64,
    dram_used_bytes: u64,
    l1_used_bytes: u64,
    memory: ByName<'a, u64>,
    buffers: u64,
}

fn chip(c: &Chip) -> ChipView<'_> {
    ChipView {
        chip: c.chip,
        dram_used_bytes: c.dram_used(),
        dram_capacity_bytes: c.dram_capacity,
        l1_used_bytes: c.l1_used(),
        l1_capacity_bytes: c.l1_capacity,
        memory: ByName(&TYPES, &c.types),
        kernel: ByName(&CATEGORIES, &c.kernel),
        leaked_bytes: c.leaked_bytes,
        leaked_buffers: c.leaked_buffers,
        leaked_memory: c.leaked_by_type.as_ref().map(|b| ByName(&TYPES, b)),
    }
}

fn device(d: &Device) -> DeviceView<'_> {
    DeviceView {
        ordinal: d.ordinal,
        pci_address: &d.pci_address,
        arch: &d.arch,
        open_files: d.open_files,
        telemetry: &d.telemetry,
        chips: d.chips.iter().map(chip).collect(),
    }
}

fn process(p: &Process) -> ProcessView<'_> {
    ProcessView {
        device: p.device,
        chip: p.chip,
        pid: p.pid,
        user: p.user.as_deref(),
        comm: &p.comm,
        command: &p.command,
        container: p.container.as_ref(),
        used_memory_bytes: p.total_bytes(),
        dram_used_bytes: p.dram_used(),
        l1_used_bytes: p.l1_used(),
        memory: ByName(&TYPES, &p.bytes),
        buffers: p.buffers,
    }
}

pub fn render(s: &Snapshot) -> String {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        time: s.time,
        tool_version: &s.tool_version,
        module_version: s.module_version.as_deref(),
        devices: s.devices.iter().map(device).collect(),
        processes: s.processes.iter().map(process).collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
