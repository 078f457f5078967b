/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/gmem.h: copy data between guest memory and the vault, safely.
 *
 * The guest may pass any address. A plain load or store by the monitor on a
 * bad address would kill the monitor; these copies go through the kernel
 * (process_vm_readv/writev on our own pid), which reports EFAULT instead.
 * Every guest range is checked against the vault first: a copy never reads
 * or writes the vault on the guest's behalf.
 */
#ifndef SB_GMEM_H
#define SB_GMEM_H

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "lock.h"
#include "mirror.h"

static inline int gmem_range_ok(const struct sb_mon *m, uint64_t g, uint64_t n)
{
	/* defends against pointers into the vault, into the launcher's hidden
	 * mappings, and wrap-around ranges */
	return g + n >= g && g + n <= SB_USER_TOP && !mirror_off_limits(m, g, g + n);
}

/* In a forked child the host seccomp filter still names the first
 * process's pid for process_vm_*: copies go through a private pipe, the
 * kernel checking the guest address on each side (write from the source,
 * read into the destination). A short transfer is EFAULT; what is left in
 * the pipe is drained. */
static inline long gmem_pipe_locked(const struct sb_mon *m, void *local, uint64_t g, uint64_t n, int write)
{
	uint8_t *src = write ? (uint8_t *)local : (uint8_t *)g, *dst = write ? (uint8_t *)g : (uint8_t *)local;

	while (n) {
		uint64_t c = n > 65536 ? 65536 : n;
		long w = sb_sys3(SYS_write, m->gpipe[1], (long)src, (long)c), r = 0, got = 0;

		if (w <= 0)
			return -EFAULT;
		while (got < w) {
			r = sb_sys3(SYS_read, m->gpipe[0], (long)(dst + got), w - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got < w) {
			uint8_t sink[256];

			/* the destination faulted: empty the pipe for the next copy */
			while (got < w) {
				r = sb_sys3(SYS_read, m->gpipe[0], (long)sink, w - got > 256 ? 256 : w - got);
				if (r <= 0)
					break;
				got += r;
			}
			return -EFAULT;
		}
		if ((uint64_t)w < c)
			return -EFAULT;
		src += c;
		dst += c;
		n -= c;
	}
	return 0;
}

/* one copy at a time through the pipe: threads would mix their bytes */
static inline long gmem_pipe(const struct sb_mon *m, void *local, uint64_t g, uint64_t n, int write)
{
	uint32_t *w = (uint32_t *)&m->gpipe_lock;
	long rc;

	sb_mutex_lock(w);
	rc = gmem_pipe_locked(m, local, g, n, write);
	sb_mutex_unlock(w);
	return rc;
}

static inline long gmem_xfer(const struct sb_mon *m, void *local, uint64_t g, uint64_t n, int write)
{
	struct iovec l = { local, n }, r = { (void *)g, n };
	long rc;

	if (!n)
		return 0;
	if (!gmem_range_ok(m, g, n))
		return -EFAULT;
	if (m->pid != m->wall_pid)
		return gmem_pipe(m, local, g, n, write);
	rc = sb_sys6(write ? SYS_process_vm_writev : SYS_process_vm_readv, m->pid, (long)&l, 1, (long)&r, 1, 0);
	if (rc < 0)
		return rc == -ESRCH || rc == -EPERM ? -EFAULT : rc;
	return (uint64_t)rc == n ? 0 : -EFAULT;
}

/* guest -> vault */
static inline long gmem_in(const struct sb_mon *m, void *dst, uint64_t g, uint64_t n)
{
	return gmem_xfer(m, dst, g, n, 0);
}

/* vault -> guest */
static inline long gmem_out(const struct sb_mon *m, uint64_t g, const void *src, uint64_t n)
{
	return gmem_xfer(m, (void *)(uintptr_t)src, g, n, 1);
}

#endif
