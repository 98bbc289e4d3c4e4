// SPDX-License-Identifier: GPL-2.0
/*
 * tt_track_test scenarios written as a hostile local user: sums at the 2^64
 * boundary, forged /proc lines through comm, readers racing closes, cards
 * swapping ordinals, orphaned files, containers peeking at the host.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tt.h"
#include "hostile.h"

#define BIG TT_TRACK_MAX_BUFFER_SIZE	/* 2^48 */
#define FULL 65535			/* FULL * BIG = 2^64 - 2^48 */
#define U64_MAX 18446744073709551615ull

/* The ordinal of the i-th attached device. */
static uint32_t device(int fd, int i)
{
	uint32_t devs[8];

	if (tt_devices(fd, devs, 8) <= i) {
		CHECK(0, "device %d is not attached", i);
		exit(1);
	}
	return devs[i];
}

/* n allocations of `size` with ids first..first+n-1; returns how many succeeded. */
static int fill(int fd, uint32_t dev, uint32_t chip, uint32_t type, uint32_t cat, uint64_t first, int n,
		uint64_t size)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += tt_alloc(fd, dev, chip, type, cat, first + i, size) == 0;
	return ok;
}

/* Whether the kernel log has a line containing `needle`. Reads /dev/kmsg
 * itself: a process that unshared its PID namespace may not fork any more. */
static int kmsg_has(const char *needle)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), found = 0;
	char record[2048];
	ssize_t r;

	while (fd >= 0 && !found && (r = read(fd, record, sizeof(record) - 1)) != 0) {
		if (r < 0 && errno == EPIPE)	/* overwritten while reading: go on */
			continue;
		if (r < 0)
			break;
		/* /dev/kmsg writes non-printable bytes and backslashes as \xNN. */
		char text[sizeof(record)];
		size_t n = 0;
		unsigned byte;
		record[r] = 0;
		for (char *p = record; *p; n++)
			if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &byte) == 1) {
				text[n] = byte;
				p += 4;
			} else {
				text[n] = *p++;
			}
		text[n] = 0;
		found = strstr(text, needle) != NULL;
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/*
 * Sums at 2^64: one file whose types and chips each hold nearly 2^64 bytes,
 * closed (the per-file and per-device folds of its leak); a second file
 * pushing a device total past 2^64 (ERANGE at the exact boundary); leak
 * counters saturating instead of wrapping.
 */
