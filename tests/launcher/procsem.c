/* SPDX-License-Identifier: MIT */
/* tests/launcher/procsem.c: process semantics inside the sandbox (issue #5). Run natively
 * and under `ringfence run` by tests/launcher/run-programs.sh, which compares stdout and
 * exit status. Every subcommand prints only deterministic facts (no tids, addresses or
 * times), exits 0 when its own checks pass, 1 with a message on stderr when one fails.
 *
 *   procsem threads          8 threads: a hand-rolled futex mutex and turnstile, pthread
 *                            mutex, condition variables and barriers, __thread counters
 *   procsem cancel           pthread_cancel of a thread blocked in read(), of a
 *                            pthread_testcancel loop, of an asynchronous spin, of a thread
 *                            with cancellation disabled; cleanup handlers in order
 *   procsem segv-longjmp     SIGSEGV (SA_SIGINFO) on NULL, read-only, PROT_NONE and
 *                            unmapped addresses, left with siglongjmp; si_code, si_addr
 *   procsem alarm-restart    SIGALRM (setitimer) during a blocking read, SA_RESTART
 *   procsem alarm-norestart  SIGALRM (alarm) during a blocking read, no SA_RESTART: EINTR
 *   procsem altstack         stack overflow (main thread, twice, and a small thread stack)
 *                            caught on a sigaltstack, left with siglongjmp
 *   procsem thread-signal    tgkill to chosen threads, kill() with one accepting thread,
 *                            sigwaitinfo in a dedicated thread (standard and queued signals)
 *   procsem forkbomb N       fork until N children (N <= 200) or until fork fails with
 *                            EAGAIN; kill and reap them all
 *   procsem thread-exec      a second thread execs this program while other threads run;
 *                            the new image checks pid, tid, fds, signal state, that no
 *                            old thread survived
 *   procsem fork-in-thread   a thread forks; the child is single-threaded, can start
 *                            threads, has the forking thread's TLS
 *   procsem exec-target ...  (internal: the image thread-exec starts)
 *
 * Every subcommand but the alarm ones arms alarm(120) so that a hang inside the sandbox
 * ends with SIGALRM (status 142) instead of blocking the suite; the alarm ones bound
 * their waits with poll timeouts instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WATCHDOG_SECONDS 120

/* ------------------------------------------------------------------ helpers */

