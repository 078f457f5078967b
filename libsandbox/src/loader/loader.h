/* SPDX-License-Identifier: MIT */
/* libsandbox/src/loader/loader.h: load an ELF program (and its interpreter) into this process for sb_exec().
 *
 * Runs on the host, before the VM exists, and may use libc and libelf. It
 * only maps memory: not one instruction of the loaded program runs here.
 * Every field of the file is untrusted: each check below says in a comment
 * what it defends against, and a refusal leaves the process as it was.
 */
#ifndef SB_LOADER_H
#define SB_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define LD_ERRLEN 256

struct ld_image {
	uint64_t lo, hi;   /* the mapped span, page aligned (reservation included) */
	uint64_t bias;     /* load bias: 0 for ET_EXEC */
	uint64_t entry;    /* absolute entry point */
	uint64_t phdr;     /* absolute address of the program headers (AT_PHDR) */
	uint64_t end;      /* end of the highest segment (memsz), absolute */
	uint16_t phnum;
	int is_dyn;        /* ET_DYN */
};

struct ld_program {
	struct ld_image main, interp;
	int has_interp;
	char interp_path[4096];
	uint64_t stack_lo, stack_hi; /* the stack mapping (guard page excluded) */
	uint64_t sp;                 /* initial rsp: argc */
	uint64_t brk;                /* where the program break starts */
};

/* Load PATH: its PT_LOAD segments, and those of its PT_INTERP interpreter.
 * Return 0, or a negative errno with a one-line reason in err:
 * -ENOENT (the file or its interpreter does not exist), -EACCES (not
 * executable, not a regular file), -EISDIR, -ENOEXEC (not a loadable
 * x86-64 ELF: the reason names the defect), -ELIBBAD (bad interpreter),
 * -ENOMEM. On failure nothing stays mapped. */
int ld_load(const char *path, struct ld_program *p, char *err, size_t errlen);

/* Map the stack and write argc, argv, envp and the auxiliary vector on it
 * as the kernel does; execfn is AT_EXECFN. Return 0 or -errno (-E2BIG:
 * the arguments do not fit the stack). */
int ld_build_stack(struct ld_program *p, char *const argv[], char *const envp[], const char *execfn,
		   char *err, size_t errlen);

/* Unmap everything ld_load() and ld_build_stack() mapped. */
void ld_unload(struct ld_program *p);

#endif
