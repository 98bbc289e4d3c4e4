// SPDX-License-Identifier: GPL-2.0
/*
 * libtttrack from C through the shared library.
 *   lib_c_test unavailable   module not loaded: every call is a no-op returning TT_TRACK_UNAVAILABLE
 *   lib_c_test disabled      TT_TRACK_DISABLE=1: same, with the module loaded
 *   lib_c_test basic         round trips on two devices, errors mapped to -errno
 *   lib_c_test fork          a forked child reports into its own file, never its parent's
 * Each mode also checks tt_track_unavailable_reason() and that errno survives calls that do not fail.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tt_track.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("  check failed at %d: %s\n", __LINE__, #c); failures++; } } while (0)

static unsigned long long own_bytes(unsigned dev)
{
	struct tt_track_query_stats s;

	return tt_track_stats(dev, 0, TT_TRACK_SCOPE_FILE, &s) ? ~0ull : s.types[TT_TRACK_TYPE_DRAM].bytes;
}

/* The pid column of the allocations line with buffer id `id` on device 0 ("" if none). */
static void line_pid(unsigned long long id, char *pid)
{
	FILE *f = fopen("/proc/driver/tenstorrent/0/allocations", "r");
	char line[512];

	pid[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char p[16];
		unsigned long long i;

		if (sscanf(line, "%15s %*u %*s %llx", p, &i) == 2 && i == id)
			strcpy(pid, p);
	}
	if (f)
		fclose(f);
}

static void unavailable(void)
{
	struct tt_track_query_stats s;
	struct tt_track_get_info info;

	CHECK(tt_track_available() == 0);
	errno = EDOM;
	CHECK(tt_track_alloc(0, 0, TT_TRACK_TYPE_DRAM, 1, 100) == TT_TRACK_UNAVAILABLE);
	CHECK(errno == EDOM);
	CHECK(tt_track_unavailable_reason() == TT_TRACK_REASON_NO_MODULE && errno == EDOM);
	CHECK(strstr(tt_track_reason_string(TT_TRACK_REASON_NO_MODULE), "tt_track.ko") != NULL);
	CHECK(tt_track_alloc_kernel(0, 0, TT_TRACK_KERNEL_FABRIC, 1, 100) == TT_TRACK_UNAVAILABLE);
	CHECK(tt_track_free(0, 0, TT_TRACK_TYPE_DRAM, 1) == TT_TRACK_UNAVAILABLE);
	CHECK(tt_track_stats(0, 0, 0, &s) == TT_TRACK_UNAVAILABLE);
	CHECK(tt_track_devices(&info) == TT_TRACK_UNAVAILABLE);
	CHECK(strstr(tt_track_strerror(TT_TRACK_UNAVAILABLE), "unavailable") != NULL);
	{	/* a batch that could not be sent: every operation carries the status */
		struct tt_track_op ops[3] = { { .op = TT_TRACK_OP_ALLOC, .size = 1 } };
		CHECK(tt_track_batch(ops, 3) == TT_TRACK_UNAVAILABLE);
		CHECK(ops[0].result == TT_TRACK_UNAVAILABLE && ops[2].result == TT_TRACK_UNAVAILABLE);
	}
}

