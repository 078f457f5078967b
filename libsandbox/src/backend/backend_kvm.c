/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kvm.c: the /dev/kvm backend, set-up half (runs before entry, may use libc).
 *
 * Works on VT-x, AMD-V and PVM hosts: the guest's user mode runs the
 * process; ring 0 holds only the stubs written by guest/cpu_x86_64.c.
 * Every failure says which device or capability is missing and what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "backend.h"
#include "entry_state.h"
#include "../guest/pgtable.h"

#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_SYSENTER_CS 0x174u

#define CR0_GUEST 0x80050033ull /* PG AM WP NE ET MP PE, as Linux runs user space */
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_GUEST 0xd01ull /* NXE LMA LME SCE */
/* syscall clears TF DF IF IOPL NT AC, as Linux does */
#define SFMASK_GUEST 0x47700ull

/* AMX and other components that need per-process permission stay off */
#define XCR0_ALLOWED 0xe7ull


static struct kvm_cpuid2 *supported_cpuid(int kvm)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof c->entries[0]);

		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

static const struct kvm_cpuid_entry2 *cpuid_find(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

static int kvm_open(struct sb_mon *m, char *err, unsigned long errlen)
{
	int kvm, vm = -1, vcpu = -1, rc, n;
	long mmap_size;
	void *run;

	/* an inherited device (execve inside a sandbox), else /dev/kvm */
	kvm = m->kvm_fd >= 0 ? m->kvm_fd : open("/dev/kvm", O_RDWR | O_CLOEXEC);
	m->kvm_fd = -1;
	if (kvm < 0) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ENODEV || rc == -ENXIO)
			return (void)snprintf(err, errlen, "kvm backend: /dev/kvm is missing (%s): this machine offers no KVM; "
				    "load kvm_intel or kvm_amd, enable nested virtualization in the "
				    "hypervisor, or use the kmod backend (RINGFENCE_BACKEND=kmod)",
				    strerror(-rc)), -ENODEV;
		if (rc == -EACCES || rc == -EPERM)
			return (void)snprintf(err, errlen, "kvm backend: no permission to open /dev/kvm (%s): add the user to "
				    "the 'kvm' group or run as root", strerror(-rc)), -EACCES;
		return (void)snprintf(err, errlen, "kvm backend: cannot open /dev/kvm: %s", strerror(-rc)), rc;
	}
	rc = -ENOSYS;
	n = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (n != KVM_API_VERSION) {
		snprintf(err, errlen, "kvm backend: /dev/kvm speaks API version %d, need %d", n, KVM_API_VERSION);
		goto out;
	}
	n = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	if (n < 0 || (n & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) != (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) {
		snprintf(err, errlen, "kvm backend: missing capability %s (Linux 4.16 or later)", "KVM_CAP_SYNC_REGS");
		goto out;
	}
	{
		static const struct { int cap; const char *name; } need[] = {
			{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
			{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
			{ KVM_CAP_XSAVE, "KVM_CAP_XSAVE" },
			{ KVM_CAP_XCRS, "KVM_CAP_XCRS" },
		};
		for (unsigned i = 0; i < sizeof need / sizeof need[0]; i++)
			if (ioctl(kvm, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
				snprintf(err, errlen, "kvm backend: missing capability %s", need[i].name);
				goto out;
			}
	}
	n = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	m->max_slots = n > 0 ? (uint32_t)n : 32;
	/* new threads get new vCPUs up to this (backend_kvm_exit.c); the
	 * KVM API's minimum without the capability */
	n = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	m->max_vcpus = n > 0 ? (uint32_t)n : 4;
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0 || (uint64_t)mmap_size > THR_RUN_SIZE) {
		snprintf(err, errlen, "kvm backend: unexpected %s", "KVM_GET_VCPU_MMAP_SIZE");
		goto out;
	}
	{
		struct kvm_cpuid2 *c = supported_cpuid(kvm);
		const struct kvm_cpuid_entry2 *e = c ? cpuid_find(c, 0x80000008, 0) : NULL;
		unsigned bits = (e && (e->eax & 0xff) >= 36) ? (e->eax & 0xff) : 36;

		/* guest-physical addresses stay below the guest's physical width */
		m->gpa_limit = 1ull << bits;
		free(c);
		if (!e) {
			snprintf(err, errlen, "kvm backend: %s failed", "KVM_GET_SUPPORTED_CPUID");
			goto out;
		}
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		rc = -errno;
		snprintf(err, errlen, "kvm backend: KVM_CREATE_VM failed: %s", strerror(errno));
		goto out;
	}
	/* VT-x wants a TSS area for real mode; harmless elsewhere, unused by us */
	(void)ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		rc = -errno;
		snprintf(err, errlen, "kvm backend: KVM_CREATE_VCPU failed: %s", strerror(errno));
		goto out;
	}
	/* kvm_run lives in the vault: the guest never maps it */
	run = mmap((void *)(sb_thr_region(m, 0) + THR_RUN), (size_t)mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, vcpu, 0);
	if (run == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "kvm backend: mmap of kvm_run failed: %s", strerror(errno));
		goto out;
	}
	sb_thr_at(m, 0)->run = run;
	m->run_size = (uint32_t)mmap_size;
	m->kvm_fd = kvm;
	m->vm_fd = vm;
	sb_thr_at(m, 0)->vcpu_fd = vcpu;
	m->next_vcpu_id = 1;
	m->vcpu_budget = m->max_vcpus - 1;
	return 0;
out:
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return rc;
}

