/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/pledge.c: OpenBSD-style promises ("stdio rpath inet") as policy rules, and sb_pledge().
 *
 * A promise allows system calls, some only with certain arguments. The
 * mapping to Linux is the table below (pledge_rows); docs/policy.md shows it
 * and explains each choice and what argument filtering cannot do. Arguments
 * are compared as the monitor sees them (64-bit registers); where the kernel
 * reads an int, the rule compares the low 32 bits (MASKED_EQ 0xffffffff) or
 * bounds the whole value from above, so that what passes is what the kernel
 * acts on. Paths are never looked at here: that is unveil's job.
 *
 * The numbers below are the x86-64 Linux ABI, written out so that the table
 * does not depend on which libc headers define what; tests/unit/test_pledge.c
 * calls with the libc's own constants.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compiled.h"
#include "pledge.h"
#include "policy.h"
#include "../api/api.h"
#include "../monitor/sysent.h"

/* open(2) flags */
#define L_O_ACCMODE 03
#define L_O_RDONLY 00
#define L_O_WRONLY 01
#define L_O_RDWR 02
#define L_O_CREAT 0100
#define L_O_TRUNC 01000
#define L_O_TMPFILE 020000000 /* __O_TMPFILE: O_TMPFILE is this and O_DIRECTORY */
#define L_OPEN_MASK (L_O_ACCMODE | L_O_CREAT | L_O_TRUNC | L_O_TMPFILE)
#define L_TMPFILE_MASK (L_O_ACCMODE | L_O_CREAT | L_O_TMPFILE)
#define L_S_ISUGID 06000 /* S_ISUID | S_ISGID */
#define L_AT_EMPTY_PATH 0x1000
#define L_PROT_EXEC 0x4

/* fcntl(2) commands */
#define L_F_DUPFD 0
#define L_F_GETFD 1
#define L_F_SETFD 2
#define L_F_GETFL 3
#define L_F_SETFL 4
#define L_F_GETLK 5
#define L_F_SETLK 6
#define L_F_SETLKW 7
#define L_F_SETOWN 8
#define L_F_GETOWN 9
#define L_F_SETSIG 10
#define L_F_GETSIG 11
#define L_F_SETOWN_EX 15
#define L_F_GETOWN_EX 16
#define L_F_OFD_GETLK 36
#define L_F_OFD_SETLK 37
#define L_F_OFD_SETLKW 38
#define L_F_DUPFD_CLOEXEC 1030
#define L_F_SETPIPE_SZ 1031
#define L_F_GETPIPE_SZ 1032
#define L_F_ADD_SEALS 1033
#define L_F_GET_SEALS 1034

/* ioctl(2) requests */
#define L_TCGETS 0x5401
#define L_TCSETS 0x5402
#define L_TCSETSW 0x5403
#define L_TCSETSF 0x5404
#define L_TCSBRK 0x5409
#define L_TCXONC 0x540a
#define L_TCFLSH 0x540b
#define L_TIOCEXCL 0x540c
#define L_TIOCNXCL 0x540d
#define L_TIOCSCTTY 0x540e
#define L_TIOCGPGRP 0x540f
#define L_TIOCSPGRP 0x5410
#define L_TIOCOUTQ 0x5411
#define L_TIOCGWINSZ 0x5413
#define L_TIOCSWINSZ 0x5414
#define L_TIOCMGET 0x5415
#define L_TIOCMBIS 0x5416
#define L_TIOCMBIC 0x5417
#define L_TIOCMSET 0x5418
#define L_FIONREAD 0x541b
#define L_FIONBIO 0x5421
#define L_TIOCNOTTY 0x5422
#define L_TCSBRKP 0x5425
#define L_TIOCSBRK 0x5427
#define L_TIOCCBRK 0x5428
#define L_TIOCGSID 0x5429
#define L_TIOCGPTN 0x80045430u
#define L_TIOCSPTLCK 0x40045431u
#define L_TIOCGPTPEER 0x5441
#define L_FIONCLEX 0x5450
#define L_FIOCLEX 0x5451
#define L_SIOCATMARK 0x8905
#define L_SIOCADDRT 0x890b
#define L_SIOCDELRT 0x890c
#define L_SIOCGIFNAME 0x8910
#define L_SIOCGIFCONF 0x8912
#define L_SIOCGIFFLAGS 0x8913
#define L_SIOCSIFFLAGS 0x8914
#define L_SIOCGIFADDR 0x8915
#define L_SIOCSIFADDR 0x8916
#define L_SIOCGIFDSTADDR 0x8917
#define L_SIOCSIFDSTADDR 0x8918
#define L_SIOCGIFBRDADDR 0x8919
#define L_SIOCSIFBRDADDR 0x891a
#define L_SIOCGIFNETMASK 0x891b
#define L_SIOCSIFNETMASK 0x891c
#define L_SIOCGIFMETRIC 0x891d
#define L_SIOCGIFMTU 0x8921
#define L_SIOCSIFMTU 0x8922
#define L_SIOCGIFHWADDR 0x8927
#define L_SIOCGIFINDEX 0x8933
#define L_SIOCGIFTXQLEN 0x8942

/* sockets */
#define L_AF_UNIX 1
#define L_AF_INET 2
#define L_AF_INET6 10
#define L_AF_NETLINK 16
#define L_SOCK_STREAM 1
#define L_SOCK_DGRAM 2
#define L_SOCK_RAW 3
#define L_SOCK_TYPE_MASK 0xf
#define L_NETLINK_ROUTE 0
#define L_IPPROTO_IP 0
#define L_IPPROTO_TCP 6
#define L_IPPROTO_UDP 17
#define L_IPPROTO_IPV6 41
#define L_IPPROTO_ICMPV6 58
#define L_SOL_SOCKET 1
#define L_SO_TYPE 3
#define L_SO_ERROR 4
#define L_SO_SNDBUF 7
#define L_SO_RCVBUF 8
#define L_SO_BINDTODEVICE 25
#define L_SO_ATTACH_FILTER 26
#define L_SO_MARK 36
#define L_SO_BINDTOIFINDEX 62
#define L_TCP_USER_TIMEOUT 18
#define L_TCP_FASTOPEN 23
#define L_TCP_NOTSENT_LOWAT 25
#define L_TCP_FASTOPEN_CONNECT 30
#define L_IP_RECVERR 11
#define L_IPV6_RECVERR 25

