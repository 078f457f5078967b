/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/crash_bt.c: symbolized backtrace of a dead guest, in a disposable child.
 *
 * Not freestanding: libunwind and libc run here. That is why this runs only
 * in a child process forked after the guest died, and why the child first
 * confines itself with the seccomp program made at sb_enter(): read-only
 * opens, memory management and writes, no new processes, no ioctl, no
 * signals to others. If the damaged guest memory misleads libunwind, the
 * child crashes or stops early; the monitor, in the parent, is not
 * affected and goes on to end the process with the right signal.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include "crash_bt.h"
#include "log.h"
#include "raw.h"

static int confine(struct sb_mon *m)
{
	struct sock_fprog prog = { (unsigned short)m->bt_len, (struct sock_filter *)m->bt_filter };

	if (!m->bt_len)
		return -1;
	if (sb_sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)sb_sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

void sb_crash_backtrace(struct sb_mon *m, const struct kvm_regs *r, int fd, int json)
{
	char line[512];
	struct sb_buf b = { line, 0, sizeof line };
	ucontext_t uc;
	unw_cursor_t cur;
	int n = 0;

	if (confine(m))
		return;
	sb_memset(&uc, 0, sizeof uc);
	uc.uc_mcontext.gregs[REG_RIP] = (greg_t)r->rip;
	uc.uc_mcontext.gregs[REG_RSP] = (greg_t)r->rsp;
	uc.uc_mcontext.gregs[REG_RBP] = (greg_t)r->rbp;
	uc.uc_mcontext.gregs[REG_RAX] = (greg_t)r->rax;
	uc.uc_mcontext.gregs[REG_RBX] = (greg_t)r->rbx;
	uc.uc_mcontext.gregs[REG_RCX] = (greg_t)r->rcx;
	uc.uc_mcontext.gregs[REG_RDX] = (greg_t)r->rdx;
	uc.uc_mcontext.gregs[REG_RSI] = (greg_t)r->rsi;
	uc.uc_mcontext.gregs[REG_RDI] = (greg_t)r->rdi;
	uc.uc_mcontext.gregs[REG_R8] = (greg_t)r->r8;
	uc.uc_mcontext.gregs[REG_R9] = (greg_t)r->r9;
	uc.uc_mcontext.gregs[REG_R10] = (greg_t)r->r10;
	uc.uc_mcontext.gregs[REG_R11] = (greg_t)r->r11;
	uc.uc_mcontext.gregs[REG_R12] = (greg_t)r->r12;
	uc.uc_mcontext.gregs[REG_R13] = (greg_t)r->r13;
	uc.uc_mcontext.gregs[REG_R14] = (greg_t)r->r14;
	uc.uc_mcontext.gregs[REG_R15] = (greg_t)r->r15;
	if (unw_init_local2(&cur, (unw_context_t *)&uc, UNW_INIT_SIGNAL_FRAME) < 0)
		return;
	if (!json) {
		buf_str(&b, "  backtrace of the sandboxed process:\n");
		buf_flush(&b, fd);
	}
	do {
		unw_word_t ip = 0, off = 0;
		char name[256];

		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		buf_str(&b, json ? (n ? ",\"" : "\"") : "    #");
		if (!json) {
			buf_dec(&b, n);
			buf_str(&b, " ");
		}
		buf_hex(&b, ip);
		if (unw_get_proc_name(&cur, name, sizeof name, &off) == 0) {
			name[sizeof name - 1] = 0;
			/* symbol names are C identifiers (or mangled C++): no
			 * quote or backslash to escape; anything else is cut */
			for (int i = 0; name[i]; i++)
				if (name[i] == '"' || name[i] == '\\' || (unsigned char)name[i] < 0x20)
					name[i] = 0;
			buf_str(&b, " ");
			buf_str(&b, name);
			buf_str(&b, "+");
			buf_hex(&b, off);
		}
		buf_str(&b, json ? "\"" : "\n");
		buf_flush(&b, fd);
	} while (++n < 64 && unw_step(&cur) > 0);
}
