/* SPDX-License-Identifier: MIT */
/* tests/unit/test_policy_eval.c: builder -> compiled table -> decision, table-driven. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <cmocka.h>
#include <sandbox.h>
#include "compiled.h"
#include "policy.h"

static struct cp_policy *compile(const struct sb_policy *p)
{
	struct cp_policy *c = calloc(1, sizeof *c);

	assert_non_null(c);
	assert_int_equal(policy_compile(p, c), 0);
	return c;
}

static uint32_t decide(const struct cp_policy *c, long nr, uint64_t a0, uint64_t a1, uint64_t a2, const char **why)
{
	uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
	uint32_t origin;
	uint32_t act = policy_decide(c, nr, a, &origin);

	*why = origin == POLICY_NO_ORIGIN ? NULL : c->origins + origin;
	return act;
}

static void test_rules(void **state)
{
	struct sb_policy *p = NULL;
	struct sb_rule r;
	struct cp_policy *c;
	const char *why;
	static const struct {
		long nr;
		uint64_t a0, a1, a2;
		uint32_t act;
		const char *why;
	} cases[] = {
		/* first matching rule decides */
		{ SYS_socket, AF_UNIX, SOCK_STREAM, 0, SB_ACT_ALLOW, "unix" },
		{ SYS_socket, AF_INET, SOCK_STREAM, 0, SB_ACT_LOG, "inet stream" },
		{ SYS_socket, AF_INET, SOCK_DGRAM, 0, SB_ACT_ERRNO(EACCES), "per-call" },
		/* masked equality: mmap with PROT_EXEC */
		{ SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, SB_ACT_KILL, "no exec" },
		{ SYS_mmap, 0, 4096, PROT_READ, SB_ACT_ALLOW, NULL },
		/* unsigned comparisons on whole 64-bit values */
		{ SYS_read, 3, 0, 4096, SB_ACT_ALLOW, "small reads" },
		{ SYS_read, 3, 0, 4097, SB_ACT_ERRNO(EFBIG), "big reads" },
		{ SYS_read, 3, 0, ~0ull, SB_ACT_ERRNO(EFBIG), "big reads" },
		/* no rule, no per-call action: the default */
		{ SYS_getpid, 0, 0, 0, SB_ACT_ALLOW, NULL },
	};

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add(p, SYS_socket, SB_ACT_ERRNO(EACCES)), 0);
	p->action_origin[SYS_socket] = strdup("per-call");
	memset(&r, 0, sizeof r);
	r.nr = SYS_socket;
	r.action = SB_ACT_ALLOW;
	r.ncmp = 1;
	r.cmp[0] = (struct sb_arg_cmp){ 0, SB_CMP_EQ, AF_UNIX, 0 };
	r.origin = "unix";
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	r.action = SB_ACT_LOG;
	r.ncmp = 2;
	r.cmp[0] = (struct sb_arg_cmp){ 0, SB_CMP_EQ, AF_INET, 0 };
	r.cmp[1] = (struct sb_arg_cmp){ 1, SB_CMP_EQ, SOCK_STREAM, 0 };
	r.origin = "inet stream";
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	r.nr = SYS_mmap;
	r.action = SB_ACT_KILL;
	r.ncmp = 1;
	r.cmp[0] = (struct sb_arg_cmp){ 2, SB_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC };
	r.origin = "no exec";
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	r.nr = SYS_read;
	r.action = SB_ACT_ALLOW;
	r.cmp[0] = (struct sb_arg_cmp){ 2, SB_CMP_LE, 4096, 0 };
	r.origin = "small reads";
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	r.action = SB_ACT_ERRNO(EFBIG);
	r.cmp[0] = (struct sb_arg_cmp){ 2, SB_CMP_GT, 4096, 0 };
	r.origin = "big reads";
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	/* invalid rules change nothing */
	r.cmp[0].arg = 6;
	assert_int_equal(sb_policy_add_rule(p, &r), -EINVAL);
	r.cmp[0].arg = 0;
	r.cmp[0].op = 8;
	assert_int_equal(sb_policy_add_rule(p, &r), -EINVAL);
	r.cmp[0].op = SB_CMP_EQ;
	r.ncmp = 7;
	assert_int_equal(sb_policy_add_rule(p, &r), -EINVAL);
	assert_int_equal(p->nrules, 5);

	c = compile(p);
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t act = decide(c, cases[i].nr, cases[i].a0, cases[i].a1, cases[i].a2, &why);

		if (act != cases[i].act)
			fail_msg("case %u: action %#x, want %#x", i, act, cases[i].act);
		if ((why == NULL) != (cases[i].why == NULL) || (why && strcmp(why, cases[i].why)))
			fail_msg("case %u: origin %s, want %s", i, why ? why : "(none)", cases[i].why ? cases[i].why : "(none)");
	}
	/* numbers outside the table take the default */
	assert_int_equal(decide(c, -1, 0, 0, 0, &why), SB_ACT_ALLOW);
	assert_int_equal(decide(c, 100000, 0, 0, 0, &why), SB_ACT_ALLOW);
	/* may-allow knows conditional allows */
	assert_true(policy_may_allow(c, SYS_socket));
	assert_true(policy_may_allow(c, SYS_getpid));
	free(c);
	sb_policy_free(p);

	/* NULL policy: allow everything */
	c = calloc(1, sizeof *c);
	assert_non_null(c);
	assert_int_equal(policy_compile(NULL, c), 0);
	assert_int_equal(decide(c, SYS_openat, 0, 0, 0, &why), SB_ACT_ALLOW);
	free(c);
}

