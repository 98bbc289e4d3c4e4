// SPDX-License-Identifier: GPL-2.0
//! One open file of /dev/tenstorrent-track: its live-buffer table, its own
//! counters and its cleanup when the file is released.

use crate::abi::{
    tt_track_op, tt_track_type_stats, AllocRequest, Category, Chip, FreeRequest, Kind, Op, KERNEL_CATEGORIES,
    TT_TRACK_OP_ALLOC, TYPE_COUNT,
};
use crate::device::Device;
use crate::registry::Registry;
use crate::sys::{self, procfs::LineBuf, task::EscapedComm, task::Pid};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNodeReservation};
use kernel::sync::{Arc, Mutex};
use kernel::{new_mutex, rbtree};

/// Key of a live buffer within one file, in sort order: card, chip, type,
/// buffer id. So a card's entries are contiguous and /proc readers can resume
/// by key. The card, chip and type share one word: a step down the tree then
/// compares two words, not four fields.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    /// `device << 32 | chip << 8 | kind`.
    place: u64,
    pub(crate) buffer_id: u64,
}

impl Key {
    /// `device` is the card's `Device::id`, not its ordinal: tt-kmd may give
    /// the card another ordinal after an unbind, and the entry must stay with it.
    pub(crate) fn new(device: u32, chip: Chip, kind: Kind, buffer_id: u64) -> Self {
        let place = u64::from(device) << 32 | u64::from(chip.number()) << 8 | kind.index() as u64;
        Key { place, buffer_id }
    }

    pub(crate) fn first_of(device: u32) -> Self {
        Key::new(device, Chip::FIRST, Kind::FIRST, 0)
    }

    pub(crate) fn device(self) -> u32 {
        (self.place >> 32) as u32
    }

    pub(crate) fn chip(self) -> Chip {
        Chip::from_number((self.place >> 8) as u8)
    }

    pub(crate) fn kind(self) -> Kind {
        Kind::from_index(self.place as u8)
    }

    /// The smallest key after this one on the same card (None past its last).
    pub(crate) fn successor(self) -> Option<Self> {
        if let Some(buffer_id) = self.buffer_id.checked_add(1) {
            return Some(Key { buffer_id, ..self });
        }
        if let Some(kind) = self.kind().next() {
            return Some(Key::new(self.device(), self.chip(), kind, 0));
        }
        let chip = Chip::new(u32::from(self.chip().number()) + 1).ok()?;
        Some(Key::new(self.device(), chip, Kind::FIRST, 0))
    }
}

/// A live buffer. Kept to 16 bytes: with the key and the tree links a node
/// fits a 64-byte slab object.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) size: u64,
    /// Seconds since boot at allocation.
    pub(crate) born: u32,
    /// Index into `Tables::usage`.
    pub(crate) usage: u16,
    pub(crate) category: Option<Category>,
}

/// One `proc` line of `stats`: a file's bytes per type on one chip.
#[derive(Clone, Copy, Default)]
pub(crate) struct UsageLine {
    pub(crate) bytes: [u64; TYPE_COUNT],
    pub(crate) buffers: u64,
}

impl UsageLine {
    /// Adds `other` into this line, saturating (a sum over many files).
    pub(crate) fn add(&mut self, other: &UsageLine) {
        for (b, o) in self.bytes.iter_mut().zip(other.bytes) {
            *b = b.saturating_add(o);
        }
        self.buffers = self.buffers.saturating_add(other.buffers);
    }
}

/// This file's share of one (device, chip).
pub(crate) struct Usage {
    pub(crate) device: Arc<Device>,
    pub(crate) chip: Chip,
    bytes: [u64; TYPE_COUNT],
    buffers: [u64; TYPE_COUNT],
    peak: [u64; TYPE_COUNT],
    kernel_bytes: [u64; KERNEL_CATEGORIES],
    kernel_buffers: [u64; KERNEL_CATEGORIES],
    kernel_peak: [u64; KERNEL_CATEGORIES],
}

impl Usage {
    fn new(device: Arc<Device>, chip: Chip) -> Self {
        Self {
            device,
            chip,
            bytes: [0; TYPE_COUNT],
            buffers: [0; TYPE_COUNT],
            peak: [0; TYPE_COUNT],
            kernel_bytes: [0; KERNEL_CATEGORIES],
            kernel_buffers: [0; KERNEL_CATEGORIES],
            kernel_peak: [0; KERNEL_CATEGORIES],
        }
    }

