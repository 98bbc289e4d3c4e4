// SPDX-License-Identifier: GPL-2.0
//! The /proc/driver/tenstorrent/N/{allocations,stats} files and their line
//! formats (documented in README.md; tt-smi parses them).
//!
//! Cursors copy the current record out under the owning file's lock and drop
//! the lock before seq_file formats or copies anything. A cursor resumes by
//! (open file, key): within a file it moves forward by key, and if that file
//! was closed meanwhile it starts at the beginning of the next one, so one
//! full read lists every entry live for the whole read exactly once.
//!
//! A reader sees the files of its own PID namespace one by one; the files of
//! processes outside it are not listed in `allocations`, and are summed into
//! one `proc -` line per chip in `stats`, so the totals still add up.

use crate::abi::{Category, Chip, Kind, KERNEL_CATEGORIES, MAX_CHIPS, TYPE_COUNT, TYPE_NAMES};
use crate::client::{Client, Entry, Key, Owner, UsageLine};
use crate::device::Device;
use crate::open_files::OpenFiles;
use crate::sys::{self, procfs::LineBuf, procfs::SeqSource, procfs::SeqWriter};
use core::fmt::{self, Write};
use kernel::prelude::*;
use kernel::sync::Arc;

/// The pid column: `-` when there is no live process of the reader's to show.
impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Pid(nr) => write!(f, "{}", nr),
            Owner::Exited | Owner::Hidden => f.write_str("-"),
        }
    }
}

/// Where a per-device file's source lives.
struct DeviceView {
    files: Arc<OpenFiles>,
    device: Arc<Device>,
}

impl DeviceView {
    /// The first open file with id >= `id` the reader may see for which
    /// `find` yields a record. `find` is told whether the file is the one with
    /// id `id` itself (the cursor's own file, still open).
    fn next_client<T>(&self, id: u64, mut find: impl FnMut(&Client, bool) -> Option<T>) -> Option<(Arc<Client>, T)> {
        let mut from = id;
        loop {
            let client = self.files.client_from(from)?;
            if !matches!(client.owner(), Owner::Hidden) {
                if let Some(found) = find(&client, client.id == id) {
                    return Some((client, found));
                }
            }
            from = client.id.checked_add(1)?;
            sys::cond_resched();
        }
    }
}

// ---- allocations ----------------------------------------------------------

/// Entries copied out of a file per hold of its lock, and shown as one
/// seq_file record: a million-line read takes a lock and goes through
/// seq_file's callbacks about 16,000 times, not a million.
const ALLOC_BATCH: usize = 64;

/// `allocations`: a header, then one line per live buffer of the device:
/// `pid chip type buffer_id size age_s comm`.
pub(crate) struct Allocations(DeviceView);

impl Allocations {
    pub(crate) fn new(files: Arc<OpenFiles>, device: Arc<Device>) -> Self {
        Self(DeviceView { files, device })
    }

    /// Fills the cursor's batch with the entries at or after `from` in file
    /// `id`, or else with the first entries of a later file.
    fn seek(&self, c: &mut AllocCursor, id: u64, from: Key) -> bool {
        let first = Key::first_of(self.0.device.id);
        let batch = &mut c.batch;
        let found = self.0.next_client(id, |client, same| {
            let n = client.entries_from(if same { from } else { first }, &mut batch[..]);
            (n > 0).then_some(n)
        });
        let Some((client, len)) = found else {
            c.file = None;
            return false;
        };
        // Once per batch: the owner and the clock hardly change meanwhile;
        // the pid starts each line and the comm ends it.
        let mut head = LineBuf::new();
        match client.owner() {
            Owner::Pid(nr) => head.dec(nr.into()),
            Owner::Exited | Owner::Hidden => head.byte(b'-'),
        };
        head.byte(b' ');
        let mut tail = LineBuf::new();
        tail.byte(b' ').bytes(client.comm().as_bytes()).byte(b'\n');
        c.file = Some(BatchOf { head, tail, now: sys::uptime_secs() as u32, client });
        c.len = len;
        true
    }
}

