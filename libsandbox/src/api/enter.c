/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/enter.c: sb_enter(): build the VM around the running process and hand the thread to the monitor.
 *
 * Runs on the caller's stack, before the move, and may use libc. Every step
 * that can fail comes before the first one that changes the process
 * (signal dispositions, rseq, the stack switch); a failure undoes what was
 * built (fds, vault) and returns a negative errno with the process as it was.
 *
 * State before: one thread, running natively. After: the same thread runs
 * the monitor on the vault stack; the process runs in guest user mode at
 * sb_enter()'s return address with rax = 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "../backend/backend.h"
#include "../backend/entry_state.h"
#include "../guest/cpu_x86_64.h"
#include "../guest/pgtable.h"
#include "../monitor/tasks.h"
#include "../monitor/maps.h"
#include "../monitor/mirror.h"
#include "../monitor/monitor.h"
#include "../policy/policy.h"
#include "api.h"
#include "launch.h"
#include "procbroker.h"
#include "landlock.h"
#include "wall.h"
#include "../policy/compiled.h"
#include "ring0.h"

#define SA_RESTORER_K 0x04000000ul
#define RSEQ_SIG_X86 0x53053053u

int sb_enter_impl(const struct sb_policy *pol, const struct sb_entry_regs *regs, const uint8_t *xsave);
static int enter_common(const struct sb_policy *pol, const struct sb_entry_regs *regs, const uint8_t *xsave,
			const struct sb_launch *l);
__attribute__((noreturn)) void sb_switch_to_monitor(struct sb_mon *m, uint64_t stack_top);

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int pick_backend(const struct sb_backend **out)
{
	const char *b = getenv("RINGFENCE_BACKEND");

	if (!b || !*b || !strcmp(b, "auto")) {
		/* the VT-x module when it is loaded and usable by us, else /dev/kvm */
		int fd = open("/dev/ringfence", O_RDWR | O_CLOEXEC);

		*out = fd >= 0 ? &sb_backend_kmod : &sb_backend_kvm;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (!strcmp(b, "kvm")) {
		*out = &sb_backend_kvm;
		return 0;
	}
	if (!strcmp(b, "kmod")) {
		*out = &sb_backend_kmod;
		return 0;
	}
	sb_set_error("RINGFENCE_BACKEND=%s: unknown backend (auto, kvm or kmod)", b);
	return -EINVAL;
}

static uint64_t vault_alloc(void)
{
	uint64_t span = VLT_SIZE + 2 * VLT_GUARD + SB_CHUNK;
	void *p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t lo, base, hi;

	if (p == MAP_FAILED)
		return 0;
	lo = (uint64_t)p;
	base = SB_CHUNK_UP(lo + VLT_GUARD);
	hi = lo + span;
	/* keep [base - guard, base + size + guard), chunk aligned; the guards stay PROT_NONE */
	if (base - VLT_GUARD > lo)
		munmap(p, base - VLT_GUARD - lo);
	if (base + VLT_SIZE + VLT_GUARD < hi)
		munmap((void *)(base + VLT_SIZE + VLT_GUARD), hi - (base + VLT_SIZE + VLT_GUARD));
	if (mprotect((void *)base, VLT_SIZE, PROT_READ | PROT_WRITE)) {
		munmap((void *)(base - VLT_GUARD), VLT_SIZE + 2 * VLT_GUARD);
		return 0;
	}
	/* the vault is 2 MiB aligned and mostly untouched: with transparent
	 * huge pages "always", each chunk the monitor touches would cost a
	 * whole 2 MiB page (an idle sandbox measured 8.7 MiB instead of
	 * ~0.7 MiB, bench/run); 4 KiB pages are plenty */
	(void)madvise((void *)base, VLT_SIZE, MADV_NOHUGEPAGE);
	return base;
}

static void vault_free(uint64_t base)
{
	munmap((void *)(base - VLT_GUARD), VLT_SIZE + 2 * VLT_GUARD);
}

/* Move fd to the top of the fd table, out of the way of the process's own
 * numbering, close-on-exec. Returns the new fd or -errno. */
static int hide_base(void)
{
	struct rlimit rl;
	long top = 1024;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < top)
		top = (long)rl.rlim_cur;
	return top > 64 ? (int)top - 16 : 3;
}

static int hide_fd(int fd)
{
	int n;

	n = fcntl(fd, F_DUPFD_CLOEXEC, hide_base());
	if (n < 0)
		return -errno;
	close(fd);
	return n;
}

