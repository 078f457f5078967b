/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/channel.c: the exitless channel: system calls served without a VM exit.
 *
 * A VM exit costs more than the call it carries (tens of microseconds on a
 * PVM host, docs/benchmarks.md). So a call that needs nothing of the
 * calling thread can be handed to a worker: a host thread of the monitor,
 * outside the VM, that makes the call while the vCPU waits inside the VM.
 *
 * Each vCPU has a request slot and a channel stub in the sys window
 * (guest/cpu_x86_64.c, vault.h). Once a system call has entered the plain
 * LSTAR stub at CPL0 (VT-x, AMD-V; a PVM host runs the stub at CPL3, where
 * the slots are out of reach, and keeps the plain stub), the vCPU's LSTAR
 * becomes its channel stub. For a call in the control page's bitmap, with
 * a worker awake, the stub writes the number and arguments into the slot,
 * sets CH_REQ and spins (bounded: ctl->spin pauses). A worker claims the
 * slot (CH_REQ -> CH_BUSY), serves it and publishes the result (CH_DONE);
 * the stub returns it with sysretq. No exit.
 *
 * The worker decides nothing the exit path would decide differently: it
 * copies the request into its own stack first (the slot is read once),
 * then runs mon_chan_call() (syscall.c): the same table, the same policy
 * decision, the same integrity checks. Anything but a plain "allow and
 * forward" of a call that cannot block for long (a denial, an audit
 * record, an emulated call, an fd that may block) is handed back (CH_BACK),
 * and the stub takes the exit path, which decides it with full detail.
 *
 * The worker is not a thread of the process but a clone child sharing its
 * memory, fds, filesystem context and signal handlers, with no exit
 * signal: it is not in /proc/self/task, and wait() (without __WALL) does
 * not see it. It dies with the thread that made it (PR_SET_PDEATHSIG).
 *
 * The split (which calls may go to a worker) is the bitmap below: calls
 * whose effect does not depend on which thread makes them and that return
 * promptly. Everything bound to the calling thread (signal mask, tid,
 * exit, clone, execve, sigreturn, prctl, sched_*, credentials), every
 * memory call (the mirror), every path call (path rules and the audit's
 * backtrace) and every call that may block take the exit path.
 *
 * Fairness: the stub spins at most ctl->spin pauses (50..4096, adapted
 * below), then stores to the
 * DB_CHAN doorbell; the vCPU's thread then takes the call back (CH_REQ ->
 * CH_IDLE) and serves it itself, or waits for the worker that has it. A
 * worker with nothing to do for CH_IDLE_ROUNDS scans parks on a futex and
 * clears ctl->on, so stubs go straight to the exit path; the next call
 * that exits wakes it. One worker serves every slot of the process. With
 * more guest threads than CPUs (mode auto), the worker stays parked: the
 * process runs on exits only, and nothing spins.
 *
 * Credentials are per thread in the kernel: after a set*id call (made on
 * the exit path by each guest thread), a worker would still have the old
 * ones. So such a call turns the channel off for good (chan_dead).
 *
 * Freestanding: runs in the monitor's exit path and in worker threads.
 */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "log.h"
#include "monitor.h"
#include "../policy/compiled.h"
#include "../guest/cpu_x86_64.h"

#define CH_IDLE_ROUNDS 4000 /* empty scans before a worker parks (~tens of microseconds) */
/* the stubs' wait, in pauses: starts at 200 (~3 us on hardware), doubles
 * when the worker had the call (it was slower than the wait, as under
 * emulation), shrinks by a quarter when it never took it (it was not
 * running: more runnable threads than CPUs); always within these bounds */
#define CH_SPIN_START 200
#define CH_SPIN_MIN 50
#define CH_SPIN_MAX 4096
/* doorbell mode: after this many stubs in a row gave up with their call
 * not taken, the worker is not getting a CPU (more runnable threads than
 * CPUs, in this sandbox or others): no spinning for CH_BACKOFF_NS */
#define CH_TAKEBACKS 8
#define CH_BACKOFF_NS 20000000ull

/* Calls a worker may make. Each takes only integers and buffers, has no
 * effect tied to the calling thread, and is quick, or is quick on the fds
 * mon_chan_call() accepts (regular files, directories, /dev/null & co). */
/* (Not getpid, getppid, gettid, getpgrp: the worker is a process of its
 * own; getpid and gettid are answered in the VM instead.) */
