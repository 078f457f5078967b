/* SPDX-License-Identifier: MIT */
/* bench/ptrace_seccomp.c: run a command with every system call stopping in a ptrace tracer
 * (a seccomp filter returning SECCOMP_RET_TRACE for every call, PTRACE_O_TRACESECCOMP, one
 * stop per call), which lets each one go on: the classic user-space interception.
 *
 * usage: ptrace_seccomp [--] CMD [ARGS...]
 * Follows fork, vfork, clone and exec (a traced call with no tracer would fail with ENOSYS).
 * Exits with CMD's status (128+N for a signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int st, i = 1, result = 125;
	pid_t pid, w;

	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: ptrace_seccomp [--] CMD [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRACE(0));

		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) || raise(SIGSTOP))
			_exit(125);
		if (!ctx || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || seccomp_load(ctx)) {
			fprintf(stderr, "ptrace_seccomp: cannot load the filter\n");
			_exit(125);
		}
		execvp(argv[i], argv + i);
		fprintf(stderr, "ptrace_seccomp: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 125;
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				  PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL)) {
		perror("ptrace_seccomp: ptrace");
		kill(pid, SIGKILL);
		return 125;
	}
	while ((w = waitpid(-1, &st, __WALL)) > 0) {
		int sig = 0;

		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == pid)
				result = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		/* seccomp, fork/clone/exec events and new tracees' first SIGSTOP: resume with no
		 * signal; a real signal is delivered */
		if (st >> 16 == 0 && WSTOPSIG(st) != SIGSTOP && WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
		ptrace(PTRACE_CONT, w, NULL, (void *)(long)sig);
	}
	return result;
}