struct image_arg {
	uint64_t addr, lo, hi;
};

static int find_image(struct dl_phdr_info *info, size_t size, void *p)
{
	struct image_arg *a = p;
	uint64_t lo = ~0ull, hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (a->addr >= lo && a->addr < hi) {
		a->lo = SB_PAGE_DOWN(lo);
		a->hi = SB_PAGE_UP(hi);
		return 1;
	}
	return 0;
}

struct stack_arg {
	uint64_t prev_hi, lo, hi, below_hi;
};

static int find_stack(const struct sb_vma *v, void *p)
{
	struct stack_arg *s = p;

	if (!strcmp(v->name, "[stack]")) {
		s->lo = v->lo;
		s->hi = v->hi;
		s->below_hi = s->prev_hi;
	}
	s->prev_hi = v->hi;
	return 0;
}

/* Grow the main stack's mapping now to what the kernel would let it grow
 * to (the rlimit, at most 8 MiB), without committing memory: inside the VM
 * there is no lazy stack growth, the guest page tables mirror the mapping. */
static void extend_stack(struct sb_mon *m)
{
	struct stack_arg s = { 0, 0, 0, 0 };
	struct rlimit rl;
	uint64_t want = 8ull << 20, target;

	if (maps_walk(m->maps_fd, 0, SB_USER_TOP, (char *)(m->vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE, find_stack, &s) ||
	    !s.lo)
		return;
	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		want = rl.rlim_cur;
	target = SB_PAGE_DOWN(s.hi - want) + SB_PAGE;
	/* stay clear of the mapping below and of the kernel's guard gap (1 MiB) */
	if (target < s.below_hi + (1ull << 20) + SB_PAGE)
		target = SB_PAGE_UP(s.below_hi + (1ull << 20) + SB_PAGE);
	if (target < s.lo)
		(void)*(volatile const char *)target;
	m->stack_lo = target < s.lo ? target : s.lo;
	m->stack_hi = s.hi;
}

static int mirror_one(const struct sb_vma *v, void *p)
{
	struct sb_mon *m = p;

	/* the vault is never the guest's; vsyscall is above user space */
	if (mirror_in_vault(m, v->lo, v->hi) || v->hi > SB_USER_TOP)
		return 0;
	return mirror_set(m, v->lo, v->hi, v->prot);
}

struct launch_arg {
	struct sb_mon *m;
	const struct sb_launch *l;
};

static int is_kernel_page(const char *name)
{
	return !strcmp(name, "[vdso]") || !strcmp(name, "[vvar]") || !strcmp(name, "[vvar_vclock]");
}

/* A launched program sees its own images, its stack and the kernel's vDSO
 * pages; every other mapping is the launcher's and is hidden (never in the
 * guest page tables, never changed or named by a guest call). A mapping
 * only partly inside a kept range (the kernel merged neighbours) is split. */
static int launch_one(const struct sb_vma *v, void *p)
{
	struct launch_arg *a = p;
	struct sb_mon *m = a->m;
	uint64_t lo = v->lo;
	int rc;

	if (mirror_in_vault(m, v->lo, v->hi) || v->hi > SB_USER_TOP)
		return 0;
	if (is_kernel_page(v->name))
		return mirror_set(m, v->lo, v->hi, v->prot);
	for (int i = 0; i < a->l->nkeep && lo < v->hi; i++) {
		uint64_t klo = a->l->keep[i].lo, khi = a->l->keep[i].hi;
		uint64_t ilo = lo > klo ? lo : klo, ihi = v->hi < khi ? v->hi : khi;

		if (ilo >= ihi)
			continue;
		rc = mirror_hide(m, lo, ilo);
		if (!rc)
			rc = mirror_set(m, ilo, ihi, v->prot);
		if (rc)
			return rc;
		lo = ihi;
	}
	return mirror_hide(m, lo, v->hi);
}

/* A launched program gets the fds execve(2) would leave it: the caller's
 * close-on-exec fds are collected here (before the last fallible step) and
 * closed at the point of no return. The monitor's own are not among them. */
#define CLOEXEC_MAX 1024

static int collect_cloexec(const struct sb_mon *m, int *fds, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d) {
		/* under path rules after execve: every number up to the limit */
		struct rlimit rl;
		int top = 4096;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)top)
			top = (int)rl.rlim_cur;
		for (int fd = 0; fd < top; fd++) {
			int fl = fcntl(fd, F_GETFD);

			if (fl < 0 || !(fl & FD_CLOEXEC) || mon_is_monfd(m, fd))
				continue;
			if (n >= max)
				return -EMFILE;
			fds[n++] = fd;
		}
		return n;
	}
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name), fl;

		if (e->d_name[0] == '.' || fd == dirfd(d) || mon_is_monfd(m, fd))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl < 0 || !(fl & FD_CLOEXEC))
			continue;
		if (n >= max) {
			closedir(d);
			return -EMFILE;
		}
		fds[n++] = fd;
	}
	closedir(d);
	return n;
}

