/* SPDX-License-Identifier: MIT */
/* cli/policy_build.c: turn --policy, --pledge, --seccomp-profile, --unveil, --log and --default-action into one policy.
 *
 * Order: the policy starts with the --default-action (EPERM if not given);
 * policy files, then profiles, then the promises are added; an explicit
 * --default-action is applied again last, so it wins over a file's or a
 * profile's own default. With no policy source at all the built-in
 * default promises apply. --unveil adds path rules to whatever policy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "policy_build.h"

static int report(int rc, const char *what, const char *arg)
{
	const char *why = sb_last_error();

	fprintf(stderr, "ringfence: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
		why && *why ? why : strerror(-rc));
	return rc;
}

static int add_unveil(struct sb_policy *pol, const char *spec)
{
	char path[4096];
	const char *colon = strrchr(spec, ':');
	size_t n;
	int rc;

	if (!colon || colon == spec || !colon[1]) {
		fprintf(stderr, "ringfence: --unveil %s: expected PATH:PERMS, PERMS from r w x c\n", spec);
		return -EINVAL;
	}
	n = (size_t)(colon - spec);
	if (n >= sizeof path) {
		fprintf(stderr, "ringfence: --unveil: path too long\n");
		return -ENAMETOOLONG;
	}
	memcpy(path, spec, n);
	path[n] = '\0';
	if (access(path, F_OK)) {
		fprintf(stderr, "ringfence: --unveil %s: %s: %s\n", spec, path, strerror(errno));
		return -errno;
	}
	rc = sb_policy_unveil(pol, path, colon + 1);
	if (rc) {
		fprintf(stderr, "ringfence: --unveil %s: %s\n", spec,
			rc == -EINVAL ? "bad permissions (use r, w, x, c)" : strerror(-rc));
		return rc;
	}
	return 0;
}

static int open_log(const char *log)
{
	int fd;

	if (!strcmp(log, "-"))
		return fcntl(2, F_DUPFD_CLOEXEC, 3);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	return fd;
}

/* the exec policy lives as long as the launcher: the library reads it at entry */
static struct sb_policy *exec_pol;

int rf_build_policy(const struct rf_opts *o, struct sb_policy **out)
{
	struct sb_policy *pol = NULL;
	int rc, i, fd = -1;

	rc = sb_policy_new(o->default_action, &pol);
	if (rc)
		return report(rc, "cannot create the policy", NULL);
	/* a fork bomb ends at the limit: the default, a file's "limit tasks"
	 * line, then --max-tasks, each overriding the one before */
	rc = sb_policy_set_max_tasks(pol, RF_DEFAULT_MAX_TASKS);
	if (rc)
		goto fail;
	for (i = 0; i < o->npolicy; i++) {
		rc = sb_policy_load(pol, o->policy[i]);
		if (rc) {
			report(rc, "--policy", o->policy[i]);
			goto fail;
		}
	}
	for (i = 0; i < o->nprofile; i++) {
		rc = sb_policy_load_oci(pol, o->profile[i]);
		if (rc) {
			report(rc, "--seccomp-profile", o->profile[i]);
			goto fail;
		}
	}
	if (o->pledge || (!o->npolicy && !o->nprofile)) {
		const char *promises = o->pledge ? o->pledge : RF_DEFAULT_PROMISES;

		rc = sb_policy_pledge(pol, promises);
		if (rc) {
			report(rc, "--pledge", promises);
			goto fail;
		}
	}
	if (o->default_set) {
		rc = sb_policy_set_default(pol, o->default_action);
		if (rc) {
			report(rc, "--default-action", NULL);
			goto fail;
		}
	}
	if (o->exec_pledge) {
		rc = sb_policy_new(o->default_action, &exec_pol);
		if (!rc)
			rc = sb_policy_pledge(exec_pol, o->exec_pledge);
		if (rc) {
			report(rc, "--exec-pledge", o->exec_pledge);
			goto fail;
		}
		rc = sb_policy_set_exec(pol, exec_pol);
		if (rc) {
			report(rc, "--exec-pledge", NULL);
			goto fail;
		}
	}
	if (o->max_tasks >= 0) {
		rc = sb_policy_set_max_tasks(pol, (unsigned int)o->max_tasks);
		if (rc) {
			report(rc, "--max-tasks", NULL);
			goto fail;
		}
	}
	for (i = 0; i < o->nunveil; i++) {
		rc = add_unveil(pol, o->unveil[i]);
		if (rc)
			goto fail;
	}
	if (o->log) {
		fd = open_log(o->log);
		if (fd < 0) {
			rc = -errno;
			fprintf(stderr, "ringfence: --log %s: %s\n", o->log, strerror(errno));
			goto fail;
		}
		/* close-on-exec: the monitor takes a hidden duplicate at entry,
		 * and sb_exec() closes this one as execve(2) would */
		rc = sb_policy_audit(pol, fd, o->log_backtrace ? SB_AUDIT_BACKTRACE : 0);
		if (rc) {
			close(fd);
			report(rc, "--log", o->log);
			goto fail;
		}
	}
	*out = pol;
	return 0;
fail:
	sb_policy_free(pol);
	return rc;
}