void overflow(void)
{
	int fa = tt_open(), fb = tt_open();
	uint32_t dev = device(fa, 1);
	struct tt_track_query_stats before, after, s;
	unsigned long long lb, ln, lt[7];
	char needle[128];

	CHECK_EQ(fill(fa, dev, 40, TT_TRACK_TYPE_DRAM, 0, 0, FULL, BIG), FULL);
	CHECK_EQ(fill(fa, dev, 40, TT_TRACK_TYPE_L1, 0, 0, 1, BIG), 1);
	CHECK_EQ(fill(fa, dev, 41, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_FABRIC, 0, FULL, BIG), FULL);
	CHECK_EQ(tt_stats(fa, dev, 40, TT_TRACK_SCOPE_FILE, &s), 0);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].bytes, FULL * BIG);
	CHECK_EQ(s.types[TT_TRACK_TYPE_L1].bytes, BIG);

	/* The device total of (dev, 40, DRAM) is 2^64 - 2^48: 2^48 more is one byte too many. */
	tt_stats(fb, dev, 40, TT_TRACK_SCOPE_DEVICE, &before);
	CHECK_EQ(-tt_alloc(fb, dev, 40, TT_TRACK_TYPE_DRAM, 0, 1, BIG), ERANGE);
	tt_stats(fb, dev, 40, TT_TRACK_SCOPE_DEVICE, &after);
	CHECK(!memcmp(&before, &after, sizeof(after)), "a refused ALLOC changed the device");
	tt_stats(fb, dev, 40, TT_TRACK_SCOPE_FILE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].buffers, 0);
	CHECK_EQ(tt_alloc(fb, dev, 40, TT_TRACK_TYPE_DRAM, 0, 1, BIG - 1), 0);	/* exactly 2^64 - 1 */
	CHECK_EQ(-tt_alloc(fb, dev, 40, TT_TRACK_TYPE_DRAM, 0, 2, 1), ERANGE);
	tt_stats(fb, dev, 40, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].bytes, U64_MAX);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].buffers, FULL + 1);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].peak_bytes, U64_MAX);
	struct proc_total pt;
	CHECK_EQ(proc_total(dev, 40, "DRAM", &pt), 0);
	CHECK_EQ(pt.bytes, U64_MAX);
	/* A KERNEL category is bounded by its type: the same boundary. */
	CHECK_EQ(-tt_alloc(fb, dev, 41, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_DISPATCH, 1, BIG), ERANGE);

	/* Close the first file: 2^64 bytes on chip 40, 2^64 - 2^48 on chip 41. */
	proc_leak(dev, 40, &lb, &ln, lt);
	CHECK_EQ(lb, 0);
	close(fa);
	tt_stats(fb, dev, 40, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].bytes, BIG - 1);
	CHECK_EQ(s.types[TT_TRACK_TYPE_L1].bytes, 0);
	CHECK_EQ(s.leaked_bytes, U64_MAX);	/* 2^64 saturates */
	CHECK_EQ(s.leaked_buffers, FULL + 1);
	/* Per type, each exact. */
	CHECK_EQ(s.leaked[TT_TRACK_TYPE_DRAM].bytes, FULL * BIG);
	CHECK_EQ(s.leaked[TT_TRACK_TYPE_DRAM].buffers, FULL);
	CHECK_EQ(s.leaked[TT_TRACK_TYPE_L1].bytes, BIG);
	CHECK_EQ(s.leaked[TT_TRACK_TYPE_L1].buffers, 1);
	tt_stats(fb, dev, 41, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_KERNEL].bytes, 0);
	CHECK_EQ(s.kernel[TT_TRACK_KERNEL_FABRIC].bytes, 0);
	CHECK_EQ(s.leaked_bytes, FULL * BIG);
	CHECK_EQ(s.leaked[TT_TRACK_TYPE_KERNEL].bytes, FULL * BIG);
	CHECK_EQ(s.leaked[TT_TRACK_TYPE_DRAM].bytes, 0);
	/* The warning prints the exact sum over chips: 2^65 - 2^48. */
	snprintf(needle, sizeof(needle), "closed with %d live buffers, 36893206672442392576 bytes", 2 * FULL + 1);
	CHECK(kmsg_has(needle), "no leak warning with the exact sum (%s)", needle);
	/* A counter at its maximum stays there. */
	close(fb);
	CHECK_EQ(proc_leak(dev, 40, &lb, &ln, lt), 0);
	CHECK_EQ(lb, U64_MAX);
	CHECK_EQ(ln, FULL + 2);
	CHECK_EQ(lt[TT_TRACK_TYPE_DRAM], U64_MAX);	/* 2^64 - 2^48 and then 2^48 - 1: exactly the maximum */
	CHECK_EQ(lt[TT_TRACK_TYPE_L1], BIG);
}

/* Octal escape of a comm as /proc shows it: \ooo for \, controls and bytes >= 0x7f,
 * and a comm of just "-" (which /proc uses for "no comm"). */
static void escape(const char *in, char *out)
{
	if (!strcmp(in, "-")) {
		strcpy(out, "\\055");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		out += (*p < 0x20 || *p >= 0x7f || *p == '\\') ? sprintf(out, "\\%03o", *p) : sprintf(out, "%c", *p);
	*out = 0;
}

/* Every line of `allocations` has the documented shape: no forged lines. */
static int allocation_lines_wellformed(uint32_t dev, int *lines)
{
	char path[96], *text, *line, *save = NULL;
	int ok = 1;

	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);
	text = read_file(path, NULL);
	*lines = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), (*lines)++) {
		char pid[16], type[32], rest[64];
		unsigned chip;
		unsigned long long id, size, age;

		if (*lines == 0)
			continue;
		if (sscanf(line, "%15s %u %31s 0x%llx %llu %llu %63[^\n]", pid, &chip, type, &id, &size, &age, rest) < 6 ||
		    strspn(pid, "0123456789-") != strlen(pid)) {
			printf("  malformed allocations line: %s\n", line);
			ok = 0;
		}
	}
	free(text);
	return ok;
}

/*
 * Hostile comms: newlines that would add a `leak` line or an allocation
 * entry, backslashes, control and non-UTF-8 bytes. Each entry stays one line
 * and every byte survives, escaped as /proc/PID/status does.
 */
