/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/sigframe.c: run a guest signal handler inside the VM, and come back from it.
 *
 * The frame is the one Linux builds on x86-64 (struct rt_sigframe: return
 * address = the handler's sa_restorer, ucontext with the interrupted
 * registers, signal mask and altstack, siginfo, then the FPU state in XSAVE
 * format with the _fpx_sw_bytes magic), so that handlers, longjmp out of
 * them, and code that reads the ucontext work unchanged. rt_sigreturn reads
 * it back from guest memory: every field is untrusted then, and is checked
 * before it reaches the vCPU (see sig_return()).
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include "gmem.h"
#include "ksig.h"
#include "monitor.h"
#include "ring0.h"

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif
#ifndef FP_XSTATE_MAGIC2
#define FP_XSTATE_MAGIC2 0x46505845u
#endif
#define REDZONE 128
#define RFLAGS_TF 0x100ull
#define RFLAGS_DF 0x400ull
#define RFLAGS_RF 0x10000ull

struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	uint8_t info[128];
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "x86-64 sigcontext");
_Static_assert(sizeof(struct k_ucontext) == 304, "x86-64 ucontext");
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "x86-64 rt_sigframe");

static int on_altstack(const struct sb_thr *t, uint64_t sp)
{
	return t->ss_size && sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
}

/* The interrupted user context. After a system call on VT-x the vCPU
 * waits at the LSTAR stub's sysretq (CPL0) with the user rip in rcx and
 * rflags in r11; otherwise it is at CPL3 with its own rip and rflags. */
int sig_user_context(const struct sb_mon *m, uint64_t *rip, uint64_t *rflags)
{
	struct sb_thr *t = sb_thr_self();
	const struct kvm_run *run = t->run;
	const struct kvm_regs *r = &run->s.regs.regs;

	/* ring-0 mode: the process runs at CPL0; anywhere but in the stubs */
	if (run->s.regs.sregs.cs.dpl == 3 || ring0_user_point(m, r->rip)) {
		*rip = r->rip;
		*rflags = r->rflags;
		return 0;
	}
	if (r->rip == m->lstar_sysret) {
		*rip = r->rcx;
		*rflags = r->r11;
		return 0;
	}
	return -EAGAIN; /* inside a ring-0 stub: not a point where a handler may start */
}

static void set_user(struct sb_mon *m, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
	struct sb_thr *t = sb_thr_self();
	struct kvm_run *run = t->run;

	run->s.regs.regs.rip = rip;
	run->s.regs.regs.rsp = rsp;
	run->s.regs.regs.rflags = (rflags & 0x00240fd5ull) | 0x202;
	run->s.regs.sregs.cs = m->ucs;
	run->s.regs.sregs.ss = m->uss;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
}

