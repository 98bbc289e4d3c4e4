// SPDX-License-Identifier: GPL-2.0
//! One Tenstorrent PCI device: identity, nominal capacities and per-chip
//! atomic counters (live bytes and buffers, peaks, leaks).
//!
//! Counters are only ever changed by the open file that owns the entries, under
//! that file's lock, by amounts it added itself: they cannot underflow, and no
//! global lock is needed. A byte total never passes `u64::MAX` (ERANGE);
//! leak counters saturate there.

use crate::abi::{tt_track_type_stats, Category, Chip, Kind, KERNEL_CATEGORIES, MAX_CHIPS, TYPE_COUNT};
use crate::sys::{self, pci::PciDev};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// Live bytes and buffers of one kind, with the peak of `bytes`.
#[derive(Default)]
pub(crate) struct Counter {
    bytes: AtomicU64,
    buffers: AtomicU64,
    peak: AtomicU64,
}

impl Counter {
    /// Adds `bytes` unless the total would pass `u64::MAX` (then ERANGE and
    /// no change). Checked here, not per file: many files share a counter.
    fn try_add(&self, bytes: u64) -> Result {
        let before = self.bytes.fetch_update(Relaxed, Relaxed, |b| b.checked_add(bytes)).map_err(|_| ERANGE)?;
        self.note(before + bytes);
        Ok(())
    }

    /// Adds an amount some other counter already bounded (a KERNEL category
    /// is part of the KERNEL total, so it cannot pass `u64::MAX` either).
    fn add_bounded(&self, bytes: u64) {
        let now = self.bytes.fetch_add(bytes, Relaxed).wrapping_add(bytes);
        self.note(now);
    }

    /// Counts one more buffer and keeps the peak.
    fn note(&self, now: u64) {
        // Buffers are bounded by kernel memory (one tree node each).
        self.buffers.fetch_add(1, Relaxed);
        // A read first: a new peak is rare, and a shared line is only written then.
        if now > self.peak.load(Relaxed) {
            self.peak.fetch_max(now, Relaxed);
        }
    }

    /// Gives back what was added (never more: callers subtract their own amounts).
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

/// Adds to a monotonic counter, stopping at `u64::MAX` instead of wrapping.
fn add_saturating(counter: &AtomicU64, amount: u64) {
    // The closure never returns None, so the update cannot fail.
    let _ = counter.fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_add(amount)));
}

/// What files closed with live entries left behind: only grows, and stops
/// at `u64::MAX` rather than wrap.
#[derive(Default)]
pub(crate) struct Leak {
    pub(crate) bytes: AtomicU64,
    pub(crate) buffers: AtomicU64,
}

impl Leak {
    fn add(&self, bytes: u64, buffers: u64) {
        add_saturating(&self.bytes, bytes);
        add_saturating(&self.buffers, buffers);
    }

    pub(crate) fn snapshot(&self) -> (u64, u64) {
        (self.bytes.load(Relaxed), self.buffers.load(Relaxed))
    }
}

/// Counters of one chip, on cache lines of their own: processes on different
/// chips of a card never write the same line.
#[derive(Default)]
#[repr(align(64))]
pub(crate) struct ChipCounters {
    pub(crate) types: [Counter; TYPE_COUNT],
    /// KERNEL broken down by category (also counted in `types[KERNEL]`).
    pub(crate) kernel: [Counter; KERNEL_CATEGORIES],
    pub(crate) leaked: [Leak; TYPE_COUNT],
}

impl ChipCounters {
    /// Leaks over all types, saturating: exactly what one counter of every
    /// leak would hold (a type that saturated makes the sum saturate too).
    pub(crate) fn leaked_total(&self) -> (u64, u64) {
        self.leaked.iter().map(Leak::snapshot).fold((0, 0), |(b, n), (lb, ln)| (b.saturating_add(lb), n.saturating_add(ln)))
    }
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
    /// The card's identity while anything holds it: entries are keyed by it,
    /// so they stay with the card whatever ordinal tt-kmd gives it next.
    pub(crate) id: u32,
    pub(crate) address: [u8; 16],
    pub(crate) vendor_id: u16,
    pub(crate) device_id: u16,
    pub(crate) arch: &'static str,
    pub(crate) dram_capacity: u64,
    pub(crate) l1_capacity: u64,
    /// `BOUND` while bound to tt-kmd, or'ed with the ordinal N of
    /// /dev/tenstorrent/N it has (or last had); `NEVER` before the first bind.
    ordinal: AtomicU64,
    chips: KVec<ChipCounters>,
    chips_seen: AtomicU64,
    warn_window: AtomicU64,
    warn_count: AtomicU32,
    /// Open files with a usage slot here: an unbound device nobody uses can go.
    users: AtomicU64,
}

const BOUND: u64 = 1 << 32;
const NEVER: u64 = u64::MAX;

