// SPDX-License-Identifier: GPL-2.0 OR MIT
/* kmod/rfk_mmu.c: memory windows, EPT, and its coherence with the process's page tables.
 *
 * A window says: guest-physical [gpa, gpa+len) is host-virtual [hva,
 * hva+len) of the process that created the VM. Nothing is mapped up front:
 * an EPT violation looks the address up in the windows, asks the process's
 * own page tables for the page (get_user_pages, or follow_pte for
 * VM_IO/VM_PFNMAP mappings such as the vDSO data), and maps that one 4 KiB
 * page. The page reference is dropped at once: an MMU notifier on the
 * process's mm removes EPT entries (and flushes every CPU's EPT TLB) before
 * the kernel unmaps, moves or frees a page, as KVM does. A guest-physical
 * address no window covers is an MMIO exit to user space.
 *
 * Locking: vm->lock (mutex) orders window changes; vm->mmu_lock (spinlock)
 * protects the EPT tables, the window array and the invalidation counters.
 * The EPT is the VM's, shared by its vCPUs: two vCPUs (two host threads,
 * maybe on two CPUs) may fault at once, each taking its page outside the
 * lock and installing it under the lock only if no invalidation ended in
 * between (mmu_seq) and none of its address is in progress (inv_start,
 * inv_end). EPT TLB entries are tagged by the EPTP, so one
 * INVEPT per CPU (rfk_flush_all) covers every vCPU of the VM.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "rfk.h"

#define EPT_R 1ull
#define EPT_W 2ull
#define EPT_X 4ull
#define EPT_WB (6ull << 3)
#define EPT_IPAT (1ull << 6)
#define EPT_ADDR 0x000ffffffffff000ull

static u64 *ept_table(u64 e)
{
	return (u64 *)__va(e & EPT_ADDR);
}

/* The leaf entry for gpa; intermediate tables come from *spare (at most
 * three pages, allocated before the spinlock was taken) when alloc is set. */
static u64 *ept_leaf(struct rfk_vm *vm, u64 gpa, bool alloc, u64 **spare)
{
	u64 *t = vm->ept_pml4;
	int level;

	for (level = 3; level > 0; level--) {
		u64 *e = &t[(gpa >> (12 + 9 * level)) & 511];

		if (!(*e & EPT_R)) {
			if (!alloc || !*spare)
				return NULL;
			u64 *p = *spare;

			*spare = (u64 *)p[0]; /* a spare page's first word links the next */
			p[0] = 0;
			*e = __pa(p) | EPT_R | EPT_W | EPT_X;
		}
		t = ept_table(*e);
	}
	return &t[(gpa >> 12) & 511];
}

/* Clear the leaf entries of [lo, hi); true if one was present. */
static bool ept_zap(struct rfk_vm *vm, u64 lo, u64 hi)
{
	bool any = false;
	u64 a = lo;

	while (a < hi) {
		u64 *t = vm->ept_pml4, *e = NULL;
		int level;
		u64 step = 0;

		for (level = 3; level > 0; level--) {
			e = &t[(a >> (12 + 9 * level)) & 511];
			if (!(*e & EPT_R)) {
				step = 1ull << (12 + 9 * level);
				break;
			}
			t = ept_table(*e);
		}
		if (level > 0) {
			a = (a & ~(step - 1)) + step;
			continue;
		}
		e = &t[(a >> 12) & 511];
		if (*e) {
			WRITE_ONCE(*e, 0);
			any = true;
		}
		a += PAGE_SIZE;
	}
	return any;
}

/* Zap the GPAs that show host [start, end) in every window; mmu_lock held. */
static bool zap_hva(struct rfk_vm *vm, u64 start, u64 end)
{
	bool any = false;
	int i;

	for (i = 0; i < RFK_MAX_WINDOWS; i++) {
		const struct rfk_window *w = &vm->win[i];
		u64 lo, hi;

		if (!w->len || end <= w->hva || start >= w->hva + w->len)
			continue;
		lo = max(start, w->hva);
		hi = min(end, w->hva + w->len);
		any |= ept_zap(vm, w->gpa + (lo - w->hva), w->gpa + (hi - w->hva));
	}
	return any;
}

static int rfk_mn_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct rfk_vm *vm = container_of(mn, struct rfk_vm, mn);
	bool flush;

	spin_lock(&vm->mmu_lock);
	/* a fault on an address in this range retries until the host change is
	 * done (and every fault that started before the end retries: mmu_seq) */
	if (vm->mmu_in_progress++ == 0) {
		vm->inv_start = range->start;
		vm->inv_end = range->end;
	} else {
		vm->inv_start = min_t(u64, vm->inv_start, range->start);
		vm->inv_end = max_t(u64, vm->inv_end, range->end);
	}
	flush = zap_hva(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	if (flush)
		rfk_flush_all(vm);
	return 0;
}

