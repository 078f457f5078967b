/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/procbroker.c: the /proc broker: opens a forked child's /proc files when path rules forbid it.
 *
 * With path rules on, Landlock refuses every process of the sandbox new
 * opens of /proc/PID/maps, which the monitor of a forked child needs to
 * follow its own memory. The broker is a small process made at entry,
 * before Landlock and the second wall: a grandchild (so that the
 * sandboxed process never sees it as a child to wait for) that keeps one
 * end of a socket pair; the monitor keeps the other, hidden. A monitor
 * sends it a new socket (SCM_RIGHTS); the kernel adds the sender's pid
 * (SO_PASSCRED); the broker opens /proc/PID/maps and /proc/PID (O_PATH)
 * and sends them back on that socket. It ends when the last monitor
 * closes its end.
 *
 * The broker confines itself first: all its fds but the socket closed and a
 * seccomp filter (receive, open, send, close, exit). It has no Landlock
 * domain of its own: Landlock lets a process read /proc/PID/maps only of
 * processes in its own domain or below, and the sandbox's domain is not
 * below one the broker would make. It never runs guest code: it is a
 * copy of the process from before the guest ran (sb_exec) or of the
 * caller that entered (sb_enter). A monitor with CAP_SYS_ADMIN could name
 * another pid in its credentials: the broker then opens that process's
 * maps, which is all it can do for anyone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "procbroker.h"

static void confine(int sock)
{
	static const int calls[] = { SYS_recvmsg, SYS_sendmsg, SYS_openat, SYS_close, SYS_exit, SYS_exit_group,
				     SYS_rt_sigreturn };
	scmp_filter_ctx ctx;

	/* everything but the socket */
	if (sock > 3)
		syscall(SYS_close_range, 3, sock - 1, 0);
	syscall(SYS_close_range, sock + 1, ~0u, 0);
	for (int fd = 0; fd < 3; fd++)
		if (fd != sock)
			close(fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(1);
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		_exit(1);
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0))
			_exit(1);
	if (seccomp_load(ctx))
		_exit(1);
	/* no libc from here on that could allocate: the filter has no mmap */
}

static __attribute__((noreturn)) void serve(int sock)
{
	for (;;) {
		char byte, path[64];
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		} c;
		struct iovec iov = { &byte, 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf };
		struct cmsghdr *cm;
		int reply = -1, fds[2];
		pid_t pid = 0;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			_exit(0); /* every monitor has gone */
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
			    cm->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&reply, CMSG_DATA(cm), sizeof reply);
			else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
				struct ucred uc;

				memcpy(&uc, CMSG_DATA(cm), sizeof uc);
				pid = uc.pid;
			}
		}
		if (reply < 0)
			continue;
		if (pid <= 0) {
			close(reply);
			continue;
		}
		snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
		fds[0] = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof path, "/proc/%d", (int)pid);
		fds[1] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fds[0] >= 0 && fds[1] >= 0) {
			union {
				struct cmsghdr h;
				char buf[CMSG_SPACE(2 * sizeof(int))];
			} o;
			struct msghdr om = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = o.buf,
					     .msg_controllen = sizeof o.buf };
			struct cmsghdr *oc = CMSG_FIRSTHDR(&om);

			oc->cmsg_level = SOL_SOCKET;
			oc->cmsg_type = SCM_RIGHTS;
			oc->cmsg_len = CMSG_LEN(2 * sizeof(int));
			memcpy(CMSG_DATA(oc), fds, sizeof fds);
			(void)sendmsg(reply, &om, MSG_NOSIGNAL);
		}
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		close(reply);
	}
}

int procbroker_start(void)
{
	int sv[2], one = 1, st;
	pid_t mid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one)) {
		st = -errno;
		goto fail;
	}
	mid = fork();
	if (mid < 0) {
		st = -errno;
		goto fail;
	}
	if (mid == 0) {
		/* the middle process: the broker is its child, then it leaves,
		 * and the broker belongs to init, not to the sandboxed process */
		sigset_t all;

		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (fork() == 0) {
			close(sv[1]);
			confine(sv[0]);
			serve(sv[0]);
		}
		_exit(0);
	}
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	close(sv[0]);
	return sv[1];
fail:
	close(sv[0]);
	close(sv[1]);
	return st;
}
