//! Reads tt-track's and tt-kmd's files under a root directory into a
//! `Snapshot`. Formats: README.md ("The /proc files").

use crate::comm;
use crate::container;
use crate::model::*;
use crate::users::Users;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why nothing could be shown; each has its own exit code (README.md).
#[derive(Debug)]
pub enum ReadError {
    /// No /proc/driver/tenstorrent: tt-kmd not loaded, or no device.
    NoDevices,
    /// Devices exist but tt_track's files do not: the module is not loaded.
    ModuleNotLoaded,
    PermissionDenied(PathBuf),
    Io(PathBuf, io::Error),
}

impl ReadError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ReadError::Io(..) => 1,
            ReadError::ModuleNotLoaded => 3,
            ReadError::NoDevices => 4,
            ReadError::PermissionDenied(_) => 5,
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NoDevices => write!(f, "no Tenstorrent devices found (is tt-kmd loaded?)"),
            ReadError::ModuleNotLoaded => {
                write!(f, "tt_track is not loaded: device memory is not tracked (insmod tt_track.ko)")
            }
            ReadError::PermissionDenied(p) => write!(f, "permission denied reading {}", p.display()),
            ReadError::Io(p, e) => write!(f, "cannot read {}: {}", p.display(), e),
        }
    }
}

/// A snapshot plus the lines that had to be skipped.
pub struct Reading {
    pub snapshot: Snapshot,
    pub warnings: Vec<String>,
}

pub fn read(root: &Path, time: u64) -> Result<Reading, ReadError> {
    let mut warnings = Vec::new();
    let base = root.join("proc/driver/tenstorrent");
    let entries = match fs::read_dir(&base) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ReadError::NoDevices),
        Err(e) => return Err(io_error(&base, e)),
    };
    let mut ordinals: Vec<u32> = entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect();
    ordinals.sort_unstable();
    if ordinals.is_empty() {
        return Err(ReadError::NoDevices);
    }
    let mut users = Users::default();
    let mut devices = Vec::new();
    let mut processes = Vec::new();
    let mut tracked_any = false;
    for n in ordinals {
        let dir = base.join(n.to_string());
        let stats = match fs::read_to_string(dir.join("stats")) {
            Ok(text) => Some(text),
            // A device removed between two reads, or tt_track not loaded.
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&dir.join("stats"), e)),
        };
        let Some(stats) = stats else {
            if dir.exists() && root.join("sys/module/tt_track").exists() {
                warnings.push(format!("device {n}: no stats file (device removed while reading?)"));
            }
            continue;
        };
        tracked_any = true;
        let parsed = parse_stats(n, &stats, &mut warnings);
        let mut device = parsed.device;
        device.telemetry = telemetry(root, n);
        for p in parsed.processes {
            add_process(&mut processes, with_owner(root, &mut users, p));
        }
        // Processes holding the device open (tt-kmd) but reporting nothing.
        if let Ok(pids) = fs::read_to_string(dir.join("pids")) {
            // tt-kmd prints 0 for a process outside the reader's PID namespace: not a process.
            for pid in pids.lines().filter_map(|l| l.trim().parse::<i32>().ok()).filter(|&p| p > 0) {
                if !processes.iter().any(|p| p.device == n && p.pid == Some(pid)) {
                    let comm = proc_comm(root, pid).unwrap_or_else(|| "?".into());
                    let idle = Process {
                        device: n,
                        chip: None,
                        pid: Some(pid),
                        user: None,
                        command: comm.clone(),
                        comm,
                        container: None,
                        bytes: [0; 7],
                        buffers: 0,
                    };
                    processes.push(with_owner(root, &mut users, idle));
                }
            }
        }
        devices.push(device);
    }
    if !tracked_any {
        return Err(if root.join("sys/module/tt_track").exists() {
            ReadError::NoDevices
        } else {
            ReadError::ModuleNotLoaded
        });
    }
    let module_version =
        fs::read_to_string(root.join("sys/module/tt_track/version")).ok().map(|v| v.trim().to_string());
    Ok(Reading {
        snapshot: Snapshot {
            time,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            module_version,
            devices,
            processes,
        },
        warnings,
    })
}

fn io_error(path: &Path, e: io::Error) -> ReadError {
    if e.kind() == io::ErrorKind::PermissionDenied {
        ReadError::PermissionDenied(path.to_path_buf())
    } else {
        ReadError::Io(path.to_path_buf(), e)
    }
}

pub struct ParsedStats {
    pub device: Device,
    pub processes: Vec<Process>,
}