static const char *self_path;	/* argv[0], for thread-exec */

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("procsem: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* a failed check: a message on stderr, counted; the subcommand then exits 1 */
static int bad;

static __attribute__((format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("procsem: FAIL ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bad++;
}

static const char *errname(int e)
{
	static char buf[32];

	switch (e) {
	case EINTR: return "EINTR";
	case EAGAIN: return "EAGAIN";
	case EFAULT: return "EFAULT";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	default:
		snprintf(buf, sizeof buf, "errno %d", e);
		return buf;
	}
}

static const char *signame(int sig)
{
	static char buf[32];

	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGHUP: return "SIGHUP";
	case SIGTERM: return "SIGTERM";
	case SIGKILL: return "SIGKILL";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	default:
		if (sig >= SIGRTMIN && sig <= SIGRTMAX)
			snprintf(buf, sizeof buf, "SIGRTMIN+%d", sig - SIGRTMIN);
		else
			snprintf(buf, sizeof buf, "signal %d", sig);
		return buf;
	}
}

static const char *codename(int sig, int code)
{
	static char buf[32];

	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TKILL: return "SI_TKILL";
	case SI_KERNEL: return "SI_KERNEL";
	default:
		snprintf(buf, sizeof buf, "code %d", code);
		return buf;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* wait (polling; the watchdog bounds it) until *v reaches want */
static void wait_for(atomic_int *v, int want)
{
	while (atomic_load(v) < want)
		sleep_ms(1);
}

static void start_thread(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	int rc = pthread_create(t, attr, fn, arg);

	if (rc)
		die("pthread_create: %s", strerror(rc));
}

static void *join_thread(pthread_t t)
{
	void *ret;
	int rc = pthread_join(t, &ret);

	if (rc)
		die("pthread_join: %s", strerror(rc));
	return ret;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction(%s): %s", signame(sig), strerror(errno));
}

static void set_info_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction(%s): %s", signame(sig), strerror(errno));
}

static void make_pipe(int fds[2], int flags)
{
	if (pipe2(fds, flags) < 0)
		die("pipe2: %s", strerror(errno));
}

/* ---------------------------------------------------------------- threads
 * Checks: mutual exclusion of a hand-rolled futex mutex (FUTEX_WAIT/WAKE_PRIVATE, with a
 * yield inside the critical section so waiters really sleep) and of a pthread mutex; a
 * turnstile on a shared (non-private) futex gives a fixed order; barriers elect exactly
 * one serial thread; a bounded queue on two condition variables passes every item once;
 * every thread starts with the __thread initial value (CLONE_SETTLS) and keeps its own;
 * tids differ, getpid is the same; pthread_join (CLONE_CHILD_CLEARTID + futex wake)
 * returns each thread's value.
 */
#define NTHREADS 8
#define ITERS 2000
#define ROUNDS 3
#define NITEMS 200
#define QCAP 4

static __thread long tls_count = 1000;

static struct {
	atomic_int fmutex;	/* 0 free, 1 locked, 2 locked with waiters */
	long fm_total;		/* changed under fmutex only, non-atomically */
	pthread_mutex_t pm;
	long pm_total;		/* changed under pm only */
	atomic_int turn;	/* thread i acts when turn == round * NTHREADS + i */
	char order[NTHREADS * ROUNDS];
	pthread_barrier_t barrier;
	atomic_int serial;
	pthread_mutex_t qm;
	pthread_cond_t qnotempty, qnotfull;
	int q[QCAP], qhead, qlen, qdone, qcount;
	long qsum;
	pid_t tid[NTHREADS], pid[NTHREADS];
	long tls_start[NTHREADS], tls_end[NTHREADS];
} S;

static long futex(atomic_int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Drepper, "Futexes Are Tricky", mutex 2 */
static void fmutex_lock(atomic_int *m)
{
	int c = 0;

	if (atomic_compare_exchange_strong(m, &c, 1))
		return;
	if (c != 2)
		c = atomic_exchange(m, 2);
	while (c != 0) {
		futex(m, FUTEX_WAIT_PRIVATE, 2);
		c = atomic_exchange(m, 2);
	}
}

static void fmutex_unlock(atomic_int *m)
{
	if (atomic_fetch_sub(m, 1) != 1) {
		atomic_store(m, 0);
		futex(m, FUTEX_WAKE_PRIVATE, 1);
	}
}

static void barrier_wait(void)
{
	int rc = pthread_barrier_wait(&S.barrier);

	if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
		atomic_fetch_add(&S.serial, 1);
	else if (rc)
		die("pthread_barrier_wait: %s", strerror(rc));
}

static void phase_mutexes(int me)
{
	for (int i = 0; i < ITERS; i++) {
		long v;

		fmutex_lock(&S.fmutex);
		v = S.fm_total;
		if (i % 64 == 0)
			sched_yield();	/* let others find the lock taken */
		S.fm_total = v + 1;
		fmutex_unlock(&S.fmutex);
		pthread_mutex_lock(&S.pm);
		S.pm_total++;
		pthread_mutex_unlock(&S.pm);
		tls_count += me + 1;
	}
}

static void phase_turnstile(int me)
{
	for (int r = 0; r < ROUNDS; r++) {
		int want = r * NTHREADS + me, v;

		while ((v = atomic_load(&S.turn)) != want)
			futex(&S.turn, FUTEX_WAIT, v);
		S.order[want] = (char)('0' + me);
		atomic_store(&S.turn, want + 1);
		futex(&S.turn, FUTEX_WAKE, INT_MAX);
	}
}

static void phase_consume(void)
{
	pthread_mutex_lock(&S.qm);
	for (;;) {
		while (S.qlen == 0 && !S.qdone)
			pthread_cond_wait(&S.qnotempty, &S.qm);
		if (S.qlen == 0)
			break;
		S.qsum += S.q[S.qhead];
		S.qhead = (S.qhead + 1) % QCAP;
		S.qlen--;
		S.qcount++;
		pthread_cond_signal(&S.qnotfull);
	}
	pthread_mutex_unlock(&S.qm);
}

static void produce(void)
{
	pthread_mutex_lock(&S.qm);
	for (int v = 1; v <= NITEMS; v++) {
		while (S.qlen == QCAP)
			pthread_cond_wait(&S.qnotfull, &S.qm);
		S.q[(S.qhead + S.qlen) % QCAP] = v;
		S.qlen++;
		pthread_cond_signal(&S.qnotempty);
	}
	S.qdone = 1;
	pthread_cond_broadcast(&S.qnotempty);
	pthread_mutex_unlock(&S.qm);
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;

	S.tid[me] = gettid();
	S.pid[me] = getpid();
	S.tls_start[me] = tls_count;
	barrier_wait();
	phase_mutexes(me);
	barrier_wait();
	phase_turnstile(me);
	barrier_wait();
	phase_consume();
	S.tls_end[me] = tls_count;
	return (void *)(intptr_t)(100 + me);
}

static void check_ids(void)
{
	pid_t all[NTHREADS + 1];
	int distinct = 1, same_pid = 1;

	for (int i = 0; i < NTHREADS; i++) {
		all[i] = S.tid[i];
		same_pid &= S.pid[i] == getpid();
	}
	all[NTHREADS] = gettid();
	for (int i = 0; i <= NTHREADS; i++)
		for (int j = i + 1; j <= NTHREADS; j++)
			if (all[i] == all[j])
				distinct = 0;
	printf("gettid: %s in the %d threads and main\n", distinct ? "distinct" : "NOT distinct", NTHREADS);
	printf("getpid: %s in every thread\n", same_pid ? "the same" : "NOT the same");
	if (!distinct || !same_pid)
		fail("thread ids");
}

static void check_value(const char *what, long got, long want)
{
	printf("%s: %ld\n", what, got);
	if (got != want)
		fail("%s: %ld, want %ld", what, got, want);
}

static int do_threads(void)
{
	pthread_t t[NTHREADS];
	int joined_ok = 1;

	tls_count = 5;	/* the main thread's copy only */
	pthread_mutex_init(&S.pm, NULL);
	pthread_mutex_init(&S.qm, NULL);
	pthread_cond_init(&S.qnotempty, NULL);
	pthread_cond_init(&S.qnotfull, NULL);
	pthread_barrier_init(&S.barrier, NULL, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++)
		start_thread(&t[i], NULL, worker, (void *)(intptr_t)i);
	barrier_wait();	/* all started */
	barrier_wait();	/* mutex phase done */
	barrier_wait();	/* turnstile done */
	produce();
	for (int i = 0; i < NTHREADS; i++)
		joined_ok &= join_thread(t[i]) == (void *)(intptr_t)(100 + i);
	for (int i = 0; i < NTHREADS; i++) {
		printf("thread %d: __thread counter started at %ld, ended at %ld\n", i, S.tls_start[i], S.tls_end[i]);
		if (S.tls_start[i] != 1000 || S.tls_end[i] != 1000 + (long)(i + 1) * ITERS)
			fail("thread %d: __thread counter", i);
	}
	check_value("main's __thread counter", tls_count, 5);
	check_value("futex mutex total", S.fm_total, (long)NTHREADS * ITERS);
	check_value("pthread mutex total", S.pm_total, (long)NTHREADS * ITERS);
	printf("futex turnstile order: %.*s\n", (int)sizeof S.order, S.order);
	for (int i = 0; i < NTHREADS * ROUNDS; i++)
		if (S.order[i] != '0' + i % NTHREADS)
			fail("turnstile order");
	check_value("barrier serial threads (3 barriers)", atomic_load(&S.serial), 3);
	check_value("queue items", S.qcount, NITEMS);
	check_value("queue sum", S.qsum, (long)NITEMS * (NITEMS + 1) / 2);
	check_ids();
	printf("pthread_join: %s\n", joined_ok ? "every thread's return value" : "WRONG return values");
	if (!joined_ok)
		fail("pthread_join return values");
	return bad != 0;
}

/* ---------------------------------------------------------------- cancel
 * Checks: deferred cancellation acts in a blocking read() (a cancellation point) and at
 * pthread_testcancel; asynchronous cancellation interrupts a loop without cancellation
 * points (SIGCANCEL into a running thread); a request made while cancellation is
 * disabled waits until it is enabled again; cleanup handlers run innermost first, and
 * pthread_cleanup_pop(1) runs one in a thread that is not cancelled; join gives
 * PTHREAD_CANCELED (or the return value).
 * glibc loads libgcc_s.so.1 for the unwinding (procsem links it so the guest has it).
 */
static atomic_int ready, cancel_requested, cleanups;
static atomic_long spins;
static int never_written[2];

static void say(void *msg)
{
	printf("%s\n", (const char *)msg);
	atomic_fetch_add(&cleanups, 1);
}

static void *blocked_reader(void *arg)
{
	char c;
	ssize_t n;

	(void)arg;
	pthread_cleanup_push(say, (void *)"reader: cleanup handler ran");
	atomic_store(&ready, 1);
	n = read(never_written[0], &c, 1);	/* nothing is ever written: blocks */
	printf("reader: read returned %zd (not cancelled)\n", n);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *testcancel_loop(void *arg)
{
	(void)arg;
	pthread_cleanup_push(say, (void *)"loop: outer cleanup handler ran second");
	pthread_cleanup_push(say, (void *)"loop: inner cleanup handler ran first");
	atomic_store(&ready, 1);
	for (;;) {
		atomic_fetch_add(&spins, 1);
		pthread_testcancel();
	}
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *async_spin(void *arg)
{
	(void)arg;
	pthread_cleanup_push(say, (void *)"async: cleanup handler ran");
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	atomic_store(&ready, 1);
	for (;;)
		atomic_fetch_add(&spins, 1);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *disabled_then_enabled(void *arg)
{
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_push(say, (void *)"disabled: cleanup handler ran after re-enabling");
	atomic_store(&ready, 1);
	wait_for(&cancel_requested, 1);	/* nanosleep is a cancellation point: disabled */
	printf("disabled: still running after the request\n");
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	pthread_testcancel();
	printf("disabled: not cancelled after re-enabling\n");
	pthread_cleanup_pop(0);
	return NULL;
}

static void *not_cancelled(void *arg)
{
	(void)arg;
	pthread_cleanup_push(say, (void *)"normal: cleanup handler run by pthread_cleanup_pop(1)");
	atomic_store(&ready, 1);
	pthread_cleanup_pop(1);
	return (void *)(intptr_t)42;
}

/* start fn, wait until it is ready (plus settle_ms), cancel it unless cancel is 0, join;
 * it must have run n_cleanups cleanup handlers */
static void cancel_case(const char *name, void *(*fn)(void *), long settle_ms, int cancel, int n_cleanups)
{
	pthread_t t;
	void *ret;
	int rc;

	atomic_store(&ready, 0);
	atomic_store(&cancel_requested, 0);
	atomic_store(&cleanups, 0);
	start_thread(&t, NULL, fn, NULL);
	wait_for(&ready, 1);
	sleep_ms(settle_ms);
	if (cancel) {
		rc = pthread_cancel(t);
		if (rc)
			die("pthread_cancel: %s", strerror(rc));
		atomic_store(&cancel_requested, 1);
	}
	ret = join_thread(t);
	if (ret == PTHREAD_CANCELED)
		printf("%s: joined, PTHREAD_CANCELED\n", name);
	else
		printf("%s: joined, returned %ld\n", name, (long)(intptr_t)ret);
	if ((ret == PTHREAD_CANCELED) != cancel)
		fail("%s: join result", name);
	if (atomic_load(&cleanups) != n_cleanups)
		fail("%s: %d cleanup handlers ran, want %d", name, atomic_load(&cleanups), n_cleanups);
	fflush(stdout);
}

static int do_cancel(void)
{
	make_pipe(never_written, 0);
	cancel_case("reader", blocked_reader, 50, 1, 1);
	cancel_case("loop", testcancel_loop, 10, 1, 2);
	cancel_case("async", async_spin, 10, 1, 1);
	cancel_case("disabled", disabled_then_enabled, 10, 1, 1);
	cancel_case("normal", not_cancelled, 0, 0, 1);
	return bad != 0;
}

/* ---------------------------------------------------------------- segv-longjmp
 * Checks: a fault on each kind of bad address becomes SIGSEGV with the kernel's si_code
 * (SEGV_MAPERR: nothing mapped; SEGV_ACCERR: mapped without the right) and the faulting
 * address in si_addr; siglongjmp out of the handler restores the signal mask (a second
 * fault is caught again: a still-blocked SIGSEGV would kill the process); a system call
 * given a read-only buffer returns EFAULT instead of a signal.
 */
static sigjmp_buf segv_jb;
static volatile sig_atomic_t segv_signo, segv_code;
static void *volatile segv_addr;
static char *volatile null_ptr;	/* NULL the compiler cannot see */

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	segv_signo = sig;
	segv_code = si->si_code;
	segv_addr = si->si_addr;
	siglongjmp(segv_jb, 1);
}

static __attribute__((noinline)) void poke(char *p)
{
	*(volatile char *)p = 1;
}

static __attribute__((noinline)) void peek(char *p)
{
	(void)*(volatile char *)p;
}

static void fault_case(const char *name, void (*touch)(char *), char *p, int want_code)
{
	segv_signo = 0;
	segv_addr = (void *)1;
	if (sigsetjmp(segv_jb, 1) == 0) {
		touch(p);
		printf("%s: no fault\n", name);
		fail("%s: no fault", name);
		return;
	}
	printf("%s: %s %s, si_addr %s\n", name, signame(segv_signo), codename(segv_signo, segv_code),
	       segv_addr == p ? "match" : "mismatch");
	if (segv_signo != SIGSEGV || segv_code != want_code || segv_addr != p)
		fail("%s", name);
}

static char *map_page(int prot)
{
	char *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

static void efault_case(char *ro)
{
	int fds[2];
	ssize_t n;

	make_pipe(fds, 0);
	if (write(fds[1], "abcd", 4) != 4)
		die("write: %s", strerror(errno));
	n = read(fds[0], ro + 8, 4);
	printf("read() into a read-only page: %zd %s\n", n, n < 0 ? errname(errno) : "");
	if (n != -1 || errno != EFAULT)
		fail("read into a read-only page");
	close(fds[0]);
	close(fds[1]);
}

static int do_segv_longjmp(void)
{
	char *ro = map_page(PROT_READ), *none = map_page(PROT_NONE), *gone = map_page(PROT_READ | PROT_WRITE);
	sigset_t cur;

	if (munmap(gone, 4096) < 0)
		die("munmap: %s", strerror(errno));
	set_info_handler(SIGSEGV, on_segv, 0);
	fault_case("write to NULL", poke, null_ptr, SEGV_MAPERR);
	fault_case("write to a PROT_READ page", poke, ro + 8, SEGV_ACCERR);
	fault_case("read from a PROT_NONE page", peek, none + 16, SEGV_ACCERR);
	fault_case("write to an unmapped page", poke, gone + 24, SEGV_MAPERR);
	fault_case("write to NULL again", poke, null_ptr, SEGV_MAPERR);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("SIGSEGV after siglongjmp: %s\n", sigismember(&cur, SIGSEGV) ? "blocked" : "unblocked");
	if (sigismember(&cur, SIGSEGV))
		fail("mask not restored");
	efault_case(ro);
	return bad != 0;
}

/* ---------------------------------------------------------------- alarm-*
 * Checks: SIGALRM interrupts a read() blocked on an empty pipe; with SA_RESTART the read
 * is restarted and returns the data written after the handler ran; without it the read
 * fails with EINTR and a second read gets the data. The writer waits for the handler
 * (which writes to a notify pipe), so no timing decides the outcome. The restart case
 * uses setitimer and a forked writer; the other alarm() and a writer thread that blocks
 * SIGALRM (a process-directed signal must go to the thread that accepts it).
 */
static int notify[2];
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	alarms++;
	if (write(notify[1], "a", 1) != 1)
		alarms += 100;
	errno = saved;
}

/* the writer: waits (at most 60 s) for the handler's note, then writes */
static void write_after_alarm(int fd)
{
	struct pollfd p = { .fd = notify[0], .events = POLLIN };
	const char *msg = poll(&p, 1, 60000) == 1 ? "late\n" : "timeout\n";

	if (write(fd, msg, strlen(msg)) < 0)
		die("writer: %s", strerror(errno));
}

/* read once (after at most 30 s of poll if bounded: no hang when the first read took
 * the data) and print the result; returns "late", "EOF", "EINTR", "timeout" or what came */
static const char *report_read(const char *what, int fd, int bounded)
{
	static char buf[64];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (bounded && poll(&p, 1, 30000) == 0) {
		printf("%s: nothing within 30 s\n", what);
		return "timeout";
	}
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return errname(errno);
	}
	buf[n] = 0;
	printf("%s: %zd bytes %s", what, n, n ? buf : "(end of file)\n");
	if (n == 0)
		return "EOF";
	return strcmp(buf, "late\n") ? buf : "late";
}

static void want_read(const char *what, int fd, int bounded, const char *want)
{
	const char *got = report_read(what, fd, bounded);

	if (strcmp(got, want))
		fail("%s: got %s, want %s", what, got, want);
}

static int do_alarm_restart(void)
{
	int data[2], st;
	pid_t pid;
	struct itimerval it = { .it_value = { 0, 200000 } };

	make_pipe(data, 0);
	make_pipe(notify, 0);
	set_handler(SIGALRM, on_alarm, SA_RESTART);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(data[0]);
		write_after_alarm(data[1]);
		_exit(0);
	}
	close(data[1]);
	if (setitimer(ITIMER_REAL, &it, NULL) < 0)
		die("setitimer: %s", strerror(errno));
	want_read("read (SA_RESTART)", data[0], 0, "late");
	printf("handler ran %d time(s)\n", (int)alarms);
	want_read("second read", data[0], 1, "EOF");
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid: %s", strerror(errno));
	printf("writer: %s %d\n", WIFEXITED(st) ? "exited" : "killed", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	if (alarms != 1 || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("alarm-restart");
	return bad != 0;
}

static void *writer_thread(void *arg)
{
	write_after_alarm((int)(intptr_t)arg);
	return NULL;
}

static int do_alarm_norestart(void)
{
	int data[2];
	pthread_t t;
	sigset_t alrm;

	make_pipe(data, 0);
	make_pipe(notify, 0);
	set_handler(SIGALRM, on_alarm, 0);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);	/* the writer inherits the block */
	start_thread(&t, NULL, writer_thread, (void *)(intptr_t)data[1]);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	alarm(1);
	want_read("read (no SA_RESTART)", data[0], 0, "EINTR");
	printf("handler ran %d time(s)\n", (int)alarms);
	want_read("second read", data[0], 1, "late");
	join_thread(t);
	close(data[1]);
	want_read("third read", data[0], 1, "EOF");
	if (alarms != 1)
		fail("alarm-norestart: %d alarms", (int)alarms);
	return bad != 0;
}

/* ---------------------------------------------------------------- altstack
 * Checks: unbounded recursion overflows the stack; the SIGSEGV handler runs on the
 * sigaltstack (its own locals lie inside it) and siglongjmps out; the alternate stack is
 * free again afterwards (a second overflow is caught too); a thread has its own
 * sigaltstack and its small fixed stack overflows into the guard page the same way.
 */
static __thread sigjmp_buf ovf_jb;
static __thread uintptr_t alt_lo, alt_hi;
static __thread volatile sig_atomic_t ovf_on_alt;
static volatile unsigned long rec_depth, rec_limit = ULONG_MAX;

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
	char here;

	(void)sig;
	(void)si;
	(void)uc;
	ovf_on_alt = (uintptr_t)&here >= alt_lo && (uintptr_t)&here < alt_hi;
	siglongjmp(ovf_jb, 1);
}

static __attribute__((noinline)) unsigned long recurse(unsigned long n)
{
	volatile char pad[512];
	unsigned long r;

	pad[n % sizeof pad] = (char)n;
	rec_depth = n;
	if (n == rec_limit)
		return 0;
	r = recurse(n + 1);
	pad[r % sizeof pad] = (char)r;	/* keeps the frame alive: no tail call */
	return r + (unsigned long)pad[n % sizeof pad];
}

static void setup_altstack(void)
{
	size_t size = 256 * 1024;
	char *p;
	stack_t ss;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	ss.ss_sp = p;
	ss.ss_size = size;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) < 0)
		die("sigaltstack: %s", strerror(errno));
	alt_lo = (uintptr_t)p;
	alt_hi = (uintptr_t)p + size;
}

static int overflow_once(const char *who, unsigned long min_depth)
{
	stack_t cur;

	ovf_on_alt = 0;
	rec_depth = 0;
	if (sigsetjmp(ovf_jb, 1) == 0) {
		recurse(0);
		fail("%s: recursion ended", who);
		return 1;
	}
	sigaltstack(NULL, &cur);
	printf("%s: overflow caught %s the alternate stack, recovered\n", who, ovf_on_alt ? "on" : "NOT on");
	printf("%s: alternate stack %s\n", who, cur.ss_flags & SS_ONSTACK ? "still in use" : "free again");
	if (!ovf_on_alt || (cur.ss_flags & SS_ONSTACK) || rec_depth < min_depth) {
		fail("%s: on_alt %d flags %#x depth %lu", who, (int)ovf_on_alt, (unsigned)cur.ss_flags, rec_depth);
		return 1;
	}
	return 0;
}

static void *overflow_thread(void *arg)
{
	(void)arg;
	setup_altstack();
	return (void *)(intptr_t)overflow_once("thread (256 KiB stack)", 100);
}

static int do_altstack(void)
{
	struct rlimit rl;
	pthread_attr_t attr;
	pthread_t t;

	/* an unlimited stack would grow into the whole address space first */
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (64u << 20))) {
		rl.rlim_cur = 8u << 20;
		setrlimit(RLIMIT_STACK, &rl);
	}
	set_info_handler(SIGSEGV, on_overflow, SA_ONSTACK);
	setup_altstack();
	overflow_once("main thread", 1000);
	overflow_once("main thread, again", 1000);
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	start_thread(&t, &attr, overflow_thread, NULL);
	join_thread(t);
	printf("recovered\n");
	return bad != 0;
}

