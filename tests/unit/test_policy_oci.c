/* SPDX-License-Identifier: MIT */
/* tests/unit/test_policy_oci.c: OCI / Docker seccomp profile import (sb_policy_load_oci()).
 *
 * Small profiles (written to a temporary directory as p.json) checked
 * through the decision the monitor will take: the policy is compiled with
 * policy_compile() and asked with policy_decide(), so what is checked is the
 * action and the origin an audit record would name. Malformed profiles are
 * checked for their exact message and for leaving the policy unchanged.
 * Then Docker's own default profile, as Debian's golang-github-docker-docker-dev
 * installs it (scripts/deps.sh), against what Docker documents for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>
#include <sandbox.h>
#include "compiled.h"
#include "policy.h"
#include "oci.h"

/* Docker's profile as Debian ships it; scripts/docker-profile.sh extracts it
 * from the package without installing it and names it in RINGFENCE_DOCKER_PROFILE */
#define DOCKER_PROFILE_DEFAULT "/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json"
#define DOCKER_PROFILE (getenv("RINGFENCE_DOCKER_PROFILE") ? getenv("RINGFENCE_DOCKER_PROFILE") : DOCKER_PROFILE_DEFAULT)
#define NONE ((const char *)0)

static char dir[64];   /* mkdtemp */
static char path[128]; /* dir/p.json */
static struct cp_policy *cp;

/* ------------------------------------------------------------ helpers */

/* write snippet to path, with ' turned into " (the snippets stay readable) */
static void put(const char *snippet)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (const char *s = snippet; *s; s++)
		fputc(*s == '\'' ? '"' : *s, f);
	assert_int_equal(fclose(f), 0);
}

static void put_raw(const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void compile(const struct sb_policy *p)
{
	memset(cp, 0, sizeof *cp);
	assert_int_equal(policy_compile(p, cp), 0);
}

/* the compiled policy's action for call(a0, a1, a2); *origin: NULL if none */
static uint32_t decide(const char *call, uint64_t a0, uint64_t a1, uint64_t a2, const char **origin)
{
	uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
	long nr = sb_syscall_nr(call);
	uint32_t off, act;

	if (nr < 0)
		fail_msg("no system call %s", call);
	act = policy_decide(cp, nr, a, &off);
	*origin = off == POLICY_NO_ORIGIN ? NULL : cp->origins + off;
	return act;
}

struct check {
	const char *call;
	uint64_t a[3];
	uint32_t want;
	const char *origin; /* NONE: the default action (no origin) */
};

static void run_checks(const char *what, const struct check *c)
{
	for (; c->call; c++) {
		const char *origin;
		uint32_t act = decide(c->call, c->a[0], c->a[1], c->a[2], &origin);

		if (act != c->want)
			fail_msg("%s: %s(%#llx, %#llx, %#llx): action %#x, want %#x", what, c->call,
				 (unsigned long long)c->a[0], (unsigned long long)c->a[1],
				 (unsigned long long)c->a[2], act, c->want);
		if (!c->origin != !origin || (origin && strcmp(origin, c->origin)))
			fail_msg("%s: %s(%#llx): origin \"%s\", want \"%s\"", what, c->call,
				 (unsigned long long)c->a[0], origin ? origin : "(none)",
				 c->origin ? c->origin : "(none)");
	}
}

/* the parts of a policy a load may change, to check a failed one did not */
struct snap {
	uint32_t def, action[SB_NR_SYSCALLS];
	char *origin[SB_NR_SYSCALLS];
	size_t nrules;
	struct policy_rule rule0;
};

static void take(const struct sb_policy *p, struct snap *s)
{
	s->def = p->default_action;
	memcpy(s->action, p->action, sizeof s->action);
	memcpy(s->origin, p->action_origin, sizeof s->origin);
	s->nrules = p->nrules;
	s->rule0 = p->rules[0];
}

static void same(const struct sb_policy *p, const struct snap *s, const char *what)
{
	if (p->default_action != s->def || memcmp(p->action, s->action, sizeof s->action) ||
	    memcmp(p->action_origin, s->origin, sizeof s->origin) || p->nrules != s->nrules ||
	    memcmp(&p->rules[0], &s->rule0, sizeof s->rule0))
		fail_msg("%s: a failed load changed the policy", what);
	assert_string_equal(p->action_origin[sb_syscall_nr("getpid")], "mine");
	assert_string_equal(p->rules[0].origin, "mine too");
}

/* a policy with something in it: default ALLOW, getpid KILL, one rule */
static struct sb_policy *filled(void)
{
	struct sb_rule r = { .nr = sb_syscall_nr("kill"), .action = SB_ACT_ERRNO(EACCES), .ncmp = 1,
			     .cmp = { { .arg = 1, .op = SB_CMP_EQ, .a = 9 } }, .origin = "mine too" };
	struct sb_policy *p = NULL;
	long nr = sb_syscall_nr("getpid");

	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add(p, nr, SB_ACT_KILL), 0);
	p->action_origin[nr] = strdup("mine");
	assert_non_null(p->action_origin[nr]);
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
	return p;
}

static const struct oci_opts opts_510 = { .caps = oci_docker_caps, .kernel_major = 5, .kernel_minor = 10 };

/* ------------------------------------------------------------ profiles that load */

#define EPERM_ SB_ACT_ERRNO(EPERM)

struct ok_case {
	const char *what;
	const char *json;
	const char *const *caps; /* opts.caps (NULL: the loader's own choice) */
	int kmaj, kmin;
	size_t rules;            /* rules added */
	struct check checks[16];
};

static const char *const admin_raw[] = { "CAP_SYS_ADMIN", "CAP_NET_RAW", NULL };
static const char *const no_caps[] = { NULL };

