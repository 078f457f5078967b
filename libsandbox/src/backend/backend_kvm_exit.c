/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kvm_exit.c: the /dev/kvm backend, exit-path half (freestanding). */
#include <errno.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include "backend.h"

int sb_kvm_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
int sb_kvm_run(struct sb_thr *t);
int sb_kvm_get_xsave(struct sb_thr *t, void *area);
int sb_kvm_set_xsave(struct sb_thr *t, const void *area);
int sb_kvm_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int sb_kvm_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int sb_kvm_set_lstar(struct sb_thr *t, uint64_t lstar);

/* struct kvm_xsave is exactly the 4096-byte area */
_Static_assert(sizeof(struct kvm_xsave) == 4096, "kvm_xsave layout");

int sb_kvm_get_xsave(struct sb_thr *t, void *area)
{
	return (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_GET_XSAVE, area);
}

int sb_kvm_set_xsave(struct sb_thr *t, const void *area)
{
	return (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_XSAVE, area);
}

int sb_kvm_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size)
{
	struct kvm_userspace_memory_region r;

	r.slot = slot;
	r.flags = 0;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = hva;
	return (int)sb_sys3(SYS_ioctl, m->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

int sb_kvm_run(struct sb_thr *t)
{
	return (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_RUN, 0);
}

#define KVM_TSS_ADDR 0xfffbd000ul /* as the set-up half */

/* Put fd on number want (close-on-exec), closing fd. */
static int move_fd(int fd, int want)
{
	long rc = sb_sys3(SYS_dup3, fd, want, 02000000 /* O_CLOEXEC */);

	sb_sys1(SYS_close, fd);
	return rc < 0 ? (int)rc : 0;
}

/* fd joins the vCPU fds the checks refuse to the guest (a free entry
 * first: entries never move, readers take no lock) */
static int list_vcpufd(struct sb_mon *m, int fd)
{
	for (uint32_t i = 0; i < m->nvcpufd; i++)
		if (m->vcpufd[i] < 0) {
			m->vcpufd[i] = fd;
			return 0;
		}
	if (m->nvcpufd >= SB_MAX_THREADS)
		return -EMFILE;
	m->vcpufd[m->nvcpufd] = fd;
	__atomic_store_n(&m->nvcpufd, m->nvcpufd + 1, __ATOMIC_RELEASE);
	return 0;
}

/* thread t's old vCPU goes: out of the list first, then closed (the VM
 * keeps the vCPU itself until it ends) */
static void retire_vcpu(struct sb_mon *m, struct sb_thr *t)
{
	for (uint32_t i = 0; i < m->nvcpufd; i++)
		if (m->vcpufd[i] == t->vcpu_fd)
			__atomic_store_n(&m->vcpufd[i], -1, __ATOMIC_RELEASE);
	sb_sys1(SYS_close, t->vcpu_fd);
	t->vcpu_fd = -1;
}

/* A new vCPU for thread t (the VM's next id), its kvm_run in t's region,
 * on a high fd number (want, or the lowest free one above m->fd_base). */
static int create_vcpu(struct sb_mon *m, struct sb_thr *t, int want)
{
	long fd = sb_sys3(SYS_ioctl, m->vm_fd, KVM_CREATE_VCPU, m->next_vcpu_id), p;
	int rc;

	if (fd < 0)
		return (int)fd;
	m->next_vcpu_id++;
	if (m->vcpu_budget)
		m->vcpu_budget--;
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
		rc = list_vcpufd(m, (int)fd);
		if (rc) {
			sb_sys1(SYS_close, fd);
			return rc;
		}
	}
	t->vcpu_fd = (int)fd;
	t->run = (struct kvm_run *)(sb_thr_region(m, t->idx) + THR_RUN);
	/* kvm_run lives in the vault: the guest never maps it (in a fork
	 * child the parent's page, shared, is replaced) */
	p = sb_sys6(SYS_mmap, (long)t->run, m->run_size, 3 /* PROT_READ|PROT_WRITE */, 0x11 /* MAP_SHARED|MAP_FIXED */,
		    t->vcpu_fd, 0);
	if (p != (long)t->run)
		return p < 0 ? (int)p : -ENOMEM;
	return 0;
}

/* Put t's vCPU in the given state: CPU model, XCR0, syscall MSRs and the
 * host's TSC (a new vCPU only: a slot's kept vCPU has them), FPU
 * (t->xsave), segments and control registers, registers. */
static int vcpu_state(struct sb_mon *m, struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		      int fresh)
{
	union {
		struct kvm_msrs h;
		uint8_t bytes[sizeof(struct kvm_msrs) + 8 * sizeof(struct kvm_msr_entry)];
	} msrs;
	struct kvm_xcrs xcrs;
	uint64_t off = 0;
	struct kvm_device_attr tsc = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET, .addr = (uint64_t)&off };
	int rc = 0;

	if (fresh) {
		rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_CPUID2, m->cpuid);
		if (rc)
			return rc;
		for (unsigned i = 0; i < sizeof xcrs; i++)
			((uint8_t *)&xcrs)[i] = 0;
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].value = m->xcr0;
		rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_XCRS, &xcrs);
	}
	if (!rc)
		rc = sb_kvm_set_xsave(t, t->xsave);
	if (!rc)
		rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_SREGS, sregs);
	if (rc)
		return rc;
	if (!fresh)
		goto regs;
	for (unsigned i = 0; i < sizeof msrs; i++)
		msrs.bytes[i] = 0;
	msrs.h.nmsrs = m->nmsr;
	for (uint32_t i = 0; i < m->nmsr && i < 8; i++) {
		msrs.h.entries[i].index = m->msr_idx[i];
		msrs.h.entries[i].data = m->msr_val[i];
	}
	if (sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_MSRS, &msrs) != (long)m->nmsr)
		return -EINVAL;
	/* the host's TSC, as at entry (no fallback: on an old kernel the new
	 * vCPU keeps its own TSC) */
	(void)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_DEVICE_ATTR, &tsc);
