/* SPDX-License-Identifier: MIT */
/* tests/integration/test_exitless.c: the exitless channel (issue #6) gives what the exit path gives.
 *
 * Every scenario runs twice: with the channel forced on (SB_ENTER_EXITLESS)
 * and off (SB_ENTER_NO_EXITLESS), and compares with values taken natively
 * before entering, or with the other mode's output. RINGFENCE_STATS=1
 * makes the monitor print its counts at exit_group: with two CPUs or more
 * the channel must have served calls (with one, the stub's wait usually
 * ends before the worker runs, and the exit path takes the call back).
 *
 * Hostile: the request slots, the control page and the channel stubs are
 * in the sys window, supervisor-only: a thread of the process that tries
 * to rewrite its own or another thread's slot (directly, or by having the
 * kernel write there) while calls are being served must fail every time,
 * and the calls' results must stay right.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "../common/sbtest.h"
#include "../../libsandbox/src/monitor/vault.h"



static unsigned mode_flags[2] = { SB_ENTER_EXITLESS, SB_ENTER_NO_EXITLESS };
static const char *mode_name[2] = { "exitless", "exit path" };

static void enter(unsigned flags, const struct sb_policy *pol)
{
	setenv("RINGFENCE_STATS", "1", 1);
	if (sb_enter_flags(pol, flags))
		_exit(SBT_EXIT_ENTER);
}

/* ---- same results */

struct native {
	pid_t pid, ppid;
	uid_t uid, euid;
	gid_t gid, egid;
	struct utsname un;
	char cwd[256];
	struct stat st;
};

/* a thread's tid, asked twice (the answer must not change or be another's) */
static void *own_tid(void *arg)
{
	long a = syscall(SYS_gettid), b = syscall(SYS_gettid);
	char path[64];

	(void)arg;
	snprintf(path, sizeof path, "/proc/self/task/%ld", a);
	return (void *)(a == b && access(path, F_OK) == 0 ? a : -1L);
}

static void sc_results(void *arg)
{
	unsigned flags = *(unsigned *)arg;
	struct native n;
	char path[] = "/tmp/rf-exitless-XXXXXX", buf[64];
	int fd, null, p[2];
	struct stat st;
	struct utsname un;

	n.pid = getpid();
	n.ppid = getppid();
	n.uid = getuid();
	n.euid = geteuid();
	n.gid = getgid();
	n.egid = getegid();
	SBT_CHECK(uname(&n.un) == 0);
	SBT_CHECK(getcwd(n.cwd, sizeof n.cwd) != NULL);
	fd = mkstemp(path);
	SBT_CHECK(fd >= 0);
	SBT_CHECK(unlink(path) == 0);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	SBT_CHECK(null >= 0 && pipe2(p, O_CLOEXEC) == 0);
	enter(flags, NULL);
	for (int i = 0; i < 3000; i++) {
		SBT_CHECK(syscall(SYS_getpid) == n.pid);
		SBT_CHECK(syscall(SYS_gettid) == n.pid);
		SBT_CHECK(write(null, "x", 1) == 1);
	}
	/* getcpu through the vDSO (in the VM, any mode): a CPU and node that exist */
	{
		unsigned cpu = ~0u, node = ~0u;
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);

		SBT_CHECK(getcpu(&cpu, &node) == 0 && cpu < (unsigned)ncpu && node < 64);
		SBT_CHECK(sched_getcpu() >= 0 && sched_getcpu() < ncpu);
	}
	/* another thread's tid, answered in the VM from its own slot */
	{
		pthread_t th;
		void *tid;

		SBT_CHECK(pthread_create(&th, NULL, own_tid, NULL) == 0 && pthread_join(th, &tid) == 0);
		SBT_CHECK((long)tid > 0 && (long)tid != n.pid);
	}
	SBT_CHECK(getppid() == n.ppid && getuid() == n.uid && geteuid() == n.euid && getgid() == n.gid &&
		  getegid() == n.egid);
	SBT_CHECK(uname(&un) == 0 && !strcmp(un.release, n.un.release) && !strcmp(un.nodename, n.un.nodename));
	SBT_CHECK(getcwd(buf, sizeof buf) != NULL && !strncmp(buf, n.cwd, sizeof buf - 1));
	/* a file: write, seek, read, pread, fstat */
	for (int i = 0; i < 200; i++)
		SBT_CHECK(write(fd, "0123456789", 10) == 10);
	SBT_CHECK(lseek(fd, 15, SEEK_SET) == 15);
	SBT_CHECK(read(fd, buf, 10) == 10 && !memcmp(buf, "5678901234", 10));
	SBT_CHECK(pread(fd, buf, 4, 1998) == 2 && !memcmp(buf, "89", 2));
	SBT_CHECK(fstat(fd, &st) == 0 && st.st_size == 2000);
	/* errors are the kernel's, as on the exit path */
	SBT_CHECK_ERR(write(987, "x", 1), EBADF);
	SBT_CHECK_ERR(read(null, buf, 1), EBADF);
	SBT_CHECK_ERR(syscall(SYS_getrandom, buf, 8, 0xffff), EINVAL);
	/* a pipe (handed to the exit path: it may block) */
	SBT_CHECK(write(p[1], "pipe", 4) == 4 && read(p[0], buf, 8) == 4 && !memcmp(buf, "pipe", 4));
	printf("ok\n");
	fflush(stdout);
	exit(0); /* exit_group: the stats line */
}

