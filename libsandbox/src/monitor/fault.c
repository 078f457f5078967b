/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/fault.c: the end of a sandboxed process: crash reports and death by signal.
 *
 * A guest fault ends the process as it would end natively: same signal,
 * same wait status (core dump per the host's limits). Before that, a
 * report goes to stderr: the signal, the fault, the registers, and a
 * symbolized backtrace of the guest made by crash_bt.c in a throw-away
 * child process (libunwind needs libc, which the guest may have damaged;
 * the child runs under a seccomp filter and the parent only waits for it).
 *
 * Freestanding: runs in the monitor's exit path.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "crash_bt.h"
#include "log.h"
#include "ksig.h"
#include "monitor.h"
#include "tasks.h"


void mon_die(struct sb_mon *m, int sig)
{
	struct sb_ksigaction dfl = { (uint64_t)SIG_DFL, SA_RESTORER_K, (uint64_t)sb_mon_restorer, 0 };
	uint64_t unblock = 1ull << (sig - 1);

	tasks_remove_group(m, m->pid);
	sb_sys4(SYS_rt_sigaction, sig, &dfl, 0, 8);
	sb_sys4(SYS_rt_sigprocmask, SIG_UNBLOCK, &unblock, 0, 8);
	sb_sys3(SYS_tgkill, m->pid, sb_thr_self()->tid, sig);
	/* a signal whose default is not to die (cannot happen for the ones we
	 * raise) must still end the process */
	for (;;)
		sb_sys1(SYS_exit_group, 128 + sig);
}

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS: return "SIGSYS";
	default: return "signal";
	}
}

static void reg(struct sb_buf *b, const char *name, uint64_t v)
{
	buf_str(b, name);
	buf_str(b, "=");
	buf_hex(b, v);
	buf_str(b, " ");
}

/* The unwinder runs in a child that keeps only the report's fd; the parent waits
 * at most BT_WAIT_MS for it, then kills it: a confused or hijacked unwinder
 * can neither keep the process from dying nor write anywhere but stderr. */
#define BT_WAIT_MS 10000

void mon_backtrace(struct sb_mon *m, int fd, int json)
{
	long pid = sb_sys5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct kvm_regs r = sb_thr_self()->run->s.regs.regs;
	int status;

	/* at a system call the vCPU stands in the syscall stub: the process is
	 * at rcx, where the call returns */
	if (r.rip >= m->sys && r.rip < m->sys + VLT_SYS_SIZE)
		r.rip = r.rcx;
	if (pid < 0)
		return;
	if (pid == 0) {
		/* keep only the fd the report goes to */
		if (fd > 0)
			sb_sys3(SYS_close_range, 0, fd - 1, 0);
		sb_sys3(SYS_close_range, fd + 1, ~0u, 0);
		sb_crash_backtrace(m, &r, fd, json);
		for (;;)
			sb_sys1(SYS_exit_group, 0);
	}
	for (int ms = 0; ms < BT_WAIT_MS; ms += 10) {
		long w = sb_sys4(SYS_wait4, pid, &status, WNOHANG, 0);

		if (w == pid || (w < 0 && w != -EINTR))
			return;
		sb_sys2(SYS_nanosleep, &tick, 0);
	}
	sb_sys2(SYS_kill, pid, SIGKILL);
	while (sb_sys4(SYS_wait4, pid, &status, 0, 0) == -EINTR)
		;
}

void mon_crash(struct sb_mon *m, int sig, const char *what, uint64_t addr, int vector, uint64_t err)
{
	char line[1024];
	struct sb_buf b = { line, 0, sizeof line };
	const struct kvm_regs *r = &sb_thr_self()->run->s.regs.regs;

	buf_str(&b, "ringfence: sandboxed process ");
	buf_dec(&b, m->pid);
	buf_str(&b, " killed by ");
	buf_str(&b, sig_name(sig));
	buf_str(&b, ": ");
	buf_str(&b, what);
	if (addr) {
		buf_str(&b, " at ");
		buf_hex(&b, addr);
	}
	if (vector >= 0) {
		buf_str(&b, " (vector ");
		buf_dec(&b, vector);
		buf_str(&b, ", error ");
		buf_hex(&b, err);
		buf_str(&b, ")");
	}
	buf_str(&b, "\n  ");
	reg(&b, "rip", r->rip);
	reg(&b, "rsp", r->rsp);
	reg(&b, "rbp", r->rbp);
	reg(&b, "rflags", r->rflags);
	buf_str(&b, "\n  ");
	reg(&b, "rax", r->rax);
	reg(&b, "rbx", r->rbx);
	reg(&b, "rcx", r->rcx);
	reg(&b, "rdx", r->rdx);
	reg(&b, "rsi", r->rsi);
	reg(&b, "rdi", r->rdi);
	buf_str(&b, "\n  ");
	reg(&b, "r8", r->r8);
	reg(&b, "r9", r->r9);
	reg(&b, "r10", r->r10);
	reg(&b, "r11", r->r11);
	reg(&b, "r12", r->r12);
	reg(&b, "r13", r->r13);
	buf_str(&b, "\n  ");
	reg(&b, "r14", r->r14);
	reg(&b, "r15", r->r15);
	reg(&b, "fs_base", sb_thr_self()->run->s.regs.sregs.fs.base);
	reg(&b, "cr2", sb_thr_self()->run->s.regs.sregs.cr2);
	buf_str(&b, "\n");
	buf_flush(&b, 2);
	mon_backtrace(m, 2, 0);
	mon_die(m, sig);
}

void mon_fatal(struct sb_mon *m, const char *what, long rc)
{
	char line[256];
	struct sb_buf b = { line, 0, sizeof line };

	buf_str(&b, "ringfence: monitor error, ending the sandboxed process: ");
	buf_str(&b, what);
	buf_str(&b, " (");
	buf_dec(&b, rc);
	buf_str(&b, ")\n");
	buf_flush(&b, 2);
	mon_die(m, SIGKILL);
}