/* The task table (monitor/tasks.c): the one an executed image inherits,
 * or a new one when the policy limits tasks. */
static int tasks_open(struct sb_mon *m, const struct sb_launch *l)
{
	void *p;

	if (l && l->tasks_fd >= 0) {
		m->tasks_fd = fcntl(l->tasks_fd, F_DUPFD_CLOEXEC, 3);
		if (m->tasks_fd < 0)
			return sb_fail(-errno, "cannot duplicate the inherited task table fd");
	} else if (m->policy->max_tasks) {
		m->tasks_fd = memfd_create("ringfence-tasks", MFD_CLOEXEC);
		if (m->tasks_fd < 0 || ftruncate(m->tasks_fd, VLT_TASKS_SIZE))
			return sb_fail(-errno, "cannot make the task table (memfd)");
	} else {
		return 0;
	}
	p = mmap((void *)(m->vault + VLT_TASKS), VLT_TASKS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 m->tasks_fd, 0);
	if (p == MAP_FAILED)
		return sb_fail(-errno, "cannot map the task table");
	m->tasks = p;
	if (!(l && l->tasks_fd >= 0))
		m->tasks->max = m->policy->max_tasks;
	return 0;
}

/* 1 if the environment variable name is set to value */
static int env_is(const char *name, const char *value)
{
	const char *e = getenv(name);

	return e && !strcmp(e, value);
}

/* SB_CHAN_* from sb_enter's flags, else RINGFENCE_EXITLESS (on, off,
 * auto), else auto */
static uint32_t chan_mode(uint64_t flags)
{
	if (flags & SB_ENTER_EXITLESS)
		return SB_CHAN_ON;
	if (flags & SB_ENTER_NO_EXITLESS)
		return SB_CHAN_OFF;
	if (env_is("RINGFENCE_EXITLESS", "on"))
		return SB_CHAN_ON;
	if (env_is("RINGFENCE_EXITLESS", "off"))
		return SB_CHAN_OFF;
	return SB_CHAN_AUTO;
}

/* CPUs this thread may run on */
static uint32_t online_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set))
		return 1;
	return (uint32_t)CPU_COUNT(&set);
}

static int map_sys(struct sb_mon *m, uint64_t sys_gpa)
{
	static const struct { uint64_t off; unsigned pages; uint64_t flags; } parts[] = {
		{ SYS_GDT, SYS_GDT_PAGES, PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX },
		{ SYS_IDT, 1, PTE_P | PTE_A | PTE_D | PTE_NX },
		{ SYS_KCODE, 1, PTE_P | PTE_A | PTE_D },         /* supervisor, read-only, executable */
		{ SYS_LSTAR, 1, PTE_P | PTE_U | PTE_A | PTE_D }, /* user, read-only, executable */
		{ SYS_TSS, SYS_TSS_PAGES, PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX },
		{ SYS_IST, SYS_IST_PAGES, PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX }, /* IST1 stacks */
		{ SYS_CSTUB, SYS_CSTUB_PAGES, PTE_P | PTE_A | PTE_D },     /* channel stubs: supervisor, executable */
		{ SYS_CSLOT, SYS_CSLOT_PAGES + 1, PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX }, /* slots, control page */
	};
	uint64_t db = m->vault + VLT_DOORBELL;
	int rc;

	for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		uint64_t lo = m->sys + parts[i].off;

		rc = pt_map(&m->pt, lo, lo + parts[i].pages * SB_PAGE, sys_gpa + parts[i].off, parts[i].flags, 0);
		if (rc)
			return rc;
	}
	rc = pt_map_page(&m->pt, db + DB_USER_OFF, DB_GPA + DB_USER_OFF, PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_NX);
	if (!rc)
		rc = pt_map_page(&m->pt, db + DB_SUPER_OFF, DB_GPA + DB_SUPER_OFF, PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX);
	return rc;
}

