//! Typed errors: one variant per errno the module documents.

use std::ffi::CStr;
use std::fmt;

/// Why tracking is unavailable; every call is then a cheap no-op. The numbers
/// are the C `TT_TRACK_REASON_*` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Unavailable {
    /// `/dev/tenstorrent-track` is not there (ENOENT, ENXIO, ENODEV): tt_track.ko is not loaded.
    NoModule = 1,
    /// The node is there but this process may not open it (EACCES, EPERM, EROFS).
    NoAccess = 2,
    /// The node does not speak tt_track's ABI (GET_INFO failed with EINVAL
    /// or ENOTTY, or answered ABI version 0).
    AbiMismatch = 3,
    /// Opening failed for a passing reason (ENOMEM, EINTR, EAGAIN, EMFILE,
    /// ENFILE, ...): tried again on a later call, after 1 ms, then up to 1 s.
    Transient = 4,
    /// `TT_TRACK_DISABLE=1` is set.
    Disabled = 5,
}

impl Unavailable {
    pub(crate) fn from_code(code: u32) -> Option<Self> {
        [Self::NoModule, Self::NoAccess, Self::AbiMismatch, Self::Transient, Self::Disabled]
            .into_iter()
            .find(|r| *r as u32 == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Nothing was reported (see [`Unavailable`]); the application runs unchanged.
    Unavailable(Unavailable),
    /// EINVAL: unknown type or category, size 0 or too big, chip out of range, bad flags.
    InvalidArgument,
    /// ENODEV: no Tenstorrent device with that ordinal is attached.
    NoDevice,
    /// EEXIST: this buffer id is already tracked for that device, chip and type.
    AlreadyTracked,
    /// ENOENT: this buffer id is not tracked for that device, chip and type.
    NotTracked,
    /// ENOSPC: this process reached the module's `max_buffers_per_file`.
    LimitReached,
    /// ERANGE: this process's byte count of that type would overflow.
    Overflow,
    /// EFAULT: the kernel could not read or write the request.
    BadAddress,
    /// ENOTTY: the module does not know the command.
    NotSupported,
    /// Any other errno.
    Os(i32),
}

impl Error {
    pub(crate) fn from_errno(errno: i32) -> Self {
        match errno {
            libc::EINVAL => Error::InvalidArgument,
            libc::ENODEV => Error::NoDevice,
            libc::EEXIST => Error::AlreadyTracked,
            libc::ENOENT => Error::NotTracked,
            libc::ENOSPC => Error::LimitReached,
            libc::ERANGE => Error::Overflow,
            libc::EFAULT => Error::BadAddress,
            libc::ENOTTY => Error::NotSupported,
            e => Error::Os(e),
        }
    }

    /// The errno this error stands for (0 for `Unavailable`).
    pub fn errno(self) -> i32 {
        match self {
            Error::Unavailable(_) => 0,
            Error::InvalidArgument => libc::EINVAL,
            Error::NoDevice => libc::ENODEV,
            Error::AlreadyTracked => libc::EEXIST,
            Error::NotTracked => libc::ENOENT,
            Error::LimitReached => libc::ENOSPC,
            Error::Overflow => libc::ERANGE,
            Error::BadAddress => libc::EFAULT,
            Error::NotSupported => libc::ENOTTY,
            Error::Os(e) => e,
        }
    }
}

impl Error {
    /// A message a user can act on (shared with the C `tt_track_strerror`).
    pub(crate) fn message(&self) -> &'static CStr {
        match self {
            Error::Unavailable(Unavailable::NoModule) => {
                c"tracking unavailable: /dev/tenstorrent-track cannot be opened (is tt_track.ko loaded?)"
            }
            Error::Unavailable(Unavailable::NoAccess) => {
                c"tracking unavailable: /dev/tenstorrent-track may not be opened (permissions, or the container's device rules)"
            }
            Error::Unavailable(Unavailable::AbiMismatch) => {
                c"tracking unavailable: /dev/tenstorrent-track does not speak tt_track's ABI"
            }
            Error::Unavailable(Unavailable::Transient) => {
                c"tracking unavailable for now: opening /dev/tenstorrent-track failed for a passing reason (memory, file limit); tried again later"
            }
            Error::Unavailable(Unavailable::Disabled) => c"tracking disabled by TT_TRACK_DISABLE=1",
            Error::InvalidArgument => {
                c"invalid request: check the memory type, KERNEL category, chip (< 64) and size (1 B to 256 TiB)"
            }
            Error::NoDevice => c"no Tenstorrent device with that ordinal is attached (see /dev/tenstorrent/)",
            Error::AlreadyTracked => c"this buffer id is already tracked for that device, chip and type",
            Error::NotTracked => c"this buffer id is not tracked for that device, chip and type",
            Error::LimitReached => c"this process tracks too many buffers (module parameter max_buffers_per_file)",
            Error::Overflow => c"this process's byte count for that memory type would overflow",
            Error::BadAddress => c"the kernel could not access the request memory",
            Error::NotSupported => c"the tt_track module does not support this request; update it",
            Error::Os(_) => c"tt_track request failed",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = self.message().to_str().unwrap_or("tt_track error");
        match self {
            Error::Os(e) => write!(f, "{}: {}", msg, std::io::Error::from_raw_os_error(*e)),
            _ => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_round_trips_and_every_error_has_a_message() {
        for errno in [
            libc::EINVAL,
            libc::ENODEV,
            libc::EEXIST,
            libc::ENOENT,
            libc::ENOSPC,
            libc::ERANGE,
            libc::EFAULT,
            libc::ENOTTY,
            libc::EIO,
        ] {
            let e = Error::from_errno(errno);
            assert_eq!(e.errno(), errno);
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(Error::from_errno(libc::EEXIST), Error::AlreadyTracked);
        assert!(Error::Os(libc::EIO).to_string().contains("Input/output"));
    }
}
