/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/thread.c: guest threads, one vCPU and one host thread each; the monitor lock.
 *
 * clone (and clone3) with CLONE_VM | CLONE_THREAD makes a thread of the
 * sandboxed process. The monitor gives it a slot (struct sb_thr and its
 * stacks, THR_* in vault.h), a vCPU in the same VM in the state the
 * calling thread's had at the call (registers, FPU, segments; the child's
 * stack and TLS as the call says), and a host thread in the same thread
 * group that runs the monitor's loop (monitor.c) for that vCPU. Guest tid
 * == host tid, so gettid, tgkill, futexes and /proc/self/task work as
 * natively: every host thread is the one guest thread it serves.
 *
 * What Linux keeps per thread is per slot: the signal mask (the host
 * thread's mask is the guest thread's, so the host kernel picks the thread
 * a process-directed signal goes to, as natively), pending signals, the
 * altstack, the FS/GS bases (vCPU registers), clear_child_tid. What Linux
 * keeps per process is shared: memory (one set of page tables, one set
 * of memory windows), dispositions, fds.
 *
 * Locking: one monitor lock (m->lock) serializes what changes shared
 * state: memory calls (emulate_mem.c), the demand faults that resync the
 * mirror (mirror.c), dispositions (signal.c), the thread table (here),
 * the fork child's copy pipe (gmem.h). Forwarded calls run without it, so
 * a thread blocked in read() or futex() stops no other thread. Another
 * vCPU may run while the page tables change: a PTE is one aligned 8-byte
 * store, and a translation that goes away is dropped from every vCPU by
 * the host operation that follows the PTE edit (the hypervisor zaps its
 * shadow or EPT entries for the host range), as for one vCPU.
 *
 * A thread's slot is reused only after its host thread is gone: the
 * kernel clears host_tid (CLONE_CHILD_CLEARTID on our own word) after the
 * thread stopped using its monitor stack. Its vCPU is kept for the next
 * thread of that slot: KVM never destroys a vCPU before its VM.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include "audit.h"
#include "gmem.h"
#include "lock.h"
#include "monitor.h"
#include "tasks.h"
#include "../guest/cpu_x86_64.h"

/* what every thread of the process shares with its creator; the monitor
 * has one fd table, one filesystem context and one signal table */
#define THREAD_NEED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_OK                                                                                          \
	(THREAD_NEED | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |          \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED | CSIGNAL)

/* ---- the monitor lock */

void mon_lock(struct sb_mon *m)
{
	sb_mutex_lock(&m->lock);
}

void mon_unlock(struct sb_mon *m)
{
	sb_mutex_unlock(&m->lock);
}

/* ---- vCPU fds: the monitor's, never the process's */

int mon_is_vcpufd(const struct sb_mon *m, long fd)
{
	for (uint32_t i = 0; i < m->nvcpufd; i++)
		if (fd >= 0 && fd == m->vcpufd[i])
			return 1;
	return 0;
}

uint64_t mon_next_monfd(const struct sb_mon *m, uint64_t lo)
{
	uint64_t f = ~0ull;

	for (int i = 0; i < m->nmonfd; i++)
		if (m->monfd[i] >= 0 && (uint64_t)m->monfd[i] >= lo && (uint64_t)m->monfd[i] < f)
			f = (uint64_t)m->monfd[i];
	for (uint32_t i = 0; i < m->nvcpufd; i++)
		if (m->vcpufd[i] >= 0 && (uint64_t)m->vcpufd[i] >= lo && (uint64_t)m->vcpufd[i] < f)
			f = (uint64_t)m->vcpufd[i];
	return f;
}

/* ---- thread creation */

/* The host thread's entry (api side of the clone: the trampoline below).
 * All host signals are blocked until the thread has its own altstack. */
__asm__(".text\n"
	".globl sb_clone_thread\n"
	".hidden sb_clone_thread\n"
	".type sb_clone_thread, @function\n"
	/* long sb_clone_thread(flags, stack, ptid, ctid, t) */
	"sb_clone_thread:\n"
	"	mov %r8, %r9\n"       /* t: kept across the call, in both threads */
	"	mov %rcx, %r10\n"     /* ctid */
	"	xor %r8d, %r8d\n"     /* tls: the monitor uses none */
	"	mov $56, %eax\n"      /* SYS_clone */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"     /* the child: on the slot's monitor stack */
	"	mov %r9, %rdi\n"
	"	call sb_mon_thread_start\n"
	"	ud2\n"
	"1:	ret\n"
	".size sb_clone_thread, .-sb_clone_thread\n");