/* The seccomp program for the crash-report child (monitor/crash_bt.c):
 * enough for libunwind to read memory and ELF files and print, nothing
 * that writes files by name, starts processes or signals others. */
static int build_bt_filter(struct sb_mon *m)
{
	static const char *const allow[] = {
		"read", "pread64", "close", "fstat", "newfstatat", "lseek", "mmap", "munmap", "brk",
		"mincore", "msync", "pipe2", "getpid", "gettid", "exit", "exit_group", "rt_sigprocmask",
		"rt_sigreturn", "futex", "getrandom", "readlink", "access", "faccessat", "statx", "madvise",
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int fd = -1, rc = -ENOMEM;
	long n;

	if (!ctx)
		return -ENOMEM;
	for (unsigned i = 0; i < sizeof allow / sizeof allow[0]; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(allow[i]), 0);
		if (rc)
			goto out;
	}
	/* write: the child keeps only the report's fd (stderr or the audit
	 * fd) and may add pipes of its own (libunwind checks addresses by
	 * writing them to a pipe); files it opens are read-only */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 0);
	if (rc)
		goto out;
	/* opens for reading only, so that ELF files can be read for symbols;
	 * not at all if the policy refuses the process new files (then the
	 * backtrace has addresses only): the child must never be able to read
	 * what the sandboxed process could not */
	if (policy_may_allow(m->policy, SYS_openat) && policy_may_allow(m->policy, SYS_open)) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY));
		if (!rc)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
					      SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY));
		if (rc)
			goto out;
	}
	fd = memfd_create("ringfence-bt", MFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc)
		goto out;
	n = pread(fd, m->bt_filter, sizeof m->bt_filter, 0);
	if (n <= 0 || n % 8 || (size_t)n >= sizeof m->bt_filter) {
		rc = -E2BIG;
		goto out;
	}
	m->bt_len = (uint32_t)(n / 8);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

/* glibc registered an rseq area for this thread: the kernel would keep
 * following the pointers in it (rseq_cs) on behalf of the monitor thread,
 * and could be made to redirect the monitor's own instruction pointer. */
static int unregister_rseq(void)
{
	struct rseq *r;
	uint64_t tp;

	if (__rseq_size == 0)
		return 0;

	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &tp))
		return -errno;
	r = (struct rseq *)(tp + (uint64_t)__rseq_offset);
	if (syscall(SYS_rseq, r, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG_X86) == 0 ||
	    syscall(SYS_rseq, r, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG_X86) == 0) {
		r->cpu_id = (uint32_t)RSEQ_CPU_ID_REGISTRATION_FAILED;
		return 0;
	}
	/* EINVAL: nothing registered (glibc.pthread.rseq=0) */
	return (int)r->cpu_id >= 0 ? -ENOSYS : 0;
}

/* Take over signals: the guest's dispositions go to the vault; handlers are
 * replaced on the host by the monitor's stub. The altstack and the mask
 * stay as the guest's view; the host thread gets the vault altstack. */
static void take_signals(struct sb_mon *m, const sigset_t *mask, int launched)
{
	struct sb_thr *t = sb_thr_at(m, 0);
	stack_t ss = { .ss_sp = (void *)(sb_thr_region(m, 0) + THR_ALTSTACK), .ss_size = THR_ALTSTACK_SIZE, .ss_flags = 0 };
	stack_t old;

	memcpy(&t->sigmask, mask, sizeof t->sigmask);
	for (int sig = 1; sig <= SB_NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, NULL, &m->sig[sig], 8))
			continue;
		if (launched && m->sig[sig].handler != (uint64_t)SIG_IGN) {
			/* as execve(2): handlers are reset, ignored signals stay ignored */
			memset(&m->sig[sig], 0, sizeof m->sig[sig]);
			(void)syscall(SYS_rt_sigaction, sig, &m->sig[sig], NULL, 8);
			continue;
		}
		if (m->sig[sig].handler != (uint64_t)SIG_DFL && m->sig[sig].handler != (uint64_t)SIG_IGN)
			sig_set_host(m, sig, &m->sig[sig]);
	}
	if (!sigaltstack(&ss, &old) && !(old.ss_flags & SS_DISABLE) && !launched) {
		t->ss_sp = (uint64_t)old.ss_sp;
		t->ss_size = old.ss_size;
		t->ss_flags = old.ss_flags;
	}
}

