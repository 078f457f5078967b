/* SPDX-License-Identifier: MIT */
/* tests/hostile/test_thread_escape.c: hostile threads inside the VM.
 *
 * Each scenario enters a sandbox (sb_enter) and, from guest threads, tries
 * to reach the monitor through what threads add: the tid pointers of clone
 * and clone3 and set_tid_address (which the kernel or the monitor write),
 * clone flags that would share less than the VM, the other threads' vCPU
 * fds, a thread's policy-killed call, and memory calls racing with calls
 * that use the memory. Every attempt must fail the documented way and the
 * sandbox must still work afterwards (alive(): memory calls, a new thread).
 * The vault is found as an attacker would: below thread 0's kvm_run, the
 * lowest "kvm-vcpu" mapping in /proc/self/maps.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include "../common/sbtest.h"
#include "../../libsandbox/src/monitor/vault.h"

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

/* the vault base, from the lowest kvm-vcpu mapping (thread 0's kvm_run) */
static uintptr_t vault_base(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t lo = 0, best = 0;

	SBT_CHECK(f != NULL);
	while (fgets(line, sizeof line, f))
		if (strstr(line, "kvm-vcpu") && sscanf(line, "%lx-", &lo) == 1 && (!best || lo < best))
			best = lo;
	fclose(f);
	SBT_CHECK(best != 0);
	return best - (VLT_THREADS + THR_RUN);
}

static void *returns_arg(void *arg)
{
	return arg;
}

/* the sandbox still works: memory calls, and a thread made and joined */
static void alive(void)
{
	pthread_t t;
	void *r = NULL;
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	SBT_CHECK(sb_inside() == 1);
	SBT_CHECK(p != MAP_FAILED);
	p[0] = 1;
	p[(1 << 20) - 1] = 2;
	SBT_CHECK(munmap(p, 1 << 20) == 0);
	SBT_CHECK(pthread_create(&t, NULL, returns_arg, (void *)0x5a) == 0);
	SBT_CHECK(pthread_join(t, &r) == 0 && r == (void *)0x5a);
}

/* addresses in the vault a tid could be written to: the monitor state, the
 * thread table's first slot, the task table, the page-table pool */
static void targets(uintptr_t v, uintptr_t t[4])
{
	t[0] = v + VLT_MON + 0x100;
	t[1] = v + VLT_THREADS + THR_STATE + 0x40;
	t[2] = v + VLT_TASKS + 8;
	t[3] = v + VLT_PTPOOL + 0x10;
}

static void sc_tid_pointers(void *arg)
{
	uintptr_t v = vault_base(), t[4];
	static char stack[65536] __attribute__((aligned(16)));
	uintptr_t sp = (uintptr_t)(stack + sizeof stack);

	(void)arg;
	targets(v, t);
	for (int i = 0; i < 4; i++) {
		/* clone: the kernel would write the new tid there */
		SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS | CLONE_PARENT_SETTID, sp, t[i], 0, 0) == -EFAULT);
		SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS | CLONE_CHILD_SETTID, sp, 0, t[i], 0) == -EFAULT);
		SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS | CLONE_CHILD_CLEARTID, sp, 0, t[i], 0) == -EFAULT);
		/* a fork: the child's copy of the vault is as much the monitor's */
		SBT_CHECK(sb_sys5(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, t[i], 0) == -EFAULT);
		SBT_CHECK(sb_sys5(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID, 0, t[i], 0, 0) == -EFAULT);
		/* clone3: the same pointers, and the argument struct itself */
		{
			struct clone_args ca = { .flags = THREAD_FLAGS | CLONE_PARENT_SETTID, .parent_tid = t[i],
						 .stack = (uintptr_t)stack, .stack_size = sizeof stack };

			SBT_CHECK(sb_sys2(SYS_clone3, (long)&ca, sizeof ca) == -EFAULT);
			SBT_CHECK(sb_sys2(SYS_clone3, (long)t[i], sizeof ca) == -EFAULT);
		}
	}
	alive();
}

static void test_tid_pointers(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_tid_pointers, NULL, NULL, 0, NULL, res, "clone/clone3 tid pointers into the vault");
}

/* set_tid_address into the vault, then the thread exits: the monitor's
 * write of 0 (clear_child_tid) must not land */
static uintptr_t clear_target;
static volatile int clear_ready;

static void *sets_tid_address(void *arg)
{
	(void)arg;
	syscall(SYS_set_tid_address, clear_target);
	clear_ready = 1;
	/* pthread_exit -> exit: the monitor writes clear_child_tid now */
	return NULL;
}

