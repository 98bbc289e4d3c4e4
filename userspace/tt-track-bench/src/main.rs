//! tt-track-bench: the report path's benchmarks, run in the VM
//! (`scripts/qemu-test.sh --bench`, BENCHMARKS.md). Prints one
//! `bench NAME VALUE` line per figure; the host turns the lines of several
//! boots into the table (`scripts/bench-table.py`).
//!
//!   tt-track-bench report TMPFS_DIR
//!   tt-track-bench trace    the calls `scripts/qemu-test.sh --trace` counts
//!                           instructions of, in a loop until killed

use std::io::{Read, Write};
use std::time::Instant;
use tt_track_bench::*;
use tttrack::{track_alloc, track_batch, track_free, MemType, Op};

const DEVICE: u32 = 0;
/// Repetitions of each timed loop; the median is printed.
const REPS: usize = 7;
const MILLION: u64 = 1_000_000;

fn print(name: &str, value: f64) {
    println!("bench {name} {value:.1}");
}

/// Each rep of each measurement in turn, so slow phases of the emulator hit
/// all of them alike; prints the median of each.
fn interleaved(measurements: &mut [(&str, &mut dyn FnMut() -> f64)]) {
    let mut samples = vec![Vec::new(); measurements.len()];
    for _ in 0..REPS {
        for (s, (_, m)) in samples.iter_mut().zip(measurements.iter_mut()) {
            s.push(m());
        }
    }
    for (s, (name, _)) in samples.into_iter().zip(measurements.iter()) {
        print(name, median(s));
    }
}

/// The floor, one tracked event through libtttrack, and 8 events in one
/// batch call.
fn event_costs() {
    let floor = RawFile::open();
    track_alloc(DEVICE, 0, MemType::Dram, PAIR_ID_BASE, 4096).expect("alloc"); // opens the file
    track_free(DEVICE, 0, MemType::Dram, PAIR_ID_BASE).expect("free");
    let mut pair_id = PAIR_ID_BASE;
    let mut batch_id = PAIR_ID_BASE << 1;
    let mut results = [Ok(()); 8];
    interleaved(&mut [
        ("noop_ioctl_ns", &mut || ns_per(100_000, |_| floor.noop())),
        ("tracked_event_ns", &mut || {
            ns_per(50_000, |_| {
                pair_id += 1;
                track_alloc(DEVICE, 0, MemType::Dram, pair_id, 4096).unwrap();
                track_free(DEVICE, 0, MemType::Dram, pair_id).unwrap();
            }) / 2.0
        }),
        ("batch8_call_ns", &mut || {
            // Calls alternate: 8 allocations, then the same 8 freed.
            ns_per(20_000, |i| {
                let ops: [Op; 8] = std::array::from_fn(|k| {
                    let buffer_id = batch_id + k as u64;
                    match i % 2 {
                        0 => Op::Alloc { device: DEVICE, chip: 0, kind: MemType::Dram, buffer_id, size: 4096 },
                        _ => Op::Free { device: DEVICE, chip: 0, kind: MemType::Dram, buffer_id },
                    }
                });
                assert_eq!(track_batch(&ops, &mut results), Ok(8));
                batch_id += 8 * (i % 2);
            })
        }),
        ("batch8_raw_call_ns", &mut || {
            ns_per(20_000, |i| {
                let (op, base) = (i as u32 % 2, PAIR_ID_BASE * 3 + i / 2 * 8);
                floor.batch(&mut dram_ops(op, base));
            })
        }),
    ]);
}

/// CPU per event of the socket design's client and server, and of a tracked
/// event (all in the caller: the kernel's work is charged to it).
fn socket_baseline() {
    const EVENTS: u64 = 100_000;
    let me = libc::CLOCK_PROCESS_CPUTIME_ID;
    let t = cpu_ns(me);
    for id in PAIR_ID_BASE..PAIR_ID_BASE + EVENTS / 2 {
        track_alloc(DEVICE, 0, MemType::Dram, id, 4096).unwrap();
        track_free(DEVICE, 0, MemType::Dram, id).unwrap();
    }
    print("tracked_event_cpu_ns", (cpu_ns(me) - t) as f64 / EVENTS as f64);
    let (mut client, server) = spawn_server();
    let t = cpu_ns(me);
    for i in 0..EVENTS {
        client.write_all(&message((i & 1) as u8, i >> 1, 4096)).expect("send");
    }
    print("socket_client_cpu_ns", (cpu_ns(me) - t) as f64 / EVENTS as f64);
    print("socket_server_cpu_ns", stop_server(client, server) as f64 / EVENTS as f64);
}

