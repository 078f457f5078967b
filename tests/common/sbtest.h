/* SPDX-License-Identifier: MIT */
/* tests/common/sbtest.h: run a scenario in a forked child, inside (or outside) a sandbox.
 *
 * The child resets every signal disposition to SIG_DFL and unblocks all
 * signals (cmocka installs handlers in the runner), sets RLIMIT_CORE to 0,
 * arms alarm() as a watchdog, optionally connects stdin/stdout/stderr to
 * pipes, calls sb_enter() with the given policy, runs the scenario and
 * _exit(0)s. A scenario reports a failed check with SBT_CHECK(), which
 * prints the reason on stderr and _exit()s with a code derived from the
 * line; the parent asserts on the wait status and, on failure, prints
 * everything the child wrote.
 *
 * With SBT_FORCE_NATIVE=1 in the environment no scenario enters (a check
 * of the tests themselves where there is no KVM; sandbox-specific checks
 * then fail, as they should).
 *
 * Exit codes of the child: 0 success; SBT_EXIT_ENTER sb_enter() failed;
 * SBT_EXIT_SETUP set-up before sb_enter() failed; SBT_EXIT_OUTSIDE
 * sb_enter() returned 0 but sb_inside() says otherwise; SBT_EXIT_ALIVE a
 * scenario that had to die did not; 10..249 SBT_CHECK at line (code - 10)
 * modulo 240.
 */
#ifndef SBTEST_H
#define SBTEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sandbox.h>

#define SBT_EXIT_ENTER 1
#define SBT_EXIT_SETUP 2
#define SBT_EXIT_OUTSIDE 3
#define SBT_EXIT_ALIVE 4
#define SBT_EXIT_ESCAPED 5

/* flags of sbt_run() */
#define SBT_OUT 0x01      /* capture stdout */
#define SBT_ERR 0x02      /* capture stderr */
#define SBT_IN 0x04       /* feed `input` on stdin (else stdin is left as it is) */
#define SBT_NATIVE 0x08   /* do not call sb_enter(): the same scenario, natively */
#define SBT_NO_ENTER 0x10 /* the scenario calls sb_enter() itself */

#define SBT_CAP (256 * 1024)

struct sbt_result {
	pid_t pid;
	int status; /* as from waitpid() */
	char out[SBT_CAP];
	size_t outlen;
	char err[SBT_CAP];
	size_t errlen;
};

typedef void (*sbt_fn)(void *arg);

/* Fork, set up and run fn(arg) in the child (see above); collect its output
 * and wait status into *r. Returns 0, or -1 if the child could not even be
 * started (the reason is printed). */
int sbt_run(sbt_fn fn, void *arg, const struct sb_policy *pol, unsigned flags, const char *input,
	    struct sbt_result *r);

/* "exited 3", "killed by SIGSEGV (11)", ... */
const char *sbt_status_str(int status);

/* print what the child wrote, for a failure message */
void sbt_dump(const struct sbt_result *r, const char *what);

/* the child's watchdog, in seconds (env SBT_TIMEOUT, default 600) */
unsigned sbt_timeout(void);

/* in a child: the check failed */
__attribute__((noreturn, format(printf, 3, 4))) void sbt_fail(const char *file, int line, const char *fmt, ...);

#define SBT_CHECK(cond)                                                                                    \
	do {                                                                                               \
		if (!(cond))                                                                               \
			sbt_fail(__FILE__, __LINE__, "check failed: %s (errno %d: %s)", #cond, errno,       \
				 strerror(errno));                                                          \
	} while (0)

/* a call that must fail with -1 and errno e */
#define SBT_CHECK_ERR(call, e)                                                                             \
	do {                                                                                               \
		long sbt_rc_;                                                                              \
		errno = 0;                                                                                 \
		sbt_rc_ = (long)(call);                                                                    \
		if (sbt_rc_ != -1 || errno != (e))                                                         \
			sbt_fail(__FILE__, __LINE__, "%s: returned %ld errno %d (%s), expected -1 errno %d (%s)", \
				 #call, sbt_rc_, errno, strerror(errno), (e), strerror(e));                 \
	} while (0)

/* parent side: the child exited with code / was killed by sig */
#define SBT_EXPECT_EXIT(r, code, what)                                                                     \
	do {                                                                                               \
		if (!WIFEXITED((r)->status) || WEXITSTATUS((r)->status) != (code)) {                       \
			sbt_dump((r), (what));                                                             \
			fail_msg("%s: child %s, expected exit %d", (what), sbt_status_str((r)->status), (code)); \
		}                                                                                          \
	} while (0)

#define SBT_EXPECT_SIGNAL(r, sig, what)                                                                    \
	do {                                                                                               \
		if (!WIFSIGNALED((r)->status) || WTERMSIG((r)->status) != (sig)) {                         \
			sbt_dump((r), (what));                                                             \
			fail_msg("%s: child %s, expected death by signal %d (%s)", (what),                  \
				 sbt_status_str((r)->status), (sig), strsignal(sig));                       \
		}                                                                                          \
	} while (0)

/* run and expect exit 0 */
#define SBT_RUN_OK(fn, arg, pol, flags, input, r, what)                                                    \
	do {                                                                                               \
		assert_int_equal(sbt_run((fn), (arg), (pol), (flags), (input), (r)), 0);                   \
		SBT_EXPECT_EXIT((r), 0, (what));                                                           \
	} while (0)

/* the first line of /proc/self/maps whose name contains needle: 0, or -1 */
int sbt_find_mapping(const char *needle, uintptr_t *lo, uintptr_t *hi);

/* a result buffer per test (large: keep it off the stack) */
struct sbt_result *sbt_result_new(void);
void sbt_result_free(struct sbt_result *r);

/* the result buffer the tests of a group share, made and freed by the
 * group's setup and teardown */
extern struct sbt_result *res;
int sbt_group_setup(void **state);
int sbt_group_teardown(void **state);

/* raw system call, no libc (no errno, no TLS): the monitor's own */
#include "../../libsandbox/src/monitor/raw.h"
#define sbt_sys6 sb_sys6

#endif
