/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/api.h: helpers shared by the public entry points. */
#ifndef SB_API_H
#define SB_API_H

#include "../../include/sandbox.h"

/* set the thread's last-error message */
__attribute__((format(printf, 1, 2))) void sb_set_error(const char *fmt, ...);
/* set the message and return rc */
int sb_fail(int rc, const char *msg);
void sb_mark_inside(void);

#endif
