//! What a forked child gets: the state page comes zeroed (see `handle`), and
//! the atfork handlers, registered when the library is loaded, close the
//! descriptor of the parent's tracking file, which the child inherited (it
//! would keep the parent's file, and its books, alive after the parent's
//! exit). A fork waits for an open in progress in another thread, so no
//! descriptor is ever in flight, unrecorded, when the child is made.

use crate::handle::{make_state, state, State};
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, Ordering};

/// The descriptor of this process's tracking file, in memory a child keeps
/// (unlike the state page), so the child knows which one to close; -1 if none.
static OPENED: AtomicI32 = AtomicI32::new(-1);

/// 0: atfork handlers not registered, 1: being registered, 2: registered.
static ATFORK: AtomicU32 = AtomicU32::new(0);

/// The state the running fork() locked in `prepare`, for `parent` to unlock.
static LOCKED: AtomicPtr<State> = AtomicPtr::new(std::ptr::null_mut());

/// Run when the library is loaded (before main, or by dlopen), so the handlers
/// are in place before any open and no fork can find them half-registered.
#[used]
#[link_section = ".init_array"]
static AT_LOAD: extern "C" fn() = at_load;

extern "C" fn at_load() {
    init();
}

/// Makes the state page and registers the atfork handlers; false if either
/// failed (then tracking waits: the open is retried later).
pub(crate) fn init() -> bool {
    if !make_state() {
        return false;
    }
    if ATFORK.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
        // SAFETY: registers plain functions that only touch atomics and close().
        let ok = unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child)) } == 0;
        ATFORK.store(if ok { 2 } else { 0 }, Ordering::Release);
    }
    ATFORK.load(Ordering::Acquire) == 2
}

/// Called under the state lock when the tracking file has been opened.
pub(crate) fn opened(fd: i32) {
    OPENED.store(fd, Ordering::Release);
}

/// Before fork(): wait for an open in progress and hold off new ones.
extern "C" fn prepare() {
    if let Some(state) = state() {
        state.lock();
        LOCKED.store(std::ptr::from_ref(state).cast_mut(), Ordering::Release);
    }
}

/// In the parent after fork(): opens may go on.
extern "C" fn parent() {
    let locked = LOCKED.swap(std::ptr::null_mut(), Ordering::AcqRel);
    // SAFETY: null, or the state `prepare` locked (never unmapped).
    if let Some(state) = unsafe { locked.as_ref() } {
        state.unlock();
    }
}

/// In the child after fork(), before any of its code: its state page is
/// already zero (lock free, "not opened yet"); drop the parent's file.
extern "C" fn child() {
    LOCKED.store(std::ptr::null_mut(), Ordering::Release);
    let fd = OPENED.swap(-1, Ordering::AcqRel);
    if fd >= 0 {
        // SAFETY: close() is async-signal-safe; the descriptor is this child's copy.
        unsafe { libc::close(fd) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No unit test opens the device through `handle::fd`, the only other
    /// caller of `init`: what is here was done by `at_load`.
    #[test]
    fn handlers_registered_at_load() {
        assert_eq!(ATFORK.load(Ordering::Acquire), 2);
        assert!(state().is_some());
    }
}
