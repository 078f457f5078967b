/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/fork.c: fork, vfork and clone without CLONE_VM: a child process in a VM of its own.
 *
 * The monitor thread forks itself (a raw clone, on the vault stack). The
 * child is a copy of everything: guest memory, the vault (page tables,
 * policy, dispositions), the fds. What cannot be copied is the VM: KVM
 * refuses the parent's VM and vCPU fds in another mm (EIO). So the child
 * makes a new VM with the same memory windows and a vCPU in the state the
 * parent's had at the call (backend fork_child), reopens the /proc files
 * that name a process, and takes a pipe of its own for guest-memory copies
 * (the host seccomp filter allows process_vm_* on the first pid only).
 * Then both return from the call: the parent with the child's pid, the
 * child with 0, as natively. The child runs under the same policy, and
 * its seccomp filter and Landlock domain are inherited by the kernel.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include "audit.h"
#include "gmem.h"
#include "log.h"
#include "monitor.h"
#include "tasks.h"
#include "../../include/sandbox.h"

#ifndef O_PATH
#define O_PATH 010000000
#endif

#define CLONE_FORK_OK (CSIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_VFORK)

static __attribute__((noreturn)) void child_fail(const struct sb_mon *m, const char *what, long rc)
{
	char line[256];
	struct sb_buf b = { line, 0, sizeof line };

	buf_str(&b, "ringfence: fork: child ");
	buf_dec(&b, m->pid);
	buf_str(&b, " cannot build its VM: ");
	buf_str(&b, what);
	buf_str(&b, " (");
	buf_dec(&b, rc);
	buf_str(&b, ")\n");
	buf_flush(&b, 2);
	for (;;)
		sb_sys1(SYS_exit_group, 127);
}

static void reopen(struct sb_mon *m, const char *path, int flags, int *fd, const char *what)
{
	long n = sb_sys4(SYS_openat, AT_FDCWD, (long)path, flags | O_CLOEXEC, 0);

	if (n < 0)
		child_fail(m, what, n);
	if (sb_sys3(SYS_dup3, n, *fd, O_CLOEXEC) < 0)
		child_fail(m, what, -EBADF);
	sb_sys1(SYS_close, n);
}

/* Under path rules: /proc/PID/maps and /proc/PID from the broker. */
static void from_broker(struct sb_mon *m)
{
	int fds[2];
	int rc = broker_request(m->broker_fd, &fds[0], &fds[1]);

	if (rc)
		child_fail(m, "the /proc broker did not answer", rc);
	if (sb_sys3(SYS_dup3, fds[0], m->maps_fd, O_CLOEXEC) < 0 || sb_sys3(SYS_dup3, fds[1], m->proc_fd, O_CLOEXEC) < 0)
		child_fail(m, "dup3 of the broker's fds", -EBADF);
	sb_sys1(SYS_close, fds[0]);
	sb_sys1(SYS_close, fds[1]);
}

static void add_monfd(struct sb_mon *m, int fd)
{
	if (m->nmonfd >= SB_MAX_MONFD)
		child_fail(m, "too many monitor fds", -EMFILE);
	m->monfd[m->nmonfd++] = fd;
}

/* The child's half: runs on its copy of the calling thread's monitor stack. */
static void become_child(struct sb_mon *m, struct sb_thr *t, const struct kvm_regs *regs,
			 const struct kvm_sregs *sregs)
{
	int p[2];
	long rc;

	m->pid = (int)sb_sys0(SYS_getpid);
	t->pending = 0; /* a new process has no pending signals */
	t->nexits = t->nsyscalls = 0;
	/* the calling thread only: the others' slots are free again */
	mon_threads_after_fork(m, t);
	/* /proc/self was resolved to the parent's pid when these were opened */
	if (m->broker_fd >= 0) {
		from_broker(m);
	} else {
		reopen(m, "/proc/self/maps", O_RDONLY, &m->maps_fd, "cannot open /proc/self/maps");
		reopen(m, "/proc/self", O_PATH | O_DIRECTORY, &m->proc_fd, "cannot open /proc/self");
	}
	/* a copy pipe of its own (a grandchild's goes on the same numbers) */
	rc = sb_sys2(SYS_pipe2, (long)p, O_CLOEXEC);
	if (rc)
		child_fail(m, "pipe2", rc);
	if (m->gpipe[0] < 0) {
		m->gpipe[0] = p[0];
		m->gpipe[1] = p[1];
		add_monfd(m, p[0]);
		add_monfd(m, p[1]);
	} else {
		if (sb_sys3(SYS_dup3, p[0], m->gpipe[0], O_CLOEXEC) < 0 ||
		    sb_sys3(SYS_dup3, p[1], m->gpipe[1], O_CLOEXEC) < 0)
			child_fail(m, "dup3 of the copy pipe", -EBADF);
		sb_sys1(SYS_close, p[0]);
		sb_sys1(SYS_close, p[1]);
	}
	rc = m->fork_child(t, regs, sregs);
	if (rc)
		child_fail(m, "KVM refused the new VM or vCPU", rc);
	/* the parent's channel worker is not here: one of the child's own
	 * (without it the child runs on exits only) */
	(void)chan_start(m);
}

