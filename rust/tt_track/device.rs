// SPDX-License-Identifier: GPL-2.0
//! One Tenstorrent PCI device: identity, nominal capacities and per-chip
//! atomic counters (live bytes and buffers, peaks, leaks).
//!
//! Counters are only ever changed by the open file that owns the entries, under
//! that file's lock, by amounts it added itself: they cannot underflow, and no
//! global lock is needed.

use crate::abi::{tt_track_type_stats, KERNEL_CATEGORIES, MAX_CHIPS, TYPE_COUNT, TYPE_KERNEL};
use crate::sys;
use core::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// Live bytes and buffers of one kind, with the peak of `bytes`.
#[derive(Default)]
pub(crate) struct Counter {
    bytes: AtomicU64,
    buffers: AtomicU64,
    peak: AtomicU64,
}

impl Counter {
    fn add(&self, bytes: u64, buffers: u64) {
        let now = self.bytes.fetch_add(bytes, Relaxed).wrapping_add(bytes);
        self.buffers.fetch_add(buffers, Relaxed);
        // A read first: a new peak is rare, and a shared line is only written then.
        if now > self.peak.load(Relaxed) {
            self.peak.fetch_max(now, Relaxed);
        }
    }

    fn sub(&self, bytes: u64, buffers: u64) {
        self.bytes.fetch_sub(bytes, Relaxed);
        self.buffers.fetch_sub(buffers, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> tt_track_type_stats {
        tt_track_type_stats {
            bytes: self.bytes.load(Relaxed),
            buffers: self.buffers.load(Relaxed),
            peak_bytes: self.peak.load(Relaxed),
        }
    }
}

/// Counters of one chip.
#[derive(Default)]
pub(crate) struct ChipCounters {
    pub(crate) types: [Counter; TYPE_COUNT],
    /// KERNEL broken down by category (also counted in `types[KERNEL]`).
    pub(crate) kernel: [Counter; KERNEL_CATEGORIES],
    pub(crate) leaked_bytes: AtomicU64,
    pub(crate) leaked_buffers: AtomicU64,
}

/// Nominal per-chip capacities by PCI device id. Sources: Tenstorrent product
/// pages (DRAM) and tt-metal's SoC descriptors (worker cores x L1 per core).
struct Model {
    device_id: u16,
    arch: &'static str,
    dram: u64,
    l1: u64,
}

const GIB: u64 = 1 << 30;
const MODELS: [Model; 2] = [
    // Wormhole n150/n300: 12 GiB GDDR6 per chip; 72 Tensix x 1,499,136 B L1.
    Model { device_id: 0x401e, arch: "wormhole", dram: 12 * GIB, l1: 72 * 1_499_136 },
    // Blackhole p150: 32 GiB GDDR6; 140 Tensix x 1,572,864 B L1.
    Model { device_id: 0xb140, arch: "blackhole", dram: 32 * GIB, l1: 140 * 1_572_864 },
];
pub(crate) const TENSTORRENT_VENDOR: u16 = 0x1e52;

/// At most this many leak warnings per device per window.
const WARN_BURST: u32 = 10;
const WARN_WINDOW_SECS: u64 = 5;

pub(crate) struct Device {
    pub(crate) address: [u8; 16],
    pub(crate) vendor_id: u16,
    pub(crate) device_id: u16,
    pub(crate) arch: &'static str,
    pub(crate) dram_capacity: u64,
    pub(crate) l1_capacity: u64,
    /// /dev/tenstorrent/N while bound to tt-kmd, -1 while not.
    ordinal: AtomicI64,
    chips: KVec<ChipCounters>,
    chips_seen: AtomicU64,
    warn_window: AtomicU64,
    warn_count: AtomicU32,
}

impl Device {
    pub(crate) fn new(address: &[u8], vendor_id: u16, device_id: u16) -> Result<Self> {
        let model = MODELS.iter().find(|m| vendor_id == TENSTORRENT_VENDOR && m.device_id == device_id);
        let param_or = |param: u64, nominal: u64| if param != 0 { param } else { nominal };
        let mut chips = KVec::with_capacity(MAX_CHIPS, GFP_KERNEL)?;
        for _ in 0..MAX_CHIPS {
            chips.push(ChipCounters::default(), GFP_KERNEL)?;
        }
        let mut addr = [0u8; 16];
        let n = address.len().min(addr.len() - 1);
        addr[..n].copy_from_slice(&address[..n]);
        Ok(Self {
            address: addr,
            vendor_id,
            device_id,
            arch: model.map_or("unknown", |m| m.arch),
            dram_capacity: param_or(sys::params::dram_capacity(), model.map_or(0, |m| m.dram)),
            l1_capacity: param_or(sys::params::l1_capacity(), model.map_or(0, |m| m.l1)),
            ordinal: AtomicI64::new(-1),
            chips,
            chips_seen: AtomicU64::new(0),
            warn_window: AtomicU64::new(0),
            warn_count: AtomicU32::new(0),
        })
    }

    pub(crate) fn address_str(&self) -> &str {
        let len = self.address.iter().position(|&b| b == 0).unwrap_or(self.address.len());
        core::str::from_utf8(&self.address[..len]).unwrap_or("?")
    }

    pub(crate) fn ordinal(&self) -> Option<u32> {
        u32::try_from(self.ordinal.load(Relaxed)).ok()
    }

    pub(crate) fn set_ordinal(&self, ordinal: Option<u32>) {
        self.ordinal.store(ordinal.map_or(-1, i64::from), Relaxed);
    }

    pub(crate) fn chip(&self, chip: u8) -> &ChipCounters {
        // `chip` was validated against MAX_CHIPS when the request was parsed.
        &self.chips[usize::from(chip) % MAX_CHIPS]
    }

    pub(crate) fn chips_seen(&self) -> u64 {
        self.chips_seen.load(Relaxed)
    }

    pub(crate) fn add(&self, chip: u8, kind: u8, category: u8, bytes: u64, buffers: u64) {
        let c = self.chip(chip);
        c.types[usize::from(kind)].add(bytes, buffers);
        if kind == TYPE_KERNEL {
            c.kernel[usize::from(category)].add(bytes, buffers);
        }
        let bit = 1u64 << chip;
        if self.chips_seen.load(Relaxed) & bit == 0 {
            self.chips_seen.fetch_or(bit, Relaxed);
        }
    }

    pub(crate) fn sub(&self, chip: u8, kind: u8, category: u8, bytes: u64, buffers: u64) {
        let c = self.chip(chip);
        c.types[usize::from(kind)].sub(bytes, buffers);
        if kind == TYPE_KERNEL {
            c.kernel[usize::from(category)].sub(bytes, buffers);
        }
    }

    pub(crate) fn add_leak(&self, chip: u8, bytes: u64, buffers: u64) {
        let c = self.chip(chip);
        c.leaked_bytes.fetch_add(bytes, Relaxed);
        c.leaked_buffers.fetch_add(buffers, Relaxed);
    }

    /// Rate limit for leak warnings: a burst per window, per device. Returns
    /// whether to warn now, and how many warnings the window that just ended
    /// suppressed (to be reported, as printk_ratelimited does).
    pub(crate) fn may_warn(&self) -> (bool, u32) {
        let now = sys::uptime_secs();
        let start = self.warn_window.load(Relaxed);
        let mut suppressed = 0;
        if now >= start + WARN_WINDOW_SECS
            && self.warn_window.compare_exchange(start, now, Relaxed, Relaxed).is_ok()
        {
            suppressed = self.warn_count.swap(0, Relaxed).saturating_sub(WARN_BURST);
        }
        (self.warn_count.fetch_add(1, Relaxed) < WARN_BURST, suppressed)
    }
}
