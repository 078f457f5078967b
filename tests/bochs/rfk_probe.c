/* SPDX-License-Identifier: MIT */
/* tests/bochs/rfk_probe.c: checks /dev/ringfence's control ioctls and the refusals of bad arguments,
 * then drives the module directly, without libsandbox: one VM with two vCPUs run at the same time by
 * two threads that move between CPUs before every run (VMCS clear/load on migration, two VMCSs on
 * one CPU), both faulting EPT pages in while a third thread keeps invalidating them (MMU notifier:
 * MADV_DONTNEED on pages they read, forks that write-protect the pages they write); vCPU ids; and
 * fork: the child gets EIO from the parent's VM and vCPU, makes a VM of its own on the inherited
 * /dev/ringfence fd and runs it on its copy of the memory, while the parent's memory and VM stay as
 * they were.
 * Prints one line per check; exit status: number of failed checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uapi/ringfence.h>

static int failed;

static void check(int ok, const char *what, long got)
{
	printf("rfk_probe: %-55s %s (%ld)\n", what, ok ? "ok" : "FAILED", got);
	fflush(stdout);
	__atomic_add_fetch(&failed, !ok, __ATOMIC_RELAXED);
}

/* ---- a tiny 64-bit guest at CPL0: guest-virtual [0, 4 MiB) is guest-physical GPA0 + the same
 * offset, which is the window onto mem; GVA 0xc0000000 is GPA 0xc0000000, in no window: a
 * store there is an MMIO exit (the "doorbell") */
#define GPA0 0x100000000ull
#define DB 0xc0000000ull
#define MEM_SIZE (4ul << 20)
#define PT_PML4 0x0000
#define PT_PDPT 0x1000
#define PT_PD 0x2000
#define PT_PD3 0x3000
#define CODE 0x4000
#define DATA(i) (0x100000ul + (unsigned long)(i) * 0x80000ul) /* vCPU i's pages */
#define SCRATCH 0x300000ul /* read by both, zapped by the host meanwhile */
#define NPAGES 64
#define ITER 100
#define RUNS 30

/* rcx rounds of: add 1 to the first word of each of rdi pages at rsi; add the first words of
 * r10 pages at r9 to rax. Then a store of rax to the doorbell. */
extern const unsigned char guest_code[], guest_code_end[];
__asm__(".pushsection .rodata\n"
	"guest_code:\n"
	"1:	mov %rsi, %rdx\n"
	"	mov %rdi, %r8\n"
	"2:	addq $1, (%rdx)\n"
	"	add $0x1000, %rdx\n"
	"	dec %r8\n"
	"	jnz 2b\n"
	"	mov %r9, %rdx\n"
	"	mov %r10, %r8\n"
	"3:	add (%rdx), %rax\n"
	"	add $0x1000, %rdx\n"
	"	dec %r8\n"
	"	jnz 3b\n"
	"	dec %rcx\n"
	"	jnz 1b\n"
	"	mov $0xc0000000, %ebx\n"
	"	mov %rax, (%rbx)\n"
	"	hlt\n"
	"guest_code_end:\n"
	".popsection\n");

static uint8_t *mem;
static int ncpus;
static volatile int stop_zapping;

static void guest_memory(void)
{
	uint64_t *pml4 = (uint64_t *)(mem + PT_PML4), *pdpt = (uint64_t *)(mem + PT_PDPT);
	uint64_t *pd = (uint64_t *)(mem + PT_PD), *pd3 = (uint64_t *)(mem + PT_PD3);

	pml4[0] = (GPA0 + PT_PDPT) | 3;
	pdpt[0] = (GPA0 + PT_PD) | 3;
	pdpt[3] = (GPA0 + PT_PD3) | 3;
	pd[0] = GPA0 | 0x83; /* 2 MiB pages, present, writable */
	pd[1] = (GPA0 + 0x200000) | 0x83;
	pd3[0] = DB | 0x83;
	memcpy(mem + CODE, guest_code, (size_t)(guest_code_end - guest_code));
}

static int set_window(int vm)
{
	struct rfk_memory_window w = { .size = sizeof w, .slot = 0, .gpa = GPA0, .hva = (uint64_t)mem, .len = MEM_SIZE };

	return ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
}

static void seg(struct rfk_segment *g, uint64_t sel, uint64_t attrib)
{
	g->base = 0;
	g->limit = 0xffffffff;
	g->selector = sel;
	g->attrib = attrib;
}

