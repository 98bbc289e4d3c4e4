#![allow(dead_code)]
pub mod http;
pub mod huge;
pub mod tmux;
use std::path::PathBuf;
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn tt_smi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tt-track-smi")).args(args).output().expect("tt-smi runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
