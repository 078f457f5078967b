/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/parse.c: the text policy file front end, sb_policy_load().
 *
 * The grammar is documented in docs/policy.md ("Text policy files"). One
 * statement per line:
 *
 *   default ACTION
 *   include PATH
 *   ACTION NAME... [if COND {, COND}]
 *
 * ACTION is allow | kill | trap | log | errno (NAME | NUMBER), COND is
 * "argN OP VALUE" or "argN & VALUE == VALUE", VALUE is NUMBER or CONSTANT
 * joined by '|'.
 *
 * Atomicity: a load works on a private copy of what it may change (the
 * default, the per-call actions and their origins) and collects its rules
 * apart; the policy is touched only at the end, by commit(), whose one step
 * that can fail (growing the rules array) comes before any change. No
 * global state: everything lives in struct load, on the caller's heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parse.h"
#include "policy.h"
#include "compiled.h"
#include "../api/api.h"
#include "../monitor/sysent.h"

/* ------------------------------------------------------------ name tables */

struct named {
	const char *name;
	uint64_t value;
};

#define N(x) { #x, (uint64_t)(x) }

/* every Linux errno name (aliases included) */
static const struct named errno_names[] = {
	N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO), N(E2BIG), N(ENOEXEC),
	N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM), N(EACCES), N(EFAULT), N(ENOTBLK),
	N(EBUSY), N(EEXIST), N(EXDEV), N(ENODEV), N(ENOTDIR), N(EISDIR), N(EINVAL),
	N(ENFILE), N(EMFILE), N(ENOTTY), N(ETXTBSY), N(EFBIG), N(ENOSPC), N(ESPIPE),
	N(EROFS), N(EMLINK), N(EPIPE), N(EDOM), N(ERANGE), N(EDEADLK), N(ENAMETOOLONG),
	N(ENOLCK), N(ENOSYS), N(ENOTEMPTY), N(ELOOP), N(EWOULDBLOCK), N(ENOMSG), N(EIDRM),
	N(ECHRNG), N(EL2NSYNC), N(EL3HLT), N(EL3RST), N(ELNRNG), N(EUNATCH), N(ENOCSI),
	N(EL2HLT), N(EBADE), N(EBADR), N(EXFULL), N(ENOANO), N(EBADRQC), N(EBADSLT),
	N(EDEADLOCK), N(EBFONT), N(ENOSTR), N(ENODATA), N(ETIME), N(ENOSR), N(ENONET),
	N(ENOPKG), N(EREMOTE), N(ENOLINK), N(EADV), N(ESRMNT), N(ECOMM), N(EPROTO),
	N(EMULTIHOP), N(EDOTDOT), N(EBADMSG), N(EOVERFLOW), N(ENOTUNIQ), N(EBADFD),
	N(EREMCHG), N(ELIBACC), N(ELIBBAD), N(ELIBSCN), N(ELIBMAX), N(ELIBEXEC), N(EILSEQ),
	N(ERESTART), N(ESTRPIPE), N(EUSERS), N(ENOTSOCK), N(EDESTADDRREQ), N(EMSGSIZE),
	N(EPROTOTYPE), N(ENOPROTOOPT), N(EPROTONOSUPPORT), N(ESOCKTNOSUPPORT),
	N(EOPNOTSUPP), N(ENOTSUP), N(EPFNOSUPPORT), N(EAFNOSUPPORT), N(EADDRINUSE),
	N(EADDRNOTAVAIL), N(ENETDOWN), N(ENETUNREACH), N(ENETRESET), N(ECONNABORTED),
	N(ECONNRESET), N(ENOBUFS), N(EISCONN), N(ENOTCONN), N(ESHUTDOWN), N(ETOOMANYREFS),
	N(ETIMEDOUT), N(ECONNREFUSED), N(EHOSTDOWN), N(EHOSTUNREACH), N(EALREADY),
	N(EINPROGRESS), N(ESTALE), N(EUCLEAN), N(ENOTNAM), N(ENAVAIL), N(EISNAM),
	N(EREMOTEIO), N(EDQUOT), N(ENOMEDIUM), N(EMEDIUMTYPE), N(ECANCELED), N(ENOKEY),
	N(EKEYEXPIRED), N(EKEYREVOKED), N(EKEYREJECTED), N(EOWNERDEAD), N(ENOTRECOVERABLE),
	N(ERFKILL), N(EHWPOISON),
};