static int task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	SBT_CHECK(d != NULL);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void sc_set_tid_address(void *arg)
{
	uintptr_t v = vault_base(), t[4];
	struct timespec ms = { 0, 1000000 };

	(void)arg;
	targets(v, t);
	for (int i = 0; i < 4; i++) {
		pthread_t th;
		pthread_attr_t a;
		int waited = 0;

		clear_target = t[i];
		clear_ready = 0;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		SBT_CHECK(pthread_create(&th, &a, sets_tid_address, NULL) == 0);
		pthread_attr_destroy(&a);
		/* wait until the thread is gone (its tid word is not ours any more) */
		while ((!clear_ready || task_count() > 1) && waited++ < 20000)
			nanosleep(&ms, NULL);
		SBT_CHECK(task_count() == 1);
		alive();
	}
}

static void test_set_tid_address(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_set_tid_address, NULL, NULL, 0, NULL, res, "set_tid_address into the vault");
}

/* clone flags that would share less than the VM, or more than a process may */
static void sc_clone_flags(void *arg)
{
	static char stack[65536] __attribute__((aligned(16)));
	uintptr_t sp = (uintptr_t)(stack + sizeof stack);
	struct clone_args ca = { 0 };

	(void)arg;
	/* a thread without the fd table, the fs context or the signal table */
	SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS & ~CLONE_FILES, sp, 0, 0, 0) == -EINVAL);
	SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS & ~CLONE_FS, sp, 0, 0, 0) == -EINVAL);
	SBT_CHECK(sb_sys5(SYS_clone, CLONE_VM | CLONE_THREAD, sp, 0, 0, 0) == -EINVAL);
	/* shared memory without being a thread (not vfork) */
	SBT_CHECK(sb_sys5(SYS_clone, CLONE_VM | SIGCHLD, sp, 0, 0, 0) == -ENOSYS);
	/* a thread that is traced, or in a new namespace */
	SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS | CLONE_PTRACE, sp, 0, 0, 0) == -EINVAL);
	SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS | CLONE_NEWNS, sp, 0, 0, 0) == -EINVAL);
	/* a TLS base outside user space */
	SBT_CHECK(sb_sys5(SYS_clone, THREAD_FLAGS | CLONE_SETTLS, sp, 0, 0, 0xffff800000000000l) == -EPERM);
	/* clone3: sizes the kernel refuses, unknown trailing fields, pidfds */
	ca.flags = THREAD_FLAGS;
	ca.stack = (uintptr_t)stack;
	ca.stack_size = sizeof stack;
	SBT_CHECK(sb_sys2(SYS_clone3, (long)&ca, 8) == -EINVAL);
	SBT_CHECK(sb_sys2(SYS_clone3, (long)&ca, 4096) == -E2BIG);
	ca.flags = THREAD_FLAGS | CLONE_PIDFD;
	SBT_CHECK(sb_sys2(SYS_clone3, (long)&ca, sizeof ca) == -ENOSYS);
	ca.flags = THREAD_FLAGS;
	ca.exit_signal = SIGCHLD; /* a thread has no exit signal */
	SBT_CHECK(sb_sys2(SYS_clone3, (long)&ca, sizeof ca) == -EINVAL);
	alive();
}

static void test_clone_flags(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_clone_flags, NULL, NULL, 0, NULL, res, "clone flags a thread may not have");
}

/* the other threads' vCPU fds: invisible to every call */
static int waitpipe[2];

static void *blocks(void *arg)
{
	char c;

	(void)arg;
	return read(waitpipe[0], &c, 1) == 1 ? (void *)1 : NULL;
}

