/* SPDX-License-Identifier: MIT */
/* tests/hostile/test_ring0_escape.c: a process in ring-0 mode (SB_ENTER_RING0) attacks the monitor, and fails.
 *
 * Needs /dev/kvm or /dev/ringfence (CI runs it inside Bochs). At CPL0 the
 * process can write everything guest-physical: the sys window (descriptor
 * tables, stubs, the IST stack where exception frames land), the monitor's
 * page-table pool, and it can reach the doorbells with any registers. Each
 * test makes one such attack; it must end either with no effect on the
 * monitor (the policy still holds, the memory calls still work, the process
 * exits 0) or with the process killed and the monitor's report on stderr —
 * a monitor that crashed would leave no report. vault.h only names the
 * offsets an attacker reads from sb_ring0_info() and the CPU's own
 * registers (SIDT, CR3).
 *
 * Exit code SBT_EXIT_ESCAPED (5): the attack reached code or data it must
 * not have (a forged frame was resumed where the monitor should have
 * refused it).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "../common/sbtest.h"
#include "../common/ring0_guest.h"
#include "../../libsandbox/src/monitor/vault.h"

#define CHUNK (2ul << 20)

static void enter0(const struct sb_policy *pol)
{
	int rc = sb_enter_flags(pol, SB_ENTER_RING0);

	if (rc) {
		dprintf(2, "  [child %d] sb_enter_flags(RING0): %d (%s): %s\n", (int)getpid(), rc, strerror(-rc),
			sb_last_error());
		_exit(SBT_EXIT_ENTER);
	}
}

static struct sb_ring0_info info(void)
{
	struct sb_ring0_info in;

	SBT_CHECK(sb_ring0_info(&in) == 0);
	return in;
}

static uint64_t vault_of(const struct sb_ring0_info *in)
{
	return in->pt_va - VLT_PTPOOL;
}

static uint64_t doorbell(const struct sb_ring0_info *in, uint64_t off)
{
	return in->sys_va - VLT_SYS + VLT_DOORBELL + off;
}

/* vCPU 0's IST1 stack top and TSS (the main thread's: cpu_x86_64.c) */
static uint64_t ist_top0(const struct sb_ring0_info *in)
{
	return in->sys_va + SYS_IST + SYS_IST_STRIDE;
}

static uint64_t tss0(const struct sb_ring0_info *in)
{
	return in->sys_va + SYS_TSS;
}

static void expect_report(int sig, const char *what, const char *needle)
{
	SBT_EXPECT_SIGNAL(res, sig, what);
	if (!strstr(res->err, "ringfence: sandboxed process") || (needle && !strstr(res->err, needle))) {
		sbt_dump(res, what);
		fail_msg("%s: no report from the monitor%s%s", what, needle ? " naming " : "", needle ? needle : "");
	}
}

static struct r0_tables tabs;

/* ------------------------------------------------------------------ the page-table pool */

static char *chunk_in(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	SBT_CHECK(p != MAP_FAILED);
	p = (char *)(((uintptr_t)p + CHUNK - 1) & ~(CHUNK - 1));
	p[0] = 1;
	return p;
}

/* The free list of the pool is linked through the free pages' first
 * words. A forged link makes the next allocation clear, and then fill
 * with page-table entries, whatever host page it names: here the compiled
 * policy. */
static void sc_pool_free_list(void *arg)
{
	struct sb_ring0_info in;
	uint64_t x, pde, alias;
	char *c, *c2;

	enter0(arg);
	in = info();
	c = chunk_in(4 << 20);
	c2 = chunk_in(4 << 20);
	pde = r0_monitor_entry((uint64_t)c, 2);
	SBT_CHECK((pde & R0_P) && (pde & R0_PS));
	/* split the 2 MiB page: a page table x; merge it again: x is freed */
	SBT_CHECK(mprotect(c + 4096, 4096, PROT_READ) == 0);
	pde = r0_monitor_entry((uint64_t)c, 2);
	SBT_CHECK((pde & R0_P) && !(pde & R0_PS));
	x = pde & R0_ADDR;
	SBT_CHECK(mprotect(c, CHUNK, PROT_READ | PROT_WRITE) == 0);
	SBT_CHECK(r0_monitor_entry((uint64_t)c, 2) & R0_PS);
	/* x's link, written through a mapping of its guest-physical address */
	SBT_CHECK(r0_tables_init(&tabs) == 0);
	alias = r0_alias(&tabs, 0, x);
	SBT_CHECK(r0_tables_use(&tabs) == 0);
	r0_poke64(alias, vault_of(&in) + VLT_POLICY);
	r0_tables_leave();
	/* the next table is x again; the one after would be the forged link */
	SBT_CHECK(mprotect(c + 4096, 4096, PROT_READ) == 0);
	SBT_CHECK((r0_monitor_entry((uint64_t)c, 2) & R0_ADDR) == x);
	SBT_CHECK(mprotect(c2 + 4096, 4096, PROT_READ) == 0);
	pde = r0_monitor_entry((uint64_t)c2, 2);
	SBT_CHECK((pde & R0_P) && !(pde & R0_PS));
	SBT_CHECK((pde & R0_ADDR) - in.pt_pa < in.pt_size);
	/* no effect on the monitor: the policy is whole, memory calls work */
	SBT_CHECK_ERR(syscall(SYS_getuid), EPERM);
	SBT_CHECK(syscall(SYS_getppid) > 0);
	c2[0] = 2;
	SBT_CHECK(c2[0] == 2 && c2[4096] == 0);
	SBT_CHECK(munmap(c2, CHUNK) == 0 && munmap(c, CHUNK) == 0);
	printf("forged free-list link ignored\n");
}