void sb_mon_thread_start(struct sb_thr *t)
{
	struct sb_mon *m = t->mon;
	struct {
		uint64_t sp;
		int flags;
		int pad;
		uint64_t size;
	} ss = { sb_thr_region(m, t->idx) + THR_ALTSTACK, 0, 0, THR_ALTSTACK_SIZE };

	sb_sys2(SYS_sigaltstack, (long)&ss, 0);
	t->tid = (int)sb_sys0(SYS_gettid);
	/* a worker of the exitless channel: all signals stay blocked (they
	 * are the guest threads'); no vCPU */
	if (t->worker)
		chan_worker_main(t);
	/* CLONE_CHILD_SETTID, in the child before its first instruction (the
	 * host's own CLONE_CHILD_SETTID names host_tid); checked at the call */
	if (t->set_child_tid)
		(void)gmem_out(m, t->set_child_tid, &t->tid, sizeof t->tid);
	t->set_child_tid = 0;
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&t->sigmask, 0, 8);
	mon_main(m);
}

/* A free slot (set up for use), or NULL. Under the lock. */
static struct sb_thr *take_slot(struct sb_mon *m)
{
	for (uint32_t i = 0; i < SB_MAX_THREADS; i++) {
		struct sb_thr *t = sb_thr_at(m, i);

		if (t->magic == SB_THR_MAGIC && (t->in_use || __atomic_load_n(&t->host_tid, __ATOMIC_ACQUIRE)))
			continue;
		if (t->magic != SB_THR_MAGIC) {
			if (i >= m->thr_hi)
				m->thr_hi = i + 1;
			t->mon = m;
			t->idx = i;
			t->vcpu_fd = -1;
			t->run = 0;
			t->ist_top = m->sys + SYS_IST + (uint64_t)(i + 1) * SYS_IST_STRIDE;
			t->magic = SB_THR_MAGIC;
		}
		t->in_use = 1;
		t->worker = 0;
		t->chan_lstar = 0;
		t->host_tid = -1; /* until the kernel writes the new thread's tid */
		m->nthreads++;
		return t;
	}
	return 0;
}

static void put_slot(struct sb_mon *m, struct sb_thr *t)
{
	mon_lock(m);
	t->in_use = 0;
	t->host_tid = 0;
	m->nthreads--;
	mon_unlock(m);
}

