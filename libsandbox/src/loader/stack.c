/* SPDX-License-Identifier: MIT */
/* libsandbox/src/loader/stack.c: the loaded program's initial stack: argc, argv, envp, auxv, as the kernel builds it.
 *
 * Layout, from the top (System V x86-64 ABI, Linux's order):
 *   AT_EXECFN string, AT_PLATFORM string, 16 AT_RANDOM bytes,
 *   the argument and environment strings,
 *   (padding to 16 bytes)
 *   auxv pairs ending with AT_NULL, NULL, envp[], NULL, argv[], argc  <- rsp
 * The mapping is the caller's stack size (RLIMIT_STACK, at most 8 MiB, at
 * least 128 KiB) with a PROT_NONE guard page below it; inside the VM there
 * is no lazy stack growth, so it is mapped whole (the host still commits
 * pages only as they are touched).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>
#include "loader.h"

#define PG 4096ull
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#endif

static uint64_t stack_size(void)
{
	struct rlimit rl;
	uint64_t want = 8ull << 20;

	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		want = rl.rlim_cur;
	if (want < (128ull << 10))
		want = 128ull << 10;
	return want & ~(PG - 1);
}

/* Push n bytes onto the string area, growing down from *top. */
static uint64_t push_bytes(uint64_t *top, uint64_t floor, const void *src, size_t n)
{
	if (*top - floor < n)
		return 0;
	*top -= n;
	memcpy((void *)*top, src, n);
	return *top;
}

int ld_build_stack(struct ld_program *p, char *const argv[], char *const envp[], const char *execfn,
		   char *err, size_t errlen)
{
	uint64_t size = stack_size(), lo, hi, top, floor, *sp;
	uint64_t execfn_p, platform_p, random_p, nwords;
	uint8_t rnd[16];
	size_t argc = 0, envc = 0, i;
	void *r;

	while (argv && argv[argc])
		argc++;
	while (envp && envp[envc])
		envc++;
	r = mmap(NULL, size + PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the stack: %s", strerror(errno));
		return -errno;
	}
	/* the guard page below the stack: an overflow faults, as natively */
	mprotect(r, PG, PROT_NONE);
	/* as the kernel's own stack: no transparent huge pages (the first
	 * touch would commit 2 MiB) */
	(void)madvise(r, size + PG, MADV_NOHUGEPAGE);
	lo = (uint64_t)r + PG;
	hi = lo + size;
	p->stack_lo = lo;
	p->stack_hi = hi;
	/* as the kernel: the strings may take at most a quarter of the stack */
	floor = hi - size / 4;
	top = hi - 16;

	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd) {
		snprintf(err, errlen, "cannot get random bytes for AT_RANDOM: %s", strerror(errno));
		return -EIO;
	}
	execfn_p = push_bytes(&top, floor, execfn, strlen(execfn) + 1);
	platform_p = push_bytes(&top, floor, "x86_64", 7);
	random_p = push_bytes(&top, floor, rnd, sizeof rnd);
	if (!execfn_p || !platform_p || !random_p)
		goto too_big;

	/* argument and environment strings: remember where each went in a
	 * second pass, by walking them in the same order */
	{
		uint64_t str_lo;
		uint64_t auxv[64];
		size_t na = 0;

#define AUX(t, v) (auxv[na++] = (uint64_t)(t), auxv[na++] = (uint64_t)(v))
		for (i = argc; i-- > 0;)
			if (!push_bytes(&top, floor, argv[i], strlen(argv[i]) + 1))
				goto too_big;
		for (i = envc; i-- > 0;)
			if (!push_bytes(&top, floor, envp[i], strlen(envp[i]) + 1))
				goto too_big;
		str_lo = top;

		AUX(AT_SYSINFO_EHDR, getauxval(AT_SYSINFO_EHDR));
		AUX(AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ));
		AUX(AT_HWCAP, getauxval(AT_HWCAP));
		AUX(AT_PAGESZ, PG);
		AUX(AT_CLKTCK, sysconf(_SC_CLK_TCK));
		AUX(AT_PHDR, p->main.phdr);
		AUX(AT_PHENT, sizeof(Elf64_Phdr));
		AUX(AT_PHNUM, p->main.phnum);
		AUX(AT_BASE, p->has_interp ? p->interp.bias : 0);
		AUX(AT_FLAGS, 0);
		AUX(AT_ENTRY, p->main.entry);
		AUX(AT_UID, getuid());
		AUX(AT_EUID, geteuid());
		AUX(AT_GID, getgid());
		AUX(AT_EGID, getegid());
		/* setuid/setgid bits give nothing (no_new_privs): never secure mode
		 * because of the file; the caller's own AT_SECURE is inherited */
		AUX(AT_SECURE, getauxval(AT_SECURE));
		AUX(AT_RANDOM, random_p);
		AUX(AT_HWCAP2, getauxval(AT_HWCAP2));
		AUX(AT_EXECFN, execfn_p);
		AUX(AT_PLATFORM, platform_p);
		AUX(AT_NULL, 0);
#undef AUX
		/* argc + argv + NULL + envp + NULL + auxv, 16-byte aligned at argc */
		nwords = 1 + argc + 1 + envc + 1 + na;
		top &= ~15ull;
		if (top - floor < nwords * 8 + 16)
			goto too_big;
		sp = (uint64_t *)((top - nwords * 8) & ~15ull);
		p->sp = (uint64_t)sp;
		*sp++ = argc;
		{
			/* the strings were pushed last to first, environment
			 * below arguments: from str_lo up come envp[0..] then
			 * argv[0..] */
			uint64_t s = str_lo;
			uint64_t *envv = sp + argc + 1;

			for (i = 0; i < envc; i++) {
				envv[i] = s;
				s += strlen(envp[i]) + 1;
			}
			envv[envc] = 0;
			for (i = 0; i < argc; i++) {
				sp[i] = s;
				s += strlen(argv[i]) + 1;
			}
			sp[argc] = 0;
			memcpy(envv + envc + 1, auxv, na * 8);
		}
	}
	return 0;
too_big:
	snprintf(err, errlen, "the arguments and environment do not fit the stack (%llu KiB)",
		 (unsigned long long)(size >> 10));
	return -E2BIG;
}
