// SPDX-License-Identifier: GPL-2.0
//! The opener's identity: its thread group's `struct pid` and its comm.

use super::raw;
use core::fmt::Write;

/// Length of a task's comm, NUL included.
pub(crate) const COMM_LEN: usize = raw::TASK_COMM_LEN as usize;

/// A counted reference to a thread group's `struct pid`; survives the process
/// and is translated into the reader's PID namespace at read time.
pub(crate) struct Pid(*mut raw::pid);

// SAFETY: a counted `struct pid` reference may be used and dropped on any thread.
unsafe impl Send for Pid {}
// SAFETY: only read through functions that are safe to call concurrently.
unsafe impl Sync for Pid {}

impl Pid {
    /// The calling thread group.
    pub(crate) fn current_tgid() -> Self {
        // SAFETY: called in process context; returns a counted reference (or
        // NULL, which every user below accepts).
        Pid(unsafe { raw::tt_glue_current_tgid() })
    }

    /// The pid as seen from the calling task's PID namespace, `None` when the
    /// process is not visible there (or is gone).
    pub(crate) fn nr_in_current_ns(&self) -> Option<u32> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: `self.0` is a counted reference, valid until `drop`.
        let nr = unsafe { raw::tt_glue_pid_in_current_ns(self.0) };
        u32::try_from(nr).ok().filter(|&nr| nr > 0)
    }

    /// The pid in the initial PID namespace (for the kernel log).
    pub(crate) fn global_nr(&self) -> i32 {
        if self.0.is_null() {
            return 0;
        }
        // SAFETY: `self.0` is a counted reference, valid until `drop`.
        unsafe { raw::tt_glue_pid_global_nr(self.0) }
    }

    /// Whether the process still exists. Once it is gone its number may be
    /// given to another process, so it must not be shown any more.
    pub(crate) fn alive(&self) -> bool {
        // SAFETY: `self.0` is a counted reference, valid until `drop`; NULL is accepted.
        !self.0.is_null() && unsafe { raw::tt_glue_pid_alive(self.0) }
    }
}

impl Drop for Pid {
    fn drop(&mut self) {
        // SAFETY: we own one reference (NULL is accepted by `put_pid`).
        unsafe { raw::put_pid(self.0) }
    }
}

/// A comm as /proc shows it, escaped the way /proc/PID/status does: a
/// backslash, every control byte and every byte from 0x7f up is written as
/// `\ooo` (three octal digits), so a line stays one line and every byte
/// survives; so is a comm that is just `-`, which /proc uses for "no comm".
/// Stops at the first NUL.
pub(crate) struct EscapedComm<'a>(pub(crate) &'a [u8; COMM_LEN]);

impl core::fmt::Display for EscapedComm<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // A lone "-" means "no comm" in /proc (the `proc -` sum line): escaped.
        if self.0[..2] == *b"-\0" {
            return f.write_str("\\055");
        }
        for &b in self.0.iter().take_while(|&&b| b != 0) {
            if b == b'\\' || !(0x20..0x7f).contains(&b) {
                write!(f, "\\{:03o}", b)?;
            } else {
                f.write_char(char::from(b))?;
            }
        }
        Ok(())
    }
}

/// The calling task's comm, NUL-padded.
pub(crate) fn current_comm() -> [u8; COMM_LEN] {
    let mut buf = [0u8; COMM_LEN];
    // SAFETY: `buf` is `TASK_COMM_LEN` bytes, as the helper requires.
    unsafe { raw::tt_glue_current_comm(buf.as_mut_ptr().cast()) };
    buf
}
