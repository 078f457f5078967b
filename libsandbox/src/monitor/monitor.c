/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/monitor.c: the vCPU run loop and exit dispatch.
 *
 * Runs on the thread's monitor stack in the vault, on the host thread of
 * each guest thread (the one that called sb_enter(), and those thread.c
 * makes), for the rest of the thread's life. Freestanding: no libc, no
 * global state; all state is in struct sb_mon and the thread's struct
 * sb_thr, in the vault.
 *
 * Exits arrive as stores to the doorbell pages (KVM_EXIT_MMIO):
 *   user doorbell, offset DB_SYS   the LSTAR stub: a system call
 *   supervisor doorbell + 8*v      an exception stub: vector v
 * With KVM_CAP_SYNC_REGS the registers come with the exit. The CPL at the
 * exit tells how the system call arrived: at CPL0 (VT-x/AMD-V: `syscall`
 * entered ring 0) the monitor lets the stub's `sysretq` return; at CPL3 (a
 * PVM host redirects a CPL3 `syscall` to LSTAR without leaving user mode)
 * the monitor returns to rcx itself.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include "monitor.h"
#include "mirror.h"
#include "ring0.h"
#include "../guest/cpu_x86_64.h"
#include "../guest/pgtable.h"

/* flags a system call returns to user mode with: CF PF AF ZF SF TF DF OF AC
 * ID from r11; IF forced on; IOPL, NT, RF, VM cleared */
#define RFLAGS_KEEP 0x00240fd5ull

static uint64_t sanitize_rflags(uint64_t r11)
{
	return (r11 & RFLAGS_KEEP) | 0x202;
}

static int canonical_user(uint64_t a)
{
	return a < SB_USER_TOP;
}

/* Back to user mode at rip/rsp/rflags without running a ring-0 iretq (which
 * a PVM host emulates instruction by instruction). */
static void return_to_user(struct sb_mon *m, struct sb_thr *t, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
	struct kvm_run *run = t->run;

	run->s.regs.regs.rip = rip;
	run->s.regs.regs.rsp = rsp;
	run->s.regs.regs.rflags = sanitize_rflags(rflags);
	run->s.regs.sregs.cs = m->ucs;
	run->s.regs.sregs.ss = m->uss;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
}

/* chan: the call came from a channel stub that stopped waiting (DB_CHAN):
 * the worker may have made it already (monitor/channel.c) */
static void handle_syscall(struct sb_mon *m, struct sb_thr *t, int chan)
{
	struct kvm_run *run = t->run;
	struct kvm_regs *r = &run->s.regs.regs;
	int cpl0 = run->s.regs.sregs.cs.dpl == 0;
	long nr = (long)r->rax, rc;

	if (cpl0 && !m->ring0 && !m->chan_cpl0)
		m->chan_cpl0 = 1; /* the stubs run at CPL0: channel stubs can serve this process */
	if (chan && chan_resolve(m, t, &rc)) {
		t->nsyscalls++;
		goto out;
	}
	/* a call a parked worker could serve, or could patch the site of
	 * (a call the channel answers in the VM): wake it for the next ones,
	 * and note the site for the patcher. (Where unmodified `syscall`s do
	 * not reach the channel, as on a PVM host, patched sites are how
	 * calls get there.) */
	if (m->chan_enabled && nr >= 0 && nr < CH_NR_MAX) {
		const struct sb_chan_ctl *ctl = cpu_chan_ctl(m);
		uint64_t bit = 1ull << (nr % 64);

		if ((ctl->nr_ok[nr / 64] & bit) || (m->patch_on && (ctl->vm_ok[nr / 64] & bit))) {
			struct sb_chan_slot *s = cpu_chan_slot(m, t->idx);

			if (m->patch_on) {
				__atomic_store_n(&s->vm_site, r->rcx, __ATOMIC_RELAXED);
				__atomic_store_n(&s->vm_nr, (uint64_t)nr, __ATOMIC_RELAXED);
			}
			chan_kick(m);
		}
	}

	/* rt_sigreturn only restores the process's own state from its own
	 * memory (checked): no policy can refuse it, as none can refuse exit */
	if (nr == SYS_rt_sigreturn) {
		t->nsyscalls++;
		sig_return(m);
		return;
	}
	rc = mon_syscall(m, r);
	if (rc == -SB_ERESTARTNOINTR) {
		/* a signal came before the forwarded call started: deliver it,
		 * then the `syscall` instruction runs again, as if the signal had
		 * come just before it (natively the same: no EINTR) */
		rc = nr;
		r->rcx -= 2;
	} else if (rc == -EINTR) {
		const long a[6] = { (long)r->rdi, (long)r->rsi, (long)r->rdx, (long)r->r10, (long)r->r8, (long)r->r9 };

		sig_after_eintr(m, nr, a);
	}
	if (rc == -EINTR && sig_restart(m, nr)) {
		/* as the kernel's -ERESTARTSYS: after the handler (SA_RESTART),
		 * the `syscall` instruction runs again with the same number */
		rc = nr;
		r->rcx -= 2;
	}
out:
	r->rax = (uint64_t)rc;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	if (m->ring0) {
		/* Dune mode: back to CPL0 (monitor/ring0.c) */
		ring0_syscall_return(m, t);
		return;
	}
	if (!cpl0) {
		/* PVM: still in user mode at the stub */
		r->rip = r->rcx;
		r->rflags = sanitize_rflags(r->r11);
	} else if (canonical_user(r->rcx)) {
		/* VT-x/AMD-V: the stub's sysretq loads rip = rcx, rflags = r11, CS/SS user */
		r->r11 = sanitize_rflags(r->r11);
		r->rip = m->lstar_sysret;
	} else {
		/* sysretq would fault at ring 0 with a non-canonical rcx: return by hand,
		 * the guest then takes its #GP in user mode, as natively */
		return_to_user(m, t, r->rcx, r->rsp, r->r11);
	}
}

