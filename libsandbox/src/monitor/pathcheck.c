/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/pathcheck.c: path rules for the calls Landlock does not cover.
 *
 * Landlock (api/landlock.c) checks every open, creation, removal, rename,
 * link and execution in the kernel. It has no rights for metadata: stat,
 * access, readlink, chmod, chown, utimes, statfs. For those, when the
 * policy unveils paths, the monitor lets the kernel resolve the name
 * (openat2 with O_PATH, from the process's own cwd and dirfd, following
 * symlinks exactly as the call would), asks the kernel what it reached
 * (/proc/self/fd/N of that O_PATH fd), compares that resolved path with the
 * unveiled trees (also resolved, at entry), and then carries out the call
 * on the O_PATH fd itself — never on the name again, so nothing can be
 * swapped between check and use. Changing metadata needs 'w' on the tree;
 * reading it needs any permission. Outside: EACCES, as Landlock's refusals.
 * The xattr calls are refused with ENOTSUP while paths are unveiled (they
 * have no fd-relative form for O_PATH fds).
 *
 * Freestanding: runs in the monitor's exit path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include "audit.h"
#include "gmem.h"
#include "log.h"
#include "monitor.h"
#include "pathcheck.h"
#include "../policy/compiled.h"

#define PATH_BUF 4096

enum op { OP_STAT, OP_STATX, OP_ACCESS, OP_READLINK, OP_CHMOD, OP_CHOWN, OP_UTIMES, OP_UTIME, OP_UTIMENSAT,
	  OP_STATFS, OP_CHECK_ONLY, OP_XATTR };

struct meta {
	long nr;
	int8_t dirfd, path, flags; /* argument indexes, -1: none */
	uint8_t nofollow;          /* does not follow a final symlink by itself */
	uint8_t write;             /* changes metadata: needs 'w' */
	uint8_t op;
};

static const struct meta metas[] = {
	{ SYS_stat, -1, 0, -1, 0, 0, OP_STAT },
	{ SYS_lstat, -1, 0, -1, 1, 0, OP_STAT },
	{ SYS_newfstatat, 0, 1, 3, 0, 0, OP_STAT },
	{ SYS_statx, 0, 1, 2, 0, 0, OP_STATX },
	{ SYS_access, -1, 0, -1, 0, 0, OP_ACCESS },
	{ SYS_faccessat, 0, 1, -1, 0, 0, OP_ACCESS },
	{ SYS_faccessat2, 0, 1, 3, 0, 0, OP_ACCESS },
	{ SYS_readlink, -1, 0, -1, 1, 0, OP_READLINK },
	{ SYS_readlinkat, 0, 1, -1, 1, 0, OP_READLINK },
	{ SYS_chmod, -1, 0, -1, 0, 1, OP_CHMOD },
	{ SYS_fchmodat, 0, 1, -1, 0, 1, OP_CHMOD },
	{ SYS_chown, -1, 0, -1, 0, 1, OP_CHOWN },
	{ SYS_lchown, -1, 0, -1, 1, 1, OP_CHOWN },
	{ SYS_fchownat, 0, 1, 4, 0, 1, OP_CHOWN },
	{ SYS_utime, -1, 0, -1, 0, 1, OP_UTIME },
	{ SYS_utimes, -1, 0, -1, 0, 1, OP_UTIMES },
	{ SYS_futimesat, 0, 1, -1, 0, 1, OP_UTIMES },
	{ SYS_utimensat, 0, 1, 3, 0, 1, OP_UTIMENSAT },
	{ SYS_statfs, -1, 0, -1, 0, 0, OP_STATFS },
	{ SYS_inotify_add_watch, -1, 1, -1, 0, 0, OP_CHECK_ONLY },
	{ SYS_name_to_handle_at, 0, 1, 4, 0, 0, OP_CHECK_ONLY },
	{ SYS_getxattr, -1, 0, -1, 0, 0, OP_XATTR },
	{ SYS_lgetxattr, -1, 0, -1, 1, 0, OP_XATTR },
	{ SYS_setxattr, -1, 0, -1, 0, 1, OP_XATTR },
	{ SYS_lsetxattr, -1, 0, -1, 1, 1, OP_XATTR },
	{ SYS_listxattr, -1, 0, -1, 0, 0, OP_XATTR },
	{ SYS_llistxattr, -1, 0, -1, 1, 0, OP_XATTR },
	{ SYS_removexattr, -1, 0, -1, 0, 1, OP_XATTR },
	{ SYS_lremovexattr, -1, 0, -1, 1, 1, OP_XATTR },
};

static const struct meta *find(long nr)
{
	for (unsigned i = 0; i < sizeof metas / sizeof metas[0]; i++)
		if (metas[i].nr == nr)
			return &metas[i];
	return 0;
}

