/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/syscall.c: one system call of the guest: policy, integrity checks, forward.
 *
 * Order: the number must be known (sysent table) -> the policy decides
 * (KILL, ERRNO, ALLOW) -> the integrity layer, always on, refuses what
 * would let the process reach the monitor -> emulate or forward as a raw
 * system call. Arguments that hold further pointers (iovecs, msghdr) are
 * copied into the vault, checked there, and the kernel gets the checked
 * copy: the guest cannot change them between check and use.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include "gmem.h"
#include "audit.h"
#include "log.h"
#include "../policy/compiled.h"
#include "monitor.h"
#include "sysent.h"
#include "ioctls.h"
#include "pathcheck.h"
#include "../../include/sandbox.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define KVM_MINOR 232
#define MISC_MAJOR 10

/* The one line on stderr that says why the process dies (the audit record,
 * if any, has the details). */
static void policy_kill_note(const struct sb_mon *m, long nr, const char *rule)
{
	char line[256];
	struct sb_buf b = { line, 0, sizeof line };

	buf_str(&b, "ringfence: sandboxed process ");
	buf_dec(&b, m->pid);
	buf_str(&b, " killed by the policy (SIGSYS): system call ");
	buf_str(&b, sb_sysent_name(nr));
	buf_str(&b, " refused by rule '");
	buf_str(&b, rule);
	buf_str(&b, "'\n");
	buf_flush(&b, 2);
}

int mon_is_monfd(const struct sb_mon *m, long fd)
{
	for (int i = 0; i < m->nmonfd; i++)
		if (fd == m->monfd[i])
			return 1;
	return mon_is_vcpufd(m, fd);
}

/* A pointer the kernel will read or write from its start: refused if it
 * starts in the vault or its guards, or in a hidden range. A fixed-size
 * struct (at most 4 KiB) starting below the lower guard cannot reach the
 * vault: the 2 MiB guard, unmapped, stops the kernel's copy with EFAULT
 * first. (Hidden ranges have no guards: docs/threat-model.md says what a
 * struct that runs over into one can reach.) */
static int ptr_ok(const struct sb_mon *m, uint64_t p)
{
	return !mirror_off_limits(m, p, p + 1);
}

/* A buffer of n bytes: refused if any byte is in the vault or a hidden
 * range, or it wraps. */
static int buf_ok(const struct sb_mon *m, uint64_t p, uint64_t n)
{
	if (!n)
		return 1;
	return p + n > p && !mirror_off_limits(m, p, p + n);
}

/* Copy an iovec array into the vault and check every buffer it names. */
static long take_iovec(struct sb_mon *m, uint64_t g, uint64_t n, struct iovec *dst)
{
	long rc;

	if (n > 1024) /* UIO_MAXIOV, as the kernel */
		return -EINVAL;
	rc = gmem_in(m, dst, g, n * sizeof *dst);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < n; i++)
		if (!buf_ok(m, (uint64_t)dst[i].iov_base, dst[i].iov_len))
			return -EFAULT;
	return 0;
}

#define SCR_IOV 0x0000     /* iovec copies: 16 KiB */
#define SCR_MSG 0x4000     /* msghdr copy */
#define SCR_CTL 0x5000     /* control buffer copy: up to 64 KiB */
#define SCR_CTL_MAX 0x10000
#define SCR_MISC 0x18000   /* small copies (paths in checks, stat buffers) */
#define SCR_ADDR 0x19000   /* socket address copy: 128 bytes */
#define ADDR_MAX 128       /* sizeof(struct sockaddr_storage) */

/* Copy a socket address into the vault. */
static long take_addr(struct sb_mon *m, uint64_t g, uint64_t len, uint8_t *dst)
{
	if (len > ADDR_MAX)
		return -EINVAL;
	return gmem_in(m, dst, g, len);
}