/* the count after WHAT in the stats line, or -1 */
static long stat_of(const struct sbt_result *r, const char *what)
{
	const char *s = memmem(r->err, r->errlen, what, strlen(what));

	return s ? strtol(s + strlen(what), NULL, 10) : -1;
}

static long served(const struct sbt_result *r)
{
	return stat_of(r, " exitless ");
}

static void test_same_results(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		long n;

		SBT_RUN_OK(sc_results, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		assert_non_null(memmem(res->out, res->outlen, "ok\n", 3));
		n = served(res);
		printf("     %s: %ld calls served by the worker, %ld answered in the VM, %ld exits\n", mode_name[k], n,
		       stat_of(res, " in-vm "), stat_of(res, " exits "));
		assert_true(n >= 0);
		if (k == 1) {
			assert_int_equal(n, 0);
			assert_int_equal(stat_of(res, " in-vm "), 0);
		} else {
			/* getpid and gettid, 3000 each (the first ones exit: the
			 * stub is switched on at the first exit) */
			assert_true(stat_of(res, " in-vm ") >= 5000);
			if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
				assert_true(n > 0);
		}
	}
}

/* ---- same denials, same audit records */

static void sc_denials(void *arg)
{
	unsigned flags = *(unsigned *)arg;
	struct sb_policy *pol;
	struct sb_rule r = { 0 };
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	SBT_CHECK(null >= 0 && dup2(null, 99) == 99);
	SBT_CHECK(sb_policy_new(SB_ACT_ALLOW, &pol) == 0);
	SBT_CHECK(sb_policy_add(pol, SYS_getppid, SB_ACT_ERRNO(EPERM)) == 0);
	r.nr = SYS_write;
	r.action = SB_ACT_ERRNO(EACCES);
	r.ncmp = 1;
	r.cmp[0].arg = 0;
	r.cmp[0].op = SB_CMP_EQ;
	r.cmp[0].a = 99;
	SBT_CHECK(sb_policy_add_rule(pol, &r) == 0);
	SBT_CHECK(sb_policy_add(pol, SYS_getuid, SB_ACT_LOG) == 0);
	SBT_CHECK(sb_policy_audit(pol, 1, 0) == 0);
	enter(flags, pol);
	for (int i = 0; i < 3; i++) {
		SBT_CHECK_ERR(syscall(SYS_getppid), EPERM); /* glibc's getppid() sets no errno */
		SBT_CHECK_ERR(write(99, "x", 1), EACCES);
		SBT_CHECK(write(null, "x", 1) == 1);
		(void)getuid();
		SBT_CHECK(syscall(SYS_getpid) > 0);
	}
	exit(0);
}

/* the audit records without what differs between runs (time, pids, rips) */
static int records(const struct sbt_result *r, char *out, size_t cap)
{
	size_t o = 0;
	int n = 0;

	for (const char *l = r->out; l < r->out + r->outlen;) {
		const char *e = memchr(l, '\n', (size_t)(r->out + r->outlen - l));
		const char *sc = memmem(l, (size_t)(e - l), "\"syscall\":", 10);
		const char *rip = memmem(l, (size_t)(e - l), ",\"rip\":", 7);

		if (!e)
			break;
		if (sc && rip && rip > sc && o + (size_t)(rip - sc) + 1 < cap) {
			memcpy(out + o, sc, (size_t)(rip - sc));
			o += (size_t)(rip - sc);
			out[o++] = '\n';
			n++;
		}
		l = e + 1;
	}
	out[o] = 0;
	return n;
}

