/* SPDX-License-Identifier: MIT */
/* tests/unit/test_pledge.c: OpenBSD-style promises (sb_policy_pledge, sb_pledge), table-driven.
 *
 * Promise strings are turned into a policy, compiled as sb_enter() would,
 * and asked for decisions on (call, arguments), written with the libc's own
 * constants (the library writes the ABI numbers out by hand: this checks
 * them too). The table behind the promises is also checked for sanity and
 * against its copy in docs/policy.md:
 *
 *   test_pledge --doc   prints the table docs/policy.md must contain
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sandbox.h>
#include "compiled.h"
#include "policy.h"
#include "pledge.h"
#include "../../libsandbox/src/api/api.h"

#ifndef SB_DOCS_DIR
#error "SB_DOCS_DIR must name the docs directory"
#endif

#define ALLOW SB_ACT_ALLOW
#define KILL SB_ACT_KILL
#define EPERM_ SB_ACT_ERRNO(EPERM)
#define ENOSYS_ SB_ACT_ERRNO(ENOSYS)

/* placeholders replaced when the case runs */
#define PID 0xfeed0001u
#define UID 0xfeed0002u
#define GID 0xfeed0003u
#define SX(v) ((uint64_t)(int64_t)(int32_t)(v)) /* an int as a caller sign-extends it */
#define THREAD_FLAGS                                                                              \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static struct cp_policy *compile(const struct sb_policy *p)
{
	struct cp_policy *c = calloc(1, sizeof *c);

	assert_non_null(c);
	assert_int_equal(policy_compile(p, c), 0);
	return c;
}

static uint64_t subst(uint64_t v)
{
	if (v == PID)
		return (uint32_t)getpid();
	if (v == UID)
		return (uint32_t)geteuid();
	if (v == GID)
		return (uint32_t)getegid();
	return v;
}

static uint32_t decide(const struct cp_policy *c, long nr, const uint64_t args[6], const char **why)
{
	uint64_t a[6];
	uint32_t origin, act;

	for (int i = 0; i < 6; i++)
		a[i] = subst(args[i]);
	act = policy_decide(c, nr, a, &origin);
	*why = origin == POLICY_NO_ORIGIN ? NULL : c->origins + origin;
	return act;
}

/* a KILL-default policy with these promises, compiled */
static struct cp_policy *pledged(const char *promises, uint32_t dflt)
{
	struct sb_policy *p = NULL;
	struct cp_policy *c;

	assert_int_equal(sb_policy_new(dflt, &p), 0);
	if (sb_policy_pledge(p, promises) != 0)
		fail_msg("sb_policy_pledge(\"%s\"): %s", promises, sb_last_error());
	c = compile(p);
	sb_policy_free(p);
	return c;
}

struct dcase {
	const char *promises;
	long nr;
	uint64_t a[6];
	uint32_t act;
	const char *origin; /* NULL: no origin (the default or a bare per-call action) */
	int line;
};

#define C(pr, nr, act, origin, ...) { pr, nr, { __VA_ARGS__ }, act, origin, __LINE__ }

