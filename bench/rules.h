/* SPDX-License-Identifier: MIT */
/* bench/rules.h: the system call sets the benchmark's filters are built from, shared by the
 * seccomp filters (seccomp_filter.c, seccomp_notify.c) and Ringfence's policy (micro_worker.c).
 *
 * allow60: calls a dynamically linked program (the benchmark's worker, coreutils, sqlite3,
 *   busybox) needs, each allowed without condition; everything else fails with EPERM.
 * rules300: the same list, but for read, write, close, mmap, ioctl, fcntl, lseek and getpid only
 *   argument-checked rules (fds 0..63, prot x flags combinations, ioctl and fcntl codes, a
 *   trivially true check on getpid so no constant-action cache can skip the filter): about
 *   300 conditional rules, like a real container profile's argument checks.
 */
#ifndef RF_BENCH_RULES_H
#define RF_BENCH_RULES_H
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <termios.h>

/* comparison operators: the values of libseccomp's enum scmp_compare and sandbox.h's SB_CMP_* */
enum { BR_NE = 1, BR_LT = 2, BR_LE = 3, BR_EQ = 4, BR_GE = 5, BR_GT = 6, BR_MASKED_EQ = 7 };

struct bench_cmp {
	unsigned arg;
	int op;
	uint64_t a, b;
};

struct bench_rule {
	int nr;
	int ncmp;		/* all must hold */
	struct bench_cmp cmp[2];
};

static const int bench_allow60[] = {
	SYS_read, SYS_write, SYS_openat, SYS_open, SYS_close, SYS_fstat, SYS_newfstatat, SYS_stat, SYS_lstat,
	SYS_statx, SYS_lseek, SYS_mmap, SYS_mprotect, SYS_munmap, SYS_mremap, SYS_brk, SYS_madvise,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack, SYS_ioctl, SYS_pread64,
	SYS_readv, SYS_writev, SYS_access, SYS_faccessat, SYS_faccessat2, SYS_pipe2, SYS_dup, SYS_dup2,
	SYS_dup3, SYS_fcntl, SYS_getdents64, SYS_getcwd, SYS_readlink, SYS_readlinkat, SYS_getpid,
	SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_uname, SYS_sysinfo,
	SYS_clone, SYS_clone3, SYS_execve, SYS_exit, SYS_exit_group, SYS_wait4, SYS_kill, SYS_tgkill,
	SYS_arch_prctl, SYS_set_tid_address, SYS_set_robust_list, SYS_rseq, SYS_prlimit64,
	SYS_getrandom, SYS_futex, SYS_clock_gettime, SYS_clock_nanosleep, SYS_nanosleep,
	SYS_sched_yield, SYS_sched_getaffinity, SYS_fadvise64, SYS_ftruncate, SYS_unlink,
};
#define BENCH_NALLOW ((int)(sizeof bench_allow60 / sizeof bench_allow60[0]))

static int bench_checked(int nr)
{
	return nr == SYS_read || nr == SYS_write || nr == SYS_close || nr == SYS_mmap || nr == SYS_ioctl ||
	       nr == SYS_fcntl || nr == SYS_lseek || nr == SYS_getpid;
}

/* fills out (room for 512) with the 300-rule set; returns the number of rules */
static int bench_rules300(struct bench_rule *out)
{
	static const unsigned long ioctls[] = {
		TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP, FIONREAD,
		FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC, TIOCOUTQ, TIOCSTI, TIOCEXCL, TIOCNXCL, TIOCSCTTY,
		TIOCNOTTY, TIOCGSID, TCFLSH, TCXONC, TCSBRK, TCSBRKP, TIOCMGET, TIOCMSET, TIOCMBIS,
		TIOCMBIC, TIOCGSOFTCAR, TIOCSSOFTCAR, TIOCCONS, TIOCPKT, TIOCGETD, TIOCSETD,
		TIOCSBRK, TIOCCBRK, TIOCGLCKTRMIOS, TIOCSLCKTRMIOS, TIOCLINUX, TIOCGSERIAL, TIOCSSERIAL,
		TIOCSERGETLSR, TIOCGICOUNT, TIOCMIWAIT, TIOCGPTN, TIOCSPTLCK, TIOCGDEV, TIOCSIG, TIOCVHANGUP,
		TIOCGRS485,
	};
	static const int fcntls[] = { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW,
				      F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_SETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS,
				      F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_GETOWN, F_SETOWN, F_GETSIG, F_SETSIG };
	static const uint64_t mflags[] = { MAP_PRIVATE | MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED,
					   MAP_PRIVATE | MAP_FIXED, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					   MAP_PRIVATE | MAP_DENYWRITE, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE };
	static const uint64_t prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC };
	int n = 0;

	for (int fd = 0; fd < 64; fd++) {
		out[n++] = (struct bench_rule){ SYS_read, 1, { { 0, BR_EQ, (uint64_t)fd, 0 } } };
		out[n++] = (struct bench_rule){ SYS_write, 1, { { 0, BR_EQ, (uint64_t)fd, 0 } } };
		out[n++] = (struct bench_rule){ SYS_close, 1, { { 0, BR_EQ, (uint64_t)fd, 0 } } };
	}
	for (unsigned i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++)
		out[n++] = (struct bench_rule){ SYS_ioctl, 1, { { 1, BR_EQ, ioctls[i], 0 } } };
	for (unsigned i = 0; i < sizeof fcntls / sizeof fcntls[0]; i++)
		out[n++] = (struct bench_rule){ SYS_fcntl, 1, { { 1, BR_EQ, (uint64_t)fcntls[i], 0 } } };
	for (unsigned p = 0; p < sizeof prots / sizeof prots[0]; p++)
		for (unsigned i = 0; i < sizeof mflags / sizeof mflags[0]; i++)
			out[n++] = (struct bench_rule){ SYS_mmap, 2, { { 2, BR_EQ, prots[p], 0 }, { 3, BR_EQ, mflags[i], 0 } } };
	for (int w = 0; w < 3; w++)	/* SEEK_SET, SEEK_CUR, SEEK_END */
		out[n++] = (struct bench_rule){ SYS_lseek, 1, { { 2, BR_EQ, (uint64_t)w, 0 } } };
	out[n++] = (struct bench_rule){ SYS_getpid, 1, { { 0, BR_MASKED_EQ, 0, 0 } } };	/* always true */
	return n;
}
#endif