/// The file a batch of entries comes from.
pub(crate) struct BatchOf {
    client: Arc<Client>,
    /// Each line's pid column and the space after it.
    head: LineBuf<16>,
    /// Each line's end: a space, the escaped comm, a newline.
    tail: LineBuf<72>,
    now: u32,
}

/// Each type's column with the spaces around it, as `allocations` shows it.
const TYPE_FIELDS: [&str; TYPE_COUNT] = [" DRAM ", " L1 ", " SYSTEM_MEMORY ", " L1_SMALL ", " TRACE ", " CB ", " KERNEL "];
const _: () = {
    // The same names as `Kind::name`.
    let mut k = 0;
    while k < TYPE_COUNT {
        let (field, name) = (TYPE_FIELDS[k].as_bytes(), TYPE_NAMES[k].as_bytes());
        assert!(field.len() == name.len() + 2 && field[0] == b' ' && field[field.len() - 1] == b' ');
        let mut i = 0;
        while i < name.len() {
            assert!(field[i + 1] == name[i]);
            i += 1;
        }
        k += 1;
    }
};

pub(crate) struct AllocCursor {
    header: bool,
    file: Option<BatchOf>,
    batch: [(Key, Entry); ALLOC_BATCH],
    len: usize,
}

impl AllocCursor {
    /// The current batch, with the file it comes from.
    fn current(&self) -> Option<(&BatchOf, &[(Key, Entry)])> {
        let batch = &self.batch[..self.len];
        Some((self.file.as_ref()?, batch)).filter(|_| !batch.is_empty())
    }
}

impl SeqSource for Allocations {
    type Cursor = AllocCursor;

    /// As much as `cat` asks for per read() (64 KiB), with room for the record
    /// that ends it, so few records are formatted twice.
    const BUFFER: Option<usize> = Some(80 * 1024);

    fn cursor(&self) -> AllocCursor {
        let none = (Key::first_of(self.0.device.id), Entry { size: 0, born: 0, usage: 0, category: None });
        AllocCursor { header: true, file: None, batch: [none; ALLOC_BATCH], len: 0 }
    }

    fn rewind(&self, c: &mut AllocCursor) -> bool {
        (c.header, c.file, c.len) = (true, None, 0);
        true
    }

    /// The batch is read again from its first key: a record never shows
    /// entries copied before the read that shows it began.
    fn refresh(&self, c: &mut AllocCursor) -> bool {
        if c.header {
            return true;
        }
        match c.current() {
            Some((f, batch)) => self.seek(c, f.client.id, batch[0].0),
            None => false,
        }
    }

    fn advance(&self, c: &mut AllocCursor) -> bool {
        if c.header {
            c.header = false;
            return self.seek(c, 0, Key::first_of(self.0.device.id));
        }
        let Some((f, batch)) = c.current() else {
            return false;
        };
        let (id, last) = (f.client.id, batch[batch.len() - 1].0);
        match last.successor() {
            Some(next) => self.seek(c, id, next),
            None => self.seek(c, id.saturating_add(1), Key::first_of(self.0.device.id)),
        }
    }

    fn show(&self, c: &AllocCursor, out: &mut SeqWriter) -> fmt::Result {
        let Some((f, batch)) = c.current().filter(|_| !c.header) else {
            return out.write_str("pid chip type buffer_id size age_s comm\n");
        };
        // Lines go to seq_file a kilobyte at a time; one is at most 150 bytes
        // (pid 10, chip 2, type 13, id 18, size 20, age 10, comm 60, spaces).
        let mut lines = LineBuf::<1024>::new();
        for (key, entry) in batch {
            if lines.room() < 160 {
                out.write_bytes(lines.as_bytes())?;
                lines.clear();
            }
            lines.bytes(f.head.as_bytes()).dec(key.chip().number().into());
            lines.bytes(TYPE_FIELDS[key.kind().index()].as_bytes()).hex(key.buffer_id).byte(b' ').dec(entry.size);
            lines.byte(b' ').dec(f.now.wrapping_sub(entry.born).into()).bytes(f.tail.as_bytes());
        }
        out.write_bytes(lines.as_bytes())?;
        Ok(())
    }
}

