/* SPDX-License-Identifier: MIT */
/* tests/unit/test_enter_nokvm.c: sb_enter() where it cannot work, and the process it must leave alone.
 *
 * Every case runs in a forked child, so that an sb_enter() that succeeded
 * by mistake cannot take this test runner into a VM. Where the case needs
 * /dev/kvm to be missing and the machine has one (the Bochs guest), the
 * child first hides it: a private mount namespace with a tmpfs over /dev.
 * If that is impossible the case fails; it never skips.
 *
 * Children report through their exit status: 0 success, otherwise the
 * line of the failed check (the reason is printed on stderr).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sandbox.h>

#define CHECK(cond)                                                                                        \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "  child %d: %s:%d: check failed: %s (errno %d: %s)\n", (int)getpid(),  \
				__FILE__, __LINE__, #cond, errno, strerror(errno));                         \
			_exit(__LINE__ % 200 + 50);                                                        \
		}                                                                                          \
	} while (0)

/* run fn in a child; assert that it exited 0 */
static void run_child(void (*fn)(void), const char *what)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(60);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("%s: child killed by signal %d", what, WTERMSIG(status));
	if (WEXITSTATUS(status))
		fail_msg("%s: child failed, exit status %d (see its message above)", what, WEXITSTATUS(status));
}

/* make /dev/kvm missing for this child (and nobody else) */
static void hide_dev_kvm(void)
{
	struct stat st;

	if (stat("/dev/kvm", &st) != 0 && errno == ENOENT)
		return; /* nothing to hide (this host) */
	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") == 0);
	CHECK(stat("/dev/kvm", &st) != 0 && errno == ENOENT);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int maps_mention(const char *what)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = 0;

	CHECK(f != NULL);
	while (fgets(line, sizeof line, f))
		if (strstr(line, what))
			found = 1;
	fclose(f);
	return found;
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

struct snapshot {
	int nfds;
	struct sigaction usr1;
	sigset_t mask;
};

static void take_snapshot(struct snapshot *s)
{
	s->nfds = count_fds();
	CHECK(sigaction(SIGUSR1, NULL, &s->usr1) == 0);
	sigemptyset(&s->mask); /* the kernel fills only the first 8 bytes */
	CHECK(sigprocmask(SIG_SETMASK, NULL, &s->mask) == 0);
}

/* the process is as it was: outside, same fds, same signal state, files and calls work */
static void check_unchanged(const struct snapshot *before)
{
	struct sigaction sa;
	sigset_t mask;
	char path[64];
	char buf[16] = "";
	int fd;

	CHECK(sb_inside() == 0);
	CHECK(getpid() == (pid_t)syscall(SYS_getpid));
	CHECK(syscall(SYS_gettid) == syscall(SYS_getpid));
	CHECK(count_fds() == before->nfds);
	CHECK(!maps_mention("anon_inode:kvm") && !maps_mention("/dev/kvm"));
	CHECK(sigaction(SIGUSR1, NULL, &sa) == 0);
	CHECK(sa.sa_handler == before->usr1.sa_handler);
	sigemptyset(&mask);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &mask) == 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&mask, sig) != sigismember(&before->mask, sig)) {
			fprintf(stderr, "  signal %d: blocked %d before, %d after\n", sig, sigismember(&before->mask, sig),
				sigismember(&mask, sig));
			CHECK(!"the signal mask changed");
		}
	usr1_seen = 0;
	CHECK(raise(SIGUSR1) == 0);
	CHECK(usr1_seen == 1);

	snprintf(path, sizeof path, "/tmp/ringfence-nokvm-%d", (int)getpid());
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "still here", 10) == 10);
	CHECK(pread(fd, buf, 10, 0) == 10);
	CHECK(memcmp(buf, "still here", 10) == 0);
	CHECK(close(fd) == 0);
	CHECK(unlink(path) == 0);
}

static void prepare(struct snapshot *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	take_snapshot(s);
}

static void child_no_dev_kvm(void)
{
	struct snapshot s;
	int rc;

	CHECK(unsetenv("RINGFENCE_BACKEND") == 0);
	hide_dev_kvm();
	prepare(&s);
	CHECK(strcmp(sb_last_error(), "") == 0);
	rc = sb_enter(NULL);
	if (rc != -ENODEV)
		fprintf(stderr, "  sb_enter: %d (%s): %s\n", rc, strerror(-rc), sb_last_error());
	CHECK(rc == -ENODEV);
	CHECK(strstr(sb_last_error(), "/dev/kvm") != NULL);
	fprintf(stderr, "  (sb_last_error: %s)\n", sb_last_error());
	check_unchanged(&s);
	/* a second attempt fails the same way: nothing was left half made */
	CHECK(sb_enter(NULL) == -ENODEV);
	CHECK(strstr(sb_last_error(), "/dev/kvm") != NULL);
	check_unchanged(&s);
}

