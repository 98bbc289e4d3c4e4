// SPDX-License-Identifier: GPL-2.0
//! The set of open files of /dev/tenstorrent-track, in opening order, for
//! /proc readers. Not touched on the alloc/free hot path.

use crate::client::Client;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{Arc, Mutex};

#[pin_data]
pub(crate) struct OpenFiles {
    /// Open files by id, in opening order.
    #[pin]
    clients: Mutex<RBTree<u64, Arc<Client>>>,
    next_id: AtomicU64,
    count: AtomicU64,
}

impl OpenFiles {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(OpenFiles {
                clients <- new_mutex!(RBTree::new()),
                next_id: AtomicU64::new(1),
                count: AtomicU64::new(0),
            }),
            GFP_KERNEL,
        )
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    pub(crate) fn open(&self) -> Result<Arc<Client>> {
        let id = self.next_id.fetch_add(1, Relaxed);
        let client = Client::new(id)?;
        let node = RBTreeNode::new(id, client.clone(), crate::sys::gfp_account_mayfail())?;
        self.clients.lock().insert(node);
        self.count.fetch_add(1, Relaxed);
        Ok(client)
    }

    pub(crate) fn release(&self, client: Arc<Client>) {
        // Unlist first: readers stop seeing the file before its entries go.
        let listed = self.clients.lock().remove(&client.id);
        self.count.fetch_sub(1, Relaxed);
        client.release();
        drop(listed);
    }

    /// The open file with the smallest id >= `id`.
    pub(crate) fn client_from(&self, id: u64) -> Option<Arc<Client>> {
        let clients = self.clients.lock();
        let cursor = clients.cursor_lower_bound(&id)?;
        let found = cursor.current().1.clone();
        Some(found)
    }
}
