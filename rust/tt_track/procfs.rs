// SPDX-License-Identifier: GPL-2.0
//! The /proc/driver/tenstorrent/N/{allocations,stats} files and their line
//! formats (documented in README.md; tt-smi parses them).
//!
//! Cursors copy the current record out under the owning file's lock and drop
//! the lock before seq_file formats or copies anything.

use crate::abi::{CATEGORY_NAMES, KERNEL_CATEGORIES, TYPE_COUNT, TYPE_NAMES};
use crate::client::{Client, Entry, Key};
use crate::device::Device;
use crate::sys::{self, procfs::SeqSource, procfs::SeqWriter, task::COMM_LEN};
use crate::tracker::Tracker;
use core::fmt::{self, Write};
use kernel::sync::Arc;

/// A pid as the reader sees it: "-" for a process outside its PID namespace.
struct ShownPid(Option<i32>);

impl fmt::Display for ShownPid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(nr) => write!(f, "{}", nr),
            None => f.write_str("-"),
        }
    }
}

/// Where a per-device file's source lives.
pub(crate) struct DeviceView {
    tracker: Arc<Tracker>,
    device: Arc<Device>,
    ordinal: u32,
}

impl DeviceView {
    /// The first open file with id >= `id` for which `find` yields a record.
    fn next_client<T>(&self, mut id: u64, mut find: impl FnMut(&Client) -> Option<T>) -> Option<(Arc<Client>, T)> {
        loop {
            let client = self.tracker.client_from(id)?;
            if let Some(found) = find(&client) {
                return Some((client, found));
            }
            id = client.id + 1;
            sys::cond_resched();
        }
    }
}

// ---- allocations ----------------------------------------------------------

/// `allocations`: a header, then one line per live buffer of the device:
/// `pid chip type buffer_id size age_s comm`.
pub(crate) struct Allocations(DeviceView);

impl Allocations {
    pub(crate) fn new(tracker: Arc<Tracker>, device: Arc<Device>, ordinal: u32) -> Self {
        Self(DeviceView { tracker, device, ordinal })
    }

    /// Finds the first entry at or after (client id, key) on this device.
    fn seek(&self, c: &mut AllocCursor, id: u64, from: Key) -> bool {
        let v = &self.0;
        let mut from = Some(from);
        let found = v.next_client(id, |client| {
            let start = from.take().unwrap_or(Key::first_of(v.ordinal));
            first_entry(client, start, &v.device)
        });
        match found {
            Some((client, (key, entry))) => {
                c.line = Some(AllocLine { client, key, entry });
                true
            }
            None => false,
        }
    }
}

/// The first entry of `client` at or after `from` that belongs to `device`.
fn first_entry(client: &Client, from: Key, device: &Arc<Device>) -> Option<(Key, Entry)> {
    let mut guard = client.tables.lock();
    let tables = &mut *guard;
    let mut cursor = tables.entries.cursor_lower_bound(&from);
    while let Some(c) = cursor {
        let (key, entry) = c.current();
        if key.device != from.device {
            return None;
        }
        // Skip entries of an earlier device that had this ordinal.
        if Arc::ptr_eq(&tables.usage[usize::from(entry.usage)].device, device) {
            return Some((*key, *entry));
        }
        cursor = c.move_next();
    }
    None
}

pub(crate) struct AllocLine {
    client: Arc<Client>,
    key: Key,
    entry: Entry,
}

pub(crate) struct AllocCursor {
    header: bool,
    line: Option<AllocLine>,
}

impl SeqSource for Allocations {
    type Cursor = AllocCursor;

    fn cursor(&self) -> AllocCursor {
        AllocCursor { header: true, line: None }
    }

    fn rewind(&self, c: &mut AllocCursor) -> bool {
        c.header = true;
        c.line = None;
        true
    }

    fn refresh(&self, c: &mut AllocCursor) -> bool {
        if c.header {
            return true;
        }
        match c.line.take() {
            Some(l) => self.seek(c, l.client.id, l.key),
            None => false,
        }
    }

    fn advance(&self, c: &mut AllocCursor) -> bool {
        if c.header {
            c.header = false;
            return self.seek(c, 0, Key::first_of(self.0.ordinal));
        }
        match c.line.take() {
            Some(l) => match l.key.successor() {
                Some(k) if k.device == self.0.ordinal => self.seek(c, l.client.id, k),
                _ => self.seek(c, l.client.id + 1, Key::first_of(self.0.ordinal)),
            },
            None => false,
        }
    }

    fn show(&self, c: &AllocCursor, out: &mut SeqWriter) -> fmt::Result {
        let Some(l) = c.line.as_ref().filter(|_| !c.header) else {
            return out.write_str("pid chip type buffer_id size age_s comm\n");
        };
        let age = (sys::uptime_secs() as u32).wrapping_sub(l.entry.born);
        writeln!(
            out,
            "{} {} {} {:#x} {} {} {}",
            ShownPid(l.client.pid.nr_in_current_ns()),
            l.key.chip,
            TYPE_NAMES[usize::from(l.key.kind)],
            l.key.buffer_id,
            l.entry.size,
            age,
            l.client.comm_str()
        )
    }
}

// ---- stats ----------------------------------------------------------------

