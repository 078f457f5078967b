/* SPDX-License-Identifier: MIT */
/* tests/integration/test_ring0.c: Dune mode (SB_ENTER_RING0): a process inside the VM at CPL0.
 *
 * Needs /dev/kvm or /dev/ringfence (CI runs it inside Bochs, on both
 * backends). Each test forks a child that enters with sb_enter_flags(...,
 * SB_ENTER_RING0) and uses what only ring 0 may: it reads CR0/CR3/CR4
 * (#GP at CPL3), installs an IDT of its own and handles an exception
 * there, runs on page tables of its own; and what it keeps from the
 * sandbox: system calls that reach the monitor and come back to CPL0, the
 * policy's denials, signal handlers, fork, threads, faults the monitor
 * turns into signals or reports.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "../common/sbtest.h"
#include "../common/ring0_guest.h"

#define CR0_PE 0x1ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define RFLAGS_IF 0x200ull

struct r0arg {
	const struct sb_policy *pol;
};

static void enter0(const struct sb_policy *pol)
{
	int rc = sb_enter_flags(pol, SB_ENTER_RING0);

	if (rc) {
		dprintf(2, "  [child %d] sb_enter_flags(RING0): %d (%s): %s\n", (int)getpid(), rc, strerror(-rc),
			sb_last_error());
		_exit(SBT_EXIT_ENTER);
	}
	if (sb_inside() != 1)
		_exit(SBT_EXIT_OUTSIDE);
}

/* ------------------------------------------------------------------ privileged registers */

static void sc_privileged(void *arg)
{
	struct sb_ring0_info in;
	uint64_t cr0, cr3, cr4;
	volatile int local = 1;

	(void)arg;
	enter0(NULL);
	/* each of these is #GP at CPL3: the test would die with SIGSEGV */
	SBT_CHECK(r0_cpl() == 0);
	cr0 = r0_read_cr0();
	cr3 = r0_read_cr3();
	cr4 = r0_read_cr4();
	SBT_CHECK((cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG));
	SBT_CHECK(cr4 & CR4_PAE);
	SBT_CHECK(sb_ring0_info(&in) == 0);
	SBT_CHECK((cr3 & R0_ADDR) == in.cr3);
	SBT_CHECK(in.pt_pa && in.pt_size && in.sys_va && in.sys_size);
	/* the monitor's tables, read through the pool: our stack is mapped */
	SBT_CHECK(sb_ring0_pa((const void *)&local) != 0);
	SBT_CHECK(sb_ring0_pa((const void *)R0_ALIAS) == 0);
	printf("cpl=%u cr0=%#lx cr3=%#lx cr4=%#lx\n", r0_cpl(), (unsigned long)cr0, (unsigned long)cr3,
	       (unsigned long)cr4);
}

static void test_privileged(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_privileged, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "CPL0: CR0/CR3/CR4, sb_ring0_info");
	printf("     %s", res->out);
}

/* outside ring-0 mode the same instruction is refused: the check above can fail */
static void sc_cr0_at_cpl3(void *arg)
{
	(void)arg;
	SBT_CHECK(r0_cpl() == 3);
	SBT_CHECK(sb_ring0_pa(&arg) == 0);
	(void)r0_read_cr0();
	_exit(SBT_EXIT_ALIVE);
}

static void test_cr0_at_cpl3(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_cr0_at_cpl3, NULL, NULL, SBT_ERR, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSEGV, "mov from CR0 at CPL3 (sb_enter without the flag)");
}

/* ------------------------------------------------------------------ an IDT of its own */

__attribute__((used)) static volatile uint64_t ud_count;
__attribute__((used)) static volatile uint64_t ud_cs;
extern char r0_ud_handler[];

/* #UD: count it, note the interrupted CS, skip the 2-byte ud2, iretq */
__asm__(".text\n"
	".globl r0_ud_handler\n"
	".type r0_ud_handler, @function\n"
	"r0_ud_handler:\n"
	"	lock incq ud_count(%rip)\n"
	"	push %rax\n"
	"	mov 16(%rsp), %rax\n"
	"	mov %rax, ud_cs(%rip)\n"
	"	pop %rax\n"
	"	addq $2, (%rsp)\n"
	"	iretq\n"
	".size r0_ud_handler, .-r0_ud_handler\n");

