/* SPDX-License-Identifier: MIT */
/* tests/integration/test_process.c: fork inside the sandbox: the child gets a VM of its own and the same policy.
 *
 * Each scenario runs in a forked child of the runner that enters a sandbox
 * (tests/common/sbtest.h), then forks again from inside; most also run
 * natively and must print the same.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "../common/sbtest.h"

static int counter = 10;

static void sc_fork_wait(void *arg)
{
	int st = 0, p[2];
	pid_t me = getpid(), c;
	char buf[64] = "";

	(void)arg;
	SBT_CHECK(pipe(p) == 0);
	fflush(stdout);
	c = fork();
	SBT_CHECK(c >= 0);
	if (c == 0) {
		char *big;

		/* a copy of memory: the parent's counter stays */
		counter = 99;
		SBT_CHECK(getppid() == me && getpid() != me);
		/* the child's own memory calls are mirrored in its own VM */
		big = malloc(16 << 20);
		SBT_CHECK(big != NULL);
		memset(big, 7, 16 << 20);
		SBT_CHECK(big[(16 << 20) - 1] == 7);
		free(big);
		dprintf(p[1], "child %d", counter);
		_exit(7);
	}
	close(p[1]);
	SBT_CHECK(read(p[0], buf, sizeof buf - 1) > 0);
	SBT_CHECK(waitpid(c, &st, 0) == c);
	SBT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	printf("%s, parent %d, status %d\n", buf, counter, WEXITSTATUS(st));
}

static void test_fork_wait(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_fork_wait, NULL, NULL, SBT_OUT, NULL, res, "fork + wait inside");
	assert_string_equal(res->out, "child 99, parent 10, status 7\n");
	SBT_RUN_OK(sc_fork_wait, NULL, NULL, SBT_OUT | SBT_NATIVE, NULL, res, "fork + wait natively");
	assert_string_equal(res->out, "child 99, parent 10, status 7\n");
}

/* the child is inside a VM too, and under the same policy */
static void sc_fork_policy(void *arg)
{
	int st = 0;
	pid_t c;

	(void)arg;
	c = fork();
	SBT_CHECK(c >= 0);
	if (c == 0) {
		/* the monitor's own answer: only inside */
		if (syscall(SYS_rseq, NULL, 32, 0, 0) != -1 || errno != ENOSYS)
			_exit(SBT_EXIT_ESCAPED);
		if (syscall(SYS_getppid) != -1 || errno != EDOM)
			_exit(21);
		/* and the grandchild */
		c = fork();
		if (c == 0)
			_exit(syscall(SYS_getppid) == -1 && errno == EDOM ? 6 : 22);
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st))
			_exit(23);
		_exit(WEXITSTATUS(st));
	}
	SBT_CHECK(waitpid(c, &st, 0) == c);
	SBT_CHECK(WIFEXITED(st));
	printf("child exit %d\n", WEXITSTATUS(st));
}

static void test_fork_policy(void **state)
{
	struct sb_policy *p;

	(void)state;
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_add_name(p, "getppid", SB_ACT_ERRNO(EDOM)), 0);
	SBT_RUN_OK(sc_fork_policy, NULL, p, SBT_OUT, NULL, res, "fork: same policy and a VM in the child");
	assert_string_equal(res->out, "child exit 6\n");
	sb_policy_free(p);
}

/* signals between parent and child; SIGCHLD to a handler */
static volatile sig_atomic_t got_chld;

static void on_chld(int sig)
{
	(void)sig;
	got_chld = 1;
}

static void sc_fork_signal(void *arg)
{
	int st = 0;
	pid_t c;

	(void)arg;
	signal(SIGCHLD, on_chld);
	c = fork();
	SBT_CHECK(c >= 0);
	if (c == 0) {
		for (;;)
			pause();
	}
	SBT_CHECK(kill(c, SIGTERM) == 0);
	SBT_CHECK(waitpid(c, &st, 0) == c);
	SBT_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	while (!got_chld)
		usleep(1000);
	printf("child killed by %d, SIGCHLD handled\n", WTERMSIG(st));
}

static void test_fork_signal(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_fork_signal, NULL, NULL, SBT_OUT, NULL, res, "kill the child, SIGCHLD inside");
	assert_string_equal(res->out, "child killed by 15, SIGCHLD handled\n");
	SBT_RUN_OK(sc_fork_signal, NULL, NULL, SBT_OUT | SBT_NATIVE, NULL, res, "kill the child natively");
}

