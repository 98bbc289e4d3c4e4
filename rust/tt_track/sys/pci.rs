// SPDX-License-Identifier: GPL-2.0
//! PCI devices as tt_track sees them: bind/unbind events on the PCI bus and a
//! scan of devices already bound at load time.

use super::raw;
use core::ffi::{c_int, c_ulong, c_void};
use core::marker::PhantomData;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;
use kernel::types::Opaque;

/// A PCI device, borrowed for the duration of a callback during which the
/// driver core holds its device lock (so its driver cannot change).
pub(crate) struct PciDev<'a> {
    dev: *mut raw::device,
    _borrow: PhantomData<&'a raw::device>,
}

impl PciDev<'_> {
    /// The bound driver's name, if any.
    pub(crate) fn driver_name(&self) -> Option<&CStr> {
        // SAFETY: `dev` is valid and locked for the borrow; a driver's name is
        // a static string that lives while it is bound.
        let p = unsafe { raw::tt_glue_driver_name(self.dev) };
        // SAFETY: non-NULL names are NUL-terminated.
        (!p.is_null()).then(|| unsafe { CStr::from_char_ptr(p.cast()) })
    }

    /// The PCI address, e.g. "0000:00:03.0".
    pub(crate) fn address(&self) -> &CStr {
        // SAFETY: `dev` is valid for the borrow; device names are NUL-terminated.
        unsafe { CStr::from_char_ptr(raw::tt_glue_dev_name(self.dev).cast()) }
    }

    /// (vendor, device) ids.
    pub(crate) fn ids(&self) -> (u16, u16) {
        let (mut vendor, mut device) = (0u16, 0u16);
        // SAFETY: `dev` is valid; the outputs are local variables.
        unsafe { raw::tt_glue_pci_ids(self.dev, &mut vendor, &mut device) };
        (vendor, device)
    }

    /// The number N of a child device named `<prefix>/N` (sysfs spells the
    /// slash as '!'), e.g. tt-kmd's char device `tenstorrent/N`.
    pub(crate) fn child_number(&self, prefix: &CStr) -> Option<u32> {
        struct Search<'p> {
            prefix: &'p [u8],
            found: Option<u32>,
        }
        unsafe extern "C" fn visit(child: *mut raw::device, data: *mut c_void) -> c_int {
            // SAFETY: `data` is the `Search` below, alive during the walk.
            let s = unsafe { &mut *(data as *mut Search<'_>) };
            // SAFETY: the driver core keeps `child` alive during the walk.
            let name = unsafe { CStr::from_char_ptr(raw::tt_glue_dev_name(child).cast()) };
            s.found = parse_child(name.to_bytes(), s.prefix);
            s.found.is_some() as c_int
        }
        let mut search = Search { prefix: prefix.to_bytes(), found: None };
        // SAFETY: `dev` is valid; `visit` only uses `search`, which outlives the call.
        unsafe { raw::device_for_each_child(self.dev, &mut search as *mut _ as *mut c_void, Some(visit)) };
        search.found
    }
}

impl PciDev<'_> {
    /// A counted reference that outlives the callback.
    pub(crate) fn counted(&self) -> PciRef {
        // SAFETY: `dev` is valid for the borrow; `get_device` takes a reference
        // that `PciRef::drop` gives back.
        PciRef(unsafe { raw::get_device(self.dev) })
    }
}

/// A counted reference to a PCI device's `struct device`.
pub(crate) struct PciRef(*mut raw::device);

// SAFETY: a counted device reference may be used and dropped on any thread.
unsafe impl Send for PciRef {}
// SAFETY: only used through `lock`, which the device's mutex serialises.
unsafe impl Sync for PciRef {}

