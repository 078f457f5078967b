/* SPDX-License-Identifier: MIT */
/* tests/launcher/probe.c: a program run under `ringfence run` and natively by tests/launcher/run-programs.sh.
 *
 *   probe auxv     the auxiliary vector and initial stack, as facts that
 *                  must print the same natively and inside
 *   probe brk      grow, use and shrink the program break
 *   probe fds      the fds below 100 the program starts with
 *   probe float    the initial FPU/SSE state (control words) and some math
 *   probe launcher (hostile) try to read, write, unmap, remap and protect
 *                  the launcher's own memory, directly and through calls;
 *                  prints one line per attempt, exit 0 if all were refused
 *   probe touch-launcher  (hostile) load a byte of the launcher's code:
 *                  must die of SIGSEGV
 *   probe ring0    under `ringfence run --ring0`: print the CPL and read
 *                  CR0 (privileged: SIGSEGV at CPL3)
 *   probe ring0-exec  execute itself as `probe ring0` (the mode carries over)
 * Built as a PIE (the default) and as a static binary (probe-static).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fenv.h>
#include <fcntl.h>
#include <link.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

extern char _start[];

static int do_auxv(char **argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	uint16_t fcw = 0;
	uint32_t mxcsr = 0;
	int rnd_nonzero = 0;

	for (int i = 0; rnd && i < 16; i++)
		rnd_nonzero |= rnd[i];
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	printf("pagesz=%lu phent=%lu phnum_ok=%d\n", getauxval(AT_PAGESZ), getauxval(AT_PHENT),
	       getauxval(AT_PHNUM) > 0);
	printf("execfn_is_argv0=%d platform=%s\n", execfn && !strcmp(execfn, argv[0]), plat ? plat : "(none)");
	printf("entry_is_start=%d phdr_set=%d\n", getauxval(AT_ENTRY) == (unsigned long)_start, getauxval(AT_PHDR) != 0);
	printf("random_set=%d vdso_set=%d\n", rnd_nonzero, getauxval(AT_SYSINFO_EHDR) != 0);
	printf("ids_match=%d secure=%lu clktck=%lu\n",
	       getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() && getauxval(AT_GID) == getgid() &&
		       getauxval(AT_EGID) == getegid(),
	       getauxval(AT_SECURE), getauxval(AT_CLKTCK));
	printf("hwcap_set=%d minsigstksz_set=%d\n", getauxval(AT_HWCAP) != 0, getauxval(AT_MINSIGSTKSZ) != 0);
	printf("fcw=%#x mxcsr=%#x\n", fcw, mxcsr & 0xffc0);
	printf("stack_aligned=%d\n", ((uintptr_t)__builtin_frame_address(0) & 7) == 0);
	return 0;
}

static int do_brk(void)
{
	char *a = sbrk(0), *b;
	size_t n = 4u << 20;

	if (a == (void *)-1 || sbrk((intptr_t)n) != a) {
		printf("brk: cannot grow: %s\n", strerror(errno));
		return 1;
	}
	b = sbrk(0);
	memset(a, 0x5a, n);
	for (size_t i = 0; i < n; i += 4096)
		if (a[i] != 0x5a) {
			printf("brk: bad memory\n");
			return 1;
		}
	if (sbrk(-(intptr_t)n) == (void *)-1 || sbrk(0) != a) {
		printf("brk: cannot shrink\n");
		return 1;
	}
	printf("brk: grew by %zu, used, shrank back: %s\n", (size_t)(b - a), "ok");
	/* and malloc on top of it */
	for (int i = 0; i < 1000; i++) {
		char *p = malloc(1000 + i * 37);

		if (!p)
			return 1;
		memset(p, i, 1000);
		free(p);
	}
	printf("malloc: ok\n");
	return 0;
}

static int do_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int seen[100] = { 0 };

	if (!d) {
		perror("opendir");
		return 1;
	}
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd < 100 && fd != dirfd(d))
			seen[fd] = 1;
	}
	closedir(d);
	printf("fds:");
	for (int i = 0; i < 100; i++)
		if (seen[i])
			printf(" %d", i);
	printf("\n");
	return 0;
}