void comm(void)
{
	static const char *names[] = { "x\nleak 0 999 9", "\n9 0 L1 0x9 9 9", "back\\slash", "\xff\xfe" "bin\x01\x7f",
				       "tab\there", "-" };
	const int n = sizeof(names) / sizeof(names[0]);
	int fd = tt_open(), ready[2], go[2], lines;
	uint32_t dev = device(fd, 1);	/* leak warnings are rate-limited per device */
	char spath[96], apath[96];

	snprintf(spath, sizeof(spath), "/proc/driver/tenstorrent/%u/stats", dev);
	snprintf(apath, sizeof(apath), "/proc/driver/tenstorrent/%u/allocations", dev);
	pid_t pids[8];

	if (pipe(ready) || pipe(go))
		exit(2);
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c;

			prctl(PR_SET_NAME, names[i]);
			int cfd = tt_open();
			if (tt_alloc(cfd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 0xc0 + i, 4096))
				_exit(3);
			write(ready[1], "r", 1);
			read(go[0], &c, 1);
			_exit(0);
		}
	}
	for (int i = 0; i < n; i++) {
		char c;
		CHECK_EQ(read(ready[0], &c, 1), 1);
	}
	CHECK(allocation_lines_wellformed(dev, &lines), "forged allocations lines");
	char *stats = read_file(spath, NULL);
	CHECK(stats && !strstr(stats, "\nleak 0 999 9"), "a comm forged a leak line");
	for (int i = 0; i < n; i++) {
		char want[160], esc[80];
		unsigned long long b[7], bufs;

		escape(names[i], esc);
		snprintf(want, sizeof(want), "\nproc %d 0 4096 0 0 0 0 0 0 1 %s\n", pids[i], esc);
		CHECK(stats && strstr(stats, want), "no escaped proc line for comm %d (%s)", i, esc);
		CHECK_EQ(proc_process(dev, pids[i], 0, b, &bufs), 0);
		CHECK_EQ(bufs, 1);
		char *allocs = read_file(apath, NULL);
		snprintf(want, sizeof(want), "\n%d 0 DRAM 0x%x 4096 ", pids[i], 0xc0 + i);
		char *at = allocs ? strstr(allocs, want) : NULL;
		char *eol = at ? strchr(at + 1, '\n') : NULL;
		CHECK(at && eol && eol - strlen(esc) > at && !strncmp(eol - strlen(esc), esc, strlen(esc)),
		      "allocation line of comm %d does not end in %s", i, esc);
		free(allocs);
	}
	free(stats);
	/* Closed with a live entry: the kernel log line is escaped too. */
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++) {
		char want[160], esc[80];

		waitpid(pids[i], NULL, 0);
		escape(names[i], esc);
		snprintf(want, sizeof(want), "pid %d (%s) closed with 1 live buffers", pids[i], esc);
		CHECK(kmsg_has(want), "no escaped leak warning: %s", want);
	}
	close(fd);
}

/* Reads a whole /proc file `chunk` bytes per read(); stops after `stop_after`
 * lines if non-zero (leaving the file open in *fdp). */
static char *read_chunks(const char *path, size_t chunk, int *fdp, int stop_after)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap), *tmp = malloc(chunk);
	int fd = *fdp >= 0 ? *fdp : open(path, O_RDONLY), lines = 0;
	ssize_t r;

	*fdp = fd;
	while ((r = read(fd, tmp, chunk)) > 0) {
		if (n + r + 1 > cap)
			buf = realloc(buf, cap = 2 * (n + r + 1));
		memcpy(buf + n, tmp, r);
		for (ssize_t i = 0; i < r; i++)
			lines += tmp[i] == '\n';
		n += r;
		if (stop_after && lines >= stop_after && buf[n - 1] == '\n')
			break;
	}
	buf[n] = 0;
	free(tmp);
	return buf;
}

/* Lines of `text` equal to "PID ... 0xID ..." for this pid and id. */
static int count_entry(const char *text, int pid, uint64_t id)
{
	char want[64];
	int n = 0;

	snprintf(want, sizeof(want), "\n%d 0 DRAM 0x%llx ", pid, (unsigned long long)id);
	for (const char *p = text; (p = strstr(p, want)); p++)
		n++;
	return n;
}

