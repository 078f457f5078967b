/* SPDX-License-Identifier: MIT */
/* tests/integration/t_smoke.c: the smallest sandboxed program: enter, print, exit 7. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sandbox.h>

int main(void)
{
	int rc = sb_enter(NULL);

	if (rc) {
		fprintf(stderr, "sb_enter: %s: %s\n", strerror(-rc), sb_last_error());
		return 1;
	}
	printf("inside=%d pid=%ld\n", sb_inside(), (long)syscall(SYS_getpid));
	fflush(stdout);
	return 7;
}
