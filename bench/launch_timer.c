/* SPDX-License-Identifier: MIT */
/* bench/launch_timer.c: the wall time of starting a program and waiting for it, run after run.
 *
 * Forks and execs PROGRAM N times, one after the other, and prints one
 * line per run: the wall time from just before fork() to the return of
 * waitpid(), in ns (CLOCK_MONOTONIC), and the run's status as a shell
 * gives it (the exit status, or 128+N for death by signal N; 127 if the
 * exec failed). Used by bench/run-launch.sh, where the guest's busybox
 * date may have no %N.
 *
 * usage: launch_timer [-n RUNS] [-q] [--] PROGRAM [ARGS...]
 *   -n RUNS  runs (default 1)
 *   -q       the program's stdin, stdout and stderr on /dev/null
 * exit status: 0 if every run exited 0, 1 if one did not, 2 for a usage
 * or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void usage(void)
{
	fputs("usage: launch_timer [-n RUNS] [-q] [--] PROGRAM [ARGS...]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	long runs = 1;
	int quiet = 0, failed = 0, c;

	while ((c = getopt(argc, argv, "+n:q")) != -1) {
		char *end;

		switch (c) {
		case 'n':
			errno = 0;
			runs = strtol(optarg, &end, 10);
			if (errno || *end || runs < 1)
				usage();
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	for (long i = 0; i < runs; i++) {
		uint64_t t0, t1;
		int status, st;
		pid_t pid;

		fflush(stdout);
		t0 = now_ns();
		pid = fork();
		if (pid < 0) {
			perror("launch_timer: fork");
			return 2;
		}
		if (pid == 0) {
			if (quiet) {
				int fd = open("/dev/null", O_RDWR);

				if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
					_exit(127);
				if (fd > 2)
					close(fd);
			}
			execvp(argv[optind], argv + optind);
			if (!quiet)
				fprintf(stderr, "launch_timer: %s: %s\n", argv[optind], strerror(errno));
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				perror("launch_timer: waitpid");
				return 2;
			}
		}
		t1 = now_ns();
		st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (st)
			failed = 1;
		printf("%llu %d\n", (unsigned long long)(t1 - t0), st);
	}
	return failed;
}
