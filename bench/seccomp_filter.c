/* SPDX-License-Identifier: MIT */
/* bench/seccomp_filter.c: run a command under a seccomp-bpf filter built with libseccomp.
 *
 * usage: seccomp_filter allow60|rules300 [-t] -- CMD [ARGS...]
 *   allow60   the ~60 calls of rules.h allowed without condition, every other call EPERM
 *   rules300  the same, but read/write/close/mmap/ioctl/fcntl/lseek/getpid allowed only
 *             through ~300 argument-checked rules (rules.h)
 *   -t        binary-tree layout (SCMP_FLTATR_CTL_OPTIMIZE=2) instead of libseccomp's linear one
 * Sets no_new_privs, loads the filter, execs CMD (the filter stays over exec and fork).
 * Prints the number of rules and BPF instructions on stderr with -v.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "rules.h"

int main(int argc, char **argv)
{
	int tree = 0, verbose = 0, big, rc, i = 2, nrules = 0;
	static struct bench_rule rules[512];
	scmp_filter_ctx ctx;

	if (argc < 3 || (strcmp(argv[1], "allow60") && strcmp(argv[1], "rules300")))
		goto usage;
	big = !strcmp(argv[1], "rules300");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-t"))
			tree = 1;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else
			goto usage;
	}
	if (i >= argc)
		goto usage;
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return 125;
	if (tree && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2))
		fprintf(stderr, "seccomp_filter: binary tree layout not available\n");
	for (int k = 0; k < BENCH_NALLOW; k++) {
		if (big && bench_checked(bench_allow60[k]))
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, bench_allow60[k], 0);
		if (rc) {
			fprintf(stderr, "seccomp_filter: rule for %d: %s\n", bench_allow60[k], strerror(-rc));
			return 125;
		}
		nrules++;
	}
	if (big) {
		int n = bench_rules300(rules);

		for (int k = 0; k < n; k++) {
			struct scmp_arg_cmp c[2];

			for (int j = 0; j < rules[k].ncmp; j++)
				c[j] = (struct scmp_arg_cmp){ rules[k].cmp[j].arg, (enum scmp_compare)rules[k].cmp[j].op,
							      rules[k].cmp[j].a, rules[k].cmp[j].b };
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[k].nr, (unsigned)rules[k].ncmp, c);
			if (rc) {
				fprintf(stderr, "seccomp_filter: rule %d: %s\n", k, strerror(-rc));
				return 125;
			}
		}
		nrules += n;
	}
	if (verbose)
		fprintf(stderr, "seccomp_filter: %s: %d rules\n", argv[1], nrules);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || seccomp_load(ctx)) {
		perror("seccomp_filter: load");
		return 125;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "seccomp_filter: %s: %s\n", argv[i], strerror(errno));
	return 127;
usage:
	fprintf(stderr, "usage: seccomp_filter allow60|rules300 [-t] [-v] -- CMD [ARGS...]\n");
	return 2;
}