/* many children, one after another and at once */
static void sc_fork_many(void *arg)
{
	pid_t c[16];
	int st, sum = 0;

	(void)arg;
	for (int i = 0; i < 16; i++) {
		c[i] = fork();
		SBT_CHECK(c[i] >= 0);
		if (c[i] == 0)
			_exit(i);
	}
	for (int i = 0; i < 16; i++) {
		SBT_CHECK(waitpid(c[i], &st, 0) == c[i] && WIFEXITED(st));
		sum += WEXITSTATUS(st);
	}
	printf("sum %d\n", sum);
}

static void test_fork_many(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_fork_many, NULL, NULL, SBT_OUT, NULL, res, "16 children inside");
	assert_string_equal(res->out, "sum 120\n");
}

/* hostile: the child cannot reach the parent's VM fds (they are the
 * monitor's, hidden) and is itself still inside */
static void sc_fork_hostile(void *arg)
{
	int st = 0;
	pid_t c;

	(void)arg;
	c = fork();
	SBT_CHECK(c >= 0);
	if (c == 0) {
		for (int fd = 3; fd < 1024; fd++) {
			/* KVM_RUN on every fd: a monitor fd gives EBADF, others ENOTTY */
			if (ioctl(fd, 0xae80, 0) == 0)
				_exit(SBT_EXIT_ESCAPED);
		}
		_exit(syscall(SYS_rseq, NULL, 32, 0, 0) == -1 && errno == ENOSYS ? 0 : SBT_EXIT_ESCAPED);
	}
	SBT_CHECK(waitpid(c, &st, 0) == c);
	SBT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("child contained\n");
}

static void test_fork_hostile(void **state)
{
	(void)state;
	SBT_RUN_OK(sc_fork_hostile, NULL, NULL, SBT_OUT, NULL, res, "the child tries the monitor's fds");
	assert_string_equal(res->out, "child contained\n");
}

/* fork under path rules: the child's monitor gets its /proc files from the
 * broker; the child stays under the rules; the broker is nobody's child */
static void sc_fork_unveil(void *arg)
{
	const char *dir = arg;
	char p[256];
	int st = 0;
	pid_t c;

	SBT_CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	c = fork();
	SBT_CHECK(c >= 0);
	if (c == 0) {
		int fd;
		char *big = malloc(8 << 20); /* the child's memory calls need its maps */

		if (!big)
			_exit(30);
		memset(big, 1, 8 << 20);
		free(big);
		snprintf(p, sizeof p, "%s/from-child", dir);
		fd = open(p, O_CREAT | O_WRONLY, 0600);
		if (fd < 0)
			_exit(31);
		close(fd);
		if (open("/proc/version", O_RDONLY) != -1 || errno != EACCES)
			_exit(32);
		_exit(0);
	}
	SBT_CHECK(waitpid(c, &st, 0) == c);
	SBT_CHECK(WIFEXITED(st));
	printf("child exit %d\n", WEXITSTATUS(st));
}

static void test_fork_unveil(void **state)
{
	struct sb_policy *p;
	char dir[64], path[128];

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/rf-fork-unveil-%d", (int)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(sb_policy_new(SB_ACT_ALLOW, &p), 0);
	assert_int_equal(sb_policy_unveil(p, dir, "rwc"), 0);
	SBT_RUN_OK(sc_fork_unveil, dir, p, SBT_OUT, NULL, res, "fork under path rules");
	assert_string_equal(res->out, "child exit 0\n");
	snprintf(path, sizeof path, "%s/from-child", dir);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
	sb_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_wait),
		cmocka_unit_test(test_fork_policy),
		cmocka_unit_test(test_fork_signal),
		cmocka_unit_test(test_fork_many),
		cmocka_unit_test(test_fork_hostile),
		cmocka_unit_test(test_fork_unveil),
	};

	printf("# test_process: /dev/kvm %s\n",
	       access("/dev/kvm", R_OK | W_OK) == 0 ? "is usable" : "is NOT usable: every test will fail");
	return cmocka_run_group_tests(tests, sbt_group_setup, sbt_group_teardown);
}
