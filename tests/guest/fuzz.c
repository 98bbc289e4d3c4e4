// SPDX-License-Identifier: GPL-2.0
/*
 * Structured fuzzer for tt_track with a model of what must be live.
 *   fuzz SECONDS SEED [MAX_OPS]
 * Random commands, argsz, flags, types, categories, sizes, ids and ordinals;
 * pointers to unmapped, read-only and page-straddling memory; a file closed
 * from another thread during ioctls; forked children that exit or are killed
 * holding buffers. After every batch the model is compared with QUERY_STATS
 * (device and file scope) and with both /proc files. Stops by itself; prints
 * the seed so a failure can be replayed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tt.h"

#define FDS 3
#define MAXLIVE 600
#define CHIPS 4			/* model chips 0..3, plus 63 */
#define CHILD_CHIP 8		/* forked children */
#define CHAOS_CHIP 9		/* the file closed under a running ioctl */
#define BATCH 200
#define MAX_SIZE TT_TRACK_MAX_BUFFER_SIZE

struct entry { uint32_t dev, chip, type, cat; uint64_t id, size; };
struct file_model { int fd; struct entry e[MAXLIVE]; int n; };

static struct file_model files[FDS];
static uint32_t devs[2];
static uint64_t rng;
/* Leaks expected per device and chip index (0..3, 4 = chip 63, 5 = CHILD_CHIP). */
static unsigned long long leak_bytes[2][6], leak_bufs[2][6];
static struct tt_track_query_stats base[2][6];
static const uint32_t checked_chips[6] = { 0, 1, 2, 3, 63, CHILD_CHIP };
static char *guard;		/* a PROT_NONE page */
static char *readonly;		/* a read-only page */
static char *straddle;		/* the last bytes of a page followed by `guard` */

static uint64_t rnd(void)
{
	return xorshift(&rng);
}

static uint64_t pick(uint64_t n)
{
	return rnd() % n;
}

static int chip_index(uint32_t chip)
{
	for (int i = 0; i < 6; i++)
		if (checked_chips[i] == chip)
			return i;
	return -1;
}

static struct entry *find(struct file_model *f, uint32_t dev, uint32_t chip, uint32_t type, uint64_t id)
{
	for (int i = 0; i < f->n; i++)
		if (f->e[i].dev == dev && f->e[i].chip == chip && f->e[i].type == type && f->e[i].id == id)
			return &f->e[i];
	return NULL;
}

static int attached(uint32_t dev)
{
	return dev == devs[0] || dev == devs[1];
}

static unsigned long long file_bytes(struct file_model *f, uint32_t dev, uint32_t chip, uint32_t type)
{
	unsigned long long sum = 0;

	for (int i = 0; i < f->n; i++)
		if (f->e[i].dev == dev && f->e[i].chip == chip && f->e[i].type == type)
			sum += f->e[i].size;
	return sum;
}

static uint64_t random_size(void)
{
	switch (pick(8)) {
	case 0: return 0;
	case 1: return MAX_SIZE;
	case 2: return MAX_SIZE + 1;
	case 3: return rnd();
	default: return 1 + pick(1 << 20);
	}
}

static int fail(const char *what, long long got, long long want)
{
	printf("  fuzz: %s: got %lld, model says %lld\n", what, got, want);
	failures++;
	return 0;
}

/* Issues an ioctl with the struct placed per `where`; returns 0 or -errno. */
static int issue(int fd, unsigned long cmd, void *arg, size_t len, int where, int *faulted)
{
	void *p = arg;

	*faulted = 1;
	switch (where) {
	case 1: p = NULL; break;
	case 2: p = guard; break;
	case 3: p = straddle + 4096 - len / 2; memcpy(p, arg, len / 2); break;	/* half readable */
	case 4:
		mprotect(readonly, 4096, PROT_READ | PROT_WRITE);
		memcpy(readonly, arg, len);
		mprotect(readonly, 4096, PROT_READ);
		p = readonly;
		*faulted = 0;	/* readable: only a write back faults */
		break;
	default: *faulted = 0;
	}
	return ioctl(fd, cmd, p) ? -errno : 0;
}

