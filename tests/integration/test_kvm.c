/* SPDX-License-Identifier: MIT */
/* tests/integration/test_kvm.c: a process inside the sandbox behaves as it does natively.
 *
 * Needs /dev/kvm (CI runs it inside Bochs: tests/bochs/run-in-bochs.sh).
 * Each test forks a child (tests/common/sbtest.c) that enters the sandbox
 * and runs one scenario; the parent asserts on the child's wait status and
 * output. Where "as natively" is the point, the same scenario also runs in
 * a second child that does not enter, and the two statuses are compared.
 * Without /dev/kvm every test fails (sb_enter: -ENODEV); none is skipped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <fenv.h>
#include <immintrin.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <asm/prctl.h>
#include <json-c/json.h>
#include "../common/sbtest.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MiB (1024ul * 1024ul)
#define PAGE 4096ul


static const char *contains(const char *hay, const char *needle)
{
	return strstr(hay, needle);
}

/* ------------------------------------------------------------------ stdio */

#define BIG_LEN 20000

static void sc_stdio(void *arg)
{
	char line[128];

	(void)arg;
	SBT_CHECK(fgets(line, sizeof line, stdin) != NULL);
	SBT_CHECK(strncmp(line, "ping ", 5) == 0);
	printf("pong %s", line + 5);
	for (int i = 0; i < BIG_LEN; i++)
		putchar('a' + i % 26);
	putchar('\n');
	fprintf(stderr, "to stderr %d\n", 7);
	SBT_CHECK(fflush(stdout) == 0);
	/* end of input is seen as such */
	SBT_CHECK(fgets(line, sizeof line, stdin) == NULL && feof(stdin));
}

static void test_stdio(void **state)
{
	char *want = malloc(BIG_LEN + 64);
	size_t n;

	(void)state;
	assert_non_null(want);
	n = (size_t)sprintf(want, "pong 12345\n");
	for (int i = 0; i < BIG_LEN; i++)
		want[n++] = (char)('a' + i % 26);
	want[n++] = '\n';
	want[n] = 0;
	SBT_RUN_OK(sc_stdio, NULL, NULL, SBT_IN | SBT_OUT | SBT_ERR, "ping 12345\n", res, "stdio");
	if (res->outlen != n || memcmp(res->out, want, n)) {
		sbt_dump(res, "stdio");
		fail_msg("stdout differs: %zu bytes, expected %zu", res->outlen, n);
	}
	assert_string_equal(res->err, "to stderr 7\n");
	free(want);
}

/* ------------------------------------------------------------------ files */

static void sc_file(void *arg)
{
	char path[64], path2[80], dir[80];
	static char data[3 * 4096 + 123], back[sizeof data];
	struct stat st;
	FILE *f;
	char line[64];
	int fd;

	(void)arg;
	snprintf(path, sizeof path, "/tmp/ringfence-kvm-%d", (int)getpid());
	snprintf(path2, sizeof path2, "%s.renamed", path);
	snprintf(dir, sizeof dir, "%s.d", path);
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7 + 3);

	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0640);
	SBT_CHECK(fd >= 0);
	SBT_CHECK(write(fd, data, 5000) == 5000);
	SBT_CHECK(write(fd, data + 5000, sizeof data - 5000) == (ssize_t)(sizeof data - 5000));
	SBT_CHECK(pwrite(fd, "XY", 2, 10) == 2);
	data[10] = 'X';
	data[11] = 'Y';
	SBT_CHECK(fsync(fd) == 0);
	SBT_CHECK(fstat(fd, &st) == 0);
	SBT_CHECK(st.st_size == (off_t)sizeof data);
	SBT_CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0777) == (0640 & ~umask(022)));
	SBT_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	SBT_CHECK(read(fd, back, 4096) == 4096);
	SBT_CHECK(read(fd, back + 4096, sizeof back - 4096) == (ssize_t)(sizeof back - 4096));
	SBT_CHECK(read(fd, back, 1) == 0);
	SBT_CHECK(memcmp(back, data, sizeof data) == 0);
	SBT_CHECK(close(fd) == 0);

	/* stdio on the same file */
	f = fopen(path, "a");
	SBT_CHECK(f != NULL);
	SBT_CHECK(fprintf(f, "\nlast line %d\n", 99) > 0);
	SBT_CHECK(fclose(f) == 0);
	f = fopen(path, "r");
	SBT_CHECK(f != NULL);
	SBT_CHECK(fseek(f, (long)sizeof data + 1, SEEK_SET) == 0);
	SBT_CHECK(fgets(line, sizeof line, f) != NULL);
	SBT_CHECK(strcmp(line, "last line 99\n") == 0);
	SBT_CHECK(fclose(f) == 0);

	/* directories, rename, stat, unlink */
	SBT_CHECK(mkdir(dir, 0700) == 0);
	SBT_CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
	SBT_CHECK(rename(path, path2) == 0);
	SBT_CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	SBT_CHECK(stat(path2, &st) == 0 && st.st_size == (off_t)sizeof data + 14);
	{
		DIR *d = opendir("/tmp");
		struct dirent *e;
		int found = 0;

		SBT_CHECK(d != NULL);
		while ((e = readdir(d)))
			if (!strcmp(e->d_name, strrchr(path2, '/') + 1))
				found = 1;
		SBT_CHECK(closedir(d) == 0);
		SBT_CHECK(found);
	}
	SBT_CHECK(unlink(path2) == 0);
	SBT_CHECK(rmdir(dir) == 0);
	SBT_CHECK(access(path2, F_OK) == -1 && errno == ENOENT);
	SBT_CHECK(access(dir, F_OK) == -1 && errno == ENOENT);
	SBT_CHECK(open(path2, O_RDONLY) == -1 && errno == ENOENT);
}

static void test_file(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_file, NULL, NULL, 0, NULL, res, "file create/write/read/remove");
}

/* ------------------------------------------------------------------ memory */

