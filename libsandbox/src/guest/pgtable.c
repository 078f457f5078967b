/* SPDX-License-Identifier: MIT */
/* libsandbox/src/guest/pgtable.c: the guest's page tables, kept as a mirror of the host's mappings.
 *
 * Freestanding: runs in the monitor's exit path. Entries written here carry
 * Accessed and Dirty preset, which lets a shadow-paging hypervisor prefetch
 * neighbouring entries and spares it the A/D write-backs.
 */
#include <errno.h>
#include <sys/mman.h>
#include "pgtable.h"

#define UPPER (PTE_P | PTE_W | PTE_U | PTE_A)

uint64_t pt_flags(int prot, int user)
{
	uint64_t f = PTE_P | PTE_A | PTE_D;

	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	if (user)
		f |= PTE_U;
	return f;
}

/* Host view of the table whose GPA an entry holds; NULL if the entry does
 * not name a page the pool has handed out. Defends against entries the
 * monitor did not write: in ring-0 mode (monitor/ring0.c) the process can
 * write the pool through page tables of its own, and an entry followed
 * blindly would make the monitor read and write any host address. Every
 * table pointer taken from the pool comes through here, so the worst a
 * forged entry does is to change the process's own view of its memory. */
static uint64_t *tbl(const struct sb_ptpool *pt, uint64_t e)
{
	uint64_t off = (e & PTE_ADDR) - pt->gpa;

	return off < pt->used ? (uint64_t *)(pt->base + off) : 0;
}

static uint64_t gpa_of(const struct sb_ptpool *pt, uint64_t hva)
{
	return hva - pt->base + pt->gpa;
}

/* a zeroed table page; returns its GPA, 0 when the pool is exhausted */
static uint64_t alloc_page(struct sb_ptpool *pt)
{
	uint64_t p;

	if (pt->free_head) {
		uint64_t next;

		p = pt->free_head;
		/* the link is in the pool: defends against one the process wrote
		 * (ring-0 mode), which would make the next allocation clear any
		 * host page; a bad link drops the rest of the list */
		next = *(volatile uint64_t *)p;
		pt->free_head = next - pt->base < pt->used && !(next & (SB_PAGE - 1)) ? next : 0;
	} else {
		if (pt->used + SB_PAGE > pt->size)
			return 0;
		p = pt->base + pt->used;
		pt->used += SB_PAGE;
	}
	sb_memset((void *)p, 0, SB_PAGE);
	return gpa_of(pt, p);
}

static void free_page(struct sb_ptpool *pt, uint64_t e)
{
	uint64_t *p = tbl(pt, e);

	if (!p)
		return;
	*p = pt->free_head;
	pt->free_head = (uint64_t)p;
}

int pt_init(struct sb_ptpool *pt, uint64_t base, uint64_t gpa, uint64_t size)
{
	pt->base = base;
	pt->gpa = gpa;
	pt->size = size;
	pt->used = 0;
	pt->free_head = 0;
	pt->cr3 = alloc_page(pt);
	return pt->cr3 ? 0 : -ENOMEM;
}

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

/* Entry at level stop (2 = PD, 1 = PT) for va, allocating upper tables.
 * A large page met on the way to level 1 is split first. An entry that
 * points outside the pool (tbl()) is replaced like an absent one. Each
 * entry is read once. NULL: no memory. */
static uint64_t *walk(struct sb_ptpool *pt, uint64_t va, int stop)
{
	uint64_t *t = tbl(pt, pt->cr3);

	for (int level = 4; level > stop; level--) {
		uint64_t *e = &t[idx(va, level)];
		uint64_t v = *(volatile uint64_t *)e;
		uint64_t *next = (v & PTE_P) && !(v & PTE_PS) ? tbl(pt, v) : 0;

		if (!(v & PTE_P) || (!(v & PTE_PS) && !next)) {
			uint64_t n = alloc_page(pt);

			if (!n)
				return 0;
			*e = n | UPPER;
			next = tbl(pt, n);
		} else if (v & PTE_PS) {
			/* only PDEs are large here: split into 512 small pages, same rights */
			uint64_t n = alloc_page(pt);
			uint64_t base = v & PTE_ADDR & ~(SB_CHUNK - 1);
			uint64_t fl = v & ~PTE_ADDR & ~PTE_PS;

			if (!n)
				return 0;
			next = tbl(pt, n);
			for (unsigned i = 0; i < 512; i++)
				next[i] = (base + i * SB_PAGE) | fl;
			*e = n | UPPER;
		}
		t = next;
	}
	return &t[idx(va, stop)];
}