static int where_to(void)
{
	return pick(20) == 0 ? 1 + pick(4) : 0;
}

static void op_free(struct file_model *f);

static void op_alloc(struct file_model *f)
{
	if (f->n == MAXLIVE) {	/* keep the model bounded */
		op_free(f);
		return;
	}
	struct tt_track_alloc a = {
		.argsz = pick(30) ? sizeof(a) : pick(64),
		.flags = pick(40) ? 0 : 1u << pick(32),
		.device = pick(30) ? devs[pick(2)] : (pick(2) ? 99 : rnd()),
		.chip = pick(20) ? pick(CHIPS) : (pick(2) ? 63 : 64 + pick(1000)),
		.type = pick(25) ? pick(7) : 7 + pick(100),
		.buffer_id = pick(10) ? pick(64) : rnd(),
		.size = random_size(),
	};
	a.category = a.type == TT_TRACK_TYPE_KERNEL ? (pick(10) ? pick(3) : 3 + pick(9)) : (pick(30) ? 0 : 1);
	int faulted, want, got = issue(f->fd, TT_TRACK_ALLOC, &a, sizeof(a), where_to(), &faulted);

	if (faulted)
		want = -EFAULT;
	else if (a.argsz != sizeof(a) || a.flags || a.type >= 7 || a.chip >= 64 ||
		 (a.type == TT_TRACK_TYPE_KERNEL ? a.category >= 3 : a.category != 0) || !a.size || a.size > MAX_SIZE)
		want = -EINVAL;
	else if (!attached(a.device))
		want = -ENODEV;
	else if (file_bytes(f, a.device, a.chip, a.type) + a.size < a.size)
		want = -ERANGE;
	else if (find(f, a.device, a.chip, a.type, a.buffer_id))
		want = -EEXIST;
	else
		want = 0;
	if (got != want) {
		fail("alloc", got, want);
		return;
	}
	if (got == 0)
		f->e[f->n++] = (struct entry){ a.device, a.chip, a.type, a.category, a.buffer_id, a.size };
}

static void op_free(struct file_model *f)
{
	struct entry *e = f->n && pick(3) ? &f->e[pick(f->n)] : NULL;
	struct tt_track_free r = {
		.argsz = pick(30) ? sizeof(r) : pick(64),
		.flags = pick(40) ? 0 : 1u << pick(32),
		.device = e ? e->dev : devs[pick(2)],
		.chip = e ? e->chip : pick(CHIPS),
		.type = e ? e->type : pick(8),
		.reserved = pick(40) ? 0 : 1,
		.buffer_id = e ? e->id : pick(64),
	};
	if (!pick(10))
		r.device = 99;
	int faulted, want, got = issue(f->fd, TT_TRACK_FREE, &r, sizeof(r), where_to(), &faulted);
	struct entry *live = find(f, r.device, r.chip, r.type, r.buffer_id);

	if (faulted)
		want = -EFAULT;
	else if (r.argsz != sizeof(r) || r.flags || r.reserved || r.type >= 7 || r.chip >= 64)
		want = -EINVAL;
	else if (!live)
		want = attached(r.device) ? -ENOENT : -ENODEV;
	else
		want = 0;
	if (got != want) {
		fail("free", got, want);
		return;
	}
	if (got == 0)
		*live = f->e[--f->n];
}

static void op_query(struct file_model *f)
{
	struct tt_track_query_stats q = {
		.argsz = pick(20) ? sizeof(q) : pick(512),
		.flags = pick(30) ? 0 : 1,
		.device = pick(10) ? devs[pick(2)] : 99,
		.chip = pick(10) ? pick(CHIPS) : 64,
		.scope = pick(10) ? pick(2) : 2 + pick(5),
	};
	int where = where_to(), faulted;
	int got = issue(f->fd, TT_TRACK_QUERY_STATS, &q, sizeof(q), where, &faulted), want;

	if (faulted)
		want = -EFAULT;
	else if (q.argsz != sizeof(q) || q.flags || q.chip >= 64 || q.scope > 1)
		want = -EINVAL;
	else if (!attached(q.device))
		want = -ENODEV;
	else
		want = where == 4 ? -EFAULT : 0;	/* read-only: the reply cannot be written */
	if (got != want)
		fail("query", got, want);
}

