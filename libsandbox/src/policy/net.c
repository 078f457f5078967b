/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/net.c: the builder's network rules (sockets and addresses). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "policy.h"

int sb_policy_allow_socket(struct sb_policy *p, int domain, int type)
{
	if (!p || domain < 0 || domain >= AF_MAX || type < -1 || type > 0xf)
		return -EINVAL;
	for (int i = 0; i < p->nsock; i++)
		if (p->sock[i][0] == domain && p->sock[i][1] == type)
			return 0;
	if (p->nsock >= POLICY_MAX_SOCK)
		return -E2BIG;
	p->sock[p->nsock][0] = domain;
	p->sock[p->nsock][1] = type;
	p->nsock++;
	return 0;
}

int sb_policy_allow_net(struct sb_policy *p, const struct sb_net_rule *r)
{
	struct policy_net *n;

	if (!p || !r || !r->ops || (r->ops & ~(SB_NET_CONNECT | SB_NET_BIND)))
		return -EINVAL;
	switch (r->family) {
	case AF_INET:
		if (r->prefix > 32 || r->port_lo > r->port_hi)
			return -EINVAL;
		break;
	case AF_INET6:
		if (r->prefix > 128 || r->port_lo > r->port_hi)
			return -EINVAL;
		break;
	case AF_UNIX:
		/* exact names only: a directory prefix would be a match on an
		 * unresolved path, which symlinks defeat */
		if (r->path && (!*r->path || strlen(r->path) > POLICY_UNIX_PATH - 1 ||
				(r->path[0] != '@' && r->path[strlen(r->path) - 1] == '/')))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (p->nnet >= POLICY_MAX_NET)
		return -E2BIG;
	n = &p->net[p->nnet];
	memset(n, 0, sizeof *n);
	n->r = *r;
	n->r.path = NULL;
	n->r.origin = NULL;
	if (r->family == AF_UNIX && r->path) {
		strcpy(n->path, r->path);
		n->r.path = n->path;
	}
	if (r->origin && !(n->origin = strdup(r->origin)))
		return -ENOMEM;
	p->nnet++;
	return 0;
}
