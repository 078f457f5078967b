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
 * A signal for a guest handler is delivered at the next point where the
 * vCPU is in user mode between two exits: the monitor builds the frame the
 * kernel would (sigframe.c) and starts the handler inside the VM. The stub
 * sets kvm_run.immediate_exit, so a signal that arrives just before
 * KVM_RUN is not left waiting for the next exit. Host handlers never have
 * SA_RESTART: a forwarded call the signal interrupts comes back with EINTR,
 * and the monitor restarts it the way the kernel would (sig_restart()).
 *
 * Freestanding: runs in the monitor's exit path and in signal context.
 */
#include <errno.h>
#include <signal.h>
#include <sys/ucontext.h>
#include <sys/syscall.h>
#include "gmem.h"
#include "log.h"
#include "ksig.h"
#include "monitor.h"


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
		h.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER_K;
		h.restorer = (uint64_t)sb_mon_restorer;
		h.mask = ~0ull;
	}
	return (int)sb_sys4(SYS_rt_sigaction, sig, &h, 0, SIGSET_SIZE);
}

/* Host handler. Finds its thread from its own stack: it runs on the
 * thread's altstack (SA_ONSTACK) or on its monitor stack, both in the first
 * 2 MiB chunk of the thread's region. The signal is the thread's: the host
 * kernel picked this host thread by the guest thread's mask (the host
 * thread's), as it picks a guest thread natively. */
void sb_mon_sigstub(int sig, void *info, void *uc)
{
	struct sb_thr *t = sb_thr_self();
	const siginfo_t *si = info;

	if (t->magic != SB_THR_MAGIC || sig < 1 || sig > SB_NSIG)
		return;
	/* a fault raised by the monitor's own code: let it kill the process */
	if (si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
				sig == SIGTRAP || sig == SIGSYS)) {
		struct sb_ksigaction dfl = { (uint64_t)SIG_DFL, SA_RESTORER_K, (uint64_t)sb_mon_restorer, 0 };

		sb_sys4(SYS_rt_sigaction, sig, &dfl, 0, SIGSET_SIZE);
		return;
	}
	/* the host kernel's siginfo: trusted; the guest gets a copy */
	for (int i = 0; i < 128; i++)
		t->siginfo[sig][i] = ((const uint8_t *)info)[i];
	__atomic_or_fetch(&t->pending, KSIG_BIT(sig), __ATOMIC_RELAXED);
	if (t->run)
		t->run->immediate_exit = 1;
	/* the thread was about to make a forwarded call (sb_sys_intr) that
	 * might block: it must not start, or it would wait for a signal the
	 * kernel has already handed over. The saved rip is the monitor's own
	 * code (the interrupted thread is this one, in the monitor). */
	if (uc) {
		uint64_t *rip = (uint64_t *)&((ucontext_t *)uc)->uc_mcontext.gregs[16 /* REG_RIP */];

		if (*rip >= (uint64_t)sb_intr_begin && *rip <= (uint64_t)sb_intr_sys)
			*rip = (uint64_t)sb_intr_out;
	}
}

/* The lowest pending signal the thread does not block, or 0. */
static int next_signal(const struct sb_thr *t)
{
	uint64_t mask = t->in_suspend ? t->suspend_mask : t->sigmask;
	uint64_t p = __atomic_load_n(&t->pending, __ATOMIC_RELAXED) & ~mask;

	return p ? __builtin_ctzll(p) + 1 : 0;
}

void sig_deliver_pending(struct sb_mon *m)
{
	struct sb_thr *t = sb_thr_self();
	int sig = next_signal(t);
	uint64_t rip, rflags, h;

	t->run->immediate_exit = 0;
	/* inside a ring-0 stub (the signal came during KVM_RUN): the stub is
	 * about to exit anyway, the handler starts after that exit */
	if (!sig || sig_user_context(m, &rip, &rflags)) {
		if (!sig)
			t->in_suspend = 0;
		return;
	}
	__atomic_and_fetch(&t->pending, ~KSIG_BIT(sig), __ATOMIC_RELAXED);
	h = m->sig[sig].handler;
	if (h == (uint64_t)SIG_IGN)
		return;
	if (h == (uint64_t)SIG_DFL) {
		/* only signals the monitor raises itself get here (the host
		 * kernel acts on SIG_DFL directly): the default action */
		if (default_ignores(sig))
			return;
		mon_die(m, sig);
	}
	if (sig_run_handler(m, sig)) {
		/* as the kernel: a frame that cannot be written is SIGSEGV */
		char line[160];
		struct sb_buf b = { line, 0, sizeof line };

		buf_str(&b, "ringfence: cannot write the frame for signal ");
		buf_dec(&b, sig);
		buf_str(&b, " on the sandboxed process's stack: SIGSEGV\n");
		buf_flush(&b, 2);
		mon_die(m, SIGSEGV);
	}
}

int sig_has_handler(const struct sb_mon *m, int sig)
{
	uint64_t h = m->sig[sig].handler;

	return h != (uint64_t)SIG_DFL && h != (uint64_t)SIG_IGN && !(sb_thr_self()->sigmask & KSIG_BIT(sig));
}

