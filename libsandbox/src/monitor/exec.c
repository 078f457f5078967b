/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/exec.c: execve inside a launched sandbox: a fresh launcher image starts the new program in a new VM.
 *
 * The monitor cannot load an ELF file itself: its exit path is
 * freestanding, and the process's libc and libelf state is guest memory.
 * So execve becomes an execve of the launcher (the executable that called
 * sb_exec(), kept open since entry) with the hidden command line
 *   ringfence --exec-inner STATE_FD PATH ARGV...
 * and the program's environment. STATE_FD is a memfd holding the compiled
 * policy and the monitor's settings (struct sb_exec_state); the KVM device
 * and the audit fd are inherited. The new image is the launcher's own
 * code, loaded by the kernel: it loads PATH with the loader and enters a
 * new VM at the program's first instruction (sb_exec_resume()). What the
 * kernel carries across execve stays: the pid, the fds without
 * close-on-exec, ignored signals and the mask, the seccomp filter (the
 * second wall, which lets the launcher start when the policy allows
 * exec: api/wall.c), no_new_privs.
 *
 * Errors that execve reports to its caller (no such file, not executable,
 * not a program) are found here first, on the path as the guest gave it;
 * a file that fails later, in the new image, ends the process with 127 or
 * 126 and a line on stderr, as a shell's child would.
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "audit.h"
#include "exec_state.h"
#include "gmem.h"
#include "monitor.h"
#include "../../include/sandbox.h"
#include "../policy/compiled.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define EXEC_MAX_STRINGS (1u << 20) /* bytes of argv + envp strings (the kernel's ARG_MAX-like bound) */
#define EXEC_MAX_PTRS 32768u
#define SCR_EXEC 0x10000ull /* in the scratch area: past what syscall.c uses for the call itself */

struct exec_buf {
	uint8_t *base;
	uint64_t used, cap;
};

/* Copy one NUL-terminated guest string to b; return its address in b. */
static long take_string(struct sb_mon *m, struct exec_buf *b, uint64_t g, uint64_t *out)
{
	uint64_t start = b->used;

	for (;;) {
		uint8_t chunk[64];
		uint64_t n = 64 - (g & 63); /* never cross more than needed */

		if (gmem_in(m, chunk, g, n)) {
			/* the last bytes of a mapping: one at a time */
			n = 1;
			if (gmem_in(m, chunk, g, 1))
				return -EFAULT;
		}
		for (uint64_t i = 0; i < n; i++) {
			if (b->used >= b->cap)
				return -E2BIG;
			b->base[b->used++] = chunk[i];
			if (!chunk[i]) {
				*out = (uint64_t)(b->base + start);
				return 0;
			}
		}
		g += n;
	}
}

/* Copy a guest NULL-terminated string vector into b as a host vector of
 * pointers into b, after `skip` slots the caller fills. */
static long take_vector(struct sb_mon *m, struct exec_buf *b, uint64_t g, unsigned skip, uint64_t **vec_out)
{
	uint64_t n = 0, *vec;
	long rc;

	/* count first: the vector must be in b before its strings */
	for (; g; n++) {
		uint64_t p;

		if (n >= EXEC_MAX_PTRS)
			return -E2BIG;
		if (gmem_in(m, &p, g + n * 8, 8))
			return -EFAULT;
		if (!p)
			break;
	}
	b->used = (b->used + 7) & ~7ull;
	if (b->used + (n + skip + 1) * 8 > b->cap)
		return -E2BIG;
	vec = (uint64_t *)(b->base + b->used);
	b->used += (n + skip + 1) * 8;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p;

		if (gmem_in(m, &p, g + i * 8, 8))
			return -EFAULT;
		rc = take_string(m, b, p, &vec[skip + i]);
		if (rc)
			return rc;
	}
	vec[skip + n] = 0;
	*vec_out = vec;
	return 0;
}

static void dec(char *s, long v)
{
	char t[24];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < 20);
	while (n)
		*s++ = t[--n];
	*s = 0;
}