static const struct ok_case ok_cases[] = {
	{ "actions",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['getpid'],'action':'SCMP_ACT_ALLOW'},"
	  "{'names':['getppid'],'action':'SCMP_ACT_KILL'},"
	  "{'names':['getuid'],'action':'SCMP_ACT_KILL_PROCESS'},"
	  "{'names':['getgid'],'action':'SCMP_ACT_KILL_THREAD'},"
	  "{'names':['geteuid'],'action':'SCMP_ACT_TRAP'},"
	  "{'names':['getegid'],'action':'SCMP_ACT_LOG'},"
	  "{'names':['getpgrp'],'action':'SCMP_ACT_TRACE'},"
	  "{'names':['getsid'],'action':'SCMP_ACT_TRACE','errnoRet':5},"
	  "{'names':['setsid'],'action':'SCMP_ACT_ERRNO','errnoRet':13},"
	  "{'names':['setpgid'],'action':'SCMP_ACT_ERRNO'},"
	  "{'names':['sync','syncfs'],'action':'SCMP_ACT_ERRNO','errnoRet':4095,'comment':'two names'}]}",
	  NULL, 5, 10, 0,
	  { { "getpid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[0]" },
	    { "getppid", { 0 }, SB_ACT_KILL, "p.json:syscalls[1]" },
	    { "getuid", { 0 }, SB_ACT_KILL, "p.json:syscalls[2]" },
	    { "getgid", { 0 }, SB_ACT_KILL, "p.json:syscalls[3]" },
	    { "geteuid", { 0 }, SB_ACT_TRAP, "p.json:syscalls[4]" },
	    { "getegid", { 0 }, SB_ACT_LOG, "p.json:syscalls[5]" },
	    { "getpgrp", { 0 }, SB_ACT_ERRNO(ENOSYS), "p.json:syscalls[6]" },
	    { "getsid", { 0 }, SB_ACT_ERRNO(ENOSYS), "p.json:syscalls[7]" },
	    { "setsid", { 0 }, SB_ACT_ERRNO(EACCES), "p.json:syscalls[8]" },
	    { "setpgid", { 0 }, EPERM_, NONE }, /* the default action: dropped, as runc does */
	    { "sync", { 0 }, SB_ACT_ERRNO(4095), "p.json:syscalls[10]" },
	    { "syncfs", { 0 }, SB_ACT_ERRNO(4095), "p.json:syscalls[10]" },
	    { "uname", { 0 }, EPERM_, NONE } } },
	/* defaultErrnoRet is the default action's; an element's errno defaults to EPERM (runtime-spec) */
	{ "defaultErrnoRet",
	  "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'syscalls':["
	  "{'names':['getpid'],'action':'SCMP_ACT_ERRNO'},{'names':['getppid'],'action':'SCMP_ACT_ALLOW'}]}",
	  NULL, 5, 10, 0,
	  { { "uname", { 0 }, SB_ACT_ERRNO(38), NONE },
	    { "getpid", { 0 }, EPERM_, "p.json:syscalls[0]" },
	    { "getppid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[1]" } } },
	{ "default ALLOW, a deny list",
	  "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpid','getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':1}]}",
	  NULL, 5, 10, 0,
	  { { "getpid", { 0 }, SB_ACT_ERRNO(1), "p.json:syscalls[0]" },
	    { "getppid", { 0 }, SB_ACT_ERRNO(1), "p.json:syscalls[0]" },
	    { "uname", { 0 }, SB_ACT_ALLOW, NONE } } },
	{ "default KILL_PROCESS", "{'defaultAction':'SCMP_ACT_KILL_PROCESS'}", NULL, 5, 10, 0,
	  { { "uname", { 0 }, SB_ACT_KILL, NONE } } },
	{ "default TRACE", "{'defaultAction':'SCMP_ACT_TRACE','defaultErrnoRet':99,'syscalls':null}", NULL, 5, 10, 0,
	  { { "uname", { 0 }, SB_ACT_ERRNO(ENOSYS), NONE } } },
	{ "default LOG", "{'defaultAction':'SCMP_ACT_LOG','syscalls':[]}", NULL, 5, 10, 0,
	  { { "uname", { 0 }, SB_ACT_LOG, NONE } } },
	{ "operators",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['dup'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'op':'SCMP_CMP_NE'}]},"
	  "{'names':['dup2'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'op':'SCMP_CMP_LT'}]},"
	  "{'names':['close'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'op':'SCMP_CMP_LE'}]},"
	  "{'names':['fsync'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['fdatasync'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'op':'SCMP_CMP_GE'}]},"
	  "{'names':['syncfs'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'op':'SCMP_CMP_GT'}]},"
	  "{'names':['umask'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':448,'valueTwo':64,'op':'SCMP_CMP_MASKED_EQ'}]}]}",
	  NULL, 5, 10, 7,
	  { { "dup", { 3 }, EPERM_, NONE }, { "dup", { 4 }, SB_ACT_ALLOW, "p.json:syscalls[0]" },
	    { "dup2", { 2 }, SB_ACT_ALLOW, "p.json:syscalls[1]" }, { "dup2", { 3 }, EPERM_, NONE },
	    { "close", { 3 }, SB_ACT_ALLOW, "p.json:syscalls[2]" }, { "close", { 4 }, EPERM_, NONE },
	    { "fsync", { 3 }, SB_ACT_ALLOW, "p.json:syscalls[3]" }, { "fsync", { 3 | 1ull << 32 }, EPERM_, NONE },
	    { "fdatasync", { 2 }, EPERM_, NONE }, { "fdatasync", { 3 }, SB_ACT_ALLOW, "p.json:syscalls[4]" },
	    { "syncfs", { 3 }, EPERM_, NONE }, { "syncfs", { 4 }, SB_ACT_ALLOW, "p.json:syscalls[5]" },
	    { "umask", { 077 }, EPERM_, NONE }, { "umask", { 0100 }, SB_ACT_ALLOW, "p.json:syscalls[6]" },
	    { "umask", { 0107 }, SB_ACT_ALLOW, "p.json:syscalls[6]" } } },
	/* comparisons on different arguments: ANDed, one rule */
	{ "AND",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':1,'value':9,'op':'SCMP_CMP_EQ'},{'index':0,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
	  NULL, 5, 10, 1,
	  { { "kill", { 0, 9 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "kill", { 0, 15 }, EPERM_, NONE },
	    { "kill", { 1, 9 }, EPERM_, NONE } } },
	/* two on one argument: runc makes one rule per comparison, so all are ORed */
	{ "OR",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':1,'value':9,'op':'SCMP_CMP_EQ'},{'index':1,'value':15,'op':'SCMP_CMP_EQ'},"
	  "{'index':0,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
	  NULL, 5, 10, 3,
	  { { "kill", { 5, 9 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "kill", { 5, 15 }, SB_ACT_ALLOW, "p.json:syscalls[0]" },
	    { "kill", { 1, 2 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "kill", { 5, 2 }, EPERM_, NONE } } },
	/* libseccomp's merge of one call's rules, and runc dropping default-action rules */
	{ "merge",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['kill'],'action':'SCMP_ACT_LOG'},"
	  "{'names':['kill'],'action':'SCMP_ACT_ALLOW'},"
	  "{'names':['kill'],'action':'SCMP_ACT_TRAP','args':[{'index':1,'value':9,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['tkill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':9,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['tkill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':9,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['tkill'],'action':'SCMP_ACT_ERRNO','errnoRet':13,'args':[{'index':1,'value':15,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['tgkill'],'action':'SCMP_ACT_ERRNO','args':[{'index':2,'value':9,'op':'SCMP_CMP_EQ'}]},"
	  "{'names':['tgkill'],'action':'SCMP_ACT_ALLOW'}]}",
	  NULL, 5, 10, 2,
	  { { "kill", { 0, 0 }, SB_ACT_LOG, "p.json:syscalls[1]" }, { "kill", { 0, 9 }, SB_ACT_LOG, "p.json:syscalls[1]" },
	    { "tkill", { 0, 9 }, SB_ACT_ALLOW, "p.json:syscalls[4]" },
	    { "tkill", { 0, 15 }, SB_ACT_ERRNO(EACCES), "p.json:syscalls[6]" }, { "tkill", { 0, 1 }, EPERM_, NONE },
	    { "tgkill", { 0, 0, 9 }, SB_ACT_ALLOW, "p.json:syscalls[8]" } } },
	/* MASKED_EQ: the value is compared under the mask; a zero mask is no condition */
	{ "MASKED_EQ as libseccomp",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['umask'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':0,'valueTwo':5,'op':'SCMP_CMP_MASKED_EQ'}]},"
	  "{'names':['dup'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':240,'valueTwo':501,'op':'SCMP_CMP_MASKED_EQ'}]},"
	  "{'names':['dup2'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':3,'valueTwo':77,'op':'SCMP_CMP_EQ'}]}]}",
	  NULL, 5, 10, 2,
	  { { "umask", { 7 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "dup", { 0xf0 }, SB_ACT_ALLOW, "p.json:syscalls[1]" },
	    { "dup", { 0xf5 }, SB_ACT_ALLOW, "p.json:syscalls[1]" }, { "dup", { 0x0f }, EPERM_, NONE },
	    { "dup2", { 3 }, SB_ACT_ALLOW, "p.json:syscalls[2]" } } },
	{ "64-bit values",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['dup'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':18446744073709551615,'op':'SCMP_CMP_EQ'}]}]}",
	  NULL, 5, 10, 1,
	  { { "dup", { ~0ull }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "dup", { 0xffffffffu }, EPERM_, NONE } } },
	{ "includes and excludes",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['getpid'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_ADMIN']}},"
	  "{'names':['getppid'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_ADMIN','CAP_SYS_BOOT']}},"
	  "{'names':['getuid'],'action':'SCMP_ACT_ALLOW','excludes':{'caps':['CAP_SYS_BOOT','CAP_NET_RAW']}},"
	  "{'names':['getgid'],'action':'SCMP_ACT_ALLOW','excludes':{'caps':['CAP_SYS_BOOT']}},"
	  "{'names':['geteuid'],'action':'SCMP_ACT_ALLOW','includes':{'arches':['arm64','amd64']}},"
	  "{'names':['getegid'],'action':'SCMP_ACT_ALLOW','includes':{'arches':['arm64','x32']}},"
	  "{'names':['getpgrp'],'action':'SCMP_ACT_ALLOW','includes':{'arches':['SCMP_ARCH_X86_64']}},"
	  "{'names':['getsid'],'action':'SCMP_ACT_ALLOW','excludes':{'arches':['x86_64']}},"
	  "{'names':['setsid'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'5.4'}},"
	  "{'names':['setpgid'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'5.5'}},"
	  "{'names':['getpgid'],'action':'SCMP_ACT_ALLOW','excludes':{'minKernel':'4.20'}},"
	  "{'names':['getresuid'],'action':'SCMP_ACT_ALLOW','excludes':{'minKernel':'6.0'}},"
	  "{'names':['getresgid'],'action':'SCMP_ACT_ALLOW','includes':{'caps':[],'arches':[],'minKernel':''},'excludes':{}}]}",
	  admin_raw, 5, 4, 0,
	  { { "getpid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "getppid", { 0 }, EPERM_, NONE },
	    { "getuid", { 0 }, EPERM_, NONE }, { "getgid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[3]" },
	    { "geteuid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[4]" }, { "getegid", { 0 }, EPERM_, NONE },
	    { "getpgrp", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[6]" }, { "getsid", { 0 }, EPERM_, NONE },
	    { "setsid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[8]" }, { "setpgid", { 0 }, EPERM_, NONE },
	    { "getpgid", { 0 }, EPERM_, NONE }, { "getresuid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[11]" },
	    { "getresgid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[12]" } } },
	/* no options: a bare profile is evaluated against Docker's default capabilities */
	{ "Docker's capabilities by default",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['chroot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_CHROOT']}},"
	  "{'names':['reboot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_BOOT']}}]}",
	  NULL, 5, 10, 0,
	  { { "chroot", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "reboot", { 0 }, EPERM_, NONE } } },
	{ "no capabilities",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['chroot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_CHROOT']}},"
	  "{'names':['reboot'],'action':'SCMP_ACT_ALLOW','excludes':{'caps':['CAP_SYS_BOOT']}}]}",
	  no_caps, 5, 10, 0,
	  { { "chroot", { 0 }, EPERM_, NONE }, { "reboot", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[1]" } } },
	/* a whole config.json: linux.seccomp, with process.capabilities.bounding */
	{ "config.json",
	  "{'ociVersion':'1.0.2','process':{'args':['sh'],'capabilities':{'bounding':['CAP_SYS_BOOT'],'effective':[]}},"
	  "'root':{'path':'rootfs'},'linux':{'namespaces':[{'type':'pid'}],'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
	  "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'flags':['SECCOMP_FILTER_FLAG_LOG'],'syscalls':["
	  "{'names':['reboot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_BOOT']}},"
	  "{'names':['chroot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_CHROOT']}},"
	  "{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}}}",
	  NULL, 5, 10, 1,
	  { { "reboot", { 0 }, SB_ACT_ALLOW, "p.json:linux.seccomp.syscalls[0]" }, { "chroot", { 0 }, EPERM_, NONE },
	    { "kill", { 1, 0 }, SB_ACT_ALLOW, "p.json:linux.seccomp.syscalls[2]" } } },
	{ "config.json without capabilities: none",
	  "{'ociVersion':'1.0.2','linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['chroot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_CHROOT']}}]}}}",
	  NULL, 5, 10, 0, { { "chroot", { 0 }, EPERM_, NONE } } },
	/* Docker's older format ("name"), null fields, and Go's case-insensitive member names */
	{ "old format, nulls, member case",
	  "{'DefaultAction':'SCMP_ACT_ERRNO','architectures':null,'SYSCALLS':["
	  "{'name':'getpid','action':'SCMP_ACT_ALLOW','args':null,'includes':null,'errnoRet':null},"
	  "{'name':'','Names':['getppid'],'Action':'SCMP_ACT_ALLOW','Args':[{'Index':0,'Value':1,'OP':'SCMP_CMP_EQ'}]}]}",
	  NULL, 5, 10, 1,
	  { { "getpid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[0]" }, { "getppid", { 0 }, EPERM_, NONE },
	    { "getppid", { 1 }, SB_ACT_ALLOW, "p.json:syscalls[1]" } } },
	/* names unknown on x86-64 are skipped; the others of the element apply */
	{ "unknown names",
	  "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['_llseek','getpid','no_such_call','arm_fadvise64_64'],"
	  "'action':'SCMP_ACT_ALLOW','unknownMember':{'x':[1,2.5,true,1e400000000000000000000,-99999999999999999999999]}}]}",
	  NULL, 5, 10, 0, { { "getpid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[0]" } } },
};

static void test_ok_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
		const struct ok_case *c = &ok_cases[i];
		struct oci_opts o = { .caps = c->caps, .kernel_major = c->kmaj, .kernel_minor = c->kmin };
		struct sb_policy *p = NULL;
		int rc;

		put(c->json);
		assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
		rc = policy_load_oci(p, path, &o, NULL);
		if (rc)
			fail_msg("%s: %d (%s)", c->what, rc, sb_last_error());
		if (p->nrules != c->rules)
			fail_msg("%s: %zu rules, want %zu", c->what, p->nrules, c->rules);
		compile(p);
		run_checks(c->what, c->checks);
		sb_policy_free(p);
	}
}

static void test_report(void **state)
{
	struct sb_policy *p = NULL;
	struct oci_report r;

	(void)state;
	put("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	    "{'names':['_llseek','getpid','no_such_call'],'action':'SCMP_ACT_ALLOW'},"
	    "{'names':['getpid'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':0,'op':'SCMP_CMP_EQ'}]},"
	    "{'names':['kill','tkill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]},"
	    "{'names':['chroot','getuid'],'action':'SCMP_ACT_ERRNO'},"
	    "{'names':['reboot'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_BOOT']}}]}");
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	memset(&r, 0xff, sizeof r);
	assert_int_equal(policy_load_oci(p, path, &opts_510, &r), 0);
	assert_int_equal(r.entries, 5);
	assert_int_equal(r.applied, 4);
	assert_int_equal(r.unknown, 2);
	assert_string_equal(r.first_unknown, "_llseek");
	assert_int_equal(r.redundant, 2);
	assert_int_equal(r.dropped, 1); /* getpid's rule: getpid has an unconditional action */
	assert_int_equal(r.actions, 1);
	assert_int_equal(r.rules, 2);
	sb_policy_free(p);
}

/* loading onto a policy: the calls the profile names take its actions; the
 * others follow its default if they followed the old one and no front end
 * named them (as a text file's "default"); rules added before stay, and
 * are tried first */
static void test_onto_policy(void **state)
{
	struct sb_policy *p = filled();
	const struct check checks[] = {
		{ "kill", { 0, 9 }, SB_ACT_ERRNO(EACCES), "mine too" }, /* the earlier rule */
		{ "kill", { 0, 0 }, SB_ACT_ALLOW, "p.json:syscalls[1]" },
		{ "kill", { 0, 15 }, EPERM_, NONE },
		{ "getpid", { 0 }, SB_ACT_KILL, "mine" },   /* named before: kept */
		{ "getuid", { 0 }, SB_ACT_LOG, NONE },      /* set by the API to another action: kept */
		{ "getppid", { 0 }, SB_ACT_ALLOW, "p.json:syscalls[0]" },
		{ "getgid", { 0 }, SB_ACT_TRAP, "p.json:syscalls[2]" }, /* named by both: the profile's */
		{ "uname", { 0 }, EPERM_, NONE },           /* followed the default: follows the new one */
		{ .call = NULL },
	};

	(void)state;
	assert_int_equal(sb_policy_add_name(p, "getuid", SB_ACT_LOG), 0);
	assert_int_equal(sb_policy_add_name(p, "getgid", SB_ACT_LOG), 0);
	put("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ALLOW'},"
	    "{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_LE'}]},"
	    "{'names':['getgid'],'action':'SCMP_ACT_TRAP'}]}");
	assert_int_equal(policy_load_oci(p, path, &opts_510, NULL), 0);
	assert_int_equal(p->default_action, EPERM_);
	assert_null(p->action_origin[sb_syscall_nr("uname")]);
	assert_int_equal(p->nrules, 2);
	compile(p);
	run_checks("onto a policy", checks);
	/* a second load: the same again; rules accumulate */
	assert_int_equal(sb_policy_load_oci(p, path), 0);
	assert_int_equal(p->nrules, 3);
	compile(p);
	run_checks("loaded twice", checks);
	/* and after it, the builder still overrides */
	assert_int_equal(sb_policy_add_name(p, "getppid", SB_ACT_KILL), 0);
	compile(p);
	{
		const char *o;

		assert_int_equal(decide("getppid", 0, 0, 0, &o), SB_ACT_KILL);
	}
	sb_policy_free(p);
}

/* ------------------------------------------------------------ profiles that do not */

struct bad_case {
	const char *json;
	int rc;
	const char *msg; /* sb_last_error() after the path */
};

static const struct bad_case bad_cases[] = {
	{ "", -EINVAL, ":1:1: invalid JSON: unexpected end of data" },
	{ "{'defaultAction':", -EINVAL, ":1:18: invalid JSON: unexpected end of data" },
	{ "{'defaultAction':'SCMP_ACT_ALLOW',}", -EINVAL, ":1:35: invalid JSON: unexpected character" },
	{ "{'defaultAction':'SCMP_ACT_ALLOW'} {}", -EINVAL, ":1:36: invalid JSON: unexpected character" },
	{ "{'defaultAction':'SCMP_ACT_ALLOW'}\n\n  x", -EINVAL, ":3:3: invalid JSON: unexpected character" },
	{ "{'defaultAction':NaN}", -EINVAL, ": defaultAction: expected a string, got a non-integer number" },
	{ "[1]", -EINVAL, ": the top-level value is an array, not an object" },
	{ "null", -EINVAL, ": the top-level value is null, not an object" },
	{ "{}", -EINVAL, ": defaultAction: missing" },
	{ "{'defaultAction':null}", -EINVAL, ": defaultAction: missing" },
	{ "{'defaultAction':7}", -EINVAL, ": defaultAction: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_FOO'}", -EINVAL, ": defaultAction: unknown action \"SCMP_ACT_FOO\"" },
	{ "{'defaultAction':'SCMP_ACT_allow'}", -EINVAL, ": defaultAction: unknown action \"SCMP_ACT_allow\"" },
	{ "{'defaultAction':'SCMP_ACT_NOTIFY'}", -EINVAL,
	  ": defaultAction: SCMP_ACT_NOTIFY is not supported: Ringfence has no seccomp agent" },
	{ "{'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1}", -EINVAL,
	  ": defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_ALLOW" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':0}", -EINVAL, ": defaultErrnoRet: 0 is out of range (1..4095)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':4096}", -EINVAL,
	  ": defaultErrnoRet: 4096 is out of range (1..4095)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':-1}", -EINVAL, ": defaultErrnoRet: -1 is negative" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1.5}", -EINVAL,
	  ": defaultErrnoRet: expected an unsigned integer, got a non-integer number" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':'1'}", -EINVAL,
	  ": defaultErrnoRet: expected an unsigned integer, got a string" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':{}}", -EINVAL, ": syscalls: expected an array, got an object" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[1]}", -EINVAL, ": syscalls[0]: expected an object, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0]: \"names\" is missing or empty" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0]: \"names\" is missing or empty" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':'getpid','action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0].names: expected an array of strings, got a string" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid',3],'action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0].names[1]: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid',''],'action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0].names[1]: empty system call name" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read\\u0000x'],'action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0].names[0]: contains a NUL character" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'name':'getpid','names':['getppid'],'action':'SCMP_ACT_ALLOW'}]}",
	  -EINVAL, ": syscalls[0]: both \"name\" and \"names\" are given" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'name':7,'action':'SCMP_ACT_ALLOW'}]}", -EINVAL,
	  ": syscalls[0].name: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid']}]}", -EINVAL, ": syscalls[0].action: missing" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid'],'action':'ALLOW'}]}", -EINVAL,
	  ": syscalls[0].action: unknown action \"ALLOW\"" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_NOTIFY'}]}", -EINVAL,
	  ": syscalls[0].action: SCMP_ACT_NOTIFY is not supported: Ringfence has no seccomp agent" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_KILL','errnoRet':1}]}",
	  -EINVAL, ": syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_KILL" },
	{ "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_ERRNO','errnoRet':0}]}",
	  -EINVAL, ": syscalls[0].errnoRet: 0 is out of range (1..4095)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_ALLOW','comment':5}]}",
	  -EINVAL, ": syscalls[0].comment: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':{}}]}", -EINVAL,
	  ": syscalls[0].args: expected an array, got an object" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[[]]}]}", -EINVAL,
	  ": syscalls[0].args[0]: expected an object, got an array" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':0,'op':'SCMP_CMP_EQ'},{'index':6,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[1].index: 6 is out of range (0..5)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'value':0,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].index: missing" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].value: missing" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':0}]}]}",
	  -EINVAL, ": syscalls[0].args[0].op: missing" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':0,'op':'SCMP_CMP_MASKED'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].op: unknown operator \"SCMP_CMP_MASKED\"" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].value: -1 is negative" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':'1','op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].value: expected an unsigned integer, got a string" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':0,'valueTwo':true,'op':'SCMP_CMP_MASKED_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].valueTwo: expected an unsigned integer, got a boolean" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':["
	  "{'index':0,'value':18446744073709551616,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ":1:118: integer larger than 18446744073709551615" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':[]}]}",
	  -EINVAL, ": syscalls[0].includes: expected an object, got an array" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'caps':'CAP_KILL'}}]}",
	  -EINVAL, ": syscalls[0].includes.caps: expected an array of strings, got a string" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','excludes':{'arches':[1]}}]}",
	  -EINVAL, ": syscalls[0].excludes.arches[0]: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'4'}}]}",
	  -EINVAL, ": syscalls[0].includes.minKernel: \"4\" is not <kernel>.<major> (each 0..255)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'4.8.1'}}]}",
	  -EINVAL, ": syscalls[0].includes.minKernel: \"4.8.1\" is not <kernel>.<major> (each 0..255)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','excludes':{'minKernel':'256.0'}}]}",
	  -EINVAL, ": syscalls[0].excludes.minKernel: \"256.0\" is not <kernel>.<major> (each 0..255)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'4.x'}}]}",
	  -EINVAL, ": syscalls[0].includes.minKernel: \"4.x\" is not <kernel>.<major> (each 0..255)" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'0.0'}}]}",
	  -EINVAL, ": syscalls[0].includes.minKernel: \"0.0\": the version cannot be 0.0" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':4.8}}]}",
	  -EINVAL, ": syscalls[0].includes.minKernel: expected a string, got a non-integer number" },
	/* every element is checked, also one that does not apply here */
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ALLOW','includes':{'arches':['arm']},"
	  "'args':[{'index':7,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[0].args[0].index: 7 is out of range (0..5)" },
	/* libseccomp refuses one call's rule twice with two actions */
	{ "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	  "{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':1,'value':0,'op':'SCMP_CMP_EQ'},{'index':0,'value':1,'op':'SCMP_CMP_GT'}]},"
	  "{'names':['tkill','kill'],'action':'SCMP_ACT_LOG','args':[{'index':0,'value':1,'op':'SCMP_CMP_GT'},{'index':1,'value':0,'op':'SCMP_CMP_EQ'}]}]}",
	  -EINVAL, ": syscalls[1]: kill has the same argument comparisons as in syscalls[0] with another action" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64'],'archMap':[{'architecture':'SCMP_ARCH_X86_64'}]}",
	  -EINVAL, ": both \"architectures\" and \"archMap\" are given; use one" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','architectures':'SCMP_ARCH_X86_64'}", -EINVAL,
	  ": architectures: expected an array of strings, got a string" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','archMap':[{'architecture':'SCMP_ARCH_X86_64','subArchitectures':[0]}]}", -EINVAL,
	  ": archMap[0].subArchitectures[0]: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','flags':[1]}", -EINVAL, ": flags[0]: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':1}", -EINVAL, ": listenerPath: expected a string, got an integer" },
	{ "{'ociVersion':'1.0.2','linux':{}}", -EINVAL, ": an OCI config without a linux.seccomp object" },
	{ "{'ociVersion':'1.0.2'}", -EINVAL, ": an OCI config without a linux.seccomp object" },
	{ "{'linux':{'seccomp':[]}}", -EINVAL, ": an OCI config without a linux.seccomp object" },
	{ "{'linux':{'seccomp':{'defaultAction':'X'}}}", -EINVAL, ": linux.seccomp.defaultAction: unknown action \"X\"" },
	{ "{'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[1]}]}}}", -EINVAL,
	  ": linux.seccomp.syscalls[0].names[0]: expected a string, got an integer" },
	{ "{'process':{'capabilities':{'bounding':[1]}},'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO'}}}", -EINVAL,
	  ": process.capabilities.bounding[0]: expected a string, got an integer" },
	{ "{'defaultAction':'SCMP_ACT_ERRNO','comment':'\xff'}", -EINVAL, ":1:46: invalid JSON: invalid utf-8 string" },
};

