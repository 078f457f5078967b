/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/landlock.h: the policy's path rules, enforced by the kernel (Landlock). */
#ifndef SB_LANDLOCK_H
#define SB_LANDLOCK_H

#include <stddef.h>

struct sb_policy;

/* Restrict the calling thread (the monitor, which makes every forwarded
 * call) to the policy's unveiled paths. Nothing to do without path rules.
 * Return 0 or a negative errno with a message in err. */
int landlock_apply(const struct sb_policy *pol, char *err, size_t errlen);

#endif