int mon_fork_flags_ok(uint64_t flags)
{
	/* CLONE_VM only with CLONE_VFORK (posix_spawn): served as a fork */
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
		return 0;
	flags &= ~(uint64_t)CLONE_VM;
	return !(flags & ~(uint64_t)CLONE_FORK_OK) && (flags & CSIGNAL) <= SB_NSIG;
}

long mon_fork(struct sb_mon *m, long nr, const long *a)
{
	struct sb_thr *t = sb_thr_self();
	uint64_t flags = nr == SYS_clone ? (uint64_t)a[0] : SIGCHLD;
	uint64_t newsp = nr == SYS_clone ? (uint64_t)a[1] : 0;
	struct kvm_regs regs = t->run->s.regs.regs;
	struct kvm_sregs sregs = t->run->s.regs.sregs;
	uint64_t all = ~0ull, old;
	long pid;

	if (nr == SYS_vfork)
		flags = SIGCHLD;
	if ((flags & CLONE_VM) && (flags & CLONE_THREAD))
		return mon_clone_thread(m, flags, newsp, (uint64_t)a[2], (uint64_t)a[3], (uint64_t)a[4]);
	/* namespaces, CLONE_PTRACE, CLONE_FILES sharing, CLONE_VM without
	 * CLONE_VFORK and the like are refused: defends against a child that
	 * shares the monitor's fd table or memory, or is traced */
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND)) || !mon_fork_flags_ok(flags))
		return (flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)) ? -ENOSYS : -EINVAL;
	flags &= ~(uint64_t)CLONE_VM; /* vfork with its own stack: a copy does the same for exec or _exit */
	/* defends against the kernel writing the child's tid into the vault
	 * (or a hidden range) of the parent or the child */
	if ((flags & CLONE_PARENT_SETTID) && !gmem_range_ok(m, (uint64_t)a[2], sizeof(int)))
		return -EFAULT;
	if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) && !gmem_range_ok(m, (uint64_t)a[3], sizeof(int)))
		return -EFAULT;
	/* with path rules on, the kernel (Landlock) refuses the child the
	 * /proc/self/maps it needs to follow its own memory */
	if (m->landlocked && m->broker_fd < 0) {
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOSYS), -ENOSYS,
			  "not supported: fork with path rules and no /proc broker");
		return -ENOSYS;
	}
	if (m->get_xsave(t, t->xsave))
		return -EIO;
	if (newsp)
		regs.rsp = newsp;

	/* no signal may run the stub between the clone and the child's new
	 * kvm_run: the stub writes kvm_run, which the child shares with the
	 * parent until it has its own */
	/* the policy's task limit */
	if (tasks_reserve(m))
		return -EAGAIN;
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, 8);
	/* no other thread is half-way through a change of shared state when
	 * the child copies it (the child's copy of the lock is reset) */
	mon_lock(m);
	pid = sb_sys5(SYS_clone, (long)(flags & ~(uint64_t)CLONE_VFORK), 0, a[2], a[3], 0);
	if (pid == 0) {
		become_child(m, t, &regs, &sregs);
		/* the child's clear_child_tid is the guest's (kept by the
		 * monitor; the host's names the slot's word) */
		t->clear_tid = (flags & CLONE_CHILD_CLEARTID) ? (uint64_t)a[3] : 0;
		sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&t->sigmask, 0, 8);
		return 0;
	}
	mon_unlock(m);
	tasks_commit(m, (int)pid, (int)pid);
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8);
	return pid;
}
