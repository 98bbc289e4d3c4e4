//! The C ABI (declared in include/tt_track.h). Status codes: 0 success,
//! TT_TRACK_UNAVAILABLE (1) when nothing was reported, -errno on error. errno
//! is the caller's after a call, except after a -E status, which sets it to E.

use crate::{error::Error, raw_alloc, raw_batch, raw_free, raw_info, raw_query, Unavailable, BATCH_MAX_OPS};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tt_track_abi as abi;

const UNAVAILABLE: i32 = 1;

fn status(r: Result<(), Error>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(Error::Unavailable(_)) => UNAVAILABLE,
        Err(e) => -e.errno(),
    }
}

/// Never lets a panic cross into C (the report path cannot panic; this is a
/// guarantee, not a expectation); errno as the module comment says.
fn guarded(f: impl FnOnce() -> Result<(), Error>) -> i32 {
    let status = keeping_errno(|| catch_unwind(AssertUnwindSafe(f)).map_or(-libc::EIO, status));
    if status < 0 {
        set_errno(-status);
    }
    status
}

/// Runs `f` and gives the caller back its errno, which the open(), ioctl()
/// and close() inside may have changed.
fn keeping_errno<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: __errno_location returns this thread's errno, always valid.
    let saved = unsafe { *libc::__errno_location() };
    let result = f();
    set_errno(saved);
    result
}

fn set_errno(value: i32) {
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = value };
}

#[no_mangle]
pub extern "C" fn tt_track_alloc(device: u32, chip: u32, kind: u32, buffer_id: u64, size: u64) -> i32 {
    guarded(|| raw_alloc(device, chip, kind, 0, buffer_id, size))
}

#[no_mangle]
pub extern "C" fn tt_track_alloc_kernel(device: u32, chip: u32, category: u32, buffer_id: u64, size: u64) -> i32 {
    guarded(|| raw_alloc(device, chip, abi::TT_TRACK_TYPE_KERNEL, category, buffer_id, size))
}

#[no_mangle]
pub extern "C" fn tt_track_free(device: u32, chip: u32, kind: u32, buffer_id: u64) -> i32 {
    guarded(|| raw_free(device, chip, kind, buffer_id))
}

/// Revision 1's `struct tt_track_query_stats`: what every caller built
/// before revision 2 has room for.
const STATS_SIZE_V1: usize = abi::TT_TRACK_QUERY_STATS_SIZE_V1 as usize;

/// The entry point of callers built before revision 2 (and of bindings such
/// as ctypes that call the symbol itself): fills revision 1's struct, never
/// more. The header maps `tt_track_stats` onto `tt_track_stats_sized`.
///
/// # Safety
/// `out` is NULL or points to `TT_TRACK_QUERY_STATS_SIZE_V1` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn tt_track_stats(device: u32, chip: u32, scope: u32, out: *mut u8) -> i32 {
    // SAFETY: per this function's contract.
    unsafe { tt_track_stats_sized(device, chip, scope, out, STATS_SIZE_V1) }
}

/// Fills the caller's `struct tt_track_query_stats` of `size` bytes (its
/// `sizeof`, passed by the header's macro): as much of the library's as it
/// holds, zeros past the library's. EINVAL below revision 1's size.
///
/// # Safety
/// `out` is NULL or points to `size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn tt_track_stats_sized(device: u32, chip: u32, scope: u32, out: *mut u8, size: usize) -> i32 {
    guarded(|| {
        if out.is_null() {
            return Err(Error::BadAddress);
        }
        if size < STATS_SIZE_V1 {
            return Err(Error::InvalidArgument);
        }
        let r = raw_query(device, chip, scope)?;
        // SAFETY: `r` is plain integers (no padding: the ABI's rule), read as bytes.
        let ours = unsafe {
            std::slice::from_raw_parts((&raw const r).cast::<u8>(), std::mem::size_of::<abi::tt_track_query_stats>())
        };
        let n = size.min(ours.len());
        // SAFETY: `out` has `size` writable bytes (the contract), n <= size.
        unsafe {
            std::ptr::copy_nonoverlapping(ours.as_ptr(), out, n);
            std::ptr::write_bytes(out.add(n), 0, size - n);
        }
        Ok(())
    })
}

