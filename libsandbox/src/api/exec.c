/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/exec.c: sb_exec(): load a program with the loader and start it inside a new sandbox.
 *
 * Runs on the caller's stack, before the VM exists. A "#!" script is
 * replaced by its interpreter (one level, as the interpreter must be an
 * ELF program), then the loader maps the program and builds its stack,
 * and sb_launch_impl() enters the VM at its first instruction. Any failure
 * unmaps what was loaded and returns with the process as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../loader/loader.h"
#include "../monitor/exec_state.h"
#include "../policy/compiled.h"
#include "api.h"
#include "launch.h"

#define SHEBANG_MAX 256 /* as the kernel's BINPRM_BUF_SIZE */

/* If path is a "#!" script, fill interp and arg (arg may be empty) from its
 * first line, as the kernel parses it. 1: a script, 0: not one, -errno. */
static int read_shebang(const char *path, char *interp, char *arg)
{
	char buf[SHEBANG_MAX + 1];
	char *p, *end, *q;
	struct stat st;
	ssize_t n;
	int fd;

	/* defends against blocking on a FIFO (or a device): only a regular
	 * file can be a script; the loader reports anything else */
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0; /* the loader reports it */
	n = read(fd, buf, SHEBANG_MAX);
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	end = memchr(buf, '\n', (size_t)n);
	if (!end) {
		/* defends against a first line the kernel would truncate */
		if (n == SHEBANG_MAX)
			return -ENOEXEC;
		end = buf + n;
	}
	*end = '\0';
	p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	q = p;
	while (*q && *q != ' ' && *q != '\t')
		q++;
	if (q == p)
		return -ENOEXEC;
	memcpy(interp, p, (size_t)(q - p));
	interp[q - p] = '\0';
	while (*q == ' ' || *q == '\t')
		q++;
	/* the rest of the line, trailing blanks removed, is one argument */
	end = q + strlen(q);
	while (end > q && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	memcpy(arg, q, (size_t)(end - q));
	arg[end - q] = '\0';
	return 1;
}

static int exec_common(const struct sb_policy *pol, const char *path, char *const argv[], char *const envp[],
		       const struct sb_launch *inherit, unsigned int flags)
{
	char err[LD_ERRLEN] = "", interp[SHEBANG_MAX + 1], arg[SHEBANG_MAX + 1];
	struct ld_program *prog = NULL;
	char **nargv = NULL;
	const char *load = path;
	struct sb_launch l;
	size_t argc = 0;
	int rc;

	sb_set_error("%s", "");
	if (!path || !argv)
		return sb_fail(-EINVAL, "sb_exec: no path or argv");
	if (sb_inside())
		return sb_fail(-EBUSY, "already inside a sandbox");
	while (argv[argc])
		argc++;
	rc = read_shebang(path, interp, arg);
	if (rc < 0) {
		sb_set_error("%s: bad \"#!\" line", path);
		return rc;
	}
	if (rc == 1) {
		size_t k = 0;

		if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS)) {
			rc = -errno;
			sb_set_error("%s: %s", path, strerror(errno));
			return rc;
		}
		nargv = calloc(argc + 4, sizeof *nargv);
		if (!nargv)
			return sb_fail(-ENOMEM, "out of memory");
		nargv[k++] = interp;
		if (arg[0])
			nargv[k++] = arg;
		nargv[k++] = (char *)path;
		for (size_t i = 1; i < argc; i++)
			nargv[k++] = argv[i];
		nargv[k] = NULL;
		load = interp;
	}
	prog = calloc(1, sizeof *prog);
	if (!prog) {
		rc = sb_fail(-ENOMEM, "out of memory");
		goto out;
	}
	rc = ld_load(load, prog, err, sizeof err);
	if (rc) {
		if (load == path)
			sb_set_error("%s: %s", path, err);
		else
			sb_set_error("%s: interpreter %s: %s", path, load, err);
		goto out;
	}
	rc = ld_build_stack(prog, nargv ? nargv : argv, envp, path, err, sizeof err);
	if (rc) {
		sb_set_error("%s: %s", path, err);
		goto unload;
	}
	if (inherit)
		l = *inherit;
	else {
		memset(&l, 0, sizeof l);
		l.kvm_fd = l.log_fd = l.exe_fd = l.broker_fd = l.tasks_fd = -1;
		l.flags = flags;
	}
	l.nkeep = 0;
	l.rip = prog->has_interp ? prog->interp.entry : prog->main.entry;
	l.rsp = prog->sp;
	l.brk = prog->brk;
	l.stack_lo = prog->stack_lo;
	l.stack_hi = prog->stack_hi;
	l.keep[l.nkeep].lo = prog->main.lo;
	l.keep[l.nkeep++].hi = prog->main.hi;
	if (prog->has_interp) {
		l.keep[l.nkeep].lo = prog->interp.lo;
		l.keep[l.nkeep++].hi = prog->interp.hi;
	}
	l.keep[l.nkeep].lo = prog->stack_lo;
	l.keep[l.nkeep++].hi = prog->stack_hi;
	/* launch_one() walks the kept ranges in address order */
	for (int i = 1; i < l.nkeep; i++)
		for (int j = i; j > 0 && l.keep[j].lo < l.keep[j - 1].lo; j--) {
			__typeof__(l.keep[0]) t = l.keep[j];

			l.keep[j] = l.keep[j - 1];
			l.keep[j - 1] = t;
		}
	rc = sb_launch_impl(pol, &l);
	/* only failures come back */
