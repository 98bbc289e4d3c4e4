// SPDX-License-Identifier: GPL-2.0
//! A misc character device whose open files are Rust objects.
//!
//! The file operations are a static table whose `owner` is this module, so
//! `rmmod` is refused while a file is open, no callback can run after the
//! module is gone, and dropping the registration never frees what an open
//! file still uses.

use super::raw;
use core::ffi::{c_int, c_long, c_uint, c_ulong};
use core::marker::PhantomData;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;
use kernel::types::Opaque;

/// One open file of the device.
pub(crate) trait MiscFile: Sized + Send + Sync {
    /// State shared by every open file, given to each callback.
    type Shared: Send + Sync;
    fn open(shared: &Self::Shared) -> Result<Arc<Self>>;
    fn ioctl(&self, shared: &Self::Shared, cmd: u32, arg: usize) -> Result<isize>;
    /// The last reference to the file is gone (close, exit, crash, SIGKILL).
    /// May run in a task other than the opener.
    fn release(this: Arc<Self>, shared: &Self::Shared);
}

/// What `file->private_data` holds: the file and the state it shares, so no
/// callback depends on the registration (which may be gone).
struct FileData<T: MiscFile> {
    shared: Arc<T::Shared>,
    file: Arc<T>,
}

/// The file operations of `T`'s files, in static memory: open files keep
/// using them after the registration is gone, so they must live as long as
/// the module (whose refcount the `owner` field holds for each open file).
pub(crate) struct FileOps<T: MiscFile>(raw::file_operations, PhantomData<T>);

// SAFETY: the table is only read, by the kernel, once built.
unsafe impl<T: MiscFile> Sync for FileOps<T> {}

impl<T: MiscFile> FileOps<T> {
    pub(crate) const fn new() -> Self {
        FileOps(
            raw::file_operations {
                owner: THIS_MODULE,
                open: Some(open::<T>),
                release: Some(release::<T>),
                unlocked_ioctl: Some(ioctl::<T>),
                compat_ioctl: Some(raw::tt_glue_compat_ioctl),
                llseek: Some(raw::noop_llseek),
                // SAFETY: all-zero is a valid file_operations: no callbacks.
                ..unsafe { core::mem::zeroed() }
            },
            PhantomData,
        )
    }
}

extern "C" {
    /// This module's `struct module`, defined by the module loader.
    static mut __this_module: raw::module;
}

/// This module, as C's THIS_MODULE: `rmmod` is refused while a file that
/// names it as owner is open.
const THIS_MODULE: *mut raw::module = &raw mut __this_module;

#[repr(C)]
struct Inner<T: MiscFile> {
    // First field: `misc_open` leaves a pointer to it in `file->private_data`.
    misc: Opaque<raw::miscdevice>,
    shared: Arc<T::Shared>,
}

/// A registered misc device (only ever constructed registered); deregistered on drop.
pub(crate) struct Registration<T: MiscFile> {
    inner: Pin<KBox<Inner<T>>>,
    _t: PhantomData<T>,
}

// SAFETY: the raw C struct is only written before registration; after that
// the kernel reads it and we only touch `shared`, which is Send + Sync.
unsafe impl<T: MiscFile> Send for Registration<T> {}
// SAFETY: as above.
unsafe impl<T: MiscFile> Sync for Registration<T> {}

impl<T: MiscFile> Registration<T> {
    /// Registers `/dev/<name>` with the given mode (e.g. 0o666).
    pub(crate) fn register(
        name: &'static CStr,
        mode: u16,
        fops: &'static FileOps<T>,
        shared: Arc<T::Shared>,
    ) -> Result<Self> {
        let inner = KBox::pin(Inner::<T> { misc: Opaque::new(Default::default()), shared }, GFP_KERNEL)?;
        // SAFETY: `inner` is pinned on the heap and not registered yet, so
        // nothing else accesses it; the kernel only reads `fops`.
        unsafe {
            let misc = &mut *inner.misc.get();
            misc.minor = raw::MISC_DYNAMIC_MINOR as c_int;
            misc.name = name.as_char_ptr().cast();
            misc.fops = &fops.0;
            misc.mode = mode;
        }
        // SAFETY: `misc` is fully initialised and stays at this address until
        // `misc_deregister` in `drop`.
        to_result(unsafe { raw::misc_register(inner.misc.get()) })?;
        Ok(Self { inner, _t: PhantomData })
    }
}

impl<T: MiscFile> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: registered in `register`; after this no new open can start.
        // Open files use only the static `FileOps` and their own data.
        unsafe { raw::misc_deregister(self.inner.misc.get()) };
    }
}

unsafe extern "C" fn open<T: MiscFile>(_inode: *mut raw::inode, file: *mut raw::file) -> c_int {
    // SAFETY: `misc_open` set `private_data` to our `miscdevice`, the first
    // field of a `repr(C)` `Inner<T>`, registered (so alive) during open.
    let inner = unsafe { &*((*file).private_data as *const Inner<T>) };
    // Room first: once `T::open` has run, nothing may fail (no release would follow).
    let room = match KBox::<FileData<T>>::new_uninit(super::gfp_account_mayfail()) {
        Ok(room) => room,
        Err(_) => return ENOMEM.to_errno(),
    };
    let opened = match T::open(&inner.shared) {
        Ok(opened) => opened,
        Err(e) => return e.to_errno(),
    };
    let data = KBox::write(room, FileData::<T> { shared: inner.shared.clone(), file: opened });
    // SAFETY: `file` is valid during open; we own `private_data` from now on.
    unsafe { (*file).private_data = KBox::into_raw(data).cast() };
    0
}

unsafe extern "C" fn release<T: MiscFile>(_inode: *mut raw::inode, file: *mut raw::file) -> c_int {
    // SAFETY: `open` stored a `KBox<FileData<T>>` there; release runs once per
    // file and takes it back.
    let data = unsafe { KBox::from_raw((*file).private_data as *mut FileData<T>) };
    let FileData { shared, file } = KBox::into_inner(data);
    T::release(file, &shared);
    0
}

unsafe extern "C" fn ioctl<T: MiscFile>(file: *mut raw::file, cmd: c_uint, arg: c_ulong) -> c_long {
    // SAFETY: `open` stored a `KBox<FileData<T>>` that lives until `release`,
    // which cannot run while an ioctl on the file is in progress.
    let data = unsafe { &*((*file).private_data as *const FileData<T>) };
    match data.file.ioctl(&data.shared, cmd, arg as usize) {
        Ok(v) => v as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
