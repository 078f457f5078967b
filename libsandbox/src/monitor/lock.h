/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/lock.h: a futex mutex for the monitor's threads (freestanding).
 *
 * 0 free, 1 locked, 2 locked with waiters (Drepper, "Futexes are tricky").
 * Private futexes: the lock words are in the vault, never shared with
 * another process (a fork child resets its copies).
 */
#ifndef SB_LOCK_H
#define SB_LOCK_H

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include "raw.h"

static inline void sb_mutex_lock(uint32_t *w)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		sb_sys6(SYS_futex, (long)w, FUTEX_WAIT_PRIVATE, 2, 0, 0, 0);
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	}
}

static inline void sb_mutex_unlock(uint32_t *w)
{
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) == 2)
		sb_sys6(SYS_futex, (long)w, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

#endif
