/* SPDX-License-Identifier: MIT */
/* tests/unit/test_policy_parse.c: the text policy file front end, sb_policy_load().
 *
 * Table-driven: valid snippets and the per-call actions, rules and origins
 * they must give; malformed snippets and the exact message they must give.
 * Every failing load is also checked to leave the policy as it was. Files are
 * written into a directory made for the run (removed at the end).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include <sandbox.h>
#include "../../libsandbox/src/policy/policy.h"
#include "../../libsandbox/src/policy/compiled.h"
#include "../../libsandbox/src/policy/parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char dir[PATH_MAX];

/* ------------------------------------------------------------ helpers */

static void path_of(char *out, size_t size, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

static void put_n(const char *name, const char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	path_of(path, sizeof path, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put(const char *name, const char *text)
{
	put_n(name, text, strlen(text));
}

static void mkdir_in(const char *name)
{
	char path[PATH_MAX];

	path_of(path, sizeof path, name);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
}

/* pattern with $F (the file's path) and $D (the run's directory) replaced */
static void subst(char *out, size_t size, const char *pat, const char *file)
{
	size_t o = 0;

	for (const char *p = pat; *p; p++) {
		const char *r = NULL;

		if (p[0] == '$' && p[1] == 'F')
			r = file;
		else if (p[0] == '$' && p[1] == 'D')
			r = dir;
		if (r) {
			size_t n = strlen(r);

			assert_true(o + n < size);
			memcpy(out + o, r, n);
			o += n;
			p++;
		} else {
			assert_true(o + 1 < size);
			out[o++] = *p;
		}
	}
	out[o] = 0;
}

static int load(struct sb_policy *p, const char *name)
{
	char path[PATH_MAX];

	path_of(path, sizeof path, name);
	return sb_policy_load(p, path);
}

static void expect_error(const char *name, const char *pattern)
{
	char path[PATH_MAX], want[1024];

	path_of(path, sizeof path, name);
	subst(want, sizeof want, pattern, path);
	if (strcmp(sb_last_error(), want) != 0)
		fail_msg("message\n  got:  \"%s\"\n  want: \"%s\"", sb_last_error(), want);
}

/* origin "$D/NAME:LINE" (line 0: no origin) */
static void expect_origin(const char *got, const char *name, unsigned int line)
{
	char want[PATH_MAX + 32];

	if (!line) {
		if (got)
			fail_msg("origin \"%s\", want none", got);
		return;
	}
	snprintf(want, sizeof want, "%s/%s:%u", dir, name, line);
	if (!got || strcmp(got, want) != 0)
		fail_msg("origin \"%s\", want \"%s\"", got ? got : "(null)", want);
}

/* a deep copy, to check that a failed load changed nothing */
static struct sb_policy *snapshot(const struct sb_policy *p)
{
	struct sb_policy *s = malloc(sizeof *s);

	assert_non_null(s);
	memcpy(s, p, sizeof *s);
	for (int i = 0; i < SB_NR_SYSCALLS; i++)
		if (p->action_origin[i])
			assert_non_null(s->action_origin[i] = strdup(p->action_origin[i]));
	s->rules = calloc(p->nrules + 1, sizeof *s->rules);
	assert_non_null(s->rules);
	s->cap = p->nrules + 1;
	for (size_t i = 0; i < p->nrules; i++) {
		s->rules[i] = p->rules[i];
		if (p->rules[i].origin)
			assert_non_null(s->rules[i].origin = strdup(p->rules[i].origin));
	}
	return s;
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_policy(const struct sb_policy *a, const struct sb_policy *b)
{
	assert_int_equal(a->default_action, b->default_action);
	assert_int_equal(a->log_fd, b->log_fd);
	assert_int_equal(a->max_tasks, b->max_tasks);
	for (int i = 0; i < SB_NR_SYSCALLS; i++) {
		assert_int_equal(a->action[i], b->action[i]);
		same_str(a->action_origin[i], b->action_origin[i]);
	}
	assert_int_equal(a->nrules, b->nrules);
	for (size_t i = 0; i < a->nrules; i++) {
		assert_int_equal(a->rules[i].nr, b->rules[i].nr);
		assert_int_equal(a->rules[i].action, b->rules[i].action);
		assert_int_equal(a->rules[i].ncmp, b->rules[i].ncmp);
		assert_memory_equal(a->rules[i].cmp, b->rules[i].cmp, sizeof a->rules[i].cmp);
		same_str(a->rules[i].origin, b->rules[i].origin);
	}
}

/* a policy with something in it already: API calls and an earlier load */
static struct sb_policy *busy_policy(void)
{
	struct sb_policy *p = NULL;
	struct sb_rule r = { .nr = SYS_ioctl, .action = SB_ACT_ALLOW, .ncmp = 1,
			     .cmp = { { 1, SB_CMP_EQ, 0x5401, 0 } }, .origin = "api" };

	assert_int_equal(sb_policy_new(SB_ACT_ERRNO(ENOSYS), &p), 0);
	assert_int_equal(sb_policy_add(p, SYS_getpid, SB_ACT_ALLOW), 0);
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	put("busy.rf", "allow read write\nerrno EPERM openat if arg2 & O_ACCMODE == O_WRONLY\n");
	assert_int_equal(load(p, "busy.rf"), 0);
	return p;
}

/* ------------------------------------------------------------ valid snippets */

struct call_want {
	const char *name;
	uint32_t action;
	unsigned int line; /* origin "t.rf:LINE" */
};

struct rule_want {
	const char *name;
	uint32_t action;
	unsigned int line;
	unsigned int ncmp;
	struct sb_arg_cmp cmp[SB_RULE_MAX_CMP];
};

struct valid_case {
	const char *text;
	uint32_t dflt;                /* the default afterwards (the policy starts KILL) */
	struct call_want calls[6];    /* every call not listed keeps dflt, no origin */
	struct rule_want rules[4];    /* exactly these rules, in this order */
};

#define CMP(i, o, x) { (i), SB_CMP_##o, (x), 0 }
#define MCMP(i, m, v) { (i), SB_CMP_MASKED_EQ, (m), (v) }

static const struct valid_case valid[] = {
	{ "", SB_ACT_KILL, { { 0 } }, { { 0 } } },
	{ "# only a comment\n\n   \t\n#\n", SB_ACT_KILL, { { 0 } }, { { 0 } } },
	{ "allow read write close exit_group\n", SB_ACT_KILL,
	  { { "read", SB_ACT_ALLOW, 1 }, { "write", SB_ACT_ALLOW, 1 }, { "close", SB_ACT_ALLOW, 1 },
	    { "exit_group", SB_ACT_ALLOW, 1 } }, { { 0 } } },
	{ "errno EACCES openat\nkill socket\n\nlog execve\ntrap ptrace\nallow getpid", SB_ACT_KILL,
	  { { "openat", SB_ACT_ERRNO(EACCES), 1 }, { "socket", SB_ACT_KILL, 2 }, { "execve", SB_ACT_LOG, 4 },
	    { "ptrace", SB_ACT_TRAP, 5 }, { "getpid", SB_ACT_ALLOW, 6 } }, { { 0 } } },
	/* errno by number: decimal, hex, octal; the biggest */
	{ "errno 13 openat\nerrno 0xd open\nerrno 015 creat\nerrno 4095 mkdir\nerrno 1 rmdir\nerrno ENOTSUP link\n",
	  SB_ACT_KILL,
	  { { "openat", SB_ACT_ERRNO(13), 1 }, { "open", SB_ACT_ERRNO(13), 2 }, { "creat", SB_ACT_ERRNO(13), 3 },
	    { "mkdir", SB_ACT_ERRNO(4095), 4 }, { "rmdir", SB_ACT_ERRNO(1), 5 },
	    { "link", SB_ACT_ERRNO(EOPNOTSUPP), 6 } }, { { 0 } } },
	/* the later line wins, its origin too */
	{ "allow read\nkill read\n", SB_ACT_KILL, { { "read", SB_ACT_KILL, 2 } }, { { 0 } } },
	/* a call named twice on one line: once */
	{ "allow read read\n", SB_ACT_KILL, { { "read", SB_ACT_ALLOW, 1 } }, { { 0 } } },
	{ "allow mmap if arg2 & 0x4 == 0\n", SB_ACT_KILL, { { 0 } },
	  { { "mmap", SB_ACT_ALLOW, 1, 1, { MCMP(2, 4, 0) } } } },
	{ "allow socket if arg0 == 1, arg1 <= 5\n", SB_ACT_KILL, { { 0 } },
	  { { "socket", SB_ACT_ALLOW, 1, 2, { CMP(0, EQ, 1), CMP(1, LE, 5) } } } },
	{ "# ioctl: only TCGETS\nerrno EPERM ioctl if arg1 != 0x5401\n", SB_ACT_KILL, { { 0 } },
	  { { "ioctl", SB_ACT_ERRNO(EPERM), 2, 1, { CMP(1, NE, 0x5401) } } } },
	/* every operator, every argument, six comparisons */
	{ "allow read if arg0 == 1, arg1 != 2, arg2 < 3, arg3 <= 4, arg4 > 5, arg5 >= 6\n", SB_ACT_KILL, { { 0 } },
	  { { "read", SB_ACT_ALLOW, 1, 6,
	      { CMP(0, EQ, 1), CMP(1, NE, 2), CMP(2, LT, 3), CMP(3, LE, 4), CMP(4, GT, 5), CMP(5, GE, 6) } } } },
	/* no spaces around operators and commas */
	{ "allow read if arg0==1,arg1<=5,arg2&3==2,arg3>=0x10\n", SB_ACT_KILL, { { 0 } },
	  { { "read", SB_ACT_ALLOW, 1, 4, { CMP(0, EQ, 1), CMP(1, LE, 5), MCMP(2, 3, 2), CMP(3, GE, 16) } } } },
	/* constants and '|' */
	{ "allow openat if arg2 & O_ACCMODE == O_RDONLY\n"
	  "allow mmap if arg2 & PROT_WRITE|PROT_EXEC == 0\n"
	  "errno EACCES openat if arg2 & O_CREAT | O_TRUNC == O_CREAT\n"
	  "allow socket if arg0 == AF_UNIX, arg1 == SOCK_STREAM | SOCK_CLOEXEC\n",
	  SB_ACT_KILL, { { 0 } },
	  { { "openat", SB_ACT_ALLOW, 1, 1, { MCMP(2, 3, 0) } },
	    { "mmap", SB_ACT_ALLOW, 2, 1, { MCMP(2, 6, 0) } },
	    { "openat", SB_ACT_ERRNO(EACCES), 3, 1, { MCMP(2, 01100, 0100) } },
	    { "socket", SB_ACT_ALLOW, 4, 2, { CMP(0, EQ, 1), CMP(1, EQ, 02000001) } } } },
	/* numbers at the edges */
	{ "allow read if arg0 == 0xffffffffffffffff, arg1 == 18446744073709551615, arg2 == 01777777777777777777777,"
	  " arg3 == 0, arg4 == 00, arg5 == 0X1F\n", SB_ACT_KILL, { { 0 } },
	  { { "read", SB_ACT_ALLOW, 1, 6,
	      { CMP(0, EQ, UINT64_MAX), CMP(1, EQ, UINT64_MAX), CMP(2, EQ, UINT64_MAX), CMP(3, EQ, 0),
		CMP(4, EQ, 0), CMP(5, EQ, 31) } } } },
	/* CRLF, tabs, comments after statements, no final newline */
	{ "allow\tread # why\r\n\tkill  write\t\r\n#x\r\nerrno EPERM close#glued", SB_ACT_KILL,
	  { { "read", SB_ACT_ALLOW, 1 }, { "write", SB_ACT_KILL, 2 }, { "close", SB_ACT_ERRNO(EPERM), 4 } },
	  { { 0 } } },
	/* one rule per call of a conditional line, in order; rules keep file order */
	{ "allow read write if arg0 == 0\nallow write if arg0 == 2\nkill write\n", SB_ACT_KILL,
	  { { "write", SB_ACT_KILL, 3 } },
	  { { "read", SB_ACT_ALLOW, 1, 1, { CMP(0, EQ, 0) } }, { "write", SB_ACT_ALLOW, 1, 1, { CMP(0, EQ, 0) } },
	    { "write", SB_ACT_ALLOW, 2, 1, { CMP(0, EQ, 2) } } } },
	/* the default: calls no line names follow it */
	{ "default errno EPERM\nallow read\n", SB_ACT_ERRNO(EPERM), { { "read", SB_ACT_ALLOW, 2 } }, { { 0 } } },
	{ "allow read\ndefault allow # after a call line: read keeps its line's action\nkill write", SB_ACT_ALLOW,
	  { { "read", SB_ACT_ALLOW, 1 }, { "write", SB_ACT_KILL, 3 } }, { { 0 } } },
	{ "default trap", SB_ACT_TRAP, { { 0 } }, { { 0 } } },
	{ "default log\n", SB_ACT_LOG, { { 0 } }, { { 0 } } },
	{ "default errno 38\n", SB_ACT_ERRNO(ENOSYS), { { 0 } }, { { 0 } } },
	{ "default kill\n", SB_ACT_KILL, { { 0 } }, { { 0 } } },
	/* keyword-like names are call names in call position */
	{ "kill kill\nlog syslog\n", SB_ACT_KILL, { { "kill", SB_ACT_KILL, 1 }, { "syslog", SB_ACT_LOG, 2 } },
	  { { 0 } } },
};

static void check_valid(const struct valid_case *c, unsigned int idx)
{
	struct sb_policy *p = NULL;
	char path[PATH_MAX];
	size_t nrules = 0;
	int rc;

	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	put("t.rf", c->text);
	path_of(path, sizeof path, "t.rf");
	rc = sb_policy_load(p, path);
	if (rc != 0)
		fail_msg("valid case %u: rc %d: %s", idx, rc, sb_last_error());
	assert_int_equal(p->default_action, c->dflt);
	for (long nr = 0; nr < SB_NR_SYSCALLS; nr++) {
		uint32_t want = c->dflt;
		unsigned int line = 0;

		for (size_t i = 0; i < ARRAY_SIZE(c->calls) && c->calls[i].name; i++)
			if (sb_syscall_nr(c->calls[i].name) == nr) {
				want = c->calls[i].action;
				line = c->calls[i].line;
			}
		if (p->action[nr] != want)
			fail_msg("valid case %u: call %ld: action %#x, want %#x", idx, nr, p->action[nr], want);
		expect_origin(p->action_origin[nr], "t.rf", line);
	}
	for (size_t i = 0; i < ARRAY_SIZE(c->rules) && c->rules[i].name; i++) {
		const struct rule_want *w = &c->rules[i];
		const struct policy_rule *r;

		if (i >= p->nrules)
			fail_msg("valid case %u: %zu rules, want more", idx, p->nrules);
		r = &p->rules[i];
		assert_int_equal(r->nr, sb_syscall_nr(w->name));
		assert_int_equal(r->action, w->action);
		assert_int_equal(r->ncmp, w->ncmp);
		for (unsigned int j = 0; j < w->ncmp; j++) {
			assert_int_equal(r->cmp[j].arg, w->cmp[j].arg);
			assert_int_equal(r->cmp[j].op, w->cmp[j].op);
			assert_int_equal(r->cmp[j].a, w->cmp[j].a);
			assert_int_equal(r->cmp[j].b, w->cmp[j].b);
		}
		expect_origin(r->origin, "t.rf", w->line);
		nrules++;
	}
	if (p->nrules != nrules)
		fail_msg("valid case %u: %zu rules, want %zu", idx, p->nrules, nrules);
	sb_policy_free(p);
}

static void test_valid(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(valid); i++)
		check_valid(&valid[i], i);
}

/* "arg2 & O_CREAT | O_TRUNC != 0": the mask is O_CREAT|O_TRUNC and '!=' is not a masked operator */
static void test_mask_needs_eq(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	put("t.rf", "allow openat if arg2 & O_CREAT | O_TRUNC == O_CREAT\n");
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].cmp[0].op, SB_CMP_MASKED_EQ);
	assert_int_equal(p->rules[0].cmp[0].a, O_CREAT | O_TRUNC);
	assert_int_equal(p->rules[0].cmp[0].b, O_CREAT);
	sb_policy_free(p);
}

/* ------------------------------------------------------------ malformed snippets */

struct bad_case {
	const char *text;
	int rc;
	const char *msg; /* $F: the file's path */
};

static const struct bad_case bad[] = {
	/* actions */
	{ "permit read\n", -EINVAL, "$F:1: unknown action (permit)" },
	{ "ALLOW read\n", -EINVAL, "$F:1: unknown action (ALLOW)" },
	{ "allow read\n== read\n", -EINVAL, "$F:2: unknown action (==)" },
	{ "allow read\n-1\n", -EINVAL, "$F:2: unknown action (-)" },
	{ "\"allow\" read\n", -EINVAL, "$F:1: unknown action (\")" },
	{ "includex.rf\n", -EINVAL, "$F:1: unknown action (includex)" },
	{ "include/x.rf\n", -EINVAL, "$F:1: unknown action (include/x.rf)" },
	{ "errno EFOO read\n", -EINVAL, "$F:1: unknown errno name (EFOO)" },
	{ "errno eperm read\n", -EINVAL, "$F:1: unknown errno name (eperm)" },
	{ "errno read\n", -EINVAL, "$F:1: unknown errno name (read)" },
	{ "errno 0 read\n", -EINVAL, "$F:1: errno out of range 1..4095 (0)" },
	{ "errno 4096 read\n", -EINVAL, "$F:1: errno out of range 1..4095 (4096)" },
	{ "errno 0x1000 read\n", -EINVAL, "$F:1: errno out of range 1..4095 (0x1000)" },
	{ "errno 99999999999999999999999 read\n", -EINVAL,
	  "$F:1: errno out of range 1..4095 (99999999999999999999999)" },
	{ "errno 0x read\n", -EINVAL, "$F:1: bad number (0x)" },
	{ "errno 1x read\n", -EINVAL, "$F:1: bad number (1x)" },
	{ "errno 09 read\n", -EINVAL, "$F:1: bad number (09)" },
	{ "errno\n", -EINVAL, "$F:1: missing errno name or number after 'errno'" },
	{ "errno , read\n", -EINVAL, "$F:1: expected an errno name or number (,)" },
	/* calls */
	{ "allow foo\n", -EINVAL, "$F:1: unknown system call (foo)" },
	{ "allow read foo write\n", -EINVAL, "$F:1: unknown system call (foo)" },
	{ "allow read_\n", -EINVAL, "$F:1: unknown system call (read_)" },
	{ "allow READ\n", -EINVAL, "$F:1: unknown system call (READ)" },
	{ "allow arg0 == 1\n", -EINVAL, "$F:1: unknown system call (arg0)" },
	{ "allow xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", -EINVAL,
	  "$F:1: unknown system call (xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...)" },
	{ "allow\n", -EINVAL, "$F:1: missing system call name after 'allow'" },
	{ "errno EPERM # nothing\n", -EINVAL, "$F:1: missing system call name after 'errno EPERM'" },
	{ "errno\t 13\n", -EINVAL, "$F:1: missing system call name after 'errno\t 13'" },
	{ "allow ==\n", -EINVAL, "$F:1: expected a system call name (==)" },
	{ "allow 0\n", -EINVAL, "$F:1: expected a system call name (0)" },
	{ "allow read 12\n", -EINVAL, "$F:1: expected a system call name or 'if' (12)" },
	{ "allow read; allow write\n", -EINVAL, "$F:1: expected a system call name or 'if' (;)" },
	{ "allow read, write\n", -EINVAL, "$F:1: expected a system call name or 'if' (,)" },
	/* conditions */
	{ "allow read if\n", -EINVAL, "$F:1: missing comparison after 'if'" },
	{ "allow read if arg0 == 1,\n", -EINVAL, "$F:1: missing comparison after ','" },
	{ "allow read if arg0 == 1,, arg1 == 2\n", -EINVAL, "$F:1: expected an argument arg0..arg5 (,)" },
	{ "allow read if arg6 == 1\n", -EINVAL, "$F:1: argument index out of range 0..5 (arg6)" },
	{ "allow read if arg9 == 1\n", -EINVAL, "$F:1: argument index out of range 0..5 (arg9)" },
	{ "allow read if arg10 == 1\n", -EINVAL, "$F:1: argument index out of range 0..5 (arg10)" },
	{ "allow read if arg00 == 1\n", -EINVAL, "$F:1: argument index out of range 0..5 (arg00)" },
	{ "allow read if argx == 1\n", -EINVAL, "$F:1: expected an argument arg0..arg5 (argx)" },
	{ "allow read if arg == 1\n", -EINVAL, "$F:1: expected an argument arg0..arg5 (arg)" },
	{ "allow read if ARG0 == 1\n", -EINVAL, "$F:1: expected an argument arg0..arg5 (ARG0)" },
	{ "allow read if 1 == arg0\n", -EINVAL, "$F:1: expected an argument arg0..arg5 (1)" },
	{ "allow read if arg0\n", -EINVAL, "$F:1: missing comparison operator after 'arg0'" },
	{ "allow read if arg0 = 1\n", -EINVAL,
	  "$F:1: expected a comparison operator (== != < <= > >= &) (=)" },
	{ "allow read if arg0 => 1\n", -EINVAL,
	  "$F:1: expected a comparison operator (== != < <= > >= &) (=)" },
	{ "allow read if arg0 1\n", -EINVAL, "$F:1: expected a comparison operator (== != < <= > >= &) (1)" },
	{ "allow read if arg0 ==\n", -EINVAL, "$F:1: missing value after '=='" },
	{ "allow read if arg0 <= # comment\n", -EINVAL, "$F:1: missing value after '<='" },
	{ "allow read if arg0 == FOO\n", -EINVAL, "$F:1: unknown constant (FOO)" },
	{ "allow read if arg0 == o_rdonly\n", -EINVAL, "$F:1: unknown constant (o_rdonly)" },
	{ "allow read if arg0 == 1x\n", -EINVAL, "$F:1: bad number (1x)" },
	{ "allow read if arg0 == 08\n", -EINVAL, "$F:1: bad number (08)" },
	{ "allow read if arg0 == 0xg\n", -EINVAL, "$F:1: bad number (0xg)" },
	{ "allow read if arg0 == 1_000\n", -EINVAL, "$F:1: bad number (1_000)" },
	{ "allow read if arg0 == 18446744073709551616\n", -EINVAL,
	  "$F:1: number does not fit in 64 bits (18446744073709551616)" },
	{ "allow read if arg0 == 0x10000000000000000\n", -EINVAL,
	  "$F:1: number does not fit in 64 bits (0x10000000000000000)" },
	{ "allow read if arg0 == 02000000000000000000000\n", -EINVAL,
	  "$F:1: number does not fit in 64 bits (02000000000000000000000)" },
	{ "allow read if arg0 == 99999999999999999999999999999999\n", -EINVAL,
	  "$F:1: number does not fit in 64 bits (99999999999999999999999999999999)" },
	{ "allow read if arg0 == -1\n", -EINVAL, "$F:1: expected a number or constant after '==' (-)" },
	{ "allow read if arg0 == 1 arg1 == 2\n", -EINVAL, "$F:1: expected ',' or the end of the line (arg1)" },
	{ "kill read if arg0 >= 1 if\n", -EINVAL, "$F:1: expected ',' or the end of the line (if)" },
	{ "allow read if arg0 == 1 @\n", -EINVAL, "$F:1: expected ',' or the end of the line (@)" },
	{ "allow read if arg0 == 1\x01\n", -EINVAL, "$F:1: expected ',' or the end of the line (\\x01)" },
	{ "allow read if arg0 == 1 \xc3\xa9\n", -EINVAL, "$F:1: expected ',' or the end of the line (\\xc3)" },
	{ "allow read if arg0 == 1\\\n", -EINVAL, "$F:1: expected ',' or the end of the line (\\x5c)" },
	{ "allow read if arg0 == 1, arg0 == 2, arg0 == 3, arg0 == 4, arg0 == 5, arg0 == 6, arg0 == 7\n", -EINVAL,
	  "$F:1: too many comparisons (at most 6) (arg0)" },
	{ "allow read if arg0 & 4\n", -EINVAL, "$F:1: missing '==' after the mask" },
	{ "allow read if arg0 & 4 != 0\n", -EINVAL, "$F:1: expected '==' after the mask (!=)" },
	{ "allow read if arg0 & == 0\n", -EINVAL, "$F:1: expected a number or constant after '&' (==)" },
	{ "allow read if arg0 & 4 == 8\n", -EINVAL,
	  "$F:1: value has bits outside the mask: the comparison never holds (8)" },
	{ "allow read if arg0 & 4 == 8 | 4\n", -EINVAL,
	  "$F:1: value has bits outside the mask: the comparison never holds (8 | 4)" },
	{ "allow read if arg0 == 1 |\n", -EINVAL, "$F:1: missing value after '|'" },
	{ "allow read if arg0 == 1 | |\n", -EINVAL, "$F:1: expected a number or constant after '|' (|)" },
	{ "allow read if arg0 == 1 || 2\n", -EINVAL, "$F:1: expected a number or constant after '|' (|)" },
	{ "allow read if arg0 == 1 && arg1 == 2\n", -EINVAL, "$F:1: expected ',' or the end of the line (&)" },
	/* default */
	{ "default\n", -EINVAL, "$F:1: missing action after 'default'" },
	{ "default allow read\n", -EINVAL, "$F:1: trailing garbage (read)" },
	{ "default permit\n", -EINVAL, "$F:1: unknown action (permit)" },
	{ "default errno\n", -EINVAL, "$F:1: missing errno name or number after 'errno'" },
	{ "default kill\nallow read\ndefault allow\n", -EINVAL, "$F:3: default action set twice (first at $F:1)" },
	/* limit lines */
	{ "limit\n", -EINVAL, "$F:1: expected 'tasks' after 'limit' (the only limit there is)" },
	{ "limit procs 5\n", -EINVAL, "$F:1: expected 'tasks' after 'limit' (the only limit there is) (procs)" },
	{ "limit tasks\n", -EINVAL, "$F:1: expected a number of tasks after 'limit tasks'" },
	{ "limit tasks many\n", -EINVAL, "$F:1: expected a number of tasks after 'limit tasks' (many)" },
	{ "limit tasks 0\n", -EINVAL, "$F:1: number of tasks out of range 1..2000 (0)" },
	{ "limit tasks 2001\n", -EINVAL, "$F:1: number of tasks out of range 1..2000 (2001)" },
	{ "limit tasks 99999999999999999999999\n", -EINVAL,
	  "$F:1: number of tasks out of range 1..2000 (99999999999999999999999)" },
	{ "limit tasks 5 6\n", -EINVAL, "$F:1: trailing garbage (6)" },
	{ "limit tasks 5\nallow read\nlimit tasks 6\n", -EINVAL, "$F:3: task limit set twice (first at $F:1)" },
	/* include lines */
	{ "include\n", -EINVAL, "$F:1: missing file name after 'include'" },
	{ "include   # a comment\n", -EINVAL, "$F:1: missing file name after 'include'" },
	{ "include a.rf b.rf\n", -EINVAL, "$F:1: trailing garbage (b.rf)" },
	{ "include a\x01.rf\n", -EINVAL, "$F:1: control character in file name (a\\x01.rf)" },
	/* the error is on its line, after good lines */
	{ "allow read\n\n# three\nkill write\nallow nosuchcall\nallow close\n", -EINVAL,
	  "$F:5: unknown system call (nosuchcall)" },
};

static void test_malformed(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct sb_policy *p = busy_policy(), *s = snapshot(p);
		int rc;

		put("t.rf", bad[i].text);
		rc = load(p, "t.rf");
		if (rc != bad[i].rc)
			fail_msg("bad case %u (%s): rc %d, want %d (%s)", i, bad[i].text, rc, bad[i].rc,
				 sb_last_error());
		expect_error("t.rf", bad[i].msg);
		assert_same_policy(p, s);
		sb_policy_free(p);
		sb_policy_free(s);
	}
}