static void sc_malloc_1m(void *arg)
{
	unsigned char *p, *q;
	void *small[200];

	(void)arg;
	/* 1 MiB: above the mmap threshold */
	p = malloc(1 * MiB);
	SBT_CHECK(p != NULL);
	memset(p, 0x5a, 1 * MiB);
	for (size_t i = 0; i < 1 * MiB; i += 1021)
		SBT_CHECK(p[i] == 0x5a);
	p[1 * MiB - 1] = 1;
	/* realloc to 3 MiB: mremap */
	q = realloc(p, 3 * MiB);
	SBT_CHECK(q != NULL);
	SBT_CHECK(q[0] == 0x5a && q[1 * MiB - 2] == 0x5a && q[1 * MiB - 1] == 1);
	memset(q + 1 * MiB, 0xa5, 2 * MiB);
	SBT_CHECK(q[3 * MiB - 1] == 0xa5);
	free(q);
	/* small blocks: the heap grows with brk */
	for (int i = 0; i < 200; i++) {
		small[i] = malloc(1000 + (size_t)i * 100);
		SBT_CHECK(small[i] != NULL);
		memset(small[i], i, 1000 + (size_t)i * 100);
	}
	for (int i = 0; i < 200; i++) {
		SBT_CHECK(((unsigned char *)small[i])[999 + i * 100] == (unsigned char)i);
		free(small[i]);
	}
	/* brk itself */
	{
		char *b0 = sbrk(0), *b1;

		SBT_CHECK(b0 != (void *)-1);
		SBT_CHECK(sbrk(256 * 1024) == b0);
		b1 = sbrk(0);
		SBT_CHECK(b1 == b0 + 256 * 1024);
		memset(b0, 0x11, 256 * 1024);
		SBT_CHECK(sbrk(-256 * 1024) == b1);
	}
}

static void test_malloc_1m(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_malloc_1m, NULL, NULL, 0, NULL, res, "malloc 1 MiB");
}

static void sc_malloc_200m(void *arg)
{
	const size_t size = 200 * MiB;
	unsigned char *p = malloc(size);

	(void)arg;
	SBT_CHECK(p != NULL);
	/* one byte per page */
	for (size_t off = 0; off < size; off += PAGE)
		p[off] = (unsigned char)(off >> 12);
	p[size - 1] = 0x77;
	for (size_t off = 0; off < size; off += PAGE)
		if (p[off] != (unsigned char)(off >> 12))
			sbt_fail(__FILE__, __LINE__, "byte at offset %zu is %d", off, p[off]);
	SBT_CHECK(p[size - 1] == 0x77);
	free(p);
}

static void test_malloc_200m(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_malloc_200m, NULL, NULL, 0, NULL, res, "malloc 200 MiB");
}

static void sc_mprotect(void *arg)
{
	volatile unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	SBT_CHECK(p != MAP_FAILED);
	p[0] = 42;
	p[PAGE] = 43;
	SBT_CHECK(mprotect((void *)p, PAGE, PROT_READ) == 0);
	SBT_CHECK(p[0] == 42);   /* still readable */
	p[PAGE] = 44;            /* the other page is still writable */
	SBT_CHECK(p[PAGE] == 44);
	printf("reached\n");
	fflush(stdout);
	p[0] = 1; /* SIGSEGV */
	_exit(SBT_EXIT_ALIVE);
}

static void test_mprotect_segv(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_mprotect, NULL, NULL, SBT_OUT, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "write to a read-only page");
	assert_string_equal(res->out, "reached\n");
}

static void sc_munmap(void *arg)
{
	/* 6 MiB: the mirror maps the aligned middle with 2 MiB pages */
	const size_t size = 6 * MiB;
	unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile unsigned char *hole;
	uintptr_t mid;

	(void)arg;
	SBT_CHECK(p != MAP_FAILED);
	for (size_t off = 0; off < size; off += PAGE)
		p[off] = 1;
	/* a page in the middle of a 2 MiB-aligned chunk of the mapping */
	mid = ((uintptr_t)p + 2 * MiB) & ~(2 * MiB - 1);
	hole = (volatile unsigned char *)(mid + 1 * MiB);
	SBT_CHECK(munmap((void *)hole, PAGE) == 0);
	SBT_CHECK(hole[-(long)PAGE] == 1 && hole[PAGE] == 1); /* the neighbours stay */
	/* the tail of the mapping */
	SBT_CHECK(munmap(p + size - 2 * PAGE, 2 * PAGE) == 0);
	SBT_CHECK(p[size - 3 * PAGE] == 1);
	printf("reached\n");
	fflush(stdout);
	(void)*hole; /* SIGSEGV */
	_exit(SBT_EXIT_ALIVE);
}

static void test_munmap_segv(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_munmap, NULL, NULL, SBT_OUT, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "access after munmap");
	assert_string_equal(res->out, "reached\n");
}

/* Grow, with mremap(MREMAP_MAYMOVE), the mapping just below the monitor's
 * vault: where the kernel puts the newest mmap, so what realloc() of a large
 * block does. Natively this just works. */
