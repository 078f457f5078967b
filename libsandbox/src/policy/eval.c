/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/eval.c: the policy decision, a pure function (freestanding: monitor exit path). */
#include "compiled.h"

static int cmp_holds(const struct cp_cmp *c, const uint64_t a[6])
{
	uint64_t v = a[c->arg];

	switch (c->op) {
	case SB_CMP_NE:
		return v != c->a;
	case SB_CMP_LT:
		return v < c->a;
	case SB_CMP_LE:
		return v <= c->a;
	case SB_CMP_EQ:
		return v == c->a;
	case SB_CMP_GE:
		return v >= c->a;
	case SB_CMP_GT:
		return v > c->a;
	case SB_CMP_MASKED_EQ:
		return (v & c->a) == c->b;
	default:
		return 0; /* an unknown operator never matches (compile refuses them) */
	}
}

uint32_t policy_decide(const struct cp_policy *p, long nr, const uint64_t a[6], uint32_t *origin)
{
	uint32_t first, count;

	if (nr < 0 || nr >= SB_NR_SYSCALLS) {
		*origin = POLICY_NO_ORIGIN;
		return p->default_action;
	}
	first = p->first[nr];
	count = p->count[nr];
	/* defends against a corrupted count: never read past the table */
	if (first > POLICY_MAX_RULES || count > POLICY_MAX_RULES - first)
		count = 0;
	for (uint32_t i = 0; i < count; i++) {
		const struct cp_rule *r = &p->rules[first + i];
		uint32_t k, n = r->ncmp > SB_RULE_MAX_CMP ? SB_RULE_MAX_CMP : r->ncmp;

		for (k = 0; k < n && cmp_holds(&r->cmp[k], a); k++)
			;
		if (k == n) {
			*origin = r->origin;
			return r->action;
		}
	}
	*origin = p->base_origin[nr];
	return p->base[nr];
}

int policy_may_allow(const struct cp_policy *p, long nr)
{
	if (nr < 0 || nr >= SB_NR_SYSCALLS)
		return 0;
	if (p->base[nr] == SB_ACT_ALLOW || p->base[nr] == SB_ACT_LOG)
		return 1;
	for (uint32_t i = 0; i < p->count[nr]; i++) {
		uint32_t act = p->rules[p->first[nr] + i].action;

		if (act == SB_ACT_ALLOW || act == SB_ACT_LOG)
			return 1;
	}
	return 0;
}
