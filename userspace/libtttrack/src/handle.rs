//! The process-wide tracking file: opened lazily on first use, never locked on
//! the report path, and reopened in a forked child (a child must never report
//! into its parent's file: it would be charged to the parent and not reclaimed
//! when the child dies).

use crate::error::{Error, Unavailable};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;
use tt_track_abi as abi;

/// A file descriptor when >= 0, else one of the states below.
static FD: AtomicI32 = AtomicI32::new(UNKNOWN);
const UNKNOWN: i32 = -1;
const NO_MODULE: i32 = -2;
const ABI_MISMATCH: i32 = -3;
const DISABLED: i32 = -4;

static ATFORK: Once = Once::new();

/// The tracking file descriptor, opening it on first use.
#[inline]
pub(crate) fn fd() -> Result<i32, Error> {
    match FD.load(Ordering::Acquire) {
        fd if fd >= 0 => Ok(fd),
        UNKNOWN => open(),
        state => Err(unavailable(state)),
    }
}

fn unavailable(state: i32) -> Error {
    Error::Unavailable(match state {
        ABI_MISMATCH => Unavailable::AbiMismatch,
        DISABLED => Unavailable::Disabled,
        _ => Unavailable::NoModule,
    })
}

/// Settles FD from UNKNOWN to `state`; whoever wins a race, everyone uses it.
fn settle(state: i32) -> Result<i32, Error> {
    match FD.compare_exchange(UNKNOWN, state, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) if state >= 0 => Ok(state),
        Ok(_) => Err(unavailable(state)),
        Err(winner) => {
            if state >= 0 {
                // SAFETY: `state` is the descriptor we opened and nobody else saw.
                unsafe { libc::close(state) };
            }
            if winner >= 0 {
                Ok(winner)
            } else {
                Err(unavailable(winner))
            }
        }
    }
}

#[cold]
fn open() -> Result<i32, Error> {
    // SAFETY: getenv with a NUL-terminated name; no allocation on this path.
    let disable = unsafe { libc::getenv(c"TT_TRACK_DISABLE".as_ptr()) };
    // SAFETY: a non-NULL getenv result is a NUL-terminated string.
    if !disable.is_null() && unsafe { std::ffi::CStr::from_ptr(disable) }.to_bytes() == b"1" {
        return settle(DISABLED);
    }
    ATFORK.call_once(|| {
        // SAFETY: registers a plain function; it only touches atomics and close().
        unsafe { libc::pthread_atfork(None, None, Some(child_after_fork)) };
    });
    let path = abi::TT_TRACK_DEVICE_PATH.as_ptr().cast();
    // SAFETY: `path` is the NUL-terminated device path from the ABI header.
    let fd = unsafe { libc::open(path, libc::O_RDWR | libc::O_CLOEXEC) };
    if fd < 0 {
        return settle(NO_MODULE);
    }
    let mut info =
        abi::tt_track_get_info { argsz: std::mem::size_of::<abi::tt_track_get_info>() as u32, ..Default::default() };
    // SAFETY: GET_INFO writes at most sizeof(info) bytes into `info`.
    let ok = unsafe { libc::ioctl(fd, abi::TT_TRACK_GET_INFO as _, &mut info) } == 0;
    if !ok || info.abi_version != abi::TT_TRACK_ABI_VERSION {
        // SAFETY: our own descriptor.
        unsafe { libc::close(fd) };
        return settle(ABI_MISMATCH);
    }
    settle(fd)
}

/// Runs in the child right after fork(), before any of its code: drop the
/// parent's file so the next report opens the child's own.
extern "C" fn child_after_fork() {
    let fd = FD.load(Ordering::Acquire);
    if fd >= 0 {
        // SAFETY: close() is async-signal-safe; the descriptor is this child's copy.
        unsafe { libc::close(fd) };
    }
    if fd != DISABLED {
        FD.store(UNKNOWN, Ordering::Release);
    }
}

/// One ioctl on the tracking file; Err(errno) mapped to a typed error.
#[inline]
pub(crate) fn ioctl<T>(request: u64, arg: &mut T) -> Result<(), Error> {
    let fd = fd()?;
    // SAFETY: `request` encodes size_of::<T>() and the kernel accesses at most
    // that many bytes of `arg`, which is a valid, exclusive reference (BATCH
    // also reads and writes the operations its `ops` field points to, which
    // the caller keeps valid and exclusive for the call).
    if unsafe { libc::ioctl(fd, request as _, arg as *mut T) } == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)))
    }
}