static void sc_vcpu_fds(void *arg)
{
	pthread_t t[4];
	int vcpu[16], n = 0;
	DIR *d;
	struct dirent *e;

	(void)arg;
	SBT_CHECK(pipe(waitpipe) == 0);
	for (int i = 0; i < 4; i++)
		SBT_CHECK(pthread_create(&t[i], NULL, blocks, NULL) == 0);
	/* the attacker reads the fd numbers off /proc/self/fd */
	d = opendir("/proc/self/fd");
	SBT_CHECK(d != NULL);
	while ((e = readdir(d))) {
		char path[300], target[128];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof target - 1);
		if (len > 0 && n < 16) {
			target[len] = 0;
			if (!strncmp(target, "anon_inode:kvm-vcpu", 19))
				vcpu[n++] = atoi(e->d_name);
		}
	}
	closedir(d);
	SBT_CHECK(n >= 5); /* the main thread's and four more */
	for (int i = 0; i < n; i++) {
		SBT_CHECK_ERR(ioctl(vcpu[i], KVM_RUN, 0), EBADF);
		SBT_CHECK_ERR(fcntl(vcpu[i], F_GETFD), EBADF);
		SBT_CHECK_ERR(dup(vcpu[i]), EBADF);
		SBT_CHECK_ERR(dup2(0, vcpu[i]), EBADF);
		SBT_CHECK_ERR(close(vcpu[i]), EBADF);
		SBT_CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_SHARED, vcpu[i], 0), EBADF);
	}
	/* close_range over everything leaves them: the threads still run */
	SBT_CHECK(syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) == 0);
	SBT_CHECK(write(waitpipe[1], "wxyz", 4) == 4);
	for (int i = 0; i < 4; i++) {
		void *r = NULL;

		SBT_CHECK(pthread_join(t[i], &r) == 0 && r == (void *)1);
	}
	alive();
}

static void test_vcpu_fds(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_vcpu_fds, NULL, NULL, 0, NULL, res, "other threads' vCPU fds");
}

/* one thread unmaps and remaps what another passes to the kernel, a third
 * faults pages in: each call succeeds or fails with EFAULT/SIGSEGV-free,
 * the monitor never dies */
#define RACE_ADDR ((char *)0x310000000000ul)
#define RACE_SIZE (4ul << 20)
static volatile int race_stop;

static void *race_mapper(void *arg)
{
	(void)arg;
	while (!race_stop) {
		char *p = mmap(RACE_ADDR, RACE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			       -1, 0);

		if (p != MAP_FAILED) {
			p[0] = 1;
			munmap(p, RACE_SIZE);
		}
	}
	return NULL;
}

static void *race_reader(void *arg)
{
	int fd = open("/proc/self/stat", O_RDONLY);
	long n = 0;

	(void)arg;
	if (fd < 0)
		return NULL;
	while (!race_stop) {
		/* into memory that comes and goes: a count, or EFAULT */
		ssize_t r = pread(fd, RACE_ADDR + 4096, 256, 0);

		if (r < 0 && errno != EFAULT)
			break;
		n++;
	}
	close(fd);
	return (void *)n;
}

static void sc_memory_race(void *arg)
{
	pthread_t m, r;
	void *reads = NULL;
	struct timespec end, now;

	(void)arg;
	SBT_CHECK(pthread_create(&m, NULL, race_mapper, NULL) == 0);
	SBT_CHECK(pthread_create(&r, NULL, race_reader, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 2;
	do {
		/* the main thread's own memory calls, in between */
		void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		SBT_CHECK(p != MAP_FAILED);
		((char *)p)[100] = 1;
		SBT_CHECK(munmap(p, 1 << 20) == 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	race_stop = 1;
	SBT_CHECK(pthread_join(m, NULL) == 0);
	SBT_CHECK(pthread_join(r, &reads) == 0);
	SBT_CHECK(reads != NULL); /* the reader ran, and saw only counts or EFAULT */
	alive();
}

static void test_memory_race(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_memory_race, NULL, NULL, 0, NULL, res, "memory calls racing across threads");
}

/* a policy kill in a second thread ends the whole process with SIGSYS */
static void *calls_ptrace(void *arg)
{
	(void)arg;
	syscall(SYS_ptrace, 0, 0, 0, 0);
	return NULL;
}

static void sc_thread_kill(void *arg)
{
	pthread_t t;

	(void)arg;
	SBT_CHECK(pthread_create(&t, NULL, calls_ptrace, NULL) == 0);
	pthread_join(t, NULL);
	_exit(SBT_EXIT_ALIVE);
}

static void test_thread_kill(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add(p, SYS_ptrace, SB_ACT_KILL), 0);
	assert_int_equal(sbt_run(sc_thread_kill, NULL, p, SBT_ERR, NULL, res), 0);
	SBT_EXPECT_SIGNAL(res, SIGSYS, "a thread's killed call");
	sb_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tid_pointers),
		cmocka_unit_test(test_set_tid_address),
		cmocka_unit_test(test_clone_flags),
		cmocka_unit_test(test_vcpu_fds),
		cmocka_unit_test(test_memory_race),
		cmocka_unit_test(test_thread_kill),
	};

	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