long mon_clone_thread(struct sb_mon *m, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct sb_thr *self = sb_thr_self(), *t;
	const struct kvm_run *run = self->run;
	struct kvm_regs regs = run->s.regs.regs;
	struct kvm_sregs sregs = run->s.regs.sregs;
	uint64_t all = ~0ull, old, hflags;
	long rc;

	/* defends against a "thread" that would share the VM but not the fd
	 * table, the filesystem context or the signal table the monitor
	 * keeps once per process, and against namespaces or ptrace flags */
	if ((flags & THREAD_NEED) != THREAD_NEED || (flags & ~(uint64_t)THREAD_OK))
		return -EINVAL;
	/* defends against the kernel (or the monitor) writing a tid into the
	 * vault or the launcher's hidden mappings */
	if ((flags & CLONE_PARENT_SETTID) && !gmem_range_ok(m, ptid, sizeof(int)))
		return -EFAULT;
	if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) && !gmem_range_ok(m, ctid, sizeof(int)))
		return -EFAULT;
	if ((flags & CLONE_SETTLS) && tls >= SB_USER_TOP)
		return -EPERM;

	mon_lock(m);
	t = take_slot(m);
	mon_unlock(m);
	if (!t)
		return -EAGAIN; /* as the kernel at its thread limit */

	/* the new thread's state, as Linux gives it: the caller's mask, no
	 * altstack, nothing pending, the caller's FPU state */
	t->pending = 0;
	t->in_suspend = 0;
	t->suspend_mask = 0;
	t->sigmask = self->sigmask;
	t->ss_sp = t->ss_size = 0;
	t->ss_flags = SS_DISABLE;
	t->fault_err = t->fault_trapno = t->fault_cr2 = 0;
	t->cur_rip = 0;
	t->nexits = t->nsyscalls = 0;
	t->clear_tid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
	t->set_child_tid = (flags & CLONE_CHILD_SETTID) ? ctid : 0;
	if (m->get_xsave(self, t->xsave)) {
		put_slot(m, t);
		return -EAGAIN;
	}

	/* returns from the call in user mode with rax = 0: at rcx with the
	 * flags of r11, as sysret would, on its own stack */
	regs.rax = 0;
	regs.rip = regs.rcx;
	regs.rflags = (regs.r11 & 0x00240fd5ull) | 0x202;
	if (newsp)
		regs.rsp = newsp;
	sregs.cs = m->ucs;
	sregs.ss = m->uss;
	if (flags & CLONE_SETTLS)
		sregs.fs.base = tls;
	/* its own TSS, hence its own IST stack for exception frames */
	sregs.tr.base = m->sys + SYS_TSS + (uint64_t)t->idx * SYS_TSS_STRIDE;
	sregs.tr.selector = (uint16_t)(GDT_TSS + 16 * t->idx);
	/* under the lock: a new vCPU fd joins the list the checks read */
	mon_lock(m);
	rc = m->new_vcpu(t, &regs, &sregs);
	mon_unlock(m);
	if (rc) {
		put_slot(m, t);
		return rc == -ENOMEM || rc == -EMFILE || rc == -ENFILE ? -EAGAIN : rc;
	}

	/* the host thread: no signal may run the stub before it has its
	 * altstack; the creator's mask comes back right after */
	/* the policy's task limit */
	if (tasks_reserve(m)) {
		put_slot(m, t);
		return -EAGAIN;
	}
	hflags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_SETTID |
		 CLONE_CHILD_CLEARTID | (flags & (CLONE_SYSVSEM | CLONE_PARENT_SETTID));
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, 8);
	rc = sb_clone_thread(hflags, sb_thr_region(m, t->idx) + THR_STACK + THR_STACK_SIZE, ptid,
			     (uint64_t)&t->host_tid, t);
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8);
	tasks_commit(m, m->pid, (int)rc);
	if (rc < 0)
		put_slot(m, t);
	return rc;
}

/* struct clone_args (linux/sched.h), as far as the monitor reads it */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

long mon_clone3(struct sb_mon *m, const long *a)
{
	struct clone3_args ca = { 0 };
	uint64_t size = (uint64_t)a[1];
	long rc, c[6] = { 0 };

	/* the kernel's own limits: at least the first version of the struct,
	 * nothing the monitor does not know */
	if (size < 64)
		return -EINVAL;
	if (size > sizeof ca)
		return -E2BIG;
	rc = gmem_in(m, &ca, (uint64_t)a[0], size);
	if (rc)
		return rc;
	if ((ca.flags & CSIGNAL) || ca.exit_signal > SB_NSIG || (!ca.stack) != (!ca.stack_size))
		return -EINVAL;
	/* a pidfd, chosen pids, cgroups, CLONE_CLEAR_SIGHAND (posix_spawn):
	 * not offered; ENOSYS, so that glibc falls back to clone, which the
	 * monitor serves */
	if ((ca.flags & ~(uint64_t)0xffffffffull) || (ca.flags & CLONE_PIDFD) || ca.set_tid || ca.set_tid_size)
		return -ENOSYS;
	if (ca.stack && ca.stack + ca.stack_size < ca.stack)
		return -EINVAL;
	if ((ca.flags & CLONE_THREAD) && ca.exit_signal)
		return -EINVAL;
	if ((ca.flags & CLONE_VM) && (ca.flags & CLONE_THREAD))
		return mon_clone_thread(m, ca.flags, ca.stack + ca.stack_size, ca.parent_tid, ca.child_tid, ca.tls);
	if (!(ca.flags & CLONE_THREAD) && !mon_fork_flags_ok(ca.flags | ca.exit_signal))
		return -ENOSYS;
	/* a process: as clone(flags | exit_signal, sp, ptid, ctid, tls) */
	c[0] = (long)(ca.flags | ca.exit_signal);
	c[1] = (long)(ca.stack + ca.stack_size);
	c[2] = (long)ca.parent_tid;
	c[3] = (long)ca.child_tid;
	c[4] = (long)ca.tls;
	return mon_fork(m, SYS_clone, c);
}

/* ---- workers of the exitless channel (channel.c) */

