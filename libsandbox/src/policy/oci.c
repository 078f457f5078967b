/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/oci.c: import an OCI "linux.seccomp" object or a Docker seccomp profile (JSON) into a policy.
 *
 * The file is untrusted input. It is read whole (at most OCI_MAX_FILE
 * bytes), parsed strictly by json-c, and every field this front end uses is
 * type-checked; anything malformed is -EINVAL with the field's JSON path in
 * sb_last_error(). Nothing touches the policy until the whole profile has
 * been read and every allocation made: the last step, commit(), cannot
 * fail, so a failed load leaves the policy as it was.
 *
 * Semantics follow what Docker (profile filtering), runc (conversion to
 * libseccomp rules) and libseccomp (merging rules of one call) do on x86-64;
 * docs/policy.md lists them and where Ringfence differs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <json-c/json.h>
#include "oci.h"
#include "compiled.h"
#include "../api/api.h"
#include "../monitor/sysent.h"

const char *const oci_docker_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

static const char *const no_caps[] = { NULL };

/* a rule with comparisons, as collected before commit() */
struct oci_rule {
	long nr;
	uint32_t action;
	unsigned int entry; /* syscalls[] index: the origin */
	unsigned int ncmp;
	struct sb_arg_cmp cmp[SB_RULE_MAX_CMP]; /* sorted by argument */
	int dead;           /* replaced by a later unconditional element */
	int next;           /* the call's next live rule (index), -1: none */
};

struct loader {
	const char *path;                  /* as given: named in messages */
	const char *where;                 /* "" or "linux.seccomp.": prefix of JSON paths */
	char name[OCI_MAX_ORIGIN_NAME + 1]; /* file name for origins */
	uint32_t def;                      /* defaultAction */
	int uncond[SB_NR_SYSCALLS];        /* element that set the call's action, -1: none */
	uint32_t act[SB_NR_SYSCALLS];
	int first[SB_NR_SYSCALLS];         /* the call's live rules: a chain through next, -1: none */
	struct oci_rule *rules;
	size_t nrules, cap, live;
	size_t *slot, nslot;               /* hash of the live rules: rule index + 1, 0: empty */
	const char *const *caps;           /* capability set: this list, */
	struct json_object *bounding;      /* else this JSON array of strings */
	int kmaj, kmin;                    /* kernel version, kmaj < 0: not read yet */
	struct oci_report rep;
};

/* ------------------------------------------------------------ messages */

__attribute__((format(printf, 3, 4)))
static int bad(struct loader *L, const char *at, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (at)
		sb_set_error("%s: %s%s: %s", L->path, L->where, at, msg);
	else
		sb_set_error("%s: %s", L->path, msg);
	return -EINVAL;
}

static const char *jtype(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a non-integer number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown value";
}

/* ------------------------------------------------------------ JSON access */

/* The value of member name of object obj, NULL if absent or null. As Go's
 * encoding/json (which Docker and runc decode with), names match ignoring
 * ASCII case and the last matching member wins: a profile Docker reads the
 * same way is read here the same way. */
static struct json_object *member(struct json_object *obj, const char *name)
{
	struct json_object *found = NULL;

	json_object_object_foreach(obj, key, val) {
		if (!strcasecmp(key, name))
			found = val;
	}
	return found;
}

static int want_type(struct loader *L, struct json_object *o, json_type t, const char *at, const char *what)
{
	if (!json_object_is_type(o, t))
		return bad(L, at, "expected %s, got %s", what, jtype(o));
	return 0;
}

/* a string without NUL bytes (a NUL would make "read\u0000x" match "read") */
static int get_str(struct loader *L, struct json_object *o, const char *at, const char **out)
{
	int rc = want_type(L, o, json_type_string, at, "a string");

	if (rc)
		return rc;
	*out = json_object_get_string(o);
	if (strlen(*out) != (size_t)json_object_get_string_len(o))
		return bad(L, at, "contains a NUL character");
	return 0;
}

/* an unsigned integer (values above UINT64_MAX were refused by scan_numbers()) */
static int get_u64(struct loader *L, struct json_object *o, const char *at, uint64_t *out)
{
	int rc = want_type(L, o, json_type_int, at, "an unsigned integer");

	if (rc)
		return rc;
	if (json_object_get_int64(o) < 0)
		return bad(L, at, "%lld is negative", (long long)json_object_get_int64(o));
	*out = json_object_get_uint64(o);
	return 0;
}