static int do_float(void)
{
	volatile double x = 2.0;

	printf("sqrt=%.12f exp=%.12f round=%d\n", sqrt(x), exp(x), fegetround() == FE_TONEAREST);
	return 0;
}

/* the launcher: a mapping of the ringfence executable, found in /proc/self/maps */
static uint64_t launcher_addr(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t lo = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long a, b;
		char perms[8];

		if (strstr(line, "/ringfence") && sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3 && perms[0] == 'r') {
			lo = a;
			break;
		}
	}
	fclose(f);
	return lo;
}

static int refused(const char *what, long rc, int want_errno)
{
	int ok = rc < 0 && errno == want_errno;

	printf("%-40s %s (%s)\n", what, ok ? "refused" : "NOT REFUSED", rc < 0 ? strerror(errno) : "succeeded");
	return ok ? 0 : 1;
}

static int do_launcher(void)
{
	uint64_t a = launcher_addr();
	int p[2], bad = 0;
	char buf[64];
	struct iovec l = { buf, 16 }, r;

	if (!a) {
		printf("no launcher mapping (not inside ringfence)\n");
		return 2;
	}
	r.iov_base = (void *)a;
	r.iov_len = 16;
	if (pipe(p))
		return 1;
	bad |= refused("write(pipe, launcher memory)", write(p[1], (void *)a, 16), EFAULT);
	(void)write(p[1], "0123456789abcdef", 16);
	bad |= refused("read(pipe, into launcher memory)", read(p[0], (void *)a, 16), EFAULT);
	bad |= refused("munmap(launcher)", munmap((void *)a, 4096), EPERM);
	bad |= refused("mprotect(launcher, rw)", mprotect((void *)a, 4096, PROT_READ | PROT_WRITE), EPERM);
	bad |= refused("madvise(launcher, DONTNEED)", madvise((void *)a, 4096, MADV_DONTNEED), EPERM);
	bad |= refused("mmap(MAP_FIXED over launcher)",
		       mmap((void *)a, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1
														      : 0,
		       EPERM);
	bad |= refused("mremap(launcher)", mremap((void *)a, 4096, 8192, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0, EPERM);
	bad |= refused("process_vm_readv(self, launcher)", process_vm_readv(getpid(), &l, 1, &r, 1, 0), EPERM);
	printf("launcher memory: %s\n", bad ? "REACHABLE" : "out of reach");
	return bad;
}

static int do_touch_launcher(void)
{
	uint64_t a = launcher_addr();

	if (!a) {
		printf("no launcher mapping (not inside ringfence)\n");
		return 2;
	}
	printf("loading from the launcher's code at %#lx\n", (unsigned long)a);
	fflush(stdout);
	printf("read %d: NOT REFUSED\n", *(volatile unsigned char *)a);
	return 1;
}

static int do_ring0(void)
{
	uint16_t cs;
	uint64_t cr0;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	printf("cpl=%u\n", cs & 3);
	fflush(stdout);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	printf("cr0_pg=%d\n", !!(cr0 & 0x80000000ull));
	return 0;
}

static int do_ring0_exec(char **argv)
{
	char *const args[] = { argv[0], (char *)"ring0", NULL };

	execv(argv[0], args);
	perror("execv");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: probe auxv|brk|fds|float|launcher|touch-launcher|ring0|ring0-exec\n");
		return 2;
	}
	if (!strcmp(argv[1], "auxv"))
		return do_auxv(argv);
	if (!strcmp(argv[1], "brk"))
		return do_brk();
	if (!strcmp(argv[1], "fds"))
		return do_fds();
	if (!strcmp(argv[1], "float"))
		return do_float();
	if (!strcmp(argv[1], "launcher"))
		return do_launcher();
	if (!strcmp(argv[1], "touch-launcher"))
		return do_touch_launcher();
	if (!strcmp(argv[1], "ring0"))
		return do_ring0();
	if (!strcmp(argv[1], "ring0-exec"))
		return do_ring0_exec(argv);
	fprintf(stderr, "probe: unknown mode %s\n", argv[1]);
	return 2;
}