/// Runs `n` pairs in each of `procs` processes at once (each its own file,
/// same device and chip); returns pairs per second overall.
fn throughput(procs: u64, n: u64) -> f64 {
    let start = Instant::now();
    let mut children = Vec::new();
    for p in 0..procs {
        // SAFETY: the child reports through libtttrack (which reopens its file
        // after fork) and leaves with _exit.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            for id in PAIR_ID_BASE + p * n..PAIR_ID_BASE + (p + 1) * n {
                track_alloc(DEVICE, 0, MemType::Dram, id, 4096).unwrap();
                track_free(DEVICE, 0, MemType::Dram, id).unwrap();
            }
            // SAFETY: leave without the parent's atexit handlers.
            unsafe { libc::_exit(0) };
        }
        children.push(pid);
    }
    for pid in children {
        let mut status = 0;
        // SAFETY: reaps our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child failed");
    }
    (procs * n) as f64 / start.elapsed().as_secs_f64()
}

fn scaling() {
    throughput(1, 10_000); // warm up
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        one.push(throughput(1, 100_000));
        two.push(throughput(2, 100_000));
    }
    print("pairs_per_s_1proc", median(one));
    print("pairs_per_s_2procs", median(two));
}

fn meminfo(key: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Milliseconds to read `path` to its end in 64 KiB reads (as cat does), and
/// its size.
fn read_ms(path: &str) -> (f64, usize) {
    let start = Instant::now();
    let mut file = std::fs::File::open(path).expect(path);
    let (mut buf, mut total) = (vec![0u8; 65536], 0);
    loop {
        match file.read(&mut buf).expect(path) {
            0 => break,
            n => total += n,
        }
    }
    (start.elapsed().as_secs_f64() * 1e3, total)
}

/// A file with 1,000,000 live entries: memory per entry, an alloc+free pair
/// next to them against an empty file, reading `allocations`, releasing.
fn million(tmpfs: &str) {
    let (full, empty) = (RawFile::open(), RawFile::open());
    full.alloc(DEVICE, 0, 4096); // the file's first slot, outside the memory figure
    let before = meminfo("SUnreclaim:");
    for id in 1..MILLION {
        full.alloc(DEVICE, id, 4096);
    }
    let grew = meminfo("SUnreclaim:").saturating_sub(before);
    print("kernel_bytes_per_entry", grew as f64 / (MILLION - 1) as f64);

    let pair = |file: &RawFile| {
        ns_per(50_000, |i| {
            file.alloc(DEVICE, PAIR_ID_BASE + i, 4096);
            file.free(DEVICE, PAIR_ID_BASE + i);
        })
    };
    interleaved(&mut [("pair_empty_ns", &mut || pair(&empty)), ("pair_1m_ns", &mut || pair(&full))]);

    let proc = format!("/proc/driver/tenstorrent/{DEVICE}/allocations");
    let copy = format!("{tmpfs}/allocations");
    std::fs::copy(&proc, &copy).expect("copy to tmpfs");
    let (mut proc_ms, mut tmpfs_ms) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let (ms, bytes) = read_ms(&proc);
        assert!(bytes > 40 * MILLION as usize, "allocations is only {bytes} bytes");
        proc_ms.push(ms);
        tmpfs_ms.push(read_ms(&copy).0);
    }
    std::fs::remove_file(&copy).ok();
    print("proc_read_1m_ms", median(proc_ms));
    print("tmpfs_read_same_ms", median(tmpfs_ms));

    let start = Instant::now();
    full.close();
    print("release_1m_ms", start.elapsed().as_secs_f64() * 1e3);
    empty.close();
}

/// Forever, in this order: a no-op ioctl, an ALLOC, the FREE of it, a BATCH
/// of 8 allocations, a BATCH freeing them (scripts/trace-ioctl.py names the
/// calls by this order).
fn trace() -> ! {
    let file = RawFile::open();
    loop {
        file.noop();
        file.alloc(DEVICE, PAIR_ID_BASE, 4096);
        file.free(DEVICE, PAIR_ID_BASE);
        for op in [tt_track_abi::TT_TRACK_OP_ALLOC, tt_track_abi::TT_TRACK_OP_FREE] {
            file.batch(&mut dram_ops(op, PAIR_ID_BASE + 1));
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1..).unwrap_or_default() {
        [cmd, tmpfs] if cmd == "report" => {
            event_costs();
            socket_baseline();
            scaling();
            million(tmpfs);
        }
        [cmd] if cmd == "trace" => trace(),
        _ => {
            eprintln!("usage: tt-track-bench report TMPFS_DIR | tt-track-bench trace");
            std::process::exit(2);
        }
    }
}