/* the symbolic constants a comparison may use (x86-64 values; docs/policy.md lists them) */
static const struct named constants[] = {
	/* open(2), openat(2) flags */
	N(O_RDONLY), N(O_WRONLY), N(O_RDWR), N(O_ACCMODE), N(O_CREAT), N(O_EXCL), N(O_TRUNC),
	N(O_APPEND), N(O_NONBLOCK), N(O_DIRECTORY), N(O_NOFOLLOW), N(O_CLOEXEC),
	/* mmap(2), mprotect(2) */
	N(PROT_NONE), N(PROT_READ), N(PROT_WRITE), N(PROT_EXEC),
	N(MAP_SHARED), N(MAP_PRIVATE), N(MAP_FIXED), N(MAP_ANONYMOUS),
	/* socket(2) */
	N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK),
	N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_SEQPACKET),
	N(SOCK_NONBLOCK), N(SOCK_CLOEXEC),
	/* ioctl(2) requests */
	N(TCGETS), N(TIOCGWINSZ), N(FIONREAD), N(FIONBIO), N(FIOCLEX),
};

#undef N

static const struct named *find_named(const struct named *t, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && memcmp(t[i].name, s, len) == 0)
			return &t[i];
	return NULL;
}

/* ------------------------------------------------------------ load state */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct load {
	const struct sb_policy *pol;
	/* the private copy: what the policy will be if the load succeeds */
	uint32_t default_action;
	char *default_where;                  /* "FILE:LINE" of the default line */
	uint32_t max_tasks;                   /* "limit tasks N"; 0: none given */
	char *tasks_where;                    /* "FILE:LINE" of that line */
	uint32_t action[SB_NR_SYSCALLS];
	char *origin[SB_NR_SYSCALLS];         /* new origins (owned); NULL: not named */
	struct policy_rule *rules;            /* new rules (origins owned) */
	size_t nrules, cap;
	size_t total;                         /* bytes read so far */
	unsigned int depth;                   /* files open on the include chain */
	struct file_id chain[PARSE_MAX_DEPTH + 1];
	/* one line's calls, without repeats */
	long calls[SB_NR_SYSCALLS];
	unsigned char seen[SB_NR_SYSCALLS];
};

static void load_free(struct load *ld)
{
	free(ld->default_where);
	free(ld->tasks_where);
	for (int i = 0; i < SB_NR_SYSCALLS; i++)
		free(ld->origin[i]);
	for (size_t i = 0; i < ld->nrules; i++)
		free(ld->rules[i].origin);
	free(ld->rules);
	free(ld);
}

/* ------------------------------------------------------------ lexer */

enum tok_type { T_END, T_WORD, T_NUM, T_OP, T_BAD };

struct tok {
	enum tok_type type;
	const char *s;
	size_t n;
};

/* one line being parsed */
struct ctx {
	struct load *ld;
	const char *file;     /* as shown in messages and origins */
	unsigned long line;
	const char *p, *end;  /* the line, comment cut off */
	struct tok t;         /* current token */
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_word_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_word(char ch)
{
	return is_word_start(ch) || is_digit(ch);
}

static void skip_space(struct ctx *c)
{
	while (c->p < c->end && is_space(*c->p))
		c->p++;
}

static void next(struct ctx *c)
{
	static const char *const ops2[] = { "==", "!=", "<=", ">=" };
	struct tok *t = &c->t;

	skip_space(c);
	t->s = c->p;
	t->n = 0;
	if (c->p == c->end) {
		t->type = T_END;
		return;
	}
	if (is_word(*c->p)) {
		t->type = is_digit(*c->p) ? T_NUM : T_WORD;
		while (c->p < c->end && is_word(*c->p))
			c->p++;
		t->n = (size_t)(c->p - t->s);
		return;
	}
	if (c->end - c->p >= 2)
		for (size_t i = 0; i < sizeof ops2 / sizeof ops2[0]; i++)
			if (c->p[0] == ops2[i][0] && c->p[1] == ops2[i][1]) {
				t->type = T_OP;
				t->n = 2;
				c->p += 2;
				return;
			}
	t->type = *c->p && strchr("<>&|,", *c->p) ? T_OP : T_BAD;
	t->n = 1;
	c->p++;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->type != T_END && strlen(s) == t->n && memcmp(t->s, s, t->n) == 0;
}

/* ------------------------------------------------------------ errors */

/* a token as shown in a message: at most 64 bytes, others than printable ASCII escaped */
static void show(char *out, size_t size, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && i < 64; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (o + 5 > size)
			break;
		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			out[o++] = (char)ch;
		} else {
			snprintf(out + o, size - o, "\\x%02x", ch);
			o += 4;
		}
	}
	if (n > 64 && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
}