static void child_no_dev_kvm_policy(void)
{
	struct sb_policy *p = NULL;
	struct snapshot s;

	CHECK(unsetenv("RINGFENCE_BACKEND") == 0);
	hide_dev_kvm();
	CHECK(sb_policy_new(SB_ACT_ALLOW, &p) == 0);
	CHECK(sb_policy_add_name(p, "getppid", SB_ACT_KILL) == 0);
	CHECK(sb_policy_log_denials(p, 2) == 0);
	prepare(&s);
	CHECK(sb_enter(p) == -ENODEV);
	CHECK(strstr(sb_last_error(), "/dev/kvm") != NULL);
	sb_policy_free(p);
	check_unchanged(&s);
	/* the KILL rule is not in force: we are outside */
	CHECK(getppid() > 0);
}

static void child_backend_kmod(void)
{
	struct snapshot s;
	int rc;

	CHECK(setenv("RINGFENCE_BACKEND", "kmod", 1) == 0);
	prepare(&s);
	rc = sb_enter(NULL);
	if (rc != -ENODEV)
		fprintf(stderr, "  sb_enter: %d (%s): %s\n", rc, strerror(-rc), sb_last_error());
	CHECK(rc == -ENODEV);
	CHECK(strlen(sb_last_error()) > 0);
	CHECK(strstr(sb_last_error(), "kmod") != NULL);
	fprintf(stderr, "  (sb_last_error: %s)\n", sb_last_error());
	check_unchanged(&s);
}

static void child_backend_bogus(void)
{
	struct snapshot s;
	int rc;

	CHECK(setenv("RINGFENCE_BACKEND", "bogus", 1) == 0);
	prepare(&s);
	rc = sb_enter(NULL);
	if (rc != -EINVAL)
		fprintf(stderr, "  sb_enter: %d (%s): %s\n", rc, strerror(-rc), sb_last_error());
	CHECK(rc == -EINVAL);
	CHECK(strstr(sb_last_error(), "bogus") != NULL);
	fprintf(stderr, "  (sb_last_error: %s)\n", sb_last_error());
	check_unchanged(&s);
}

static int release_fd = -1;

static void *sleeper(void *arg)
{
	char c;

	(void)arg;
	while (read(release_fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void child_threads(void)
{
	struct snapshot s;
	pthread_t t;
	int pfd[2], rc;

	/* the thread check comes first: with or without /dev/kvm */
	CHECK(unsetenv("RINGFENCE_BACKEND") == 0);
	prepare(&s);
	CHECK(pipe2(pfd, O_CLOEXEC) == 0);
	release_fd = pfd[0];
	CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0);
	rc = sb_enter(NULL);
	if (rc != -EBUSY)
		fprintf(stderr, "  sb_enter: %d (%s): %s\n", rc, strerror(-rc), sb_last_error());
	CHECK(rc == -EBUSY);
	CHECK(strstr(sb_last_error(), "threads") != NULL);
	fprintf(stderr, "  (sb_last_error: %s)\n", sb_last_error());
	CHECK(sb_inside() == 0);
	CHECK(write(pfd[1], "x", 1) == 1);
	CHECK(pthread_join(t, NULL) == 0);
	close(pfd[0]);
	close(pfd[1]);
	check_unchanged(&s);
}

static void test_no_dev_kvm(void **state)
{
	(void)state;
	run_child(child_no_dev_kvm, "no /dev/kvm");
}

static void test_no_dev_kvm_with_policy(void **state)
{
	(void)state;
	run_child(child_no_dev_kvm_policy, "no /dev/kvm, with a policy");
}

static void test_backend_kmod(void **state)
{
	(void)state;
	run_child(child_backend_kmod, "RINGFENCE_BACKEND=kmod");
}

static void test_backend_bogus(void **state)
{
	(void)state;
	run_child(child_backend_bogus, "RINGFENCE_BACKEND=bogus");
}

static void test_threads(void **state)
{
	(void)state;
	run_child(child_threads, "second thread");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_dev_kvm),
		cmocka_unit_test(test_no_dev_kvm_with_policy),
		cmocka_unit_test(test_backend_kmod),
		cmocka_unit_test(test_backend_bogus),
		cmocka_unit_test(test_threads),
	};

	printf("# /dev/kvm %s: %s\n", access("/dev/kvm", F_OK) == 0 ? "exists" : "is missing",
	       access("/dev/kvm", F_OK) == 0 ? "hidden in a private mount namespace where needed" : "used as is");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
