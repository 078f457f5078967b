/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/ring0.c: Dune mode (SB_ENTER_RING0), the library's half.
 *
 * The monitor's half is monitor/ring0.c. Here: what entry adds in ring-0
 * mode (the page-table pool mapped read-only for the process, which may
 * walk the monitor's tables to build its own), and the two calls a ring-0
 * process makes inside the VM, as Dune's libdune did: sb_ring0_info() and
 * sb_ring0_pa(). Those run in the guest, at CPL0, with no system call; the
 * layout they return is a copy in the process's own memory, which the
 * monitor never reads back.
 */
#include <errno.h>
#include <string.h>
#include "api.h"
#include "ring0.h"
#include "../guest/pgtable.h"

static struct sb_ring0_info ring0_layout;
static int ring0_valid;

int ring0_prepare(struct sb_mon *m)
{
	int rc;

	ring0_valid = 0;
	/* Supervisor, read-only, never executable. This gives the process
	 * nothing it could not take: at CPL0 it can map any guest-physical
	 * address, the pool's included, with page tables of its own. It
	 * saves it from guessing the pool's guest-physical address to read
	 * the monitor's tables. The monitor trusts nothing in the pool
	 * (guest/pgtable.c). */
	rc = pt_map(&m->pt, m->pt.base, m->pt.base + m->pt.size, m->pt.gpa, PTE_P | PTE_A | PTE_D | PTE_NX, 1);
	if (rc)
		return rc;
	ring0_layout.cr3 = m->pt.cr3;
	ring0_layout.pt_va = m->pt.base;
	ring0_layout.pt_pa = m->pt.gpa;
	ring0_layout.pt_size = m->pt.size;
	ring0_layout.sys_va = m->sys;
	ring0_layout.sys_size = VLT_DOORBELL + 2 * SB_PAGE - VLT_SYS;
	return 0;
}

void ring0_entered(void)
{
	ring0_valid = 1;
}

int sb_ring0_info(struct sb_ring0_info *info)
{
	if (!ring0_valid || !sb_inside() || !info)
		return -EPERM;
	memcpy(info, &ring0_layout, sizeof *info);
	return 0;
}

uint64_t sb_ring0_pa(const void *va)
{
	uint64_t a = (uint64_t)(uintptr_t)va, t = ring0_layout.cr3;

	if (!ring0_valid)
		return 0;
	for (int level = 4; level >= 1; level--) {
		uint64_t off = (t & PTE_ADDR) - ring0_layout.pt_pa, e;

		if (off >= ring0_layout.pt_size)
			return 0;
		e = ((const volatile uint64_t *)(ring0_layout.pt_va + off))[(a >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PTE_P))
			return 0;
		if (level == 2 && (e & PTE_PS))
			return (e & PTE_ADDR & ~(SB_CHUNK - 1)) + (a & (SB_CHUNK - 1));
		if (level == 1)
			return (e & PTE_ADDR) + (a & (SB_PAGE - 1));
		t = e;
	}
	return 0;
}
