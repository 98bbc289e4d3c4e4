// SPDX-License-Identifier: GPL-2.0
/*
 * Structured fuzzer for tt_track with a model of what must be live.
 *   fuzz SECONDS SEED [MAX_OPS [boundary]]
 * Random commands, argsz, flags, types, categories, sizes, ids and ordinals;
 * pointers to unmapped, read-only and page-straddling memory; a file closed
 * from another thread during ioctls; forked children that exit or are killed
 * holding buffers, under hostile comms; /proc reads with a file closed midway
 * (exactly-once listing); the two cards unbound and bound back in the other
 * order (entries follow cards, not ordinals); with `boundary`, a file holding
 * 2^64 - 2^48 bytes of one (card, chip, type) so that device totals and leak
 * counters meet 2^64. BATCH calls mix all of the above per operation, and
 * the model applies them in order. After every round the model is compared with
 * QUERY_STATS (device and file scope) and with both /proc files. Stops by
 * itself; prints the seed so a failure can be replayed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tt.h"

#define FDS 3
#define MAXLIVE 600
#define CHIPS 4			/* model chips FIRST_CHIP.., plus 63 */
/* Chips of its own: random sizes up to 2^48 take leak counters to their
 * 2^64 - 1 ceiling, which later checks of chips 0-2 must not meet. */
#define FIRST_CHIP 16
#define CHILD_CHIP 8		/* forked children */
#define CHAOS_CHIP 9		/* the file closed under a running ioctl */
#define BATCH 200
#define MAX_SIZE TT_TRACK_MAX_BUFFER_SIZE

/* `card` is 0 or 1, whatever ordinal the card has now (devs[card]). */
struct entry { uint32_t card, chip, type, cat; uint64_t id, size; };
struct file_model { int fd; struct entry e[MAXLIVE]; int n; };

static struct file_model files[FDS];
static uint32_t devs[2];		/* the cards' current ordinals */
static char addrs[2][32];		/* the cards' PCI addresses */
static int swaps;
#define HEAVY_CHIP (FIRST_CHIP + 2)
#define HEAVY_BUFS 65535ull		/* x MAX_SIZE = 2^64 - 2^48 */
static int heavy_fd = -1;		/* the boundary file, card 0, HEAVY_CHIP, DRAM */
typedef unsigned __int128 u128;
#define U64_MAX (~0ull)
static uint64_t rng;
/* Leaks expected per device and chip index (0..3 = FIRST_CHIP.., 4 = chip 63, 5 = CHILD_CHIP). */
static u128 leak_bytes[2][6], leak_bufs[2][6];
static struct tt_track_query_stats base[2][6];
static const uint32_t checked_chips[6] = { FIRST_CHIP, FIRST_CHIP + 1, FIRST_CHIP + 2, FIRST_CHIP + 3, 63, CHILD_CHIP };
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

static struct entry *find(struct file_model *f, int card, uint32_t chip, uint32_t type, uint64_t id)
{
	for (int i = 0; i < f->n; i++)
		if ((int)f->e[i].card == card && f->e[i].chip == chip && f->e[i].type == type && f->e[i].id == id)
			return &f->e[i];
	return NULL;
}

/* The card with this ordinal, -1 if none. */
static int card_of(uint32_t ordinal)
{
	return ordinal == devs[0] ? 0 : ordinal == devs[1] ? 1 : -1;
}

static unsigned long long file_bytes(struct file_model *f, int card, uint32_t chip, uint32_t type)
{
	unsigned long long sum = 0;

	for (int i = 0; i < f->n; i++)
		if ((int)f->e[i].card == card && f->e[i].chip == chip && f->e[i].type == type)
			sum += f->e[i].size;
	return sum;
}

/* What the model says a card's (chip, type) total is: base, files, boundary file. */
static u128 device_bytes(int card, uint32_t chip, uint32_t type, unsigned long long *buffers)
{
	int ci = chip_index(chip);
	u128 bytes = ci < 0 ? 0 : base[card][ci].types[type].bytes;
	unsigned long long bufs = ci < 0 ? 0 : base[card][ci].types[type].buffers;

	for (int f = 0; f < FDS; f++)
		for (int i = 0; i < files[f].n; i++) {
			struct entry *e = &files[f].e[i];
			if ((int)e->card == card && e->chip == chip && e->type == type) {
				bytes += e->size;
				bufs++;
			}
		}
	if (heavy_fd >= 0 && card == 0 && chip == HEAVY_CHIP && type == TT_TRACK_TYPE_DRAM) {
		bytes += HEAVY_BUFS * (u128)MAX_SIZE;
		bufs += HEAVY_BUFS;
	}
	if (buffers)
		*buffers = bufs;
	return bytes;
}

