/* SPDX-License-Identifier: MIT */
/* bench/micro_worker.c: the per-call micro-benchmark, run once per mode and round.
 *
 * Runs each operation a fixed number of times, in 11 timed batches (one per call when there
 * are fewer than 33), and prints one line per operation, the median of the batches:
 *   OP NS_PER_CALL          or   OP NA REASON
 * (NA: the operation failed where it runs, e.g. pthread_create inside Ringfence before it
 * supports threads, issue #5; no figure is made up for it). Time is CLOCK_MONOTONIC through
 * the vDSO, which costs no exit or interception in any mode. The wrappers (seccomp_filter, seccomp_notify, ptrace_seccomp,
 * runsc do) exec this program; built as micro_worker_rf (with libsandbox) it can also move
 * itself into Ringfence first:
 *
 * usage: micro_worker [-n ITERS] [-e | -E] [OP...]
 *   -n ITERS  calls of the cheap operations (default 2000); open+close, mmap+munmap and page
 *             faults run ITERS/4, thread create+join ITERS/20, fork+wait ITERS/50,
 *             fork+exec+wait ITERS/100 (at least 3)
 *   -e        (micro_worker_rf) sb_enter() with an allow-all policy first
 *   -E        (micro_worker_rf) sb_enter() with the 300-rule policy of rules.h first
 * OP: getpid read write openclose mmap fault clock thread fork forkexec (default: all)
 * fork+exec runs bench_tiny (a static _exit(0)) from this program's directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef WITH_SANDBOX
#include <sandbox.h>
#include "rules.h"
#endif

enum op { OP_GETPID, OP_READ, OP_WRITE, OP_OPENCLOSE, OP_MMAP, OP_FAULT, OP_CLOCK, OP_THREAD, OP_FORK,
	  OP_FORKEXEC, NOPS };
static const char *const op_key[NOPS] = {
	"getpid", "read", "write", "openclose", "mmap", "fault", "clock", "thread", "fork", "forkexec",
};
static const int op_div[NOPS] = { 1, 1, 1, 4, 4, 4, 1, 20, 50, 100 };

static char tiny_path[PATH_MAX];
static char reason[128];

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double fail(const char *what, int err)
{
	snprintf(reason, sizeof reason, "%s: %s", what, strerror(err));
	return -1;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* n calls of op (in batches of k), the median of the batches' ns per call, or -1 with reason set */
static double run_op(enum op op, long n, long k)
{
	char c = 'x', *region = NULL;
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double t0 = 0, r = 0, batch[64];
	int nb = 0;

	if (zero < 0 || null < 0)
		return fail("open /dev/zero, /dev/null", errno);
	if (op == OP_FAULT) {
		region = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (region == MAP_FAILED)
			return fail("mmap", errno);
	}
	for (long i = 0; i < n && r == 0; i++) {
		if (i % k == 0)
			t0 = now_ns();
		switch (op) {
		case OP_GETPID:
			getpid(); /* glibc's wrapper (not cached since glibc 2.25): a site Ringfence can patch */
			break;
		case OP_READ:
			if (read(zero, &c, 1) != 1)
				r = fail("read", errno);
			break;
		case OP_WRITE:
			if (write(null, &c, 1) != 1)
				r = fail("write", errno);
			break;
		case OP_OPENCLOSE: {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				r = fail("open", errno);
			else
				close(fd);
			break;
		}
		case OP_MMAP: {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				r = fail("mmap", errno);
			else
				munmap(p, 4096);
			break;
		}
		case OP_FAULT:
			region[i * 4096] = 1;
			break;
		case OP_CLOCK: {
			struct timespec t;

			clock_gettime(CLOCK_REALTIME, &t);
			break;
		}
		case OP_THREAD: {
			pthread_t t;
			int e = pthread_create(&t, NULL, thread_fn, NULL);

			if (e)
				r = fail("pthread_create", e);
			else if ((e = pthread_join(t, NULL)))
				r = fail("pthread_join", e);
			break;
		}
		case OP_FORK:
		case OP_FORKEXEC: {
			int st;
			pid_t pid = fork();

			if (pid < 0) {
				r = fail("fork", errno);
				break;
			}
			if (pid == 0) {
				if (op == OP_FORKEXEC) {
					char *argv[] = { tiny_path, NULL };

					execv(tiny_path, argv);
					_exit(errno < 100 ? 100 + errno : 127);	/* the parent reports why */
				}
				_exit(0);
			}
			if (waitpid(pid, &st, 0) != pid)
				r = fail("waitpid", errno);
			else if (WIFEXITED(st) && WEXITSTATUS(st) > 100 && WEXITSTATUS(st) < 200)
				r = fail("execve in the child", WEXITSTATUS(st) - 100);
			else if (!WIFEXITED(st) || WEXITSTATUS(st))
				r = fail(WIFSIGNALED(st) ? "child killed by a signal" : "child failed", ECHILD);
			break;
		}
		default:
			break;
		}
		if ((i + 1) % k == 0 && nb < 64)
			batch[nb++] = (now_ns() - t0) / (double)k;
	}
	if (region)
		munmap(region, (size_t)n * 4096);
	close(zero);
	close(null);
	if (r < 0)
		return r;
	qsort(batch, (size_t)nb, sizeof batch[0], cmp_double);
	return nb % 2 ? batch[nb / 2] : (batch[nb / 2 - 1] + batch[nb / 2]) / 2;
}

