//! uid -> user name through the C library's NSS (getpwuid_r), so users from
//! LDAP, SSSD or any other source show as `id` and `ps` show them.

use std::collections::HashMap;

/// Names looked up once per uid per snapshot.
#[derive(Default)]
pub struct Users(HashMap<u32, String>);

impl Users {
    /// The user's name, or the uid as a number when NSS does not know it.
    pub fn name(&mut self, uid: u32) -> String {
        self.0.entry(uid).or_insert_with(|| lookup(uid).unwrap_or_else(|| uid.to_string())).clone()
    }
}

/// A statically linked glibc cannot load NSS modules (getpwuid_r crashes in
/// the dlopen): the static build, made for the test VM, shows uid numbers.
#[cfg(target_feature = "crt-static")]
fn lookup(_uid: u32) -> Option<String> {
    None
}

#[cfg(not(target_feature = "crt-static"))]
fn lookup(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: all-zero is a valid passwd (null pointers, zero ids).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: pwd, buf and found outlive the call; buf.len() is buf's size.
        let err = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr().cast(), buf.len(), &mut found) };
        match err {
            // A record with more than buf holds (long gecos, LDAP): grow and retry.
            libc::ERANGE if buf.len() < 1 << 20 => buf.resize(buf.len() * 4, 0),
            0 if !found.is_null() => {
                // SAFETY: on success pw_name points to a NUL-terminated string inside buf.
                let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
                return Some(name.to_string_lossy().into_owned());
            }
            _ => return None,
        }
    }
}
