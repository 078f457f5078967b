/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/ring0.c: Dune mode (SB_ENTER_RING0), the monitor's half.
 *
 * In ring-0 mode the process runs at guest CPL0. Nothing about policy
 * changes: its `syscall` still enters the monitor's LSTAR stub and stores
 * to the doorbell, and the call is decided by the same code as at CPL3.
 * What changes is what the process can write, and so what the monitor
 * must stop believing:
 *   - the sys window (GDT, TSS, IDT, stubs, the IST stack where exception
 *     frames land) is writable by the process: supervisor pages are
 *     reachable at CPL0, read-only ones after clearing CR0.WP, and any
 *     guest-physical page through page tables of its own;
 *   - the page-table pool is writable the same way (guest/pgtable.c
 *     checks every table pointer it reads from it);
 *   - any guest-physical address can be named, so MMIO exits may come for
 *     addresses that are not doorbells;
 *   - any register state can come with a doorbell store: a `syscall` is
 *     not the only way to reach the monitor.
 * So the monitor reads a frame only at its fixed place in the vault and
 * only as the process's registers (checked before they reach the vCPU),
 * returns from system calls by setting rip/rflags/CS/SS itself, and ends
 * the process with a report on anything it cannot resume sanely.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <signal.h>
#include "log.h"
#include "monitor.h"
#include "ring0.h"
#include "../guest/pgtable.h"

/* what a return to CPL0 keeps of the process's rflags: CF PF AF ZF SF TF
 * IF DF OF IOPL NT AC ID; never VM (VM entry would fail in 64-bit mode),
 * RF, VIF, VIP or reserved bits */
#define RING0_RFLAGS_KEEP 0x00247fd5ull

static int canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static int in_sys(const struct sb_mon *m, uint64_t a)
{
	return a >= m->sys && a < m->sys + VLT_SYS_SIZE;
}

static int same_seg(const struct kvm_segment *a, const struct kvm_segment *b)
{
	return a->selector == b->selector && a->base == b->base && a->type == b->type && a->s == b->s &&
	       a->dpl == b->dpl && a->present == b->present && a->l == b->l && a->db == b->db && !a->unusable;
}

void ring0_syscall_return(struct sb_mon *m, struct sb_thr *t)
{
	struct kvm_run *run = t->run;
	struct kvm_regs *r = &run->s.regs.regs;
	struct kvm_sregs *s = &run->s.regs.sregs;

	/* defends against a doorbell store made with any registers (the
	 * process can store to it directly at CPL0): a non-canonical rip
	 * would fail the VM entry */
	if (!canonical(r->rcx))
		mon_crash(m, SIGSEGV, "ring-0 mode: system call returning to a non-canonical address", r->rcx, -1, 0);
	r->rip = r->rcx;
	r->rflags = (r->r11 & RING0_RFLAGS_KEEP) | 2;
	/* after a `syscall` CS/SS are STAR's 0x10/0x18 already; after a
	 * forged store they are whatever the process loaded */
	if (!same_seg(&s->cs, &m->ucs) || !same_seg(&s->ss, &m->uss)) {
		s->cs = m->ucs;
		s->ss = m->uss;
		run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	}
}

void ring0_check_frame(struct sb_mon *m, int vector, uint64_t err, uint64_t *rip, uint64_t *rflags)
{
	/* a fault in the monitor's own stubs: at CPL0 the process can unmap
	 * or rewrite what they need (doorbells, IST stack, descriptor tables) */
	if (in_sys(m, *rip))
		mon_crash(m, SIGSEGV,
			  "ring-0 mode: fault in the monitor's ring-0 stubs (their pages, doorbells or descriptor "
			  "tables unmapped or changed by the process?)",
			  *rip, vector, err);
	/* defends against a frame the process wrote itself (the IST stack is
	 * guest-physical memory): VM entry would fail with this rip */
	if (!canonical(*rip))
		mon_crash(m, SIGSEGV, "ring-0 mode: exception frame with a non-canonical rip", *rip, vector, err);
	*rflags = (*rflags & RING0_RFLAGS_KEEP) | 2;
}

int ring0_foreign_cr3(const struct sb_mon *m, const struct sb_thr *t)
{
	return m->ring0 && (t->run->s.regs.sregs.cr3 & PTE_ADDR) != m->pt.cr3;
}

int ring0_user_point(const struct sb_mon *m, uint64_t rip)
{
	return m->ring0 && !in_sys(m, rip);
}

void ring0_mmio(struct sb_mon *m, struct sb_thr *t)
{
	const struct kvm_run *run = t->run;
	uint64_t gpa = run->mmio.phys_addr;
	char line[200];
	struct sb_buf b = { line, 0, sizeof line - 1 };

	if (gpa >= DB_GPA && gpa < DB_GPA + 2 * SB_PAGE)
		return;
	buf_str(&b, "ring-0 mode: ");
	buf_str(&b, run->mmio.is_write ? "store to" : "load from");
	buf_str(&b, " guest-physical address ");
	buf_hex(&b, gpa);
	buf_str(&b, ", which holds no memory (a page table of the process's own pointing nowhere?)");
	line[b.len] = 0;
	mon_crash(m, SIGSEGV, line, 0, -1, run->mmio.is_write ? 2 : 0);
}

void ring0_bad_exit(struct sb_mon *m, struct sb_thr *t)
{
	const struct kvm_run *run = t->run;
	char line[200];
	struct sb_buf b = { line, 0, sizeof line - 1 };

	buf_str(&b, "ring-0 mode: ");
	switch (run->exit_reason) {
	case KVM_EXIT_HLT:
		buf_str(&b, "hlt (no interrupt would ever wake the process)");
		break;
	case KVM_EXIT_IO:
		buf_str(&b, "I/O port access (in/out) to port ");
		buf_hex(&b, run->io.port);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		buf_str(&b, "the CPU refused the state the process left (failed VM entry, reason ");
		buf_hex(&b, run->fail_entry.hardware_entry_failure_reason);
		buf_str(&b, ")");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		/* the kmod backend reports every exit it does not serve here
		 * (CR0/CR4 and MSR writes, in/out, hlt, ...): data[0] is the
		 * VMX exit reason */
		buf_str(&b, "an instruction the hypervisor does not carry out (internal error ");
		buf_dec(&b, run->internal.suberror);
		if (run->internal.ndata > 0) {
			buf_str(&b, ", data ");
			buf_hex(&b, run->internal.data[0]);
		}
		buf_str(&b, ")");
		break;
	default:
		buf_str(&b, "unexpected exit reason ");
		buf_dec(&b, run->exit_reason);
		break;
	}
	line[b.len] = 0;
	mon_crash(m, SIGSEGV, line, 0, -1, 0);
}