/* prctl(2) options */
#define L_PR_SET_PDEATHSIG 1
#define L_PR_GET_PDEATHSIG 2
#define L_PR_GET_DUMPABLE 3
#define L_PR_GET_KEEPCAPS 7
#define L_PR_SET_KEEPCAPS 8
#define L_PR_SET_NAME 15
#define L_PR_GET_NAME 16
#define L_PR_GET_SECCOMP 21
#define L_PR_CAPBSET_READ 23
#define L_PR_GET_TIMERSLACK 30
#define L_PR_SET_CHILD_SUBREAPER 36
#define L_PR_GET_CHILD_SUBREAPER 37
#define L_PR_SET_NO_NEW_PRIVS 38
#define L_PR_GET_NO_NEW_PRIVS 39
#define L_PR_CAP_AMBIENT 47
#define L_PR_SET_VMA 0x53564d41

/* clone(2): a thread shares all of these ... */
#define L_CLONE_THREAD_SET 0x00010f00 /* CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD */
/* ... and asks for none of these: CLONE_PTRACE, CLONE_NEWNS, CLONE_UNTRACED, CLONE_NEWCGROUP,
 * CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET */
#define L_CLONE_THREAD_NOT 0x7e822000

/* ------------------------------------------------------------------ table */

#define P_STDIO PL_BIT(PL_STDIO)
#define P_RPATH PL_BIT(PL_RPATH)
#define P_WPATH PL_BIT(PL_WPATH)
#define P_CPATH PL_BIT(PL_CPATH)
#define P_DPATH PL_BIT(PL_DPATH)
#define P_TMPPATH PL_BIT(PL_TMPPATH)
#define P_INET PL_BIT(PL_INET)
#define P_MCAST PL_BIT(PL_MCAST)
#define P_FATTR PL_BIT(PL_FATTR)
#define P_CHOWN PL_BIT(PL_CHOWN)
#define P_FLOCK PL_BIT(PL_FLOCK)
#define P_UNIX PL_BIT(PL_UNIX)
#define P_DNS PL_BIT(PL_DNS)
#define P_GETPW PL_BIT(PL_GETPW)
#define P_SENDFD PL_BIT(PL_SENDFD)
#define P_RECVFD PL_BIT(PL_RECVFD)
#define P_TTY PL_BIT(PL_TTY)
#define P_PROC PL_BIT(PL_PROC)
#define P_EXEC PL_BIT(PL_EXEC)
#define P_PROT_EXEC PL_BIT(PL_PROT_EXEC)
#define P_SETTIME PL_BIT(PL_SETTIME)
#define P_PS PL_BIT(PL_PS)
#define P_VMINFO PL_BIT(PL_VMINFO)
#define P_ID PL_BIT(PL_ID)
#define P_ROUTE PL_BIT(PL_ROUTE)
#define P_WROUTE PL_BIT(PL_WROUTE)
#define P_UNVEIL PL_BIT(PL_UNVEIL)

const char *const pledge_names[PL_NPROMISES] = {
	[PL_STDIO] = "stdio", [PL_RPATH] = "rpath", [PL_WPATH] = "wpath", [PL_CPATH] = "cpath",
	[PL_DPATH] = "dpath", [PL_TMPPATH] = "tmppath", [PL_INET] = "inet", [PL_MCAST] = "mcast",
	[PL_FATTR] = "fattr", [PL_CHOWN] = "chown", [PL_FLOCK] = "flock", [PL_UNIX] = "unix",
	[PL_DNS] = "dns", [PL_GETPW] = "getpw", [PL_SENDFD] = "sendfd", [PL_RECVFD] = "recvfd",
	[PL_TTY] = "tty", [PL_PROC] = "proc", [PL_EXEC] = "exec", [PL_PROT_EXEC] = "prot_exec",
	[PL_SETTIME] = "settime", [PL_PS] = "ps", [PL_VMINFO] = "vminfo", [PL_ID] = "id",
	[PL_ROUTE] = "route", [PL_WROUTE] = "wroute", [PL_UNVEIL] = "unveil", [PL_ERROR] = "error",
};

/* OpenBSD promises with nothing to map to on Linux (or in a sandbox) */
static const char *const unsupported[] = { "audio", "bpf", "disklabel", "drm", "pf", "tape", "video", "vmm" };

#define CMP(n, o, x, y) { .arg = (n), .op = (o), .a = (x), .b = (y) }
#define IS(n, v) CMP(n, SB_CMP_MASKED_EQ, 0xffffffffu, v)  /* an int argument, as the kernel reads it */
#define BITS(n, m, v) CMP(n, SB_CMP_MASKED_EQ, m, v)       /* (arg & m) == v */
#define LE(n, v) CMP(n, SB_CMP_LE, v, 0)                  /* also bounds the high bits */
#define GE(n, v) CMP(n, SB_CMP_GE, v, 0)                  /* only together with LE */
#define NE(n, v) CMP(n, SB_CMP_NE, v, 0)                  /* only together with LE */
#define NUL(n) CMP(n, SB_CMP_EQ, 0, 0)
#define SELF(n, s) { .arg = (n), .op = SB_CMP_MASKED_EQ, .self = (s), .a = 0xffffffffu }

#define ALL(nd, names) { .need = (nd), .calls = (names) }
#define IF(nd, name, text, ...) { .need = (nd), .calls = (name), .when = (text), .cmp = { __VA_ARGS__ } }
#define SOFT(nd, name, text, e) { .need = (nd), .calls = (name), .when = (text), .soft_errno = (e) }

/* open and openat: the flags (arg 1 or 2) with O_ACCMODE, O_CREAT, O_TRUNC and O_TMPFILE as given */
#define OPEN(nd, text, fl) \
	IF(nd, "open", text, BITS(1, L_OPEN_MASK, fl)), IF(nd, "openat", text, BITS(2, L_OPEN_MASK, fl))
