/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/tasks.h: the sandbox's task limit (processes + threads), shared by its processes. */
#ifndef SB_TASKS_H
#define SB_TASKS_H

#include <stdint.h>

struct sb_mon;

/* The table, in a memfd every process of the sandbox maps at VLT_TASKS
 * (and an executed image inherits): who is alive in the sandbox. */
struct sb_task {
	int32_t tgid, tid;
};

struct sb_tasks {
	uint32_t lock;  /* tid of the holder, 0: free (a dead holder's lock is taken over) */
	uint32_t n;     /* entries in use */
	uint32_t max;   /* the limit, fixed by the first process */
	uint32_t pad;
	struct sb_task e[2046];
};

/* Room for one more task: 0 with the table locked (tasks_commit() must
 * follow), or -EAGAIN. 0, unlocked, when the sandbox has no limit. */
long tasks_reserve(struct sb_mon *m);
/* After a reserve: record (tgid, tid) if tid > 0, and unlock. */
void tasks_commit(struct sb_mon *m, int tgid, int tid);
/* A task is gone: one thread, or every task of a process. */
void tasks_remove(struct sb_mon *m, int tid);
void tasks_remove_group(struct sb_mon *m, int tgid);
/* Entry (sb_enter, or an executed image): the process is (tgid, tid);
 * entries of its tgid left from before an execve go. No limit applies. */
void tasks_enter(struct sb_mon *m, int tgid, int tid);

#endif