/* optional array of strings: each element checked; *n is 0 when absent */
static int str_array(struct loader *L, struct json_object *o, const char *at, size_t *n)
{
	char at2[96];
	const char *s;
	int rc;

	*n = 0;
	if (!o)
		return 0;
	rc = want_type(L, o, json_type_array, at, "an array of strings");
	if (rc)
		return rc;
	*n = json_object_array_length(o);
	for (size_t i = 0; i < *n; i++) {
		snprintf(at2, sizeof at2, "%s[%zu]", at, i);
		rc = get_str(L, json_object_array_get_idx(o, i), at2, &s);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ reading */

static void line_col(const char *buf, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

/* json-c saturates integers above UINT64_MAX silently; Go refuses them.
 * Called on text json-c accepted, so it is valid JSON: outside strings, a
 * number starts with '-' or a digit and runs over [-+.eE0-9]; one with '.',
 * 'e' or 'E' is a double. Returns the offset of the first positive integer
 * above UINT64_MAX, or len. */
static size_t scan_numbers(const char *buf, size_t len)
{
	static const char max[] = "18446744073709551615";
	size_t i = 0;

	while (i < len) {
		if (buf[i] == '"') {
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			i++;
		} else if (buf[i] == '-' || (buf[i] >= '0' && buf[i] <= '9')) {
			size_t start = i, nd;
			int integer = 1;

			/* the whole number: digits, sign, fraction, exponent */
			for (i++; i < len && strchr("0123456789.eE+-", buf[i]) && buf[i]; i++)
				integer &= buf[i] >= '0' && buf[i] <= '9';
			nd = i - start;
			/* a double stays one in json-c; a negative integer is refused
			 * where an unsigned one is wanted */
			if (integer && buf[start] != '-' && (nd > 20 || (nd == 20 && memcmp(buf + start, max, 20) > 0)))
				return start;
		} else {
			i++;
		}
	}
	return len;
}

/* Read the file whole into a NUL-terminated buffer. */
static int read_file(struct loader *L, char **out, size_t *outlen)
{
	size_t len = 0, cap = 16384;
	char *buf;
	int fd, rc;

	fd = open(L->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		sb_set_error("%s: cannot open: %s", L->path, strerror(-rc));
		return rc;
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *nb;

			if (cap > OCI_MAX_FILE) {
				free(buf);
				close(fd);
				sb_set_error("%s: larger than %u bytes", L->path, OCI_MAX_FILE);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			free(buf);
			close(fd);
			sb_set_error("%s: cannot read: %s", L->path, strerror(-rc));
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > OCI_MAX_FILE) {
		free(buf);
		sb_set_error("%s: larger than %u bytes", L->path, OCI_MAX_FILE);
		return -EFBIG;
	}
	buf[len] = 0;
	*out = buf;
	*outlen = len;
	return 0;
}

static int parse_json(struct loader *L, const char *buf, size_t len, struct json_object **out)
{
	struct json_tokener *tok = json_tokener_new_ex(OCI_MAX_DEPTH);
	struct json_object *root;
	enum json_tokener_error err;
	size_t end;
	unsigned line, col;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* the terminating NUL too: it ends a top-level literal ("null", 12) */
	root = json_tokener_parse_ex(tok, buf, (int)len + 1);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err != json_tokener_success) {
		const char *why = err == json_tokener_continue ? "unexpected end of data" :
				  json_tokener_error_desc(err);

		json_object_put(root);
		line_col(buf, end > len ? len : end, &line, &col);
		sb_set_error("%s:%u:%u: invalid JSON: %s", L->path, line, col, why);
		return -EINVAL;
	}
	while (end < len && strchr(" \t\r\n", buf[end]) && buf[end])
		end++;
	if (end < len) {
		json_object_put(root);
		line_col(buf, end, &line, &col);
		sb_set_error("%s:%u:%u: invalid JSON: data after the top-level value", L->path, line, col);
		return -EINVAL;
	}
	end = scan_numbers(buf, len);
	if (end < len) {
		json_object_put(root);
		line_col(buf, end, &line, &col);
		sb_set_error("%s:%u:%u: integer larger than 18446744073709551615", L->path, line, col);
		return -EINVAL;
	}
	if (!root) {
		sb_set_error("%s: the top-level value is null, not an object", L->path);
		return -EINVAL;
	}
	*out = root;
	return 0;
}

/* ------------------------------------------------------------ actions, operators */

/* An action and its errnoRet (NULL if absent). SCMP_ACT_TRACE is what the
 * kernel does for SECCOMP_RET_TRACE when no tracer is attached, ENOSYS: a
 * guest inside Ringfence can have no seccomp tracer (its calls never reach
 * the host kernel as its own). errnoRet is TRACE's message to the tracer,
 * so it is checked and not used. SCMP_ACT_NOTIFY needs a seccomp agent
 * (linux.seccomp.listenerPath) to decide each call; Ringfence has none, and
 * turning the agent's decisions into a fixed answer would change the
 * profile's meaning, so it is refused. */
static int parse_action(struct loader *L, struct json_object *jact, struct json_object *jerr,
			const char *at_act, const char *at_err, uint32_t *out)
{
	const char *s;
	uint64_t e = EPERM;
	int rc, takes_errno;

	if (!jact)
		return bad(L, at_act, "missing");
	rc = get_str(L, jact, at_act, &s);
	if (rc)
		return rc;
	takes_errno = !strcmp(s, "SCMP_ACT_ERRNO") || !strcmp(s, "SCMP_ACT_TRACE");
	if (jerr) {
		rc = get_u64(L, jerr, at_err, &e);
		if (rc)
			return rc;
		if (!takes_errno)
			return bad(L, at_err, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not %s", s);
		if (!strcmp(s, "SCMP_ACT_ERRNO") && (e < 1 || e > 4095))
			return bad(L, at_err, "%llu is out of range (1..4095)", (unsigned long long)e);
	}
	if (!strcmp(s, "SCMP_ACT_ALLOW"))
		*out = SB_ACT_ALLOW;
	else if (!strcmp(s, "SCMP_ACT_ERRNO"))
		*out = SB_ACT_ERRNO(e);
	else if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_PROCESS") ||
		 !strcmp(s, "SCMP_ACT_KILL_THREAD"))
		*out = SB_ACT_KILL;
	else if (!strcmp(s, "SCMP_ACT_TRAP"))
		*out = SB_ACT_TRAP;
	else if (!strcmp(s, "SCMP_ACT_LOG"))
		*out = SB_ACT_LOG;
	else if (!strcmp(s, "SCMP_ACT_TRACE"))
		*out = SB_ACT_ERRNO(ENOSYS);
	else if (!strcmp(s, "SCMP_ACT_NOTIFY"))
		return bad(L, at_act, "SCMP_ACT_NOTIFY is not supported: Ringfence has no seccomp agent");
	else
		return bad(L, at_act, "unknown action \"%.64s\"", s);
	return 0;
}

static int parse_op(struct loader *L, struct json_object *o, const char *at, enum sb_cmp_op *out)
{
	static const struct {
		const char *name;
		enum sb_cmp_op op;
	} ops[] = {
		{ "SCMP_CMP_NE", SB_CMP_NE }, { "SCMP_CMP_LT", SB_CMP_LT }, { "SCMP_CMP_LE", SB_CMP_LE },
		{ "SCMP_CMP_EQ", SB_CMP_EQ }, { "SCMP_CMP_GE", SB_CMP_GE }, { "SCMP_CMP_GT", SB_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SB_CMP_MASKED_EQ },
	};
	const char *s;
	int rc;

	if (!o)
		return bad(L, at, "missing");
	rc = get_str(L, o, at, &s);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (!strcmp(s, ops[i].name)) {
			*out = ops[i].op;
			return 0;
		}
	}
	return bad(L, at, "unknown operator \"%.64s\"", s);
}

/* ------------------------------------------------------------ includes / excludes */

static int native_arch(const char *s)
{
	/* Docker writes Go's names ("amd64"); the others are accepted too */
	return !strcmp(s, "amd64") || !strcmp(s, "x86_64") || !strcmp(s, "SCMP_ARCH_X86_64");
}

static int has_cap(const struct loader *L, const char *cap)
{
	if (L->caps) {
		for (size_t i = 0; L->caps[i]; i++)
			if (!strcmp(L->caps[i], cap))
				return 1;
		return 0;
	}
	for (size_t i = 0; L->bounding && i < json_object_array_length(L->bounding); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(L->bounding, i)), cap))
			return 1;
	return 0;
}