/* the same for rows that create a file: the mode (arg 2 or 3) without setuid/setgid */
#define OPENC(nd, text, fl)                                                                     \
	IF(nd, "open", text, BITS(1, L_OPEN_MASK, fl), BITS(2, L_S_ISUGID, 0)),                 \
	IF(nd, "openat", text, BITS(2, L_OPEN_MASK, fl), BITS(3, L_S_ISUGID, 0))
/* O_TMPFILE (which O_TRUNC does not change) */
#define OPENT(nd, text, fl)                                                                     \
	IF(nd, "open", text, BITS(1, L_TMPFILE_MASK, fl), BITS(2, L_S_ISUGID, 0)),              \
	IF(nd, "openat", text, BITS(2, L_TMPFILE_MASK, fl), BITS(3, L_S_ISUGID, 0))
#define SOCKOPT(nd, text, ...) IF(nd, "getsockopt", text, __VA_ARGS__), IF(nd, "setsockopt", text, __VA_ARGS__)
#define IOCTL(nd, name) IF(nd, "ioctl", #name, IS(1, L_##name))
#define FCNTL(nd, name) IF(nd, "fcntl", #name, IS(1, L_##name))
#define PRCTL(nd, name) IF(nd, "prctl", #name, IS(0, L_##name))

/* The SOL_SOCKET options of sockets a process may open: all options known
 * in Linux 6.5 but binding to a device (SO_BINDTODEVICE, SO_BINDTOIFINDEX),
 * marking packets (SO_MARK) and attaching programs (26, 50-52). */
#define SOL_SOCKET_ROWS(nd)                                                                     \
	SOCKOPT(nd, "SOL_SOCKET 1-49 but SO_BINDTODEVICE SO_ATTACH_FILTER SO_MARK",             \
		IS(1, L_SOL_SOCKET), LE(2, 49), NE(2, L_SO_BINDTODEVICE), NE(2, L_SO_ATTACH_FILTER),  \
		NE(2, L_SO_MARK)),                                                                \
	SOCKOPT(nd, "SOL_SOCKET 53-77 but SO_BINDTOIFINDEX", IS(1, L_SOL_SOCKET), GE(2, 53), LE(2, 77), \
		NE(2, L_SO_BINDTOIFINDEX))

/* IPv4 and IPv6 sockets: SOCK_STREAM or SOCK_DGRAM, protocol 0 to IPPROTO_UDP
 * (TCP, UDP, ICMP echo; not SCTP, UDP-Lite, L2TP or raw sockets) */
#define INET_SOCKET_ROWS(nd)                                                                    \
	IF(nd, "socket", "AF_INET SOCK_STREAM protocol <= 17", IS(0, L_AF_INET),                \
	   BITS(1, L_SOCK_TYPE_MASK, L_SOCK_STREAM), LE(2, L_IPPROTO_UDP)),                       \
	IF(nd, "socket", "AF_INET SOCK_DGRAM protocol <= 17", IS(0, L_AF_INET),                 \
	   BITS(1, L_SOCK_TYPE_MASK, L_SOCK_DGRAM), LE(2, L_IPPROTO_UDP)),                        \
	IF(nd, "socket", "AF_INET6 SOCK_STREAM protocol <= 17", IS(0, L_AF_INET6),              \
	   BITS(1, L_SOCK_TYPE_MASK, L_SOCK_STREAM), LE(2, L_IPPROTO_UDP)),                       \
	IF(nd, "socket", "AF_INET6 SOCK_DGRAM protocol <= 17", IS(0, L_AF_INET6),               \
	   BITS(1, L_SOCK_TYPE_MASK, L_SOCK_DGRAM), LE(2, L_IPPROTO_UDP))

#define NETLINK_ROUTE_ROWS(nd)                                                                  \
	IF(nd, "socket", "AF_NETLINK NETLINK_ROUTE", IS(0, L_AF_NETLINK), IS(2, L_NETLINK_ROUTE)), \
	ALL(nd, "bind getsockname sendto recvmsg")

/* chown family under fattr: to the caller's own uid and gid only (-1: unchanged) */
#define CHOWN_OWN(call, u, g)                                                                     \
	IF(P_FATTR, call, "uid -1 or own, gid -1 or own", IS(u, 0xffffffffu), IS(g, 0xffffffffu)),  \
	IF(P_FATTR, call, "uid -1 or own, gid -1 or own", SELF(u, PL_SELF_UID), IS(g, 0xffffffffu)), \
	IF(P_FATTR, call, "uid -1 or own, gid -1 or own", IS(u, 0xffffffffu), SELF(g, PL_SELF_GID)), \
	IF(P_FATTR, call, "uid -1 or own, gid -1 or own", SELF(u, PL_SELF_UID), SELF(g, PL_SELF_GID))