// ---- stats ----------------------------------------------------------------

/// `stats`: a header; per chip seen, one `total` line per type, one `kernel`
/// line per KERNEL category and one `leak` line; then one `proc` line per
/// process (open file) and chip with live buffers; then, per chip, one
/// `proc -` line summing the files of processes outside the reader's PID
/// namespace.
pub(crate) struct Stats {
    view: DeviceView,
    ordinal: u32,
}

/// Lines per chip: types, kernel categories, leaks.
const CHIP_LINES: usize = TYPE_COUNT + KERNEL_CATEGORIES + 1;

impl Stats {
    pub(crate) fn new(files: Arc<OpenFiles>, device: Arc<Device>, ordinal: u32) -> Self {
        Self { view: DeviceView { files, device }, ordinal }
    }

    fn chip_lines(c: &StatsCursor) -> usize {
        1 + c.chips.count_ones() as usize * CHIP_LINES
    }

    /// Finds the first process line at or after usage slot `from` of file
    /// `id`, or else the first one of a later file.
    fn seek_proc(&self, c: &mut StatsCursor, id: u64, from: usize) -> bool {
        let device = &self.view.device;
        match self.view.next_client(id, |client, same| client.usage_from(device, if same { from } else { 0 })) {
            Some((client, (usage, chip, line))) => {
                c.phase = Phase::Proc { client, usage, chip, line };
                true
            }
            None => self.start_hidden(c),
        }
    }

    /// Sums the files the reader may not see, per chip; positions on the
    /// first chip with buffers.
    fn start_hidden(&self, c: &mut StatsCursor) -> bool {
        let Ok(sums) = KBox::<[UsageLine; MAX_CHIPS]>::new_uninit(GFP_KERNEL_ACCOUNT | __GFP_ZERO) else {
            c.phase = Phase::End;
            return false;
        };
        // SAFETY: the memory is zeroed, a valid value for lines of integers.
        let mut sums = unsafe { sums.assume_init() };
        let mut from = 0;
        while let Some(client) = self.view.files.client_from(from) {
            if matches!(client.owner(), Owner::Hidden) {
                client.add_usage(&self.view.device, &mut sums[..]);
            }
            let Some(next) = client.id.checked_add(1) else {
                break;
            };
            from = next;
            sys::cond_resched();
        }
        c.phase = Phase::Hidden { sums, chip: 0 };
        self.next_hidden(c, 0)
    }

    /// Positions on the first chip >= `chip` with hidden buffers.
    fn next_hidden(&self, c: &mut StatsCursor, chip: usize) -> bool {
        if let Phase::Hidden { sums, chip: at } = &mut c.phase {
            if let Some(found) = (chip..MAX_CHIPS).find(|&i| sums[i].buffers > 0) {
                *at = found;
                return true;
            }
        }
        c.phase = Phase::End;
        false
    }

    fn show_chip_line(&self, index: usize, chips: u64, out: &mut SeqWriter) -> fmt::Result {
        let d = &self.view.device;
        let (nth, line) = ((index - 1) / CHIP_LINES, (index - 1) % CHIP_LINES);
        let chip = nth_set_bit(chips, nth);
        let counters = d.chip(chip);
        let n = chip.number();
        if let Some(kind) = Kind::all().nth(line) {
            let s = counters.types[kind.index()].snapshot();
            let capacity = match line {
                0 => d.dram_capacity,
                1 => d.l1_capacity,
                _ => 0,
            };
            write!(out, "total {} {} {} {} {} ", n, kind.name(), s.bytes, s.buffers, s.peak_bytes)?;
            if capacity != 0 {
                writeln!(out, "{}", capacity)
            } else {
                out.write_str("-\n")
            }
        } else if let Some(&cat) = Category::ALL.get(line - TYPE_COUNT) {
            let s = counters.kernel[cat.index()].snapshot();
            writeln!(out, "kernel {} {} {} {} {}", n, cat.name(), s.bytes, s.buffers, s.peak_bytes)
        } else {
            let (bytes, buffers) = counters.leaked_total();
            write!(out, "leak {} {} {}", n, bytes, buffers)?;
            for leak in &counters.leaked {
                write!(out, " {}", leak.snapshot().0)?;
            }
            out.write_str("\n")
        }
    }
}

