/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/policy.c: the policy builder (v0: a default action and one action per system call). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include "policy.h"
#include "../monitor/sysent.h"

static int action_ok(uint32_t a)
{
	if (a == SB_ACT_ALLOW || a == SB_ACT_KILL)
		return 1;
	return SB_ACT_IS_ERRNO(a) && (a & 0xffff) >= 1 && (a & 0xffff) < 4096;
}

int sb_policy_new(uint32_t default_action, struct sb_policy **out)
{
	struct sb_policy *p;

	if (!out || !action_ok(default_action))
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

int sb_policy_add(struct sb_policy *p, long nr, uint32_t action)
{
	if (!p || nr < 0 || nr >= SB_NR_SYSCALLS || !(sb_sysent_table[nr].flags & SE_KNOWN) || !action_ok(action))
		return -EINVAL;
	p->action[nr] = action;
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

int sb_policy_log_denials(struct sb_policy *p, int fd)
{
	if (!p)
		return -EINVAL;
	if (fd >= 0 && fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	p->log_fd = fd < 0 ? -1 : fd;
	return 0;
}

void sb_policy_free(struct sb_policy *p)
{
	free(p);
}
