// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "tt.h"

int failures;

int tt_open(void)
{
	int fd = open(TT_TRACK_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror(TT_TRACK_DEVICE_PATH);
		exit(2);
	}
	return fd;
}

static int do_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : -errno;
}

int tt_alloc(int fd, uint32_t dev, uint32_t chip, uint32_t type, uint32_t cat, uint64_t id, uint64_t size)
{
	struct tt_track_alloc a = { .argsz = sizeof(a), .device = dev, .chip = chip, .type = type,
				    .category = cat, .buffer_id = id, .size = size };
	return do_ioctl(fd, TT_TRACK_ALLOC, &a);
}

int tt_free(int fd, uint32_t dev, uint32_t chip, uint32_t type, uint64_t id)
{
	struct tt_track_free f = { .argsz = sizeof(f), .device = dev, .chip = chip, .type = type,
				   .buffer_id = id };
	return do_ioctl(fd, TT_TRACK_FREE, &f);
}

int tt_stats(int fd, uint32_t dev, uint32_t chip, uint32_t scope, struct tt_track_query_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	out->device = dev;
	out->chip = chip;
	out->scope = scope;
	return do_ioctl(fd, TT_TRACK_QUERY_STATS, out);
}

int tt_info(int fd, struct tt_track_get_info *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	return do_ioctl(fd, TT_TRACK_GET_INFO, out);
}

int tt_devices(int fd, uint32_t *ordinals, int max)
{
	struct tt_track_get_info info;
	int n = 0;

	if (tt_info(fd, &info))
		return 0;
	for (uint32_t i = 0; i < info.device_count && n < max; i++)
		ordinals[n++] = info.devices[i].ordinal;
	return n;
}

char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	size_t cap = 1 << 16, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (cap - n < 4096)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write(fd, text, strlen(text));
	close(fd);
	return r < 0 ? -errno : 0;
}

int path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

long count_lines(const char *path)
{
	int fd = open(path, O_RDONLY);
	static char buf[1 << 16];
	long lines = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++)
			lines += buf[i] == '\n';
	close(fd);
	return r < 0 ? -1 : lines;
}

static char *stats_text(uint32_t dev)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/stats", dev);
	return read_file(path, NULL);
}

int proc_total(uint32_t dev, uint32_t chip, const char *type, struct proc_total *out)
{
	char *text = stats_text(dev), *line, *save = NULL;
	int found = -1;

	memset(out, 0, sizeof(*out));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned c;
		char t[32];
		struct proc_total v;

		if (sscanf(line, "total %u %31s %llu %llu %llu", &c, t, &v.bytes, &v.buffers, &v.peak) == 5 &&
		    c == chip && !strcmp(t, type)) {
			*out = v;
			found = 0;
		}
	}
	free(text);
	return found;
}

int proc_leak(uint32_t dev, uint32_t chip, unsigned long long *bytes, unsigned long long *buffers,
	      unsigned long long per_type[7])
{
	char *text = stats_text(dev), *line, *save = NULL;
	int found = -1;

	*bytes = *buffers = 0;
	memset(per_type, 0, 7 * sizeof(*per_type));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned c;
		unsigned long long b, n, t[7];
		char end;

		if (sscanf(line, "leak %u %llu %llu %llu %llu %llu %llu %llu %llu %llu%c", &c, &b, &n, &t[0], &t[1],
			   &t[2], &t[3], &t[4], &t[5], &t[6], &end) == 10 && c == chip) {
			*bytes = b;
			*buffers = n;
			memcpy(per_type, t, sizeof(t));
			found = 0;
		}
	}
	free(text);
	return found;
}

int proc_process(uint32_t dev, int pid, uint32_t chip, unsigned long long bytes[7], unsigned long long *buffers)
{
	char *text = stats_text(dev), *line, *save = NULL;
	int found = -1;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int p;
		unsigned c;
		unsigned long long b[7], n;

		if (sscanf(line, "proc %d %u %llu %llu %llu %llu %llu %llu %llu %llu", &p, &c, &b[0], &b[1],
			   &b[2], &b[3], &b[4], &b[5], &b[6], &n) == 10 && p == pid && c == chip) {
			memcpy(bytes, b, sizeof(b));
			*buffers = n;
			found = 0;
		}
	}
	free(text);
	return found;
}

int proc_alloc_sum(uint32_t dev, int pid, unsigned long long *bytes, unsigned long long *lines)
{
	char path[96], *text, *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/driver/tenstorrent/%u/allocations", dev);
	text = read_file(path, NULL);
	*bytes = *lines = 0;
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int p;
		unsigned chip;
		char type[32];
		unsigned long long id, size, age;

		if (sscanf(line, "%d %u %31s %llx %llu %llu", &p, &chip, type, &id, &size, &age) == 6 &&
		    (pid == 0 || p == pid)) {
			*bytes += size;
			*lines += 1;
		}
	}
	free(text);
	return 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}
