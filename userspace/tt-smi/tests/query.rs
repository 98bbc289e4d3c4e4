//! nvidia-smi habits: field queries, csv options, loops, filters, sorting,
//! and one meaning of "DRAM used" (DRAM + TRACE) in every view.

mod common;
use common::{fixture, stderr, stdout, tt_smi};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn normal(args: &[&str]) -> std::process::Output {
    let root = fixture("normal");
    tt_smi(&[&["--root", root.to_str().unwrap()], args].concat())
}

fn lines(o: &std::process::Output) -> Vec<String> {
    assert!(o.status.success(), "{}", stderr(o));
    stdout(o).lines().map(str::to_string).collect()
}

#[test]
fn compute_apps_query_with_csv_options() {
    let q = "--query-compute-apps=pid,used_memory,dram_used,memory.trace,chip,pci.bus_id";
    let o = normal(&[q, "--format=csv,noheader,nounits", "-i", "0", "--pid", "412"]);
    assert_eq!(
        lines(&o),
        ["412,2459578368,2415919104,268435456,0,0000:01:00.0", "412,1074790400,1073741824,0,1,0000:01:00.0"]
    );
    let o = normal(&["--query-compute-apps=pid,used_memory", "--format=csv", "--pid", "977"]);
    assert_eq!(lines(&o), ["pid,used_memory [B]", "977,1084227584 B"]);
}

#[test]
fn device_query() {
    let q = "--query-device=index,chip,dram.used,dram.total,peak.dram,used.kernel_fabric,leaked.bytes";
    let o = normal(&[q, "--format=csv,noheader,nounits"]);
    assert_eq!(
        lines(&o),
        [
            "0,0,3489660928,12884901888,4294967296,131072,41943040",
            "0,1,1073741824,12884901888,1073741824,0,0",
            "1,0,0,34359738368,0,0,0"
        ]
    );
}

#[test]
fn leaks_per_type() {
    let q = "--query-device=index,chip,leaked.bytes,leaked.dram,leaked.l1,leaked.kernel";
    let o = normal(&[q, "--format=csv,noheader,nounits", "-i", "0"]);
    assert_eq!(lines(&o), ["0,0,41943040,40943040,1000000,0", "0,1,0,0,0,0"]);
    let json: serde_json::Value = serde_json::from_slice(&normal(&["--json"]).stdout).unwrap();
    let chip0 = &json["devices"][0]["chips"][0];
    assert_eq!(chip0["leaked_memory"]["DRAM"], 40943040);
    assert_eq!(chip0["leaked_memory"]["L1"], 1000000);
    // A module's `leak` line without the types: the total only, the types empty (not 0).
    let root = fixture("two-files");
    let o = tt_smi(&["--root", root.to_str().unwrap(), q, "--format=csv,noheader,nounits"]);
    assert_eq!(lines(&o), ["0,0,41943040,,,"]);
    let json: serde_json::Value =
        serde_json::from_slice(&tt_smi(&["--root", root.to_str().unwrap(), "--json"]).stdout).unwrap();
    assert!(json["devices"][0]["chips"][0]["leaked_memory"].is_null());
}