/// `stats`: a header; per chip seen, one `total` line per type, one `kernel`
/// line per KERNEL category and one `leak` line; then one `proc` line per
/// process (open file) and chip with live buffers.
pub(crate) struct Stats(DeviceView);

/// Lines per chip: types, kernel categories, leaks.
const CHIP_LINES: usize = TYPE_COUNT + KERNEL_CATEGORIES + 1;

impl Stats {
    pub(crate) fn new(tracker: Arc<Tracker>, device: Arc<Device>, ordinal: u32) -> Self {
        Self(DeviceView { tracker, device, ordinal })
    }

    fn chip_lines(c: &StatsCursor) -> usize {
        1 + c.chips.count_ones() as usize * CHIP_LINES
    }

    /// Finds the first process line at or after (client id, usage index).
    fn seek_proc(&self, c: &mut StatsCursor, id: u64, from: usize) -> bool {
        let v = &self.0;
        let mut from = Some(from);
        let found = v.next_client(id, |client| {
            let start = from.take().unwrap_or(0);
            let tables = client.tables.lock();
            tables.usage.iter().enumerate().skip(start).find_map(|(i, u)| {
                (Arc::ptr_eq(&u.device, &v.device) && u.live_buffers() > 0).then(|| ProcLine {
                    usage: i,
                    chip: u.chip,
                    bytes: u.bytes,
                    buffers: u.live_buffers(),
                })
            })
        });
        match found {
            Some((client, line)) => {
                c.proc = Some((client, line));
                true
            }
            None => false,
        }
    }

    fn show_chip_line(&self, index: usize, chips: u64, out: &mut SeqWriter) -> fmt::Result {
        let d = &self.0.device;
        let (nth, line) = ((index - 1) / CHIP_LINES, (index - 1) % CHIP_LINES);
        let chip = nth_set_bit(chips, nth);
        let counters = d.chip(chip);
        if line < TYPE_COUNT {
            let s = counters.types[line].snapshot();
            let capacity = match line {
                0 => d.dram_capacity,
                1 => d.l1_capacity,
                _ => 0,
            };
            write!(out, "total {} {} {} {} {} ", chip, TYPE_NAMES[line], s.bytes, s.buffers, s.peak_bytes)?;
            if capacity != 0 { writeln!(out, "{}", capacity) } else { out.write_str("-\n") }
        } else if line < TYPE_COUNT + KERNEL_CATEGORIES {
            let cat = line - TYPE_COUNT;
            let s = counters.kernel[cat].snapshot();
            writeln!(out, "kernel {} {} {} {} {}", chip, CATEGORY_NAMES[cat], s.bytes, s.buffers, s.peak_bytes)
        } else {
            use core::sync::atomic::Ordering::Relaxed;
            writeln!(
                out,
                "leak {} {} {}",
                chip,
                counters.leaked_bytes.load(Relaxed),
                counters.leaked_buffers.load(Relaxed)
            )
        }
    }
}

/// Position of the `n`th set bit of `mask` (n < popcount).
fn nth_set_bit(mut mask: u64, n: usize) -> u8 {
    for _ in 0..n {
        mask &= mask.wrapping_sub(1);
    }
    mask.trailing_zeros() as u8
}

pub(crate) struct ProcLine {
    usage: usize,
    chip: u8,
    bytes: [u64; TYPE_COUNT],
    buffers: u64,
}

pub(crate) struct StatsCursor {
    /// Index among the header and chip lines; past them, `proc` is current.
    index: usize,
    chips: u64,
    proc: Option<(Arc<Client>, ProcLine)>,
}

impl SeqSource for Stats {
    type Cursor = StatsCursor;

    fn cursor(&self) -> StatsCursor {
        StatsCursor { index: 0, chips: 0, proc: None }
    }

    fn rewind(&self, c: &mut StatsCursor) -> bool {
        *c = StatsCursor { index: 0, chips: self.0.device.chips_seen(), proc: None };
        true
    }

    fn refresh(&self, c: &mut StatsCursor) -> bool {
        match c.proc.take() {
            Some((client, line)) => self.seek_proc(c, client.id, line.usage),
            None => c.index < Self::chip_lines(c),
        }
    }

    fn advance(&self, c: &mut StatsCursor) -> bool {
        if let Some((client, line)) = c.proc.take() {
            return self.seek_proc(c, client.id, line.usage + 1);
        }
        c.index += 1;
        c.index < Self::chip_lines(c) || self.seek_proc(c, 0, 0)
    }

    fn show(&self, c: &StatsCursor, out: &mut SeqWriter) -> fmt::Result {
        if let Some((client, p)) = &c.proc {
            write!(out, "proc {} {}", ShownPid(client.pid.nr_in_current_ns()), p.chip)?;
            for b in p.bytes {
                write!(out, " {}", b)?;
            }
            return writeln!(out, " {} {}", p.buffers, client.comm_str());
        }
        if c.index == 0 {
            let d = &self.0.device;
            return writeln!(
                out,
                "tt_track stats v1 device {} pci {} arch {} open_files {}",
                self.0.ordinal,
                d.address_str(),
                d.arch,
                self.0.tracker.open_files()
            );
        }
        self.show_chip_line(c.index, c.chips, out)
    }
}

const _: () = assert!(COMM_LEN == 16);
