/* SPDX-License-Identifier: MIT */
/* bench/bench_idle.c: what an idle sandbox costs the host, and how many fit.
 *
 * Memory: start N idle sandboxes, wait until all are ready, then print per sandbox the sum
 * of their processes' PSS (/proc/PID/smaps_rollup, every process descending from them)
 * and the growth of the kernel's Slab, PageTables and VmallocUsed and the drop of
 * MemAvailable (/proc/meminfo), and the creation rate. A sandbox is either built in (-s:
 * a child that calls sb_enter() (allow-all) and blocks; -S: the same child without
 * sb_enter, the native baseline) or a command (each in its own process group; %i in an
 * argument becomes the sandbox's index). A command is ready once a process of its group
 * sleeps in nanosleep or clock_nanosleep (-w: run `sleep` in the sandbox; this holds for
 * `ringfence run -- sleep` too, whose monitor makes the call for it); for a sandbox whose
 * program is no host process (gVisor), -d SECONDS of settling instead.
 *
 * Density (-D, with -s): create sandboxes one after the other until sb_enter fails, until
 * MemAvailable falls under FLOOR MiB (-f, default 24), until LIMIT sandboxes (-N) or until
 * -t SECONDS have passed; print how many, why it stopped, and the creation rate.
 *
 * usage: bench_idle -s|-S [-N N] [-D [-f FLOOR_MIB] [-t SECONDS]]
 *        bench_idle [-N N] (-w | -d SECONDS) -- CMD [ARGS...]
 * Output (one line): idle N=.. pss_kib=.. slab_kib=.. pt_kib=.. vmalloc_kib=.. avail_kib=.. rate=.. anonhuge_kib=..
 * (anonhuge_kib: the part of the processes' memory in transparent huge pages, per sandbox)
 *                    density count=.. stop=.. seconds=.. rate=.. avail_start_kib=.. avail_end_kib=..
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sandbox.h>

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;
	size_t k = strlen(key);

	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, k) && line[k] == ':')
			v = atol(line + k + 1);
	if (f)
		fclose(f);
	return v;
}

struct snap {
	long avail, slab, pt, vmalloc;
};

static void snapshot(struct snap *s)
{
	s->avail = meminfo("MemAvailable");
	s->slab = meminfo("Slab");
	s->pt = meminfo("PageTables");
	s->vmalloc = meminfo("VmallocUsed");
}

static int in_set(pid_t x, const pid_t *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == x)
			return 1;
	return 0;
}

struct proc {
	int pid, ppid, asleep;
};

/* every process on the host: pid, parent, and (if comm) whether it sleeps in nanosleep (35)
 * or clock_nanosleep (230) */
static int list_procs(struct proc *ps, int max, const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max) {
		char path[300], buf[512], *p;
		FILE *f;
		int pid = atoi(e->d_name), ppid = 0;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		p = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
			continue;
		ps[n] = (struct proc){ pid, ppid, 0 };
		if (comm) {
			snprintf(path, sizeof path, "/proc/%d/syscall", pid);
			if ((f = fopen(path, "r"))) {
				int nr = -1;

				if (fscanf(f, "%d", &nr) == 1 && (nr == 35 || nr == 230))
					ps[n].asleep = 1;
				fclose(f);
			}
		}
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* the processes descending from (or being) one of top[0..n): this program is a child
 * subreaper, so daemonizing sandboxes stay below it. Count those asleep (if comm), sum PSS,
 * and with kill_them send each SIGKILL. */
static long anon_huge;	/* AnonHugePages of the last scan, KiB */

static long scan(const pid_t *top, int n, const char *comm, int *named, int kill_them)
{
	static struct proc ps[65536];
	int np = list_procs(ps, 65536, comm);
	long pss = 0;

	anon_huge = 0;

	*named = 0;
	for (int i = 0; i < np; i++) {
		int cur = ps[i].pid, depth = 0, mine = 0;

		while (cur > 1 && depth++ < 64 && !(mine = in_set(cur, top, n))) {
			int k;

			for (k = 0; k < np && ps[k].pid != cur; k++)
				;
			cur = k < np ? ps[k].ppid : 0;
		}
		if (!mine)
			continue;
		if (ps[i].asleep)
			(*named)++;
		if (kill_them) {
			kill(ps[i].pid, SIGKILL);
		} else {
			char path[64], buf[256];
			FILE *f;

			snprintf(path, sizeof path, "/proc/%d/smaps_rollup", ps[i].pid);
			if ((f = fopen(path, "r"))) {
				while (fgets(buf, sizeof buf, f))
					if (!strncmp(buf, "Pss:", 4))
						pss += atol(buf + 4);
					else if (!strncmp(buf, "AnonHugePages:", 14))
						anon_huge += atol(buf + 14);
				fclose(f);
			}
		}
	}
	return pss;
}

static void usage(void)
{
	fputs("usage: bench_idle -s|-S [-N N] [-D [-f FLOOR_MIB] [-t SECONDS]]\n"
	      "       bench_idle [-N N] (-w | -d SECONDS) -- CMD [ARGS...]\n", stderr);
	exit(2);
}

/* a built-in idle child: sb_enter (if enter), say ready on fd w, block on fd r until EOF */
static pid_t idle_child(int enter, int r, int w, int closefd)
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		close(closefd);
		setpgid(0, 0);
		if (enter && sb_enter(NULL)) {
			c = 'F';
			if (write(w, &c, 1) < 0)
				_exit(3);
			_exit(1);
		}
		c = 'R';
		if (write(w, &c, 1) != 1)
			_exit(2);
		while (read(r, &c, 1) > 0)
			;
		_exit(0);
	}
	return pid;
}

