/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * tt-track user-space ABI: report Tenstorrent device-memory allocations to the
 * kernel through /dev/tenstorrent-track.
 *
 * Rules every struct follows: fixed-width types, explicit padding, no holes;
 * it starts with `__u32 argsz; __u32 flags;`. argsz must equal the struct
 * size in the command's number (sizeof(struct) as the caller was built),
 * flags must be zero (none are defined yet) and every reserved field must be
 * zero, or the call fails with EINVAL and changes nothing.
 *
 * Compatibility: TT_TRACK_ABI_VERSION grows by one with each revision, and a
 * module serves every caller of its version or older. A revision only appends
 * fields to a struct (or adds commands; struct tt_track_op cannot grow), and
 * records the size the struct had before as TT_TRACK_<STRUCT>_SIZE_V<n>. The
 * module dispatches on the command's type, direction and number, not its size
 * bits, and serves any size from the first revision's up:
 * - an older caller's shorter struct (an older library): the fields it lacks
 *   are taken as zero on input and not written on output;
 * - a newer caller's larger struct (a newer library): the fields the module
 *   does not know must be zero where the caller sends them (else E2BIG,
 *   nothing changes) and are written as zero where the module answers
 *   (QUERY_STATS, GET_INFO);
 * - a struct smaller than the first revision's is not a command (ENOTTY).
 * So a library of any revision is served by a module of any revision: it
 * gets zeros for what an older module does not know. libtttrack accepts any
 * module whose GET_INFO abi_version is at least 1, and treats EINVAL or
 * ENOTTY from GET_INFO as an ABI mismatch.
 *
 * QUERY_STATS's input is its first five fields: it grows only by outputs
 * (a caller may reuse its struct, so what follows them is never checked).
 *
 * Revisions: 1, the first. 2, QUERY_STATS appends `leaked`, the leak counters
 * per type (TT_TRACK_QUERY_STATS_SIZE_V1 is its size in revision 1).
 */
#ifndef TT_TRACK_IOCTL_H
#define TT_TRACK_IOCTL_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <linux/ioctl.h>
#endif

#define TT_TRACK_ABI_VERSION 2
#define TT_TRACK_DEVICE_PATH "/dev/tenstorrent-track"

/* tt-kmd's magic; tt-kmd uses numbers 0..16, so ours start at 0x40. */
#define TT_TRACK_IOCTL_MAGIC 0xFA
#define TT_TRACK_NR_ALLOC 0x40
#define TT_TRACK_NR_FREE 0x41
#define TT_TRACK_NR_QUERY_STATS 0x42
#define TT_TRACK_NR_GET_INFO 0x43
#define TT_TRACK_NR_BATCH 0x44

/* Memory types, numbered as tt-metal's BufferType (CB and KERNEL as its tracker). */
#define TT_TRACK_TYPE_DRAM 0
#define TT_TRACK_TYPE_L1 1
#define TT_TRACK_TYPE_SYSTEM_MEMORY 2
#define TT_TRACK_TYPE_L1_SMALL 3
#define TT_TRACK_TYPE_TRACE 4
#define TT_TRACK_TYPE_CB 5
#define TT_TRACK_TYPE_KERNEL 6
#define TT_TRACK_TYPE_COUNT 7

/* Category of a KERNEL (kernel binary) allocation; must be 0 for other types. */
#define TT_TRACK_KERNEL_APPLICATION 0
#define TT_TRACK_KERNEL_FABRIC 1
#define TT_TRACK_KERNEL_DISPATCH 2
#define TT_TRACK_KERNEL_CATEGORY_COUNT 3

/*
 * Chips: 0 is the chip that owns the PCI function of the device ordinal; a
 * chip reached through it (n300's second chip, Galaxy chips over Ethernet)
 * gets a stable number 1..TT_TRACK_MAX_CHIPS-1 derived from its board
 * position (see README.md).
 */
#define TT_TRACK_MAX_CHIPS 64

/* Largest size one buffer may report (256 TiB); larger sizes are EINVAL. */
#define TT_TRACK_MAX_BUFFER_SIZE (1ULL << 48)

/* Upper bound on attached PCI devices GET_INFO reports. */
#define TT_TRACK_MAX_DEVICES 32

/* QUERY_STATS scope. */
#define TT_TRACK_SCOPE_DEVICE 0 /* every process */
#define TT_TRACK_SCOPE_FILE 1   /* only the calling open file */

struct tt_track_alloc {
	__u32 argsz;
	__u32 flags;
	__u32 device;      /* PCI ordinal N of /dev/tenstorrent/N */
	__u32 chip;        /* < TT_TRACK_MAX_CHIPS */
	__u32 type;        /* TT_TRACK_TYPE_* */
	__u32 category;    /* TT_TRACK_KERNEL_* for KERNEL, else 0 */
	__u64 buffer_id;   /* caller's id, unique per (device, chip, type) in a file */
	__u64 size;        /* bytes, 1..TT_TRACK_MAX_BUFFER_SIZE */
};

