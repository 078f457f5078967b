/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/emulate_mem.c: calls that change the address space, and the mirror that follows them.
 *
 * Each call is checked (no range may touch the vault or libsandbox's own
 * image: replacing the monitor's code or data would hand the process the
 * host), carried out on the host, and then reflected in the guest's page
 * tables before the vCPU runs again (see mirror.c for the ordering rule).
 * If the mirror cannot follow (no memory for page tables or windows), a
 * new mapping is undone and the call fails with ENOMEM.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include "maps.h"
#include "mirror.h"
#include "monitor.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static int is_err(long rc)
{
	return (unsigned long)rc > -4096ul;
}

static long do_mmap(struct sb_mon *m, const long *a)
{
	uint64_t addr = (uint64_t)a[0], len = SB_PAGE_UP((uint64_t)a[1]);
	long rc;

	if ((a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr + len < addr || mirror_protected(m, addr, addr + len)))
		return -EPERM;
	rc = sb_sys6(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (is_err(rc))
		return rc;
	if (mirror_set(m, (uint64_t)rc, (uint64_t)rc + len, (int)a[2])) {
		sb_sys2(SYS_munmap, rc, len);
		return -ENOMEM;
	}
	return rc;
}

static long do_munmap(struct sb_mon *m, const long *a)
{
	uint64_t addr = (uint64_t)a[0], len = SB_PAGE_UP((uint64_t)a[1]);
	long rc;

	if (addr + len < addr || mirror_protected(m, addr, addr + len))
		return -EPERM;
	rc = sb_sys2(SYS_munmap, a[0], a[1]);
	if (!rc)
		mirror_clear(m, addr, addr + len);
	return rc;
}

static long do_mprotect(struct sb_mon *m, long nr, const long *a)
{
	uint64_t addr = (uint64_t)a[0], len = SB_PAGE_UP((uint64_t)a[1]);
	long rc;

	if (addr + len < addr || mirror_protected(m, addr, addr + len))
		return -EPERM;
	if (nr == SYS_pkey_mprotect && a[3] != -1)
		return -EINVAL; /* protection keys are not offered inside (CR4.PKE is off) */
	rc = sb_sys3(SYS_mprotect, a[0], a[1], a[2]);
	if (rc)
		return rc;
	if (a[2] & (PROT_GROWSDOWN | PROT_GROWSUP))
		/* the kernel extended the range to the mapping's edge */
		return mirror_resync(m, SB_CHUNK_DOWN(addr), SB_CHUNK_UP(addr + len)) ? -ENOMEM : 0;
	return mirror_set(m, addr, addr + len, (int)a[2]) ? -ENOMEM : 0;
}

static long do_mremap(struct sb_mon *m, const long *a)
{
	uint64_t old = (uint64_t)a[0], olen = SB_PAGE_UP((uint64_t)a[1]), nlen = SB_PAGE_UP((uint64_t)a[2]);
	long rc;

	if (old + olen < old || mirror_protected(m, old, old + olen))
		return -EPERM;
	if ((a[3] & MREMAP_FIXED) &&
	    ((uint64_t)a[4] + nlen < (uint64_t)a[4] || mirror_protected(m, (uint64_t)a[4], (uint64_t)a[4] + nlen)))
		return -EPERM;
	rc = sb_sys5(SYS_mremap, a[0], a[1], a[2], a[3], a[4]);
	if (is_err(rc))
		return rc;
	/* the old range (gone, shrunk or kept with MREMAP_DONTUNMAP) and the new */
	if (mirror_resync(m, old, old + olen) ||
	    mirror_resync(m, (uint64_t)rc, (uint64_t)rc + nlen)) {
		/* the host moved the memory but the guest cannot see it: end the
		 * process rather than run on with a wrong view */
		mon_fatal(m, "mremap: guest page tables could not follow", -ENOMEM);
	}
	return rc;
}

/* A launched program's break (sb_exec): the host's brk belongs to the
 * launcher, so the program's is emulated with anonymous mappings that grow
 * up from brk_lo, as the kernel's would. A request outside [brk_lo,
 * brk_lo + SB_BRK_MAX), or one that would run into another mapping
 * (MAP_FIXED_NOREPLACE refuses), leaves the break where it was. */
#define SB_BRK_MAX (1ull << 40)

static long do_brk_emulated(struct sb_mon *m, uint64_t want)
{
	uint64_t old_top = SB_PAGE_UP(m->brk), new_top = SB_PAGE_UP(want);
	long rc;

	if (want < m->brk_lo || want - m->brk_lo > SB_BRK_MAX)
		return (long)m->brk;
	if (new_top > old_top) {
		rc = sb_sys6(SYS_mmap, (long)old_top, (long)(new_top - old_top), PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (is_err(rc))
			return (long)m->brk;
		if ((uint64_t)rc != old_top) { /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
			sb_sys2(SYS_munmap, rc, (long)(new_top - old_top));
			return (long)m->brk;
		}
		if (mirror_set(m, old_top, new_top, PROT_READ | PROT_WRITE)) {
			sb_sys2(SYS_munmap, rc, (long)(new_top - old_top));
			return (long)m->brk;
		}
	} else if (new_top < old_top) {
		if (sb_sys2(SYS_munmap, (long)new_top, (long)(old_top - new_top)))
			return (long)m->brk;
		mirror_clear(m, new_top, old_top);
	}
	m->brk = want;
	return (long)want;
}

static long do_brk(struct sb_mon *m, const long *a)
{
	uint64_t old = m->brk;
	long rc;
	uint64_t cur;

	if (m->brk_lo)
		return do_brk_emulated(m, (uint64_t)a[0]);
	rc = sb_sys1(SYS_brk, a[0]);
	cur = (uint64_t)rc;

	if (cur == old)
		return rc;
	if (cur > old) {
		if (mirror_set(m, SB_PAGE_UP(old), SB_PAGE_UP(cur), PROT_READ | PROT_WRITE)) {
			(void)sb_sys1(SYS_brk, old);
			return (long)old;
		}
	} else {
		mirror_clear(m, SB_PAGE_UP(cur), SB_PAGE_UP(old));
	}
	m->brk = cur;
	return rc;
}

static long do_madvise(struct sb_mon *m, const long *a)
{
	uint64_t addr = (uint64_t)a[0], len = SB_PAGE_UP((uint64_t)a[1]);

	/* MADV_DONTNEED and friends would wipe the vault, and on libsandbox's
	 * image would drop the relocated read-only data (function pointers
	 * back to their link-time values) */
	if (addr + len < addr || mirror_protected(m, addr, addr + len))
		return -EPERM;
	return sb_sys3(SYS_madvise, a[0], a[1], a[2]);
}

static long do_shmat(struct sb_mon *m, const long *a)
{
	struct shmid_ds ds;
	uint64_t size;
	long rc;

	rc = sb_sys3(SYS_shmctl, a[0], IPC_STAT, &ds);
	if (rc)
		return rc;
	size = SB_PAGE_UP(ds.shm_segsz);
	if (a[1] && ((uint64_t)a[1] + size < (uint64_t)a[1] ||
		     mirror_protected(m, SB_PAGE_DOWN((uint64_t)a[1]), SB_PAGE_DOWN((uint64_t)a[1]) + size)))
		return -EPERM;
	rc = sb_sys3(SYS_shmat, a[0], a[1], a[2]);
	if (is_err(rc))
		return rc;
	if (mirror_resync(m, (uint64_t)rc, (uint64_t)rc + size)) {
		sb_sys1(SYS_shmdt, rc);
		return -ENOMEM;
	}
	return rc;
}

struct seg_end {
	uint64_t start, end;
};

static int seg_end_of(const struct sb_vma *v, void *p)
{
	struct seg_end *s = p;

	if (v->lo == s->start || (s->end && v->lo == s->end && v->shared))
		s->end = v->hi;
	return 0;
}

static long do_shmdt(struct sb_mon *m, const long *a)
{
	struct seg_end s = { (uint64_t)a[0], 0 };
	long rc;

	if (mirror_protected(m, s.start, s.start + 1))
		return -EPERM;
	/* where the segment ends: the host's mapping that starts at addr */
	rc = maps_walk(m->maps_fd, s.start, SB_USER_TOP, (char *)(m->vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE,
		       seg_end_of, &s);
	if (rc)
		return rc;
	rc = sb_sys1(SYS_shmdt, a[0]);
	if (!rc && s.end > s.start)
		mirror_resync(m, s.start, s.end);
	return rc;
}

static long emu_mem_locked(struct sb_mon *m, long nr, const long *a)
{
	switch (nr) {
	case SYS_mmap:
		return do_mmap(m, a);
	case SYS_munmap:
		return do_munmap(m, a);
	case SYS_mprotect:
	case SYS_pkey_mprotect:
		return do_mprotect(m, nr, a);
	case SYS_mremap:
		return do_mremap(m, a);
	case SYS_brk:
		return do_brk(m, a);
	case SYS_madvise:
		return do_madvise(m, a);
	case SYS_shmat:
		return do_shmat(m, a);
	case SYS_shmdt:
		return do_shmdt(m, a);
	default: /* remap_file_pages and anything new: not offered */
		return -ENOSYS;
	}
}

/* One memory call at a time per process: the host mapping, the windows
 * and the guest page tables change together, while the other threads'
 * vCPUs keep running on the same page tables. (A vCPU that still caches
 * a translation being removed is stopped by the host operation itself:
 * the hypervisor drops its shadow or EPT entries for the range before
 * the host mapping goes, see mirror.c; docs/architecture.md, Threads.) */
long emu_mem(struct sb_mon *m, long nr, const long *a)
{
	long rc;

	mon_lock(m);
	rc = emu_mem_locked(m, nr, a);
	mon_unlock(m);
	return rc;
}