static uint64_t own_idt[512] __attribute__((aligned(4096)));

static void ud2_below_redzone(void)
{
	/* no stack switch at CPL0: keep the frame off the red zone */
	__asm__ volatile("sub $128, %%rsp\n\tud2\n\tadd $128, %%rsp" : : : "memory");
}

static void sc_own_idt(void *arg)
{
	struct r0_dtr mon, own;

	(void)arg;
	enter0(NULL);
	r0_sidt(&mon);
	/* the monitor's gates for every vector (its IDT is readable at CPL0),
	 * ours for #UD */
	SBT_CHECK(mon.limit + 1u <= sizeof own_idt);
	memcpy(own_idt, (const void *)mon.base, mon.limit + 1u);
	r0_gate(own_idt, 6, (uint64_t)r0_ud_handler);
	own.base = (uint64_t)own_idt;
	own.limit = mon.limit;
	r0_lidt(&own);
	ud2_below_redzone();
	SBT_CHECK(ud_count == 1);
	SBT_CHECK((ud_cs & 3) == 0);
	/* the process's handler ran, not the monitor: no signal, still at CPL0,
	 * and system calls still work with its IDT loaded */
	SBT_CHECK(syscall(SYS_getppid) > 0);
	SBT_CHECK(r0_cpl() == 0);
	ud2_below_redzone();
	SBT_CHECK(ud_count == 2);
	r0_lidt(&mon);
	printf("handled #UD %lu times in the process's own IDT\n", (unsigned long)ud_count);
}

static void test_own_idt(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_own_idt, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "own IDT handles #UD");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ system calls back to CPL0 */

static void sc_syscalls(void *arg)
{
	long pid = syscall(SYS_getpid);
	char buf[16];
	int p[2];

	(void)arg;
	enter0(NULL);
	SBT_CHECK(syscall(SYS_getpid) == pid);
	SBT_CHECK(r0_cpl() == 0);
	SBT_CHECK(pipe(p) == 0);
	SBT_CHECK(r0_cpl() == 0);
	SBT_CHECK(write(p[1], "ring zero", 9) == 9);
	SBT_CHECK(read(p[0], buf, sizeof buf) == 9 && !memcmp(buf, "ring zero", 9));
	SBT_CHECK(r0_cpl() == 0);
	/* rflags come back from r11: IF as it was, both ways */
	SBT_CHECK(r0_rflags() & RFLAGS_IF);
	__asm__ volatile("cli");
	SBT_CHECK(syscall(SYS_getppid) > 0);
	SBT_CHECK(!(r0_rflags() & RFLAGS_IF));
	__asm__ volatile("sti");
	SBT_CHECK(syscall(SYS_getppid) > 0);
	SBT_CHECK(r0_rflags() & RFLAGS_IF);
	/* a memory call still updates the monitor's page tables */
	{
		char *m = mmap(NULL, 3 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		SBT_CHECK(m != MAP_FAILED);
		m[0] = 1;
		m[(3 << 20) - 1] = 2;
		SBT_CHECK(sb_ring0_pa(m) != 0);
		SBT_CHECK(munmap(m, 3 << 20) == 0);
		SBT_CHECK(sb_ring0_pa(m) == 0);
	}
	printf("system calls came back to CPL0, IF kept, mmap/munmap mirrored\n");
}

static void test_syscalls(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_syscalls, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "system calls return to CPL0");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ the policy still decides */

static void sc_policy(void *arg)
{
	const struct r0arg *a = arg;

	enter0(a->pol);
	SBT_CHECK_ERR(open("/etc/hostname", O_RDONLY), EACCES);
	SBT_CHECK(r0_cpl() == 0);
	SBT_CHECK_ERR(syscall(SYS_getuid), EPERM);
	SBT_CHECK(syscall(SYS_getppid) > 0);
	printf("denied at CPL0\n");
	fflush(stdout);
	/* and KILL kills */
	syscall(SYS_getgid);
	_exit(SBT_EXIT_ALIVE);
}

static void test_policy(void **state)
{
	struct sb_policy *pol;
	struct r0arg a = { NULL };

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &pol), 0);
	assert_int_equal(sb_policy_add_name(pol, "openat", SB_ACT_ERRNO(EACCES)), 0);
	assert_int_equal(sb_policy_add_name(pol, "open", SB_ACT_ERRNO(EACCES)), 0);
	assert_int_equal(sb_policy_add_name(pol, "getuid", SB_ACT_ERRNO(EPERM)), 0);
	assert_int_equal(sb_policy_add_name(pol, "getgid", SB_ACT_KILL), 0);
	assert_int_equal(sb_policy_log_denials(pol, 2), 0);
	a.pol = pol;
	assert_int_equal(sbt_run(sc_policy, &a, NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res), 0);
	sb_policy_free(pol);
	SBT_EXPECT_SIGNAL(res, SIGSYS, "policy at CPL0: errno, then kill");
	if (!strstr(res->out, "denied at CPL0") || !strstr(res->err, "\"syscall\":\"getuid\"") ||
	    !strstr(res->err, "\"syscall\":\"getgid\"")) {
		sbt_dump(res, "policy at CPL0");
		fail_msg("the denials were not audited");
	}
}

