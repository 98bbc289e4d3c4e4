// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of tt_track.ko: `tt_track_test <scenario>` runs one scenario
 * and prints `PASS <scenario>` or `FAIL <scenario>`; exit status 0 on pass.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tt.h"
#include "hostile.h"

static const char *type_names[] = { "DRAM", "L1", "SYSTEM_MEMORY", "L1_SMALL", "TRACE", "CB", "KERNEL" };

static uint32_t devs[8];
static int ndevs;

static void need_devices(int fd, int n)
{
	ndevs = tt_devices(fd, devs, 8);
	CHECK(ndevs >= n, "%d devices attached, need %d", ndevs, n);
	if (ndevs < n)
		exit(1);
}

/* Everything observable about one chip, to prove an error changed nothing. */
struct snapshot {
	struct tt_track_query_stats dev, file;
	char *allocations, *stats;
};

static void snap(int fd, uint32_t dev, struct snapshot *s)
{
	char path[96];

	tt_stats(fd, dev, 0, TT_TRACK_SCOPE_DEVICE, &s->dev);
	tt_stats(fd, dev, 0, TT_TRACK_SCOPE_FILE, &s->file);
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);
	s->allocations = read_file(path, NULL);
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/stats", dev);
	s->stats = read_file(path, NULL);
}

/* Ages in `allocations` may tick between snapshots: compare all but that column. */
static char *strip_ages(const char *text)
{
	char *copy = strdup(text), *out = calloc(1, 2 * strlen(text) + 64), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char pid[16], t[32], comm[64] = "";
		unsigned c;
		unsigned long long id, size, age;

		if (sscanf(line, "%15s %u %31s %llx %llu %llu %63[^\n]", pid, &c, t, &id, &size, &age, comm) >= 6)
			sprintf(out + strlen(out), "%s %u %s %llx %llu %s\n", pid, c, t, id, size, comm);
		else
			sprintf(out + strlen(out), "%.100s\n", line);
	}
	free(copy);
	return out;
}

static void check_unchanged(int fd, uint32_t dev, struct snapshot *before, const char *what)
{
	struct snapshot after;

	snap(fd, dev, &after);
	CHECK(!memcmp(&before->dev, &after.dev, sizeof(after.dev)), "device stats changed by %s", what);
	CHECK(!memcmp(&before->file, &after.file, sizeof(after.file)), "file stats changed by %s", what);
	CHECK(before->stats && after.stats && !strcmp(before->stats, after.stats), "stats file changed by %s", what);
	CHECK(before->allocations && after.allocations &&
	      !strcmp(strip_ages(before->allocations), strip_ages(after.allocations)),
	      "allocations file changed by %s", what);
}

/* Alloc / free / query round trips for every type on every device. */
static void roundtrip(void)
{
	int fd = tt_open(), pid = getpid();

	need_devices(fd, 2);
	for (int d = 0; d < ndevs; d++) {
		for (uint32_t type = 0; type < TT_TRACK_TYPE_COUNT; type++) {
			uint32_t cat = type == TT_TRACK_TYPE_KERNEL ? TT_TRACK_KERNEL_DISPATCH : 0;
			uint64_t size = 4096 * (type + 1) + d, id = 0x1000 + type;
			struct tt_track_query_stats before, s, f;
			struct proc_total pt, pt0;
			unsigned long long bytes, lines, pb[7], pn;

			tt_stats(fd, devs[d], 0, TT_TRACK_SCOPE_DEVICE, &before);
			proc_total(devs[d], 0, type_names[type], &pt0);
			CHECK_EQ(tt_alloc(fd, devs[d], 0, type, cat, id, size), 0);
			CHECK_EQ(tt_stats(fd, devs[d], 0, TT_TRACK_SCOPE_DEVICE, &s), 0);
			CHECK_EQ(s.types[type].bytes, before.types[type].bytes + size);
			CHECK_EQ(s.types[type].buffers, before.types[type].buffers + 1);
			CHECK(s.types[type].peak_bytes >= s.types[type].bytes, "peak below live");
			if (type == TT_TRACK_TYPE_KERNEL)
				CHECK_EQ(s.kernel[cat].bytes, before.kernel[cat].bytes + size);
			CHECK_EQ(tt_stats(fd, devs[d], 0, TT_TRACK_SCOPE_FILE, &f), 0);
			CHECK_EQ(f.types[type].bytes, size);
			CHECK_EQ(f.types[type].buffers, 1);
			CHECK_EQ(proc_total(devs[d], 0, type_names[type], &pt), 0);
			CHECK_EQ(pt.bytes, pt0.bytes + size);
			CHECK_EQ(pt.buffers, pt0.buffers + 1);
			proc_alloc_sum(devs[d], pid, &bytes, &lines);
			CHECK_EQ(bytes, size);
			CHECK_EQ(lines, 1);
			CHECK_EQ(proc_process(devs[d], pid, 0, pb, &pn), 0);
			CHECK_EQ(pb[type], size);
			CHECK_EQ(pn, 1);

			CHECK_EQ(tt_free(fd, devs[d], 0, type, id), 0);
			CHECK_EQ(tt_stats(fd, devs[d], 0, TT_TRACK_SCOPE_DEVICE, &s), 0);
			CHECK_EQ(s.types[type].bytes, before.types[type].bytes);
			CHECK_EQ(s.types[type].buffers, before.types[type].buffers);
			proc_alloc_sum(devs[d], pid, &bytes, &lines);
			CHECK_EQ(lines, 0);
			CHECK(proc_process(devs[d], pid, 0, pb, &pn) < 0, "proc line left after free");
		}
		/* A chip behind the PCI one is counted on its own. */
		struct tt_track_query_stats c0, c3;
		CHECK_EQ(tt_alloc(fd, devs[d], 3, TT_TRACK_TYPE_DRAM, 0, 1, 1000), 0);
		tt_stats(fd, devs[d], 0, TT_TRACK_SCOPE_FILE, &c0);
		tt_stats(fd, devs[d], 3, TT_TRACK_SCOPE_FILE, &c3);
		CHECK_EQ(c0.types[0].bytes, 0);
		CHECK_EQ(c3.types[0].bytes, 1000);
		struct proc_total pt3;
		CHECK_EQ(proc_total(devs[d], 3, "DRAM", &pt3), 0);
		CHECK_EQ(pt3.bytes, 1000);
		CHECK_EQ(tt_free(fd, devs[d], 3, TT_TRACK_TYPE_DRAM, 1), 0);
	}
	struct tt_track_get_info info;
	CHECK_EQ(tt_info(fd, &info), 0);
	CHECK_EQ(info.abi_version, TT_TRACK_ABI_VERSION);
	for (uint32_t i = 0; i < info.device_count; i++) {
		CHECK(info.devices[i].pci_address[0] != 0, "no PCI address");
		CHECK(info.devices[i].chips_seen & (1 << 3), "chip 3 not listed as seen");
	}
	close(fd);
}

