//! Nothing fails silently: write errors, atomic output files, numbers at
//! and beyond their limits.

mod common;
use common::{fixture, stderr, stdout, tt_smi};
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tt-track-smi"))
}

fn normal() -> String {
    fixture("normal").to_string_lossy().into_owned()
}

#[test]
fn a_full_disk_is_an_error_for_every_format() {
    for format in ["table", "json", "csv", "prometheus"] {
        let full = std::fs::File::create("/dev/full").unwrap();
        let o = bin().args(["--root", &normal(), "--format", format]).stdout(full).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(stderr(&o).contains("No space left on device"), "{format}: {}", stderr(&o));
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let o = bin().args(["--root", &normal(), "--format", "json"]).stdout(closed_pipe()).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

/// A pipe whose reading end is already closed, as `| head` leaves it.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe() writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fds[0] is ours and closed once; fds[1] is handed to the child's stdout.
    unsafe {
        libc::close(fds[0]);
        <Stdio as std::os::fd::FromRawFd>::from_raw_fd(fds[1])
    }
}

#[test]
fn a_loop_ends_when_its_reader_goes() {
    // `tt-track-smi -l 1 | head -1`: the loop stops (exit 0) instead of running forever.
    let mut child = bin().args(["--root", &normal(), "--csv", "-l", "1"]).stdout(closed_pipe()).spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("-l kept running after its reader closed the pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn output_file_is_replaced_atomically() {
    let dir = std::env::temp_dir().join(format!("tt-smi-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tt.prom");
    let old = dir.join("old-link");
    std::fs::write(&file, "old\n").unwrap();
    std::fs::hard_link(&file, &old).unwrap();
    let o = bin()
        .args(["--root", &normal(), "--format", "prometheus", "--output", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let want = stdout(&tt_smi(&["--root", &normal(), "--format", "prometheus"]));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), want);
    // Renamed over, not rewritten in place: a reader holding the old file still sees it whole.
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "old\n");
    assert_ne!(std::fs::metadata(&file).unwrap().ino(), std::fs::metadata(&old).unwrap().ino());
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["old-link", "tt.prom"], "temporary file left behind");
    // A directory that does not exist: an error, nothing written.
    let o = bin().args(["--root", &normal(), "--output", dir.join("no/such/file").to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sums_saturate_and_chip_numbers_are_not_truncated() {
    let root = fixture("bad-numbers");
    let o = tt_smi(&["--root", root.to_str().unwrap(), "--csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.contains(",30,"), "{csv}");
    assert!(csv.contains(",18446744073709551615,18446744073709551615,"), "total saturates: {csv}");
    let err = stderr(&o);
    for line in [4, 5, 6, 10] {
        assert!(err.contains(&format!("skipped malformed stats line {line}:")), "line {line}: {err}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&tt_smi(&["--root", root.to_str().unwrap(), "--json"]).stdout).unwrap();
    assert_eq!(json["devices"][0]["chips"].as_array().unwrap().len(), 1, "a chip 2^32 became chip 0");
    let table = tt_smi(&["--root", root.to_str().unwrap(), "--width", "120"]);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    assert!(stdout(&table).contains("16.0 EiB"), "{}", stdout(&table));
}
