/* SPDX-License-Identifier: MIT */
/* examples/policy_file_demo.c: a policy from a text file, with path rules, and what it refuses.
 *
 * usage: policy_file_demo POLICY_FILE DIR
 * Loads POLICY_FILE (see examples/policies/readonly.rf), unveils DIR for
 * reading, enters, then tries: reading a file in DIR (allowed), opening one
 * for writing (refused by the policy's rule on openat's flags), reading
 * /proc/version (outside the unveiled path: refused by the kernel) and
 * making a socket (refused by the policy). Refusals are audited on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sandbox.h>

static void try(const char *what, int rc)
{
	printf("%-40s %s\n", what, rc >= 0 ? "allowed" : strerror(errno));
	if (rc >= 0)
		close(rc);
}

int main(int argc, char **argv)
{
	struct sb_policy *pol = NULL;
	char path[512];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s POLICY_FILE DIR\n", argv[0]);
		return 2;
	}
	rc = sb_policy_new(SB_ACT_ALLOW, &pol);
	if (!rc)
		rc = sb_policy_load(pol, argv[1]);
	if (!rc)
		rc = sb_policy_unveil(pol, argv[2], "r");
	if (!rc)
		rc = sb_policy_log_denials(pol, STDERR_FILENO);
	if (!rc)
		rc = sb_enter(pol);
	if (rc) {
		fprintf(stderr, "policy_file_demo: %s: %s\n", strerror(-rc), sb_last_error());
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(path, sizeof path, "%s/%s", argv[2], "readme.txt");
	try("read a file in the unveiled directory", open(path, O_RDONLY));
	try("open it for writing", open(path, O_WRONLY));
	try("read /proc/version (not unveiled)", open("/proc/version", O_RDONLY));
	try("make a socket", socket(AF_INET, SOCK_STREAM, 0));
	return 0;
}