static int vcpu_init(int vcpu)
{
	struct rfk_sregs s;

	memset(&s, 0, sizeof s);
	s.size = sizeof s;
	seg(&s.cs, 8, 0xa09b); /* 64-bit code, DPL0 */
	seg(&s.ss, 0x10, 0xc093);
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.tr.base = 0x7000;
	s.tr.limit = 0x67;
	s.tr.selector = 0x18;
	s.tr.attrib = 0x8b;
	s.ldt.attrib = 0x10000;
	s.gdt_base = 0x5000;
	s.gdt_limit = 0xff;
	s.idt_base = 0x6000;
	s.idt_limit = 0xfff;
	s.cr0 = 0x80050033;
	s.cr3 = GPA0 + PT_PML4;
	s.cr4 = 0x620; /* PAE OSFXSR OSXMMEXCPT */
	s.efer = 0x500; /* LME LMA */
	s.xcr0 = 3;
	return ioctl(vcpu, RFK_SET_SREGS, &s);
}

/* One run of the guest on vCPU fd vcpu over its pages at data: 0 if it ended with the doorbell
 * store, having read only zeroes from the scratch pages. */
static int run_once(int vcpu, struct kvm_run *run, unsigned long data)
{
	struct rfk_regs r;
	int rc;

	memset(&r, 0, sizeof r);
	r.size = sizeof r;
	r.rip = CODE;
	r.rsp = 0x8000;
	r.rflags = 2;
	r.rsi = data;
	r.rdi = NPAGES;
	r.rcx = ITER;
	r.r9 = SCRATCH;
	r.r10 = NPAGES;
	if (ioctl(vcpu, RFK_SET_REGS, &r))
		return -errno;
	do
		rc = ioctl(vcpu, RFK_RUN, 0);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != DB || !run->mmio.is_write)
		return 1000 + (int)run->exit_reason;
	return run->s.regs.regs.rax == 0 && run->s.regs.regs.rip == CODE + (uint64_t)(guest_code_end - guest_code) - 4 ? 0 : 2000;
}

/* every first word of vCPU i's pages */
static int data_is(int i, uint64_t want)
{
	for (int p = 0; p < NPAGES; p++)
		if (*(uint64_t *)(mem + DATA(i) + (unsigned long)p * 4096) != want)
			return 0;
	return 1;
}

struct worker {
	int idx, vcpu, bad;
	struct kvm_run *run;
	long moves;
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof set, &set);
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	int last = -1;

	for (int i = 0; i < RUNS; i++) {
		/* another CPU before every run; every third run both on CPU 0 */
		int cpu = i % 3 == 2 ? 0 : (i + w->idx) % ncpus, rc;

		pin(cpu);
		rc = run_once(w->vcpu, w->run, DATA(w->idx));
		if (rc) {
			printf("rfk_probe: vCPU %d run %d: %d\n", w->idx, i, rc);
			w->bad++;
		}
		if (last >= 0 && sched_getcpu() != last)
			w->moves++;
		last = sched_getcpu();
	}
	return NULL;
}

static long forks;

