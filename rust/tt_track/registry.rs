// SPDX-License-Identifier: GPL-2.0
//! Which PCI devices tt_track follows: those bound to the driver named
//! `tenstorrent` (tt-kmd). A card keeps its counters across unbind/rebind
//! (open files may still hold entries on it); its /proc files exist only while
//! it is bound, inside tt-kmd's /proc/driver/tenstorrent/N/.
//!
//! Our /proc files are created and removed only with the PCI device locked,
//! as tt-kmd's probe, remove and shutdown run: tt-kmd cannot remove N/ under
//! us meanwhile. Never with the registry mutex held: removing a /proc file
//! waits for its readers.

use crate::abi::MAX_DEVICES;
use crate::device::Device;
use crate::open_files::OpenFiles;
use crate::procfs::{Allocations, Stats};
use crate::sys::pci::{PciDev, PciRef, PciWatcher};
use crate::sys::procfs::{self, ProcFile};
use kernel::prelude::*;
use kernel::str::{CStr, CString};
use kernel::sync::{Arc, Mutex};
use kernel::{c_str, new_mutex};

const DRIVER: &CStr = c_str!("tenstorrent");

/// Our files inside tt-kmd's per-device directory.
struct DeviceFiles {
    _allocations: ProcFile<Allocations>,
    _stats: ProcFile<Stats>,
}

impl DeviceFiles {
    /// Creates both files, or none if tt-kmd has no `N/` for this device
    /// (it carries on when it cannot create one).
    fn create(files: &Arc<OpenFiles>, device: &Arc<Device>, ordinal: u32, locked: &PciDev<'_>) -> Result<Option<Self>> {
        if !procfs::dir_exists(&proc_path(ordinal, None)?) {
            pr_info!("{}: no /proc/driver/tenstorrent/{}/, no files for it\n", locked.address(), ordinal);
            return Ok(None);
        }
        let allocations = proc_path(ordinal, Some("allocations"))?;
        let stats = proc_path(ordinal, Some("stats"))?;
        // SAFETY: N/ exists, and `locked` holds the device lock, which tt-kmd's
        // remove needs too: it removes N/ only after our unbinding callback has
        // dropped these files under the same lock. (At shutdown it removes N/
        // with no event, but nothing of ours runs after that.)
        unsafe {
            Ok(Some(Self {
                _allocations: ProcFile::create(allocations, Allocations::new(files.clone(), device.clone()))?,
                _stats: ProcFile::create(stats, Stats::new(files.clone(), device.clone(), ordinal))?,
            }))
        }
    }
}

struct Slot {
    device: Arc<Device>,
    /// While bound: a counted reference to the PCI device the card is now
    /// (a remove and rescan makes a new one at the same address), to lock it
    /// at module exit.
    pci: Option<PciRef>,
    files: Option<DeviceFiles>,
}

impl Slot {
    /// Bound before, unbound now and held by no open file: the slot may take
    /// another card. (A card being attached is bound first, so no other
    /// attach can take its slot meanwhile.)
    fn reusable(&self) -> bool {
        self.device.ordinal().is_none() && self.device.last_ordinal().is_some() && !self.device.in_use()
    }
}

/// The devices tt_track follows, with their /proc files. Lock order: a PCI
/// device's lock before this mutex; an open file's tables before this mutex
/// (ALLOC looks a device up under them); never the other way.
#[pin_data]
pub(crate) struct Registry {
    #[pin]
    slots: Mutex<Slots>,
    /// What the /proc files list.
    files: Arc<OpenFiles>,
}

struct Slots {
    slots: KVec<Slot>,
    next_id: u32,
    /// Set at module exit: nothing attaches any more.
    exiting: bool,
}

impl Registry {
    pub(crate) fn new(files: Arc<OpenFiles>) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Registry {
                slots <- new_mutex!(Slots { slots: KVec::new(), next_id: 0, exiting: false }),
                files,
            }),
            GFP_KERNEL,
        )
    }

    /// The attached device with this ordinal.
    pub(crate) fn device(&self, ordinal: u32) -> Option<Arc<Device>> {
        self.slots.lock().attached().find(|d| d.ordinal() == Some(ordinal)).cloned()
    }

    /// The attached device with this ordinal, counted as used by one more
    /// file before its slot could be given to another card.
    pub(crate) fn use_device(&self, ordinal: u32) -> Option<Arc<Device>> {
        let slots = self.slots.lock();
        let device = slots.attached().find(|d| d.ordinal() == Some(ordinal))?;
        device.add_user();
        Some(device.clone())
    }

    /// Calls `f` for each attached device, with the registry locked.
    pub(crate) fn for_each_attached(&self, f: impl FnMut(&Arc<Device>)) {
        self.slots.lock().attached().for_each(f);
    }
}