/* Is the address (vault copy) allowed for op? Refusals are audited here. */
static int addr_allowed(struct sb_mon *m, long nr, const long *a, const uint8_t *sa, uint64_t len, unsigned op)
{
	uint32_t origin;

	if (policy_addr_ok(m->policy, sa, len, op, &origin))
		return 1;
	audit_log(m, nr, a, SB_ACT_ERRNO(EACCES), -EACCES, "net: address not allowed");
	return 0;
}

/* sendmsg/recvmsg: the kernel gets a vault copy of the msghdr and its iovec;
 * for sendmsg also of the control data, where no fd of the monitor may be
 * passed on (SCM_RIGHTS). */
static long do_msg(struct sb_mon *m, long nr, const long *a)
{
	struct msghdr *h = (struct msghdr *)(SCRATCH(m) + SCR_MSG);
	struct iovec *iov = (struct iovec *)(SCRATCH(m) + SCR_IOV);
	uint64_t gh = (uint64_t)a[1];
	long rc;

	rc = gmem_in(m, h, gh, sizeof *h);
	if (rc)
		return rc;
	if (h->msg_name && !buf_ok(m, (uint64_t)h->msg_name, h->msg_namelen))
		return -EFAULT;
	if (nr == SYS_sendmsg && h->msg_name) {
		uint8_t *sa = SCRATCH(m) + SCR_ADDR;

		/* the destination is checked, and sent, from a vault copy */
		rc = take_addr(m, (uint64_t)h->msg_name, h->msg_namelen, sa);
		if (rc)
			return rc;
		if (!addr_allowed(m, nr, a, sa, h->msg_namelen, SB_NET_CONNECT))
			return -EACCES;
		h->msg_name = sa;
	}
	rc = take_iovec(m, (uint64_t)h->msg_iov, h->msg_iovlen, iov);
	if (rc)
		return rc;
	h->msg_iov = iov;
	if (h->msg_control && h->msg_controllen) {
		if (!buf_ok(m, (uint64_t)h->msg_control, h->msg_controllen))
			return -EFAULT;
		if (nr == SYS_sendmsg) {
			uint8_t *ctl = SCRATCH(m) + SCR_CTL;

			if (h->msg_controllen > SCR_CTL_MAX)
				return -ENOBUFS;
			rc = gmem_in(m, ctl, (uint64_t)h->msg_control, h->msg_controllen);
			if (rc)
				return rc;
			h->msg_control = ctl;
			/* walk the control messages of the copy; a malformed one ends
			 * the walk (the kernel rejects it the same way) */
			for (uint64_t off = 0; off + sizeof(struct cmsghdr) <= h->msg_controllen;) {
				struct cmsghdr cm;

				sb_memcpy(&cm, ctl + off, sizeof cm);
				if (cm.cmsg_len < sizeof cm || cm.cmsg_len > h->msg_controllen - off)
					break;
				if (cm.cmsg_level == SOL_SOCKET && cm.cmsg_type == SCM_RIGHTS) {
					for (uint64_t p = off + sizeof cm; p + sizeof(int) <= off + cm.cmsg_len;
					     p += sizeof(int)) {
						int fd;

						sb_memcpy(&fd, ctl + p, sizeof fd);
						/* defends against handing a monitor fd to another process */
						if (mon_is_monfd(m, fd))
							return -EBADF;
					}
				}
				off += (cm.cmsg_len + 7) & ~7ull;
			}
		}
	}
	rc = sb_sys3(nr, a[0], h, a[2]);
	if (nr == SYS_recvmsg && rc >= 0) {
		/* what the kernel updates in the header goes back to the guest's */
		long c = gmem_out(m, gh + __builtin_offsetof(struct msghdr, msg_namelen), &h->msg_namelen,
				  sizeof h->msg_namelen);
		if (!c)
			c = gmem_out(m, gh + __builtin_offsetof(struct msghdr, msg_controllen), &h->msg_controllen,
				     sizeof h->msg_controllen);
		if (!c)
			c = gmem_out(m, gh + __builtin_offsetof(struct msghdr, msg_flags), &h->msg_flags,
				     sizeof h->msg_flags);
		if (c)
			return c;
	}
	return rc;
}

