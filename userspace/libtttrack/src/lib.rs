//! libtttrack: report Tenstorrent device-memory allocations to the tt_track
//! kernel module, which keeps per-process books and reclaims them when the
//! process exits, crashes or is killed.
//!
//! Safe on a hot allocator path: thread-safe, the device node is opened once
//! per process on first use (a child process opens its own), the report path
//! takes no lock and allocates nothing, and nothing ever panics or prints.
//! Without the module (or with `TT_TRACK_DISABLE=1`) every call returns
//! [`Error::Unavailable`] at the cost of two atomic loads ([`unavailable_reason`] says why).
//!
//! ```no_run
//! use tttrack::{track_alloc, track_free, MemType};
//! track_alloc(0, 0, MemType::Dram, 0x1000, 1 << 20).ok();
//! track_free(0, 0, MemType::Dram, 0x1000).ok();
//! ```

mod error;
mod ffi;
mod fork;
mod handle;
mod probe;

pub use error::{Error, Unavailable};
use tt_track_abi as abi;

/// Memory types, numbered as tt-metal's `BufferType` (plus CB and KERNEL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum MemType {
    Dram = abi::TT_TRACK_TYPE_DRAM,
    L1 = abi::TT_TRACK_TYPE_L1,
    SystemMemory = abi::TT_TRACK_TYPE_SYSTEM_MEMORY,
    L1Small = abi::TT_TRACK_TYPE_L1_SMALL,
    Trace = abi::TT_TRACK_TYPE_TRACE,
    Cb = abi::TT_TRACK_TYPE_CB,
    Kernel = abi::TT_TRACK_TYPE_KERNEL,
}

/// What a KERNEL (kernel binary) allocation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum KernelCategory {
    Application = abi::TT_TRACK_KERNEL_APPLICATION,
    Fabric = abi::TT_TRACK_KERNEL_FABRIC,
    Dispatch = abi::TT_TRACK_KERNEL_DISPATCH,
}

/// Whose allocations a stats query covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every process.
    Device,
    /// Only this process's tracking file.
    OwnProcess,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeStats {
    pub bytes: u64,
    pub buffers: u64,
    pub peak_bytes: u64,
}

impl From<abi::tt_track_type_stats> for TypeStats {
    fn from(s: abi::tt_track_type_stats) -> Self {
        TypeStats { bytes: s.bytes, buffers: s.buffers, peak_bytes: s.peak_bytes }
    }
}

/// One chip's counters, as returned by [`query_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Indexed by `MemType as usize`.
    pub types: [TypeStats; 7],
    /// KERNEL broken down, indexed by `KernelCategory as usize`.
    pub kernel: [TypeStats; 3],
    pub dram_capacity: u64,
    pub l1_capacity: u64,
    pub open_files: u32,
    pub leaked_bytes: u64,
    pub leaked_buffers: u64,
    /// The leaks per type, indexed by `MemType as usize` (zeros from a
    /// module of ABI revision 1, which does not count them).
    pub leaked: [LeakStats; 7],
}

/// What files closed with live entries left behind, of one type (device scope).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeakStats {
    pub bytes: u64,
    pub buffers: u64,
}

/// An attached device, as returned by [`devices`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub ordinal: u32,
    pub pci_address: String,
    pub vendor_id: u16,
    pub device_id: u16,
    pub arch: String,
    pub dram_capacity: u64,
    pub l1_capacity: u64,
    /// Bit c set once chip c has been reported.
    pub chips_seen: u64,
}

/// Reports an allocation of `size` bytes of `kind` memory on `chip` of device
/// `device` (N of /dev/tenstorrent/N). `buffer_id` must be unique per
/// (device, chip, kind) among this process's live buffers.
#[inline]
pub fn track_alloc(device: u32, chip: u32, kind: MemType, buffer_id: u64, size: u64) -> Result<(), Error> {
    raw_alloc(device, chip, kind as u32, 0, buffer_id, size)
}

