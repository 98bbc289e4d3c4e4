//! Without the module (the host runs a stock kernel) every call is a no-op
//! that says so; nothing panics, nothing is printed.

use tttrack::*;

#[test]
fn every_call_reports_unavailable_without_the_module() {
    if std::path::Path::new("/dev/tenstorrent-track").exists() {
        eprintln!("skipped: tt_track.ko is loaded on this host");
        return;
    }
    let unavailable = Err(Error::Unavailable(Unavailable::NoModule));
    for _ in 0..3 {
        assert_eq!(track_alloc(0, 0, MemType::Dram, 1, 4096), unavailable);
        assert_eq!(track_alloc_kernel(0, 0, KernelCategory::Fabric, 2, 64), unavailable);
        assert_eq!(track_free(0, 0, MemType::Dram, 1), unavailable);
    }
    assert_eq!(query_stats(0, 0, Scope::Device).err(), unavailable.err());
    assert_eq!(devices().err(), unavailable.err());
    assert!(!is_available());
    let msg = Error::Unavailable(Unavailable::NoModule).to_string();
    assert!(msg.contains("tt_track.ko"), "{msg}");
}