/* NUL bytes, long lines: files the table cannot hold */
static void test_bytes_and_lines(void **state)
{
	struct sb_policy *p = busy_policy(), *s = snapshot(p);
	char *buf = malloc(PARSE_MAX_LINE + 16);

	(void)state;
	assert_non_null(buf);
	put_n("t.rf", "allow read\nallow\0 write\n", 24);
	assert_int_equal(load(p, "t.rf"), -EINVAL);
	expect_error("t.rf", "$F:2: NUL byte in line");
	/* a NUL after a comment sign still counts */
	put_n("t.rf", "allow read # \0\n", 15);
	assert_int_equal(load(p, "t.rf"), -EINVAL);
	expect_error("t.rf", "$F:1: NUL byte in line");
	assert_same_policy(p, s);

	/* 4096 bytes before the newline: fine; 4097: not; last line without newline too */
	memset(buf, ' ', PARSE_MAX_LINE + 16);
	memcpy(buf, "kill read", 9);
	buf[PARSE_MAX_LINE] = '\n';
	put_n("t.rf", buf, PARSE_MAX_LINE + 1);
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->action[SYS_read], SB_ACT_KILL);
	put_n("t.rf", buf, PARSE_MAX_LINE);
	assert_int_equal(load(p, "t.rf"), 0);
	sb_policy_free(s);
	s = snapshot(p);
	buf[PARSE_MAX_LINE] = ' ';
	memcpy(buf, "#\n", 2);
	memcpy(buf + 2, "allow read", 10);
	buf[PARSE_MAX_LINE + 3] = '\n';
	put_n("t.rf", buf, PARSE_MAX_LINE + 4);
	assert_int_equal(load(p, "t.rf"), -EINVAL);
	expect_error("t.rf", "$F:2: line longer than 4096 bytes");
	put_n("t.rf", buf, PARSE_MAX_LINE + 3);
	assert_int_equal(load(p, "t.rf"), -EINVAL);
	expect_error("t.rf", "$F:2: line longer than 4096 bytes");
	assert_same_policy(p, s);
	free(buf);
	sb_policy_free(p);
	sb_policy_free(s);
}