int main(int argc, char **argv)
{
	long iters = 2000;
	int enter = 0, opt, want[NOPS] = { 0 }, any = 0;
	char out[NOPS][192];
	ssize_t len;

	while ((opt = getopt(argc, argv, "n:eE")) != -1) {
		switch (opt) {
		case 'n': iters = atol(optarg); break;
		case 'e': enter = 1; break;
		case 'E': enter = 2; break;
		default:
			fprintf(stderr, "usage: micro_worker [-n ITERS] [-e|-E] [OP...]\n");
			return 2;
		}
	}
	if (iters < 1)
		return 2;
	for (int i = optind; i < argc; i++) {
		int k;

		for (k = 0; k < NOPS && strcmp(argv[i], op_key[k]); k++)
			;
		if (k == NOPS) {
			fprintf(stderr, "micro_worker: unknown op %s\n", argv[i]);
			return 2;
		}
		want[k] = any = 1;
	}
	len = readlink("/proc/self/exe", tiny_path, sizeof tiny_path - 16);
	if (len < 0)
		len = 0;
	tiny_path[len] = 0;
	if (strrchr(tiny_path, '/'))
		strcpy(strrchr(tiny_path, '/') + 1, "bench_tiny");
	if (enter) {
#ifdef WITH_SANDBOX
		struct sb_policy *pol = NULL;
		int rc;

		if (enter == 2) {
			static struct bench_rule rules[512];
			int n = bench_rules300(rules);

			if (sb_policy_new(SB_ACT_ERRNO(EPERM), &pol))
				return 1;
			for (int i = 0; i < BENCH_NALLOW; i++)
				if (!bench_checked(bench_allow60[i]) && sb_policy_add(pol, bench_allow60[i], SB_ACT_ALLOW))
					return 1;
			for (int i = 0; i < n; i++) {
				struct sb_rule r;

				memset(&r, 0, sizeof r);
				r.nr = rules[i].nr;
				r.action = SB_ACT_ALLOW;
				r.ncmp = (unsigned)rules[i].ncmp;
				for (int k = 0; k < rules[i].ncmp; k++)
					r.cmp[k] = (struct sb_arg_cmp){ .arg = rules[i].cmp[k].arg,
									.op = (enum sb_cmp_op)rules[i].cmp[k].op,
									.a = rules[i].cmp[k].a, .b = rules[i].cmp[k].b };
				if (sb_policy_add_rule(pol, &r)) {
					fprintf(stderr, "micro_worker: rule %d: %s\n", i, sb_last_error());
					return 1;
				}
			}
		}
		rc = sb_enter(pol);
		if (rc) {
			fprintf(stderr, "micro_worker: sb_enter: %s: %s\n", strerror(-rc), sb_last_error());
			return 1;
		}
#else
		fprintf(stderr, "micro_worker: built without libsandbox (use micro_worker_rf)\n");
		return 2;
#endif
	}
	/* a warm-up, in every mode: what runs lazily the first time (page
	 * faults, Ringfence's channel worker and its patching of the call
	 * sites it sees) is done before the timed loops */
	{
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		char c = 'w';

		for (int i = 0; i < 300 && null >= 0; i++)
			if (getpid() <= 0 || write(null, &c, 1) != 1)
				break;
		if (null >= 0)
			close(null);
	}
	/* measure everything first, print afterwards (no output between the timed loops) */
	for (int op = 0; op < NOPS; op++) {
		long n = iters / op_div[op];
		double v;

		out[op][0] = 0;
		if (any && !want[op])
			continue;
		if (n < 3)
			n = 3;
		reason[0] = 0;
		/* 11 batches (a preempted or tick-delayed batch does not move the median), or one
		 * batch per call when there are fewer than 33 calls */
		v = run_op((enum op)op, n < 33 ? n : n / 11 * 11, n < 33 ? 1 : n / 11);
		if (v < 0)
			snprintf(out[op], sizeof out[op], "%s NA %s\n", op_key[op], reason);
		else
			snprintf(out[op], sizeof out[op], "%s %.1f\n", op_key[op], v);
	}
	for (int op = 0; op < NOPS; op++)
		fputs(out[op], stdout);
	return 0;
}
