//! tt-track-bench: the measurements criterion cannot make (run in the VM).
//!   tt-track-bench cpu       total CPU per event: tracked vs the socket-server baseline
//!   tt-track-bench scaling   alloc/free pairs per second, one process vs two at once
//!   tt-track-bench slab      kernel memory per live entry (slab growth over 1,000,000)

use std::io::Write;
use std::time::Instant;
use tt_track_bench::*;
use tttrack::{track_alloc, track_free, MemType};

const DEVICE: u32 = 0;

fn pairs(n: u64, base: u64) {
    for id in base..base + n {
        track_alloc(DEVICE, 0, MemType::Dram, id, 4096).expect("alloc");
        track_free(DEVICE, 0, MemType::Dram, id).expect("free");
    }
}

fn cpu() {
    const EVENTS: u64 = 200_000;
    let me = libc::CLOCK_PROCESS_CPUTIME_ID;

    let floor = Floor::open();
    let t = cpu_ns(me);
    for _ in 0..EVENTS {
        floor.noop();
    }
    let noop = (cpu_ns(me) - t) as f64 / EVENTS as f64;

    pairs(1, PAIR_ID_BASE); // open the file outside the measurement
    let t = cpu_ns(me);
    pairs(EVENTS / 2, PAIR_ID_BASE);
    let tracked = (cpu_ns(me) - t) as f64 / EVENTS as f64;

    let (mut client, server) = spawn_server();
    let t = cpu_ns(me);
    for i in 0..EVENTS {
        client.write_all(&message((i & 1) as u8, i >> 1, 4096)).expect("send");
    }
    let client_cpu = (cpu_ns(me) - t) as f64 / EVENTS as f64;
    let server_cpu = stop_server(client, server) as f64 / EVENTS as f64;

    println!("cpu per event over {EVENTS} events (ns): noop_ioctl {noop:.0}, tracked {tracked:.0} (all in the caller), socket client {client_cpu:.0} + server {server_cpu:.0} = {:.0}", client_cpu + server_cpu);
    println!(
        "ratios: tracked/noop {:.2}, tracked/socket_client {:.3}, tracked/socket_total {:.3}",
        tracked / noop,
        tracked / client_cpu,
        tracked / (client_cpu + server_cpu)
    );
}

/// Runs `pairs(n)` in `procs` processes at once; returns pairs per second overall.
fn throughput(procs: u64, n: u64) -> f64 {
    let start = Instant::now();
    let mut children = Vec::new();
    for p in 0..procs {
        // SAFETY: the child reports through libtttrack (which reopens its file
        // after fork) and leaves with _exit.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            pairs(n, PAIR_ID_BASE + p * n);
            // SAFETY: leave without the parent's atexit handlers.
            unsafe { libc::_exit(0) };
        }
        children.push(pid);
    }
    for pid in children {
        // SAFETY: reaps our own child.
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    }
    (procs * n) as f64 / start.elapsed().as_secs_f64()
}

fn scaling() {
    const N: u64 = 300_000;
    throughput(1, 10_000); // warm up
    let one = throughput(1, N);
    let two = throughput(2, N);
    println!("scaling: 1 process {:.0} pairs/s, 2 processes {:.0} pairs/s, ratio {:.2}", one, two, two / one);
}

fn meminfo(key: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn slab() {
    const N: u64 = 1_000_000;
    pairs(1, PAIR_ID_BASE);
    let before = meminfo("SUnreclaim:");
    prefill(DEVICE, 0, N);
    let after = meminfo("SUnreclaim:");
    println!(
        "slab: SUnreclaim grew {} bytes over {N} live entries: {:.1} bytes per entry",
        after - before,
        (after - before) as f64 / N as f64
    );
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("cpu") => cpu(),
        Some("scaling") => scaling(),
        Some("slab") => slab(),
        _ => {
            eprintln!("usage: tt-track-bench cpu|scaling|slab");
            std::process::exit(2);
        }
    }
}