static void op_random_command(struct file_model *f)
{
	unsigned dir = pick(4), nr = pick(256), size = pick(1 << 14), type = pick(5) ? 0xFA : pick(256);
	unsigned long cmd = ((unsigned long)dir << 30) | ((unsigned long)size << 16) | (type << 8) | nr;

	if (cmd == TT_TRACK_ALLOC || cmd == TT_TRACK_FREE || cmd == TT_TRACK_QUERY_STATS || cmd == TT_TRACK_GET_INFO)
		return;
	int got = ioctl(f->fd, cmd, pick(2) ? NULL : guard) ? -errno : 0;

	if (got != -ENOTTY)
		fail("random command", got, -ENOTTY);
}

/* Closing a file reclaims its entries into the leak counters. */
static void op_reopen(struct file_model *f)
{
	for (int i = 0; i < f->n; i++) {
		int d = f->e[i].dev == devs[1], c = chip_index(f->e[i].chip);

		leak_bytes[d][c] += f->e[i].size;
		leak_bufs[d][c] += 1;
	}
	close(f->fd);
	f->fd = tt_open();
	f->n = 0;
}

/* A child with its own file allocates, then exits or is killed: all reclaimed. */
static void op_fork(void)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		int fd = tt_open(), n = 1 + pick(40), die_at = pick(3) ? -1 : (int)pick(n);

		close(p[0]);
		for (int i = 0; i < n; i++) {
			uint32_t dev = pick(2);
			uint64_t size = 1 + pick(1 << 16);

			if (i == die_at)
				raise(SIGKILL);
			if (tt_alloc(fd, devs[dev], CHILD_CHIP, pick(7) % 6, 0, i, size) == 0) {
				uint64_t rec[2] = { dev, size };
				write(p[1], rec, sizeof(rec));
			}
		}
		_exit(0);
	}
	close(p[1]);
	waitpid(pid, NULL, 0);
	uint64_t rec[2];
	while (read(p[0], rec, sizeof(rec)) == sizeof(rec)) {
		leak_bytes[rec[0]][5] += rec[1];
		leak_bufs[rec[0]][5] += 1;
	}
	close(p[0]);
}

static volatile int chaos_fd;

static void *chaos_body(void *arg)
{
	(void)arg;
	for (uint64_t i = 0;; i++) {
		int r = tt_alloc(chaos_fd, devs[i % 2], CHAOS_CHIP, TT_TRACK_TYPE_L1, 0, i, 64);

		if (r == -EBADF)
			return NULL;
		if (i % 3 == 0)
			tt_free(chaos_fd, devs[i % 2], CHAOS_CHIP, TT_TRACK_TYPE_L1, i);
	}
}

/* Close a file while another thread is inside ioctls on it. */
static void op_chaos(void)
{
	pthread_t t;

	chaos_fd = tt_open();
	pthread_create(&t, NULL, chaos_body, NULL);
	usleep(pick(2000));
	close(chaos_fd);
	pthread_join(t, NULL);
}