static void sc_mremap_next_to_vault(void *arg)
{
	const size_t chunk = 2 * MiB;
	uintptr_t run_lo = 0, run_hi = 0, below;
	unsigned char *p, *q;

	(void)arg;
	/* the run area: /dev/kvm's, or /dev/ringfence's (the kmod backend) */
	SBT_CHECK(sbt_find_mapping("kvm-vcpu", &run_lo, &run_hi) == 0 ||
		  sbt_find_mapping("ringfence-vcpu", &run_lo, &run_hi) == 0);
	/* the vault starts at the chunk of kvm_run; a 2 MiB guard lies below it */
	below = (run_lo & ~(chunk - 1)) - chunk - chunk;
	p = mmap((void *)below, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		 0);
	if (p == MAP_FAILED) {
		printf("(%#lx is taken: %s; using the kernel's choice)\n", below, strerror(errno));
		p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SBT_CHECK(p != MAP_FAILED);
	}
	printf("mapping %p-%p, kvm_run at %#lx\n", (void *)p, (void *)(p + chunk), run_lo);
	fflush(stdout);
	for (size_t off = 0; off < chunk; off += PAGE)
		p[off] = (unsigned char)(off >> 12);
	q = mremap(p, chunk, 4 * chunk, MREMAP_MAYMOVE);
	SBT_CHECK(q != MAP_FAILED);
	printf("moved to %p\n", (void *)q);
	fflush(stdout);
	for (size_t off = 0; off < chunk; off += PAGE)
		SBT_CHECK(q[off] == (unsigned char)(off >> 12));
	q[4 * chunk - 1] = 9;
	SBT_CHECK(syscall(SYS_getpid) == getpid());
	SBT_CHECK(munmap(q, 4 * chunk) == 0);
}

static void test_mremap_next_to_vault(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_mremap_next_to_vault, NULL, NULL, SBT_OUT | SBT_ERR, NULL, res,
		   "mremap of the mapping below the vault");
}

/* ------------------------------------------------------------------ time, ids */

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void sc_vdso_clock(void *arg)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };

	(void)arg;
	printf("vDSO at %#lx\n", getauxval(AT_SYSINFO_EHDR));
	SBT_CHECK(getauxval(AT_SYSINFO_EHDR) != 0);
	for (unsigned c = 0; c < sizeof clocks / sizeof clocks[0]; c++)
		for (int i = 0; i < 5; i++) {
			struct timespec a, b, v;

			/* forwarded, vDSO (no exit), forwarded */
			SBT_CHECK(syscall(SYS_clock_gettime, clocks[c], &a) == 0);
			SBT_CHECK(clock_gettime(clocks[c], &v) == 0);
			SBT_CHECK(syscall(SYS_clock_gettime, clocks[c], &b) == 0);
			if (ns_of(&v) < ns_of(&a) - 1000000 || ns_of(&v) > ns_of(&b) + 1000000)
				sbt_fail(__FILE__, __LINE__,
					 "clock %d: vDSO reading %lld.%09ld not within 1 ms of the syscall readings "
					 "[%lld.%09ld, %lld.%09ld] (off by %+.6f s)",
					 (int)clocks[c], (long long)v.tv_sec, v.tv_nsec, (long long)a.tv_sec, a.tv_nsec,
					 (long long)b.tv_sec, b.tv_nsec, (double)(ns_of(&v) - ns_of(&a)) / 1e9);
		}
	/* gettimeofday and time() come from the vDSO too */
	{
		struct timeval tv;
		struct timespec a;

		SBT_CHECK(gettimeofday(&tv, NULL) == 0);
		SBT_CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &a) == 0);
		SBT_CHECK(llabs((int64_t)tv.tv_sec * 1000000 + tv.tv_usec - ns_of(&a) / 1000) < 1000000);
		SBT_CHECK(llabs((long long)time(NULL) - (long long)a.tv_sec) <= 1);
	}
}

static void test_vdso_clock(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_vdso_clock, NULL, NULL, SBT_OUT, NULL, res, "vDSO clock_gettime");
}

static void sc_getpid(void *arg)
{
	(void)arg;
	printf("%ld %ld %ld %d\n", syscall(SYS_getpid), syscall(SYS_gettid), syscall(SYS_getppid), (int)getpid());
}

static void test_getpid(void **state)
{
	long pid = -1, tid = -1, ppid = -1;
	int lpid = -1;

	(void)state;
	SBT_RUN_OK(sc_getpid, NULL, NULL, SBT_OUT, NULL, res, "getpid");
	assert_int_equal(sscanf(res->out, "%ld %ld %ld %d", &pid, &tid, &ppid, &lpid), 4);
	assert_int_equal(pid, res->pid);
	assert_int_equal(tid, res->pid);
	assert_int_equal(lpid, res->pid);
	assert_int_equal(ppid, getpid());
}

/* ------------------------------------------------------------------ policy */

static void sc_policy_errno(void *arg)
{
	char dir[64];

	(void)arg;
	snprintf(dir, sizeof dir, "/tmp/ringfence-kvm-dir-%d", (int)getpid());
	SBT_CHECK_ERR(mkdir(dir, 0700), EROFS);
	SBT_CHECK(access(dir, F_OK) == -1 && errno == ENOENT); /* it was not made */
	SBT_CHECK_ERR(syscall(SYS_getppid), EDOM);
	SBT_CHECK_ERR(syscall(SYS_getppid), EDOM);
	/* other calls go through */
	SBT_CHECK(syscall(SYS_getpid) == getpid());
	SBT_CHECK_ERR(rmdir(dir), ENOENT);
}

/* Every line of an audit log is one JSON object with the documented fields
 * (docs/policy.md): checks each field's type and value for the records of
 * nr. Returns how many records of nr there were. */
static int check_audit(const char *log, pid_t pid, const char *name, long nr, long err)
{
	int found = 0;
	const char *line = log;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, len);
		struct json_object *o = json_tokener_parse(copy), *v;

		if (!o)
			fail_msg("audit line is not JSON: %s", copy);
		if (json_object_object_get_ex(o, "nr", &v) && json_object_get_int64(v) == nr) {
			found++;
			assert_true(json_object_object_get_ex(o, "time", &v) && json_object_get_double(v) > 1e9);
			assert_true(json_object_object_get_ex(o, "pid", &v) && json_object_get_int(v) == pid);
			assert_true(json_object_object_get_ex(o, "tid", &v) && json_object_get_int(v) == pid);
			assert_true(json_object_object_get_ex(o, "syscall", &v) && !strcmp(json_object_get_string(v), name));
			assert_true(json_object_object_get_ex(o, "args", &v) && json_object_is_type(v, json_type_array));
			assert_true(json_object_object_get_ex(o, "decision", &v) &&
				    !strcmp(json_object_get_string(v), "errno"));
			assert_true(json_object_object_get_ex(o, "errno", &v) && json_object_get_int(v) == err);
			assert_true(json_object_object_get_ex(o, "rule", &v) && !strcmp(json_object_get_string(v), "policy"));
			assert_true(json_object_object_get_ex(o, "rip", &v) &&
				    !strncmp(json_object_get_string(v), "0x", 2));
		}
		json_object_put(o);
		free(copy);
		line = end ? end + 1 : NULL;
	}
	return found;
}