/// Reports a kernel-binary allocation of the given category.
#[inline]
pub fn track_alloc_kernel(
    device: u32,
    chip: u32,
    category: KernelCategory,
    buffer_id: u64,
    size: u64,
) -> Result<(), Error> {
    raw_alloc(device, chip, MemType::Kernel as u32, category as u32, buffer_id, size)
}

/// Reports that a buffer was freed.
#[inline]
pub fn track_free(device: u32, chip: u32, kind: MemType, buffer_id: u64) -> Result<(), Error> {
    raw_free(device, chip, kind as u32, buffer_id)
}

/// One operation of [`track_batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Alloc { device: u32, chip: u32, kind: MemType, buffer_id: u64, size: u64 },
    AllocKernel { device: u32, chip: u32, category: KernelCategory, buffer_id: u64, size: u64 },
    Free { device: u32, chip: u32, kind: MemType, buffer_id: u64 },
}

impl Op {
    fn raw(self) -> abi::tt_track_op {
        let (op, device, chip, type_, category, buffer_id, size) = match self {
            Op::Alloc { device, chip, kind, buffer_id, size } => {
                (abi::TT_TRACK_OP_ALLOC, device, chip, kind as u32, 0, buffer_id, size)
            }
            Op::AllocKernel { device, chip, category, buffer_id, size } => {
                (abi::TT_TRACK_OP_ALLOC, device, chip, MemType::Kernel as u32, category as u32, buffer_id, size)
            }
            Op::Free { device, chip, kind, buffer_id } => {
                (abi::TT_TRACK_OP_FREE, device, chip, kind as u32, 0, buffer_id, 0)
            }
        };
        abi::tt_track_op { op, device, chip, type_, category, result: 0, buffer_id, size }
    }
}

/// Operations one system call carries (the kernel's limit).
pub const BATCH_MAX_OPS: usize = abi::TT_TRACK_BATCH_MAX_OPS as usize;

/// Reports `ops` in one system call per [`BATCH_MAX_OPS`] operations (a mesh
/// buffer on every chip is one call). Each operation succeeds or fails on its
/// own, exactly as the single call would, and a failure does not stop the
/// others: `results[i]` (if there is one) is the outcome of `ops[i]`. Returns
/// how many succeeded. A call that fails as a whole applies none of its
/// operations: then its operations and all later ones (not sent) get that
/// error, earlier calls' operations stand, and the error is returned. No heap
/// allocation.
pub fn track_batch(ops: &[Op], results: &mut [Result<(), Error>]) -> Result<usize, Error> {
    // A mesh event is a few operations: don't clear 10 KiB of stack for it.
    let mut small = [abi::tt_track_op::default(); 16];
    let mut large;
    let raw: &mut [abi::tt_track_op] = if ops.len() <= small.len() {
        &mut small
    } else {
        large = [abi::tt_track_op::default(); BATCH_MAX_OPS];
        &mut large
    };
    let mut done = 0;
    for (n, chunk) in ops.chunks(BATCH_MAX_OPS).enumerate() {
        let first = n * BATCH_MAX_OPS;
        for (r, op) in raw.iter_mut().zip(chunk) {
            *r = op.raw();
        }
        match raw_batch(&mut raw[..chunk.len()]) {
            Ok(d) => done += d,
            Err(e) => {
                results.iter_mut().skip(first).for_each(|out| *out = Err(e));
                return Err(e);
            }
        }
        for (out, r) in results.iter_mut().skip(first).zip(&raw[..chunk.len()]) {
            *out = if r.result == 0 { Ok(()) } else { Err(Error::from_errno(r.result.saturating_neg())) };
        }
    }
    Ok(done)
}

/// One BATCH call (1..=BATCH_MAX_OPS operations): how many succeeded.
pub(crate) fn raw_batch(ops: &mut [abi::tt_track_op]) -> Result<usize, Error> {
    let mut req = abi::tt_track_batch {
        argsz: std::mem::size_of::<abi::tt_track_batch>() as u32,
        flags: 0,
        count: ops.len() as u32,
        done: 0,
        ops: ops.as_mut_ptr() as u64,
    };
    handle::ioctl(abi::TT_TRACK_BATCH, &mut req)?;
    Ok(req.done as usize)
}

