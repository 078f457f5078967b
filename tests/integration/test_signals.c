/* SPDX-License-Identifier: MIT */
/* tests/integration/test_signals.c: signal handlers run inside the VM, with the frame the kernel builds.
 *
 * Each scenario runs in a forked child inside a sandbox (tests/common/
 * sbtest.h) and, where it makes sense, natively too: both must behave the
 * same. Hostile scenarios forge rt_sigreturn frames and must not get out:
 * no ring 0, no IOPL, no bad FPU state, no non-canonical return.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include "../common/sbtest.h"

static volatile sig_atomic_t hits;
static volatile int last_sig, last_code;
static volatile uintptr_t bad_addr = 16; /* an address nothing maps */
static volatile void *last_addr;
static sigjmp_buf jb;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_addr = si->si_addr;
}

static void on_sig_jump(int sig, siginfo_t *si, void *uc)
{
	on_sig(sig, si, uc);
	siglongjmp(jb, sig);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	SBT_CHECK(sigaction(sig, &sa, NULL) == 0);
}

/* ------------------------------------------------------------ raise */

static void sc_raise(void *arg)
{
	(void)arg;
	handle(SIGUSR1, on_sig, 0);
	SBT_CHECK(raise(SIGUSR1) == 0);
	SBT_CHECK(hits == 1 && last_sig == SIGUSR1 && last_code == SI_TKILL);
	SBT_CHECK(kill(getpid(), SIGUSR1) == 0);
	SBT_CHECK(hits == 2 && last_code == SI_USER);
	printf("handled %d\n", (int)hits);
}

static void test_raise(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_raise, NULL, NULL, SBT_OUT, NULL, res, "raise inside");
	assert_string_equal(res->out, "handled 2\n");
	SBT_RUN_OK(sc_raise, NULL, NULL, SBT_OUT | SBT_NATIVE, NULL, res, "raise natively");
}

/* ------------------------------------------------------------ mask while in the handler */

static volatile int blocked_in_handler, usr2_in_handler;

static void on_mask(int sig)
{
	sigset_t cur;

	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_in_handler = sigismember(&cur, SIGUSR1);
	usr2_in_handler = sigismember(&cur, SIGUSR2);
}

static void sc_mask(void *arg)
{
	struct sigaction sa;
	sigset_t cur;

	(void)arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_mask;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	SBT_CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	raise(SIGUSR1);
	SBT_CHECK(blocked_in_handler == 1 && usr2_in_handler == 1);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	SBT_CHECK(!sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2)); /* restored by sigreturn */
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	SBT_CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	raise(SIGUSR1);
	SBT_CHECK(blocked_in_handler == 0 && usr2_in_handler == 0);
	/* a blocked signal waits until it is unblocked */
	hits = 0;
	handle(SIGUSR2, on_sig, 0);
	sigemptyset(&cur);
	sigaddset(&cur, SIGUSR2);
	sigprocmask(SIG_BLOCK, &cur, NULL);
	raise(SIGUSR2);
	SBT_CHECK(hits == 0);
	sigprocmask(SIG_UNBLOCK, &cur, NULL);
	SBT_CHECK(hits == 1);
	/* SA_RESETHAND: the second one takes the default action */
	handle(SIGUSR2, on_sig, SA_RESETHAND);
	raise(SIGUSR2);
	SBT_CHECK(hits == 2);
	printf("reset\n");
	fflush(stdout);
	raise(SIGUSR2);
	_exit(SBT_EXIT_ALIVE);
}

static void test_mask(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_mask, NULL, NULL, SBT_OUT, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGUSR2, "handler mask, SA_NODEFER, SA_RESETHAND");
	assert_string_equal(res->out, "reset\n");
}

/* ------------------------------------------------------------ faults with longjmp */

static void sc_faults(void *arg)
{
	volatile int zero = 0;
	char *page;
	int sig;

	(void)arg;
	handle(SIGSEGV, on_sig_jump, 0);
	handle(SIGILL, on_sig_jump, 0);
	handle(SIGFPE, on_sig_jump, 0);
	handle(SIGTRAP, on_sig_jump, 0);
	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SBT_CHECK(page != MAP_FAILED);

	if (!(sig = sigsetjmp(jb, 1)))
		*(volatile int *)bad_addr = 1;
	SBT_CHECK(sig == SIGSEGV && last_code == SEGV_MAPERR && last_addr == (void *)16);
	if (!(sig = sigsetjmp(jb, 1)))
		page[8] = 1;
	SBT_CHECK(sig == SIGSEGV && last_code == SEGV_ACCERR && last_addr == page + 8);
	if (!(sig = sigsetjmp(jb, 1)))
		__asm__ volatile("ud2");
	SBT_CHECK(sig == SIGILL && last_code == ILL_ILLOPN);
	/* in assembly: a C division by zero is UB (UBSan stops on it) */
	if (!(sig = sigsetjmp(jb, 1)))
		__asm__ volatile("xor %%edx, %%edx; mov $7, %%eax; div %0" : : "r"(zero) : "eax", "edx");
	SBT_CHECK(sig == SIGFPE && last_code == FPE_INTDIV);
	if (!(sig = sigsetjmp(jb, 1)))
		__asm__ volatile("int3");
	SBT_CHECK(sig == SIGTRAP);
	/* the handler ran with the fault's signal blocked; siglongjmp restored the mask */
	if (!(sig = sigsetjmp(jb, 1)))
		*(volatile int *)bad_addr = 2;
	SBT_CHECK(sig == SIGSEGV);
	printf("faults handled\n");
}

