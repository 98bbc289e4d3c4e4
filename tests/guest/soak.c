// SPDX-License-Identifier: GPL-2.0
/*
 * Soak: 16 processes doing random alloc / free / fork / exit, and SIGKILLs
 * from the checker, for SECONDS. Every second the checker stops the whole
 * process group and checks the invariants:
 *  - device totals (QUERY_STATS and the stats file) equal the sum of the
 *    per-process lines, and the allocations file agrees line by line;
 *  - no counter has underflowed;
 *  - leak counters equal exactly what exited or killed processes held.
 * At the end every process is gone: totals are zero, leaks exact.
 *   soak SECONDS [SEED]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tt.h"

#define WORKERS 16
#define CHIPS 3
#define MAX_RECORDS 65536

static const char *types[] = { "DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL" };
static uint32_t devs[2];
static uint64_t rng;

/* Shared with every process: what voluntary exiters held. A record is
 * published by storing its pid last, so the checker never sees half of one. */
struct record { volatile int32_t pid; uint64_t bytes[2][CHIPS], buffers[2][CHIPS]; };
static struct shared { volatile uint64_t n; struct record r[MAX_RECORDS]; } *shared;

static unsigned long long expect_bytes[2][CHIPS], expect_bufs[2][CHIPS];
static struct tt_track_query_stats base[2][CHIPS];

static unsigned long long saturating_add(unsigned long long a, unsigned long long b)
{
	return a + b < a ? ~0ull : a + b;
}

static uint64_t rnd(void)
{
	return xorshift(&rng);
}

