// SPDX-License-Identifier: GPL-2.0 OR MIT
// Test-only stand-in for /dev/tenstorrent-track, to measure the shim's own work
// without the ioctl: on a host without tt_track.ko (tests/ttnn/host-bench.sh)
// and in the VM's mesh benchmark (tests/guest/topology.sh). LD_PRELOADed, it
// answers libtttrack's open and ioctls in user space: GET_INFO names the cards
// at the PCI addresses in TT_TRACK_FAKE_CARDS (comma-separated, ordinals 0, 1,
// ...; default 0000:00:05.0, the first card topology.py names), and BATCH
// applies nothing and succeeds, with no system call. At exit it prints the
// BATCH calls and operations it saw; with TT_TRACK_FAKE_LOG=FILE it also
// writes each call's operations there, a line each, to compare two shims.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../ioctl/tt_track_ioctl.h"

static int fake_fd = -1;
static unsigned long batches, allocs, frees;
static FILE *log_file;

static int real_open(const char *path, int flags, mode_t mode) {
    static int (*next)(const char *, int, ...);
    if (!next) next = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    return next(path, flags, mode);
}

static int open_any(const char *path, int flags, va_list args) {
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(args, mode_t) : 0;
    if (strcmp(path, TT_TRACK_DEVICE_PATH) == 0) {
        fake_fd = real_open("/dev/null", O_RDWR | O_CLOEXEC, 0);
        const char *log = getenv("TT_TRACK_FAKE_LOG");
        if (log) log_file = fopen(log, "w");
        return fake_fd;
    }
    return real_open(path, flags, mode);
}

int open(const char *path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    int fd = open_any(path, flags, args);
    va_end(args);
    return fd;
}

int open64(const char *path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    int fd = open_any(path, flags, args);
    va_end(args);
    return fd;
}

int ioctl(int fd, unsigned long request, ...) {
    va_list args;
    va_start(args, request);
    void *arg = va_arg(args, void *);
    va_end(args);
    if (fd != fake_fd || fake_fd < 0) {
        static int (*next)(int, unsigned long, ...);
        if (!next) next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
        return next(fd, request, arg);
    }
    if (request == TT_TRACK_GET_INFO) {
        struct tt_track_get_info *info = arg;
        const char *cards = getenv("TT_TRACK_FAKE_CARDS");
        info->abi_version = TT_TRACK_ABI_VERSION;
        info->device_count = 0;
        for (const char *at = cards ? cards : "0000:00:05.0"; *at && info->device_count < TT_TRACK_MAX_DEVICES;) {
            struct tt_track_device_info *dev = &info->devices[info->device_count];
            size_t len = strcspn(at, ",");
            memset(dev, 0, sizeof(*dev));
            dev->ordinal = info->device_count++;
            snprintf(dev->pci_address, sizeof(dev->pci_address), "%.*s", (int)len, at);
            strcpy(dev->arch, "wormhole");
            at += len + (at[len] == ',');
        }
        return 0;
    }
    if (request == TT_TRACK_BATCH) {
        struct tt_track_batch *batch = arg;
        struct tt_track_op *ops = (struct tt_track_op *)(unsigned long)batch->ops;
        batches++;
        for (unsigned i = 0; i < batch->count; i++) {
            ops[i].result = 0;
            if (ops[i].op == TT_TRACK_OP_ALLOC) allocs++;
            else frees++;
            if (log_file)
                fprintf(log_file, "%s%s dev %u chip %u type %u cat %u id %llu size %llu\n", i ? "  " : "",
                        ops[i].op == TT_TRACK_OP_ALLOC ? "ALLOC" : "FREE", ops[i].device, ops[i].chip, ops[i].type,
                        ops[i].category, (unsigned long long)ops[i].buffer_id, (unsigned long long)ops[i].size);
        }
        batch->done = batch->count;
        return 0;
    }
    return 0;
}

__attribute__((destructor)) static void summary(void) {
    if (log_file) fclose(log_file);
    if (fake_fd >= 0)
        fprintf(stderr, "fake tt_track: %lu BATCH calls, %lu ALLOC and %lu FREE operations\n", batches, allocs, frees);
}
