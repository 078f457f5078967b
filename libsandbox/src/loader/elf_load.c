/* SPDX-License-Identifier: MIT */
/* libsandbox/src/loader/elf_load.c: check an ELF file with libelf and map its segments.
 *
 * What the kernel's binfmt_elf would accept, minus what a sandbox should
 * not: 64-bit little-endian x86-64 ET_EXEC or ET_DYN files whose PT_LOAD
 * segments are in order, do not overlap, lie inside the file and user
 * space, and are never both writable and executable. Each refusal is a
 * one-line reason naming the defect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "loader.h"

#define PG 4096ull
#define PG_DOWN(x) ((x) & ~(PG - 1))
#define PG_UP(x) (((x) + PG - 1) & ~(PG - 1))
#define USER_TOP 0x0000800000000000ull
#define MAX_PHNUM 128
#define MIN_ADDR 0x10000ull /* vm.mmap_min_addr's default: nothing maps below it */
/* where a position-independent main program goes: low in the address
 * space, far from the launcher's own mappings (which the kernel puts near
 * the top), with room above it for the program break */
#define DYN_BASE_LO 0x0000100000000000ull
#define DYN_BASE_STEP 0x0000100000000000ull /* next candidate region */
#define BRK_ROOM (1ull << 30)               /* free room wanted above it */

struct seg {
	uint64_t vaddr, memsz, offset, filesz;
	int prot;
};