/// Parses one `stats` file; a line that does not parse is skipped with a warning.
pub fn parse_stats(ordinal: u32, text: &str, warnings: &mut Vec<String>) -> ParsedStats {
    let mut device = Device {
        ordinal,
        pci_address: String::new(),
        arch: String::new(),
        open_files: 0,
        telemetry: Telemetry::default(),
        chips: Vec::new(),
    };
    let mut processes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let ok = match line.split(' ').next() {
            Some("tt_track") => parse_header(line, &mut device),
            Some("total") => parse_total(line, &mut device),
            Some("kernel") => parse_kernel(line, &mut device),
            Some("leak") => parse_leak(line, &mut device),
            Some("proc") => parse_proc(ordinal, line).map(|p| processes.push(p)),
            _ => None,
        };
        if ok.is_none() {
            warnings.push(format!("device {ordinal}: skipped malformed stats line {}: {:?}", i + 1, line));
        }
    }
    if device.chips.is_empty() {
        device.chips.push(Chip::default());
    }
    ParsedStats { device, processes }
}

fn fields(line: &str, n: usize) -> Option<Vec<&str>> {
    let f: Vec<&str> = line.split(' ').collect();
    (f.len() == n).then_some(f)
}

fn num(s: &str) -> Option<u64> {
    s.parse().ok()
}

/// `BYTES BUFFERS PEAK`
fn usage(f: &[&str]) -> Option<Usage> {
    Some(Usage { bytes: num(f[0])?, buffers: num(f[1])?, peak_bytes: num(f[2])? })
}

fn chip_mut(device: &mut Device, chip: u32) -> &mut Chip {
    let i = match device.chips.iter().position(|c| c.chip == chip) {
        Some(i) => i,
        None => {
            device.chips.push(Chip { chip, ..Chip::default() });
            device.chips.sort_by_key(|c| c.chip);
            device.chips.iter().position(|c| c.chip == chip).unwrap_or(0)
        }
    };
    &mut device.chips[i]
}

/// `tt_track stats v1 device N pci ADDR arch ARCH open_files K`
fn parse_header(line: &str, device: &mut Device) -> Option<()> {
    let f = fields(line, 11)?;
    if f[1] != "stats" || f[2] != "v1" || f[3] != "device" || f[5] != "pci" || f[7] != "arch" {
        return None;
    }
    device.pci_address = f[6].to_string();
    device.arch = f[8].to_string();
    device.open_files = num(f[10])?;
    Some(())
}

/// `total CHIP TYPE BYTES BUFFERS PEAK CAPACITY|-`
fn parse_total(line: &str, device: &mut Device) -> Option<()> {
    let f = fields(line, 7)?;
    let chip = f[1].parse().ok()?;
    let kind = TYPES.iter().position(|t| *t == f[2])?;
    let usage = usage(&f[3..6])?;
    let capacity = if f[6] == "-" { None } else { Some(num(f[6])?) };
    let c = chip_mut(device, chip);
    c.types[kind] = usage;
    match kind {
        DRAM => c.dram_capacity = capacity,
        L1 => c.l1_capacity = capacity,
        _ => {}
    }
    Some(())
}

/// `kernel CHIP CATEGORY BYTES BUFFERS PEAK`
fn parse_kernel(line: &str, device: &mut Device) -> Option<()> {
    let f = fields(line, 6)?;
    let chip = f[1].parse().ok()?;
    let cat = CATEGORIES.iter().position(|c| *c == f[2])?;
    let usage = usage(&f[3..6])?;
    chip_mut(device, chip).kernel[cat] = usage;
    Some(())
}

/// `leak CHIP BYTES BUFFERS DRAM L1 SYSTEM_MEMORY L1_SMALL TRACE CB KERNEL`
/// (bytes per type), or without the types from a module before 0.1.0's ABI
/// revision 2.
fn parse_leak(line: &str, device: &mut Device) -> Option<()> {
    let f: Vec<&str> = line.split(' ').collect();
    let by_type = match f.len() {
        4 => None,
        11 => {
            let mut bytes = [0; 7];
            for (b, s) in bytes.iter_mut().zip(&f[4..]) {
                *b = num(s)?;
            }
            Some(bytes)
        }
        _ => return None,
    };
    let chip = f[1].parse().ok()?;
    let (bytes, buffers) = (num(f[2])?, num(f[3])?);
    let c = chip_mut(device, chip);
    c.leaked_bytes = bytes;
    c.leaked_buffers = buffers;
    c.leaked_by_type = by_type;
    Some(())
}