static void rfk_mn_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct rfk_vm *vm = container_of(mn, struct rfk_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_in_progress--;
	spin_unlock(&vm->mmu_lock);
}

static void rfk_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct rfk_vm *vm = container_of(mn, struct rfk_vm, mn);
	bool flush;

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	flush = zap_hva(vm, 0, ~0ull);
	spin_unlock(&vm->mmu_lock);
	if (flush)
		rfk_flush_all(vm);
}

static const struct mmu_notifier_ops rfk_mn_ops = {
	.invalidate_range_start = rfk_mn_start,
	.invalidate_range_end = rfk_mn_end,
	.release = rfk_mn_release,
};

int rfk_mmu_init(struct rfk_vm *vm)
{
	int rc = -ENOMEM;

	spin_lock_init(&vm->mmu_lock);
	vm->ept_pml4 = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vm->win = kvcalloc(RFK_MAX_WINDOWS, sizeof(*vm->win), GFP_KERNEL_ACCOUNT);
	if (!vm->ept_pml4 || !vm->win)
		goto out;
	/* write-back, 4-level walk */
	vm->eptp = __pa(vm->ept_pml4) | (3ull << 3) | 6ull;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->mn.ops = &rfk_mn_ops;
	rc = mmu_notifier_register(&vm->mn, vm->mm);
	if (rc)
		goto out;
	vm->mn_registered = true;
	rc = 0;
out:
	return rc;
}

static void ept_free(u64 *t, int level)
{
	int i;

	if (level > 0)
		for (i = 0; i < 512; i++)
			if (t[i] & EPT_R)
				ept_free(ept_table(t[i]), level - 1);
	free_page((unsigned long)t);
}

void rfk_mmu_destroy(struct rfk_vm *vm)
{
	if (vm->mn_registered)
		mmu_notifier_unregister(&vm->mn, vm->mm);
	if (vm->mm)
		mmdrop(vm->mm);
	if (vm->ept_pml4)
		ept_free(vm->ept_pml4, 3);
	kvfree(vm->win);
}

int rfk_mmu_set_window(struct rfk_vm *vm, const struct rfk_memory_window *w)
{
	u64 limit = min(RFK_GPA_LIMIT, 1ull << rfk_gpa_bits());
	struct rfk_window *slot;
	bool flush = false;
	int i, rc = -EINVAL;

	/* defends against structs from a newer or confused caller: unknown
	 * flags or reserved words would be silently ignored otherwise */
	if (w->size != sizeof(*w) || w->flags || w->reserved[0] || w->reserved[1])
		goto out;
	/* defends against indexing outside the window array */
	if (w->slot >= RFK_MAX_WINDOWS)
		goto out;
	/* defends against partial pages (EPT maps whole pages only) and
	 * against wrap-around in the range arithmetic below */
	if ((w->gpa | w->hva | w->len) & ~PAGE_MASK)
		goto out;
	if (w->len && (w->gpa >= limit || w->len > limit - w->gpa))
		goto out;
	/* defends against windows onto kernel addresses: only the creator's
	 * user addresses can ever be looked up */
	if (w->len && (w->hva + w->len < w->hva || !access_ok((void __user *)w->hva, w->len)))
		goto out;
	mutex_lock(&vm->lock);
	rc = -EIO;
	/* defends against another process driving a VM fd it inherited: the
	 * windows are addresses of the creator's mm */
	if (current->mm != vm->mm)
		goto unlock;
	rc = -EEXIST;
	/* defends against two windows for one guest-physical page, which
	 * would make the EPT entry depend on lookup order */
	for (i = 0; w->len && i < RFK_MAX_WINDOWS; i++) {
		const struct rfk_window *o = &vm->win[i];

		if (i != (int)w->slot && o->len && w->gpa < o->gpa + o->len && o->gpa < w->gpa + w->len)
			goto unlock;
	}
	slot = &vm->win[w->slot];
	spin_lock(&vm->mmu_lock);
	if (slot->len)
		flush = ept_zap(vm, slot->gpa, slot->gpa + slot->len);
	slot->gpa = w->gpa;
	slot->hva = w->hva;
	slot->len = w->len;
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
	if (flush)
		rfk_flush_all(vm);
	rc = 0;
unlock:
	mutex_unlock(&vm->lock);
out:
	return rc;
}