/* ---------------------------------------------------------------- thread-signal
 * Checks: tgkill reaches exactly the chosen thread, although every worker accepts the
 * signal (the handler compares pthread_self with the workers); kill() to the process
 * runs the handler in the one thread that does not block the signal; a dedicated thread
 * takes blocked signals with sigwaitinfo: si_code SI_USER (kill) / SI_QUEUE (sigqueue,
 * with the value; three queued real-time signals come in order) / SI_TKILL (pthread_kill;
 * SI_USER on some kernels), and si_pid.
 */
#define NSW 3
#define MAXLOG 8

static pthread_t sw_thread[NSW];
static pid_t sw_tid[NSW];
static atomic_int sw_ready, sw_stop, usr1_in, usr2_in, usr1_hits, usr2_hits;
static struct {
	int sig, code, value, from_self;
} sw_log[MAXLOG];
static atomic_int sw_logged;

static int self_index(void)
{
	for (int i = 0; i < NSW; i++)
		if (pthread_equal(pthread_self(), sw_thread[i]))
			return i;
	return -1;
}

static void on_usr(int sig)
{
	if (sig == SIGUSR1) {
		atomic_store(&usr1_in, self_index());
		atomic_fetch_add(&usr1_hits, 1);
	} else {
		atomic_store(&usr2_in, self_index());
		atomic_fetch_add(&usr2_hits, 1);
	}
}