static void basic(void)
{
	struct tt_track_get_info info;
	char pid[16], me[16];

	CHECK(tt_track_available() == 1);
	CHECK(tt_track_unavailable_reason() == TT_TRACK_REASON_NONE);
	errno = EDOM;
	CHECK(tt_track_devices(&info) == TT_TRACK_OK && info.device_count >= 2);
	CHECK(errno == EDOM);
	CHECK(info.abi_version == TT_TRACK_ABI_VERSION);
	for (unsigned d = 0; d < 2; d++) {
		unsigned dev = info.devices[d].ordinal;

		CHECK(tt_track_alloc(dev, 0, TT_TRACK_TYPE_DRAM, 0x77, 4096) == TT_TRACK_OK);
		CHECK(own_bytes(dev) == 4096);
		CHECK(tt_track_alloc_kernel(dev, 0, TT_TRACK_KERNEL_DISPATCH, 0x78, 512) == TT_TRACK_OK);
		CHECK(tt_track_free(dev, 0, TT_TRACK_TYPE_KERNEL, 0x78) == TT_TRACK_OK);
		errno = 0;
		CHECK(tt_track_alloc(dev, 0, TT_TRACK_TYPE_DRAM, 0x77, 4096) == -EEXIST && errno == EEXIST);
		CHECK(tt_track_free(dev, 0, TT_TRACK_TYPE_L1, 0x77) == -ENOENT);
		CHECK(tt_track_alloc(dev, 0, 42, 0x79, 1) == -EINVAL);
		CHECK(tt_track_alloc(dev, 0, TT_TRACK_TYPE_DRAM, 0x79, 0) == -EINVAL);
	}
	CHECK(tt_track_alloc(99, 0, TT_TRACK_TYPE_DRAM, 1, 1) == -ENODEV);
	{	/* 300 operations: two system calls, each operation's own result */
		static struct tt_track_op ops[300];
		uint32_t dev = info.devices[0].ordinal;

		for (int i = 0; i < 300; i++)
			ops[i] = (struct tt_track_op){ .op = TT_TRACK_OP_ALLOC, .device = dev, .chip = 5,
						       .type = TT_TRACK_TYPE_L1, .buffer_id = i % 299, .size = 8 };
		struct tt_track_query_stats s;
		CHECK(tt_track_batch(ops, 300) == TT_TRACK_OK);
		CHECK(ops[0].result == 0 && ops[298].result == 0 && ops[299].result == -EEXIST);
		CHECK(tt_track_stats(dev, 5, TT_TRACK_SCOPE_FILE, &s) == 0 && s.types[TT_TRACK_TYPE_L1].bytes == 299 * 8);
		for (int i = 0; i < 299; i++)
			ops[i] = (struct tt_track_op){ .op = TT_TRACK_OP_FREE, .device = dev, .chip = 5,
						       .type = TT_TRACK_TYPE_L1, .buffer_id = i };
		CHECK(tt_track_batch(ops, 299) == TT_TRACK_OK && ops[0].result == 0 && ops[298].result == 0);
		CHECK(tt_track_stats(dev, 5, TT_TRACK_SCOPE_FILE, &s) == 0 && s.types[TT_TRACK_TYPE_L1].bytes == 0);
	}
	CHECK(tt_track_stats(0, 0, 0, NULL) == -EFAULT);
	{	/* a program built before revision 2 calls the symbol with revision 1's struct */
		union { struct tt_track_query_stats q; unsigned char bytes[sizeof(struct tt_track_query_stats)]; } old;
		struct tt_track_query_stats now;

		memset(&old, 0xa5, sizeof(old));
		CHECK((tt_track_stats)(info.devices[0].ordinal, 0, TT_TRACK_SCOPE_DEVICE, &old.q) == TT_TRACK_OK);
		memset(&now, 0xa5, sizeof(now));
		CHECK(tt_track_stats(info.devices[0].ordinal, 0, TT_TRACK_SCOPE_DEVICE, &now) == TT_TRACK_OK);
		CHECK(!memcmp(&old.q, &now, TT_TRACK_QUERY_STATS_SIZE_V1));
		/* The macro asks for this header's whole struct: revision 2's leaks written too. */
		CHECK(now.leaked[TT_TRACK_TYPE_DRAM].bytes != 0xa5a5a5a5a5a5a5a5ull);
		memset(&now, 0xa5, sizeof(now));
		CHECK(tt_track_stats(info.devices[0].ordinal, 0, TT_TRACK_SCOPE_FILE, &now) == TT_TRACK_OK);
		for (int t = 0; t < TT_TRACK_TYPE_COUNT; t++)
			CHECK(now.leaked[t].bytes == 0 && now.leaked[t].buffers == 0);
		for (size_t i = TT_TRACK_QUERY_STATS_SIZE_V1; i < sizeof(old); i++)
			CHECK(old.bytes[i] == 0xa5);
		CHECK(tt_track_stats_sized(0, 0, 0, &now, TT_TRACK_QUERY_STATS_SIZE_V1 - 1) == -EINVAL);
	}
	snprintf(me, sizeof(me), "%d", getpid());
	line_pid(0x77, pid);
	CHECK(!strcmp(pid, me));
	for (unsigned d = 0; d < 2; d++)
		CHECK(tt_track_free(info.devices[d].ordinal, 0, TT_TRACK_TYPE_DRAM, 0x77) == TT_TRACK_OK);
}

static void disabled(void)
{
	char pid[16];

	CHECK(getenv("TT_TRACK_DISABLE") != NULL);
	CHECK(tt_track_available() == 0);
	CHECK(tt_track_unavailable_reason() == TT_TRACK_REASON_DISABLED);
	CHECK(tt_track_alloc(0, 0, TT_TRACK_TYPE_DRAM, 0xd15, 100) == TT_TRACK_UNAVAILABLE);
	line_pid(0xd15, pid);
	CHECK(pid[0] == 0);
}

static void forked(void)
{
	char pid[16], parent[16], child_s[16];
	int ready[2], go[2];
	pid_t child;

	CHECK(tt_track_alloc(0, 0, TT_TRACK_TYPE_DRAM, 0xa, 1000) == TT_TRACK_OK);
	if (pipe(ready) || pipe(go))
		exit(2);
	child = fork();
	if (child == 0) {
		char c;

		/* The child's own view starts empty: it has its own file. */
		if (own_bytes(0) != 0 || tt_track_alloc(0, 0, TT_TRACK_TYPE_DRAM, 0xb, 2000) != TT_TRACK_OK ||
		    own_bytes(0) != 2000)
			_exit(1);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(0);	/* exits holding 0xb: the kernel reclaims it */
	}
	char c;
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1);
	snprintf(parent, sizeof(parent), "%d", getpid());
	snprintf(child_s, sizeof(child_s), "%d", child);
	line_pid(0xb, pid);
	CHECK(!strcmp(pid, child_s));
	line_pid(0xa, pid);
	CHECK(!strcmp(pid, parent));
	CHECK(own_bytes(0) == 1000);
	write(go[1], "g", 1);
	int st;
	waitpid(child, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	line_pid(0xb, pid);
	CHECK(pid[0] == 0);	/* reclaimed with the child */
	CHECK(own_bytes(0) == 1000);
	CHECK(tt_track_free(0, 0, TT_TRACK_TYPE_DRAM, 0xa) == TT_TRACK_OK);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "unavailable"))
		unavailable();
	else if (!strcmp(mode, "disabled"))
		disabled();
	else if (!strcmp(mode, "basic"))
		basic();
	else if (!strcmp(mode, "fork"))
		forked();
	else {
		fprintf(stderr, "usage: lib_c_test unavailable|disabled|basic|fork\n");
		return 2;
	}
	printf("%s libtttrack C %s\n", failures ? "FAIL" : "PASS", mode);
	return failures ? 1 : 0;
}
