//! The plain data tt-smi shows: read from /proc and /sys by `read`, turned
//! into output by `render`. Serialised as is for `--json` (schema version
//! `SCHEMA_VERSION`, documented in README.md).

use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

/// Memory types in tt-track's order (tt-metal's numbering).
pub const TYPES: [&str; 7] = ["DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL"];
pub const DRAM: usize = 0;
pub const L1: usize = 1;
/// KERNEL categories, in the ABI's order.
pub const CATEGORIES: [&str; 3] = ["application", "fabric", "dispatch"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snapshot {
    pub schema_version: u32,
    /// Seconds since the Unix epoch.
    pub time: u64,
    pub tool_version: String,
    /// tt_track.ko's version, if the module says.
    pub module_version: Option<String>,
    pub devices: Vec<Device>,
    pub processes: Vec<Process>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Device {
    pub ordinal: u32,
    pub pci_address: String,
    pub arch: String,
    pub open_files: u64,
    pub telemetry: Telemetry,
    /// At least chip 0, then every chip that has been reported.
    pub chips: Vec<Chip>,
}

/// From tt-kmd's sysfs and hwmon files; `None` where absent.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Telemetry {
    pub temperature_c: Option<f64>,
    pub power_w: Option<f64>,
    pub aiclk_mhz: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Usage {
    pub bytes: u64,
    pub buffers: u64,
    pub peak_bytes: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Chip {
    pub chip: u32,
    /// Indexed like `TYPES`.
    pub types: [Usage; 7],
    /// KERNEL by category, indexed like `CATEGORIES`.
    pub kernel: [Usage; 3],
    pub dram_capacity: Option<u64>,
    pub l1_capacity: Option<u64>,
    pub leaked_bytes: u64,
    pub leaked_buffers: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Process {
    pub device: u32,
    /// `None` for a process that has the device open (tt-kmd's `pids`) but reports nothing.
    pub chip: Option<u32>,
    /// `None` when the process is outside the reader's PID namespace.
    pub pid: Option<i32>,
    pub user: Option<String>,
    pub command: String,
    /// Indexed like `TYPES`.
    pub bytes: [u64; 7],
    pub buffers: u64,
}

/// A sum that stops at 2^64 - 1 rather than wrap or panic (the kernel's sums saturate too).
pub fn saturating_sum(values: impl IntoIterator<Item = u64>) -> u64 {
    values.into_iter().fold(0, u64::saturating_add)
}

impl Process {
    pub fn total_bytes(&self) -> u64 {
        saturating_sum(self.bytes)
    }
}
