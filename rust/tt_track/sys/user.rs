// SPDX-License-Identifier: GPL-2.0
//! The report path's small structs copied from and to user space a 64-bit
//! word at a time, in one user-access window (see `tt_glue_read_words`).

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

/// Writes `data` to user address `addr`.
pub(crate) fn write<T: AsBytes>(addr: usize, data: &[T]) -> Result {
    let words = const { words::<T>() } * data.len();
    // SAFETY: `data` is `words` aligned u64 words, initialised (`AsBytes`);
    // the helper checks `addr` (access_ok) and catches faults.
    let r = unsafe { raw::tt_glue_write_words(addr as *mut c_void, data.as_ptr().cast(), words) };
    if r != 0 {
        return Err(EFAULT);
    }
    Ok(())
}
