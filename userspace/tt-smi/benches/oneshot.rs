//! tt-smi one-shot over 10,000 live buffers held by 100 processes (target:
//! under 50 ms). Measures the library (read + render) and the whole binary.

use criterion::{criterion_group, criterion_main, Criterion};
use std::process::Command;

#[path = "../tests/common/huge.rs"]
mod huge;

fn oneshot(c: &mut Criterion) {
    let root = std::env::temp_dir().join(format!("tt-smi-bench-{}", std::process::id()));
    huge::make(&root, 1, 100, 10_000);
    let mut g = c.benchmark_group("tt-smi");
    g.bench_function("read_and_render_10k_buffers_100_procs", |b| {
        b.iter(|| {
            let r = ttsmi::read::read(&root, 0).unwrap();
            ttsmi::render::table::render(&r.snapshot, 120)
        })
    });
    let bin = env!("CARGO_BIN_EXE_tt-track-smi");
    g.bench_function("process_10k_buffers_100_procs", |b| {
        b.iter(|| {
            let out = Command::new(bin).args(["--root", root.to_str().unwrap(), "--width", "120"]).output().unwrap();
            assert!(out.status.success());
        })
    });
    g.finish();
    std::fs::remove_dir_all(&root).ok();
}

criterion_group!(benches, oneshot);
criterion_main!(benches);