static int set_msrs(int vcpu, const uint32_t *idx, const uint64_t *val, unsigned n)
{
	union {
		struct kvm_msrs h;
		uint8_t bytes[sizeof(struct kvm_msrs) + 8 * sizeof(struct kvm_msr_entry)];
	} msrs;

	if (n > 8)
		return -EINVAL;
	memset(&msrs, 0, sizeof msrs);
	msrs.h.nmsrs = n;
	for (unsigned i = 0; i < n; i++) {
		msrs.h.entries[i].index = idx[i];
		msrs.h.entries[i].data = val[i];
	}
	return ioctl(vcpu, KVM_SET_MSRS, &msrs) == (int)n ? 0 : -EINVAL;
}

/* The guest must read the host's TSC: the host's vDSO, which the process
 * keeps calling inside, turns TSC readings into time with the host's
 * parameters. A new vCPU's TSC starts near 0 on VT-x and AMD-V; a zero TSC
 * offset makes it the host's (PVM hosts already run the guest on the host
 * TSC). Older kernels without the attribute: write the MSR, which leaves an
 * error of the few microseconds the ioctl takes. Not fatal: a guest clock
 * that is off shows in the tests (clock_gettime against the host's). */
static void same_tsc(struct sb_mon *m)
{
	int vcpu = sb_thr_at(m, 0)->vcpu_fd;
	uint64_t off = 0;
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET, .addr = (uint64_t)&off };
	static const uint32_t tsc_msr = 0x10;
	uint32_t lo, hi;
	uint64_t now;

	if (ioctl(vcpu, KVM_HAS_DEVICE_ATTR, &a) == 0 && ioctl(vcpu, KVM_SET_DEVICE_ATTR, &a) == 0)
		return;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	now = (uint64_t)hi << 32 | lo;
	/* a host that ignores the write (PVM) already gives the host's TSC */
	(void)set_msrs(vcpu, &tsc_msr, &now, 1);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t dpl, uint8_t l, uint8_t db)
{
	memset(s, 0, sizeof *s);
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->l = l;
	s->db = db;
	s->g = 1;
}

