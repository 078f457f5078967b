/* SPDX-License-Identifier: MIT */
/* tests/unit/test_policy.c: the policy builder API of sandbox.h.
 *
 * The policy is opaque to users; this test also looks at the builder's
 * struct (libsandbox/src/policy/policy.h) to check that what was accepted
 * is what sb_enter() will copy into the monitor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include <sandbox.h>
#include "../../libsandbox/src/policy/policy.h"

static void test_new_actions(void **state)
{
	static const uint32_t good[] = {
		SB_ACT_ALLOW, SB_ACT_KILL, SB_ACT_ERRNO(1), SB_ACT_ERRNO(EPERM), SB_ACT_ERRNO(ENOSYS),
		SB_ACT_ERRNO(4095), SB_ACT_TRAP, SB_ACT_LOG,
	};
	static const uint32_t bad[] = {
		0,                      /* seccomp's KILL_THREAD */
		0x80000000u | 1,        /* KILL with data */
		0x7fff0001u,            /* ALLOW with data */
		0x00030001u,            /* TRAP with data */
		0x7ff00000u,            /* seccomp's TRACE */
		0x7fc00000u,            /* seccomp's USER_NOTIF */
		SB_ACT_ERRNO(0),        /* an errno of 0 is no error */
		SB_ACT_ERRNO(4096),     /* beyond MAX_ERRNO */
		SB_ACT_ERRNO(0xffff),
		0xffffffffu,
		0x12345678u,
	};
	struct sb_policy *p;

	(void)state;
	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
		p = NULL;
		assert_int_equal(sb_policy_new(good[i], &p), 0);
		assert_non_null(p);
		assert_int_equal(p->default_action, good[i]);
		/* every call takes the default */
		for (int nr = 0; nr < SB_NR_SYSCALLS; nr++)
			assert_int_equal(p->action[nr], good[i]);
		assert_int_equal(p->log_fd, -1);
		sb_policy_free(p);
	}
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = (struct sb_policy *)(uintptr_t)0x1; /* must stay untouched */
		if (sb_policy_new(bad[i], &p) != -EINVAL)
			fail_msg("sb_policy_new(%#x) was accepted", bad[i]);
		assert_ptr_equal(p, (struct sb_policy *)(uintptr_t)0x1);
	}
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, NULL), -EINVAL);
}

static void test_add(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add(p, SYS_openat, SB_ACT_ERRNO(EACCES)), 0);
	assert_int_equal(p->action[SYS_openat], SB_ACT_ERRNO(EACCES));
	assert_int_equal(sb_policy_add(p, SYS_getppid, SB_ACT_KILL), 0);
	assert_int_equal(p->action[SYS_getppid], SB_ACT_KILL);
	/* a later rule replaces an earlier one */
	assert_int_equal(sb_policy_add(p, SYS_getppid, SB_ACT_ALLOW), 0);
	assert_int_equal(p->action[SYS_getppid], SB_ACT_ALLOW);
	/* other calls keep the default */
	assert_int_equal(p->action[SYS_read], SB_ACT_ALLOW);
	assert_int_equal(p->action[SYS_open], SB_ACT_ALLOW);

	/* bad actions */
	assert_int_equal(sb_policy_add(p, SYS_read, 0), -EINVAL);
	assert_int_equal(sb_policy_add(p, SYS_read, SB_ACT_ERRNO(0)), -EINVAL);
	assert_int_equal(sb_policy_add(p, SYS_read, 0x7ff00000u), -EINVAL);
	assert_int_equal(p->action[SYS_read], SB_ACT_ALLOW);
	/* bad numbers: negative, beyond the table, far beyond, x32, holes */
	assert_int_equal(sb_policy_add(p, -1, SB_ACT_ALLOW), -EINVAL);
	assert_int_equal(sb_policy_add(p, SB_NR_SYSCALLS, SB_ACT_ALLOW), -EINVAL);
	assert_int_equal(sb_policy_add(p, 100000, SB_ACT_ALLOW), -EINVAL);
	assert_int_equal(sb_policy_add(p, 0x40000000L | SYS_read, SB_ACT_ALLOW), -EINVAL);
	assert_int_equal(sb_policy_add(p, 400, SB_ACT_ALLOW), -EINVAL); /* 335..423: no x86-64 call */
	assert_int_equal(sb_policy_add(p, 511, SB_ACT_ALLOW), -EINVAL);
	/* no policy */
	assert_true(sb_policy_add(NULL, SYS_read, SB_ACT_ALLOW) < 0);
	sb_policy_free(p);
}

