/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/mirror.h: keep the guest's view of memory equal to the host's. */
#ifndef SB_MIRROR_H
#define SB_MIRROR_H

#include <stdint.h>
#include "vault.h"

/* 1 if [lo, hi) reaches the vault or its guards. */
int mirror_in_vault(const struct sb_mon *m, uint64_t lo, uint64_t hi);
/* 1 if [lo, hi) reaches a hidden range (the launcher's mappings, sb_exec). */
int mirror_hidden(const struct sb_mon *m, uint64_t lo, uint64_t hi);
/* 1 if [lo, hi) reaches the vault or a hidden range: no guest buffer may lie there. */
int mirror_off_limits(const struct sb_mon *m, uint64_t lo, uint64_t hi);
/* 1 if [lo, hi) reaches the vault, libsandbox's own image or a hidden
 * range: no memory call may touch it. */
int mirror_protected(const struct sb_mon *m, uint64_t lo, uint64_t hi);
/* Add [lo, hi) to the hidden ranges (set-up only; merges with a neighbour). */
int mirror_hide(struct sb_mon *m, uint64_t lo, uint64_t hi);

/* The host mapped [lo, hi) with prot: cover it with memory windows and map
 * it in the guest (PROT_NONE: unmap). Return 0 or a negative errno. */
int mirror_set(struct sb_mon *m, uint64_t lo, uint64_t hi, int prot);
/* mirror_set() for the parts of [lo, hi) outside the vault and hidden ranges. */
int mirror_set_visible(struct sb_mon *m, uint64_t lo, uint64_t hi, int prot);
/* The host unmapped [lo, hi). */
int mirror_clear(struct sb_mon *m, uint64_t lo, uint64_t hi);
/* Mappings larger than this are mirrored on demand, a 2 MiB chunk per fault. */
#define SB_LAZY_MIN (1ull << 30)

/* A guest page fault at addr (not-present): bring in the 2 MiB chunk around
 * it from the host's mappings. 1 if the access can now succeed. */
int mirror_fault(struct sb_mon *m, uint64_t addr, int write, int exec);
/* 1 if the host has a mapping at addr (the process's own, outside the
 * vault and hidden ranges), whatever its protection: a fault there is
 * SEGV_ACCERR, as natively for a PROT_NONE page. */
int mirror_host_mapped(struct sb_mon *m, uint64_t addr);
/* Rebuild the guest's view of [lo, hi) from /proc/self/maps. */
int mirror_resync(struct sb_mon *m, uint64_t lo, uint64_t hi);

/* Guest-physical address of host address hva, 0 if no window covers it. */
uint64_t mirror_gpa(const struct sb_mon *m, uint64_t hva);
/* Add a window for [lo, hi) (any alignment, not chunk-rounded): for the vault's own areas. */
int mirror_window_exact(struct sb_mon *m, uint64_t lo, uint64_t hi, uint64_t *gpa);

#endif