/* "FILE:LINE: WHAT (TOKEN)"; t NULL or at the end of the line: no token */
__attribute__((format(printf, 4, 5)))
static int perr(const struct ctx *c, int rc, const struct tok *t, const char *fmt, ...)
{
	char what[192], tok[64 * 4 + 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (t && t->n) {
		show(tok, sizeof tok, t->s, t->n);
		sb_set_error("%s:%lu: %s (%s)", c->file, c->line, what, tok);
	} else {
		sb_set_error("%s:%lu: %s", c->file, c->line, what);
	}
	return rc;
}

/* a file's own failure; from: the include line that named it (NULL: the top file) */
static int ferr(const struct ctx *from, const char *path, int rc, const char *what)
{
	if (from)
		sb_set_error("%s:%lu: %s: %s", from->file, from->line, path, what);
	else
		sb_set_error("%s: %s", path, what);
	return rc;
}

/* ------------------------------------------------------------ values */

/* decimal, 0x hexadecimal, 0 octal; 1: not a number, 2: beyond 64 bits */
static int parse_num(const struct tok *t, uint64_t *out)
{
	const char *s = t->s, *e = t->s + t->n;
	unsigned int base = 10;
	uint64_t v = 0;

	if (t->n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (s == e)
			return 1;
	} else if (t->n >= 2 && s[0] == '0') {
		base = 8;
		s++;
	}
	for (; s < e; s++) {
		unsigned int d;

		if (is_digit(*s))
			d = (unsigned int)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return 1;
		if (d >= base)
			return 1;
		if (v > (UINT64_MAX - d) / base)
			return 2;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* VALUE := (NUMBER | CONSTANT) {'|' (NUMBER | CONSTANT)}; span: the whole value's text */
static int parse_value(struct ctx *c, const char *after, uint64_t *out, struct tok *span)
{
	uint64_t v = 0, x;

	span->s = c->t.s;
	for (;;) {
		const struct named *k;
		int rc;

		switch (c->t.type) {
		case T_NUM:
			rc = parse_num(&c->t, &x);
			if (rc == 1)
				return perr(c, -EINVAL, &c->t, "bad number");
			if (rc == 2)
				return perr(c, -EINVAL, &c->t, "number does not fit in 64 bits");
			break;
		case T_WORD:
			k = find_named(constants, sizeof constants / sizeof constants[0], c->t.s, c->t.n);
			if (!k)
				return perr(c, -EINVAL, &c->t, "unknown constant");
			x = k->value;
			break;
		case T_END:
			return perr(c, -EINVAL, NULL, "missing value after '%s'", after);
		default:
			return perr(c, -EINVAL, &c->t, "expected a number or constant after '%s'", after);
		}
		v |= x;
		span->n = (size_t)(c->t.s + c->t.n - span->s);
		next(c);
		if (!tok_is(&c->t, "|"))
			break;
		after = "|";
		next(c);
	}
	span->type = T_WORD;
	*out = v;
	return 0;
}

/* COND := argN OP VALUE | argN '&' VALUE '==' VALUE */
static int parse_cond(struct ctx *c, struct sb_arg_cmp *cmp)
{
	static const struct {
		const char *s;
		enum sb_cmp_op op;
	} ops[] = {
		{ "==", SB_CMP_EQ }, { "!=", SB_CMP_NE }, { "<", SB_CMP_LT },
		{ "<=", SB_CMP_LE }, { ">", SB_CMP_GT }, { ">=", SB_CMP_GE },
	};
	struct tok arg = c->t, span;
	int rc;

	if (arg.type != T_WORD || arg.n < 4 || memcmp(arg.s, "arg", 3) != 0)
		return perr(c, -EINVAL, &arg, "expected an argument arg0..arg5");
	for (size_t i = 3; i < arg.n; i++)
		if (!is_digit(arg.s[i]))
			return perr(c, -EINVAL, &arg, "expected an argument arg0..arg5");
	if (arg.n != 4 || arg.s[3] > '5')
		return perr(c, -EINVAL, &arg, "argument index out of range 0..5");
	memset(cmp, 0, sizeof *cmp);
	cmp->arg = (unsigned int)(arg.s[3] - '0');
	next(c);

	if (tok_is(&c->t, "&")) {
		uint64_t mask, val;

		next(c);
		rc = parse_value(c, "&", &mask, &span);
		if (rc)
			return rc;
		if (c->t.type == T_END)
			return perr(c, -EINVAL, NULL, "missing '==' after the mask");
		if (!tok_is(&c->t, "=="))
			return perr(c, -EINVAL, &c->t, "expected '==' after the mask");
		next(c);
		rc = parse_value(c, "==", &val, &span);
		if (rc)
			return rc;
		if (val & ~mask)
			return perr(c, -EINVAL, &span, "value has bits outside the mask: the comparison never holds");
		cmp->op = SB_CMP_MASKED_EQ;
		cmp->a = mask;
		cmp->b = val;
		return 0;
	}
	if (c->t.type == T_END)
		return perr(c, -EINVAL, NULL, "missing comparison operator after '%.4s'", arg.s);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (tok_is(&c->t, ops[i].s)) {
			const char *after = ops[i].s;

			cmp->op = ops[i].op;
			next(c);
			return parse_value(c, after, &cmp->a, &span);
		}
	return perr(c, -EINVAL, &c->t, "expected a comparison operator (== != < <= > >= &)");
}

/* ACTION := allow | kill | trap | log | errno (NAME | NUMBER) */
static int parse_action(struct ctx *c, uint32_t *act)
{
	uint64_t e;
	int rc;

	if (tok_is(&c->t, "allow")) {
		*act = SB_ACT_ALLOW;
	} else if (tok_is(&c->t, "kill")) {
		*act = SB_ACT_KILL;
	} else if (tok_is(&c->t, "trap")) {
		*act = SB_ACT_TRAP;
	} else if (tok_is(&c->t, "log")) {
		*act = SB_ACT_LOG;
	} else if (tok_is(&c->t, "errno")) {
		next(c);
		if (c->t.type == T_WORD) {
			const struct named *k = find_named(errno_names, sizeof errno_names / sizeof errno_names[0],
							   c->t.s, c->t.n);

			if (!k)
				return perr(c, -EINVAL, &c->t, "unknown errno name");
			e = k->value;
		} else if (c->t.type == T_NUM) {
			rc = parse_num(&c->t, &e);
			if (rc == 1)
				return perr(c, -EINVAL, &c->t, "bad number");
			if (rc == 2 || e < 1 || e > 4095)
				return perr(c, -EINVAL, &c->t, "errno out of range 1..4095");
		} else if (c->t.type == T_END) {
			return perr(c, -EINVAL, NULL, "missing errno name or number after 'errno'");
		} else {
			return perr(c, -EINVAL, &c->t, "expected an errno name or number");
		}
		*act = SB_ACT_ERRNO(e);
	} else {
		return perr(c, -EINVAL, &c->t, "unknown action");
	}
	next(c);
	return 0;
}

/* ------------------------------------------------------------ statements */

static int load_file(struct load *ld, const char *path, const struct ctx *from);

static char *where(const struct ctx *c)
{
	size_t n = strlen(c->file) + 24;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s:%lu", c->file, c->line);
	return s;
}

/* include PATH: relative to the including file's directory */
static int do_include(struct ctx *c)
{
	struct load *ld = c->ld;
	const char *word = c->t.s, *name, *slash;
	size_t n, dirlen;
	char *full;
	int rc;

	skip_space(c);
	name = c->p;
	while (c->p < c->end && !is_space(*c->p))
		c->p++;
	n = (size_t)(c->p - name);
	if (name == word + 7 && n) {
		/* "include" glued to what follows */
		struct tok t = { T_WORD, word, 7 + n };

		return perr(c, -EINVAL, &t, "unknown action");
	}
	if (!n)
		return perr(c, -EINVAL, NULL, "missing file name after 'include'");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			struct tok t = { T_WORD, name, n };

			return perr(c, -EINVAL, &t, "control character in file name");
		}
	skip_space(c);
	if (c->p < c->end) {
		struct tok t = { T_WORD, c->p, 0 };

		while (c->p < c->end && !is_space(*c->p))
			c->p++;
		t.n = (size_t)(c->p - t.s);
		return perr(c, -EINVAL, &t, "trailing garbage");
	}
	/* ld->depth files are open: the including one is at level depth - 1 */
	if (ld->depth > PARSE_MAX_DEPTH) {
		struct tok t = { T_WORD, name, n };

		return perr(c, -ELOOP, &t, "includes nested deeper than %d", PARSE_MAX_DEPTH);
	}
	slash = strrchr(c->file, '/');
	dirlen = name[0] == '/' || !slash ? 0 : (size_t)(slash - c->file) + 1;
	full = malloc(dirlen + n + 1);
	if (!full)
		return perr(c, -ENOMEM, NULL, "out of memory");
	memcpy(full, c->file, dirlen);
	memcpy(full + dirlen, name, n);
	full[dirlen + n] = 0;
	rc = load_file(ld, full, c);
	free(full);
	return rc;
}

static int do_default(struct ctx *c)
{
	struct load *ld = c->ld;
	uint32_t act, old = ld->default_action;
	int rc;

	next(c);
	if (c->t.type == T_END)
		return perr(c, -EINVAL, NULL, "missing action after 'default'");
	rc = parse_action(c, &act);
	if (rc)
		return rc;
	if (c->t.type != T_END)
		return perr(c, -EINVAL, &c->t, "trailing garbage");
	if (ld->default_where)
		return perr(c, -EINVAL, NULL, "default action set twice (first at %s)", ld->default_where);
	ld->default_where = where(c);
	if (!ld->default_where)
		return perr(c, -ENOMEM, NULL, "out of memory");
	/* calls no file line named that still follow the old default follow the new one */
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (!ld->origin[nr] && !ld->pol->action_origin[nr] && ld->action[nr] == old)
			ld->action[nr] = act;
	ld->default_action = act;
	return 0;
}

/* limit tasks N: at most N processes and threads in the sandbox */
static int do_limit(struct ctx *c)
{
	struct load *ld = c->ld;
	uint64_t n;
	int rc;

	next(c);
	if (!tok_is(&c->t, "tasks"))
		return perr(c, -EINVAL, c->t.type == T_END ? NULL : &c->t,
			    "expected 'tasks' after 'limit' (the only limit there is)");
	next(c);
	if (c->t.type != T_NUM)
		return perr(c, -EINVAL, c->t.type == T_END ? NULL : &c->t, "expected a number of tasks after 'limit tasks'");
	rc = parse_num(&c->t, &n);
	if (rc || n < 1 || n > SB_MAX_TASKS)
		return perr(c, -EINVAL, &c->t, "number of tasks out of range 1..%d", SB_MAX_TASKS);
	next(c);
	if (c->t.type != T_END)
		return perr(c, -EINVAL, &c->t, "trailing garbage");
	if (ld->tasks_where)
		return perr(c, -EINVAL, NULL, "task limit set twice (first at %s)", ld->tasks_where);
	ld->tasks_where = where(c);
	if (!ld->tasks_where)
		return perr(c, -ENOMEM, NULL, "out of memory");
	ld->max_tasks = (uint32_t)n;
	return 0;
}

static int add_rule(struct ctx *c, long nr, uint32_t act, const struct sb_arg_cmp *cmp, unsigned int ncmp,
		    const char *origin)
{
	struct load *ld = c->ld;
	struct policy_rule *r;

	if (ld->pol->nrules + ld->nrules >= POLICY_MAX_RULES)
		return perr(c, -E2BIG, NULL, "too many rules (a policy holds at most %d)", POLICY_MAX_RULES);
	if (ld->nrules == ld->cap) {
		size_t cap = ld->cap ? 2 * ld->cap : 16;
		struct policy_rule *a = realloc(ld->rules, cap * sizeof *a);

		if (!a)
			return perr(c, -ENOMEM, NULL, "out of memory");
		ld->rules = a;
		ld->cap = cap;
	}
	r = &ld->rules[ld->nrules];
	memset(r, 0, sizeof *r);
	r->origin = strdup(origin);
	if (!r->origin)
		return perr(c, -ENOMEM, NULL, "out of memory");
	r->nr = nr;
	r->action = act;
	r->ncmp = ncmp;
	memcpy(r->cmp, cmp, ncmp * sizeof cmp[0]);
	ld->nrules++;
	return 0;
}

/* ACTION NAME... [if COND {, COND}] */
static int do_calls(struct ctx *c)
{
	struct load *ld = c->ld;
	struct sb_arg_cmp cmp[SB_RULE_MAX_CMP];
	struct tok atok = c->t;
	unsigned int ncalls = 0, ncmp = 0;
	uint32_t act;
	char *origin;
	int rc;

	rc = parse_action(c, &act);
	if (rc)
		return rc;
	atok.n = (size_t)(c->t.s - atok.s);
	while (atok.n && is_space(atok.s[atok.n - 1]))
		atok.n--;
	memset(ld->seen, 0, sizeof ld->seen);
	while (c->t.type == T_WORD && !tok_is(&c->t, "if")) {
		char name[PARSE_MAX_NAME];
		long nr = -1;

		if (c->t.n < sizeof name) {
			memcpy(name, c->t.s, c->t.n);
			name[c->t.n] = 0;
			nr = sb_sysent_lookup(name);
		}
		if (nr < 0 || nr >= SB_NR_SYSCALLS)
			return perr(c, -EINVAL, &c->t, "unknown system call");
		if (!ld->seen[nr]) {
			ld->seen[nr] = 1;
			ld->calls[ncalls++] = nr;
		}
		next(c);
	}
	if (!ncalls) {
		if (c->t.type == T_END)
			return perr(c, -EINVAL, NULL, "missing system call name after '%.*s'", (int)atok.n, atok.s);
		return perr(c, -EINVAL, &c->t, "expected a system call name");
	}
	if (tok_is(&c->t, "if")) {
		const char *after = "if";

		next(c);
		for (;;) {
			if (c->t.type == T_END)
				return perr(c, -EINVAL, NULL, "missing comparison after '%s'", after);
			if (ncmp == SB_RULE_MAX_CMP)
				return perr(c, -EINVAL, &c->t, "too many comparisons (at most %d)", SB_RULE_MAX_CMP);
			rc = parse_cond(c, &cmp[ncmp]);
			if (rc)
				return rc;
			ncmp++;
			if (c->t.type == T_END)
				break;
			if (!tok_is(&c->t, ","))
				return perr(c, -EINVAL, &c->t, "expected ',' or the end of the line");
			after = ",";
			next(c);
		}
	} else if (c->t.type != T_END) {
		return perr(c, -EINVAL, &c->t, "expected a system call name or 'if'");
	}

	origin = where(c);
	if (!origin)
		return perr(c, -ENOMEM, NULL, "out of memory");
	rc = 0;
	for (unsigned int i = 0; i < ncalls && !rc; i++) {
		long nr = ld->calls[i];

		if (ncmp) {
			rc = add_rule(c, nr, act, cmp, ncmp, origin);
		} else {
			char *o = strdup(origin);

			if (!o) {
				rc = perr(c, -ENOMEM, NULL, "out of memory");
				break;
			}
			free(ld->origin[nr]);
			ld->origin[nr] = o;
			ld->action[nr] = act;
		}
	}
	free(origin);
	return rc;
}

static int parse_line(struct ctx *c)
{
	next(c);
	if (c->t.type == T_END)
		return 0;
	if (tok_is(&c->t, "include"))
		return do_include(c);
	if (tok_is(&c->t, "default"))
		return do_default(c);
	if (tok_is(&c->t, "limit"))
		return do_limit(c);
	return do_calls(c);
}

static int parse_buffer(struct load *ld, const char *file, const char *buf, size_t len)
{
	struct ctx c = { .ld = ld, .file = file, .line = 1 };
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *hash;
		int rc;

		c.p = p;
		c.end = le;
		if (le - p > PARSE_MAX_LINE)
			return perr(&c, -EINVAL, NULL, "line longer than %d bytes", PARSE_MAX_LINE);
		if (memchr(p, 0, (size_t)(le - p)))
			return perr(&c, -EINVAL, NULL, "NUL byte in line");
		hash = memchr(p, '#', (size_t)(le - p));
		if (hash)
			c.end = hash;
		rc = parse_line(&c);
		if (rc)
			return rc;
		p = nl ? nl + 1 : end;
		c.line++;
	}
	return 0;
}

/* ------------------------------------------------------------ files */

static int read_all(int fd, const struct stat *st, char **out, size_t *len)
{
	size_t cap = S_ISREG(st->st_mode) ? (size_t)st->st_size + 1 : 4096, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *b;

			if (cap > PARSE_MAX_FILE) {
				free(buf);
				return -EFBIG;
			}
			cap = cap * 2 > PARSE_MAX_FILE + 1 ? PARSE_MAX_FILE + 1 : cap * 2;
			b = realloc(buf, cap);
			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > PARSE_MAX_FILE) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int load_file(struct load *ld, const char *path, const struct ctx *from)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO with no writer must not hang */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		return ferr(from, path, rc, strerror(-rc));
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return ferr(from, path, rc, strerror(-rc));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return ferr(from, path, -EISDIR, strerror(EISDIR));
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		close(fd);
		return ferr(from, path, -EINVAL, "not a regular file or a pipe");
	}
	for (unsigned int i = 0; i < ld->depth; i++)
		if (ld->chain[i].dev == st.st_dev && ld->chain[i].ino == st.st_ino) {
			struct tok t = { T_WORD, path, strlen(path) };

			close(fd);
			/* only an include can meet a file already on the chain */
			return perr(from, -ELOOP, &t, "include cycle");
		}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > PARSE_MAX_FILE) {
		close(fd);
		return ferr(from, path, -EFBIG, "file larger than 1 MiB");
	}
	if (S_ISFIFO(st.st_mode) && fcntl(fd, F_SETFL, 0) < 0) {
		rc = -errno;
		close(fd);
		return ferr(from, path, rc, strerror(-rc));
	}
	rc = read_all(fd, &st, &buf, &len);
	close(fd);
	if (rc == -EFBIG)
		return ferr(from, path, rc, "file larger than 1 MiB");
	if (rc)
		return ferr(from, path, rc, strerror(-rc));
	if (len > PARSE_MAX_TOTAL - ld->total) {
		free(buf);
		return ferr(from, path, -EFBIG, "policy files larger than 8 MiB in all (includes counted each time)");
	}
	ld->total += len;
	ld->chain[ld->depth].dev = st.st_dev;
	ld->chain[ld->depth].ino = st.st_ino;
	ld->depth++;
	rc = parse_buffer(ld, path, buf, len);
	ld->depth--;
	free(buf);
	return rc;
}

