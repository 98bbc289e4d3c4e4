//! The C header and the generated Rust agree: sizes, offsets (no holes) and
//! ioctl numbers, checked by compiling a C program against the header.

use std::process::Command;
use tt_track_abi::*;

const C_PROGRAM: &str = r#"
#include <stdio.h>
#include <stddef.h>
#include "tt_track_ioctl.h"
#define P(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f));
#define S(s) printf("%s %zu\n", #s, sizeof(struct s));
int main(void) {
    S(tt_track_alloc) S(tt_track_free) S(tt_track_type_stats) S(tt_track_query_stats)
    S(tt_track_device_info) S(tt_track_get_info)
    P(tt_track_alloc, buffer_id) P(tt_track_alloc, size) P(tt_track_free, buffer_id)
    P(tt_track_query_stats, dram_capacity) P(tt_track_query_stats, types) P(tt_track_query_stats, kernel)
    P(tt_track_query_stats, leaked) S(tt_track_leak_stats)
    P(tt_track_get_info, devices) P(tt_track_device_info, pci_address) P(tt_track_device_info, chips_seen)
    printf("ALLOC %lu\nFREE %lu\nQUERY_STATS %lu\nGET_INFO %lu\nBATCH %lu\n", (unsigned long)TT_TRACK_ALLOC,
           (unsigned long)TT_TRACK_FREE, (unsigned long)TT_TRACK_QUERY_STATS, (unsigned long)TT_TRACK_GET_INFO,
           (unsigned long)TT_TRACK_BATCH);
    return 0;
}
"#;

fn c_values() -> std::collections::HashMap<String, u64> {
    let dir = std::env::temp_dir().join(format!("tt-track-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let bin = dir.join("layout");
    std::fs::write(&src, C_PROGRAM).unwrap();
    let include = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ioctl");
    let cc = Command::new("cc")
        .args(["-Wall", "-Werror", "-Wpadded", "-I", include, "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("cc runs");
    assert!(cc.success(), "the header must compile as C with -Wpadded (no implicit padding)");
    let out = Command::new(&bin).output().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

macro_rules! offset {
    ($t:ty, $f:ident) => {
        std::mem::offset_of!($t, $f) as u64
    };
}

#[test]
fn sizes_offsets_and_numbers_match_c() {
    use std::mem::size_of;
    let c = c_values();
    assert_eq!(c["tt_track_alloc"], size_of::<tt_track_alloc>() as u64);
    assert_eq!(c["tt_track_free"], size_of::<tt_track_free>() as u64);
    assert_eq!(c["tt_track_type_stats"], size_of::<tt_track_type_stats>() as u64);
    assert_eq!(c["tt_track_query_stats"], size_of::<tt_track_query_stats>() as u64);
    assert_eq!(c["tt_track_device_info"], size_of::<tt_track_device_info>() as u64);
    assert_eq!(c["tt_track_get_info"], size_of::<tt_track_get_info>() as u64);
    assert_eq!(c["tt_track_alloc.buffer_id"], offset!(tt_track_alloc, buffer_id));
    assert_eq!(c["tt_track_alloc.size"], offset!(tt_track_alloc, size));
    assert_eq!(c["tt_track_free.buffer_id"], offset!(tt_track_free, buffer_id));
    assert_eq!(c["tt_track_query_stats.types"], offset!(tt_track_query_stats, types));
    assert_eq!(c["tt_track_query_stats.kernel"], offset!(tt_track_query_stats, kernel));
    assert_eq!(c["tt_track_query_stats.leaked"], offset!(tt_track_query_stats, leaked));
    assert_eq!(c["tt_track_leak_stats"], size_of::<tt_track_leak_stats>() as u64);
    assert_eq!(c["tt_track_get_info.devices"], offset!(tt_track_get_info, devices));
    assert_eq!(c["tt_track_device_info.chips_seen"], offset!(tt_track_device_info, chips_seen));
    assert_eq!(c["ALLOC"], TT_TRACK_ALLOC);
    assert_eq!(c["FREE"], TT_TRACK_FREE);
    assert_eq!(c["QUERY_STATS"], TT_TRACK_QUERY_STATS);
    assert_eq!(c["GET_INFO"], TT_TRACK_GET_INFO);
    assert_eq!(c["BATCH"], TT_TRACK_BATCH);
}

#[test]
fn abi_rules_hold() {
    use std::mem::size_of;
    // Fixed sizes are the ABI: a change here is an ABI break.
    assert_eq!(size_of::<tt_track_alloc>(), 40);
    assert_eq!(size_of::<tt_track_free>(), 32);
    // A revision only appends: revision 1's QUERY_STATS ended where `leaked` starts.
    assert_eq!(TT_TRACK_QUERY_STATS_SIZE_V1 as usize, 56 + 10 * 24);
    assert_eq!(std::mem::offset_of!(tt_track_query_stats, leaked), TT_TRACK_QUERY_STATS_SIZE_V1 as usize);
    assert_eq!(size_of::<tt_track_query_stats>(), 56 + 10 * 24 + 7 * 16);
    assert_eq!(size_of::<tt_track_get_info>(), 16 + 32 * 64);
    // Numbers start at 0x40 so they never alias tt-kmd's 0..16, magic is tt-kmd's.
    for nr in [TT_TRACK_NR_ALLOC, TT_TRACK_NR_FREE, TT_TRACK_NR_QUERY_STATS, TT_TRACK_NR_GET_INFO] {
        assert!(nr >= 0x40);
    }
    assert_eq!(TT_TRACK_IOCTL_MAGIC, 0xFA);
    assert_eq!((TT_TRACK_ALLOC >> 8) & 0xff, 0xFA);
    // Types use tt-metal's numbering.
    assert_eq!((TT_TRACK_TYPE_DRAM, TT_TRACK_TYPE_L1, TT_TRACK_TYPE_L1_SMALL), (0, 1, 3));
    assert_eq!((TT_TRACK_TYPE_TRACE, TT_TRACK_TYPE_CB, TT_TRACK_TYPE_KERNEL), (4, 5, 6));
}
