//! Watch mode in a real pseudo-terminal (util-linux `script`): it redraws,
//! shows the history, and `q` or Ctrl-C ends it with the terminal restored.

mod common;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

fn watch_then(key: &[u8]) -> (Option<i32>, String) {
    let bin = env!("CARGO_BIN_EXE_tt-track-smi");
    let root = common::fixture("normal");
    let inner = format!("{bin} --watch --refresh 100 --width 120 --root {}", root.display());
    let mut child = Command::new("script")
        .args(["-qefc", &inner, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    std::thread::sleep(Duration::from_millis(700)); // several refreshes
    child.stdin.as_mut().unwrap().write_all(key).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check(key: &[u8]) {
    let (code, out) = watch_then(key);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("\x1b[?1049h"), "did not enter the alternate screen");
    assert!(out.contains("Last 60 samples"), "{out}");
    assert!(out.contains("0/0 DRAM"), "{out}");
    assert!(out.matches("Memory by type").count() >= 2, "did not redraw");
    // Restored: cursor shown and alternate screen left, at the end.
    let tail = &out[out.rfind("\x1b[?1049l").expect("left the alternate screen")..];
    assert!(out.contains("\x1b[?25h"));
    assert!(!tail.contains("Memory by type"));
}

#[test]
fn q_quits_and_restores_the_terminal() {
    check(b"q");
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    check(b"\x03");
}