/* What execve would say of path before its point of no return. */
static long precheck(const char *path)
{
	struct stat st;
	uint8_t magic[4];
	long fd, n;

	if (sb_sys4(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0))
		return sb_sys4(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0);
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	n = sb_sys4(SYS_faccessat2, AT_FDCWD, (long)path, X_OK, AT_EACCESS);
	if (n)
		return n;
	fd = sb_sys4(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	n = sb_sys3(SYS_read, fd, (long)magic, 4);
	sb_sys1(SYS_close, fd);
	if (n >= 2 && magic[0] == '#' && magic[1] == '!')
		return 0;
	if (n == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F')
		return 0;
	return -ENOEXEC;
}

long mon_execve(struct sb_mon *m, long nr, const long *a)
{
	struct exec_buf b = { SCRATCH(m) + SCR_EXEC, 0, THR_SCRATCH_SIZE - SCR_EXEC };
	struct sb_exec_state st;
	uint64_t gpath = (uint64_t)(nr == SYS_execve ? a[0] : a[1]);
	uint64_t gargv = (uint64_t)(nr == SYS_execve ? a[1] : a[2]);
	uint64_t genvp = (uint64_t)(nr == SYS_execve ? a[2] : a[3]);
	uint64_t path = 0, *argv = 0, *envp = 0;
	char *fdstr;
	long rc, memfd;

	if (m->exe_fd < 0) {
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOSYS), -ENOSYS,
			  "not supported: execve in a sandbox entered by sb_enter() (use sb_exec or ringfence run)");
		return -ENOSYS;
	}
	/* with path rules on, the new image gets its /proc files from the broker */
	if (m->landlocked && m->broker_fd < 0) {
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOSYS), -ENOSYS, "not supported: execve with path rules and no /proc broker");
		return -ENOSYS;
	}
	/* execveat: only the forms execve has (AT_FDCWD or an absolute path) */
	if (nr == SYS_execveat && a[4] != 0) {
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOSYS), -ENOSYS, "not supported yet: execveat with flags");
		return -ENOSYS;
	}
	rc = take_string(m, &b, gpath, &path);
	if (rc)
		return rc == -E2BIG ? -ENAMETOOLONG : rc;
	if (nr == SYS_execveat && a[0] != AT_FDCWD && ((const char *)path)[0] != '/') {
		audit_log(m, nr, a, SB_ACT_ERRNO(ENOSYS), -ENOSYS, "not supported yet: execveat relative to a dirfd");
		return -ENOSYS;
	}
	if (!((const char *)path)[0])
		return -ENOENT;
	rc = precheck((const char *)path);
	if (rc)
		return rc;
	/* the launcher's command line: 4 slots before the program's argv */
	rc = take_vector(m, &b, gargv, 4, &argv);
	if (!rc)
		rc = take_vector(m, &b, genvp, 0, &envp);
	if (rc)
		return rc;
	if (b.used + 32 > b.cap)
		return -E2BIG;
	fdstr = (char *)(b.base + b.used);

	/* the state the new image needs */
	for (unsigned i = 0; i < sizeof st; i++)
		((uint8_t *)&st)[i] = 0;
	st.magic = SB_EXEC_STATE_MAGIC;
	st.version = SB_EXEC_STATE_VERSION;
	st.policy_size = sizeof(struct cp_policy);
	st.exec_policy_size = m->exec_policy ? sizeof(struct cp_policy) : 0;
	st.audit_flags = m->audit_flags;
	st.kvm_fd = m->kvm_fd;
	st.log_fd = m->log_fd;
	st.exe_fd = m->exe_fd;
	st.broker_fd = m->broker_fd;
	st.landlocked = m->landlocked;
	st.enter_flags = (m->ring0 ? SB_ENTER_RING0 : 0) |
			 (m->chan_mode == SB_CHAN_ON ? SB_ENTER_EXITLESS : 0) |
			 (m->chan_mode == SB_CHAN_OFF ? SB_ENTER_NO_EXITLESS : 0) | (m->patch_on ? 0 : SB_ENTER_NO_PATCH);
	st.tasks_fd = m->tasks_fd;
	st.backend = m->backend_kind;
	memfd = sb_sys2(SYS_memfd_create, (long)"ringfence-exec", 0);
	if (memfd < 0)
		return memfd;
	if (sb_sys3(SYS_write, memfd, (long)&st, sizeof st) != sizeof st ||
	    /* the new program runs under the exec policy (execpromises), which
	     * also stays the policy of its own execs */
	    sb_sys3(SYS_write, memfd, (long)(m->exec_policy ? m->exec_policy : m->policy), sizeof(struct cp_policy)) !=
		    (long)sizeof(struct cp_policy) ||
	    (m->exec_policy && sb_sys3(SYS_write, memfd, (long)m->exec_policy, sizeof(struct cp_policy)) !=
				       (long)sizeof(struct cp_policy))) {
		sb_sys1(SYS_close, memfd);
		return -ENOMEM;
	}
	dec(fdstr, memfd);
	argv[0] = (uint64_t)"ringfence";
	argv[1] = (uint64_t)"--exec-inner";
	argv[2] = (uint64_t)fdstr;
	argv[3] = path;

	/* the channel's worker would survive it, with the old fds */
	chan_stop_worker(m);
	/* the device and the audit log survive the exec; nothing else of the monitor */
	sb_sys3(SYS_fcntl, m->kvm_fd, F_SETFD, 0);
	sb_sys3(SYS_fcntl, m->exe_fd, F_SETFD, 0);
	if (m->log_fd >= 0)
		sb_sys3(SYS_fcntl, m->log_fd, F_SETFD, 0);
	if (m->broker_fd >= 0)
		sb_sys3(SYS_fcntl, m->broker_fd, F_SETFD, 0);
	if (m->tasks_fd >= 0)
		sb_sys3(SYS_fcntl, m->tasks_fd, F_SETFD, 0);
	rc = sb_sys5(SYS_execveat, m->exe_fd, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH);
	/* still here: the exec failed, nothing changed */
	sb_sys3(SYS_fcntl, m->kvm_fd, F_SETFD, FD_CLOEXEC);
	sb_sys3(SYS_fcntl, m->exe_fd, F_SETFD, FD_CLOEXEC);
	if (m->log_fd >= 0)
		sb_sys3(SYS_fcntl, m->log_fd, F_SETFD, FD_CLOEXEC);
	if (m->broker_fd >= 0)
		sb_sys3(SYS_fcntl, m->broker_fd, F_SETFD, FD_CLOEXEC);
	if (m->tasks_fd >= 0)
		sb_sys3(SYS_fcntl, m->tasks_fd, F_SETFD, FD_CLOEXEC);
	sb_sys1(SYS_close, memfd);
	return rc;
}
