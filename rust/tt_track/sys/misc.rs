// SPDX-License-Identifier: GPL-2.0
//! A misc character device whose open files are Rust objects.
//!
//! `fops.owner` is set to this module, so `rmmod` is refused while a file is
//! open and no callback can run after the module is gone.

use super::raw;
use core::ffi::{c_int, c_long, c_uint, c_ulong};
use core::marker::PhantomData;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;
use kernel::types::Opaque;
use kernel::ThisModule;

/// One open file of the device.
pub(crate) trait MiscFile: Sized + Send + Sync {
    /// State shared by every open file (given to `open`).
    type Shared: Send + Sync;
    fn open(shared: &Arc<Self::Shared>) -> Result<Arc<Self>>;
    fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize>;
    /// The last reference to the file is gone (close, exit, crash, SIGKILL).
    /// May run in a task other than the opener.
    fn release(this: Arc<Self>);
}

#[repr(C)]
struct Inner<T: MiscFile> {
    // First field: `misc_open` leaves a pointer to it in `file->private_data`.
    misc: Opaque<raw::miscdevice>,
    fops: Opaque<raw::file_operations>,
    shared: Arc<T::Shared>,
    registered: bool,
}

/// A registered misc device; deregistered on drop.
pub(crate) struct Registration<T: MiscFile> {
    inner: Pin<KBox<Inner<T>>>,
    _t: PhantomData<T>,
}

// SAFETY: the raw C structs are only written before registration; after
// that the kernel reads them and we only touch `shared`, which is Send + Sync.
unsafe impl<T: MiscFile> Send for Registration<T> {}
// SAFETY: as above.
unsafe impl<T: MiscFile> Sync for Registration<T> {}

impl<T: MiscFile> Registration<T> {
    /// Registers `/dev/<name>` with the given mode (e.g. 0o666).
    pub(crate) fn register(
        name: &'static CStr,
        mode: u16,
        module: &'static ThisModule,
        shared: Arc<T::Shared>,
    ) -> Result<Self> {
        let mut inner = KBox::pin(
            Inner::<T> {
                misc: Opaque::new(Default::default()),
                fops: Opaque::new(Default::default()),
                shared,
                registered: false,
            },
            GFP_KERNEL,
        )?;
        let fops = raw::file_operations {
            owner: module.as_ptr().cast(),
            open: Some(open::<T>),
            release: Some(release::<T>),
            unlocked_ioctl: Some(ioctl::<T>),
            compat_ioctl: Some(raw::tt_glue_compat_ioctl),
            llseek: Some(raw::noop_llseek),
            ..Default::default()
        };
        // SAFETY: `inner` is pinned on the heap and not registered yet, so
        // nothing else accesses these fields.
        unsafe {
            *inner.fops.get() = fops;
            let misc = &mut *inner.misc.get();
            misc.minor = raw::MISC_DYNAMIC_MINOR as c_int;
            misc.name = name.as_char_ptr().cast();
            misc.fops = inner.fops.get();
            misc.mode = mode;
        }
        // SAFETY: `misc` is fully initialised and stays at this address until
        // `misc_deregister` in `drop`.
        to_result(unsafe { raw::misc_register(inner.misc.get()) })?;
        // SAFETY: `registered` is not structurally pinned.
        unsafe { inner.as_mut().get_unchecked_mut().registered = true };
        Ok(Self { inner, _t: PhantomData })
    }
}

impl<T: MiscFile> Drop for Registration<T> {
    fn drop(&mut self) {
        if self.inner.registered {
            // SAFETY: registered in `register`; after this no new open can start,
            // and the module refcount guarantees no file is still open.
            unsafe { raw::misc_deregister(self.inner.misc.get()) };
        }
    }
}

unsafe extern "C" fn open<T: MiscFile>(_inode: *mut raw::inode, file: *mut raw::file) -> c_int {
    // SAFETY: `misc_open` set `private_data` to our `miscdevice`, the first
    // field of a `repr(C)` `Inner<T>` that outlives the registration.
    let inner = unsafe { &*((*file).private_data as *const Inner<T>) };
    match T::open(&inner.shared) {
        Ok(data) => {
            // SAFETY: `file` is valid during open; we own `private_data` from now on.
            unsafe { (*file).private_data = Arc::into_raw(data) as *mut _ };
            0
        }
        Err(e) => e.to_errno(),
    }
}

unsafe extern "C" fn release<T: MiscFile>(_inode: *mut raw::inode, file: *mut raw::file) -> c_int {
    // SAFETY: `open` stored an `Arc<T>` there; release runs once per file and
    // takes that reference back.
    let data = unsafe { Arc::from_raw((*file).private_data as *const T) };
    T::release(data);
    0
}

unsafe extern "C" fn ioctl<T: MiscFile>(file: *mut raw::file, cmd: c_uint, arg: c_ulong) -> c_long {
    // SAFETY: `open` stored an `Arc<T>` that lives until `release`, which
    // cannot run while an ioctl on the file is in progress.
    let data = unsafe { &*((*file).private_data as *const T) };
    match data.ioctl(cmd, arg as usize) {
        Ok(v) => v as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
