/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/ioctls.h: the ioctl commands a sandboxed process may use.
 *
 * Commands whose argument is a plain value or a flat struct with no
 * pointers or fds inside: terminals, non-blocking and close-on-exec flags,
 * byte counts. Anything else could carry a pointer the monitor cannot check
 * (or drive a device such as /dev/kvm, whose memslot ioctl could map the
 * vault): ENOTTY. Shared by the monitor (freestanding) and the host
 * process's own seccomp filter (api/wall.c).
 */
#ifndef SB_IOCTLS_H
#define SB_IOCTLS_H

static const unsigned long sb_ioctl_cmds[] = {
	0x5401, /* TCGETS */
	0x5402, /* TCSETS */
	0x5403, /* TCSETSW */
	0x5404, /* TCSETSF */
	0x5409, /* TCSBRK */
	0x540a, /* TCXONC */
	0x540b, /* TCFLSH */
	0x540e, /* TIOCSCTTY */
	0x540f, /* TIOCGPGRP */
	0x5410, /* TIOCSPGRP */
	0x5411, /* TIOCOUTQ */
	0x5413, /* TIOCGWINSZ */
	0x5414, /* TIOCSWINSZ */
	0x541b, /* FIONREAD */
	0x5421, /* FIONBIO */
	0x5422, /* TIOCNOTTY */
	0x5429, /* TIOCGSID */
	0x5450, /* FIONCLEX */
	0x5451, /* FIOCLEX */
	0x5452, /* FIOASYNC */
	0x802c542a, /* TCGETS2 */
	0x402c542b, /* TCSETS2 */
	0x80045430, /* TIOCGPTN */
	0x40045431, /* TIOCSPTLCK */
	0x2, /* FIGETBSZ */
	0x80086601, /* FS_IOC_GETFLAGS */
};

#define SB_NIOCTL (sizeof sb_ioctl_cmds / sizeof sb_ioctl_cmds[0])

static inline int sb_ioctl_allowed(unsigned long cmd)
{
	for (unsigned i = 0; i < SB_NIOCTL; i++)
		if (sb_ioctl_cmds[i] == cmd)
			return 1;
	return 0;
}

#endif