impl PciRef {
    /// Runs `f` with the device locked, as the driver core does for bind,
    /// unbind and shutdown: its driver cannot change meanwhile.
    pub(crate) fn with_lock<R>(&self, f: impl FnOnce(&PciDev<'_>) -> R) -> R {
        // SAFETY: our reference keeps the device (and its mutex) alive.
        unsafe { raw::tt_glue_device_lock(self.0) };
        let r = f(&PciDev { dev: self.0, _borrow: PhantomData });
        // SAFETY: locked above.
        unsafe { raw::tt_glue_device_unlock(self.0) };
        r
    }
}

impl Drop for PciRef {
    fn drop(&mut self) {
        // SAFETY: we own one reference, taken in `PciDev::counted`.
        unsafe { raw::put_device(self.0) }
    }
}

/// `<prefix>/N` or `<prefix>!N` -> N.
fn parse_child(name: &[u8], prefix: &[u8]) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let digits = rest.strip_prefix(b"/").or_else(|| rest.strip_prefix(b"!"))?;
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Receives bind/unbind events of PCI devices.
pub(crate) trait PciWatcher: Send + Sync {
    /// A driver finished binding to `dev` (its probe has returned).
    fn bound(this: &Arc<Self>, dev: &PciDev<'_>);
    /// A driver is about to unbind from `dev` (its remove has not run yet).
    fn unbinding(this: &Arc<Self>, dev: &PciDev<'_>);
}

#[repr(C)]
struct NotifierInner<W: PciWatcher> {
    // First field: the callback gets a pointer to it.
    nb: Opaque<raw::notifier_block>,
    watcher: Arc<W>,
}

/// A PCI bus notifier, unregistered on drop.
pub(crate) struct BusNotifier<W: PciWatcher> {
    inner: Pin<KBox<NotifierInner<W>>>,
}

// SAFETY: `nb` is only written before registration; `watcher` is Send + Sync.
unsafe impl<W: PciWatcher> Send for BusNotifier<W> {}
// SAFETY: as above.
unsafe impl<W: PciWatcher> Sync for BusNotifier<W> {}

impl<W: PciWatcher> BusNotifier<W> {
    pub(crate) fn register(watcher: Arc<W>) -> Result<Self> {
        let inner = KBox::pin(NotifierInner { nb: Opaque::new(Default::default()), watcher }, GFP_KERNEL)?;
        // SAFETY: not registered yet, so we are the only user of `nb`.
        unsafe { (*inner.nb.get()).notifier_call = Some(Self::call) };
        // SAFETY: `nb` is pinned until `bus_unregister_notifier` in `drop`.
        to_result(unsafe { raw::bus_register_notifier(core::ptr::addr_of!(raw::pci_bus_type), inner.nb.get()) })?;
        Ok(Self { inner })
    }

    unsafe extern "C" fn call(nb: *mut raw::notifier_block, action: c_ulong, data: *mut c_void) -> c_int {
        // SAFETY: `nb` is the first field of a `repr(C)` `NotifierInner<W>`.
        let inner = unsafe { &*(nb as *const NotifierInner<W>) };
        // The driver core sends these with the device locked.
        let dev = PciDev { dev: data.cast(), _borrow: PhantomData };
        match action as u32 {
            raw::bus_notifier_event_BUS_NOTIFY_BOUND_DRIVER => W::bound(&inner.watcher, &dev),
            raw::bus_notifier_event_BUS_NOTIFY_UNBIND_DRIVER => W::unbinding(&inner.watcher, &dev),
            _ => {}
        }
        raw::NOTIFY_DONE as c_int
    }
}

impl<W: PciWatcher> Drop for BusNotifier<W> {
    fn drop(&mut self) {
        // SAFETY: registered in `register`; returns once no callback runs.
        unsafe { raw::bus_unregister_notifier(core::ptr::addr_of!(raw::pci_bus_type), self.inner.nb.get()) };
    }
}

/// Calls `f` for every PCI device, each with its device lock held.
pub(crate) fn for_each_device(mut f: impl FnMut(&PciDev<'_>)) {
    unsafe extern "C" fn visit(dev: *mut raw::device, data: *mut c_void) -> c_int {
        // SAFETY: `data` is the `&mut dyn FnMut` below, alive during the walk.
        let f = unsafe { &mut *(data as *mut &mut dyn FnMut(&PciDev<'_>)) };
        // SAFETY: the bus walk holds a reference to `dev`; locking it keeps its
        // driver from changing while `f` looks at it.
        unsafe { raw::tt_glue_device_lock(dev) };
        f(&PciDev { dev, _borrow: PhantomData });
        // SAFETY: locked above.
        unsafe { raw::tt_glue_device_unlock(dev) };
        0
    }
    let mut f: &mut dyn FnMut(&PciDev<'_>) = &mut f;
    // SAFETY: `visit` only uses `f`, which outlives the call.
    unsafe {
        raw::bus_for_each_dev(
            core::ptr::addr_of!(raw::pci_bus_type),
            core::ptr::null_mut(),
            &mut f as *mut _ as *mut c_void,
            Some(visit),
        )
    };
}