/* ------------------------------------------------------------ names and constants */

static void test_errno_names(void **state)
{
	struct sb_policy *p = NULL;
	unsigned int known = 0;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	/* every name the C library knows */
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		char text[128];

		if (!name)
			continue;
		snprintf(text, sizeof text, "errno %s read\n", name);
		put("t.rf", text);
		if (load(p, "t.rf") != 0)
			fail_msg("errno %s: %s", name, sb_last_error());
		assert_int_equal(p->action[SYS_read], SB_ACT_ERRNO(e));
		known++;
	}
	assert_true(known >= 130);
	/* aliases */
	put("t.rf", "errno EWOULDBLOCK read\nerrno EDEADLOCK write\nerrno ENOTSUP close\n");
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->action[SYS_read], SB_ACT_ERRNO(EAGAIN));
	assert_int_equal(p->action[SYS_write], SB_ACT_ERRNO(EDEADLK));
	assert_int_equal(p->action[SYS_close], SB_ACT_ERRNO(EOPNOTSUPP));
	sb_policy_free(p);
}

static void test_constants(void **state)
{
	/* literal x86-64 values, so a table entry bound to the wrong macro shows */
	static const struct {
		const char *name;
		uint64_t value;
	} k[] = {
		{ "O_RDONLY", 0 }, { "O_WRONLY", 1 }, { "O_RDWR", 2 }, { "O_ACCMODE", 3 },
		{ "O_CREAT", 0100 }, { "O_EXCL", 0200 }, { "O_TRUNC", 01000 }, { "O_APPEND", 02000 },
		{ "O_NONBLOCK", 04000 }, { "O_DIRECTORY", 0200000 }, { "O_NOFOLLOW", 0400000 },
		{ "O_CLOEXEC", 02000000 },
		{ "PROT_NONE", 0 }, { "PROT_READ", 1 }, { "PROT_WRITE", 2 }, { "PROT_EXEC", 4 },
		{ "MAP_SHARED", 1 }, { "MAP_PRIVATE", 2 }, { "MAP_FIXED", 0x10 }, { "MAP_ANONYMOUS", 0x20 },
		{ "AF_UNIX", 1 }, { "AF_INET", 2 }, { "AF_INET6", 10 }, { "AF_NETLINK", 16 },
		{ "SOCK_STREAM", 1 }, { "SOCK_DGRAM", 2 }, { "SOCK_RAW", 3 }, { "SOCK_SEQPACKET", 5 },
		{ "SOCK_NONBLOCK", 04000 }, { "SOCK_CLOEXEC", 02000000 },
		{ "TCGETS", 0x5401 }, { "TIOCGWINSZ", 0x5413 }, { "FIONREAD", 0x541b }, { "FIONBIO", 0x5421 },
		{ "FIOCLEX", 0x5451 },
	};
	struct sb_policy *p = NULL;
	char text[4096];
	size_t o = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(k); i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "allow ioctl if arg1 == %s\n", k[i].name);
	o += (size_t)snprintf(text + o, sizeof text - o,
			      "allow openat if arg2 == O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC|0x100000000\n");
	assert_true(o < sizeof text);
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	put("t.rf", text);
	if (load(p, "t.rf") != 0)
		fail_msg("%s", sb_last_error());
	assert_int_equal(p->nrules, ARRAY_SIZE(k) + 1);
	for (size_t i = 0; i < ARRAY_SIZE(k); i++) {
		if (p->rules[i].cmp[0].a != k[i].value)
			fail_msg("%s = %#lx, want %#lx", k[i].name, (unsigned long)p->rules[i].cmp[0].a,
				 (unsigned long)k[i].value);
		expect_origin(p->rules[i].origin, "t.rf", (unsigned int)i + 1);
	}
	assert_int_equal(p->rules[ARRAY_SIZE(k)].cmp[0].a, 0x100000000ull | 01 | 0100 | 01000 | 02000000);
	sb_policy_free(p);
}