#[test]
fn dram_used_means_the_same_everywhere() {
    let json: serde_json::Value = serde_json::from_slice(&normal(&["--json"]).stdout).unwrap();
    let chip = &json["devices"][0]["chips"][0];
    let device_query = normal(&["--query-device=dram.used", "--format=csv,noheader,nounits", "-i", "0"]);
    assert_eq!(lines(&device_query)[0], chip["dram_used_bytes"].to_string());
    let per_process: u64 = json["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["device"] == 0 && p["chip"] == 0)
        .map(|p| p["dram_used_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(chip["dram_used_bytes"], per_process);
    // The table's process column is the same quantity, and says so.
    let table = stdout(&normal(&["--width", "120"]));
    let row = table.lines().find(|l| l.contains(" 412 ")).unwrap();
    assert!(table.contains("DRAM used") && row.contains(" 2.2 GiB |"), "{table}");
}

#[test]
fn json_schema_2_keys_memory_types_by_name() {
    let v: serde_json::Value = serde_json::from_slice(&normal(&["--json"]).stdout).unwrap();
    assert_eq!(v["schema_version"], 2);
    let chip = &v["devices"][0]["chips"][1];
    assert_eq!(chip["memory"]["DRAM"]["bytes"], 1073741824u64);
    assert_eq!(v["devices"][0]["chips"][0]["kernel"]["fabric"]["bytes"], 131072);
    let p = v["processes"].as_array().unwrap().iter().find(|p| p["pid"] == 977).unwrap();
    assert_eq!(p["memory"]["L1"], 10485760);
    assert_eq!(p["comm"], "train");
}

#[test]
fn filters_and_sorting() {
    let v: serde_json::Value = serde_json::from_slice(&normal(&["--json", "-i", "1"]).stdout).unwrap();
    assert_eq!(v["devices"].as_array().unwrap().len(), 1);
    assert_eq!(v["processes"].as_array().unwrap().len(), 0);
    let o = normal(&["-i", "5"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("device 5"), "{}", stderr(&o));
    // A device by its PCI address, as nvidia-smi takes a bus id: with or without the domain.
    let by_ordinal = stdout(&normal(&["--csv", "-i", "0"]));
    assert_eq!(stdout(&normal(&["--csv", "-i", "0000:01:00.0"])), by_ordinal);
    assert_eq!(stdout(&normal(&["--csv", "-i", "01:00.0"])), by_ordinal);
    let o = normal(&["-i", "0000:09:00.0"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("no device 0000:09:00.0"), "{}", stderr(&o));
    for bad in ["zz", "01:00", "0000:01:00.0.1", "-1"] {
        assert_eq!(normal(&["-i", bad]).status.code(), Some(2), "-i {bad}");
    }
    let pids = |sort: &str| lines(&normal(&["--query-compute-apps=pid", "--format=csv,noheader", "--sort", sort]));
    assert_eq!(pids("pid"), ["412", "412", "977", "1500"]);
    // Largest first, ties in /proc order; names as the process_name column shows them; users by name.
    assert_eq!(pids("dram"), ["412", "977", "412", "1500"]);
    assert_eq!(pids("l1"), ["412", "977", "412", "1500"]);
    assert_eq!(pids("name"), ["412", "412", "977", "1500"]);
    assert_eq!(pids("user"), ["1500", "412", "412", "977"]);
    let used =
        lines(&normal(&["--query-compute-apps=used_memory", "--format=csv,noheader,nounits", "--sort", "memory"]));
    let used: Vec<u64> = used.iter().map(|u| u.parse().unwrap()).collect();
    assert!(used.windows(2).all(|w| w[0] >= w[1]), "{used:?}");
}

#[test]
fn bad_queries_are_usage_errors_with_nothing_printed() {
    for args in [
        &["--query-compute-apps=pid,bogus", "--format=csv"][..],
        &["--query-device=dram.used", "--format=csv,sideways"],
        &["--format=json,noheader"],
        &["--query-device=index", "--format=json"],
        &["-l", "0"],
        &["--sort", "colour"],
    ] {
        let o = normal(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// `-l 1` repeats every output format: wait (generously) for a second copy.
#[test]
fn loop_repeats_every_format() {
    let root = fixture("normal");
    for (format, marker) in [
        ("table", "Memory by type"),
        ("json", "\"schema_version\""),
        ("csv", "python3 train.py"),
        ("prometheus", "# TYPE tt_device_memory_used_bytes"),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tt-track-smi"))
            .args(["--root", root.to_str().unwrap(), "--format", format, "-l", "1"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while String::from_utf8_lossy(&seen).matches(marker).count() < 2 && Instant::now() < deadline {
            if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
                seen.extend(chunk);
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            String::from_utf8_lossy(&seen).matches(marker).count() >= 2,
            "{format}: {}",
            String::from_utf8_lossy(&seen)
        );
    }
}
