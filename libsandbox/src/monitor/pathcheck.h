/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/pathcheck.h: path rules for the metadata calls Landlock does not cover. */
#ifndef SB_PATHCHECK_H
#define SB_PATHCHECK_H

#include "vault.h"

/* With paths unveiled, carry out metadata call nr itself (stat, access,
 * readlink, chmod, chown, utimes, statfs, ...) on what the kernel resolved
 * if it lies in an unveiled tree. 1: handled, *ret is the result; 0: not
 * such a call (or no paths unveiled): go on. */
int path_meta(struct sb_mon *m, long nr, long *a, long *ret);

/* scratch offset for its two path buffers (monitor/syscall.c's layout) */
#define SCR_PATH 0x20000

#endif