/* The host page frame behind hva, for a VM_IO/VM_PFNMAP mapping (no struct
 * page reference to take; the MMU notifier still covers its unmapping). */
static int pfnmap_lookup(struct rfk_vm *vm, u64 hva, bool write, u64 *pfn, bool *writable)
{
	struct vm_area_struct *vma;
	spinlock_t *ptl;
	pte_t *ptep;
	int rc = -EFAULT;

	mmap_read_lock(vm->mm);
	vma = vma_lookup(vm->mm, hva);
	if (!vma || !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		goto unlock;
	if (follow_pte(vm->mm, hva, &ptep, &ptl)) {
		bool unlocked = false;

		if (fixup_user_fault(vm->mm, hva, write ? FAULT_FLAG_WRITE : 0, &unlocked))
			goto unlock;
		if (unlocked)
			goto unlock; /* the lock was dropped: the caller retries */
		if (follow_pte(vm->mm, hva, &ptep, &ptl))
			goto unlock;
	}
	*pfn = pte_pfn(*ptep);
	*writable = pte_write(*ptep);
	pte_unmap_unlock(ptep, ptl);
	rc = -EFAULT;
	/* defends against device memory (MMIO) behind a PFNMAP: EPT maps
	 * everything write-back, which is only right for RAM */
	if (!pfn_valid(*pfn))
		goto unlock;
	rc = (write && !*writable) ? -EFAULT : 0;
unlock:
	mmap_read_unlock(vm->mm);
	return rc;
}

int rfk_mmu_fault(struct rfk_vm *vm, u64 gpa, bool write)
{
	u64 *spare = NULL, *pte, hva = 0, pfn;
	struct page *page = NULL;
	unsigned long seq;
	bool writable = false, found = false;
	int i, rc;

	seq = READ_ONCE(vm->mmu_seq);
	smp_rmb();
	spin_lock(&vm->mmu_lock);
	for (i = 0; i < RFK_MAX_WINDOWS; i++) {
		const struct rfk_window *w = &vm->win[i];

		if (w->len && gpa >= w->gpa && gpa - w->gpa < w->len) {
			hva = w->hva + ((gpa & PAGE_MASK) - w->gpa);
			found = true;
			break;
		}
	}
	spin_unlock(&vm->mmu_lock);
	rc = 1;
	if (!found)
		goto out;

	/* a page the process can already write is mapped writable at once */
	if (get_user_pages_fast_only(hva, 1, FOLL_WRITE, &page) == 1) {
		writable = true;
	} else if (get_user_pages_fast(hva, 1, write ? FOLL_WRITE : 0, &page) == 1) {
		writable = write;
	} else {
		page = NULL;
		rc = pfnmap_lookup(vm, hva, write, &pfn, &writable);
		if (rc)
			goto out;
	}
	if (page)
		pfn = page_to_pfn(page);

	/* tables missing on the way down come from pages allocated outside the
	 * spinlock: try without, allocate three and retry if one was missing */
	for (;;) {
		spin_lock(&vm->mmu_lock);
		rc = 0;
		/* an invalidation ran since the lookup, or one of this address
		 * runs: the page may be stale; leave it unmapped and let the guest
		 * fault again (as KVM: invalidations of other ranges that are
		 * still in progress do not hold this fault up) */
		if (seq != vm->mmu_seq ||
		    (vm->mmu_in_progress && hva >= vm->inv_start && hva < vm->inv_end))
			goto unlock;
		pte = ept_leaf(vm, gpa, !!spare, &spare);
		if (pte) {
			u64 old = *pte, new = (pfn << PAGE_SHIFT) | EPT_R | EPT_X | (writable ? EPT_W : 0) | EPT_WB | EPT_IPAT;

			/* another vCPU mapped the same page writable meanwhile (no
			 * invalidation ran: mmu_seq): keep it, a downgrade here would
			 * need a flush and gains nothing */
			if ((old & EPT_R) && (old & EPT_ADDR) == (new & EPT_ADDR) && (old & EPT_W))
				goto unlock;
			WRITE_ONCE(*pte, new);
			goto unlock;
		}
		spin_unlock(&vm->mmu_lock);
		rc = -ENOMEM;
		if (spare)
			goto out; /* not reached: three pages cover any walk */
		for (i = 0; i < 3; i++) {
			u64 *p = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

			if (!p)
				goto out;
			p[0] = (u64)spare;
			spare = p;
		}
	}
unlock:
	spin_unlock(&vm->mmu_lock);
out:
	if (page)
		put_page(page);
	while (spare) {
		u64 *next = (u64 *)spare[0];

		free_page((unsigned long)spare);
		spare = next;
	}
	return rc;
}