static socklen_t in4(uint8_t *buf, const char *ip, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	memcpy(buf, &s, sizeof s);
	return sizeof s;
}

static socklen_t in6(uint8_t *buf, const char *ip, uint16_t port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	memcpy(buf, &s, sizeof s);
	return sizeof s;
}

static socklen_t un(uint8_t *buf, const char *path, int abstract)
{
	struct sockaddr_un s = { .sun_family = AF_UNIX };
	size_t n = strlen(path);

	memcpy(s.sun_path + (abstract ? 1 : 0), path, n);
	memcpy(buf, &s, sizeof s);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1); /* abstract: the leading NUL; paths: the final NUL */
}

static void test_net(void **state)
{
	struct sb_policy *p = NULL;
	struct sb_net_rule r;
	struct cp_policy *c;
	uint8_t sa[128];
	uint32_t origin;
	socklen_t n;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	c = compile(p);
	/* no rules: everything allowed */
	assert_true(policy_socket_ok(c, AF_PACKET, SOCK_RAW));
	n = in4(sa, "192.0.2.1", 80);
	assert_true(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));
	free(c);

	assert_int_equal(sb_policy_allow_socket(p, AF_INET, SOCK_STREAM), 0);
	assert_int_equal(sb_policy_allow_socket(p, AF_UNIX, -1), 0);
	assert_int_equal(sb_policy_allow_socket(p, -1, 0), -EINVAL);
	assert_int_equal(sb_policy_allow_socket(p, AF_INET, 16), -EINVAL);
	memset(&r, 0, sizeof r);
	r.family = AF_INET;
	inet_pton(AF_INET, "10.1.0.0", r.addr);
	r.prefix = 16;
	r.port_lo = 8000;
	r.port_hi = 8099;
	r.ops = SB_NET_CONNECT;
	r.origin = "10.1/16 web";
	assert_int_equal(sb_policy_allow_net(p, &r), 0);
	memset(&r, 0, sizeof r);
	r.family = AF_INET6;
	inet_pton(AF_INET6, "::1", r.addr);
	r.prefix = 128;
	r.port_hi = 65535;
	r.ops = SB_NET_CONNECT | SB_NET_BIND;
	assert_int_equal(sb_policy_allow_net(p, &r), 0);
	memset(&r, 0, sizeof r);
	r.family = AF_UNIX;
	r.path = "@ringfence";
	r.ops = SB_NET_BIND;
	assert_int_equal(sb_policy_allow_net(p, &r), 0);
	r.path = "/run/app.sock";
	r.ops = SB_NET_CONNECT;
	assert_int_equal(sb_policy_allow_net(p, &r), 0);
	r.path = "/run/"; /* a directory prefix: refused, it would match unresolved paths */
	assert_int_equal(sb_policy_allow_net(p, &r), -EINVAL);
	r.family = AF_INET;
	r.prefix = 33;
	assert_int_equal(sb_policy_allow_net(p, &r), -EINVAL);
	r.prefix = 8;
	r.ops = 0;
	assert_int_equal(sb_policy_allow_net(p, &r), -EINVAL);
	r.family = AF_PACKET;
	r.ops = SB_NET_CONNECT;
	assert_int_equal(sb_policy_allow_net(p, &r), -EINVAL);

	c = compile(p);
	assert_true(policy_socket_ok(c, AF_INET, SOCK_STREAM));
	assert_true(policy_socket_ok(c, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC));
	assert_false(policy_socket_ok(c, AF_INET, SOCK_DGRAM));
	assert_true(policy_socket_ok(c, AF_UNIX, SOCK_DGRAM));
	assert_false(policy_socket_ok(c, AF_NETLINK, SOCK_RAW));

	n = in4(sa, "10.1.2.3", 8080);
	assert_true(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));
	assert_string_equal(c->origins + origin, "10.1/16 web");
	assert_false(policy_addr_ok(c, sa, n, SB_NET_BIND, &origin));       /* connect only */
	n = in4(sa, "10.2.2.3", 8080);
	assert_false(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));    /* outside the prefix */
	n = in4(sa, "10.1.2.3", 8100);
	assert_false(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));    /* outside the ports */
	n = in4(sa, "10.1.2.3", 8000);
	assert_false(policy_addr_ok(c, sa, 8, SB_NET_CONNECT, &origin));    /* truncated */
	n = in6(sa, "::1", 443);
	assert_true(policy_addr_ok(c, sa, n, SB_NET_BIND, &origin));
	n = in6(sa, "::2", 443);
	assert_false(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));
	n = un(sa, "ringfence", 1);
	assert_true(policy_addr_ok(c, sa, n, SB_NET_BIND, &origin));
	assert_false(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));
	n = un(sa, "ringfencex", 1);
	assert_false(policy_addr_ok(c, sa, n, SB_NET_BIND, &origin));
	n = un(sa, "/run/app.sock", 0);
	assert_true(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));
	n = un(sa, "/run/app.sock2", 0);
	assert_false(policy_addr_ok(c, sa, n, SB_NET_CONNECT, &origin));
	sa[0] = AF_PACKET;
	sa[1] = 0;
	assert_false(policy_addr_ok(c, sa, 20, SB_NET_CONNECT, &origin));  /* other families */
	assert_false(policy_addr_ok(c, sa, 1, SB_NET_CONNECT, &origin));   /* no family */
	free(c);
	sb_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_net),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
