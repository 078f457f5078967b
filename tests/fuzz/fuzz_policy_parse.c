/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_policy_parse.c: libFuzzer target for the text policy front end, sb_policy_load().
 *
 * Each input is written to input.rf in a private directory made at start-up
 * (removed at exit), beside inc.rf (a small valid policy) and loop.rf (which
 * includes input.rf), so "include inc.rf" and "include loop.rf" reach real
 * files, the second one a cycle. The input is loaded into a fresh policy
 * and the policy freed; besides the sanitizers, the target checks what
 * sb_policy_load() promises: a failed load leaves the policy as new, with a
 * message; a successful one adds only valid rules with origins.
 *
 * Build (tests/CMakeLists.txt): CC=clang cmake -DSB_FUZZ=ON -DSB_SANITIZE=ON;
 * run: fuzz_policy_parse -max_total_time=60 tests/fuzz/corpus/policy_parse
 *      (-dict=tests/fuzz/policy_parse.dict helps).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sandbox.h>
#include "../../libsandbox/src/policy/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEFAULT_ACTION SB_ACT_ERRNO(EPERM)

static char dir[64], input[96], inc[96], loop[96];

static void cleanup(void)
{
	unlink(input);
	unlink(inc);
	unlink(loop);
	rmdir(dir);
}

static void put(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = buf;

	if (fd < 0)
		abort();
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0)
			abort();
		p += w;
		len -= (size_t)w;
	}
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char inc_text[] = "allow read write\nerrno EACCES openat if arg2 & O_ACCMODE == O_WRONLY\n";
	static const char loop_text[] = "include input.rf\n";

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "/tmp/fuzz_policy_parse.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(input, sizeof input, "%s/input.rf", dir);
	snprintf(inc, sizeof inc, "%s/inc.rf", dir);
	snprintf(loop, sizeof loop, "%s/loop.rf", dir);
	put(inc, inc_text, sizeof inc_text - 1);
	put(loop, loop_text, sizeof loop_text - 1);
	atexit(cleanup);
	return 0;
}

static void check_fresh(const struct sb_policy *p)
{
	if (p->default_action != DEFAULT_ACTION || p->nrules != 0)
		abort();
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (p->action[nr] != DEFAULT_ACTION || p->action_origin[nr])
			abort();
}

static void check_loaded(const struct sb_policy *p)
{
	if (!policy_action_ok(p->default_action))
		abort();
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (!policy_action_ok(p->action[nr]) || (p->action_origin[nr] && !*p->action_origin[nr]))
			abort();
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->nr < 0 || r->nr >= SB_NR_SYSCALLS || !sb_sysent_name(r->nr) ||
		    !policy_action_ok(r->action) || r->ncmp < 1 || r->ncmp > SB_RULE_MAX_CMP || !r->origin)
			abort();
		for (unsigned int j = 0; j < r->ncmp; j++)
			if (r->cmp[j].arg > 5 || r->cmp[j].op < SB_CMP_NE || r->cmp[j].op > SB_CMP_MASKED_EQ ||
			    (r->cmp[j].op == SB_CMP_MASKED_EQ && (r->cmp[j].b & ~r->cmp[j].a)))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_policy *p = NULL;
	int rc;

	put(input, data, size);
	if (sb_policy_new(DEFAULT_ACTION, &p))
		abort();
	rc = sb_policy_load(p, input);
	if (rc) {
		/* unchanged, with a message naming a file */
		check_fresh(p);
		if (rc > 0 || sb_last_error()[0] == 0)
			abort();
	} else {
		check_loaded(p);
	}
	sb_policy_free(p);
	return 0;
}
