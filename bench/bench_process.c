/* SPDX-License-Identifier: MIT */
/* bench/bench_process.c: the cost of fork+wait, fork+exec+wait and thread create+join, run
 * natively or under `ringfence run` (bench/run-process.sh).
 *
 * usage: bench_process fork|forkexec|thread N [PROGRAM]
 * Prints one line: "MODE N median_ns min_ns", or, when an operation fails,
 * "MODE N failed REASON" (exit status 1; no figure is made up for it). forkexec executes
 * PROGRAM (default ./true) with no arguments in the child. thread is pthread_create of a
 * thread that returns at once, then pthread_join of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* the failure line on stdout (what bench/run-process.sh records), the same on stderr */
static int failed(const char *mode, int n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failed(const char *mode, int n, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	printf("%s %d failed %s\n", mode, n, why);
	fprintf(stderr, "bench_process: %s: %s\n", mode, why);
	return 1;
}

int main(int argc, char **argv)
{
	const char *prog = argc > 3 ? argv[3] : "./true";
	const char *mode = argc > 1 ? argv[1] : "";
	int exec, thread, n;
	int64_t *t;

	if (argc < 3 || (strcmp(mode, "fork") && strcmp(mode, "forkexec") && strcmp(mode, "thread")) ||
	    (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_process fork|forkexec|thread N [PROGRAM]\n");
		return 2;
	}
	exec = !strcmp(mode, "forkexec");
	thread = !strcmp(mode, "thread");
	t = calloc((size_t)n, sizeof *t);
	if (!t)
		return 1;
	for (int i = 0; i < n; i++) {
		int64_t t0 = now_ns();
		int st;
		pid_t c;

		if (thread) {
			pthread_t th;
			void *ret = NULL;
			int e = pthread_create(&th, NULL, thread_fn, &st);

			if (e)
				return failed(mode, n, "pthread_create: %s", strerror(e));
			e = pthread_join(th, &ret);
			if (e)
				return failed(mode, n, "pthread_join: %s", strerror(e));
			if (ret != &st)
				return failed(mode, n, "pthread_join: the thread returned %p, not %p", ret, (void *)&st);
			t[i] = now_ns() - t0;
			continue;
		}
		c = fork();
		if (c < 0)
			return failed(mode, n, "fork: %s", strerror(errno));
		if (c == 0) {
			if (exec) {
				char *const av[] = { (char *)prog, NULL };

				execv(prog, av);
				_exit(127);
			}
			_exit(0);
		}
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
			return failed(mode, n, "child failed (status %#x)", st);
		t[i] = now_ns() - t0;
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%s %d %lld %lld\n", mode, n, (long long)t[n / 2], (long long)t[0]);
	free(t);
	return 0;
}
