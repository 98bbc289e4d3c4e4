//! Who holds the memory: users through NSS (as `getent` sees them, so LDAP
//! and SSSD users too), and never a "pid 0" process.

mod common;
use common::{fixture, stderr, tt_smi};

fn getent(uid: u32) -> String {
    let o = std::process::Command::new("getent").args(["passwd", &uid.to_string()]).output().unwrap();
    String::from_utf8(o.stdout).unwrap().split(':').next().unwrap().to_string()
}

fn processes(fixture_name: &str) -> Vec<serde_json::Value> {
    let root = fixture(fixture_name);
    let o = tt_smi(&["--root", root.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    v["processes"].as_array().unwrap().clone()
}

#[test]
fn users_come_from_nss_not_from_a_passwd_file() {
    // The fixture's etc/passwd (a decoy with a Latin-1 line) is never read.
    let procs = processes("normal");
    let user = |pid: i64| procs.iter().find(|p| p["pid"] == pid).unwrap()["user"].clone();
    assert_eq!(user(977), getent(0));
    assert_eq!(user(412), getent(65534));
    assert_eq!(user(1500), "4000000", "unknown uid shown as the number");
}

/// A user that only NSS knows (as an LDAP or SSSD user is): nss_wrapper
/// (Debian's libnss-wrapper, installed by scripts/setup-host.sh) serves a
/// passwd database of its own to getpwuid_r, and /etc/passwd does not have
/// the user. A parser of /etc/passwd would show the number.
#[test]
fn a_user_only_nss_knows_is_named() {
    let wrapper = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so";
    assert!(std::path::Path::new(wrapper).exists(), "{wrapper} missing: scripts/setup-host.sh installs libnss-wrapper");
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    assert!(!passwd.lines().any(|l| l.split(':').nth(2) == Some("4000000")), "uid 4000000 is in /etc/passwd");
    let dir = std::env::temp_dir().join(format!("tt-smi-nss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("passwd"), "ldap.alice:x:4000000:4000000:Alice:/home/alice:/bin/sh\n").unwrap();
    std::fs::write(dir.join("group"), "ldapusers:x:4000000:\n").unwrap();
    let root = fixture("normal");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tt-track-smi"))
        .args(["--root", root.to_str().unwrap(), "--json"])
        .env("LD_PRELOAD", wrapper)
        .env("NSS_WRAPPER_PASSWD", dir.join("passwd"))
        .env("NSS_WRAPPER_GROUP", dir.join("group"))
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let procs = v["processes"].as_array().unwrap();
    let user = procs.iter().find(|p| p["pid"] == 1500).unwrap()["user"].clone();
    assert_eq!(user, "ldap.alice", "{}", stderr(&o));
}

#[test]
fn no_pid_0_or_negative_pid_is_listed() {
    let procs = processes("bad-numbers");
    let pids: Vec<&serde_json::Value> = procs.iter().map(|p| &p["pid"]).collect();
    assert!(pids.iter().all(|p| p.as_i64().is_some_and(|p| p > 0)), "{pids:?}");
    let root = fixture("bad-numbers");
    let err = stderr(&tt_smi(&["--root", root.to_str().unwrap(), "--json"]));
    assert!(err.contains("skipped malformed stats line 8:") && err.contains("line 9:"), "{err}");
}