/* worker i waits in sigsuspend accepting SIGUSR1; the last one also SIGUSR2 */
static void *sig_worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	sigset_t wait_mask;

	pthread_sigmask(SIG_BLOCK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGUSR1);
	if (me == NSW - 1)
		sigdelset(&wait_mask, SIGUSR2);
	sw_tid[me] = gettid();
	atomic_fetch_add(&sw_ready, 1);
	while (!atomic_load(&sw_stop))
		sigsuspend(&wait_mask);
	return NULL;
}

static void waited_set(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGHUP);
	sigaddset(s, SIGTERM);
	sigaddset(s, SIGRTMIN + 1);
}

static void *sigwaiter(void *arg)
{
	sigset_t set;

	(void)arg;
	waited_set(&set);
	for (;;) {
		siginfo_t si;
		int s = sigwaitinfo(&set, &si), n = atomic_load(&sw_logged);

		if (s < 0) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo: %s", strerror(errno));
		}
		if (n < MAXLOG) {
			sw_log[n].sig = s;
			sw_log[n].code = si.si_code;
			sw_log[n].value = si.si_code == SI_QUEUE ? si.si_value.sival_int : 0;
			sw_log[n].from_self = si.si_pid == getpid();
			atomic_store(&sw_logged, n + 1);
		}
		if (s == SIGTERM)
			return NULL;
	}
}

