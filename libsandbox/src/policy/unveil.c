/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/unveil.c: the builder's path rules (unveil). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"

int sb_policy_unveil(struct sb_policy *p, const char *path, const char *perms)
{
	unsigned int bits = 0;
	char *copy;

	if (!p || !path || !*path || !perms || strlen(path) >= 4096)
		return -EINVAL;
	for (const char *c = perms; *c; c++) {
		switch (*c) {
		case 'r': bits |= UNVEIL_R; break;
		case 'w': bits |= UNVEIL_W; break;
		case 'x': bits |= UNVEIL_X; break;
		case 'c': bits |= UNVEIL_C; break;
		default: return -EINVAL;
		}
	}
	if (!bits)
		return -EINVAL;
	/* the same path again replaces its permissions, as unveil(2) */
	for (int i = 0; i < p->nunveil; i++)
		if (!strcmp(p->unveil[i].path, path)) {
			p->unveil[i].perms = bits;
			return 0;
		}
	if (p->nunveil >= POLICY_MAX_UNVEIL)
		return -E2BIG;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	p->unveil[p->nunveil].path = copy;
	p->unveil[p->nunveil].perms = bits;
	p->nunveil++;
	return 0;
}
