/* SPDX-License-Identifier: MIT */
/* cli/main.c: `ringfence run`: wrap an unmodified program in a Ringfence sandbox.
 *
 * Parse the command line, build the policy and the program's environment,
 * find the program on PATH, and hand the process to sb_exec(): from then
 * on the process is the program inside the VM and ends as it ends. Every
 * failure before that is one line on stderr and a shell-like status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sandbox.h>
#include "options.h"
#include "pathsearch.h"
#include "policy_build.h"

extern char **environ;

/* The program's environment: the caller's (or none with --clearenv), then
 * each --env NAME=VALUE in order (a later one replaces an earlier NAME);
 * --env NAME copies the caller's NAME if it has one. */
static char **build_env(const struct rf_opts *o)
{
	size_t n = 0, cap, k = 0;
	char **env;

	if (!o->clearenv)
		while (environ && environ[n])
			n++;
	cap = n + (size_t)o->nenv + 1;
	env = calloc(cap, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[k++] = environ[i];
	for (int i = 0; i < o->nenv; i++) {
		const char *v = o->env[i], *eq = strchr(v, '=');
		size_t nl = eq ? (size_t)(eq - v) : strlen(v);
		char *val = (char *)v;
		size_t j;

		if (!eq) {
			const char *cur = getenv(v);
			size_t len;

			if (!cur)
				continue;
			len = nl + 1 + strlen(cur) + 1;
			val = malloc(len);
			if (!val) {
				free(env);
				return NULL;
			}
			snprintf(val, len, "%s=%s", v, cur);
		}
		for (j = 0; j < k; j++)
			if (!strncmp(env[j], v, nl) && env[j][nl] == '=')
				break;
		env[j] = val;
		if (j == k)
			k++;
	}
	env[k] = NULL;
	return env;
}

int main(int argc, char **argv)
{
	struct rf_opts o;
	enum rf_cmd cmd;
	struct sb_policy *pol = NULL;
	char path[4096];
	char **env;
	int rc;

	/* the second half of an execve inside a sandbox (monitor/exec.c):
	 * ringfence --exec-inner STATE_FD PATH ARGV... */
	if (argc >= 4 && !strcmp(argv[1], "--exec-inner")) {
		char *end;
		long fd = strtol(argv[2], &end, 10);

		if (*end || fd < 0 || fd > 65535) {
			fprintf(stderr, "ringfence: --exec-inner: bad state fd\n");
			return RF_EXIT_LAUNCHER;
		}
		rc = sb_exec_resume((int)fd, argv[3], argv + 4, environ);
		fprintf(stderr, "ringfence: %s\n", *sb_last_error() ? sb_last_error() : strerror(-rc));
		return rc == -ENOENT ? RF_EXIT_NOT_FOUND : RF_EXIT_CANNOT_EXEC;
	}
	if (rf_parse(argc, argv, &o, &cmd) < 0)
		return RF_EXIT_LAUNCHER;
	if (cmd == RF_CMD_HELP) {
		rf_usage(stdout);
		return 0;
	}
	if (cmd == RF_CMD_VERSION) {
		printf("ringfence %s\n", sb_version());
		return 0;
	}
	if (rf_build_policy(&o, &pol))
		return RF_EXIT_LAUNCHER;
	env = build_env(&o);
	if (!env) {
		fprintf(stderr, "ringfence: out of memory\n");
		return RF_EXIT_LAUNCHER;
	}
	rc = rf_find_program(o.argv[0], path, sizeof path);
	if (rc) {
		fprintf(stderr, "ringfence: %s: %s\n", o.argv[0],
			rc == -ENOENT ? "command not found" : strerror(-rc));
		return RF_EXIT_NOT_FOUND;
	}
	/* the launcher's choice of backend: the environment the library reads,
	 * set after the program's environment was copied */
	if (o.backend && setenv("RINGFENCE_BACKEND", o.backend, 1)) {
		fprintf(stderr, "ringfence: cannot set the backend: %s\n", strerror(errno));
		return RF_EXIT_LAUNCHER;
	}
	fflush(stdout);
	fflush(stderr);
	/* --exitless auto: the library's RINGFENCE_EXITLESS=auto, in this process only */
	if (o.exitless == 3 && setenv("RINGFENCE_EXITLESS", "auto", 1)) {
		fprintf(stderr, "ringfence: setenv: %s\n", strerror(errno));
		return 125;
	}
	rc = sb_exec_flags(pol, path, o.argv, env,
			   (o.ring0 ? SB_ENTER_RING0 : 0) | (o.exitless == 1 ? SB_ENTER_EXITLESS : 0) |
				   (o.exitless == 2 ? SB_ENTER_NO_EXITLESS : 0));
	/* only failures come back */
	fprintf(stderr, "ringfence: %s\n", *sb_last_error() ? sb_last_error() : strerror(-rc));
	sb_policy_free(pol);
	free(env);
	/* sb_exec() names the program first exactly when the program could not
	 * be loaded; anything else is the sandbox that could not be built */
	if (strncmp(sb_last_error(), path, strlen(path)) || strncmp(sb_last_error() + strlen(path), ": ", 2))
		return RF_EXIT_LAUNCHER;
	return rc == -ENOENT ? RF_EXIT_NOT_FOUND : RF_EXIT_CANNOT_EXEC;
}