static void check_model(int batch)
{
	for (int d = 0; d < 2; d++) {
		for (int ci = 0; ci < 6; ci++) {
			uint32_t chip = checked_chips[ci];
			struct tt_track_query_stats s;
			char what[96];

			if (tt_stats(files[0].fd, devs[d], chip, TT_TRACK_SCOPE_DEVICE, &s))
				continue;
			for (uint32_t t = 0; t < 7; t++) {
				unsigned long long bytes = base[d][ci].types[t].bytes, bufs = base[d][ci].types[t].buffers;
				struct proc_total pt;

				for (int f = 0; f < FDS; f++)
					for (int i = 0; i < files[f].n; i++) {
						struct entry *e = &files[f].e[i];
						if (e->dev == devs[d] && e->chip == chip && e->type == t) {
							bytes += e->size;
							bufs++;
						}
					}
				snprintf(what, sizeof(what), "batch %d dev %u chip %u type %u bytes", batch, devs[d], chip, t);
				if (s.types[t].bytes != bytes)
					fail(what, s.types[t].bytes, bytes);
				if (s.types[t].buffers != bufs)
					fail("buffers", s.types[t].buffers, bufs);
				if (proc_total(devs[d], chip, (const char *[]){ "DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL",
						"TRACE", "CB", "KERNEL" }[t], &pt) == 0 && (pt.bytes != bytes || pt.buffers != bufs))
					fail("stats file total", pt.bytes, bytes);
			}
			if (s.leaked_bytes != base[d][ci].leaked_bytes + leak_bytes[d][ci])
				fail("leaked bytes", s.leaked_bytes, base[d][ci].leaked_bytes + leak_bytes[d][ci]);
			if (s.leaked_buffers != base[d][ci].leaked_buffers + leak_bufs[d][ci])
				fail("leaked buffers", s.leaked_buffers, base[d][ci].leaked_buffers + leak_bufs[d][ci]);
			/* Per file. */
			for (int f = 0; f < FDS; f++) {
				struct tt_track_query_stats fs;

				tt_stats(files[f].fd, devs[d], chip, TT_TRACK_SCOPE_FILE, &fs);
				for (uint32_t t = 0; t < 7; t++) {
					unsigned long long b = 0;
					for (int i = 0; i < files[f].n; i++)
						if (files[f].e[i].dev == devs[d] && files[f].e[i].chip == chip &&
						    files[f].e[i].type == t)
							b += files[f].e[i].size;
					if (fs.types[t].bytes != b)
						fail("file-scope bytes", fs.types[t].bytes, b);
				}
			}
		}
		/* The chaos files are all closed: nothing may stay on their chip. */
		struct tt_track_query_stats c;
		tt_stats(files[0].fd, devs[d], CHAOS_CHIP, TT_TRACK_SCOPE_DEVICE, &c);
		if (c.types[TT_TRACK_TYPE_L1].buffers != 0)
			fail("chaos chip buffers", c.types[TT_TRACK_TYPE_L1].buffers, 0);
		/* allocations: our lines, count and bytes. */
		unsigned long long bytes, lines, want_bytes = 0, want_lines = 0;
		proc_alloc_sum(devs[d], getpid(), &bytes, &lines);
		for (int f = 0; f < FDS; f++)
			for (int i = 0; i < files[f].n; i++)
				if (files[f].e[i].dev == devs[d]) {
					want_bytes += files[f].e[i].size;
					want_lines++;
				}
		if (bytes != want_bytes || lines != want_lines)
			fail("allocations file lines", lines, want_lines);
	}
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1, max_ops = argc > 3 ? strtoull(argv[3], NULL, 0) : ~0ull;
	unsigned long long ops = 0;
	double end = now_s() + seconds;
	int batch = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = seed * 0x9E3779B97F4A7C15ull | 1;
	char *pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	straddle = pages;
	guard = pages + 4096;
	readonly = pages + 8192;
	mprotect(guard, 4096, PROT_NONE);
	mprotect(readonly, 4096, PROT_READ);
	for (int f = 0; f < FDS; f++)
		files[f].fd = tt_open();
	if (tt_devices(files[0].fd, devs, 2) < 2) {
		printf("FAIL fuzz: needs two devices\n");
		return 1;
	}
	for (int d = 0; d < 2; d++)
		for (int ci = 0; ci < 6; ci++)
			tt_stats(files[0].fd, devs[d], checked_chips[ci], TT_TRACK_SCOPE_DEVICE, &base[d][ci]);
	while (now_s() < end && ops < max_ops && !failures) {
		for (int i = 0; i < BATCH; i++, ops++) {
			struct file_model *f = &files[pick(FDS)];
			uint64_t r = pick(1000);

			if (r < 420) op_alloc(f);
			else if (r < 800) op_free(f);
			else if (r < 900) op_query(f);
			else if (r < 960) op_random_command(f);
			else if (r < 975) op_reopen(f);
			else if (r < 990) op_fork();
			else op_chaos();
		}
		check_model(++batch);
	}
	printf("  fuzz: seed %llu, %llu operations in %d batches\n", seed, ops, batch);
	printf("%s fuzz seed %llu\n", failures ? "FAIL" : "PASS", seed);
	return failures ? 1 : 0;
}
