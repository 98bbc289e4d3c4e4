//! Opening the device node and checking that the module serves this library,
//! with every failure classified by its errno: no module, no access, wrong
//! ABI (persistent: tracking stays off), or transient (tried again later).

use crate::error::Unavailable;
use std::ffi::CStr;
use tt_track_abi as abi;

/// Opens `path` and asks the module for its ABI version: the descriptor, or
/// why tracking is unavailable.
pub(crate) fn open(path: &CStr) -> Result<i32, Unavailable> {
    // SAFETY: `path` is NUL-terminated.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(open_failure(last_errno()));
    }
    let mut info =
        abi::tt_track_get_info { argsz: std::mem::size_of::<abi::tt_track_get_info>() as u32, ..Default::default() };
    // SAFETY: GET_INFO writes at most sizeof(info) (our argsz) bytes into `info`.
    let served = match unsafe { libc::ioctl(fd, abi::TT_TRACK_GET_INFO as _, &mut info) } {
        0 => serves(info.abi_version),
        _ => Err(info_failure(last_errno())),
    };
    if served.is_err() {
        // SAFETY: our own descriptor, seen by nobody else.
        unsafe { libc::close(fd) };
    }
    served.map(|()| fd)
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// Why open() of the device node failed.
fn open_failure(errno: i32) -> Unavailable {
    match errno {
        libc::ENOENT | libc::ENXIO | libc::ENODEV => Unavailable::NoModule,
        libc::EACCES | libc::EPERM | libc::EROFS => Unavailable::NoAccess,
        // ENOMEM, EINTR, EAGAIN, EMFILE, ENFILE, ... and anything unexpected:
        // never a reason to give up for good.
        _ => Unavailable::Transient,
    }
}

/// Why GET_INFO failed: a module that does not understand the request speaks
/// another ABI; anything else (ENOMEM in a memory cgroup at its limit, EINTR)
/// passes.
fn info_failure(errno: i32) -> Unavailable {
    match errno {
        libc::EINVAL | libc::ENOTTY => Unavailable::AbiMismatch,
        _ => Unavailable::Transient,
    }
}

/// The oldest ABI revision this library can use.
const OLDEST_MODULE: u32 = 1;

/// Every module serves every library (tt_track_ioctl.h): structs only grow
/// at their end, a module serves a shorter struct than its own and a longer
/// one whose unknown fields are zero, and answers zeros for the fields it
/// does not know (a revision-1 module: no per-type leaks).
fn serves(module_version: u32) -> Result<(), Unavailable> {
    if module_version >= OLDEST_MODULE {
        Ok(())
    } else {
        Err(Unavailable::AbiMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_classes() {
        for e in [libc::ENOENT, libc::ENXIO, libc::ENODEV] {
            assert_eq!(open_failure(e), Unavailable::NoModule, "open errno {e}");
        }
        for e in [libc::EACCES, libc::EPERM] {
            assert_eq!(open_failure(e), Unavailable::NoAccess, "open errno {e}");
        }
        for e in [libc::ENOMEM, libc::EINTR, libc::EAGAIN, libc::EMFILE, libc::ENFILE, libc::EBUSY] {
            assert_eq!(open_failure(e), Unavailable::Transient, "open errno {e}");
            assert_eq!(info_failure(e), Unavailable::Transient, "GET_INFO errno {e}");
        }
        for e in [libc::EINVAL, libc::ENOTTY] {
            assert_eq!(info_failure(e), Unavailable::AbiMismatch, "GET_INFO errno {e}");
        }
    }

    #[test]
    fn modules_of_every_revision_serve_this_library() {
        assert_eq!(serves(abi::TT_TRACK_ABI_VERSION), Ok(()));
        assert_eq!(serves(abi::TT_TRACK_ABI_VERSION + 1), Ok(()));
        assert_eq!(serves(1), Ok(()));
        assert_eq!(serves(0), Err(Unavailable::AbiMismatch));
    }

    /// Real paths that fail with the errno in question.
    #[test]
    fn real_open_failures() {
        let dir = std::env::temp_dir().join(format!("tttrack-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let socket = std::ffi::CString::new(socket.to_str().unwrap()).unwrap();
        // A socket cannot be opened: ENXIO, as a node without its driver.
        assert_eq!(open(&socket), Err(Unavailable::NoModule));
        assert_eq!(open(c"/nonexistent/tenstorrent-track"), Err(Unavailable::NoModule));
        // A node that is there but knows no GET_INFO (ENOTTY): another ABI.
        assert_eq!(open(c"/dev/null"), Err(Unavailable::AbiMismatch));
        std::fs::remove_dir_all(&dir).ok();
    }
}