/* prctl options that touch only the calling process's own, harmless state.
 * Refused: seccomp (would bind the monitor thread), PR_SET_MM, ptracer
 * grants, and everything the monitor does not know. */
static long prctl_check(const struct sb_mon *m, const long *a)
{
	switch (a[0]) {
	case 1:  /* PR_SET_PDEATHSIG */
	case 3:  /* PR_GET_DUMPABLE */
	case 4:  /* PR_SET_DUMPABLE */
	case 7:  /* PR_GET_KEEPCAPS */
	case 8:  /* PR_SET_KEEPCAPS */
	case 21: /* PR_GET_SECCOMP */
	case 23: /* PR_CAPBSET_READ */
	case 29: /* PR_SET_TIMERSLACK */
	case 30: /* PR_GET_TIMERSLACK */
	case 36: /* PR_SET_CHILD_SUBREAPER */
	case 38: /* PR_SET_NO_NEW_PRIVS */
	case 39: /* PR_GET_NO_NEW_PRIVS */
	case 41: /* PR_SET_THP_DISABLE */
	case 42: /* PR_GET_THP_DISABLE */
	case 47: /* PR_CAP_AMBIENT */
		return 0;
	case 2:  /* PR_GET_PDEATHSIG: int * */
	case 15: /* PR_SET_NAME: char[16] */
	case 16: /* PR_GET_NAME */
	case 37: /* PR_GET_CHILD_SUBREAPER */
	case 40: /* PR_GET_TID_ADDRESS */
		return ptr_ok(m, (uint64_t)a[1]) ? 0 : -EFAULT;
	case 0x53564d41: /* PR_SET_VMA: (attr, addr, len, name) */
		if (!buf_ok(m, (uint64_t)a[2], (uint64_t)a[3]) || !ptr_ok(m, (uint64_t)a[4]))
			return -EFAULT;
		return 0;
	default:
		return -EINVAL;
	}
}

/* futex: the arguments that are pointers for this op. Unused ones are
 * not looked at: glibc's FUTEX_WAKE passes four arguments and leaves
 * whatever the caller had in r8 and r9 (refusing a wake-up because of
 * such garbage would lose it, and hang the waiter). */
static long futex_check(const struct sb_mon *m, const long *a)
{
	int timeout = 0, uaddr2 = 0;

	switch (a[1] & ~0x180l) { /* FUTEX_CMD_MASK: the op without PRIVATE and CLOCK_REALTIME */
	case 0:  /* FUTEX_WAIT */
	case 9:  /* FUTEX_WAIT_BITSET */
	case 6:  /* FUTEX_LOCK_PI */
	case 13: /* FUTEX_LOCK_PI2 */
		timeout = 1;
		break;
	case 11: /* FUTEX_WAIT_REQUEUE_PI */
		timeout = uaddr2 = 1;
		break;
	case 3:  /* FUTEX_REQUEUE */
	case 4:  /* FUTEX_CMP_REQUEUE */
	case 5:  /* FUTEX_WAKE_OP */
	case 12: /* FUTEX_CMP_REQUEUE_PI */
		uaddr2 = 1;
		break;
	case 1:  /* FUTEX_WAKE */
	case 10: /* FUTEX_WAKE_BITSET */
	case 7:  /* FUTEX_UNLOCK_PI */
	case 8:  /* FUTEX_TRYLOCK_PI */
		break;
	default: /* an op the monitor does not know: both, as pointers */
		timeout = uaddr2 = 1;
		break;
	}
	if (timeout && a[3] && !ptr_ok(m, (uint64_t)a[3]))
		return -EFAULT;
	if (uaddr2 && !ptr_ok(m, (uint64_t)a[4]))
		return -EFAULT;
	return 0;
}

