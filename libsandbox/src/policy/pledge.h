/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/pledge.h: OpenBSD-style promises, the table behind sb_policy_pledge().
 *
 * The table is data: one row names the promises it needs (all of them), one
 * or more system calls, and either no comparison (the calls are allowed
 * whatever their arguments) or up to SB_RULE_MAX_CMP comparisons ANDed into
 * one ALLOW rule for a single call. A few rows make a call fail with an
 * errno instead (soft_errno): calls whose arguments sit in memory, where a
 * libc falls back to another call on ENOSYS. docs/policy.md shows the table;
 * tests/unit/test_pledge.c generates that text from here and checks it.
 */
#ifndef SB_PLEDGE_H
#define SB_PLEDGE_H

#include <stddef.h>
#include <stdint.h>
#include "../../include/sandbox.h"

/* promise bits, in the order docs/policy.md lists them */
enum pledge_promise {
	PL_STDIO, PL_RPATH, PL_WPATH, PL_CPATH, PL_DPATH, PL_TMPPATH, PL_INET, PL_MCAST,
	PL_FATTR, PL_CHOWN, PL_FLOCK, PL_UNIX, PL_DNS, PL_GETPW, PL_SENDFD, PL_RECVFD,
	PL_TTY, PL_PROC, PL_EXEC, PL_PROT_EXEC, PL_SETTIME, PL_PS, PL_VMINFO, PL_ID,
	PL_ROUTE, PL_WROUTE, PL_UNVEIL, PL_ERROR,
	PL_NPROMISES
};

#define PL_BIT(p) (1u << (p))

/* a value known only when the policy is built */
enum pledge_self {
	PL_SELF_NONE = 0,
	PL_SELF_PID,  /* getpid() */
	PL_SELF_UID,  /* geteuid() */
	PL_SELF_GID,  /* getegid() */
};

/* one comparison; with self set, it is (arg & 0xffffffff) == that value */
struct pledge_cmp {
	uint8_t arg;
	uint8_t op;   /* enum sb_cmp_op; 0 ends the list */
	uint8_t self; /* enum pledge_self */
	uint64_t a, b;
};

struct pledge_row {
	uint32_t need;       /* PL_BIT()s, all required; 0: always */
	const char *calls;   /* space-separated names; one name if cmp[0].op */
	const char *when;    /* the restriction as docs/policy.md shows it (NULL: none) */
	struct pledge_cmp cmp[SB_RULE_MAX_CMP];
	int soft_errno;      /* nonzero: the calls fail with this errno instead */
};

extern const char *const pledge_names[PL_NPROMISES];
extern const struct pledge_row pledge_rows[];
extern const size_t pledge_nrows;

/* Parse a promise string into PL_BIT()s. -EINVAL with the message set
 * (sb_last_error()) for an unknown or unsupported name. */
int pledge_parse(const char *promises, uint32_t *set);

/* The execpromises of the last successful sb_pledge(), or NULL: the
 * promises of the programs an execve inside the sandbox starts. */
const char *pledge_execpromises(void);

#endif
