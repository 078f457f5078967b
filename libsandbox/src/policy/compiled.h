/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/compiled.h: the policy as the monitor uses it: one flat table in the vault.
 *
 * Decision in O(1) by system call number, then the call's own rules in
 * order (each a conjunction of argument comparisons). Freestanding: the
 * decision runs in the monitor's exit path; compiling runs in sb_enter().
 */
#ifndef SB_POLICY_COMPILED_H
#define SB_POLICY_COMPILED_H

#include <stdint.h>
#include "../../include/sandbox.h"
#include "../monitor/sysent.h"

#define POLICY_MAX_RULES 8192
#define POLICY_ORIGINS_SIZE (256u << 10)
#define POLICY_NO_ORIGIN 0xffffffffu

struct cp_cmp {
	uint8_t arg, op;
	uint8_t pad[6];
	uint64_t a, b;
};

struct cp_rule {
	uint32_t action;
	uint32_t origin; /* offset in origins[], or POLICY_NO_ORIGIN */
	uint32_t ncmp;
	uint32_t pad;
	struct cp_cmp cmp[SB_RULE_MAX_CMP];
};

#define CP_MAX_SOCK 64
#define CP_MAX_NET 256
#define CP_UNIX_PATH 110

struct cp_net {
	int32_t family;
	uint32_t prefix;
	uint8_t addr[16];
	uint16_t port_lo, port_hi;
	uint32_t ops;
	uint32_t origin;
	uint32_t path_len; /* 0: any path; else the exact name, abstract ones as "@name" */
	char path[CP_UNIX_PATH];
};

/* unveil permissions */
#define UNVEIL_R 0x1u
#define UNVEIL_W 0x2u
#define UNVEIL_X 0x4u
#define UNVEIL_C 0x8u

#define CP_MAX_ROOTS 256

/* an unveiled tree as the kernel names it (realpath at entry); the string
 * is in origins[] */
struct cp_root {
	uint32_t off, len;
	uint32_t perms; /* UNVEIL_* */
};

struct cp_policy {
	uint32_t default_action;
	uint32_t nrules;
	uint32_t base[SB_NR_SYSCALLS];        /* action when no rule of the call matches */
	uint32_t base_origin[SB_NR_SYSCALLS];
	uint32_t first[SB_NR_SYSCALLS];       /* the call's rules: rules[first .. first+count) */
	uint32_t count[SB_NR_SYSCALLS];
	struct cp_rule rules[POLICY_MAX_RULES];
	char origins[POLICY_ORIGINS_SIZE];    /* NUL-terminated strings */
	uint32_t nsock, nnet;
	int32_t sock[CP_MAX_SOCK][2];
	struct cp_net net[CP_MAX_NET];
	uint32_t nroots;
	struct cp_root roots[CP_MAX_ROOTS];
	uint32_t max_tasks;                   /* processes + threads in the sandbox; 0: no limit */
};

/* The action for call nr with arguments a; *origin receives the deciding
 * rule's origin offset (POLICY_NO_ORIGIN: the default or a bare action). */
uint32_t policy_decide(const struct cp_policy *p, long nr, const uint64_t a[6], uint32_t *origin);

/* 1 if some argument values could make nr's action ALLOW or LOG. */
int policy_may_allow(const struct cp_policy *p, long nr);
/* 1 if every call nr is allowed as it is (no rule looks at its arguments, no audit record) */
int policy_plain_allow(const struct cp_policy *p, long nr);

/* socket(domain, type): 1 if allowed (always, when the policy has no socket rule) */
int policy_socket_ok(const struct cp_policy *p, long domain, long type);
/* An address (a vault copy of len bytes) for op (SB_NET_*): 1 if allowed
 * (always, when the policy has no address rule); *origin gets the rule's. */
int policy_addr_ok(const struct cp_policy *p, const uint8_t *sa, uint64_t len, unsigned op, uint32_t *origin);

/* Is the resolved absolute path (len bytes) inside an unveiled tree with
 * all of perms (0: any permission)? 1 if so, or if nothing is unveiled. */
int policy_path_visible(const struct cp_policy *p, const char *path, uint32_t len, uint32_t perms);

struct sb_policy;
/* Fill out (zeroed memory) from the builder's policy (NULL: allow all),
 * with the unveiled trees of the policy and of sb_unveil() resolved by
 * realpath(). */
int policy_compile(const struct sb_policy *pol, struct cp_policy *out);

#endif
