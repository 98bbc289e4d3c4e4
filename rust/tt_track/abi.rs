// SPDX-License-Identifier: GPL-2.0
//! The user-space ABI (generated from ioctl/tt_track_ioctl.h) and the
//! validation of raw request structs into typed requests.

use kernel::ioctl::{_IOW, _IOWR};
use kernel::prelude::*;
use kernel::transmute::{AsBytes, FromBytes};

#[allow(dead_code, non_camel_case_types, non_upper_case_globals, unreachable_pub, clippy::all)]
mod uapi {
    include!("../../ioctl/tt_track_ioctl.rs");
}
pub(crate) use uapi::*;

// SAFETY: the UAPI structs are `repr(C)`, made only of integers and integer
// arrays, with explicit padding fields (no holes: the sizes below are the sums
// of their fields, checked at compile time), so every bit pattern is valid and
// no byte is uninitialised.
unsafe impl FromBytes for tt_track_alloc {}
// SAFETY: as above.
unsafe impl AsBytes for tt_track_alloc {}
// SAFETY: as above.
unsafe impl FromBytes for tt_track_free {}
// SAFETY: as above.
unsafe impl AsBytes for tt_track_free {}
// SAFETY: as above.
unsafe impl FromBytes for tt_track_query_stats {}
// SAFETY: as above.
unsafe impl AsBytes for tt_track_query_stats {}
// SAFETY: as above.
unsafe impl AsBytes for tt_track_get_info {}
// SAFETY: as above.
unsafe impl FromBytes for tt_track_batch {}
// SAFETY: as above.
unsafe impl AsBytes for tt_track_batch {}
// SAFETY: as above.
unsafe impl FromBytes for tt_track_op {}
// SAFETY: as above.
unsafe impl AsBytes for tt_track_op {}

const _: () = {
    use core::mem::size_of;
    assert!(size_of::<tt_track_alloc>() == 4 * 6 + 8 * 2);
    assert!(size_of::<tt_track_free>() == 4 * 6 + 8);
    assert!(size_of::<tt_track_type_stats>() == 8 * 3);
    assert!(size_of::<tt_track_leak_stats>() == 8 * 2);
    assert!(
        QUERY_STATS_SIZE_V1 == 4 * 6 + 8 * 4 + size_of::<tt_track_type_stats>() * (TYPE_COUNT + KERNEL_CATEGORIES)
    );
    assert!(size_of::<tt_track_query_stats>() == QUERY_STATS_SIZE_V1 + size_of::<tt_track_leak_stats>() * TYPE_COUNT);
    assert!(size_of::<tt_track_device_info>() == 4 + 2 * 2 + 16 * 2 + 8 * 3);
    assert!(size_of::<tt_track_get_info>() == 4 * 4 + size_of::<tt_track_device_info>() * MAX_DEVICES);
    assert!(size_of::<tt_track_op>() == 4 * 6 + 8 * 2);
    assert!(size_of::<tt_track_batch>() == 4 * 4 + 8);
};

const MAGIC: u32 = TT_TRACK_IOCTL_MAGIC;
pub(crate) const CMD_ALLOC: u32 = _IOW::<tt_track_alloc>(MAGIC, TT_TRACK_NR_ALLOC);
pub(crate) const CMD_FREE: u32 = _IOW::<tt_track_free>(MAGIC, TT_TRACK_NR_FREE);
pub(crate) const CMD_QUERY_STATS: u32 = _IOWR::<tt_track_query_stats>(MAGIC, TT_TRACK_NR_QUERY_STATS);
pub(crate) const CMD_GET_INFO: u32 = _IOWR::<tt_track_get_info>(MAGIC, TT_TRACK_NR_GET_INFO);
pub(crate) const CMD_BATCH: u32 = _IOWR::<tt_track_batch>(MAGIC, TT_TRACK_NR_BATCH);

/// The size bits of an ioctl number.
const SIZE_BITS: u32 = 0x3fff << 16;
const _: () = assert!(kernel::ioctl::_IOC_SIZE(SIZE_BITS) == 0x3fff && kernel::ioctl::_IOC_NR(SIZE_BITS) == 0);

/// QUERY_STATS's struct before revision 2 appended `leaked`.
const QUERY_STATS_SIZE_V1: usize = TT_TRACK_QUERY_STATS_SIZE_V1 as usize;

/// A call of one of our commands, as numbered by the caller: the command (in
/// our numbering) and the size of the caller's struct, which is the size in
/// its ioctl number. A newer library may send a larger struct than ours (its
/// new fields), an older one a smaller one, down to the first revision's
/// size; below that the number is not one of ours.
pub(crate) struct Call {
    pub(crate) cmd: u32,
    pub(crate) size: usize,
}