/* copy a NUL-terminated guest string of at most n-1 bytes; -ENAMETOOLONG past that */
static long take_path(const struct sb_mon *m, char *dst, uint64_t g, uint64_t n)
{
	uint64_t got = 0;

	while (got < n) {
		uint64_t chunk = SB_PAGE - ((g + got) & (SB_PAGE - 1));

		if (chunk > n - got)
			chunk = n - got;
		if (gmem_in(m, dst + got, g + got, chunk))
			return -EFAULT;
		for (uint64_t i = got; i < got + chunk; i++)
			if (!dst[i])
				return 0;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

/* "fd/N" for the monitor's /proc/self directory fd */
static void fd_name(char *buf, long fd)
{
	struct sb_buf b = { buf, 0, 23 };

	buf_str(&b, "fd/");
	buf_dec(&b, fd);
	buf[b.len] = 0;
}

static long run_on_fd(struct sb_mon *m, const struct meta *mt, const long *a, long fd, int flags)
{
	char name[24];

	fd_name(name, fd);
	switch (mt->op) {
	case OP_STAT:
		return sb_sys4(SYS_newfstatat, fd, "", a[mt->path + 1], AT_EMPTY_PATH);
	case OP_STATX:
		return sb_sys5(SYS_statx, fd, "", AT_EMPTY_PATH | (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)),
			       a[3], a[4]);
	case OP_ACCESS:
		return sb_sys4(SYS_faccessat2, fd, "", a[mt->path + 1], AT_EMPTY_PATH | (flags & AT_EACCESS));
	case OP_READLINK:
		return sb_sys4(SYS_readlinkat, fd, "", a[mt->path + 1], a[mt->path + 2]);
	case OP_CHMOD:
		return sb_sys3(SYS_fchmodat, m->proc_fd, name, a[mt->path + 1]);
	case OP_CHOWN:
		return sb_sys5(SYS_fchownat, fd, "", a[mt->path + 1], a[mt->path + 2], AT_EMPTY_PATH);
	case OP_UTIMES:
		return sb_sys3(SYS_futimesat, m->proc_fd, name, a[mt->path + 1]);
	case OP_UTIME: {
		/* struct utimbuf { actime, modtime } -> timeval[2] */
		long tb[2], tv[4];

		if (!a[1])
			return sb_sys3(SYS_futimesat, m->proc_fd, name, 0);
		if (gmem_in(m, tb, (uint64_t)a[1], sizeof tb))
			return -EFAULT;
		tv[0] = tb[0];
		tv[1] = 0;
		tv[2] = tb[1];
		tv[3] = 0;
		return sb_sys3(SYS_futimesat, m->proc_fd, name, tv);
	}
	case OP_UTIMENSAT:
		return sb_sys4(SYS_utimensat, m->proc_fd, name, a[2], 0);
	case OP_STATFS:
		return sb_sys2(SYS_fstatfs, fd, a[1]);
	default:
		return -ENOSYS;
	}
}

int path_meta(struct sb_mon *m, long nr, long *a, long *ret)
{
	const struct meta *mt;
	char *path = (char *)(SCRATCH(m) + SCR_PATH), *real = path + PATH_BUF;
	char name[24];
	struct open_how how;
	int flags, fd;
	long n, rc;

	if (!m->policy->nroots || !(mt = find(nr)))
		return 0;
	if (mt->op == OP_XATTR) {
		*ret = -ENOTSUP;
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOTSUP), -ENOTSUP, "unveil: xattr calls while paths are unveiled");
		return 1;
	}
	flags = mt->flags >= 0 ? (int)a[mt->flags] : 0;
	/* utimensat(fd, NULL, ...) and AT_EMPTY_PATH with "": the call acts on
	 * an fd the process holds, no name is looked up */
	if (!a[mt->path])
		return 0;
	rc = take_path(m, path, (uint64_t)a[mt->path], PATH_BUF);
	if (rc) {
		*ret = rc;
		return 1;
	}
	if (!path[0] && (flags & AT_EMPTY_PATH))
		return 0;
	sb_memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC | ((mt->nofollow || (flags & AT_SYMLINK_NOFOLLOW)) ? O_NOFOLLOW : 0);
	fd = (int)sb_sys4(SYS_openat2, mt->dirfd >= 0 ? a[mt->dirfd] : AT_FDCWD, path, &how, sizeof how);
	if (fd < 0) {
		*ret = fd; /* ENOENT, ENOTDIR, ELOOP...: as the call itself would say */
		return 1;
	}
	fd_name(name, fd);
	n = sb_sys4(SYS_readlinkat, m->proc_fd, name, real, PATH_BUF - 1);
	if (n <= 0 || real[0] != '/' ||
	    !policy_path_visible(m->policy, real, (uint32_t)n, mt->write ? UNVEIL_W : 0)) {
		sb_sys1(SYS_close, fd);
		*ret = -EACCES;
		audit_log(m, nr, a, SB_ACT_ERRNO(EACCES), -EACCES, "unveil: outside the unveiled paths");
		return 1;
	}
	/* utimensat(AT_SYMLINK_NOFOLLOW) on what is not a symlink: on the
	 * checked file itself, as without the flag (no name looked up again) */
	if ((flags & AT_SYMLINK_NOFOLLOW) && mt->op == OP_UTIMENSAT) {
		struct stat st;

		if (!sb_sys2(SYS_fstat, fd, (long)&st) && !S_ISLNK(st.st_mode)) {
			*ret = run_on_fd(m, mt, a, fd, flags & ~AT_SYMLINK_NOFOLLOW);
			sb_sys1(SYS_close, fd);
			return 1;
		}
	}
	if (mt->op == OP_CHECK_ONLY || ((flags & AT_SYMLINK_NOFOLLOW) && mt->op == OP_UTIMENSAT)) {
		sb_sys1(SYS_close, fd);
		/* forwarded by name (see docs/policy.md), but the name the
		 * kernel gets is the checked copy in the vault: defends against
		 * another process that shares the page rewriting it after the
		 * check */
		a[mt->path] = (long)path;
		return 0;
	}
	*ret = run_on_fd(m, mt, a, fd, flags);
	sb_sys1(SYS_close, fd);
	return 1;
}