/* ------------------------------------------------------------------ signals at CPL0 */

static volatile unsigned handler_cpl = 9;
static volatile uint64_t segv_addr;
static sigjmp_buf segv_jmp;

static void on_usr1(int sig)
{
	(void)sig;
	handler_cpl = r0_cpl();
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	segv_addr = (uint64_t)si->si_addr;
	siglongjmp(segv_jmp, 1);
}

static void sc_signals(void *arg)
{
	struct sigaction sa;

	(void)arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	SBT_CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	SBT_CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	enter0(NULL);
	SBT_CHECK(raise(SIGUSR1) == 0);
	SBT_CHECK(handler_cpl == 0);
	SBT_CHECK(r0_cpl() == 0);
	/* a page fault through the monitor's IDT becomes SIGSEGV, at CPL0 */
	if (!sigsetjmp(segv_jmp, 1)) {
		volatile int *volatile bad = (volatile int *)(uintptr_t)16;

		*bad = 1;
	}
	SBT_CHECK(segv_addr == 16);
	SBT_CHECK(r0_cpl() == 0);
	printf("SIGUSR1 handler at CPL%u, SIGSEGV at %#lx\n", handler_cpl, (unsigned long)segv_addr);
}

static void test_signals(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_signals, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "signal handlers at CPL0");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ page tables of its own */

static struct r0_tables tabs;
static char page_a[4096] __attribute__((aligned(4096)));

static void sc_own_tables(void *arg)
{
	struct sb_ring0_info in;
	uint64_t alias;

	(void)arg;
	enter0(NULL);
	SBT_CHECK(sb_ring0_info(&in) == 0);
	page_a[0] = 'a';
	SBT_CHECK(r0_tables_init(&tabs) == 0);
	alias = r0_alias(&tabs, 0, sb_ring0_pa(page_a));
	SBT_CHECK(r0_tables_use(&tabs) == 0);
	SBT_CHECK((r0_read_cr3() & R0_ADDR) != in.cr3);
	/* the same page at a second address only its own tables have */
	SBT_CHECK(r0_peek8(alias) == 'a');
	r0_poke8(alias + 1, 'b');
	SBT_CHECK(((volatile char *)page_a)[1] == 'b');
	/* system calls work on its own CR3 (the stubs and doorbells are mapped
	 * through the top-level entry it copied) */
	SBT_CHECK(syscall(SYS_getppid) > 0);
	SBT_CHECK(r0_cpl() == 0 && (r0_read_cr3() & R0_ADDR) != in.cr3);
	r0_tables_leave();
	SBT_CHECK((r0_read_cr3() & R0_ADDR) == in.cr3);
	printf("own CR3 %#lx, alias %#lx\n", (unsigned long)sb_ring0_pa(tabs.root), (unsigned long)alias);
}