static void test_pool_free_list(void **state)
{
	struct sb_policy *pol;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &pol), 0);
	assert_int_equal(sb_policy_add_name(pol, "getuid", SB_ACT_ERRNO(EPERM)), 0);
	SBT_RUN_OK(sc_pool_free_list, pol, NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res,
		   "forged link in the pool's free list");
	sb_policy_free(pol);
	printf("     %s", res->out);
}

/* A top-level entry of the monitor's own table that points just below the
 * pool: followed as a table, it would be struct sb_mon, and the next
 * mapping in that 512 GiB slot would write a table pointer over the
 * monitor's run_vcpu function pointer (PDPT index 3 = its 4th word). */
static void sc_pool_forged_entry(void *arg)
{
	struct sb_ring0_info in;
	uint64_t root, target = 0, e, slot;
	unsigned char vec;
	volatile char *p;

	(void)arg;
	enter0(NULL);
	in = info();
	/* a 512 GiB slot the monitor has no table for and the host has
	 * nothing in (sanitizers reserve large ranges) */
	for (slot = 200; slot < 255 && !target; slot++)
		if (!r0_monitor_entry(slot << 39, 4) && mincore((void *)((slot << 39) | (3ull << 30)), 4096, &vec) &&
		    errno == ENOMEM)
			target = (slot << 39) | (3ull << 30);
	SBT_CHECK(target != 0);
	slot = target >> 39;
	SBT_CHECK(r0_tables_init(&tabs) == 0);
	root = r0_alias(&tabs, 0, in.cr3);
	SBT_CHECK(r0_tables_use(&tabs) == 0);
	r0_poke64(root + 8 * slot, (in.pt_pa - VLT_PTPOOL + VLT_MON) | R0_P | R0_W | R0_U | R0_A);
	r0_tables_leave();
	SBT_CHECK(r0_monitor_entry(target, 4) != 0);
	p = mmap((void *)target, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	SBT_CHECK(p == (volatile char *)target);
	/* the monitor replaced the entry with a table of its pool */
	e = r0_monitor_entry(target, 4);
	SBT_CHECK((e & R0_P) && (e & R0_ADDR) - in.pt_pa < in.pt_size);
	p[0] = 'x';
	SBT_CHECK(p[0] == 'x');
	SBT_CHECK(syscall(SYS_getppid) > 0);
	SBT_CHECK(munmap((void *)p, 4096) == 0);
	printf("forged top-level entry replaced\n");
}

static void test_pool_forged_entry(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_pool_forged_entry, NULL, NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res,
		   "forged entry in the monitor's top-level table");
	printf("     %s", res->out);
}

/* ------------------------------------------------------------------ the sys window */

static void ud2_below_redzone(void)
{
	__asm__ volatile("sub $128, %%rsp\n\tud2\n\tadd $128, %%rsp" : : : "memory");
}

/* the monitor's IDT is read-only in its tables: mapped writable by the
 * process's own, and cleared; the next exception can only triple-fault */
static void sc_idt_cleared(void *arg)
{
	struct sb_ring0_info in;
	uint64_t idt;

	(void)arg;
	enter0(NULL);
	in = info();
	SBT_CHECK(r0_tables_init(&tabs) == 0);
	idt = r0_alias(&tabs, 0, sb_ring0_pa((const void *)(in.sys_va + SYS_IDT)));
	SBT_CHECK(r0_tables_use(&tabs) == 0);
	for (unsigned i = 0; i < 4096; i += 8)
		r0_poke64(idt + i, 0);
	r0_tables_leave();
	ud2_below_redzone();
	_exit(SBT_EXIT_ALIVE);
}

