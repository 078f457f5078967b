/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/policy.h: the policy as the builder keeps it (the monitor copies it into the vault). */
#ifndef SB_POLICY_H
#define SB_POLICY_H

#include <stdint.h>
#include "../../include/sandbox.h"
#include "../monitor/sysent.h"
#include "compiled.h"

/* a rule as the builder keeps it (origin owned) */
struct policy_rule {
	long nr;
	uint32_t action;
	unsigned int ncmp;
	struct sb_arg_cmp cmp[SB_RULE_MAX_CMP];
	char *origin;
};

#define POLICY_MAX_UNVEIL 256

struct policy_unveil {
	char *path;         /* owned */
	unsigned int perms; /* UNVEIL_* */
};

/* the rules sb_unveil() keeps for the next entry: count, and the list */
int unveil_pending(const struct policy_unveil **list);

#define POLICY_MAX_SOCK 64
#define POLICY_MAX_NET 256
#define POLICY_UNIX_PATH 108

struct policy_net {
	struct sb_net_rule r; /* r.path and r.origin point to the strings below */
	char path[POLICY_UNIX_PATH + 2];
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
	int nunveil;
	struct policy_unveil unveil[POLICY_MAX_UNVEIL];
	int nsock;
	int sock[POLICY_MAX_SOCK][2];      /* (domain, type or -1) */
	int nnet;
	struct policy_net net[POLICY_MAX_NET];
	const struct sb_policy *exec_policy; /* not owned: sb_policy_set_exec() */
	unsigned int max_tasks; /* processes + threads; 0: no limit */
};

/* validity of an action value */
int policy_action_ok(uint32_t a);

#endif
