/* SPDX-License-Identifier: MIT */
/* bench/bench_enter.c: what entering Ringfence costs a process, run after run.
 *
 * Each run forks a child that calls sb_enter() (allow-all policy) and exits at once; one
 * line per run as launch_timer prints it: the wall time from just before fork() to the
 * return of waitpid() in ns, and the child's status; then the time sb_enter() itself took
 * inside the child, in ns (through a pipe).
 *
 * usage: bench_enter [-n RUNS]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sandbox.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv)
{
	long runs = 1;
	int failed = 0;

	if (argc == 3 && !strcmp(argv[1], "-n"))
		runs = atol(argv[2]);
	else if (argc != 1) {
		fprintf(stderr, "usage: bench_enter [-n RUNS]\n");
		return 2;
	}
	for (long i = 0; i < runs; i++) {
		uint64_t t0, t1, inside = 0;
		int p[2], status, st;
		pid_t pid;

		if (pipe(p))
			return 2;
		fflush(stdout);
		t0 = now_ns();
		pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			uint64_t a = now_ns(), d;
			int rc = sb_enter(NULL);

			d = now_ns() - a;
			if (rc) {
				fprintf(stderr, "bench_enter: sb_enter: %s\n", sb_last_error());
				_exit(1);
			}
			if (write(p[1], &d, sizeof d) != (ssize_t)sizeof d)
				_exit(3);
			_exit(0);
		}
		close(p[1]);
		if (waitpid(pid, &status, 0) != pid)
			return 2;
		t1 = now_ns();
		if (read(p[0], &inside, sizeof inside) != (ssize_t)sizeof inside)
			inside = 0;
		close(p[0]);
		st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		failed |= st != 0;
		printf("%llu %d %llu\n", (unsigned long long)(t1 - t0), st, (unsigned long long)inside);
	}
	return failed;
}