static void test_own_tables(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_own_tables, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "page tables of its own");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ fork */

static void sc_fork(void *arg)
{
	int st = 0;
	pid_t pid;

	(void)arg;
	enter0(NULL);
	pid = fork();
	if (pid == 0) {
		if (r0_cpl() != 0 || !(r0_read_cr0() & CR0_PG))
			_exit(1);
		_exit(7);
	}
	SBT_CHECK(pid > 0);
	SBT_CHECK(waitpid(pid, &st, 0) == pid);
	SBT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	SBT_CHECK(r0_cpl() == 0);
	printf("fork: the child ran at CPL0\n");
}

static void test_fork(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_fork, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "fork at CPL0");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ threads */

static void *thread_at_cpl0(void *arg)
{
	(void)arg;
	if (r0_cpl() != 0 || !(r0_read_cr0() & CR0_PG))
		return (void *)1;
	/* its own system calls come back to CPL0 too */
	if (syscall(SYS_gettid) <= 0 || r0_cpl() != 0)
		return (void *)2;
	return (void *)(uintptr_t)((r0_read_cr3() & R0_ADDR) == 0 ? 3 : 0);
}

static void sc_threads(void *arg)
{
	pthread_t th[2];
	void *rv;

	(void)arg;
	enter0(NULL);
	for (int i = 0; i < 2; i++)
		SBT_CHECK(pthread_create(&th[i], NULL, thread_at_cpl0, NULL) == 0);
	for (int i = 0; i < 2; i++) {
		SBT_CHECK(pthread_join(th[i], &rv) == 0);
		SBT_CHECK(rv == NULL);
	}
	SBT_CHECK(r0_cpl() == 0);
	printf("two threads ran at CPL0\n");
}

static void test_threads(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_threads, NULL, NULL, SBT_NO_ENTER | SBT_OUT, NULL, res, "threads at CPL0");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ what ends it, with a report */

static void sc_unhandled_ud(void *arg)
{
	(void)arg;
	enter0(NULL);
	ud2_below_redzone();
	_exit(SBT_EXIT_ALIVE);
}

static void sc_hlt(void *arg)
{
	(void)arg;
	enter0(NULL);
	__asm__ volatile("hlt");
	_exit(SBT_EXIT_ALIVE);
}

static void expect_report(int sig, const char *what, const char *needle)
{
	SBT_EXPECT_SIGNAL(res, sig, what);
	if (!strstr(res->err, "ringfence: sandboxed process") || (needle && !strstr(res->err, needle))) {
		sbt_dump(res, what);
		fail_msg("%s: no crash report%s%s", what, needle ? " naming " : "", needle ? needle : "");
	}
}

static void test_unhandled_ud(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_unhandled_ud, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGILL, "#UD through the monitor's gate, no handler", "invalid opcode");
}

static void test_hlt(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_hlt, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "hlt at CPL0", "ring-0 mode");
}

/* ------------------------------------------------------------------ refusals */

static void test_flags_refused(void **state)
{
	struct sb_ring0_info in;

	(void)state;
	/* before any device is opened: no VM needed */
	assert_int_equal(sb_enter_flags(NULL, 0x80), -EINVAL);
	assert_non_null(strstr(sb_last_error(), "flags"));
	assert_int_equal(sb_exec_flags(NULL, "/bin/true", NULL, NULL, 0x80), -EINVAL);
	assert_int_equal(sb_ring0_info(&in), -EPERM);
	assert_int_equal(sb_ring0_pa(&in), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_refused),
		cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_cr0_at_cpl3),
		cmocka_unit_test(test_own_idt),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_own_tables),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_unhandled_ud),
		cmocka_unit_test(test_hlt),
	};

	printf("# test_ring0: backend %s; child watchdog %u s (SBT_TIMEOUT)\n",
	       getenv("RINGFENCE_BACKEND") ? getenv("RINGFENCE_BACKEND") : "auto", sbt_timeout());
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