int main(int argc, char **argv)
{
	int n = 10, builtin = -1, density = 0, opt, named, ready[2], go[2];
	double settle = 0, limit_s = 60, t0, t1;
	long floor_kib = 24 * 1024;
	const char *comm = NULL;
	struct snap a, b;
	pid_t *pids;
	long pss;

	while ((opt = getopt(argc, argv, "+sSN:Df:t:wd:")) != -1) {
		switch (opt) {
		case 's': builtin = 1; break;
		case 'S': builtin = 0; break;
		case 'N': n = atoi(optarg); break;
		case 'D': density = 1; break;
		case 'f': floor_kib = atol(optarg) * 1024; break;
		case 't': limit_s = atof(optarg); break;
		case 'w': comm = "sleep"; break;
		case 'd': settle = atof(optarg); break;
		default: usage();
		}
	}
	if (n < 1 || (builtin < 0 && (optind >= argc || (!comm && settle <= 0))) || (density && builtin != 1))
		usage();
	pids = calloc((size_t)n, sizeof *pids);
	if (!pids || pipe(ready) || pipe(go))
		return 2;
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	if (density) {
		int count = 0;
		const char *stop = "count_limit";
		char c;

		snapshot(&a);
		t0 = now_s();
		while (count < n) {
			pid_t p = idle_child(1, go[0], ready[1], go[1]);

			if (p < 0) {
				stop = "fork_failed";
				break;
			}
			if (read(ready[0], &c, 1) != 1 || c != 'R') {
				stop = "sb_enter_failed";
				break;
			}
			count++;
			if (meminfo("MemAvailable") < floor_kib) {
				stop = "memory_floor";
				break;
			}
			if (now_s() - t0 > limit_s) {
				stop = "time_limit";
				break;
			}
		}
		t1 = now_s();
		snapshot(&b);
		printf("density count=%d stop=%s seconds=%.3f rate=%.2f avail_start_kib=%ld avail_end_kib=%ld\n", count,
		       stop, t1 - t0, count / (t1 - t0), a.avail, b.avail);
		fflush(stdout);
		close(go[1]);	/* the children see EOF and exit */
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
		return 0;
	}

	snapshot(&a);
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		if (builtin >= 0) {
			pids[i] = idle_child(builtin, go[0], ready[1], go[1]);
			setpgid(pids[i], pids[i]);
			continue;
		}
		pids[i] = fork();
		if (pids[i] == 0) {
			char **args = calloc((size_t)(argc - optind + 1), sizeof *args);
			char idx[16];

			setpgid(0, 0);
			snprintf(idx, sizeof idx, "%d", i);
			for (int k = optind; k < argc; k++) {
				char *s = strstr(argv[k], "%i");

				if (s) {
					char *x = malloc(strlen(argv[k]) + 16);

					sprintf(x, "%.*s%s%s", (int)(s - argv[k]), argv[k], idx, s + 2);
					args[k - optind] = x;
				} else {
					args[k - optind] = argv[k];
				}
			}
			execvp(args[0], args);
			_exit(127);
		}
		setpgid(pids[i], pids[i]);
	}
	if (builtin >= 0) {
		char c;

		for (int i = 0; i < n; i++)
			if (read(ready[0], &c, 1) != 1 || c != 'R') {
				fprintf(stderr, "bench_idle: a sandbox failed to start\n");
				close(go[1]);
				return 1;
			}
	} else if (comm) {
		do {
			scan(pids, n, comm, &named, 0);
			if (named >= n)
				break;
			usleep(20000);
		} while (now_s() - t0 < 300);
		if (named < n) {
			fprintf(stderr, "bench_idle: only %d of %d sandboxes became ready\n", named, n);
			scan(pids, n, NULL, &named, 1);
			return 1;
		}
	} else {
		usleep((useconds_t)(settle * 1e6));
	}
	t1 = now_s();
	usleep(200000);	/* let deferred frees and RCU settle */
	pss = scan(pids, n, NULL, &named, 0);
	snapshot(&b);
	printf("idle N=%d pss_kib=%.1f slab_kib=%.1f pt_kib=%.1f vmalloc_kib=%.1f avail_kib=%.1f rate=%.2f "
	       "anonhuge_kib=%.1f\n", n, (double)pss / n, (double)(b.slab - a.slab) / n, (double)(b.pt - a.pt) / n,
	       (double)(b.vmalloc - a.vmalloc) / n, (double)(a.avail - b.avail) / n, n / (t1 - t0),
	       (double)anon_huge / n);
	fflush(stdout);
	close(go[1]);
	scan(pids, n, NULL, &named, 1);
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
	return 0;
}