/* ------------------------------------------------------------ default */

static void test_default(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add(p, SYS_getppid, SB_ACT_KILL), 0);
	put("t.rf", "allow write\ndefault errno EPERM\nallow read\n");
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->default_action, SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_getppid], SB_ACT_KILL); /* set by the API to another action */
	assert_int_equal(p->action[SYS_read], SB_ACT_ALLOW);
	assert_int_equal(p->action[SYS_write], SB_ACT_ALLOW);  /* named by a line, before the default */
	assert_int_equal(p->action[SYS_open], SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_getpid], SB_ACT_ERRNO(EPERM));
	expect_origin(p->action_origin[SYS_write], "t.rf", 1);
	expect_origin(p->action_origin[SYS_getpid], NULL, 0);

	/* a later load may set its own default: calls named by an earlier load keep their action */
	put("u.rf", "default kill\n");
	assert_int_equal(load(p, "u.rf"), 0);
	assert_int_equal(p->default_action, SB_ACT_KILL);
	assert_int_equal(p->action[SYS_write], SB_ACT_ALLOW);
	assert_int_equal(p->action[SYS_read], SB_ACT_ALLOW);
	assert_int_equal(p->action[SYS_open], SB_ACT_KILL);
	assert_int_equal(p->action[SYS_getppid], SB_ACT_KILL);

	/* a default in an included file counts for the one-per-load rule */
	put("v.rf", "default allow\ninclude u.rf\n");
	{
		struct sb_policy *s = snapshot(p);

		assert_int_equal(load(p, "v.rf"), -EINVAL);
		expect_error("u.rf", "$F:1: default action set twice (first at $D/v.rf:1)");
		assert_same_policy(p, s);
		sb_policy_free(s);
	}
	sb_policy_free(p);
}