/* fcntl: the third argument is a pointer for these commands only; for the
 * others glibc passes whatever was in the register (va_arg of nothing) */
static long fcntl_check(const struct sb_mon *m, const long *a)
{
	switch (a[1]) {
	case 0: case 1: case 2: case 3: case 4: /* F_DUPFD F_GETFD F_SETFD F_GETFL F_SETFL */
	case 8: case 9: case 10: case 11:       /* F_SETOWN F_GETOWN F_SETSIG F_GETSIG */
	case 1024: case 1025: case 1026:        /* F_SETLEASE F_GETLEASE F_NOTIFY */
	case 1030: case 1031: case 1032:        /* F_DUPFD_CLOEXEC F_SETPIPE_SZ F_GETPIPE_SZ */
	case 1033: case 1034:                   /* F_ADD_SEALS F_GET_SEALS */
		return 0;
	default: /* locks, owners, hints, and what the monitor does not know */
		return ptr_ok(m, (uint64_t)a[2]) ? 0 : -EFAULT;
	}
}

/* setsockopt options that load code or pointers into the kernel are refused:
 * a socket filter read from the vault would copy monitor memory out. */
static long sockopt_check(const long *a)
{
	if (a[1] == SOL_SOCKET &&
	    (a[2] == SO_ATTACH_FILTER || a[2] == SO_ATTACH_BPF || a[2] == SO_ATTACH_REUSEPORT_CBPF ||
	     a[2] == SO_ATTACH_REUSEPORT_EBPF))
		return -EPERM;
	return 0;
}

/* 1 if the open file st is this process's own memory file. The monitor
 * looks the file up afresh in its own /proc/PID directory (an fd taken at
 * entry, which chroot and mounts cannot redirect): while the process holds
 * the file open, its inode is pinned, so any alias (bind mount, symlink,
 * /proc/self/fd/N, task directory) compares equal. */
static int is_own_mem(struct sb_mon *m, const struct stat *st)
{
	char name[48];
	struct sb_buf b = { name, 0, sizeof name - 1 };
	struct stat mem;

	if (!sb_sys4(SYS_newfstatat, m->proc_fd, "mem", &mem, 0) && mem.st_dev == st->st_dev && mem.st_ino == st->st_ino)
		return 1;
	buf_str(&b, "task/");
	buf_dec(&b, sb_thr_self()->tid);
	buf_str(&b, "/mem");
	name[b.len] = 0;
	return !sb_sys4(SYS_newfstatat, m->proc_fd, name, &mem, 0) && mem.st_dev == st->st_dev &&
	       mem.st_ino == st->st_ino;
}

/* An fd the process just opened must not be its own memory (/proc/PID/mem,
 * under any name or alias: symlinks, bind mounts, /proc/self/fd/N,
 * dirfd-relative) nor a KVM device. Checked on the open file, after the
 * kernel resolved the path, so no spelling of the path can get around it.
 * Any other process's mem file is refused too when its name shows it. */
static int opened_fd_forbidden(struct sb_mon *m, long fd)
{
	struct stat st;
	struct statfs sfs;
	char *buf = (char *)(SCRATCH(m) + SCR_MISC);
	char name[32];
	struct sb_buf b = { name, 0, sizeof name - 1 };
	long n;

	if (sb_sys2(SYS_fstat, fd, &st) < 0)
		return 1;
	if (S_ISCHR(st.st_mode) && ((st.st_rdev >> 8) & 0xfff) == MISC_MAJOR && (st.st_rdev & 0xff) == KVM_MINOR)
		return 1;
	if (sb_sys2(SYS_fstatfs, fd, &sfs) < 0)
		return 1;
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return 0;
	if (is_own_mem(m, &st))
		return 1;
	buf_str(&b, "fd/");
	buf_dec(&b, fd);
	name[b.len] = 0;
	n = sb_sys4(SYS_readlinkat, m->proc_fd, name, buf, 255);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	return n >= 4 && sb_memeq(buf + n - 4, "/mem", 4);
}