static void test_policy_errno(void **state)
{
	struct sb_policy *p = NULL;
	char want[64];

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add_name(p, "mkdir", SB_ACT_ERRNO(EROFS)), 0);
	assert_int_equal(sb_policy_add_name(p, "mkdirat", SB_ACT_ERRNO(EROFS)), 0);
	assert_int_equal(sb_policy_add_name(p, "getppid", SB_ACT_ERRNO(EDOM)), 0);
	assert_int_equal(sb_policy_log_denials(p, 2), 0); /* the child's stderr: the pipe */
	SBT_RUN_OK(sc_policy_errno, NULL, p, SBT_ERR, NULL, res, "policy ERRNO");
	sb_policy_free(p);
	/* one JSON line per denied call */
	snprintf(want, sizeof want, "\"pid\":%d,", (int)res->pid);
	if (!contains(res->err, want) || !contains(res->err, "\"syscall\":\"mkdir\"") ||
	    !contains(res->err, "\"syscall\":\"getppid\"") || !contains(res->err, "\"decision\":\"errno\",\"errno\":33") ||
	    !contains(res->err, "\"errno\":30")) {
		sbt_dump(res, "policy ERRNO");
		fail_msg("the denial log lacks the expected lines");
	}
	/* field by field: two getppid records, one mkdir (with its path) */
	assert_int_equal(check_audit(res->err, res->pid, "getppid", SYS_getppid, EDOM), 2);
	assert_int_equal(check_audit(res->err, res->pid, "mkdir", SYS_mkdir, EROFS), 1);
	if (!contains(res->err, "\"paths\":{\"0\":\"/tmp/ringfence-kvm-dir-")) {
		sbt_dump(res, "policy ERRNO");
		fail_msg("the audit record lacks the path");
	}
	if (contains(res->err, "\"syscall\":\"getpid\"") || contains(res->err, "\"syscall\":\"rmdir\"")) {
		sbt_dump(res, "policy ERRNO");
		fail_msg("the denial log reports calls that were allowed");
	}
}

static void sc_policy_default_errno(void *arg)
{
	static const char msg[] = "written\n";

	(void)arg;
	/* only write, getpid and exit_group are allowed: no stdio, no libc set-up calls */
	if (syscall(SYS_getppid) != -1 || errno != EACCES)
		_exit(20);
	if (syscall(SYS_uname, NULL) != -1 || errno != EACCES)
		_exit(21);
	if (syscall(SYS_getpid) != getpid())
		_exit(22);
	if (write(1, msg, sizeof msg - 1) != sizeof msg - 1)
		_exit(23);
	_exit(0);
}

static void test_policy_default_errno(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ERRNO(EACCES), &p), 0);
	assert_int_equal(sb_policy_add_name(p, "write", SB_ACT_ALLOW), 0);
	assert_int_equal(sb_policy_add_name(p, "getpid", SB_ACT_ALLOW), 0);
	assert_int_equal(sb_policy_add_name(p, "exit_group", SB_ACT_ALLOW), 0);
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizer runtime itself needs these on a thread's way out */
	assert_int_equal(sb_policy_add_name(p, "sigaltstack", SB_ACT_ALLOW), 0);
	assert_int_equal(sb_policy_add_name(p, "mmap", SB_ACT_ALLOW), 0);
	assert_int_equal(sb_policy_add_name(p, "munmap", SB_ACT_ALLOW), 0);
#endif
	SBT_RUN_OK(sc_policy_default_errno, NULL, p, SBT_OUT, NULL, res, "policy default ERRNO");
	sb_policy_free(p);
	assert_string_equal(res->out, "written\n");
}

static void sc_policy_kill(void *arg)
{
	(void)arg;
	printf("before\n");
	fflush(stdout);
	syscall(SYS_getppid); /* SIGSYS */
	printf("after\n");
	fflush(stdout);
	_exit(SBT_EXIT_ALIVE);
}

static void test_policy_kill(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add_name(p, "getppid", SB_ACT_KILL), 0);
	assert_int_equal(sb_policy_log_denials(p, 2), 0);
	assert_int_equal(sbt_run(sc_policy_kill, NULL, p, SBT_OUT | SBT_ERR, NULL, res), 0);
	sb_policy_free(p);
	SBT_EXPECT_SIGNAL(res, SIGSYS, "policy KILL");
	assert_string_equal(res->out, "before\n");
	if (!contains(res->err, "\"decision\":\"kill\"") || !contains(res->err, "\"syscall\":\"getppid\"")) {
		sbt_dump(res, "policy KILL");
		fail_msg("the KILL was not logged");
	}
}

/* an audit record with a backtrace names the function that made the call */
__attribute__((noinline)) static void audited_caller(void)
{
	SBT_CHECK_ERR(syscall(SYS_getppid), EPERM);
}

static void sc_audit_backtrace(void *arg)
{
	(void)arg;
	audited_caller();
	SBT_CHECK(syscall(SYS_getpid) == getpid());
}