struct elf_info {
	int type;
	uint64_t entry, phoff;
	uint16_t phnum;
	struct seg seg[MAX_PHNUM];
	int nseg;
	uint64_t phdr_vaddr; /* PT_PHDR, or 0 */
	uint64_t interp_off, interp_len;
	uint64_t align;
};

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/* Open path for loading: a regular, executable file. */
static int open_exec(const char *path, int *fdp, uint64_t *size, char *err, size_t len)
{
	struct stat st;
	int fd;

	/* defends against opening what is not a regular file: open(2) on a
	 * FIFO blocks until a writer comes, and opening a device can act on
	 * it (execve(2) refuses both without opening them). O_NONBLOCK covers
	 * a file swapped for a FIFO between stat() and open(). */
	if (stat(path, &st))
		return fail(err, len, -errno, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(err, len, -EISDIR, "is a directory");
	if (!S_ISREG(st.st_mode))
		return fail(err, len, -EACCES, "not a regular file");
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(err, len, -errno, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		return fail(err, len, -e, "%s", strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return fail(err, len, -EISDIR, "is a directory");
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, len, -EACCES, "not a regular file");
	}
	/* as execve(2): some execute bit, and execute access for the caller */
	if (!(st.st_mode & 0111) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS)) {
		close(fd);
		return fail(err, len, -EACCES, "permission denied (not executable)");
	}
	*fdp = fd;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Read and check the headers. Defends against every malformed field the
 * mapping code below would otherwise trust. */
static int check_elf(int fd, uint64_t fsize, struct elf_info *in, char *err, size_t len)
{
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t phnum;
	unsigned char id[EI_NIDENT];
	ssize_t n;
	uint64_t prev_end = 0;
	int rc = -ENOEXEC;

	memset(in, 0, sizeof *in);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, len, -ENOSYS, "libelf is unusable: %s", elf_errmsg(-1));
	/* defends against misreported defects: the identification is read
	 * here, not through libelf, which calls an empty or short file and an
	 * unknown class, encoding or version all just "not ELF" */
	if (fsize == 0)
		return fail(err, len, -ENOEXEC, "empty file (exec format error)");
	n = pread(fd, id, sizeof id, 0);
	if (n < 0)
		return fail(err, len, -errno, "cannot read: %s", strerror(errno));
	if (n < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return fail(err, len, -ENOEXEC, "not an ELF file (exec format error)");
	if (n < EI_NIDENT)
		return fail(err, len, -ENOEXEC, "truncated ELF identification (%zd bytes)", n);
	if (id[EI_CLASS] != ELFCLASS64) {
		if (id[EI_CLASS] == ELFCLASS32)
			return fail(err, len, -ENOEXEC, "wrong architecture: 32-bit ELF, x86-64 needs 64-bit");
		return fail(err, len, -ENOEXEC, "bad ELF identification: unknown class %u", id[EI_CLASS]);
	}
	if (id[EI_DATA] != ELFDATA2LSB) {
		if (id[EI_DATA] == ELFDATA2MSB)
			return fail(err, len, -ENOEXEC, "wrong architecture: big-endian ELF");
		return fail(err, len, -ENOEXEC, "bad ELF identification: unknown data encoding %u", id[EI_DATA]);
	}
	if (id[EI_VERSION] != EV_CURRENT)
		return fail(err, len, -ENOEXEC, "bad ELF identification: version %u", id[EI_VERSION]);
	if (fsize < sizeof(Elf64_Ehdr))
		return fail(err, len, -ENOEXEC, "truncated ELF header (%llu of %zu bytes)", (unsigned long long)fsize,
			    sizeof(Elf64_Ehdr));
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		rc = fail(err, len, -ENOEXEC, "unreadable ELF file: %s", elf_errmsg(-1));
		goto out;
	}
	if (!gelf_getehdr(e, &eh)) {
		rc = fail(err, len, -ENOEXEC, "unreadable ELF header: %s", elf_errmsg(-1));
		goto out;
	}
	if (eh.e_machine != EM_X86_64) {
		rc = fail(err, len, -ENOEXEC, "wrong architecture: ELF machine %u, not x86-64 (%u)", eh.e_machine,
			  EM_X86_64);
		goto out;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		rc = fail(err, len, -ENOEXEC, "not an executable: ELF type %u (relocatable object or core file?)",
			  eh.e_type);
		goto out;
	}
	/* defends against header tables the kernel would refuse, and against
	 * sizes that overflow the reads below */
	if (eh.e_phentsize != sizeof(Elf64_Phdr)) {
		rc = fail(err, len, -ENOEXEC, "bad program header size %u", eh.e_phentsize);
		goto out;
	}
	/* the count and offset come from the header itself, checked before
	 * libelf reads the table: elf_getphdrnum() fails, or silently shrinks
	 * the count, for a table past the end of the file, and reads the
	 * count from section 0 for PN_XNUM (which execve(2) does not know) */
	phnum = eh.e_phnum;
	if (phnum == 0 || phnum > MAX_PHNUM) {
		rc = fail(err, len, -ENOEXEC, "bad program header count (%zu; 1..%d)", phnum, MAX_PHNUM);
		goto out;
	}
	if (eh.e_phoff > fsize || phnum * sizeof(Elf64_Phdr) > fsize - eh.e_phoff) {
		rc = fail(err, len, -ENOEXEC, "truncated: the program headers run past the end of the file");
		goto out;
	}
	/* defends against a table laid over the ELF header (libelf sees none
	 * at offset 0) */
	if (eh.e_phoff < sizeof(Elf64_Ehdr)) {
		rc = fail(err, len, -ENOEXEC, "the program headers overlap the ELF header (offset %llu)",
			  (unsigned long long)eh.e_phoff);
		goto out;
	}
	in->type = eh.e_type;
	in->entry = eh.e_entry;
	in->phoff = eh.e_phoff;
	in->phnum = (uint16_t)phnum;
	in->align = PG;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			rc = fail(err, len, -ENOEXEC, "unreadable program header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type == PT_INTERP) {
			/* defends against a second interpreter, and names that are
			 * empty, huge, outside the file or not NUL-terminated */
			if (in->interp_len) {
				rc = fail(err, len, -ENOEXEC, "more than one PT_INTERP");
				goto out;
			}
			if (ph.p_filesz < 2 || ph.p_filesz > 4096 || ph.p_offset > fsize ||
			    ph.p_filesz > fsize - ph.p_offset) {
				rc = fail(err, len, -ENOEXEC, "bad PT_INTERP (size %llu at offset %llu)",
					  (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_offset);
				goto out;
			}
			in->interp_off = ph.p_offset;
			in->interp_len = ph.p_filesz;
		} else if (ph.p_type == PT_PHDR) {
			in->phdr_vaddr = ph.p_vaddr;
		} else if (ph.p_type == PT_LOAD) {
			struct seg *s = &in->seg[in->nseg];

			if (ph.p_memsz == 0)
				continue;
			/* defends against segments that read past the file (a
			 * truncated file), wrap around, leave user space, sit
			 * below mmap_min_addr, or cannot be mapped page by page */
			if (ph.p_filesz > ph.p_memsz) {
				rc = fail(err, len, -ENOEXEC, "segment %zu: file size larger than memory size", i);
				goto out;
			}
			if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset) {
				rc = fail(err, len, -ENOEXEC, "truncated: segment %zu runs past the end of the file", i);
				goto out;
			}
			if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_vaddr + ph.p_memsz > USER_TOP / 2) {
				rc = fail(err, len, -ENOEXEC, "segment %zu: address range outside user space", i);
				goto out;
			}
			if ((ph.p_vaddr - ph.p_offset) % PG) {
				rc = fail(err, len, -ENOEXEC, "segment %zu: address and file offset disagree modulo "
					  "the page size", i);
				goto out;
			}
			/* W^X: a segment that is both writable and executable
			 * lets the program write code it then runs */
			if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X)) {
				rc = fail(err, len, -ENOEXEC, "segment %zu is both writable and executable (W+X "
					  "refused)", i);
				goto out;
			}
			/* defends against overlapping or unordered segments,
			 * which would map one over another */
			if (in->nseg && PG_DOWN(ph.p_vaddr) < prev_end) {
				rc = fail(err, len, -ENOEXEC, "segment %zu overlaps the previous one (or is out of "
					  "order)", i);
				goto out;
			}
			s->vaddr = ph.p_vaddr;
			s->memsz = ph.p_memsz;
			s->offset = ph.p_offset;
			s->filesz = ph.p_filesz;
			s->prot = prot_of(ph.p_flags);
			prev_end = PG_UP(ph.p_vaddr + ph.p_memsz);
			if (ph.p_align > in->align && ph.p_align <= (1ull << 30) && !(ph.p_align & (ph.p_align - 1)))
				in->align = ph.p_align;
			in->nseg++;
		}
	}
	if (!in->nseg) {
		rc = fail(err, len, -ENOEXEC, "no loadable segment");
		goto out;
	}
	if (in->type == ET_EXEC && PG_DOWN(in->seg[0].vaddr) < MIN_ADDR) {
		rc = fail(err, len, -ENOEXEC, "segment below the lowest mappable address (0x%llx)",
			  (unsigned long long)MIN_ADDR);
		goto out;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	return rc;
}