static void tgkill_case(int target)
{
	int before = atomic_load(&usr1_hits);

	if (syscall(SYS_tgkill, getpid(), sw_tid[target], SIGUSR1) < 0)
		die("tgkill: %s", strerror(errno));
	wait_for(&usr1_hits, before + 1);
	printf("tgkill SIGUSR1 to thread %d: handler ran in thread %d\n", target, atomic_load(&usr1_in));
	if (atomic_load(&usr1_in) != target)
		fail("tgkill to thread %d", target);
}

static void queue_signals(void)
{
	for (int v = 1; v <= 3; v++) {
		union sigval sv = { .sival_int = v };

		if (sigqueue(getpid(), SIGRTMIN + 1, sv) < 0)
			die("sigqueue: %s", strerror(errno));
	}
}

static void print_sigwait_log(void)
{
	static const int want_sig[] = { SIGHUP, 0, 0, 0, SIGHUP, SIGTERM };
	static const int want_code[] = { SI_USER, SI_QUEUE, SI_QUEUE, SI_QUEUE, SI_TKILL, SI_USER };
	int n = atomic_load(&sw_logged);

	for (int i = 0; i < n; i++) {
		printf("sigwaitinfo: %s %s", signame(sw_log[i].sig), codename(sw_log[i].sig, sw_log[i].code));
		if (sw_log[i].code == SI_QUEUE)
			printf(" value %d", sw_log[i].value);
		printf(", %s\n", sw_log[i].from_self ? "from this process" : "from ANOTHER process");
	}
	if (n != 6)
		fail("sigwaitinfo: %d signals, want 6", n);
	for (int i = 0; i < n && i < 6; i++) {
		int want = want_sig[i] ? want_sig[i] : SIGRTMIN + 1;

		/* some kernels (this development host's 6.18) report tgkill as SI_USER */
		int code_ok = sw_log[i].code == want_code[i] || (want_code[i] == SI_TKILL && sw_log[i].code == SI_USER);

		if (sw_log[i].sig != want || !code_ok || !sw_log[i].from_self ||
		    (want_code[i] == SI_QUEUE && sw_log[i].value != i))
			fail("sigwaitinfo entry %d", i);
	}
}

