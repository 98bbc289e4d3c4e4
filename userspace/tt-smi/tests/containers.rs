//! Container identity from /proc/PID/cgroup: a table column, a JSON field
//! and a CSV field (the metrics label: tests/metrics.rs).

mod common;
use common::{fixture, stdout, tt_smi};

const DOCKER: &str = "4f6b5d6c2e1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c";
const POD: &str = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

fn normal(args: &[&str]) -> String {
    let root = fixture("normal");
    stdout(&tt_smi(&[&["--root", root.to_str().unwrap()], args].concat()))
}

#[test]
fn every_view_names_the_container() {
    let v: serde_json::Value = serde_json::from_slice(normal(&["--json"]).as_bytes()).unwrap();
    let by_pid =
        |pid: i64| v["processes"].as_array().unwrap().iter().find(|p| p["pid"] == pid).unwrap()["container"].clone();
    assert_eq!(by_pid(412)["runtime"], "docker");
    assert_eq!(by_pid(412)["id"], DOCKER);
    assert_eq!(by_pid(977)["runtime"], "containerd");
    assert_eq!(by_pid(977)["pod_uid"], POD);
    assert!(by_pid(1500).is_null());
    let csv = normal(&["--query-compute-apps=pid,container,pod_uid", "--format=csv,noheader"]);
    assert!(csv.contains(&format!("412,docker://{DOCKER},\n")), "{csv}");
    assert!(csv.contains(&format!(",{POD}\n")), "{csv}");
    assert!(csv.contains("1500,,\n"), "{csv}");
    let table = normal(&["--width", "160"]);
    assert!(table.contains("Container") && table.contains(&format!("docker:{}", &DOCKER[..12])), "{table}");
}
