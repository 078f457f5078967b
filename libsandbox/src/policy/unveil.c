/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/unveil.c: the builder's path rules (unveil). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "../api/api.h"

/* "rwxc" -> UNVEIL_* bits; 0 for an empty or malformed string */
static unsigned int parse_perms(const char *perms)
{
	unsigned int bits = 0;

	for (const char *c = perms; *c; c++) {
		switch (*c) {
		case 'r': bits |= UNVEIL_R; break;
		case 'w': bits |= UNVEIL_W; break;
		case 'x': bits |= UNVEIL_X; break;
		case 'c': bits |= UNVEIL_C; break;
		default: return 0;
		}
	}
	return bits;
}

/* add (or, for a path already there, replace, as unveil(2)) one rule */
static int add(struct policy_unveil *list, int *n, const char *path, unsigned int bits)
{
	char *copy;

	for (int i = 0; i < *n; i++)
		if (!strcmp(list[i].path, path)) {
			list[i].perms = bits;
			return 0;
		}
	if (*n >= POLICY_MAX_UNVEIL)
		return -E2BIG;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	list[*n].path = copy;
	list[*n].perms = bits;
	(*n)++;
	return 0;
}

int sb_policy_unveil(struct sb_policy *p, const char *path, const char *perms)
{
	unsigned int bits;

	if (!p || !path || !*path || !perms || strlen(path) >= 4096)
		return -EINVAL;
	bits = parse_perms(perms);
	if (!bits)
		return -EINVAL;
	return add(p->unveil, &p->nunveil, path, bits);
}

/*
 * sb_unveil(): rules kept for the next sb_enter() or sb_pledge() of this
 * process, whatever policy it is given (OpenBSD's order: unveil, then
 * pledge). This list is the one piece of process-wide state libsandbox
 * keeps, and only because the caller asks for it by calling sb_unveil().
 */
static struct policy_unveil pending[POLICY_MAX_UNVEIL];
static int npending;

int sb_unveil(const char *path, const char *perms)
{
	unsigned int bits;

	if (sb_inside())
		return sb_fail(-EBUSY, "unveil: already inside a sandbox: paths can only be unveiled before "
				       "entering");
	if (!path && !perms)
		return 0; /* unveil(NULL, NULL): nothing can be added once inside anyway */
	if (!path || !*path || !perms || strlen(path) >= 4096)
		return -EINVAL;
	bits = parse_perms(perms);
	if (!bits)
		return sb_fail(-EINVAL, "unveil: permissions are letters of \"rwxc\", at least one");
	return add(pending, &npending, path, bits);
}

int unveil_pending(const struct policy_unveil **list)
{
	*list = pending;
	return npending;
}
