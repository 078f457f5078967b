/* SPDX-License-Identifier: MIT */
/* tests/unit/test_maps.c: maps_walk() (libsandbox/src/monitor/maps.c) over crafted /proc/self/maps text.
 *
 * maps.c is compiled into this test. Each case writes its text into a memfd,
 * which maps_walk() reads from its start with raw read(2) calls, as it reads
 * the real /proc/self/maps in the monitor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../libsandbox/src/monitor/maps.h"

#define BUFSZ 8192
#define MAXV 1024

struct seen {
	int n;
	struct {
		uint64_t lo, hi;
		int prot, shared;
		char name[256];
		size_t namelen;
	} v[MAXV];
	int stop_after; /* return -ECANCELED after this many (0: never) */
};

static int collect(const struct sb_vma *v, void *arg)
{
	struct seen *s = arg;

	if (s->n >= MAXV)
		return -ENOSPC;
	s->v[s->n].lo = v->lo;
	s->v[s->n].hi = v->hi;
	s->v[s->n].prot = v->prot;
	s->v[s->n].shared = v->shared;
	snprintf(s->v[s->n].name, sizeof s->v[s->n].name, "%s", v->name);
	s->v[s->n].namelen = strlen(v->name);
	s->n++;
	if (s->stop_after && s->n >= s->stop_after)
		return -ECANCELED;
	return 0;
}

