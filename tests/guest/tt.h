/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the in-guest tests: ioctl wrappers, /proc parsing, checks. */
#ifndef TT_TEST_H
#define TT_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../ioctl/tt_track_ioctl.h"

extern int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("  check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); printf("\n"); failures++; \
	} } while (0)
#define CHECK_EQ(a, b) do { \
	unsigned long long _a = (a), _b = (b); \
	CHECK(_a == _b, "%s = %llu, expected %llu", #a, _a, _b); } while (0)

int tt_open(void);
/* Each returns 0 or -errno. */
int tt_alloc(int fd, uint32_t dev, uint32_t chip, uint32_t type, uint32_t cat, uint64_t id, uint64_t size);
int tt_free(int fd, uint32_t dev, uint32_t chip, uint32_t type, uint64_t id);
int tt_stats(int fd, uint32_t dev, uint32_t chip, uint32_t scope, struct tt_track_query_stats *out);
int tt_info(int fd, struct tt_track_get_info *out);
/* Ordinals of the attached devices; returns how many. */
int tt_devices(int fd, uint32_t *ordinals, int max);

/* Whole file into a malloc'ed NUL-terminated buffer (NULL if unreadable). */
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const char *text);
int path_exists(const char *path);
/* Lines in a file, -1 if unreadable. */
long count_lines(const char *path);

/* Parsed `total` line of /proc/driver/tenstorrent/N/stats. */
struct proc_total { unsigned long long bytes, buffers, peak; };
int proc_total(uint32_t dev, uint32_t chip, const char *type, struct proc_total *out);
/* Sum of `size` over allocation lines of pid (all pids if pid == 0). */
int proc_alloc_sum(uint32_t dev, int pid, unsigned long long *bytes, unsigned long long *lines);
/* The `proc` line of pid/chip: per-type bytes and buffers; -1 if absent. */
int proc_process(uint32_t dev, int pid, uint32_t chip, unsigned long long bytes[7], unsigned long long *buffers);
/* Leak counters from the `leak` line: totals, and bytes per type. */
int proc_leak(uint32_t dev, uint32_t chip, unsigned long long *bytes, unsigned long long *buffers,
	      unsigned long long per_type[7]);

double now_s(void);
/* xorshift64: deterministic per seed, so a fuzz or soak run can be replayed. */
uint64_t xorshift(uint64_t *state);

#endif