static int count_substr(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A process holding `n` DRAM entries (ids first..) on chip 0 and one on each
 * further chip below `chips`; returns once they are live. */
static pid_t holder(uint32_t dev, uint64_t first, int n, uint32_t chips, int ready[2])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = tt_open();

		for (int i = 0; i < n; i++)
			if (tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, first + i, 100))
				_exit(3);
		for (uint32_t chip = 1; chip < chips; chip++)
			if (tt_alloc(fd, dev, chip, TT_TRACK_TYPE_DRAM, 0, first, 100))
				_exit(3);
		write(ready[1], "r", 1);
		pause();
		_exit(0);
	}
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A churning process: opens, allocates, frees and closes files until killed. */
static pid_t churner(uint32_t dev, int seed)
{
	pid_t pid = fork();

	if (pid == 0) {
		uint64_t rng = seed * 7919 + 1;

		for (;;) {
			int fd = tt_open(), n = 1 + xorshift(&rng) % 20;

			for (int i = 0; i < n; i++)
				tt_alloc(fd, dev, xorshift(&rng) % 2, TT_TRACK_TYPE_DRAM, 0, xorshift(&rng) % 4096, 64);
			for (int i = 0; i < n / 2; i++)
				tt_free(fd, dev, 0, TT_TRACK_TYPE_DRAM, xorshift(&rng) % 4096);
			close(fd);
		}
	}
	return pid;
}

/* No line of `text` appears twice (each entry has a unique pid/chip/type/id). */
static int no_duplicate_lines(char *text)
{
	int count = 0, dups = 0;
	char **lines = NULL, *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines = realloc(lines, (count + 1) * sizeof(*lines));
		lines[count++] = l;
	}
	qsort(lines, count, sizeof(*lines), (int (*)(const void *, const void *))strcmp);
	for (int i = 1; i < count; i++)
		dups += !strcmp(lines[i - 1], lines[i]) && strncmp(lines[i], "-", 1);
	free(lines);
	return dups == 0;
}

/*
 * One full read (read() until 0) lists every entry live for the whole read
 * exactly once, at any read size, while other files open, close, allocate and
 * free; a read after EOF returns 0.
 */
void readers(void)
{
	int fd = tt_open(), p[2], rfd;
	uint32_t dev = device(fd, 0);
	char path[96], spath[96], *text;
	pid_t x, y;

	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);
	snprintf(spath, sizeof(spath), "/proc/driver/tenstorrent/%u/stats", dev);
	if (pipe(p))
		exit(2);
	/* (b) allocations: the reader sits in X's entries when X closes; Y (opened later) must not lose any. */
	x = holder(dev, 1000, 10, 1, p);
	y = holder(dev, 0, 50, 1, p);
	rfd = -1;
	text = read_chunks(path, 1, &rfd, 2);	/* the header and X's first entry */
	CHECK_EQ(count_entry(text, x, 1000), 1);
	free(text);
	reap(x);
	text = read_chunks(path, 1, &rfd, 0);
	int seen = 0;
	for (int i = 0; i < 50; i++)
		seen += count_entry(text, y, i) == 1;
	CHECK(seen == 50, "allocations: %d of Y's 50 entries listed after X closed mid-read", seen);
	free(text);
	/* (a) after EOF, read() returns 0 even when entries were added meanwhile. */
	int extra = tt_open();
	CHECK_EQ(fill(extra, dev, 0, TT_TRACK_TYPE_DRAM, 0, 7000, 5, 100), 5);
	char c;
	CHECK_EQ(read(rfd, &c, 1), 0);
	close(rfd);
	close(extra);
	reap(y);

	/* (b) stats: the reader sits in X's proc lines (chips 0-2) when X closes. */
	x = holder(dev, 0, 1, 3, p);
	y = holder(dev, 0, 1, 1, p);
	char xline[64], yline[64];
	snprintf(xline, sizeof(xline), "proc %d 0 ", x);
	snprintf(yline, sizeof(yline), "\nproc %d 0 ", y);
	rfd = -1;
	text = read_chunks(spath, 4096, &rfd, 0);
	int upto = 0;	/* lines up to and including X's chip-0 line */
	for (char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		upto++;
		if (!strncmp(l, xline, strlen(xline)))
			break;
	}
	free(text);
	close(rfd);
	rfd = -1;
	text = read_chunks(spath, 1, &rfd, upto);
	free(text);
	reap(x);
	text = read_chunks(spath, 1, &rfd, 0);
	CHECK(strstr(text, yline + 1) != NULL, "stats: Y's proc line skipped after X closed mid-read");
	free(text);
	close(rfd);
	reap(y);

	/* Exactly once under churn, at read sizes 1, 4093 and 1 MiB. */
	pid_t s1 = holder(dev, 0, 300, 2, p);
	pid_t churn[2] = { churner(dev, 1), churner(dev, 2) };
	usleep(100000);
	pid_t s2 = holder(dev, 10000, 300, 2, p);
	const size_t sizes[] = { 1, 4093, 1 << 20 };
	for (int round = 0; round < 6; round++) {
		size_t chunk = sizes[round % 3];

		rfd = -1;
		text = read_chunks(path, chunk, &rfd, 0);
		int once = 0;
		for (int i = 0; i < 300; i++)
			once += (count_entry(text, s1, i) == 1) + (count_entry(text, s2, 10000 + i) == 1);
		CHECK(once == 600, "allocations, %zu-byte reads: %d of 600 stable entries listed once", chunk, once);
		CHECK(no_duplicate_lines(text), "allocations, %zu-byte reads: a line listed twice", chunk);
		free(text);
		close(rfd);
		rfd = -1;
		text = read_chunks(spath, chunk, &rfd, 0);
		char l1[64], l2[64];
		snprintf(l1, sizeof(l1), "\nproc %d 0 30000 ", s1);
		snprintf(l2, sizeof(l2), "\nproc %d 1 100 ", s2);
		CHECK(count_substr(text, l1) == 1 && count_substr(text, l2) == 1,
		      "stats, %zu-byte reads: stable proc lines not listed once", chunk);
		free(text);
		close(rfd);
	}
	reap(churn[0]);
	reap(churn[1]);
	reap(s1);
	reap(s2);
	close(fd);
}