static int kvm_setup_vcpu(struct sb_mon *m, const struct sb_entry_state *st, char *err, unsigned long errlen)
{
	struct sb_thr *t0 = sb_thr_at(m, 0); /* the entering thread's vCPU */
	struct kvm_cpuid2 *cpuid = NULL;
	const struct kvm_cpuid_entry2 *e;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_xcrs xcrs;
	struct kvm_xsave *xs = NULL;
	uint64_t cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
	int rc = -ENOSYS;

	cpuid = supported_cpuid(m->kvm_fd);
	if (!cpuid) {
		snprintf(err, errlen, "kvm backend: KVM_GET_SUPPORTED_CPUID failed");
		goto out;
	}
	e = cpuid_find(cpuid, 0xd, 0);
	if (!e || !(((uint64_t)e->edx << 32 | e->eax) & 0x7) ) {
		snprintf(err, errlen, "kvm backend: the host offers no XSAVE with SSE and AVX state to guests");
		goto out;
	}
	if ((st->xcr0 & ~(((uint64_t)e->edx << 32) | e->eax)) != 0) {
		snprintf(err, errlen, "kvm backend: the guest cannot have this process's FPU state (XCR0 %#llx)",
			 (unsigned long long)st->xcr0);
		goto out;
	}
	e = cpuid_find(cpuid, 7, 0);
	if (e && (e->ebx & 1) && (getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */))
		cr4 |= CR4_FSGSBASE;
	/* kept for fork children (backend_kvm_exit.c) */
	if (sizeof *cpuid + cpuid->nent * sizeof cpuid->entries[0] > sizeof m->cpuid) {
		snprintf(err, errlen, "kvm backend: %u CPUID entries do not fit the vault", cpuid->nent);
		goto out;
	}
	m->cpuid_len = (uint32_t)(sizeof *cpuid + cpuid->nent * sizeof cpuid->entries[0]);
	memcpy(m->cpuid, cpuid, m->cpuid_len);
	if (ioctl(t0->vcpu_fd, KVM_SET_CPUID2, cpuid) < 0) {
		rc = -errno;
		snprintf(err, errlen, "kvm backend: KVM_SET_CPUID2 failed: %s", strerror(errno));
		goto out;
	}

	memset(&xcrs, 0, sizeof xcrs);
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = st->xcr0;
	if (ioctl(t0->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0) {
		rc = -errno;
		snprintf(err, errlen, "kvm backend: KVM_SET_XCRS(%#llx) failed: %s",
			 (unsigned long long)st->xcr0, strerror(errno));
		goto out;
	}
	xs = calloc(1, sizeof *xs);
	if (!xs) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(xs->region, st->xsave, sizeof xs->region);
	if (ioctl(t0->vcpu_fd, KVM_SET_XSAVE, xs) < 0) {
		rc = -errno;
		snprintf(err, errlen, "kvm backend: KVM_SET_XSAVE failed: %s", strerror(errno));
		goto out;
	}

	if (ioctl(t0->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		goto sys_fail;
	sregs.cr0 = CR0_GUEST;
	sregs.cr3 = m->pt.cr3;
	sregs.cr4 = cr4;
	sregs.efer = EFER_GUEST;
	seg(&sregs.cs, GDT_UCODE, 11, 3, 1, 0);
	seg(&sregs.ss, GDT_UDATA, 3, 3, 0, 1);
	if (m->ring0) { /* Dune mode: the process at CPL0 (monitor/ring0.c) */
		seg(&sregs.cs, GDT_KCODE, 11, 0, 1, 0);
		seg(&sregs.ss, GDT_KDATA, 3, 0, 0, 1);
	}
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
	sregs.fs.base = st->fs_base;
	sregs.gs.base = st->gs_base;
	memset(&sregs.tr, 0, sizeof sregs.tr);
	sregs.tr.base = m->sys + SYS_TSS;
	sregs.tr.limit = 103;
	sregs.tr.selector = GDT_TSS;
	sregs.tr.type = 11;
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof sregs.ldt);
	sregs.ldt.type = 2;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = m->sys + SYS_GDT;
	sregs.gdt.limit = GDT_LIMIT;
	sregs.idt.base = m->sys + SYS_IDT;
	sregs.idt.limit = 32 * 16 - 1;
	if (ioctl(t0->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		goto sys_fail;
	m->ucs = sregs.cs;
	m->uss = sregs.ss;
	{
		static const uint32_t idx[] = { MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
						MSR_KERNEL_GS_BASE, MSR_SYSENTER_CS };
		uint64_t val[] = { ((uint64_t)GDT_UCODE32 << 48) | ((uint64_t)GDT_KCODE << 32), m->lstar,
				   m->lstar_sysret + 3 /* the ud2 after sysretq */, SFMASK_GUEST, 0, 0 };

		m->nmsr = 6;
		memcpy(m->msr_idx, idx, sizeof idx);
		memcpy(m->msr_val, val, sizeof val);
		if (set_msrs(t0->vcpu_fd, idx, val, 6)) {
			snprintf(err, errlen, "kvm backend: KVM_SET_MSRS (syscall MSRs) failed");
			goto out;
		}
	}
	same_tsc(m);
	memset(&regs, 0, sizeof regs);
	regs.rbx = st->regs->rbx;
	regs.rbp = st->regs->rbp;
	regs.r12 = st->regs->r12;
	regs.r13 = st->regs->r13;
	regs.r14 = st->regs->r14;
	regs.r15 = st->regs->r15;
	regs.rsp = st->regs->rsp;
	regs.rip = st->regs->rip;
	regs.rax = 0; /* sb_enter() returns 0 inside */
	regs.rflags = (st->regs->rflags & 0x00000cd5ull) | 0x202; /* status flags + DF; IF on */
	if (ioctl(t0->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		goto sys_fail;
	t0->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	t0->run->kvm_dirty_regs = 0;
	rc = 0;
	goto out;
sys_fail:
	rc = -errno;
	snprintf(err, errlen, "kvm backend: vCPU set-up failed: %s", strerror(errno));
out:
	free(xs);
	free(cpuid);
	return rc;
}

/* exit-path half: backend_kvm_exit.c */
int sb_kvm_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
int sb_kvm_run(struct sb_thr *t);
int sb_kvm_get_xsave(struct sb_thr *t, void *area);
int sb_kvm_set_xsave(struct sb_thr *t, const void *area);
int sb_kvm_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int sb_kvm_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int sb_kvm_set_lstar(struct sb_thr *t, uint64_t lstar);

const struct sb_backend sb_backend_kvm = {
	.name = "kvm",
	.open = kvm_open,
	.setup_vcpu = kvm_setup_vcpu,
	.set_window = sb_kvm_set_window,
	.run = sb_kvm_run,
	.get_xsave = sb_kvm_get_xsave,
	.set_xsave = sb_kvm_set_xsave,
	.fork_child = sb_kvm_fork_child,
	.new_vcpu = sb_kvm_new_vcpu,
	.set_lstar = sb_kvm_set_lstar,
};
