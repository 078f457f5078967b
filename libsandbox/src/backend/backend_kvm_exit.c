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