static int raw_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Every documented error, each leaving all state exactly as it was. */
static void errors(void)
{
	int fd = tt_open();
	struct snapshot before;
	uint32_t dev;

	need_devices(fd, 1);
	dev = devs[0];
	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 7, 100), 0);
	snap(fd, dev, &before);

#define EXPECT(call, err, what) do { CHECK_EQ(-(call), err); check_unchanged(fd, dev, &before, what); } while (0)
	EXPECT(tt_alloc(fd, dev, 0, 7, 0, 8, 100), EINVAL, "unknown type");
	EXPECT(tt_alloc(fd, dev, 0, 0xffffffff, 0, 8, 100), EINVAL, "huge type");
	EXPECT(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 8, 0), EINVAL, "size 0");
	EXPECT(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 8, TT_TRACK_MAX_BUFFER_SIZE + 1), EINVAL, "size too big");
	EXPECT(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 1, 8, 100), EINVAL, "category on DRAM");
	EXPECT(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_KERNEL, 3, 8, 100), EINVAL, "unknown category");
	EXPECT(tt_alloc(fd, dev, TT_TRACK_MAX_CHIPS, TT_TRACK_TYPE_DRAM, 0, 8, 100), EINVAL, "chip out of range");
	{
		struct tt_track_alloc a = { .argsz = sizeof(a), .flags = 1, .device = dev, .size = 1, .buffer_id = 9 };
		EXPECT(raw_ioctl(fd, TT_TRACK_ALLOC, &a), EINVAL, "unknown flag");
		a.flags = 0; a.argsz = sizeof(a) - 8;
		EXPECT(raw_ioctl(fd, TT_TRACK_ALLOC, &a), EINVAL, "short argsz");
		a.argsz = sizeof(a) + 8;
		EXPECT(raw_ioctl(fd, TT_TRACK_ALLOC, &a), EINVAL, "long argsz");
	}
	{
		struct tt_track_free f = { .argsz = sizeof(f), .device = dev, .buffer_id = 7, .reserved = 1 };
		EXPECT(raw_ioctl(fd, TT_TRACK_FREE, &f), EINVAL, "reserved field");
		f.reserved = 0; f.flags = 0x80000000u;
		EXPECT(raw_ioctl(fd, TT_TRACK_FREE, &f), EINVAL, "flag on free");
	}
	{
		struct tt_track_query_stats q = { .argsz = sizeof(q), .device = dev, .scope = 2 };
		EXPECT(raw_ioctl(fd, TT_TRACK_QUERY_STATS, &q), EINVAL, "unknown scope");
		struct tt_track_get_info i = { .argsz = 8 };
		EXPECT(raw_ioctl(fd, TT_TRACK_GET_INFO, &i), EINVAL, "info argsz");
	}
	EXPECT(tt_alloc(fd, 99, 0, TT_TRACK_TYPE_DRAM, 0, 8, 100), ENODEV, "unknown device");
	EXPECT(tt_free(fd, 99, 0, TT_TRACK_TYPE_DRAM, 8), ENODEV, "free on unknown device");
	{
		struct tt_track_query_stats q;
		EXPECT(tt_stats(fd, 99, 0, 0, &q), ENODEV, "stats of unknown device");
	}
	EXPECT(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 7, 555), EEXIST, "duplicate key");
	EXPECT(tt_free(fd, dev, 0, TT_TRACK_TYPE_DRAM, 8), ENOENT, "unknown key");
	EXPECT(tt_free(fd, dev, 0, TT_TRACK_TYPE_L1, 7), ENOENT, "same id, other type");
	EXPECT(raw_ioctl(fd, TT_TRACK_ALLOC, NULL), EFAULT, "NULL pointer");
	EXPECT(raw_ioctl(fd, TT_TRACK_ALLOC, (void *)16), EFAULT, "unmapped pointer");
	EXPECT(raw_ioctl(fd, TT_TRACK_QUERY_STATS, (void *)16), EFAULT, "unmapped stats pointer");
	EXPECT(raw_ioctl(fd, _IO(TT_TRACK_IOCTL_MAGIC, 0x7f), NULL), ENOTTY, "unknown command");
	EXPECT(raw_ioctl(fd, _IOW(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_ALLOC, uint32_t), NULL), ENOTTY,
	       "right number, wrong size");

	/* ENOSPC: lower the per-file limit to what this file holds, then try one more. */
	const char *limit = "/sys/module/tt_track/parameters/max_buffers_per_file";
	char *old = read_file(limit, NULL);
	CHECK_EQ(write_file(limit, "1"), 0);
	EXPECT(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 8, 100), ENOSPC, "per-file limit");
	write_file(limit, old ? old : "1048576");
	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 8, 100), 0);
	CHECK_EQ(tt_free(fd, dev, 0, TT_TRACK_TYPE_DRAM, 8), 0);
	CHECK_EQ(tt_free(fd, dev, 0, TT_TRACK_TYPE_DRAM, 7), 0);
	/* ERANGE: 2^16 buffers of the largest size overflow a file's 64-bit DRAM count (chip 1). */
	{
		int full = tt_open(), got = 0;
		struct tt_track_query_stats fb, fa, db, da;

		for (uint64_t i = 0; i < 65535; i++)
			got += tt_alloc(full, dev, 1, TT_TRACK_TYPE_DRAM, 0, i, TT_TRACK_MAX_BUFFER_SIZE) == 0;
		CHECK_EQ(got, 65535);
		tt_stats(full, dev, 1, TT_TRACK_SCOPE_FILE, &fb);
		tt_stats(full, dev, 1, TT_TRACK_SCOPE_DEVICE, &db);
		CHECK_EQ(-tt_alloc(full, dev, 1, TT_TRACK_TYPE_DRAM, 0, 65535, TT_TRACK_MAX_BUFFER_SIZE), ERANGE);
		tt_stats(full, dev, 1, TT_TRACK_SCOPE_FILE, &fa);
		tt_stats(full, dev, 1, TT_TRACK_SCOPE_DEVICE, &da);
		CHECK(!memcmp(&fb, &fa, sizeof(fa)) && !memcmp(&db, &da, sizeof(da)), "ERANGE changed counters");
		close(full);
	}
	close(fd);
}

