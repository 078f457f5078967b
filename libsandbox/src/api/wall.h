/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/wall.h: the second wall, the host process's own seccomp filter. */
#ifndef SB_WALL_H
#define SB_WALL_H

#include "../monitor/vault.h"

/* Confine the calling (monitor) thread: only the system calls the monitor
 * makes itself, plus those the policy can forward. Anything else kills the
 * process: the monitor never makes such a call unless it has been taken
 * over. Sets no_new_privs. Return 0 or a negative errno. */
int wall_install(const struct sb_mon *m);

#endif
