/* SPDX-License-Identifier: MIT */
/* tests/unit/test_pgtable.c: the guest page tables (libsandbox/src/guest/pgtable.c), driven directly.
 *
 * pgtable.c is compiled into this test. Its pool is a 2 MiB-aligned buffer
 * from aligned_alloc() that plays the vault's page-table window; the pool's
 * guest-physical address is a fake one (POOL_GPA), distinct from every GPA
 * mapped below, so a test would notice if an entry held a host address or
 * a pool address where a mapped GPA belongs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include "../../libsandbox/src/guest/pgtable.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define POOL_SIZE (2 * MiB)
#define POOL_GPA 0x3c0000000ull /* 15 GiB: the fake GPA of the pool */
#define GPA_A 0x140000000ull    /* 5 GiB: where mapped ranges go */
#define GPA_B 0x200000000ull    /* 8 GiB */

/* user read/write, user read-only, user read/exec leaf flags */
#define F_RW (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_NX)
#define F_RO (PTE_P | PTE_U | PTE_A | PTE_D | PTE_NX)
#define F_RX (PTE_P | PTE_U | PTE_A | PTE_D)

struct fixture {
	void *mem;
	struct sb_ptpool pt;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	f->mem = aligned_alloc(SB_CHUNK, POOL_SIZE);
	if (!f->mem) {
		free(f);
		return -1;
	}
	/* garbage in the pool: pt_init and the allocator must zero what they hand out */
	memset(f->mem, 0xa5, POOL_SIZE);
	if (pt_init(&f->pt, (uint64_t)(uintptr_t)f->mem, POOL_GPA, POOL_SIZE)) {
		free(f->mem);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

/* the flag bits of an entry (everything but the address) */
static uint64_t flags_of(uint64_t e)
{
	return e & ~PTE_ADDR;
}

/* the GPA gva translates to, or ~0 if unmapped */
static uint64_t translate(const struct sb_ptpool *pt, uint64_t gva)
{
	uint64_t size = 0;
	uint64_t e = pt_lookup(pt, gva, &size);

	if (!e)
		return ~0ull;
	assert_true(size == SB_PAGE || size == SB_CHUNK);
	return (e & PTE_ADDR & ~(size - 1)) + (gva & (size - 1));
}

static void test_init(void **state)
{
	struct fixture *f = *state;
	uint64_t size = 1234;
	const uint64_t *root = f->mem;

	/* the root is the pool's first page, named by its GPA */
	assert_int_equal(f->pt.cr3, POOL_GPA);
	assert_int_equal(f->pt.used, SB_PAGE);
	for (int i = 0; i < 512; i++)
		assert_int_equal(root[i], 0);
	assert_int_equal(pt_lookup(&f->pt, 0x400000, &size), 0);
	assert_int_equal(pt_lookup(&f->pt, 0, &size), 0);
	assert_int_equal(pt_lookup(&f->pt, 0x7ffffffff000ull, &size), 0);
}

static void test_init_no_memory(void **state)
{
	struct sb_ptpool pt;
	void *mem = aligned_alloc(SB_CHUNK, SB_CHUNK);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(pt_init(&pt, (uint64_t)(uintptr_t)mem, POOL_GPA, 0), -ENOMEM);
	assert_int_equal(pt_init(&pt, (uint64_t)(uintptr_t)mem, POOL_GPA, SB_PAGE - 1), -ENOMEM);
	assert_int_equal(pt_init(&pt, (uint64_t)(uintptr_t)mem, POOL_GPA, SB_PAGE), 0);
	free(mem);
}

static void test_map_4k(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x400000, hi = 0x403000;
	uint64_t size;

	assert_int_equal(pt_map(&f->pt, lo, hi, GPA_A + 0x5000, F_RW, 0), 0);
	for (uint64_t a = lo; a < hi; a += SB_PAGE) {
		uint64_t e = pt_lookup(&f->pt, a, &size);

		assert_int_equal(size, SB_PAGE);
		assert_int_equal(e & PTE_ADDR, GPA_A + 0x5000 + (a - lo));
		assert_int_equal(flags_of(e), F_RW);
		/* any byte of the page translates */
		assert_int_equal(translate(&f->pt, a + 0x123), GPA_A + 0x5000 + (a - lo) + 0x123);
	}
	/* nothing around it */
	assert_int_equal(pt_lookup(&f->pt, lo - SB_PAGE, &size), 0);
	assert_int_equal(pt_lookup(&f->pt, hi, &size), 0);
	/* the upper levels let the leaf decide: present, writable, user, executable */
	{
		const uint64_t *root = f->mem;
		uint64_t e = root[(lo >> 39) & 511];

		assert_int_equal(e & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
		assert_int_equal(e & PTE_NX, 0);
		assert_int_equal(e & PTE_PS, 0);
		/* upper tables come from the pool: their GPAs are inside its window */
		assert_true((e & PTE_ADDR) >= POOL_GPA && (e & PTE_ADDR) < POOL_GPA + POOL_SIZE);
	}
}

static void test_map_2m(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x40000000, hi = lo + 2 * SB_CHUNK;
	uint64_t size;

	assert_int_equal(pt_map(&f->pt, lo, hi, GPA_B, F_RX, 1), 0);
	for (uint64_t a = lo; a < hi; a += SB_CHUNK) {
		uint64_t e = pt_lookup(&f->pt, a, &size);

		assert_int_equal(size, SB_CHUNK);
		assert_int_equal(e & PTE_PS, PTE_PS);
		assert_int_equal(e & PTE_ADDR, GPA_B + (a - lo));
		assert_int_equal(flags_of(e) & ~PTE_PS, F_RX);
		/* inside the large page: same entry, size 2 MiB */
		e = pt_lookup(&f->pt, a + 0x1ff000, &size);
		assert_int_equal(size, SB_CHUNK);
		assert_int_equal(translate(&f->pt, a + 0x1ff000 + 0x10), GPA_B + (a - lo) + 0x1ff010);
	}
	assert_int_equal(pt_lookup(&f->pt, hi, &size), 0);
	assert_int_equal(pt_lookup(&f->pt, lo - 1, &size), 0);
}

/* a range that is not chunk aligned: 4 KiB pages at the edges, 2 MiB inside */
static void test_map_mixed(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x7f0000100000ull, hi = 0x7f0000500000ull;
	const uint64_t gpa = GPA_A + 0x100000; /* congruent with lo modulo 2 MiB */
	uint64_t size;

	assert_int_equal(pt_map(&f->pt, lo, hi, gpa, F_RW, 1), 0);
	assert_int_not_equal(pt_lookup(&f->pt, lo, &size), 0);
	assert_int_equal(size, SB_PAGE);
	assert_int_not_equal(pt_lookup(&f->pt, 0x7f00001ff000ull, &size), 0);
	assert_int_equal(size, SB_PAGE);
	assert_int_not_equal(pt_lookup(&f->pt, 0x7f0000200000ull, &size), 0);
	assert_int_equal(size, SB_CHUNK);
	assert_int_not_equal(pt_lookup(&f->pt, 0x7f00003ff000ull, &size), 0);
	assert_int_equal(size, SB_CHUNK);
	assert_int_not_equal(pt_lookup(&f->pt, 0x7f0000400000ull, &size), 0);
	assert_int_equal(size, SB_PAGE);
	for (uint64_t a = lo; a < hi; a += SB_PAGE)
		assert_int_equal(translate(&f->pt, a), gpa + (a - lo));
	assert_int_equal(translate(&f->pt, hi), ~0ull);
	assert_int_equal(translate(&f->pt, lo - SB_PAGE), ~0ull);
}

/* the top of user space and a range that crosses a PML4 and a PDPT boundary */
static void test_map_boundaries(void **state)
{
	struct fixture *f = *state;
	const uint64_t top = SB_USER_TOP - SB_PAGE;
	const uint64_t cross = 0x8000000000ull - 2 * SB_PAGE; /* 512 GiB - 8 KiB */

	assert_int_equal(pt_map(&f->pt, top, SB_USER_TOP, GPA_A, F_RO, 1), 0);
	assert_int_equal(translate(&f->pt, top + 0xfff), GPA_A + 0xfff);
	assert_int_equal(pt_map(&f->pt, cross, cross + 4 * SB_PAGE, GPA_B, F_RW, 1), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(translate(&f->pt, cross + i * SB_PAGE), GPA_B + i * SB_PAGE);
	assert_int_equal(translate(&f->pt, cross + 4 * SB_PAGE), ~0ull);
	assert_int_equal(translate(&f->pt, 0), ~0ull);
}

static void test_map_page(void **state)
{
	struct fixture *f = *state;
	const uint64_t gva = 0x7ffff7ff0000ull;
	uint64_t size;

	/* a GPA unrelated to the GVA (the doorbells) */
	assert_int_equal(pt_map_page(&f->pt, gva, 0xc0001000ull, F_RW), 0);
	assert_int_equal(pt_lookup(&f->pt, gva, &size) & PTE_ADDR, 0xc0001000ull);
	assert_int_equal(size, SB_PAGE);
	assert_int_equal(flags_of(pt_lookup(&f->pt, gva, &size)), F_RW);
	assert_int_equal(pt_lookup(&f->pt, gva + SB_PAGE, &size), 0);
}

static void test_remap_changes_rights(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x600000;
	uint64_t size;

	assert_int_equal(pt_map(&f->pt, lo, lo + 4 * SB_PAGE, GPA_A, F_RW, 0), 0);
	/* mprotect of the second page: read-only */
	assert_int_equal(pt_map(&f->pt, lo + SB_PAGE, lo + 2 * SB_PAGE, GPA_A + SB_PAGE, F_RO, 0), 0);
	assert_int_equal(flags_of(pt_lookup(&f->pt, lo, &size)), F_RW);
	assert_int_equal(flags_of(pt_lookup(&f->pt, lo + SB_PAGE, &size)), F_RO);
	assert_int_equal(flags_of(pt_lookup(&f->pt, lo + 2 * SB_PAGE, &size)), F_RW);
}

/* unmapping part of a large page splits it and keeps the rest, with its rights */
static void test_unmap_splits_large_page(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x200000000ull; /* 8 GiB, chunk aligned */
	uint64_t size, e;

	assert_int_equal(pt_map(&f->pt, lo, lo + SB_CHUNK, GPA_B, F_RO, 1), 0);
	pt_lookup(&f->pt, lo, &size);
	assert_int_equal(size, SB_CHUNK);

	assert_int_equal(pt_unmap(&f->pt, lo + SB_PAGE, lo + 3 * SB_PAGE), 0);
	assert_int_equal(pt_lookup(&f->pt, lo + SB_PAGE, &size), 0);
	assert_int_equal(pt_lookup(&f->pt, lo + 2 * SB_PAGE, &size), 0);
	for (uint64_t off = 0; off < SB_CHUNK; off += SB_PAGE) {
		if (off == SB_PAGE || off == 2 * SB_PAGE)
			continue;
		e = pt_lookup(&f->pt, lo + off, &size);
		assert_int_equal(size, SB_PAGE);
		assert_int_equal(e & PTE_ADDR, GPA_B + off);
		/* same rights as the large page (NX kept), no PS bit (which would be PAT in a PTE) */
		assert_int_equal(flags_of(e), F_RO);
	}
	/* an executable large page keeps NX clear when split */
	assert_int_equal(pt_map(&f->pt, lo + SB_CHUNK, lo + 2 * SB_CHUNK, GPA_B + SB_CHUNK, F_RX, 1), 0);
	assert_int_equal(pt_unmap(&f->pt, lo + SB_CHUNK + 0x5000, lo + SB_CHUNK + 0x6000), 0);
	assert_int_equal(flags_of(pt_lookup(&f->pt, lo + SB_CHUNK + 0x4000, &size)), F_RX);
	assert_int_equal(size, SB_PAGE);
	/* a page in the middle of what is left can be unmapped too */
	assert_int_equal(pt_unmap(&f->pt, lo + 0x100000, lo + 0x101000), 0);
	assert_int_equal(translate(&f->pt, lo + 0x100000), ~0ull);
	assert_int_equal(translate(&f->pt, lo + 0x101000), GPA_B + 0x101000);
}

static void test_unmap_whole_and_partial(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x10000000;
	uint64_t size;

	/* [lo, lo + 3 chunks): three large pages */
	assert_int_equal(pt_map(&f->pt, lo, lo + 3 * SB_CHUNK, GPA_A, F_RW, 1), 0);
	/* unmap from the middle of the first to the middle of the third */
	assert_int_equal(pt_unmap(&f->pt, lo + SB_CHUNK / 2, lo + 2 * SB_CHUNK + SB_CHUNK / 2), 0);
	assert_int_equal(translate(&f->pt, lo), GPA_A);
	assert_int_equal(translate(&f->pt, lo + SB_CHUNK / 2 - SB_PAGE), GPA_A + SB_CHUNK / 2 - SB_PAGE);
	assert_int_equal(translate(&f->pt, lo + SB_CHUNK / 2), ~0ull);
	assert_int_equal(pt_lookup(&f->pt, lo + SB_CHUNK, &size), 0);
	assert_int_equal(translate(&f->pt, lo + 2 * SB_CHUNK + SB_CHUNK / 2 - SB_PAGE), ~0ull);
	assert_int_equal(translate(&f->pt, lo + 2 * SB_CHUNK + SB_CHUNK / 2),
			 GPA_A + 2 * SB_CHUNK + SB_CHUNK / 2);
	assert_int_equal(translate(&f->pt, lo + 3 * SB_CHUNK - SB_PAGE), GPA_A + 3 * SB_CHUNK - SB_PAGE);
	assert_int_equal(flags_of(pt_lookup(&f->pt, lo, &size)), F_RW);
	assert_int_equal(size, SB_PAGE);
	assert_int_equal(flags_of(pt_lookup(&f->pt, lo + 3 * SB_CHUNK - SB_PAGE, &size)), F_RW);

	/* unmapping what is not mapped is fine */
	assert_int_equal(pt_unmap(&f->pt, 0x500000000000ull, 0x500000400000ull), 0);
	assert_int_equal(pt_unmap(&f->pt, lo, lo), 0);
}

/* a large page over a range that had small pages: the old table goes back to the pool */
static void test_large_over_small_reuses_table(void **state)
{
	struct fixture *f = *state;
	const uint64_t lo = 0x800000;
	uint64_t used, size;

	assert_int_equal(pt_map(&f->pt, lo, lo + 8 * SB_PAGE, GPA_A, F_RW, 0), 0);
	used = f->pt.used;
	assert_int_equal(pt_map(&f->pt, lo, lo + SB_CHUNK, GPA_B, F_RO, 1), 0);
	pt_lookup(&f->pt, lo + 5 * SB_PAGE, &size);
	assert_int_equal(size, SB_CHUNK);
	assert_int_equal(translate(&f->pt, lo + 5 * SB_PAGE), GPA_B + 5 * SB_PAGE);
	assert_int_not_equal(f->pt.free_head, 0);
	/* splitting it again takes the freed table, not a new page */
	assert_int_equal(pt_unmap(&f->pt, lo, lo + SB_PAGE), 0);
	assert_int_equal(f->pt.used, used);
	assert_int_equal(translate(&f->pt, lo), ~0ull);
	assert_int_equal(translate(&f->pt, lo + SB_PAGE), GPA_B + SB_PAGE);
	/* and the reused table was zeroed: nothing left of the old small mapping */
	for (uint64_t a = lo + SB_PAGE; a < lo + 8 * SB_PAGE; a += SB_PAGE)
		assert_int_equal(translate(&f->pt, a), GPA_B + (a - lo));
}

static void test_pool_exhaustion(void **state)
{
	struct sb_ptpool pt;
	void *mem = aligned_alloc(SB_CHUNK, SB_CHUNK);
	uint64_t size;

	(void)state;
	assert_non_null(mem);
	/* root + PDPT + PD: enough for a large page, not for a page table */
	assert_int_equal(pt_init(&pt, (uint64_t)(uintptr_t)mem, POOL_GPA, 3 * SB_PAGE), 0);
	assert_int_equal(pt_map(&pt, 0x40000000, 0x40000000 + SB_CHUNK, GPA_A, F_RW, 1), 0);
	assert_int_equal(pt_map(&pt, 0x40400000, 0x40401000, GPA_A, F_RW, 0), -ENOMEM);
	assert_int_equal(pt_map_page(&pt, 0x40401000, GPA_A, F_RW), -ENOMEM);
	/* a split needs a page too: -ENOMEM, and the large page stays whole */
	assert_int_equal(pt_unmap(&pt, 0x40001000, 0x40002000), -ENOMEM);
	pt_lookup(&pt, 0x40001000, &size);
	assert_int_equal(size, SB_CHUNK);
	assert_int_equal(translate(&pt, 0x40001000), GPA_A + 0x1000);
	/* another 512 GiB region needs a new PDPT: -ENOMEM */
	assert_int_equal(pt_map(&pt, 0x10000000000ull, 0x10000000000ull + SB_CHUNK, GPA_B, F_RW, 1), -ENOMEM);
	assert_int_equal(pt.used, 3 * SB_PAGE);
	free(mem);
}

/* the pool runs dry in the middle of a long mapping: -ENOMEM, nothing outside the pool touched */
static void test_pool_exhaustion_long_range(void **state)
{
	struct sb_ptpool pt;
	const uint64_t pool = 8 * SB_PAGE;
	uint8_t *mem = aligned_alloc(SB_CHUNK, SB_CHUNK);
	int rc;

	(void)state;
	assert_non_null(mem);
	memset(mem, 0x5a, SB_CHUNK);
	assert_int_equal(pt_init(&pt, (uint64_t)(uintptr_t)mem, POOL_GPA, pool), 0);
	/* 4 KiB pages over 64 MiB: 32 page tables, the pool has room for 5 */
	rc = pt_map(&pt, 0x100000000ull, 0x100000000ull + 64 * MiB, GPA_A, F_RW, 0);
	assert_int_equal(rc, -ENOMEM);
	assert_true(pt.used <= pool);
	for (uint64_t i = pool; i < SB_CHUNK; i++)
		if (mem[i] != 0x5a)
			fail_msg("pgtable wrote outside its pool at offset %#llx", (unsigned long long)i);
	free(mem);
}

/* Ring-0 mode (monitor/ring0.c): the process can write the pool. Every
 * entry it could forge — table pointers below, above and past the used
 * part of the pool, large-page bits where tables belong, a free-list link
 * to a host address — must leave every byte outside the pool as it was,
 * and every call must still return. Run under ASan too. */
static void test_forged_pool_stays_in_pool(void **state)
{
	const uint64_t size = 64 * SB_PAGE;
	uint8_t *mem = aligned_alloc(SB_CHUNK, 3 * SB_CHUNK);
	uint8_t *pool = mem + SB_CHUNK;
	struct sb_ptpool pt;
	uint64_t *t, e, sz;
	const uint64_t lo = 0x40000000;

	(void)state;
	assert_non_null(mem);
	memset(mem, 0x5a, 3 * SB_CHUNK);
	assert_int_equal(pt_init(&pt, (uint64_t)(uintptr_t)pool, POOL_GPA, size), 0);
	/* small pages, then a large page over some of them (their table is freed) */
	assert_int_equal(pt_map(&pt, lo + 4 * SB_CHUNK, lo + 4 * SB_CHUNK + 4 * SB_PAGE, GPA_B, F_RO, 0), 0);
	assert_int_equal(pt_map_page(&pt, 0x7ffff0000000ull, GPA_B, F_RW), 0);
	assert_int_equal(pt_map(&pt, lo, lo + 8 * SB_PAGE, GPA_A, F_RW, 0), 0);
	assert_int_equal(pt_map(&pt, lo, lo + SB_CHUNK, GPA_A, F_RW, 1), 0);
	assert_int_not_equal(pt.free_head, 0);

	/* forge: the free page's link names the host memory before the pool */
	*(uint64_t *)(uintptr_t)pt.free_head = (uint64_t)(uintptr_t)mem + 4 * SB_PAGE;
	/* every present entry of every handed-out page points elsewhere: below
	 * the pool, past its used part, past its end; every other one a large
	 * page (a table where a leaf belongs, and the other way round) */
	for (uint64_t off = 0; off < pt.used; off += SB_PAGE) {
		t = (uint64_t *)(uintptr_t)(pool + off);
		if ((uint64_t)(uintptr_t)t == pt.free_head)
			continue;
		for (unsigned i = 0; i < 512; i++) {
			if (!(t[i] & PTE_P))
				continue;
			switch (i % 4) {
			case 0:
				e = POOL_GPA - SB_CHUNK + 8 * SB_PAGE;
				break;
			case 1:
				e = POOL_GPA + pt.used + SB_PAGE;
				break;
			case 2:
				e = POOL_GPA + SB_CHUNK;
				break;
			default:
				e = POOL_GPA - 1 * SB_PAGE;
				break;
			}
			t[i] = e | (t[i] & ~PTE_ADDR) | ((i & 1) ? PTE_PS : 0);
		}
	}
	/* the process's tables are garbage now; the monitor keeps working */
	for (uint64_t a = lo; a < lo + 6 * SB_CHUNK; a += SB_CHUNK / 2) {
		(void)pt_lookup(&pt, a, &sz);
		(void)pt_lookup(&pt, a + 3 * SB_PAGE, &sz);
	}
	(void)pt_lookup(&pt, 0x7ffff0000000ull, &sz);
	for (int round = 0; round < 3; round++) {
		int rc;

		rc = pt_map(&pt, lo + SB_PAGE, lo + 3 * SB_PAGE, GPA_A, F_RW, 0);
		assert_true(rc == 0 || rc == -ENOMEM);
		rc = pt_map(&pt, lo + 2 * SB_CHUNK, lo + 3 * SB_CHUNK, GPA_B, F_RW, 1);
		assert_true(rc == 0 || rc == -ENOMEM);
		rc = pt_unmap(&pt, lo + 4 * SB_CHUNK, lo + 4 * SB_CHUNK + SB_CHUNK);
		assert_true(rc == 0 || rc == -ENOMEM);
		rc = pt_unmap(&pt, lo, lo + 6 * SB_CHUNK + 5 * SB_PAGE);
		assert_true(rc == 0 || rc == -ENOMEM);
		rc = pt_map_page(&pt, 0x7ffff0001000ull, GPA_B, F_RW);
		assert_true(rc == 0 || rc == -ENOMEM);
		rc = pt_map(&pt, 0x100000000000ull, 0x100000000000ull + 2 * SB_CHUNK, GPA_A, F_RW, 1);
		assert_true(rc == 0 || rc == -ENOMEM);
	}
	assert_true(pt.used <= size);
	assert_true(pt.free_head == 0 ||
		    (pt.free_head - (uint64_t)(uintptr_t)pool < pt.used && !(pt.free_head & (SB_PAGE - 1))));
	/* and what the monitor maps after the forgery is mapped as it says */
	assert_int_equal(pt_map(&pt, 0x200000000000ull, 0x200000000000ull + SB_PAGE, GPA_A, F_RO, 0), 0);
	assert_int_equal(translate(&pt, 0x200000000000ull), GPA_A);
	for (uint64_t i = 0; i < 3 * SB_CHUNK; i++)
		if ((i < SB_CHUNK || i >= SB_CHUNK + size) && mem[i] != 0x5a)
			fail_msg("pgtable wrote outside its pool at offset %#llx of the buffer",
				 (unsigned long long)i);
	free(mem);
}

static void test_flags(void **state)
{
	(void)state;
	/* always present (with A and D preset) */
	for (int prot = 0; prot <= 7; prot++)
		for (int user = 0; user <= 1; user++) {
			uint64_t fl = pt_flags(prot, user);

			assert_int_equal(fl & (PTE_P | PTE_A | PTE_D), PTE_P | PTE_A | PTE_D);
			/* W only with PROT_WRITE */
			assert_int_equal(!!(fl & PTE_W), !!(prot & PROT_WRITE));
			/* NX unless PROT_EXEC */
			assert_int_equal(!!(fl & PTE_NX), !(prot & PROT_EXEC));
			/* U only for user mappings */
			assert_int_equal(!!(fl & PTE_U), user);
			/* never an address bit or a large-page bit */
			assert_int_equal(fl & PTE_ADDR, 0);
			assert_int_equal(fl & PTE_PS, 0);
		}
	assert_int_equal(pt_flags(PROT_READ, 1), F_RO);
	assert_int_equal(pt_flags(PROT_READ | PROT_WRITE, 1), F_RW);
	assert_int_equal(pt_flags(PROT_READ | PROT_EXEC, 1), F_RX);
	assert_int_equal(pt_flags(PROT_READ | PROT_WRITE | PROT_EXEC, 0), PTE_P | PTE_W | PTE_A | PTE_D);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test(test_init_no_memory),
		cmocka_unit_test_setup_teardown(test_map_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap_changes_rights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_splits_large_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_whole_and_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_over_small_reuses_table, setup, teardown),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_pool_exhaustion_long_range),
		cmocka_unit_test(test_forged_pool_stays_in_pool),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
