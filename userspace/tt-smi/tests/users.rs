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

#[test]
fn no_pid_0_or_negative_pid_is_listed() {
    let procs = processes("bad-numbers");
    let pids: Vec<&serde_json::Value> = procs.iter().map(|p| &p["pid"]).collect();
    assert!(pids.iter().all(|p| p.as_i64().is_some_and(|p| p > 0)), "{pids:?}");
    let root = fixture("bad-numbers");
    let err = stderr(&tt_smi(&["--root", root.to_str().unwrap(), "--json"]));
    assert!(err.contains("skipped malformed stats line 8:") && err.contains("line 9:"), "{err}");
}