/* "<kernel>.<major>", each 0..255, not 0.0, as Docker reads minKernel;
 * "" means none (*maj = -1). */
static int parse_kver(struct loader *L, struct json_object *o, const char *at, int *maj, int *min)
{
	const char *s, *p;
	long v[2];
	int rc;

	*maj = -1;
	rc = get_str(L, o, at, &s);
	if (rc)
		return rc;
	if (!*s)
		return 0;
	p = s;
	for (int k = 0; k < 2; k++) {
		const char *d = p;

		v[k] = 0;
		while (*p >= '0' && *p <= '9' && v[k] <= 255)
			v[k] = v[k] * 10 + (*p++ - '0');
		if (p == d || v[k] > 255 || (k == 0 && *p != '.') || (k == 1 && *p))
			return bad(L, at, "\"%.32s\" is not <kernel>.<major> (each 0..255)", s);
		p++;
	}
	if (!v[0] && !v[1])
		return bad(L, at, "\"%.32s\": the version cannot be 0.0", s);
	*maj = (int)v[0];
	*min = (int)v[1];
	return 0;
}

static int kernel_at_least(struct loader *L, int maj, int min, int *yes)
{
	if (L->kmaj < 0) {
		struct utsname u;

		if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &L->kmaj, &L->kmin) != 2 || L->kmaj < 0) {
			L->kmaj = -1;
			sb_set_error("%s: minKernel: cannot read the running kernel's version", L->path);
			return -EINVAL;
		}
	}
	*yes = L->kmaj > maj || (L->kmaj == maj && L->kmin >= min);
	return 0;
}

