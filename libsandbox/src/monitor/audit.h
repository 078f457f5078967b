/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/audit.h: the audit log (JSON lines). */
#ifndef SB_AUDIT_H
#define SB_AUDIT_H

#include <stdint.h>
#include "vault.h"

/* Record call nr (arguments a) and what was decided: act (SB_ACT_*), err
 * (the negative errno the call got, 0 if none), rule (what decided: a
 * policy origin, "integrity: ...", or NULL for the default action). */
void audit_log(struct sb_mon *m, long nr, const long *a, uint32_t act, long err, const char *rule);

#endif