static void test_audit_backtrace(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add_name(p, "getppid", SB_ACT_ERRNO(EPERM)), 0);
	assert_int_equal(sb_policy_audit(p, 2, SB_AUDIT_BACKTRACE), 0);
	assert_int_equal(sb_policy_audit(p, 2, 0x100), -EINVAL);
	SBT_RUN_OK(sc_audit_backtrace, NULL, p, SBT_ERR, NULL, res, "audit backtrace");
	sb_policy_free(p);
	if (!contains(res->err, "\"syscall\":\"getppid\"") || !contains(res->err, "\"backtrace\":[\"0x") ||
	    !contains(res->err, "audited_caller+0x") || !contains(res->err, "]}")) {
		sbt_dump(res, "audit backtrace");
		fail_msg("the audit record lacks a symbolized backtrace");
	}
}

/* ------------------------------------------------------------------ unveil + pledge */

/* OpenBSD's pattern: unveil what is needed, then pledge, from inside the
 * program; the scenario enters by itself through sb_pledge() */
static void sc_pledge(void *arg)
{
	const char *dir = arg;
	char p[128];
	int fd;

	SBT_CHECK(sb_unveil(dir, "rwc") == 0);
	SBT_CHECK(sb_unveil(NULL, NULL) == 0);
	SBT_CHECK(sb_pledge("stdio rpath wpath cpath", NULL) == 0);
	SBT_CHECK(sb_inside() == 1);
	snprintf(p, sizeof p, "%s/made-inside", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0600);                  /* unveiled, promised */
	SBT_CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	SBT_CHECK(unlink(p) == 0);
	SBT_CHECK_ERR(open("/proc/version", O_RDONLY), EACCES); /* promised, not unveiled */
	SBT_CHECK(sb_unveil("/", "r") == -EBUSY);                /* no widening from inside */
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);             /* not promised: SIGSYS */
	_exit(SBT_EXIT_ALIVE);
}

static void test_unveil_pledge(void **state)
{
	char dir[64];

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/rf-pledge-%d", (int)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(sbt_run(sc_pledge, dir, NULL, SBT_NO_ENTER, NULL, res), 0);
	rmdir(dir);
	SBT_EXPECT_SIGNAL(res, SIGSYS, "unveil + pledge");
}

/* ------------------------------------------------------------------ network rules */

static socklen_t abstract_addr(struct sockaddr_un *u, const char *name)
{
	memset(u, 0, sizeof *u);
	u->sun_family = AF_UNIX;
	memcpy(u->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static void sc_net(void *arg)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sockaddr_un u;
	socklen_t n;
	int s, d;

	(void)arg;
	/* sockets: only (AF_INET, SOCK_STREAM) and AF_UNIX of any type */
	SBT_CHECK_ERR(socket(AF_INET, SOCK_DGRAM, 0), EACCES);
	SBT_CHECK_ERR(socket(AF_INET6, SOCK_STREAM, 0), EACCES);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	SBT_CHECK(s >= 0);
	/* addresses: connect only to 127.0.0.1 (loopback: no traffic leaves) */
	in.sin_addr.s_addr = htonl(0x7f000002);
	SBT_CHECK_ERR(connect(s, (struct sockaddr *)&in, sizeof in), EACCES);
	in.sin_addr.s_addr = htonl(0x7f000001);
	SBT_CHECK(connect(s, (struct sockaddr *)&in, sizeof in) == -1 && errno != EACCES); /* refused or unreachable */
	close(s);
	/* AF_UNIX: bind only the abstract name allowed, sendto only to it */
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	SBT_CHECK(d >= 0);
	n = abstract_addr(&u, "ringfence-other");
	SBT_CHECK_ERR(bind(d, (struct sockaddr *)&u, n), EACCES);
	n = abstract_addr(&u, "ringfence-net-test");
	SBT_CHECK(bind(d, (struct sockaddr *)&u, n) == 0);
	SBT_CHECK(sendto(d, "x", 1, 0, (struct sockaddr *)&u, n) == 1);
	n = abstract_addr(&u, "ringfence-other");
	SBT_CHECK_ERR(sendto(d, "x", 1, 0, (struct sockaddr *)&u, n), EACCES);
	close(d);
}

static void test_net_rules(void **state)
{
	struct sb_policy *p = NULL;
	struct sb_net_rule r;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_allow_socket(p, AF_INET, SOCK_STREAM), 0);
	assert_int_equal(sb_policy_allow_socket(p, AF_UNIX, -1), 0);
	memset(&r, 0, sizeof r);
	r.family = AF_INET;
	r.addr[0] = 127;
	r.addr[3] = 1;
	r.prefix = 32;
	r.port_hi = 65535;
	r.ops = SB_NET_CONNECT;
	r.origin = "loopback";
	assert_int_equal(sb_policy_allow_net(p, &r), 0);
	memset(&r, 0, sizeof r);
	r.family = AF_UNIX;
	r.path = "@ringfence-net-test";
	r.ops = SB_NET_CONNECT | SB_NET_BIND;
	assert_int_equal(sb_policy_allow_net(p, &r), 0);
	assert_int_equal(sb_policy_log_denials(p, 2), 0);
	SBT_RUN_OK(sc_net, NULL, p, SBT_ERR, NULL, res, "network rules");
	sb_policy_free(p);
	if (!contains(res->err, "\"syscall\":\"connect\"") || !contains(res->err, "net: address not allowed") ||
	    !contains(res->err, "net: socket domain or type not allowed")) {
		sbt_dump(res, "network rules");
		fail_msg("the refusals were not audited");
	}
}

/* ------------------------------------------------------------------ CPU state */

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

__attribute__((target("avx2"))) static int avx2_sum(const int32_t *a, const int32_t *b, int32_t *out, int n)
{
	for (int i = 0; i + 8 <= n; i += 8) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(a + i));
		__m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
		__m256i z = _mm256_add_epi32(_mm256_mullo_epi32(x, y), _mm256_set1_epi32(3));

		_mm256_storeu_si256((__m256i *)(out + i), z);
	}
	{
		/* horizontal sum of the last vector, with a shuffle across lanes */
		__m256i v = _mm256_loadu_si256((const __m256i *)out);
		__m256i s = _mm256_add_epi32(v, _mm256_permute2x128_si256(v, v, 1));

		s = _mm256_hadd_epi32(s, s);
		s = _mm256_hadd_epi32(s, s);
		return _mm256_extract_epi32(s, 0);
	}
}

