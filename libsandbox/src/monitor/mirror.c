/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/mirror.c: keep the guest's view of memory equal to the host's.
 *
 * Two things make up the guest's view: memory windows (KVM memslots), which
 * say which host memory exists in guest-physical space, and the guest page
 * tables, which say what the process may do with it. Windows are whole
 * 2 MiB chunks that hold at least one mapping; they are added as mappings
 * appear and kept when they go (a window over a hole costs a few KiB of host
 * memory and nothing else: the page tables decide what is reachable). The
 * vault and its guards are whole chunks of their own, so no window over a
 * guest mapping can ever include a byte of the vault.
 *
 * Ordering rule for a shadow-paging host (measured in the platform notes):
 * a removal or downgrade in the guest page tables becomes visible only when
 * the host operation on the same range zaps the shadow entries. The monitor
 * performs the host call first and edits the guest tables before the vCPU
 * runs again; with one vCPU per VM no guest access falls in between.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <sys/mman.h>
#include "mirror.h"
#include "monitor.h"
#include "maps.h"
#include "../guest/pgtable.h"

int mirror_in_vault(const struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	return sb_overlap(lo, hi, m->zone_lo, m->zone_hi);
}

int mirror_hidden(const struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	for (uint32_t i = 0; i < m->nhidden && m->hidden[i].lo < hi; i++)
		if (sb_overlap(lo, hi, m->hidden[i].lo, m->hidden[i].hi))
			return 1;
	return 0;
}

int mirror_off_limits(const struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	return mirror_in_vault(m, lo, hi) || mirror_hidden(m, lo, hi);
}

int mirror_protected(const struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	return mirror_off_limits(m, lo, hi) || sb_overlap(lo, hi, m->image_lo, m->image_hi);
}

int mirror_hide(struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	uint32_t i = 0;

	if (lo >= hi)
		return 0;
	while (i < m->nhidden && m->hidden[i].hi < lo)
		i++;
	if (i < m->nhidden && m->hidden[i].lo <= hi) { /* touches or overlaps: merge */
		if (lo < m->hidden[i].lo)
			m->hidden[i].lo = lo;
		if (hi > m->hidden[i].hi)
			m->hidden[i].hi = hi;
		while (i + 1 < m->nhidden && m->hidden[i + 1].lo <= m->hidden[i].hi) {
			if (m->hidden[i + 1].hi > m->hidden[i].hi)
				m->hidden[i].hi = m->hidden[i + 1].hi;
			for (uint32_t j = i + 1; j + 1 < m->nhidden; j++)
				m->hidden[j] = m->hidden[j + 1];
			m->nhidden--;
		}
		return 0;
	}
	if (m->nhidden >= SB_MAX_HIDDEN)
		return -E2BIG;
	for (uint32_t j = m->nhidden; j > i; j--)
		m->hidden[j] = m->hidden[j - 1];
	m->hidden[i].lo = lo;
	m->hidden[i].hi = hi;
	m->nhidden++;
	return 0;
}

static const struct sb_window *find_window(const struct sb_mon *m, uint64_t hva)
{
	for (uint32_t i = 0; i < m->nslots; i++)
		if (hva >= m->win[i].lo && hva < m->win[i].hi)
			return &m->win[i];
	return 0;
}

uint64_t mirror_gpa(const struct sb_mon *m, uint64_t hva)
{
	const struct sb_window *w = find_window(m, hva);

	return w ? w->gpa + (hva - w->lo) : 0;
}

static int add_window(struct sb_mon *m, uint64_t lo, uint64_t hi, uint64_t *gpa_out)
{
	uint64_t size = hi - lo;
	uint64_t gpa = SB_CHUNK_UP(m->gpa_next);
	struct sb_window *w;
	int rc;

	/* defends against running out of slots or guest-physical space: the
	 * call that needed the window fails with ENOMEM, nothing is half-made */
	if (m->nslots >= m->max_slots || m->nslots >= SB_MAX_WINDOWS)
		return -ENOMEM;
	if (gpa + size > m->gpa_limit || gpa + size < gpa)
		return -ENOMEM;
	rc = m->set_window(m, m->nslots, gpa, lo, size);
	if (rc)
		return rc;
	w = &m->win[m->nslots++];
	w->lo = lo;
	w->hi = hi;
	w->gpa = gpa;
	m->gpa_next = gpa + size;
	if (gpa_out)
		*gpa_out = gpa;
	return 0;
}

int mirror_window_exact(struct sb_mon *m, uint64_t lo, uint64_t hi, uint64_t *gpa)
{
	return add_window(m, lo, hi, gpa);
}

/* Unmap [lo, hi) in the guest page tables except the vault: its ring-0
 * pages (descriptor tables, stubs, IST stack) must stay mapped whatever
 * range a caller computes, or the next exception triple-faults. */
static int unmap_outside_vault(struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	int rc = 0;

	if (lo < m->zone_lo)
		rc = pt_unmap(&m->pt, lo, hi < m->zone_lo ? hi : m->zone_lo);
	if (!rc && hi > m->zone_hi)
		rc = pt_unmap(&m->pt, lo > m->zone_hi ? lo : m->zone_hi, hi);
	return rc;
}