/* 8 forked processes hold buffers: per-process lines and totals add up. */
static void fork8(void)
{
	int fd = tt_open(), ready[2], go[2];
	pid_t pids[8];
	struct tt_track_query_stats base, s;
	unsigned long long expect_total = 0;

	need_devices(fd, 1);
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &base);
	if (pipe(ready) || pipe(go))
		exit(2);
	for (int i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int cfd = tt_open();
			char c;

			for (int b = 0; b <= i; b++)
				if (tt_alloc(cfd, devs[0], 0, b % 2 ? TT_TRACK_TYPE_L1 : TT_TRACK_TYPE_DRAM, 0, b,
					     1000 * (i + 1) + b))
					_exit(3);
			write(ready[1], "r", 1);
			read(go[0], &c, 1);
			_exit(0);
		}
		for (int b = 0; b <= i; b++)
			expect_total += 1000 * (i + 1) + b;
	}
	close(ready[1]);
	for (int i = 0; i < 8; i++) {
		char c;
		CHECK_EQ(read(ready[0], &c, 1), 1);
	}
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[0].bytes + s.types[1].bytes, base.types[0].bytes + base.types[1].bytes + expect_total);
	CHECK_EQ(s.types[0].buffers + s.types[1].buffers, base.types[0].buffers + base.types[1].buffers + 36);
	CHECK(s.open_files >= 9, "open_files = %u", s.open_files);
	for (int i = 0; i < 8; i++) {
		unsigned long long b[7], n, want = 0, bytes, lines;

		for (int k = 0; k <= i; k++)
			want += 1000 * (i + 1) + k;
		CHECK_EQ(proc_process(devs[0], pids[i], 0, b, &n), 0);
		CHECK_EQ(b[0] + b[1], want);
		CHECK_EQ(n, i + 1);
		proc_alloc_sum(devs[0], pids[i], &bytes, &lines);
		CHECK_EQ(bytes, want);
		CHECK_EQ(lines, i + 1);
	}
	unsigned long long all, lines;
	proc_alloc_sum(devs[0], 0, &all, &lines);
	CHECK_EQ(all, base.types[0].bytes + base.types[1].bytes + expect_total);
	for (int i = 0; i < 8; i++)
		write(go[1], "g", 1);
	for (int i = 0; i < 8; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d status %d", i, st);
	}
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[0].bytes, base.types[0].bytes);
	CHECK_EQ(s.types[1].bytes, base.types[1].bytes);
	close(fd);
}

/* Count kernel log lines containing `needle`. */
static int kmsg_count(const char *needle)
{
	char *log;
	int n = 0;

	if (system("dmesg > /tmp/dmesg.txt") != 0 || !(log = read_file("/tmp/dmesg.txt", NULL)))
		return -1;
	for (char *p = log; (p = strstr(p, needle)); p++)
		n++;
	free(log);
	return n;
}