static void test_bad_cases(void **state)
{
	struct sb_policy *p = filled();
	struct snap s;
	char want[512];

	(void)state;
	take(p, &s);
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		int rc;

		put(c->json);
		rc = policy_load_oci(p, path, &opts_510, NULL);
		snprintf(want, sizeof want, "%s%s", path, c->msg);
		if (rc != c->rc || strcmp(sb_last_error(), want))
			fail_msg("case %zu (%s):\n got %d \"%s\"\nwant %d \"%s\"", i, c->json, rc, sb_last_error(),
				 c->rc, want);
		same(p, &s, c->json);
	}
	sb_policy_free(p);
}

static void test_nesting_and_nul(void **state)
{
	struct sb_policy *p = filled();
	char buf[512], want[256];
	struct snap s;
	size_t n = 0;

	(void)state;
	take(p, &s);
	/* 70 nested arrays in an ignored member: deeper than OCI_MAX_DEPTH */
	n += (size_t)snprintf(buf, sizeof buf, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"x\":");
	for (int i = 0; i < 70; i++)
		buf[n++] = '[';
	buf[n] = 0;
	put_raw(buf, n);
	assert_int_equal(policy_load_oci(p, path, &opts_510, NULL), -EINVAL);
	snprintf(want, sizeof want, "%s:1:%d: invalid JSON: nesting too deep", path, 38 + OCI_MAX_DEPTH);
	assert_string_equal(sb_last_error(), want);
	same(p, &s, "nesting");
	/* a NUL byte after the value */
	put_raw("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}\0{}", 37);
	assert_int_equal(policy_load_oci(p, path, &opts_510, NULL), -EINVAL);
	snprintf(want, sizeof want, "%s:1:35: invalid JSON: data after the top-level value", path);
	assert_string_equal(sb_last_error(), want);
	same(p, &s, "NUL");
	sb_policy_free(p);
}

