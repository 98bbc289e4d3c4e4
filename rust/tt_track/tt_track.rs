// SPDX-License-Identifier: GPL-2.0
//! tt_track: per-process accounting of Tenstorrent device memory.
//!
//! Applications report allocations and frees through ioctls on
//! /dev/tenstorrent-track; the books are kept per open file and per device,
//! cleaned up when the file is released, and shown in
//! /proc/driver/tenstorrent/N/{allocations,stats}.
//!
//! Ownership is a tree: the module owns the misc device (whose context holds
//! the registry and the set of open files) and the bus watch (the registry
//! and its notifier); the registry owns the devices and their /proc files,
//! which read the set of open files; open files hold the devices they use.

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

mod abi;
mod client;
mod device;
mod ioctl;
mod open_files;
mod procfs;
mod registry;
mod sys;

use client::Client;
use ioctl::Context;
use open_files::OpenFiles;
use registry::Registry;
use sys::misc::{FileOps, Registration};
use sys::pci::BusNotifier;

module! {
    type: TtTrack,
    name: "tt_track",
    authors: ["tt-track developers"],
    description: "Per-process accounting of Tenstorrent device memory",
    license: "GPL",
}

/// The operations of /dev/tenstorrent-track's files.
static FOPS: FileOps<Client> = FileOps::new();

/// Fields drop in order: first no file can be opened any more (none is open:
/// the misc device pins the module), then the watch removes the /proc files
/// and stops following the bus.
struct TtTrack {
    _misc: Registration<Client>,
    _watch: Watch,
}

/// The registry following tt-kmd's devices on the PCI bus.
struct Watch {
    registry: Arc<Registry>,
    _notifier: BusNotifier<Registry>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Our /proc files go as on an unbind, while the notifier still tells
        // us of unbinds (tt-kmd may be removing a card's N/ right now); the
        // notifier goes after this, with the fields.
        self.registry.detach_all();
    }
}

impl kernel::Module for TtTrack {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let files = OpenFiles::new()?;
        let registry = Registry::new(files.clone())?;
        // Notifier first, then the scan: a device bound in between is seen
        // twice, and attaching is idempotent. On error the watch undoes it.
        let watch = Watch { registry: registry.clone(), _notifier: BusNotifier::register(registry.clone())? };
        registry.scan();
        let context = Arc::new(Context { files, registry }, GFP_KERNEL)?;
        let misc = Registration::register(c_str!("tenstorrent-track"), 0o666, &FOPS, context)?;
        Ok(TtTrack { _misc: misc, _watch: watch })
    }
}
