/* SPDX-License-Identifier: MIT */
/* cli/options.c: parse the command line of `ringfence`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sandbox.h>
#include "options.h"

void rf_usage(FILE *f)
{
	fputs("usage: ringfence run [OPTIONS] [--] PROGRAM [ARGS...]\n"
	      "       ringfence --help | --version\n"
	      "\n"
	      "Run PROGRAM (found on PATH like a shell does) inside a Ringfence sandbox: a\n"
	      "hardware virtual machine around the process, and a policy on every system call.\n"
	      "\n"
	      "Policy (without --policy, --pledge or --seccomp-profile the built-in default\n"
	      "applies: pledge \"" "stdio rpath wpath cpath dpath tmppath fattr chown flock tty\n"
	      "prot_exec getpw unix inet dns proc exec id" "\", everything else fails with EPERM):\n"
	      "  --policy FILE            text policy file (docs/policy.md); repeatable\n"
	      "  --pledge \"PROMISES\"      allow the calls of these OpenBSD-style promises\n"
	      "                           (a dynamic program needs prot_exec to map its libraries)\n"
	      "  --exec-pledge \"PROMISES\" the promises of the programs it executes (pledge's\n"
	      "                           execpromises; default: the same policy)\n"
	      "  --unveil PATH:PERMS      make PATH visible with PERMS from r w x c; repeatable;\n"
	      "                           once given, every other path is out of reach\n"
	      "  --seccomp-profile FILE   an OCI/Docker seccomp JSON profile; repeatable\n"
	      "  --default-action ACTION  errno (EPERM, the default), kill, trap or log:\n"
	      "                           for calls no rule names (overrides a file's default)\n"
	      "  --log FILE|-             audit refused calls as JSON lines to FILE (- : stderr)\n"
	      "  --log-backtrace          add the program's backtrace to each audit record\n"
	      "Process:\n"
	      "  --env NAME=VALUE         set a variable for the program (NAME alone: copy\n"
	      "                           the caller's); repeatable\n"
	      "  --clearenv               start the program with an empty environment\n"
	      "  --backend auto|kvm|kmod  the virtualization backend (default auto: kvm)\n"
	      "  --max-tasks N            at most N processes and threads in the sandbox\n"
	      "                           (default 1024, or a policy file's 'limit tasks';\n"
	      "                           0: no limit); beyond it fork and clone fail (EAGAIN)\n"
	      "  --ring0                  Dune mode: run PROGRAM at guest ring 0, with the CPU's\n"
	      "                           privileged features (own page tables, own IDT); its\n"
	      "                           system calls still go through the policy\n"
	      "  --exitless on|off|auto   the exitless channel: quick calls made by a worker\n"
	      "                           thread without a VM exit (VT-x hosts, kvm backend;\n"
	      "                           auto: while threads < CPUs). Default: the variable\n"
	      "                           RINGFENCE_EXITLESS, else auto\n"
	      "\n"
	      "Exit status: the program's; 128+N if signal N killed it (the launcher dies\n"
	      "of the same signal); a call the policy kills ends it with SIGSYS (159);\n"
	      "125 if ringfence itself fails, 126 if PROGRAM cannot be run, 127 if it is\n"
	      "not found.\n"
	      "\n"
	      "Examples:\n"
	      "  ringfence run -- ls -l /\n"
	      "  ringfence run --pledge \"stdio rpath prot_exec\" --log - -- sort -o /tmp/x in.txt\n"
	      "  ringfence run --unveil /tmp:rwc --unveil /usr:rx -- python3 -c 'print(1)'\n"
	      "  ringfence run --seccomp-profile docker-default.json -- /bin/true\n"
	      "\n"
	      "See ringfence(1) in docs/ringfence.1.\n",
	      f);
}

static int add(const char **list, int *n, const char *v, const char *opt)
{
	if (*n >= RF_MAX_LIST) {
		fprintf(stderr, "ringfence: too many %s options (at most %d)\n", opt, RF_MAX_LIST);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

static int parse_action(const char *s, uint32_t *out)
{
	if (!strcmp(s, "errno"))
		*out = SB_ACT_ERRNO(EPERM);
	else if (!strcmp(s, "kill"))
		*out = SB_ACT_KILL;
	else if (!strcmp(s, "trap"))
		*out = SB_ACT_TRAP;
	else if (!strcmp(s, "log"))
		*out = SB_ACT_LOG;
	else
		return -1;
	return 0;
}

enum {
	O_POLICY = 256, O_PLEDGE, O_EXEC_PLEDGE, O_UNVEIL, O_PROFILE, O_LOG, O_LOG_BT, O_DEFAULT, O_BACKEND, O_ENV, O_CLEARENV,
	O_VERSION, O_MAX_TASKS, O_RING0, O_EXITLESS,
};

int rf_parse(int argc, char **argv, struct rf_opts *o, enum rf_cmd *cmd)
{
	static const struct option lo[] = {
		{ "policy", required_argument, 0, O_POLICY },
		{ "pledge", required_argument, 0, O_PLEDGE },
		{ "exec-pledge", required_argument, 0, O_EXEC_PLEDGE },
		{ "unveil", required_argument, 0, O_UNVEIL },
		{ "seccomp-profile", required_argument, 0, O_PROFILE },
		{ "log", required_argument, 0, O_LOG },
		{ "log-backtrace", no_argument, 0, O_LOG_BT },
		{ "default-action", required_argument, 0, O_DEFAULT },
		{ "backend", required_argument, 0, O_BACKEND },
		{ "env", required_argument, 0, O_ENV },
		{ "clearenv", no_argument, 0, O_CLEARENV },
		{ "max-tasks", required_argument, 0, O_MAX_TASKS },
		{ "ring0", no_argument, 0, O_RING0 },
		{ "exitless", required_argument, 0, O_EXITLESS },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, O_VERSION },
		{ 0, 0, 0, 0 },
	};
	int c;

	memset(o, 0, sizeof *o);
	o->default_action = SB_ACT_ERRNO(EPERM);
	o->max_tasks = -1;
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		*cmd = RF_CMD_HELP;
		return RF_CMD_HELP;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		*cmd = RF_CMD_VERSION;
		return RF_CMD_VERSION;
	}
	if (argc < 2 || strcmp(argv[1], "run")) {
		fprintf(stderr, "ringfence: %s%s (try 'ringfence --help')\n",
			argc < 2 ? "missing command" : "unknown command: ", argc < 2 ? "" : argv[1]);
		return -1;
	}
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	/* '+': stop at the first non-option, the program */
	while ((c = getopt_long(argc, argv, "+:h", lo, NULL)) != -1) {
		switch (c) {
		case O_MAX_TASKS: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (!*optarg || *end || n < 0 || n > SB_MAX_TASKS) {
				fprintf(stderr, "ringfence: --max-tasks %s: not a number of tasks in 0..%d\n", optarg,
					SB_MAX_TASKS);
				return -1;
			}
			o->max_tasks = n;
			break;
		}
		case O_POLICY:
			if (add(o->policy, &o->npolicy, optarg, "--policy"))
				return -1;
			break;
		case O_PROFILE:
			if (add(o->profile, &o->nprofile, optarg, "--seccomp-profile"))
				return -1;
			break;
		case O_PLEDGE:
			if (o->pledge) {
				fprintf(stderr, "ringfence: --pledge given twice (put all promises in one)\n");
				return -1;
			}
			o->pledge = optarg;
			break;
		case O_EXEC_PLEDGE:
			if (o->exec_pledge) {
				fprintf(stderr, "ringfence: --exec-pledge given twice (put all promises in one)\n");
				return -1;
			}
			o->exec_pledge = optarg;
			break;
		case O_UNVEIL:
			if (add(o->unveil, &o->nunveil, optarg, "--unveil"))
				return -1;
			break;
		case O_ENV:
			if (add(o->env, &o->nenv, optarg, "--env"))
				return -1;
			break;
		case O_CLEARENV:
			o->clearenv = 1;
			break;
		case O_RING0:
			o->ring0 = 1;
			break;
		case O_EXITLESS:
			if (!strcmp(optarg, "on"))
				o->exitless = 1;
			else if (!strcmp(optarg, "off"))
				o->exitless = 2;
			else if (!strcmp(optarg, "auto"))
				o->exitless = 3;
			else {
				fprintf(stderr, "ringfence: --exitless takes on, off or auto, not '%s'\n", optarg);
				return -1;
			}
			break;
		case O_LOG:
			o->log = optarg;
			break;
		case O_LOG_BT:
			o->log_backtrace = 1;
			break;
		case O_DEFAULT:
			if (parse_action(optarg, &o->default_action)) {
				fprintf(stderr, "ringfence: --default-action: '%s' is not one of errno, kill, trap, log\n",
					optarg);
				return -1;
			}
			o->default_set = 1;
			break;
		case O_BACKEND:
			if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") && strcmp(optarg, "kmod")) {
				fprintf(stderr, "ringfence: --backend: '%s' is not one of auto, kvm, kmod\n", optarg);
				return -1;
			}
			o->backend = optarg;
			break;
		case 'h':
			*cmd = RF_CMD_HELP;
			return RF_CMD_HELP;
		case O_VERSION:
			*cmd = RF_CMD_VERSION;
			return RF_CMD_VERSION;
		case ':':
			fprintf(stderr, "ringfence: option %s needs a value\n", argv[optind - 1]);
			return -1;
		default:
			if (optopt)
				fprintf(stderr, "ringfence: unknown option -%c (try 'ringfence --help')\n", optopt);
			else
				fprintf(stderr, "ringfence: unknown option %s (try 'ringfence --help')\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ringfence: run: no program given (try 'ringfence --help')\n");
		return -1;
	}
	o->argv = argv + optind;
	*cmd = RF_CMD_RUN;
	return RF_CMD_RUN;
}