/* si_code of a fault (as Linux's traps.c and fault.c) */
static int vector_code(int v, uint64_t err)
{
	switch (v) {
	case 0:
		return 1; /* FPE_INTDIV */
	case 16:
	case 19:
		return 7; /* FPE_FLTINV */
	case 1:
		return 2; /* TRAP_TRACE */
	case 6:
		return 2; /* ILL_ILLOPN */
	case 14:
		return (err & 1) ? 2 : 1; /* SEGV_ACCERR : SEGV_MAPERR */
	case 17:
		return 1; /* BUS_ADRALN */
	default:
		return 0x80; /* SI_KERNEL: #GP, #BP, #SS, ... */
	}
}

static int vector_signal(int v)
{
	switch (v) {
	case 0:  /* #DE */
	case 16: /* #MF */
	case 19: /* #XM */
		return SIGFPE;
	case 1: /* #DB */
	case 3: /* #BP */
		return SIGTRAP;
	case 6: /* #UD */
		return SIGILL;
	case 12: /* #SS */
	case 17: /* #AC */
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

static const char *vector_name(int v)
{
	static const char *const n[CPU_NVEC] = {
		"divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
		"bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
		"double fault (#DF)", "coprocessor overrun", "invalid TSS (#TS)", "segment not present (#NP)",
		"stack fault (#SS)", "general protection (#GP)", "page fault (#PF)", "reserved 15",
		"x87 error (#MF)", "alignment check (#AC)", "machine check (#MC)", "SIMD error (#XM)",
		"virtualization (#VE)", "control protection (#CP)",
	};
	return (v >= 0 && v < CPU_NVEC && n[v]) ? n[v] : "exception";
}

static void handle_exception(struct sb_mon *m, struct sb_thr *t, int v)
{
	struct kvm_run *run = t->run;
	/* the frame is on this vCPU's IST1 stack, in the vault, at a fixed
	 * place: it is never read from an address the guest chose */
	const uint64_t *f = (const uint64_t *)(t->ist_top - 6 * 8);
	uint64_t err = f[0], rip = f[1], cs = f[2], rflags = f[3], rsp = f[4];

	/* defends against a fault inside the ring-0 stubs themselves (a hostile
	 * state or a monitor bug): the guest cannot be resumed sanely. In
	 * ring-0 mode the process's frames are at CPL0 and it can write them:
	 * checked there (monitor/ring0.c) */
	if (m->ring0)
		ring0_check_frame(m, v, err, &rip, &rflags);
	else if ((cs & 3) != 3)
		mon_crash(m, SIGSEGV, "fault in the sandbox's ring-0 code", rip, v, err);

	/* put the vCPU back in user mode at the faulting instruction, so that the
	 * registers reported (and, later, given to handlers) are the process's */
	return_to_user(m, t, rip, rsp, rflags);
	run->s.regs.regs.rflags = rflags;

	t->fault_trapno = (uint64_t)v;
	t->fault_err = err;
	t->fault_cr2 = 0;
	if (v == 14) {
		uint64_t cr2 = run->s.regs.sregs.cr2;

		/* not present: a huge mapping mirrored on demand, or one the kernel
		 * made behind a call; the host decides */
		if (!(err & 1) && !ring0_foreign_cr3(m, t) && mirror_fault(m, cr2, !!(err & 2), !!(err & 16)))
			return;
		/* the guest's handler, if it has one; else a report and death.
		 * Not present in the guest but mapped on the host: a PROT_NONE
		 * page, which the kernel reports as an access error */
		t->fault_cr2 = cr2;
		if (!(err & 1) && mirror_host_mapped(m, cr2))
			err |= 1;
		if (!sig_force(m, SIGSEGV, vector_code(v, err), cr2))
			return;
		mon_crash(m, SIGSEGV, vector_name(v), cr2, v, err);
	}
	if (!sig_force(m, vector_signal(v), vector_code(v, err),
		       (v == 13 || v == 3 || v == 12) ? 0 : rip))
		return;
	mon_crash(m, vector_signal(v), vector_name(v), rip, v, err);
}

static void handle_mmio(struct sb_mon *m, struct sb_thr *t)
{
	struct kvm_run *run = t->run;
	uint64_t gpa = run->mmio.phys_addr;

	if (run->mmio.is_write && gpa == DB_GPA + DB_USER_OFF + DB_SYS) {
		handle_syscall(m, t, 0);
		return;
	}
	if (run->mmio.is_write && gpa == DB_GPA + DB_SUPER_OFF + DB_CHAN && !m->ring0) {
		/* only a channel stub can store there (supervisor page) */
		if (run->s.regs.sregs.cs.dpl != 0)
			mon_crash(m, SIGSEGV, "user-mode store to the channel doorbell", gpa, -1, 0);
		handle_syscall(m, t, 1);
		return;
	}
	if (run->mmio.is_write && gpa >= DB_GPA + DB_SUPER_OFF + DB_VEC &&
	    gpa < DB_GPA + DB_SUPER_OFF + DB_VEC + 8 * CPU_NVEC && !((gpa - DB_GPA) & 7)) {
		/* only the ring-0 stubs can store there (supervisor page) */
		if (run->s.regs.sregs.cs.dpl != 0)
			mon_crash(m, SIGSEGV, "user-mode store to the exception doorbell", gpa, -1, 0);
		handle_exception(m, t, (int)((gpa - DB_GPA - DB_SUPER_OFF - DB_VEC) / 8));
		return;
	}
	/* ring-0 mode: any guest-physical address can be reached (monitor/ring0.c) */
	if (m->ring0)
		ring0_mmio(m, t);
	/* any other access to the doorbell pages: the process touched memory
	 * that is not its own */
	mon_crash(m, SIGSEGV, "access to the sandbox's doorbell page", m->vault + VLT_DOORBELL + (gpa - DB_GPA),
		  -1, run->mmio.is_write ? 2 : 0);
}

void mon_main(struct sb_mon *m)
{
	struct sb_thr *t = sb_thr_self();
	struct kvm_run *run = t->run;

	for (;;) {
		int rc;

		if (__atomic_load_n(&t->pending, __ATOMIC_RELAXED))
			sig_deliver_pending(m);
		if (!t->chan_lstar && m->chan_cpl0 && !m->chan_no_stub)
			chan_vcpu_switch(m, t);
		rc = m->run_vcpu(t);
		t->nexits++;
		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc == -EFAULT) {
			/* the guest page tables allowed an access the host refused:
			 * with an exact mirror this is a file mapping beyond its end */
			t->fault_trapno = 14;
			if (!sig_force(m, SIGBUS, 2 /* BUS_ADRERR */, 0))
				continue;
			mon_crash(m, SIGBUS, "access the host could not back (file mapping beyond its end?)", 0, -1, 0);
		}
		if (rc < 0)
			mon_fatal(m, "KVM_RUN failed", rc);
		run->kvm_dirty_regs = 0;
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			handle_mmio(m, t);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			mon_crash(m, SIGSEGV, "triple fault", 0, -1, 0);
		default:
			if (m->ring0)
				ring0_bad_exit(m, t);
			mon_fatal(m, "unexpected exit reason", run->exit_reason);
		}
	}
}