/* SIGKILL of a process holding 10,000 live buffers. */
static void sigkill(void)
{
	int fd = tt_open(), ready[2];
	struct tt_track_query_stats base, s;
	unsigned long long bytes = 0;
	char needle[64];
	pid_t pid;

	need_devices(fd, 1);
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &base);
	for (int i = 0; i < 10000; i++)
		bytes += 4096 + i;
	if (pipe(ready))
		exit(2);
	pid = fork();
	if (pid == 0) {
		int cfd = tt_open();

		for (int i = 0; i < 10000; i++)
			if (tt_alloc(cfd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0, i, 4096 + i))
				_exit(3);
		for (int i = 0; i < 5; i++)
			if (tt_alloc(cfd, devs[0], 0, TT_TRACK_TYPE_L1, 0, i, 100))
				_exit(3);
		for (int i = 0; i < 2; i++)
			if (tt_alloc(cfd, devs[0], 0, TT_TRACK_TYPE_KERNEL, TT_TRACK_KERNEL_FABRIC, i, 64))
				_exit(3);
		write(ready[1], "r", 1);
		pause();
		_exit(0);
	}
	char c;
	close(ready[1]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[0].bytes, base.types[0].bytes + bytes);
	CHECK_EQ(s.types[0].buffers, base.types[0].buffers + 10000);
	snprintf(needle, sizeof(needle), "pid %d (", pid);
	CHECK_EQ(kmsg_count(needle), 0);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status %d", st);
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[0].bytes, base.types[0].bytes);
	CHECK_EQ(s.types[0].buffers, base.types[0].buffers);
	CHECK_EQ(s.leaked_bytes, base.leaked_bytes + bytes + 5 * 100 + 2 * 64);
	CHECK_EQ(s.leaked_buffers, base.leaked_buffers + 10000 + 5 + 2);
	/* Per type (ABI revision 2): each type's own bytes and buffers. */
	const struct { uint32_t type; unsigned long long bytes, buffers; } left[] = {
		{ TT_TRACK_TYPE_DRAM, bytes, 10000 }, { TT_TRACK_TYPE_L1, 500, 5 }, { TT_TRACK_TYPE_KERNEL, 128, 2 },
		{ TT_TRACK_TYPE_CB, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		uint32_t t = left[i].type;

		CHECK(s.leaked[t].bytes == base.leaked[t].bytes + left[i].bytes &&
		      s.leaked[t].buffers == base.leaked[t].buffers + left[i].buffers,
		      "type %u leaked %llu bytes in %llu buffers", t, (unsigned long long)(s.leaked[t].bytes - base.leaked[t].bytes),
		      (unsigned long long)(s.leaked[t].buffers - base.leaked[t].buffers));
	}
	unsigned long long lb, ln, lt[7], ab, al;
	proc_leak(devs[0], 0, &lb, &ln, lt);
	CHECK_EQ(lb, s.leaked_bytes);
	CHECK_EQ(ln, s.leaked_buffers);
	for (int t = 0; t < TT_TRACK_TYPE_COUNT; t++)
		CHECK(lt[t] == s.leaked[t].bytes, "stats leak line, type %d: %llu, QUERY_STATS %llu", t, lt[t],
		      (unsigned long long)s.leaked[t].bytes);
	proc_alloc_sum(devs[0], pid, &ab, &al);
	CHECK_EQ(al, 0);
	CHECK_EQ(kmsg_count(needle), 1);
	close(fd);
}

/* Threads sharing one file: no lost update. */
#define THREADS 4
#define PER_THREAD 5000
static int shared_fd;

static void *thread_body(void *arg)
{
	long t = (long)arg;

	for (int i = 0; i < PER_THREAD; i++) {
		uint64_t id = t * 1000000 + i;

		if (tt_alloc(shared_fd, devs[i % ndevs], 0, TT_TRACK_TYPE_L1, 0, id, 64 + t))
			return (void *)1;
		/* Free every other one, so adds and subtracts interleave. */
		if (i % 2 && tt_free(shared_fd, devs[(i - 1) % ndevs], 0, TT_TRACK_TYPE_L1, id - 1))
			return (void *)2;
	}
	return NULL;
}

static void threads(void)
{
	pthread_t th[THREADS];
	struct tt_track_query_stats base[8], s;
	unsigned long long want_bytes = 0, want_buffers = 0, got_bytes = 0, got_buffers = 0, base_bytes = 0,
			   base_buffers = 0;

	shared_fd = tt_open();
	need_devices(shared_fd, 1);
	for (int d = 0; d < ndevs; d++) {
		tt_stats(shared_fd, devs[d], 0, TT_TRACK_SCOPE_DEVICE, &base[d]);
		base_bytes += base[d].types[1].bytes;
		base_buffers += base[d].types[1].buffers;
	}
	for (long t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, thread_body, (void *)t);
	for (int t = 0; t < THREADS; t++) {
		void *r;
		pthread_join(th[t], &r);
		CHECK(r == NULL, "thread %d failed (%ld)", t, (long)r);
		want_bytes += (PER_THREAD / 2) * (64 + t);
		want_buffers += PER_THREAD / 2;
	}
	for (int d = 0; d < ndevs; d++) {
		tt_stats(shared_fd, devs[d], 0, TT_TRACK_SCOPE_DEVICE, &s);
		got_bytes += s.types[1].bytes;
		got_buffers += s.types[1].buffers;
	}
	CHECK_EQ(got_bytes, base_bytes + want_bytes);
	CHECK_EQ(got_buffers, base_buffers + want_buffers);
	close(shared_fd);
}

/* Unbind and rebind the tt-kmd stand-in while entries are live. */
static void rebind(void)
{
	int fd = tt_open();
	struct tt_track_get_info info;
	struct tt_track_query_stats s;
	char addr[32], path[96];
	uint32_t dev;

	need_devices(fd, 1);
	tt_info(fd, &info);
	dev = info.devices[0].ordinal;
	snprintf(addr, sizeof(addr), "%s", info.devices[0].pci_address);
	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 1, 1 << 20), 0);
	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_L1, 0, 2, 4096), 0);
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);

	CHECK_EQ(write_file("/sys/bus/pci/drivers/tenstorrent/unbind", addr), 0);
	CHECK(!path_exists(path), "%s still there after unbind", path);
	CHECK_EQ(-tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 3, 1), ENODEV);
	CHECK_EQ(-tt_stats(fd, dev, 0, TT_TRACK_SCOPE_DEVICE, &s), ENODEV);
	/* An entry of the unbound device can still be freed. */
	CHECK_EQ(tt_free(fd, dev, 0, TT_TRACK_TYPE_L1, 2), 0);

	CHECK_EQ(write_file("/sys/bus/pci/drivers/tenstorrent/bind", addr), 0);
	CHECK(path_exists(path), "%s missing after rebind", path);
	CHECK_EQ(tt_stats(fd, dev, 0, TT_TRACK_SCOPE_DEVICE, &s), 0);
	CHECK_EQ(s.types[0].bytes, 1 << 20);	/* same card, same books */
	CHECK_EQ(s.types[1].bytes, 0);
	CHECK_EQ(tt_free(fd, dev, 0, TT_TRACK_TYPE_DRAM, 1), 0);
	CHECK_EQ(tt_alloc(fd, dev, 0, TT_TRACK_TYPE_DRAM, 0, 4, 100), 0);

	/* Close with a live entry while unbound: reclaimed without a crash. */
	CHECK_EQ(write_file("/sys/bus/pci/drivers/tenstorrent/unbind", addr), 0);
	close(fd);
	CHECK_EQ(write_file("/sys/bus/pci/drivers/tenstorrent/bind", addr), 0);
	fd = tt_open();
	CHECK_EQ(tt_stats(fd, dev, 0, TT_TRACK_SCOPE_DEVICE, &s), 0);
	CHECK_EQ(s.types[0].bytes, 0);
	close(fd);
}