static void *zapper(void *arg)
{
	long *n = arg;

	while (!stop_zapping) {
		struct timespec pause = { 0, 4000000 };

		/* MADV_DONTNEED on pages the guests read: the MMU notifier zaps their EPT
		 * entries and flushes every CPU while the vCPUs fault them back in */
		madvise(mem + SCRATCH, NPAGES * 4096ul, MADV_DONTNEED);
		(*n)++;
		/* every other time a fork: it write-protects the pages the vCPUs are
		 * writing (copy on write); a write that still reached the old page after
		 * that would be lost from the counts */
		if (*n % 2 == 0) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid > 0 && waitpid(pid, NULL, 0) == pid)
				forks++;
		}
		/* a pause: zapping without one starves the faults of those pages
		 * (each retries while an invalidation of its address runs), as on KVM */
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void two_vcpus_and_fork(int dev)
{
	struct worker w[2];
	pthread_t th[2], zt;
	long zaps = 0, n;
	int vm, i, st, extra;
	pid_t pid;

	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1)
		ncpus = 1;
	printf("rfk_probe: %d CPU(s) online\n", ncpus);
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_MAX_VCPUS);
	check(n == 256, "RFK_CHECK_EXTENSION(MAX_VCPUS) is 256", n);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		check(0, "mmap of the guest's memory", -errno);
		return;
	}
	guest_memory();
	vm = ioctl(dev, RFK_CREATE_VM, 0);
	check(vm >= 0, "RFK_CREATE_VM (two vCPUs)", vm < 0 ? -errno : vm);
	if (vm < 0)
		return;
	n = set_window(vm);
	check(n == 0, "its window", n < 0 ? -errno : n);

	/* vCPU ids */
	n = ioctl(vm, RFK_CREATE_VCPU, 256);
	check(n < 0 && errno == EINVAL, "RFK_CREATE_VCPU(256): EINVAL", n < 0 ? -errno : n);
	n = ioctl(vm, RFK_CREATE_VCPU, 255);
	check(n >= 0, "RFK_CREATE_VCPU(255)", n < 0 ? -errno : n);
	extra = (int)n;
	n = ioctl(vm, RFK_CREATE_VCPU, 255);
	check(n < 0 && errno == EEXIST, "RFK_CREATE_VCPU(255) again: EEXIST", n < 0 ? -errno : n);
	if (extra >= 0)
		close(extra);
	n = ioctl(vm, RFK_CREATE_VCPU, 255);
	check(n >= 0, "RFK_CREATE_VCPU(255) after its fd was closed", n < 0 ? -errno : n);
	if (n >= 0)
		close((int)n);

	for (i = 0; i < 2; i++) {
		w[i].idx = i;
		w[i].bad = 0;
		w[i].moves = 0;
		w[i].vcpu = ioctl(vm, RFK_CREATE_VCPU, i);
		check(w[i].vcpu >= 0, i ? "RFK_CREATE_VCPU(1)" : "RFK_CREATE_VCPU(0)", w[i].vcpu < 0 ? -errno : w[i].vcpu);
		if (w[i].vcpu < 0)
			return;
		w[i].run = mmap(NULL, RFK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, w[i].vcpu, 0);
		n = vcpu_init(w[i].vcpu);
		check(w[i].run != MAP_FAILED && n == 0, "its run area and guest state", n < 0 ? -errno : n);
		if (w[i].run == MAP_FAILED || n)
			return;
	}
	/* one run first (both vCPUs, one thread): the guest itself works */
	n = run_once(w[0].vcpu, w[0].run, DATA(0));
	check(n == 0 && data_is(0, ITER), "a run of vCPU 0: counted, doorbell exit", n);
	if (n)
		return;
	memset(mem + DATA(0), 0, NPAGES * 4096ul);

	stop_zapping = 0;
	pthread_create(&zt, NULL, zapper, &zaps);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker, &w[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	stop_zapping = 1;
	pthread_join(zt, NULL);
	printf("rfk_probe: %d runs per vCPU; CPU changes %ld and %ld; %ld zaps, %ld forks meanwhile\n", RUNS,
	       w[0].moves, w[1].moves, zaps, forks);
	check(!w[0].bad && !w[1].bad, "two threads, two vCPUs, moving CPUs: every run ok", w[0].bad + w[1].bad);
	check(data_is(0, RUNS * ITER) && data_is(1, RUNS * ITER), "each vCPU's counts exact (one EPT, shared)",
	      (long)*(uint64_t *)(mem + DATA(1)));
	check(ncpus < 2 || (w[0].moves > 0 && w[1].moves > 0), "the threads did change CPUs", w[0].moves + w[1].moves);
	check(zaps > 1 && forks > 0, "invalidations (zaps, forks) while they ran", zaps);

	/* fork: the child's own VM over its own copy of the memory */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rfk_memory_window win = { .size = sizeof win, .slot = 1, .gpa = 0x200000000ull,
						 .hva = (uint64_t)mem, .len = 4096 };
		struct kvm_run *run;
		int cvm, cv;

		failed = 0;
		n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &win);
		check(n < 0 && errno == EIO, "child: the parent's VM fd: EIO", n < 0 ? -errno : n);
		n = ioctl(vm, RFK_CREATE_VCPU, 7);
		check(n < 0 && errno == EIO, "child: RFK_CREATE_VCPU on it: EIO", n < 0 ? -errno : n);
		n = ioctl(w[0].vcpu, RFK_RUN, 0);
		check(n < 0 && errno == EIO, "child: RFK_RUN of the parent's vCPU: EIO", n < 0 ? -errno : n);
		cvm = ioctl(dev, RFK_CREATE_VM, 0);
		check(cvm >= 0, "child: RFK_CREATE_VM on the inherited device fd", cvm < 0 ? -errno : cvm);
		if (cvm < 0)
			_exit(failed);
		n = set_window(cvm);
		cv = ioctl(cvm, RFK_CREATE_VCPU, 0);
		run = cv >= 0 ? mmap(NULL, RFK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, cv, 0) : MAP_FAILED;
		check(n == 0 && cv >= 0 && run != MAP_FAILED && vcpu_init(cv) == 0, "child: window, vCPU 0, state", n);
		if (run == MAP_FAILED)
			_exit(failed);
		n = run_once(cv, run, DATA(0));
		check(n == 0 && data_is(0, RUNS * ITER + ITER), "child: a run counts on its copy of the memory", n);
		_exit(failed);
	}
	check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the fork child's checks", pid > 0 ? st : -errno);
	check(data_is(0, RUNS * ITER), "parent: its memory unchanged by the child", 0);
	/* the fork write-protected the parent's pages (copy on write): the notifier zapped
	 * their EPT entries, the next run breaks the sharing on the host and counts here */
	n = run_once(w[0].vcpu, w[0].run, DATA(0));
	check(n == 0 && data_is(0, RUNS * ITER + ITER), "parent: its vCPU runs on after the fork", n);
	close(w[0].vcpu);
	close(w[1].vcpu);
	close(vm);
}

