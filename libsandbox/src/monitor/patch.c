/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/patch.c: patched call sites: a `syscall` rewritten to reach the exitless channel from CPL3.
 *
 * With the channel on, an unmodified `syscall` still enters the LSTAR
 * stub: at CPL0 on VT-x and AMD-V (cheap), but through an in-kernel
 * redirect on a PVM host (~5 us). A patched site skips that: the
 * `mov $nr, %eax` (b8 imm32) just before the `syscall` becomes a `jmp` to
 * a trampoline of its own (guest/cpu_x86_64.c: cpu_build_tramp) in the
 * patch window, which puts the request in a user slot the worker serves,
 * or answers it in the VM, and jumps back behind the `syscall`.
 *
 * Lazily: the worker looks at the sites of the calls it serves and of the
 * calls the stubs answered in the VM, once per site (a table in the
 * vault). A site is patched only if all of this holds, else never:
 *  - it lies in a private, file-backed mapping that is exactly
 *    readable and executable (no shared file is ever written; no
 *    writable or anonymous code), outside the vault, libsandbox's image
 *    and the hidden ranges;
 *  - the `mov` is proven to begin an instruction: the call's function
 *    starts (the module's .eh_frame_hdr says where) at most 48 bytes
 *    before it, and every byte from that start to the `mov` decodes as
 *    one of a few instruction forms known exactly (those of glibc's
 *    wrappers); no branch among them lands inside the `mov`;
 *  - the `mov`'s immediate is the call number the worker saw there;
 *  - the five bytes lie in one aligned 16-byte word, so the rewrite is
 *    one `lock cmpxchg16b`: another vCPU running the same code sees the
 *    old `mov` or the new `jmp`, never a mix;
 *  - the trampoline is within a rel32 jump of the site.
 * The `syscall` itself is left as it is: code that jumps straight to it
 * still makes the call through the LSTAR stub.
 *
 * What the patcher decides cannot widen what the process may do: a
 * trampoline only writes a request the worker checks exactly as the exit
 * path would (mon_chan_call, after copying it), and its rewrites touch
 * only the process's own private code. The ELF headers and unwind tables
 * it reads are the process's memory, read with gmem_in (a bad pointer is
 * an error, never a fault of the monitor); lies there can at worst leave
 * a site unpatched, or break the process's own code.
 *
 * The write: the page is made writable on the host for the moment of the
 * rewrite (the process's view, its guest page tables, is unchanged), the
 * 16 bytes are copied onto themselves through the kernel (the copy-on-
 * write happens there, where a vanished page is an error and not a
 * SIGBUS), then exchanged, then the page gets its protection back. All of
 * it under the monitor lock, like the process's own memory calls.
 *
 * Freestanding: runs in the channel's worker.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "gmem.h"
#include "maps.h"
#include "monitor.h"
#include "../guest/cpu_x86_64.h"
#include "../guest/pgtable.h"
#include "patch.h"

#define PT_LOAD 1
#define PT_GNU_EH_FRAME 0x6474e550


static struct sb_patch_ent *ptab(const struct sb_mon *m)
{
	return (struct sb_patch_ent *)(m->vault + VLT_PTAB);
}

/* the site's entry, added if new; NULL if its neighbourhood is full */
static struct sb_patch_ent *ent_of(struct sb_mon *m, uint64_t site)
{
	uint64_t h = (site * 0x9e3779b97f4a7c15ull) >> 40;

	for (unsigned i = 0; i < 32; i++) {
		struct sb_patch_ent *e = &ptab(m)[(h + i) & (PTAB_CAP - 1)];

		if (e->site == site)
			return e;
		if (!e->site) {
			e->site = site;
			e->state = PS_FREE;
			return e;
		}
	}
	return 0;
}

/* ---- where the site lies */

struct where {
	uint64_t addr;     /* the site */
	uint64_t lo, hi;   /* its mapping */
	int prot, shared, found;
	uint64_t base;     /* the lowest address of the run of mappings of the same file */
	int run;
	char name[256];
	uint32_t nlen;
};

static int name_eq(const char *a, const char *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return b[n] == 0;
}

static int find_vma(const struct sb_vma *v, void *arg)
{
	struct where *w = arg;
	uint32_t n = 0;

	if (w->addr < v->lo || w->addr >= v->hi)
		return 0;
	while (v->name[n] && n < sizeof w->name - 1) {
		w->name[n] = v->name[n];
		n++;
	}
	if (v->name[n])
		return -ENAMETOOLONG;
	w->name[n] = 0;
	w->nlen = n;
	w->lo = v->lo;
	w->hi = v->hi;
	w->prot = v->prot;
	w->shared = v->shared;
	w->found = 1;
	return -EEXIST; /* stop */
}

/* the mappings below the site, in order: the file's run starts where
 * its name begins after another one (ld.so maps an object in one piece) */
static int find_base(const struct sb_vma *v, void *arg)
{
	struct where *w = arg;

	if (v->lo > w->addr)
		return -EEXIST;
	if (name_eq(w->name, v->name, w->nlen)) {
		if (!w->run)
			w->base = v->lo;
		w->run = 1;
	} else {
		w->run = 0;
	}
	return 0;
}

/* ---- the function the site is in: the module's .eh_frame_hdr */

struct ehdr64 {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr64 {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* The start of the function holding addr, per the unwind table of the
 * object whose ELF header is at base. 0 or a negative errno. */
static int func_start(const struct sb_mon *m, uint64_t base, uint64_t addr, uint64_t *start)
{
	struct ehdr64 eh;
	struct phdr64 ph;
	uint64_t bias = 0, hdr = 0, lo_vaddr = ~0ull;
	uint8_t h[12];
	uint32_t count, lo, hi;
	int32_t loc;

	/* defends against a process that forged or damaged its own headers:
	 * every field is checked before use, every read can fail */
	if (gmem_in(m, &eh, base, sizeof eh) || eh.ident[0] != 0x7f || eh.ident[1] != 'E' || eh.ident[2] != 'L' ||
	    eh.ident[3] != 'F' || eh.ident[4] != 2 /* 64-bit */ || eh.machine != 62 /* x86-64 */ ||
	    eh.phentsize != sizeof ph || eh.phnum > 64)
		return -ENOEXEC;
	for (uint16_t i = 0; i < eh.phnum; i++) {
		if (gmem_in(m, &ph, base + eh.phoff + (uint64_t)i * sizeof ph, sizeof ph))
			return -ENOEXEC;
		if (ph.type == PT_LOAD && ph.vaddr < lo_vaddr)
			lo_vaddr = ph.vaddr;
		if (ph.type == PT_GNU_EH_FRAME)
			hdr = ph.vaddr;
	}
	if (!hdr || lo_vaddr == ~0ull)
		return -ENOENT;
	bias = base - (lo_vaddr & ~0xfffull);
	hdr += bias;
	/* version 1; eh_frame_ptr 4 bytes; count udata4; table datarel sdata4 */
	if (gmem_in(m, h, hdr, sizeof h) || h[0] != 1 || (h[1] & 0x0f) == 0 || ((h[1] & 0x0f) != 0x03 && (h[1] & 0x0f) != 0x0b) ||
	    h[2] != 0x03 || h[3] != 0x3b)
		return -ENOENT;
	sb_memcpy(&count, h + 8, 4);
	if (!count || count > (1u << 24))
		return -ENOENT;
	/* the last entry that starts at or before addr (the table is sorted) */
	lo = 0;
	hi = count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (gmem_in(m, &loc, hdr + 12 + 8ull * mid, 4))
			return -ENOENT;
		if (hdr + (uint64_t)(int64_t)loc <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (gmem_in(m, &loc, hdr + 12 + 8ull * lo, 4) || hdr + (uint64_t)(int64_t)loc > addr)
		return -ENOENT;
	*start = hdr + (uint64_t)(int64_t)loc;
	return 0;
}

/* ---- the rewrite */

static int cmpxchg16(uint64_t addr, const uint64_t old[2], const uint64_t new[2])
{
	uint64_t lo = old[0], hi = old[1];
	uint8_t ok;

	__asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
			 : "=q"(ok), "+m"(*(volatile __int128 *)addr), "+a"(lo), "+d"(hi)
			 : "b"(new[0]), "c"(new[1])
			 : "memory", "cc");
	return ok;
}

/* Rewrite the `mov` at mov (checked: b8 imm32 then 0f 05) into a jmp to
 * tramp. 0 or a negative errno; the page is r-x again (the only
 * protection try_patch() takes). */
static int rewrite(struct sb_mon *m, uint64_t mov, uint64_t tramp)
{
	uint64_t word = mov & ~15ull, page = mov & ~4095ull, old[2], new[2];
	uint32_t off = (uint32_t)(mov - word), rel = (uint32_t)(tramp - (mov + 5));
	uint8_t *nb = (uint8_t *)new;
	long rc;

	rc = sb_sys3(SYS_mprotect, page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
	if (rc)
		return (int)rc;
	/* the copy-on-write, through the kernel: an error if the page went */
	rc = gmem_in(m, old, word, 16);
	if (!rc)
		rc = gmem_out(m, word, old, 16);
	if (!rc) {
		sb_memcpy(new, old, 16);
		nb[off] = 0xe9; /* jmp rel32 */
		sb_memcpy(nb + off + 1, &rel, 4);
		rc = cmpxchg16(word, old, new) ? 0 : -EAGAIN;
	}
	/* its own protection back (the process's view never changed) */
	if (sb_sys3(SYS_mprotect, page, 4096, PROT_READ | PROT_EXEC) && !rc)
		rc = -EIO;
	return (int)rc;
}

/* Try to patch the site; the entry's new state. Under the monitor lock. */
static uint32_t try_patch(struct sb_mon *m, uint64_t site, long nr)
{
	struct where w;
	uint64_t mov = site - 5, start, tramp;
	uint8_t code[PATCH_FUNC_MAX + 7];
	uint32_t at, imm, len;
	int64_t d;
	int rc;

	sb_memset(&w, 0, sizeof w);
	w.addr = mov;
	/* defends against a site in the vault, libsandbox's image or a
	 * hidden range, or not in user space */
	if (site < 4096 || site + 2 > SB_USER_TOP || mirror_protected(m, site - PATCH_FUNC_MAX, site + 2))
		return PS_REFUSED;
	/* ((mov & 15) + 5 <= 16: one aligned 16-byte word for the exchange) */
	if ((mov & 15) > 11)
		return PS_REFUSED;
	if (maps_walk(m->maps_fd, mov, mov + 1, (char *)(m->vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE, find_vma, &w) !=
		    -EEXIST ||
	    !w.found)
		return PS_REFUSED;
	/* defends against writing a shared file, writable or anonymous
	 * code, or code the site's call does not all lie in */
	if (w.shared || w.prot != (PROT_READ | PROT_EXEC) || w.name[0] != '/' || mov < w.lo || site + 2 > w.hi)
		return PS_REFUSED;
	rc = maps_walk(m->maps_fd, 0, mov + 1, (char *)(m->vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE, find_base, &w);
	if ((rc && rc != -EEXIST) || !w.run || func_start(m, w.base, mov, &start) || start > mov || mov - start > PATCH_FUNC_MAX)
		return PS_REFUSED;
	at = (uint32_t)(mov - start);
	if (gmem_in(m, code, start, at + 7))
		return PS_REFUSED;
	if (code[at] != 0xb8 || code[at + 5] != 0x0f || code[at + 6] != 0x05 || !patch_proven(code, at))
		return PS_REFUSED;
	sb_memcpy(&imm, code + at + 1, 4);
	if ((long)imm != nr)
		return PS_FREE; /* not the call seen there (a stale pair): not now */
	if (m->patch_next >= PATCH_NTRAMP)
		return PS_REFUSED;
	tramp = m->vault + VLT_PATCH + PATCH_TRAMP + (uint64_t)m->patch_next * PATCH_TRAMP_STRIDE;
	/* the jmp's rel32, and the trampoline's jumps back */
	d = (int64_t)(tramp - site);
	if (d > 0x7fff0000ll || d < -0x7fff0000ll)
		return PS_REFUSED;
	/* the trampoline first, then the jump to it (its page stays
	 * executable: other trampolines on it may be running) */
	if (sb_sys3(SYS_mprotect, tramp & ~4095ull, 4096, PROT_READ | PROT_WRITE | PROT_EXEC))
		return PS_REFUSED;
	len = cpu_build_tramp(m, tramp, site, (uint32_t)nr);
	sb_sys3(SYS_mprotect, tramp & ~4095ull, 4096, PROT_READ | PROT_EXEC);
	if (!len)
		return PS_REFUSED;
	m->patch_next++;
	return rewrite(m, mov, tramp) ? PS_REFUSED : PS_PATCHED;
}

/* The worker saw call nr made from the `syscall` at site: patch it if it
 * can be (once per site). */
void patch_consider(struct sb_mon *m, uint64_t site, long nr)
{
	struct sb_patch_ent *e;
	uint32_t st;

	if (!m->patch_on || m->chan_dead || nr < 0 || nr >= CH_NR_MAX || nr == SYS_gettid)
		return;
	e = ent_of(m, site);
	if (!e || e->state != PS_FREE)
		return;
	/* stubs that give up meanwhile do not mean the worker gets no CPU */
	__atomic_store_n(&m->patch_busy, 1, __ATOMIC_RELAXED);
	mon_lock(m);
	st = try_patch(m, site, nr);
	mon_unlock(m);
	__atomic_store_n(&m->patch_busy, 0, __ATOMIC_RELAXED);
	e->state = st;
	if (st == PS_PATCHED)
		m->patch_done++;
	else if (st == PS_REFUSED)
		m->patch_refused++;
}

/* The patch window's guest mappings: user slots (read-write), the
 * control page's read-only alias, trampolines (read-only, executable);
 * the trampolines' host pages read-only and executable too. At entry. */
int patch_map(struct sb_mon *m, uint64_t ctl_gpa)
{
	uint64_t w = m->vault + VLT_PATCH;
	int rc;

	rc = mirror_window_exact(m, w, w + VLT_PATCH_SIZE, &m->patch_gpa);
	if (!rc)
		rc = pt_map_page(&m->pt, w + PATCH_USLOT, m->patch_gpa + PATCH_USLOT,
				 PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_NX);
	if (!rc)
		rc = pt_map_page(&m->pt, w + PATCH_UCTL, ctl_gpa, PTE_P | PTE_U | PTE_A | PTE_NX);
	if (!rc)
		rc = pt_map(&m->pt, w + PATCH_TRAMP, w + VLT_PATCH_SIZE, m->patch_gpa + PATCH_TRAMP, PTE_P | PTE_U | PTE_A, 0);
	if (!rc)
		rc = (int)sb_sys3(SYS_mprotect, w + PATCH_TRAMP, VLT_PATCH_SIZE - PATCH_TRAMP, PROT_READ | PROT_EXEC);
	return rc;
}