static int memfd_with(const char *text, size_t len)
{
	int fd = memfd_create("maps-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	/* maps_walk must seek to the start itself: leave the offset at the end */
	return fd;
}

/* walk text over [lo, hi) into *s with a buffer of bufsz bytes; returns maps_walk's result */
static int walk(const char *text, uint64_t lo, uint64_t hi, uint64_t bufsz, struct seen *s)
{
	int fd = memfd_with(text, strlen(text));
	char *buf = malloc(bufsz);
	int rc;

	assert_non_null(buf);
	s->n = 0;
	rc = maps_walk(fd, lo, hi, buf, bufsz, collect, s);
	free(buf);
	close(fd);
	return rc;
}

static struct seen *new_seen(void)
{
	struct seen *s = calloc(1, sizeof *s);

	assert_non_null(s);
	return s;
}

static const char sample[] =
	"55d0c0a00000-55d0c0a02000 r--p 00000000 fe:01 1311758                    /usr/bin/cat\n"
	"55d0c0a02000-55d0c0a07000 r-xp 00002000 fe:01 1311758                    /usr/bin/cat\n"
	"55d0c0a0b000-55d0c0a0c000 rw-p 00009000 fe:01 1311758                    /usr/bin/cat\n"
	"55d0c1c6a000-55d0c1c8b000 rw-p 00000000 00:00 0                          [heap]\n"
	"7f3a2c000000-7f3a2c021000 rw-s 00000000 00:01 2049                       /dev/shm/my segment (deleted)\n"
	"7f3a2c400000-7f3a2c600000 ---p 00000000 00:00 0 \n"
	"7f3a2c600000-7f3a2c800000 rwxp 00000000 00:00 0\n"
	"7ffc1a5e2000-7ffc1a603000 rw-p 00000000 00:00 0                          [stack]\n"
	"7ffc1a7d0000-7ffc1a7d4000 r--p 00000000 00:00 0                          [vvar]\n"
	"7ffc1a7d4000-7ffc1a7d6000 r-xp 00000000 00:00 0                          [vdso]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_normal_lines(void **state)
{
	struct seen *s = new_seen();

	(void)state;
	assert_int_equal(walk(sample, 0, ~0ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 11);

	assert_int_equal(s->v[0].lo, 0x55d0c0a00000ull);
	assert_int_equal(s->v[0].hi, 0x55d0c0a02000ull);
	assert_int_equal(s->v[0].prot, PROT_READ);
	assert_int_equal(s->v[0].shared, 0);
	assert_string_equal(s->v[0].name, "/usr/bin/cat");

	assert_int_equal(s->v[1].prot, PROT_READ | PROT_EXEC);
	assert_int_equal(s->v[2].prot, PROT_READ | PROT_WRITE);
	assert_string_equal(s->v[3].name, "[heap]");

	/* a name with spaces, shared */
	assert_int_equal(s->v[4].lo, 0x7f3a2c000000ull);
	assert_int_equal(s->v[4].shared, 1);
	assert_int_equal(s->v[4].prot, PROT_READ | PROT_WRITE);
	assert_string_equal(s->v[4].name, "/dev/shm/my segment (deleted)");

	/* anonymous, with and without a trailing blank */
	assert_int_equal(s->v[5].prot, PROT_NONE);
	assert_string_equal(s->v[5].name, "");
	assert_int_equal(s->v[6].prot, PROT_READ | PROT_WRITE | PROT_EXEC);
	assert_string_equal(s->v[6].name, "");

	assert_string_equal(s->v[7].name, "[stack]");
	assert_int_equal(s->v[7].hi, 0x7ffc1a603000ull);
	assert_string_equal(s->v[8].name, "[vvar]");
	assert_string_equal(s->v[9].name, "[vdso]");
	assert_int_equal(s->v[9].prot, PROT_READ | PROT_EXEC);

	/* 16 hex digits */
	assert_int_equal(s->v[10].lo, 0xffffffffff600000ull);
	assert_int_equal(s->v[10].hi, 0xffffffffff601000ull);
	assert_int_equal(s->v[10].prot, PROT_EXEC);
	assert_string_equal(s->v[10].name, "[vsyscall]");
	free(s);
}

static void test_range_filter(void **state)
{
	struct seen *s = new_seen();

	(void)state;
	/* exactly the heap */
	assert_int_equal(walk(sample, 0x55d0c1c6a000ull, 0x55d0c1c8b000ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->v[0].name, "[heap]");

	/* one byte overlapping the end of the 3rd mapping and the start of the heap: both */
	assert_int_equal(walk(sample, 0x55d0c0a0bfffull, 0x55d0c1c6a001ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->v[0].lo, 0x55d0c0a0b000ull);
	assert_string_equal(s->v[1].name, "[heap]");

	/* ranges that touch but do not overlap: nothing */
	assert_int_equal(walk(sample, 0x55d0c0a0c000ull, 0x55d0c1c6a000ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 0);

	/* the stack and everything above */
	assert_int_equal(walk(sample, 0x7ffc1a600000ull, ~0ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 4);
	assert_string_equal(s->v[0].name, "[stack]");
	assert_string_equal(s->v[1].name, "[vvar]");
	assert_string_equal(s->v[2].name, "[vdso]");
	assert_string_equal(s->v[3].name, "[vsyscall]");

	/* user space only (as the monitor asks): no vsyscall */
	assert_int_equal(walk(sample, 0, 0x0000800000000000ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 10);
	assert_string_equal(s->v[9].name, "[vdso]");

	/* an empty range: nothing */
	assert_int_equal(walk(sample, 0x55d0c1c6b000ull, 0x55d0c1c6b000ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 0);
	free(s);
}

static void test_callback_stops(void **state)
{
	struct seen *s = new_seen();

	(void)state;
	s->stop_after = 3;
	assert_int_equal(walk(sample, 0, ~0ull, BUFSZ, s), -ECANCELED);
	assert_int_equal(s->n, 3);
	free(s);
}

static void test_empty(void **state)
{
	struct seen *s = new_seen();

	(void)state;
	assert_int_equal(walk("", 0, ~0ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 0);
	free(s);
}

static void test_no_final_newline(void **state)
{
	struct seen *s = new_seen();
	const char *t = "00400000-00401000 r-xp 00000000 08:02 1234 /opt/a b\n"
			"00600000-00601000 rw-p 00000000 08:02 1234 /opt/last one";

	(void)state;
	assert_int_equal(walk(t, 0, ~0ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->v[0].name, "/opt/a b");
	assert_int_equal(s->v[1].lo, 0x600000);
	assert_int_equal(s->v[1].hi, 0x601000);
	assert_string_equal(s->v[1].name, "/opt/last one");
	free(s);
}

/* far more text than the buffer: lines straddle every refill */
static void test_many_lines(void **state)
{
	struct seen *s = new_seen();
	size_t cap = 200 * 1000, len = 0;
	char *t = malloc(cap);
	const int n = 900;

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "%llx-%llx %s %08x fe:01 %d%*s/lib/lib%d.so (%d)\n",
					0x7f0000000000ull + (unsigned long long)i * 0x10000,
					0x7f0000000000ull + (unsigned long long)i * 0x10000 + 0x1000 * (1 + i % 7),
					(i % 3 == 0) ? "r-xp" : (i % 3 == 1) ? "rw-s" : "---p", i * 4096, 100000 + i,
					1 + i % 40, "", i, i);
	assert_true(len > 10 * BUFSZ);
	assert_int_equal(walk(t, 0, ~0ull, BUFSZ, s), 0);
	assert_int_equal(s->n, n);
	for (int i = 0; i < n; i++) {
		char name[64];

		snprintf(name, sizeof name, "/lib/lib%d.so (%d)", i, i);
		assert_int_equal(s->v[i].lo, 0x7f0000000000ull + (uint64_t)i * 0x10000);
		assert_int_equal(s->v[i].hi, 0x7f0000000000ull + (uint64_t)i * 0x10000 + 0x1000 * (1 + i % 7));
		assert_int_equal(s->v[i].prot, (i % 3 == 0) ? (PROT_READ | PROT_EXEC)
					       : (i % 3 == 1) ? (PROT_READ | PROT_WRITE) : PROT_NONE);
		assert_int_equal(s->v[i].shared, i % 3 == 1);
		assert_string_equal(s->v[i].name, name);
	}
	free(t);
	free(s);
}

/* builds "lo-hi r--p 00000000 00:00 0 " + a name of namelen bytes + "\n" */
static char *long_line(size_t namelen, const char *before, const char *after)
{
	size_t cap = namelen + 256 + strlen(before) + strlen(after);
	char *t = malloc(cap);
	size_t len;

	assert_non_null(t);
	len = (size_t)snprintf(t, cap, "%s10000-11000 r--p 00000000 00:00 0 ", before);
	memset(t + len, 'x', namelen);
	len += namelen;
	snprintf(t + len, cap - len, "\n%s", after);
	return t;
}

static void test_line_longer_than_buffer(void **state)
{
	struct seen *s = new_seen();
	char *t = long_line(BUFSZ + 100, "1000-2000 r--p 00000000 00:00 0 /a\n", "20000-21000 r--p 00000000 00:00 0 /b\n");

	(void)state;
	assert_int_equal(walk(t, 0, ~0ull, BUFSZ, s), -E2BIG);
	/* what came before was reported, nothing made up from the long line */
	assert_int_equal(s->n, 1);
	assert_string_equal(s->v[0].name, "/a");
	free(t);
	free(s);
}

/* the longest line that fits: bufsz - 1 bytes with its newline */
static void test_longest_line_that_fits(void **state)
{
	struct seen *s = new_seen();
	const char *head = "10000-11000 r--p 00000000 00:00 0 ";
	size_t namelen = BUFSZ - 1 - strlen(head) - 1;
	char *t = long_line(namelen, "", "20000-21000 r--p 00000000 00:00 0 /b\n");

	(void)state;
	assert_int_equal(strchr(t, '\n') - t + 1, BUFSZ - 1);
	assert_int_equal(walk(t, 0, ~0ull, BUFSZ, s), 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->v[0].namelen, namelen);
	assert_string_equal(s->v[1].name, "/b");
	free(t);
	free(s);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"zzzz-2000 r--p 00000000 00:00 0\n",           /* not hex */
		"1000 2000 r--p 00000000 00:00 0\n",           /* no dash */
		"1000-2000r--p 00000000 00:00 0\n",            /* no blank after the range */
		"1000-\n",                                     /* truncated */
		"1000-2000\n",                                 /* no perms */
		"1000-2000 r\n",                               /* short perms */
		"2000-1000 r--p 00000000 00:00 0\n",           /* lo > hi */
		"1000-1000 r--p 00000000 00:00 0\n",           /* empty */
		"\n",                                          /* empty line */
		"-1000 r--p 00000000 00:00 0\n",               /* no lo */
		"10000000000000000-10000000000000001 r--p 00000000 00:00 0\n", /* 17 digits */
		"1000-2000 r--p 00000000 00:00 0\n\n",         /* an empty line after a good one */
	};
	struct seen *s = new_seen();

	(void)state;
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = walk(bad[i], 0, ~0ull, BUFSZ, s);

		if (rc != -EIO)
			fail_msg("line %u (%s): maps_walk returned %d (%d callbacks), expected -EIO", i, bad[i], rc,
				 s->n);
	}
	free(s);
}

/* a malformed line in the middle: the good lines before it were reported, then -EIO */
static void test_malformed_middle(void **state)
{
	struct seen *s = new_seen();
	const char *t = "1000-2000 r--p 00000000 00:00 0 /a\n"
			"garbage\n"
			"3000-4000 r--p 00000000 00:00 0 /c\n";

	(void)state;
	assert_int_equal(walk(t, 0, ~0ull, BUFSZ, s), -EIO);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->v[0].name, "/a");
	free(s);
}

static void test_bad_fd(void **state)
{
	char buf[BUFSZ];
	struct seen *s = new_seen();
	int fd = memfd_with("x", 1);

	(void)state;
	close(fd);
	assert_int_equal(maps_walk(fd, 0, ~0ull, buf, sizeof buf, collect, s), -EBADF);
	assert_int_equal(s->n, 0);
	free(s);
}

/* the real thing: this process's own maps */
static void test_real_maps(void **state)
{
	struct seen *s = new_seen();
	char *buf = malloc(BUFSZ);
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), stack = -1;
	uint64_t local = (uint64_t)(uintptr_t)&stack;

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(buf);
	for (int pass = 0; pass < 2; pass++) { /* twice: it seeks to the start itself */
		s->n = 0;
		assert_int_equal(maps_walk(fd, 0, ~0ull, buf, BUFSZ, collect, s), 0);
		assert_true(s->n > 5);
		for (int i = 1; i < s->n; i++)
			assert_true(s->v[i].lo >= s->v[i - 1].hi);
		for (int i = 0; i < s->n; i++)
			if (!strcmp(s->v[i].name, "[stack]")) {
				stack = i;
				assert_true(local >= s->v[i].lo && local < s->v[i].hi);
				assert_int_equal(s->v[i].prot, PROT_READ | PROT_WRITE);
			}
		assert_true(stack >= 0);
	}
	close(fd);
	free(buf);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_lines),
		cmocka_unit_test(test_range_filter),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_line_longer_than_buffer),
		cmocka_unit_test(test_longest_line_that_fits),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_middle),
		cmocka_unit_test(test_bad_fd),
		cmocka_unit_test(test_real_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
