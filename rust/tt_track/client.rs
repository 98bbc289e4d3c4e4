// SPDX-License-Identifier: GPL-2.0
//! One open file of /dev/tenstorrent-track: its live-buffer table, its own
//! counters and its cleanup when the file is released.

use crate::abi::{AllocRequest, FreeRequest, KERNEL_CATEGORIES, TYPE_COUNT, TYPE_KERNEL};
use crate::device::Device;
use crate::sys::{self, task::Pid, task::COMM_LEN};
use crate::tracker::Tracker;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNodeReservation};
use kernel::sync::{Arc, Mutex};
use kernel::{new_mutex, rbtree};

/// Key of a live buffer within one file. Field order is the sort order, so a
/// device's entries are contiguous and /proc readers can resume by key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub(crate) device: u32,
    pub(crate) chip: u8,
    pub(crate) kind: u8,
    pub(crate) buffer_id: u64,
}

impl Key {
    pub(crate) fn first_of(device: u32) -> Self {
        Key { device, chip: 0, kind: 0, buffer_id: 0 }
    }

    /// The smallest key after this one (None past the last possible key).
    pub(crate) fn successor(self) -> Option<Self> {
        if let Some(buffer_id) = self.buffer_id.checked_add(1) {
            return Some(Key { buffer_id, ..self });
        }
        if let Some(kind) = self.kind.checked_add(1) {
            return Some(Key { kind, buffer_id: 0, ..self });
        }
        if let Some(chip) = self.chip.checked_add(1) {
            return Some(Key { chip, kind: 0, buffer_id: 0, ..self });
        }
        Some(Key::first_of(self.device.checked_add(1)?))
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
    pub(crate) category: u8,
}

/// This file's share of one (device, chip).
pub(crate) struct Usage {
    pub(crate) device: Arc<Device>,
    pub(crate) chip: u8,
    pub(crate) bytes: [u64; TYPE_COUNT],
    pub(crate) buffers: [u64; TYPE_COUNT],
    pub(crate) peak: [u64; TYPE_COUNT],
    pub(crate) kernel_bytes: [u64; KERNEL_CATEGORIES],
    pub(crate) kernel_buffers: [u64; KERNEL_CATEGORIES],
}

impl Usage {
    pub(crate) fn live_buffers(&self) -> u64 {
        self.buffers.iter().sum()
    }

    pub(crate) fn live_bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }
}

/// Freed nodes a file keeps for its next allocations: a steady alloc/free
/// stream then costs no kmalloc, kfree or memcg charge per event.
const SPARE_NODES: usize = 32;

/// Everything guarded by the file's lock.
pub(crate) struct Tables {
    pub(crate) entries: RBTree<Key, Entry>,
    spare: [Option<RBTreeNodeReservation<Key, Entry>>; SPARE_NODES],
    spare_len: usize,
    /// Never shrinks while the file is open (bounded by devices x chips);
    /// entries refer to it by index.
    pub(crate) usage: KVec<Usage>,
    live: u64,
}

#[pin_data]
pub(crate) struct Client {
    pub(crate) id: u64,
    pub(crate) pid: Pid,
    pub(crate) comm: [u8; COMM_LEN],
    tracker: Arc<Tracker>,
    #[pin]
    pub(crate) tables: Mutex<Tables>,
}