static int has_path_arg(const struct sb_sysent *se)
{
	for (int i = 0; i < se->nargs; i++)
		if (se->kind[i] == SA_PATH)
			return 1;
	return 0;
}

static int opens_path(long nr)
{
	return nr == SYS_open || nr == SYS_openat || nr == SYS_creat || nr == SYS_openat2 ||
	       nr == SYS_open_by_handle_at || nr == SYS_open_tree;
}

/* Generic checks from the sysent signature. Returns 0 or the errno to fail with. */
static long check_args(struct sb_mon *m, const struct sb_sysent *se, long *a)
{
	for (int i = 0; i < se->nargs; i++) {
		uint64_t p = (uint64_t)a[i];

		switch (se->kind[i]) {
		case SA_FD:
		case SA_DIRFD:
		case SA_NEWFD:
			/* the monitor's fds do not exist for the process */
			if (mon_is_monfd(m, a[i]))
				return -EBADF;
			break;
		case SA_BUF:
			if (p && !buf_ok(m, p, (uint64_t)a[se->len[i]]))
				return -EFAULT;
			break;
		case SA_BUFN: {
			uint64_t n = (uint64_t)a[se->len[i]], sz = n * se->elem;

			if (p && (n && sz / n != se->elem))
				return -EINVAL;
			if (p && !buf_ok(m, p, sz))
				return -EFAULT;
			break;
		}
		case SA_ADDR:
			/* emulated memory calls check their ranges themselves (an
			 * mmap hint is no range); the others (mlock, msync, ...)
			 * may not name the vault */
			if (!(se->flags & SE_EMULATE) && se->len[i] != i && !buf_ok(m, p, (uint64_t)a[se->len[i]]))
				return -EPERM;
			break;
		case SA_IOVEC: {
			struct iovec *iov = (struct iovec *)(SCRATCH(m) + SCR_IOV);
			long rc = take_iovec(m, p, (uint64_t)a[se->len[i]], iov);

			if (rc)
				return rc;
			a[i] = (long)iov; /* the kernel reads the checked copy */
			break;
		}
		case SA_PATH:
		case SA_STR:
		case SA_PTR:
		case SA_KEEP:
		case SA_STRV:
		case SA_SIGSET:
		case SA_UNKNOWN:
		case SA_MSGHDR:
		case SA_MMSGHDR:
			if (p && !ptr_ok(m, p))
				return -EFAULT;
			break;
		case SA_NONE:
		case SA_INT:
			break;
		}
	}
	return 0;
}

static long deny(struct sb_mon *m, long nr, const long *a, long err, const char *why)
{
	audit_log(m, nr, a, SB_ACT_ERRNO(-err), err, why);
	return err;
}

/* A call as a worker of the exitless channel makes it (channel.c): the
 * decision of mon_syscall() for the same call, where it is "allow and
 * forward as it is"; anything else -SB_CHAN_BACK, and the exit path
 * decides it (with its audit record, signal or death). a[] is the
 * worker's own copy. */
