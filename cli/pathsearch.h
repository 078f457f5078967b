/* SPDX-License-Identifier: MIT */
/* cli/pathsearch.h: find a program on PATH as a shell does. */
#ifndef RF_PATHSEARCH_H
#define RF_PATHSEARCH_H

#include <stddef.h>

/* A name with a '/' is used as it is. Otherwise each PATH directory (an
 * empty entry is the current directory; PATH unset: /usr/local/bin:/usr/bin:/bin)
 * is tried in order: the first regular file there that the caller may
 * execute wins; failing that, the first that exists (so that running it
 * reports why it cannot run). Return 0 with the path in out, -ENOENT, or
 * -ENAMETOOLONG. */
int rf_find_program(const char *name, char *out, size_t outlen);

#endif