int main(void)
{
	int dev = open("/dev/ringfence", O_RDWR | O_CLOEXEC), vm, vcpu;
	struct rfk_memory_window w;
	struct rfk_sregs s;
	long n;
	void *run;

	check(dev >= 0, "open /dev/ringfence", dev < 0 ? -errno : dev);
	if (dev < 0)
		return 1;
	n = ioctl(dev, RFK_GET_API_VERSION, 0);
	check(n == RFK_API_VERSION, "RFK_GET_API_VERSION", n);
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_RUN_SIZE);
	check(n == RFK_RUN_SIZE, "RFK_CHECK_EXTENSION(RUN_SIZE)", n);
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_GPA_BITS);
	check(n >= 36 && n <= 48, "RFK_CHECK_EXTENSION(GPA_BITS)", n);
	n = ioctl(dev, RFK_CHECK_EXTENSION, 9999);
	check(n == 0, "RFK_CHECK_EXTENSION(unknown) is 0", n);
	n = ioctl(dev, RFK_CREATE_VM, 1);
	check(n < 0 && errno == EINVAL, "RFK_CREATE_VM with flags: EINVAL", n < 0 ? -errno : n);
	vm = ioctl(dev, RFK_CREATE_VM, 0);
	check(vm >= 0, "RFK_CREATE_VM", vm < 0 ? -errno : vm);
	if (vm < 0)
		return failed;
	memset(&w, 0, sizeof w);
	w.size = sizeof w;
	w.slot = 0;
	w.gpa = 0x100000000ull;
	w.hva = 0x10000;
	w.len = 0x1000;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n == 0, "RFK_SET_MEMORY_WINDOW", n < 0 ? -errno : n);
	w.slot = 1;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EEXIST, "overlapping window: EEXIST", n < 0 ? -errno : n);
	w.slot = 1;
	w.gpa = 0x200000000ull;
	w.hva = 0xffff880000000000ull;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EINVAL, "window onto kernel addresses: EINVAL", n < 0 ? -errno : n);
	w.hva = 0x10001;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EINVAL, "unaligned window: EINVAL", n < 0 ? -errno : n);
	w.hva = 0x10000;
	w.slot = 1u << 20;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EINVAL, "slot out of range: EINVAL", n < 0 ? -errno : n);
	vcpu = ioctl(vm, RFK_CREATE_VCPU, 0);
	check(vcpu >= 0, "RFK_CREATE_VCPU", vcpu < 0 ? -errno : vcpu);
	if (vcpu < 0)
		return failed;
	run = mmap(NULL, RFK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	check(run != MAP_FAILED, "mmap of the run area", run == MAP_FAILED ? -errno : 0);
	n = (long)mmap(NULL, 2 * RFK_RUN_SIZE, PROT_READ, MAP_SHARED, vcpu, 0);
	check(n == -1 && errno == EINVAL, "mmap of two pages: EINVAL", n == -1 ? -errno : 0);
	memset(&s, 0, sizeof s);
	n = ioctl(vcpu, RFK_GET_SREGS, &s);
	check(n == 0 && s.size == sizeof s, "RFK_GET_SREGS", n < 0 ? -errno : n);
	s.cr4 = 0; /* no PAE */
	n = ioctl(vcpu, RFK_SET_SREGS, &s);
	check(n < 0 && errno == EINVAL, "RFK_SET_SREGS without CR4.PAE: EINVAL", n < 0 ? -errno : n);
	n = ioctl(vcpu, RFK_RUN, 0);
	check(n == 0 && ((struct { unsigned char pad[8]; unsigned int reason; } *)run)->reason == 9,
	      "RFK_RUN of an unset vCPU: KVM_EXIT_FAIL_ENTRY", n < 0 ? -errno : n);
	close(vcpu);
	close(vm);
	two_vcpus_and_fork(dev);
	close(dev);
	printf("rfk_probe: %d failed\n", failed);
	return failed;
}