impl Slots {
    fn attached(&self) -> impl Iterator<Item = &Arc<Device>> {
        self.slots.iter().map(|s| &s.device).filter(|d| d.ordinal().is_some())
    }

    /// The device for the card `pci`: the one it had before, or a new one in
    /// a free or reusable slot.
    fn device_for(&mut self, pci: &PciDev<'_>) -> Result<Arc<Device>> {
        if let Some(slot) = self.slots.iter().find(|s| s.device.is(pci)) {
            return Ok(slot.device.clone());
        }
        let id = self.next_id;
        self.next_id = id.checked_add(1).ok_or(ENOSPC)?;
        let device = Arc::new(Device::new(pci, id)?, GFP_KERNEL)?;
        let slot = Slot { device: device.clone(), pci: None, files: None };
        match self.slots.iter().position(Slot::reusable) {
            Some(i) => self.slots[i] = slot,
            None if self.slots.len() < MAX_DEVICES => self.slots.push(slot, GFP_KERNEL)?,
            None => return Err(ENOSPC),
        }
        Ok(device)
    }
}

impl Registry {
    /// Attach every device already bound to tt-kmd (at module load).
    pub(crate) fn scan(self: &Arc<Self>) {
        crate::sys::pci::for_each_device(|dev| Registry::bound(self, dev));
    }

    /// `locked` is bound to tt-kmd and locked.
    fn attach(self: &Arc<Self>, locked: &PciDev<'_>) -> Result {
        // tt-kmd's char device `tenstorrent/N` gives the ordinal N.
        let ordinal = locked.child_number(DRIVER).ok_or(ENODEV)?;
        let device = {
            let mut reg = self.slots.lock();
            if reg.exiting {
                return Ok(());
            }
            let device = reg.device_for(locked)?;
            if device.ordinal().is_some() {
                return Ok(()); // seen by both the load-time scan and the notifier
            }
            // Bound (usable through ioctls) before its files exist: its slot
            // is then not reusable while they are made.
            device.bind(ordinal);
            if let Some(slot) = reg.slots.iter_mut().find(|s| Arc::ptr_eq(&s.device, &device)) {
                slot.pci = Some(locked.counted());
            }
            device
        };
        let files = DeviceFiles::create(&self.files, &device, ordinal, locked)?;
        let mut reg = self.slots.lock();
        let exiting = reg.exiting;
        match reg.slots.iter_mut().find(|s| Arc::ptr_eq(&s.device, &device)) {
            Some(slot) if !exiting && device.ordinal() == Some(ordinal) => slot.files = files,
            _ => {
                drop(reg);
                drop(files);
            }
        }
        Ok(())
    }

    /// Marks the slot `pick` selects as unbound; removes its files after the
    /// registry lock is released.
    fn unbind_where(&self, pick: impl Fn(&Slot) -> bool) {
        let files = {
            let mut reg = self.slots.lock();
            let Some(slot) = reg.slots.iter_mut().find(|s| pick(s)) else {
                return;
            };
            slot.device.unbind();
            (slot.files.take(), slot.pci.take())
        };
        drop(files);
    }

    /// Module exit: refuse new attaches, then remove every device's files as
    /// an unbind would, each under its device lock.
    pub(crate) fn detach_all(&self) {
        self.slots.lock().exiting = true;
        loop {
            let next = {
                let mut reg = self.slots.lock();
                let slot = reg.slots.iter_mut().find(|s| s.files.is_some());
                slot.map(|s| (s.device.clone(), s.pci.take()))
            };
            let Some((device, pci)) = next else {
                break;
            };
            let this = |s: &Slot| Arc::ptr_eq(&s.device, &device);
            match pci {
                Some(pci) => pci.with_lock(|_| self.unbind_where(this)),
                None => self.unbind_where(this), // files are made only after `pci` is set
            }
        }
    }
}

impl PciWatcher for Registry {
    fn bound(this: &Arc<Self>, pci: &PciDev<'_>) {
        if !is_ttkmd(pci) {
            return;
        }
        if let Err(e) = this.attach(pci) {
            pr_warn!("cannot attach {}: error {}\n", pci.address(), e.to_errno());
        }
    }

    fn unbinding(this: &Arc<Self>, pci: &PciDev<'_>) {
        if is_ttkmd(pci) {
            this.unbind_where(|s| s.device.is(pci));
        }
    }
}

fn is_ttkmd(pci: &PciDev<'_>) -> bool {
    pci.driver_name().map(CStr::to_bytes) == Some(DRIVER.to_bytes())
}

/// `driver/tenstorrent/N`, or a file in it.
fn proc_path(ordinal: u32, name: Option<&str>) -> Result<CString> {
    match name {
        Some(name) => CString::try_from_fmt(format_args!("driver/tenstorrent/{}/{}", ordinal, name)),
        None => CString::try_from_fmt(format_args!("driver/tenstorrent/{}", ordinal)),
    }
}
