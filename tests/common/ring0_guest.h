/* SPDX-License-Identifier: MIT */
/* tests/common/ring0_guest.h: what a process in ring-0 mode (SB_ENTER_RING0) runs inside the VM, for the tests.
 *
 * Privileged instructions as inline functions, IDT gates, and page tables of
 * the process's own: a copy of the monitor's top-level table (so that
 * everything the monitor maps, its stubs and doorbells included, stays
 * mapped) plus one private region in the upper half (R0_ALIAS) where any
 * guest-physical page can be mapped. The guest-physical addresses come
 * from the monitor's own tables, read through the pool (sb_ring0_pa).
 * Everything here runs at CPL0 only. Loads and stores through an alias go
 * through r0_peek/r0_poke (plain instructions): a sanitizer's shadow
 * check of an upper-half address would fault.
 */
#ifndef RING0_GUEST_H
#define RING0_GUEST_H

#include <stdint.h>
#include <string.h>
#include <sandbox.h>

#define R0_P 0x001ull
#define R0_W 0x002ull
#define R0_U 0x004ull
#define R0_A 0x020ull
#define R0_D 0x040ull
#define R0_PS 0x080ull
#define R0_NX (1ull << 63)
#define R0_ADDR 0x000ffffffffff000ull
#define R0_ALIAS 0xffff800000000000ull /* PML4 slot 256: never used by the monitor (GVA = HVA < 2^47) */

struct __attribute__((packed)) r0_dtr {
	uint16_t limit;
	uint64_t base;
};

static inline unsigned r0_cpl(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

static inline uint64_t r0_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t r0_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline uint64_t r0_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void r0_write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t r0_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; pop %0" : "=r"(f));
	return f;
}

static inline void r0_sidt(struct r0_dtr *d)
{
	__asm__ volatile("sidt %0" : "=m"(*d));
}

static inline void r0_lidt(const struct r0_dtr *d)
{
	__asm__ volatile("lidt %0" : : "m"(*d) : "memory");
}

static inline uint64_t r0_peek64(uint64_t va)
{
	uint64_t v;

	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(va) : "memory");
	return v;
}

static inline void r0_poke64(uint64_t va, uint64_t v)
{
	__asm__ volatile("movq %1, (%0)" : : "r"(va), "r"(v) : "memory");
}

static inline uint8_t r0_peek8(uint64_t va)
{
	uint8_t v;

	__asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(va) : "memory");
	return v;
}

static inline void r0_poke8(uint64_t va, uint8_t v)
{
	__asm__ volatile("movb %1, (%0)" : : "r"(va), "q"(v) : "memory");
}

static inline void r0_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* a 64-bit interrupt gate to handler, kernel CS 0x10, no IST, DPL 0 */
static inline void r0_gate(uint64_t *idt, int v, uint64_t handler)
{
	idt[2 * v] = (handler & 0xffff) | (0x10ull << 16) | (0x8eull << 40) | (((handler >> 16) & 0xffff) << 48);
	idt[2 * v + 1] = handler >> 32;
}

/* the entry at level (4..1) that maps va in the monitor's tables, read
 * through the pool; 0 if an upper level is absent */
static inline uint64_t r0_monitor_entry(uint64_t va, int level)
{
	struct sb_ring0_info in;
	uint64_t t;

	if (sb_ring0_info(&in))
		return 0;
	t = in.cr3;
	for (int l = 4;; l--) {
		uint64_t e = ((const volatile uint64_t *)(in.pt_va + ((t & R0_ADDR) - in.pt_pa)))[(va >> (12 + 9 * (l - 1))) & 511];

		if (l == level)
			return e;
		if (!(e & R0_P) || (e & R0_PS))
			return 0;
		t = e;
	}
}

/* page tables of the process's own */
struct r0_tables {
	uint64_t root[512];
	uint64_t pdpt[512];
	uint64_t pd[512];
	uint64_t pt[512];
} __attribute__((aligned(4096)));

/* copy the monitor's top-level table, add the private region; 0 or -1 */
static inline int r0_tables_init(struct r0_tables *t)
{
	struct sb_ring0_info in;

	if (sb_ring0_info(&in))
		return -1;
	memset(t, 0, sizeof *t);
	memcpy(t->root, (const void *)(in.pt_va + (in.cr3 - in.pt_pa)), 4096);
	if (!sb_ring0_pa(t->pdpt) || !sb_ring0_pa(t->pd) || !sb_ring0_pa(t->pt))
		return -1;
	t->root[256] = sb_ring0_pa(t->pdpt) | R0_P | R0_W | R0_A;
	t->pdpt[0] = sb_ring0_pa(t->pd) | R0_P | R0_W | R0_A;
	t->pd[0] = sb_ring0_pa(t->pt) | R0_P | R0_W | R0_A;
	return 0;
}

/* map guest-physical page pa at R0_ALIAS + i pages, writable; returns the
 * alias (use r0_peek/r0_poke on it) */
static inline uint64_t r0_alias(struct r0_tables *t, unsigned i, uint64_t pa)
{
	uint64_t va = R0_ALIAS + (uint64_t)i * 4096;

	t->pt[i] = (pa & R0_ADDR) | R0_P | R0_W | R0_A | R0_D | R0_NX;
	r0_invlpg(va);
	return va;
}

/* load CR3 with the process's own tables; 0 or -1 */
static inline int r0_tables_use(struct r0_tables *t)
{
	uint64_t pa = sb_ring0_pa(t->root);

	if (!pa)
		return -1;
	r0_write_cr3(pa);
	return 0;
}

/* back to the monitor's tables */
static inline void r0_tables_leave(void)
{
	struct sb_ring0_info in;

	if (!sb_ring0_info(&in))
		r0_write_cr3(in.cr3);
}

#endif