static void test_idt_cleared(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_idt_cleared, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "monitor's IDT cleared, then #UD", "triple fault");
}

static void escaped(void)
{
	_exit(SBT_EXIT_ESCAPED);
}

/* a frame written on the IST stack by the process, then a store to the
 * exception doorbell: the monitor must check it before it reaches the vCPU */
static void forge(uint64_t rip, uint64_t rflags, uint64_t rsp, int vector, uint64_t cr2)
{
	struct sb_ring0_info in = info();
	volatile uint64_t *f = (volatile uint64_t *)(ist_top0(&in) - 6 * 8);

	f[0] = 0; /* error code: not present */
	f[1] = rip;
	f[2] = 0x10;
	f[3] = rflags;
	f[4] = rsp;
	f[5] = 0x18;
	if (cr2)
		__asm__ volatile("mov %0, %%cr2" : : "r"(cr2));
	*(volatile uint64_t *)doorbell(&in, DB_SUPER_OFF + 8 * (uint64_t)vector) = 0;
}

static void sc_frame_noncanonical(void *arg)
{
	(void)arg;
	enter0(NULL);
	forge(0x8000000000000000ull, 0x20202 /* VM */, 0, 13, 0);
	_exit(SBT_EXIT_ALIVE);
}

static void test_frame_noncanonical(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_frame_noncanonical, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "forged frame with a non-canonical rip", "non-canonical");
}

/* a page fault "at" the vault: the monitor must not mirror it (and so
 * must not resume the forged rip) */
static void sc_frame_vault_fault(void *arg)
{
	struct sb_ring0_info in;

	(void)arg;
	enter0(NULL);
	in = info();
	forge((uint64_t)escaped, 0x202, (uint64_t)__builtin_frame_address(0) - 256, 14, vault_of(&in) + VLT_MON);
	_exit(SBT_EXIT_ALIVE);
}

static void test_frame_vault_fault(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_frame_vault_fault, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "forged page fault on the vault", "page fault");
}

/* IST1 pointed at the process's own memory: frames land there, and the
 * monitor reads only its fixed place (zeroed here) */
static uint64_t own_ist[512] __attribute__((aligned(16)));

static void sc_ist_moved(void *arg)
{
	struct sb_ring0_info in;
	volatile uint64_t *f;

	(void)arg;
	enter0(NULL);
	in = info();
	f = (volatile uint64_t *)(ist_top0(&in) - 6 * 8);
	for (int i = 0; i < 6; i++)
		f[i] = 0;
	r0_poke64(tss0(&in) + 0x24, (uint64_t)(own_ist + 512)); /* TSS.IST1, unaligned */
	ud2_below_redzone();
	_exit(SBT_EXIT_ALIVE);
}

static void test_ist_moved(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_ist_moved, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGILL, "IST1 moved into the process's memory", "invalid opcode");
}

/* ------------------------------------------------------------------ doorbells with any registers */

static void sc_doorbell_noncanonical(void *arg)
{
	struct sb_ring0_info in;

	(void)arg;
	enter0(NULL);
	in = info();
	__asm__ volatile("movabs $0x8000000000000000, %%rcx\n\t"
			 "mov %%rax, (%%rbx)"
			 :
			 : "a"((uint64_t)SYS_getppid), "b"(doorbell(&in, DB_USER_OFF + DB_SYS))
			 : "rcx", "r11", "memory");
	_exit(SBT_EXIT_ALIVE);
}

static void test_doorbell_noncanonical(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_doorbell_noncanonical, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "syscall doorbell with a non-canonical return address", "non-canonical");
}

/* a system call made by a plain store, not `syscall`: the policy decides as ever */
static long forged_call(uint64_t db, long nr, long a0, long a1, long a2)
{
	register long r10 __asm__("r10") = 0;
	long rax = nr;

	__asm__ volatile("lea 1f(%%rip), %%rcx\n\t"
			 "pushfq\n\t"
			 "pop %%r11\n\t"
			 "mov %%rax, (%%rbx)\n"
			 "1:"
			 : "+a"(rax)
			 : "b"(db), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	return rax;
}

static void sc_doorbell_forged_call(void *arg)
{
	struct sb_ring0_info in;
	uint64_t db;

	enter0(arg);
	in = info();
	db = doorbell(&in, DB_USER_OFF + DB_SYS);
	SBT_CHECK(forged_call(db, SYS_getuid, 0, 0, 0) == -EPERM);
	SBT_CHECK(forged_call(db, SYS_openat, AT_FDCWD, (long)"/etc/hostname", O_RDONLY) == -EACCES);
	SBT_CHECK(forged_call(db, SYS_getppid, 0, 0, 0) == getppid());
	SBT_CHECK(r0_cpl() == 0);
	printf("forged system calls decided by the policy\n");
}

static void test_doorbell_forged_call(void **state)
{
	struct sb_policy *pol;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &pol), 0);
	assert_int_equal(sb_policy_add_name(pol, "getuid", SB_ACT_ERRNO(EPERM)), 0);
	assert_int_equal(sb_policy_add_name(pol, "openat", SB_ACT_ERRNO(EACCES)), 0);
	SBT_RUN_OK(sc_doorbell_forged_call, pol, NULL, SBT_NO_ENTER | SBT_OUT | SBT_ERR, NULL, res,
		   "system calls by a store to the doorbell");
	sb_policy_free(pol);
	printf("     %s", res->out);
}