impl Call {
    pub(crate) fn decode(cmd: u32) -> Option<Self> {
        const ALLOC: u32 = CMD_ALLOC & !SIZE_BITS;
        const FREE: u32 = CMD_FREE & !SIZE_BITS;
        const QUERY_STATS: u32 = CMD_QUERY_STATS & !SIZE_BITS;
        const GET_INFO: u32 = CMD_GET_INFO & !SIZE_BITS;
        const BATCH: u32 = CMD_BATCH & !SIZE_BITS;
        let size_of = |cmd| kernel::ioctl::_IOC_SIZE(cmd);
        // Each command with the size of its struct in the first revision.
        let (known, first) = match cmd & !SIZE_BITS {
            ALLOC => (CMD_ALLOC, size_of(CMD_ALLOC)),
            FREE => (CMD_FREE, size_of(CMD_FREE)),
            QUERY_STATS => (CMD_QUERY_STATS, QUERY_STATS_SIZE_V1),
            GET_INFO => (CMD_GET_INFO, size_of(CMD_GET_INFO)),
            BATCH => (CMD_BATCH, size_of(CMD_BATCH)),
            _ => return None,
        };
        let size = size_of(cmd);
        (size >= first).then_some(Call { cmd: known, size })
    }
}
pub(crate) const BATCH_MAX_OPS: usize = TT_TRACK_BATCH_MAX_OPS as usize;

pub(crate) const TYPE_COUNT: usize = TT_TRACK_TYPE_COUNT as usize;
pub(crate) const KERNEL_CATEGORIES: usize = TT_TRACK_KERNEL_CATEGORY_COUNT as usize;
pub(crate) const MAX_CHIPS: usize = TT_TRACK_MAX_CHIPS as usize;
pub(crate) const MAX_DEVICES: usize = TT_TRACK_MAX_DEVICES as usize;

/// Names used in the /proc files, indexed by type number.
pub(crate) const TYPE_NAMES: [&str; TYPE_COUNT] = ["DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL"];
/// Names of KERNEL categories, indexed by category number.
pub(crate) const CATEGORY_NAMES: [&str; KERNEL_CATEGORIES] = ["application", "fabric", "dispatch"];

/// A chip number below `MAX_CHIPS`, checked once when a request is parsed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Chip(u8);

impl Chip {
    pub(crate) const FIRST: Chip = Chip(0);

    pub(crate) fn new(chip: u32) -> Result<Self> {
        match u8::try_from(chip) {
            Ok(c) if usize::from(c) < MAX_CHIPS => Ok(Chip(c)),
            _ => Err(EINVAL),
        }
    }

    /// The chip whose bit is `bit` in a chips-seen mask (bit < 64).
    pub(crate) fn from_bit(bit: u32) -> Self {
        Chip((bit as usize % MAX_CHIPS) as u8)
    }

    pub(crate) fn index(self) -> usize {
        usize::from(self.0)
    }

    pub(crate) fn number(self) -> u8 {
        self.0
    }

    /// The chip back from `number()` (the bits of a `client::Key`).
    pub(crate) fn from_number(number: u8) -> Self {
        Chip(number % MAX_CHIPS as u8)
    }
}

/// A memory type (tt-metal's numbering), checked once when a request is parsed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Kind(u8);

impl Kind {
    pub(crate) const FIRST: Kind = Kind(0);
    pub(crate) const KERNEL: Kind = Kind(TT_TRACK_TYPE_KERNEL as u8);

    fn new(kind: u32) -> Result<Self> {
        match u8::try_from(kind) {
            Ok(k) if usize::from(k) < TYPE_COUNT => Ok(Kind(k)),
            _ => Err(EINVAL),
        }
    }

    pub(crate) fn all() -> impl Iterator<Item = Kind> {
        (0..TYPE_COUNT as u8).map(Kind)
    }

    /// The next type in numbering order (None after the last).
    pub(crate) fn next(self) -> Option<Kind> {
        Kind::new(u32::from(self.0) + 1).ok()
    }

    pub(crate) fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The type back from `index()` (the bits of a `client::Key`).
    pub(crate) fn from_index(index: u8) -> Self {
        Kind(index % TYPE_COUNT as u8)
    }

    pub(crate) fn name(self) -> &'static str {
        TYPE_NAMES[self.index()]
    }
}

/// What a KERNEL buffer holds; only KERNEL buffers have one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Application = TT_TRACK_KERNEL_APPLICATION as isize,
    Fabric = TT_TRACK_KERNEL_FABRIC as isize,
    Dispatch = TT_TRACK_KERNEL_DISPATCH as isize,
}

impl Category {
    pub(crate) const ALL: [Category; KERNEL_CATEGORIES] = [Category::Application, Category::Fabric, Category::Dispatch];