static void test_same_denials(void **state)
{
	static char a[2][16384];
	int n[2];

	(void)state;
	for (int k = 0; k < 2; k++) {
		SBT_RUN_OK(sc_denials, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		n[k] = records(res, a[k], sizeof a[k]);
	}
	printf("     %d audit records each; exitless:\n%s", n[0], a[0]);
	/* getppid, write(99) and getuid (LOG), three times */
	assert_int_equal(n[0], 9);
	assert_int_equal(n[1], 9);
	assert_string_equal(a[0], a[1]);
}

/* ---- hostile: rewriting request slots */

static sigjmp_buf jb;
static volatile sig_atomic_t faults;

static void on_segv(int sig)
{
	(void)sig;
	faults++;
	siglongjmp(jb, 1);
}

struct target {
	uintptr_t addr;
	const char *what;
};

static volatile int stop;
static uintptr_t slot0;

/* another thread: rewrites thread 0's slot for as long as it makes calls */
static void *rewriter(void *arg)
{
	int pfd[2];
	long bad = 0;

	(void)arg;
	if (pipe2(pfd, O_CLOEXEC))
		return (void *)1;
	while (!stop) {
		/* the kernel writing there for us */
		if (write(pfd[1], "AAAAAAAA", 8) != 8 || read(pfd[0], (void *)slot0, 8) != -1 || errno != EFAULT)
			bad++;
		if (syscall(SYS_getrandom, (void *)(slot0 + 8), 8, 0) != -1 || errno != EFAULT)
			bad++;
		if (read(pfd[0], (char[8]){ 0 }, 8) != 8) /* drain */
			bad++;
	}
	close(pfd[0]);
	close(pfd[1]);
	return (void *)bad;
}

static void sc_rewrite(void *arg)
{
	unsigned flags = *(unsigned *)arg;
	struct sigaction sa = { 0 };
	pid_t pid = getpid();
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct target tg[5];
	pthread_t th;
	void *bad;
	uintptr_t vault = 0;
	char line[512];
	FILE *f;

	SBT_CHECK(null >= 0);
	enter(flags, NULL);
	/* the vault, found as an attacker would (tests/hostile/test_escape.c):
	 * thread 0's kvm_run, at a fixed offset in it */
	f = fopen("/proc/self/maps", "re");
	SBT_CHECK(f != NULL);
	while (fgets(line, sizeof line, f))
		if (strstr(line, "kvm-vcpu") && !vault)
			vault = strtoul(line, NULL, 16) - (VLT_THREADS + THR_RUN);
	fclose(f);
	SBT_CHECK(vault != 0);
	slot0 = vault + VLT_SYS + SYS_CSLOT;
	tg[0] = (struct target){ slot0, "thread 0's request slot" };
	tg[1] = (struct target){ slot0 + SYS_CSLOT_STRIDE, "thread 1's request slot" };
	tg[2] = (struct target){ vault + VLT_SYS + SYS_CCTL, "the channel's control page" };
	tg[3] = (struct target){ vault + VLT_SYS + SYS_CSTUB, "thread 0's channel stub" };
	tg[4] = (struct target){ vault + VLT_SYS + SYS_CSTUB + SYS_CSTUB_STRIDE, "thread 1's channel stub" };
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	SBT_CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	/* CPL3 cannot read or write any of them */
	for (volatile int i = 0; i < 5; i++) {
		int before = faults;

		if (!sigsetjmp(jb, 1))
			*(volatile uint32_t *)tg[i].addr = CH_DONE;
		if (!sigsetjmp(jb, 1))
			(void)*(volatile uint64_t *)tg[i].addr;
		if (faults != before + 2) {
			fprintf(stderr, "%s at %#lx: reached from user mode\n", tg[i].what, (unsigned long)tg[i].addr);
			_exit(SBT_EXIT_ESCAPED);
		}
	}
	/* a second thread tries to rewrite the slot while calls are served */
	SBT_CHECK(pthread_create(&th, NULL, rewriter, NULL) == 0);
	for (volatile int i = 0; i < 3000; i++) {
		SBT_CHECK(syscall(SYS_getpid) == pid);
		SBT_CHECK(write(null, "yy", 2) == 2);
		if (!sigsetjmp(jb, 1))
			*(volatile uint64_t *)(slot0 + 8 * (i % 16)) = (uint64_t)i;
	}
	stop = 1;
	SBT_CHECK(pthread_join(th, &bad) == 0);
	SBT_CHECK(bad == NULL);
	printf("faults %d\n", (int)faults);
	fflush(stdout);
	exit(0);
}

static void test_slot_rewrite(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		SBT_RUN_OK(sc_rewrite, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		assert_non_null(memmem(res->out, res->outlen, "faults 3010\n", 12));
		printf("     %s: every attempt faulted; %ld calls served without an exit\n", mode_name[k], served(res));
	}
}

/* on and off at once: refused before anything happens */
static void sc_both_flags(void *arg)
{
	(void)arg;
	SBT_CHECK(sb_enter_flags(NULL, SB_ENTER_EXITLESS | SB_ENTER_NO_EXITLESS) == -EINVAL);
	SBT_CHECK(!sb_inside());
	exit(0);
}

static void test_both_flags(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_both_flags, NULL, NULL, SBT_NO_ENTER, NULL, res, "SB_ENTER_EXITLESS | SB_ENTER_NO_EXITLESS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_results),
		cmocka_unit_test(test_same_denials),
		cmocka_unit_test(test_slot_rewrite),
		cmocka_unit_test(test_both_flags),
	};

	printf("# test_exitless: %ld CPUs online\n", sysconf(_SC_NPROCESSORS_ONLN));
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
