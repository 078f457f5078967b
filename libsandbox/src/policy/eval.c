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

int policy_plain_allow(const struct cp_policy *p, long nr)
{
	if (nr < 0 || nr >= SB_NR_SYSCALLS)
		return 0;
	return p->base[nr] == SB_ACT_ALLOW && p->count[nr] == 0;
}

int policy_socket_ok(const struct cp_policy *p, long domain, long type)
{
	uint32_t n = p->nsock > CP_MAX_SOCK ? CP_MAX_SOCK : p->nsock;

	if (!n)
		return 1;
	for (uint32_t i = 0; i < n; i++)
		if (p->sock[i][0] == domain && (p->sock[i][1] == -1 || p->sock[i][1] == (type & 0xf)))
			return 1;
	return 0;
}

static int prefix_match(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	uint32_t i;

	for (i = 0; i + 8 <= bits; i += 8)
		if (a[i / 8] != b[i / 8])
			return 0;
	if (i < bits) {
		uint8_t mask = (uint8_t)(0xff << (8 - (bits - i)));

		if ((a[i / 8] & mask) != (b[i / 8] & mask))
			return 0;
	}
	return 1;
}

int policy_addr_ok(const struct cp_policy *p, const uint8_t *sa, uint64_t len, unsigned op, uint32_t *origin)
{
	uint32_t n = p->nnet > CP_MAX_NET ? CP_MAX_NET : p->nnet;
	uint16_t family, port = 0;
	const uint8_t *addr = 0;
	char name[CP_UNIX_PATH];
	uint32_t name_len = 0;

	*origin = POLICY_NO_ORIGIN;
	if (!n)
		return 1;
	/* defends against short or malformed addresses: too short to read the
	 * family or the fields the rules compare means refused */
	if (len < 2)
		return 0;
	family = (uint16_t)(sa[0] | sa[1] << 8);
	if (family == 2 /* AF_INET */) {
		if (len < 16)
			return 0;
		port = (uint16_t)(sa[2] << 8 | sa[3]);
		addr = sa + 4;
	} else if (family == 10 /* AF_INET6 */) {
		if (len < 24)
			return 0;
		port = (uint16_t)(sa[2] << 8 | sa[3]);
		addr = sa + 8;
	} else if (family == 1 /* AF_UNIX */) {
		uint64_t l = len - 2;

		if (l == 0 || l > CP_UNIX_PATH - 2)
			return 0; /* unnamed (autobind) or oversized */
		if (sa[2] == 0) { /* abstract: "@" + the bytes after the NUL */
			name[0] = '@';
			for (uint64_t i = 1; i < l; i++)
				name[i] = (char)sa[2 + i];
			name_len = (uint32_t)l;
		} else {
			for (uint64_t i = 0; i < l && sa[2 + i]; i++)
				name[name_len++] = (char)sa[2 + i];
		}
	} else {
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct cp_net *r = &p->net[i];

		if (r->family != family || !(r->ops & op))
			continue;
		if (family == 1) {
			uint32_t k;

			if (r->path_len) {
				if (r->path_len != name_len)
					continue;
				for (k = 0; k < name_len && r->path[k] == name[k]; k++)
					;
				if (k != name_len)
					continue;
			}
		} else {
			uint32_t max = family == 2 ? 32 : 128;

			if (r->prefix > max || !prefix_match(addr, r->addr, r->prefix))
				continue;
			if (port < r->port_lo || port > r->port_hi)
				continue;
		}
		*origin = r->origin;
		return 1;
	}
	return 0;
}

int policy_path_visible(const struct cp_policy *p, const char *path, uint32_t len, uint32_t perms)
{
	uint32_t n = p->nroots > CP_MAX_ROOTS ? CP_MAX_ROOTS : p->nroots;

	if (!n)
		return 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct cp_root *r = &p->roots[i];
		const char *root = p->origins + r->off;
		uint32_t k;

		if ((r->perms & perms) != perms || r->len > len || r->off >= POLICY_ORIGINS_SIZE)
			continue;
		for (k = 0; k < r->len && root[k] == path[k]; k++)
			;
		if (k != r->len)
			continue;
		/* the root itself, or below it at a component boundary */
		if (len == r->len || root[r->len - 1] == '/' || path[r->len] == '/')
			return 1;
	}
	return 0;
}
