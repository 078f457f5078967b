/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/landlock.h: the policy's path rules, enforced by the kernel (Landlock). */
#ifndef SB_LANDLOCK_H
#define SB_LANDLOCK_H

#include <stddef.h>

struct sb_policy;

/* Restrict the calling thread (the monitor, which makes every forwarded
 * call) to the policy's unveiled paths. Nothing to do without path rules.
 * Return 0 or a negative errno with a message in err. */
/* with_launcher: the process was started by sb_exec(), and an execve
 * inside runs the launcher again: its executable, its loader and its
 * libraries get read and execute rights (file rules, nothing else). */
int landlock_apply(const struct sb_policy *pol, int with_launcher, char *err, size_t errlen);

#endif
