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
 * and the calls' results must stay right. The user slots of patched
 * sites are the process's own memory: forged requests there (calls the
 * worker must not make, pointers into the vault, a buffer flipped to the
 * vault while the request is served) are never made as forged.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include "../common/sbtest.h"
#include "../../libsandbox/src/monitor/vault.h"



/* the channel with patched call sites (the default when it is on), the
 * channel through unmodified `syscall`s only, the channel through patched
 * sites only (RINGFENCE_CHANNEL_STUB=off: unmodified `syscall`s exit, as
 * on a PVM host), the exit path */
#define NMODES 4
#define SITES_ONLY 2
#define EXITPATH 3
#define NO_STUB 0x80000000u /* the test's own: RINGFENCE_CHANNEL_STUB=off */
static unsigned mode_flags[NMODES] = { SB_ENTER_EXITLESS, SB_ENTER_EXITLESS | SB_ENTER_NO_PATCH,
				       SB_ENTER_EXITLESS | NO_STUB, SB_ENTER_NO_EXITLESS };
static const char *mode_name[NMODES] = { "exitless, patched sites", "exitless, unmodified syscall",
					 "exitless, patched sites only (no channel stub)", "exit path" };

static void enter(unsigned flags, const struct sb_policy *pol)
{
	setenv("RINGFENCE_STATS", "1", 1);
	if (flags & NO_STUB)
		setenv("RINGFENCE_CHANNEL_STUB", "off", 1);
	if (sb_enter_flags(pol, flags & ~NO_STUB))
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
		SBT_CHECK(getpid() == n.pid); /* glibc's wrapper: a site the patcher takes */
		SBT_CHECK(write(null, "x", 1) == 1);
	}
	/* glibc's getpid starts with `mov $39, %eax`: patched into a jmp, or not */
	printf("getpid starts with %02x\n", *(volatile unsigned char *)(uintptr_t)getpid);
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
	for (int k = 0; k < NMODES; k++) {
		long n;

		SBT_RUN_OK(sc_results, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		assert_non_null(memmem(res->out, res->outlen, "ok\n", 3));
		n = served(res);
		printf("     %s: %ld calls served by the worker, %ld answered in the VM, %ld exits, %ld sites patched\n",
		       mode_name[k], n, stat_of(res, " in-vm "), stat_of(res, " exits "), stat_of(res, " patched "));
		assert_true(n >= 0);
		if (k != 0 && k != SITES_ONLY) {
			assert_int_equal(stat_of(res, " patched "), 0);
			assert_non_null(memmem(res->out, res->outlen, "getpid starts with b8\n", 22));
		} else if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
			/* getpid's and write's sites at least (the worker runs) */
			assert_true(stat_of(res, " patched ") >= 2);
			assert_non_null(memmem(res->out, res->outlen, "getpid starts with e9\n", 22));
		}
		if (k == EXITPATH) {
			assert_int_equal(n, 0);
			assert_int_equal(stat_of(res, " in-vm "), 0);
		} else if (k == SITES_ONLY) {
			/* no channel stub: nothing answered by one; the patched
			 * write reaches the worker through its trampoline */
			assert_int_equal(stat_of(res, " in-vm "), 0);
			if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
				assert_true(n > 0);
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
	static char a[NMODES][16384];
	int n[NMODES];

	(void)state;
	for (int k = 0; k < NMODES; k++) {
		SBT_RUN_OK(sc_denials, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		n[k] = records(res, a[k], sizeof a[k]);
	}
	printf("     %d audit records each; exitless:\n%s", n[0], a[0]);
	/* getppid, write(99) and getuid (LOG), three times */
	for (int k = 0; k < NMODES; k++) {
		assert_int_equal(n[k], 9);
		assert_string_equal(a[k], a[EXITPATH]);
	}
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

/* the vault, found as an attacker would (tests/hostile/test_escape.c):
 * thread 0's kvm_run, at a fixed offset in it */
static uintptr_t find_vault(void)
{
	char line[512];
	uintptr_t vault = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	SBT_CHECK(f != NULL);
	while (fgets(line, sizeof line, f))
		if (strstr(line, "kvm-vcpu") && !vault)
			vault = strtoul(line, NULL, 16) - (VLT_THREADS + THR_RUN);
	fclose(f);
	SBT_CHECK(vault != 0);
	return vault;
}

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

	SBT_CHECK(null >= 0);
	enter(flags, NULL);
	vault = find_vault();
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
	for (int k = 0; k < NMODES; k++) {
		SBT_RUN_OK(sc_rewrite, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		assert_non_null(memmem(res->out, res->outlen, "faults 3010\n", 12));
		printf("     %s: every attempt faulted; %ld calls served without an exit\n", mode_name[k], served(res));
	}
}

/* ---- hostile: forged requests in the user slots of patched sites */

/* the user slots are the process's own memory: it may write anything
 * there, at any time. A forged request must get exactly what the same
 * call through `syscall` would get on the exit path, or nothing: a call
 * the worker does not make (handed back) is never made. */
static uintptr_t uslot_last;

/* post a request in the last user slot (trampolines claim from the
 * first); its final state (CH_DONE, CH_BACK, or CH_REQ if no worker
 * took it), *ret the result */
static uint32_t forge(long nr, long a0, long a1, long a2, long *ret)
{
	volatile struct sb_chan_slot *s = (volatile struct sb_chan_slot *)uslot_last;
	uint32_t idle = CH_IDLE, st = CH_REQ;

	for (long spins = 0; !__atomic_compare_exchange_n(&s->state, &idle, CH_OWN, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	     spins++) {
		idle = CH_IDLE;
		if (spins > 100000000)
			return CH_OWN;
	}
	s->nr = (uint64_t)nr;
	s->a[0] = (uint64_t)a0;
	s->a[1] = (uint64_t)a1;
	s->a[2] = (uint64_t)a2;
	s->a[3] = s->a[4] = s->a[5] = 0;
	__atomic_store_n(&s->state, CH_REQ, __ATOMIC_RELEASE);
	/* up to 0.2 s (the vDSO's clock: no exit) for a worker to answer */
	{
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long spins = 0;; spins++) {
			st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
			if (st == CH_DONE || st == CH_BACK)
				break;
			__builtin_ia32_pause();
			if (spins % 1024 == 0) {
				clock_gettime(CLOCK_MONOTONIC, &t);
				if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 200000000L)
					break;
			}
		}
	}
	if (st == CH_REQ) {
		uint32_t req = CH_REQ;

		/* withdrawn, unless a worker took it just now */
		if (!__atomic_compare_exchange_n(&s->state, &req, CH_IDLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			while ((st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE)) == CH_BUSY)
				__builtin_ia32_pause();
		} else {
			return CH_REQ;
		}
	}
	*ret = (long)s->ret;
	__atomic_store_n(&s->state, CH_IDLE, __ATOMIC_RELEASE);
	return st;
}

/* another thread: flips the last slot's buffer argument between a good
 * buffer and the vault while requests are being served */
static void *flipper(void *arg)
{
	volatile struct sb_chan_slot *s = (volatile struct sb_chan_slot *)uslot_last;
	uint64_t bad = (uint64_t)arg, good = s->a[1];

	while (!stop) {
		s->a[1] = bad;
		s->a[1] = good;
	}
	return NULL;
}

static void sc_forge(void *arg)
{
	unsigned flags = *(unsigned *)arg;
	struct sb_policy *pol;
	struct sigaction sa = { 0 };
	char path[] = "/tmp/rf-forge-XXXXXX", buf[64];
	static const char good[8] = "GOODGOOD";
	int fd, null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	uintptr_t vault = 0, w;
	uint32_t st;
	long ret = 0, made = 0, refused = 0;
	pthread_t th;
	struct stat sb;

	fd = mkstemp(path);
	SBT_CHECK(fd >= 0 && null >= 0 && unlink(path) == 0);
	SBT_CHECK(sb_policy_new(SB_ACT_ALLOW, &pol) == 0);
	SBT_CHECK(sb_policy_add(pol, SYS_uname, SB_ACT_ERRNO(EPERM)) == 0);
	enter(flags, pol);
	vault = find_vault();
	w = vault + VLT_PATCH;
	uslot_last = w + PATCH_USLOT + (PATCH_NUSLOT - 1) * SYS_CSLOT_STRIDE;
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	SBT_CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	/* the control page's alias and the trampolines: readable, never writable */
	for (volatile int i = 0; i < 2; i++) {
		volatile uintptr_t a = i ? w + PATCH_TRAMP : w + PATCH_UCTL;
		int before = faults;

		if (!sigsetjmp(jb, 1))
			(void)*(volatile uint64_t *)a;
		if (!sigsetjmp(jb, 1))
			*(volatile uint64_t *)a = 0xcc;
		if (faults != before + 1) {
			fprintf(stderr, "%s at %#lx: written from user mode\n", i ? "a trampoline" : "the control page",
				(unsigned long)a);
			_exit(SBT_EXIT_ESCAPED);
		}
	}
	/* the worker awake */
	for (int i = 0; i < 200; i++)
		SBT_CHECK(write(null, "x", 1) == 1);
	/* calls a worker must never make for a forged request */
	{
		const struct { long nr, a0, a1, a2; const char *what; } bad[] = {
			{ SYS_write, fd, (long)(vault + VLT_SYS), 64, "write from the vault" },
			{ SYS_read, fd, (long)(vault + VLT_SYS + SYS_CCTL), 8, "read into the vault" },
			{ SYS_getrandom, (long)(vault + VLT_SYS + SYS_CCTL), 8, 0, "getrandom into the vault" },
			{ SYS_openat, AT_FDCWD, (long)"/etc/passwd", O_RDONLY, "openat (not a channel call)" },
			{ SYS_uname, (long)buf, 0, 0, "uname (denied by the policy)" },
			{ SYS_getpid, 0, 0, 0, "getpid (not a worker's call)" },
			{ 100000, 0, 0, 0, "a number out of range" },
			{ -1, 0, 0, 0, "a negative number" },
		};

		for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			st = forge(bad[i].nr, bad[i].a0, bad[i].a1, bad[i].a2, &ret);
			if (st == CH_DONE) {
				fprintf(stderr, "forged %s: made, returned %ld\n", bad[i].what, ret);
				_exit(SBT_EXIT_ESCAPED);
			}
			refused++;
		}
	}
	/* a good request is made (or not served at all on the exit path) */
	st = forge(SYS_write, null, (long)good, 8, &ret);
	SBT_CHECK(st != CH_DONE || ret == 8);
	/* the buffer argument flipped to the vault while requests are served:
	 * each is made with what was checked (a good buffer) or not at all */
	SBT_CHECK(forge(SYS_write, fd, (long)good, 8, &ret) != CH_OWN); /* a1 = good, for the flipper */
	SBT_CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	stop = 0;
	SBT_CHECK(pthread_create(&th, NULL, flipper, (void *)(vault + VLT_SYS)) == 0);
	for (int i = 0, unserved = 0; i < (sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2000 : 300) && unserved < 3; i++) {
		st = forge(SYS_write, fd, (long)good, 8, &ret);
		if (st == CH_DONE)
			made++;
		/* no worker serves user slots in this mode (patching off, or
		 * the exit path): three unanswered requests tell */
		unserved = st == CH_REQ ? unserved + 1 : 0;
		SBT_CHECK(write(null, "x", 1) == 1); /* keeps the worker awake */
	}
	stop = 1;
	SBT_CHECK(pthread_join(th, NULL) == 0);
	/* the file holds exactly the good bytes of the calls made */
	SBT_CHECK(fstat(fd, &sb) == 0);
	SBT_CHECK(sb.st_size % 8 == 0);
	SBT_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	for (off_t o = 0; o < sb.st_size; o += 8)
		SBT_CHECK(read(fd, buf, 8) == 8 && !memcmp(buf, good, 8));
	printf("forged: %ld refused, %ld made while flipped (%ld bytes, all good)\n", refused, made, (long)sb.st_size);
	fflush(stdout);
	exit(0);
}

static void test_forged_requests(void **state)
{
	(void)state;
	for (int k = 0; k < NMODES; k++) {
		SBT_RUN_OK(sc_forge, &mode_flags[k], NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res, mode_name[k]);
		assert_non_null(memmem(res->out, res->outlen, "forged: 8 refused", 17));
		printf("     %s: %.*s", mode_name[k], (int)res->outlen, res->out);
	}
}

/* ---- a short-lived process leaves no worker behind */

/* The worker shares the process's fds. A process that exits (or execs)
 * right after its first call must not leave it running: it would hold
 * the write end of its stdout pipe, and the reader would never see the
 * end of the file (a shell pipeline hung on exactly this). */
static void test_short_lived(void **state)
{
	(void)state;
	for (int i = 0; i < 30; i++) {
		int p[2], null;
		pid_t pid;
		char c;
		long n, got = 0;
		struct pollfd pf;

		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			null = open("/dev/null", O_WRONLY | O_CLOEXEC);
			if (null < 0 || sb_enter_flags(NULL, SB_ENTER_EXITLESS))
				_exit(SBT_EXIT_ENTER);
			/* a call the worker serves (it is made for it), then out */
			if (write(null, "x", 1) != 1 || write(p[1], "y", 1) != 1)
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		pf.fd = p[0];
		pf.events = POLLIN;
		/* the end of the pipe comes once no process holds its write end */
		for (;;) {
			if (poll(&pf, 1, 60000) != 1)
				fail_msg("run %d: the pipe's end never came (a worker outlived its process)", i);
			n = read(p[0], &c, 1);
			if (n <= 0)
				break;
			got += n;
		}
		close(p[0]);
		assert_int_equal(got, 1);
		assert_true(waitpid(pid, NULL, 0) == pid);
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
		cmocka_unit_test(test_forged_requests),
		cmocka_unit_test(test_short_lived),
		cmocka_unit_test(test_both_flags),
	};

	printf("# test_exitless: %ld CPUs online\n", sysconf(_SC_NPROCESSORS_ONLN));
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