const struct pledge_row pledge_rows[] = {
	/* granted by any pledge, even "" */
	ALL(0, "exit exit_group rt_sigreturn restart_syscall"),

	/* stdio: computation, memory, I/O on descriptors already open, time, signals to self */
	ALL(P_STDIO, "read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 "
		     "close close_range dup dup2 dup3 lseek fstat fsync fdatasync ftruncate fallocate "
		     "fadvise64 readahead sync_file_range sendfile splice tee vmsplice copy_file_range "
		     "pipe pipe2 poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl "
		     "epoll_wait epoll_pwait epoll_pwait2 eventfd eventfd2 signalfd signalfd4 "
		     "timerfd_create timerfd_settime timerfd_gettime recvfrom shutdown "
		     "brk munmap mremap msync mincore madvise "
		     "rt_sigaction rt_sigprocmask rt_sigpending rt_sigsuspend rt_sigtimedwait sigaltstack "
		     "nanosleep clock_nanosleep clock_gettime clock_getres gettimeofday time "
		     "getitimer setitimer alarm pause times timer_create timer_settime timer_gettime "
		     "timer_getoverrun timer_delete "
		     "getpid getppid gettid getuid geteuid getgid getegid getresuid getresgid getgroups "
		     "getpgrp getpgid getsid getrlimit getrusage umask uname sysinfo getrandom getcpu "
		     "sched_yield futex futex_waitv futex_wake futex_wait futex_requeue set_robust_list "
		     "set_tid_address arch_prctl rseq membarrier wait4 waitid fchdir"),
	IF(P_STDIO, "mmap", "prot without PROT_EXEC", BITS(2, L_PROT_EXEC, 0)),
	IF(P_STDIO, "mprotect", "prot without PROT_EXEC", BITS(2, L_PROT_EXEC, 0)),
	FCNTL(P_STDIO, F_DUPFD), FCNTL(P_STDIO, F_GETFD), FCNTL(P_STDIO, F_SETFD), FCNTL(P_STDIO, F_GETFL),
	FCNTL(P_STDIO, F_SETFL), FCNTL(P_STDIO, F_DUPFD_CLOEXEC), FCNTL(P_STDIO, F_SETPIPE_SZ),
	FCNTL(P_STDIO, F_GETPIPE_SZ), FCNTL(P_STDIO, F_ADD_SEALS), FCNTL(P_STDIO, F_GET_SEALS),
	IOCTL(P_STDIO, FIONREAD), IOCTL(P_STDIO, FIONBIO), IOCTL(P_STDIO, FIOCLEX), IOCTL(P_STDIO, FIONCLEX),
	IOCTL(P_STDIO, TCGETS),
	IF(P_STDIO, "newfstatat", "AT_EMPTY_PATH", BITS(3, L_AT_EMPTY_PATH, L_AT_EMPTY_PATH)),
	IF(P_STDIO, "statx", "AT_EMPTY_PATH", BITS(2, L_AT_EMPTY_PATH, L_AT_EMPTY_PATH)),
	IF(P_STDIO, "sendto", "no address", NUL(4)),
	IF(P_STDIO, "socketpair", "AF_UNIX", IS(0, L_AF_UNIX)),
	IF(P_STDIO, "getsockopt", "SOL_SOCKET SO_TYPE", IS(1, L_SOL_SOCKET), IS(2, L_SO_TYPE)),
	IF(P_STDIO, "getsockopt", "SOL_SOCKET SO_ERROR", IS(1, L_SOL_SOCKET), IS(2, L_SO_ERROR)),
	SOCKOPT(P_STDIO, "SOL_SOCKET SO_SNDBUF", IS(1, L_SOL_SOCKET), IS(2, L_SO_SNDBUF)),
	SOCKOPT(P_STDIO, "SOL_SOCKET SO_RCVBUF", IS(1, L_SOL_SOCKET), IS(2, L_SO_RCVBUF)),
	IF(P_STDIO, "kill", "own process", SELF(0, PL_SELF_PID)),
	IF(P_STDIO, "tgkill", "own process", SELF(0, PL_SELF_PID)),
	IF(P_STDIO, "rt_sigqueueinfo", "own process", SELF(0, PL_SELF_PID)),
	IF(P_STDIO, "rt_tgsigqueueinfo", "own process", SELF(0, PL_SELF_PID)),
	IF(P_STDIO, "prlimit64", "pid 0, no new limit", IS(0, 0), NUL(2)),
	IF(P_STDIO, "sched_getaffinity", "pid 0", IS(0, 0)),
	IF(P_STDIO, "clone", "a thread: CLONE_VM FS FILES SIGHAND THREAD, no namespace, no CLONE_PTRACE",
	   BITS(0, L_CLONE_THREAD_SET | L_CLONE_THREAD_NOT, L_CLONE_THREAD_SET)),
	PRCTL(P_STDIO, PR_SET_NAME), PRCTL(P_STDIO, PR_GET_NAME), PRCTL(P_STDIO, PR_GET_DUMPABLE),
	PRCTL(P_STDIO, PR_GET_SECCOMP), PRCTL(P_STDIO, PR_CAPBSET_READ), PRCTL(P_STDIO, PR_GET_TIMERSLACK),
	PRCTL(P_STDIO, PR_SET_NO_NEW_PRIVS), PRCTL(P_STDIO, PR_GET_NO_NEW_PRIVS), PRCTL(P_STDIO, PR_SET_VMA),

	/* rpath: read-only effects on the file system */
	ALL(P_RPATH, "chdir getcwd stat lstat newfstatat statx access faccessat faccessat2 readlink readlinkat "
		     "getdents getdents64 statfs fstatfs getxattr lgetxattr fgetxattr listxattr llistxattr "
		     "flistxattr inotify_init inotify_init1 inotify_add_watch inotify_rm_watch"),
	OPEN(P_RPATH, "O_RDONLY", L_O_RDONLY),

	/* wpath: writing to files that exist */
	ALL(P_WPATH, "getcwd stat lstat newfstatat statx access faccessat faccessat2 readlink readlinkat truncate"),
	OPEN(P_WPATH, "O_WRONLY", L_O_WRONLY),
	OPEN(P_WPATH, "O_WRONLY O_TRUNC", L_O_WRONLY | L_O_TRUNC),
	OPEN(P_RPATH | P_WPATH, "O_RDWR", L_O_RDWR),
	OPEN(P_RPATH | P_WPATH, "O_RDWR O_TRUNC", L_O_RDWR | L_O_TRUNC),
	OPEN(P_RPATH | P_WPATH, "O_RDONLY O_TRUNC", L_O_RDONLY | L_O_TRUNC),

	/* cpath: creating and removing names */
	ALL(P_CPATH, "rename renameat renameat2 link linkat symlink symlinkat unlink unlinkat rmdir mkdir mkdirat"),
	OPENC(P_RPATH | P_CPATH, "O_RDONLY O_CREAT, no setuid/setgid", L_O_RDONLY | L_O_CREAT),
	OPENC(P_WPATH | P_CPATH, "O_WRONLY O_CREAT, no setuid/setgid", L_O_WRONLY | L_O_CREAT),
	OPENC(P_WPATH | P_CPATH, "O_WRONLY O_CREAT O_TRUNC, no setuid/setgid",
	      L_O_WRONLY | L_O_CREAT | L_O_TRUNC),
	IF(P_WPATH | P_CPATH, "creat", "no setuid/setgid", BITS(1, L_S_ISUGID, 0)),
	OPENT(P_WPATH | P_CPATH, "O_TMPFILE O_WRONLY, no setuid/setgid", L_O_TMPFILE | L_O_WRONLY),
	OPENC(P_RPATH | P_WPATH | P_CPATH, "O_RDWR O_CREAT, no setuid/setgid", L_O_RDWR | L_O_CREAT),
	OPENC(P_RPATH | P_WPATH | P_CPATH, "O_RDWR O_CREAT O_TRUNC, no setuid/setgid",
	      L_O_RDWR | L_O_CREAT | L_O_TRUNC),
	OPENC(P_RPATH | P_WPATH | P_CPATH, "O_RDONLY O_CREAT O_TRUNC, no setuid/setgid",
	      L_O_RDONLY | L_O_CREAT | L_O_TRUNC),
	OPENT(P_RPATH | P_WPATH | P_CPATH, "O_TMPFILE O_RDWR, no setuid/setgid", L_O_TMPFILE | L_O_RDWR),

	/* dpath: special files */
	IF(P_DPATH, "mknod", "no setuid/setgid", BITS(1, L_S_ISUGID, 0)),
	IF(P_DPATH, "mknodat", "no setuid/setgid", BITS(2, L_S_ISUGID, 0)),

	/* tmppath: anonymous temporary files only (no path can be checked here) */
	OPENT(P_TMPPATH, "O_TMPFILE O_WRONLY, no setuid/setgid", L_O_TMPFILE | L_O_WRONLY),
	OPENT(P_TMPPATH, "O_TMPFILE O_RDWR, no setuid/setgid", L_O_TMPFILE | L_O_RDWR),
	ALL(P_TMPPATH, "memfd_create"),

	/* inet: IPv4 and IPv6 sockets */
	INET_SOCKET_ROWS(P_INET),
	IF(P_INET, "socket", "AF_INET6 SOCK_DGRAM IPPROTO_ICMPV6", IS(0, L_AF_INET6),
	   BITS(1, L_SOCK_TYPE_MASK, L_SOCK_DGRAM), IS(2, L_IPPROTO_ICMPV6)),
	ALL(P_INET, "connect bind listen accept accept4 getsockname getpeername sendto"),
	SOL_SOCKET_ROWS(P_INET),
	SOCKOPT(P_INET, "IPPROTO_TCP 1-12", IS(1, L_IPPROTO_TCP), LE(2, 12)),
	SOCKOPT(P_INET, "TCP_USER_TIMEOUT", IS(1, L_IPPROTO_TCP), IS(2, L_TCP_USER_TIMEOUT)),
	SOCKOPT(P_INET, "TCP_FASTOPEN", IS(1, L_IPPROTO_TCP), IS(2, L_TCP_FASTOPEN)),
	SOCKOPT(P_INET, "TCP_NOTSENT_LOWAT", IS(1, L_IPPROTO_TCP), IS(2, L_TCP_NOTSENT_LOWAT)),
	SOCKOPT(P_INET, "TCP_FASTOPEN_CONNECT", IS(1, L_IPPROTO_TCP), IS(2, L_TCP_FASTOPEN_CONNECT)),
	SOCKOPT(P_INET, "IP_TOS IP_TTL", IS(1, L_IPPROTO_IP), GE(2, 1), LE(2, 2)),
	SOCKOPT(P_INET, "IP_PKTINFO", IS(1, L_IPPROTO_IP), IS(2, 8)),
	SOCKOPT(P_INET, "IP_MTU_DISCOVER to IP_MTU", IS(1, L_IPPROTO_IP), GE(2, 10), LE(2, 14)),
	SOCKOPT(P_INET, "IP_MINTTL", IS(1, L_IPPROTO_IP), IS(2, 21)),
	SOCKOPT(P_INET, "IP_BIND_ADDRESS_NO_PORT", IS(1, L_IPPROTO_IP), IS(2, 24)),
	SOCKOPT(P_INET, "IPV6_UNICAST_HOPS", IS(1, L_IPPROTO_IPV6), IS(2, 16)),
	SOCKOPT(P_INET, "IPV6_MTU_DISCOVER to IPV6_V6ONLY", IS(1, L_IPPROTO_IPV6), GE(2, 23), LE(2, 26)),
	SOCKOPT(P_INET, "IPV6_RECVPKTINFO to IPV6_HOPLIMIT", IS(1, L_IPPROTO_IPV6), GE(2, 49), LE(2, 52)),
	SOCKOPT(P_INET, "IPV6_DONTFRAG", IS(1, L_IPPROTO_IPV6), IS(2, 62)),
	SOCKOPT(P_INET, "IPV6_RECVTCLASS IPV6_TCLASS", IS(1, L_IPPROTO_IPV6), GE(2, 66), LE(2, 67)),
	IOCTL(P_INET, SIOCATMARK),

	/* mcast: joining groups, multicast sending options */
	SOCKOPT(P_INET | P_MCAST, "IP_MULTICAST_IF to IP_MULTICAST_ALL", IS(1, L_IPPROTO_IP), GE(2, 32),
		LE(2, 49)),
	SOCKOPT(P_INET | P_MCAST, "IPV6_MULTICAST_IF to IPV6_DROP_MEMBERSHIP", IS(1, L_IPPROTO_IPV6),
		GE(2, 17), LE(2, 21)),
	SOCKOPT(P_INET | P_MCAST, "IPV6_MULTICAST_ALL", IS(1, L_IPPROTO_IPV6), IS(2, 29)),
	SOCKOPT(P_INET | P_MCAST, "MCAST_JOIN_GROUP to MCAST_MSFILTER", IS(1, L_IPPROTO_IPV6), GE(2, 42),
		LE(2, 48)),

	/* fattr: modes, times, extended attributes; ownership only to oneself */
	IF(P_FATTR, "chmod", "no setuid/setgid", BITS(1, L_S_ISUGID, 0)),
	IF(P_FATTR, "fchmod", "no setuid/setgid", BITS(1, L_S_ISUGID, 0)),
	IF(P_FATTR, "fchmodat", "no setuid/setgid", BITS(2, L_S_ISUGID, 0)),
	IF(P_FATTR, "fchmodat2", "no setuid/setgid", BITS(2, L_S_ISUGID, 0)),
	ALL(P_FATTR, "utime utimes futimesat utimensat setxattr lsetxattr fsetxattr removexattr "
		     "lremovexattr fremovexattr"),
	CHOWN_OWN("chown", 1, 2), CHOWN_OWN("fchown", 1, 2), CHOWN_OWN("lchown", 1, 2),
	CHOWN_OWN("fchownat", 2, 3),

	/* chown: ownership to anyone (the kernel still wants CAP_CHOWN for that) */
	ALL(P_CHOWN, "chown fchown lchown fchownat"),

	/* flock: advisory locks */
	ALL(P_FLOCK, "flock"),
	FCNTL(P_FLOCK, F_GETLK), FCNTL(P_FLOCK, F_SETLK), FCNTL(P_FLOCK, F_SETLKW),
	FCNTL(P_FLOCK, F_OFD_GETLK), FCNTL(P_FLOCK, F_OFD_SETLK), FCNTL(P_FLOCK, F_OFD_SETLKW),

	/* unix: AF_UNIX sockets */
	IF(P_UNIX, "socket", "AF_UNIX", IS(0, L_AF_UNIX)),
	ALL(P_UNIX, "connect bind listen accept accept4 getsockname getpeername sendto"),
	SOL_SOCKET_ROWS(P_UNIX),

	/* dns: what glibc's resolver and getaddrinfo() do */
	INET_SOCKET_ROWS(P_DNS),
	IF(P_DNS, "socket", "AF_UNIX SOCK_STREAM", IS(0, L_AF_UNIX), BITS(1, L_SOCK_TYPE_MASK, L_SOCK_STREAM)),
	IF(P_DNS, "socket", "AF_NETLINK SOCK_RAW NETLINK_ROUTE", IS(0, L_AF_NETLINK),
	   BITS(1, L_SOCK_TYPE_MASK, L_SOCK_RAW), IS(2, L_NETLINK_ROUTE)),
	ALL(P_DNS, "connect bind getsockname sendto recvmsg stat newfstatat"),
	OPEN(P_DNS, "O_RDONLY", L_O_RDONLY),
	IF(P_DNS, "setsockopt", "IP_RECVERR", IS(1, L_IPPROTO_IP), IS(2, L_IP_RECVERR)),
	IF(P_DNS, "setsockopt", "IPV6_RECVERR", IS(1, L_IPPROTO_IPV6), IS(2, L_IPV6_RECVERR)),
	SOFT(P_DNS, "sendmmsg", "fails with ENOSYS: glibc then uses sendto", ENOSYS),

	/* getpw: the passwd and group databases: files, nscd */
	IF(P_GETPW, "socket", "AF_UNIX SOCK_STREAM", IS(0, L_AF_UNIX), BITS(1, L_SOCK_TYPE_MASK, L_SOCK_STREAM)),
	ALL(P_GETPW, "connect"),
	OPEN(P_GETPW, "O_RDONLY", L_O_RDONLY),

	/* sendfd, recvfd: sendmsg and recvmsg may carry descriptors (SCM_RIGHTS) */
	ALL(P_SENDFD, "sendmsg sendmmsg"),
	ALL(P_RECVFD, "recvmsg recvmmsg"),

	/* tty: terminal control */
	IOCTL(P_TTY, TCGETS), IOCTL(P_TTY, TCSETS), IOCTL(P_TTY, TCSETSW), IOCTL(P_TTY, TCSETSF),
	IOCTL(P_TTY, TIOCGWINSZ), IOCTL(P_TTY, TIOCSWINSZ), IOCTL(P_TTY, TIOCGPGRP), IOCTL(P_TTY, TIOCGSID),
	IOCTL(P_TTY, TCFLSH), IOCTL(P_TTY, TCXONC), IOCTL(P_TTY, TCSBRK), IOCTL(P_TTY, TCSBRKP),
	IOCTL(P_TTY, TIOCSBRK), IOCTL(P_TTY, TIOCCBRK), IOCTL(P_TTY, TIOCEXCL), IOCTL(P_TTY, TIOCNXCL),
	IOCTL(P_TTY, TIOCSCTTY), IOCTL(P_TTY, TIOCNOTTY), IOCTL(P_TTY, TIOCOUTQ), IOCTL(P_TTY, TIOCMGET),
	IOCTL(P_TTY, TIOCMSET), IOCTL(P_TTY, TIOCMBIS), IOCTL(P_TTY, TIOCMBIC), IOCTL(P_TTY, TIOCGPTN),
	IOCTL(P_TTY, TIOCSPTLCK), IOCTL(P_TTY, TIOCGPTPEER),
	IOCTL(P_TTY | P_PROC, TIOCSPGRP),

	/* proc: processes, signals to others, scheduling */
	ALL(P_PROC, "fork vfork clone clone3 kill tkill tgkill rt_sigqueueinfo rt_tgsigqueueinfo pidfd_open "
		    "pidfd_send_signal setsid setpgid getpriority setpriority prlimit64 setrlimit "
		    "sched_getaffinity sched_setaffinity sched_getscheduler sched_setscheduler sched_getparam "
		    "sched_setparam sched_getattr sched_setattr sched_get_priority_max sched_get_priority_min "
		    "sched_rr_get_interval ioprio_get ioprio_set"),
	FCNTL(P_PROC, F_SETOWN), FCNTL(P_PROC, F_GETOWN), FCNTL(P_PROC, F_SETSIG), FCNTL(P_PROC, F_GETSIG),
	FCNTL(P_PROC, F_SETOWN_EX), FCNTL(P_PROC, F_GETOWN_EX),
	PRCTL(P_PROC, PR_SET_PDEATHSIG), PRCTL(P_PROC, PR_GET_PDEATHSIG), PRCTL(P_PROC, PR_SET_CHILD_SUBREAPER),
	PRCTL(P_PROC, PR_GET_CHILD_SUBREAPER),

	/* exec */
	ALL(P_EXEC, "execve execveat"),

	/* prot_exec: executable mappings (with stdio, which has mmap) */
	ALL(P_STDIO | P_PROT_EXEC, "mmap mprotect"),

	/* settime */
	ALL(P_SETTIME, "settimeofday clock_settime adjtimex clock_adjtime"),

	/* ps: scheduling facts of other processes (their /proc files need rpath) */
	ALL(P_PS, "getpriority sched_getaffinity sched_getparam sched_getscheduler sched_getattr "
		  "sched_rr_get_interval ioprio_get"),
	IF(P_PS, "prlimit64", "no new limit", NUL(2)),

	/* vminfo: system memory and load (files under /proc need rpath) */
	ALL(P_VMINFO, "sysinfo"),

	/* id: credentials and limits */
	ALL(P_ID, "setuid setgid setreuid setregid setresuid setresgid setgroups setfsuid setfsgid capget "
		  "capset setrlimit prlimit64 getpriority setpriority"),
	PRCTL(P_ID, PR_GET_KEEPCAPS), PRCTL(P_ID, PR_SET_KEEPCAPS), PRCTL(P_ID, PR_CAP_AMBIENT),

	/* route: reading routes and interfaces */
	NETLINK_ROUTE_ROWS(P_ROUTE),
	IOCTL(P_ROUTE, SIOCGIFNAME), IOCTL(P_ROUTE, SIOCGIFCONF), IOCTL(P_ROUTE, SIOCGIFFLAGS),
	IOCTL(P_ROUTE, SIOCGIFADDR), IOCTL(P_ROUTE, SIOCGIFDSTADDR), IOCTL(P_ROUTE, SIOCGIFBRDADDR),
	IOCTL(P_ROUTE, SIOCGIFNETMASK), IOCTL(P_ROUTE, SIOCGIFMETRIC), IOCTL(P_ROUTE, SIOCGIFMTU),
	IOCTL(P_ROUTE, SIOCGIFHWADDR), IOCTL(P_ROUTE, SIOCGIFINDEX), IOCTL(P_ROUTE, SIOCGIFTXQLEN),

	/* wroute: changing them (the kernel also wants CAP_NET_ADMIN) */
	NETLINK_ROUTE_ROWS(P_WROUTE),
	IOCTL(P_WROUTE, SIOCADDRT), IOCTL(P_WROUTE, SIOCDELRT), IOCTL(P_WROUTE, SIOCSIFFLAGS),
	IOCTL(P_WROUTE, SIOCSIFADDR), IOCTL(P_WROUTE, SIOCSIFDSTADDR), IOCTL(P_WROUTE, SIOCSIFBRDADDR),
	IOCTL(P_WROUTE, SIOCSIFNETMASK), IOCTL(P_WROUTE, SIOCSIFMTU),

	/* unveil: the process may restrict its own file access further (Landlock) */
	ALL(P_UNVEIL, "landlock_create_ruleset landlock_add_rule landlock_restrict_self"),

	/* stdio, last: clone3's flags are in memory; glibc falls back to clone on ENOSYS */
	SOFT(P_STDIO, "clone3", "fails with ENOSYS: glibc then uses clone", ENOSYS),
};

