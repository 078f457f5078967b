/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_policy_oci.c: libFuzzer target for the OCI / Docker seccomp profile front end, sb_policy_load_oci().
 *
 * Each input is written to a memfd and loaded through /proc/self/fd/N into
 * a policy that already holds a per-call action and a rule (with the
 * capabilities of a config.json, else Docker's, and kernel 5.10 for
 * minKernel, so that a run does not depend on the host). Besides the
 * sanitizers, the target checks what sb_policy_load_oci() promises: a
 * failed load leaves the policy as it was, with a message; a successful one
 * leaves only valid actions and rules, every added rule with an origin, and
 * a policy that compiles.
 *
 * Build (tests/CMakeLists.txt): CC=clang cmake -DSB_FUZZ=ON -DSB_SANITIZE=ON;
 * run: fuzz_policy_oci -max_total_time=60 tests/fuzz/corpus/policy_oci
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sandbox.h>
#include "../../libsandbox/src/policy/compiled.h"
#include "../../libsandbox/src/policy/oci.h"
#include "../../libsandbox/src/policy/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];
static struct cp_policy *cp;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("fuzz_policy_oci", MFD_CLOEXEC);
	cp = calloc(1, sizeof *cp);
	if (fd < 0 || !cp)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return 0;
}

static void put(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(fd, 0))
		abort();
	while (off < size) {
		ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);

		if (w <= 0)
			abort();
		off += (size_t)w;
	}
}

/* a policy with something in it */
static struct sb_policy *filled(void)
{
	struct sb_rule r = { .nr = 62 /* kill */, .action = SB_ACT_ERRNO(EACCES), .ncmp = 1,
			     .cmp = { { .arg = 1, .op = SB_CMP_EQ, .a = 9 } }, .origin = "before" };
	struct sb_policy *p = NULL;

	if (sb_policy_new(SB_ACT_ALLOW, &p) || sb_policy_add(p, 39 /* getpid */, SB_ACT_KILL) ||
	    sb_policy_add_rule(p, &r))
		abort();
	return p;
}

static void check_unchanged(const struct sb_policy *p)
{
	if (p->default_action != SB_ACT_ALLOW || p->nrules != 1 || strcmp(p->rules[0].origin, "before"))
		abort();
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (p->action[nr] != (nr == 39 ? SB_ACT_KILL : SB_ACT_ALLOW) || p->action_origin[nr])
			abort();
}

/* "N:syscalls[i]" or "N:linux.seccomp.syscalls[i]", N the file name (the fd) */
static int origin_ok(const char *o)
{
	const char *name = strrchr(path, '/') + 1;
	size_t n = strlen(name);

	return o && !strncmp(o, name, n) &&
	       (!strncmp(o + n, ":syscalls[", 10) || !strncmp(o + n, ":linux.seccomp.syscalls[", 24));
}

static void check_loaded(const struct sb_policy *p, const struct oci_report *rep)
{
	if (!policy_action_ok(p->default_action) || p->nrules != 1 + rep->rules ||
	    strcmp(p->rules[0].origin, "before") || p->nrules > POLICY_MAX_RULES)
		abort();
	/* a call the profile names has its action and origin; the others the
	 * new default, but getpid, which the API set to another action before */
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (!policy_action_ok(p->action[nr]) ||
		    (p->action_origin[nr] ? p->action[nr] == p->default_action || !origin_ok(p->action_origin[nr])
					  : p->action[nr] != (nr == 39 ? SB_ACT_KILL : p->default_action)))
			abort();
	for (size_t i = 1; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->nr < 0 || r->nr >= SB_NR_SYSCALLS || !sb_sysent_name(r->nr) || r->action == p->default_action ||
		    !policy_action_ok(r->action) || r->ncmp < 1 || r->ncmp > SB_RULE_MAX_CMP || !origin_ok(r->origin))
			abort();
		for (unsigned int j = 0; j < r->ncmp; j++)
			if (r->cmp[j].arg > 5 || r->cmp[j].op < SB_CMP_NE || r->cmp[j].op > SB_CMP_MASKED_EQ ||
			    (j && r->cmp[j].arg <= r->cmp[j - 1].arg) ||
			    (r->cmp[j].op == SB_CMP_MASKED_EQ && (!r->cmp[j].a || (r->cmp[j].b & ~r->cmp[j].a))) ||
			    (r->cmp[j].op != SB_CMP_MASKED_EQ && r->cmp[j].b))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct oci_opts opts = { .caps = NULL, .kernel_major = 5, .kernel_minor = 10 };
	struct oci_report rep;
	struct sb_policy *p = filled();
	int rc;

	put(data, size);
	rc = policy_load_oci(p, path, &opts, &rep);
	if (rc) {
		if (rc > 0 || sb_last_error()[0] == 0)
			abort();
		check_unchanged(p);
	} else {
		check_loaded(p, &rep);
		memset(cp, 0, sizeof *cp);
		rc = policy_compile(p, cp);
		if (rc && rc != -E2BIG)
			abort();
	}
	sb_policy_free(p);
	return 0;
}