    /// Live buffers over all types (each bounded by kernel memory).
    fn live_buffers(&self) -> u64 {
        self.buffers.iter().fold(0, |a, &b| a.saturating_add(b))
    }

    /// Live bytes over all types: each type fits in u64, their sum may not.
    fn live_bytes(&self) -> u128 {
        self.bytes.iter().map(|&b| u128::from(b)).sum()
    }

    fn line(&self) -> UsageLine {
        UsageLine { bytes: self.bytes, buffers: self.live_buffers() }
    }
}

/// Freed nodes a file keeps for its next allocations: a steady alloc/free
/// stream then costs no kmalloc, kfree or memcg charge per event.
const SPARE_NODES: usize = 32;

type Node = RBTreeNodeReservation<Key, Entry>;

/// Nodes made outside the lock (or left over): freed on drop.
#[derive(Default)]
struct Spares([Option<Node>; SPARE_NODES]);

/// Everything guarded by the file's lock.
pub(crate) struct Tables {
    entries: RBTree<Key, Entry>,
    spare: Pool,
    /// Never shrinks while the file is open (bounded by devices x chips);
    /// entries refer to it by index.
    usage: KVec<Usage>,
    /// The slot the last ALLOC used: a stream of events on one chip finds
    /// it without a scan.
    last_usage: usize,
    live: u64,
}

/// Freed nodes kept for the next allocations.
struct Pool {
    nodes: [Option<Node>; SPARE_NODES],
    len: usize,
}

impl Pool {
    /// Keeps `node` for a later allocation; one beyond the pool's room is
    /// returned, for the caller to free (after unlocking where it can).
    fn put(&mut self, node: Node) -> Option<Node> {
        if self.len < SPARE_NODES {
            self.nodes[self.len] = Some(node);
            self.len += 1;
            return None;
        }
        Some(node)
    }

    fn take(&mut self) -> Option<Node> {
        self.len = self.len.checked_sub(1)?;
        self.nodes[self.len].take()
    }

    fn clear(&mut self) {
        self.len = 0;
        self.nodes.iter_mut().for_each(|n| drop(n.take()));
    }
}

#[pin_data]
pub(crate) struct Client {
    pub(crate) id: u64,
    pid: Pid,
    /// The opener's comm, escaped once at open as /proc shows it (at most 64 bytes).
    comm: LineBuf<64>,
    #[pin]
    tables: Mutex<Tables>,
    /// The spare pool's size as of the last unlock: how many nodes to allocate before
    /// taking the lock, so that memory reclaim never runs with it held.
    spare_hint: AtomicUsize,
}

/// Who a file belongs to, as the reader of a /proc file may see it.
pub(crate) enum Owner {
    /// A live process of the reader's PID namespace: its pid there.
    Pid(u32),
    /// Visible to the reader, but the opener has exited (a forked child or a
    /// passed fd keeps the file): no live process to blame.
    Exited,
    /// Outside the reader's PID namespace: not shown one by one.
    Hidden,
}