static unsigned long long saturated(u128 v)
{
	return v > U64_MAX ? U64_MAX : (unsigned long long)v;
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
static int proc_wellformed(uint32_t dev);

/* A random ALLOC (mostly valid, sometimes wrong in one field or more). */
static struct tt_track_alloc random_alloc(void)
{
	struct tt_track_alloc a = {
		.argsz = pick(30) ? sizeof(a) : pick(64),
		.flags = pick(40) ? 0 : 1u << pick(32),
		.device = pick(30) ? devs[pick(2)] : (pick(2) ? 99 : rnd()),
		.chip = pick(20) ? FIRST_CHIP + pick(CHIPS) : (pick(2) ? 63 : 64 + pick(1000)),
		.type = pick(25) ? pick(7) : 7 + pick(100),
		.buffer_id = pick(10) ? pick(64) : rnd(),
		.size = random_size(),
	};
	a.category = a.type == TT_TRACK_TYPE_KERNEL ? (pick(10) ? pick(3) : 3 + pick(9)) : (pick(30) ? 0 : 1);
	return a;
}

/* A random FREE: often of a live entry of `f`. */
static struct tt_track_free random_free(struct file_model *f)
{
	struct entry *e = f->n && pick(3) ? &f->e[pick(f->n)] : NULL;
	struct tt_track_free r = {
		.argsz = pick(30) ? sizeof(r) : pick(64),
		.flags = pick(40) ? 0 : 1u << pick(32),
		.device = e ? devs[e->card] : devs[pick(2)],
		.chip = e ? e->chip : FIRST_CHIP + pick(CHIPS),
		.type = e ? e->type : pick(8),
		.reserved = pick(40) ? 0 : 1,
		.buffer_id = e ? e->id : pick(64),
	};
	if (!pick(10))
		r.device = 99;
	return r;
}

/* The model's answer to a well-formed ALLOC request (header checked), applied
 * to the model if it succeeds. */
static int model_alloc(struct file_model *f, uint32_t device, uint32_t chip, uint32_t type, uint32_t cat,
		       uint64_t id, uint64_t size)
{
	int card = card_of(device);

	if (type >= 7 || chip >= 64 || (type == TT_TRACK_TYPE_KERNEL ? cat >= 3 : cat != 0) || !size || size > MAX_SIZE)
		return -EINVAL;
	if (card < 0)
		return -ENODEV;
	if (file_bytes(f, card, chip, type) + size < size)
		return -ERANGE;
	if (find(f, card, chip, type, id))
		return -EEXIST;
	if (device_bytes(card, chip, type, NULL) + size > U64_MAX)
		return -ERANGE;	/* the card's total would pass 2^64 - 1 */
	f->e[f->n++] = (struct entry){ card, chip, type, cat, id, size };
	return 0;
}

/* The same for a FREE. */
static int model_free(struct file_model *f, uint32_t device, uint32_t chip, uint32_t type, uint64_t id)
{
	if (type >= 7 || chip >= 64)
		return -EINVAL;
	struct entry *live = find(f, card_of(device), chip, type, id);
	if (!live)
		return card_of(device) >= 0 ? -ENOENT : -ENODEV;
	*live = f->e[--f->n];
	return 0;
}

static void op_alloc(struct file_model *f)
{
	if (f->n == MAXLIVE) {	/* keep the model bounded */
		op_free(f);
		return;
	}
	struct tt_track_alloc a = random_alloc();
	int faulted, want, got = issue(f->fd, TT_TRACK_ALLOC, &a, sizeof(a), where_to(), &faulted);

	if (faulted)
		want = -EFAULT;
	else if (a.argsz != sizeof(a) || a.flags)
		want = -EINVAL;
	else
		want = model_alloc(f, a.device, a.chip, a.type, a.category, a.buffer_id, a.size);
	if (got != want)
		fail("alloc", got, want);
}

static void op_free(struct file_model *f)
{
	struct tt_track_free r = random_free(f);
	int faulted, want, got = issue(f->fd, TT_TRACK_FREE, &r, sizeof(r), where_to(), &faulted);

	if (faulted)
		want = -EFAULT;
	else if (r.argsz != sizeof(r) || r.flags || r.reserved)
		want = -EINVAL;
	else
		want = model_free(f, r.device, r.chip, r.type, r.buffer_id);
	if (got != want)
		fail("free", got, want);
}

/* BATCH: random operations (the ALLOCs and FREEs above, odd op codes, unzeroed
 * results, FREEs with a size), a random header, the operations placed as any
 * request is; each operation's result and `done` against the model, which
 * applies them in order. */
static void op_batch(struct file_model *f)
{
	static struct tt_track_op ops[TT_TRACK_BATCH_MAX_OPS + 1], in[TT_TRACK_BATCH_MAX_OPS + 1];
	uint32_t count = pick(10) ? 1 + pick(pick(4) ? 16 : 255) : (pick(2) ? TT_TRACK_BATCH_MAX_OPS : pick(2) * 257);
	int only_frees = f->n + (int)count > MAXLIVE;	/* keep the model bounded */

	for (uint32_t i = 0; i < count && i < TT_TRACK_BATCH_MAX_OPS; i++) {
		if (only_frees || pick(2)) {
			struct tt_track_free r = random_free(f);
			ops[i] = (struct tt_track_op){ TT_TRACK_OP_FREE, r.device, r.chip, r.type, 0, 0, r.buffer_id, 0 };
			if (!pick(30))
				ops[i].size = 1 + pick(9);
			if (!pick(30))
				ops[i].category = 1 + pick(3);
		} else {
			struct tt_track_alloc a = random_alloc();
			ops[i] = (struct tt_track_op){ TT_TRACK_OP_ALLOC, a.device, a.chip, a.type, a.category, 0,
						       a.buffer_id, a.size };
		}
		if (!pick(50))
			ops[i].op = 2 + pick(100);
		if (!pick(50))
			ops[i].result = 1 + pick(99);
	}
	struct tt_track_batch b = {
		.argsz = pick(30) ? sizeof(b) : pick(64),
		.flags = pick(40) ? 0 : 1u << pick(32),
		.count = count,
		.done = pick(40) ? 0 : 1,
		.ops = (uintptr_t)ops,
	};
	size_t bytes = sizeof(ops[0]) * (count < TT_TRACK_BATCH_MAX_OPS ? count : TT_TRACK_BATCH_MAX_OPS);
	int ops_fault = 0;
	switch (pick(20) ? 0 : 1 + pick(3)) {
	case 1: b.ops = (uintptr_t)guard; ops_fault = 1; break;
	case 2: b.ops = (uintptr_t)straddle + 4096 - sizeof(ops[0]) / 2; ops_fault = 1; break;	/* half readable */
	case 3:
		if (bytes <= 4096) {	/* readable, not writable: the results cannot go back */
			mprotect(readonly, 4096, PROT_READ | PROT_WRITE);
			memcpy(readonly, ops, bytes);
			mprotect(readonly, 4096, PROT_READ);
			b.ops = (uintptr_t)readonly;
			ops_fault = 1;
		}
		break;
	}
	memcpy(in, ops, sizeof(ops));
	struct tt_track_batch sent = b;	/* the call writes `done` back into b */
	int where = where_to(), faulted, want, got = issue(f->fd, TT_TRACK_BATCH, &b, sizeof(b), where, &faulted);
	if (faulted)
		want = -EFAULT;
	else if (sent.argsz != sizeof(b) || sent.flags || sent.done || count < 1 || count > TT_TRACK_BATCH_MAX_OPS)
		want = -EINVAL;
	else if (ops_fault || where == 4)	/* operations or header not writable: nothing applied */
		want = -EFAULT;
	else
		want = 0;
	if (got != want) {
		fail("batch", got, want);
		return;
	}
	if (got)
		return;
	uint32_t done = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct tt_track_op *o = &in[i];
		int w;

		if (o->result || o->op > TT_TRACK_OP_FREE || (o->op == TT_TRACK_OP_FREE && (o->size || o->category)))
			w = -EINVAL;
		else if (o->op == TT_TRACK_OP_ALLOC)
			w = model_alloc(f, o->device, o->chip, o->type, o->category, o->buffer_id, o->size);
		else
			w = model_free(f, o->device, o->chip, o->type, o->buffer_id);
		done += w == 0;
		if (ops[i].result != w) {
			fail("batch operation", ops[i].result, w);
			return;
		}
	}
	if (b.done != done)
		fail("batch done", b.done, done);
}