const size_t pledge_nrows = sizeof pledge_rows / sizeof pledge_rows[0];

/* ------------------------------------------------------------------ parsing */

#define SEPARATORS " \t\n"
#define NAME_MAX_SHOWN 64

int pledge_parse(const char *promises, uint32_t *set)
{
	uint32_t s = 0;
	const char *p = promises;

	if (!promises) {
		sb_set_error("pledge: no promises (NULL)");
		return -EINVAL;
	}
	for (;;) {
		size_t n;
		int i;

		p += strspn(p, SEPARATORS);
		if (!*p)
			break;
		n = strcspn(p, SEPARATORS);
		for (i = 0; i < PL_NPROMISES; i++)
			if (strlen(pledge_names[i]) == n && !memcmp(pledge_names[i], p, n))
				break;
		if (i < PL_NPROMISES) {
			s |= PL_BIT(i);
			p += n;
			continue;
		}
		for (size_t k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++)
			if (strlen(unsupported[k]) == n && !memcmp(unsupported[k], p, n)) {
				sb_set_error("pledge: promise '%s' has no Linux equivalent (not supported)",
					     unsupported[k]);
				return -EINVAL;
			}
		sb_set_error("pledge: unknown promise '%.*s'", (int)(n > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : n), p);
		return -EINVAL;
	}
	*set = s;
	return 0;
}

