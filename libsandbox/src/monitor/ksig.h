/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/ksig.h: the kernel's signal ABI as the monitor uses it (signal.c, sigframe.c). */
#ifndef SB_KSIG_H
#define SB_KSIG_H

#define SA_RESTORER_K 0x04000000ul
#define KSIG_BIT(s) (1ull << ((s) - 1))
#define SIGSET_SIZE 8 /* the kernel's sigset_t */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

#endif