/* Record what this process holds, then exit: the kernel reclaims it as a leak. */
static void record_and_exit(int fd)
{
	uint64_t i = __atomic_fetch_add(&shared->n, 1, __ATOMIC_SEQ_CST);

	if (i < MAX_RECORDS) {
		struct record *r = &shared->r[i];
		for (int d = 0; d < 2; d++)
			for (uint32_t c = 0; c < CHIPS; c++) {
				struct tt_track_query_stats s;

				r->bytes[d][c] = r->buffers[d][c] = 0;
				if (tt_stats(fd, devs[d], c, TT_TRACK_SCOPE_FILE, &s))
					continue;
				for (int t = 0; t < 7; t++) {
					r->bytes[d][c] += s.types[t].bytes;
					r->buffers[d][c] += s.types[t].buffers;
				}
			}
		__atomic_store_n(&r->pid, getpid(), __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

/* A worker (or its child): random traffic on its own file, until it exits. */
static void work(int depth) __attribute__((noreturn));

static void work(int depth)
{
	int fd = tt_open(), n = 0;
	struct { uint64_t id; uint32_t d, c, t; } live[256];
	uint64_t next_id = 0;

	rng ^= (uint64_t)getpid() << 32;
	for (;;) {
		/* Per operation: alloc or free (at most 256 live), and rarely a fork
		 * (workers) or an exit holding buffers: workers live ~2,000,000
		 * operations (seconds), their children ~100,000. */
		uint64_t r = rnd() % 1000000;

		if (r < 500000 && n < 256) {
			uint32_t d = rnd() % 2, c = rnd() % CHIPS, t = rnd() % 7;
			if (tt_alloc(fd, devs[d], c, t, 0, next_id, 1 + rnd() % 100000) == 0)
				live[n++] = (typeof(live[0])){ next_id, d, c, t };
			next_id++;
		} else if (r < 999970 && n) {
			int i = rnd() % n;
			tt_free(fd, devs[live[i].d], live[i].c, live[i].t, live[i].id);
			live[i] = live[--n];
		} else if (r < 999990 && depth == 0) {
			pid_t child = fork();	/* a child with its own file, exiting on its own */
			if (child == 0) {
				close(fd);
				work(1);
			}
		} else if (r >= 999999 || (depth > 0 && r >= 999990)) {
			record_and_exit(fd);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static pid_t group;	/* a sleeper leads the workers' process group, stopped as one */

static pid_t spawn(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, group);
		work(0);
	}
	setpgid(pid, group);
	return pid;
}

/* True once every process of our group but us is stopped or dead. */
static int group_quiet(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int quiet = 1;

	while (d && (e = readdir(d))) {
		char path[64], buf[512], state;
		int pid = atoi(e->d_name), pgrp;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *p = strrchr(buf, ')');
			if (p && sscanf(p + 2, "%c %*d %d", &state, &pgrp) == 2 && pgrp == group &&
			    state != 'T' && state != 't' && state != 'Z' && state != 'X')
				quiet = 0;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return quiet;
}

static void stop_all(void)
{
	kill(-group, SIGSTOP);
	while (!group_quiet())
		usleep(1000);
}

/* What `pid` holds on (dev, chip), from its stats line (exact while stopped). */
static void held(int d, uint32_t c, int pid, unsigned long long *bytes, unsigned long long *bufs)
{
	unsigned long long b[7];

	*bytes = *bufs = 0;
	if (proc_process(devs[d], pid, c, b, bufs) == 0)
		for (int t = 0; t < 7; t++)
			*bytes += b[t];
}

/* Process lines of device d: sum per chip and type; pids seen. */
static void proc_sums(int d, unsigned long long sum[CHIPS][7], unsigned long long bufs[CHIPS], int *pids, int *npids)
{
	char path[96], *text, *line, *save = NULL;

	memset(sum, 0, sizeof(unsigned long long) * CHIPS * 7);
	memset(bufs, 0, sizeof(unsigned long long) * CHIPS);
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/stats", devs[d]);
	text = read_file(path, NULL);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int pid; unsigned c; unsigned long long b[7], n;

		if (sscanf(line, "proc %d %u %llu %llu %llu %llu %llu %llu %llu %llu", &pid, &c, &b[0], &b[1], &b[2],
			   &b[3], &b[4], &b[5], &b[6], &n) == 10 && c < CHIPS) {
			for (int t = 0; t < 7; t++)
				sum[c][t] += b[t];
			bufs[c] += n;
			if (*npids < 4096)
				pids[(*npids)++] = pid;
		}
	}
	free(text);
}

static char counted[MAX_RECORDS];

static int gone(pid_t pid)
{
	char path[64], buf[256] = "", *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return 1;
	fgets(buf, sizeof(buf), f);
	fclose(f);
	return (p = strrchr(buf, ')')) && (p[2] == 'Z' || p[2] == 'X');
}

static int has_record(pid_t pid)
{
	for (uint64_t i = 0; i < shared->n && i < MAX_RECORDS; i++)
		if (shared->r[i].pid == pid)
			return 1;
	return 0;
}

/* Records of processes that are gone (their files released) become expected leaks. */
static void count_records(void)
{
	for (uint64_t i = 0; i < shared->n && i < MAX_RECORDS; i++) {
		struct record *r = &shared->r[i];
		if (counted[i] || !r->pid || !gone(r->pid))
			continue;	/* unpublished (killed while writing it) or still exiting */
		counted[i] = 1;
		for (int d = 0; d < 2; d++)
			for (uint32_t c = 0; c < CHIPS; c++) {
				expect_bytes[d][c] += r->bytes[d][c];
				expect_bufs[d][c] += r->buffers[d][c];
			}
	}
}

static void check(int fd, int round)
{
	count_records();
	for (int d = 0; d < 2; d++) {
		unsigned long long sum[CHIPS][7], bufs[CHIPS], ab, al;
		int pids[4096], npids = 0;
		unsigned long long all_bytes = 0, all_bufs = 0;

		proc_sums(d, sum, bufs, pids, &npids);
		for (uint32_t c = 0; c < CHIPS; c++) {
			struct tt_track_query_stats s;
			unsigned long long chip_bufs = 0;

			tt_stats(fd, devs[d], c, TT_TRACK_SCOPE_DEVICE, &s);
			for (int t = 0; t < 7; t++) {
				struct proc_total pt;

				CHECK(s.types[t].bytes < (1ull << 62), "round %d: %s underflowed", round, types[t]);
				if (s.types[t].bytes != base[d][c].types[t].bytes + sum[c][t])
					CHECK(0, "round %d dev %u chip %u %s: device %llu, processes %llu", round, devs[d], c,
					      types[t], (unsigned long long)s.types[t].bytes, sum[c][t]);
				proc_total(devs[d], c, types[t], &pt);
				CHECK(pt.bytes == s.types[t].bytes, "stats file total differs (%s)", types[t]);
				chip_bufs += s.types[t].buffers;
				all_bytes += s.types[t].bytes;
			}
			all_bufs += chip_bufs;
			unsigned long long base_bufs = 0;
			for (int t = 0; t < 7; t++)
				base_bufs += base[d][c].types[t].buffers;
			CHECK(chip_bufs == base_bufs + bufs[c], "round %d: buffers %llu vs %llu", round, chip_bufs,
			      base_bufs + bufs[c]);
			/* Leak counters saturate at 2^64 - 1 (earlier tests may have taken them there). */
			CHECK(s.leaked_bytes == saturating_add(base[d][c].leaked_bytes, expect_bytes[d][c]),
			      "round %d dev %u chip %u: leaked %llu, expected %llu", round, devs[d], c,
			      (unsigned long long)(s.leaked_bytes - base[d][c].leaked_bytes), expect_bytes[d][c]);
			CHECK(s.leaked_buffers == saturating_add(base[d][c].leaked_buffers, expect_bufs[d][c]),
			      "leaked buffers");
		}
		/* The allocations file agrees with the stats file. */
		proc_alloc_sum(devs[d], 0, &ab, &al);
		CHECK(ab == all_bytes && al == all_bufs, "round %d: allocations %llu B / %llu, stats %llu B / %llu",
		      round, ab, al, all_bytes, all_bufs);
	}
}

/* SIGKILL a stopped victim; its holdings become expected leaks (unless it
 * recorded them itself on its way out). */
static void kill_one(int victim)
{
	for (int d = 0; d < 2 && !has_record(victim); d++)
		for (uint32_t c = 0; c < CHIPS; c++) {
			unsigned long long b, n;
			held(d, c, victim, &b, &n);
			expect_bytes[d][c] += b;
			expect_bufs[d][c] += n;
		}
	kill(victim, SIGKILL);
}

static pid_t workers[WORKERS];

static void reap_and_respawn(int respawn)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (int i = 0; i < WORKERS; i++)
			if (workers[i] == pid)
				workers[i] = respawn ? spawn() : 0;
}

/* Wait until `pid` is fully gone (its files released). */
static void wait_gone(pid_t pid)
{
	for (int i = 0; i < 10000 && !gone(pid); i++)
		usleep(1000);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 20, fd, rounds = 0, kills = 0;
	double end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = (argc > 2 ? strtoull(argv[2], NULL, 0) : 42) | 1;
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = tt_open();
	if (tt_devices(fd, devs, 2) < 2) {
		printf("FAIL soak: needs two devices\n");
		return 1;
	}
	for (int d = 0; d < 2; d++)
		for (uint32_t c = 0; c < CHIPS; c++)
			tt_stats(fd, devs[d], c, TT_TRACK_SCOPE_DEVICE, &base[d][c]);
	group = fork();
	if (group == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(group, group);
	for (int i = 0; i < WORKERS; i++)
		workers[i] = spawn();
	end = now_s() + seconds;
	while (now_s() < end && !failures) {
		sleep(1);
		stop_all();
		reap_and_respawn(0);
		check(fd, ++rounds);
		/* Kill one holder (worker or child) while everything is stopped. */
		unsigned long long sum[CHIPS][7], bufs[CHIPS];
		int pids[4096], npids = 0;
		proc_sums(rnd() % 2, sum, bufs, pids, &npids);
		if (npids) {
			pid_t victim = pids[rnd() % npids];
			kill_one(victim);
			wait_gone(victim);
			kills++;
		}
		kill(-group, SIGCONT);
		reap_and_respawn(1);
	}
	/* The end: kill every holder (accounted), then everyone; all back to the baseline. */
	stop_all();
	for (int d = 0; d < 2; d++) {
		unsigned long long sum[CHIPS][7], bufs[CHIPS];
		int pids[4096], npids = 0;
		proc_sums(d, sum, bufs, pids, &npids);
		for (int i = 0; i < npids; i++)
			if (!gone(pids[i])) {
				kill_one(pids[i]);
				wait_gone(pids[i]);
			}
	}
	kill(-group, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	/* Orphaned children of killed workers may still be exiting. */
	for (int i = 0; i < 1000; i++) {
		int left = 0;
		for (uint64_t r = 0; r < shared->n && r < MAX_RECORDS; r++)
			left += shared->r[r].pid && !gone(shared->r[r].pid);
		if (!left)
			break;
		usleep(1000);
	}
	check(fd, ++rounds);
	for (int d = 0; d < 2; d++)
		for (uint32_t c = 0; c < CHIPS; c++) {
			struct tt_track_query_stats s;
			tt_stats(fd, devs[d], c, TT_TRACK_SCOPE_DEVICE, &s);
			for (int t = 0; t < 7; t++)
				CHECK(s.types[t].bytes == base[d][c].types[t].bytes, "end: dev %u chip %u %s not back",
				      devs[d], c, types[t]);
		}
	printf("  soak: %d s, %d checks, %d kills, %llu voluntary exits\n", seconds, rounds, kills,
	       (unsigned long long)shared->n);
	printf("%s soak\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
