/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/emulate.c: system calls the monitor carries out itself.
 *
 * These are the calls whose effect would land on the monitor's host thread
 * instead of the guest (arch_prctl, rseq, signal state), that would take
 * the process out of the VM (clone, fork, execve: thread.c, fork.c, exec.c),
 * that are the thread's own (exit, set_tid_address), or that could
 * close the monitor's own fds (close_range).
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include "audit.h"
#include "gmem.h"
#include "../../include/sandbox.h"
#include "monitor.h"
#include "tasks.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011

/* FS and GS bases are the guest's registers: setting them on the host would
 * change the monitor thread's TLS. */
static long do_arch_prctl(struct sb_mon *m, const long *a)
{
	struct kvm_run *run = sb_thr_self()->run;
	struct kvm_sregs *s = &run->s.regs.sregs;
	uint64_t v;

	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if ((uint64_t)a[1] >= SB_USER_TOP)
			return -EPERM; /* as the kernel: a base must be a user address */
		if (a[0] == ARCH_SET_FS)
			s->fs.base = (uint64_t)a[1];
		else
			s->gs.base = (uint64_t)a[1];
		run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		v = a[0] == ARCH_GET_FS ? s->fs.base : s->gs.base;
		return gmem_out(m, (uint64_t)a[1], &v, sizeof v);
	case ARCH_GET_CPUID:
		return 1; /* cpuid is enabled (and answered by the hypervisor) */
	default:
		return -EINVAL;
	}
}

/* close_range over everything but the monitor's fds */
static long do_close_range(struct sb_mon *m, const long *a)
{
	uint64_t first = (uint64_t)(unsigned)a[0], last = (uint64_t)(unsigned)a[1];
	uint64_t lo = first;
	long rc = 0;

	if (first > last || (a[2] & ~(long)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)))
		return -EINVAL;
	while (lo <= last) {
		uint64_t f = mon_next_monfd(m, lo);
		if (f != lo) {
			rc = sb_sys3(SYS_close_range, lo, f <= last ? f - 1 : last, a[2] & ~(long)CLOSE_RANGE_UNSHARE);
			if (rc)
				return rc;
		}
		if (f > last)
			break;
		lo = f + 1;
	}
	return rc;
}

long emu_call(struct sb_mon *m, long nr, const long *a)
{
	switch (nr) {
	case SYS_mmap:
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_pkey_mprotect:
	case SYS_mremap:
	case SYS_brk:
	case SYS_madvise:
	case SYS_shmat:
	case SYS_shmdt:
	case SYS_remap_file_pages:
		return emu_mem(m, nr, a);
	case SYS_rt_sigaction:
	case SYS_rt_sigprocmask:
	case SYS_sigaltstack:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigreturn:
		return emu_sig(m, nr, a);
	case SYS_arch_prctl:
		return do_arch_prctl(m, a);
	case SYS_exit:
		mon_thread_exit(m, a[0]);
	case SYS_exit_group:
		/* the kernel ends every thread, each vCPU with it */
		tasks_remove_group(m, m->pid);
		if (m->print_stats)
			mon_print_stats(m);
		for (;;)
			sb_sys1(SYS_exit_group, a[0]);
	case SYS_set_tid_address:
		return mon_set_tid_address(m, (uint64_t)a[0]);
	case SYS_close_range:
		return do_close_range(m, a);
	case SYS_execve:
	case SYS_execveat:
		return mon_execve(m, nr, a);
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
		return mon_fork(m, nr, a);
	case SYS_clone3:
		return mon_clone3(m, a);
	case SYS_rseq:
		/* the kernel would keep writing (and following pointers in) the
		 * guest's rseq area on behalf of the monitor thread */
		return -ENOSYS;
	default:
		/* anything else the sysent table marks EMU but nothing serves */
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOSYS), -ENOSYS, "not served by the monitor");
		return -ENOSYS;
	}
}