static int do_thread_signal(void)
{
	static const int order[] = { 2, 0, 1 };
	sigset_t blk;
	pthread_t waiter;

	waited_set(&blk);
	sigaddset(&blk, SIGUSR1);
	sigaddset(&blk, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &blk, NULL);	/* inherited by every thread */
	set_handler(SIGUSR1, on_usr, 0);
	set_handler(SIGUSR2, on_usr, 0);
	for (int i = 0; i < NSW; i++)
		start_thread(&sw_thread[i], NULL, sig_worker, (void *)(intptr_t)i);
	start_thread(&waiter, NULL, sigwaiter, NULL);
	wait_for(&sw_ready, NSW);

	for (int i = 0; i < NSW; i++)
		tgkill_case(order[i]);

	kill(getpid(), SIGUSR2);
	wait_for(&usr2_hits, 1);
	printf("kill SIGUSR2 to the process (only thread %d accepts it): handler ran in thread %d\n", NSW - 1,
	       atomic_load(&usr2_in));
	if (atomic_load(&usr2_in) != NSW - 1)
		fail("process-directed SIGUSR2");

	kill(getpid(), SIGHUP);
	wait_for(&sw_logged, 1);
	queue_signals();
	wait_for(&sw_logged, 4);
	pthread_kill(waiter, SIGHUP);
	wait_for(&sw_logged, 5);
	kill(getpid(), SIGTERM);
	join_thread(waiter);
	print_sigwait_log();

	atomic_store(&sw_stop, 1);
	for (int i = 0; i < NSW; i++) {
		pthread_kill(sw_thread[i], SIGUSR1);
		join_thread(sw_thread[i]);
	}
	return bad != 0;
}