static int info_index(struct tt_track_get_info *info, const char *addr)
{
	for (uint32_t i = 0; i < info->device_count; i++)
		if (!strcmp(info->devices[i].pci_address, addr))
			return i;
	return -1;
}

/* Live entries follow their card when unbind/bind swaps the ordinals. */
void reorder(void)
{
	int fd = tt_open();
	struct tt_track_get_info info;
	struct tt_track_query_stats s;
	char a[32], b[32];
	const char *unbind = "/sys/bus/pci/drivers/tenstorrent/unbind", *bind = "/sys/bus/pci/drivers/tenstorrent/bind";

	CHECK_EQ(tt_info(fd, &info), 0);
	/* Card A has ordinal 0, card B ordinal 1. */
	a[0] = b[0] = 0;
	for (uint32_t i = 0; i < info.device_count; i++)
		if (info.devices[i].ordinal < 2)
			snprintf(info.devices[i].ordinal ? b : a, sizeof(a), "%s", info.devices[i].pci_address);
	CHECK(a[0] && b[0], "needs cards with ordinals 0 and 1");
	CHECK_EQ(tt_alloc(fd, 0, 0, TT_TRACK_TYPE_DRAM, 0, 0x77, 1000), 0);	/* on A */
	CHECK_EQ(tt_alloc(fd, 1, 0, TT_TRACK_TYPE_L1, 0, 0x88, 2000), 0);	/* on B */
	write_file(unbind, a);
	write_file(unbind, b);
	CHECK_EQ(write_file(bind, b), 0);	/* B takes ordinal 0 */
	CHECK_EQ(write_file(bind, a), 0);
	tt_info(fd, &info);
	CHECK(info_index(&info, a) >= 0 && info.devices[info_index(&info, a)].ordinal == 1, "A is not ordinal 1");

	unsigned long long bytes, lines;
	proc_alloc_sum(1, getpid(), &bytes, &lines);
	CHECK(bytes == 1000 && lines == 1, "A's entry not in ordinal 1's allocations (%llu bytes)", bytes);
	proc_alloc_sum(0, getpid(), &bytes, &lines);
	CHECK(bytes == 2000 && lines == 1, "B's entry not in ordinal 0's allocations (%llu bytes)", bytes);
	tt_stats(fd, 1, 0, TT_TRACK_SCOPE_FILE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].bytes, 1000);
	/* B (ordinal 0) has no DRAM entry 0x77: a new one, not EEXIST; a FREE there frees it, not A's. */
	CHECK_EQ(tt_alloc(fd, 0, 0, TT_TRACK_TYPE_DRAM, 0, 0x77, 3000), 0);
	CHECK_EQ(tt_free(fd, 0, 0, TT_TRACK_TYPE_DRAM, 0x77), 0);
	CHECK_EQ(-tt_free(fd, 0, 0, TT_TRACK_TYPE_DRAM, 0x77), ENOENT);
	tt_stats(fd, 1, 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].bytes, 1000);
	tt_stats(fd, 0, 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_DRAM].bytes, 0);
	CHECK_EQ(tt_free(fd, 1, 0, TT_TRACK_TYPE_DRAM, 0x77), 0);
	CHECK_EQ(tt_free(fd, 0, 0, TT_TRACK_TYPE_L1, 0x88), 0);
	tt_stats(fd, 0, 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[TT_TRACK_TYPE_L1].bytes, 0);
	/* Back to the original order for the scenarios that follow. */
	write_file(unbind, a);
	write_file(unbind, b);
	write_file(bind, a);
	write_file(bind, b);
	close(fd);
}