/* ------------------------------------------------------------------ applying */

/* "pledge stdio", "pledge rpath wpath", "pledge (always)" */
static void origin_of(uint32_t need, char *buf, size_t size)
{
	size_t len;

	strcpy(buf, "pledge");
	len = strlen(buf);
	if (!need) {
		strcpy(buf + len, " (always)");
		return;
	}
	for (int i = 0; i < PL_NPROMISES; i++) {
		size_t n = strlen(pledge_names[i]);

		if (!(need & PL_BIT(i)) || len + 1 + n + 1 > size)
			continue;
		buf[len++] = ' ';
		memcpy(buf + len, pledge_names[i], n + 1);
		len += n;
	}
}

static uint64_t self_value(uint8_t self)
{
	switch (self) {
	case PL_SELF_PID:
		return (uint32_t)getpid();
	case PL_SELF_UID:
		return (uint32_t)geteuid();
	case PL_SELF_GID:
		return (uint32_t)getegid();
	default:
		return 0;
	}
}

/* next name of a space-separated list: its number, or -1 at the end; -ENOENT if unknown */
static long next_call(const char **cursor, char *name, size_t size)
{
	const char *p = *cursor + strspn(*cursor, " ");
	size_t n = strcspn(p, " ");
	long nr;

	if (!n)
		return -1;
	*cursor = p + n;
	if (n >= size)
		return -ENOENT;
	memcpy(name, p, n);
	name[n] = 0;
	nr = sb_sysent_lookup(name);
	return nr < 0 ? -ENOENT : nr;
}