int sb_enter_impl(const struct sb_policy *pol, const struct sb_entry_regs *regs, const uint8_t *xsave)
{
	return enter_common(pol, regs, xsave, NULL);
}

/* A new program starts with all registers zero and the initial FPU
 * state (monitor/sigframe.c's fpu_init_area(), as execve(2) leaves it). */
int sb_launch_impl(const struct sb_policy *pol, const struct sb_launch *l)
{
	uint8_t area[4096] __attribute__((aligned(64)));
	struct sb_entry_regs regs;
	unsigned int a, b, c, d;

	memset(&regs, 0, sizeof regs);
	fpu_init_area(area);
	regs.flags = l->flags;
	regs.rip = l->rip;
	regs.rsp = l->rsp;
	regs.rflags = 0x202;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (c & (1u << 27)) { /* OSXSAVE */
		uint32_t lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		regs.xcr0 = ((uint64_t)hi << 32 | lo) & 0xe7;
		regs.xsave_ok = 1;
	}
	return enter_common(pol, &regs, area, l);
}

static int enter_common(const struct sb_policy *pol, const struct sb_entry_regs *regs, const uint8_t *xsave,
			const struct sb_launch *l)
{
	char err[256] = "";
	int cloexec[CLOEXEC_MAX], ncloexec = 0;
	const struct sb_backend *be;
	struct sb_entry_state st;
	struct image_arg img = { (uint64_t)(uintptr_t)sb_enter, 0, 0 };
	sigset_t all, saved;
	struct sb_mon *m;
	struct sb_thr *t0;
	uint64_t vault, gpa;
	int rc, n;

	sb_set_error("%s", "");
	if (sb_inside())
		return sb_fail(-EBUSY, "already inside a sandbox");
	/* a fresh image after execve is single-threaded, and under path rules
	 * it could not list /proc/self/task */
	n = l && l->compiled ? 1 : count_threads();
	if (n != 1)
		return sb_fail(n < 0 ? n : -EBUSY, n < 0 ? "cannot read /proc/self/task" :
			       "the process has other threads: every thread would have to enter the VM (sb_enter() "
			       "must be called while single-threaded)");
	if (!regs->xsave_ok)
		return sb_fail(-ENOSYS, "the CPU or OS offers no XSAVE: the FPU state cannot be carried into the VM");
	if (regs->flags & ~(uint64_t)(SB_ENTER_RING0 | SB_ENTER_EXITLESS | SB_ENTER_NO_EXITLESS | SB_ENTER_NO_PATCH) ||
	    (regs->flags & (SB_ENTER_EXITLESS | SB_ENTER_NO_EXITLESS)) == (SB_ENTER_EXITLESS | SB_ENTER_NO_EXITLESS))
		return sb_fail(-EINVAL, "unknown sb_enter flags");
	/* an executed image stays on the backend of the device it inherits
	 * (under path rules it could not even open /dev/ringfence to choose) */
	if (l && l->backend_kind == SB_BACKEND_KMOD)
		be = &sb_backend_kmod;
	else if (l && l->backend_kind == SB_BACKEND_KVM)
		be = &sb_backend_kvm;
	else if ((rc = pick_backend(&be)))
		return rc;

	vault = vault_alloc();
	if (!vault)
		return sb_fail(-ENOMEM, "cannot allocate the monitor's vault");
	m = sb_mon_of(vault);
	m->vault = vault;
	t0 = sb_thr_at(m, 0);
	m->zone_lo = vault - VLT_GUARD;
	m->zone_hi = vault + VLT_SIZE + VLT_GUARD;
	m->backend = be;
	m->backend_kind = be == &sb_backend_kmod ? SB_BACKEND_KMOD : SB_BACKEND_KVM;
	m->set_window = be->set_window;
	m->run_vcpu = be->run;
	m->get_xsave = be->get_xsave;
	m->set_xsave = be->set_xsave;
	m->fork_child = be->fork_child;
	m->new_vcpu = be->new_vcpu;
	m->set_lstar = be->set_lstar;
	m->gpipe[0] = m->gpipe[1] = -1;
	m->pid = getpid();
	/* the calling thread is the first guest thread, in slot 0 */
	t0->mon = m;
	t0->idx = 0;
	t0->in_use = 1;
	t0->tid = t0->host_tid = gettid();
	t0->vcpu_fd = -1;
	t0->ist_top = vault + VLT_SYS + SYS_IST + SYS_IST_STRIDE;
	t0->ss_flags = SS_DISABLE;
	m->nthreads = 1;
	m->thr_hi = 1;
	m->kvm_fd = m->vm_fd = m->log_fd = m->maps_fd = m->proc_fd = -1;
	m->exe_fd = -1;
	m->broker_fd = -1;
	m->tasks_fd = -1;
	m->gpa_next = GPA_BASE;
	m->sys = vault + VLT_SYS;
	m->ring0 = !!(regs->flags & SB_ENTER_RING0);
	m->chan_mode = chan_mode(regs->flags);
	m->patch_on = !(regs->flags & SB_ENTER_NO_PATCH) && !env_is("RINGFENCE_PATCH", "off");
	/* a diagnostic: unmodified `syscall`s take the exit path, as on a PVM
	 * host, so the channel is reached through patched sites only */
	m->chan_no_stub = env_is("RINGFENCE_CHANNEL_STUB", "off");
	m->ncpus = online_cpus();
	m->print_stats = getenv("RINGFENCE_STATS") && !strcmp(getenv("RINGFENCE_STATS"), "1");
	if (l && l->compiled) {
		memcpy((void *)(vault + VLT_POLICY), l->compiled, sizeof(struct cp_policy));
		if (l->compiled_exec)
			memcpy((void *)(vault + VLT_XPOLICY), l->compiled_exec, sizeof(struct cp_policy));
		rc = 0;
	} else {
		rc = policy_compile(pol, (struct cp_policy *)(vault + VLT_POLICY));
		if (!rc && pol && pol->exec_policy)
			rc = policy_compile(pol->exec_policy, (struct cp_policy *)(vault + VLT_XPOLICY));
	}
	if ((l && l->compiled_exec) || (!(l && l->compiled) && pol && pol->exec_policy))
		m->exec_policy = (const struct cp_policy *)(vault + VLT_XPOLICY);
	if (rc) {
		sb_fail(rc, "the policy does not fit the monitor's table (too many rules or origin names)");
		goto fail;
	}
	m->policy = (const struct cp_policy *)(vault + VLT_POLICY);

	if (l)
		m->kvm_fd = l->kvm_fd;
	rc = be->open(m, err, sizeof err);
	if (rc) {
		sb_set_error("%s", err);
		goto fail;
	}
	if (l && l->compiled && l->broker_fd >= 0) {
		/* after execve under path rules: the broker opens them */
		m->broker_fd = l->broker_fd;
		rc = broker_request(m->broker_fd, &m->maps_fd, &m->proc_fd);
		if (rc) {
			sb_fail(rc, "the /proc broker did not give this process its /proc files");
			goto fail;
		}
	} else {
		m->maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		m->proc_fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (m->maps_fd < 0 || m->proc_fd < 0) {
		rc = sb_fail(-errno, "cannot open /proc/self: is /proc mounted?");
		goto fail;
	}
	m->audit_flags = l && l->compiled ? l->audit_flags : pol ? pol->audit_flags : 0;
	if (l && l->compiled && l->log_fd >= 0) {
		m->log_fd = fcntl(l->log_fd, F_DUPFD_CLOEXEC, 3);
		if (m->log_fd < 0) {
			rc = sb_fail(-errno, "cannot duplicate the inherited audit fd");
			goto fail;
		}
	} else if (pol && pol->log_fd >= 0) {
		m->log_fd = fcntl(pol->log_fd, F_DUPFD_CLOEXEC, 3);
		if (m->log_fd < 0) {
			rc = sb_fail(-errno, "cannot duplicate the denial log fd");
			goto fail;
		}
	}
	{
		int *fds[] = { &m->kvm_fd, &m->vm_fd, &t0->vcpu_fd, &m->maps_fd, &m->proc_fd, &m->log_fd, &m->exe_fd,
			       &m->gpipe[0], &m->gpipe[1], &m->broker_fd, &m->tasks_fd };

		rc = tasks_open(m, l);
		if (rc)
			goto fail;

		if (l && l->compiled && pipe2(m->gpipe, O_CLOEXEC)) {
			rc = sb_fail(-errno, "cannot make the monitor's copy pipe");
			goto fail;
		}

		/* a launched program may execve: the launcher's own executable
		 * starts the next one (monitor/exec.c) */
		if (l && l->exe_fd >= 0) {
			m->exe_fd = l->exe_fd; /* inherited: /proc/self/exe may be out of reach */
			(void)fcntl(m->exe_fd, F_SETFD, FD_CLOEXEC);
		} else if (l) {
			m->exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
			if (m->exe_fd < 0) {
				rc = sb_fail(-errno, "cannot open the launcher's executable (/proc/self/exe)");
				goto fail;
			}
		}

		for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
			if (*fds[i] < 0)
				continue;
			rc = hide_fd(*fds[i]);
			if (rc < 0) {
				sb_fail(rc, "cannot move the monitor's fds out of the way");
				goto fail;
			}
			*fds[i] = rc;
			m->monfd[m->nmonfd++] = rc;
		}
		m->vcpufd[m->nvcpufd++] = t0->vcpu_fd;
		m->fd_base = hide_base() - SB_MAX_THREADS;
		if (m->fd_base < 3)
			m->fd_base = 3;
	}

	/* the vault's two memory windows: ring-0 tables and stubs, page tables */
	rc = mirror_window_exact(m, m->sys, m->sys + VLT_SYS_SIZE, &gpa);
	if (!rc)
		rc = mirror_window_exact(m, vault + VLT_PTPOOL, vault + VLT_PTPOOL + VLT_PTPOOL_SIZE, &m->pt.gpa);
	if (!rc)
		rc = pt_init(&m->pt, vault + VLT_PTPOOL, m->pt.gpa, VLT_PTPOOL_SIZE);
	/* the patch window (monitor/patch.c): user slots, the control page's alias, trampolines */
	if (!rc)
		rc = patch_map(m, gpa + SYS_CCTL);
	if (rc) {
		sb_fail(rc, "cannot create the vault's memory windows");
		goto fail;
	}
	m->gpa_next = SB_CHUNK_UP(m->gpa_next);
	cpu_build_sys(m, m->sys);
	cpu_build_chan(m, m->sys);
	rc = map_sys(m, gpa);
	if (rc) {
		sb_fail(rc, "cannot map the sandbox's ring-0 pages");
		goto fail;
	}
	/* Dune mode (api/ring0.c): the pool readable at CPL0, the library's copy of the layout */
	rc = m->ring0 ? ring0_prepare(m) : 0;
	if (rc) {
		sb_fail(rc, "cannot map the page-table pool for ring-0 mode");
		goto fail;
	}
	if (!dl_iterate_phdr(find_image, &img)) {
		rc = sb_fail(-ENOENT, "cannot find libsandbox's own image");
		goto fail;
	}
	m->image_lo = img.lo;
	m->image_hi = img.hi;
	m->brk = (uint64_t)syscall(SYS_brk, 0);

	/* from here on no signal may run a handler on the caller's stack while
	 * the monitor takes over */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	if (l) {
		struct launch_arg la = { m, l };

		m->stack_lo = l->stack_lo;
		m->stack_hi = l->stack_hi;
		m->brk_lo = m->brk = l->brk;
		rc = maps_walk(m->maps_fd, 0, SB_USER_TOP, (char *)(vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE, launch_one,
			       &la);
		if (rc == -E2BIG)
			sb_fail(rc, "the launcher has too many mappings to hide from the program");
	} else {
		extend_stack(m);
		rc = maps_walk(m->maps_fd, 0, SB_USER_TOP, (char *)(vault + VLT_MAPSBUF), VLT_MAPSBUF_SIZE, mirror_one, m);
	}
	if (rc) {
		if (rc != -E2BIG)
			sb_fail(rc, "cannot mirror the process's mappings into the guest page tables");
		goto fail_mask;
	}
	rc = build_bt_filter(m);
	if (rc) {
		sb_fail(rc, "cannot build the crash reporter's seccomp filter");
		goto fail_mask;
	}
	st.regs = regs;
	st.xsave = xsave;
	st.xcr0 = regs->xcr0;
	if (l) {
		st.fs_base = st.gs_base = 0; /* a new program sets up its own TLS */
	} else if (syscall(SYS_arch_prctl, ARCH_GET_FS, &st.fs_base) || syscall(SYS_arch_prctl, ARCH_GET_GS, &st.gs_base)) {
		rc = sb_fail(-errno, "cannot read the FS/GS bases");
		goto fail_mask;
	}
	m->xcr0 = st.xcr0;
	/* standard-format XSAVE: x87+SSE 512, header 64, AVX 256, AVX-512 at
	 * 1088..2688 (opmask, ZMM_Hi256, Hi16_ZMM) */
	m->xsave_size = (st.xcr0 & 0xe0) ? 2688 : (st.xcr0 & 0x4) ? 832 : 576;
	rc = be->setup_vcpu(m, &st, err, sizeof err);
	if (rc) {
		sb_set_error("%s", err);
		goto fail_mask;
	}
	if (l) {
		ncloexec = collect_cloexec(m, cloexec, CLOEXEC_MAX);
		if (ncloexec < 0) {
			rc = sb_fail(ncloexec, "cannot list the process's fds");
			goto fail_mask;
		}
	}
	rc = unregister_rseq();
	if (rc) {
		sb_fail(rc, "cannot unregister the thread's rseq area");
		goto fail_mask;
	}
	/* path rules: from here on the kernel checks every file the monitor
	 * thread (and so every forwarded call) reaches */
	{
		const struct policy_unveil *pend;

		m->landlocked = (pol && pol->nunveil) || unveil_pending(&pend) > 0 || (l && l->landlocked);
	}
	/* with path rules, a forked child gets its /proc files from the broker
	 * (an image after execve has it already) */
	if (m->landlocked && m->broker_fd < 0 && m->nmonfd < SB_MAX_MONFD) {
		int b = procbroker_start();

		if (b < 0) {
			rc = sb_fail(b, "cannot start the /proc broker for path rules");
			goto fail_mask;
		}
		m->broker_fd = hide_fd(b);
		if (m->broker_fd < 0) {
			rc = sb_fail(m->broker_fd, "cannot move the broker's fd out of the way");
			goto fail_mask;
		}
		m->monfd[m->nmonfd++] = m->broker_fd;
	}
	rc = landlock_apply(pol, l && !l->compiled, err, sizeof err);
	if (rc) {
		sb_set_error("%s", err);
		goto fail_mask;
	}
	/* the second wall; after it, only the monitor's own calls and what the
	 * policy can forward are possible on this thread. (Landlock cannot be
	 * undone: should this fail, the thread keeps the path rules outside
	 * the sandbox. Loading a filter libseccomp has built fails only for
	 * lack of memory.) */
	/* process_vm_* in the filter names this pid; after an execve inside a
	 * sandbox an older filter names another one, and stays: then guest
	 * memory is copied through a pipe (monitor/gmem.h) */
	m->wall_pid = l && l->compiled ? 0 : m->pid;
	rc = wall_install(m);
	if (rc) {
		sb_fail(rc, "cannot install the monitor's own seccomp filter");
		goto fail_mask;
	}

	/* point of no return: the process is handed to the monitor. The magic
	 * goes first: from take_signals() on, the host signal stub may run (on
	 * the vault's altstack) and looks for it. */
	m->magic = SB_MON_MAGIC;
	t0->magic = SB_THR_MAGIC;
	for (int i = 0; i < ncloexec; i++)
		close(cloexec[i]);
	take_signals(m, &saved, l != NULL);
	/* clear_child_tid: the guest's (libc's, for sb_enter) is kept by the
	 * monitor and written at the thread's exit (thread.c); the kernel's
	 * names the slot's own word, which frees the slot */
	if (!l) {
		int *ctid = NULL;

		if (!prctl(PR_GET_TID_ADDRESS, &ctid))
			t0->clear_tid = (uint64_t)ctid;
	}
	syscall(SYS_set_tid_address, &t0->host_tid);
	tasks_enter(m, m->pid, t0->tid);
	sb_mark_inside();
	if (m->ring0)
		ring0_entered();
	/* the exitless channel's worker: a thread of the monitor, made after
	 * both walls, so it has them too. Without it the process runs on
	 * exits only, as it would with the channel off. */
	(void)chan_start(m);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	sb_switch_to_monitor(m, sb_thr_region(m, 0) + THR_STACK + THR_STACK_SIZE);

fail_mask:
	sigprocmask(SIG_SETMASK, &saved, NULL);
fail:
	{
		int fds[] = { m->kvm_fd, m->vm_fd, t0->vcpu_fd, m->maps_fd, m->proc_fd, m->log_fd, m->exe_fd, m->tasks_fd,
			      m->gpipe[0], m->gpipe[1], m->broker_fd };

		for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	vault_free(vault);
	return rc < 0 ? rc : -EINVAL;
}
