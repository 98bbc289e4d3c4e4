//! The C entry points leave errno alone when they succeed or do nothing
//! (TT_TRACK_UNAVAILABLE: here, on a host without the module, the failed
//! open() must not leak its ENOENT), and set it to E when they return -E.

use std::ffi::c_int;

extern "C" {
    fn tt_track_alloc(device: u32, chip: u32, kind: u32, buffer_id: u64, size: u64) -> c_int;
    fn tt_track_free(device: u32, chip: u32, kind: u32, buffer_id: u64) -> c_int;
    fn tt_track_available() -> c_int;
    fn tt_track_stats(device: u32, chip: u32, scope: u32, out: *mut u8) -> c_int;
}

fn errno() -> c_int {
    // SAFETY: __errno_location returns this thread's errno.
    unsafe { *libc::__errno_location() }
}

fn set_errno(value: c_int) {
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = value };
}

#[test]
fn errno_is_kept_unless_the_call_fails() {
    // Force the link of the library that defines the C symbols.
    let _ = tttrack::is_available;
    if std::path::Path::new("/dev/tenstorrent-track").exists() {
        eprintln!("skipped: tt_track.ko is loaded on this host");
        return;
    }
    for _ in 0..2 {
        set_errno(libc::EDOM);
        // SAFETY: plain values.
        assert_eq!(unsafe { tt_track_alloc(0, 0, 0, 1, 64) }, 1);
        assert_eq!(errno(), libc::EDOM, "TT_TRACK_UNAVAILABLE changed errno");
        // SAFETY: plain values.
        assert_eq!(unsafe { tt_track_free(0, 0, 0, 1) }, 1);
        assert_eq!(errno(), libc::EDOM);
        // SAFETY: no arguments.
        assert_eq!(unsafe { tt_track_available() }, 0);
        assert_eq!(errno(), libc::EDOM, "tt_track_available changed errno");
    }
    // SAFETY: NULL is rejected with -EFAULT.
    assert_eq!(unsafe { tt_track_stats(0, 0, 0, std::ptr::null_mut()) }, -libc::EFAULT);
    assert_eq!(errno(), libc::EFAULT, "a -EFAULT status sets errno");
}