/* ---------------------------------------------------------------- forkbomb
 * Checks: fork until N children exist or fork fails; the only acceptable failure is
 * EAGAIN (a process limit: prints "limit reached"); every child is then killed with
 * SIGKILL and reaped, and each must have died of that SIGKILL. Children never fork
 * (only the parent loops, N <= 200) and die with the parent (PR_SET_PDEATHSIG).
 */
#define FORKBOMB_MAX 200

static __attribute__((noreturn)) void bomb_child(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* may be refused by a policy: then the parent's kill */
	if (getppid() != parent)
		_exit(0);
	for (;;)
		pause();
}

static int reap_all(const pid_t *kids, int n)
{
	int wrong = 0;

	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++) {
		int st;

		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			wrong++;
	}
	return wrong;
}

static int do_forkbomb(int argc, char **argv)
{
	pid_t kids[FORKBOMB_MAX], parent = getpid();
	int n = argc > 2 ? atoi(argv[2]) : 0, made = 0, err = 0, wrong;

	if (n < 1 || n > FORKBOMB_MAX) {
		fprintf(stderr, "usage: procsem forkbomb N (1 <= N <= %d)\n", FORKBOMB_MAX);
		return 2;
	}
	fflush(stdout);
	while (made < n) {
		pid_t p = fork();

		if (p < 0) {
			err = errno;
			break;
		}
		if (p == 0)
			bomb_child(parent);
		kids[made++] = p;
	}
	if (err == EAGAIN)
		printf("limit reached\n");
	else if (err)
		printf("fork failed: %s\n", errname(err));
	else
		printf("made %d\n", made);
	fprintf(stderr, "procsem: forkbomb: %d children\n", made);
	wrong = reap_all(kids, made);
	printf("reaped all, %s\n", wrong ? "SOME NOT killed by SIGKILL" : "each killed by SIGKILL");
	if (wrong || (err && err != EAGAIN))
		fail("forkbomb: %d wrongly reaped, fork error %s", wrong, err ? errname(err) : "none");
	return bad != 0;
}

/* ---------------------------------------------------------------- threadbomb
 * Checks: threads are counted by a task limit: pthread_create until it fails (EAGAIN,
 * at most FORKBOMB_MAX threads), all threads blocked on a condition; then release and
 * join them and do it again: the limit is given back as threads end. Prints
 * "threads made: A B". Natively (no limit) both are FORKBOMB_MAX.
 */
static pthread_mutex_t bomb_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bomb_c = PTHREAD_COND_INITIALIZER;
static int bomb_go;

static void *bomb_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bomb_m);
	while (!bomb_go)
		pthread_cond_wait(&bomb_c, &bomb_m);
	pthread_mutex_unlock(&bomb_m);
	return NULL;
}

static int bomb_round(void)
{
	pthread_t t[FORKBOMB_MAX];
	pthread_attr_t a;
	int made = 0, rc = 0;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	bomb_go = 0;
	while (made < FORKBOMB_MAX) {
		rc = pthread_create(&t[made], &a, bomb_thread, NULL);
		if (rc)
			break;
		made++;
	}
	pthread_attr_destroy(&a);
	if (rc && rc != EAGAIN)
		fail("threadbomb: pthread_create: %s", errname(rc));
	pthread_mutex_lock(&bomb_m);
	bomb_go = 1;
	pthread_cond_broadcast(&bomb_c);
	pthread_mutex_unlock(&bomb_m);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	return made;
}

static int do_threadbomb(void)
{
	int a = bomb_round(), b;

	/* the joined threads' tasks are gone (the kernel clears their tid words
	 * just after pthread_join returns): let them go before the second round */
	sleep_ms(100);
	b = bomb_round();
	printf("threads made: %d %d\n", a, b);
	return bad != 0;
}

/* ---------------------------------------------------------------- thread-exec
 * Checks: execve from a second thread while the main thread blocks in pause(), another in
 * pthread_cond_wait and a third writes a byte to a pipe every millisecond. The new image
 * (procsem exec-target) has the same pid, its only thread has tid == pid, an fd without
 * O_CLOEXEC is open and one with it closed; a caught signal is reset to SIG_DFL, an
 * ignored one stays ignored, the exec'ing thread's signal mask is kept; after draining the
 * pipe nothing more arrives in 100 ms: every old thread is gone.
 */
static int ticks[2];
static pthread_mutex_t never_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_c = PTHREAD_COND_INITIALIZER;

static void *ticker(void *arg)
{
	(void)arg;
	for (;;) {
		if (write(ticks[1], "t", 1) < 0)
			die("ticker: %s", strerror(errno));
		sleep_ms(1);
	}
	return NULL;
}

static void *cond_sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&never_m);
	for (;;)
		pthread_cond_wait(&never_c, &never_m);
	return NULL;
}

static void *exec_thread(void *arg)
{
	int cloexec_fd = (int)(intptr_t)arg;
	char pid[16], keep[16], gone[16];
	char *av[] = { (char *)self_path, (char *)"exec-target", pid, keep, gone, NULL };
	sigset_t hup;

	snprintf(pid, sizeof pid, "%d", (int)getpid());
	snprintf(keep, sizeof keep, "%d", ticks[0]);
	snprintf(gone, sizeof gone, "%d", cloexec_fd);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hup, NULL);	/* this thread's mask passes into the new image */
	execv(self_path, av);
	die("execv %s: %s", self_path, strerror(errno));
}

static void ignore_usr(int sig)
{
	(void)sig;
}

