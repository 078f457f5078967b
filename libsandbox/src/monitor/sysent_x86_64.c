/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/sysent_x86_64.c: argument kinds of every x86-64 system call.
 *
 * One entry per number of <asm/unistd_64.h>, after the kernel's own
 * SYSCALL_DEFINE signatures. Conventions:
 *
 *  - A pointer argument whose size is fixed, or bounded by the kernel at no
 *    more than 4 KiB, is SA_PTR (structs, fd_sets, sockaddrs whose length is
 *    passed by pointer, node masks, file handles). A pointer whose size
 *    depends on another argument is SA_BUF/SA_BUFN/SA_IOVEC/... with that
 *    argument's index in len[].
 *  - A pointer to something whose layout depends on another argument (ioctl,
 *    fcntl, prctl, keyctl, sockopt values), to a struct that holds further
 *    user pointers or file descriptors, or whose size is given through a
 *    pointer, is SA_UNKNOWN: the monitor cannot check it generically.
 *  - brk, shmat and shmdt take an address but no length argument: their
 *    SA_ADDR argument's len[] points at the argument itself, which can never
 *    be a real length. All three are emulated.
 *  - Numbers with no implementation in current kernels (create_module,
 *    tuxcall, epoll_ctl_old, ...) have nargs 0; _sysctl keeps its one
 *    argument (removed in Linux 5.5).
 *
 * Freestanding: no libc, no data but the const table.
 */
#include <stddef.h>
#include <asm/unistd_64.h>
#include "sysent.h"

/* Calls newer than some headers still in use: the numbers are ABI. */
#ifndef __NR_statx
#define __NR_statx 332			/* Linux 4.11 */
#endif
#ifndef __NR_io_pgetevents
#define __NR_io_pgetevents 333		/* Linux 4.18 */
#endif
#ifndef __NR_rseq
#define __NR_rseq 334			/* Linux 4.18 */
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424	/* Linux 5.1 */
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425		/* Linux 5.1 */
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426		/* Linux 5.1 */
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427	/* Linux 5.1 */
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428		/* Linux 5.2 */
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429		/* Linux 5.2 */
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430			/* Linux 5.2 */
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431		/* Linux 5.2 */
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432		/* Linux 5.2 */
#endif
#ifndef __NR_fspick
#define __NR_fspick 433			/* Linux 5.2 */
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434		/* Linux 5.3 */
#endif
#ifndef __NR_clone3
#define __NR_clone3 435			/* Linux 5.3 */
#endif
#ifndef __NR_close_range
#define __NR_close_range 436		/* Linux 5.9 */
#endif
#ifndef __NR_openat2
#define __NR_openat2 437		/* Linux 5.6 */
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438		/* Linux 5.6 */
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439		/* Linux 5.8 */
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440	/* Linux 5.10 */
#endif
#ifndef __NR_epoll_pwait2
#define __NR_epoll_pwait2 441		/* Linux 5.11 */
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442		/* Linux 5.12 */
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443		/* Linux 5.14 */
#endif
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444 /* Linux 5.13 */
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445	/* Linux 5.13 */
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446	/* Linux 5.13 */
#endif
#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447		/* Linux 5.14 */
#endif
#ifndef __NR_process_mrelease
#define __NR_process_mrelease 448	/* Linux 5.15 */
#endif
#ifndef __NR_futex_waitv
#define __NR_futex_waitv 449		/* Linux 5.16 */
#endif
#ifndef __NR_set_mempolicy_home_node
#define __NR_set_mempolicy_home_node 450 /* Linux 5.17 */
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451		/* Linux 6.5 */
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452		/* Linux 6.6 */
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453	/* Linux 6.6 */
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454		/* Linux 6.7 */
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455		/* Linux 6.7 */
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456		/* Linux 6.7 */
#endif
#ifndef __NR_statmount
#define __NR_statmount 457		/* Linux 6.8 */
#endif
#ifndef __NR_listmount
#define __NR_listmount 458		/* Linux 6.8 */
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459	/* Linux 6.8 */
#endif
#ifndef __NR_lsm_set_self_attr
#define __NR_lsm_set_self_attr 460	/* Linux 6.8 */
#endif
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461	/* Linux 6.8 */
#endif
#ifndef __NR_mseal
#define __NR_mseal 462			/* Linux 6.10 */
#endif

