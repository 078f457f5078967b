/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/mirror.h: keep the guest's view of memory equal to the host's. */
#ifndef SB_MIRROR_H
#define SB_MIRROR_H

#include <stdint.h>
#include "vault.h"

/* 1 if [lo, hi) reaches the vault or its guards. */
int mirror_in_vault(const struct sb_mon *m, uint64_t lo, uint64_t hi);
/* 1 if [lo, hi) reaches the vault or libsandbox's own image: no memory call may touch it. */
int mirror_protected(const struct sb_mon *m, uint64_t lo, uint64_t hi);

/* The host mapped [lo, hi) with prot: cover it with memory windows and map
 * it in the guest (PROT_NONE: unmap). Return 0 or a negative errno. */
int mirror_set(struct sb_mon *m, uint64_t lo, uint64_t hi, int prot);
/* The host unmapped [lo, hi). */
int mirror_clear(struct sb_mon *m, uint64_t lo, uint64_t hi);
/* Rebuild the guest's view of [lo, hi) from /proc/self/maps. */
int mirror_resync(struct sb_mon *m, uint64_t lo, uint64_t hi);

/* Guest-physical address of host address hva, 0 if no window covers it. */
uint64_t mirror_gpa(const struct sb_mon *m, uint64_t hva);
/* Add a window for [lo, hi) (any alignment, not chunk-rounded): for the vault's own areas. */
int mirror_window_exact(struct sb_mon *m, uint64_t lo, uint64_t hi, uint64_t *gpa);

#endif