static void op_query(struct file_model *f)
{
	struct tt_track_query_stats q = {
		.argsz = pick(20) ? sizeof(q) : pick(512),
		.flags = pick(30) ? 0 : 1,
		.device = pick(10) ? devs[pick(2)] : 99,
		.chip = pick(10) ? FIRST_CHIP + pick(CHIPS) : 64,
		.scope = pick(10) ? pick(2) : 2 + pick(5),
	};
	int where = where_to(), faulted;
	int got = issue(f->fd, TT_TRACK_QUERY_STATS, &q, sizeof(q), where, &faulted), want;

	if (faulted)
		want = -EFAULT;
	else if (q.argsz != sizeof(q) || q.flags || q.chip >= 64 || q.scope > 1)
		want = -EINVAL;
	else if (card_of(q.device) < 0)
		want = -ENODEV;
	else
		want = where == 4 ? -EFAULT : 0;	/* read-only: the reply cannot be written */
	if (got != want)
		fail("query", got, want);
}

/* Whether the module takes `cmd` as one of its commands: the same type,
 * direction and number, with a struct at least as large as the command's
 * first revision (an older or newer library's; README, "The ABI"). */
static int ours(unsigned long cmd)
{
	const struct { unsigned long cmd; unsigned first_size; } known[] = {
		{ TT_TRACK_ALLOC, sizeof(struct tt_track_alloc) }, { TT_TRACK_FREE, sizeof(struct tt_track_free) },
		{ TT_TRACK_QUERY_STATS, TT_TRACK_QUERY_STATS_SIZE_V1 },
		{ TT_TRACK_GET_INFO, sizeof(struct tt_track_get_info) }, { TT_TRACK_BATCH, sizeof(struct tt_track_batch) },
	};
	const unsigned long size_bits = (unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (((cmd ^ known[i].cmd) & ~size_bits) == 0 && _IOC_SIZE(cmd) >= known[i].first_size)
			return 1;
	return 0;
}

static void op_random_command(struct file_model *f)
{
	unsigned dir = pick(4), nr = pick(256), size = pick(1 << 14), type = pick(5) ? 0xFA : pick(256);
	unsigned long cmd = ((unsigned long)dir << 30) | ((unsigned long)size << 16) | (type << 8) | nr;
	int got = ioctl(f->fd, cmd, pick(2) ? NULL : guard) ? -errno : 0;
	int want = ours(cmd) ? -EFAULT : -ENOTTY;	/* ours: its struct is at NULL or an unmapped page */

	if (got != want)
		fail("random command", got, want);
}

/* Closing a file reclaims its entries into the leak counters. */
static void op_reopen(struct file_model *f)
{
	for (int i = 0; i < f->n; i++) {
		int d = f->e[i].card, c = chip_index(f->e[i].chip);

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
		char comm[16];

		/* Any bytes at all: the /proc lines must stay well-formed. */
		for (int i = 0; i < 15; i++)
			comm[i] = 1 + pick(255);
		comm[15] = 0;
		prctl(PR_SET_NAME, comm);
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
		_exit(proc_wellformed(devs[0]) && proc_wellformed(devs[1]) ? 0 : 3);
	}
	int st;
	close(p[1]);
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		fail("a child's comm broke a /proc line", 1, 0);
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

/* Every line of both /proc files of a device has its documented shape. */
static int proc_wellformed(uint32_t dev)
{
	char path[96], *text, *line, *save = NULL;
	int ok = 1, n = 0;

	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);
	text = read_file(path, NULL);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		char pid[16], type[16];
		unsigned chip;
		unsigned long long id, size, age;

		if (n && (sscanf(line, "%15s %u %15s 0x%llx %llu %llu", pid, &chip, type, &id, &size, &age) != 6 ||
			  strspn(pid, "0123456789-") != strlen(pid)))
			ok = 0;
	}
	free(text);
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/stats", dev);
	text = read_file(path, NULL);
	save = NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		static const char *words[] = { "tt_track ", "total ", "kernel ", "leak ", "proc " };
		int known = 0;

		for (int i = 0; i < 5; i++)
			known |= !strncmp(line, words[i], strlen(words[i]));
		ok &= known;
	}
	free(text);
	return ok;
}