regs:
	rc = (int)sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_REGS, regs);
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

/* The exitless channel: this vCPU's system calls enter lstar from now on. */
int sb_kvm_set_lstar(struct sb_thr *t, uint64_t lstar)
{
	union {
		struct kvm_msrs h;
		uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
	} msrs;

	for (unsigned i = 0; i < sizeof msrs; i++)
		msrs.bytes[i] = 0;
	msrs.h.nmsrs = 1;
	msrs.h.entries[0].index = 0xc0000082; /* MSR_LSTAR */
	msrs.h.entries[0].data = lstar;
	return sb_sys3(SYS_ioctl, t->vcpu_fd, KVM_SET_MSRS, &msrs) == 1 ? 0 : -EINVAL;
}

int sb_kvm_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	struct sb_mon *m = t->mon;
	int rc;

	int fresh;

	/* A new thread gets a new vCPU while the VM may have more: KVM_RUN
	 * from a thread other than the one that ran a vCPU last waits for an
	 * RCU grace period in the host kernel (kvm_vcpu_ioctl, "the thread
	 * running this vCPU changed": milliseconds; 12 ms a thread under
	 * Bochs), while a new vCPU costs a fraction of that. Past the VM's
	 * limit the slot's old vCPU serves again, at that price. */
	if (t->vcpu_fd >= 0 && m->vcpu_budget)
		retire_vcpu(m, t);
	fresh = t->vcpu_fd < 0;
	if (fresh) {
		rc = create_vcpu(m, t, -1);
		if (rc)
			return rc;
	}
	return vcpu_state(m, t, regs, sregs, fresh);
}

int sb_kvm_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	struct sb_mon *m = t->mon;
	long fd;
	int rc;

	/* the parent's VM and vCPU answer EIO here (another mm): new ones,
	 * on the same fd numbers */
	fd = sb_sys3(SYS_ioctl, m->kvm_fd, KVM_CREATE_VM, 0);
	if (fd < 0)
		return (int)fd;
	rc = move_fd((int)fd, m->vm_fd);
	if (rc)
		return rc;
	(void)sb_sys3(SYS_ioctl, m->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	m->next_vcpu_id = 0;
	m->vcpu_budget = m->max_vcpus;
	rc = create_vcpu(m, t, t->vcpu_fd);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < m->nslots; i++) {
		rc = sb_kvm_set_window(m, i, m->win[i].gpa, m->win[i].lo, m->win[i].hi - m->win[i].lo);
		if (rc)
			return rc;
	}
	return vcpu_state(m, t, regs, sregs, 1);
}
