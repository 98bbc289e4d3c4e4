//! Shared pieces of the benchmarks: a raw tracking file (the floor and the
//! release measurement), timing, prefilling, and the socket-server baseline
//! (the seed design tt-track replaces: each event a fixed 112-byte message
//! over a Unix stream socket to a separate server process that keeps a hash
//! map).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Instant;
use tt_track_abi as abi;

/// A tracking file of its own, opened without libtttrack.
pub struct RawFile(i32);

impl RawFile {
    pub fn open() -> RawFile {
        let path = abi::TT_TRACK_DEVICE_PATH.as_ptr().cast();
        // SAFETY: NUL-terminated path from the ABI header.
        let fd = unsafe { libc::open(path, libc::O_RDWR | libc::O_CLOEXEC) };
        assert!(fd >= 0, "cannot open /dev/tenstorrent-track: is tt_track.ko loaded?");
        RawFile(fd)
    }

    /// The floor: an ioctl the module rejects at once (unknown command), i.e.
    /// the syscall, fd lookup and dispatch alone.
    #[inline]
    pub fn noop(&self) {
        let cmd = ((abi::TT_TRACK_IOCTL_MAGIC as u64) << 8) | 0x7f; // _IO(0xFA, 0x7f)
                                                                    // SAFETY: an unknown command; the kernel reads nothing.
        unsafe { libc::ioctl(self.0, cmd as _, 0usize) };
    }

    /// One DRAM buffer on chip 0 of `device`, through the raw ALLOC ioctl.
    pub fn alloc(&self, device: u32, buffer_id: u64, size: u64) {
        let mut req = abi::tt_track_alloc {
            argsz: std::mem::size_of::<abi::tt_track_alloc>() as u32,
            device,
            type_: abi::TT_TRACK_TYPE_DRAM,
            buffer_id,
            size,
            ..Default::default()
        };
        // SAFETY: ALLOC reads `size_of::<tt_track_alloc>()` bytes of `req`.
        let rc = unsafe { libc::ioctl(self.0, abi::TT_TRACK_ALLOC as _, &mut req) };
        assert_eq!(rc, 0, "ALLOC: {}", std::io::Error::last_os_error());
    }

    /// Frees what `alloc` made.
    pub fn free(&self, device: u32, buffer_id: u64) {
        let mut req = abi::tt_track_free {
            argsz: std::mem::size_of::<abi::tt_track_free>() as u32,
            device,
            type_: abi::TT_TRACK_TYPE_DRAM,
            buffer_id,
            ..Default::default()
        };
        // SAFETY: FREE reads `size_of::<tt_track_free>()` bytes of `req`.
        let rc = unsafe { libc::ioctl(self.0, abi::TT_TRACK_FREE as _, &mut req) };
        assert_eq!(rc, 0, "FREE: {}", std::io::Error::last_os_error());
    }

    /// One BATCH call with `ops` (their results must all be 0).
    pub fn batch(&self, ops: &mut [abi::tt_track_op]) {
        let mut req = abi::tt_track_batch {
            argsz: std::mem::size_of::<abi::tt_track_batch>() as u32,
            count: ops.len() as u32,
            ops: ops.as_mut_ptr() as u64,
            ..Default::default()
        };
        // SAFETY: BATCH reads and writes `req` and the `count` operations it points to.
        let rc = unsafe { libc::ioctl(self.0, abi::TT_TRACK_BATCH as _, &mut req) };
        assert!(rc == 0 && req.done == req.count, "BATCH: {}", std::io::Error::last_os_error());
    }

    /// Closes the file: the module releases everything it holds.
    pub fn close(self) {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(self.0) };
    }
}

/// 8 raw BATCH operations `op` (ALLOC or FREE) of 4 KiB DRAM buffers on
/// chip 0, ids `first_id` up.
pub fn dram_ops(op: u32, first_id: u64) -> [abi::tt_track_op; 8] {
    std::array::from_fn(|k| abi::tt_track_op {
        op,
        type_: abi::TT_TRACK_TYPE_DRAM,
        buffer_id: first_id + k as u64,
        size: if op == abi::TT_TRACK_OP_ALLOC { 4096 } else { 0 },
        ..Default::default()
    })
}

/// Ids from this base up are free for the measured pairs.
pub const PAIR_ID_BASE: u64 = 1 << 40;

/// Nanoseconds per iteration of `f` over `n` iterations, wall clock.
pub fn ns_per(n: u64, mut f: impl FnMut(u64)) -> f64 {
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

/// The median of some measurements.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The size of one baseline message.
pub const MSG_LEN: usize = 112;

/// One baseline event: op, pid, device, chip, type, buffer id, size, padded.
pub fn message(op: u8, id: u64, size: u64) -> [u8; MSG_LEN] {
    let mut m = [0u8; MSG_LEN];
    m[0] = op;
    m[4..8].copy_from_slice(&std::process::id().to_le_bytes());
    m[16..24].copy_from_slice(&id.to_le_bytes());
    m[24..32].copy_from_slice(&size.to_le_bytes());
    m
}

/// The baseline server: reads messages until EOF, keeping the live map;
/// then writes back its own CPU time in nanoseconds.
pub fn serve(mut conn: UnixStream) {
    let mut live: HashMap<(u32, u64), u64> = HashMap::new();
    let mut m = [0u8; MSG_LEN];
    while conn.read_exact(&mut m).is_ok() {
        let pid = u32::from_le_bytes(m[4..8].try_into().unwrap());
        let id = u64::from_le_bytes(m[16..24].try_into().unwrap());
        let size = u64::from_le_bytes(m[24..32].try_into().unwrap());
        if m[0] == 1 {
            live.insert((pid, id), size);
        } else {
            live.remove(&(pid, id));
        }
    }
    let _ = conn.write_all(&cpu_ns(libc::CLOCK_PROCESS_CPUTIME_ID).to_le_bytes());
}

/// Starts the server in a forked process; returns the client end and its pid.
pub fn spawn_server() -> (UnixStream, i32) {
    let (client, server) = UnixStream::pair().expect("socketpair (CONFIG_UNIX)");
    // SAFETY: the child only runs `serve` and exits; no locks are held here.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        drop(client);
        serve(server);
        // SAFETY: leave without running the parent's atexit handlers.
        unsafe { libc::_exit(0) };
    }
    drop(server);
    (client, pid)
}

/// Ends the server and returns its CPU time in nanoseconds.
pub fn stop_server(client: UnixStream, pid: i32) -> u64 {
    client.shutdown(std::net::Shutdown::Write).ok();
    let mut buf = [0u8; 8];
    let mut client = client;
    client.read_exact(&mut buf).expect("server CPU time");
    // SAFETY: reaps our own child.
    unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    u64::from_le_bytes(buf)
}

pub fn cpu_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: writes into `ts`.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