/* Docker's filter of one syscalls[] element: it applies when no "excludes"
 * condition holds (native arch listed, any listed capability present,
 * kernel at least minKernel) and every "includes" condition holds (native
 * arch listed, all listed capabilities present, kernel at least
 * minKernel). Empty lists and "" mean no condition. */
static int applies(struct loader *L, struct json_object *e, const char *at, int *yes)
{
	static const char *const kind[2] = { "excludes", "includes" };
	char at2[96];
	int rc;

	*yes = 1;
	for (int inc = 0; inc < 2; inc++) {
		struct json_object *f = member(e, kind[inc]), *a;
		size_t n;
		int maj, min, hit;

		if (!f)
			continue;
		snprintf(at2, sizeof at2, "%s.%s", at, kind[inc]);
		rc = want_type(L, f, json_type_object, at2, "an object");
		if (rc)
			return rc;

		snprintf(at2, sizeof at2, "%s.%s.arches", at, kind[inc]);
		rc = str_array(L, a = member(f, "arches"), at2, &n);
		if (rc)
			return rc;
		if (n) {
			hit = 0;
			for (size_t i = 0; i < n; i++)
				hit |= native_arch(json_object_get_string(json_object_array_get_idx(a, i)));
			if (hit != inc)
				*yes = 0;
		}

		snprintf(at2, sizeof at2, "%s.%s.caps", at, kind[inc]);
		rc = str_array(L, a = member(f, "caps"), at2, &n);
		if (rc)
			return rc;
		if (n) {
			hit = inc; /* excludes: any present; includes: all present */
			for (size_t i = 0; i < n; i++) {
				int c = has_cap(L, json_object_get_string(json_object_array_get_idx(a, i)));

				hit = inc ? hit && c : hit || c;
			}
			if (inc ? !hit : hit)
				*yes = 0;
		}

		a = member(f, "minKernel");
		if (a) {
			snprintf(at2, sizeof at2, "%s.%s.minKernel", at, kind[inc]);
			rc = parse_kver(L, a, at2, &maj, &min);
			if (rc)
				return rc;
			if (maj >= 0) {
				rc = kernel_at_least(L, maj, min, &hit);
				if (rc)
					return rc;
				if (hit != inc)
					*yes = 0;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------ collecting rules */

/* a hash of what makes two rules of a call the same (64-bit words mixed
 * FNV-style, then the high bits folded down: the table uses the low ones) */
static size_t rule_hash(long nr, unsigned n, const struct sb_arg_cmp *c)
{
	uint64_t h = 0xcbf29ce484222325ull;

#define MIX(w) (h = (h ^ (uint64_t)(w)) * 0x100000001b3ull)
	MIX(nr);
	MIX(n);
	for (unsigned i = 0; i < n; i++) {
		MIX(c[i].arg | (uint64_t)c[i].op << 8);
		MIX(c[i].a);
		MIX(c[i].b);
	}
#undef MIX
	return (size_t)(h ^ h >> 29 ^ h >> 47);
}

/* room for one more rule in the hash (load factor at most 1/2) */
static int hash_grow(struct loader *L)
{
	size_t n = L->nslot ? 2 * L->nslot : 64, *s;

	if (2 * (L->nrules + 1) <= L->nslot)
		return 0;
	s = calloc(n, sizeof *s);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < L->nrules; i++) {
		const struct oci_rule *r = &L->rules[i];
		size_t h;

		if (r->dead)
			continue;
		for (h = rule_hash(r->nr, r->ncmp, r->cmp) & (n - 1); s[h]; h = (h + 1) & (n - 1))
			;
		s[h] = i + 1;
	}
	free(L->slot);
	L->slot = s;
	L->nslot = n;
	return 0;
}

static int same_cmps(const struct oci_rule *r, unsigned n, const struct sb_arg_cmp *c)
{
	if (r->ncmp != n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (r->cmp[i].arg != c[i].arg || r->cmp[i].op != c[i].op || r->cmp[i].a != c[i].a ||
		    r->cmp[i].b != c[i].b)
			return 0;
	return 1;
}

/* One rule of element entry for call nr, merged as libseccomp merges the
 * rules of one call: an unconditional rule replaces the call's earlier
 * conditional ones and makes later ones (of any kind) no-ops; a rule with
 * the same comparisons as an earlier one is a duplicate if the actions
 * agree and an error if they do not. c is sorted by argument. */
static int add_rule(struct loader *L, long nr, uint32_t action, unsigned entry, unsigned n,
		    const struct sb_arg_cmp *c, const char *at)
{
	struct oci_rule *r;
	size_t h;
	int rc;

	if (L->uncond[nr] >= 0) {
		L->rep.dropped++;
		return 0;
	}
	if (n == 0) {
		L->uncond[nr] = (int)entry;
		L->act[nr] = action;
		for (int i = L->first[nr]; i >= 0; i = L->rules[i].next) {
			L->rules[i].dead = 1;
			L->live--;
			L->rep.dropped++;
		}
		L->first[nr] = -1;
		return 0;
	}
	rc = hash_grow(L);
	if (rc)
		return rc;
	/* a dead rule's call has an unconditional action: never looked up again */
	for (h = rule_hash(nr, n, c) & (L->nslot - 1); L->slot[h]; h = (h + 1) & (L->nslot - 1)) {
		r = &L->rules[L->slot[h] - 1];
		if (r->dead || r->nr != nr || !same_cmps(r, n, c))
			continue;
		if (r->action == action) {
			L->rep.dropped++;
			return 0;
		}
		return bad(L, at, "%s has the same argument comparisons as in syscalls[%u] with another action",
			   sb_sysent_name(nr), r->entry);
	}
	if (L->live >= POLICY_MAX_RULES) {
		sb_set_error("%s: more than %u rules with argument comparisons", L->path, POLICY_MAX_RULES);
		return -E2BIG;
	}
	if (L->nrules == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 16;
		struct oci_rule *a = realloc(L->rules, cap * sizeof *a);

		if (!a)
			return -ENOMEM;
		L->rules = a;
		L->cap = cap;
	}
	r = &L->rules[L->nrules];
	memset(r, 0, sizeof *r);
	r->next = L->first[nr];
	L->first[nr] = (int)L->nrules;
	L->slot[h] = ++L->nrules;
	r->nr = nr;
	r->action = action;
	r->entry = entry;
	r->ncmp = n;
	memcpy(r->cmp, c, n * sizeof c[0]);
	L->live++;
	return 0;
}

static int cmp_by_arg(const void *x, const void *y)
{
	const struct sb_arg_cmp *a = x, *b = y;

	return (a->arg > b->arg) - (a->arg < b->arg);
}

/* the comparisons of args[]: *out (malloc'd), *n; checked, MASKED_EQ
 * normalised as libseccomp does (value compared under the mask) */
static int parse_args(struct loader *L, struct json_object *args, const char *at,
		      struct sb_arg_cmp **out, size_t *n)
{
	struct sb_arg_cmp *c;
	char at2[128];
	size_t len;
	int rc;

	*out = NULL;
	*n = 0;
	if (!args)
		return 0;
	rc = want_type(L, args, json_type_array, at, "an array");
	if (rc)
		return rc;
	len = json_object_array_length(args);
	if (!len)
		return 0;
	c = calloc(len, sizeof *c);
	if (!c)
		return -ENOMEM;
	for (size_t j = 0; j < len; j++) {
		struct json_object *a = json_object_array_get_idx(args, j), *v;
		uint64_t idx;

		snprintf(at2, sizeof at2, "%s[%zu]", at, j);
		rc = want_type(L, a, json_type_object, at2, "an object");
		if (rc)
			goto fail;

		snprintf(at2, sizeof at2, "%s[%zu].index", at, j);
		v = member(a, "index");
		rc = v ? get_u64(L, v, at2, &idx) : bad(L, at2, "missing");
		if (rc)
			goto fail;
		if (idx > 5) {
			rc = bad(L, at2, "%llu is out of range (0..5)", (unsigned long long)idx);
			goto fail;
		}
		c[j].arg = (unsigned)idx;

		snprintf(at2, sizeof at2, "%s[%zu].value", at, j);
		v = member(a, "value");
		rc = v ? get_u64(L, v, at2, &c[j].a) : bad(L, at2, "missing");
		if (rc)
			goto fail;

		snprintf(at2, sizeof at2, "%s[%zu].valueTwo", at, j);
		v = member(a, "valueTwo");
		rc = v ? get_u64(L, v, at2, &c[j].b) : 0;
		if (rc)
			goto fail;

		snprintf(at2, sizeof at2, "%s[%zu].op", at, j);
		rc = parse_op(L, member(a, "op"), at2, &c[j].op);
		if (rc)
			goto fail;
		if (c[j].op == SB_CMP_MASKED_EQ)
			c[j].b &= c[j].a;
		else
			c[j].b = 0; /* valueTwo is MASKED_EQ's only */
	}
	*out = c;
	*n = len;
	return 0;
fail:
	free(c);
	return rc;
}

/* MASKED_EQ with a zero mask always holds: libseccomp emits nothing for it */
static int noop_cmp(const struct sb_arg_cmp *c)
{
	return c->op == SB_CMP_MASKED_EQ && c->a == 0;
}

static int load_entry(struct loader *L, struct json_object *e, unsigned idx)
{
	struct json_object *name, *names, *v;
	struct sb_arg_cmp *cmp = NULL, rule[SB_RULE_MAX_CMP];
	size_t ncmp = 0, nnames = 0;
	char at[48], at2[96], at3[96];
	unsigned seen = 0;
	uint32_t action;
	int rc, yes, split = 0;
	const char *s;

	snprintf(at, sizeof at, "syscalls[%u]", idx);
	rc = want_type(L, e, json_type_object, at, "an object");
	if (rc)
		return rc;

	/* names (the spec), or name (Docker's older profiles), not both */
	name = member(e, "name");
	names = member(e, "names");
	snprintf(at2, sizeof at2, "%s.names", at);
	rc = str_array(L, names, at2, &nnames);
	if (rc)
		return rc;
	if (name) {
		snprintf(at2, sizeof at2, "%s.name", at);
		rc = get_str(L, name, at2, &s);
		if (rc)
			return rc;
		if (*s && nnames)
			return bad(L, at, "both \"name\" and \"names\" are given");
		if (*s)
			nnames = 1;
		else
			name = NULL;
	}
	if (!nnames)
		return bad(L, at, "\"names\" is missing or empty");
	for (size_t k = 0; !name && k < nnames; k++) {
		if (!*json_object_get_string(json_object_array_get_idx(names, k))) {
			snprintf(at2, sizeof at2, "%s.names[%zu]", at, k);
			return bad(L, at2, "empty system call name");
		}
	}

	snprintf(at2, sizeof at2, "%s.action", at);
	snprintf(at3, sizeof at3, "%s.errnoRet", at);
	rc = parse_action(L, member(e, "action"), member(e, "errnoRet"), at2, at3, &action);
	if (rc)
		return rc;

	v = member(e, "comment");
	if (v) {
		snprintf(at2, sizeof at2, "%s.comment", at);
		rc = get_str(L, v, at2, &s);
		if (rc)
			return rc;
	}

	rc = applies(L, e, at, &yes);
	if (rc)
		return rc;

	snprintf(at2, sizeof at2, "%s.args", at);
	rc = parse_args(L, member(e, "args"), at2, &cmp, &ncmp);
	if (rc)
		return rc;

	if (!yes)
		goto out;
	L->rep.applied++;
	/* runc drops a rule whose action is the default one (libseccomp would
	 * refuse it); doing the same keeps later rules of the call meaning
	 * what they mean there */
	if (action == L->def) {
		L->rep.redundant += (unsigned)nnames;
		goto out;
	}
	/* libseccomp allows one comparison per argument in a rule; runc turns
	 * an element that has several on one argument into one rule per
	 * comparison, so that the comparisons are ORed (all of them, also those
	 * on other arguments). Otherwise the comparisons are ANDed. */
	for (size_t j = 0; j < ncmp; j++) {
		if (seen & (1u << cmp[j].arg))
			split = 1;
		seen |= 1u << cmp[j].arg;
	}
	for (size_t k = 0; k < nnames; k++) {
		long nr;

		s = name ? json_object_get_string(name) : json_object_get_string(json_object_array_get_idx(names, k));
		nr = sb_sysent_lookup(s);
		if (nr < 0 || nr >= SB_NR_SYSCALLS || !(sb_sysent_table[nr].flags & SE_KNOWN)) {
			/* as runc: a name unknown here is skipped */
			if (!L->rep.unknown++)
				snprintf(L->rep.first_unknown, sizeof L->rep.first_unknown, "%s", s);
			continue;
		}
		if (split) {
			for (size_t j = 0; j < ncmp && !rc; j++)
				rc = add_rule(L, nr, action, idx, noop_cmp(&cmp[j]) ? 0 : 1, &cmp[j], at);
		} else {
			unsigned n = 0;

			for (size_t j = 0; j < ncmp; j++)
				if (!noop_cmp(&cmp[j]))
					rule[n++] = cmp[j];
			qsort(rule, n, sizeof rule[0], cmp_by_arg);
			rc = add_rule(L, nr, action, idx, n, rule, at);
		}
		if (rc)
			break;
	}
out:
	free(cmp);
	return rc;
}

/* ------------------------------------------------------------ the profile */

static int load_profile(struct loader *L, struct json_object *sc)
{
	struct json_object *v, *list;
	size_t n1, n2;
	int rc;

	rc = parse_action(L, member(sc, "defaultAction"), member(sc, "defaultErrnoRet"), "defaultAction",
			  "defaultErrnoRet", &L->def);
	if (rc)
		return rc;

	/* checked, not used: Ringfence runs x86-64 processes only, and, as
	 * with libseccomp, the native architecture is always filtered */
	rc = str_array(L, member(sc, "architectures"), "architectures", &n1);
	if (rc)
		return rc;
	v = member(sc, "archMap");
	n2 = 0;
	if (v) {
		char at[64];

		rc = want_type(L, v, json_type_array, "archMap", "an array");
		if (rc)
			return rc;
		n2 = json_object_array_length(v);
		for (size_t i = 0; i < n2; i++) {
			struct json_object *m = json_object_array_get_idx(v, i), *a;
			const char *s;
			size_t n;

			snprintf(at, sizeof at, "archMap[%zu]", i);
			rc = want_type(L, m, json_type_object, at, "an object");
			if (rc)
				return rc;
			snprintf(at, sizeof at, "archMap[%zu].architecture", i);
			a = member(m, "architecture");
			rc = a ? get_str(L, a, at, &s) : 0;
			if (rc)
				return rc;
			snprintf(at, sizeof at, "archMap[%zu].subArchitectures", i);
			rc = str_array(L, member(m, "subArchitectures"), at, &n);
			if (rc)
				return rc;
		}
	}
	if (n1 && n2)
		return bad(L, NULL, "both \"architectures\" and \"archMap\" are given; use one");
	rc = str_array(L, member(sc, "flags"), "flags", &n1);
	if (rc)
		return rc;
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "listenerMetadata" : "listenerPath", *s;

		v = member(sc, key);
		rc = v ? get_str(L, v, key, &s) : 0;
		if (rc)
			return rc;
	}

	list = member(sc, "syscalls");
	if (!list)
		return 0;
	rc = want_type(L, list, json_type_array, "syscalls", "an array");
	if (rc)
		return rc;
	L->rep.entries = (unsigned)json_object_array_length(list);
	for (unsigned i = 0; i < L->rep.entries; i++) {
		rc = load_entry(L, json_object_array_get_idx(list, i), i);
		if (rc)
			return rc;
	}
	return 0;
}

/* The seccomp object of root: root itself, or a config.json's linux.seccomp
 * (whose process.capabilities.bounding is then the capability set). */
static int find_seccomp(struct loader *L, struct json_object *root, struct json_object **out)
{
	struct json_object *linux_, *proc, *caps, *sc;
	size_t n;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return bad(L, NULL, "the top-level value is %s, not an object", jtype(root));
	linux_ = member(root, "linux");
	if (!linux_ && !member(root, "ociVersion")) {
		*out = root;
		return 0;
	}
	L->where = "linux.seccomp.";
	if (!linux_ || !json_object_is_type(linux_, json_type_object) ||
	    !(sc = member(linux_, "seccomp")) || !json_object_is_type(sc, json_type_object))
		return bad(L, NULL, "an OCI config without a linux.seccomp object");
	/* checked even when the caller names the capabilities */
	proc = member(root, "process");
	caps = proc && json_object_is_type(proc, json_type_object) ? member(proc, "capabilities") : NULL;
	if (caps) {
		L->where = "";
		rc = want_type(L, caps, json_type_object, "process.capabilities", "an object");
		if (!rc)
			rc = str_array(L, member(caps, "bounding"), "process.capabilities.bounding", &n);
		L->where = "linux.seccomp.";
		if (rc)
			return rc;
	}
	if (!L->caps) {
		L->bounding = caps ? member(caps, "bounding") : NULL;
		if (!L->bounding)
			L->caps = no_caps;
	}
	*out = sc;
	return 0;
}

/* origin "name:[linux.seccomp.]syscalls[i]" */
static char *origin(const struct loader *L, unsigned entry)
{
	char *s;

	if (asprintf(&s, "%s:%ssyscalls[%u]", L->name, L->where, entry) < 0)
		return NULL;
	return s;
}

/* Apply what was collected. Every allocation comes first; past the point of
 * no return nothing can fail. */
static int commit(struct loader *L, struct sb_policy *pol)
{
	char *act_origin[SB_NR_SYSCALLS] = { 0 };
	char **rule_origin = NULL;
	size_t k = 0;
	int rc = -ENOMEM;

	if (pol->nrules + L->live > POLICY_MAX_RULES) {
		sb_set_error("%s: too many rules with argument comparisons (%zu, at most %u with the policy's %zu)",
			     L->path, L->live, POLICY_MAX_RULES, pol->nrules);
		return -E2BIG;
	}
	if (pol->cap < pol->nrules + L->live) {
		size_t cap = pol->nrules + L->live;
		struct policy_rule *a = realloc(pol->rules, cap * sizeof *a);

		if (!a)
			goto out;
		pol->rules = a; /* more room only: the policy is unchanged */
		pol->cap = cap;
	}
	if (L->live && !(rule_origin = calloc(L->live, sizeof *rule_origin)))
		goto out;
	for (long nr = 0; nr < SB_NR_SYSCALLS; nr++)
		if (L->uncond[nr] >= 0 && !(act_origin[nr] = origin(L, (unsigned)L->uncond[nr])))
			goto out;
	for (size_t i = 0; i < L->nrules; i++)
		if (!L->rules[i].dead && !(rule_origin[k++] = origin(L, L->rules[i].entry)))
			goto out;

	/* point of no return. The calls the profile names take its action;
	 * as with a text file's "default", the others follow the new default
	 * if they followed the old one and no front end named them (no origin),
	 * and keep their action otherwise. */
	for (long nr = 0; nr < SB_NR_SYSCALLS; nr++) {
		if (L->uncond[nr] >= 0) {
			free(pol->action_origin[nr]);
			pol->action[nr] = L->act[nr];
			pol->action_origin[nr] = act_origin[nr];
			act_origin[nr] = NULL;
			L->rep.actions++;
		} else if (!pol->action_origin[nr] && pol->action[nr] == pol->default_action) {
			pol->action[nr] = L->def;
		}
	}
	pol->default_action = L->def;
	k = 0;
	for (size_t i = 0; i < L->nrules; i++) {
		const struct oci_rule *r = &L->rules[i];
		struct policy_rule *n;

		if (r->dead)
			continue;
		n = &pol->rules[pol->nrules++];
		memset(n, 0, sizeof *n);
		n->nr = r->nr;
		n->action = r->action;
		n->ncmp = r->ncmp;
		memcpy(n->cmp, r->cmp, r->ncmp * sizeof r->cmp[0]);
		n->origin = rule_origin[k];
		rule_origin[k++] = NULL;
		L->rep.rules++;
	}
	rc = 0;
out:
	for (long nr = 0; nr < SB_NR_SYSCALLS; nr++)
		free(act_origin[nr]);
	for (size_t i = 0; i < L->live && rule_origin; i++)
		free(rule_origin[i]);
	free(rule_origin);
	return rc;
}

int policy_load_oci(struct sb_policy *pol, const char *path, const struct oci_opts *opts,
		    struct oci_report *rep)
{
	struct json_object *root = NULL, *sc;
	struct loader *L;
	const char *base;
	size_t len = 0;
	char *buf = NULL;
	int rc;

	if (!pol || !path) {
		sb_set_error("sb_policy_load_oci: %s", !pol ? "no policy" : "no path");
		return -EINVAL;
	}
	L = calloc(1, sizeof *L);
	if (!L) {
		sb_set_error("sb_policy_load_oci: out of memory");
		return -ENOMEM;
	}
	L->path = path;
	L->where = "";
	base = strrchr(path, '/');
	snprintf(L->name, sizeof L->name, "%s", base ? base + 1 : path);
	for (int i = 0; i < SB_NR_SYSCALLS; i++)
		L->uncond[i] = L->first[i] = -1;
	L->caps = opts ? opts->caps : NULL;
	L->kmaj = opts ? opts->kernel_major : -1;
	L->kmin = opts ? opts->kernel_minor : 0;
	if (L->kmaj < 0)
		L->kmaj = -1;

	rc = read_file(L, &buf, &len);
	if (rc)
		goto out;
	rc = parse_json(L, buf, len, &root);
	free(buf);
	if (rc)
		goto out;
	rc = find_seccomp(L, root, &sc);
	if (rc)
		goto out;
	if (!L->caps && !L->bounding)
		L->caps = oci_docker_caps;
	rc = load_profile(L, sc);
	if (rc)
		goto out;
	rc = commit(L, pol);
	if (!rc && rep)
		*rep = L->rep;
out:
	if (rc == -ENOMEM)
		sb_set_error("%s: out of memory", path);
	json_object_put(root);
	free(L->slot);
	free(L->rules);
	free(L);
	return rc;
}

int sb_policy_load_oci(struct sb_policy *pol, const char *path)
{
	return policy_load_oci(pol, path, NULL, NULL);
}
