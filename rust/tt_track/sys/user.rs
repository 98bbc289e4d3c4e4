// SPDX-License-Identifier: GPL-2.0
//! The report path's small structs read from user space a 64-bit word at a
//! time, and its results written back, each in one user-access window (see
//! `tt_glue_read_words`).

use super::raw;
use core::ffi::c_void;
use core::mem::{align_of, size_of, MaybeUninit};
use kernel::prelude::*;
use kernel::transmute::{AsBytes, FromBytes};

/// Words in a `T`, checked at build time: only structs of whole, aligned
/// 64-bit words (every ABI struct of the hot path) are copied this way.
const fn words<T>() -> usize {
    assert!(size_of::<T>() % 8 == 0 && align_of::<T>() >= align_of::<u64>());
    size_of::<T>() / 8
}

/// Reads `out.len()` consecutive `T`s from user address `addr`.
pub(crate) fn read_into<T: FromBytes>(addr: usize, out: &mut [MaybeUninit<T>]) -> Result<&mut [T]> {
    let words = const { words::<T>() } * out.len();
    // SAFETY: `out` is `words` aligned u64 words of writable memory; the
    // helper checks `addr` (access_ok) and catches faults.
    let r = unsafe { raw::tt_glue_read_words(out.as_mut_ptr().cast(), addr as *const c_void, words) };
    if r != 0 {
        return Err(EFAULT);
    }
    // SAFETY: the helper wrote every byte, and any bytes are a valid `T` (`FromBytes`).
    Ok(unsafe { &mut *(core::ptr::from_mut(out) as *mut [T]) })
}

/// Reads one `T` from user address `addr`.
pub(crate) fn read<T: FromBytes>(addr: usize) -> Result<T> {
    let mut value = MaybeUninit::<T>::uninit();
    read_into(addr, core::slice::from_mut(&mut value))?;
    // SAFETY: `read_into` succeeded, so it initialised `value`.
    Ok(unsafe { value.assume_init() })
}

/// Writes the 32-bit field at byte `OFFSET` of each of `items` into the same
/// field of the `T`s at user address `addr`, leaving their other bytes alone.
pub(crate) fn write_field<T: AsBytes, const OFFSET: usize>(addr: usize, items: &[T]) -> Result {
    const { assert!(OFFSET % 4 == 0 && OFFSET + 4 <= size_of::<T>()) };
    let kernel = items.as_ptr().cast::<u8>().wrapping_add(OFFSET);
    let user = addr.wrapping_add(OFFSET) as *mut c_void;
    // SAFETY: `kernel` is the field of the first of `items`, which are
    // `size_of::<T>()` apart, initialised (`AsBytes`), with an aligned 32-bit
    // field at `OFFSET` (checked above); the helper checks `user` (access_ok)
    // and catches faults.
    let r = unsafe { raw::tt_glue_write_field32(user, kernel.cast(), size_of::<T>(), items.len()) };
    if r != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// Fails with EFAULT unless every page of user memory at `addr` that holds
/// `data` (a copy read from there) can be written: one byte per page is
/// written back as it was read. So a call can fail before it changes anything.
pub(crate) fn probe_writable(addr: usize, data: &[u8]) -> Result {
    // SAFETY: `data` is `data.len()` readable bytes; the helper checks
    // `addr` (access_ok) and catches faults.
    let r = unsafe { raw::tt_glue_probe_write(addr as *mut c_void, data.as_ptr(), data.len()) };
    if r != 0 {
        return Err(EFAULT);
    }
    Ok(())
}
