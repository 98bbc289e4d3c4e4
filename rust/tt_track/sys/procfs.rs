// SPDX-License-Identifier: GPL-2.0
//! Read-only /proc files streamed through seq_file.
//!
//! A source describes its records through a cursor it owns. seq_file calls
//! `start` again at the record that did not fit in the last read, so a cursor
//! must be able to re-find its current record (or the next one if it is gone):
//! no lock is held between two callbacks, and none while seq_file copies to
//! user space.

use super::raw;
use core::ffi::{c_int, c_void};
use core::fmt;
use kernel::prelude::*;
use kernel::str::{CStr, CString};

/// What a /proc file shows.
pub(crate) trait SeqSource: Send + Sync + Sized {
    type Cursor: Send;
    /// A cursor positioned before the first record.
    fn cursor(&self) -> Self::Cursor;
    /// Position on record 0; false if there is none.
    fn rewind(&self, c: &mut Self::Cursor) -> bool;
    /// Re-find the current record, or the next one; false at the end.
    fn refresh(&self, c: &mut Self::Cursor) -> bool;
    /// Move to the next record; false at the end.
    fn advance(&self, c: &mut Self::Cursor) -> bool;
    /// Format the current record.
    fn show(&self, c: &Self::Cursor, out: &mut SeqWriter) -> fmt::Result;

    /// seq_file's buffer, if not its one page: a read() returns at most
    /// one buffer, and the record that overflows it is formatted again by
    /// the next read().
    const BUFFER: Option<usize> = None;
}

/// A `core::fmt::Write` into a seq_file's buffer.
pub(crate) struct SeqWriter(*mut raw::seq_file);

impl fmt::Write for SeqWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // SAFETY: `self.0` is the seq_file of the running `show` callback.
        // seq_write only copies into the kernel buffer; overflow is detected by
        // seq_file itself, which then retries with a larger buffer.
        unsafe { raw::seq_write(self.0, s.as_ptr().cast(), s.len()) };
        Ok(())
    }
}

impl SeqWriter {
    /// Copies a whole formatted record in one call.
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) -> fmt::Result {
        // SAFETY: as in `write_str`.
        unsafe { raw::seq_write(self.0, bytes.as_ptr().cast(), bytes.len()) };
        Ok(())
    }
}

