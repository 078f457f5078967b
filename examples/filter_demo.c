/* SPDX-License-Identifier: MIT */
/* examples/filter_demo.c: a program that opens what it needs, enters the sandbox, and is refused the rest.
 *
 * The pattern of every self-sandboxing program: initialize (open files,
 * read configuration), then sb_enter() with a policy that allows only what
 * the rest of the run needs. Here the policy refuses opening any further
 * file (EPERM) and ends the process if it ever tries to create a socket;
 * every refusal is reported on stderr by the monitor.
 *
 * usage: filter_demo [FILE]   (default /proc/version)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sandbox.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/version";
	struct sb_policy *pol = NULL;
	char line[256];
	FILE *in;
	int rc;

	/* 1. initialize while still outside */
	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "filter_demo: %s: %s\n", path, strerror(errno));
		return 1;
	}

	/* 2. the policy: everything but opening files and making sockets */
	rc = sb_policy_new(SB_ACT_ALLOW, &pol);
	if (!rc)
		rc = sb_policy_add_name(pol, "openat", SB_ACT_ERRNO(EPERM));
	if (!rc)
		rc = sb_policy_add_name(pol, "open", SB_ACT_ERRNO(EPERM));
	if (!rc)
		rc = sb_policy_add_name(pol, "socket", SB_ACT_KILL);
	if (!rc)
		rc = sb_policy_log_denials(pol, STDERR_FILENO);
	if (rc) {
		fprintf(stderr, "filter_demo: policy: %s\n", strerror(-rc));
		return 1;
	}

	/* 3. enter: from here on this process runs inside a virtual machine */
	rc = sb_enter(pol);
	sb_policy_free(pol);
	if (rc) {
		fprintf(stderr, "filter_demo: sb_enter: %s\n  %s\n", strerror(-rc), sb_last_error());
		return 1;
	}
	printf("inside the sandbox (libsandbox %s), pid %d\n", sb_version(), (int)getpid());

	/* 4. what was opened before still works */
	if (fgets(line, sizeof line, in))
		printf("first line of %s: %s", path, line);
	fclose(in);

	/* 5. a new open is refused by the policy, and the monitor says so */
	if (open("/etc/passwd", O_RDONLY) < 0)
		printf("open(\"/etc/passwd\") refused: %s\n", strerror(errno));
	else
		printf("open(\"/etc/passwd\") unexpectedly allowed\n");
	fflush(stdout);
	return 0;
}
