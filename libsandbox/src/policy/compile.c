/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/compile.c: turn the builder's policy into the monitor's flat table. */
#include <errno.h>
#include <stdlib.h>
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
	out->max_tasks = pol ? pol->max_tasks : 0;
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
	for (int i = 0; pol && i < pol->nsock; i++) {
		out->sock[i][0] = pol->sock[i][0];
		out->sock[i][1] = pol->sock[i][1];
	}
	out->nsock = pol ? (uint32_t)pol->nsock : 0;
	for (int i = 0; pol && i < pol->nnet; i++) {
		const struct policy_net *n = &pol->net[i];
		struct cp_net *c = &out->net[i];

		c->family = n->r.family;
		c->prefix = n->r.prefix;
		memcpy(c->addr, n->r.addr, sizeof c->addr);
		c->port_lo = n->r.port_lo;
		c->port_hi = n->r.port_hi;
		c->ops = n->r.ops;
		if (n->r.path) {
			c->path_len = (uint32_t)strlen(n->path);
			memcpy(c->path, n->path, c->path_len);
		}
		rc = add_origin(out, &used, n->origin, &c->origin);
		if (rc)
			return rc;
	}
	out->nnet = pol ? (uint32_t)pol->nnet : 0;
	{
		const struct policy_unveil *pending;
		int npending = unveil_pending(&pending);
		int n = pol ? pol->nunveil : 0;

		for (int i = 0; i < n + npending; i++) {
			const struct policy_unveil *u = i < n ? &pol->unveil[i] : &pending[i - n];
			char *real = realpath(u->path, NULL);
			struct cp_root *r;

			if (!real)
				return -errno;
			if (out->nroots >= CP_MAX_ROOTS) {
				free(real);
				return -E2BIG;
			}
			r = &out->roots[out->nroots++];
			r->perms = u->perms;
			r->len = (uint32_t)strlen(real);
			rc = add_origin(out, &used, real, &r->off);
			free(real);
			if (rc)
				return rc;
		}
	}
	return 0;
}
