/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/policy.h: the policy as the builder keeps it (the monitor copies it into the vault). */
#ifndef SB_POLICY_H
#define SB_POLICY_H

#include <stdint.h>
#include "../../include/sandbox.h"
#include "../monitor/sysent.h"

/* a rule as the builder keeps it (origin owned) */
struct policy_rule {
	long nr;
	uint32_t action;
	unsigned int ncmp;
	struct sb_arg_cmp cmp[SB_RULE_MAX_CMP];
	char *origin;
};

struct sb_policy {
	uint32_t default_action;
	uint32_t action[SB_NR_SYSCALLS];  /* per-call action when no rule matches */
	char *action_origin[SB_NR_SYSCALLS]; /* owned, may be NULL */
	struct policy_rule *rules;
	size_t nrules, cap;
	int log_fd;
	unsigned int audit_flags;
};

/* validity of an action value */
int policy_action_ok(uint32_t a);

#endif