    /// The category a request names for a buffer of type `kind`: one of the
    /// three for KERNEL, none (0 in the request) for any other type.
    fn for_kind(kind: Kind, raw: u32) -> Result<Option<Self>> {
        match (kind == Kind::KERNEL, usize::try_from(raw)) {
            (true, Ok(c)) if c < KERNEL_CATEGORIES => Ok(Some(Category::ALL[c])),
            (false, Ok(0)) => Ok(None),
            _ => Err(EINVAL),
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn name(self) -> &'static str {
        CATEGORY_NAMES[self.index()]
    }
}

/// Where a buffer lives: device ordinal, chip behind it, memory type.
#[derive(Clone, Copy)]
pub(crate) struct Target {
    pub(crate) device: u32,
    pub(crate) chip: Chip,
    pub(crate) kind: Kind,
}

pub(crate) struct AllocRequest {
    pub(crate) target: Target,
    /// Some exactly for KERNEL buffers.
    pub(crate) category: Option<Category>,
    pub(crate) buffer_id: u64,
    pub(crate) size: u64,
}

pub(crate) struct FreeRequest {
    pub(crate) target: Target,
    pub(crate) buffer_id: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Device,
    File,
}

pub(crate) struct StatsRequest {
    pub(crate) device: u32,
    pub(crate) chip: Chip,
    pub(crate) scope: Scope,
}

/// `argsz` must be the struct's size and no flag is defined yet.
fn check_header(argsz: u32, flags: u32, size: usize) -> Result {
    if usize::try_from(argsz) != Ok(size) || flags != 0 {
        return Err(EINVAL);
    }
    Ok(())
}

fn target(device: u32, chip: u32, kind: u32) -> Result<Target> {
    Ok(Target { device, chip: Chip::new(chip)?, kind: Kind::new(kind)? })
}

impl AllocRequest {
    /// `size`: the caller's struct size (see `Call`), which `argsz` must be.
    #[inline]
    pub(crate) fn parse(raw: &tt_track_alloc, size: usize) -> Result<Self> {
        check_header(raw.argsz, raw.flags, size)?;
        Self::new(target(raw.device, raw.chip, raw.type_)?, raw.category, raw.buffer_id, raw.size)
    }

    fn new(target: Target, category: u32, buffer_id: u64, size: u64) -> Result<Self> {
        let category = Category::for_kind(target.kind, category)?;
        if size == 0 || size > TT_TRACK_MAX_BUFFER_SIZE {
            return Err(EINVAL);
        }
        Ok(Self { target, category, buffer_id, size })
    }
}

impl FreeRequest {
    #[inline]
    pub(crate) fn parse(raw: &tt_track_free, size: usize) -> Result<Self> {
        check_header(raw.argsz, raw.flags, size)?;
        if raw.reserved != 0 {
            return Err(EINVAL);
        }
        Ok(Self { target: target(raw.device, raw.chip, raw.type_)?, buffer_id: raw.buffer_id })
    }
}

/// A BATCH call: where its operations are and how many.
pub(crate) struct BatchRequest {
    pub(crate) ops: usize,
    pub(crate) count: usize,
}

impl BatchRequest {
    pub(crate) fn parse(raw: &tt_track_batch, size: usize) -> Result<Self> {
        check_header(raw.argsz, raw.flags, size)?;
        let count = usize::try_from(raw.count).map_err(|_| EINVAL)?;
        if raw.done != 0 || count == 0 || count > BATCH_MAX_OPS {
            return Err(EINVAL);
        }
        Ok(Self { ops: usize::try_from(raw.ops).map_err(|_| EFAULT)?, count })
    }
}

/// One operation of a batch, checked as the single call checks its request.
pub(crate) enum Op {
    Alloc(AllocRequest),
    Free(FreeRequest),
}

impl Op {
    pub(crate) fn parse(raw: &tt_track_op) -> Result<Self> {
        if raw.result != 0 {
            return Err(EINVAL);
        }
        let target = target(raw.device, raw.chip, raw.type_)?;
        match raw.op {
            TT_TRACK_OP_ALLOC => Ok(Op::Alloc(AllocRequest::new(target, raw.category, raw.buffer_id, raw.size)?)),
            TT_TRACK_OP_FREE if raw.category == 0 && raw.size == 0 => {
                Ok(Op::Free(FreeRequest { target, buffer_id: raw.buffer_id }))
            }
            _ => Err(EINVAL),
        }
    }
}

impl StatsRequest {
    pub(crate) fn parse(raw: &tt_track_query_stats, size: usize) -> Result<Self> {
        check_header(raw.argsz, raw.flags, size)?;
        let scope = match raw.scope {
            TT_TRACK_SCOPE_DEVICE => Scope::Device,
            TT_TRACK_SCOPE_FILE => Scope::File,
            _ => return Err(EINVAL),
        };
        Ok(Self { device: raw.device, chip: Chip::new(raw.chip)?, scope })
    }
}

/// GET_INFO carries no input beyond its header.
pub(crate) fn check_info_header(argsz: u32, flags: u32, size: usize) -> Result {
    check_header(argsz, flags, size)
}
