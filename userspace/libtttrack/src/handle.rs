//! The process-wide tracking file: opened on first use, never locked on the
//! report path, and never used by another process. A child (fork, or a raw
//! clone that runs no atfork handler) must not report into its parent's file:
//! it would be charged to the parent and not reclaimed when the child dies.
//! So the state lives in a page the kernel zeroes in every child
//! (MADV_WIPEONFORK): a child starts from "not opened yet", with its lock
//! free, at the cost of no system call per report.

use crate::error::{Error, Unavailable};
use crate::{fork, probe};
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use tt_track_abi as abi;

/// Per-process state; all zeroes (the state of a new child) is "not opened yet".
#[repr(C)]
pub(crate) struct State {
    /// 0: not opened yet; fd + 1 when open; -(Unavailable as i32) when not.
    file: AtomicI32,
    /// Serialises opening (and forking: see `fork`); 1 when held.
    lock: AtomicU32,
    /// Transient failures in a row, and the CLOCK_MONOTONIC time (ns) before
    /// which the open is not tried again.
    failures: AtomicU32,
    retry_at: AtomicU64,
}

const DEVICE_PATH: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(abi::TT_TRACK_DEVICE_PATH) {
    Ok(path) => path,
    Err(_) => panic!("the ABI's device path is a C string"),
};

/// The wipe-on-fork page (made at load, see `fork`), or null if it could not be made.
static PAGE: AtomicPtr<State> = AtomicPtr::new(std::ptr::null_mut());

pub(crate) fn state() -> Option<&'static State> {
    // SAFETY: PAGE is null or a mapping of a zero-initialised State that is never unmapped.
    unsafe { PAGE.load(Ordering::Acquire).as_ref() }
}

/// Makes the page if there is none yet; false if it cannot be made.
pub(crate) fn make_state() -> bool {
    if state().is_some() {
        return true;
    }
    // SAFETY: a fresh private anonymous mapping (zero-filled), ours alone.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            std::mem::size_of::<State>(),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return false;
    }
    let len = std::mem::size_of::<State>();
    // SAFETY: `page` is the start of the mapping made above, `len` within it.
    let wiped = unsafe { libc::madvise(page, len, libc::MADV_WIPEONFORK) } == 0;
    // Faulted in now, at load: the first open must not fault it in a memory
    // cgroup at its limit (where a page fault calls the OOM killer).
    // SAFETY: the mapping holds a zeroed `State`, which is what is stored.
    unsafe { page.cast::<State>().write_volatile(std::mem::zeroed()) };
    let won =
        wiped && PAGE.compare_exchange(std::ptr::null_mut(), page.cast(), Ordering::AcqRel, Ordering::Acquire).is_ok();
    if !won {
        // SAFETY: our mapping, published to nobody.
        unsafe { libc::munmap(page, len) };
    }
    state().is_some()
}

impl State {
    pub(crate) fn lock(&self) {
        while self.lock.compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err() {
            std::thread::yield_now();
        }
    }

    pub(crate) fn unlock(&self) {
        self.lock.store(0, Ordering::Release);
    }
}

/// The tracking file descriptor, opening it on first use.
#[inline]
pub(crate) fn fd() -> Result<i32, Unavailable> {
    if let Some(state) = state() {
        let file = state.file.load(Ordering::Acquire);
        if file > 0 {
            return Ok(file - 1);
        }
        if file < 0 && !retry_due(state, file) {
            return Err(unavailable(file));
        }
    }
    open()
}

fn unavailable(file: i32) -> Unavailable {
    Unavailable::from_code(file.unsigned_abs()).unwrap_or(Unavailable::Transient)
}

#[cold]
fn open() -> Result<i32, Unavailable> {
    if disabled() {
        return Err(Unavailable::Disabled);
    }
    // Normally done at load; tried again here only if that failed.
    let Some(state) = fork::init().then(state).flatten() else {
        return Err(Unavailable::Transient);
    };
    state.lock();
    let file = state.file.load(Ordering::Acquire);
    let result = if file > 0 {
        Ok(file - 1)
    } else if file < 0 && !retry_due(state, file) {
        Err(unavailable(file))
    } else {
        let result = probe::open(DEVICE_PATH);
        settle(state, result);
        result
    };
    state.unlock();
    result
}

/// Records the outcome of an open, under the lock.
fn settle(state: &State, result: Result<i32, Unavailable>) {
    match result {
        Ok(fd) => {
            fork::opened(fd);
            state.file.store(fd + 1, Ordering::Release);
        }
        Err(Unavailable::Transient) => {
            let failures = state.failures.fetch_add(1, Ordering::Relaxed);
            state.retry_at.store(now_ns().saturating_add(backoff_ns(failures)), Ordering::Relaxed);
            state.file.store(-(Unavailable::Transient as i32), Ordering::Release);
        }
        Err(reason) => state.file.store(-(reason as i32), Ordering::Release),
    }
}

fn disabled() -> bool {
    // SAFETY: getenv with a NUL-terminated name; no allocation on this path.
    let disable = unsafe { libc::getenv(c"TT_TRACK_DISABLE".as_ptr()) };
    // SAFETY: a non-NULL getenv result is a NUL-terminated string.
    !disable.is_null() && unsafe { std::ffi::CStr::from_ptr(disable) }.to_bytes() == b"1"
}