static int sse2_sum(const int32_t *a, const int32_t *b, int32_t *out, int n)
{
	for (int i = 0; i + 4 <= n; i += 4) {
		__m128i x = _mm_loadu_si128((const __m128i *)(a + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(b + i));
		/* SSE2 has no 32-bit mullo: x * y via two _mm_mul_epu32 */
		__m128i lo = _mm_mul_epu32(x, y);
		__m128i hi = _mm_mul_epu32(_mm_srli_si128(x, 4), _mm_srli_si128(y, 4));
		__m128i m = _mm_unpacklo_epi32(_mm_shuffle_epi32(lo, 0x08), _mm_shuffle_epi32(hi, 0x08));

		_mm_storeu_si128((__m128i *)(out + i), _mm_add_epi32(m, _mm_set1_epi32(3)));
	}
	return out[0] + out[1] + out[2] + out[3] + out[0] + out[1] + out[2] + out[3];
}

static void sc_simd(void *arg)
{
	enum { N = 64 };
	int32_t a[N], b[N], out[N];
	int avx2 = __builtin_cpu_supports("avx2");
	uint64_t xcr0_native = *(const uint64_t *)arg, xcr0;
	int sum, want = 0;

	for (int i = 0; i < N; i++) {
		a[i] = i * 3 - 50;
		b[i] = 1000 - i * 7;
	}
	xcr0 = xgetbv0();
	printf("%s; XCR0 native %#llx, inside %#llx\n", avx2 ? "AVX2" : "SSE2 (the CPU has no AVX2)",
	       (unsigned long long)xcr0_native, (unsigned long long)xcr0);
	/* the guest has the FPU state components the process had (x87 SSE AVX AVX-512) */
	SBT_CHECK((xcr0 & 0xe7) == (xcr0_native & 0xe7));
	if (avx2) {
		sum = avx2_sum(a, b, out, N);
		for (int i = 0; i < 8; i++)
			want += a[i] * b[i] + 3;
	} else {
		sum = sse2_sum(a, b, out, N);
		for (int i = 0; i < 4; i++)
			want += 2 * (a[i] * b[i] + 3);
	}
	for (int i = 0; i < N; i++)
		if (out[i] != a[i] * b[i] + 3)
			sbt_fail(__FILE__, __LINE__, "element %d: %d, expected %d", i, out[i], a[i] * b[i] + 3);
	SBT_CHECK(sum == want);
	/* double precision and libm */
	{
		volatile double x = 2.0;

		SBT_CHECK(fabs(sqrt(x) * sqrt(x) - 2.0) < 1e-12);
	}
}

static void test_simd(void **state)
{
	uint64_t xcr0 = xgetbv0();

	(void)state;
	SBT_RUN_OK(sc_simd, &xcr0, NULL, SBT_OUT, NULL, res, "AVX2/SSE2");
	printf("     %s", res->out);
}

/* FPU state at the very call: registers are set by the asm right before
 * `call sb_enter` and read right after it, with nothing compiled in between.
 * Offsets of struct fpu_probe are used by the asm. */
struct fpu_probe {
	uint8_t ymm8_in[32];   /* 0 */
	uint8_t ymm15_in[32];  /* 32 */
	uint8_t ymm8_out[32];  /* 64 */
	uint8_t ymm15_out[32]; /* 96 */
	uint64_t rbx_out;      /* 128 */
	uint32_t mxcsr_before; /* 136 */
	uint32_t mxcsr_after;  /* 140 */
	uint16_t fcw_before;   /* 144 */
	uint16_t fcw_after;    /* 146 */
};
_Static_assert(offsetof(struct fpu_probe, rbx_out) == 128 && offsetof(struct fpu_probe, fcw_after) == 146,
	       "offsets used by the asm");

#define RBX_MAGIC 0x1122334455667788ull

static __attribute__((noinline)) int enter_avx(const struct sb_policy *pol, struct fpu_probe *p)
{
	register struct fpu_probe *pp __asm__("r12") = p;
	register const struct sb_policy *rdi __asm__("rdi") = pol;
	long rc;

	__asm__ volatile("mov %%rsp, %%r15\n\t"
			 "sub $256, %%rsp\n\t" /* below the red zone */
			 "and $-64, %%rsp\n\t"
			 "mov %[magic], %%rbx\n\t"
			 "vmovdqu 0(%%r12), %%ymm8\n\t"
			 "vmovdqu 32(%%r12), %%ymm15\n\t"
			 "stmxcsr 136(%%r12)\n\t"
			 "fnstcw 144(%%r12)\n\t"
			 "call sb_enter\n\t"
			 "stmxcsr 140(%%r12)\n\t"
			 "fnstcw 146(%%r12)\n\t"
			 "vmovdqu %%ymm8, 64(%%r12)\n\t"
			 "vmovdqu %%ymm15, 96(%%r12)\n\t"
			 "mov %%rbx, 128(%%r12)\n\t"
			 "mov %%r15, %%rsp\n\t"
			 : "=a"(rc), "+r"(pp), "+r"(rdi)
			 : [magic] "i"(RBX_MAGIC)
			 : "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r15", "memory", "cc", "xmm0", "xmm1",
			   "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			   "xmm13", "xmm14", "xmm15");
	return (int)rc; /* sb_enter returns an int: the upper half of rax is not part of it */
}

static __attribute__((noinline)) int enter_sse(const struct sb_policy *pol, struct fpu_probe *p)
{
	register struct fpu_probe *pp __asm__("r12") = p;
	register const struct sb_policy *rdi __asm__("rdi") = pol;
	long rc;

	__asm__ volatile("mov %%rsp, %%r15\n\t"
			 "sub $256, %%rsp\n\t"
			 "and $-64, %%rsp\n\t"
			 "mov %[magic], %%rbx\n\t"
			 "movdqu 0(%%r12), %%xmm8\n\t"
			 "movdqu 32(%%r12), %%xmm15\n\t"
			 "stmxcsr 136(%%r12)\n\t"
			 "fnstcw 144(%%r12)\n\t"
			 "call sb_enter\n\t"
			 "stmxcsr 140(%%r12)\n\t"
			 "fnstcw 146(%%r12)\n\t"
			 "movdqu %%xmm8, 64(%%r12)\n\t"
			 "movdqu %%xmm15, 96(%%r12)\n\t"
			 "mov %%rbx, 128(%%r12)\n\t"
			 "mov %%r15, %%rsp\n\t"
			 : "=a"(rc), "+r"(pp), "+r"(rdi)
			 : [magic] "i"(RBX_MAGIC)
			 : "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r15", "memory", "cc", "xmm0", "xmm1",
			   "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			   "xmm13", "xmm14", "xmm15");
	return (int)rc; /* sb_enter returns an int: the upper half of rax is not part of it */
}

static double third_upward_native; /* 1/3 rounded upward, computed outside */

static void sc_fpu(void *arg)
{
	static struct fpu_probe p;
	int avx = __builtin_cpu_supports("avx");
	size_t width = avx ? 32 : 16;
	volatile double one = 1.0, three = 3.0;
	int rc;

	(void)arg;
	for (int i = 0; i < 32; i++) {
		p.ymm8_in[i] = (uint8_t)(0xa0 + i);
		p.ymm15_in[i] = (uint8_t)(0x3c ^ (i * 11));
	}
	SBT_CHECK(fesetround(FE_UPWARD) == 0);
	rc = avx ? enter_avx(NULL, &p) : enter_sse(NULL, &p);
	if (rc) {
		dprintf(2, "  [child %d] sb_enter: %d (%s): %s\n", (int)getpid(), rc, strerror(-rc),
			sb_last_error());
		_exit(SBT_EXIT_ENTER);
	}
	SBT_CHECK(sb_inside() == 1);
	printf("%s; MXCSR %#x -> %#x; x87 CW %#x -> %#x\n", avx ? "ymm8/ymm15" : "xmm8/xmm15 (no AVX)",
	       p.mxcsr_before, p.mxcsr_after, p.fcw_before, p.fcw_after);
	SBT_CHECK((p.mxcsr_before & 0x6000) == 0x4000); /* RC = round up */
	SBT_CHECK(p.mxcsr_after == p.mxcsr_before);
	SBT_CHECK((p.fcw_before & 0x0c00) == 0x0800);
	SBT_CHECK(p.fcw_after == p.fcw_before);
	if (memcmp(p.ymm8_out, p.ymm8_in, width) || memcmp(p.ymm15_out, p.ymm15_in, width)) {
		for (size_t i = 0; i < width; i++)
			printf("%02x%s", p.ymm8_out[i], i + 1 == width ? "\n" : "");
		sbt_fail(__FILE__, __LINE__, "vector registers differ after sb_enter");
	}
	SBT_CHECK(p.rbx_out == RBX_MAGIC);
	SBT_CHECK(fegetround() == FE_UPWARD);
	/* and the rounding mode is in force */
	SBT_CHECK(one / three == third_upward_native);
	SBT_CHECK(fesetround(FE_TONEAREST) == 0);
	SBT_CHECK(one / three < third_upward_native);
}

static void test_fpu_state(void **state)
{
	volatile double one = 1.0, three = 3.0;

	(void)state;
	fesetround(FE_UPWARD);
	third_upward_native = one / three;
	fesetround(FE_TONEAREST);
	SBT_RUN_OK(sc_fpu, NULL, NULL, SBT_OUT | SBT_NO_ENTER, NULL, res, "FPU state carried in");
	printf("     %s", res->out);
}

static __thread long tls_var = 7;
static __thread char tls_buf[64] = "initial";

static void sc_tls(void *arg)
{
	uint64_t fs = 0;
	const uint64_t fs_outside = *(const uint64_t *)arg;

	SBT_CHECK(tls_var == 0x1234);
	SBT_CHECK(strcmp(tls_buf, "set before") == 0);
	tls_var = 0x5678;
	snprintf(tls_buf, sizeof tls_buf, "set inside %d", 1);
	SBT_CHECK(tls_var == 0x5678 && strcmp(tls_buf, "set inside 1") == 0);
	/* errno is TLS too */
	errno = 0;
	SBT_CHECK(close(-1) == -1 && errno == EBADF);
	SBT_CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) == 0);
	SBT_CHECK(fs == fs_outside);
	SBT_CHECK((uint64_t)(uintptr_t)&tls_var > 0);
}

static void test_tls(void **state)
{
	uint64_t fs = 0;

	(void)state;
	assert_int_equal(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
	/* set in the parent: the forked child has them before sb_enter */
	tls_var = 0x1234;
	snprintf(tls_buf, sizeof tls_buf, "set before");
	SBT_RUN_OK(sc_tls, &fs, NULL, 0, NULL, res, "__thread across sb_enter");
	tls_var = 7;
}

/* ------------------------------------------------------------------ process end */

static void at_exit_handler(void)
{
	printf(" atexit ran");
}

static void sc_exit42(void *arg)
{
	(void)arg;
	SBT_CHECK(atexit(at_exit_handler) == 0);
	printf("bye"); /* still buffered: exit() flushes it */
	exit(42);
}

static void test_exit42(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_exit42, NULL, NULL, SBT_OUT, NULL, res), 0);
	SBT_EXPECT_EXIT(res, 42, "exit(42)");
	assert_string_equal(res->out, "bye atexit ran");
}