/// The chip of the `n`th set bit of `mask` (n < popcount).
fn nth_set_bit(mut mask: u64, n: usize) -> Chip {
    for _ in 0..n {
        mask &= mask.wrapping_sub(1);
    }
    Chip::from_bit(mask.trailing_zeros())
}

fn write_usage(out: &mut SeqWriter, owner: &dyn fmt::Display, chip: Chip, line: &UsageLine) -> fmt::Result {
    write!(out, "proc {} {}", owner, chip.number())?;
    for b in line.bytes {
        write!(out, " {}", b)?;
    }
    write!(out, " {} ", line.buffers)
}

enum Phase {
    /// The header and chip lines, by index.
    Chips,
    /// A file's line on one chip (its usage slot `usage`).
    Proc {
        client: Arc<Client>,
        usage: usize,
        chip: Chip,
        line: UsageLine,
    },
    /// The hidden files' sum on one chip.
    Hidden {
        sums: KBox<[UsageLine; MAX_CHIPS]>,
        chip: usize,
    },
    End,
}

pub(crate) struct StatsCursor {
    /// Index among the header and chip lines.
    index: usize,
    chips: u64,
    phase: Phase,
}

impl SeqSource for Stats {
    type Cursor = StatsCursor;

    fn cursor(&self) -> StatsCursor {
        StatsCursor { index: 0, chips: 0, phase: Phase::Chips }
    }

    fn rewind(&self, c: &mut StatsCursor) -> bool {
        *c = StatsCursor { index: 0, chips: self.view.device.chips_seen(), phase: Phase::Chips };
        true
    }

    fn refresh(&self, c: &mut StatsCursor) -> bool {
        match core::mem::replace(&mut c.phase, Phase::End) {
            Phase::Chips => {
                c.phase = Phase::Chips;
                c.index < Self::chip_lines(c)
            }
            Phase::Proc { client, usage, .. } => self.seek_proc(c, client.id, usage),
            hidden @ Phase::Hidden { .. } => {
                c.phase = hidden;
                true
            }
            Phase::End => false,
        }
    }

    fn advance(&self, c: &mut StatsCursor) -> bool {
        match core::mem::replace(&mut c.phase, Phase::End) {
            Phase::Chips => {
                c.phase = Phase::Chips;
                c.index += 1;
                c.index < Self::chip_lines(c) || self.seek_proc(c, 0, 0)
            }
            Phase::Proc { client, usage, .. } => self.seek_proc(c, client.id, usage + 1),
            Phase::Hidden { sums, chip } => {
                c.phase = Phase::Hidden { sums, chip };
                self.next_hidden(c, chip + 1)
            }
            Phase::End => false,
        }
    }

    fn show(&self, c: &StatsCursor, out: &mut SeqWriter) -> fmt::Result {
        match &c.phase {
            Phase::Proc { client, chip, line, .. } => {
                write_usage(out, &client.owner(), *chip, line)?;
                writeln!(out, "{}", client.comm())
            }
            Phase::Hidden { sums, chip } => {
                write_usage(out, &"-", Chip::from_bit(*chip as u32), &sums[*chip])?;
                out.write_str("-\n")
            }
            Phase::Chips if c.index == 0 => {
                let d = &self.view.device;
                writeln!(
                    out,
                    "tt_track stats v1 device {} pci {} arch {} open_files {}",
                    self.ordinal,
                    d.address_str(),
                    d.arch,
                    self.view.files.count()
                )
            }
            Phase::Chips => self.show_chip_line(c.index, c.chips, out),
            Phase::End => Ok(()),
        }
    }
}