static void test_add_name(void **state)
{
	struct sb_policy *p = NULL;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_KILL, &p), 0);
	assert_int_equal(sb_policy_add_name(p, "openat", SB_ACT_ALLOW), 0);
	assert_int_equal(p->action[257], SB_ACT_ALLOW);
	assert_int_equal(sb_policy_add_name(p, "exit_group", SB_ACT_ALLOW), 0);
	assert_int_equal(p->action[SYS_exit_group], SB_ACT_ALLOW);
	assert_int_equal(sb_policy_add_name(p, "mkdir", SB_ACT_ERRNO(EROFS)), 0);
	assert_int_equal(p->action[SYS_mkdir], SB_ACT_ERRNO(EROFS));

	assert_int_equal(sb_policy_add_name(p, "no_such_call", SB_ACT_ALLOW), -ENOENT);
	assert_int_equal(sb_policy_add_name(p, "", SB_ACT_ALLOW), -ENOENT);
	assert_int_equal(sb_policy_add_name(p, NULL, SB_ACT_ALLOW), -ENOENT);
	assert_int_equal(sb_policy_add_name(p, "opena", SB_ACT_ALLOW), -ENOENT);   /* a prefix */
	assert_int_equal(sb_policy_add_name(p, "openat2x", SB_ACT_ALLOW), -ENOENT);
	assert_int_equal(sb_policy_add_name(p, "OPENAT", SB_ACT_ALLOW), -ENOENT);
	assert_int_equal(sb_policy_add_name(p, "read", 0x7ff00000u), -EINVAL);
	assert_int_equal(sb_policy_add_name(p, "read", SB_ACT_ERRNO(5000)), -EINVAL);
	assert_int_equal(p->action[SYS_read], SB_ACT_KILL);
	sb_policy_free(p);
}

static void test_syscall_nr(void **state)
{
	(void)state;
	assert_int_equal(sb_syscall_nr("openat"), 257);
	assert_int_equal(sb_syscall_nr("read"), 0);
	assert_int_equal(sb_syscall_nr("write"), 1);
	assert_int_equal(sb_syscall_nr("open"), 2);
	assert_int_equal(sb_syscall_nr("rt_sigreturn"), 15);
	assert_int_equal(sb_syscall_nr("exit_group"), 231);
	assert_int_equal(sb_syscall_nr("newfstatat"), 262);
	assert_int_equal(sb_syscall_nr("close_range"), 436);
	assert_int_equal(sb_syscall_nr("openat2"), 437);
	assert_int_equal(sb_syscall_nr("_sysctl"), 156);
	assert_int_equal(sb_syscall_nr("no_such_call"), -ENOENT);
	assert_int_equal(sb_syscall_nr(""), -ENOENT);
	assert_int_equal(sb_syscall_nr(NULL), -ENOENT);
	assert_int_equal(sb_syscall_nr("opena"), -ENOENT);
	assert_int_equal(sb_syscall_nr("openat "), -ENOENT);
	assert_int_equal(sb_syscall_nr("sys_openat"), -ENOENT);
}

static void test_log_denials(void **state)
{
	struct sb_policy *p = NULL;
	int fds[2], closed;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	closed = dup(fds[0]);
	assert_true(closed >= 0);
	close(closed);

	assert_int_equal(sb_policy_log_denials(p, closed), -EBADF);
	assert_int_equal(p->log_fd, -1);
	assert_int_equal(sb_policy_log_denials(p, 100000), -EBADF);
	assert_int_equal(sb_policy_log_denials(p, fds[1]), 0);
	assert_int_equal(p->log_fd, fds[1]);
	assert_int_equal(sb_policy_log_denials(p, 2), 0);
	assert_int_equal(p->log_fd, 2);
	/* off */
	assert_int_equal(sb_policy_log_denials(p, -1), 0);
	assert_int_equal(p->log_fd, -1);
	assert_true(sb_policy_log_denials(NULL, 2) < 0);
	close(fds[0]);
	close(fds[1]);
	sb_policy_free(p);
}

static void test_free_null(void **state)
{
	(void)state;
	sb_policy_free(NULL);
}

static void test_misc_api(void **state)
{
	char v[32];

	(void)state;
	snprintf(v, sizeof v, "%d.%d.%d", SB_VERSION_MAJOR, SB_VERSION_MINOR, SB_VERSION_PATCH);
	assert_string_equal(sb_version(), v);
	assert_int_equal(sb_inside(), 0);
	assert_non_null(sb_last_error());
	assert_string_equal(sb_last_error(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_actions),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_name),
		cmocka_unit_test(test_syscall_nr),
		cmocka_unit_test(test_log_denials),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_misc_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
