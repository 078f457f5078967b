/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kmod_exit.c: the /dev/ringfence backend, exit-path half (freestanding).
 *
 * Windows, RFK_RUN, the FPU image, and the two calls that make vCPUs after
 * entry: a thread's (new_vcpu: another vCPU of the same VM, driven by the
 * thread's own host thread) and a fork child's (fork_child: a VM of its own,
 * since the module refuses the parent's in another mm). Raw system calls
 * only; the second wall (api/wall.c) allows the ioctls used here. */
#include <errno.h>
#include <sys/syscall.h>
#include <uapi/ringfence.h>
#include "backend.h"

int sb_kmod_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
int sb_kmod_run(struct sb_thr *t);
int sb_kmod_get_xsave(struct sb_thr *t, void *area);
int sb_kmod_set_xsave(struct sb_thr *t, const void *area);
int sb_kmod_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int sb_kmod_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);

int sb_kmod_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size)
{
	struct rfk_memory_window w = {
		.size = sizeof w, .slot = slot, .gpa = gpa, .hva = hva, .len = size,
	};

	return (int)sb_sys3(SYS_ioctl, m->vm_fd, RFK_SET_MEMORY_WINDOW, &w);
}

int sb_kmod_run(struct sb_thr *t)
{
	return (int)sb_sys3(SYS_ioctl, t->vcpu_fd, RFK_RUN, 0);
}

/* the area is 4096 bytes; struct rfk_xsave puts a header before it (on the
 * monitor's stack, in the vault) */
int sb_kmod_get_xsave(struct sb_thr *t, void *area)
{
	struct rfk_xsave x;
	uint64_t *out = area;
	int rc;

	x.size = sizeof x;
	rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, RFK_GET_XSAVE, &x);
	if (rc)
		return rc;
	for (unsigned i = 0; i < 512; i++)
		out[i] = x.region[i];
	return 0;
}

int sb_kmod_set_xsave(struct sb_thr *t, const void *area)
{
	struct rfk_xsave x;
	const uint64_t *in = area;

	x.size = sizeof x;
	x.flags = 0;
	x.reserved[0] = x.reserved[1] = 0;
	for (unsigned i = 0; i < 512; i++)
		x.region[i] = in[i];
	return (int)sb_sys3(SYS_ioctl, t->vcpu_fd, RFK_SET_XSAVE, &x);
}

#define SFMASK_GUEST 0x47700ull /* TF DF IF IOPL NT AC, as backend_kmod.c */

/* Put fd on number want (close-on-exec), closing fd. */
static int move_fd(int fd, int want)
{
	long rc = sb_sys3(SYS_dup3, fd, want, 02000000 /* O_CLOEXEC */);

	sb_sys1(SYS_close, fd);
	return rc < 0 ? (int)rc : 0;
}

/* A new vCPU (id: the slot) for thread t, its run area in t's region, on
 * fd number want, or (want < 0) on the lowest free one above m->fd_base,
 * listed among the monitor's vCPU fds. */
static int create_vcpu(struct sb_mon *m, struct sb_thr *t, int want)
{
	long fd = sb_sys3(SYS_ioctl, m->vm_fd, RFK_CREATE_VCPU, t->idx), p;
	int rc;

	if (fd < 0)
		return (int)fd;
	if (want >= 0) {
		rc = move_fd((int)fd, want);
		if (rc)
			return rc;
		fd = want;
	} else {
		long hi = sb_sys3(SYS_fcntl, fd, 1030 /* F_DUPFD_CLOEXEC */, m->fd_base);

		sb_sys1(SYS_close, fd);
		if (hi < 0)
			return (int)hi;
		fd = hi;
		if (m->nvcpufd >= SB_MAX_THREADS) {
			sb_sys1(SYS_close, fd);
			return -EMFILE;
		}
		m->vcpufd[m->nvcpufd++] = (int)fd;
	}
	t->vcpu_fd = (int)fd;
	t->run = (struct kvm_run *)(sb_thr_region(m, t->idx) + THR_RUN);
	/* the run area lives in the vault: the guest never maps it (in a fork
	 * child the parent's page, shared, is replaced) */
	p = sb_sys6(SYS_mmap, (long)t->run, RFK_RUN_SIZE, 3 /* PROT_READ|PROT_WRITE */, 0x11 /* MAP_SHARED|MAP_FIXED */,
		    t->vcpu_fd, 0);
	if (p != (long)t->run)
		return p < 0 ? (int)p : -ENOMEM;
	return 0;
}

/* struct kvm_segment (the run area's sync registers) in VMX access-rights
 * form, as the module reports it (kmod/rfk_vmx.c seg_to_kvm) */