/// "00" to "99", for decimal numbers two digits at a time.
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Lines formatted on the stack, then handed to seq_file in one copy.
/// Numbers are written by hand, digit by digit in place: `core::fmt` costs
/// several times more per line, and `allocations` has a line per buffer.
/// Past `N` bytes nothing more is written (callers size `N` for their lines).
pub(crate) struct LineBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> LineBuf<N> {
    pub(crate) fn new() -> Self {
        Self { buf: [0; N], len: 0 }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Bytes still free.
    pub(crate) fn room(&self) -> usize {
        N - self.len
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// One byte: a store, where `bytes` would call memcpy.
    pub(crate) fn byte(&mut self, byte: u8) -> &mut Self {
        if let Some(out) = self.buf.get_mut(self.len) {
            *out = byte;
            self.len += 1;
        }
        self
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        if let Some(out) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            out.copy_from_slice(bytes);
            self.len += bytes.len();
        }
        self
    }

    /// Decimal, two digits per division (by a constant: a multiplication).
    pub(crate) fn dec(&mut self, mut v: u64) -> &mut Self {
        let count = v.checked_ilog10().map_or(1, |l| l as usize + 1);
        if let Some(out) = self.buf.get_mut(self.len..self.len + count) {
            let mut at = count;
            while at >= 2 {
                let pair = (v % 100) as usize * 2;
                v /= 100;
                at -= 2;
                out[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
            }
            if at == 1 {
                out[0] = b'0' + v as u8;
            }
            self.len += count;
        }
        self
    }

    /// `0x` and lower-case hex digits, as `{:#x}` prints.
    pub(crate) fn hex(&mut self, v: u64) -> &mut Self {
        let digits = v.checked_ilog2().map_or(1, |l| l as usize / 4 + 1);
        self.byte(b'0').byte(b'x').digits::<16>(v, digits, b"0123456789abcdef")
    }

    /// `v`'s last `count` digits in `BASE`, most significant first. A
    /// constant base: the compiler divides by multiplying (or shifting).
    fn digits<const BASE: u64>(&mut self, mut v: u64, count: usize, symbols: &[u8]) -> &mut Self {
        if let Some(out) = self.buf.get_mut(self.len..self.len + count) {
            for o in out.iter_mut().rev() {
                *o = symbols[(v % BASE) as usize];
                v /= BASE;
            }
            self.len += count;
        }
        self
    }
}

impl<const N: usize> fmt::Write for LineBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

/// Per-open-file iterator state, stored in `seq_file->private`.
struct State<S: SeqSource> {
    source: *const S,
    cursor: S::Cursor,
    /// seq_file position of the record the cursor is on.
    pos: i64,
    valid: bool,
}

/// A /proc file (path relative to /proc); removed on drop, which waits for
/// readers in progress and closes open files.
pub(crate) struct ProcFile<S: SeqSource> {
    path: CString,
    /// Owned here; the callbacks reach it through the entry's data pointer.
    _source: Pin<KBox<S>>,
}

/// Whether the /proc directory `path` (relative to /proc) exists, looked up
/// without procfs's WARN on a missing parent. Unknown (no procfs at /proc for
/// the calling task or the initial one) counts as existing.
pub(crate) fn dir_exists(path: &CStr) -> bool {
    // SAFETY: `path` is NUL-terminated; the helper only looks it up.
    unsafe { raw::tt_glue_proc_dir_exists(path.as_char_ptr().cast()) != 0 }
}

impl<S: SeqSource> ProcFile<S> {
    /// # Safety
    /// The parent directory of `path` exists, and nobody removes it before
    /// the returned file is dropped.
    pub(crate) unsafe fn create(path: CString, source: S) -> Result<Self> {
        let source = KBox::pin(source, GFP_KERNEL)?;
        let data: *const S = &*source;
        // SAFETY: `path` is NUL-terminated and its parent exists (the caller's
        // contract); `PROC_OPS` is 'static; `data` outlives the entry because
        // `drop` removes the entry first. A parent of NULL makes procfs
        // resolve the directories in `path`.
        let pde = unsafe {
            raw::proc_create_data(
                path.as_char_ptr().cast(),
                0o444,
                core::ptr::null_mut(),
                Self::PROC_OPS,
                data as *mut c_void,
            )
        };
        if pde.is_null() {
            return Err(ENOENT);
        }
        Ok(Self { path, _source: source })
    }

    // Constant items: the tables are 'static by definition, as C requires.
    const PROC_OPS: &'static raw::proc_ops = &raw::proc_ops {
        proc_open: Some(Self::open),
        proc_release: Some(Self::release),
        proc_read_iter: Some(raw::seq_read_iter),
        proc_lseek: Some(raw::seq_lseek),
        // SAFETY: all-zero is a valid proc_ops: no flags, no callbacks.
        ..unsafe { core::mem::zeroed() }
    };
    const SEQ_OPS: &'static raw::seq_operations = &raw::seq_operations {
        start: Some(Self::start),
        stop: Some(Self::stop),
        next: Some(Self::next),
        show: Some(Self::show),
    };