impl Device {
    pub(crate) fn new(pci: &PciDev<'_>, id: u32) -> Result<Self> {
        let (vendor_id, device_id) = pci.ids();
        let model = MODELS.iter().find(|m| vendor_id == TENSTORRENT_VENDOR && m.device_id == device_id);
        let param_or = |param: u64, nominal: u64| if param != 0 { param } else { nominal };
        let mut chips = KVec::with_capacity(MAX_CHIPS, GFP_KERNEL)?;
        for _ in 0..MAX_CHIPS {
            chips.push(ChipCounters::default(), GFP_KERNEL)?;
        }
        let mut address = [0u8; 16];
        let name = pci.address().to_bytes();
        let n = name.len().min(address.len() - 1);
        address[..n].copy_from_slice(&name[..n]);
        Ok(Self {
            id,
            address,
            vendor_id,
            device_id,
            arch: model.map_or("unknown", |m| m.arch),
            dram_capacity: param_or(sys::params::dram_capacity(), model.map_or(0, |m| m.dram)),
            l1_capacity: param_or(sys::params::l1_capacity(), model.map_or(0, |m| m.l1)),
            ordinal: AtomicU64::new(NEVER),
            chips,
            chips_seen: AtomicU64::new(0),
            warn_window: AtomicU64::new(0),
            warn_count: AtomicU32::new(0),
            users: AtomicU64::new(0),
        })
    }

    /// Whether `pci` is this card: same address and ids. A different card at
    /// an old address gets a device of its own (its own arch and capacities).
    pub(crate) fn is(&self, pci: &PciDev<'_>) -> bool {
        self.address_str().as_bytes() == pci.address().to_bytes() && (self.vendor_id, self.device_id) == pci.ids()
    }

    pub(crate) fn address_str(&self) -> &str {
        let len = self.address.iter().position(|&b| b == 0).unwrap_or(self.address.len());
        core::str::from_utf8(&self.address[..len]).unwrap_or("?")
    }

    /// N of /dev/tenstorrent/N while bound to tt-kmd.
    pub(crate) fn ordinal(&self) -> Option<u32> {
        let v = self.ordinal.load(Relaxed);
        (v != NEVER && v & BOUND != 0).then_some(v as u32)
    }

    /// The ordinal it had when last bound (None if bound now or never bound).
    pub(crate) fn last_ordinal(&self) -> Option<u32> {
        let v = self.ordinal.load(Relaxed);
        (v != NEVER && v & BOUND == 0).then_some(v as u32)
    }

    pub(crate) fn bind(&self, ordinal: u32) {
        self.ordinal.store(BOUND | u64::from(ordinal), Relaxed);
    }

    pub(crate) fn unbind(&self) {
        let _ = self.ordinal.fetch_update(Relaxed, Relaxed, |v| (v != NEVER).then_some(v & !BOUND));
    }

    pub(crate) fn chip(&self, chip: Chip) -> &ChipCounters {
        &self.chips[chip.index()]
    }

    pub(crate) fn chips_seen(&self) -> u64 {
        self.chips_seen.load(Relaxed)
    }

    pub(crate) fn add_user(&self) {
        self.users.fetch_add(1, Relaxed);
    }

    pub(crate) fn remove_user(&self) {
        self.users.fetch_sub(1, Relaxed);
    }

    pub(crate) fn in_use(&self) -> bool {
        self.users.load(Relaxed) != 0
    }

    /// Counts a new buffer; ERANGE (and no change) if the device's total of
    /// that type would pass `u64::MAX`.
    // On every event: inlined, as a call costs ~20 ns under TCG (see Client::alloc).
    #[inline(always)]
    pub(crate) fn try_add(&self, chip: Chip, kind: Kind, category: Option<Category>, bytes: u64) -> Result {
        let c = self.chip(chip);
        c.types[kind.index()].try_add(bytes)?;
        if let Some(category) = category {
            c.kernel[category.index()].add_bounded(bytes);
        }
        let bit = 1u64 << chip.index();
        if self.chips_seen.load(Relaxed) & bit == 0 {
            self.chips_seen.fetch_or(bit, Relaxed);
        }
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn sub(&self, chip: Chip, kind: Kind, category: Option<Category>, bytes: u64, buffers: u64) {
        let c = self.chip(chip);
        // The category first (try_add adds it last): a category total never
        // exceeds its type's, even between the two steps of concurrent calls.
        if let Some(category) = category {
            c.kernel[category.index()].sub(bytes, buffers);
        }
        c.types[kind.index()].sub(bytes, buffers);
    }

    /// Counts what a closed file left behind of one type.
    pub(crate) fn add_leak(&self, chip: Chip, kind: Kind, bytes: u64, buffers: u64) {
        let c = self.chip(chip);
        c.leaked[kind.index()].add(bytes, buffers);
    }

    /// Rate limit for leak warnings: a burst per window, per device. Returns
    /// whether to warn now, and how many warnings the window that just ended
    /// suppressed (to be reported, as printk_ratelimited does).
    pub(crate) fn may_warn(&self) -> (bool, u32) {
        let now = sys::uptime_secs();
        let start = self.warn_window.load(Relaxed);
        let mut suppressed = 0;
        if now >= start.saturating_add(WARN_WINDOW_SECS)
            && self.warn_window.compare_exchange(start, now, Relaxed, Relaxed).is_ok()
        {
            suppressed = self.warn_count.swap(0, Relaxed).saturating_sub(WARN_BURST);
        }
        let count = self.warn_count.fetch_update(Relaxed, Relaxed, |n| Some(n.saturating_add(1)));
        (count.unwrap_or(u32::MAX) < WARN_BURST, suppressed)
    }
}