impl Client {
    pub(crate) fn new(id: u64, tracker: Arc<Tracker>) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Client {
                id,
                pid: Pid::current_tgid(),
                comm: sys::task::current_comm(),
                tracker,
                tables <- new_mutex!(Tables {
                    entries: RBTree::new(),
                    spare: [const { None }; SPARE_NODES],
                    spare_len: 0,
                    usage: KVec::new(),
                    live: 0,
                }),
            }),
            GFP_KERNEL,
        )
    }

    pub(crate) fn comm_str(&self) -> &str {
        let len = self.comm.iter().position(|&b| b == 0).unwrap_or(COMM_LEN);
        // Not UTF-8 (rare): show the valid prefix.
        match core::str::from_utf8(&self.comm[..len]) {
            Ok(s) => s,
            Err(e) => core::str::from_utf8(&self.comm[..e.valid_up_to()]).unwrap_or(""),
        }
    }

    pub(crate) fn alloc(&self, req: &AllocRequest) -> Result {
        let t = req.target;
        let mut tables = self.tables.lock();
        let usage = self.usage_index(&mut tables, t.device, t.chip)?;
        if tables.live >= sys::params::max_buffers_per_file() {
            return Err(ENOSPC);
        }
        let k = usize::from(t.kind);
        let u = &tables.usage[usize::from(usage)];
        // Sizes are bounded, but a file may be allowed very many buffers.
        let bytes = u.bytes[k].checked_add(req.size).ok_or(ERANGE)?;
        let key = Key { device: t.device, chip: t.chip, kind: t.kind, buffer_id: req.buffer_id };
        let entry = Entry { size: req.size, born: sys::uptime_secs() as u32, usage, category: req.category };
        let tables = &mut *tables;
        match tables.entries.entry(key) {
            rbtree::Entry::Occupied(_) => return Err(EEXIST),
            rbtree::Entry::Vacant(v) => {
                let node = match tables.spare_len.checked_sub(1) {
                    Some(i) => {
                        tables.spare_len = i;
                        tables.spare[i].take()
                    }
                    None => None,
                };
                // A new node is charged to the caller's memory cgroup (ENOMEM
                // at its limit). The mutex may be held across this allocation.
                let node = match node {
                    Some(n) => n,
                    None => RBTreeNodeReservation::new(sys::gfp_account_mayfail())?,
                };
                v.insert(entry, node);
            }
        }
        tables.live += 1;
        let u = &mut tables.usage[usize::from(usage)];
        u.bytes[k] = bytes;
        u.buffers[k] += 1;
        u.peak[k] = u.peak[k].max(bytes);
        if t.kind == TYPE_KERNEL {
            // Bounded by `bytes` above: a category is part of the KERNEL total.
            u.kernel_bytes[usize::from(req.category)] += req.size;
            u.kernel_buffers[usize::from(req.category)] += 1;
        }
        u.device.add(t.chip, t.kind, req.category, req.size, 1);
        Ok(())
    }

    pub(crate) fn free(&self, req: &FreeRequest) -> Result {
        let t = req.target;
        let key = Key { device: t.device, chip: t.chip, kind: t.kind, buffer_id: req.buffer_id };
        let mut guard = self.tables.lock();
        let tables = &mut *guard;
        let Some(found) = tables.entries.find_mut(&key) else {
            drop(guard);
            return Err(if self.tracker.device(t.device).is_some() { ENOENT } else { ENODEV });
        };
        let entry = *found.get();
        let node = found.remove_node();
        if tables.spare_len < SPARE_NODES {
            tables.spare[tables.spare_len] = Some(node.into_reservation());
            tables.spare_len += 1;
        }
        tables.live -= 1;
        let u = &mut tables.usage[usize::from(entry.usage)];
        let k = usize::from(t.kind);
        u.bytes[k] -= entry.size;
        u.buffers[k] -= 1;
        if t.kind == TYPE_KERNEL {
            u.kernel_bytes[usize::from(entry.category)] -= entry.size;
            u.kernel_buffers[usize::from(entry.category)] -= 1;
        }
        u.device.sub(t.chip, t.kind, entry.category, entry.size, 1);
        Ok(())
    }

    /// The usage slot for (device, chip), created on first use. Only a miss
    /// looks at the device registry; the hot path stays on this file's lock.
    fn usage_index(&self, tables: &mut Tables, ordinal: u32, chip: u8) -> Result<u16> {
        let found = tables
            .usage
            .iter()
            .position(|u| u.chip == chip && u.device.ordinal() == Some(ordinal));
        if let Some(i) = found {
            return Ok(i as u16);
        }
        let device = self.tracker.device(ordinal).ok_or(ENODEV)?;
        let index = u16::try_from(tables.usage.len()).map_err(|_| ENOSPC)?;
        tables.usage.push(
            Usage {
                device,
                chip,
                bytes: [0; TYPE_COUNT],
                buffers: [0; TYPE_COUNT],
                peak: [0; TYPE_COUNT],
                kernel_bytes: [0; KERNEL_CATEGORIES],
                kernel_buffers: [0; KERNEL_CATEGORIES],
            },
            sys::gfp_account_mayfail(),
        )?;
        Ok(index)
    }

    /// Release: give back everything still live. Accounting is per usage slot
    /// (O(devices x chips)); freeing the entries happens without any lock held.
    pub(crate) fn release(&self) {
        let (mut entries, usage) = {
            let mut tables = self.tables.lock();
            tables.live = 0;
            tables.spare_len = 0;
            tables.spare.iter_mut().for_each(|s| drop(s.take()));
            (
                core::mem::replace(&mut tables.entries, RBTree::new()),
                core::mem::replace(&mut tables.usage, KVec::new()),
            )
        };
        for u in usage.iter() {
            for k in 0..TYPE_COUNT {
                if k != usize::from(TYPE_KERNEL) && u.buffers[k] != 0 {
                    u.device.sub(u.chip, k as u8, 0, u.bytes[k], u.buffers[k]);
                }
            }
            for c in 0..KERNEL_CATEGORIES {
                if u.kernel_buffers[c] != 0 {
                    u.device.sub(u.chip, TYPE_KERNEL, c as u8, u.kernel_bytes[c], u.kernel_buffers[c]);
                }
            }
            u.device.add_leak(u.chip, u.live_bytes(), u.live_buffers());
        }
        self.warn_leaks(&usage);
        let mut freed = 0u32;
        let mut cursor = entries.cursor_front();
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

    /// One warning per device that had live entries.
    fn warn_leaks(&self, usage: &KVec<Usage>) {
        for (i, u) in usage.iter().enumerate() {
            if usage[..i].iter().any(|p| Arc::ptr_eq(&p.device, &u.device)) {
                continue; // this device was reported with its first chip
            }
            let same = usage.iter().filter(|p| Arc::ptr_eq(&p.device, &u.device));
            let (bytes, buffers) = same.fold((0, 0), |(b, n), p| (b + p.live_bytes(), n + p.live_buffers()));
            if buffers == 0 {
                continue;
            }
            let (warn, suppressed) = u.device.may_warn();
            if suppressed > 0 {
                pr_warn!("device {}: {} leak warnings suppressed\n", u.device.address_str(), suppressed);
            }
            if !warn {
                continue;
            }
            let pid = self.pid.nr_in_current_ns().unwrap_or(0);
            pr_warn!(
                "device {} ({}): pid {} ({}) closed with {} live buffers, {} bytes; reclaimed\n",
                u.device.ordinal().map_or(-1, i64::from),
                u.device.address_str(),
                pid,
                self.comm_str(),
                buffers,
                bytes
            );
        }
    }
}

impl Client {
    pub(crate) fn tracker(&self) -> &Arc<Tracker> {
        &self.tracker
    }

    /// This file's live bytes, buffers and peaks on (device, chip).
    pub(crate) fn own_stats(
        &self,
        device: &Arc<Device>,
        chip: u8,
        types: &mut [crate::abi::tt_track_type_stats; TYPE_COUNT],
        kernel: &mut [crate::abi::tt_track_type_stats; KERNEL_CATEGORIES],
    ) {
        *types = Default::default();
        *kernel = Default::default();
        let tables = self.tables.lock();
        let Some(u) = tables.usage.iter().find(|u| u.chip == chip && Arc::ptr_eq(&u.device, device)) else {
            return;
        };
        for (k, out) in types.iter_mut().enumerate() {
            out.bytes = u.bytes[k];
            out.buffers = u.buffers[k];
            out.peak_bytes = u.peak[k];
        }
        for (c, out) in kernel.iter_mut().enumerate() {
            out.bytes = u.kernel_bytes[c];
            out.buffers = u.kernel_buffers[c];
        }
    }
}
