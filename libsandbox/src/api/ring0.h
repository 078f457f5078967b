/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/ring0.h: Dune mode (SB_ENTER_RING0), the set-up half. */
#ifndef SB_API_RING0_H
#define SB_API_RING0_H

#include "../monitor/vault.h"

/* Entry in ring-0 mode, after the sys area is mapped: map the page-table
 * pool read-only (supervisor) in the guest, and keep the layout for
 * sb_ring0_info(). 0 or a negative errno. */
int ring0_prepare(struct sb_mon *m);
/* The point of no return was passed in ring-0 mode: sb_ring0_info() answers. */
void ring0_entered(void);

#endif
