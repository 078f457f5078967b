/* SPDX-License-Identifier: MIT */
/* bench/seccomp_notify.c: run a command with every system call it makes sent to a user-space
 * supervisor (seccomp user notification), which lets each one continue
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE): the cost of a round trip to a host process per call.
 *
 * usage: seccomp_notify [--] CMD [ARGS...]
 * The child installs a filter whose action is SCMP_ACT_NOTIFY for every call but sendmsg
 * (which hands the listener fd to the supervisor, this process), then execs CMD. The
 * supervisor answers notifications until CMD exits (or no process holds the filter any more)
 * and exits with CMD's status (128+N for a signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int send_fd(int sock, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'f';
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
	struct cmsghdr *h;
	int fd;

	if (recvmsg(sock, &m, 0) != 1 || !(h = CMSG_FIRSTHDR(&m)) || h->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof fd);
	return fd;
}

int main(int argc, char **argv)
{
	int sv[2], lfd, pfd, st, i = 1;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	pid_t pid;

	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: seccomp_notify [--] CMD [ARGS...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 125;
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
		int fd;

		close(sv[0]);
		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendmsg), 0) ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || seccomp_load(ctx)) {
			fprintf(stderr, "seccomp_notify: cannot load the filter\n");
			_exit(125);
		}
		fd = seccomp_notify_fd(ctx);
		if (fd < 0 || send_fd(sv[1], fd))
			_exit(125);
		close(fd);
		close(sv[1]);
		execvp(argv[i], argv + i);
		fprintf(stderr, "seccomp_notify: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	lfd = recv_fd(sv[0]);
	close(sv[0]);
	if (lfd < 0 || seccomp_notify_alloc(&req, &resp)) {
		fprintf(stderr, "seccomp_notify: no listener fd\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 125;
	}
	/* the child's filter is released only once the child is reaped (kernel 6.1), so the
	 * listener's POLLHUP cannot be the only end: its pidfd says when it exited */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 }, { pfd, POLLIN, 0 } };

		if (poll(p, pfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;	/* no process holds the filter any more */
		if (!(p[0].revents & POLLIN) && (p[1].revents & POLLIN))
			break;	/* the command exited (its own children are its business) */
		if (!(p[0].revents & POLLIN))
			continue;
		memset(req, 0, sizeof *req);
		if (seccomp_notify_receive(lfd, req))
			continue;	/* the caller died meanwhile (ENOENT), or EINTR */
		memset(resp, 0, sizeof *resp);
		resp->id = req->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		seccomp_notify_respond(lfd, resp);	/* ENOENT if the caller died: nothing to do */
	}
	seccomp_notify_free(req, resp);
	if (waitpid(pid, &st, 0) != pid)
		return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