/* limit tasks N: sets the limit once per load; a later load may change it */
static void test_limit(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(p->max_tasks, 0);
	put("t.rf", "limit tasks 12 # a dozen\nallow read\n");
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->max_tasks, 12);
	put("u.rf", "allow write\n");
	assert_int_equal(load(p, "u.rf"), 0);
	assert_int_equal(p->max_tasks, 12); /* a load without the line keeps it */
	put("v.rf", "limit tasks 2000\n");
	assert_int_equal(load(p, "v.rf"), 0);
	assert_int_equal(p->max_tasks, 2000);
	assert_int_equal(sb_policy_set_max_tasks(p, 2001), -EINVAL);
	assert_int_equal(p->max_tasks, 2000);
	assert_int_equal(sb_policy_set_max_tasks(p, 0), 0);
	assert_int_equal(p->max_tasks, 0);
	sb_policy_free(p);
}

/* ------------------------------------------------------------ includes */

static void test_include_relative(void **state)
{
	struct sb_policy *p = NULL;
	char cwd[PATH_MAX], sub[PATH_MAX], text[PATH_MAX + 64];

	(void)state;
	mkdir_in("inc");
	mkdir_in("inc/sub");
	put("inc/a.rf", "allow read\ninclude b.rf\ninclude sub/c.rf\nkill write # last\n");
	put("inc/b.rf", "errno EPERM openat\n");
	put("inc/sub/c.rf", "include ../d.rf\nallow close if arg0 > 2\n");
	put("inc/d.rf", "log execve\n");
	snprintf(text, sizeof text, "include %s/inc/b.rf\ninclude    ./b.rf   \nkill getpid\n", dir);
	put("inc/abs.rf", text);

	assert_int_equal(sb_policy_new(SB_ACT_ERRNO(ENOSYS), &p), 0);
	if (load(p, "inc/a.rf") != 0)
		fail_msg("%s", sb_last_error());
	expect_origin(p->action_origin[SYS_read], "inc/a.rf", 1);
	expect_origin(p->action_origin[SYS_openat], "inc/b.rf", 1);
	expect_origin(p->action_origin[SYS_execve], "inc/sub/../d.rf", 1);
	expect_origin(p->action_origin[SYS_write], "inc/a.rf", 4);
	assert_int_equal(p->action[SYS_openat], SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_execve], SB_ACT_LOG);
	assert_int_equal(p->action[SYS_write], SB_ACT_KILL);
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].nr, SYS_close);
	assert_int_equal(p->rules[0].cmp[0].op, SB_CMP_GT);
	expect_origin(p->rules[0].origin, "inc/sub/c.rf", 2);
	sb_policy_free(p);

	/* absolute include; the same file twice (not a cycle) */
	assert_int_equal(sb_policy_new(SB_ACT_ERRNO(ENOSYS), &p), 0);
	if (load(p, "inc/abs.rf") != 0)
		fail_msg("%s", sb_last_error());
	expect_origin(p->action_origin[SYS_openat], "inc/./b.rf", 1);
	expect_origin(p->action_origin[SYS_getpid], "inc/abs.rf", 3);
	sb_policy_free(p);

	/* relative to the directory of the including file, whatever the cwd */
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(sb_policy_new(SB_ACT_ERRNO(ENOSYS), &p), 0);
	assert_int_equal(sb_policy_load(p, "inc/a.rf"), 0);
	assert_string_equal(p->action_origin[SYS_openat], "inc/b.rf:1");
	assert_string_equal(p->action_origin[SYS_execve], "inc/sub/../d.rf:1");
	assert_string_equal(p->rules[0].origin, "inc/sub/c.rf:2");
	sb_policy_free(p);
	path_of(sub, sizeof sub, "inc");
	assert_int_equal(chdir(sub), 0);
	assert_int_equal(sb_policy_new(SB_ACT_ERRNO(ENOSYS), &p), 0);
	assert_int_equal(sb_policy_load(p, "a.rf"), 0);
	assert_string_equal(p->action_origin[SYS_read], "a.rf:1");
	assert_string_equal(p->action_origin[SYS_openat], "b.rf:1");
	assert_string_equal(p->action_origin[SYS_execve], "sub/../d.rf:1");
	sb_policy_free(p);
	assert_int_equal(chdir(cwd), 0);
}

