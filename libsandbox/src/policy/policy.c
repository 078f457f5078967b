/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/policy.c: the policy builder: default action, per-call actions, rules with argument comparisons. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "compiled.h"
#include "../monitor/sysent.h"

int policy_action_ok(uint32_t a)
{
	if (a == SB_ACT_ALLOW || a == SB_ACT_KILL || a == SB_ACT_TRAP || a == SB_ACT_LOG)
		return 1;
	return SB_ACT_IS_ERRNO(a) && (a & 0xffff) >= 1 && (a & 0xffff) < 4096;
}

static int nr_ok(long nr)
{
	return nr >= 0 && nr < SB_NR_SYSCALLS && (sb_sysent_table[nr].flags & SE_KNOWN);
}

int sb_policy_new(uint32_t default_action, struct sb_policy **out)
{
	struct sb_policy *p;

	if (!out || !policy_action_ok(default_action))
		return -EINVAL;
	p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->default_action = default_action;
	for (int i = 0; i < SB_NR_SYSCALLS; i++)
		p->action[i] = default_action;
	p->log_fd = -1;
	*out = p;
	return 0;
}

int sb_policy_set_exec(struct sb_policy *p, const struct sb_policy *exec_pol)
{
	if (!p || exec_pol == p || (exec_pol && exec_pol->exec_policy))
		return -EINVAL;
	p->exec_policy = exec_pol;
	return 0;
}

int sb_policy_set_max_tasks(struct sb_policy *p, unsigned int n)
{
	if (!p || n > SB_MAX_TASKS)
		return -EINVAL;
	p->max_tasks = n;
	return 0;
}

int sb_policy_set_default(struct sb_policy *p, uint32_t action)
{
	if (!p || !policy_action_ok(action))
		return -EINVAL;
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (!p->action_origin[nr] && p->action[nr] == p->default_action)
			p->action[nr] = action;
	p->default_action = action;
	return 0;
}

int sb_policy_add(struct sb_policy *p, long nr, uint32_t action)
{
	if (!p || !nr_ok(nr) || !policy_action_ok(action))
		return -EINVAL;
	p->action[nr] = action;
	/* whatever set the call's action before no longer decides it */
	free(p->action_origin[nr]);
	p->action_origin[nr] = NULL;
	return 0;
}

int sb_policy_add_rule(struct sb_policy *p, const struct sb_rule *r)
{
	struct policy_rule *n;

	if (!p || !r || !nr_ok(r->nr) || !policy_action_ok(r->action) || r->ncmp > SB_RULE_MAX_CMP)
		return -EINVAL;
	for (unsigned i = 0; i < r->ncmp; i++)
		if (r->cmp[i].arg > 5 || r->cmp[i].op < SB_CMP_NE || r->cmp[i].op > SB_CMP_MASKED_EQ)
			return -EINVAL;
	if (p->nrules >= POLICY_MAX_RULES)
		return -E2BIG;
	if (p->nrules == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct policy_rule *a = realloc(p->rules, cap * sizeof *a);

		if (!a)
			return -ENOMEM;
		p->rules = a;
		p->cap = cap;
	}
	n = &p->rules[p->nrules];
	memset(n, 0, sizeof *n);
	n->nr = r->nr;
	n->action = r->action;
	n->ncmp = r->ncmp;
	memcpy(n->cmp, r->cmp, r->ncmp * sizeof r->cmp[0]);
	if (r->origin && !(n->origin = strdup(r->origin)))
		return -ENOMEM;
	p->nrules++;
	return 0;
}

long sb_syscall_nr(const char *name)
{
	long nr = name ? sb_sysent_lookup(name) : -1;

	return nr < 0 ? -ENOENT : nr;
}

int sb_policy_add_name(struct sb_policy *p, const char *name, uint32_t action)
{
	long nr = sb_syscall_nr(name);

	if (nr < 0)
		return (int)nr;
	return sb_policy_add(p, nr, action);
}

int sb_policy_audit(struct sb_policy *p, int fd, unsigned int flags)
{
	if (!p || (flags & ~SB_AUDIT_BACKTRACE))
		return -EINVAL;
	if (fd >= 0 && fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	p->log_fd = fd < 0 ? -1 : fd;
	p->audit_flags = flags;
	return 0;
}

int sb_policy_log_denials(struct sb_policy *p, int fd)
{
	return sb_policy_audit(p, fd, 0);
}

void sb_policy_free(struct sb_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].origin);
	for (int i = 0; i < SB_NR_SYSCALLS; i++)
		free(p->action_origin[i]);
	for (int i = 0; i < p->nnet; i++)
		free(p->net[i].origin);
	for (int i = 0; i < p->nunveil; i++)
		free(p->unveil[i].path);
	free(p->rules);
	free(p);
}