/* Staged changes: per-call actions and origins are kept aside and copied in
 * at the end; rules are appended to the policy and cut off again on failure. */
struct stage {
	uint32_t action[SB_NR_SYSCALLS];
	char *origin[SB_NR_SYSCALLS]; /* new origins (owned), NULL: unchanged */
};

static int allows(uint32_t a)
{
	return a == SB_ACT_ALLOW || a == SB_ACT_LOG;
}

static int set_action(struct stage *st, long nr, uint32_t action, const char *origin)
{
	char *o = strdup(origin);

	if (!o)
		return -ENOMEM;
	free(st->origin[nr]);
	st->origin[nr] = o;
	st->action[nr] = action;
	return 0;
}

static int apply_row(struct sb_policy *pol, struct stage *st, const struct pledge_row *r, int soft)
{
	char origin[160], name[40];
	const char *cursor = r->calls;
	long nr;
	int rc;

	origin_of(r->need, origin, sizeof origin);
	if (r->cmp[0].op) {
		struct sb_rule rule;

		memset(&rule, 0, sizeof rule);
		nr = next_call(&cursor, name, sizeof name);
		if (nr < 0)
			goto bad_name;
		rule.nr = nr;
		rule.action = SB_ACT_ALLOW;
		rule.origin = origin;
		for (unsigned i = 0; i < SB_RULE_MAX_CMP && r->cmp[i].op; i++) {
			const struct pledge_cmp *c = &r->cmp[i];

			rule.cmp[i].arg = c->arg;
			rule.cmp[i].op = (enum sb_cmp_op)c->op;
			rule.cmp[i].a = c->a;
			rule.cmp[i].b = c->self ? self_value(c->self) : c->b;
			rule.ncmp = i + 1;
		}
		return sb_policy_add_rule(pol, &rule);
	}
	while ((nr = next_call(&cursor, name, sizeof name)) != -1) {
		if (nr < 0)
			goto bad_name;
		if (allows(st->action[nr]))
			continue; /* already allowed: keep its action (LOG stays LOG) and origin */
		rc = set_action(st, nr, soft ? SB_ACT_ERRNO(r->soft_errno) : SB_ACT_ALLOW, origin);
		if (rc)
			return rc;
	}
	return 0;
bad_name:
	/* the table names a call this build does not know: a bug, caught by the unit test */
	sb_set_error("pledge: internal: no system call '%s'", name);
	return -EINVAL;
}

