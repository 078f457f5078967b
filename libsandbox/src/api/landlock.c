/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/landlock.c: the policy's path rules, enforced by the kernel (Landlock).
 *
 * Why Landlock and not checks in the monitor: a path the monitor checked is
 * looked up again by the kernel when the call runs, and in between a
 * symlink can be swapped, a directory renamed, a dirfd or /proc/self/fd/N
 * or /proc/self/root can lead elsewhere. Landlock checks the file the
 * kernel actually reaches, at the moment it reaches it, against the
 * hierarchies opened here; there is no window. It is applied to the
 * monitor thread, which makes every forwarded call. What it does not
 * cover is said in docs/policy.md (metadata calls such as stat, chmod,
 * chown, utimes, readlink are not file-access rights in Landlock).
 *
 * Rights: r -> read files, list directories; w -> write files, truncate;
 * x -> execute; c -> make and remove entries of every kind, and move them
 * between directories (REFER). Device ioctls and network rights are not
 * handled here (the monitor has its own ioctl list and network rules).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "landlock.h"
#include "../policy/policy.h"

#define LL_EXECUTE (1ull << 0)
#define LL_WRITE_FILE (1ull << 1)
#define LL_READ_FILE (1ull << 2)
#define LL_READ_DIR (1ull << 3)
#define LL_REMOVE_DIR (1ull << 4)
#define LL_REMOVE_FILE (1ull << 5)
#define LL_MAKE_ALL (0x7full << 6) /* char dir reg sock fifo block sym */
#define LL_REFER (1ull << 13)      /* ABI 2 */
#define LL_TRUNCATE (1ull << 14)   /* ABI 3 */
#define LL_FILE_RIGHTS (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE)

static uint64_t rights_of(unsigned perms, int abi)
{
	uint64_t r = 0;

	if (perms & UNVEIL_R)
		r |= LL_READ_FILE | LL_READ_DIR;
	if (perms & UNVEIL_W)
		r |= LL_WRITE_FILE | (abi >= 3 ? LL_TRUNCATE : 0);
	if (perms & UNVEIL_X)
		r |= LL_EXECUTE;
	if (perms & UNVEIL_C)
		r |= LL_REMOVE_DIR | LL_REMOVE_FILE | LL_MAKE_ALL | (abi >= 2 ? LL_REFER : 0);
	return r;
}

static int add_rule(int ruleset, const struct policy_unveil *u, int abi, char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int rc = 0, fd = open(u->path, O_PATH | O_CLOEXEC);

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "unveil %s: %s", u->path, strerror(errno));
		return rc;
	}
	memset(&pb, 0, sizeof pb);
	pb.parent_fd = fd;
	pb.allowed_access = rights_of(u->perms, abi);
	/* a file (not a directory) takes only the rights files have */
	if (!fstat(fd, &st) && !S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FILE_RIGHTS;
	if (pb.allowed_access && syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0)) {
		rc = -errno;
		snprintf(err, errlen, "unveil %s: landlock_add_rule: %s", u->path, strerror(errno));
	}
	close(fd);
	return rc;
}

struct launcher_rules {
	int ruleset, abi, rc;
	char *err;
	size_t errlen;
};

static int add_file_rule(struct launcher_rules *lr, const char *path)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return 0; /* vanished or unnamed: nothing to allow */
	memset(&pb, 0, sizeof pb);
	pb.parent_fd = fd;
	pb.allowed_access = LL_READ_FILE | LL_EXECUTE;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    syscall(SYS_landlock_add_rule, lr->ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0)) {
		lr->rc = -errno;
		snprintf(lr->err, lr->errlen, "launcher file %s: landlock_add_rule: %s", path, strerror(errno));
	}
	close(fd);
	return lr->rc;
}

static int add_object_rule(struct dl_phdr_info *info, size_t size, void *p)
{
	(void)size;
	return info->dlpi_name && info->dlpi_name[0] == '/' ? add_file_rule(p, info->dlpi_name) : 0;
}

int landlock_apply(const struct sb_policy *pol, int with_launcher, char *err, size_t errlen)
{
	struct landlock_ruleset_attr attr;
	const struct policy_unveil *pending;
	int npending = unveil_pending(&pending);
	int abi, ruleset = -1, rc = 0;

	if ((!pol || !pol->nunveil) && !npending)
		return 0;
	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		snprintf(err, errlen, "the policy has path rules (unveil) but this kernel offers no Landlock (%s): "
			 "refusing to run without them", strerror(errno));
		return -ENOSYS;
	}
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = rights_of(UNVEIL_R | UNVEIL_W | UNVEIL_X | UNVEIL_C, abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr.handled_access_fs, 0);
	if (ruleset < 0) {
		rc = -errno;
		snprintf(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
		return rc;
	}
	for (int i = 0; pol && i < pol->nunveil && !rc; i++)
		rc = add_rule(ruleset, &pol->unveil[i], abi, err, errlen);
	for (int i = 0; i < npending && !rc; i++)
		rc = add_rule(ruleset, &pending[i], abi, err, errlen);
	if (!rc && with_launcher) {
		struct launcher_rules lr = { ruleset, abi, 0, err, errlen };

		add_file_rule(&lr, "/proc/self/exe");
		if (!lr.rc)
			dl_iterate_phdr(add_object_rule, &lr);
		rc = lr.rc;
	}
	/* no_new_privs: required to restrict an unprivileged thread, and what a
	 * sandbox wants anyway (the second wall sets it too) */
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		rc = -errno;
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
	}
	if (!rc && syscall(SYS_landlock_restrict_self, ruleset, 0)) {
		rc = -errno;
		snprintf(err, errlen, "landlock_restrict_self: %s", strerror(errno));
	}
	close(ruleset);
	return rc;
}
