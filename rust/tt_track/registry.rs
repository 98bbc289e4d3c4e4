// SPDX-License-Identifier: GPL-2.0
//! Which PCI devices tt_track follows: those bound to the driver named
//! `tenstorrent` (tt-kmd). A device keeps its counters across unbind/rebind
//! (open files may still hold entries on it); its /proc files exist only while
//! it is bound, inside tt-kmd's /proc/driver/tenstorrent/N/.

use crate::abi::MAX_DEVICES;
use crate::device::Device;
use crate::procfs::{Allocations, Stats};
use crate::sys::pci::{PciDev, PciWatcher};
use crate::sys::procfs::ProcFile;
use crate::tracker::Tracker;
use kernel::prelude::*;
use kernel::str::{CStr, CString};
use kernel::sync::Arc;
use kernel::c_str;

const DRIVER: &CStr = c_str!("tenstorrent");

/// Our files inside tt-kmd's per-device directory.
struct DeviceFiles {
    _allocations: ProcFile<Allocations>,
    _stats: ProcFile<Stats>,
}

struct Slot {
    device: Arc<Device>,
    files: Option<DeviceFiles>,
}

pub(crate) struct Registry {
    slots: KVec<Slot>,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self { slots: KVec::new() }
    }

    pub(crate) fn device(&self, ordinal: u32) -> Option<Arc<Device>> {
        self.attached().find(|d| d.ordinal() == Some(ordinal)).cloned()
    }

    pub(crate) fn attached(&self) -> impl Iterator<Item = &Arc<Device>> {
        self.slots.iter().map(|s| &s.device).filter(|d| d.ordinal().is_some())
    }
}

impl Tracker {
    /// Attach every device already bound to tt-kmd (at module load).
    pub(crate) fn scan(self: &Arc<Self>) {
        crate::sys::pci::for_each_device(|dev| Tracker::bound(self, dev));
    }

    fn attach(self: &Arc<Self>, pci: &PciDev<'_>) -> Result {
        // tt-kmd's char device `tenstorrent/N` gives the ordinal N.
        let ordinal = pci.child_number(DRIVER).ok_or(ENODEV)?;
        let address = pci.address().as_bytes();
        let mut reg = self.registry.lock();
        let index = match reg.slots.iter().position(|s| s.device.address_str().as_bytes() == address) {
            Some(i) => i,
            None => {
                if reg.slots.len() >= MAX_DEVICES {
                    return Err(ENOSPC);
                }
                let (vendor, device) = pci.ids();
                let device = Arc::new(Device::new(address, vendor, device)?, GFP_KERNEL)?;
                reg.slots.push(Slot { device, files: None }, GFP_KERNEL)?;
                reg.slots.len() - 1
            }
        };
        let slot = &mut reg.slots[index];
        if slot.device.ordinal().is_some() {
            return Ok(()); // seen by both the load-time scan and the notifier
        }
        let files = DeviceFiles {
            _allocations: ProcFile::create(
                proc_path(ordinal, "allocations")?,
                Allocations::new(self.clone(), slot.device.clone(), ordinal),
            )?,
            _stats: ProcFile::create(
                proc_path(ordinal, "stats")?,
                Stats::new(self.clone(), slot.device.clone(), ordinal),
            )?,
        };
        slot.device.set_ordinal(Some(ordinal));
        slot.files = Some(files);
        Ok(())
    }

    fn detach(&self, address: &[u8]) {
        drop(self.take_files(|s| s.device.address_str().as_bytes() == address));
    }

    /// Remove every /proc file (module exit). Also breaks the reference
    /// cycle tracker -> registry -> files -> tracker.
    pub(crate) fn detach_all(&self) {
        while let Some(files) = self.take_files(|s| s.files.is_some()) {
            drop(files);
        }
    }

    /// Marks the first slot `pick` selects as unbound and takes its files out.
    /// Removing a /proc file waits for its readers: callers drop the files
    /// after the lock is released.
    fn take_files(&self, pick: impl Fn(&Slot) -> bool) -> Option<Option<DeviceFiles>> {
        let mut reg = self.registry.lock();
        let slot = reg.slots.iter_mut().find(|s| pick(s))?;
        slot.device.set_ordinal(None);
        Some(slot.files.take())
    }
}

impl PciWatcher for Tracker {
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
            this.detach(pci.address().as_bytes());
        }
    }
}

fn is_ttkmd(pci: &PciDev<'_>) -> bool {
    pci.driver_name().map(CStr::as_bytes) == Some(DRIVER.as_bytes())
}

fn proc_path(ordinal: u32, name: &str) -> Result<CString> {
    CString::try_from_fmt(format_args!("driver/tenstorrent/{}/{}", ordinal, name))
}
