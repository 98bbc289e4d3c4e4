//! Criterion benchmarks of the report path, run inside the VM (BENCHMARKS.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::io::Write;
use tt_track_bench::*;
use tttrack::{query_stats, track_alloc, track_free, MemType, Scope};

const DEVICE: u32 = 0;

fn report(c: &mut Criterion) {
    let floor = Floor::open();
    let mut g = c.benchmark_group("report");
    g.bench_function("noop_ioctl", |b| b.iter(|| floor.noop()));

    // alloc + free pair with 0, 10,000 and 1,000,000 other live entries in the file.
    let mut live = 0;
    for others in [0u64, 10_000, 1_000_000] {
        prefill(DEVICE, live, others - live);
        live = others;
        let mut id = PAIR_ID_BASE;
        g.bench_with_input(BenchmarkId::new("alloc_free_pair", others), &others, |b, _| {
            b.iter(|| {
                id += 1;
                track_alloc(DEVICE, 0, MemType::Dram, id, 4096).unwrap();
                track_free(DEVICE, 0, MemType::Dram, id).unwrap();
            })
        });
    }
    g.bench_function("query_stats", |b| b.iter(|| query_stats(DEVICE, 0, Scope::Device).unwrap()));

    // The seed design: client-side cost of one event (one 112-byte blocking send).
    let (mut client, server) = spawn_server();
    let mut id = 0u64;
    g.bench_function("socket_baseline_send", |b| {
        b.iter(|| {
            id += 1;
            client.write_all(&message((id & 1) as u8, id >> 1, 4096)).unwrap();
        })
    });
    stop_server(client, server);
    g.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