static void sc_doorbell_vector40(void *arg)
{
	struct sb_ring0_info in;

	(void)arg;
	enter0(NULL);
	in = info();
	*(volatile uint64_t *)doorbell(&in, DB_SUPER_OFF + 8 * 40) = 0;
	_exit(SBT_EXIT_ALIVE);
}

static void test_doorbell_vector40(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_doorbell_vector40, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "exception doorbell of vector 40", "doorbell");
}

static void sc_doorbell_load(void *arg)
{
	struct sb_ring0_info in;

	(void)arg;
	enter0(NULL);
	in = info();
	(void)*(volatile uint64_t *)doorbell(&in, DB_USER_OFF);
	_exit(SBT_EXIT_ALIVE);
}

static void test_doorbell_load(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_doorbell_load, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "load from the doorbell", "doorbell");
}

/* ------------------------------------------------------------------ guest-physical space */

/* a guest-physical page no window covers (below the windows' base) */
static void sc_gpa_hole(void *arg)
{
	uint64_t p;

	(void)arg;
	enter0(NULL);
	SBT_CHECK(r0_tables_init(&tabs) == 0);
	p = r0_alias(&tabs, 0, 0x1000);
	SBT_CHECK(r0_tables_use(&tabs) == 0);
	(void)r0_peek64(p);
	_exit(SBT_EXIT_ALIVE);
}

static void test_gpa_hole(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_gpa_hole, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "load from a guest-physical hole", "holds no memory");
}

/* libsandbox's code, mapped writable by the process's own tables: the
 * host maps it read-only, and the hypervisor follows the host */
static void sc_write_code(void *arg)
{
	uint64_t p, code = (uint64_t)(uintptr_t)sb_version;

	(void)arg;
	enter0(NULL);
	SBT_CHECK(r0_tables_init(&tabs) == 0);
	p = r0_alias(&tabs, 0, sb_ring0_pa((const void *)(code & ~4095ull)));
	SBT_CHECK(r0_tables_use(&tabs) == 0);
	r0_poke8(p + (code & 4095), 0xcc);
	r0_tables_leave();
	_exit(SBT_EXIT_ALIVE);
}

static void test_write_code(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_write_code, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGBUS, "store to libsandbox's code through an alias", NULL);
}

static void sc_io_port(void *arg)
{
	(void)arg;
	enter0(NULL);
	__asm__ volatile("out %%al, $0x80" : : "a"(0));
	_exit(SBT_EXIT_ALIVE);
}

static void test_io_port(void **state)
{
	(void)state;
	assert_int_equal(sbt_run(sc_io_port, NULL, NULL, SBT_NO_ENTER | SBT_ERR, NULL, res), 0);
	expect_report(SIGSEGV, "out to port 0x80 at CPL0", "ring-0 mode");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_free_list),
		cmocka_unit_test(test_pool_forged_entry),
		cmocka_unit_test(test_idt_cleared),
		cmocka_unit_test(test_frame_noncanonical),
		cmocka_unit_test(test_frame_vault_fault),
		cmocka_unit_test(test_ist_moved),
		cmocka_unit_test(test_doorbell_noncanonical),
		cmocka_unit_test(test_doorbell_forged_call),
		cmocka_unit_test(test_doorbell_vector40),
		cmocka_unit_test(test_doorbell_load),
		cmocka_unit_test(test_gpa_hole),
		cmocka_unit_test(test_write_code),
		cmocka_unit_test(test_io_port),
	};

	printf("# test_ring0_escape: backend %s; child watchdog %u s (SBT_TIMEOUT)\n",
	       getenv("RINGFENCE_BACKEND") ? getenv("RINGFENCE_BACKEND") : "auto", sbt_timeout());
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