long mon_chan_call(struct sb_mon *m, long nr, long *a)
{
	const struct sb_sysent *se;
	uint64_t ua[6];
	uint32_t origin;
	struct stat st;

	/* defends against a request for a call the channel does not take
	 * (the stubs' bitmap is the monitor's, but the worker checks anew) */
	if (nr < 0 || nr >= SB_NR_SYSCALLS || !chan_call_ok(nr))
		return -SB_CHAN_BACK;
	se = &sb_sysent_table[nr];
	if (!(se->flags & SE_KNOWN) || (se->flags & (SE_EMULATE | SE_DENY)))
		return -SB_CHAN_BACK;
	for (int i = 0; i < 6; i++)
		ua[i] = (uint64_t)a[i];
	if (policy_decide(m->policy, nr, ua, &origin) != SB_ACT_ALLOW)
		return -SB_CHAN_BACK;
	/* the integrity layer, on the worker's copy (a refusal is audited by
	 * the exit path) */
	if (check_args(m, se, a))
		return -SB_CHAN_BACK;
	/* defends against a worker blocked for long on the process's behalf
	 * (a pipe, a socket, a terminal): only files, directories and the
	 * memory devices (/dev/null, /dev/zero, /dev/urandom, ...) */
	if (chan_fd_call(nr)) {
		if (sb_sys2(SYS_fstat, a[0], &st) < 0)
			return -SB_CHAN_BACK;
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
		    !(S_ISCHR(st.st_mode) && ((st.st_rdev >> 8) & 0xfff) == 1 /* MEM_MAJOR */))
			return -SB_CHAN_BACK;
	}
	sb_thr_self()->nsyscalls++;
	return sb_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* calls after which a worker's credentials would differ from the guest
 * threads' (the kernel keeps them per thread) */
static int changes_creds(long nr)
{
	return nr == SYS_setuid || nr == SYS_setgid || nr == SYS_setreuid || nr == SYS_setregid ||
	       nr == SYS_setresuid || nr == SYS_setresgid || nr == SYS_setfsuid || nr == SYS_setfsgid ||
	       nr == SYS_setgroups || nr == SYS_capset || nr == SYS_unshare || nr == SYS_setns;
}