/* The opener exited, a forked child keeps the file: no live process is blamed. */
void orphan(void)
{
	int fd = tt_open(), p[2];
	uint32_t dev = device(fd, 0);
	pid_t opener, child;
	char want[64];

	if (pipe(p) || prctl(PR_SET_CHILD_SUBREAPER, 1))
		exit(2);
	opener = fork();
	if (opener == 0) {
		int ofd = tt_open();

		tt_alloc(ofd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 0x0ffa, 4096);
		if (fork() == 0) {
			pid_t me = getpid();
			write(p[1], &me, sizeof(me));
			pause();
			_exit(0);
		}
		_exit(0);
	}
	CHECK_EQ(read(p[0], &child, sizeof(child)), sizeof(child));
	waitpid(opener, NULL, 0);
	/* The opener's number is free now: it must not be shown. */
	char *text = read_file("/proc/driver/tenstorrent/0/allocations", NULL);
	snprintf(want, sizeof(want), "\n%d 0 DRAM 0xffa ", opener);
	CHECK(text && !strstr(text, want), "the dead opener %d is blamed", opener);
	CHECK(text && strstr(text, "\n- 0 DRAM 0xffa 4096 "), "the orphaned entry is not shown as '-'");
	free(text);
	text = read_file("/proc/driver/tenstorrent/0/stats", NULL);
	snprintf(want, sizeof(want), "\nproc %d ", opener);
	CHECK(text && !strstr(text, want), "stats blames the dead opener");
	free(text);
	reap(child);
	close(fd);
}

/* File-scope QUERY_STATS fills each KERNEL category's peak. */
void kpeak(void)
{
	int fd = tt_open();
	uint32_t dev = device(fd, 0);
	struct tt_track_query_stats s;

	CHECK_EQ(tt_alloc(fd, dev, 6, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_DISPATCH, 1, 1000), 0);
	CHECK_EQ(tt_alloc(fd, dev, 6, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_FABRIC, 2, 50), 0);
	CHECK_EQ(tt_free(fd, dev, 6, TT_TRACK_TYPE_KERNEL, 1), 0);
	CHECK_EQ(tt_alloc(fd, dev, 6, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_DISPATCH, 3, 300), 0);
	CHECK_EQ(tt_stats(fd, dev, 6, TT_TRACK_SCOPE_FILE, &s), 0);
	CHECK_EQ(s.kernel[TT_TRACK_KERNEL_DISPATCH].bytes, 300);
	CHECK_EQ(s.kernel[TT_TRACK_KERNEL_DISPATCH].peak_bytes, 1000);
	CHECK_EQ(s.kernel[TT_TRACK_KERNEL_FABRIC].peak_bytes, 50);
	CHECK_EQ(s.kernel[TT_TRACK_KERNEL_APPLICATION].peak_bytes, 0);
	CHECK_EQ(s.types[TT_TRACK_TYPE_KERNEL].peak_bytes, 1050);
	tt_free(fd, dev, 6, TT_TRACK_TYPE_KERNEL, 2);
	tt_free(fd, dev, 6, TT_TRACK_TYPE_KERNEL, 3);
	close(fd);
}

/*
 * A reader in a child PID namespace sees its own processes one by one; the
 * rest of the host is one `proc -` line per chip, so totals still add up.
 * A leak warning names the global pid, whoever closes the file.
 */