static void test_include_errors(void **state)
{
	struct sb_policy *p = busy_policy(), *s = snapshot(p);
	char text[PATH_MAX + 64], path[PATH_MAX];

	(void)state;
	mkdir_in("cyc");
	/* a file including itself */
	put("cyc/self.rf", "allow close\ninclude self.rf\n");
	assert_int_equal(load(p, "cyc/self.rf"), -ELOOP);
	expect_error("cyc/self.rf", "$F:2: include cycle ($F)");
	/* a -> b -> a, spelled another way */
	put("cyc/a.rf", "allow read\nkill write\ninclude b.rf\n");
	put("cyc/b.rf", "allow close if arg0 == 3\ninclude ../cyc/a.rf\n");
	assert_int_equal(load(p, "cyc/a.rf"), -ELOOP);
	expect_error("cyc/b.rf", "$F:2: include cycle ($D/cyc/../cyc/a.rf)");
	/* through a symbolic link */
	path_of(path, sizeof path, "cyc/link.rf");
	unlink(path);
	assert_int_equal(symlink("a.rf", path), 0);
	put("cyc/b.rf", "include link.rf\n");
	assert_int_equal(load(p, "cyc/a.rf"), -ELOOP);
	expect_error("cyc/b.rf", "$F:1: include cycle ($D/cyc/link.rf)");
	/* a missing include: the including line, then the file's own error */
	put("t.rf", "allow close\ninclude nope.rf\n");
	assert_int_equal(load(p, "t.rf"), -ENOENT);
	expect_error("t.rf", "$F:2: $D/nope.rf: No such file or directory");
	/* an include of a directory */
	put("t.rf", "include cyc\n");
	assert_int_equal(load(p, "t.rf"), -EISDIR);
	expect_error("t.rf", "$F:1: $D/cyc: Is a directory");
	/* an error inside an included file names that file */
	put("cyc/c.rf", "allow read\n\nallow foo\n");
	snprintf(text, sizeof text, "kill read\ninclude %s/cyc/c.rf\n", dir);
	put("t.rf", text);
	assert_int_equal(load(p, "t.rf"), -EINVAL);
	expect_error("cyc/c.rf", "$F:3: unknown system call (foo)");
	assert_same_policy(p, s);

	/* a diamond is no cycle */
	put("cyc/top.rf", "include l.rf\ninclude r.rf\n");
	put("cyc/l.rf", "include bottom.rf\n");
	put("cyc/r.rf", "include bottom.rf\n");
	put("cyc/bottom.rf", "allow getpid\n");
	assert_int_equal(load(p, "cyc/top.rf"), 0);
	expect_origin(p->action_origin[SYS_getpid], "cyc/bottom.rf", 1);
	sb_policy_free(p);
	sb_policy_free(s);
}