int sig_run_handler(struct sb_mon *m, int sig)
{
	struct sb_thr *t = sb_thr_self();
	struct kvm_run *run = t->run;
	struct kvm_regs *r = &run->s.regs.regs;
	/* a copy: SA_RESETHAND resets the disposition before the handler starts */
	const struct sb_ksigaction act = m->sig[sig], *ka = &act;
	struct k_rt_sigframe *f = (struct k_rt_sigframe *)(t->xsave + sizeof t->xsave - 512);
	struct k_sigcontext *sc = &f->uc.uc_mcontext;
	uint64_t rip, rflags, sp, fp, frame, fpsize = m->xsave_size + 4, newmask;
	uint32_t *sw;

	if (sig_user_context(m, &rip, &rflags))
		return -EAGAIN;
	/* the frame is assembled in the vault (the tail of t->xsave, past any
	 * XSAVE state) and copied out in two pieces */
	if (m->get_xsave(t, t->xsave))
		mon_fatal(m, "cannot read the vCPU's FPU state", -EIO);

	sp = r->rsp - REDZONE;
	if ((ka->flags & SA_ONSTACK) && t->ss_size && !on_altstack(t, r->rsp)) {
		sp = t->ss_sp + t->ss_size;
	}
	fp = (sp - fpsize) & ~63ull;
	frame = ((fp - sizeof *f) & ~15ull) - 8;

	for (unsigned i = 0; i < sizeof *f; i++)
		((uint8_t *)f)[i] = 0;
	f->pretcode = ka->restorer;
	f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS;
	f->uc.uc_stack.ss_sp = t->ss_sp;
	f->uc.uc_stack.ss_flags = t->ss_size ? (on_altstack(t, r->rsp) ? SS_ONSTACK : 0) | (t->ss_flags & SS_AUTODISARM)
					     : SS_DISABLE;
	f->uc.uc_stack.ss_size = t->ss_size;
	sc->r8 = r->r8, sc->r9 = r->r9, sc->r10 = r->r10, sc->r11 = r->r11;
	sc->r12 = r->r12, sc->r13 = r->r13, sc->r14 = r->r14, sc->r15 = r->r15;
	sc->rdi = r->rdi, sc->rsi = r->rsi, sc->rbp = r->rbp, sc->rbx = r->rbx;
	sc->rdx = r->rdx, sc->rax = r->rax, sc->rcx = r->rcx, sc->rsp = r->rsp;
	sc->rip = rip;
	sc->eflags = rflags;
	sc->cs = (uint16_t)m->ucs.selector;
	sc->ss = (uint16_t)m->uss.selector;
	sc->err = t->fault_err;
	sc->trapno = t->fault_trapno;
	sc->oldmask = t->sigmask;
	sc->cr2 = t->fault_cr2;
	sc->fpstate = fp;
	f->uc.uc_sigmask = t->sigmask;
	for (unsigned i = 0; i < 128; i++)
		f->info[i] = t->siginfo[sig][i];

	/* the XSAVE area with the software-reserved bytes Linux puts there */
	sw = (uint32_t *)(t->xsave + 464);
	sw[0] = FP_XSTATE_MAGIC1;
	sw[1] = (uint32_t)fpsize;        /* extended_size */
	*(uint64_t *)(sw + 2) = m->xcr0; /* xfeatures */
	sw[4] = (uint32_t)m->xsave_size; /* xstate_size */
	*(uint32_t *)(t->xsave + m->xsave_size) = FP_XSTATE_MAGIC2;

	/* no restorer: the handler could not return; the kernel kills with
	 * SIGSEGV in that case, and so does a frame that cannot be written
	 * (an overflowed stack with no altstack) */
	if (!(ka->flags & SA_RESTORER_K) || gmem_out(m, fp, t->xsave, fpsize) || gmem_out(m, frame, f, sizeof *f))
		return -EFAULT;

	/* the handler's mask (from the call's temporary mask after
	 * sigsuspend & co., whose frame restores the mask from before);
	 * SA_RESETHAND; SS_AUTODISARM */
	newmask = (t->in_suspend ? t->suspend_mask : t->sigmask) | ka->mask;
	t->in_suspend = 0;
	if (!(ka->flags & SA_NODEFER))
		newmask |= KSIG_BIT(sig);
	newmask &= ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
	if ((ka->flags & SA_ONSTACK) && (t->ss_flags & SS_AUTODISARM) && sp == t->ss_sp + t->ss_size) {
		t->ss_sp = t->ss_size = 0;
		t->ss_flags = SS_DISABLE;
	}
	if (ka->flags & SA_RESETHAND) {
		struct sb_ksigaction dfl = { (uint64_t)SIG_DFL, 0, 0, 0 };

		mon_lock(m);
		m->sig[sig] = dfl;
		sig_set_host(m, sig, &dfl);
		mon_unlock(m);
	}
	if (newmask != t->sigmask) {
		sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &newmask, 0, SIGSET_SIZE);
		t->sigmask = newmask;
	}
	t->fault_err = t->fault_trapno = t->fault_cr2 = 0;

	/* the handler: (sig, &info, &uc), on the new stack, DF TF RF clear */
	r->rdi = (uint64_t)sig;
	r->rsi = frame + __builtin_offsetof(struct k_rt_sigframe, info);
	r->rdx = frame + __builtin_offsetof(struct k_rt_sigframe, uc);
	r->rax = 0;
	set_user(m, ka->handler, frame, rflags & ~(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF));
	return 0;
}

void fpu_init_area(uint8_t *a)
{
	for (unsigned i = 0; i < 4096; i++)
		a[i] = 0;
	a[0] = 0x7f;
	a[1] = 0x03;
	a[24] = 0x80;
	a[25] = 0x1f;
	a[512] = 0x3;
}

