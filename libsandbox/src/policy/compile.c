/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/compile.c: turn the builder's policy into the monitor's flat table. */
#include <errno.h>
#include <string.h>
#include "compiled.h"
#include "policy.h"

static int add_origin(struct cp_policy *out, uint32_t *used, const char *s, uint32_t *off)
{
	size_t n;

	if (!s) {
		*off = POLICY_NO_ORIGIN;
		return 0;
	}
	n = strlen(s) + 1;
	if (n > POLICY_ORIGINS_SIZE - *used)
		return -E2BIG;
	memcpy(out->origins + *used, s, n);
	*off = *used;
	*used += (uint32_t)n;
	return 0;
}

int policy_compile(const struct sb_policy *pol, struct cp_policy *out)
{
	uint32_t used = 0, k = 0;
	int rc;

	out->default_action = pol ? pol->default_action : SB_ACT_ALLOW;
	for (long nr = 0; nr < SB_NR_SYSCALLS; nr++) {
		out->base[nr] = pol ? pol->action[nr] : SB_ACT_ALLOW;
		rc = add_origin(out, &used, pol ? pol->action_origin[nr] : NULL, &out->base_origin[nr]);
		if (rc)
			return rc;
		out->first[nr] = k;
		out->count[nr] = 0;
		/* the call's rules, in the order they were added */
		for (size_t i = 0; pol && i < pol->nrules; i++) {
			const struct policy_rule *r = &pol->rules[i];
			struct cp_rule *c;

			if (r->nr != nr)
				continue;
			if (k >= POLICY_MAX_RULES)
				return -E2BIG;
			c = &out->rules[k++];
			c->action = r->action;
			c->ncmp = r->ncmp;
			for (unsigned j = 0; j < r->ncmp; j++) {
				c->cmp[j].arg = (uint8_t)r->cmp[j].arg;
				c->cmp[j].op = (uint8_t)r->cmp[j].op;
				c->cmp[j].a = r->cmp[j].a;
				c->cmp[j].b = r->cmp[j].b;
			}
			rc = add_origin(out, &used, r->origin, &c->origin);
			if (rc)
				return rc;
			out->count[nr]++;
		}
	}
	out->nrules = k;
	return 0;
}