static void test_include_depth(void **state)
{
	struct sb_policy *p = NULL, *s;
	char name[32], text[64];

	(void)state;
	mkdir_in("deep");
	/* f0 (level 0) includes f1 ... f16 (level 16): allowed */
	for (int i = 0; i < PARSE_MAX_DEPTH; i++) {
		snprintf(name, sizeof name, "deep/f%d.rf", i);
		snprintf(text, sizeof text, "include f%d.rf\n", i + 1);
		put(name, text);
	}
	snprintf(name, sizeof name, "deep/f%d.rf", PARSE_MAX_DEPTH);
	put(name, "allow read\n");
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	if (load(p, "deep/f0.rf") != 0)
		fail_msg("%s", sb_last_error());
	expect_origin(p->action_origin[SYS_read], "deep/f16.rf", 1);
	sb_policy_free(p);

	/* one more level: refused */
	put(name, "allow read\ninclude f17.rf\n");
	put("deep/f17.rf", "allow write\n");
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	s = snapshot(p);
	assert_int_equal(load(p, "deep/f0.rf"), -ELOOP);
	expect_error("deep/f16.rf", "$F:2: includes nested deeper than 16 (f17.rf)");
	assert_same_policy(p, s);
	/* starting one level lower is fine */
	assert_int_equal(load(p, "deep/f1.rf"), 0);
	assert_int_equal(p->action[SYS_write], SB_ACT_ALLOW);
	sb_policy_free(p);
	sb_policy_free(s);
}

/* ------------------------------------------------------------ files */

