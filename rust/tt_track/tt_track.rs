// SPDX-License-Identifier: GPL-2.0
//! tt_track: per-process accounting of Tenstorrent device memory.
//!
//! Applications report allocations and frees through ioctls on
//! /dev/tenstorrent-track; the books are kept per open file and per device,
//! cleaned up when the file is released, and shown in
//! /proc/driver/tenstorrent/N/{allocations,stats}.

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

mod abi;
mod client;
mod device;
mod ioctl;
mod procfs;
mod registry;
mod sys;
mod tracker;

use client::Client;
use sys::misc::{FileOps, Registration};
use sys::pci::BusNotifier;
use tracker::Tracker;

module! {
    type: TtTrack,
    name: "tt_track",
    author: "tt-track developers",
    description: "Per-process accounting of Tenstorrent device memory",
    license: "GPL",
}

struct TtTrack {
    tracker: Arc<Tracker>,
    notifier: Option<BusNotifier<Tracker>>,
    misc: Option<Registration<Client>>,
}

/// The operations of /dev/tenstorrent-track's files.
static FOPS: FileOps<Client> = FileOps::new();

impl kernel::Module for TtTrack {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let tracker = Tracker::new()?;
        let mut this = TtTrack { tracker: tracker.clone(), notifier: None, misc: None };
        // Notifier first, then the scan: a device bound in between is seen
        // twice, and attaching is idempotent. On error `drop` undoes it all.
        this.notifier = Some(BusNotifier::register(tracker.clone())?);
        tracker.scan();
        this.misc = Some(Registration::register(c_str!("tenstorrent-track"), 0o666, &FOPS, tracker)?);
        Ok(this)
    }
}

impl Drop for TtTrack {
    fn drop(&mut self) {
        // No file is open (the misc device pins the module), so no client exists.
        self.misc.take();
        // Our /proc files go as on an unbind, while the notifier still tells
        // us of unbinds: tt-kmd may be removing a card's N/ right now.
        self.tracker.detach_all();
        self.notifier.take();
    }
}
