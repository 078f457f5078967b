/* SPDX-License-Identifier: MIT */
/* bench/bench_core.c: what a system call, a fault and sb_enter() cost inside the sandbox, beside native.
 *
 * Interleaved rounds: each round runs every operation natively in a fresh
 * child, then inside the sandbox in another fresh child (sb_enter() is for
 * life, so each sandboxed batch gets its own process). Per-operation time is
 * measured inside the child with clock_gettime through the vDSO, which
 * costs no VM exit inside. The table gives medians over rounds of ns/op and
 * of the per-round ratio sandbox/native; machines here are shared and noisy,
 * so only the ratios of one run should be compared.
 *
 * A third child per round runs getpid under a 300-rule policy (300
 * conditional rules on getpid itself, none matching, so every call walks
 * all of them): the cost of the policy decision beside an allow-all policy.
 *
 * Then the memory an idle sandbox costs the host: N children enter and
 * wait; the drop in MemAvailable (and the growth of Slab, PageTables,
 * VmallocUsed) per child, minus the same for N idle native children.
 *
 * usage: bench_core [-r ROUNDS] [-n ITERS] [-m IDLE_N] [-j FILE.json]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sandbox.h>

enum op { OP_GETPID, OP_READ, OP_WRITE, OP_OPENCLOSE, OP_MMAP, OP_FAULT, OP_CLOCK, OP_ENTER, NOPS };
static const char *const op_name[NOPS] = {
	"getpid", "read 1 B (/dev/zero)", "write 1 B (/dev/null)", "open+close", "mmap+munmap 4 KiB",
	"page fault (first touch)", "clock_gettime (vDSO)", "sb_enter",
};

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* run op n times, return ns per op */
static double run_op(enum op op, long n)
{
	char c = 'x';
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double t0, t1;
	char *region = NULL;

	if (op == OP_FAULT) {
		region = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (region == MAP_FAILED)
			return -1;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		switch (op) {
		case OP_GETPID:
			syscall(SYS_getpid);
			break;
		case OP_READ:
			if (read(zero, &c, 1) != 1)
				return -1;
			break;
		case OP_WRITE:
			if (write(null, &c, 1) != 1)
				return -1;
			break;
		case OP_OPENCLOSE:
			close(open("/dev/null", O_RDONLY | O_CLOEXEC));
			break;
		case OP_MMAP: {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				return -1;
			munmap(p, 4096);
			break;
		}
		case OP_FAULT:
			region[i * 4096] = 1;
			break;
		case OP_CLOCK: {
			struct timespec t;

			clock_gettime(CLOCK_REALTIME, &t);
			break;
		}
		default:
			break;
		}
	}
	t1 = now_ns();
	close(zero);
	close(null);
	return (t1 - t0) / (double)n;
}

static struct sb_policy *big_policy(void)
{
	struct sb_policy *p = NULL;
	struct sb_rule r;

	if (sb_policy_new(SB_ACT_ALLOW, &p))
		return NULL;
	memset(&r, 0, sizeof r);
	r.nr = SYS_getpid;
	r.action = SB_ACT_ERRNO(EPERM);
	r.ncmp = 1;
	for (int i = 0; i < 300; i++) {
		r.cmp[0] = (struct sb_arg_cmp){ .arg = 0, .op = SB_CMP_EQ, .a = 1000u + (unsigned)i, .b = 0 };
		if (sb_policy_add_rule(p, &r)) {
			sb_policy_free(p);
			return NULL;
		}
	}
	return p;
}

/* One batch in a child: all ops, natively or sandboxed (sandboxed 2: with
 * the 300-rule policy, getpid only); results through a pipe. */
static int batch(int sandboxed, long n, double out[NOPS])
{
	int p[2];
	pid_t pid;
	int st, rc;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		double r[NOPS] = { 0 };

		close(p[0]);
		if (sandboxed) {
			struct sb_policy *pol = sandboxed == 2 ? big_policy() : NULL;
			double t0 = now_ns();
			int erc = sb_enter(pol);

			r[OP_ENTER] = now_ns() - t0;
			if (erc) {
				fprintf(stderr, "bench: sb_enter: %s: %s\n", strerror(-erc), sb_last_error());
				_exit(1);
			}
		}
		for (int op = 0; op < OP_ENTER; op++)
			if (sandboxed != 2 || op == OP_GETPID)
				r[op] = run_op((enum op)op, op == OP_OPENCLOSE || op == OP_MMAP || op == OP_FAULT ? n / 4 + 1 : n);
		if (write(p[1], r, sizeof r) != (ssize_t)sizeof r)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	rc = read(p[0], out, sizeof(double) * NOPS) == (ssize_t)(sizeof(double) * NOPS) ? 0 : -1;
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return rc;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = atol(line + strlen(key) + 1);
	if (f)
		fclose(f);
	return v;
}