/* SYS(name, nargs, flags, K(kinds...), LEN(arg, lenarg)..., ELEM(size)) */
#define SYS(nm, n, fl, ...) \
	[__NR_##nm] = { .name = #nm, .nargs = (n), .flags = SE_KNOWN | (fl), __VA_ARGS__ }
#define SYS0(nm, fl) \
	[__NR_##nm] = { .name = #nm, .nargs = 0, .flags = SE_KNOWN | (fl) }
#define K(...)		.kind = { __VA_ARGS__ }
#define LEN(a, l)	.len[(a)] = (l)
#define ELEM(sz)	.elem = (sz)

#define EMU		SE_EMULATE
#define MEMEMU		(SE_MEM | SE_EMULATE)
#define DENY		SE_DENY
#define FDRET		SE_FD_RET

/* Element sizes for SA_BUFN (x86-64 layouts). */
#define SZ_POLLFD	8	/* struct pollfd */
#define SZ_EPOLL_EVENT	12	/* struct epoll_event (packed on x86-64) */
#define SZ_SEMBUF	6	/* struct sembuf */
#define SZ_GID		4	/* gid_t */
#define SZ_IO_EVENT	32	/* struct io_event */
#define SZ_INT		4	/* int (move_pages nodes/status) */
#define SZ_U64		8	/* __u64 (listmount ids) */

const struct sb_sysent sb_sysent_table[SB_NR_SYSCALLS] = {
	SYS(read, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(write, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(open, 3, FDRET, K(SA_PATH, SA_INT, SA_INT)),
	SYS(close, 1, 0, K(SA_FD)),
	SYS(stat, 2, 0, K(SA_PATH, SA_PTR)),
	SYS(fstat, 2, 0, K(SA_FD, SA_PTR)),
	SYS(lstat, 2, 0, K(SA_PATH, SA_PTR)),
	SYS(poll, 3, 0, K(SA_BUFN, SA_INT, SA_INT), LEN(0, 1), ELEM(SZ_POLLFD)),
	SYS(lseek, 3, 0, K(SA_FD, SA_INT, SA_INT)),
	/* fd is -1 for anonymous mappings */
	SYS(mmap, 6, MEMEMU,
	    K(SA_ADDR, SA_INT, SA_INT, SA_INT, SA_FD, SA_INT), LEN(0, 1)),
	SYS(mprotect, 3, MEMEMU, K(SA_ADDR, SA_INT, SA_INT), LEN(0, 1)),
	SYS(munmap, 2, MEMEMU, K(SA_ADDR, SA_INT), LEN(0, 1)),
	/* no length: len[] points at the argument itself */
	SYS(brk, 1, MEMEMU, K(SA_ADDR), LEN(0, 0)),
	SYS(rt_sigaction, 4, EMU, K(SA_INT, SA_PTR, SA_PTR, SA_INT)),
	SYS(rt_sigprocmask, 4, EMU,
	    K(SA_INT, SA_SIGSET, SA_SIGSET, SA_INT), LEN(1, 3), LEN(2, 3)),
	SYS0(rt_sigreturn, EMU),
	/* arg is an int or a pointer, per cmd; some cmds return a new fd */
	SYS(ioctl, 3, FDRET, K(SA_FD, SA_INT, SA_UNKNOWN)),
	SYS(pread64, 4, 0, K(SA_FD, SA_BUF, SA_INT, SA_INT), LEN(1, 2)),
	SYS(pwrite64, 4, 0, K(SA_FD, SA_BUF, SA_INT, SA_INT), LEN(1, 2)),
	SYS(readv, 3, 0, K(SA_FD, SA_IOVEC, SA_INT), LEN(1, 2)),
	SYS(writev, 3, 0, K(SA_FD, SA_IOVEC, SA_INT), LEN(1, 2)),
	SYS(access, 2, 0, K(SA_PATH, SA_INT)),
	/* int[2]: the new fds are written there, not returned */
	SYS(pipe, 1, 0, K(SA_PTR)),
	/* fd_sets: ceil(n / 64) * 8 bytes, n capped at the fd table size;
	 * 128 bytes while that is 1024, more past it: cap n (also pselect6) */
	SYS(select, 5, 0, K(SA_INT, SA_PTR, SA_PTR, SA_PTR, SA_PTR)),
	SYS0(sched_yield, 0),
	/* new_addr (MREMAP_FIXED) is a range of new_len bytes */
	SYS(mremap, 5, MEMEMU,
	    K(SA_ADDR, SA_INT, SA_INT, SA_INT, SA_ADDR), LEN(0, 1), LEN(4, 2)),
	SYS(msync, 3, 0, K(SA_ADDR, SA_INT, SA_INT), LEN(0, 1)),
	/* vec: one byte per page of the range, not len bytes */
	SYS(mincore, 3, 0, K(SA_ADDR, SA_INT, SA_UNKNOWN), LEN(0, 1)),
	SYS(madvise, 3, MEMEMU, K(SA_ADDR, SA_INT, SA_INT), LEN(0, 1)),
	SYS(shmget, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	/* shmaddr has no length (the segment's size): len[] is itself */
	SYS(shmat, 3, MEMEMU, K(SA_INT, SA_ADDR, SA_INT), LEN(1, 1)),
	SYS(shmctl, 3, 0, K(SA_INT, SA_INT, SA_PTR)),
	SYS(dup, 1, FDRET, K(SA_FD)),
	SYS(dup2, 2, FDRET, K(SA_FD, SA_NEWFD)),
	SYS0(pause, 0),
	SYS(nanosleep, 2, 0, K(SA_PTR, SA_PTR)),
	SYS(getitimer, 2, 0, K(SA_INT, SA_PTR)),
	SYS(alarm, 1, 0, K(SA_INT)),
	SYS(setitimer, 3, 0, K(SA_INT, SA_PTR, SA_PTR)),
	SYS0(getpid, 0),
	SYS(sendfile, 4, 0, K(SA_FD, SA_FD, SA_PTR, SA_INT)),
	SYS(socket, 3, FDRET, K(SA_INT, SA_INT, SA_INT)),
	SYS(connect, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	/* sockaddr out: *addrlen bytes, at most sizeof(sockaddr_storage) */
	SYS(accept, 3, FDRET, K(SA_FD, SA_PTR, SA_PTR)),
	SYS(sendto, 6, 0,
	    K(SA_FD, SA_BUF, SA_INT, SA_INT, SA_BUF, SA_INT), LEN(1, 2), LEN(4, 5)),
	SYS(recvfrom, 6, 0,
	    K(SA_FD, SA_BUF, SA_INT, SA_INT, SA_PTR, SA_PTR), LEN(1, 2)),
	SYS(sendmsg, 3, 0, K(SA_FD, SA_MSGHDR, SA_INT)),
	SYS(recvmsg, 3, 0, K(SA_FD, SA_MSGHDR, SA_INT)),
	SYS(shutdown, 2, 0, K(SA_FD, SA_INT)),
	SYS(bind, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(listen, 2, 0, K(SA_FD, SA_INT)),
	SYS(getsockname, 3, 0, K(SA_FD, SA_PTR, SA_PTR)),
	SYS(getpeername, 3, 0, K(SA_FD, SA_PTR, SA_PTR)),
	/* int[2]: the new fds are written there, not returned */
	SYS(socketpair, 4, 0, K(SA_INT, SA_INT, SA_INT, SA_PTR)),
	/* optval layout depends on level/optname; some hold user pointers
	 * (SO_ATTACH_FILTER's sock_fprog) */
	SYS(setsockopt, 5, 0, K(SA_FD, SA_INT, SA_INT, SA_UNKNOWN, SA_INT)),
	/* optval size is *optlen, unbounded */
	SYS(getsockopt, 5, 0, K(SA_FD, SA_INT, SA_INT, SA_UNKNOWN, SA_PTR)),
	/* clone(flags, newsp, parent_tid, child_tid, tls) on x86-64 */
	SYS(clone, 5, EMU, K(SA_INT, SA_INT, SA_PTR, SA_KEEP, SA_INT)),
	SYS0(fork, EMU),
	SYS0(vfork, EMU),
	SYS(execve, 3, EMU, K(SA_PATH, SA_STRV, SA_STRV)),
	SYS(exit, 1, EMU, K(SA_INT)),
	SYS(wait4, 4, 0, K(SA_INT, SA_PTR, SA_INT, SA_PTR)),
	SYS(kill, 2, 0, K(SA_INT, SA_INT)),
	SYS(uname, 1, 0, K(SA_PTR)),
	SYS(semget, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(semop, 3, 0, K(SA_INT, SA_BUFN, SA_INT), LEN(1, 2), ELEM(SZ_SEMBUF)),
	/* arg: union semun, an int or a pointer per cmd */
	SYS(semctl, 4, 0, K(SA_INT, SA_INT, SA_INT, SA_UNKNOWN)),
	/* no length: len[] is itself */
	SYS(shmdt, 1, MEMEMU, K(SA_ADDR), LEN(0, 0)),
	SYS(msgget, 2, 0, K(SA_INT, SA_INT)),
	/* msgp: a long mtype, then msgsz bytes */
	SYS(msgsnd, 4, 0, K(SA_INT, SA_UNKNOWN, SA_INT, SA_INT)),
	SYS(msgrcv, 5, 0, K(SA_INT, SA_UNKNOWN, SA_INT, SA_INT, SA_INT)),
	SYS(msgctl, 3, 0, K(SA_INT, SA_INT, SA_PTR)),
	/* arg is an int or a pointer per cmd (fcntl_check in syscall.c: glibc
	 * passes garbage where the cmd takes none); F_DUPFD* return a new fd */
	SYS(fcntl, 3, FDRET, K(SA_FD, SA_INT, SA_INT)),
	SYS(flock, 2, 0, K(SA_FD, SA_INT)),
	SYS(fsync, 1, 0, K(SA_FD)),
	SYS(fdatasync, 1, 0, K(SA_FD)),
	SYS(truncate, 2, 0, K(SA_PATH, SA_INT)),
	SYS(ftruncate, 2, 0, K(SA_FD, SA_INT)),
	SYS(getdents, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(getcwd, 2, 0, K(SA_BUF, SA_INT), LEN(0, 1)),
	SYS(chdir, 1, 0, K(SA_PATH)),
	SYS(fchdir, 1, 0, K(SA_FD)),
	SYS(rename, 2, 0, K(SA_PATH, SA_PATH)),
	SYS(mkdir, 2, 0, K(SA_PATH, SA_INT)),
	SYS(rmdir, 1, 0, K(SA_PATH)),
	SYS(creat, 2, FDRET, K(SA_PATH, SA_INT)),
	SYS(link, 2, 0, K(SA_PATH, SA_PATH)),
	SYS(unlink, 1, 0, K(SA_PATH)),
	/* the target is stored, not looked up */
	SYS(symlink, 2, 0, K(SA_STR, SA_PATH)),
	SYS(readlink, 3, 0, K(SA_PATH, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(chmod, 2, 0, K(SA_PATH, SA_INT)),
	SYS(fchmod, 2, 0, K(SA_FD, SA_INT)),
	SYS(chown, 3, 0, K(SA_PATH, SA_INT, SA_INT)),
	SYS(fchown, 3, 0, K(SA_FD, SA_INT, SA_INT)),
	SYS(lchown, 3, 0, K(SA_PATH, SA_INT, SA_INT)),
	SYS(umask, 1, 0, K(SA_INT)),
	SYS(gettimeofday, 2, 0, K(SA_PTR, SA_PTR)),
	SYS(getrlimit, 2, 0, K(SA_INT, SA_PTR)),
	SYS(getrusage, 2, 0, K(SA_INT, SA_PTR)),
	SYS(sysinfo, 1, 0, K(SA_PTR)),
	SYS(times, 1, 0, K(SA_PTR)),
	SYS(ptrace, 4, DENY, K(SA_INT, SA_INT, SA_UNKNOWN, SA_UNKNOWN)),
	SYS0(getuid, 0),
	SYS(syslog, 3, 0, K(SA_INT, SA_BUF, SA_INT), LEN(1, 2)),
	SYS0(getgid, 0),
	SYS(setuid, 1, 0, K(SA_INT)),
	SYS(setgid, 1, 0, K(SA_INT)),
	SYS0(geteuid, 0),
	SYS0(getegid, 0),
	SYS(setpgid, 2, 0, K(SA_INT, SA_INT)),
	SYS0(getppid, 0),
	SYS0(getpgrp, 0),
	SYS0(setsid, 0),
	SYS(setreuid, 2, 0, K(SA_INT, SA_INT)),
	SYS(setregid, 2, 0, K(SA_INT, SA_INT)),
	SYS(getgroups, 2, 0, K(SA_INT, SA_BUFN), LEN(1, 0), ELEM(SZ_GID)),
	SYS(setgroups, 2, 0, K(SA_INT, SA_BUFN), LEN(1, 0), ELEM(SZ_GID)),
	SYS(setresuid, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(getresuid, 3, 0, K(SA_PTR, SA_PTR, SA_PTR)),
	SYS(setresgid, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(getresgid, 3, 0, K(SA_PTR, SA_PTR, SA_PTR)),
	SYS(getpgid, 1, 0, K(SA_INT)),
	SYS(setfsuid, 1, 0, K(SA_INT)),
	SYS(setfsgid, 1, 0, K(SA_INT)),
	SYS(getsid, 1, 0, K(SA_INT)),
	SYS(capget, 2, 0, K(SA_PTR, SA_PTR)),
	SYS(capset, 2, 0, K(SA_PTR, SA_PTR)),
	SYS(rt_sigpending, 2, 0, K(SA_SIGSET, SA_INT), LEN(0, 1)),
	SYS(rt_sigtimedwait, 4, 0,
	    K(SA_SIGSET, SA_PTR, SA_PTR, SA_INT), LEN(0, 3)),
	SYS(rt_sigqueueinfo, 3, 0, K(SA_INT, SA_INT, SA_PTR)),
	SYS(rt_sigsuspend, 2, EMU, K(SA_SIGSET, SA_INT), LEN(0, 1)),
	SYS(sigaltstack, 2, EMU, K(SA_PTR, SA_PTR)),
	SYS(utime, 2, 0, K(SA_PATH, SA_PTR)),
	SYS(mknod, 3, 0, K(SA_PATH, SA_INT, SA_INT)),
	SYS(uselib, 1, DENY, K(SA_PATH)),
	SYS(personality, 1, 0, K(SA_INT)),
	SYS(ustat, 2, 0, K(SA_INT, SA_PTR)),
	SYS(statfs, 2, 0, K(SA_PATH, SA_PTR)),
	SYS(fstatfs, 2, 0, K(SA_FD, SA_PTR)),
	/* arg1/arg2: a string, an int or a buffer, per option */
	SYS(sysfs, 3, 0, K(SA_INT, SA_UNKNOWN, SA_UNKNOWN)),
	SYS(getpriority, 2, 0, K(SA_INT, SA_INT)),
	SYS(setpriority, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(sched_setparam, 2, 0, K(SA_INT, SA_PTR)),
	SYS(sched_getparam, 2, 0, K(SA_INT, SA_PTR)),
	SYS(sched_setscheduler, 3, 0, K(SA_INT, SA_INT, SA_PTR)),
	SYS(sched_getscheduler, 1, 0, K(SA_INT)),
	SYS(sched_get_priority_max, 1, 0, K(SA_INT)),
	SYS(sched_get_priority_min, 1, 0, K(SA_INT)),
	SYS(sched_rr_get_interval, 2, 0, K(SA_INT, SA_PTR)),
	SYS(mlock, 2, 0, K(SA_ADDR, SA_INT), LEN(0, 1)),
	SYS(munlock, 2, 0, K(SA_ADDR, SA_INT), LEN(0, 1)),
	SYS(mlockall, 1, 0, K(SA_INT)),
	SYS0(munlockall, 0),
	SYS0(vhangup, 0),
	SYS(modify_ldt, 3, DENY, K(SA_INT, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(pivot_root, 2, DENY, K(SA_PATH, SA_PATH)),
	/* removed in Linux 5.5; struct __sysctl_args holds user pointers */
	SYS(_sysctl, 1, 0, K(SA_UNKNOWN)),
	/* arg2..arg5: ints or pointers, per option */
	/* pointers per option, checked by prctl_check (syscall.c): glibc's
	 * prctl passes garbage in the arguments an option does not take */
	SYS(prctl, 5, 0,
	    K(SA_INT, SA_INT, SA_INT, SA_INT, SA_INT)),
	/* addr: a value (ARCH_SET_*) or a pointer (ARCH_GET_*) */
	SYS(arch_prctl, 2, EMU, K(SA_INT, SA_UNKNOWN)),
	SYS(adjtimex, 1, 0, K(SA_PTR)),
	SYS(setrlimit, 2, 0, K(SA_INT, SA_PTR)),
	SYS(chroot, 1, 0, K(SA_PATH)),
	SYS0(sync, 0),
	SYS(acct, 1, 0, K(SA_PATH)),
	SYS(settimeofday, 2, 0, K(SA_PTR, SA_PTR)),
	/* source is looked up as a path for bind/move mounts and block
	 * devices, and is a free string ("proc", "tmpfs") otherwise; data
	 * is an option string or fs-specific binary */
	SYS(mount, 5, DENY, K(SA_PATH, SA_PATH, SA_STR, SA_INT, SA_UNKNOWN)),
	SYS(umount2, 2, DENY, K(SA_PATH, SA_INT)),
	SYS(swapon, 2, 0, K(SA_PATH, SA_INT)),
	SYS(swapoff, 1, 0, K(SA_PATH)),
	/* arg: a string for LINUX_REBOOT_CMD_RESTART2 */
	SYS(reboot, 4, 0, K(SA_INT, SA_INT, SA_INT, SA_UNKNOWN)),
	SYS(sethostname, 2, 0, K(SA_BUF, SA_INT), LEN(0, 1)),
	SYS(setdomainname, 2, 0, K(SA_BUF, SA_INT), LEN(0, 1)),
	SYS(iopl, 1, DENY, K(SA_INT)),
	SYS(ioperm, 3, DENY, K(SA_INT, SA_INT, SA_INT)),
	SYS0(create_module, DENY),		/* not implemented */
	SYS(init_module, 3, DENY, K(SA_BUF, SA_INT, SA_STR), LEN(0, 1)),
	SYS(delete_module, 2, DENY, K(SA_STR, SA_INT)),
	SYS0(get_kernel_syms, DENY),		/* not implemented */
	SYS0(query_module, DENY),		/* not implemented */
	/* special: block device (NULL for some cmds); addr per cmd */
	SYS(quotactl, 4, 0, K(SA_INT, SA_PATH, SA_INT, SA_UNKNOWN)),
	SYS0(nfsservctl, DENY),			/* not implemented */
	SYS0(getpmsg, DENY),			/* not implemented */
	SYS0(putpmsg, DENY),			/* not implemented */
	SYS0(afs_syscall, DENY),		/* not implemented */
	SYS0(tuxcall, DENY),			/* not implemented */
	SYS0(security, DENY),			/* not implemented */
	SYS0(gettid, 0),
	SYS(readahead, 3, 0, K(SA_FD, SA_INT, SA_INT)),
	SYS(setxattr, 5, 0,
	    K(SA_PATH, SA_STR, SA_BUF, SA_INT, SA_INT), LEN(2, 3)),
	SYS(lsetxattr, 5, 0,
	    K(SA_PATH, SA_STR, SA_BUF, SA_INT, SA_INT), LEN(2, 3)),
	SYS(fsetxattr, 5, 0,
	    K(SA_FD, SA_STR, SA_BUF, SA_INT, SA_INT), LEN(2, 3)),
	SYS(getxattr, 4, 0, K(SA_PATH, SA_STR, SA_BUF, SA_INT), LEN(2, 3)),
	SYS(lgetxattr, 4, 0, K(SA_PATH, SA_STR, SA_BUF, SA_INT), LEN(2, 3)),
	SYS(fgetxattr, 4, 0, K(SA_FD, SA_STR, SA_BUF, SA_INT), LEN(2, 3)),
	SYS(listxattr, 3, 0, K(SA_PATH, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(llistxattr, 3, 0, K(SA_PATH, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(flistxattr, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(removexattr, 2, 0, K(SA_PATH, SA_STR)),
	SYS(lremovexattr, 2, 0, K(SA_PATH, SA_STR)),
	SYS(fremovexattr, 2, 0, K(SA_FD, SA_STR)),
	SYS(tkill, 2, 0, K(SA_INT, SA_INT)),
	SYS(time, 1, 0, K(SA_PTR)),
	/* arg 3 (a timespec pointer or val2) and arg 4 (uaddr2) are pointers
	 * for some ops only, and unused ones are left as garbage by libc's
	 * wrappers: checked per op (futex_check in syscall.c) */
	SYS(futex, 6, 0,
	    K(SA_PTR, SA_INT, SA_INT, SA_INT, SA_INT, SA_INT)),
	SYS(sched_setaffinity, 3, 0, K(SA_INT, SA_INT, SA_BUF), LEN(2, 1)),
	SYS(sched_getaffinity, 3, 0, K(SA_INT, SA_INT, SA_BUF), LEN(2, 1)),
	SYS(set_thread_area, 1, 0, K(SA_PTR)),
	/* io_setup maps the AIO ring into the address space, io_destroy
	 * unmaps it */
	SYS(io_setup, 2, SE_MEM, K(SA_INT, SA_PTR)),
	SYS(io_destroy, 1, SE_MEM, K(SA_INT)),
	SYS(io_getevents, 5, 0,
	    K(SA_INT, SA_INT, SA_INT, SA_BUFN, SA_PTR), LEN(3, 2),
	    ELEM(SZ_IO_EVENT)),
	/* iocb pointers, each holding a buffer pointer */
	SYS(io_submit, 3, 0, K(SA_INT, SA_INT, SA_UNKNOWN)),
	/* only the iocb's key is read; result is no longer written */
	SYS(io_cancel, 3, 0, K(SA_INT, SA_PTR, SA_PTR)),
	SYS(get_thread_area, 1, 0, K(SA_PTR)),
	SYS(lookup_dcookie, 3, DENY, K(SA_INT, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(epoll_create, 1, FDRET, K(SA_INT)),
	SYS0(epoll_ctl_old, 0),			/* not implemented */
	SYS0(epoll_wait_old, 0),		/* not implemented */
	SYS(remap_file_pages, 5, MEMEMU,
	    K(SA_ADDR, SA_INT, SA_INT, SA_INT, SA_INT), LEN(0, 1)),
	SYS(getdents64, 3, 0, K(SA_FD, SA_BUF, SA_INT), LEN(1, 2)),
	SYS(set_tid_address, 1, EMU, K(SA_KEEP)),
	SYS0(restart_syscall, 0),
	SYS(semtimedop, 4, 0,
	    K(SA_INT, SA_BUFN, SA_INT, SA_PTR), LEN(1, 2), ELEM(SZ_SEMBUF)),
	SYS(fadvise64, 4, 0, K(SA_FD, SA_INT, SA_INT, SA_INT)),
	/* sigev_value is passed back, never dereferenced */
	SYS(timer_create, 3, 0, K(SA_INT, SA_PTR, SA_PTR)),
	SYS(timer_settime, 4, 0, K(SA_INT, SA_INT, SA_PTR, SA_PTR)),
	SYS(timer_gettime, 2, 0, K(SA_INT, SA_PTR)),
	SYS(timer_getoverrun, 1, 0, K(SA_INT)),
	SYS(timer_delete, 1, 0, K(SA_INT)),
	SYS(clock_settime, 2, 0, K(SA_INT, SA_PTR)),
	SYS(clock_gettime, 2, 0, K(SA_INT, SA_PTR)),
	SYS(clock_getres, 2, 0, K(SA_INT, SA_PTR)),
	SYS(clock_nanosleep, 4, 0, K(SA_INT, SA_INT, SA_PTR, SA_PTR)),
	SYS(exit_group, 1, EMU, K(SA_INT)),
	SYS(epoll_wait, 4, 0,
	    K(SA_FD, SA_BUFN, SA_INT, SA_INT), LEN(1, 2), ELEM(SZ_EPOLL_EVENT)),
	SYS(epoll_ctl, 4, 0, K(SA_FD, SA_INT, SA_FD, SA_PTR)),
	SYS(tgkill, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(utimes, 2, 0, K(SA_PATH, SA_PTR)),
	SYS0(vserver, DENY),			/* not implemented */
	/* nmask: maxnode bits, at most 4 KiB (the kernel refuses more) */
	SYS(mbind, 6, 0,
	    K(SA_ADDR, SA_INT, SA_INT, SA_PTR, SA_INT, SA_INT), LEN(0, 1)),
	SYS(set_mempolicy, 3, 0, K(SA_INT, SA_PTR, SA_INT)),
	/* addr (MPOL_F_ADDR) is looked up, not read */
	SYS(get_mempolicy, 5, 0, K(SA_PTR, SA_PTR, SA_INT, SA_INT, SA_INT)),
	/* the name lives in the mqueue fs, not a path */
	SYS(mq_open, 4, FDRET, K(SA_STR, SA_INT, SA_INT, SA_PTR)),
	SYS(mq_unlink, 1, 0, K(SA_STR)),
	SYS(mq_timedsend, 5, 0,
	    K(SA_FD, SA_BUF, SA_INT, SA_INT, SA_PTR), LEN(1, 2)),
	SYS(mq_timedreceive, 5, 0,
	    K(SA_FD, SA_BUF, SA_INT, SA_PTR, SA_PTR), LEN(1, 2)),
	/* SIGEV_THREAD: the kernel reads a 32-byte cookie at sival_ptr */
	SYS(mq_notify, 2, 0, K(SA_FD, SA_UNKNOWN)),
	SYS(mq_getsetattr, 3, 0, K(SA_FD, SA_PTR, SA_PTR)),
	SYS(kexec_load, 4, DENY, K(SA_INT, SA_INT, SA_UNKNOWN, SA_INT)),
	SYS(waitid, 5, 0, K(SA_INT, SA_INT, SA_PTR, SA_INT, SA_PTR)),
	SYS(add_key, 5, 0,
	    K(SA_STR, SA_STR, SA_BUF, SA_INT, SA_INT), LEN(2, 3)),
	SYS(request_key, 4, 0, K(SA_STR, SA_STR, SA_STR, SA_INT)),
	SYS(keyctl, 5, 0,
	    K(SA_INT, SA_UNKNOWN, SA_UNKNOWN, SA_UNKNOWN, SA_UNKNOWN)),
	SYS(ioprio_set, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(ioprio_get, 2, 0, K(SA_INT, SA_INT)),
	SYS0(inotify_init, FDRET),
	SYS(inotify_add_watch, 3, 0, K(SA_FD, SA_PATH, SA_INT)),
	SYS(inotify_rm_watch, 2, 0, K(SA_FD, SA_INT)),
	SYS(migrate_pages, 4, 0, K(SA_INT, SA_INT, SA_PTR, SA_PTR)),
	SYS(openat, 4, FDRET, K(SA_DIRFD, SA_PATH, SA_INT, SA_INT)),
	SYS(mkdirat, 3, 0, K(SA_DIRFD, SA_PATH, SA_INT)),
	SYS(mknodat, 4, 0, K(SA_DIRFD, SA_PATH, SA_INT, SA_INT)),
	SYS(fchownat, 5, 0, K(SA_DIRFD, SA_PATH, SA_INT, SA_INT, SA_INT)),
	SYS(futimesat, 3, 0, K(SA_DIRFD, SA_PATH, SA_PTR)),
	SYS(newfstatat, 4, 0, K(SA_DIRFD, SA_PATH, SA_PTR, SA_INT)),
	SYS(unlinkat, 3, 0, K(SA_DIRFD, SA_PATH, SA_INT)),
	SYS(renameat, 4, 0, K(SA_DIRFD, SA_PATH, SA_DIRFD, SA_PATH)),
	SYS(linkat, 5, 0,
	    K(SA_DIRFD, SA_PATH, SA_DIRFD, SA_PATH, SA_INT)),
	/* the target is stored, not looked up */
	SYS(symlinkat, 3, 0, K(SA_STR, SA_DIRFD, SA_PATH)),
	SYS(readlinkat, 4, 0,
	    K(SA_DIRFD, SA_PATH, SA_BUF, SA_INT), LEN(2, 3)),
	SYS(fchmodat, 3, 0, K(SA_DIRFD, SA_PATH, SA_INT)),
	SYS(faccessat, 3, 0, K(SA_DIRFD, SA_PATH, SA_INT)),
	/* sig: struct { sigset_t *p; size_t size; }, a pointer to a pointer */
	SYS(pselect6, 6, 0,
	    K(SA_INT, SA_PTR, SA_PTR, SA_PTR, SA_PTR, SA_UNKNOWN)),
	SYS(ppoll, 5, 0,
	    K(SA_BUFN, SA_INT, SA_PTR, SA_SIGSET, SA_INT), LEN(0, 1), LEN(3, 4),
	    ELEM(SZ_POLLFD)),
	SYS(unshare, 1, 0, K(SA_INT)),
	SYS(set_robust_list, 2, 0, K(SA_KEEP, SA_INT)),
	SYS(get_robust_list, 3, 0, K(SA_INT, SA_PTR, SA_PTR)),
	SYS(splice, 6, 0,
	    K(SA_FD, SA_PTR, SA_FD, SA_PTR, SA_INT, SA_INT)),
	SYS(tee, 4, 0, K(SA_FD, SA_FD, SA_INT, SA_INT)),
	SYS(sync_file_range, 4, 0, K(SA_FD, SA_INT, SA_INT, SA_INT)),
	SYS(vmsplice, 4, 0, K(SA_FD, SA_IOVEC, SA_INT, SA_INT), LEN(1, 2)),
	/* pages: nr_pages addresses to look up; nodes, status: nr_pages ints */
	SYS(move_pages, 6, 0,
	    K(SA_INT, SA_INT, SA_UNKNOWN, SA_BUFN, SA_BUFN, SA_INT),
	    LEN(3, 1), LEN(4, 1), ELEM(SZ_INT)),
	SYS(utimensat, 4, 0, K(SA_DIRFD, SA_PATH, SA_PTR, SA_INT)),
	SYS(epoll_pwait, 6, 0,
	    K(SA_FD, SA_BUFN, SA_INT, SA_INT, SA_SIGSET, SA_INT),
	    LEN(1, 2), LEN(4, 5), ELEM(SZ_EPOLL_EVENT)),
	/* ufd: -1 for a new signalfd */
	SYS(signalfd, 3, FDRET, K(SA_FD, SA_SIGSET, SA_INT), LEN(1, 2)),
	SYS(timerfd_create, 2, FDRET, K(SA_INT, SA_INT)),
	SYS(eventfd, 1, FDRET, K(SA_INT)),
	SYS(fallocate, 4, 0, K(SA_FD, SA_INT, SA_INT, SA_INT)),
	SYS(timerfd_settime, 4, 0, K(SA_FD, SA_INT, SA_PTR, SA_PTR)),
	SYS(timerfd_gettime, 2, 0, K(SA_FD, SA_PTR)),
	SYS(accept4, 4, FDRET, K(SA_FD, SA_PTR, SA_PTR, SA_INT)),
	SYS(signalfd4, 4, FDRET,
	    K(SA_FD, SA_SIGSET, SA_INT, SA_INT), LEN(1, 2)),
	SYS(eventfd2, 2, FDRET, K(SA_INT, SA_INT)),
	SYS(epoll_create1, 1, FDRET, K(SA_INT)),
	SYS(dup3, 3, FDRET, K(SA_FD, SA_NEWFD, SA_INT)),
	SYS(pipe2, 2, 0, K(SA_PTR, SA_INT)),
	SYS(inotify_init1, 1, FDRET, K(SA_INT)),
	SYS(preadv, 5, 0,
	    K(SA_FD, SA_IOVEC, SA_INT, SA_INT, SA_INT), LEN(1, 2)),
	SYS(pwritev, 5, 0,
	    K(SA_FD, SA_IOVEC, SA_INT, SA_INT, SA_INT), LEN(1, 2)),
	SYS(rt_tgsigqueueinfo, 4, 0, K(SA_INT, SA_INT, SA_INT, SA_PTR)),
	/* attr can name user addresses and strings (breakpoints, probes) */
	SYS(perf_event_open, 5, DENY | FDRET,
	    K(SA_UNKNOWN, SA_INT, SA_INT, SA_FD, SA_INT)),
	SYS(recvmmsg, 5, 0,
	    K(SA_FD, SA_MMSGHDR, SA_INT, SA_INT, SA_PTR), LEN(1, 2)),
	SYS(fanotify_init, 2, FDRET, K(SA_INT, SA_INT)),
	SYS(fanotify_mark, 5, 0,
	    K(SA_FD, SA_INT, SA_INT, SA_DIRFD, SA_PATH)),
	SYS(prlimit64, 4, 0, K(SA_INT, SA_INT, SA_PTR, SA_PTR)),
	/* struct file_handle: at most 8 + MAX_HANDLE_SZ bytes */
	SYS(name_to_handle_at, 5, 0,
	    K(SA_DIRFD, SA_PATH, SA_PTR, SA_PTR, SA_INT)),
	/* mount_fd may be AT_FDCWD */
	SYS(open_by_handle_at, 3, FDRET, K(SA_DIRFD, SA_PTR, SA_INT)),
	SYS(clock_adjtime, 2, 0, K(SA_INT, SA_PTR)),
	SYS(syncfs, 1, 0, K(SA_FD)),
	SYS(sendmmsg, 4, 0, K(SA_FD, SA_MMSGHDR, SA_INT, SA_INT), LEN(1, 2)),
	SYS(setns, 2, DENY, K(SA_FD, SA_INT)),
	SYS(getcpu, 3, 0, K(SA_PTR, SA_PTR, SA_PTR)),
	/* rvec describes the other process's memory */
	SYS(process_vm_readv, 6, DENY,
	    K(SA_INT, SA_IOVEC, SA_INT, SA_UNKNOWN, SA_INT, SA_INT), LEN(1, 2)),
	SYS(process_vm_writev, 6, DENY,
	    K(SA_INT, SA_IOVEC, SA_INT, SA_UNKNOWN, SA_INT, SA_INT), LEN(1, 2)),
	/* idx1/idx2 index other processes' tables; idx2 is a pointer to a
	 * struct kcmp_epoll_slot for KCMP_EPOLL_TFD */
	SYS(kcmp, 5, 0, K(SA_INT, SA_INT, SA_INT, SA_INT, SA_UNKNOWN)),
	SYS(finit_module, 3, DENY, K(SA_FD, SA_STR, SA_INT)),
	SYS(sched_setattr, 3, 0, K(SA_INT, SA_PTR, SA_INT)),
	SYS(sched_getattr, 4, 0, K(SA_INT, SA_BUF, SA_INT, SA_INT), LEN(1, 2)),
	SYS(renameat2, 5, 0,
	    K(SA_DIRFD, SA_PATH, SA_DIRFD, SA_PATH, SA_INT)),
	/* SECCOMP_FILTER_FLAG_NEW_LISTENER returns a new fd */
	SYS(seccomp, 3, DENY | FDRET, K(SA_INT, SA_INT, SA_UNKNOWN)),
	SYS(getrandom, 3, 0, K(SA_BUF, SA_INT, SA_INT), LEN(0, 1)),
	/* the name is a label, not a path */
	SYS(memfd_create, 2, FDRET, K(SA_STR, SA_INT)),
	SYS(kexec_file_load, 5, DENY,
	    K(SA_FD, SA_FD, SA_INT, SA_BUF, SA_INT), LEN(3, 2)),
	SYS(bpf, 3, DENY | FDRET, K(SA_INT, SA_UNKNOWN, SA_INT)),
	SYS(execveat, 5, EMU,
	    K(SA_DIRFD, SA_PATH, SA_STRV, SA_STRV, SA_INT)),
	SYS(userfaultfd, 1, DENY | FDRET, K(SA_INT)),
	SYS(membarrier, 3, 0, K(SA_INT, SA_INT, SA_INT)),
	SYS(mlock2, 3, 0, K(SA_ADDR, SA_INT, SA_INT), LEN(0, 1)),
	SYS(copy_file_range, 6, 0,
	    K(SA_FD, SA_PTR, SA_FD, SA_PTR, SA_INT, SA_INT)),
	SYS(preadv2, 6, 0,
	    K(SA_FD, SA_IOVEC, SA_INT, SA_INT, SA_INT, SA_INT), LEN(1, 2)),
	SYS(pwritev2, 6, 0,
	    K(SA_FD, SA_IOVEC, SA_INT, SA_INT, SA_INT, SA_INT), LEN(1, 2)),
	SYS(pkey_mprotect, 4, MEMEMU,
	    K(SA_ADDR, SA_INT, SA_INT, SA_INT), LEN(0, 1)),
	SYS(pkey_alloc, 2, 0, K(SA_INT, SA_INT)),
	SYS(pkey_free, 1, 0, K(SA_INT)),
	SYS(statx, 5, 0, K(SA_DIRFD, SA_PATH, SA_INT, SA_INT, SA_PTR)),
	/* usig: struct __aio_sigset { sigset_t *, size_t }, a pointer to a
	 * pointer */
	SYS(io_pgetevents, 6, 0,
	    K(SA_INT, SA_INT, SA_INT, SA_BUFN, SA_PTR, SA_UNKNOWN), LEN(3, 2),
	    ELEM(SZ_IO_EVENT)),
	SYS(rseq, 4, EMU, K(SA_KEEP, SA_INT, SA_INT, SA_INT)),

	/* 335..423: x86-64 leaves these to other ABIs */

	SYS(pidfd_send_signal, 4, 0, K(SA_FD, SA_INT, SA_PTR, SA_INT)),
	SYS(io_uring_setup, 2, DENY | FDRET, K(SA_INT, SA_UNKNOWN)),
	SYS(io_uring_enter, 6, DENY,
	    K(SA_FD, SA_INT, SA_INT, SA_INT, SA_UNKNOWN, SA_INT)),
	SYS(io_uring_register, 4, DENY,
	    K(SA_FD, SA_INT, SA_UNKNOWN, SA_INT)),
	SYS(open_tree, 3, DENY | FDRET, K(SA_DIRFD, SA_PATH, SA_INT)),
	SYS(move_mount, 5, DENY,
	    K(SA_DIRFD, SA_PATH, SA_DIRFD, SA_PATH, SA_INT)),
	SYS(fsopen, 2, DENY | FDRET, K(SA_STR, SA_INT)),
	/* value: a string, a blob, a path or nothing, per cmd; aux is a
	 * length or a dirfd/fd, per cmd */
	SYS(fsconfig, 5, DENY,
	    K(SA_FD, SA_INT, SA_STR, SA_UNKNOWN, SA_INT)),
	SYS(fsmount, 3, DENY | FDRET, K(SA_FD, SA_INT, SA_INT)),
	SYS(fspick, 3, DENY | FDRET, K(SA_DIRFD, SA_PATH, SA_INT)),
	SYS(pidfd_open, 2, FDRET, K(SA_INT, SA_INT)),
	/* struct clone_args holds user pointers (stack, tids, pidfd,
	 * set_tid) */
	SYS(clone3, 2, EMU, K(SA_UNKNOWN, SA_INT)),
	/* a range of fd numbers, not one fd */
	SYS(close_range, 3, EMU, K(SA_INT, SA_INT, SA_INT)),
	SYS(openat2, 4, FDRET,
	    K(SA_DIRFD, SA_PATH, SA_BUF, SA_INT), LEN(2, 3)),
	/* targetfd is in the other process's table */
	SYS(pidfd_getfd, 3, DENY | FDRET, K(SA_FD, SA_INT, SA_INT)),
	SYS(faccessat2, 4, 0, K(SA_DIRFD, SA_PATH, SA_INT, SA_INT)),
	/* vec: ranges of the target process's memory */
	SYS(process_madvise, 5, DENY,
	    K(SA_FD, SA_UNKNOWN, SA_INT, SA_INT, SA_INT)),
	SYS(epoll_pwait2, 6, 0,
	    K(SA_FD, SA_BUFN, SA_INT, SA_PTR, SA_SIGSET, SA_INT),
	    LEN(1, 2), LEN(4, 5), ELEM(SZ_EPOLL_EVENT)),
	/* struct mount_attr holds an fd (userns_fd) */
	SYS(mount_setattr, 5, DENY,
	    K(SA_DIRFD, SA_PATH, SA_INT, SA_UNKNOWN, SA_INT)),
	SYS(quotactl_fd, 4, 0, K(SA_FD, SA_INT, SA_INT, SA_UNKNOWN)),
	SYS(landlock_create_ruleset, 3, FDRET,
	    K(SA_BUF, SA_INT, SA_INT), LEN(0, 1)),
	/* rule_attr holds an fd (parent_fd) */
	SYS(landlock_add_rule, 4, 0, K(SA_FD, SA_INT, SA_UNKNOWN, SA_INT)),
	SYS(landlock_restrict_self, 2, 0, K(SA_FD, SA_INT)),
	SYS(memfd_secret, 1, FDRET, K(SA_INT)),
	SYS(process_mrelease, 2, DENY, K(SA_FD, SA_INT)),
	/* struct futex_waitv array: each entry holds a futex address */
	SYS(futex_waitv, 5, 0,
	    K(SA_UNKNOWN, SA_INT, SA_INT, SA_PTR, SA_INT)),
	SYS(set_mempolicy_home_node, 4, 0,
	    K(SA_ADDR, SA_INT, SA_INT, SA_INT), LEN(0, 1)),
	SYS(cachestat, 4, 0, K(SA_FD, SA_PTR, SA_PTR, SA_INT)),
	SYS(fchmodat2, 4, 0, K(SA_DIRFD, SA_PATH, SA_INT, SA_INT)),
	SYS(map_shadow_stack, 3, DENY, K(SA_ADDR, SA_INT, SA_INT), LEN(0, 1)),
	SYS(futex_wake, 4, 0, K(SA_PTR, SA_INT, SA_INT, SA_INT)),
	SYS(futex_wait, 6, 0,
	    K(SA_PTR, SA_INT, SA_INT, SA_INT, SA_PTR, SA_INT)),
	/* waiters: struct futex_waitv[2], each holding a futex address */
	SYS(futex_requeue, 4, 0, K(SA_UNKNOWN, SA_INT, SA_INT, SA_INT)),
	SYS(statmount, 4, 0, K(SA_PTR, SA_BUF, SA_INT, SA_INT), LEN(1, 2)),
	SYS(listmount, 4, 0,
	    K(SA_PTR, SA_BUFN, SA_INT, SA_INT), LEN(1, 2), ELEM(SZ_U64)),
	/* ctx size is *size */
	SYS(lsm_get_self_attr, 4, 0,
	    K(SA_INT, SA_UNKNOWN, SA_PTR, SA_INT)),
	SYS(lsm_set_self_attr, 4, 0,
	    K(SA_INT, SA_BUF, SA_INT, SA_INT), LEN(1, 2)),
	/* ids size is *size */
	SYS(lsm_list_modules, 3, 0, K(SA_UNKNOWN, SA_PTR, SA_INT)),
	SYS(mseal, 3, DENY, K(SA_ADDR, SA_INT, SA_INT), LEN(0, 1)),
};

#undef SYS
#undef SYS0
#undef K
#undef LEN
#undef ELEM
#undef EMU
#undef MEMEMU
#undef DENY
#undef FDRET

const char *sb_sysent_name(long nr)
{
	if (nr < 0 || nr >= SB_NR_SYSCALLS)
		return NULL;
	if (!(sb_sysent_table[nr].flags & SE_KNOWN))
		return NULL;
	return sb_sysent_table[nr].name;
}

static int sysent_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

long sb_sysent_lookup(const char *name)
{
	long nr;

	if (name == NULL)
		return -1;
	for (nr = 0; nr < SB_NR_SYSCALLS; nr++) {
		const struct sb_sysent *e = &sb_sysent_table[nr];

		if ((e->flags & SE_KNOWN) && e->name != NULL &&
		    sysent_streq(e->name, name))
			return nr;
	}
	return -1;
}