static void seg_from_kvm(const struct kvm_segment *k, struct rfk_segment *g)
{
	g->base = k->base;
	g->limit = k->limit;
	g->selector = k->selector;
	g->attrib = (uint64_t)(k->type & 15) | (uint64_t)(k->s & 1) << 4 | (uint64_t)(k->dpl & 3) << 5 |
		    (uint64_t)(k->present & 1) << 7 | (uint64_t)(k->avl & 1) << 12 | (uint64_t)(k->l & 1) << 13 |
		    (uint64_t)(k->db & 1) << 14 | (uint64_t)(k->g & 1) << 15 | (uint64_t)(k->unusable & 1) << 16;
}

/* Put t's vCPU in the given state: segments and control registers, the
 * guest's XCR0 and syscall MSRs (fixed at entry: backend_kmod.c), the FPU
 * (t->xsave), the registers. CPUID and the TSC are the host's on this
 * backend: nothing to replay. */
static int vcpu_state(struct sb_mon *m, struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	struct rfk_sregs s;
	struct rfk_regs r;
	int rc;

	sb_memset(&s, 0, sizeof s);
	s.size = sizeof s;
	seg_from_kvm(&sregs->cs, &s.cs);
	seg_from_kvm(&sregs->ds, &s.ds);
	seg_from_kvm(&sregs->es, &s.es);
	seg_from_kvm(&sregs->fs, &s.fs);
	seg_from_kvm(&sregs->gs, &s.gs);
	seg_from_kvm(&sregs->ss, &s.ss);
	seg_from_kvm(&sregs->tr, &s.tr);
	seg_from_kvm(&sregs->ldt, &s.ldt);
	s.gdt_base = sregs->gdt.base;
	s.gdt_limit = sregs->gdt.limit;
	s.idt_base = sregs->idt.base;
	s.idt_limit = sregs->idt.limit;
	s.cr0 = sregs->cr0;
	s.cr2 = sregs->cr2;
	s.cr3 = sregs->cr3;
	s.cr4 = sregs->cr4;
	s.efer = sregs->efer;
	s.xcr0 = m->xcr0;
	s.star = ((uint64_t)GDT_UCODE32 << 48) | ((uint64_t)GDT_KCODE << 32);
	s.lstar = m->lstar;
	s.cstar = m->lstar_sysret + 3; /* the ud2 after sysretq */
	s.sfmask = SFMASK_GUEST;
	/* sregs first: the module checks the XSAVE image against its XCR0 */
	rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, RFK_SET_SREGS, &s);
	if (!rc)
		rc = sb_kmod_set_xsave(t, t->xsave);
	if (rc)
		return rc;
	sb_memset(&r, 0, sizeof r);
	r.size = sizeof r;
	r.rax = regs->rax;
	r.rbx = regs->rbx;
	r.rcx = regs->rcx;
	r.rdx = regs->rdx;
	r.rsi = regs->rsi;
	r.rdi = regs->rdi;
	r.rsp = regs->rsp;
	r.rbp = regs->rbp;
	r.r8 = regs->r8;
	r.r9 = regs->r9;
	r.r10 = regs->r10;
	r.r11 = regs->r11;
	r.r12 = regs->r12;
	r.r13 = regs->r13;
	r.r14 = regs->r14;
	r.r15 = regs->r15;
	r.rip = regs->rip;
	r.rflags = regs->rflags;
	rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, RFK_SET_REGS, &r);
	if (rc)
		return rc;
	/* the monitor goes on editing the synced copies */
	t->run->s.regs.regs = *regs;
	t->run->s.regs.sregs = *sregs;
	t->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	t->run->kvm_dirty_regs = 0;
	t->run->immediate_exit = 0;
	return 0;
}

/* A new thread (monitor/thread.c): a vCPU of the same VM, id = slot, made
 * on the slot's first use and kept for its later threads. */
int sb_kmod_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	struct sb_mon *m = t->mon;
	int rc;

	if (t->vcpu_fd < 0) {
		rc = create_vcpu(m, t, -1);
		if (rc)
			return rc;
	}
	return vcpu_state(m, t, regs, sregs);
}

/* A fork child (monitor/fork.c): the parent's VM and vCPU fds answer EIO in
 * this mm. A new VM from the /dev/ringfence fd the child inherited (the
 * device fd has no per-process state), on the same fd numbers; the same
 * windows (same GPAs, the child's own copy-on-write pages at the same host
 * addresses); the calling thread's vCPU in its state at the call. */
int sb_kmod_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	struct sb_mon *m = t->mon;
	long fd;
	int rc;

	fd = sb_sys3(SYS_ioctl, m->kvm_fd, RFK_CREATE_VM, 0);
	if (fd < 0)
		return (int)fd;
	rc = move_fd((int)fd, m->vm_fd);
	if (rc)
		return rc;
	rc = create_vcpu(m, t, t->vcpu_fd);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < m->nslots; i++) {
		rc = sb_kmod_set_window(m, i, m->win[i].gpa, m->win[i].lo, m->win[i].hi - m->win[i].lo);
		if (rc)
			return rc;
	}
	return vcpu_state(m, t, regs, sregs);
}
