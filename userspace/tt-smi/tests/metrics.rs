//! Metrics as Prometheus takes them, tested with the real thing: Debian's
//! `prometheus` scrapes `tt-track-smi --serve` and answers PromQL, Debian's
//! `prometheus-node-exporter` reads the file `--output` writes. Both are
//! installed by scripts/setup-host.sh: missing is a failure, not a skip.

mod common;
use common::http::{encode, free_port, get, poll};
use common::{fixture, stderr, stdout, tt_smi};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const DOCKER: &str = "4f6b5d6c2e1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c";

fn root(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

/// Kills the child when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command) -> Running {
    let program = cmd.get_program().to_string_lossy().into_owned();
    Running(cmd.spawn().unwrap_or_else(|e| panic!("{program} (scripts/setup-host.sh installs it): {e}")))
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tt-smi-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sample lines: "name{labels}" -> value.
fn samples(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn one_series_per_process_and_chip_typed_counters_comm_and_categories() {
    let text = stdout(&tt_smi(&["--root", &root("two-files"), "--format", "prometheus"]));
    let s = samples(&text);
    let mut series: Vec<&String> = s.iter().map(|(k, _)| k).collect();
    series.sort();
    let before = series.len();
    series.dedup();
    assert_eq!(series.len(), before, "duplicate series in\n{text}");
    // Two files of pid 50 on chip 0: one series with their sum.
    let dram: Vec<&(String, String)> = s
        .iter()
        .filter(|(k, _)| k.starts_with("tt_process_memory_used_bytes{") && k.contains("type=\"DRAM\""))
        .collect();
    assert_eq!(dram.len(), 1, "{text}");
    assert_eq!(dram[0].1, "3000");
    assert!(dram[0].0.contains("command=\"python3\""), "comm, not the command line: {}", dram[0].0);
    assert!(!text.contains("s3cret"));
    assert!(dram[0].0.contains(&format!("container=\"docker://{DOCKER}\"")), "{}", dram[0].0);
    // 0.0.4 text: a counter's TYPE names the sample itself.
    assert!(text.contains("# TYPE tt_device_leaked_bytes_total counter\n"), "{text}");
    // KERNEL categories are their own family: summing by type counts binaries once.
    let by_type: Vec<&(String, String)> =
        s.iter().filter(|(k, _)| k.starts_with("tt_device_memory_used_bytes{")).collect();
    assert!(by_type.iter().all(|(k, _)| !k.contains("KERNEL_")), "{text}");
    let total: f64 = by_type.iter().map(|(_, v)| v.parse::<f64>().unwrap()).sum();
    assert_eq!(total, 3700.0);
    assert!(text.contains("tt_device_kernel_memory_used_bytes{category=\"fabric\""), "{text}");
}

#[test]
fn node_exporter_reads_the_textfile() {
    let dir = temp_dir("textfile");
    let out = dir.join("tt.prom");
    let o = tt_smi(&["--root", &root("two-files"), "--format", "prometheus", "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let addr = format!("127.0.0.1:{}", free_port());
    let _exporter = spawn(
        Command::new("prometheus-node-exporter")
            .args(["--collector.disable-defaults", "--collector.textfile"])
            .arg(format!("--collector.textfile.directory={}", dir.display()))
            .arg(format!("--web.listen-address={addr}"))
            .stderr(Stdio::null()),
    );
    let body = poll(60, || get(&addr, "/metrics")).expect("node_exporter answers");
    assert!(body.contains("node_textfile_scrape_error 0"), "{body}");
    assert!(body.contains("# TYPE tt_device_leaked_bytes_total counter"), "{body}");
    assert!(
        body.lines().any(|l| l.starts_with("tt_device_leaked_bytes_total{") && l.ends_with(" 4.194304e+07")),
        "{body}"
    );
    let dram =
        body.lines().find(|l| l.starts_with("tt_process_memory_used_bytes{") && l.contains("type=\"DRAM\"")).unwrap();
    assert!(dram.ends_with(" 3000") && dram.contains("pid=\"50\""), "{dram}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The value of a PromQL query's single result, once Prometheus has one.
fn promql(prometheus: &str, query: &str) -> Option<(serde_json::Value, String)> {
    let body = get(prometheus, &format!("/api/v1/query?query={}", encode(query)))?;
    let v: serde_json::Value = serde_json::from_str(&body).ok()?;
    let result = v["data"]["result"].as_array()?;
    let first = result.first()?;
    Some((first["metric"].clone(), first["value"][1].as_str()?.to_string()))
}

#[test]
fn prometheus_scrapes_the_exporter() {
    let mut exporter = spawn(
        Command::new(env!("CARGO_BIN_EXE_tt-track-smi"))
            .args(["--root", &root("two-files"), "--serve", "127.0.0.1:0"])
            .stderr(Stdio::piped()),
    );
    let mut line = String::new();
    BufReader::new(exporter.0.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let target = line.split("http://").nth(1).and_then(|l| l.split('/').next()).expect(&line).to_string();
    assert!(get(&target, "/nothing").is_none(), "only /metrics is served");

    let dir = temp_dir("prometheus");
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: tt\n    static_configs:\n      - targets: ['{target}']\n"),
    )
    .unwrap();
    let prometheus = format!("127.0.0.1:{}", free_port());
    let _server = spawn(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={prometheus}"))
            .stderr(Stdio::null()),
    );
    let (_, up) = poll(120, || promql(&prometheus, "up{job=\"tt\"}")).expect("Prometheus scraped the exporter");
    assert_eq!(up, "1", "the scrape failed: Prometheus rejected the exposition");
    let (labels, dram) =
        poll(60, || promql(&prometheus, "tt_process_memory_used_bytes{pid=\"50\",type=\"DRAM\"}")).unwrap();
    assert_eq!(dram, "3000");
    assert_eq!(labels["command"], "python3");
    assert_eq!(labels["container"], format!("docker://{DOCKER}"));
    let (_, total) =
        poll(60, || promql(&prometheus, "sum(tt_device_memory_used_bytes{device=\"0\",chip=\"0\"})")).unwrap();
    assert_eq!(total, "3700");
    let (_, leaked) = poll(60, || promql(&prometheus, "tt_device_leaked_bytes_total")).unwrap();
    assert_eq!(leaked, "41943040");
    let metadata = poll(60, || {
        let body = get(&prometheus, "/api/v1/metadata?metric=tt_device_leaked_bytes_total")?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v["data"]["tt_device_leaked_bytes_total"][0]["type"].as_str().map(str::to_string)
    });
    assert_eq!(metadata.as_deref(), Some("counter"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn container_labels() {
    let text = stdout(&tt_smi(&["--root", &root("normal"), "--format", "prometheus"]));
    assert!(text.contains(&format!("container=\"docker://{DOCKER}\"")), "{text}");
    assert!(text.contains("pod_uid=\"1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d\""), "{text}");
}
