/* SPDX-License-Identifier: MIT */
/* tests/unit/test_patch.c: patched call sites, natively: the instruction walk and the trampoline.
 *
 * patch_insn.c and cpu_x86_64.c are compiled into this test.
 *  - patch_proven() on the byte shapes of glibc's wrappers (taken from
 *    Debian 12's libc.so.6) and on shapes it must refuse: a `mov` that is
 *    the tail of a longer instruction, a branch into the rewritten bytes,
 *    unknown instructions;
 *  - a trampoline from cpu_build_tramp(), run here on the host with a
 *    control page and user slots of the test's own, and a thread that
 *    plays the worker: every path (answered from the control page, served
 *    by the worker, handed back, not taken in time, no free slot, channel
 *    off) gives the call's result, keeps the argument registers, and
 *    returns behind the site's `syscall`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../libsandbox/src/guest/cpu_x86_64.h"
#include "../../libsandbox/src/monitor/patch.h"

/* ---- patch_proven */

static void test_glibc_shapes(void **state)
{
	/* getpid, getuid, lseek, uname: the `mov` is the function's first instruction */
	static const uint8_t getpid_[] = { 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	/* write, getrandom: cmpb $0, __libc_single_threaded(%rip); je; mov; syscall */
	static const uint8_t write_[] = { 0x80, 0x3d, 0x91, 0x32, 0x0e, 0x00, 0x00, 0x74, 0x17,
					  0xb8, 0x01, 0,    0,    0,    0x0f, 0x05 };
	/* pread64: the same with mov %rcx, %r10 before the je */
	static const uint8_t pread_[] = { 0x80, 0x3d, 0x11, 0x52, 0x0e, 0x00, 0x00, 0x49, 0x89, 0xca,
					  0x74, 0x14, 0xb8, 0x11, 0,    0,    0,    0x0f, 0x05 };
	/* a CET build: endbr64 first */
	static const uint8_t endbr_[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };

	(void)state;
	assert_int_equal(patch_proven(getpid_, 0), 1);
	assert_int_equal(patch_proven(write_, 9), 1);
	assert_int_equal(patch_proven(pread_, 12), 1);
	assert_int_equal(patch_proven(endbr_, 4), 1);
}

static void test_refused_shapes(void **state)
{
	/* mov $39, %r8d: its last five bytes look like mov $39, %eax */
	static const uint8_t r8d[] = { 0x41, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	/* sub $0x28, %rsp: not a known form */
	static const uint8_t sub[] = { 0x48, 0x83, 0xec, 0x28, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	/* je +1: lands inside the mov */
	static const uint8_t into[] = { 0x74, 0x01, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	/* je +0: lands on the mov itself (then the new jmp): fine */
	static const uint8_t onto[] = { 0x74, 0x00, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	/* jne +5: lands on the syscall, which stays as it is: fine */
	static const uint8_t past[] = { 0x75, 0x05, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	/* a nop (not a known form), then an instruction that would run past the mov */
	static const uint8_t over[] = { 0x90, 0xb8, 0x01, 0, 0, 0, 0x0f, 0x05 };
	static const uint8_t past_mov[] = { 0xb8, 0x01, 0, 0, 0, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	/* a movl $imm32 whose immediate ends in b8: walked as one instruction, not found */
	static const uint8_t imm[] = { 0xbe, 0x00, 0x00, 0x00, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
	uint8_t big[64];

	(void)state;
	assert_int_equal(patch_proven(r8d, 1), 0);
	assert_int_equal(patch_proven(sub, 4), 0);
	assert_int_equal(patch_proven(into, 2), 0);
	assert_int_equal(patch_proven(onto, 2), 1);
	assert_int_equal(patch_proven(past, 2), 1);
	assert_int_equal(patch_proven(over, 1), 0);
	assert_int_equal(patch_proven(past_mov, 3), 0);
	assert_int_equal(patch_proven(imm, 4), 0);
	/* a backward branch into it: walked past already, but still refused */
	{
		static const uint8_t back[] = { 0x89, 0xc0, 0x74, 0xfd, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };
		static const uint8_t back_in[] = { 0xb8, 0x01, 0, 0, 0, 0x74, 0xfb, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05 };

		assert_int_equal(patch_proven(back, 4), 1); /* je -3 lands at 1, before the mov */
		assert_int_equal(patch_proven(back_in, 7), 1); /* je -5 lands at 2, inside the *first* mov */
	}
	/* too far from the function's start */
	memset(big, 0x90, sizeof big);
	for (unsigned i = 0; i + 2 <= sizeof big; i += 2) {
		big[i] = 0x89; /* mov %eax, %eax */
		big[i + 1] = 0xc0;
	}
	assert_int_equal(patch_proven(big, 50), 0);
	assert_int_equal(patch_proven(big, 48), 1);
}

/* ---- the trampoline, run on the host */

static struct sb_mon *mon;
static uint8_t *region;     /* the test's "vault": patch window and a site */
static uint64_t site_fn;    /* the site's function: jmp tramp; syscall; ret */
static volatile int worker_mode, worker_cur = -1, worker_stop, worker_seen;
static pthread_t worker;

enum { W_SERVE, W_BACK, W_ASLEEP };

static struct sb_chan_ctl *uctl(void)
{
	return (struct sb_chan_ctl *)(region + VLT_PATCH + PATCH_UCTL);
}

static struct sb_chan_slot *uslot(unsigned i)
{
	return (struct sb_chan_slot *)(region + VLT_PATCH + PATCH_USLOT + i * SYS_CSLOT_STRIDE);
}

/* the worker's part: claim, answer a0 + ... + a5 + nr, or hand back */
static void *worker_main(void *arg)
{
	(void)arg;
	while (!worker_stop) {
		int mode = worker_mode; /* one mode per pass; set_mode() waits for it */

		worker_cur = mode;
		for (unsigned i = 0; i < PATCH_NUSLOT; i++) {
			struct sb_chan_slot *s = uslot(i);
			uint32_t want = CH_REQ;

			if (mode == W_ASLEEP)
				break;
			if (!__atomic_compare_exchange_n(&s->state, &want, CH_BUSY, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				continue;
			worker_seen++;
			if (mode == W_BACK) {
				__atomic_store_n(&s->state, CH_BACK, __ATOMIC_RELEASE);
				continue;
			}
			s->ret = s->nr + s->a[0] + s->a[1] + s->a[2] + s->a[3] + s->a[4] + s->a[5];
			__atomic_store_n(&s->state, CH_DONE, __ATOMIC_RELEASE);
		}
		__builtin_ia32_pause();
	}
	return NULL;
}

/* the worker's mode, once a pass of the worker has started with it */
static void set_mode(int mode)
{
	worker_mode = mode;
	while (worker_cur != mode)
		__builtin_ia32_pause();
}

/* build the trampoline for nr at the site */
static void set_site(uint32_t nr)
{
	uint64_t tramp = (uint64_t)region + VLT_PATCH + PATCH_TRAMP;
	uint8_t *p = (uint8_t *)site_fn;
	int32_t rel = (int32_t)(tramp - (site_fn + 5));

	assert_true(cpu_build_tramp(mon, tramp, site_fn + 5, nr) > 0);
	p[0] = 0xe9; /* the patched `mov $nr, %eax` */
	memcpy(p + 1, &rel, 4);
	p[5] = 0x0f; /* syscall */
	p[6] = 0x05;
	p[7] = 0xc3; /* ret */
}

struct regs {
	long rax, rdi, rsi, rdx, r10, r8, r9, rcx;
};

/* call the site with these arguments; what the registers held after */
static void call_site(struct regs *r)
{
	register long rdi __asm__("rdi") = r->rdi;
	register long rsi __asm__("rsi") = r->rsi;
	register long rdx __asm__("rdx") = r->rdx;
	register long r10 __asm__("r10") = r->r10;
	register long r8 __asm__("r8") = r->r8;
	register long r9 __asm__("r9") = r->r9;
	long rax, rcx;

	/* below the red zone of this function: call pushes */
	__asm__ volatile("sub $128, %%rsp\n\tcall *%%rax\n\tadd $128, %%rsp"
			 : "=a"(rax), "=c"(rcx), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "0"(site_fn)
			 : "r11", "memory", "cc");
	r->rax = rax;
	r->rcx = rcx;
	r->rdi = rdi;
	r->rsi = rsi;
	r->rdx = rdx;
	r->r10 = r10;
	r->r8 = r8;
	r->r9 = r9;
}

static void args(struct regs *r)
{
	*r = (struct regs){ 0, 1, 20, 300, 4000, 50000, 600000, 0 };
}

static void assert_args_kept(const struct regs *r)
{
	assert_int_equal(r->rdi, 1);
	assert_int_equal(r->rsi, 20);
	assert_int_equal(r->rdx, 300);
	assert_int_equal(r->r10, 4000);
	assert_int_equal(r->r8, 50000);
	assert_int_equal(r->r9, 600000);
}

static void set_bit(uint64_t *map, uint32_t nr, int on)
{
	if (on)
		map[nr / 64] |= 1ull << (nr % 64);
	else
		map[nr / 64] &= ~(1ull << (nr % 64));
}

static int setup(void **state)
{
	(void)state;
	region = mmap(NULL, VLT_PTAB + 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	mon = calloc(1, sizeof *mon);
	if (!mon)
		return -1;
	mon->vault = (uint64_t)region;
	site_fn = (uint64_t)region + VLT_PATCH + VLT_PATCH_SIZE; /* just past the window */
	worker_mode = W_ASLEEP;
	return pthread_create(&worker, NULL, worker_main, NULL);
}

static int teardown(void **state)
{
	(void)state;
	worker_stop = 1;
	pthread_join(worker, NULL);
	free(mon);
	munmap(region, VLT_PTAB + 4096);
	return 0;
}

/* the channel off (a control page of zeros, as outside the VM): the real call */
static void test_tramp_plain(void **state)
{
	struct regs r;

	(void)state;
	memset(uctl(), 0, sizeof *uctl());
	set_site(SYS_getpid);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getpid());
	assert_args_kept(&r);
	set_site(SYS_getppid);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getppid());
	assert_args_kept(&r);
}

/* answered from the control page */
static void test_tramp_in_vm(void **state)
{
	struct regs r;

	(void)state;
	memset(uctl(), 0, sizeof *uctl());
	set_bit(uctl()->vm_ok, SYS_getpid, 1);
	uctl()->ans[SYS_getpid] = 4242;
	set_site(SYS_getpid);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, 4242);
	assert_int_equal(r.rcx, (long)site_fn + 7); /* as sysret leaves it: behind the syscall */
	assert_args_kept(&r);
	/* gettid is per vCPU: never from the control page */
	set_bit(uctl()->vm_ok, SYS_gettid, 1);
	uctl()->ans[SYS_gettid] = 4343;
	set_site(SYS_gettid);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, syscall(SYS_gettid));
}

/* served by the worker, handed back, not taken in time, no free slot */
static void test_tramp_worker(void **state)
{
	struct regs r;

	(void)state;
	memset(uctl(), 0, sizeof *uctl());
	memset(uslot(0), 0, PATCH_NUSLOT * SYS_CSLOT_STRIDE);
	set_bit(uctl()->nr_ok, SYS_getppid, 1);
	uctl()->on = 1;
	uctl()->spin = 1u << 30;
	set_site(SYS_getppid);
	/* served: the worker's answer, the slot freed */
	set_mode(W_SERVE);
	for (int i = 0; i < 1000; i++) {
		args(&r);
		call_site(&r);
		assert_int_equal(r.rax, SYS_getppid + 1 + 20 + 300 + 4000 + 50000 + 600000);
		assert_int_equal(r.rcx, (long)site_fn + 7);
		assert_args_kept(&r);
	}
	for (unsigned i = 0; i < PATCH_NUSLOT; i++)
		assert_int_equal(uslot(i)->state, CH_IDLE);
	/* handed back: the real call */
	set_mode(W_BACK);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getppid());
	assert_args_kept(&r);
	assert_int_equal(uslot(0)->state, CH_IDLE);
	/* nobody takes it: withdrawn after the spin, the real call */
	set_mode(W_ASLEEP);
	uctl()->spin = 100;
	worker_seen = 0;
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getppid());
	assert_int_equal(uslot(0)->state, CH_IDLE);
	assert_int_equal(worker_seen, 0);
	/* every slot taken: the real call at once */
	for (unsigned i = 0; i < PATCH_NUSLOT; i++)
		uslot(i)->state = CH_OWN;
	set_mode(W_SERVE);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getppid());
	for (unsigned i = 0; i < PATCH_NUSLOT; i++)
		uslot(i)->state = CH_IDLE;
	/* the channel asleep (on = 0), or the call not the channel's: the real call */
	uctl()->on = 0;
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getppid());
	uctl()->on = 1;
	set_bit(uctl()->nr_ok, SYS_getppid, 0);
	args(&r);
	call_site(&r);
	assert_int_equal(r.rax, getppid());
	set_mode(W_ASLEEP);
}

/* numbers the bitmaps do not cover: no trampoline */
static void test_tramp_range(void **state)
{
	(void)state;
	assert_int_equal(cpu_build_tramp(mon, (uint64_t)region + VLT_PATCH + PATCH_TRAMP, site_fn + 5, CH_NR_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glibc_shapes),   cmocka_unit_test(test_refused_shapes),
		cmocka_unit_test(test_tramp_plain),    cmocka_unit_test(test_tramp_in_vm),
		cmocka_unit_test(test_tramp_worker),   cmocka_unit_test(test_tramp_range),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