long mon_syscall(struct sb_mon *m, struct kvm_regs *r)
{
	long nr = (long)r->rax;
	long a[6] = { (long)r->rdi, (long)r->rsi, (long)r->rdx, (long)r->r10, (long)r->r8, (long)r->r9 };
	const uint64_t ua[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	const struct cp_policy *pol = m->policy;
	const struct sb_sysent *se;
	const char *rule;
	uint32_t act, origin;
	long rc;

	sb_thr_self()->nsyscalls++;
	sb_thr_self()->cur_rip = r->rcx;
	/* numbers outside the table (x32 calls included) do not exist here */
	if (nr < 0 || nr >= SB_NR_SYSCALLS)
		return deny(m, nr, a, -ENOSYS, "unknown system call");
	se = &sb_sysent_table[nr];
	if (!(se->flags & SE_KNOWN))
		return deny(m, nr, a, -ENOSYS, "unknown system call");

	act = policy_decide(pol, nr, ua, &origin);
	/* origin offsets come from the compiled table in the vault */
	if (origin < POLICY_ORIGINS_SIZE)
		rule = pol->origins + origin;
	else
		rule = pol->base[nr] == pol->default_action ? "default" : "policy";
	if (act == SB_ACT_TRAP && sig_has_handler(m, SIGSYS)) {
		/* as seccomp's RET_TRAP: the call is not made, SIGSYS is raised
		 * with the call's number and address, and the handler finds rax
		 * holding the number */
		audit_log(m, nr, a, act, 0, rule);
		sig_raise_sys(m, nr, r->rcx);
		return nr;
	}
	if (act == SB_ACT_KILL || act == SB_ACT_TRAP) {
		/* KILL; TRAP with SIGSYS not handled: death by SIGSYS */
		audit_log(m, nr, a, act, 0, rule);
		policy_kill_note(m, nr, rule);
		mon_die(m, SIGSYS);
	}
	if (SB_ACT_IS_ERRNO(act))
		return deny(m, nr, a, -(long)(act & 0xffff), rule);
	if (act == SB_ACT_LOG)
		audit_log(m, nr, a, act, 0, rule);
	if (se->flags & SE_DENY)
		return deny(m, nr, a, -EPERM, "integrity: never allowed in a sandbox");

	rc = check_args(m, se, a);
	if (rc)
		return deny(m, nr, a, rc, rc == -EBADF ? "integrity: monitor fd" : "integrity: vault address");
	/* the channel's workers would keep the old credentials or namespaces */
	if (changes_creds(nr) && m->chan_enabled && !m->chan_dead)
		chan_kill(m);

	if (se->flags & SE_EMULATE)
		return emu_call(m, nr, a);
	if (path_meta(m, nr, a, &rc))
		return rc;

	switch (nr) {
	case SYS_ioctl:
		if (!sb_ioctl_allowed((unsigned long)a[1] & 0xffffffffu))
			return deny(m, nr, a, -ENOTTY, "integrity: ioctl not known to be pointer-free");
		break;
	case SYS_prctl:
		rc = prctl_check(m, a);
		if (rc)
			return deny(m, nr, a, rc, "integrity: prctl option");
		break;
	case SYS_unshare:
		/* a new mount namespace (or a user namespace, which brings one)
		 * would let the process build a second /proc and alias its own
		 * memory file past the checks below */
		if (a[0] & (CLONE_NEWNS | CLONE_NEWUSER))
			return deny(m, nr, a, -EPERM, "integrity: new mount or user namespace");
		break;
	case SYS_fcntl:
		rc = fcntl_check(m, a);
		if (rc)
			return deny(m, nr, a, rc, "integrity: vault address");
		break;
	case SYS_futex:
		rc = futex_check(m, a);
		if (rc)
			return deny(m, nr, a, rc, "integrity: vault address");
		break;
	case SYS_setsockopt:
		rc = sockopt_check(a);
		if (rc)
			return deny(m, nr, a, rc, "integrity: socket filter");
		break;
	case SYS_socket:
	case SYS_socketpair:
		if (!policy_socket_ok(pol, a[0], a[1]))
			return deny(m, nr, a, -EACCES, "net: socket domain or type not allowed");
		break;
	case SYS_connect:
	case SYS_bind:
	case SYS_sendto: {
		/* the address argument: connect/bind arg 1 (len 2), sendto arg 4 (len 5) */
		int ai = nr == SYS_sendto ? 4 : 1;
		uint8_t *sa = SCRATCH(m) + SCR_ADDR;

		if (!a[ai] && nr == SYS_sendto)
			break; /* a connected socket: no address */
		rc = take_addr(m, (uint64_t)a[ai], (uint64_t)(unsigned)a[ai + 1], sa);
		if (rc)
			return deny(m, nr, a, rc, "net: unreadable address");
		if (!addr_allowed(m, nr, a, sa, (uint64_t)(unsigned)a[ai + 1], nr == SYS_bind ? SB_NET_BIND : SB_NET_CONNECT))
			return -EACCES;
		a[ai] = (long)sa;
		break;
	}
	case SYS_sendmsg:
	case SYS_recvmsg:
		return do_msg(m, nr, a);
	case SYS_sendmmsg:
	case SYS_recvmmsg:
	case SYS_io_setup:
	case SYS_io_destroy:
	case SYS_io_submit:
	case SYS_io_cancel:
	case SYS_io_getevents:
	case SYS_io_pgetevents:
		return deny(m, nr, a, -ENOSYS, "not supported yet");
	default:
		break;
	}

	/* a guest signal that arrives from here on stops the call before it
	 * starts (-ERESTARTNOINTR) or interrupts it (EINTR) */
	rc = sb_sys_intr(nr, a, &sb_thr_self()->run->immediate_exit);
	/* Landlock refuses in the kernel, unseen by the policy: say so in the
	 * audit log when a call naming a path is refused while paths are
	 * unveiled (file permissions give EACCES too: the rule says both) */
	if (rc == -EACCES && pol->nroots && has_path_arg(se))
		audit_log(m, nr, a, SB_ACT_ERRNO(EACCES), rc,
			  "unveil: refused by the kernel (Landlock) or by file permissions");
	if (rc >= 0 && opens_path(nr) && opened_fd_forbidden(m, rc)) {
		sb_sys1(SYS_close, rc);
		return deny(m, nr, a, -EACCES, "integrity: the process's own memory or a KVM device");
	}
	return rc;
}
