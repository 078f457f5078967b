/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/sysent.h: what each x86-64 system call's arguments are.
 *
 * The monitor checks every argument of a forwarded call by its kind before the
 * host kernel sees it: fds against the monitor's own fds, pointers against the
 * vault. A call with no entry (a zeroed hole: SE_KNOWN not in flags) is denied
 * with ENOSYS: the monitor never forwards what it cannot check.
 *
 * This header is freestanding (no libc): the monitor's exit path includes it.
 */
#ifndef SB_SYSENT_H
#define SB_SYSENT_H

#include <stdint.h>

#define SB_NR_SYSCALLS 512 /* table size; x86-64 numbers stay below this */

enum sb_argk {
	SA_NONE = 0,   /* argument not used */
	SA_INT,        /* plain scalar (flags, modes, sizes, pids, ...) */
	SA_FD,         /* file descriptor the call operates on */
	SA_DIRFD,      /* dirfd of an *at() call: an fd or AT_FDCWD */
	SA_NEWFD,      /* fd number the call will (re)define: dup2/dup3 newfd */
	SA_PATH,       /* NUL-terminated path name (read by the kernel) */
	SA_STR,        /* other NUL-terminated string (read by the kernel) */
	SA_PTR,        /* pointer to a fixed-size struct, at most 4 KiB, read or written */
	SA_BUF,        /* pointer to len_arg bytes (arg index in len[]) */
	SA_BUFN,       /* pointer to len_arg * elem bytes */
	SA_IOVEC,      /* struct iovec array, count in arg len[]; each entry is a buffer */
	SA_MSGHDR,     /* struct msghdr (name, iovec, control) */
	SA_MMSGHDR,    /* struct mmsghdr array, count in arg len[] */
	SA_KEEP,       /* pointer the kernel keeps and writes later (tid address, robust list) */
	SA_ADDR,       /* address of a memory range (mmap family), length in len[] */
	SA_STRV,       /* NULL-terminated array of string pointers (argv, envp) */
	SA_SIGSET,     /* pointer to a sigset_t (size given by a later argument) */
	SA_UNKNOWN,    /* pointer to something the table does not describe */
};

/* flags */
#define SE_EMULATE 0x01u /* the monitor emulates the call itself */
#define SE_DENY 0x02u    /* integrity layer: always refused (EPERM) */
#define SE_MEM 0x04u     /* changes the address space: the mirror must follow */
#define SE_FD_RET 0x08u  /* returns a new fd */
#define SE_KNOWN 0x80u   /* entry is present */

struct sb_sysent {
	const char *name;  /* "read", ... (NULL for holes in the numbering) */
	uint8_t nargs;     /* number of arguments used */
	uint8_t kind[6];   /* enum sb_argk per argument */
	uint8_t len[6];    /* for SA_BUF/SA_BUFN/SA_IOVEC/SA_MMSGHDR/SA_ADDR/SA_SIGSET: index of the length argument */
	uint16_t elem;     /* element size for SA_BUFN (the one SA_BUFN argument of the call) */
	uint8_t flags;     /* SE_* */
};

/* The table, indexed by syscall number; entries without SE_KNOWN are holes. */
extern const struct sb_sysent sb_sysent_table[SB_NR_SYSCALLS];

/* Name of syscall nr, or NULL. */
const char *sb_sysent_name(long nr);
/* Number of a syscall by name, or -1. */
long sb_sysent_lookup(const char *name);

#endif