static int do_thread_exec(void)
{
	int gone[2];
	pthread_t t;

	make_pipe(ticks, 0);
	make_pipe(gone, O_CLOEXEC);
	set_handler(SIGUSR1, ignore_usr, 0);
	signal(SIGUSR2, SIG_IGN);
	start_thread(&t, NULL, ticker, NULL);
	start_thread(&t, NULL, cond_sleeper, NULL);
	printf("before exec: main, a ticker and a sleeper thread; a fourth thread execs\n");
	fflush(stdout);
	start_thread(&t, NULL, exec_thread, (void *)(intptr_t)gone[0]);
	for (;;)
		pause();
	return 1;	/* not reached: the exec replaces the image */
}

/* drain what the old ticker wrote, wait 100 ms, see whether anything more came */
static int ticker_silent(int fd)
{
	char buf[4096];

	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return 0;
	while (read(fd, buf, sizeof buf) > 0)
		;
	sleep_ms(100);
	return read(fd, buf, sizeof buf) < 0 && errno == EAGAIN;
}

static void yes_no(const char *what, int ok)
{
	printf("after exec: %s: %s\n", what, ok ? "yes" : "no");
	if (!ok)
		fail("after exec: %s", what);
}

static int do_exec_target(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t mask;
	int ok;

	if (argc != 5)
		die("exec-target: internal subcommand of thread-exec");
	yes_no("same pid", getpid() == atoi(argv[2]));
	yes_no("tid is pid", gettid() == getpid());
	yes_no("fd without O_CLOEXEC open", fcntl(atoi(argv[3]), F_GETFD) >= 0);
	ok = fcntl(atoi(argv[4]), F_GETFD) < 0 && errno == EBADF;
	yes_no("O_CLOEXEC fd closed", ok);
	sigaction(SIGUSR1, NULL, &sa);
	yes_no("caught SIGUSR1 reset to SIG_DFL", sa.sa_handler == SIG_DFL);
	sigaction(SIGUSR2, NULL, &sa);
	yes_no("ignored SIGUSR2 still ignored", sa.sa_handler == SIG_IGN);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	yes_no("the exec'ing thread's blocked SIGHUP still blocked", sigismember(&mask, SIGHUP));
	yes_no("no old thread still writing", ticker_silent(atoi(argv[3])));
	return bad != 0;
}

/* ---------------------------------------------------------------- fork-in-thread
 * Checks: fork from a non-main thread while the main thread waits in pthread_join; the
 * child runs on the forking thread's stack with its TLS (a __thread value set just
 * before fork), its single thread has tid == pid, its parent is the forking process, it
 * can start and join a thread of its own, and its memory writes do not reach the parent;
 * the parent's thread reaps the child's exit status.
 */
static int shared_value = 1;

static void *child_thread(void *arg)
{
	return (void *)((intptr_t)arg * 2);
}

static __attribute__((noreturn)) void forked_child(pid_t parent)
{
	pthread_t t;

	printf("child: parent is the forking process: %s\n", getppid() == parent ? "yes" : "no");
	printf("child: tid is pid: %s\n", gettid() == getpid() ? "yes" : "no");
	printf("child: __thread value of the forking thread: %ld\n", tls_count);
	start_thread(&t, NULL, child_thread, (void *)(intptr_t)21);
	printf("child: a new thread returned %ld\n", (long)(intptr_t)join_thread(t));
	shared_value = 2;
	fflush(stdout);
	_exit(getppid() == parent && gettid() == getpid() && tls_count == 77 ? 7 : 1);
}

static void *forking_thread(void *arg)
{
	pid_t parent = getpid(), pid;
	int st;

	(void)arg;
	tls_count = 77;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		forked_child(parent);
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid: %s", strerror(errno));
	printf("thread: child %s %d\n", WIFEXITED(st) ? "exited with" : "killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return (void *)(intptr_t)(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

static int do_fork_in_thread(void)
{
	pthread_t t;

	start_thread(&t, NULL, forking_thread, NULL);
	if (!join_thread(t))
		fail("the child's checks or status");
	printf("parent: memory unchanged by the child: %s\n", shared_value == 1 ? "yes" : "no");
	if (shared_value != 1)
		fail("the child's write reached the parent");
	return bad != 0;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int watchdog = strncmp(cmd, "alarm-", 6) != 0;

	self_path = argv[0];
	if (watchdog)
		alarm(WATCHDOG_SECONDS);
	if (!strcmp(cmd, "threads"))
		return do_threads();
	if (!strcmp(cmd, "cancel"))
		return do_cancel();
	if (!strcmp(cmd, "segv-longjmp"))
		return do_segv_longjmp();
	if (!strcmp(cmd, "alarm-restart"))
		return do_alarm_restart();
	if (!strcmp(cmd, "alarm-norestart"))
		return do_alarm_norestart();
	if (!strcmp(cmd, "altstack"))
		return do_altstack();
	if (!strcmp(cmd, "thread-signal"))
		return do_thread_signal();
	if (!strcmp(cmd, "forkbomb"))
		return do_forkbomb(argc, argv);
	if (!strcmp(cmd, "threadbomb"))
		return do_threadbomb();
	if (!strcmp(cmd, "thread-exec"))
		return do_thread_exec();
	if (!strcmp(cmd, "exec-target"))
		return do_exec_target(argc, argv);
	if (!strcmp(cmd, "fork-in-thread"))
		return do_fork_in_thread();
	fprintf(stderr, "usage: procsem threads|cancel|segv-longjmp|alarm-restart|alarm-norestart|altstack|"
			"thread-signal|forkbomb N|threadbomb|thread-exec|fork-in-thread\n");
	return 2;
}