static void sc_raise_term(void *arg)
{
	(void)arg;
	raise(SIGTERM);
	_exit(SBT_EXIT_ALIVE);
}

static void test_signal_default(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_raise_term, NULL, NULL, 0, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGTERM, "raise(SIGTERM)");
}

static void sc_inside(void *arg)
{
	int rc;

	(void)arg;
	SBT_CHECK(sb_inside() == 1);
	rc = sb_enter(NULL);
	SBT_CHECK(rc == -EBUSY);
	SBT_CHECK(strlen(sb_last_error()) > 0);
	printf("%s\n", sb_last_error());
	SBT_CHECK(sb_inside() == 1);
}

static void test_enter_twice(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_inside, NULL, NULL, SBT_OUT, NULL, res, "sb_enter inside");
}

/* ------------------------------------------------------------------ faults as natively */

static void victim(void)
{
	__asm__ volatile("nop");
}

static void sc_write_code(void *arg)
{
	volatile unsigned char *code = (volatile unsigned char *)(uintptr_t)victim;
	unsigned char c = *code; /* readable */

	(void)arg;
	(void)c;
	*code = 0xc3; /* SIGSEGV */
	_exit(SBT_EXIT_ALIVE);
}

static void sc_ud2(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	_exit(SBT_EXIT_ALIVE);
}