static void test_unreadable(void **state)
{
	struct sb_policy *p = filled();
	char want[256], missing[160];
	struct snap s;
	FILE *f;

	(void)state;
	take(p, &s);
	snprintf(missing, sizeof missing, "%s/missing.json", dir);
	assert_int_equal(sb_policy_load_oci(p, missing), -ENOENT);
	snprintf(want, sizeof want, "%s: cannot open: %s", missing, strerror(ENOENT));
	assert_string_equal(sb_last_error(), want);
	assert_int_equal(sb_policy_load_oci(p, dir), -EISDIR);
	snprintf(want, sizeof want, "%s: cannot read: %s", dir, strerror(EISDIR));
	assert_string_equal(sb_last_error(), want);
	/* larger than OCI_MAX_FILE */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"", f);
	for (unsigned i = 0; i < OCI_MAX_FILE / 64 + 1; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123", f);
	fputs("\"}", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(sb_policy_load_oci(p, path), -EFBIG);
	snprintf(want, sizeof want, "%s: larger than %u bytes", path, OCI_MAX_FILE);
	assert_string_equal(sb_last_error(), want);
	assert_int_equal(sb_policy_load_oci(NULL, path), -EINVAL);
	assert_string_equal(sb_last_error(), "sb_policy_load_oci: no policy");
	assert_int_equal(sb_policy_load_oci(p, NULL), -EINVAL);
	assert_string_equal(sb_last_error(), "sb_policy_load_oci: no path");
	same(p, &s, "unreadable");
	sb_policy_free(p);
}

/* POLICY_MAX_RULES rules with comparisons at most, counting the policy's own */
static void test_too_many_rules(void **state)
{
	struct sb_policy *p = filled();
	struct snap s;
	char want[256];
	FILE *f;

	(void)state;
	take(p, &s);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[", f);
	for (unsigned i = 0; i < POLICY_MAX_RULES; i++) /* one argument, several values: one rule each */
		fprintf(f, "%s{\"index\":1,\"value\":%u,\"op\":\"SCMP_CMP_EQ\"}", i ? "," : "", i);
	fputs("]}]}", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(policy_load_oci(p, path, &opts_510, NULL), -E2BIG);
	snprintf(want, sizeof want,
		 "%s: too many rules with argument comparisons (%u, at most %u with the policy's 1)", path,
		 POLICY_MAX_RULES, POLICY_MAX_RULES);
	assert_string_equal(sb_last_error(), want);
	same(p, &s, "too many rules");
	sb_policy_free(p);
	/* on an empty policy they fit */
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(policy_load_oci(p, path, &opts_510, NULL), 0);
	assert_int_equal(p->nrules, POLICY_MAX_RULES);
	sb_policy_free(p);
}

/* ------------------------------------------------------------ Docker's default profile */

static int running_kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a, b;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%d.%d", &a, &b), 2);
	return a > maj || (a == maj && b >= min);
}

static struct sb_policy *docker(const struct oci_opts *o, struct oci_report *r)
{
	struct sb_policy *p = NULL;
	int rc;

	if (access(DOCKER_PROFILE, R_OK))
		fail_msg("%s: %s: run scripts/docker-profile.sh (sets RINGFENCE_DOCKER_PROFILE) or install golang-github-docker-docker-dev", DOCKER_PROFILE,
			 strerror(errno));
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	rc = o ? policy_load_oci(p, DOCKER_PROFILE, o, r) : sb_policy_load_oci(p, DOCKER_PROFILE);
	if (rc)
		fail_msg("loading %s: %d (%s)", DOCKER_PROFILE, rc, sb_last_error());
	compile(p);
	return p;
}

#define D(i) "default.json:syscalls[" #i "]"
#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
		      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* What Docker documents for its default profile, checked against the
 * profile's content as installed (profiles/seccomp/default.json of Docker
 * 20.10): an allowlist with defaultAction SCMP_ACT_ERRNO (EPERM). */
static const struct check docker_checks[] = {
	/* the plain allowlist */
	{ "read", { 0 }, SB_ACT_ALLOW, D(0) },
	{ "write", { 1 }, SB_ACT_ALLOW, D(0) },
	{ "openat", { 0 }, SB_ACT_ALLOW, D(0) },
	{ "execve", { 0 }, SB_ACT_ALLOW, D(0) },
	{ "io_uring_setup", { 0 }, SB_ACT_ALLOW, D(0) },
	/* this version of the profile allows socket() for every family (no AF_VSOCK rule) */
	{ "socket", { 40 /* AF_VSOCK */, 1 }, SB_ACT_ALLOW, D(0) },
	/* not on it: the default, EPERM */
	{ "mount", { 0 }, EPERM_, NONE },
	{ "umount2", { 0 }, EPERM_, NONE },
	{ "pivot_root", { 0 }, EPERM_, NONE },
	{ "reboot", { 0 }, EPERM_, NONE },
	{ "kexec_load", { 0 }, EPERM_, NONE },
	{ "kexec_file_load", { 0 }, EPERM_, NONE },
	{ "init_module", { 0 }, EPERM_, NONE },
	{ "finit_module", { 0 }, EPERM_, NONE },
	{ "delete_module", { 0 }, EPERM_, NONE },
	{ "keyctl", { 0 }, EPERM_, NONE },
	{ "add_key", { 0 }, EPERM_, NONE },
	{ "request_key", { 0 }, EPERM_, NONE },
	{ "bpf", { 0 }, EPERM_, NONE },
	{ "perf_event_open", { 0 }, EPERM_, NONE },
	{ "userfaultfd", { 0 }, EPERM_, NONE },
	{ "unshare", { CLONE_NEWUSER }, EPERM_, NONE },
	{ "setns", { 0 }, EPERM_, NONE },
	{ "open_by_handle_at", { 0 }, EPERM_, NONE },
	{ "syslog", { 0 }, EPERM_, NONE },
	{ "acct", { 0 }, EPERM_, NONE },
	{ "settimeofday", { 0 }, EPERM_, NONE },
	{ "clock_settime", { 0 }, EPERM_, NONE },
	{ "iopl", { 0 }, EPERM_, NONE },
	{ "ioperm", { 0 }, EPERM_, NONE },
	{ "swapon", { 0 }, EPERM_, NONE },
	{ "quotactl", { 0 }, EPERM_, NONE },
	{ "vhangup", { 0 }, EPERM_, NONE },
	{ "mbind", { 0 }, EPERM_, NONE },
	{ "process_vm_readv", { 0 }, EPERM_, NONE },
	{ "kcmp", { 0 }, EPERM_, NONE },
	/* personality: only the documented values */
	{ "personality", { 0x0 }, SB_ACT_ALLOW, D(2) },
	{ "personality", { 0x8 }, SB_ACT_ALLOW, D(3) },
	{ "personality", { 0x20000 }, SB_ACT_ALLOW, D(4) },
	{ "personality", { 0x20008 }, SB_ACT_ALLOW, D(5) },
	{ "personality", { 0xffffffff }, SB_ACT_ALLOW, D(6) },
	{ "personality", { 0x1 }, EPERM_, NONE },
	{ "personality", { 0x0400000 /* READ_IMPLIES_EXEC */ }, EPERM_, NONE },
	{ "personality", { 0x0040000 /* ADDR_NO_RANDOMIZE */ }, EPERM_, NONE },
	{ "personality", { ~0ull }, EPERM_, NONE },
	/* clone: without namespace flags (mask 0x7E020000 on flags) */
	{ "clone", { 17 /* SIGCHLD */ }, SB_ACT_ALLOW, D(14) },
	{ "clone", { THREAD_FLAGS }, SB_ACT_ALLOW, D(14) },
	{ "clone", { CLONE_NEWNS | 17 }, EPERM_, NONE },
	{ "clone", { CLONE_NEWUSER | 17 }, EPERM_, NONE },
	{ "clone", { CLONE_NEWPID | CLONE_NEWNET }, EPERM_, NONE },
	{ "clone", { CLONE_NEWIPC }, EPERM_, NONE },
	{ "clone", { CLONE_NEWUTS }, EPERM_, NONE },
	{ "clone", { CLONE_NEWCGROUP }, EPERM_, NONE },
	/* clone3: ENOSYS, so that libcs fall back to clone */
	{ "clone3", { 0 }, SB_ACT_ERRNO(ENOSYS), D(16) },
	/* CAP_SYS_CHROOT is in Docker's default set */
	{ "chroot", { 0 }, SB_ACT_ALLOW, D(19) },
	/* amd64-only entries */
	{ "arch_prctl", { 0 }, SB_ACT_ALLOW, D(9) },
	{ "modify_ldt", { 0 }, SB_ACT_ALLOW, D(10) },
	{ .call = NULL },
};

static void test_docker_default(void **state)
{
	struct sb_policy *p;
	const char *o;
	uint32_t want;

	(void)state;
	p = docker(NULL, NULL); /* the public API: this kernel, Docker's capabilities */
	run_checks("docker default", docker_checks);
	/* ptrace: allowed on kernels from 4.8 (seccomp could be bypassed with it before) */
	want = running_kernel_at_least(4, 8) ? SB_ACT_ALLOW : EPERM_;
	assert_int_equal(decide("ptrace", 0, 0, 0, &o), want);
	if (want == SB_ACT_ALLOW)
		assert_string_equal(o, D(1));
	assert_int_equal(p->default_action, EPERM_);
	sb_policy_free(p);
}

static void test_docker_kernels(void **state)
{
	const struct oci_opts k47 = { .caps = oci_docker_caps, .kernel_major = 4, .kernel_minor = 7 };
	const struct oci_opts k48 = { .caps = oci_docker_caps, .kernel_major = 4, .kernel_minor = 8 };
	struct oci_report r;
	struct sb_policy *p;
	const char *o;

	(void)state;
	p = docker(&k47, &r);
	assert_int_equal(decide("ptrace", 0, 0, 0, &o), EPERM_);
	run_checks("docker default on 4.7", docker_checks);
	assert_int_equal(r.entries, 28);
	assert_int_equal(r.applied, 11);
	sb_policy_free(p);
	p = docker(&k48, &r);
	assert_int_equal(decide("ptrace", 0, 0, 0, &o), SB_ACT_ALLOW);
	assert_string_equal(o, D(1));
	run_checks("docker default on 4.8", docker_checks);
	/* applied on amd64 with the default capabilities: the allowlist,
	 * ptrace, 5 personality values, arch_prctl, modify_ldt, clone,
	 * clone3, chroot */
	assert_int_equal(r.entries, 28);
	assert_int_equal(r.applied, 12);
	assert_int_equal(r.rules, 6); /* personality x5, clone */
	assert_int_equal(p->nrules, 6);
	assert_true(r.unknown > 0); /* other architectures' names (_llseek, ...) */
	assert_int_equal(r.redundant, 0);
	assert_int_equal(r.dropped, 0);
	sb_policy_free(p);
}

static void test_docker_caps(void **state)
{
	static const char *const admin[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", NULL,
	};
	const struct oci_opts o_admin = { .caps = admin, .kernel_major = 4, .kernel_minor = 7 };
	const struct oci_opts o_none = { .caps = no_caps, .kernel_major = 5, .kernel_minor = 10 };
	/* --cap-add SYS_ADMIN --cap-add SYS_PTRACE */
	const struct check with_admin[] = {
		{ "mount", { 0 }, SB_ACT_ALLOW, D(13) },
		{ "unshare", { CLONE_NEWNS }, SB_ACT_ALLOW, D(13) },
		{ "clone", { CLONE_NEWNS | 17 }, SB_ACT_ALLOW, D(13) },
		{ "clone3", { 0 }, SB_ACT_ALLOW, D(13) },
		{ "bpf", { 0 }, SB_ACT_ALLOW, D(13) },
		{ "ptrace", { 0 }, SB_ACT_ALLOW, D(22) }, /* on 4.7 too, with CAP_SYS_PTRACE */
		{ "process_vm_readv", { 0 }, SB_ACT_ALLOW, D(22) },
		{ "reboot", { 0 }, EPERM_, NONE },
		{ "personality", { 0x1 }, EPERM_, NONE },
		{ .call = NULL },
	};
	/* --cap-drop ALL */
	const struct check without[] = {
		{ "chroot", { 0 }, EPERM_, NONE },
		{ "clone", { 17 }, SB_ACT_ALLOW, D(14) },
		{ "clone3", { 0 }, SB_ACT_ERRNO(ENOSYS), D(16) },
		{ "read", { 0 }, SB_ACT_ALLOW, D(0) },
		{ .call = NULL },
	};
	struct sb_policy *p;

	(void)state;
	p = docker(&o_admin, NULL);
	run_checks("docker default, CAP_SYS_ADMIN", with_admin);
	sb_policy_free(p);
	p = docker(&o_none, NULL);
	run_checks("docker default, no capabilities", without);
	sb_policy_free(p);
}

/* ------------------------------------------------------------ main */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s", "/tmp/test_policy_oci.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/p.json", dir);
	cp = calloc(1, sizeof *cp);
	return cp ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	free(cp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_cases),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_onto_policy),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_nesting_and_nul),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_too_many_rules),
		cmocka_unit_test(test_docker_default),
		cmocka_unit_test(test_docker_kernels),
		cmocka_unit_test(test_docker_caps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