impl Client {
    pub(crate) fn new(id: u64) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Client {
                id,
                pid: Pid::current_tgid(),
                comm: {
                    let mut text = LineBuf::new();
                    let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{}", EscapedComm(&sys::task::current_comm())));
                    text
                },
                tables <- new_mutex!(Tables {
                    entries: RBTree::new(),
                    spare: Pool { nodes: [const { None }; SPARE_NODES], len: 0 },
                    usage: KVec::new(),
                    last_usage: 0,
                    live: 0,
                }),
                spare_hint: AtomicUsize::new(0),
            }),
            // Charged to the opener's memory cgroup, like everything the file holds.
            sys::gfp_account_mayfail(),
        )
    }

    /// The opener's comm as /proc shows it: escaped, so plain ASCII.
    pub(crate) fn comm(&self) -> &str {
        core::str::from_utf8(self.comm.as_bytes()).unwrap_or("?")
    }

    pub(crate) fn owner(&self) -> Owner {
        match self.pid.nr_in_current_ns() {
            None => Owner::Hidden,
            Some(_) if !self.pid.alive() => Owner::Exited,
            Some(nr) => Owner::Pid(nr),
        }
    }

    // The report path (this, alloc_in, free_in and what they call on every
    // event) is inlined into the ioctl: under TCG a call and its return cost
    // about 20 ns, as much as 20 to 40 plain instructions (BENCHMARKS.md).
    #[inline(always)]
    pub(crate) fn alloc(&self, registry: &Registry, req: &AllocRequest) -> Result {
        // A node made before the lock if the pool looked empty (see `nodes_for`).
        let node = if self.spare_hint.load(Relaxed) == 0 { Node::new(sys::gfp_account_mayfail()).ok() } else { None };
        let mut tables = self.tables.lock();
        let extra = node.and_then(|n| tables.spare.put(n));
        let result = Self::alloc_in(registry, &mut tables, req);
        self.unlock(tables);
        drop(extra);
        result
    }

    #[inline(always)]
    pub(crate) fn free(&self, registry: &Registry, req: &FreeRequest) -> Result {
        let mut tables = self.tables.lock();
        let result = Self::free_in(registry, &mut tables, req);
        self.unlock(tables);
        result
    }

    /// A BATCH's operations, in order, under one hold of the lock (at most
    /// `BATCH_MAX_OPS`): each one's result in it; returns how many succeeded.
    pub(crate) fn batch(&self, registry: &Registry, ops: &mut [tt_track_op]) -> u32 {
        let allocs = ops.iter().filter(|op| op.op == TT_TRACK_OP_ALLOC).count();
        // Nodes for the allocations the spare list seems short of, made
        // before the lock. Best effort: a shortfall is made up under the
        // lock, where a failure is reported per operation.
        let missing = allocs.min(SPARE_NODES).saturating_sub(self.spare_hint.load(Relaxed));
        if missing == 0 {
            return self.apply(registry, ops, None);
        }
        let mut made = Spares::default();
        for slot in made.0.iter_mut().take(missing) {
            *slot = Node::new(sys::gfp_account_mayfail()).ok();
        }
        // Those that did not fit the list (a concurrent call filled it) are
        // left in `made`, freed here after the lock.
        self.apply(registry, ops, Some(&mut made))
    }

    fn apply(&self, registry: &Registry, ops: &mut [tt_track_op], made: Option<&mut Spares>) -> u32 {
        let mut tables = self.tables.lock();
        for slot in made.into_iter().flat_map(|m| m.0.iter_mut()) {
            if let Some(node) = slot.take() {
                *slot = tables.spare.put(node);
            }
        }
        let mut done = 0;
        for raw in ops {
            let result = match Op::parse(raw) {
                Ok(Op::Alloc(req)) => Self::alloc_in(registry, &mut tables, &req),
                Ok(Op::Free(req)) => Self::free_in(registry, &mut tables, &req),
                Err(e) => Err(e),
            };
            raw.result = match result {
                Ok(()) => {
                    done += 1;
                    0
                }
                Err(e) => e.to_errno(),
            };
        }
        self.unlock(tables);
        done
    }

    fn unlock(&self, tables: kernel::sync::MutexGuard<'_, Tables>) {
        self.spare_hint.store(tables.spare.len, Relaxed);
    }

    #[inline(always)]
    fn alloc_in(registry: &Registry, tables: &mut Tables, req: &AllocRequest) -> Result {
        let t = req.target;
        let usage = Self::usage_index(registry, tables, t.device, t.chip)?;
        if tables.live >= sys::params::max_buffers_per_file() {
            return Err(ENOSPC);
        }
        let k = t.kind.index();
        let u = &tables.usage[usize::from(usage)];
        // Sizes are bounded, but a file may be allowed very many buffers.
        let bytes = u.bytes[k].checked_add(req.size).ok_or(ERANGE)?;
        let key = Key::new(u.device.id, t.chip, t.kind, req.buffer_id);
        let entry = Entry { size: req.size, born: sys::uptime_secs() as u32, usage, category: req.category };
        let rbtree::Entry::Vacant(vacant) = tables.entries.entry(key) else {
            return Err(EEXIST);
        };
        // Usually a spare (see `nodes_for`); else a new node, charged to the
        // caller's memory cgroup (ENOMEM at its limit), with the lock held.
        let node = match tables.spare.take() {
            Some(n) => n,
            None => Node::new(sys::gfp_account_mayfail())?,
        };
        // The device total is the last check: past it nothing can fail.
        if let Err(e) = u.device.try_add(t.chip, t.kind, req.category, req.size) {
            drop(vacant);
            drop(tables.spare.put(node)); // room: it came from the list or the list was empty
            return Err(e);
        }
        vacant.insert(entry, node);
        tables.live += 1;
        let u = &mut tables.usage[usize::from(usage)];
        u.bytes[k] = bytes;
        u.buffers[k] += 1;
        u.peak[k] = u.peak[k].max(bytes);
        if let Some(category) = req.category {
            // Bounded by `bytes` above: a category is part of the KERNEL total.
            let c = category.index();
            u.kernel_bytes[c] += req.size;
            u.kernel_buffers[c] += 1;
            u.kernel_peak[c] = u.kernel_peak[c].max(u.kernel_bytes[c]);
        }
        Ok(())
    }

    #[inline(always)]
    fn free_in(registry: &Registry, tables: &mut Tables, req: &FreeRequest) -> Result {
        let t = req.target;
        let device = Self::resolve(registry, tables, t.device).ok_or(ENODEV)?;
        let key = Key::new(device, t.chip, t.kind, req.buffer_id);
        let found = tables.entries.find_mut(&key).ok_or(ENOENT)?;
        let entry = *found.get();
        let node = found.remove_node();
        // A node beyond the spare list's room is freed here, under the lock:
        // rare (more than SPARE_NODES frees in a row), and kfree does not sleep.
        drop(tables.spare.put(node.into_reservation()));
        tables.live -= 1;
        let u = &mut tables.usage[usize::from(entry.usage)];
        let k = t.kind.index();
        u.bytes[k] -= entry.size;
        u.buffers[k] -= 1;
        if let Some(category) = entry.category {
            u.kernel_bytes[category.index()] -= entry.size;
            u.kernel_buffers[category.index()] -= 1;
        }
        u.device.sub(t.chip, t.kind, entry.category, entry.size, 1);
        Ok(())
    }

    /// The card a FREE names by ordinal: the one bound with that ordinal, or
    /// else an unbound card of this file's that last had it (its entries can
    /// still be freed after an unbind).
    #[inline(always)]
    fn resolve(registry: &Registry, tables: &Tables, ordinal: u32) -> Option<u32> {
        // Usually the card of the last ALLOC.
        if let Some(u) = tables.usage.get(tables.last_usage).filter(|u| u.device.ordinal() == Some(ordinal)) {
            return Some(u.device.id);
        }
        let bound = tables.usage.iter().map(|u| &u.device).find(|d| d.ordinal() == Some(ordinal));
        if let Some(d) = bound {
            return Some(d.id);
        }
        if let Some(d) = registry.device(ordinal) {
            return Some(d.id);
        }
        tables.usage.iter().rev().map(|u| &u.device).find(|d| d.last_ordinal() == Some(ordinal)).map(|d| d.id)
    }

    /// The usage slot for (device, chip), created on first use. Only a miss
    /// looks at the device registry; the hot path stays on this file's lock.
    #[inline(always)]
    fn usage_index(registry: &Registry, tables: &mut Tables, ordinal: u32, chip: Chip) -> Result<u16> {
        let is = |u: &Usage| u.chip == chip && u.device.ordinal() == Some(ordinal);
        let last = tables.last_usage;
        let found = match tables.usage.get(last) {
            Some(u) if is(u) => Some(last),
            _ => tables.usage.iter().position(is),
        };
        if let Some(i) = found {
            tables.last_usage = i;
            // Indices below `usage.len()`, which is kept below 2^16 here.
            return Ok(i as u16);
        }
        let index = u16::try_from(tables.usage.len()).map_err(|_| ENOSPC)?;
        // Room first: once the device counts this file as a user, nothing fails.
        tables.usage.reserve(1, sys::gfp_account_mayfail())?;
        let device = registry.use_device(ordinal).ok_or(ENODEV)?;
        if let Err(e) = tables.usage.push_within_capacity(Usage::new(device, chip)) {
            e.0.device.remove_user(); // unreachable: room was reserved above
            return Err(ENOMEM);
        }
        Ok(index)
    }

    /// Release: give back everything still live. Accounting is per usage slot
    /// (O(devices x chips)); freeing the entries happens without any lock held.
    pub(crate) fn release(&self) {
        let (mut entries, usage) = {
            let mut tables = self.tables.lock();
            tables.live = 0;
            tables.spare.clear();
            (core::mem::replace(&mut tables.entries, RBTree::new()), core::mem::replace(&mut tables.usage, KVec::new()))
        };
        for u in usage.iter() {
            for k in Kind::all().filter(|&k| u.buffers[k.index()] != 0) {
                let (bytes, buffers) = (u.bytes[k.index()], u.buffers[k.index()]);
                if k != Kind::KERNEL {
                    u.device.sub(u.chip, k, None, bytes, buffers);
                }
                u.device.add_leak(u.chip, k, bytes, buffers);
            }
            for c in Category::ALL.into_iter().filter(|c| u.kernel_buffers[c.index()] != 0) {
                let (bytes, buffers) = (u.kernel_bytes[c.index()], u.kernel_buffers[c.index()]);
                u.device.sub(u.chip, Kind::KERNEL, Some(c), bytes, buffers);
            }
        }
        self.warn_leaks(&usage);
        for u in usage.iter() {
            u.device.remove_user();
        }
        let mut freed = 0u32;
        let mut cursor = entries.cursor_front_mut();
        while let Some(c) = cursor {
            let (next, node) = c.remove_current();
            drop(node);
            cursor = next;
            freed = freed.wrapping_add(1);
            if freed % 1024 == 0 {
                sys::cond_resched();
            }
        }
    }

    /// One warning per device that had live entries, with exact sums: the
    /// slots sorted by device, then one pass (O(slots log slots)).
    fn warn_leaks(&self, usage: &KVec<Usage>) {
        let leaking = usage.iter().filter(|u| u.live_buffers() != 0);
        let mut order = KVec::new();
        if order.reserve(usage.len(), GFP_KERNEL).is_err() {
            return; // no memory for the report; the leaks are counted anyway
        }
        for u in leaking {
            let _ = order.push_within_capacity(u); // room reserved above
        }
        order.sort_unstable_by_key(|u| u.device.id);
        for same in order.chunk_by(|a, b| a.device.id == b.device.id) {
            let bytes = same.iter().map(|u| u.live_bytes()).sum::<u128>();
            let buffers = same.iter().map(|u| u128::from(u.live_buffers())).sum::<u128>();
            let device = &same[0].device;
            let (warn, suppressed) = device.may_warn();
            if suppressed > 0 {
                pr_warn!("device {}: {} leak warnings suppressed\n", device.address_str(), suppressed);
            }
            if !warn {
                continue;
            }
            pr_warn!(
                "device {} ({}): pid {} ({}) closed with {} live buffers, {} bytes; reclaimed\n",
                device.ordinal().map_or(-1, i64::from),
                device.address_str(),
                self.pid.global_nr(),
                self.comm(),
                buffers,
                bytes
            );
        }
    }

    /// This file's live bytes, buffers and peaks on (device, chip).
    pub(crate) fn own_stats(
        &self,
        device: &Arc<Device>,
        chip: Chip,
        types: &mut [tt_track_type_stats; TYPE_COUNT],
        kernel: &mut [tt_track_type_stats; KERNEL_CATEGORIES],
    ) {
        *types = Default::default();
        *kernel = Default::default();
        let tables = self.tables.lock();
        let Some(u) = tables.usage.iter().find(|u| u.chip == chip && Arc::ptr_eq(&u.device, device)) else {
            return;
        };
        for (k, out) in types.iter_mut().enumerate() {
            *out = tt_track_type_stats { bytes: u.bytes[k], buffers: u.buffers[k], peak_bytes: u.peak[k] };
        }
        for (c, out) in kernel.iter_mut().enumerate() {
            *out = tt_track_type_stats {
                bytes: u.kernel_bytes[c],
                buffers: u.kernel_buffers[c],
                peak_bytes: u.kernel_peak[c],
            };
        }
    }

    /// Copies this file's entries at or after `from` on the same card, in
    /// key order, into `out` under one hold of the lock; returns how many.
    pub(crate) fn entries_from(&self, from: Key, out: &mut [(Key, Entry)]) -> usize {
        let mut tables = self.tables.lock();
        let mut cursor = tables.entries.cursor_lower_bound_mut(&from);
        let mut n = 0;
        while let (Some(c), Some(slot)) = (cursor, out.get_mut(n)) {
            let (key, entry) = c.current();
            if key.device() != from.device() {
                break;
            }
            *slot = (*key, *entry);
            n += 1;
            cursor = c.move_next();
        }
        n
    }

    /// The first usage slot at index `from` or later on `device` with live
    /// buffers: its index, chip and line.
    pub(crate) fn usage_from(&self, device: &Device, from: usize) -> Option<(usize, Chip, UsageLine)> {
        let tables = self.tables.lock();
        let mut slots = tables.usage.iter().enumerate().skip(from);
        slots
            .find(|(_, u)| core::ptr::eq(&*u.device, device) && u.live_buffers() > 0)
            .map(|(i, u)| (i, u.chip, u.line()))
    }

    /// Adds this file's lines on `device` into `sums`, indexed by chip.
    pub(crate) fn add_usage(&self, device: &Device, sums: &mut [UsageLine]) {
        let tables = self.tables.lock();
        for u in tables.usage.iter().filter(|u| core::ptr::eq(&*u.device, device)) {
            if let Some(sum) = sums.get_mut(u.chip.index()) {
                sum.add(&u.line());
            }
        }
    }
}