static void sc_int3(void *arg)
{
	(void)arg;
	__asm__ volatile("int3");
	_exit(SBT_EXIT_ALIVE);
}

static void sc_div0(void *arg)
{
	int q;

	(void)arg;
	__asm__ volatile("mov $1, %%eax\n\t"
			 "cltd\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "idiv %%ecx\n\t"
			 : "=a"(q)
			 :
			 : "rcx", "rdx", "cc");
	printf("%d\n", q);
	_exit(SBT_EXIT_ALIVE);
}

static void sc_hlt(void *arg)
{
	(void)arg;
	__asm__ volatile("hlt"); /* privileged: #GP */
	_exit(SBT_EXIT_ALIVE);
}

/* the same scenario natively and in the sandbox: same death */
static void same_death(sbt_fn fn, int expect_sig, const char *what)
{
	int native;

	assert_int_equal(sbt_run(fn, NULL, NULL, SBT_NATIVE, NULL, res), 0);
	native = res->status;
	if (!WIFSIGNALED(native) || WTERMSIG(native) != expect_sig) {
		sbt_dump(res, what);
		fail_msg("%s natively: %s, expected signal %d (test bug)", what, sbt_status_str(native), expect_sig);
	}
	assert_int_equal(sbt_run(fn, NULL, NULL, SBT_ERR, NULL, res), 0);
	if (!WIFSIGNALED(res->status) || WTERMSIG(res->status) != WTERMSIG(native)) {
		sbt_dump(res, what);
		fail_msg("%s: sandboxed child %s, natively %s", what, sbt_status_str(res->status),
			 sbt_status_str(native));
	}
	if (!contains(res->err, "killed by")) {
		sbt_dump(res, what);
		fail_msg("%s: no crash report on stderr", what);
	}
}

static void test_write_code_segv(void **state)
{
	(void)state;
	same_death(sc_write_code, SIGSEGV, "write to own code");
}

static void test_ud2_sigill(void **state)
{
	(void)state;
	same_death(sc_ud2, SIGILL, "ud2");
}

static void test_int3_sigtrap(void **state)
{
	(void)state;
	same_death(sc_int3, SIGTRAP, "int3");
}

static void test_div0_sigfpe(void **state)
{
	(void)state;
	same_death(sc_div0, SIGFPE, "integer divide by zero");
}

static void test_hlt_sigsegv(void **state)
{
	(void)state;
	same_death(sc_hlt, SIGSEGV, "hlt in user mode");
}

static __attribute__((noinline)) void crash_here_for_the_report(void)
{
	volatile int *volatile bad = (volatile int *)(uintptr_t)8;

	(void)*bad;
}

static void sc_crash(void *arg)
{
	(void)arg;
	crash_here_for_the_report();
	_exit(SBT_EXIT_ALIVE);
}

static void test_crash_report(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_crash, NULL, NULL, SBT_ERR, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "crash report");
	if (!contains(res->err, "killed by SIGSEGV") || !contains(res->err, "backtrace")) {
		sbt_dump(res, "crash report");
		fail_msg("the crash report lacks \"killed by SIGSEGV\" or \"backtrace\"");
	}
	printf("     crash report: %zu bytes; %s the faulting function's name\n", res->errlen,
	       contains(res->err, "crash_here_for_the_report") ? "names" : "does NOT name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stdio),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_malloc_1m),
		cmocka_unit_test(test_malloc_200m),
		cmocka_unit_test(test_mprotect_segv),
		cmocka_unit_test(test_munmap_segv),
		cmocka_unit_test(test_mremap_next_to_vault),
		cmocka_unit_test(test_vdso_clock),
		cmocka_unit_test(test_getpid),
		cmocka_unit_test(test_policy_errno),
		cmocka_unit_test(test_policy_default_errno),
		cmocka_unit_test(test_policy_kill),
		cmocka_unit_test(test_net_rules),
		cmocka_unit_test(test_unveil_pledge),
		cmocka_unit_test(test_audit_backtrace),
		cmocka_unit_test(test_simd),
		cmocka_unit_test(test_fpu_state),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_exit42),
		cmocka_unit_test(test_signal_default),
		cmocka_unit_test(test_enter_twice),
		cmocka_unit_test(test_write_code_segv),
		cmocka_unit_test(test_ud2_sigill),
		cmocka_unit_test(test_int3_sigtrap),
		cmocka_unit_test(test_div0_sigfpe),
		cmocka_unit_test(test_hlt_sigsegv),
		cmocka_unit_test(test_crash_report),
	};

	printf("# test_kvm: /dev/kvm %s; child watchdog %u s (SBT_TIMEOUT)\n",
	       access("/dev/kvm", R_OK | W_OK) == 0 ? "is usable" : "is NOT usable: every test will fail",
	       sbt_timeout());
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