void nsview(void)
{
	int fd = tt_open(), ready[2], go[2];
	uint32_t dev = device(fd, 0);
	pid_t child;

	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 0xaaaa, 111), 0);
	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_L1, 0, 0xaaab, 222), 0);
	if (pipe(ready) || pipe(go) || unshare(CLONE_NEWPID)) {
		CHECK(0, "setup: %s", strerror(errno));
		return;
	}
	child = fork();
	if (child == 0) {	/* pid 1 of the new namespace */
		prctl(PR_SET_NAME, "nsleak");
		int cfd = tt_open();
		char c;
		unsigned long long bytes, lines, b[7], n;

		CHECK_EQ(tt_alloc(cfd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 0xbbbb, 333), 0);
		char *text = read_file("/proc/driver/tenstorrent/0/allocations", NULL);
		CHECK(text && !strstr(text, "0xaaaa") && !strstr(text, "0xaaab"), "inside: a host entry is listed");
		CHECK(text && strstr(text, "\n1 0 DRAM 0xbbbb 333 "), "inside: own entry missing");
		free(text);
		/* The host's files: one line, no comm. */
		CHECK_EQ(proc_alloc_sum(dev, 1, &bytes, &lines), 0);
		CHECK_EQ(bytes, 333);
		text = read_file("/proc/driver/tenstorrent/0/stats", NULL);
		CHECK(text && strstr(text, "\nproc - 0 "), "inside: no 'proc -' line");
		CHECK(text && !strstr(text, "tt_track_test") , "inside: a host comm is shown");
		free(text);
		/* proc lines of chip 0 add up to the totals. */
		struct proc_total dram, l1;
		proc_total(dev, 0, "DRAM", &dram);
		proc_total(dev, 0, "L1", &l1);
		unsigned long long sum_dram = 0, sum_l1 = 0;
		text = read_file("/proc/driver/tenstorrent/0/stats", NULL);
		char *save = NULL;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char p[16];
			unsigned chip;
			if (sscanf(l, "proc %15s %u %llu %llu %llu %llu %llu %llu %llu %llu", p, &chip, &b[0], &b[1],
				   &b[2], &b[3], &b[4], &b[5], &b[6], &n) == 10 && chip == 0) {
				sum_dram += b[0];
				sum_l1 += b[1];
			}
		}
		free(text);
		CHECK_EQ(sum_dram, dram.bytes);
		CHECK_EQ(sum_l1, l1.bytes);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(failures);	/* closes with a live entry */
	}
	char c, want[64];
	CHECK_EQ(read(ready[0], &c, 1), 1);
	write(go[1], "g", 1);
	int st;
	waitpid(child, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "namespace child status %d", st);
	snprintf(want, sizeof(want), "pid %d (nsleak) closed with 1 live buffers", child);
	CHECK(kmsg_has(want), "leak warning without the global pid: %s", want);
	tt_free(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0xaaaa);
	tt_free(fd, dev, 0, TT_TRACK_TYPE_L1, 0xaaab);
	close(fd);
}

/* memory.current of the cgroup this process is in. */
static long long memcg_current(void)
{
	char path[256], *text = read_file("/proc/self/cgroup", NULL), *rel;

	if (!text || !(rel = strstr(text, "0::")))
		return -1;
	rel += 3;
	rel[strcspn(rel, "\n")] = 0;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.current", rel);
	free(text);
	text = read_file(path, NULL);
	long long v = text ? atoll(text) : -1;
	free(text);
	return v;
}

static long long open_many(const char *path, int n, int *fds)
{
	long long before = memcg_current();

	for (int i = 0; i < n; i++)
		fds[i] = open(path, O_RDWR);
	return memcg_current() - before;
}

/* Run inside a memory cgroup: each open file's state is charged to it. */
void memcharge(void)
{
	enum { N = 8000 };
	static int fds[N];
	struct rlimit rl = { N + 64, N + 64 };

	setrlimit(RLIMIT_NOFILE, &rl);
	long long null = open_many("/dev/null", N, fds);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	long long tt = open_many(TT_TRACK_DEVICE_PATH, N, fds);
	for (int i = 0; i < N; i++)
		CHECK(fds[i] >= 0, "open %d failed", i);
	printf("  memcharge: %lld bytes per /dev/null open, %lld per tt_track open\n", null / N, tt / N);
	CHECK(tt - null >= 128LL * N, "a tt_track file charges only %lld bytes more than /dev/null", (tt - null) / N);
	for (int i = 0; i < N; i++)
		close(fds[i]);
}
