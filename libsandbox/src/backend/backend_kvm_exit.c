/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kvm_exit.c: the /dev/kvm backend, exit-path half (freestanding). */
#include <errno.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include "backend.h"

int sb_kvm_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
int sb_kvm_run(struct sb_mon *m);

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
