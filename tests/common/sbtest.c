/* SPDX-License-Identifier: MIT */
/* tests/common/sbtest.c: run a scenario in a forked child, inside a sandbox (see sbtest.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include "sbtest.h"

unsigned sbt_timeout(void)
{
	const char *s = getenv("SBT_TIMEOUT");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 ? (unsigned)v : 600;
}

void sbt_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* one write: stderr may be a pipe the parent reads */
	dprintf(2, "  [child %d] %s:%d: %s\n", (int)getpid(), file, line, msg);
	_exit(10 + line % 240);
}

const char *sbt_status_str(int status)
{
	static char s[96];

	if (WIFEXITED(status))
		snprintf(s, sizeof s, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(s, sizeof s, "killed by %s (%d)%s", sigabbrev_np(WTERMSIG(status)) ?: "?",
			 WTERMSIG(status), WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(s, sizeof s, "status %#x", status);
	return s;
}

void sbt_dump(const struct sbt_result *r, const char *what)
{
	printf("---- %s: child %d %s\n", what, (int)r->pid, sbt_status_str(r->status));
	switch (WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1) {
	case SBT_EXIT_ENTER:
		printf("     (sb_enter() failed in the child: see its stderr)\n");
		break;
	case SBT_EXIT_SETUP:
		printf("     (set-up before sb_enter() failed)\n");
		break;
	case SBT_EXIT_OUTSIDE:
		printf("     (sb_enter() returned 0 but sb_inside() is 0)\n");
		break;
	case SBT_EXIT_ALIVE:
		printf("     (the child survived what had to kill it)\n");
		break;
	case SBT_EXIT_ESCAPED:
		printf("     (the child reached code it can only reach outside the VM)\n");
		break;
	default:
		break;
	}
	if (r->outlen)
		printf("---- captured stdout (%zu bytes):\n%.*s%s", r->outlen, (int)(r->outlen > 8192 ? 8192 : r->outlen),
		       r->out, r->out[r->outlen - 1] == '\n' ? "" : "\n");
	if (r->errlen)
		printf("---- captured stderr (%zu bytes):\n%.*s%s", r->errlen, (int)(r->errlen > 8192 ? 8192 : r->errlen),
		       r->err, r->err[r->errlen - 1] == '\n' ? "" : "\n");
	printf("----\n");
	fflush(stdout);
}

int sbt_find_mapping(const char *needle, uintptr_t *lo, uintptr_t *hi)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096];
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof line, f)) {
		unsigned long a, b;

		if (strstr(line, needle) && sscanf(line, "%lx-%lx", &a, &b) == 2) {
			*lo = a;
			*hi = b;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

struct sbt_result *sbt_result_new(void)
{
	struct sbt_result *r = calloc(1, sizeof *r);

	assert_non_null(r);
	return r;
}

void sbt_result_free(struct sbt_result *r)
{
	free(r);
}

static void child_setup(unsigned flags, int in, int out, int err)
{
	struct sigaction sa;
	struct rlimit rl = { 0, 0 };
	sigset_t none;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL); /* fails for the libc-reserved ones: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setrlimit(RLIMIT_CORE, &rl)) {
		dprintf(2, "  [child] setrlimit(RLIMIT_CORE): %s\n", strerror(errno));
		_exit(SBT_EXIT_SETUP);
	}
	if (((flags & SBT_IN) && dup2(in, 0) != 0) || ((flags & SBT_OUT) && dup2(out, 1) != 1) ||
	    ((flags & SBT_ERR) && dup2(err, 2) != 2)) {
		dprintf(2, "  [child] dup2: %s\n", strerror(errno));
		_exit(SBT_EXIT_SETUP);
	}
	/* the pipes' own fds go: the scenario sees only 0, 1, 2 */
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	alarm(sbt_timeout());
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sbt_run(sbt_fn fn, void *arg, const struct sb_policy *pol, unsigned flags, const char *input,
	    struct sbt_result *r)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	double deadline;
	int pidfd, exited = 0;
	pid_t pid;

	r->outlen = r->errlen = 0;
	r->status = -1;
	if (((flags & SBT_IN) && pipe2(pin, O_CLOEXEC)) || ((flags & SBT_OUT) && pipe2(pout, O_CLOEXEC)) ||
	    ((flags & SBT_ERR) && pipe2(perr, O_CLOEXEC))) {
		print_error("pipe2: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		print_error("fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int rc;

		child_setup(flags, pin[0], pout[1], perr[1]);
		/* SBT_FORCE_NATIVE=1: run every scenario without sb_enter(), to
		 * check the tests themselves on a machine without KVM */
		if (getenv("SBT_FORCE_NATIVE") && !strcmp(getenv("SBT_FORCE_NATIVE"), "1"))
			flags |= SBT_NATIVE;
		if (!(flags & (SBT_NATIVE | SBT_NO_ENTER))) {
			rc = sb_enter(pol);
			if (rc) {
				dprintf(2, "  [child %d] sb_enter: %d (%s): %s\n", (int)getpid(), rc, strerror(-rc),
					sb_last_error());
				_exit(SBT_EXIT_ENTER);
			}
			if (sb_inside() != 1) {
				dprintf(2, "  [child %d] sb_enter returned 0 but sb_inside() = %d\n", (int)getpid(),
					sb_inside());
				_exit(SBT_EXIT_OUTSIDE);
			}
		}
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	r->pid = pid;
	if (flags & SBT_IN) {
		size_t len = input ? strlen(input) : 0, off = 0;

		close(pin[0]);
		while (off < len) {
			ssize_t n = write(pin[1], input + off, len - off);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		close(pin[1]);
	}
	if (flags & SBT_OUT)
		close(pout[1]);
	if (flags & SBT_ERR)
		close(perr[1]);
	deadline = now() + sbt_timeout() + 60;
	/* wait for the pipes' EOF and the child's end together; a pidfd makes
	 * the end pollable (no busy waiting: Bochs has one emulated CPU) */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[3];
		int n = 0;
		pid_t w;

		if (pout[0] >= 0)
			p[n++] = (struct pollfd){ pout[0], POLLIN, 0 };
		if (perr[0] >= 0)
			p[n++] = (struct pollfd){ perr[0], POLLIN, 0 };
		if (!exited && pidfd >= 0)
			p[n++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (exited && pout[0] < 0 && perr[0] < 0)
			break;
		if (poll(p, (nfds_t)n, (pidfd >= 0 || exited) ? 1000 : 20) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			int *fd;
			char *buf;
			size_t *len;
			char sink[4096];
			ssize_t got;

			if (!p[i].revents || p[i].fd == pidfd)
				continue;
			fd = p[i].fd == pout[0] ? &pout[0] : &perr[0];
			buf = fd == &pout[0] ? r->out : r->err;
			len = fd == &pout[0] ? &r->outlen : &r->errlen;
			if (*len < SBT_CAP - 1)
				got = read(*fd, buf + *len, SBT_CAP - 1 - *len);
			else
				got = read(*fd, sink, sizeof sink);
			if (got > 0 && *len < SBT_CAP - 1)
				*len += (size_t)got;
			if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
		if (!exited) {
			w = waitpid(pid, &r->status, WNOHANG);
			if (w == pid) {
				exited = 1;
				/* what is still in the pipes comes now; a grandchild that
				 * kept them open gets a few seconds */
				if (deadline > now() + 10)
					deadline = now() + 10;
			} else if (w < 0 && errno != EINTR) {
				print_error("waitpid: %s\n", strerror(errno));
				return -1;
			}
		}
		if (now() > deadline) {
			if (!exited) {
				print_error("child %d still running after %u s: SIGKILL\n", (int)pid, sbt_timeout() + 60);
				kill(pid, SIGKILL);
				deadline = now() + 30;
			} else {
				print_error("child %d: its pipes stay open after its end: not waiting for them\n", (int)pid);
				break;
			}
		}
	}
	if (pout[0] >= 0)
		close(pout[0]);
	if (perr[0] >= 0)
		close(perr[0]);
	if (pidfd >= 0)
		close(pidfd);
	r->out[r->outlen] = 0;
	r->err[r->errlen] = 0;
	if (!exited) {
		print_error("child %d: no exit status\n", (int)pid);
		return -1;
	}
	return 0;
}

struct sbt_result *res;

int sbt_group_setup(void **state)
{
	(void)state;
	res = sbt_result_new();
	return res ? 0 : -1;
}

int sbt_group_teardown(void **state)
{
	(void)state;
	sbt_result_free(res);
	return 0;
}