/// # Safety
/// `ops` is NULL or points to `count` writable `tt_track_op`s.
#[no_mangle]
pub unsafe extern "C" fn tt_track_batch(ops: *mut abi::tt_track_op, count: u32) -> i32 {
    if count == 0 {
        return 0;
    }
    if ops.is_null() {
        return guarded(|| Err(Error::BadAddress));
    }
    // SAFETY: per the function's contract.
    let ops = unsafe { std::slice::from_raw_parts_mut(ops, count as usize) };
    let mut sent = 0;
    let result = guarded(|| {
        ops.chunks_mut(BATCH_MAX_OPS).try_for_each(|chunk| {
            raw_batch(chunk)?;
            sent += chunk.len();
            Ok(())
        })
    });
    // A failed call applied nothing: its operations and the later ones carry its status.
    if result != 0 {
        ops[sent..].iter_mut().for_each(|op| op.result = result);
    }
    result
}

/// # Safety
/// `out` is NULL or points to writable memory for one `tt_track_get_info`.
#[no_mangle]
pub unsafe extern "C" fn tt_track_devices(out: *mut abi::tt_track_get_info) -> i32 {
    guarded(|| {
        if out.is_null() {
            return Err(Error::BadAddress);
        }
        let info = raw_info()?;
        // SAFETY: per the function's contract.
        unsafe { out.write(*info) };
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn tt_track_available() -> i32 {
    (tt_track_unavailable_reason() == 0) as i32
}

/// 0 when reports reach the kernel, else the `Unavailable` code (TT_TRACK_REASON_*).
#[no_mangle]
pub extern "C" fn tt_track_unavailable_reason() -> i32 {
    keeping_errno(|| {
        catch_unwind(crate::unavailable_reason).map_or(Unavailable::Transient as i32, |r| r.map_or(0, |r| r as i32))
    })
}

/// A static, NUL-terminated message for a TT_TRACK_REASON_* code.
#[no_mangle]
pub extern "C" fn tt_track_reason_string(reason: i32) -> *const c_char {
    let msg = match u32::try_from(reason).ok().and_then(Unavailable::from_code) {
        Some(r) => Error::Unavailable(r).message(),
        None if reason == 0 => c"tracking on: reports reach tt_track.ko",
        None => c"unknown reason code",
    };
    msg.as_ptr()
}

/// A static, NUL-terminated message for a status code.
#[no_mangle]
pub extern "C" fn tt_track_strerror(status: i32) -> *const c_char {
    let msg = match status {
        0 => c"success",
        UNAVAILABLE => c"tracking unavailable: tt_track.ko not loaded, ABI version mismatch, or TT_TRACK_DISABLE=1",
        s => Error::from_errno(s.saturating_neg()).message(),
    };
    msg.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn message(status: i32) -> &'static str {
        // SAFETY: tt_track_strerror always returns a static C string.
        unsafe { CStr::from_ptr(tt_track_strerror(status)) }.to_str().unwrap()
    }

    #[test]
    fn status_codes_and_messages() {
        assert_eq!(status(Ok(())), 0);
        assert_eq!(status(Err(Error::Unavailable(crate::Unavailable::Disabled))), UNAVAILABLE);
        assert_eq!(status(Err(Error::AlreadyTracked)), -libc::EEXIST);
        assert_eq!(message(0), "success");
        assert!(message(UNAVAILABLE).contains("unavailable"));
        assert!(message(-libc::ENOSPC).contains("max_buffers_per_file"));
        assert!(!message(-9999).is_empty());
        assert!(!message(i32::MIN).is_empty());
        // SAFETY: NULL is accepted and rejected.
        assert_eq!(unsafe { tt_track_stats(0, 0, 0, std::ptr::null_mut()) }, -libc::EFAULT);
    }
}
