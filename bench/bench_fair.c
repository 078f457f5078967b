/* SPDX-License-Identifier: MIT */
/* bench/bench_fair.c: one sandbox of bench/run-exitless.sh's fairness run.
 *
 * Enters Ringfence (sb_enter, allow-all policy; the exitless channel as
 * RINGFENCE_EXITLESS says), writes 1 byte to /dev/null (a call the
 * channel's worker serves: the one that could spin) for SECONDS seconds of
 * CLOCK_MONOTONIC (read through the vDSO: no exit) and prints how many.
 * usage: bench_fair SECONDS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <sandbox.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5, end;
	struct sb_policy *pol;
	unsigned long n = 0;
	int rc, null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (secs <= 0 || null < 0 || sb_policy_new(SB_ACT_ALLOW, &pol)) {
		fprintf(stderr, "usage: bench_fair SECONDS\n");
		return 2;
	}
	rc = sb_enter(pol);
	if (rc) {
		fprintf(stderr, "bench_fair: sb_enter: %s: %s\n", strerror(-rc), sb_last_error());
		return 1;
	}
	end = now() + secs;
	while (now() < end)
		for (int i = 0; i < 64; i++, n++)
			if (write(null, "x", 1) != 1)
				return 1;
	printf("%lu\n", n);
	return 0;
}
