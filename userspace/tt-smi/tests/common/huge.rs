//! A generated tree: one device with `chips` chips and `procs` processes,
//! each process holding buffers on every chip; `buffers` live in total.
use std::fs;
use std::path::Path;

pub fn make(root: &Path, chips: u32, procs: u32, buffers: u64) {
    let dev = root.join("proc/driver/tenstorrent/0");
    fs::create_dir_all(&dev).unwrap();
    fs::create_dir_all(root.join("sys/module/tt_track")).unwrap();
    let per_line = buffers / (u64::from(chips) * u64::from(procs));
    let mut stats = format!("tt_track stats v1 device 0 pci 0000:01:00.0 arch wormhole open_files {procs}\n");
    for c in 0..chips {
        let total = per_line * u64::from(procs);
        stats += &format!("total {c} DRAM {} {} {} 12884901888\n", total * 4096, total, total * 4096);
        stats += &format!("total {c} L1 0 0 0 107937792\n");
        stats += &format!("leak {c} 0 0\n");
    }
    let mut pids = String::new();
    for p in 0..procs {
        let pid = 1000 + p;
        pids += &format!("{pid}\n");
        for c in 0..chips {
            stats += &format!("proc {pid} {c} {} 0 0 0 0 0 0 {per_line} worker {p}\n", per_line * 4096);
        }
    }
    fs::write(dev.join("stats"), stats).unwrap();
    fs::write(dev.join("pids"), pids).unwrap();
}