int pt_map(struct sb_ptpool *pt, uint64_t lo, uint64_t hi, uint64_t gpa, uint64_t flags, int big)
{
	uint64_t a = lo;
	uint64_t delta = gpa - lo;

	while (a < hi) {
		if (big && !(a & (SB_CHUNK - 1)) && hi - a >= SB_CHUNK) {
			uint64_t *e = walk(pt, a, 2);

			if (!e)
				return -ENOMEM;
			if ((*e & PTE_P) && !(*e & PTE_PS))
				free_page(pt, *e);
			*e = (a + delta) | flags | PTE_PS;
			a += SB_CHUNK;
		} else {
			uint64_t *e = walk(pt, a, 1);

			if (!e)
				return -ENOMEM;
			*e = (a + delta) | flags;
			a += SB_PAGE;
		}
	}
	return 0;
}

int pt_map_page(struct sb_ptpool *pt, uint64_t gva, uint64_t gpa, uint64_t flags)
{
	uint64_t *e = walk(pt, gva, 1);

	if (!e)
		return -ENOMEM;
	*e = (gpa & PTE_ADDR) | flags;
	return 0;
}

/* The PD entry for va if the upper levels exist, else NULL (nothing mapped;
 * an entry pointing outside the pool counts as absent). */
static uint64_t *find_pde(const struct sb_ptpool *pt, uint64_t va)
{
	uint64_t *t = tbl(pt, pt->cr3);

	for (int level = 4; level > 2; level--) {
		uint64_t e = t[idx(va, level)];

		if (!(e & PTE_P) || !(t = tbl(pt, e)))
			return 0;
	}
	return &t[idx(va, 2)];
}

/* First address after va that may be mapped, when va's PML4 or PDPT entry
 * is absent (so whole 512 GiB or 1 GiB regions are skipped); 0 if present. */
static uint64_t skip_absent(const struct sb_ptpool *pt, uint64_t va)
{
	uint64_t e = tbl(pt, pt->cr3)[idx(va, 4)];
	const uint64_t *t = (e & PTE_P) ? tbl(pt, e) : 0;

	if (!t)
		return (va | ((1ull << 39) - 1)) + 1;
	e = t[idx(va, 3)];
	if (!(e & PTE_P) || !tbl(pt, e))
		return (va | ((1ull << 30) - 1)) + 1;
	return 0;
}

int pt_unmap(struct sb_ptpool *pt, uint64_t lo, uint64_t hi)
{
	uint64_t a = lo;

	while (a < hi) {
		uint64_t next = SB_CHUNK_DOWN(a) + SB_CHUNK;
		uint64_t skip = skip_absent(pt, a);
		uint64_t *pde, *t;

		if (skip) {
			a = skip;
			continue;
		}
		pde = find_pde(pt, a);
		if (!pde || !(*pde & PTE_P)) {
			a = next;
			continue;
		}
		if (*pde & PTE_PS) {
			if (!(a & (SB_CHUNK - 1)) && hi >= next) {
				*pde = 0;
				a = next;
				continue;
			}
			if (!walk(pt, a, 1)) /* splits the large page */
				return -ENOMEM;
		}
		t = tbl(pt, *pde);
		if (!t) { /* points outside the pool: nothing of ours is mapped there */
			*pde = 0;
			a = next;
			continue;
		}
		for (; a < hi && a < next; a += SB_PAGE)
			t[idx(a, 1)] = 0;
	}
	return 0;
}

uint64_t pt_lookup(const struct sb_ptpool *pt, uint64_t gva, uint64_t *size)
{
	uint64_t *pde = find_pde(pt, gva);
	uint64_t d = pde ? *(volatile uint64_t *)pde : 0, e;
	const uint64_t *t;

	if (!(d & PTE_P))
		return 0;
	if (d & PTE_PS) {
		*size = SB_CHUNK;
		return d;
	}
	t = tbl(pt, d);
	if (!t)
		return 0;
	e = t[idx(gva, 1)];
	*size = SB_PAGE;
	return (e & PTE_P) ? e : 0;
}
