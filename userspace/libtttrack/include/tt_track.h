/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libtttrack: report Tenstorrent device-memory allocations to tt_track.ko.
 *
 * Thread-safe and cheap enough for a hot allocator path: the device node is
 * opened once per process on first use, the report path takes no lock and
 * allocates nothing, and the library never aborts or prints. A child process
 * never reports into its parent's file: after fork() it opens its own on first
 * use (the parent's descriptor is closed in the child, even one being opened
 * by another thread during the fork), and so does a child of a raw clone(2),
 * which runs no atfork handler. Without the module, with a node that does not
 * speak tt_track's ABI, or with TT_TRACK_DISABLE=1, every call returns
 * TT_TRACK_UNAVAILABLE and does nothing; tt_track_unavailable_reason() says
 * why. A passing failure (ENOMEM, EMFILE, EINTR, ...) is retried on a later
 * call, 1 ms after it, then with a back-off up to 1 s.
 *
 * Status codes: TT_TRACK_OK (0), TT_TRACK_UNAVAILABLE (1), or -errno
 * (-EINVAL, -ENODEV, -EEXIST, -ENOENT, -ENOSPC, -ERANGE, -EFAULT, -ENOTTY;
 * see README.md). errno: a call returning -E sets errno to E; any other call
 * (TT_TRACK_OK, TT_TRACK_UNAVAILABLE, and the functions below that return no
 * status) leaves errno as it was.
 *
 * Linking: -ltttrack (pkg-config tttrack); the shared library's SONAME is
 * libtttrack.so.1.
 */
#ifndef TT_TRACK_H
#define TT_TRACK_H

#include <errno.h>	/* statuses are -errno */
#include <stddef.h>
#include <stdint.h>
#include "tt_track_ioctl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TT_TRACK_OK 0
#define TT_TRACK_UNAVAILABLE 1

/* type: TT_TRACK_TYPE_* (tt-metal's BufferType numbers). For KERNEL use tt_track_alloc_kernel. */
int tt_track_alloc(uint32_t device, uint32_t chip, uint32_t type, uint64_t buffer_id, uint64_t size);
/* category: TT_TRACK_KERNEL_APPLICATION, _FABRIC or _DISPATCH. */
int tt_track_alloc_kernel(uint32_t device, uint32_t chip, uint32_t category, uint64_t buffer_id, uint64_t size);
int tt_track_free(uint32_t device, uint32_t chip, uint32_t type, uint64_t buffer_id);

/*
 * Many ALLOC/FREE operations (struct tt_track_op, see tt_track_ioctl.h) in one
 * system call per TT_TRACK_BATCH_MAX_OPS: each succeeds or fails on its own,
 * its outcome in ops[i].result (0 or -errno; set it to 0 before the call). The
 * return value is the status of the system calls: TT_TRACK_OK once all were
 * made. A system call that fails applies none of its operations; then its
 * operations and all later ones (not sent) get that status as their result,
 * operations of earlier calls stand, and the status is returned.
 */
int tt_track_batch(struct tt_track_op *ops, uint32_t count);

/*
 * scope: TT_TRACK_SCOPE_DEVICE (every process) or TT_TRACK_SCOPE_FILE (this process).
 * The struct may grow in later revisions: the macro passes its size as this
 * header has it (the caller's), and the library fills exactly that many bytes (zeros for fields it does not
 * know). The function itself (for callers built before revision 2, or bindings
 * that call the symbol) fills revision 1's TT_TRACK_QUERY_STATS_SIZE_V1 bytes.
 */
int tt_track_stats_sized(uint32_t device, uint32_t chip, uint32_t scope, struct tt_track_query_stats *out,
                         size_t size);
int tt_track_stats(uint32_t device, uint32_t chip, uint32_t scope, struct tt_track_query_stats *out);
#define tt_track_stats(device, chip, scope, out)                                                       \
	tt_track_stats_sized((device), (chip), (scope), (out), sizeof(struct tt_track_query_stats))
int tt_track_devices(struct tt_track_get_info *out);

/* 1 if reports reach the kernel, else 0. */
int tt_track_available(void);

/* Why tracking is off (tt_track_unavailable_reason). */
#define TT_TRACK_REASON_NONE 0          /* it is on: reports reach the kernel */
#define TT_TRACK_REASON_NO_MODULE 1     /* no /dev/tenstorrent-track (ENOENT, ENXIO, ENODEV): tt_track.ko not loaded */
#define TT_TRACK_REASON_NO_ACCESS 2     /* the node may not be opened (EACCES, EPERM, EROFS) */
#define TT_TRACK_REASON_ABI_MISMATCH 3  /* GET_INFO said EINVAL/ENOTTY, or abi_version 0: not a tt_track this library knows */
#define TT_TRACK_REASON_TRANSIENT 4     /* a passing failure (ENOMEM, EMFILE, EINTR, ...): retried later */
#define TT_TRACK_REASON_DISABLED 5      /* TT_TRACK_DISABLE=1 */
/* TT_TRACK_REASON_*: opens the node if no call did yet, or retries after a passing failure when due. */
int tt_track_unavailable_reason(void);
/* A static message for a TT_TRACK_REASON_* code. */
const char *tt_track_reason_string(int reason);
/* A static message for a status code. */
const char *tt_track_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* TT_TRACK_H */
