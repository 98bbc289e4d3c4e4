// SPDX-License-Identifier: GPL-2.0
//! State shared by all open files: the device registry and the list of open
//! files (for /proc readers). Neither lock is taken on the alloc/free hot path.

use crate::client::Client;
use crate::device::Device;
use crate::registry::Registry;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{Arc, Mutex};

#[pin_data]
pub(crate) struct Tracker {
    #[pin]
    pub(crate) registry: Mutex<Registry>,
    /// Open files by id, in opening order.
    #[pin]
    clients: Mutex<RBTree<u64, Arc<Client>>>,
    next_id: AtomicU64,
    open_files: AtomicU64,
}

impl Tracker {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Tracker {
                registry <- new_mutex!(Registry::new()),
                clients <- new_mutex!(RBTree::new()),
                next_id: AtomicU64::new(1),
                open_files: AtomicU64::new(0),
            }),
            GFP_KERNEL,
        )
    }

    /// The attached device with this ordinal.
    pub(crate) fn device(&self, ordinal: u32) -> Option<Arc<Device>> {
        self.registry.lock().device(ordinal)
    }

    pub(crate) fn open_files(&self) -> u64 {
        self.open_files.load(Relaxed)
    }

    pub(crate) fn open(self: &Arc<Self>) -> Result<Arc<Client>> {
        let id = self.next_id.fetch_add(1, Relaxed);
        let client = Client::new(id, self.clone())?;
        let node = RBTreeNode::new(id, client.clone(), crate::sys::gfp_account_mayfail())?;
        self.clients.lock().insert(node);
        self.open_files.fetch_add(1, Relaxed);
        Ok(client)
    }

    pub(crate) fn release(&self, client: Arc<Client>) {
        // Unlist first: readers stop seeing the file before its entries go.
        let listed = self.clients.lock().remove(&client.id);
        self.open_files.fetch_sub(1, Relaxed);
        client.release();
        drop(listed);
    }

    /// The open file with the smallest id >= `id`.
    pub(crate) fn client_from(&self, id: u64) -> Option<Arc<Client>> {
        let mut clients = self.clients.lock();
        let cursor = clients.cursor_lower_bound(&id)?;
        let found = cursor.current().1.clone();
        Some(found)
    }
}
