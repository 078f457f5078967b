/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/api.c: version, last error, inside flag. */
#include <stdarg.h>
#include <stdio.h>
#include "api.h"

#define STR2(x) #x
#define STR(x) STR2(x)

static __thread char last_error[512];
/* Informational only: lives in the process's memory, which the sandboxed
 * process can write; the monitor never reads it. */
static int inside;

const char *sb_version(void)
{
	return STR(SB_VERSION_MAJOR) "." STR(SB_VERSION_MINOR) "." STR(SB_VERSION_PATCH);
}

void sb_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
}

int sb_fail(int rc, const char *msg)
{
	sb_set_error("%s", msg);
	return rc;
}

const char *sb_last_error(void)
{
	return last_error;
}

void sb_mark_inside(void)
{
	inside = 1;
}

int sb_inside(void)
{
	return inside;
}