#[inline]
pub(crate) fn raw_alloc(
    device: u32,
    chip: u32,
    kind: u32,
    category: u32,
    buffer_id: u64,
    size: u64,
) -> Result<(), Error> {
    let mut req = abi::tt_track_alloc {
        argsz: std::mem::size_of::<abi::tt_track_alloc>() as u32,
        flags: 0,
        device,
        chip,
        type_: kind,
        category,
        buffer_id,
        size,
    };
    handle::ioctl(abi::TT_TRACK_ALLOC, &mut req)
}

#[inline]
pub(crate) fn raw_free(device: u32, chip: u32, kind: u32, buffer_id: u64) -> Result<(), Error> {
    let mut req = abi::tt_track_free {
        argsz: std::mem::size_of::<abi::tt_track_free>() as u32,
        flags: 0,
        device,
        chip,
        type_: kind,
        reserved: 0,
        buffer_id,
    };
    handle::ioctl(abi::TT_TRACK_FREE, &mut req)
}

pub(crate) fn raw_query(device: u32, chip: u32, scope: u32) -> Result<abi::tt_track_query_stats, Error> {
    let mut req = abi::tt_track_query_stats {
        argsz: std::mem::size_of::<abi::tt_track_query_stats>() as u32,
        device,
        chip,
        scope,
        ..Default::default()
    };
    handle::ioctl(abi::TT_TRACK_QUERY_STATS, &mut req)?;
    Ok(req)
}

pub(crate) fn raw_info() -> Result<Box<abi::tt_track_get_info>, Error> {
    let mut info = Box::new(abi::tt_track_get_info {
        argsz: std::mem::size_of::<abi::tt_track_get_info>() as u32,
        ..Default::default()
    });
    handle::ioctl(abi::TT_TRACK_GET_INFO, &mut *info)?;
    Ok(info)
}

/// Counters of one chip, for every process or only this one.
pub fn query_stats(device: u32, chip: u32, scope: Scope) -> Result<Stats, Error> {
    let scope = match scope {
        Scope::Device => abi::TT_TRACK_SCOPE_DEVICE,
        Scope::OwnProcess => abi::TT_TRACK_SCOPE_FILE,
    };
    let r = raw_query(device, chip, scope)?;
    Ok(Stats {
        types: r.types.map(TypeStats::from),
        kernel: r.kernel.map(TypeStats::from),
        dram_capacity: r.dram_capacity,
        l1_capacity: r.l1_capacity,
        open_files: r.open_files,
        leaked_bytes: r.leaked_bytes,
        leaked_buffers: r.leaked_buffers,
        leaked: r.leaked.map(|l| LeakStats { bytes: l.bytes, buffers: l.buffers }),
    })
}

/// The devices tt_track is attached to.
pub fn devices() -> Result<Vec<DeviceInfo>, Error> {
    let info = raw_info()?;
    let n = (info.device_count as usize).min(info.devices.len());
    Ok(info.devices[..n]
        .iter()
        .map(|d| DeviceInfo {
            ordinal: d.ordinal,
            pci_address: c_chars(&d.pci_address),
            vendor_id: d.vendor_id,
            device_id: d.device_id,
            arch: c_chars(&d.arch),
            dram_capacity: d.dram_capacity,
            l1_capacity: d.l1_capacity,
            chips_seen: d.chips_seen,
        })
        .collect())
}

fn c_chars(field: &[std::ffi::c_char]) -> String {
    let bytes: Vec<u8> = field.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether reports reach the kernel (opens the device node if needed).
pub fn is_available() -> bool {
    unavailable_reason().is_none()
}

/// Why reports do not reach the kernel, or None when they do (opens the
/// device node if needed, or tries again after a transient failure).
pub fn unavailable_reason() -> Option<Unavailable> {
    handle::fd().err()
}
