/* SPDX-License-Identifier: MIT */
/* bench/bench_process.c: the cost of fork+wait and fork+exec+wait, run natively or under `ringfence run` (bench/run-process.sh).
 *
 * usage: bench_process fork|forkexec N [PROGRAM]
 * Prints one line: "MODE N median_ns min_ns". forkexec executes PROGRAM
 * (default ./true) with no arguments in the child.
 */
#define _GNU_SOURCE
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

int main(int argc, char **argv)
{
	const char *prog = argc > 3 ? argv[3] : "./true";
	int exec, n;
	int64_t *t;

	if (argc < 3 || (strcmp(argv[1], "fork") && strcmp(argv[1], "forkexec")) || (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_process fork|forkexec N [PROGRAM]\n");
		return 2;
	}
	exec = !strcmp(argv[1], "forkexec");
	t = calloc((size_t)n, sizeof *t);
	if (!t)
		return 1;
	for (int i = 0; i < n; i++) {
		int64_t t0 = now_ns();
		int st;
		pid_t c = fork();

		if (c < 0) {
			perror("fork");
			return 1;
		}
		if (c == 0) {
			if (exec) {
				char *const av[] = { (char *)prog, NULL };

				execv(prog, av);
				_exit(127);
			}
			_exit(0);
		}
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench_process: child failed (status %#x)\n", st);
			return 1;
		}
		t[i] = now_ns() - t0;
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%s %d %lld %lld\n", argv[1], n, (long long)t[n / 2], (long long)t[0]);
	free(t);
	return 0;
}