/* XSAVE state read from the guest, before KVM gets it. Defends against a
 * header the CPU would refuse (#GP in XRSTOR) or that names components
 * the guest's XCR0 does not enable: KVM_SET_XSAVE would fail, and the
 * monitor must not depend on the host's checks for the guest's own state. */
static int xsave_ok(const struct sb_mon *m, const uint8_t *a)
{
	const uint64_t *hdr = (const uint64_t *)(a + 512);
	uint32_t mxcsr = *(const uint32_t *)(a + 24);

	if (hdr[0] & ~m->xcr0) /* XSTATE_BV */
		return 0;
	for (int i = 1; i < 8; i++) /* XCOMP_BV and the reserved header bytes */
		if (hdr[i])
			return 0;
	return mxcsr < 0x10000; /* MXCSR reserved bits */
}

void sig_return(struct sb_mon *m)
{
	struct sb_thr *t = sb_thr_self();
	struct kvm_run *run = t->run;
	struct kvm_regs *r = &run->s.regs.regs;
	struct k_ucontext *uc = (struct k_ucontext *)(t->xsave + sizeof t->xsave - 512);
	const struct k_sigcontext *sc = &uc->uc_mcontext;
	uint64_t mask, fpstate;
	int has_fp;

	/* the frame is where the handler's `ret` left rsp: uc at rsp */
	if (gmem_in(m, uc, r->rsp, sizeof *uc))
		mon_crash(m, SIGSEGV, "rt_sigreturn with no signal frame on the stack", r->rsp, -1, 0);
	/* defends against a return address outside user space: VM entry
	 * would fail with it (natively the return faults: SIGSEGV) */
	if (sc->rip >= SB_USER_TOP)
		mon_crash(m, SIGSEGV, "rt_sigreturn to a non-canonical address", sc->rip, -1, 0);

	r->r8 = sc->r8, r->r9 = sc->r9, r->r10 = sc->r10, r->r11 = sc->r11;
	r->r12 = sc->r12, r->r13 = sc->r13, r->r14 = sc->r14, r->r15 = sc->r15;
	r->rdi = sc->rdi, r->rsi = sc->rsi, r->rbp = sc->rbp, r->rbx = sc->rbx;
	r->rdx = sc->rdx, r->rax = sc->rax, r->rcx = sc->rcx;
	/* CS and SS are always the user segments and rflags keeps only the
	 * status flags (no IOPL, no NT, no VM), whatever the frame says */
	set_user(m, sc->rip, sc->rsp, sc->eflags);

	mask = uc->uc_sigmask & ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
	if (mask != t->sigmask) {
		sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &mask, 0, SIGSET_SIZE);
		t->sigmask = mask;
	}
	/* the altstack as the frame says (as sigaltstack(2): refused values
	 * are ignored) */
	if (!on_altstack(t, r->rsp)) {
		if (uc->uc_stack.ss_flags & SS_DISABLE) {
			t->ss_sp = t->ss_size = 0;
			t->ss_flags = SS_DISABLE;
		} else if (uc->uc_stack.ss_size >= 2048 && !(uc->uc_stack.ss_flags & ~(SS_ONSTACK | SS_AUTODISARM))) {
			t->ss_sp = uc->uc_stack.ss_sp;
			t->ss_size = uc->uc_stack.ss_size;
			t->ss_flags = uc->uc_stack.ss_flags & SS_AUTODISARM;
		}
	}
	fpstate = sc->fpstate;
	has_fp = fpstate && (uc->uc_flags & UC_FP_XSTATE);

	/* the FPU state: the frame's (checked), or the initial one */
	fpu_init_area(t->xsave);
	if (has_fp) {
		for (unsigned i = 0; i < 512 + 64; i++)
			t->xsave[i] = 0;
		if (gmem_in(m, t->xsave, fpstate, m->xsave_size) || !xsave_ok(m, t->xsave))
			mon_crash(m, SIGSEGV, "rt_sigreturn with a bad FPU state in its frame", fpstate, -1, 0);
	}
	if (m->set_xsave(t, t->xsave))
		mon_crash(m, SIGSEGV, "rt_sigreturn: the vCPU refused the FPU state of the frame", fpstate, -1, 0);
}