static int apply(struct sb_policy *pol, uint32_t set)
{
	struct stage *st = calloc(1, sizeof *st);
	size_t nrules0 = pol->nrules;
	uint32_t dflt = pol->default_action;
	int rc = 0;

	if (!st)
		return -ENOMEM;
	memcpy(st->action, pol->action, sizeof st->action);
	/* the allowances, in table order */
	for (size_t i = 0; i < pledge_nrows && !rc; i++)
		if (!(pledge_rows[i].need & ~set) && !pledge_rows[i].soft_errno)
			rc = apply_row(pol, st, &pledge_rows[i], 0);
	/* "error": what would end the process fails with EPERM instead */
	if (!rc && (set & PL_BIT(PL_ERROR))) {
		if (dflt == SB_ACT_KILL || dflt == SB_ACT_TRAP)
			dflt = SB_ACT_ERRNO(EPERM);
		for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
			if (st->action[nr] == SB_ACT_KILL || st->action[nr] == SB_ACT_TRAP)
				st->action[nr] = SB_ACT_ERRNO(EPERM);
	}
	/* soft denials, for calls nothing allowed */
	for (size_t i = 0; i < pledge_nrows && !rc; i++)
		if (!(pledge_rows[i].need & ~set) && pledge_rows[i].soft_errno)
			rc = apply_row(pol, st, &pledge_rows[i], 1);
	if (rc) {
		for (size_t i = nrules0; i < pol->nrules; i++)
			free(pol->rules[i].origin);
		pol->nrules = nrules0;
		for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
			free(st->origin[nr]);
		free(st);
		return rc;
	}
	for (int nr = 0; nr < SB_NR_SYSCALLS; nr++) {
		pol->action[nr] = st->action[nr];
		if (st->origin[nr]) {
			free(pol->action_origin[nr]);
			pol->action_origin[nr] = st->origin[nr];
		}
	}
	pol->default_action = dflt;
	free(st);
	return 0;
}

int sb_policy_pledge(struct sb_policy *pol, const char *promises)
{
	uint32_t set;
	int rc;

	if (!pol) {
		sb_set_error("pledge: no policy (NULL)");
		return -EINVAL;
	}
	rc = pledge_parse(promises, &set);
	if (rc)
		return rc;
	rc = apply(pol, set);
	if (rc == -E2BIG)
		sb_set_error("pledge: the policy has too many rules (at most %d)", POLICY_MAX_RULES);
	return rc;
}

/* ------------------------------------------------------------------ sb_pledge() */

/* Set once sb_pledge() has entered: the policy (freeing it inside could take
 * brk or munmap, which the promises may forbid) and the execpromises. */
static struct sb_policy *entered_policy, *entered_exec_policy;
static char *exec_promises;

const char *pledge_execpromises(void)
{
	return exec_promises;
}

int sb_pledge(const char *promises, const char *execpromises)
{
	struct sb_policy *pol = NULL, *xpol = NULL;
	char *xcopy = NULL;
	uint32_t set, xset = 0;
	int rc;

	if (sb_inside())
		return sb_fail(-EBUSY, "pledge: already inside a sandbox: tightening its policy from inside "
				       "is not supported yet");
	rc = pledge_parse(promises, &set);
	if (rc)
		return rc;
	if (execpromises) {
		rc = pledge_parse(execpromises, &xset);
		if (rc)
			return rc;
		xcopy = strdup(execpromises);
		if (!xcopy)
			return -ENOMEM;
	}
	rc = sb_policy_new((set & PL_BIT(PL_ERROR)) ? SB_ACT_ERRNO(EPERM) : SB_ACT_KILL, &pol);
	if (!rc)
		rc = sb_policy_pledge(pol, promises);
	/* execpromises: the policy of executed programs */
	if (!rc && execpromises) {
		rc = sb_policy_new((xset & PL_BIT(PL_ERROR)) ? SB_ACT_ERRNO(EPERM) : SB_ACT_KILL, &xpol);
		if (!rc)
			rc = sb_policy_pledge(xpol, execpromises);
		if (!rc)
			rc = sb_policy_set_exec(pol, xpol);
	}
	if (!rc)
		rc = sb_enter(pol);
	if (rc) {
		sb_policy_free(pol);
		sb_policy_free(xpol);
		free(xcopy);
		return rc;
	}
	/* inside: from here on no system call the promises might refuse */
	entered_policy = pol;
	entered_exec_policy = xpol;
	exec_promises = xcopy;
	return 0;
}