/* Unbind both cards and bind them back in the other order: their ordinals
 * swap (tt-kmd gives the lowest free one), and entries must follow the cards. */
static void op_swap(void)
{
	const char *unbind = "/sys/bus/pci/drivers/tenstorrent/unbind", *bind = "/sys/bus/pci/drivers/tenstorrent/bind";
	int first = devs[0] < devs[1] ? 1 : 0;	/* the card with the higher ordinal binds first */
	struct tt_track_get_info info;

	write_file(unbind, addrs[0]);
	write_file(unbind, addrs[1]);
	write_file(bind, addrs[first]);
	write_file(bind, addrs[1 - first]);
	tt_info(files[0].fd, &info);
	for (uint32_t i = 0; i < info.device_count; i++)
		for (int c = 0; c < 2; c++)
			if (!strcmp(info.devices[i].pci_address, addrs[c]))
				devs[c] = info.devices[i].ordinal;
	swaps++;
}

/*
 * Reads a card's `allocations` in random chunks while a file is closed and
 * reopened midway: each entry of the untouched files, live for the whole
 * read, is listed exactly once (keys may repeat across files).
 */
static void op_read(void)
{
	/* Not the boundary file's card: 65,535 lines per read would dominate the run. */
	int card = heavy_fd >= 0 ? 1 : pick(2), touched = pick(FDS), fd, n = 0, bad = 0;
	size_t chunk = pick(2) ? 1 + pick(64) : 1 + pick(8192), cap = 1 << 16, len = 0;
	char path[96], *text = malloc(cap);
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", devs[card]);
	fd = open(path, O_RDONLY);
	for (int reads = 0; fd >= 0; reads++) {
		if (len + chunk + 1 > cap)
			text = realloc(text, cap = 2 * (len + chunk + 1));
		if ((r = read(fd, text + len, chunk)) <= 0)
			break;
		len += r;
		if (reads == 2)
			op_reopen(&files[touched]);
	}
	if (fd >= 0)
		close(fd);
	text[len] = 0;
	for (int f = 0; f < FDS; f++) {
		if (f == touched)
			continue;
		for (int i = 0; i < files[f].n; i++) {
			struct entry *e = &files[f].e[i];
			char want[96];
			int lines = 0, holders = 0;

			if ((int)e->card != card)
				continue;
			snprintf(want, sizeof(want), "\n%d %u %s 0x%llx %llu ", getpid(), e->chip,
				 (const char *[]){ "DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL" }[e->type],
				 (unsigned long long)e->id, (unsigned long long)e->size);
			for (const char *p = text; (p = strstr(p, want)); p++)
				lines++;
			for (int g = 0; g < FDS; g++)
				if (g != touched)
					holders += find(&files[g], card, e->chip, e->type, e->id) &&
						   find(&files[g], card, e->chip, e->type, e->id)->size == e->size;
			/* The touched file may add one more line with the same key. */
			bad += lines < holders || lines > holders + 1;
			n++;
		}
	}
	if (bad)
		fail("entries not listed exactly once in a read", bad, 0);
	free(text);
}

