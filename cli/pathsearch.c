/* SPDX-License-Identifier: MIT */
/* cli/pathsearch.c: find a program on PATH as a shell does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pathsearch.h"

int rf_find_program(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *e;
	char cand[4096];
	int found_other = 0;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if (strlen(name) >= outlen)
			return -ENAMETOOLONG;
		strcpy(out, name);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = e + 1) {
		struct stat st;
		size_t dl;
		int n;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		dl = (size_t)(e - p);
		n = dl ? snprintf(cand, sizeof cand, "%.*s/%s", (int)dl, p, name) : snprintf(cand, sizeof cand, "%s", name);
		if (n > 0 && (size_t)n < sizeof cand && !stat(cand, &st) && !S_ISDIR(st.st_mode)) {
			if (S_ISREG(st.st_mode) && !faccessat(AT_FDCWD, cand, X_OK, AT_EACCESS)) {
				if ((size_t)n >= outlen)
					return -ENAMETOOLONG;
				strcpy(out, cand);
				return 0;
			}
			if (!found_other && (size_t)n < outlen) {
				strcpy(out, cand);
				found_other = 1;
			}
		}
		if (!*e)
			break;
	}
	return found_other ? 0 : -ENOENT;
}
