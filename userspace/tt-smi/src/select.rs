//! Which devices and processes are shown, and in what order (`-i`, `--pid`,
//! `--sort`); the same for every output.

use crate::model::{Device, Process, Snapshot};
use std::cmp::Reverse;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    /// Device, then chip (the /proc order).
    Device,
    Pid,
    /// Most used memory (every type) first.
    Memory,
    /// Most "DRAM used" first.
    Dram,
    /// Most "L1 used" first.
    L1,
    /// Command name.
    Name,
    User,
}

/// A device named on the command line (`-i`): its ordinal, or its PCI
/// address, with or without the domain (`0000:01:00.0`, `01:00.0`), as
/// nvidia-smi takes an index or a bus id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceId {
    Ordinal(u32),
    Pci(String),
}

impl DeviceId {
    pub fn parse(s: &str) -> Result<Self, String> {
        if let Ok(n) = s.parse() {
            return Ok(DeviceId::Ordinal(n));
        }
        let hex = |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit());
        let parts: Vec<&str> = s.split([':', '.']).collect();
        let address = match parts[..] {
            [domain, bus, dev, func] if hex(domain, 4) && hex(bus, 2) && hex(dev, 2) && hex(func, 1) => s.to_string(),
            [bus, dev, func] if hex(bus, 2) && hex(dev, 2) && hex(func, 1) => format!("0000:{s}"),
            _ => return Err(format!("{s:?} is neither a device number nor a PCI address (0000:01:00.0)")),
        };
        Ok(DeviceId::Pci(address.to_ascii_lowercase()))
    }

    fn names(&self, d: &Device) -> bool {
        match self {
            DeviceId::Ordinal(n) => d.ordinal == *n,
            DeviceId::Pci(address) => d.pci_address.eq_ignore_ascii_case(address),
        }
    }
}

impl std::fmt::Display for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeviceId::Ordinal(n) => write!(f, "{n}"),
            DeviceId::Pci(address) => f.write_str(address),
        }
    }
}

/// Keeps the devices in `devices` (all when empty) and their processes, and
/// the processes in `pids` (all when empty). Err: a device asked for that is not there.
pub fn filter(s: &mut Snapshot, devices: &[DeviceId], pids: &[i32]) -> Result<(), DeviceId> {
    if let Some(missing) = devices.iter().find(|id| !s.devices.iter().any(|d| id.names(d))) {
        return Err(missing.clone());
    }
    let ordinals: Vec<u32> = s
        .devices
        .iter()
        .filter(|d| devices.is_empty() || devices.iter().any(|id| id.names(d)))
        .map(|d| d.ordinal)
        .collect();
    let wanted_device = |n: u32| ordinals.contains(&n);
    s.devices.retain(|d| wanted_device(d.ordinal));
    s.processes
        .retain(|p| wanted_device(p.device) && (pids.is_empty() || p.pid.is_some_and(|pid| pids.contains(&pid))));
    Ok(())
}

/// Stable: rows that compare equal keep the /proc order.
pub fn sort(processes: &mut [Process], key: SortKey) {
    match key {
        SortKey::Device => processes.sort_by_key(|p| (p.device, p.chip)),
        SortKey::Pid => processes.sort_by_key(|p| p.pid),
        SortKey::Memory => processes.sort_by_key(|p| Reverse(p.total_bytes())),
        SortKey::Dram => processes.sort_by_key(|p| Reverse(p.dram_used())),
        SortKey::L1 => processes.sort_by_key(|p| Reverse(p.l1_used())),
        SortKey::Name => processes.sort_by(|a, b| a.command.cmp(&b.command)),
        SortKey::User => processes.sort_by(|a, b| a.user.cmp(&b.user)),
    }
}
