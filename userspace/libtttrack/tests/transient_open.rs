//! An open() that fails for a passing reason (here a real EMFILE: the fd table
//! is full) does not switch tracking off for the life of the process: the
//! library says why and tries again later, and then sees the real state
//! (on this host, no module).

use tttrack::*;

/// Fills the fd table (with a lowered soft limit) and returns the fillers.
fn fill_fd_table() -> Vec<std::fs::File> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_cur.min(256);
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    let mut files = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(f) => files.push(f),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => return files,
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn emfile_is_transient_and_retried() {
    if std::path::Path::new("/dev/tenstorrent-track").exists() {
        eprintln!("skipped: tt_track.ko is loaded on this host");
        return;
    }
    let fillers = fill_fd_table();
    let during = track_alloc(0, 0, MemType::Dram, 1, 4096);
    let reason = unavailable_reason();
    drop(fillers);
    assert_eq!(during, Err(Error::Unavailable(Unavailable::Transient)));
    assert_eq!(reason, Some(Unavailable::Transient));
    assert!(Error::Unavailable(Unavailable::Transient).to_string().contains("again"));
    // Retried after a short back-off, then the real answer: no module. (The
    // bound only stops a broken library from hanging the test.)
    let mut reason = Some(Unavailable::Transient);
    for _ in 0..10_000 {
        reason = unavailable_reason();
        if reason != Some(Unavailable::Transient) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(reason, Some(Unavailable::NoModule));
    assert_eq!(track_alloc(0, 0, MemType::Dram, 1, 4096), Err(Error::Unavailable(Unavailable::NoModule)));
}
