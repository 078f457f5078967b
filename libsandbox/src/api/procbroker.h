/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/procbroker.h: the /proc broker for forked children under path rules (procbroker.c). */
#ifndef SB_PROCBROKER_H
#define SB_PROCBROKER_H

/* Start the broker; return the monitor's end of its socket (close-on-exec)
 * or a negative errno. Call before Landlock and the second wall. */
int procbroker_start(void);
/* (the request side is the monitor's: monitor/broker.c) */

#endif
