//! Which devices and processes are shown, and in what order (`-i`, `--pid`,
//! `--sort`); the same for every output.

use crate::model::{Process, Snapshot};
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

/// Keeps the devices in `devices` (all when empty) and their processes, and
/// the processes in `pids` (all when empty). Err: a device asked for that is not there.
pub fn filter(s: &mut Snapshot, devices: &[u32], pids: &[i32]) -> Result<(), u32> {
    if let Some(&missing) = devices.iter().find(|&&n| !s.devices.iter().any(|d| d.ordinal == n)) {
        return Err(missing);
    }
    let wanted_device = |n: u32| devices.is_empty() || devices.contains(&n);
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