static const struct dcase cases[] = {
	/* nothing promised: exiting only */
	C("", SYS_exit_group, ALLOW, "pledge (always)", 0),
	C("", SYS_rt_sigreturn, ALLOW, "pledge (always)", 0),
	C("", SYS_write, KILL, NULL, 1, 0, 1),
	C("", SYS_getpid, KILL, NULL, 0),

	/* stdio */
	C("stdio", SYS_write, ALLOW, "pledge stdio", 1, 0, 1),
	C("stdio", SYS_read, ALLOW, "pledge stdio", 0, 0, 1),
	C("stdio", SYS_exit_group, ALLOW, "pledge (always)", 0),
	C("stdio", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0, O_RDONLY),
	C("stdio", SYS_open, KILL, NULL, 0, O_RDONLY),
	C("stdio", SYS_execve, KILL, NULL, 0),
	C("stdio", SYS_getpid, ALLOW, "pledge stdio", 0),
	C("stdio", SYS_sysinfo, ALLOW, "pledge stdio", 0),
	C("stdio", SYS_mmap, ALLOW, "pledge stdio", 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	  SX(-1), 0),
	C("stdio", SYS_mmap, KILL, NULL, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, 3, 0),
	C("stdio", SYS_mmap, KILL, NULL, 0, 4096, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, SX(-1), 0),
	C("stdio", SYS_mprotect, ALLOW, "pledge stdio", 0x10000, 4096, PROT_READ),
	C("stdio", SYS_mprotect, KILL, NULL, 0x10000, 4096, PROT_READ | PROT_EXEC),
	C("stdio", SYS_pkey_mprotect, KILL, NULL, 0x10000, 4096, PROT_READ, 0),
	C("stdio", SYS_fcntl, ALLOW, "pledge stdio", 3, F_GETFD),
	C("stdio", SYS_fcntl, ALLOW, "pledge stdio", 3, F_SETFL, O_NONBLOCK),
	C("stdio", SYS_fcntl, ALLOW, "pledge stdio", 3, F_DUPFD_CLOEXEC, 10),
	C("stdio", SYS_fcntl, ALLOW, "pledge stdio", 3, F_ADD_SEALS, F_SEAL_SEAL),
	C("stdio", SYS_fcntl, KILL, NULL, 3, F_SETLK, 0x1000),
	C("stdio", SYS_fcntl, KILL, NULL, 3, F_SETOWN, 1),
	C("stdio", SYS_fcntl, KILL, NULL, 3, F_NOTIFY, 0),
	C("stdio", SYS_fcntl, KILL, NULL, 3, F_SETLEASE, 0),
	/* the kernel reads cmd as an int: high bits do not hide F_SETOWN */
	C("stdio", SYS_fcntl, KILL, NULL, 3, 0x100000000ull | F_SETOWN),
	C("stdio", SYS_fcntl, ALLOW, "pledge stdio", 3, 0x100000000ull | F_GETFD),
	C("stdio", SYS_ioctl, ALLOW, "pledge stdio", 0, FIONREAD, 0x1000),
	C("stdio", SYS_ioctl, ALLOW, "pledge stdio", 0, FIONBIO, 0x1000),
	C("stdio", SYS_ioctl, ALLOW, "pledge stdio", 0, FIOCLEX),
	C("stdio", SYS_ioctl, ALLOW, "pledge stdio", 0, FIONCLEX),
	C("stdio", SYS_ioctl, ALLOW, "pledge stdio", 0, TCGETS, 0x1000), /* isatty() */
	C("stdio", SYS_ioctl, KILL, NULL, 0, TIOCSTI, 0x1000),
	C("stdio", SYS_ioctl, KILL, NULL, 0, TIOCSWINSZ, 0x1000),
	C("stdio", SYS_ioctl, KILL, NULL, 0, TCSETS, 0x1000),
	C("stdio", SYS_ioctl, ALLOW, "pledge stdio", 0, 0xffffffff00000000ull | FIONREAD, 0x1000), /* the kernel reads an int */
	C("stdio", SYS_socket, KILL, NULL, AF_INET, SOCK_STREAM, 0),
	C("stdio", SYS_socket, KILL, NULL, AF_UNIX, SOCK_STREAM, 0),
	C("stdio", SYS_socketpair, ALLOW, "pledge stdio", AF_UNIX, SOCK_STREAM, 0, 0x1000),
	C("stdio", SYS_socketpair, KILL, NULL, AF_INET, SOCK_STREAM, 0, 0x1000),
	C("stdio", SYS_sendto, ALLOW, "pledge stdio", 3, 0x1000, 10, 0, 0, 0),
	C("stdio", SYS_sendto, KILL, NULL, 3, 0x1000, 10, 0, 0x2000, 16),
	C("stdio", SYS_recvfrom, ALLOW, "pledge stdio", 3, 0x1000, 10, 0, 0x2000, 0x3000),
	C("stdio", SYS_connect, KILL, NULL, 3, 0x2000, 16),
	C("stdio", SYS_sendmsg, KILL, NULL, 3, 0x1000, 0),
	C("stdio", SYS_recvmsg, KILL, NULL, 3, 0x1000, 0),
	C("stdio", SYS_getsockopt, ALLOW, "pledge stdio", 3, SOL_SOCKET, SO_ERROR, 0x1000, 0x2000),
	C("stdio", SYS_setsockopt, ALLOW, "pledge stdio", 3, SOL_SOCKET, SO_RCVBUF, 0x1000, 4),
	C("stdio", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_ERROR, 0x1000, 4),
	C("stdio", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_REUSEADDR, 0x1000, 4),
	C("stdio", SYS_kill, ALLOW, "pledge stdio", PID, SIGABRT),
	C("stdio", SYS_kill, KILL, NULL, 1, SIGKILL),
	C("stdio", SYS_kill, KILL, NULL, 0, SIGTERM),        /* the process group */
	C("stdio", SYS_kill, KILL, NULL, SX(-1), SIGTERM),   /* everyone */
	C("stdio", SYS_kill, KILL, NULL, SX(-100), SIGTERM),       /* a process group */
	C("stdio", SYS_tgkill, ALLOW, "pledge stdio", PID, 1234, SIGABRT),
	C("stdio", SYS_tgkill, KILL, NULL, 1, 1, SIGKILL),
	C("stdio", SYS_tkill, KILL, NULL, 1, SIGKILL),
	C("stdio", SYS_rt_sigqueueinfo, ALLOW, "pledge stdio", PID, SIGUSR1, 0x1000),
	C("stdio", SYS_rt_sigqueueinfo, KILL, NULL, 1, SIGUSR1, 0x1000),
	C("stdio", SYS_newfstatat, ALLOW, "pledge stdio", 1, 0x1000, 0x2000, AT_EMPTY_PATH), /* fstat() */
	C("stdio", SYS_newfstatat, KILL, NULL, SX(AT_FDCWD), 0x1000, 0x2000, 0),
	C("stdio", SYS_statx, ALLOW, "pledge stdio", 1, 0x1000, AT_EMPTY_PATH, STATX_BASIC_STATS, 0x2000),
	C("stdio", SYS_statx, KILL, NULL, SX(AT_FDCWD), 0x1000, 0, STATX_BASIC_STATS, 0x2000),
	C("stdio", SYS_clone, ALLOW, "pledge stdio", THREAD_FLAGS, 0x7000, 0x1000, 0x2000, 0x3000),
	C("stdio", SYS_clone, KILL, NULL, SIGCHLD, 0, 0, 0, 0),                              /* fork() */
	C("stdio", SYS_clone, KILL, NULL, CLONE_VM | CLONE_VFORK | SIGCHLD, 0x7000, 0, 0, 0), /* posix_spawn */
	C("stdio", SYS_clone, KILL, NULL, THREAD_FLAGS | CLONE_NEWUSER, 0x7000, 0, 0, 0),
	C("stdio", SYS_clone, KILL, NULL, THREAD_FLAGS | CLONE_PTRACE, 0x7000, 0, 0, 0),
	C("stdio", SYS_clone3, ENOSYS_, "pledge stdio", 0x1000, 88),
	C("stdio", SYS_fork, KILL, NULL, 0),
	C("stdio", SYS_prlimit64, ALLOW, "pledge stdio", 0, RLIMIT_NOFILE, 0, 0x1000),
	C("stdio", SYS_prlimit64, KILL, NULL, 0, RLIMIT_NOFILE, 0x1000, 0),
	C("stdio", SYS_prlimit64, KILL, NULL, 1, RLIMIT_NOFILE, 0, 0x1000),
	C("stdio", SYS_sched_getaffinity, ALLOW, "pledge stdio", 0, 128, 0x1000),
	C("stdio", SYS_sched_getaffinity, KILL, NULL, 1, 128, 0x1000),
	C("stdio", SYS_prctl, ALLOW, "pledge stdio", PR_SET_NAME, 0x1000),
	C("stdio", SYS_prctl, ALLOW, "pledge stdio", PR_SET_VMA, 0, 0x1000, 4096, 0x2000),
	C("stdio", SYS_prctl, KILL, NULL, PR_SET_PDEATHSIG, SIGKILL),
	C("stdio", SYS_prctl, KILL, NULL, PR_SET_KEEPCAPS, 1),
	C("stdio", SYS_chdir, KILL, NULL, 0x1000),
	C("stdio", SYS_fchdir, ALLOW, "pledge stdio", 3),
	C("stdio", SYS_landlock_restrict_self, KILL, NULL, 3, 0),
	C("stdio", SYS_memfd_create, KILL, NULL, 0x1000, 0),

	/* prot_exec: with stdio, which has mmap */
	C("stdio prot_exec", SYS_mmap, ALLOW, "pledge stdio prot_exec", 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
	  3, 0),
	C("stdio prot_exec", SYS_mprotect, ALLOW, "pledge stdio prot_exec", 0x10000, 4096, PROT_READ | PROT_EXEC),
	C("stdio prot_exec", SYS_mmap, ALLOW, "pledge stdio", 0, 4096, PROT_READ, MAP_PRIVATE, 3, 0),
	C("prot_exec", SYS_mmap, KILL, NULL, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, 3, 0),
	C("prot_exec", SYS_mmap, KILL, NULL, 0, 4096, PROT_READ, MAP_PRIVATE, 3, 0),

	/* rpath */
	C("rpath", SYS_openat, ALLOW, "pledge rpath", SX(AT_FDCWD), 0x1000, O_RDONLY),
	C("rpath", SYS_openat, ALLOW, "pledge rpath", SX(AT_FDCWD), 0x1000, O_RDONLY | O_CLOEXEC | O_DIRECTORY),
	C("rpath", SYS_openat, ALLOW, "pledge rpath", SX(AT_FDCWD), 0x1000, O_PATH | O_NOFOLLOW),
	C("rpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY),
	C("rpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDWR),
	C("rpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_ACCMODE),
	C("rpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDONLY | O_CREAT, 0644),
	C("rpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDONLY | O_TRUNC), /* truncates on Linux */
	C("rpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_TMPFILE | O_RDWR, 0600),
	C("rpath", SYS_open, ALLOW, "pledge rpath", 0x1000, O_RDONLY),
	C("rpath", SYS_open, KILL, NULL, 0x1000, O_WRONLY | O_APPEND),
	C("rpath", SYS_openat2, KILL, NULL, SX(AT_FDCWD), 0x1000, 0x2000, 24),
	C("rpath", SYS_newfstatat, ALLOW, "pledge rpath", SX(AT_FDCWD), 0x1000, 0x2000, 0),
	C("rpath", SYS_getdents64, ALLOW, "pledge rpath", 3, 0x1000, 4096),
	C("rpath", SYS_unlink, KILL, NULL, 0x1000),
	C("rpath", SYS_write, KILL, NULL, 1, 0x1000, 1),

	/* wpath */
	C("wpath", SYS_openat, ALLOW, "pledge wpath", SX(AT_FDCWD), 0x1000, O_WRONLY),
	C("wpath", SYS_openat, ALLOW, "pledge wpath", SX(AT_FDCWD), 0x1000, O_WRONLY | O_APPEND | O_CLOEXEC),
	C("wpath", SYS_openat, ALLOW, "pledge wpath", SX(AT_FDCWD), 0x1000, O_WRONLY | O_TRUNC),
	C("wpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDONLY),
	C("wpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDWR),
	C("wpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT, 0644),
	C("wpath", SYS_truncate, ALLOW, "pledge wpath", 0x1000, 0),
	C("rpath wpath", SYS_openat, ALLOW, "pledge rpath wpath", SX(AT_FDCWD), 0x1000, O_RDWR),
	C("rpath wpath", SYS_openat, ALLOW, "pledge rpath wpath", SX(AT_FDCWD), 0x1000, O_RDONLY | O_TRUNC),
	C("rpath wpath", SYS_openat, ALLOW, "pledge rpath", SX(AT_FDCWD), 0x1000, O_RDONLY),
	C("wpath rpath", SYS_openat, ALLOW, "pledge wpath", SX(AT_FDCWD), 0x1000, O_WRONLY),
	C("rpath wpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDWR | O_CREAT, 0644),

	/* cpath: names; creating files also needs the access it opens with */
	C("cpath", SYS_mkdir, ALLOW, "pledge cpath", 0x1000, 0755),
	C("cpath", SYS_unlinkat, ALLOW, "pledge cpath", SX(AT_FDCWD), 0x1000, 0),
	C("cpath", SYS_renameat2, ALLOW, "pledge cpath", SX(AT_FDCWD), 0x1000, SX(AT_FDCWD), 0x2000, 0),
	C("cpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT, 0644),
	C("cpath", SYS_creat, KILL, NULL, 0x1000, 0644),
	C("wpath cpath", SYS_openat, ALLOW, "pledge wpath cpath", SX(AT_FDCWD), 0x1000,
	  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
	C("wpath cpath", SYS_openat, ALLOW, "pledge wpath cpath", SX(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT | O_EXCL,
	  0600),
	C("wpath cpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT, 04755),
	C("wpath cpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT, 02755),
	C("wpath cpath", SYS_openat, ALLOW, "pledge wpath cpath", SX(AT_FDCWD), 0x1000, O_WRONLY | O_CREAT, 01777),
	C("wpath cpath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDWR | O_CREAT, 0644),
	C("wpath cpath", SYS_open, ALLOW, "pledge wpath cpath", 0x1000, O_WRONLY | O_CREAT, 0644),
	C("wpath cpath", SYS_creat, ALLOW, "pledge wpath cpath", 0x1000, 0644),
	C("wpath cpath", SYS_creat, KILL, NULL, 0x1000, 04755),
	C("rpath wpath cpath", SYS_openat, ALLOW, "pledge rpath wpath cpath", SX(AT_FDCWD), 0x1000,
	  O_RDWR | O_CREAT, 0644),
	C("rpath wpath cpath", SYS_openat, ALLOW, "pledge rpath wpath cpath", SX(AT_FDCWD), 0x1000,
	  O_TMPFILE | O_RDWR, 0600),
	C("rpath cpath", SYS_openat, ALLOW, "pledge rpath cpath", SX(AT_FDCWD), 0x1000, O_RDONLY | O_CREAT, 0644),

	/* dpath */
	C("dpath", SYS_mknodat, ALLOW, "pledge dpath", SX(AT_FDCWD), 0x1000, S_IFIFO | 0644, 0),
	C("dpath", SYS_mknodat, KILL, NULL, SX(AT_FDCWD), 0x1000, S_IFREG | 04755, 0),
	C("dpath", SYS_mknod, ALLOW, "pledge dpath", 0x1000, S_IFIFO | 0600, 0),

	/* tmppath: anonymous files */
	C("tmppath", SYS_openat, ALLOW, "pledge tmppath", SX(AT_FDCWD), 0x1000, O_TMPFILE | O_RDWR | O_CLOEXEC,
	  0600),
	C("tmppath", SYS_openat, ALLOW, "pledge tmppath", SX(AT_FDCWD), 0x1000, O_TMPFILE | O_WRONLY | O_EXCL,
	  0600),
	C("tmppath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_TMPFILE | O_RDWR, 04700),
	C("tmppath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDWR | O_CREAT, 0600),
	C("tmppath", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDONLY),
	C("tmppath", SYS_memfd_create, ALLOW, "pledge tmppath", 0x1000, MFD_CLOEXEC),
	C("tmppath", SYS_unlink, KILL, NULL, 0x1000),

	/* inet */
	C("inet", SYS_socket, ALLOW, "pledge inet", AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
	C("inet", SYS_socket, ALLOW, "pledge inet", AF_INET, SOCK_STREAM, IPPROTO_TCP),
	C("inet", SYS_socket, ALLOW, "pledge inet", AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP),
	C("inet", SYS_socket, ALLOW, "pledge inet", AF_INET, SOCK_DGRAM, IPPROTO_ICMP), /* ping */
	C("inet", SYS_socket, ALLOW, "pledge inet", AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6),
	C("inet", SYS_socket, KILL, NULL, AF_UNIX, SOCK_STREAM, 0),
	C("inet", SYS_socket, KILL, NULL, AF_INET, SOCK_RAW, IPPROTO_ICMP),
	C("inet", SYS_socket, KILL, NULL, AF_INET, SOCK_STREAM, IPPROTO_SCTP),
	C("inet", SYS_socket, KILL, NULL, AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE),
	C("inet", SYS_socket, KILL, NULL, AF_INET, SOCK_STREAM, SX(-1)),
	C("inet", SYS_socket, KILL, NULL, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE),
	C("inet", SYS_socket, KILL, NULL, AF_PACKET, SOCK_DGRAM, 0),
	C("inet", SYS_connect, ALLOW, "pledge inet", 3, 0x1000, 16),
	C("inet", SYS_sendto, ALLOW, "pledge inet", 3, 0x1000, 10, 0, 0x2000, 16),
	C("inet", SYS_accept4, ALLOW, "pledge inet", 3, 0, 0, SOCK_CLOEXEC),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, SOL_SOCKET, SO_REUSEADDR, 0x1000, 4),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, SOL_SOCKET, SO_RCVTIMEO_NEW, 0x1000, 16),
	C("inet", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_BINDTODEVICE, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_MARK, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_ATTACH_FILTER, 0x1000, 16),
	C("inet", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_ATTACH_BPF, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, SO_BINDTOIFINDEX, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, SOL_SOCKET, 0x100000000ull | SO_BINDTODEVICE, 0x1000, 4),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, IPPROTO_TCP, TCP_NODELAY, 0x1000, 4),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, IPPROTO_TCP, TCP_KEEPIDLE, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, IPPROTO_TCP, TCP_ULP, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, IPPROTO_TCP, TCP_REPAIR, 0x1000, 4),
	C("inet", SYS_getsockopt, ALLOW, "pledge inet", 3, IPPROTO_TCP, TCP_INFO, 0x1000, 0x2000),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, IPPROTO_IP, IP_TOS, 0x1000, 4),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, IPPROTO_IP, IP_RECVERR, 0x1000, 4),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, IPPROTO_IPV6, IPV6_V6ONLY, 0x1000, 4),
	C("inet", SYS_setsockopt, ALLOW, "pledge inet", 3, IPPROTO_IPV6, IPV6_TCLASS, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, IPPROTO_IP, IP_ADD_MEMBERSHIP, 0x1000, 8),
	C("inet", SYS_setsockopt, KILL, NULL, 3, IPPROTO_IP, IP_TRANSPARENT, 0x1000, 4),
	C("inet", SYS_setsockopt, KILL, NULL, 3, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, 0x1000, 20),
	C("inet", SYS_ioctl, ALLOW, "pledge inet", 3, SIOCATMARK, 0x1000),
	C("inet", SYS_ioctl, KILL, NULL, 3, SIOCGIFINDEX, 0x1000),
	C("inet", SYS_sendmsg, KILL, NULL, 3, 0x1000, 0),
	C("inet mcast", SYS_setsockopt, ALLOW, "pledge inet mcast", 3, IPPROTO_IP, IP_ADD_MEMBERSHIP, 0x1000, 8),
	C("inet mcast", SYS_setsockopt, ALLOW, "pledge inet mcast", 3, IPPROTO_IP, IP_MULTICAST_TTL, 0x1000, 4),
	C("inet mcast", SYS_setsockopt, ALLOW, "pledge inet mcast", 3, IPPROTO_IPV6, IPV6_JOIN_GROUP, 0x1000, 20),
	C("inet mcast", SYS_setsockopt, ALLOW, "pledge inet mcast", 3, IPPROTO_IPV6, MCAST_JOIN_GROUP, 0x1000, 136),
	C("mcast", SYS_setsockopt, KILL, NULL, 3, IPPROTO_IP, IP_ADD_MEMBERSHIP, 0x1000, 8),
	C("mcast", SYS_socket, KILL, NULL, AF_INET, SOCK_DGRAM, 0),

	/* unix */
	C("unix", SYS_socket, ALLOW, "pledge unix", AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
	C("unix", SYS_socket, ALLOW, "pledge unix", AF_UNIX, SOCK_SEQPACKET, 0),
	C("unix", SYS_socket, KILL, NULL, AF_INET, SOCK_STREAM, 0),
	C("unix", SYS_bind, ALLOW, "pledge unix", 3, 0x1000, 110),
	C("unix", SYS_setsockopt, ALLOW, "pledge unix", 3, SOL_SOCKET, SO_PASSCRED, 0x1000, 4),
	C("unix", SYS_getsockopt, ALLOW, "pledge unix", 3, SOL_SOCKET, SO_PEERCRED, 0x1000, 0x2000),
	C("unix", SYS_setsockopt, KILL, NULL, 3, IPPROTO_TCP, TCP_NODELAY, 0x1000, 4),
	C("inet unix", SYS_socket, ALLOW, "pledge unix", AF_UNIX, SOCK_DGRAM, 0),
	C("inet unix", SYS_socket, ALLOW, "pledge inet", AF_INET6, SOCK_STREAM, 0),

	/* dns */
	C("dns", SYS_socket, ALLOW, "pledge dns", AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
	C("dns", SYS_socket, ALLOW, "pledge dns", AF_INET6, SOCK_STREAM, 0),
	C("dns", SYS_socket, ALLOW, "pledge dns", AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), /* nscd */
	C("dns", SYS_socket, ALLOW, "pledge dns", AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
	C("dns", SYS_socket, KILL, NULL, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT),
	C("dns", SYS_socket, KILL, NULL, AF_UNIX, SOCK_DGRAM, 0),
	C("dns", SYS_socket, KILL, NULL, AF_INET, SOCK_RAW, IPPROTO_UDP),
	C("dns", SYS_connect, ALLOW, "pledge dns", 3, 0x1000, 16),
	C("dns", SYS_listen, KILL, NULL, 3, 5),
	C("dns", SYS_openat, ALLOW, "pledge dns", SX(AT_FDCWD), 0x1000, O_RDONLY | O_CLOEXEC),
	C("dns", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY),
	C("dns", SYS_setsockopt, ALLOW, "pledge dns", 3, IPPROTO_IP, IP_RECVERR, 0x1000, 4),
	C("dns", SYS_setsockopt, KILL, NULL, 3, IPPROTO_IP, IP_TOS, 0x1000, 4),
	C("dns", SYS_sendmmsg, ENOSYS_, "pledge dns", 3, 0x1000, 2, MSG_NOSIGNAL),
	C("dns", SYS_recvmsg, ALLOW, "pledge dns", 3, 0x1000, 0),
	C("dns sendfd", SYS_sendmmsg, ALLOW, "pledge sendfd", 3, 0x1000, 2, MSG_NOSIGNAL),

	/* getpw */
	C("getpw", SYS_socket, ALLOW, "pledge getpw", AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
	C("getpw", SYS_socket, KILL, NULL, AF_UNIX, SOCK_DGRAM, 0),
	C("getpw", SYS_socket, KILL, NULL, AF_INET, SOCK_STREAM, 0),
	C("getpw", SYS_connect, ALLOW, "pledge getpw", 3, 0x1000, 110),
	C("getpw", SYS_openat, ALLOW, "pledge getpw", SX(AT_FDCWD), 0x1000, O_RDONLY | O_CLOEXEC),
	C("getpw", SYS_openat, KILL, NULL, SX(AT_FDCWD), 0x1000, O_RDWR),

	/* sendfd, recvfd */
	C("sendfd", SYS_sendmsg, ALLOW, "pledge sendfd", 3, 0x1000, 0),
	C("sendfd", SYS_recvmsg, KILL, NULL, 3, 0x1000, 0),
	C("recvfd", SYS_recvmsg, ALLOW, "pledge recvfd", 3, 0x1000, 0),
	C("recvfd", SYS_recvmmsg, ALLOW, "pledge recvfd", 3, 0x1000, 2, 0, 0),
	C("recvfd", SYS_sendmsg, KILL, NULL, 3, 0x1000, 0),

	/* tty */
	C("tty", SYS_ioctl, ALLOW, "pledge tty", 0, TCSETS, 0x1000),
	C("tty", SYS_ioctl, ALLOW, "pledge tty", 0, TIOCSWINSZ, 0x1000),
	C("tty", SYS_ioctl, ALLOW, "pledge tty", 0, TIOCGPTN, 0x1000),
	C("tty", SYS_ioctl, ALLOW, "pledge tty", 0, SX(TIOCGPTN), 0x1000), /* sign-extended by the caller */
	C("tty", SYS_ioctl, ALLOW, "pledge tty", 0, TIOCSPTLCK, 0x1000),
	C("tty", SYS_ioctl, KILL, NULL, 0, TIOCSPGRP, 0x1000),
	C("tty", SYS_ioctl, KILL, NULL, 0, TIOCSTI, 0x1000),
	C("tty", SYS_ioctl, KILL, NULL, 0, FIONREAD, 0x1000),
	C("tty proc", SYS_ioctl, ALLOW, "pledge tty proc", 0, TIOCSPGRP, 0x1000),
	C("stdio tty", SYS_ioctl, ALLOW, "pledge stdio", 0, TCGETS, 0x1000),

	/* proc */
	C("proc", SYS_fork, ALLOW, "pledge proc", 0),
	C("proc", SYS_clone, ALLOW, "pledge proc", SIGCHLD, 0, 0, 0, 0),
	C("proc", SYS_kill, ALLOW, "pledge proc", 1, SIGTERM),
	C("proc", SYS_setsid, ALLOW, "pledge proc", 0),
	C("proc", SYS_fcntl, ALLOW, "pledge proc", 3, F_SETOWN, 1),
	C("proc", SYS_prctl, ALLOW, "pledge proc", PR_SET_PDEATHSIG, SIGKILL),
	C("proc", SYS_execve, KILL, NULL, 0x1000, 0x2000, 0x3000),
	C("stdio proc", SYS_kill, ALLOW, "pledge stdio", PID, SIGTERM),
	C("stdio proc", SYS_kill, ALLOW, "pledge proc", 1, SIGTERM),
	C("stdio proc", SYS_clone3, ALLOW, "pledge proc", 0x1000, 88),
	C("stdio proc", SYS_clone, ALLOW, "pledge stdio", THREAD_FLAGS, 0x7000, 0x1000, 0x2000, 0x3000),

	/* exec, settime, ps, vminfo, id */
	C("exec", SYS_execve, ALLOW, "pledge exec", 0x1000, 0x2000, 0x3000),
	C("exec", SYS_execveat, ALLOW, "pledge exec", 3, 0x1000, 0x2000, 0x3000, AT_EMPTY_PATH),
	C("settime", SYS_clock_settime, ALLOW, "pledge settime", CLOCK_REALTIME, 0x1000),
	C("settime", SYS_settimeofday, ALLOW, "pledge settime", 0x1000, 0),
	C("ps", SYS_sched_getaffinity, ALLOW, "pledge ps", 1234, 128, 0x1000),
	C("ps", SYS_prlimit64, ALLOW, "pledge ps", 1234, RLIMIT_NOFILE, 0, 0x1000),
	C("ps", SYS_prlimit64, KILL, NULL, 1234, RLIMIT_NOFILE, 0x1000, 0),
	C("ps", SYS_kill, KILL, NULL, 1234, SIGTERM),
	C("vminfo", SYS_sysinfo, ALLOW, "pledge vminfo", 0x1000),
	C("id", SYS_setuid, ALLOW, "pledge id", 1000),
	C("id", SYS_setresgid, ALLOW, "pledge id", 1000, 1000, 1000),
	C("id", SYS_capset, ALLOW, "pledge id", 0x1000, 0x2000),
	C("id", SYS_prlimit64, ALLOW, "pledge id", 0, RLIMIT_NOFILE, 0x1000, 0),
	C("id", SYS_prctl, ALLOW, "pledge id", PR_SET_KEEPCAPS, 1),

	/* route, wroute */
	C("route", SYS_socket, ALLOW, "pledge route", AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
	C("route", SYS_socket, ALLOW, "pledge route", AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE),
	C("route", SYS_socket, KILL, NULL, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER),
	C("route", SYS_recvmsg, ALLOW, "pledge route", 3, 0x1000, 0),
	C("route", SYS_ioctl, ALLOW, "pledge route", 3, SIOCGIFINDEX, 0x1000),
	C("route", SYS_ioctl, ALLOW, "pledge route", 3, SIOCGIFCONF, 0x1000),
	C("route", SYS_ioctl, KILL, NULL, 3, SIOCSIFFLAGS, 0x1000),
	C("wroute", SYS_ioctl, ALLOW, "pledge wroute", 3, SIOCSIFFLAGS, 0x1000),
	C("wroute", SYS_ioctl, ALLOW, "pledge wroute", 3, SIOCADDRT, 0x1000),
	C("wroute", SYS_ioctl, KILL, NULL, 3, SIOCGIFINDEX, 0x1000),

	/* unveil */
	C("unveil", SYS_landlock_create_ruleset, ALLOW, "pledge unveil", 0x1000, 16, 0),
	C("unveil", SYS_landlock_restrict_self, ALLOW, "pledge unveil", 3, 0),

	/* flock */
	C("flock", SYS_flock, ALLOW, "pledge flock", 3, LOCK_EX),
	C("flock", SYS_fcntl, ALLOW, "pledge flock", 3, F_SETLKW, 0x1000),
	C("flock", SYS_fcntl, ALLOW, "pledge flock", 3, F_OFD_SETLK, 0x1000),
	C("flock", SYS_fcntl, KILL, NULL, 3, F_GETFD),
	C("stdio flock", SYS_fcntl, ALLOW, "pledge stdio", 3, F_GETFD),

	/* fattr, chown */
	C("fattr", SYS_chmod, ALLOW, "pledge fattr", 0x1000, 0644),
	C("fattr", SYS_chmod, ALLOW, "pledge fattr", 0x1000, 01777),
	C("fattr", SYS_chmod, KILL, NULL, 0x1000, 04755),
	C("fattr", SYS_fchmodat, KILL, NULL, SX(AT_FDCWD), 0x1000, 02755),
	C("fattr", SYS_fchmod, ALLOW, "pledge fattr", 3, 0600),
	C("fattr", SYS_utimensat, ALLOW, "pledge fattr", 3, 0, 0x1000, 0),
	C("fattr", SYS_chown, ALLOW, "pledge fattr", 0x1000, SX(-1), SX(-1)),
	C("fattr", SYS_chown, ALLOW, "pledge fattr", 0x1000, 0xffffffffu, 0xffffffffu),
	C("fattr", SYS_chown, ALLOW, "pledge fattr", 0x1000, UID, SX(-1)),
	C("fattr", SYS_fchown, ALLOW, "pledge fattr", 3, UID, GID),
	C("fattr", SYS_fchownat, ALLOW, "pledge fattr", SX(AT_FDCWD), 0x1000, SX(-1), GID, 0),
	C("fattr", SYS_lchown, KILL, NULL, 0x1000, 4242424, SX(-1)),
	C("fattr", SYS_chown, KILL, NULL, 0x1000, SX(-1), 4242424),
	C("chown", SYS_chown, ALLOW, "pledge chown", 0x1000, 0, 0),
	C("chown", SYS_fchownat, ALLOW, "pledge chown", SX(AT_FDCWD), 0x1000, 0, 0, 0),
	C("chown", SYS_chmod, KILL, NULL, 0x1000, 0644),

	/* error: EPERM instead of death; soft denials stay ENOSYS */
	C("stdio error", SYS_openat, EPERM_, NULL, SX(AT_FDCWD), 0x1000, O_RDONLY),
	C("stdio error", SYS_write, ALLOW, "pledge stdio", 1, 0x1000, 1),
	C("stdio error", SYS_mmap, EPERM_, NULL, 0, 4096, PROT_EXEC, MAP_PRIVATE, 3, 0),
	C("stdio error", SYS_clone3, ENOSYS_, "pledge stdio", 0x1000, 88),
	C("error", SYS_write, EPERM_, NULL, 1, 0x1000, 1),
	C("error", SYS_exit_group, ALLOW, "pledge (always)", 0),
	C("error rpath", SYS_openat, EPERM_, NULL, SX(AT_FDCWD), 0x1000, O_WRONLY),
	C("error rpath", SYS_openat, ALLOW, "pledge rpath", SX(AT_FDCWD), 0x1000, O_RDONLY),
	C("error rpath", 400, EPERM_, NULL, 0), /* a number with no call: the default */
};

static const char *act_name(uint32_t a, char *buf, size_t n)
{
	if (a == SB_ACT_ALLOW)
		return "ALLOW";
	if (a == SB_ACT_KILL)
		return "KILL";
	if (a == SB_ACT_LOG)
		return "LOG";
	if (a == SB_ACT_TRAP)
		return "TRAP";
	if (SB_ACT_IS_ERRNO(a)) {
		snprintf(buf, n, "ERRNO(%s)", strerrorname_np((int)(a & 0xffff)));
		return buf;
	}
	snprintf(buf, n, "%#x", a);
	return buf;
}

static void test_decisions(void **state)
{
	const char *last = NULL;
	struct cp_policy *c = NULL;
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct dcase *t = &cases[i];
		const char *why;
		char b1[48], b2[48];
		uint32_t act;

		if (!last || strcmp(last, t->promises)) {
			free(c);
			c = pledged(t->promises, SB_ACT_KILL);
			last = t->promises;
		}
		act = decide(c, t->nr, t->a, &why);
		if (act != t->act || (t->origin == NULL) != (why == NULL) || (why && strcmp(why, t->origin))) {
			print_error("line %d: \"%s\": %s(%#llx, %#llx, %#llx, %#llx): %s by \"%s\", expected %s by \"%s\"\n",
				    t->line, t->promises, sb_sysent_name(t->nr) ? sb_sysent_name(t->nr) : "?",
				    (unsigned long long)t->a[0], (unsigned long long)t->a[1],
				    (unsigned long long)t->a[2], (unsigned long long)t->a[3], act_name(act, b1, sizeof b1),
				    why ? why : "(none)", act_name(t->act, b2, sizeof b2),
				    t->origin ? t->origin : "(none)");
			failed++;
		}
	}
	free(c);
	if (failed)
		fail_msg("%d of %zu decisions wrong", failed, sizeof cases / sizeof cases[0]);
}

/* ------------------------------------------------------------------ the table itself */

static int name_count(const char *calls)
{
	int n = 0;

	for (const char *p = calls; *p;) {
		p += strspn(p, " ");
		if (*p)
			n++;
		p += strcspn(p, " ");
	}
	return n;
}

static void test_table_sane(void **state)
{
	int promised[PL_NPROMISES] = { 0 };

	(void)state;
	assert_true(pledge_nrows > 100);
	for (size_t i = 0; i < pledge_nrows; i++) {
		const struct pledge_row *r = &pledge_rows[i];
		unsigned ncmp = 0;
		char name[64];

		/* promise bits: known ones; "error" grants no call */
		assert_int_equal(r->need & ~((1u << PL_NPROMISES) - 1), 0);
		assert_int_equal(r->need & PL_BIT(PL_ERROR), 0);
		for (int k = 0; k < PL_NPROMISES; k++)
			if (r->need & PL_BIT(k))
				promised[k] = 1;
		/* every name is an x86-64 call this library knows and may forward */
		for (const char *p = r->calls; *p;) {
			size_t n;
			long nr;

			p += strspn(p, " ");
			n = strcspn(p, " ");
			if (!n)
				break;
			assert_true(n < sizeof name);
			memcpy(name, p, n);
			name[n] = 0;
			p += n;
			nr = sb_syscall_nr(name);
			if (nr < 0)
				fail_msg("row %zu: no system call '%s'", i, name);
			if (sb_sysent_table[nr].flags & SE_DENY)
				fail_msg("row %zu: '%s' is refused by the integrity layer anyway", i, name);
		}
		assert_true(name_count(r->calls) >= 1);
		while (ncmp < SB_RULE_MAX_CMP && r->cmp[ncmp].op)
			ncmp++;
		for (unsigned k = ncmp; k < SB_RULE_MAX_CMP; k++)
			assert_int_equal(r->cmp[k].op, 0);
		if (ncmp || r->soft_errno) {
			/* a rule is for one call; a soft denial is a whole-call action */
			assert_int_equal(name_count(r->calls), 1);
			assert_non_null(r->when);
			assert_false(ncmp && r->soft_errno);
		} else {
			assert_null(r->when);
		}
		/* the docs table can carry the text */
		if (r->when && strpbrk(r->when, "|()`\n"))
			fail_msg("row %zu: restriction text \"%s\" has | ( ) ` or a newline", i, r->when);
		for (unsigned k = 0; k < ncmp; k++) {
			const struct pledge_cmp *c = &r->cmp[k];
			int bounded = 0;

			assert_true(c->arg <= 5);
			assert_true(c->op >= SB_CMP_NE && c->op <= SB_CMP_MASKED_EQ);
			assert_true(c->self <= PL_SELF_GID);
			if (c->self)
				assert_int_equal(c->op, SB_CMP_MASKED_EQ);
			/* NE and GE pass values with stray high bits, which an int
			 * argument loses in the kernel: only with an upper bound */
			if (c->op == SB_CMP_NE || c->op == SB_CMP_GE || c->op == SB_CMP_GT) {
				for (unsigned j = 0; j < ncmp; j++)
					if (r->cmp[j].arg == c->arg &&
					    (r->cmp[j].op == SB_CMP_LE || r->cmp[j].op == SB_CMP_LT) && r->cmp[j].a <= 0xffffffffu)
						bounded = 1;
				if (!bounded)
					fail_msg("row %zu (%s): NE/GE on arg %u without an upper bound", i, r->calls, c->arg);
			}
		}
	}
	/* every promise but "error" grants something */
	for (int k = 0; k < PL_NPROMISES; k++)
		if (k != PL_ERROR && !promised[k])
			fail_msg("promise '%s' is in no row", pledge_names[k]);
}

/* all promises at once: compiles, fits, decides */
static void test_all_promises(void **state)
{
	char all[512] = "";
	struct sb_policy *p = NULL;
	struct cp_policy *c;
	const char *why;
	uint64_t a[6] = { 0 };

	(void)state;
	for (int k = 0; k < PL_NPROMISES; k++) {
		if (k == PL_ERROR)
			continue;
		strcat(all, pledge_names[k]);
		strcat(all, " ");
	}
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	assert_int_equal(sb_policy_pledge(p, all), 0);
	assert_true(p->nrules > 100 && p->nrules < POLICY_MAX_RULES / 8);
	c = compile(p);
	a[0] = 3;
	assert_int_equal(decide(c, SYS_read, a, &why), SB_ACT_ALLOW);
	a[0] = AF_INET;
	a[1] = SOCK_STREAM;
	assert_int_equal(decide(c, SYS_socket, a, &why), SB_ACT_ALLOW);
	a[1] = SOCK_RAW;
	a[2] = IPPROTO_RAW;
	assert_int_equal(decide(c, SYS_socket, a, &why), SB_ACT_KILL); /* no promise has raw sockets */
	assert_int_equal(decide(c, SYS_ptrace, a, &why), SB_ACT_KILL);
	assert_int_equal(decide(c, SYS_mount, a, &why), SB_ACT_KILL);
	assert_int_equal(decide(c, SYS_bpf, a, &why), SB_ACT_KILL);
	assert_int_equal(decide(c, SYS_clone3, a, &why), SB_ACT_ALLOW); /* proc: not the soft denial */
	free(c);
	sb_policy_free(p);
}

/* ------------------------------------------------------------------ parsing and atomicity */

static void test_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t set;
		const char *msg;
	} t[] = {
		{ "", 0, 0, NULL },
		{ "   ", 0, 0, NULL },
		{ "stdio", 0, PL_BIT(PL_STDIO), NULL },
		{ "  stdio   rpath ", 0, PL_BIT(PL_STDIO) | PL_BIT(PL_RPATH), NULL },
		{ "stdio\trpath\n", 0, PL_BIT(PL_STDIO) | PL_BIT(PL_RPATH), NULL },
		{ "stdio stdio", 0, PL_BIT(PL_STDIO), NULL },
		{ "prot_exec error unveil wroute", 0,
		  PL_BIT(PL_PROT_EXEC) | PL_BIT(PL_ERROR) | PL_BIT(PL_UNVEIL) | PL_BIT(PL_WROUTE), NULL },
		{ "stdio bogus", -EINVAL, 0, "pledge: unknown promise 'bogus'" },
		{ "Stdio", -EINVAL, 0, "pledge: unknown promise 'Stdio'" },
		{ "stdi", -EINVAL, 0, "pledge: unknown promise 'stdi'" },
		{ "stdiox", -EINVAL, 0, "pledge: unknown promise 'stdiox'" },
		{ "stdio,rpath", -EINVAL, 0, "pledge: unknown promise 'stdio,rpath'" },
		{ "rpath audio", -EINVAL, 0, "pledge: promise 'audio' has no Linux equivalent (not supported)" },
		{ "tape", -EINVAL, 0, "pledge: promise 'tape' has no Linux equivalent (not supported)" },
		{ "pf", -EINVAL, 0, "pledge: promise 'pf' has no Linux equivalent (not supported)" },
		{ "video", -EINVAL, 0, "pledge: promise 'video' has no Linux equivalent (not supported)" },
		{ "bpf", -EINVAL, 0, "pledge: promise 'bpf' has no Linux equivalent (not supported)" },
		{ "vmm", -EINVAL, 0, "pledge: promise 'vmm' has no Linux equivalent (not supported)" },
	};
	char longname[300];
	uint32_t set;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		set = 0xdeadbeef;
		sb_set_error("%s", "");
		assert_int_equal(pledge_parse(t[i].s, &set), t[i].rc);
		if (!t[i].rc) {
			assert_int_equal(set, t[i].set);
		} else {
			assert_int_equal(set, 0xdeadbeef); /* untouched */
			assert_string_equal(sb_last_error(), t[i].msg);
		}
	}
	/* a long name is shown cut, the message stays one line */
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	assert_int_equal(pledge_parse(longname, &set), -EINVAL);
	assert_true(strlen(sb_last_error()) < 100);
	assert_non_null(strstr(sb_last_error(), "pledge: unknown promise 'xxxx"));
	assert_int_equal(pledge_parse(NULL, &set), -EINVAL);
}

/* a policy's state as the builder keeps it, deep */
struct snap {
	uint32_t dflt, action[SB_NR_SYSCALLS];
	char *origin[SB_NR_SYSCALLS];
	size_t nrules;
	struct policy_rule *rules;
};

static void take(const struct sb_policy *p, struct snap *s)
{
	s->dflt = p->default_action;
	memcpy(s->action, p->action, sizeof s->action);
	for (int i = 0; i < SB_NR_SYSCALLS; i++)
		s->origin[i] = p->action_origin[i] ? strdup(p->action_origin[i]) : NULL;
	s->nrules = p->nrules;
	s->rules = calloc(p->nrules + 1, sizeof *s->rules);
	assert_non_null(s->rules);
	memcpy(s->rules, p->rules, p->nrules * sizeof *s->rules);
	for (size_t i = 0; i < p->nrules; i++)
		s->rules[i].origin = p->rules[i].origin ? strdup(p->rules[i].origin) : NULL;
}

static void same(const struct sb_policy *p, struct snap *s)
{
	assert_int_equal(p->default_action, s->dflt);
	assert_memory_equal(p->action, s->action, sizeof s->action);
	for (int i = 0; i < SB_NR_SYSCALLS; i++) {
		if (!s->origin[i])
			assert_null(p->action_origin[i]);
		else
			assert_string_equal(p->action_origin[i], s->origin[i]);
		free(s->origin[i]);
	}
	assert_int_equal(p->nrules, s->nrules);
	for (size_t i = 0; i < s->nrules; i++) {
		assert_int_equal(p->rules[i].nr, s->rules[i].nr);
		assert_int_equal(p->rules[i].action, s->rules[i].action);
		assert_int_equal(p->rules[i].ncmp, s->rules[i].ncmp);
		assert_memory_equal(p->rules[i].cmp, s->rules[i].cmp, sizeof s->rules[i].cmp);
		if (!s->rules[i].origin)
			assert_null(p->rules[i].origin);
		else
			assert_string_equal(p->rules[i].origin, s->rules[i].origin);
		free(s->rules[i].origin);
	}
	free(s->rules);
}

static void some_state(struct sb_policy *p)
{
	struct sb_rule r;

	assert_int_equal(sb_policy_add(p, SYS_openat, SB_ACT_ERRNO(EACCES)), 0);
	p->action_origin[SYS_openat] = strdup("policy.rf:3");
	assert_int_equal(sb_policy_add(p, SYS_write, SB_ACT_LOG), 0);
	memset(&r, 0, sizeof r);
	r.nr = SYS_socket;
	r.action = SB_ACT_ERRNO(EACCES);
	r.ncmp = 1;
	r.cmp[0] = (struct sb_arg_cmp){ 0, SB_CMP_EQ, AF_PACKET, 0 };
	r.origin = "policy.rf:7";
	assert_int_equal(sb_policy_add_rule(p, &r), 0);
}

static void test_unknown_unchanged(void **state)
{
	static const char *const bad[] = {
		"stdio rpath bogus", "bogus stdio", "stdio audio", "inet unix dns error nonsense", "stdio\ttape",
	};
	struct sb_policy *p = NULL;
	struct snap s;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	some_state(p);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		take(p, &s);
		assert_int_equal(sb_policy_pledge(p, bad[i]), -EINVAL);
		assert_non_null(strstr(sb_last_error(), "pledge: "));
		same(p, &s);
	}
	take(p, &s);
	assert_int_equal(sb_policy_pledge(p, "stdio bogus"), -EINVAL);
	assert_string_equal(sb_last_error(), "pledge: unknown promise 'bogus'");
	same(p, &s);
	take(p, &s);
	assert_int_equal(sb_policy_pledge(p, NULL), -EINVAL);
	same(p, &s);
	assert_int_equal(sb_policy_pledge(NULL, "stdio"), -EINVAL);
	sb_policy_free(p);
}

/* failing halfway (the rule table is full) leaves the policy as it was */
static void test_full_unchanged(void **state)
{
	struct sb_policy *p = NULL;
	struct sb_rule r;
	struct snap s;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	some_state(p);
	memset(&r, 0, sizeof r);
	r.nr = SYS_getppid;
	r.action = SB_ACT_ALLOW;
	r.ncmp = 1;
	r.cmp[0] = (struct sb_arg_cmp){ 0, SB_CMP_EQ, 0, 0 };
	while (p->nrules < POLICY_MAX_RULES - 20)
		assert_int_equal(sb_policy_add_rule(p, &r), 0);
	take(p, &s);
	assert_int_equal(sb_policy_pledge(p, "stdio rpath wpath cpath inet unix"), -E2BIG);
	assert_non_null(strstr(sb_last_error(), "too many rules"));
	same(p, &s);
	/* what fits still goes in */
	assert_int_equal(sb_policy_pledge(p, "exec"), 0);
	assert_int_equal(p->action[SYS_execve], SB_ACT_ALLOW);
	sb_policy_free(p);
}

/* what pledge leaves alone: other calls' actions, LOG, origins of calls it does not change */
static void test_existing_kept(void **state)
{
	struct sb_policy *p = NULL;
	struct cp_policy *c;
	const char *why;
	uint64_t a[6] = { (uint64_t)AT_FDCWD, 0x1000, O_WRONLY, 0, 0, 0 };

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	some_state(p);
	assert_int_equal(sb_policy_add(p, SYS_getppid, SB_ACT_ALLOW), 0);
	p->action_origin[SYS_getppid] = strdup("mine");
	assert_int_equal(sb_policy_pledge(p, "stdio rpath"), 0);
	c = compile(p);
	/* openat: rpath's rule first, then the call's own action */
	assert_int_equal(decide(c, SYS_openat, a, &why), SB_ACT_ERRNO(EACCES));
	assert_string_equal(why, "policy.rf:3");
	a[2] = O_RDONLY;
	assert_int_equal(decide(c, SYS_openat, a, &why), SB_ACT_ALLOW);
	assert_string_equal(why, "pledge rpath");
	/* LOG stays LOG, an earlier ALLOW keeps its origin */
	assert_int_equal(decide(c, SYS_write, a, &why), SB_ACT_LOG);
	assert_int_equal(decide(c, SYS_getppid, a, &why), SB_ACT_ALLOW);
	assert_string_equal(why, "mine");
	/* an earlier rule still comes first */
	a[0] = AF_PACKET;
	assert_int_equal(decide(c, SYS_socket, a, &why), SB_ACT_ERRNO(EACCES));
	/* a call no promise covers */
	assert_int_equal(decide(c, SYS_ptrace, a, &why), SB_ACT_KILL);
	free(c);

	/* pledging again adds; the same promises twice decide the same */
	assert_int_equal(sb_policy_pledge(p, "inet"), 0);
	assert_int_equal(sb_policy_pledge(p, "stdio"), 0);
	c = compile(p);
	a[0] = AF_INET;
	a[1] = SOCK_STREAM;
	a[2] = 0;
	assert_int_equal(decide(c, SYS_socket, a, &why), SB_ACT_ALLOW);
	assert_string_equal(why, "pledge inet");
	assert_int_equal(decide(c, SYS_getpid, a, &why), SB_ACT_ALLOW);
	assert_string_equal(why, "pledge stdio");
	free(c);
	sb_policy_free(p);
}

static void test_error_promise(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	/* the default and per-call KILL or TRAP become EPERM; other actions stay */
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	assert_int_equal(sb_policy_add(p, SYS_ptrace, SB_ACT_TRAP), 0);
	assert_int_equal(sb_policy_add(p, SYS_mount, SB_ACT_ERRNO(EACCES)), 0);
	assert_int_equal(sb_policy_add(p, SYS_getppid, SB_ACT_LOG), 0);
	assert_int_equal(sb_policy_pledge(p, "error"), 0);
	assert_int_equal(p->default_action, SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_openat], SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_ptrace], SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_mount], SB_ACT_ERRNO(EACCES));
	assert_int_equal(p->action[SYS_getppid], SB_ACT_LOG);
	assert_int_equal(p->action[SYS_exit_group], SB_ACT_ALLOW);
	sb_policy_free(p);

	/* a TRAP default too; an ALLOW default stays (pledge means little there) */
	assert_int_equal(sb_policy_new(SB_ACT_TRAP, &p), 0);
	assert_int_equal(sb_policy_pledge(p, "stdio error"), 0);
	assert_int_equal(p->default_action, SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_socket], SB_ACT_ERRNO(EPERM));
	assert_int_equal(p->action[SYS_clone3], SB_ACT_ERRNO(ENOSYS));
	sb_policy_free(p);
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_pledge(p, "error"), 0);
	assert_int_equal(p->default_action, SB_ACT_ALLOW);
	assert_int_equal(p->action[SYS_socket], SB_ACT_ALLOW);
	sb_policy_free(p);
}

/* ------------------------------------------------------------------ the docs table */

struct str {
	char *s;
	size_t len, cap;
};

static void put(struct str *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void key_of(uint32_t need, struct str *b)
{
	int first = 1;

	if (!need) {
		put(b, "(always)");
		return;
	}
	for (int k = 0; k < PL_NPROMISES; k++) {
		if (!(need & PL_BIT(k)))
			continue;
		put(b, first ? "`" : " + `");
		put(b, pledge_names[k]);
		put(b, "`");
		first = 0;
	}
}

/* the cell of one promise set: calls in table order, restrictions of one call joined */
static void cell_of(uint32_t need, struct str *b)
{
	const char *names[256], *whens[256][32];
	int nnames = 0, nwhen[256] = { 0 };

	for (size_t i = 0; i < pledge_nrows; i++) {
		const struct pledge_row *r = &pledge_rows[i];

		if (r->need != need)
			continue;
		for (const char *p = r->calls; *p;) {
			size_t n;
			char name[64];
			int k;

			p += strspn(p, " ");
			n = strcspn(p, " ");
			if (!n)
				break;
			memcpy(name, p, n);
			name[n] = 0;
			p += n;
			for (k = 0; k < nnames && strcmp(names[k], name); k++)
				;
			if (k == nnames) {
				assert_true(nnames < 256);
				names[nnames++] = strdup(name);
			}
			if (r->when) {
				int j;

				for (j = 0; j < nwhen[k] && strcmp(whens[k][j], r->when); j++)
					;
				if (j == nwhen[k]) {
					assert_true(nwhen[k] < 32);
					whens[k][nwhen[k]++] = r->when;
				}
			}
		}
	}
	for (int k = 0; k < nnames; k++) {
		put(b, k ? ", `" : "`");
		put(b, names[k]);
		put(b, "`");
		for (int j = 0; j < nwhen[k]; j++) {
			put(b, j ? "; " : " (");
			put(b, whens[k][j]);
		}
		if (nwhen[k])
			put(b, ")");
		free((char *)names[k]);
	}
}

/* the promise sets in table order, one table row each */
static int groups(uint32_t *need)
{
	int n = 0;

	for (size_t i = 0; i < pledge_nrows; i++) {
		int k;

		for (k = 0; k < n && need[k] != pledge_rows[i].need; k++)
			;
		if (k == n)
			need[n++] = pledge_rows[i].need;
	}
	return n;
}

#define DOC_HEADER "| Promises | System calls (restrictions in parentheses) |\n| --- | --- |\n"

static void doc_table(struct str *b)
{
	uint32_t need[128];
	int n = groups(need);

	put(b, DOC_HEADER);
	for (int g = 0; g < n; g++) {
		put(b, "| ");
		key_of(need[g], b);
		put(b, " | ");
		cell_of(need[g], b);
		put(b, " |\n");
	}
}

/* the backticked names of a cell (outside parentheses) */
static int names_in(const char *cell, char names[][48], int max)
{
	int n = 0, depth = 0;

	for (const char *p = cell; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '`' && !depth) {
			const char *e = strchr(p + 1, '`');

			assert_non_null(e);
			assert_true(n < max && (size_t)(e - p - 1) < sizeof names[0]);
			memcpy(names[n], p + 1, (size_t)(e - p - 1));
			names[n][e - p - 1] = 0;
			n++;
			p = e;
		}
	}
	return n;
}

static int has_name(char names[][48], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

static char *read_doc(void)
{
	FILE *f = fopen(SB_DOCS_DIR "/policy.md", "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s: %s", SB_DOCS_DIR "/policy.md", strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* docs/policy.md has, under "## Promises (pledge)", one table row per
 * promise set of the C table, naming the same calls with the same
 * restrictions, and no other rows */
static void test_doc_table(void **state)
{
	char *doc = read_doc(), *sec, *end, *line;
	uint32_t need[128];
	int n = groups(need), matched = 0, bad = 0;
	static char docnames[512][48], cnames[512][48];

	(void)state;
	sec = strstr(doc, "\n## Promises (pledge)\n");
	if (!sec)
		fail_msg("docs/policy.md has no section \"## Promises (pledge)\"");
	sec++;
	end = strstr(sec + 1, "\n## ");
	if (end)
		end[1] = 0;
	if (!strstr(sec, DOC_HEADER))
		fail_msg("docs/policy.md: the promises table header is not \"%s\"", DOC_HEADER);
	for (line = strtok(sec, "\n"); line; line = strtok(NULL, "\n")) {
		char *key, *cell, *sep;
		uint32_t want = 0;
		int g, nd, nc;

		if (strncmp(line, "| ", 2) || !strncmp(line, "| Promises |", 11) || !strncmp(line, "| --- |", 7))
			continue;
		key = line + 2;
		sep = strstr(key, " | ");
		if (!sep || strlen(sep) < 5 || strcmp(line + strlen(line) - 2, " |"))
			fail_msg("docs/policy.md: malformed table row: %s", line);
		*sep = 0;
		cell = sep + 3;
		cell[strlen(cell) - 2] = 0;
		/* which promise set */
		for (g = 0; g < n; g++) {
			struct str k = { 0 };

			key_of(need[g], &k);
			if (!strcmp(k.s, key)) {
				free(k.s);
				want = need[g];
				break;
			}
			free(k.s);
		}
		if (g == n) {
			print_error("docs/policy.md: row \"%s\" is no promise set of the C table\n", key);
			bad++;
			continue;
		}
		matched++;
		/* the same calls */
		{
			struct str c = { 0 };

			cell_of(want, &c);
			nd = names_in(cell, docnames, 512);
			nc = names_in(c.s, cnames, 512);
			for (int i = 0; i < nc; i++)
				if (!has_name(docnames, nd, cnames[i])) {
					print_error("docs/policy.md: row %s lacks `%s`\n", key, cnames[i]);
					bad++;
				}
			for (int i = 0; i < nd; i++)
				if (!has_name(cnames, nc, docnames[i])) {
					print_error("docs/policy.md: row %s has `%s`, which the C table does not\n", key,
						    docnames[i]);
					bad++;
				}
			/* and the same restrictions */
			if (strcmp(cell, c.s)) {
				print_error("docs/policy.md: row %s differs from the C table:\n  doc: %s\n  C:   %s\n", key,
					    cell, c.s);
				bad++;
			}
			free(c.s);
		}
	}
	if (matched != n) {
		print_error("docs/policy.md: %d of %d promise sets have a row\n", matched, n);
		bad++;
	}
	free(doc);
	if (bad)
		fail_msg("docs/policy.md and the C table disagree (%d); regenerate: test_pledge --doc", bad);
}

/* ------------------------------------------------------------------ sb_pledge() */

static void test_sb_pledge_args(void **state)
{
	(void)state;
	assert_int_equal(sb_pledge(NULL, NULL), -EINVAL);
	assert_int_equal(sb_pledge("stdio bogus", NULL), -EINVAL);
	assert_string_equal(sb_last_error(), "pledge: unknown promise 'bogus'");
	assert_int_equal(sb_pledge("stdio", "stdio nonsense"), -EINVAL);
	assert_string_equal(sb_last_error(), "pledge: unknown promise 'nonsense'");
	assert_int_equal(sb_pledge("audio", NULL), -EINVAL);
	assert_int_equal(sb_inside(), 0);
	assert_null(pledge_execpromises());
}

/* run fn in a child (so that a sandbox entered there stays there); 0 is success */
static void in_child(int (*fn)(void))
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(60);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("child ended by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status))
		fail_msg("child failed at check %d", WEXITSTATUS(status));
}

static int child_inside(void)
{
	sb_mark_inside();
	if (sb_pledge("stdio", NULL) != -EBUSY)
		return 1;
	if (!strstr(sb_last_error(), "already inside"))
		return 2;
	return 0;
}

static void test_sb_pledge_inside(void **state)
{
	(void)state;
	in_child(child_inside);
}

/* With a usable /dev/kvm the child ends up inside, with only stdio: it
 * reports through write() and leaves by _exit(). Without one, sb_enter()'s
 * error comes back and the process is as it was. */
static int child_enter(void)
{
	int rc = sb_pledge("stdio", "stdio rpath");
	static const char msg[] = "  (sb_pledge entered a sandbox)\n";

	if (rc == 0) {
		if (!sb_inside())
			return 3;
		if (!pledge_execpromises() || strcmp(pledge_execpromises(), "stdio rpath"))
			return 4;
		if (sb_pledge("stdio", NULL) != -EBUSY)
			return 5;
		if (write(2, msg, sizeof msg - 1) < 0)
			return 6;
		return 0;
	}
	if (rc == -EINVAL || rc >= 0)
		return 7;
	if (sb_inside() || pledge_execpromises())
		return 8;
	/* still unconfined: a call stdio would refuse works */
	if (syscall(SYS_getcwd, (char[256]){ 0 }, 256) < 0)
		return 9;
	return 0;
}

static void test_sb_pledge_enter(void **state)
{
	(void)state;
	in_child(child_enter);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_all_promises),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_unknown_unchanged),
		cmocka_unit_test(test_full_unchanged),
		cmocka_unit_test(test_existing_kept),
		cmocka_unit_test(test_error_promise),
		cmocka_unit_test(test_doc_table),
		cmocka_unit_test(test_sb_pledge_args),
		cmocka_unit_test(test_sb_pledge_inside),
		cmocka_unit_test(test_sb_pledge_enter),
	};

	if (argc == 2 && !strcmp(argv[1], "--doc")) {
		struct str b = { 0 };

		doc_table(&b);
		fputs(b.s, stdout);
		free(b.s);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
