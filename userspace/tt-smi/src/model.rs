//! The plain data tt-track-smi shows: read from /proc and /sys by `read`,
//! turned into output by `render`.

use serde::Serialize;

/// Memory types in tt-track's order (tt-metal's numbering).
pub const TYPES: [&str; 7] = ["DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL"];
pub const DRAM: usize = 0;
pub const L1: usize = 1;
pub const SYSTEM_MEMORY: usize = 2;
pub const L1_SMALL: usize = 3;
pub const TRACE: usize = 4;
pub const CB: usize = 5;
pub const KERNEL: usize = 6;
/// KERNEL categories, in the ABI's order.
pub const CATEGORIES: [&str; 3] = ["application", "fabric", "dispatch"];

/// "DRAM used" in every view: the types TT-Metal places in DRAM.
pub const IN_DRAM: [usize; 2] = [DRAM, TRACE];
/// "L1 used" in every view: the types TT-Metal places in L1.
pub const IN_L1: [usize; 4] = [L1, L1_SMALL, CB, KERNEL];

/// A sum that stops at 2^64 - 1 rather than wrap or panic (the kernel's sums saturate too).
pub fn saturating_sum(values: impl IntoIterator<Item = u64>) -> u64 {
    values.into_iter().fold(0, u64::saturating_add)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Seconds since the Unix epoch.
    pub time: u64,
    pub tool_version: String,
    /// tt_track.ko's version, if the module says.
    pub module_version: Option<String>,
    pub devices: Vec<Device>,
    pub processes: Vec<Process>,
}

#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, Default, PartialEq)]
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
    /// Leaked bytes per type, indexed like `TYPES` (None from a module that
    /// does not break leaks down).
    pub leaked_by_type: Option<[u64; 7]>,
}

impl Chip {
    pub fn dram_used(&self) -> u64 {
        saturating_sum(IN_DRAM.map(|k| self.types[k].bytes))
    }

    pub fn l1_used(&self) -> u64 {
        saturating_sum(IN_L1.map(|k| self.types[k].bytes))
    }
}

/// Where a process runs, from its cgroup (see `container`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Container {
    /// docker, containerd, podman, cri-o, or cri (a Kubernetes pod's container of an unnamed runtime).
    pub runtime: &'static str,
    /// The full 64-hex-digit id; `None` for a pod whose container is not named.
    pub id: Option<String>,
    /// The Kubernetes pod's UID, for a container in a pod.
    pub pod_uid: Option<String>,
}

impl Container {
    /// `runtime://id`, as Kubernetes writes a container ID.
    pub fn uri(&self) -> String {
        self.id.as_ref().map_or_else(String::new, |id| format!("{}://{id}", self.runtime))
    }

    /// Short form for a table: `docker:4f6b5d6c2e1a`, or `pod:UID` without a container id.
    pub fn short(&self) -> String {
        match &self.id {
            Some(_) => format!("{}:{}", self.runtime, self.id12()),
            None => format!("pod:{}", self.pod_uid.as_deref().unwrap_or("?")),
        }
    }

    /// The first 12 digits of the id (as `docker ps`), or of the pod UID.
    pub fn id12(&self) -> String {
        let id = self.id.as_deref().or(self.pod_uid.as_deref()).unwrap_or("?");
        id.chars().take(12).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    pub device: u32,
    /// `None` for a process that has the device open (tt-kmd's `pids`) but reports nothing.
    pub chip: Option<u32>,
    /// `None` when the process is outside the reader's PID namespace.
    pub pid: Option<i32>,
    pub user: Option<String>,
    /// The name tt_track recorded (or /proc/PID/comm for one that reports nothing).
    pub comm: String,
    /// The full command line when readable, else `comm`.
    pub command: String,
    pub container: Option<Container>,
    /// Indexed like `TYPES`.
    pub bytes: [u64; 7],
    pub buffers: u64,
}

impl Process {
    /// Every type: nvidia-smi's `used_memory`.
    pub fn total_bytes(&self) -> u64 {
        saturating_sum(self.bytes)
    }

    pub fn dram_used(&self) -> u64 {
        saturating_sum(IN_DRAM.map(|k| self.bytes[k]))
    }

    pub fn l1_used(&self) -> u64 {
        saturating_sum(IN_L1.map(|k| self.bytes[k]))
    }

    /// Adds another file's bytes of the same process and chip.
    pub fn absorb(&mut self, other: &Process) {
        for (mine, theirs) in self.bytes.iter_mut().zip(other.bytes) {
            *mine = mine.saturating_add(theirs);
        }
        self.buffers = self.buffers.saturating_add(other.buffers);
    }
}