void sig_raise(struct sb_mon *m, int sig, int code, uint64_t addr)
{
	struct sb_thr *t = sb_thr_self();
	uint8_t *si = t->siginfo[sig];

	(void)m;
	for (int i = 0; i < 128; i++)
		si[i] = 0;
	*(int32_t *)(si + 0) = sig;
	*(int32_t *)(si + 8) = code;
	*(uint64_t *)(si + 16) = addr;
	__atomic_or_fetch(&t->pending, KSIG_BIT(sig), __ATOMIC_RELAXED);
}

int sig_force(struct sb_mon *m, int sig, int code, uint64_t addr)
{
	/* a synchronous fault the guest blocks or ignores kills it, as natively */
	if (!sig_has_handler(m, sig))
		return -1;
	sig_raise(m, sig, code, addr);
	__atomic_and_fetch(&sb_thr_self()->pending, ~KSIG_BIT(sig), __ATOMIC_RELAXED);
	if (sig_run_handler(m, sig))
		mon_die(m, SIGSEGV);
	return 0;
}

void sig_raise_sys(struct sb_mon *m, long nr, uint64_t call_addr)
{
	uint8_t *si = sb_thr_self()->siginfo[SIGSYS];

	sig_raise(m, SIGSYS, 1 /* SYS_SECCOMP */, call_addr);
	*(int32_t *)(si + 24) = (int32_t)nr;
	*(uint32_t *)(si + 28) = 0xc000003eu; /* AUDIT_ARCH_X86_64 */
}

void sig_after_eintr(struct sb_mon *m, long nr, const long *a)
{
	uint64_t set = 0, g = 0;
	struct {
		uint64_t set, size;
	} ps;

	switch (nr) {
	case SYS_rt_sigsuspend:
		g = (uint64_t)a[0];
		break;
	case SYS_ppoll:
		g = (uint64_t)a[3];
		break;
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		g = (uint64_t)a[4];
		break;
	case SYS_pselect6:
		if (a[5] && !gmem_in(m, &ps, (uint64_t)a[5], sizeof ps))
			g = ps.set;
		break;
	default:
		return;
	}
	/* the mask the call had is the guest's own data: read it again */
	if (!g || gmem_in(m, &set, g, sizeof set))
		return;
	sb_thr_self()->suspend_mask = set & ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
	sb_thr_self()->in_suspend = 1;
}

/* Calls the kernel restarts after a handler with SA_RESTART (signal(7));
 * the others return EINTR. */
static int restartable(long nr)
{
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_readv: case SYS_writev: case SYS_pread64:
	case SYS_pwrite64: case SYS_preadv: case SYS_pwritev: case SYS_preadv2: case SYS_pwritev2:
	case SYS_ioctl: case SYS_open: case SYS_openat: case SYS_creat: case SYS_wait4: case SYS_waitid:
	case SYS_accept: case SYS_accept4: case SYS_connect: case SYS_recvfrom: case SYS_recvmsg:
	case SYS_sendto: case SYS_sendmsg: case SYS_flock: case SYS_fcntl: case SYS_futex:
	case SYS_getrandom: case SYS_splice: case SYS_tee: case SYS_sendfile: case SYS_copy_file_range:
	case SYS_mq_timedsend: case SYS_mq_timedreceive:
		return 1;
	default:
		return 0;
	}
}

int sig_restart(const struct sb_mon *m, long nr)
{
	int sig = next_signal(sb_thr_self());

	return sig && restartable(nr) && sig_has_handler(m, sig) && (m->sig[sig].flags & SA_RESTART);
}

static long do_sigaction(struct sb_mon *m, const long *a)
{
	int sig = (int)a[0];
	struct sb_ksigaction n;
	long rc = 0;

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
		/* dispositions are the process's: the host's and the vault's
		 * change together for every thread */
		mon_lock(m);
		rc = sig_set_host(m, sig, &n);
		if (!rc)
			m->sig[sig] = n;
		mon_unlock(m);
	}
	return rc;
}

static long do_sigprocmask(struct sb_mon *m, const long *a)
{
	struct sb_thr *t = sb_thr_self();
	uint64_t set, old = t->sigmask, next = old;
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
		t->sigmask = next;
	}
	return 0;
}

static long do_sigaltstack(struct sb_mon *m, const long *a)
{
	struct sb_thr *t = sb_thr_self();
	struct {
		uint64_t sp;
		int flags;
		int pad;
		uint64_t size;
	} ss, old = { t->ss_sp, t->ss_size ? t->ss_flags : SS_DISABLE, 0, t->ss_size };
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
		t->ss_flags = ss.flags;
		t->ss_sp = (ss.flags & SS_DISABLE) ? 0 : ss.sp;
		t->ss_size = (ss.flags & SS_DISABLE) ? 0 : ss.size;
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
	{
		const long b[6] = { (long)&set, SIGSET_SIZE };

		return sb_sys_intr(SYS_rt_sigsuspend, b, &sb_thr_self()->run->immediate_exit);
	}
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
		/* rt_sigreturn is handled before the policy (monitor.c):
		 * forwarding it would load host registers from guest memory */
		return -ENOSYS;
	}
}
