/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kvm_exit.c: the /dev/kvm backend, exit-path half (freestanding). */
#include <errno.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include "backend.h"

int sb_kvm_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
int sb_kvm_run(struct sb_mon *m);
int sb_kvm_get_xsave(struct sb_mon *m, void *area);
int sb_kvm_set_xsave(struct sb_mon *m, const void *area);
int sb_kvm_fork_child(struct sb_mon *m, const struct kvm_regs *regs, const struct kvm_sregs *sregs);

/* struct kvm_xsave is exactly the 4096-byte area */
_Static_assert(sizeof(struct kvm_xsave) == 4096, "kvm_xsave layout");

int sb_kvm_get_xsave(struct sb_mon *m, void *area)
{
	return (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_GET_XSAVE, area);
}

int sb_kvm_set_xsave(struct sb_mon *m, const void *area)
{
	return (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_XSAVE, area);
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

int sb_kvm_run(struct sb_mon *m)
{
	return (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_RUN, 0);
}

#define KVM_TSS_ADDR 0xfffbd000ul /* as the set-up half */

/* Put fd on number want (close-on-exec), closing fd. */
static int move_fd(int fd, int want)
{
	long rc = sb_sys3(SYS_dup3, fd, want, 02000000 /* O_CLOEXEC */);

	sb_sys1(SYS_close, fd);
	return rc < 0 ? (int)rc : 0;
}

int sb_kvm_fork_child(struct sb_mon *m, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	union {
		struct kvm_msrs h;
		uint8_t bytes[sizeof(struct kvm_msrs) + 8 * sizeof(struct kvm_msr_entry)];
	} msrs;
	struct kvm_xcrs xcrs;
	uint64_t off = 0;
	struct kvm_device_attr tsc = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET, .addr = (uint64_t)&off };
	long fd, p;
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
	fd = sb_sys3(SYS_ioctl, m->vm_fd, KVM_CREATE_VCPU, 0);
	if (fd < 0)
		return (int)fd;
	rc = move_fd((int)fd, m->vcpu_fd);
	if (rc)
		return rc;
	/* kvm_run: the parent's page is shared with it; the new vCPU's goes
	 * at the same place in the vault */
	p = sb_sys6(SYS_mmap, (long)m->run, m->run_size, 3 /* PROT_READ|PROT_WRITE */, 0x11 /* MAP_SHARED|MAP_FIXED */,
		    m->vcpu_fd, 0);
	if (p != (long)m->run)
		return p < 0 ? (int)p : -ENOMEM;
	for (uint32_t i = 0; i < m->nslots; i++) {
		rc = sb_kvm_set_window(m, i, m->win[i].gpa, m->win[i].lo, m->win[i].hi - m->win[i].lo);
		if (rc)
			return rc;
	}
	rc = (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_CPUID2, m->cpuid);
	if (rc)
		return rc;
	for (unsigned i = 0; i < sizeof xcrs; i++)
		((uint8_t *)&xcrs)[i] = 0;
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].value = m->xcr0;
	rc = (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_XCRS, &xcrs);
	if (!rc)
		rc = sb_kvm_set_xsave(m, m->xsave);
	if (!rc)
		rc = (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_SREGS, sregs);
	if (rc)
		return rc;
	for (unsigned i = 0; i < sizeof msrs; i++)
		msrs.bytes[i] = 0;
	msrs.h.nmsrs = m->nmsr;
	for (uint32_t i = 0; i < m->nmsr && i < 8; i++) {
		msrs.h.entries[i].index = m->msr_idx[i];
		msrs.h.entries[i].data = m->msr_val[i];
	}
	if (sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_MSRS, &msrs) != (long)m->nmsr)
		return -EINVAL;
	/* the host's TSC, as at entry (no fallback: a fork child of an old
	 * kernel keeps the new vCPU's TSC) */
	(void)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_DEVICE_ATTR, &tsc);
	rc = (int)sb_sys3(SYS_ioctl, m->vcpu_fd, KVM_SET_REGS, regs);
	if (rc)
		return rc;
	/* the monitor goes on editing the synced copies */
	m->run->s.regs.regs = *regs;
	m->run->s.regs.sregs = *sregs;
	m->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	m->run->kvm_dirty_regs = 0;
	m->run->immediate_exit = 0;
	return 0;
}