/* 1,000,000 buffers in one file (TT_MILLION overrides, e.g. on the debug
 * kernel), with timings (figures, not assertions). */
static void million(void)
{
	const int n = getenv("TT_MILLION") ? atoi(getenv("TT_MILLION")) : 1000000;
	int fd = tt_open();
	struct tt_track_query_stats s;
	char path[96];
	double t0, t1, t2, t3;
	long lines;
	pid_t pid;
	int ready[2], go[2];

	need_devices(fd, 1);
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", devs[0]);
	if (pipe(ready) || pipe(go))
		exit(2);
	t0 = now_s();
	pid = fork();
	if (pid == 0) {
		int cfd = tt_open();
		char c;

		for (int i = 0; i < n; i++)
			if (tt_alloc(cfd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0, i, 256))
				_exit(3);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	char c;
	close(ready[1]);	/* a child that dies early gives EOF, not a hang */
	CHECK_EQ(read(ready[0], &c, 1), 1);
	t1 = now_s();
	lines = count_lines(path);
	t2 = now_s();
	CHECK_EQ(lines, n + 1);
	/* A read() after EOF returns 0 at once, however long the list (a figure). */
	int afd = open(path, O_RDONLY);
	static char chunk[1 << 16];
	while (read(afd, chunk, sizeof(chunk)) > 0)
		;
	double e0 = now_s();
	CHECK_EQ(read(afd, chunk, sizeof(chunk)), 0);
	double eof_us = (now_s() - e0) * 1e6;
	close(afd);
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[0].buffers, n);
	write(go[1], "g", 1);
	int st;
	waitpid(pid, &st, 0);
	t3 = now_s();
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
	tt_stats(fd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s);
	CHECK_EQ(s.types[0].buffers, 0);
	CHECK_EQ(s.types[0].bytes, 0);
	printf("  million (%d): alloc %.2f s (%.2f us each), cat allocations %.2f s (%ld lines), read after EOF %.0f us, "
	       "exit+cleanup %.2f s\n", n, t1 - t0, (t1 - t0) * 1e6 / n, t2 - t1, lines, eof_us, t3 - t2);
	close(fd);
}

/* The pid column of the allocation line with this buffer id ("" if none). */
static void alloc_pid(uint32_t dev, uint64_t id, char *pid, size_t len)
{
	char path[96], *text, *line, *save = NULL;

	pid[0] = 0;
	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);
	text = read_file(path, NULL);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char p[16];
		unsigned long long i;

		if (sscanf(line, "%15s %*u %*s %llx", p, &i) == 2 && i == id)
			snprintf(pid, len, "%s", p);
	}
	free(text);
}