/* kB per idle child: MemAvailable drop, and Slab+PageTables+VmallocUsed growth */
static int idle_cost(int sandboxed, int n, double *avail_kb, double *kernel_kb)
{
	pid_t *pids = calloc((size_t)n, sizeof *pids);
	int ready[2], go[2], rc = 0;
	long a0, k0, a1, k1;
	char c;

	if (!pids || pipe(ready) || pipe(go))
		return -1;
	a0 = meminfo("MemAvailable");
	k0 = meminfo("Slab") + meminfo("PageTables") + meminfo("VmallocUsed");
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(ready[0]);
			close(go[1]);
			if (sandboxed && sb_enter(NULL))
				_exit(1);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(2);
			_exit(0);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (int i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			rc = -1;
	a1 = meminfo("MemAvailable");
	k1 = meminfo("Slab") + meminfo("PageTables") + meminfo("VmallocUsed");
	close(go[1]);
	for (int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	close(ready[0]);
	free(pids);
	*avail_kb = (double)(a0 - a1) / n;
	*kernel_kb = (double)(k1 - k0) / n;
	return rc;
}

int main(int argc, char **argv)
{
	int rounds = 7, idle_n = 10, opt;
	long iters = 2000;
	const char *json = NULL;
	double nat[64][NOPS], box[64][NOPS], big[64][NOPS], col[64], rat[64];
	double a_box, k_box, a_nat, k_nat;
	FILE *j = NULL;

	while ((opt = getopt(argc, argv, "r:n:m:j:")) != -1) {
		switch (opt) {
		case 'r': rounds = atoi(optarg); break;
		case 'n': iters = atol(optarg); break;
		case 'm': idle_n = atoi(optarg); break;
		case 'j': json = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-n ITERS] [-m IDLE_N] [-j FILE.json]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64 || iters < 1 || idle_n < 1) {
		fprintf(stderr, "bench_core: rounds 1..64, iterations and idle count >= 1\n");
		return 2;
	}
	for (int r = 0; r < rounds; r++)
		if (batch(0, iters, nat[r]) || batch(1, iters, box[r]) || batch(2, iters, big[r])) {
			fprintf(stderr, "bench_core: a batch failed (round %d)\n", r);
			return 1;
		}
	if (json && !(j = fopen(json, "w"))) {
		perror(json);
		return 1;
	}
	printf("%d interleaved rounds, %ld iterations per op and round (medians)\n", rounds, iters);
	printf("%-28s %14s %14s %10s\n", "operation", "native ns", "sandbox ns", "ratio");
	if (j)
		fprintf(j, "{\"rounds\": %d, \"iterations\": %ld, \"ops\": [\n", rounds, iters);
	for (int op = 0; op < NOPS; op++) {
		double mn, mb, mr;

		for (int r = 0; r < rounds; r++)
			col[r] = nat[r][op];
		mn = median(col, rounds);
		for (int r = 0; r < rounds; r++)
			col[r] = box[r][op];
		mb = median(col, rounds);
		for (int r = 0; r < rounds; r++)
			rat[r] = nat[r][op] > 0 ? box[r][op] / nat[r][op] : 0;
		mr = median(rat, rounds);
		if (op == OP_ENTER)
			printf("%-28s %14s %14.0f %10s\n", op_name[op], "-", mb, "-");
		else
			printf("%-28s %14.0f %14.0f %9.1fx\n", op_name[op], mn, mb, mr);
		if (j)
			fprintf(j, "  {\"op\": \"%s\", \"native_ns\": %.1f, \"sandbox_ns\": %.1f, \"ratio\": %.2f}%s\n",
				op_name[op], op == OP_ENTER ? 0.0 : mn, mb, op == OP_ENTER ? 0.0 : mr,
				op + 1 < NOPS ? "," : "]");
	}
	{
		double mb;

		for (int r = 0; r < rounds; r++)
			col[r] = big[r][OP_GETPID];
		mb = median(col, rounds);
		for (int r = 0; r < rounds; r++)
			rat[r] = box[r][OP_GETPID] > 0 ? big[r][OP_GETPID] / box[r][OP_GETPID] : 0;
		printf("%-28s %14s %14.0f %9.2fx of allow-all\n", "getpid, 300-rule policy", "-", mb, median(rat, rounds));
		if (j)
			fprintf(j, ", \"getpid_300_rules_ns\": %.1f, \"getpid_300_rules_ratio_to_allow_all\": %.3f",
				mb, median(rat, rounds));
	}
	if (idle_cost(1, idle_n, &a_box, &k_box) || idle_cost(0, idle_n, &a_nat, &k_nat)) {
		fprintf(stderr, "bench_core: idle memory measurement failed\n");
		return 1;
	}
	printf("idle sandbox, host memory per sandbox (N=%d, minus an idle native process): "
	       "MemAvailable -%.0f KiB, kernel (Slab+PageTables+Vmalloc) +%.0f KiB\n",
	       idle_n, a_box - a_nat, k_box - k_nat);
	if (j) {
		fprintf(j, ", \"idle_memavailable_kib\": %.0f, \"idle_kernel_kib\": %.0f}\n", a_box - a_nat, k_box - k_nat);
		fclose(j);
	}
	return 0;
}