static void check_model(int batch)
{
	static const char *names[] = { "DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL" };

	for (int d = 0; d < 2; d++) {
		for (int ci = 0; ci < 6; ci++) {
			uint32_t chip = checked_chips[ci];
			struct tt_track_query_stats s;
			char what[96];

			if (tt_stats(files[0].fd, devs[d], chip, TT_TRACK_SCOPE_DEVICE, &s))
				continue;
			for (uint32_t t = 0; t < 7; t++) {
				unsigned long long bufs;
				unsigned long long bytes = saturated(device_bytes(d, chip, t, &bufs));
				struct proc_total pt;

				snprintf(what, sizeof(what), "batch %d card %d chip %u type %u bytes", batch, d, chip, t);
				if (s.types[t].bytes != bytes)
					fail(what, s.types[t].bytes, bytes);
				if (s.types[t].buffers != bufs)
					fail("buffers", s.types[t].buffers, bufs);
				if (proc_total(devs[d], chip, names[t], &pt) == 0 && (pt.bytes != bytes || pt.buffers != bufs))
					fail("stats file total", pt.bytes, bytes);
			}
			/* Leak counters saturate at 2^64 - 1. */
			unsigned long long lb = saturated(base[d][ci].leaked_bytes + leak_bytes[d][ci]);
			unsigned long long ln = saturated(base[d][ci].leaked_buffers + leak_bufs[d][ci]);
			if (s.leaked_bytes != lb)
				fail("leaked bytes", s.leaked_bytes, lb);
			if (s.leaked_buffers != ln)
				fail("leaked buffers", s.leaked_buffers, ln);
			/* Per file. */
			for (int f = 0; f < FDS; f++) {
				struct tt_track_query_stats fs;

				tt_stats(files[f].fd, devs[d], chip, TT_TRACK_SCOPE_FILE, &fs);
				for (uint32_t t = 0; t < 7; t++) {
					unsigned long long b = file_bytes(&files[f], d, chip, t);
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
		/* allocations: our lines, count and bytes (the boundary file's too). */
		unsigned long long bytes, lines, want_lines = 0;
		u128 want_bytes = 0;
		proc_alloc_sum(devs[d], getpid(), &bytes, &lines);
		for (int f = 0; f < FDS; f++)
			for (int i = 0; i < files[f].n; i++)
				if ((int)files[f].e[i].card == d) {
					want_bytes += files[f].e[i].size;
					want_lines++;
				}
		if (heavy_fd >= 0 && d == 0) {
			want_bytes += HEAVY_BUFS * (u128)MAX_SIZE;
			want_lines += HEAVY_BUFS;
		}
		if (bytes != (unsigned long long)want_bytes || lines != want_lines)
			fail("allocations file lines", lines, want_lines);
		if (!proc_wellformed(devs[d]))
			fail("malformed /proc lines", 1, 0);
	}
}

/* The boundary file: 2^64 - 2^48 bytes of (card 0, HEAVY_CHIP, DRAM). */
static void open_heavy(void)
{
	heavy_fd = tt_open();
	for (uint64_t i = 0; i < HEAVY_BUFS; i++)
		if (tt_alloc(heavy_fd, devs[0], HEAVY_CHIP, TT_TRACK_TYPE_DRAM, 0, i, MAX_SIZE))
			fail("boundary file alloc", i, HEAVY_BUFS);
}

static void close_heavy(void)
{
	int ci = chip_index(HEAVY_CHIP);

	close(heavy_fd);
	heavy_fd = -1;
	leak_bytes[0][ci] += HEAVY_BUFS * (u128)MAX_SIZE;
	leak_bufs[0][ci] += HEAVY_BUFS;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1, max_ops = argc > 3 ? strtoull(argv[3], NULL, 0) : ~0ull;
	int boundary = argc > 4 && !strcmp(argv[4], "boundary");
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
	struct tt_track_get_info info;
	if (tt_info(files[0].fd, &info) || info.device_count < 2) {
		printf("FAIL fuzz: needs two devices\n");
		return 1;
	}
	for (int c = 0; c < 2; c++) {
		devs[c] = info.devices[c].ordinal;
		snprintf(addrs[c], sizeof(addrs[c]), "%s", info.devices[c].pci_address);
	}
	for (int d = 0; d < 2; d++)
		for (int ci = 0; ci < 6; ci++)
			tt_stats(files[0].fd, devs[d], checked_chips[ci], TT_TRACK_SCOPE_DEVICE, &base[d][ci]);
	if (boundary)
		open_heavy();
	while (now_s() < end && ops < max_ops && !failures) {
		for (int i = 0; i < BATCH; i++, ops++) {
			struct file_model *f = &files[pick(FDS)];
			uint64_t r = pick(1000);

			if (r < 400) op_alloc(f);
			else if (r < 770) op_free(f);
			else if (r < 790) op_batch(f);
			else if (r < 890) op_query(f);
			else if (r < 950) op_random_command(f);
			else if (r < 965) op_reopen(f);
			else if (r < 980) op_fork();
			else if (r < 990) op_read();
			else if (r < 992) op_swap();
			else op_chaos();
		}
		check_model(++batch);
	}
	if (heavy_fd >= 0) {
		close_heavy();
		check_model(++batch);
	}
	if (swaps % 2)	/* the suite after us expects the cards' first ordinals */
		op_swap();
	printf("  fuzz: %d swaps of the cards' ordinals%s\n", swaps, boundary ? ", boundary file at 2^64 - 2^48" : "");
	printf("  fuzz: seed %llu, %llu operations in %d batches\n", seed, ops, batch);
	printf("%s fuzz seed %llu\n", failures ? "FAIL" : "PASS", seed);
	return failures ? 1 : 0;
}
