/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kmod_exit.c: the /dev/ringfence backend, exit-path half (freestanding). */
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

/* fork inside the sandbox (monitor/fork.c) is not supported on this backend
 * yet: the child's new VM would need RFK_CREATE_VM in the child (its own mm)
 * and the parent's windows and vCPU state replayed. Refused cleanly here, so
 * the monitor reports it instead of calling a null pointer. */
int sb_kmod_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	(void)t;
	(void)regs;
	(void)sregs;
	return -ENOSYS;
}

/* a second vCPU in the same VM (threads, monitor/thread.c): not offered by
 * the module's UAPI yet; clone of a thread fails with this error */
int sb_kmod_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	(void)t;
	(void)regs;
	(void)sregs;
	return -ENOSYS;
}