/* Find the program headers in memory: PT_PHDR, or the loaded segment whose
 * file range holds them (defends against an AT_PHDR that points nowhere). */
static int find_phdr(const struct elf_info *in, uint64_t *vaddr)
{
	uint64_t size = (uint64_t)in->phnum * sizeof(Elf64_Phdr);

	for (int i = 0; i < in->nseg; i++) {
		const struct seg *s = &in->seg[i];

		if (in->phdr_vaddr) {
			/* written so as not to wrap: PT_PHDR's address is not
			 * checked otherwise, and may be near 2^64 */
			if (in->phdr_vaddr >= s->vaddr && in->phdr_vaddr - s->vaddr <= s->filesz &&
			    size <= s->filesz - (in->phdr_vaddr - s->vaddr)) {
				*vaddr = in->phdr_vaddr;
				return 0;
			}
		} else if (in->phoff >= s->offset && in->phoff - s->offset + size <= s->filesz) {
			*vaddr = s->vaddr + (in->phoff - s->offset);
			return 0;
		}
	}
	return -ENOEXEC;
}

static int map_segments(int fd, const struct elf_info *in, uint64_t hint, struct ld_image *im, char *err,
			size_t len)
{
	uint64_t lo = PG_DOWN(in->seg[0].vaddr), hi = PG_UP(in->seg[in->nseg - 1].vaddr + in->seg[in->nseg - 1].memsz);
	uint64_t span = hi - lo, bias = 0, base;
	void *r;
	int rc;

	if (in->type == ET_EXEC) {
		/* fixed addresses: refuse to land on anything already there */
		r = mmap((void *)lo, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (r == MAP_FAILED)
			return fail(err, len, errno == EEXIST ? -ENOMEM : -errno,
				    "cannot map [0x%llx, 0x%llx): %s", (unsigned long long)lo, (unsigned long long)hi,
				    errno == EEXIST ? "the address range is taken by the launcher" : strerror(errno));
		base = (uint64_t)r;
	} else {
		/* reserve span + alignment, then trim to an aligned base */
		uint64_t a = in->align, start;

		r = MAP_FAILED;
		/* the main program: the first low region with room for it and
		 * BRK_ROOM of break above it (a sanitizer's shadow may hold the
		 * first); the interpreter (hint 0): wherever the kernel likes */
		for (int c = 0; hint && c < 4 && r == MAP_FAILED; c++) {
			uint64_t h = hint + (uint64_t)c * DYN_BASE_STEP;

			r = mmap((void *)h, span + a + BRK_ROOM, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
			if (r != MAP_FAILED)
				munmap((uint8_t *)r + span + a, BRK_ROOM);
		}
		if (r == MAP_FAILED)
			r = mmap(NULL, span + a, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r == MAP_FAILED)
			return fail(err, len, -errno, "cannot reserve %llu bytes: %s", (unsigned long long)span,
				    strerror(errno));
		start = ((uint64_t)r + a - 1) & ~(a - 1);
		if (start > (uint64_t)r)
			munmap(r, start - (uint64_t)r);
		if ((uint64_t)r + span + a > start + span)
			munmap((void *)(start + span), (uint64_t)r + span + a - (start + span));
		base = start;
		bias = base - lo;
	}
	im->lo = base;
	im->hi = base + span;
	im->bias = bias;
	for (int i = 0; i < in->nseg; i++) {
		const struct seg *s = &in->seg[i];
		uint64_t va = bias + s->vaddr, fend = va + s->filesz, mend = va + s->memsz;
		uint64_t page = PG_DOWN(va);

		if (s->filesz) {
			r = mmap((void *)page, PG_UP(fend) - page, s->prot | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd,
				 (off_t)PG_DOWN(s->offset));
			if (r == MAP_FAILED) {
				rc = fail(err, len, -errno, "cannot map segment %d: %s", i, strerror(errno));
				goto undo;
			}
			/* the rest of the last file page is the start of .bss */
			if (mend > fend && PG_UP(fend) > fend)
				memset((void *)fend, 0, PG_UP(fend) - fend);
			if (mprotect((void *)page, PG_UP(fend) - page, s->prot)) {
				rc = fail(err, len, -errno, "cannot protect segment %d: %s", i, strerror(errno));
				goto undo;
			}
		}
		if (PG_UP(mend) > PG_UP(fend)) {
			uint64_t z = s->filesz ? PG_UP(fend) : page;

			r = mmap((void *)z, PG_UP(mend) - z, s->prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (r == MAP_FAILED) {
				rc = fail(err, len, -errno, "cannot map segment %d's zero fill: %s", i, strerror(errno));
				goto undo;
			}
		}
	}
	im->entry = bias + in->entry;
	im->end = bias + in->seg[in->nseg - 1].vaddr + in->seg[in->nseg - 1].memsz;
	im->phnum = in->phnum;
	im->is_dyn = in->type == ET_DYN;
	return 0;
undo:
	munmap((void *)im->lo, im->hi - im->lo);
	im->lo = im->hi = 0;
	return rc;
}

/* The entry point must be in an executable segment: defends against a
 * header that starts the program in its data. */
static int entry_ok(const struct elf_info *in)
{
	for (int i = 0; i < in->nseg; i++)
		if ((in->seg[i].prot & PROT_EXEC) && in->entry >= in->seg[i].vaddr &&
		    in->entry < in->seg[i].vaddr + in->seg[i].memsz)
			return 1;
	return 0;
}

static int load_one(const char *path, int is_interp, uint64_t hint, struct ld_image *im, char *ipath,
		    size_t ipath_len, char *err, size_t len)
{
	struct elf_info *in;
	uint64_t fsize = 0, phv = 0;
	int fd = -1, rc;

	in = calloc(1, sizeof *in);
	if (!in)
		return fail(err, len, -ENOMEM, "out of memory");
	rc = open_exec(path, &fd, &fsize, err, len);
	if (rc)
		goto out;
	rc = check_elf(fd, fsize, in, err, len);
	if (rc)
		goto out;
	if (!entry_ok(in)) {
		rc = fail(err, len, -ENOEXEC, "entry point 0x%llx is not in an executable segment",
			  (unsigned long long)in->entry);
		goto out;
	}
	if (find_phdr(in, &phv)) {
		rc = fail(err, len, -ENOEXEC, "the program headers are not in a loaded segment");
		goto out;
	}
	if (is_interp && (in->interp_len || in->type != ET_DYN)) {
		rc = fail(err, len, -ELIBBAD, "not a usable ELF interpreter (%s)",
			  in->interp_len ? "it has an interpreter itself" : "not position-independent");
		goto out;
	}
	if (!is_interp && in->interp_len) {
		ssize_t n;

		if (in->interp_len > ipath_len) {
			rc = fail(err, len, -ENOEXEC, "interpreter name too long");
			goto out;
		}
		n = pread(fd, ipath, in->interp_len, (off_t)in->interp_off);
		/* defends against a name with a NUL inside or none at its end */
		if (n != (ssize_t)in->interp_len || ipath[n - 1] != '\0' || strlen(ipath) != (size_t)n - 1) {
			rc = fail(err, len, -ENOEXEC, "bad PT_INTERP: the interpreter name is not one NUL-terminated "
				  "string");
			goto out;
		}
	} else if (!is_interp && ipath_len) {
		ipath[0] = '\0';
	}
	rc = map_segments(fd, in, hint, im, err, len);
	if (rc)
		goto out;
	im->phdr = im->bias + phv;
out:
	if (fd >= 0)
		close(fd);
	free(in);
	return rc;
}

int ld_load(const char *path, struct ld_program *p, char *err, size_t errlen)
{
	char sub[LD_ERRLEN];
	uint64_t hint = 0;
	int rc;

	memset(p, 0, sizeof *p);
	/* a position-independent program goes low, with a random 2 MiB-aligned
	 * offset (as the kernel's ASLR), and room above it for its break */
	if (getrandom(&hint, sizeof hint, 0) != sizeof hint)
		hint = 0;
	hint = DYN_BASE_LO + ((hint % 4096) << 21);
	rc = load_one(path, 0, hint, &p->main, p->interp_path, sizeof p->interp_path, err, errlen);
	if (rc)
		return rc;
	if (p->interp_path[0]) {
		rc = load_one(p->interp_path, 1, 0, &p->interp, NULL, 0, sub, sizeof sub);
		if (rc) {
			if (rc == -ENOENT)
				fail(err, errlen, -ENOENT, "interpreter %s: no such file", p->interp_path);
			else
				fail(err, errlen, rc == -ENOEXEC ? -ELIBBAD : rc, "interpreter %s: %s", p->interp_path, sub);
			munmap((void *)p->main.lo, p->main.hi - p->main.lo);
			memset(p, 0, sizeof *p);
			return rc == -ENOEXEC ? -ELIBBAD : rc;
		}
		p->has_interp = 1;
	}
	p->brk = PG_UP(p->main.end);
	return 0;
}

void ld_unload(struct ld_program *p)
{
	if (p->main.hi)
		munmap((void *)p->main.lo, p->main.hi - p->main.lo);
	if (p->interp.hi)
		munmap((void *)p->interp.lo, p->interp.hi - p->interp.lo);
	if (p->stack_hi)
		munmap((void *)(p->stack_lo - PG), p->stack_hi - p->stack_lo + PG);
	memset(p, 0, sizeof *p);
}
