/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/signal.c: signals while the process runs in the VM.
 *
 * The process's signal dispositions are the guest's, kept in the vault. On
 * the host, a disposition with a handler is never the process's own code
 * (which would run outside the VM): it is the monitor's stub below, which
 * only records the signal as pending. SIG_DFL and SIG_IGN are installed on
 * the host as they are, so a fatal signal ends the process as natively.
 * The host thread's signal mask is the guest's mask.
 *
 * Until handlers run inside the VM (issue #5), a pending signal whose guest
 * disposition is a handler takes the signal's default action; that is
 * written to stderr when it happens.
 *
 * Freestanding: runs in the monitor's exit path and in signal context.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include "gmem.h"
#include "log.h"
#include "monitor.h"

#define SA_RESTORER_K 0x04000000ul
#define KSIG_BIT(s) (1ull << ((s) - 1))
#define SIGSET_SIZE 8
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

/* the signals whose default action is to ignore */
static int default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

int sig_set_host(struct sb_mon *m, int sig, const struct sb_ksigaction *g)
{
	struct sb_ksigaction h;

	(void)m;
	if (g->handler == (uint64_t)SIG_DFL || g->handler == (uint64_t)SIG_IGN) {
		h.handler = g->handler;
		h.flags = SA_RESTORER_K;
		h.restorer = (uint64_t)sb_mon_restorer;
		h.mask = 0;
	} else {
		h.handler = (uint64_t)sb_mon_sigstub;
		h.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER_K | (g->flags & SA_RESTART);
		h.restorer = (uint64_t)sb_mon_restorer;
		h.mask = ~0ull;
	}
	return (int)sb_sys4(SYS_rt_sigaction, sig, &h, 0, SIGSET_SIZE);
}

/* Host handler. Finds the vault from its own stack: it runs on the vault's
 * altstack (SA_ONSTACK) or on the monitor stack, both in the vault's first
 * 2 MiB chunk. */
void sb_mon_sigstub(int sig, void *info, void *uc)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	struct sb_mon *m = sb_mon_of(SB_CHUNK_DOWN(sp));
	const siginfo_t *si = info;

	(void)uc;
	if (m->magic != SB_MON_MAGIC || sig < 1 || sig > SB_NSIG)
		return;
	/* a fault raised by the monitor's own code: let it kill the process */
	if (si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
				sig == SIGTRAP || sig == SIGSYS)) {
		struct sb_ksigaction dfl = { (uint64_t)SIG_DFL, SA_RESTORER_K, (uint64_t)sb_mon_restorer, 0 };

		sb_sys4(SYS_rt_sigaction, sig, &dfl, 0, SIGSET_SIZE);
		return;
	}
	__atomic_or_fetch(&m->pending, KSIG_BIT(sig), __ATOMIC_RELAXED);
}

void sig_deliver_pending(struct sb_mon *m)
{
	uint64_t p = __atomic_exchange_n(&m->pending, 0, __ATOMIC_RELAXED);

	for (int sig = 1; sig <= SB_NSIG; sig++) {
		char line[160];
		struct sb_buf b = { line, 0, sizeof line };
		uint64_t h = m->sig[sig].handler;

		if (!(p & KSIG_BIT(sig)))
			continue;
		if (h == (uint64_t)SIG_IGN || h == (uint64_t)SIG_DFL || default_ignores(sig))
			continue;
		buf_str(&b, "ringfence: signal ");
		buf_dec(&b, sig);
		buf_str(&b, " has a handler in the sandboxed process; handlers do not run inside the VM yet "
			    "(issue #5): default action taken\n");
		buf_flush(&b, 2);
		mon_die(m, sig);
	}
}

static long do_sigaction(struct sb_mon *m, const long *a)
{
	int sig = (int)a[0];
	struct sb_ksigaction n;
	long rc;

	if (a[3] != SIGSET_SIZE || sig < 1 || sig > SB_NSIG)
		return -EINVAL;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[1]) {
		rc = gmem_in(m, &n, (uint64_t)a[1], sizeof n);
		if (rc)
			return rc;
	}
	if (a[2]) {
		rc = gmem_out(m, (uint64_t)a[2], &m->sig[sig], sizeof m->sig[sig]);
		if (rc)
			return rc;
	}
	if (a[1]) {
		n.mask &= ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
		rc = sig_set_host(m, sig, &n);
		if (rc)
			return rc;
		m->sig[sig] = n;
	}
	return 0;
}

static long do_sigprocmask(struct sb_mon *m, const long *a)
{
	uint64_t set, old = m->sigmask, next = old;
	long rc;

	if (a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a[1]) {
		rc = gmem_in(m, &set, (uint64_t)a[1], sizeof set);
		if (rc)
			return rc;
		switch (a[0]) {
		case SIG_BLOCK:
			next = old | set;
			break;
		case SIG_UNBLOCK:
			next = old & ~set;
			break;
		case SIG_SETMASK:
			next = set;
			break;
		default:
			return -EINVAL;
		}
		next &= ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
	}
	if (a[2]) {
		rc = gmem_out(m, (uint64_t)a[2], &old, sizeof old);
		if (rc)
			return rc;
	}
	if (next != old) {
		rc = sb_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &next, 0, SIGSET_SIZE);
		if (rc)
			return rc;
		m->sigmask = next;
	}
	return 0;
}

static long do_sigaltstack(struct sb_mon *m, const long *a)
{
	struct {
		uint64_t sp;
		int flags;
		int pad;
		uint64_t size;
	} ss, old = { m->ss_sp, m->ss_size ? m->ss_flags : SS_DISABLE, 0, m->ss_size };
	long rc;

	if (a[0]) {
		rc = gmem_in(m, &ss, (uint64_t)a[0], sizeof ss);
		if (rc)
			return rc;
		if (ss.flags & ~(SS_DISABLE | SS_AUTODISARM))
			return -EINVAL;
		if (!(ss.flags & SS_DISABLE) && ss.size < 2048 /* MINSIGSTKSZ */)
			return -ENOMEM;
	}
	if (a[1]) {
		rc = gmem_out(m, (uint64_t)a[1], &old, sizeof old);
		if (rc)
			return rc;
	}
	if (a[0]) {
		m->ss_flags = ss.flags;
		m->ss_sp = (ss.flags & SS_DISABLE) ? 0 : ss.sp;
		m->ss_size = (ss.flags & SS_DISABLE) ? 0 : ss.size;
	}
	return 0;
}

static long do_sigsuspend(struct sb_mon *m, const long *a)
{
	uint64_t set;
	long rc;

	if (a[1] != SIGSET_SIZE)
		return -EINVAL;
	rc = gmem_in(m, &set, (uint64_t)a[0], sizeof set);
	if (rc)
		return rc;
	set &= ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
	return sb_sys2(SYS_rt_sigsuspend, &set, SIGSET_SIZE);
}

long emu_sig(struct sb_mon *m, long nr, const long *a)
{
	switch (nr) {
	case SYS_rt_sigaction:
		return do_sigaction(m, a);
	case SYS_rt_sigprocmask:
		return do_sigprocmask(m, a);
	case SYS_sigaltstack:
		return do_sigaltstack(m, a);
	case SYS_rt_sigsuspend:
		return do_sigsuspend(m, a);
	default:
		/* rt_sigreturn: frames are built by the monitor from issue #5 on;
		 * forwarding it would load host registers from guest memory */
		return -ENOSYS;
	}
}
