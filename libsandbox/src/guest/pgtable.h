/* SPDX-License-Identifier: MIT */
/* libsandbox/src/guest/pgtable.h: the guest's 4-level page tables, a mirror of the host's mappings.
 *
 * GVA == HVA; each memory window has its own GPA base (a VT-x host refuses
 * GPAs above its physical address width, and user addresses go beyond it).
 * Entries hold GPAs. Page-table pages live in the vault's page-table pool,
 * which is a memory window but is never mapped in the guest, so nothing the
 * process runs can read or write its own page tables. In ring-0 mode
 * (monitor/ring0.c) the pool is mapped read-only for the process, which can
 * write it anyway through page tables of its own: pgtable.c then follows no
 * table pointer outside the pool's handed-out pages. Freestanding: used by
 * the monitor's exit path.
 */
#ifndef SB_PGTABLE_H
#define SB_PGTABLE_H

#include <stdint.h>
#include "../monitor/vault.h"

#define PTE_P 0x001ull
#define PTE_W 0x002ull
#define PTE_U 0x004ull
#define PTE_A 0x020ull
#define PTE_D 0x040ull
#define PTE_PS 0x080ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Leaf flags for a host mapping with protection prot (PROT_* bits), user or supervisor. */
uint64_t pt_flags(int prot, int user);

/* Set up the pool over host memory [base, base+size), which is the memory
 * window at guest-physical gpa, and allocate the root. */
int pt_init(struct sb_ptpool *pt, uint64_t base, uint64_t gpa, uint64_t size);

/* Map [lo, hi) (page aligned) to guest-physical [gpa, ...) with leaf flags;
 * 2 MiB pages where the range covers whole aligned chunks and big is set
 * (gpa must then be 2 MiB aligned with lo). Return 0 or -ENOMEM. */
int pt_map(struct sb_ptpool *pt, uint64_t lo, uint64_t hi, uint64_t gpa, uint64_t flags, int big);

/* Map one page at gva to gpa (used for the doorbells, whose GPA differs). */
int pt_map_page(struct sb_ptpool *pt, uint64_t gva, uint64_t gpa, uint64_t flags);

/* Remove [lo, hi) (page aligned). Return 0 or -ENOMEM (a large page had to be split). */
int pt_unmap(struct sb_ptpool *pt, uint64_t lo, uint64_t hi);

/* Leaf entry for gva (0 if none); *size receives 4096 or 2 MiB. */
uint64_t pt_lookup(const struct sb_ptpool *pt, uint64_t gva, uint64_t *size);

#endif