struct tt_track_free {
	__u32 argsz;
	__u32 flags;
	__u32 device;
	__u32 chip;
	__u32 type;
	__u32 reserved;
	__u64 buffer_id;
};

/*
 * BATCH: many ALLOC and FREE operations in one call, e.g. a buffer placed on
 * every chip of a mesh. Each operation is checked and applied on its own, in
 * order, exactly as the single call would be: it either succeeds (result 0)
 * or fails with its own -errno and changes nothing; a failed operation does
 * not stop the ones after it. The call itself fails (EINVAL, EFAULT), with
 * nothing applied, when the header is wrong, count is 0 or above
 * TT_TRACK_BATCH_MAX_OPS, or the operations cannot be read and written back.
 * On success it returns 0, sets `done` to the number of operations that
 * succeeded and each operation's `result`. (A caller whose other thread
 * unmaps the operations or the header during the call may get EFAULT after
 * they were applied: their results are then lost.)
 */
#define TT_TRACK_OP_ALLOC 0
#define TT_TRACK_OP_FREE 1
#define TT_TRACK_BATCH_MAX_OPS 256

struct tt_track_op {
	__u32 op;          /* TT_TRACK_OP_* */
	__u32 device;
	__u32 chip;
	__u32 type;
	__u32 category;    /* ALLOC of KERNEL: TT_TRACK_KERNEL_*, else 0 */
	__s32 result;      /* out: 0 or -errno; must be 0 on input */
	__u64 buffer_id;
	__u64 size;        /* ALLOC: as in tt_track_alloc; FREE: 0 */
};

struct tt_track_batch {
	__u32 argsz;
	__u32 flags;
	__u32 count;       /* operations at `ops` */
	__u32 done;        /* out: operations that succeeded; must be 0 on input */
	__u64 ops;         /* user address of `count` struct tt_track_op */
};

struct tt_track_type_stats {
	__u64 bytes;       /* live bytes */
	__u64 buffers;     /* live buffers */
	__u64 peak_bytes;  /* highest `bytes` since load (device) or open (file) */
};

/* What files closed with live entries left behind (device scope; reclaimed). */
struct tt_track_leak_stats {
	__u64 bytes;
	__u64 buffers;
};

struct tt_track_query_stats {
	__u32 argsz;
	__u32 flags;
	__u32 device;                 /* in */
	__u32 chip;                   /* in */
	__u32 scope;                  /* in: TT_TRACK_SCOPE_* */
	__u32 open_files;             /* out: open tracking files (all devices) */
	__u64 dram_capacity;          /* out: bytes, 0 if unknown */
	__u64 l1_capacity;            /* out: bytes, 0 if unknown */
	__u64 leaked_bytes;           /* out: reclaimed from files closed with live entries */
	__u64 leaked_buffers;         /* out */
	struct tt_track_type_stats types[TT_TRACK_TYPE_COUNT];                /* out */
	struct tt_track_type_stats kernel[TT_TRACK_KERNEL_CATEGORY_COUNT];    /* out */
	/* Revision 2: the leak counters above per type; zero in file scope. */
	struct tt_track_leak_stats leaked[TT_TRACK_TYPE_COUNT];             /* out */
};

/* The size of struct tt_track_query_stats in revision 1 (before `leaked`). */
#define TT_TRACK_QUERY_STATS_SIZE_V1 296

struct tt_track_device_info {
	__u32 ordinal;
	__u16 vendor_id;
	__u16 device_id;
	char pci_address[16];   /* "dddd:bb:dd.f", NUL-terminated */
	char arch[16];          /* "wormhole", "blackhole" or "unknown", NUL-terminated */
	__u64 dram_capacity;    /* bytes per chip, 0 if unknown */
	__u64 l1_capacity;      /* bytes per chip, 0 if unknown */
	__u64 chips_seen;       /* bit c set once chip c has been reported */
};

struct tt_track_get_info {
	__u32 argsz;
	__u32 flags;
	__u32 abi_version;      /* out: TT_TRACK_ABI_VERSION */
	__u32 device_count;     /* out: entries filled in devices[] */
	struct tt_track_device_info devices[TT_TRACK_MAX_DEVICES];   /* out */
};

#define TT_TRACK_ALLOC _IOW(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_ALLOC, struct tt_track_alloc)
#define TT_TRACK_FREE _IOW(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_FREE, struct tt_track_free)
#define TT_TRACK_QUERY_STATS _IOWR(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_QUERY_STATS, struct tt_track_query_stats)
#define TT_TRACK_GET_INFO _IOWR(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_GET_INFO, struct tt_track_get_info)
#define TT_TRACK_BATCH _IOWR(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_BATCH, struct tt_track_batch)

#endif /* TT_TRACK_IOCTL_H */