long mon_spawn_worker(struct sb_mon *m)
{
	uint64_t all = ~0ull, old;
	struct sb_thr *t;
	long rc;

	mon_lock(m);
	t = take_slot(m);
	if (t) {
		m->nthreads--; /* guest threads only */
		t->worker = 1;
		m->chan_widx = t->idx; /* host_tid is -1 until the kernel writes the worker's tid */
	}
	mon_unlock(m);
	if (!t)
		return -EAGAIN;
	t->pending = 0;
	t->sigmask = all;
	t->nexits = t->nsyscalls = 0;
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, 8);
	/* not a thread of the process (it would show in /proc/self/task and
	 * in the thread count programs see) but a clone child sharing its
	 * memory, fds, filesystem context and handlers, with no exit signal
	 * (wait() without __WALL never sees it) */
	rc = sb_clone_thread(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM | CLONE_CHILD_SETTID |
				     CLONE_CHILD_CLEARTID,
			     sb_thr_region(m, t->idx) + THR_STACK + THR_STACK_SIZE, 0, (uint64_t)&t->host_tid, t);
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8);
	if (rc < 0) {
		mon_lock(m);
		t->in_use = 0;
		t->worker = 0;
		t->host_tid = 0;
		mon_unlock(m);
	}
	return rc;
}

void mon_worker_exit(struct sb_mon *m, struct sb_thr *w)
{
	mon_lock(m);
	w->in_use = 0;
	w->worker = 0;
	mon_unlock(m);
	for (;;)
		sb_sys1(SYS_exit, 0);
}

/* ---- thread exit */

long mon_set_tid_address(struct sb_mon *m, uint64_t addr)
{
	struct sb_thr *t = sb_thr_self();

	(void)m;
	/* written at exit through gmem_out, which checks it then */
	t->clear_tid = addr;
	return t->tid;
}

void mon_thread_exit(struct sb_mon *m, long code)
{
	struct sb_thr *t = sb_thr_self();
	uint64_t all = ~0ull;
	int zero = 0;

	/* process-directed signals go to the other threads from here on */
	sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, 8);
	/* out of the task count before pthread_join can return: a joined
	 * thread no longer counts against the limit */
	tasks_remove(m, t->tid);
	/* clear_child_tid, as the kernel's mm_release: pthread_join waits on it */
	if (t->clear_tid && !gmem_out(m, t->clear_tid, &zero, sizeof zero))
		sb_sys6(SYS_futex, (long)t->clear_tid, FUTEX_WAKE, 1, 0, 0, 0);
	mon_lock(m);
	t->in_use = 0;
	m->nthreads--;
	mon_unlock(m);
	/* the kernel clears host_tid once this stack is no longer in use; the
	 * last thread's exit is the process's */
	for (;;)
		sb_sys1(SYS_exit, code);
}

/* ---- fork: the child has the calling thread only */

void mon_threads_after_fork(struct sb_mon *m, struct sb_thr *self)
{
	/* only the slots ever used: the others' pages were never touched
	 * (reading them would fault each one in) */
	for (uint32_t i = 0; i < m->thr_hi && i < SB_MAX_THREADS; i++) {
		struct sb_thr *t = sb_thr_at(m, i);

		if (t == self || t->magic != SB_THR_MAGIC)
			continue;
		/* the parent's vCPUs answer EIO here: gone, with their threads */
		if (t->vcpu_fd >= 0)
			sb_sys1(SYS_close, t->vcpu_fd);
		t->vcpu_fd = -1;
		t->in_use = 0;
		t->worker = 0;
		t->host_tid = 0;
		t->pending = 0;
	}
	m->chan_workers = 0; /* the parent's are not here; the child starts its own */
	for (uint32_t i = 0; i < m->thr_hi && i < SB_MAX_THREADS; i++) {
		struct sb_chan_slot *s = cpu_chan_slot(m, i);

		s->state = CH_IDLE;
		s->waiting = 0;
		s->nvm = 0;
	}
	self->chan_lstar = 0; /* a new vCPU, on the plain stub */
	m->nvcpufd = 0;
	if (self->vcpu_fd >= 0)
		m->vcpufd[m->nvcpufd++] = self->vcpu_fd;
	m->nthreads = 1;
	m->lock = 0; /* held by the parent's forking thread: a copy */
	m->gpipe_lock = 0;
	self->host_tid = (int)sb_sys0(SYS_gettid);
	self->tid = self->host_tid;
	/* the fork child's own word for its slot */
	sb_sys1(SYS_set_tid_address, (long)&self->host_tid);
}
