//! tt-smi as a user runs it, on fixture trees: outputs, exit codes, bad input.

mod common;
use common::{fixture, stderr, stdout, tt_smi};

fn root(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

#[test]
fn oneshot_shows_devices_processes_and_leaks() {
    let o = tt_smi(&["--root", &root("normal"), "--width", "120"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "0000:01:00.0",
        "blackhole",
        "54 C",
        "87 W",
        "1000 MHz",
        "3.2 GiB / 12.0 GiB",
        "27%",
        "python3 train.py",
        "nobody",
        "tt-umd-probe",
        "40.0 MiB in 10000 buffers",
        "KERNEL fabric",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(stderr(&o).is_empty());
}

#[test]
fn json_is_the_versioned_snapshot() {
    let o = tt_smi(&["--root", &root("normal"), "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["module_version"], "0.1.0");
    assert_eq!(v["devices"].as_array().unwrap().len(), 2);
    assert_eq!(v["devices"][0]["chips"][1]["memory"]["DRAM"]["bytes"], 1073741824u64);
    assert_eq!(v["devices"][0]["chips"][0]["kernel"]["fabric"]["bytes"], 131072);
    assert_eq!(v["devices"][0]["telemetry"]["temperature_c"], 54.25);
    assert!(v["devices"][1]["telemetry"]["power_w"].is_null());
    let procs = v["processes"].as_array().unwrap();
    assert_eq!(procs.len(), 4);
    assert!(procs.iter().any(|p| p["pid"] == 1500 && p["chip"].is_null() && p["buffers"] == 0));
    // --format json is the same
    assert_eq!(tt_smi(&["--root", &root("normal"), "--format", "json"]).stdout.len(), o.stdout.len());
}

#[test]
fn csv_lists_processes_with_quoting() {
    let o = tt_smi(&["--root", &root("normal"), "--csv"]);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "device,chip,pid,user,process_name,used_memory,memory.dram,memory.l1,memory.system_memory,memory.l1_small,memory.trace,memory.cb,memory.kernel,buffers,container"
    );
    assert!(out.contains("0,0,412,nobody,python3 train.py --epochs 3,2459578368,2147483648,41943040,0,1048576,268435456,12288,655360,60,docker://4f6b5d6c2e1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c\n"));
    assert!(out.contains("0,,1500,4000000,tt-umd-probe,0,"));
    let odd = stdout(&tt_smi(&["--root", &root("odd-comm"), "--csv"]));
    assert!(odd.contains(",\"a,b\"\"c\","), "{odd}");
    assert!(odd.contains(",my worker 1,"));
    assert!(odd.contains("0,0,,,elsewhere,"));
}

#[test]
fn prometheus_text() {
    let out = stdout(&tt_smi(&["--root", &root("normal"), "--format", "prometheus"]));
    assert!(out.contains("# TYPE tt_device_memory_used_bytes gauge\n"));
    assert!(out.contains(
        "tt_device_memory_used_bytes{chip=\"0\",device=\"0\",pci=\"0000:01:00.0\",type=\"DRAM\"} 3221225472\n"
    ));
    assert!(out.contains(
        "tt_device_kernel_memory_used_bytes{category=\"fabric\",chip=\"0\",device=\"0\",pci=\"0000:01:00.0\"} 131072\n"
    ));
    assert!(out.contains(
        "tt_device_memory_capacity_bytes{chip=\"0\",device=\"1\",pci=\"0000:02:00.0\",type=\"DRAM\"} 34359738368\n"
    ));
    assert!(out.contains("tt_device_leaked_bytes_total{chip=\"0\",device=\"0\",pci=\"0000:01:00.0\"} 41943040\n"));
    assert!(out.contains("tt_process_memory_used_bytes{chip=\"1\",command=\"python3\","), "{out}");
    let odd = stdout(&tt_smi(&["--root", &root("odd-comm"), "--format", "prometheus"]));
    assert!(odd.contains("command=\"a,b\\\"c\""), "{odd}");
}

#[test]
fn odd_comm_names_and_foreign_pids_in_the_table() {
    let o = tt_smi(&["--root", &root("odd-comm"), "--width", "120"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for want in ["my worker 1", "a,b\"c", "ünïcødé", "elsewhere"] {
        assert!(out.contains(want), "missing {want:?}");
    }
    assert!(out.lines().any(|l| l.contains("elsewhere") && l.contains("|   - |")), "{out}");
}

#[test]
fn empty_device_shows_no_processes() {
    let o = tt_smi(&["--root", &root("empty")]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("No processes are using a Tenstorrent device."));
}

#[test]
fn malformed_lines_are_skipped_with_warnings() {
    let o = tt_smi(&["--root", &root("malformed"), "--json"]);
    assert!(o.status.success());
    let err = stderr(&o);
    assert_eq!(err.matches("tt-track-smi: warning: device 0: skipped malformed stats line").count(), 5, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["devices"][0]["chips"][0]["memory"]["DRAM"]["bytes"], 1048576);
    assert_eq!(v["processes"].as_array().unwrap().len(), 1);
    assert_eq!(v["processes"][0]["command"], "good");
}

#[test]
fn a_device_removed_between_reads_is_skipped_with_a_warning() {
    // Device 1's directory was listed, but its stats file is gone by the time it is read.
    let o = tt_smi(&["--root", &root("removed"), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("device 1: no stats file (device removed while reading?)"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["devices"].as_array().unwrap().len(), 1);
}

#[test]
fn errors_have_messages_and_exit_codes() {
    let o = tt_smi(&["--root", &root("no-module")]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stderr(&o), "tt-track-smi: tt_track is not loaded: device memory is not tracked (insmod tt_track.ko)\n");
    let o = tt_smi(&["--root", &root("no-devices")]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("no Tenstorrent devices found"));
    let o = tt_smi(&["--root", "/nonexistent/root"]);
    assert_eq!(o.status.code(), Some(4));
    // A file where a directory should be: an I/O error.
    let dir = std::env::temp_dir().join(format!("tt-smi-io-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("proc/driver")).unwrap();
    std::fs::write(dir.join("proc/driver/tenstorrent"), "").unwrap();
    let o = tt_smi(&["--root", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn permission_denied_has_its_own_exit_code() {
    let dir = std::env::temp_dir().join(format!("tt-smi-perm-{}", std::process::id()));
    let stats = dir.join("proc/driver/tenstorrent/0/stats");
    std::fs::create_dir_all(stats.parent().unwrap()).unwrap();
    std::fs::write(&stats, "tt_track stats v1 device 0 pci x arch y open_files 0\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stats, std::fs::Permissions::from_mode(0o000)).unwrap();
    for d in ["", "proc", "proc/driver", "proc/driver/tenstorrent", "proc/driver/tenstorrent/0"] {
        std::fs::set_permissions(dir.join(d), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Root reads anything: run as nobody then.
    let bin = env!("CARGO_BIN_EXE_tt-track-smi");
    // SAFETY: geteuid has no preconditions.
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        std::process::Command::new(bin)
    };
    let o = cmd.args(["--root", dir.to_str().unwrap()]).output().expect("runs");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("permission denied reading"));
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["--refresh", "5"][..],
        &["--width", "10"],
        &["--json", "--csv"],
        &["--format", "xml"],
        &["--watch", "--json"],
        &["--bogus"],
    ] {
        let o = tt_smi(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
}

#[test]
fn huge_tree_of_100_processes_on_64_chips() {
    let dir = std::env::temp_dir().join(format!("tt-smi-huge-{}", std::process::id()));
    common::huge::make(&dir, 64, 100, 10_000 * 64);
    let o = tt_smi(&["--root", dir.to_str().unwrap(), "--csv"]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 1 + 64 * 100);
}

#[test]
fn installed_as_tt_track_smi_without_tenstorrent_destructive_short_flags() {
    // Tenstorrent's tt-smi: -r resets boards, -g writes a reset configuration.
    for flag in ["-r", "-g"] {
        let o = tt_smi(&[flag, "1000", "--root", &root("normal")]);
        assert_eq!(o.status.code(), Some(2), "{flag} accepted: {}", stdout(&o));
        assert!(stdout(&o).is_empty());
    }
}