static void test_files(void **state)
{
	struct sb_policy *p = busy_policy(), *s = snapshot(p);
	char path[PATH_MAX];
	int fds[2];

	(void)state;
	assert_int_equal(load(p, "no-such-file.rf"), -ENOENT);
	expect_error("no-such-file.rf", "$F: No such file or directory");
	assert_int_equal(load(p, "no-such-dir/x.rf"), -ENOENT);
	expect_error("no-such-dir/x.rf", "$F: No such file or directory");
	assert_int_equal(sb_policy_load(p, dir), -EISDIR);
	assert_int_equal(strncmp(sb_last_error(), dir, strlen(dir)), 0);
	assert_string_equal(sb_last_error() + strlen(dir), ": Is a directory");
	assert_int_equal(sb_policy_load(p, ""), -ENOENT);
	assert_string_equal(sb_last_error(), ": No such file or directory");
	assert_int_equal(sb_policy_load(p, "/dev/null"), -EINVAL);
	assert_string_equal(sb_last_error(), "/dev/null: not a regular file or a pipe");
	put("t.rf", "allow read\n");
	path_of(path, sizeof path, "t.rf/x.rf");
	assert_int_equal(sb_policy_load(p, path), -ENOTDIR);
	if (geteuid() != 0) {
		path_of(path, sizeof path, "t.rf");
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(load(p, "t.rf"), -EACCES);
		expect_error("t.rf", "$F: Permission denied");
	}
	assert_int_equal(sb_policy_load(NULL, "x"), -EINVAL);
	assert_int_equal(sb_policy_load(p, NULL), -EINVAL);
	assert_same_policy(p, s);

	/* a pipe */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "kill getpid\n", 12), 12);
	close(fds[1]);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
	assert_int_equal(sb_policy_load(p, path), 0);
	close(fds[0]);
	assert_int_equal(p->action[SYS_getpid], SB_ACT_KILL);
	strcat(path, ":1");
	assert_string_equal(p->action_origin[SYS_getpid], path);
	sb_policy_free(p);
	sb_policy_free(s);
}

static void test_sizes(void **state)
{
	struct sb_policy *p = busy_policy(), *s;
	char *buf = malloc(PARSE_MAX_FILE + 1);

	(void)state;
	assert_non_null(buf);
	/* exactly 1 MiB: fine */
	memset(buf, '\n', PARSE_MAX_FILE + 1);
	memcpy(buf, "kill getpid #", 13);
	put_n("big.rf", buf, PARSE_MAX_FILE);
	assert_int_equal(load(p, "big.rf"), 0);
	assert_int_equal(p->action[SYS_getpid], SB_ACT_KILL);
	s = snapshot(p);
	/* one byte more: refused, at the top and as an include */
	put_n("big1.rf", buf, PARSE_MAX_FILE + 1);
	assert_int_equal(load(p, "big1.rf"), -EFBIG);
	expect_error("big1.rf", "$F: file larger than 1 MiB");
	put("t.rf", "allow read\ninclude big1.rf\n");
	assert_int_equal(load(p, "t.rf"), -EFBIG);
	expect_error("t.rf", "$F:2: $D/big1.rf: file larger than 1 MiB");
	/* 8 MiB in all: the eighth 1 MiB include is one too many */
	put("t.rf", "include big.rf\ninclude big.rf\ninclude big.rf\ninclude big.rf\n"
		    "include big.rf\ninclude big.rf\ninclude big.rf\ninclude big.rf\n");
	assert_int_equal(load(p, "t.rf"), -EFBIG);
	expect_error("t.rf", "$F:8: $D/big.rf: policy files larger than 8 MiB in all (includes counted each time)");
	assert_same_policy(p, s);
	free(buf);
	sb_policy_free(p);
	sb_policy_free(s);
}

static void test_rule_limit(void **state)
{
	const size_t line = sizeof "allow read if arg0 == 12345\n" - 1;
	char *buf = malloc(POLICY_MAX_RULES * line + 1);
	struct sb_policy *p = NULL, *s;
	struct sb_rule r = { .nr = SYS_write, .action = SB_ACT_ALLOW, .ncmp = 0 };

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < POLICY_MAX_RULES; i++)
		snprintf(buf + i * line, line + 1, "allow read if arg0 == %5zu\n", i);
	put_n("t.rf", buf, POLICY_MAX_RULES * line);
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->nrules, POLICY_MAX_RULES);
	assert_int_equal(p->rules[POLICY_MAX_RULES - 1].cmp[0].a, POLICY_MAX_RULES - 1);
	expect_origin(p->rules[POLICY_MAX_RULES - 1].origin, "t.rf", POLICY_MAX_RULES);
	sb_policy_free(p);

	/* one rule already there: the last line is one too many */
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	s = snapshot(p);
	assert_int_equal(load(p, "t.rf"), -E2BIG);
	expect_error("t.rf", "$F:8192: too many rules (a policy holds at most 8192)");
	assert_same_policy(p, s);
	/* one line naming several calls makes one rule each */
	put("t.rf", "allow read write close if arg0 == 1\n");
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->nrules, 4);
	assert_int_equal(p->rules[1].nr, SYS_read);
	assert_int_equal(p->rules[2].nr, SYS_write);
	assert_int_equal(p->rules[3].nr, SYS_close);
	assert_int_equal(p->rules[0].nr, SYS_write); /* the API's rule stays first */
	free(buf);
	sb_policy_free(p);
	sb_policy_free(s);
}

/* a successful load replaces older origins (freed: ASan sees leaks) and keeps what it does not name */
static void test_reload(void **state)
{
	struct sb_policy *p = busy_policy();

	(void)state;
	assert_int_equal(p->nrules, 2);
	put("t.rf", "kill read\nallow openat if arg2 == 0\n");
	assert_int_equal(load(p, "t.rf"), 0);
	assert_int_equal(p->action[SYS_read], SB_ACT_KILL);
	expect_origin(p->action_origin[SYS_read], "t.rf", 1);
	expect_origin(p->action_origin[SYS_write], "busy.rf", 1);
	assert_int_equal(p->action[SYS_getpid], SB_ACT_ALLOW);
	assert_int_equal(p->nrules, 3);
	assert_string_equal(p->rules[0].origin, "api");
	expect_origin(p->rules[1].origin, "busy.rf", 2);
	expect_origin(p->rules[2].origin, "t.rf", 2);
	/* the builder still appends after a load */
	assert_int_equal(sb_policy_add_name(p, "close", SB_ACT_ALLOW), 0);
	{
		struct sb_rule r = { .nr = SYS_close, .action = SB_ACT_KILL, .ncmp = 1,
				     .cmp = { { 0, SB_CMP_LT, 3, 0 } } };

		assert_int_equal(sb_policy_add_rule(p, &r), 0);
	}
	assert_int_equal(p->nrules, 4);
	sb_policy_free(p);
}

/* ------------------------------------------------------------ setup */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/test_policy_parse.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_mask_needs_eq),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bytes_and_lines),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_include_relative),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_include_depth),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_rule_limit),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
