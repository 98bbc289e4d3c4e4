// SPDX-License-Identifier: GPL-2.0
//! The opener's identity: its thread group's `struct pid` and its comm.

use super::raw;

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
    pub(crate) fn nr_in_current_ns(&self) -> Option<i32> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: `self.0` is a counted reference, valid until `drop`.
        let nr = unsafe { raw::tt_glue_pid_in_current_ns(self.0) };
        (nr > 0).then_some(nr)
    }
}

impl Drop for Pid {
    fn drop(&mut self) {
        // SAFETY: we own one reference (NULL is accepted by `put_pid`).
        unsafe { raw::put_pid(self.0) }
    }
}

/// The calling task's comm, NUL-padded.
pub(crate) fn current_comm() -> [u8; COMM_LEN] {
    let mut buf = [0u8; COMM_LEN];
    // SAFETY: `buf` is `TASK_COMM_LEN` bytes, as the helper requires.
    unsafe { raw::tt_glue_current_comm(buf.as_mut_ptr().cast()) };
    buf
}