static const uint16_t chan_calls[] = {
	SYS_read, SYS_write, SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_lseek, SYS_fstat,
	SYS_fsync, SYS_fdatasync, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_uname,
	SYS_getcwd, SYS_getrandom,
};

int chan_call_ok(long nr)
{
	for (unsigned i = 0; i < sizeof chan_calls / sizeof chan_calls[0]; i++)
		if (nr == chan_calls[i])
			return 1;
	return 0;
}

/* calls whose first argument is an fd that must be of a quick kind */
int chan_fd_call(long nr)
{
	return nr == SYS_read || nr == SYS_write || nr == SYS_pread64 || nr == SYS_pwrite64 || nr == SYS_readv ||
	       nr == SYS_writev || nr == SYS_fsync || nr == SYS_fdatasync;
}

static uint64_t now_ns(void)
{
	struct timespec ts = { 0, 0 };

	sb_sys2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void wake(uint32_t *w)
{
	sb_sys6(SYS_futex, (long)w, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

/* Serve one claimed slot: 1 if the call was made, 0 if handed back. */
static int serve(struct sb_mon *m, struct sb_chan_slot *s)
{
	long nr, a[6], rc;

	/* one read of the request: what is checked is what is made */
	nr = (long)__atomic_load_n(&s->nr, __ATOMIC_RELAXED);
	for (int i = 0; i < 6; i++)
		a[i] = (long)__atomic_load_n(&s->a[i], __ATOMIC_RELAXED);
	__atomic_store_n(&m->chan_takebacks, 0, __ATOMIC_RELAXED);
	rc = mon_chan_call(m, nr, a);
	if (rc == -SB_CHAN_BACK) {
		__atomic_store_n(&s->state, CH_BACK, __ATOMIC_RELEASE);
		__atomic_add_fetch(&m->chan_back, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&s->ret, (uint64_t)rc, __ATOMIC_RELAXED);
		__atomic_store_n(&s->state, CH_DONE, __ATOMIC_RELEASE);
		__atomic_add_fetch(&m->chan_served, 1, __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&s->waiting, __ATOMIC_ACQUIRE))
		wake(&s->state);
	return rc != -SB_CHAN_BACK;
}

/* Claim slot s if a request waits there (CH_REQ -> CH_BUSY). */
static int claim(struct sb_chan_slot *s)
{
	uint32_t want = CH_REQ;

	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != CH_REQ)
		return 0;
	return __atomic_compare_exchange_n(&s->state, &want, CH_BUSY, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* One pass over the slots of guest threads and the user slots of
 * patched sites; the number served. seen[i]: the last in-VM site of
 * slot i the patcher looked at. */
static int scan(struct sb_mon *m, uint64_t *seen)
{
	int n = 0;

	for (uint32_t i = 0; i < m->thr_hi && i < SB_MAX_THREADS; i++) {
		struct sb_chan_slot *s = cpu_chan_slot(m, i);
		uint64_t site, nr;

		if (claim(s)) {
			/* the stub's, written before it published the request,
			 * stable until the result is (CPL3 cannot reach it) */
			site = s->save_rcx;
			nr = s->nr;
			n++;
			if (serve(m, s) && m->patch_on)
				patch_consider(m, site - 2, (long)nr);
			continue;
		}
		/* a call the stub answered in the VM: its site too (a pair
		 * read while the stub writes the next is refused by the
		 * patcher's own check of the number at the site) */
		site = __atomic_load_n(&s->vm_site, __ATOMIC_RELAXED);
		if (m->patch_on && site != seen[i]) {
			seen[i] = site;
			nr = __atomic_load_n(&s->vm_nr, __ATOMIC_RELAXED);
			if (site == __atomic_load_n(&s->vm_site, __ATOMIC_RELAXED))
				patch_consider(m, site - 2, (long)nr);
		}
	}
	/* requests from trampolines: guest-writable slots, copied by serve()
	 * before anything is checked, like every request */
	for (uint32_t i = 0; i < PATCH_NUSLOT && m->patch_on; i++) {
		struct sb_chan_slot *s = cpu_user_slot(m, i);

		if (claim(s)) {
			serve(m, s);
			n++;
		}
	}
	return n;
}

/* may a worker run now? (mode auto: not with more guest threads than CPUs) */
static int chan_wanted(const struct sb_mon *m)
{
	if (m->chan_dead || m->chan_mode == SB_CHAN_OFF || __atomic_load_n(&m->chan_overload, __ATOMIC_RELAXED))
		return 0;
	return m->chan_mode == SB_CHAN_ON || __atomic_load_n(&m->nthreads, __ATOMIC_RELAXED) + 1 <= m->ncpus;
}

void chan_worker_main(struct sb_thr *w)
{
	struct sb_mon *m = w->mon;
	struct sb_chan_ctl *ctl = cpu_chan_ctl(m);
	uint32_t idle = 0;
	uint64_t seen[SB_MAX_THREADS];

	sb_memset(seen, 0, sizeof seen);
	/* it ends with the thread that made it (at the latest, the process's
	 * exit_group); the exit path then finds it gone (chan_kick) */
	sb_sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	/* defends against a worker outliving its process: a parent that was
	 * gone before the prctl above sends no signal (a short-lived process
	 * exits right after its first call), and the worker would keep the
	 * process's fds open for ever (a pipe's reader never sees its end) */
	if (sb_sys0(SYS_getppid) != m->pid)
		mon_worker_exit(m, w);
	for (;;) {
		if (m->chan_dead)
			break;
		if (scan(m, seen)) {
			idle = 0;
			continue;
		}
		if (++idle < CH_IDLE_ROUNDS && chan_wanted(m)) {
			__builtin_ia32_pause();
			continue;
		}
		/* park: stubs stop spinning first; a request published before
		 * they saw it is served by the scan that follows, or taken back
		 * by its vCPU's thread (DB_CHAN) */
		__atomic_store_n(&ctl->on, 0, __ATOMIC_SEQ_CST);
		if (scan(m, seen)) {
			if (chan_wanted(m))
				__atomic_store_n(&ctl->on, 1, __ATOMIC_SEQ_CST);
			idle = 0;
			continue;
		}
		{
			/* parked; once a second it looks whether its process is
			 * still there (the one race PR_SET_PDEATHSIG leaves: the
			 * thread that made it ended before the prctl, its
			 * process goes on, and later ends without it) */
			struct timespec ts = { 1, 0 };

			sb_sys6(SYS_futex, (long)&ctl->on, FUTEX_WAIT_PRIVATE, 0, (long)&ts, 0, 0);
			if (sb_sys0(SYS_getppid) != m->pid)
				break;
		}
		idle = 0;
	}
	__atomic_store_n(&ctl->on, 0, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&m->chan_workers, 1, __ATOMIC_SEQ_CST);
	mon_worker_exit(m, w);
}

/* A call that could have gone to the channel took an exit: wake the
 * worker if it is parked (and wanted). */
void chan_kick(struct sb_mon *m)
{
	struct sb_chan_ctl *ctl = cpu_chan_ctl(m);

	if (!m->chan_enabled || m->chan_dead)
		return;
	/* doorbell mode ends after its time */
	if (__atomic_load_n(&m->chan_overload, __ATOMIC_RELAXED) && now_ns() >= m->chan_overload_end) {
		__atomic_store_n(&m->chan_takebacks, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&m->chan_overload, 0, __ATOMIC_RELAXED);
	}
	/* the worker died with the thread that made it: a new one below */
	if (__atomic_load_n(&m->chan_workers, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&sb_thr_at(m, m->chan_widx)->host_tid, __ATOMIC_ACQUIRE)) {
		uint32_t one = 1;

		__atomic_store_n(&ctl->on, 0, __ATOMIC_SEQ_CST);
		__atomic_compare_exchange_n(&m->chan_workers, &one, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
	if (!chan_wanted(m))
		return;
	/* the first call it could serve starts it (a process that makes
	 * none, like most short-lived ones, never pays for it); one thread
	 * of the process starts it, the others go on */
	{
		uint32_t zero = 0;

		if (!__atomic_compare_exchange_n(&m->chan_workers, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			goto awake;
		if (mon_spawn_worker(m) < 0) {
			/* exits only from now on */
			m->chan_workers = 0;
			m->chan_dead = 1;
			for (unsigned i = 0; i < CH_NR_MAX / 64; i++)
				__atomic_store_n(&ctl->nr_ok[i], 0, __ATOMIC_RELAXED);
			return;
		}
	}
awake:
	if (__atomic_load_n(&ctl->on, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&ctl->on, 1, __ATOMIC_SEQ_CST);
	wake(&ctl->on);
}

/* The vCPU stored to DB_CHAN: its stub waited ctl->spin pauses. 1 if the
 * call is done (result in *rc), 0 if this thread must make it itself. */
int chan_resolve(struct sb_mon *m, struct sb_thr *t, long *rc)
{
	struct sb_chan_slot *s = cpu_chan_slot(m, t->idx);
	uint32_t st = CH_REQ;

	struct sb_chan_ctl *ctl = cpu_chan_ctl(m);
	uint32_t spin = __atomic_load_n(&ctl->spin, __ATOMIC_RELAXED);

	/* not claimed yet: taken back, the exit path serves it (while the
	 * worker patches a call site it is busy, not starved: nothing to
	 * adapt) */
	if (__atomic_compare_exchange_n(&s->state, &st, CH_IDLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&m->patch_busy, __ATOMIC_RELAXED))
			return 0;
		__atomic_store_n(&ctl->spin, spin - spin / 4 < CH_SPIN_MIN ? CH_SPIN_MIN : spin - spin / 4,
				 __ATOMIC_RELAXED);
		/* the worker does not run: doorbell mode for a while (the worker
		 * parks once it sees it; chan_kick ends it) */
		if (__atomic_add_fetch(&m->chan_takebacks, 1, __ATOMIC_RELAXED) >= CH_TAKEBACKS &&
		    !__atomic_load_n(&m->chan_overload, __ATOMIC_RELAXED)) {
			m->chan_overload_end = now_ns() + CH_BACKOFF_NS;
			__atomic_store_n(&m->chan_overload, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&ctl->on, 0, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&m->chan_backoffs, 1, __ATOMIC_RELAXED);
		}
		return 0;
	}
	/* the worker had it: wait longer next time */
	__atomic_store_n(&ctl->spin, spin * 2 > CH_SPIN_MAX ? CH_SPIN_MAX : spin * 2, __ATOMIC_RELAXED);
	/* claimed: the worker is making the call (a quick one); wait for it */
	while (st == CH_BUSY) {
		__atomic_add_fetch(&m->chan_waited, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&s->waiting, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) == CH_BUSY)
			sb_sys6(SYS_futex, (long)&s->state, FUTEX_WAIT_PRIVATE, CH_BUSY, 0, 0, 0);
		__atomic_store_n(&s->waiting, 0, __ATOMIC_RELAXED);
		st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	}
	__atomic_store_n(&s->state, CH_IDLE, __ATOMIC_RELEASE);
	if (st == CH_DONE) {
		*rc = (long)s->ret;
		return 1;
	}
	return 0; /* CH_BACK (or idle): the exit path */
}

/* After a credential change: workers would keep the old credentials. */
void chan_kill(struct sb_mon *m)
{
	struct sb_chan_ctl *ctl = cpu_chan_ctl(m);

	m->chan_dead = 1;
	for (unsigned i = 0; i < CH_NR_MAX / 64; i++) {
		__atomic_store_n(&ctl->nr_ok[i], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&ctl->vm_ok[i], 0, __ATOMIC_RELAXED); /* the cached ids are stale */
	}
	__atomic_store_n(&ctl->on, 1, __ATOMIC_SEQ_CST); /* a parked worker wakes, sees chan_dead, leaves */
	wake(&ctl->on);
	__atomic_store_n(&ctl->on, 0, __ATOMIC_SEQ_CST);
}

/* Before execve: the worker is a process of its own, outside the thread
 * group the kernel ends at an exec; it would live on in the old address
 * space with the old fd table, holding pipe ends open (a reader then never
 * sees end of file). It leaves first: asked (chan_kill; it goes at its
 * next scan, between two calls), or killed after 100 ms. The channel
 * stays off if the exec fails. */
void chan_stop_worker(struct sb_mon *m)
{
	struct sb_thr *w;
	int32_t tid;

	if (!m->chan_enabled || !__atomic_load_n(&m->chan_workers, __ATOMIC_ACQUIRE))
		return;
	w = sb_thr_at(m, m->chan_widx);
	chan_kill(m);
	for (int i = 0; i < 200; i++) {
		struct timespec ts = { 0, 1000000 }; /* 1 ms */

		tid = __atomic_load_n(&w->host_tid, __ATOMIC_ACQUIRE);
		if (tid == 0)
			break; /* gone: CLONE_CHILD_CLEARTID */
		if (i == 100 && tid > 0)
			sb_sys2(SYS_kill, tid, SIGKILL);
		sb_sys6(SYS_futex, (long)&w->host_tid, FUTEX_WAIT, tid, (long)&ts, 0, 0);
	}
	__atomic_store_n(&m->chan_workers, 0, __ATOMIC_RELEASE);
}

/* identity calls the stubs answer in the VM (from ctl->ans, gettid from
 * the slot): their answers change only through calls that turn the
 * channel off (set*id) or in a fork child, which starts anew */
static const uint16_t vm_calls[] = { SYS_getpid, SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid };

/* Turn the channel on for this process (at entry, in a fork child): the
 * answers and bitmaps; the worker comes with the first call it could
 * serve (chan_kick). 0. */
int chan_start(struct sb_mon *m)
{
	struct sb_chan_ctl *ctl = cpu_chan_ctl(m);

	/* a fork child's copy holds the parent's answers, and user slots
	 * that threads it does not have were filling in: gone first */
	sb_memset(ctl, 0, sizeof *ctl);
	sb_memset(cpu_user_slot(m, 0), 0, PATCH_NUSLOT * SYS_CSLOT_STRIDE);
	m->patch_busy = 0; /* the parent's worker may have been about to patch */
	m->chan_enabled = 0;
	if (m->chan_mode == SB_CHAN_OFF || m->chan_dead || m->ring0 || !m->set_lstar ||
	    (m->chan_mode == SB_CHAN_AUTO && m->ncpus < 2))
		return 0;
	for (unsigned i = 0; i < sizeof vm_calls / sizeof vm_calls[0]; i++) {
		uint16_t nr = vm_calls[i];

		/* a call the policy denies or logs exits, as always */
		if (!policy_plain_allow(m->policy, nr))
			continue;
		ctl->ans[nr] = nr == SYS_gettid ? 0 : (uint64_t)sb_sys0(nr);
		ctl->vm_ok[nr / 64] |= 1ull << (nr % 64);
	}
	for (unsigned i = 0; i < sizeof chan_calls / sizeof chan_calls[0]; i++) {
		uint16_t nr = chan_calls[i];

		/* a call the policy logs, denies or looks at the arguments of
		 * exits at once (the worker would hand it back anyway) */
		if (nr < CH_NR_MAX && policy_plain_allow(m->policy, nr) && !(ctl->vm_ok[nr / 64] & (1ull << (nr % 64))))
			ctl->nr_ok[nr / 64] |= 1ull << (nr % 64);
	}
	ctl->spin = CH_SPIN_START;
	m->chan_workers = 0; /* started by the first call it could serve (chan_kick) */
	m->chan_enabled = 1;
	return 0;
}

/* At an exit of thread t: switch its vCPU to its channel stub once stubs
 * are known to run at CPL0. */
void chan_vcpu_switch(struct sb_mon *m, struct sb_thr *t)
{
	if (t->chan_lstar || !m->chan_cpl0 || !m->chan_enabled || m->chan_dead)
		return;
	cpu_chan_slot(m, t->idx)->tid = (uint64_t)t->tid;
	if (m->set_lstar(t, cpu_chan_stub(m, t->idx)) == 0)
		t->chan_lstar = 1;
	else
		m->chan_dead = 1; /* the backend refused: exits only, for every thread */
}

/* RINGFENCE_STATS=1: one line on stderr at exit_group, for tests and
 * benchmarks (how many calls took an exit, how many a worker served) */
void mon_print_stats(const struct sb_mon *m)
{
	char line[256];
	struct sb_buf b = { line, 0, sizeof line };
	uint64_t exits = 0, calls = 0, invm = 0;

	for (uint32_t i = 0; i < m->thr_hi && i < SB_MAX_THREADS; i++) {
		const struct sb_thr *t = sb_thr_at(m, i);

		invm += cpu_chan_slot(m, i)->nvm;
		if (t->magic != SB_THR_MAGIC)
			continue;
		exits += t->nexits;
		calls += t->nsyscalls;
	}
	buf_str(&b, "ringfence: stats: pid ");
	buf_dec(&b, m->pid);
	buf_str(&b, " exits ");
	buf_dec(&b, (long)exits);
	buf_str(&b, " syscalls ");
	buf_dec(&b, (long)calls);
	buf_str(&b, " exitless ");
	buf_dec(&b, (long)m->chan_served);
	buf_str(&b, " in-vm ");
	buf_dec(&b, (long)invm);
	buf_str(&b, " handed-back ");
	buf_dec(&b, (long)m->chan_back);
	buf_str(&b, " waited ");
	buf_dec(&b, (long)m->chan_waited);
	buf_str(&b, " doorbell-mode ");
	buf_dec(&b, (long)m->chan_backoffs);
	buf_str(&b, " patched ");
	buf_dec(&b, (long)m->patch_done);
	buf_str(&b, " unpatchable ");
	buf_dec(&b, (long)m->patch_refused);
	buf_str(&b, "\n");
	buf_flush(&b, 2);
}
