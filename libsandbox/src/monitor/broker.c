/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/broker.c: ask the /proc broker (api/procbroker.c) for this process's /proc files.
 *
 * Used by a fork child's monitor (fork.c) and by the launcher image after an
 * execve under path rules (api/enter.c). Freestanding: raw system calls.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "monitor.h"

int broker_request(int broker, int *maps, int *proc)
{
	int sp[2];
	char byte = 'm';
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} c;
	struct iovec iov = { &byte, 1 };
	struct msghdr mh;
	struct cmsghdr *cm;
	long rc;

	rc = sb_sys4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, (long)sp);
	if (rc)
		return (int)rc;
	for (unsigned i = 0; i < sizeof mh; i++)
		((char *)&mh)[i] = 0;
	for (unsigned i = 0; i < sizeof c; i++)
		c.buf[i] = 0;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm) = sp[0];
	/* the kernel attaches our pid (the broker set SO_PASSCRED) */
	rc = sb_sys3(SYS_sendmsg, broker, (long)&mh, MSG_NOSIGNAL);
	sb_sys1(SYS_close, sp[0]);
	if (rc != 1) {
		sb_sys1(SYS_close, sp[1]);
		return rc < 0 ? (int)rc : -EPIPE;
	}
	mh.msg_controllen = sizeof c.buf;
	rc = sb_sys3(SYS_recvmsg, sp[1], (long)&mh, MSG_CMSG_CLOEXEC);
	sb_sys1(SYS_close, sp[1]);
	cm = rc == 1 ? CMSG_FIRSTHDR(&mh) : 0;
	/* defends against an answer that is not exactly two fds */
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(2 * sizeof(int)))
		return -EPROTO;
	*maps = ((int *)CMSG_DATA(cm))[0];
	*proc = ((int *)CMSG_DATA(cm))[1];
	return 0;
}