static void test_faults(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_faults, NULL, NULL, SBT_OUT, NULL, res, "fault handlers inside");
	assert_string_equal(res->out, "faults handled\n");
	SBT_RUN_OK(sc_faults, NULL, NULL, SBT_OUT | SBT_NATIVE, NULL, res, "fault handlers natively");
}

/* ------------------------------------------------------------ stack overflow on the altstack */

static volatile uint64_t depth;
static volatile int stop_never;

/* recurses until the stack overflows (stop_never is never set) */
static int recurse(volatile char *p)
{
	volatile char buf[4096];

	buf[0] = p ? p[0] : 0;
	depth++;
	if (stop_never)
		return buf[0];
	return recurse(buf) + buf[0];
}

static void sc_altstack(void *arg)
{
	stack_t ss;
	int sig;

	(void)arg;
	ss.ss_sp = malloc(64 * 1024);
	ss.ss_size = 64 * 1024;
	ss.ss_flags = 0;
	SBT_CHECK(ss.ss_sp && sigaltstack(&ss, NULL) == 0);
	handle(SIGSEGV, on_sig_jump, SA_ONSTACK);
	if (!(sig = sigsetjmp(jb, 1)))
		recurse(NULL);
	SBT_CHECK(sig == SIGSEGV && depth > 100);
	printf("overflow caught\n");
}

static void test_altstack(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_altstack, NULL, NULL, SBT_OUT, NULL, res, "stack overflow on sigaltstack inside");
	assert_string_equal(res->out, "overflow caught\n");
}

/* ------------------------------------------------------------ SIGALRM and a blocking read */

static int pipe_w = -1;

static void on_alarm_write(int sig)
{
	(void)sig;
	hits++;
	if (write(pipe_w, "x", 1) != 1)
		_exit(99);
}

static void sc_alarm(void *arg)
{
	int restart = arg != NULL, p[2];
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };
	char c;
	ssize_t n;

	SBT_CHECK(pipe(p) == 0);
	pipe_w = p[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm_write;
	sa.sa_flags = restart ? SA_RESTART : 0;
	SBT_CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	SBT_CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	errno = 0;
	n = read(p[0], &c, 1);
	/* without SA_RESTART the read fails with EINTR; with it, it is
	 * restarted and gets the byte the handler wrote */
	if (restart)
		SBT_CHECK(n == 1 && c == 'x' && hits == 1);
	else
		SBT_CHECK(n == -1 && errno == EINTR && hits == 1);
	printf("%s\n", restart ? "restarted" : "interrupted");
}

static void test_alarm_read(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_alarm, NULL, NULL, SBT_OUT, NULL, res, "SIGALRM without SA_RESTART inside");
	assert_string_equal(res->out, "interrupted\n");
	SBT_RUN_OK(sc_alarm, (void *)1, NULL, SBT_OUT, NULL, res, "SIGALRM with SA_RESTART inside");
	assert_string_equal(res->out, "restarted\n");
	SBT_RUN_OK(sc_alarm, NULL, NULL, SBT_OUT | SBT_NATIVE, NULL, res, "SIGALRM natively");
	SBT_RUN_OK(sc_alarm, (void *)1, NULL, SBT_OUT | SBT_NATIVE, NULL, res, "SIGALRM SA_RESTART natively");
}

/* ------------------------------------------------------------ a signal while the vCPU spins */

static void sc_spin(void *arg)
{
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };

	(void)arg;
	handle(SIGALRM, on_sig, 0);
	SBT_CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	while (!hits) /* no system call: only an interrupted KVM_RUN can deliver it */
		__asm__ volatile("pause");
	printf("interrupted the loop\n");
}

static void test_spin(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_spin, NULL, NULL, SBT_OUT, NULL, res, "SIGALRM during a busy loop inside");
	assert_string_equal(res->out, "interrupted the loop\n");
}

/* ------------------------------------------------------------ FPU state survives a handler */

static void on_fpu(int sig)
{
	volatile double x = 1.0;

	(void)sig;
	for (int i = 0; i < 100; i++)
		x = x * 1.5 + 0.25;
	__asm__ volatile("pxor %%xmm0, %%xmm0; pxor %%xmm7, %%xmm7; pxor %%xmm15, %%xmm15" ::: "xmm0", "xmm7", "xmm15");
}