static int ensure_windows(struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	uint64_t c = SB_CHUNK_DOWN(lo), end = SB_CHUNK_UP(hi);

	while (c < end) {
		uint64_t run;
		int rc;

		if (find_window(m, c)) {
			c += SB_CHUNK;
			continue;
		}
		run = c;
		while (c < end && !find_window(m, c))
			c += SB_CHUNK;
		/* never a window over the vault: callers keep vault ranges out,
		 * this check holds even if one did not */
		if (mirror_in_vault(m, run, c))
			return -EPERM;
		rc = add_window(m, run, c, 0);
		if (rc)
			return rc;
	}
	return 0;
}

int mirror_set(struct sb_mon *m, uint64_t lo, uint64_t hi, int prot)
{
	uint64_t a;
	int rc;

	lo = SB_PAGE_DOWN(lo);
	hi = SB_PAGE_UP(hi);
	if (mirror_in_vault(m, lo, hi) || hi > SB_USER_TOP)
		return -EPERM;
	/* PROT_NONE gets no window; a huge mapping (a sanitizer's shadow, a
	 * runtime's arena) is brought in 2 MiB at a time by the page-fault path
	 * (mirror_fault), not eagerly: a window costs the host kernel memory in
	 * proportion to its size on shadow-paging hosts */
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) || hi - lo > SB_LAZY_MIN)
		return unmap_outside_vault(m, lo, hi);
	rc = ensure_windows(m, lo, hi);
	if (rc)
		return rc;
	for (a = lo; a < hi;) {
		const struct sb_window *w = find_window(m, a);
		uint64_t end = w->hi < hi ? w->hi : hi;

		rc = pt_map(&m->pt, a, end, w->gpa + (a - w->lo), pt_flags(prot, 1), 1);
		if (rc)
			return rc;
		a = end;
	}
	return 0;
}

int mirror_set_visible(struct sb_mon *m, uint64_t lo, uint64_t hi, int prot)
{
	/* the kernel may merge a guest mapping with a hidden neighbour into one
	 * line of /proc/self/maps: only the guest's part is mirrored */
	for (uint32_t i = 0; i < m->nhidden && lo < hi; i++) {
		const struct sb_range *h = &m->hidden[i];
		int rc;

		if (h->hi <= lo)
			continue;
		if (h->lo >= hi)
			break;
		if (h->lo > lo) {
			rc = mirror_set(m, lo, h->lo, prot);
			if (rc)
				return rc;
		}
		lo = h->hi;
	}
	if (lo >= hi || mirror_in_vault(m, lo, hi) || hi > SB_USER_TOP)
		return 0;
	return mirror_set(m, lo, hi, prot);
}

int mirror_clear(struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	return unmap_outside_vault(m, SB_PAGE_DOWN(lo), SB_PAGE_UP(hi));
}

struct resync_arg {
	struct sb_mon *m;
	uint64_t lo, hi;
};

static int resync_one(const struct sb_vma *v, void *p)
{
	struct resync_arg *r = p;
	uint64_t lo = v->lo > r->lo ? v->lo : r->lo;
	uint64_t hi = v->hi < r->hi ? v->hi : r->hi;

	/* the vault's own mappings, hidden ranges and anything above user
	 * space stay out */
	if (mirror_in_vault(r->m, lo, hi) || hi > SB_USER_TOP)
		return 0;
	return mirror_set_visible(r->m, lo, hi, v->prot);
}

int mirror_fault(struct sb_mon *m, uint64_t addr, int write, int exec)
{
	uint64_t size = 0, e = 0;

	if (addr >= SB_USER_TOP || mirror_off_limits(m, addr, addr + 1))
		return 0;
	/* another thread may be changing this range: its memory call holds
	 * the lock, and the resync sees the result */
	mon_lock(m);
	if (!mirror_resync(m, SB_CHUNK_DOWN(addr), SB_CHUNK_DOWN(addr) + SB_CHUNK))
		e = pt_lookup(&m->pt, addr, &size);
	mon_unlock(m);
	return e && (!write || (e & PTE_W)) && (!exec || !(e & PTE_NX));
}

static int found_one(const struct sb_vma *v, void *p)
{
	(void)v;
	*(int *)p = 1;
	return 0;
}

int mirror_host_mapped(struct sb_mon *m, uint64_t addr)
{
	int found = 0;

	/* the vault and hidden ranges are not the process's: as unmapped */
	if (addr >= SB_USER_TOP || mirror_off_limits(m, addr, addr + 1))
		return 0;
	mon_lock(m);
	if (maps_walk(m->maps_fd, SB_PAGE_DOWN(addr), SB_PAGE_DOWN(addr) + SB_PAGE, (char *)(m->vault + VLT_MAPSBUF),
		      VLT_MAPSBUF_SIZE, found_one, &found))
		found = 0;
	mon_unlock(m);
	return found;
}

int mirror_resync(struct sb_mon *m, uint64_t lo, uint64_t hi)
{
	struct resync_arg r = { m, SB_PAGE_DOWN(lo), SB_PAGE_UP(hi) };
	int rc = unmap_outside_vault(m, r.lo, r.hi);

	if (rc)
		return rc;
	return maps_walk(m->maps_fd, r.lo, r.hi, (char *)(m->vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE,
			 resync_one, &r);
}