/* Pids are shown as the reader's PID namespace sees them; outsiders as "-". */
static void pidns(void)
{
	int fd = tt_open(), ready[2], go[2];
	char seen[16], want[16];
	pid_t child;

	need_devices(fd, 1);
	CHECK_EQ(tt_alloc(fd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0, 0xaaaa, 111), 0);
	if (pipe(ready) || pipe(go) || unshare(CLONE_NEWPID)) {
		CHECK(0, "setup: %s", strerror(errno));
		return;
	}
	child = fork();
	if (child == 0) {	/* pid 1 of the new namespace */
		int cfd = tt_open();
		char c;

		CHECK_EQ(getpid(), 1);
		CHECK_EQ(tt_alloc(cfd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0, 0xbbbb, 222), 0);
		alloc_pid(devs[0], 0xbbbb, seen, sizeof(seen));
		CHECK(!strcmp(seen, "1"), "inside: own buffer shown with pid '%s'", seen);
		alloc_pid(devs[0], 0xaaaa, seen, sizeof(seen));
		CHECK(!strcmp(seen, ""), "inside: outsider listed with pid '%s'", seen);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(failures);
	}
	char c;
	close(ready[1]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	snprintf(want, sizeof(want), "%d", child);
	alloc_pid(devs[0], 0xbbbb, seen, sizeof(seen));
	CHECK(!strcmp(seen, want), "outside: child shown as '%s', expected %s", seen, want);
	snprintf(want, sizeof(want), "%d", getpid());
	alloc_pid(devs[0], 0xaaaa, seen, sizeof(seen));
	CHECK(!strcmp(seen, want), "outside: own buffer shown as '%s', expected %s", seen, want);
	write(go[1], "g", 1);
	int st;
	waitpid(child, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "namespace child status %d", st);
	close(fd);
}

/*
 * Run inside a memory cgroup with a small memory.max (suite.sh sets it up):
 * entries are charged there, so reporting fails with ENOMEM at the limit
 * (no OOM kill, no effect outside the cgroup), and counters stay exact.
 */
static void memcg(void)
{
	int fd = tt_open();
	struct tt_track_query_stats s;
	uint64_t n = 0, headroom = 4096;
	volatile char stack[128 << 10];
	int r = 0;

	/* This process's own pages must exist before the cgroup is full, or a
	 * page fault (which cannot fail) would call the OOM killer. */
	memset((char *)stack, 1, sizeof(stack));
	printf("  memcg: filling the cgroup\n");
	need_devices(fd, 1);
	while (n < 4000000 && (r = tt_alloc(fd, devs[0], 5, TT_TRACK_TYPE_DRAM, 0, n, 4096)) == 0)
		n++;
	for (uint64_t i = 0; i < headroom && i < n; i++)
		tt_free(fd, devs[0], 5, TT_TRACK_TYPE_DRAM, n - 1 - i);
	printf("  memcg: %llu entries before the limit\n", (unsigned long long)n);
	CHECK_EQ(-r, ENOMEM);
	CHECK(n > headroom, "only %llu entries fit", (unsigned long long)n);
	CHECK_EQ(tt_stats(fd, devs[0], 5, TT_TRACK_SCOPE_FILE, &s), 0);
	CHECK_EQ(s.types[0].buffers, n - headroom);
	CHECK_EQ(s.types[0].bytes, (n - headroom) * 4096);
	/* Freeing makes room again. */
	CHECK_EQ(tt_free(fd, devs[0], 5, TT_TRACK_TYPE_DRAM, 0), 0);
	CHECK_EQ(tt_alloc(fd, devs[0], 5, TT_TRACK_TYPE_DRAM, 0, 0, 4096), 0);
	close(fd);
}

/* An unprivileged user reports and reads, but cannot touch another file's entries. */
static void unprivileged(void)
{
	int fd = tt_open();
	pid_t pid;

	need_devices(fd, 1);
	CHECK_EQ(tt_alloc(fd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0, 0x5ec, 4096), 0);
	pid = fork();
	if (pid == 0) {
		struct tt_track_query_stats s;
		unsigned long long bytes, lines;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		int ufd = tt_open();	/* the node is 0666 */
		CHECK_EQ(tt_alloc(ufd, devs[0], 0, TT_TRACK_TYPE_L1, 0, 1, 64), 0);
		CHECK_EQ(tt_stats(ufd, devs[0], 0, TT_TRACK_SCOPE_DEVICE, &s), 0);
		CHECK(s.types[0].bytes >= 4096, "device view misses the root-owned buffer");
		CHECK_EQ(proc_alloc_sum(devs[0], getppid(), &bytes, &lines), 0);
		CHECK_EQ(lines, 1);
		/* Keys are per file: the parent's buffer cannot be freed from here. */
		CHECK_EQ(-tt_free(ufd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0x5ec), ENOENT);
		_exit(failures);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged child status %d", st);
	CHECK_EQ(tt_free(fd, devs[0], 0, TT_TRACK_TYPE_DRAM, 0x5ec), 0);	/* still ours */
	close(fd);
}

static struct tt_track_op op_alloc(uint32_t dev, uint32_t chip, uint32_t type, uint64_t id, uint64_t size)
{
	return (struct tt_track_op){ .op = TT_TRACK_OP_ALLOC, .device = dev, .chip = chip, .type = type,
				     .buffer_id = id, .size = size };
}

static struct tt_track_op op_free(uint32_t dev, uint32_t chip, uint32_t type, uint64_t id)
{
	return (struct tt_track_op){ .op = TT_TRACK_OP_FREE, .device = dev, .chip = chip, .type = type, .buffer_id = id };
}

static int batch_call(int fd, struct tt_track_op *ops, uint32_t count, uint32_t *done)
{
	struct tt_track_batch b = { .argsz = sizeof(b), .count = count, .ops = (uintptr_t)ops };
	int r = raw_ioctl(fd, TT_TRACK_BATCH, &b);

	*done = b.done;
	return r;
}

/* BATCH: one call, each operation on its own; a bad call applies nothing. */
static void batch(void)
{
	int fd = tt_open();
	struct tt_track_op ops[TT_TRACK_BATCH_MAX_OPS + 1];
	struct snapshot before;
	uint32_t dev, done;

	need_devices(fd, 1);
	dev = devs[0];
	/* A mesh buffer on 8 chips, in one call. */
	for (uint32_t c = 0; c < 8; c++)
		ops[c] = op_alloc(dev, c, TT_TRACK_TYPE_DRAM, 0xb0, 4096);
	CHECK_EQ(batch_call(fd, ops, 8, &done), 0);
	CHECK_EQ(done, 8);
	for (uint32_t c = 0; c < 8; c++) {
		struct proc_total t;
		CHECK_EQ(ops[c].result, 0);
		CHECK_EQ(proc_total(dev, c, "DRAM", &t), 0);
		CHECK_EQ(t.buffers, 1);
	}
	/* Failures are per operation and change nothing; the others apply, in order. */
	int32_t want[] = { 0, -EEXIST, -EINVAL, -ENOENT, 0, -ENODEV, -EINVAL, -EINVAL, 0, -EINVAL };
	ops[0] = op_alloc(dev, 8, TT_TRACK_TYPE_L1, 1, 100);
	ops[1] = op_alloc(dev, 8, TT_TRACK_TYPE_L1, 1, 100);			/* duplicate of the one before */
	ops[2] = op_alloc(dev, 8, TT_TRACK_TYPE_DRAM, 2, 0);			/* size 0 */
	ops[3] = op_free(dev, 8, TT_TRACK_TYPE_L1, 2);				/* never allocated */
	ops[4] = op_free(dev, 8, TT_TRACK_TYPE_L1, 1);				/* the first one */
	ops[5] = op_alloc(99, 0, TT_TRACK_TYPE_DRAM, 3, 1);
	ops[6] = op_free(dev, 0, TT_TRACK_TYPE_DRAM, 0xb0); ops[6].size = 1;	/* a FREE with a size */
	ops[7] = op_alloc(dev, 0, TT_TRACK_TYPE_DRAM, 4, 1); ops[7].result = 5;	/* result not zeroed */
	ops[8] = op_alloc(dev, 8, TT_TRACK_TYPE_KERNEL, 5, 64); ops[8].category = TT_TRACK_KERNEL_FABRIC;
	ops[9] = op_free(dev, 8, TT_TRACK_TYPE_KERNEL + 1, 5);			/* unknown type */
	CHECK_EQ(batch_call(fd, ops, 10, &done), 0);
	CHECK_EQ(done, 3);
	for (int i = 0; i < 10; i++)
		CHECK(ops[i].result == want[i], "op %d: result %d, expected %d", i, ops[i].result, want[i]);
	CHECK_EQ(tt_free(fd, dev, 8, TT_TRACK_TYPE_KERNEL, 5), 0);	/* the FABRIC kernel op applied */

	/* A bad call: nothing applied, whatever its operations. */
	snap(fd, dev, &before);
	for (int i = 0; i <= TT_TRACK_BATCH_MAX_OPS; i++)
		ops[i] = op_alloc(dev, 1, TT_TRACK_TYPE_L1, 1000 + i, 8);
	{
		struct tt_track_batch b = { .argsz = sizeof(b), .count = 2, .ops = (uintptr_t)ops };
#define BAD_BATCH(field, value, err, what) do { struct tt_track_batch c = b; c.field = value; \
		CHECK_EQ(-raw_ioctl(fd, TT_TRACK_BATCH, &c), err); check_unchanged(fd, dev, &before, what); } while (0)
		BAD_BATCH(count, 0, EINVAL, "count 0");
		BAD_BATCH(count, TT_TRACK_BATCH_MAX_OPS + 1, EINVAL, "count over the limit");
		BAD_BATCH(flags, 1, EINVAL, "a flag");
		BAD_BATCH(done, 1, EINVAL, "done not zeroed");
		BAD_BATCH(argsz, sizeof(b) - 8, EINVAL, "short argsz");
		BAD_BATCH(ops, 0, EFAULT, "NULL operations");
		struct tt_track_op *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(ro, 4096);
		BAD_BATCH(ops, (uintptr_t)ro, EFAULT, "unmapped operations");
		/* Readable but not writable: the results could not be given back. */
		ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memcpy(ro, ops, 2 * sizeof(*ro));
		mprotect(ro, 4096, PROT_READ);
		BAD_BATCH(ops, (uintptr_t)ro, EFAULT, "read-only operations");
		struct tt_track_batch *rob = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*rob = b;
		mprotect(rob, 4096, PROT_READ);
		CHECK_EQ(-raw_ioctl(fd, TT_TRACK_BATCH, rob), EFAULT);
		check_unchanged(fd, dev, &before, "read-only header");
		munmap(ro, 4096);
		munmap(rob, 4096);
#undef BAD_BATCH
	}
	/* The largest batch, on the heap path. */
	CHECK_EQ(batch_call(fd, ops, TT_TRACK_BATCH_MAX_OPS, &done), 0);
	CHECK_EQ(done, TT_TRACK_BATCH_MAX_OPS);
	for (int i = 0; i < TT_TRACK_BATCH_MAX_OPS; i++)
		ops[i] = op_free(dev, 1, TT_TRACK_TYPE_L1, 1000 + i);
	CHECK_EQ(batch_call(fd, ops, TT_TRACK_BATCH_MAX_OPS, &done), 0);
	CHECK_EQ(done, TT_TRACK_BATCH_MAX_OPS);
	for (uint32_t c = 0; c < 8; c++)
		ops[c] = op_free(dev, c, TT_TRACK_TYPE_DRAM, 0xb0);
	CHECK_EQ(batch_call(fd, ops, 8, &done), 0);
	CHECK_EQ(done, 8);
	close(fd);
}

/* A newer library's larger structs (its new fields at the end): served while
 * the fields it sends are zero, with zeros written to the fields it would
 * read back; a field set that this module does not know is E2BIG, changing
 * nothing. An older library's struct (revision 1's QUERY_STATS, before
 * `leaked`) is served as it was, and nothing past it is written; a struct
 * smaller than the first revision's is not a command it knows. */
static void abi(void)
{
	int fd = tt_open();
	struct snapshot before;
	uint32_t dev;

	need_devices(fd, 1);
	dev = devs[0];
	snap(fd, dev, &before);
	struct { struct tt_track_alloc a; uint64_t extra[2]; } alloc = { .a = {
		.argsz = sizeof(alloc), .device = dev, .type = TT_TRACK_TYPE_DRAM, .buffer_id = 0xab1, .size = 4096 } };
	unsigned long cmd = _IOW(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_ALLOC, alloc);
	alloc.extra[1] = 1;
	EXPECT(raw_ioctl(fd, cmd, &alloc), E2BIG, "a newer field set");
	alloc.extra[1] = 0;
	alloc.a.argsz = sizeof(alloc.a);
	EXPECT(raw_ioctl(fd, cmd, &alloc), EINVAL, "argsz other than the struct's size");
	EXPECT(raw_ioctl(fd, _IOW(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_ALLOC, uint8_t[32]), &alloc), ENOTTY,
	       "a struct smaller than the module's");
	alloc.a.argsz = sizeof(alloc);
	CHECK_EQ(raw_ioctl(fd, cmd, &alloc), 0);

	struct { struct tt_track_query_stats q; uint8_t extra[24]; } query;
	memset(&query, 0xa5, sizeof(query));
	query.q = (struct tt_track_query_stats){ .argsz = sizeof(query), .device = dev, .scope = TT_TRACK_SCOPE_FILE };
	CHECK_EQ(raw_ioctl(fd, _IOWR(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_QUERY_STATS, query), &query), 0);
	CHECK_EQ(query.q.types[TT_TRACK_TYPE_DRAM].bytes, 4096);
	CHECK(!memcmp(query.extra, (uint8_t[24]){ 0 }, 24), "QUERY_STATS left a newer field unzeroed");

	static struct { struct tt_track_get_info i; uint8_t extra[40]; } info;
	memset(&info, 0xa5, sizeof(info));
	info.i.argsz = sizeof(info);
	info.i.flags = 0;
	CHECK_EQ(raw_ioctl(fd, _IOWR(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_GET_INFO, info), &info), 0);
	CHECK(info.i.device_count >= 1 && info.i.abi_version == TT_TRACK_ABI_VERSION, "GET_INFO answer");
	CHECK(!memcmp(info.extra, (uint8_t[40]){ 0 }, 40), "GET_INFO left a newer field unzeroed");

	struct tt_track_op op = op_free(dev, 0, TT_TRACK_TYPE_DRAM, 0xab1);
	struct { struct tt_track_batch b; uint64_t extra; } batch = { .b = {
		.argsz = sizeof(batch), .count = 1, .ops = (uintptr_t)&op } };
	CHECK_EQ(raw_ioctl(fd, _IOWR(TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_BATCH, batch), &batch), 0);
	CHECK(batch.b.done == 1 && op.result == 0, "BATCH through a larger header");
	tt_stats(fd, dev, 0, TT_TRACK_SCOPE_FILE, &query.q);
	CHECK(query.q.types[TT_TRACK_TYPE_DRAM].buffers == 0, "the larger BATCH freed the buffer");

	/* Revision 1's QUERY_STATS, as a library built before revision 2 sends it. */
	struct tt_track_query_stats now;
	union { struct tt_track_query_stats q; uint8_t bytes[sizeof(struct tt_track_query_stats)]; } v1;
	unsigned long v1_cmd = _IOC(_IOC_READ | _IOC_WRITE, TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_QUERY_STATS,
				    TT_TRACK_QUERY_STATS_SIZE_V1);
	for (uint32_t scope = TT_TRACK_SCOPE_DEVICE; scope <= TT_TRACK_SCOPE_FILE; scope++) {
		memset(&v1, 0xa5, sizeof(v1));
		memset(&v1.q, 0, TT_TRACK_QUERY_STATS_SIZE_V1);
		v1.q.argsz = TT_TRACK_QUERY_STATS_SIZE_V1;
		v1.q.device = dev;
		v1.q.scope = scope;
		CHECK_EQ(raw_ioctl(fd, v1_cmd, &v1.q), 0);
		CHECK_EQ(tt_stats(fd, dev, 0, scope, &now), 0);
		now.argsz = TT_TRACK_QUERY_STATS_SIZE_V1;
		CHECK(!memcmp(&v1.q, &now, TT_TRACK_QUERY_STATS_SIZE_V1), "revision 1's QUERY_STATS answer differs (scope %u)",
		      scope);
		for (size_t i = TT_TRACK_QUERY_STATS_SIZE_V1; i < sizeof(v1); i++)
			CHECK(v1.bytes[i] == 0xa5, "QUERY_STATS wrote byte %zu past revision 1's struct", i);
	}
	snap(fd, dev, &before);
	v1.q.argsz = sizeof(struct tt_track_query_stats);
	EXPECT(raw_ioctl(fd, v1_cmd, &v1.q), EINVAL, "revision 1's number with another argsz");
	EXPECT(raw_ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, TT_TRACK_IOCTL_MAGIC, TT_TRACK_NR_QUERY_STATS,
				  TT_TRACK_QUERY_STATS_SIZE_V1 - 8), &v1.q), ENOTTY, "smaller than revision 1's QUERY_STATS");
	close(fd);
}