static void sc_fpu(void *arg)
{
	uint64_t in[2] = { 0x1122334455667788ull, 0x99aabbccddeeff00ull }, out[2] = { 0, 0 };

	(void)arg;
	signal(SIGUSR1, on_fpu);
	__asm__ volatile("movdqu %1, %%xmm7\n\t"
			 "mov $39, %%eax\n\t" /* getpid */
			 "syscall\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov $10, %%esi\n\t" /* SIGUSR1 */
			 "mov $62, %%eax\n\t" /* kill */
			 "syscall\n\t"
			 "movdqu %%xmm7, %0"
			 : "=m"(out)
			 : "m"(in)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm7", "memory");
	SBT_CHECK(out[0] == in[0] && out[1] == in[1]);
	printf("xmm7 kept\n");
}

static void test_fpu(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_fpu, NULL, NULL, SBT_OUT, NULL, res, "FPU state across a handler inside");
	assert_string_equal(res->out, "xmm7 kept\n");
}

/* ------------------------------------------------------------ TRAP: SIGSYS to the process */

static volatile int sys_nr, sys_arch;

static void on_sys(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;

	(void)sig;
	hits++;
	last_code = si->si_code;
	sys_nr = si->si_syscall;
	sys_arch = (int)si->si_arch;
	u->uc_mcontext.gregs[REG_RAX] = (greg_t)-ENOSYS; /* the call's result, as a seccomp emulator would */
}

static void sc_trap(void *arg)
{
	long rc;

	(void)arg;
	handle(SIGSYS, on_sys, 0);
	errno = 0;
	rc = syscall(SYS_getppid);
	SBT_CHECK(hits == 1 && last_code == 1 /* SYS_SECCOMP */ && sys_nr == SYS_getppid &&
		  sys_arch == (int)0xc000003e && rc == -1 && errno == ENOSYS);
	printf("trapped\n");
}

static void test_trap(void **state)
{
	struct sb_policy *p;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add_name(p, "getppid", SB_ACT_TRAP), 0);
	SBT_RUN_OK(sc_trap, NULL, p, SBT_OUT, NULL, res, "TRAP delivers SIGSYS to the handler");
	assert_string_equal(res->out, "trapped\n");
	sb_policy_free(p);
}

/* ------------------------------------------------------------ hostile: forged frames */

enum forge { F_RING0, F_IOPL, F_KERNEL_RIP, F_BAD_FPU, F_NO_FRAME };

static volatile int forge_kind;

static void on_forge(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	switch (forge_kind) {
	case F_RING0:
		/* CS = the kernel code selector, SS = kernel data */
		uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffll) | 0x10;
		break;
	case F_IOPL:
		uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x4000 /* IOPL 3, NT */;
		break;
	case F_KERNEL_RIP:
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff81000000ull;
		break;
	case F_BAD_FPU:
		/* XSTATE_BV with bits no XCR0 enables */
		((uint64_t *)uc->uc_mcontext.fpregs)[512 / 8] = ~0ull;
		break;
	}
}

static void sc_forge(void *arg)
{
	uint16_t cs;
	uint64_t fl;

	forge_kind = (int)(intptr_t)arg;
	if (forge_kind == F_NO_FRAME) {
		/* rt_sigreturn with rsp at an unmapped address */
		__asm__ volatile("mov $16, %%rsp; mov $15, %%eax; syscall" ::: "memory");
		_exit(SBT_EXIT_ESCAPED);
	}
	handle(SIGUSR1, on_forge, 0);
	raise(SIGUSR1);
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("pushfq; pop %0" : "=r"(fl));
	if ((cs & 3) != 3 || (fl & 0x3000))
		_exit(SBT_EXIT_ESCAPED);
	printf("cs=%#x iopl=%d\n", cs, (int)((fl >> 12) & 3));
}

static void test_forged_frames(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_forge, (void *)(intptr_t)F_RING0, NULL, SBT_OUT, NULL, res, "frame with kernel CS");
	assert_string_equal(res->out, "cs=0x33 iopl=0\n");
	SBT_RUN_OK(sc_forge, (void *)(intptr_t)F_IOPL, NULL, SBT_OUT, NULL, res, "frame with IOPL 3");
	assert_string_equal(res->out, "cs=0x33 iopl=0\n");
	assert_int_equal(sbt_run(sc_forge, (void *)(intptr_t)F_KERNEL_RIP, NULL, SBT_ERR, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "frame returning to a kernel address");
	assert_int_equal(sbt_run(sc_forge, (void *)(intptr_t)F_BAD_FPU, NULL, SBT_ERR, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "frame with a bad XSAVE header");
	assert_int_equal(sbt_run(sc_forge, (void *)(intptr_t)F_NO_FRAME, NULL, SBT_ERR, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "rt_sigreturn without a frame");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raise),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_altstack),
		cmocka_unit_test(test_alarm_read),
		cmocka_unit_test(test_spin),
		cmocka_unit_test(test_fpu),
		cmocka_unit_test(test_trap),
		cmocka_unit_test(test_forged_frames),
	};

	printf("# test_signals: /dev/kvm %s\n",
	       access("/dev/kvm", R_OK | W_OK) == 0 ? "is usable" : "is NOT usable: every test will fail");
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
