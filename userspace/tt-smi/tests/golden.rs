//! The one-shot view at 80 and 120 columns, compared with reviewed output.
//! Regenerate after an intended change: UPDATE_GOLDEN=1 cargo test -p tt-track-smi.

mod common;
use common::fixture;
use ttsmi::{read::read, render::table};

const TIME: u64 = 1_795_253_100; // 2026-11-21 09:25:00 UTC

fn check(width: u16) {
    let reading = read(&fixture("normal"), TIME).expect("fixture reads");
    assert!(reading.warnings.is_empty(), "{:?}", reading.warnings);
    let out = table::render(&reading.snapshot, width);
    for line in out.lines() {
        assert!(line.chars().count() <= width as usize, "line wider than {width}: {line}");
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/oneshot-{width}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let golden = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 to create)");
    assert_eq!(out, golden, "one-shot output at {width} columns changed");
}

#[test]
fn oneshot_80_columns() {
    check(80);
}

#[test]
fn oneshot_120_columns() {
    check(120);
}