/// Whether a transient failure may be tried again now (persistent ones never are).
fn retry_due(state: &State, file: i32) -> bool {
    file == -(Unavailable::Transient as i32) && now_ns() >= state.retry_at.load(Ordering::Relaxed)
}

/// 1 ms after the first transient failure, doubling up to 1 s: a process at
/// its fd limit or in a memory cgroup at its limit is not hammered.
fn backoff_ns(failures: u32) -> u64 {
    1_000_000u64 << failures.min(10)
}

fn now_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid timespec; CLOCK_MONOTONIC is always there (vDSO, no system call).
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    (t.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(t.tv_nsec as u64)
}

/// One ioctl on the tracking file; Err(errno) mapped to a typed error.
#[inline]
pub(crate) fn ioctl<T>(request: u64, arg: &mut T) -> Result<(), Error> {
    let fd = fd().map_err(Error::Unavailable)?;
    // SAFETY: `request` encodes size_of::<T>() and the kernel accesses at most
    // that many bytes of `arg`, which is a valid, exclusive reference (BATCH
    // also reads and writes the operations its `ops` field points to, which
    // the caller keeps valid and exclusive for the call).
    if unsafe { libc::ioctl(fd, request as _, arg as *mut T) } == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        assert_eq!(backoff_ns(0), 1_000_000);
        assert_eq!(backoff_ns(1), 2_000_000);
        assert!(backoff_ns(10) <= 1_100_000_000);
        assert_eq!(backoff_ns(u32::MAX), backoff_ns(10));
    }

    /// A real open file stands for the tracking file (the host has no module):
    /// what is under test is who may use it, not what it is.
    fn open_stand_in() -> i32 {
        // SAFETY: a NUL-terminated path.
        let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
        assert!(fd >= 0);
        fd
    }

    fn adopt(fd: i32) {
        let state = state().expect("made at load");
        state.lock();
        settle(state, Ok(fd));
        state.unlock();
    }

    fn is_open(fd: i32) -> bool {
        // SAFETY: F_GETFD on any number is harmless.
        (unsafe { libc::fcntl(fd, libc::F_GETFD) }) >= 0
    }

    fn fork() -> libc::pid_t {
        // SAFETY: the child only makes system calls and calls this library (no allocation).
        unsafe { libc::fork() }
    }

    /// clone(2) with no flags but SIGCHLD: a new process, and no atfork handler runs.
    fn raw_clone() -> libc::pid_t {
        // SAFETY: as fork(); the child touches no glibc state that clone leaves stale.
        unsafe { libc::syscall(libc::SYS_clone, libc::SIGCHLD as libc::c_long, 0, 0, 0, 0) as libc::pid_t }
    }

    /// Runs `check` in a child made by `make`; whether it exited with true.
    /// A child that has not exited after 10 s (hung) is killed: false.
    fn in_child(make: fn() -> libc::pid_t, check: impl FnOnce() -> bool) -> bool {
        let pid = make();
        if pid == 0 {
            // SAFETY: ends the child at once.
            unsafe { libc::_exit(if check() { 0 } else { 1 }) };
        }
        assert!(pid > 0);
        let mut status = 0;
        for _ in 0..10_000 {
            // SAFETY: our child.
            if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
                return libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // SAFETY: our hung child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, &mut status, 0);
        }
        false
    }

    /// One test: the state is the process's.
    #[test]
    fn children_never_use_the_parents_file() {
        let parents = open_stand_in();
        adopt(parents);
        assert_eq!(fd(), Ok(parents));

        // fork(): the inherited descriptor is closed, the child has its own state.
        assert!(in_child(fork, || !is_open(parents) && fd() != Ok(parents)), "fork child");
        // A raw clone runs no atfork handler: the wiped page alone keeps it off the parent's file.
        assert!(in_child(raw_clone, || fd() != Ok(parents)), "raw clone child");
        assert_eq!(fd(), Ok(parents), "the parent keeps its file");

        // A clone while another thread holds the open lock: the child's lock is free.
        let state = state().unwrap();
        state.lock();
        assert!(in_child(raw_clone, || fd() != Ok(parents)), "clone during an open hung");
        state.unlock();

        // A fork while another thread is opening waits for it, so the child
        // gets the new descriptor recorded, and closes it.
        state.file.store(0, Ordering::Release);
        let (opening, opened) = mpsc::channel();
        let opener = std::thread::spawn(move || {
            state.lock();
            let fd = open_stand_in();
            opening.send(fd).unwrap();
            // Gives the fork time to start while the open is in flight.
            std::thread::sleep(std::time::Duration::from_millis(100));
            settle(state, Ok(fd));
            state.unlock();
        });
        let in_flight = opened.recv().unwrap();
        assert!(in_child(fork, || !is_open(in_flight)), "a descriptor opened during the fork leaked into the child");
        opener.join().unwrap();
        assert_eq!(fd(), Ok(in_flight));
    }
}