unload:
	ld_unload(prog);
out:
	free(prog);
	free(nargv);
	return rc < 0 ? rc : -EINVAL;
}

int sb_exec(const struct sb_policy *pol, const char *path, char *const argv[], char *const envp[])
{
	return exec_common(pol, path, argv, envp, NULL, 0);
}

int sb_exec_flags(const struct sb_policy *pol, const char *path, char *const argv[], char *const envp[],
		  unsigned int flags)
{
	sb_set_error("%s", "");
	if (flags & ~(SB_ENTER_RING0 | SB_ENTER_EXITLESS | SB_ENTER_NO_EXITLESS | SB_ENTER_NO_PATCH))
		return sb_fail(-EINVAL, "unknown sb_exec flags");
	return exec_common(pol, path, argv, envp, NULL, flags);
}

int sb_exec_resume(int state_fd, const char *path, char *const argv[], char *const envp[])
{
	struct sb_exec_state st;
	struct sb_launch l;
	struct stat sst;
	void *pol = NULL;
	int rc;

	sb_set_error("%s", "");
	/* defends against a state fd that is not the monitor's memfd (this
	 * entry is reachable from any command line) and against a state of
	 * another version of the library */
	if (fstat(state_fd, &sst) || !S_ISREG(sst.st_mode) ||
	    pread(state_fd, &st, sizeof st, 0) != (ssize_t)sizeof st || st.magic != SB_EXEC_STATE_MAGIC ||
	    st.version != SB_EXEC_STATE_VERSION || st.policy_size != sizeof(struct cp_policy) ||
	    (st.exec_policy_size && st.exec_policy_size != sizeof(struct cp_policy)) ||
	    (uint64_t)sst.st_size != sizeof st + st.policy_size + st.exec_policy_size) {
		close(state_fd);
		return sb_fail(-EINVAL, "--exec-inner: not a sandbox's exec state");
	}
	pol = malloc((size_t)st.policy_size + st.exec_policy_size);
	if (!pol) {
		close(state_fd);
		return sb_fail(-ENOMEM, "out of memory");
	}
	rc = pread(state_fd, pol, (size_t)st.policy_size + st.exec_policy_size, sizeof st) ==
			     (ssize_t)(st.policy_size + st.exec_policy_size) ? 0 : -EIO;
	close(state_fd);
	if (rc) {
		free(pol);
		return sb_fail(rc, "--exec-inner: cannot read the policy");
	}
	/* the inherited fds must not reach the program: close-on-exec ones
	 * are closed at entry (the monitor keeps its own duplicates) */
	if (st.kvm_fd >= 0)
		(void)fcntl(st.kvm_fd, F_SETFD, FD_CLOEXEC);
	if (st.log_fd >= 0)
		(void)fcntl(st.log_fd, F_SETFD, FD_CLOEXEC);
	memset(&l, 0, sizeof l);
	l.compiled = pol;
	l.compiled_exec = st.exec_policy_size ? (const uint8_t *)pol + st.policy_size : NULL;
	l.audit_flags = st.audit_flags;
	l.kvm_fd = st.kvm_fd;
	l.log_fd = st.log_fd;
	l.exe_fd = st.exe_fd;
	l.broker_fd = st.broker_fd;
	l.landlocked = st.landlocked;
	l.tasks_fd = st.tasks_fd;
	l.backend_kind = st.backend;
	l.flags = st.enter_flags; /* ring-0 mode carries over, as the policy does */
	if (st.broker_fd >= 0)
		(void)fcntl(st.broker_fd, F_SETFD, FD_CLOEXEC);
	if (st.tasks_fd >= 0)
		(void)fcntl(st.tasks_fd, F_SETFD, FD_CLOEXEC);
	rc = exec_common(NULL, path, argv, envp, &l, 0);
	free(pol);
	return rc;
}
