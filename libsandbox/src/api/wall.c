/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/wall.c: the second wall, the host process's own seccomp filter.
 *
 * The VM boundary and the monitor's checks are the first wall. This one
 * holds if the monitor itself were taken over: the host thread may make
 * only the calls the monitor needs (listed below, with argument limits
 * where they are cheap to express) and the calls the policy can forward.
 * Integrity-refused calls (ptrace, bpf, ...) stay out unless the monitor
 * needs them itself, and then only in the form it uses (process_vm_* on
 * our own pid, ioctl with KVM_RUN, memslots and the allowed commands).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uapi/ringfence.h>
#include "wall.h"
#include "../monitor/ioctls.h"
#include "../monitor/sysent.h"
#include "../policy/compiled.h"

/* what the monitor calls after entry (monitor/, backend_kvm_exit.c) */
static const int monitor_calls[] = {
	SYS_read, SYS_write, SYS_lseek, SYS_close, SYS_close_range, SYS_newfstatat, SYS_fstat, SYS_fstatfs,
	SYS_readlinkat, SYS_mmap, SYS_munmap, SYS_brk, SYS_shmctl, SYS_clone, SYS_wait4, SYS_nanosleep,
	SYS_kill, SYS_tgkill, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack,
	SYS_rt_sigsuspend, SYS_exit, SYS_exit_group, SYS_clock_gettime, SYS_getpid, SYS_gettid, SYS_shmdt,
	SYS_prctl, SYS_seccomp, /* the crash-report child confines itself */
	/* a fork child: new VM, its own /proc files and copy pipe (monitor/fork.c) */
	SYS_dup3, SYS_pipe2, SYS_openat,
	/* ... and, under path rules, asks the /proc broker (api/procbroker.c) */
	SYS_socketpair, SYS_sendmsg, SYS_recvmsg,
	/* path rules for metadata calls (monitor/pathcheck.c) */
	SYS_openat2, SYS_faccessat2, SYS_statx, SYS_fchmodat, SYS_fchownat, SYS_futimesat, SYS_utimensat,
	/* threads (monitor/thread.c): the monitor lock, clear_child_tid, the
	 * slot word of a fork child's thread, a new vCPU's fd moved up */
	SYS_futex, SYS_set_tid_address,
};

/* the kmod backend's (backend_kmod_exit.c): run, windows, FPU state; a
 * thread's new vCPU and a fork child's new VM and vCPU */
static const unsigned long kmod_cmds[] = {
	RFK_RUN, RFK_SET_MEMORY_WINDOW, RFK_GET_XSAVE, RFK_SET_XSAVE,
	RFK_CREATE_VM, RFK_CREATE_VCPU, RFK_SET_SREGS, RFK_SET_REGS,
};

/* What the process, or a program it executes (exec policy), may be let do. */
static int may(const struct sb_mon *m, long nr)
{
	return policy_may_allow(m->policy, nr) || (m->exec_policy && policy_may_allow(m->exec_policy, nr));
}

int wall_install(const struct sb_mon *m)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	if (!ctx)
		return -ENOMEM;
	for (unsigned i = 0; i < sizeof monitor_calls / sizeof monitor_calls[0] && !rc; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, monitor_calls[i], 0);
	/* guest memory is read and written through our own pid only */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(process_vm_readv), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)m->pid, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(process_vm_writev), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)m->pid, 0));
	/* ioctl: the backend's two, and the commands a guest may use */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, KVM_RUN, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, KVM_SET_USER_MEMORY_REGION, 0));
	/* a fork child builds its own VM and vCPU (backend_kvm_exit.c) */
	{
		static const unsigned long fork_ioctls[] = {
			KVM_CREATE_VM, KVM_CREATE_VCPU, KVM_SET_TSS_ADDR, KVM_SET_CPUID2, KVM_SET_XCRS,
			KVM_SET_SREGS, KVM_SET_REGS, KVM_SET_MSRS, KVM_SET_DEVICE_ATTR,
		};

		for (unsigned i = 0; i < sizeof fork_ioctls / sizeof fork_ioctls[0] && !rc; i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					      SCMP_A1(SCMP_CMP_EQ, fork_ioctls[i], 0));
	}
	/* execve inside a launched sandbox (monitor/exec.c) runs the launcher
	 * again under this filter: what its start-up and sb_exec() need */
	if (!rc && m->exe_fd >= 0 &&
	    (may(m, SYS_execve) || may(m, SYS_execveat))) {
		static const int launcher_calls[] = {
			SYS_execveat, SYS_memfd_create, SYS_fcntl, SYS_brk, SYS_arch_prctl, SYS_set_tid_address,
			SYS_set_robust_list, SYS_rseq, SYS_prlimit64, SYS_mprotect, SYS_pread64, SYS_access,
			SYS_faccessat, SYS_getrandom, SYS_getdents64, SYS_getuid, SYS_geteuid, SYS_getgid,
			SYS_getegid, SYS_readlink, SYS_madvise, SYS_futex, SYS_sched_getaffinity, SYS_uname,
			SYS_getcwd, SYS_sysinfo, SYS_getppid, SYS_dup, SYS_poll, SYS_exit,
		};
		static const unsigned long launcher_ioctls[] = {
			KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_GET_VCPU_MMAP_SIZE, KVM_GET_SUPPORTED_CPUID,
			KVM_GET_SREGS, KVM_HAS_DEVICE_ATTR, KVM_SET_XSAVE, TCGETS,
			/* the kmod backend's set-up (backend_kmod.c; the rest is in kmod_cmds) */
			RFK_GET_API_VERSION, RFK_CHECK_EXTENSION,
		};

		for (unsigned i = 0; i < sizeof launcher_calls / sizeof launcher_calls[0] && !rc; i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, launcher_calls[i], 0);
		for (unsigned i = 0; i < sizeof launcher_ioctls / sizeof launcher_ioctls[0] && !rc; i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					      SCMP_A1(SCMP_CMP_EQ, launcher_ioctls[i], 0));
	}
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC, 0));
	/* the vCPU's FPU state, for signal frames */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, KVM_GET_XSAVE, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, KVM_SET_XSAVE, 0));
	/* the kmod backend's exit-path commands (/dev/ringfence, backend_kmod_exit.c) */
	for (unsigned i = 0; i < sizeof kmod_cmds / sizeof kmod_cmds[0] && !rc; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, kmod_cmds[i], 0));
	for (unsigned i = 0; i < SB_NIOCTL && !rc && may(m, SYS_ioctl); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, sb_ioctl_cmds[i]));
	/* what the policy can forward (never the integrity-refused calls) */
	for (long nr = 0; nr < SB_NR_SYSCALLS && !rc; nr++) {
		const struct sb_sysent *se = &sb_sysent_table[nr];

		if (!(se->flags & SE_KNOWN) || (se->flags & SE_DENY) || nr == SYS_ioctl)
			continue;
		if (!may(m, nr))
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)nr, 0);
		if (rc == -EEXIST)
			rc = 0;
	}
	/* libseccomp sets no_new_privs before loading (SCMP_FLTATR_CTL_NNP) */
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}