/// `proc PID|- CHIP DRAM L1 SYSTEM_MEMORY L1_SMALL TRACE CB KERNEL BUFFERS COMM...`
/// (comm is last and may contain spaces).
fn parse_proc(device: u32, line: &str) -> Option<Process> {
    let f: Vec<&str> = line.splitn(12, ' ').collect();
    if f.len() != 12 {
        return None;
    }
    // tt_track writes `-` for "no live process to show"; 0 or below is no process at all.
    let pid = if f[1] == "-" { None } else { Some(f[1].parse().ok().filter(|&p: &i32| p > 0)?) };
    let mut bytes = [0u64; 7];
    for (k, b) in bytes.iter_mut().enumerate() {
        *b = num(f[3 + k])?;
    }
    let comm = match (pid, f[11]) {
        (None, "-") => "(outside this PID namespace)".to_string(),
        (_, comm) => comm::decode(comm)?,
    };
    Some(Process {
        device,
        chip: Some(f[2].parse().ok()?),
        pid,
        user: None,
        command: comm.clone(),
        comm,
        container: None,
        bytes,
        buffers: num(f[10])?,
    })
}

/// tt-kmd's telemetry: sysfs attributes and hwmon, each optional.
fn telemetry(root: &Path, ordinal: u32) -> Telemetry {
    let class = root.join(format!("sys/class/tenstorrent/tenstorrent!{ordinal}"));
    let read_num = |p: PathBuf| fs::read_to_string(p).ok()?.trim().parse::<f64>().ok();
    let hwmon = fs::read_dir(class.join("device/hwmon")).ok().and_then(|mut d| d.find_map(|e| Some(e.ok()?.path())));
    Telemetry {
        temperature_c: hwmon.as_ref().and_then(|h| read_num(h.join("temp1_input"))).map(|m| m / 1000.0),
        power_w: hwmon.as_ref().and_then(|h| read_num(h.join("power1_input"))).map(|u| u / 1_000_000.0),
        aiclk_mhz: read_num(class.join("tt_aiclk")).map(|v| v as u64),
    }
}

/// /proc/PID/comm is the raw name (not escaped), newline-terminated.
fn proc_comm(root: &Path, pid: i32) -> Option<String> {
    let raw = fs::read(root.join(format!("proc/{pid}/comm"))).ok()?;
    Some(String::from_utf8_lossy(raw.strip_suffix(b"\n").unwrap_or(&raw)).into_owned())
}

/// One row per (device, chip, pid): a process with several tracking files
/// (two opens of the device) is summed, so no view shows it twice.
fn add_process(processes: &mut Vec<Process>, p: Process) {
    let same = |q: &&mut Process| p.pid.is_some() && (q.device, q.chip, q.pid) == (p.device, p.chip, p.pid);
    match processes.iter_mut().find(same) {
        Some(q) => q.absorb(&p),
        None => processes.push(p),
    }
}

/// Owner, full command line and container, from /proc/PID (each optional:
/// the process may have exited, or be outside this PID namespace).
fn with_owner(root: &Path, users: &mut Users, mut p: Process) -> Process {
    let Some(pid) = p.pid else { return p };
    let dir = root.join(format!("proc/{pid}"));
    if let Ok(cmdline) = fs::read(dir.join("cmdline")) {
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if !args.is_empty() {
            p.command = args.join(" ");
        }
    }
    p.container = fs::read(dir.join("cgroup")).ok().and_then(|c| container::from_cgroup(&String::from_utf8_lossy(&c)));
    p.user = fs::read(dir.join("status")).ok().and_then(|s| {
        let s = String::from_utf8_lossy(&s);
        let uid: u32 = s.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.parse().ok()?;
        Some(users.name(uid))
    });
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_processes_are_one_line_per_chip() {
        let p = parse_proc(0, "proc - 3 10 20 0 0 0 0 0 2 -").unwrap();
        assert_eq!((p.pid, p.chip, p.bytes[1]), (None, Some(3), 20));
        assert_eq!(p.command, "(outside this PID namespace)");
        let p = parse_proc(0, "proc 12 0 1 0 0 0 0 0 0 1 a\\012b").unwrap();
        assert_eq!(p.command, "a\nb");
    }

    #[test]
    fn pids_and_chips_out_of_range_are_malformed() {
        assert!(parse_proc(0, "proc 0 0 1 0 0 0 0 0 0 1 x").is_none());
        assert!(parse_proc(0, "proc -1 0 1 0 0 0 0 0 0 1 x").is_none());
        assert!(parse_proc(0, "proc 1 4294967296 1 0 0 0 0 0 0 1 x").is_none());
    }
}
