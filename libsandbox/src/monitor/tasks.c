/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/tasks.c: the sandbox's task limit.
 *
 * A policy may bound the tasks (processes and threads) of a sandbox: its
 * first process, and everything it and its children start. The kernel's
 * RLIMIT_NPROC would do it per user, and not for root; a cgroup's pids.max
 * needs a writable cgroup tree. So the sandbox keeps its own table, in a
 * memfd all its processes map in their vaults (MAP_SHARED at VLT_TASKS;
 * the guest never sees it) and an executed image inherits.
 *
 * fork/vfork/clone/clone3 reserve an entry before the host clone and fill
 * it with the new pid or tid; a thread's exit and a process's exit_group
 * remove theirs. A task that dies without the monitor's knowledge (SIGKILL,
 * a fatal signal) keeps its entry until the table is full: then entries
 * whose task no longer exists (kill(tid, 0) says ESRCH) are dropped before
 * the limit is applied. A zombie counts until it is reaped, as for
 * RLIMIT_NPROC. A reused pid can only make the count too high, never let
 * more tasks in.
 *
 * The lock word holds its holder's tid: a holder killed while holding it
 * (a SIGKILL between two instructions) is seen dead by the next one, which
 * takes the lock over, so no sandbox process waits forever.
 *
 * Freestanding: the monitor's exit path (and sb_enter's set-up).
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include "monitor.h"
#include "tasks.h"

_Static_assert(sizeof(struct sb_tasks) <= VLT_TASKS_SIZE, "the task table fits its vault area");

static void table_lock(struct sb_tasks *tb)
{
	uint32_t self = (uint32_t)sb_sys0(SYS_gettid);
	struct timespec ms = { 0, 1000000 };

	for (;;) {
		uint32_t owner = 0;

		if (__atomic_compare_exchange_n(&tb->lock, &owner, self, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		/* a holder that no longer exists: take its lock over (the
		 * table may miss its last change, which only counts a task
		 * too many or too few until the next pruning) */
		if (sb_sys2(SYS_kill, owner, 0) == -ESRCH &&
		    __atomic_compare_exchange_n(&tb->lock, &owner, self, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		/* shared futex: the holder may be another process */
		sb_sys6(SYS_futex, (long)&tb->lock, FUTEX_WAIT, owner, (long)&ms, 0, 0);
	}
	/* the table is shared with the sandbox's other processes: its count
	 * is bounded before it is used */
	if (tb->n > SB_TASKS_CAP)
		tb->n = SB_TASKS_CAP;
}

static void table_unlock(struct sb_tasks *tb)
{
	__atomic_store_n(&tb->lock, 0, __ATOMIC_RELEASE);
	sb_sys6(SYS_futex, (long)&tb->lock, FUTEX_WAKE, 1, 0, 0, 0);
}

static void drop(struct sb_tasks *tb, uint32_t i)
{
	tb->e[i] = tb->e[tb->n - 1];
	tb->n--;
}

/* drop the entries of tasks that do not exist any more */
static void prune(struct sb_tasks *tb)
{
	for (uint32_t i = 0; i < tb->n;) {
		if (sb_sys2(SYS_kill, tb->e[i].tid, 0) == -ESRCH)
			drop(tb, i);
		else
			i++;
	}
}

long tasks_reserve(struct sb_mon *m)
{
	struct sb_tasks *tb = m->tasks;
	uint32_t cap;

	if (!tb)
		return 0;
	table_lock(tb);
	cap = tb->max < SB_TASKS_CAP ? tb->max : SB_TASKS_CAP;
	if (tb->n >= cap)
		prune(tb);
	if (tb->n >= cap) {
		table_unlock(tb);
		return -EAGAIN;
	}
	return 0;
}

/* Under the lock: record (tgid, tid) if there is room. */
static void add(struct sb_tasks *tb, int tgid, int tid)
{
	if (tb->n < SB_TASKS_CAP) {
		tb->e[tb->n].tgid = tgid;
		tb->e[tb->n].tid = tid;
		tb->n++;
	}
}

/* Under the lock: drop every entry of process tgid. */
static void drop_group(struct sb_tasks *tb, int tgid)
{
	for (uint32_t i = 0; i < tb->n;) {
		if (tb->e[i].tgid == tgid)
			drop(tb, i);
		else
			i++;
	}
}

void tasks_commit(struct sb_mon *m, int tgid, int tid)
{
	struct sb_tasks *tb = m->tasks;

	if (!tb)
		return;
	if (tid > 0)
		add(tb, tgid, tid);
	table_unlock(tb);
}

void tasks_remove(struct sb_mon *m, int tid)
{
	struct sb_tasks *tb = m->tasks;

	if (!tb)
		return;
	table_lock(tb);
	for (uint32_t i = 0; i < tb->n; i++)
		if (tb->e[i].tid == tid) {
			drop(tb, i);
			break;
		}
	table_unlock(tb);
}

void tasks_remove_group(struct sb_mon *m, int tgid)
{
	struct sb_tasks *tb = m->tasks;

	if (!tb)
		return;
	table_lock(tb);
	drop_group(tb, tgid);
	table_unlock(tb);
}

void tasks_enter(struct sb_mon *m, int tgid, int tid)
{
	struct sb_tasks *tb = m->tasks;

	if (!tb)
		return;
	table_lock(tb);
	drop_group(tb, tgid);
	add(tb, tgid, tid);
	table_unlock(tb);
}