static const struct { const char *name; void (*fn)(void); } scenarios[] = {
	{ "roundtrip", roundtrip }, { "errors", errors }, { "fork8", fork8 }, { "sigkill", sigkill },
	{ "threads", threads }, { "rebind", rebind }, { "million", million }, { "pidns", pidns },
	{ "memcg", memcg }, { "unprivileged", unprivileged }, { "overflow", overflow }, { "comm", comm },
	{ "readers", readers }, { "reorder", reorder }, { "orphan", orphan }, { "kpeak", kpeak },
	{ "nsview", nsview }, { "memcharge", memcharge }, { "batch", batch }, { "abi", abi },
};

/* `hold DEV N`: a workload process for the demo; holds N buffers until killed.
 * `alloc-free DEV`: exit status 0 if DEV takes an allocation and its free. */
static int hold(uint32_t dev, int n)
{
	int fd = tt_open();

	for (int i = 0; i < n; i++) {
		uint32_t type = i % TT_TRACK_TYPE_COUNT;

		if (tt_alloc(fd, dev, 0, type, 0, i, (uint64_t)(i + 1) << (type == 0 ? 20 : 12)))
			return 1;
	}
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "alloc-free")) {	/* is device DEV tracked? */
		int fd = tt_open();
		return tt_alloc(fd, atoi(argv[2]), 0, TT_TRACK_TYPE_DRAM, 0, 1, 1) || tt_free(fd, atoi(argv[2]), 0, 0, 1);
	}
	for (size_t i = 0; argc == 2 && i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[1], scenarios[i].name))
			continue;
		scenarios[i].fn();
		printf("%s %s\n", failures ? "FAIL" : "PASS", argv[1]);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "usage: tt_track_test <scenario>\n");
	return 2;
}