    unsafe extern "C" fn open(inode: *mut raw::inode, file: *mut raw::file) -> c_int {
        // SAFETY: the entry was created with a `*const S` as its data.
        let source = unsafe { &*(raw::tt_glue_pde_data(inode) as *const S) };
        let state = State { source, cursor: source.cursor(), pos: -1, valid: false };
        let state = match KBox::new(state, GFP_KERNEL_ACCOUNT) {
            Ok(s) => s,
            Err(_) => return ENOMEM.to_errno(),
        };
        // SAFETY: `file` is being opened; `SEQ_OPS` is 'static.
        let ret = unsafe { raw::seq_open(file, Self::SEQ_OPS) };
        if ret != 0 {
            return ret;
        }
        // SAFETY: `seq_open` succeeded, so `private_data` is our seq_file,
        // not read from yet; seq_release frees the buffer and `release` the state.
        unsafe {
            let m = (*file).private_data as *mut raw::seq_file;
            (*m).private = KBox::into_raw(state) as *mut c_void;
            if let Some(size) = S::BUFFER {
                // Without it, seq_file allocates its page at the first read.
                let _ = raw::tt_glue_seq_buffer(m, size);
            }
        }
        0
    }

    unsafe extern "C" fn release(inode: *mut raw::inode, file: *mut raw::file) -> c_int {
        // SAFETY: `open` succeeded for this file, so `private` holds our state.
        unsafe {
            let m = (*file).private_data as *mut raw::seq_file;
            drop(KBox::from_raw((*m).private as *mut State<S>));
            raw::seq_release(inode, file)
        }
    }

    /// # Safety
    /// `m` is a seq_file opened by `open`, used by one reader at a time
    /// (seq_file serialises its callbacks with its own mutex).
    unsafe fn state<'a>(m: *mut raw::seq_file) -> &'a mut State<S> {
        // SAFETY: per the function's contract.
        unsafe { &mut *((*m).private as *mut State<S>) }
    }

    unsafe extern "C" fn start(m: *mut raw::seq_file, pos: *mut i64) -> *mut c_void {
        // SAFETY: seq_file callback contract.
        let (st, pos) = unsafe { (Self::state(m), *pos) };
        // SAFETY: the source outlives every open file of the entry.
        let source = unsafe { &*st.source };
        st.valid = if pos == 0 {
            source.rewind(&mut st.cursor)
        } else if pos == st.pos {
            // Where the last read stopped: on a record to re-find, or at the
            // end, which stays the end (a read after EOF returns 0, at once).
            st.valid && source.refresh(&mut st.cursor)
        } else {
            // A seek elsewhere: walk from the start (seq_file does this too).
            let mut ok = source.rewind(&mut st.cursor);
            let mut at = 0;
            while ok && at < pos {
                ok = source.advance(&mut st.cursor);
                at += 1;
                if at % 1024 == 0 {
                    super::cond_resched();
                }
            }
            ok
        };
        st.pos = pos;
        if st.valid {
            st as *mut State<S> as *mut c_void
        } else {
            core::ptr::null_mut()
        }
    }

    unsafe extern "C" fn next(m: *mut raw::seq_file, _v: *mut c_void, pos: *mut i64) -> *mut c_void {
        // SAFETY: seq_file callback contract.
        let st = unsafe { Self::state(m) };
        // SAFETY: as in `start`.
        let source = unsafe { &*st.source };
        st.valid = st.valid && source.advance(&mut st.cursor);
        st.pos += 1;
        // SAFETY: seq_file requires `*pos` to move forward even at the end.
        unsafe { *pos = st.pos };
        if st.valid {
            st as *mut State<S> as *mut c_void
        } else {
            core::ptr::null_mut()
        }
    }

    unsafe extern "C" fn stop(_m: *mut raw::seq_file, _v: *mut c_void) {}

    unsafe extern "C" fn show(m: *mut raw::seq_file, _v: *mut c_void) -> c_int {
        // SAFETY: seq_file callback contract.
        let st = unsafe { Self::state(m) };
        // SAFETY: as in `start`.
        let source = unsafe { &*st.source };
        let _ = source.show(&st.cursor, &mut SeqWriter(m));
        0
    }
}

impl<S: SeqSource> Drop for ProcFile<S> {
    fn drop(&mut self) {
        // SAFETY: the entry was created at `path` in `create`, whose caller
        // keeps the parent until now; this waits for callbacks in progress,
        // after which `source` may be freed.
        unsafe { raw::remove_proc_entry(self.path.as_char_ptr().cast(), core::ptr::null_mut()) };
    }
}
