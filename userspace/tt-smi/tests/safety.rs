//! Names chosen by any user reach a root operator's terminal: the table and the
//! metrics show no control characters, while JSON and CSV keep the exact value escaped.

mod common;
use common::{fixture, stderr, stdout, tt_smi};

fn hostile(args: &[&str]) -> std::process::Output {
    let root = fixture("hostile");
    tt_smi(&[&["--root", root.to_str().unwrap()], args].concat())
}

/// C0 (but newline), DEL and C1: what terminals act on.
fn controls(s: &str) -> Vec<char> {
    s.chars().filter(|&c| c != '\n' && (c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c))).collect()
}

#[test]
fn the_table_replaces_control_characters() {
    let o = hostile(&["--width", "200"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(controls(&out), vec![], "{out:?}");
    assert!(out.contains("x?]0;pwned?"), "{out}");
    assert!(out.contains("python3 ?]0;pwned??[2J??31m"), "{out}");
    assert!(out.contains("idle?[2J\u{fffd}"), "{out}");
}

#[test]
fn metrics_labels_carry_no_control_characters() {
    // The text format escapes only `\\`, `"` and newline; it is also read on a terminal.
    let o = hostile(&["--format", "prometheus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(controls(&out), vec![], "{out:?}");
    assert!(out.contains("command=\"x?]0;pwned?\""), "{out}");
}

#[test]
fn json_and_csv_keep_the_exact_names() {
    let json: serde_json::Value = serde_json::from_slice(&hostile(&["--json"]).stdout).unwrap();
    let commands: Vec<&str> =
        json["processes"].as_array().unwrap().iter().map(|p| p["command"].as_str().unwrap()).collect();
    assert!(commands.contains(&"x\u{1b}]0;pwned\u{7}"), "{commands:?}");
    assert!(commands.contains(&"python3 \u{1b}]0;pwned\u{7}\u{1b}[2J\u{7f}\u{9b}31m"), "{commands:?}");
    let csv = stdout(&hostile(&["--csv"]));
    assert!(csv.contains(",\"x\u{1b}]0;pwned\u{7}\","), "{csv:?}");
}

#[test]
fn a_comm_not_escaped_as_the_kernel_does_is_a_malformed_line() {
    let o = hostile(&["--csv"]);
    assert!(stderr(&o).contains("skipped malformed stats line 5"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("bad"), "{}", stdout(&o));
}