/* ------------------------------------------------------------ entry */

/* move the load into the policy; fails (-ENOMEM) only before changing anything */
static int commit(struct sb_policy *pol, struct load *ld)
{
	if (ld->nrules) {
		size_t need = pol->nrules + ld->nrules;

		if (need > pol->cap) {
			struct policy_rule *a = realloc(pol->rules, need * sizeof *a);

			if (!a)
				return -ENOMEM;
			pol->rules = a;
			pol->cap = need;
		}
		memcpy(pol->rules + pol->nrules, ld->rules, ld->nrules * sizeof *ld->rules);
		pol->nrules = need;
		ld->nrules = 0; /* the origins moved with them */
	}
	pol->default_action = ld->default_action;
	if (ld->max_tasks)
		pol->max_tasks = ld->max_tasks;
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++) {
		pol->action[nr] = ld->action[nr];
		if (ld->origin[nr]) {
			free(pol->action_origin[nr]);
			pol->action_origin[nr] = ld->origin[nr];
			ld->origin[nr] = NULL;
		}
	}
	return 0;
}

int sb_policy_load(struct sb_policy *pol, const char *path)
{
	struct load *ld;
	int rc;

	if (!pol || !path) {
		sb_set_error("sb_policy_load: %s", !pol ? "no policy" : "no path");
		return -EINVAL;
	}
	ld = calloc(1, sizeof *ld);
	if (!ld) {
		sb_set_error("sb_policy_load: out of memory");
		return -ENOMEM;
	}
	ld->pol = pol;
	ld->default_action = pol->default_action;
	memcpy(ld->action, pol->action, sizeof ld->action);
	rc = load_file(ld, path, NULL);
	if (!rc) {
		rc = commit(pol, ld);
		if (rc)
			sb_set_error("%s: out of memory", path);
	}
	load_free(ld);
	return rc;
}
