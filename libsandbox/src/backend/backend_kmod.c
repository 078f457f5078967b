/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend_kmod.c: the /dev/ringfence backend (ringfence.ko), set-up half.
 *
 * The module runs the vCPU on VT-x with EPT, reports exits in a struct
 * kvm_run mapped from the vCPU fd (the monitor's exit handling is the same
 * as with /dev/kvm) and passes CPUID through from the host, without VMX.
 * The guest state is the one backend_kvm.c builds: the process at CPL3,
 * ring 0 holding only the stubs of guest/cpu_x86_64.c. See docs/kmod.md.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uapi/ringfence.h>
#include "backend.h"
#include "entry_state.h"
#include "../guest/pgtable.h"

#define CR0_GUEST 0x80050033ull /* PG AM WP NE ET MP PE, as Linux runs user space */
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_GUEST 0xd01ull /* NXE LMA LME SCE */
#define SFMASK_GUEST 0x47700ull /* TF DF IF IOPL NT AC, as Linux */

/* VMX access rights of the segments the guest uses */
#define AR_UCODE 0xa0fbull /* type 11, S, DPL3, P, L, G */
#define AR_UDATA 0xc0f3ull /* type 3, S, DPL3, P, DB, G */
#define AR_KCODE 0xa09bull /* type 11, S, DPL0, P, L, G (ring-0 mode) */
#define AR_KDATA 0xc093ull /* type 3, S, DPL0, P, DB, G */
#define AR_TSS 0x8bull     /* busy 64-bit TSS, P */
#define AR_UNUSABLE 0x10000ull

static int kmod_open(struct sb_mon *m, char *err, unsigned long errlen)
{
	int dev, vm = -1, vcpu = -1, rc, n;
	unsigned eax, ebx, ecx, edx, bits;
	void *run;

	/* the device an executed image inherited (execve inside a sandbox:
	 * monitor/exec.c) if it is this module's (the image before may have
	 * run on /dev/kvm: that fd is of no use here), else /dev/ringfence */
	dev = m->kvm_fd;
	m->kvm_fd = -1;
	if (dev >= 0 && ioctl(dev, RFK_GET_API_VERSION, 0) != RFK_API_VERSION) {
		close(dev);
		dev = -1;
	}
	if (dev < 0)
		dev = open("/dev/ringfence", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ENODEV || rc == -ENXIO)
			return (void)snprintf(err, errlen, "kmod backend: /dev/ringfence is missing (%s): load ringfence.ko "
				    "(kmod/, docs/kmod.md) or use the kvm backend (RINGFENCE_BACKEND=kvm)",
				    strerror(-rc)), -ENODEV;
		if (rc == -EACCES || rc == -EPERM)
			return (void)snprintf(err, errlen, "kmod backend: no permission to open /dev/ringfence (%s)",
					      strerror(-rc)), -EACCES;
		return (void)snprintf(err, errlen, "kmod backend: cannot open /dev/ringfence: %s", strerror(-rc)), rc;
	}
	rc = -ENOSYS;
	n = ioctl(dev, RFK_GET_API_VERSION, 0);
	if (n != RFK_API_VERSION) {
		snprintf(err, errlen, "kmod backend: /dev/ringfence speaks API version %d, need %d", n, RFK_API_VERSION);
		goto out;
	}
	if (ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_RUN_SIZE) != RFK_RUN_SIZE ||
	    ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_SYNC_REGS) != (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) {
		snprintf(err, errlen, "kmod backend: /dev/ringfence lacks the run area or sync registers");
		goto out;
	}
	/* ring-0 mode needs a module that keeps a CPL0 guest off the host's
	 * TPR, performance counters and KERNEL_GS_BASE (docs/kmod.md) */
	if (m->ring0 && ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_RING0) != 1) {
		snprintf(err, errlen, "kmod backend: this ringfence.ko cannot run a process at ring 0 (SB_ENTER_RING0): "
			 "it predates RFK_CAP_RING0; load a newer module or use the kvm backend");
		goto out;
	}
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_NR_WINDOWS);
	m->max_slots = n > 0 ? (uint32_t)n : 32;
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_GPA_BITS);
	bits = n >= 36 ? (unsigned)n : 36;
	/* guest page-table entries hold GPAs: below the CPU's physical width too */
	if (__get_cpuid(0x80000008, &eax, &ebx, &ecx, &edx) && (eax & 0xff) >= 36 && (eax & 0xff) < bits)
		bits = eax & 0xff;
	m->gpa_limit = 1ull << bits;
	vm = ioctl(dev, RFK_CREATE_VM, 0);
	if (vm < 0) {
		rc = -errno;
		snprintf(err, errlen, "kmod backend: RFK_CREATE_VM failed: %s%s", strerror(errno),
			 errno == EBUSY ? " (VT-x is in use by another hypervisor: see dmesg)" : "");
		goto out;
	}
	vcpu = ioctl(vm, RFK_CREATE_VCPU, 0);
	if (vcpu < 0) {
		rc = -errno;
		snprintf(err, errlen, "kmod backend: RFK_CREATE_VCPU failed: %s", strerror(errno));
		goto out;
	}
	/* the run area lives in the vault: the guest never maps it */
	run = mmap((void *)(sb_thr_region(m, 0) + THR_RUN), RFK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, vcpu, 0);
	if (run == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "kmod backend: mmap of the run area failed: %s", strerror(errno));
		goto out;
	}
	sb_thr_at(m, 0)->run = run;
	m->kvm_fd = dev;
	m->vm_fd = vm;
	sb_thr_at(m, 0)->vcpu_fd = vcpu;
	return 0;
out:
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(dev);
	return rc;
}

static void rseg(struct rfk_segment *s, uint16_t sel, uint64_t ar)
{
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->attrib = ar;
}

/* the same segment as struct kvm_segment, for the monitor's returns to CPL3 */
static void kseg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t l, uint8_t db)
{
	memset(s, 0, sizeof *s);
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = 3;
	s->s = 1;
	s->l = l;
	s->db = db;
	s->g = 1;
}

static int kmod_setup_vcpu(struct sb_mon *m, const struct sb_entry_state *st, char *err, unsigned long errlen)
{
	struct rfk_sregs s;
	struct rfk_regs r;
	static struct rfk_xsave xs; /* set-up only, before entry */
	unsigned eax, ebx, ecx, edx;
	uint64_t cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
	const char *what;

	if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & 1) && (getauxval(AT_HWCAP2) & 2))
		cr4 |= CR4_FSGSBASE;
	memset(&s, 0, sizeof s);
	s.size = sizeof s;
	rseg(&s.cs, GDT_UCODE, AR_UCODE);
	rseg(&s.ss, GDT_UDATA, AR_UDATA);
	if (m->ring0) { /* Dune mode: the process at CPL0 (monitor/ring0.c) */
		rseg(&s.cs, GDT_KCODE, AR_KCODE);
		rseg(&s.ss, GDT_KDATA, AR_KDATA);
	}
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.fs.base = st->fs_base;
	s.gs.base = st->gs_base;
	s.tr.base = m->sys + SYS_TSS;
	s.tr.limit = 103;
	s.tr.selector = GDT_TSS;
	s.tr.attrib = AR_TSS;
	s.ldt.attrib = AR_UNUSABLE | 2;
	s.gdt_base = m->sys + SYS_GDT;
	s.gdt_limit = GDT_LIMIT;
	s.idt_base = m->sys + SYS_IDT;
	s.idt_limit = 32 * 16 - 1;
	s.cr0 = CR0_GUEST;
	s.cr3 = m->pt.cr3;
	s.cr4 = cr4;
	s.efer = EFER_GUEST;
	s.xcr0 = st->xcr0;
	s.star = ((uint64_t)GDT_UCODE32 << 48) | ((uint64_t)GDT_KCODE << 32);
	s.lstar = m->lstar;
	s.cstar = m->lstar_sysret + 3; /* the ud2 after sysretq */
	s.sfmask = SFMASK_GUEST;
	what = "RFK_SET_SREGS";
	if (ioctl(sb_thr_at(m, 0)->vcpu_fd, RFK_SET_SREGS, &s) < 0)
		goto fail;
	memset(&xs, 0, sizeof xs);
	xs.size = sizeof xs;
	memcpy(xs.region, st->xsave, sizeof xs.region);
	what = "RFK_SET_XSAVE";
	if (ioctl(sb_thr_at(m, 0)->vcpu_fd, RFK_SET_XSAVE, &xs) < 0)
		goto fail;
	memset(&r, 0, sizeof r);
	r.size = sizeof r;
	r.rbx = st->regs->rbx;
	r.rbp = st->regs->rbp;
	r.r12 = st->regs->r12;
	r.r13 = st->regs->r13;
	r.r14 = st->regs->r14;
	r.r15 = st->regs->r15;
	r.rsp = st->regs->rsp;
	r.rip = st->regs->rip;
	r.rax = 0; /* sb_enter() returns 0 inside */
	r.rflags = (st->regs->rflags & 0x00000cd5ull) | 0x202;
	what = "RFK_SET_REGS";
	if (ioctl(sb_thr_at(m, 0)->vcpu_fd, RFK_SET_REGS, &r) < 0)
		goto fail;
	kseg(&m->ucs, GDT_UCODE, 11, 1, 0);
	kseg(&m->uss, GDT_UDATA, 3, 0, 1);
	if (m->ring0) {
		m->ucs.selector = GDT_KCODE;
		m->uss.selector = GDT_KDATA;
		m->ucs.dpl = m->uss.dpl = 0;
	}
	sb_thr_at(m, 0)->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	sb_thr_at(m, 0)->run->kvm_dirty_regs = 0;
	return 0;
fail:
	snprintf(err, errlen, "kmod backend: %s failed: %s", what, strerror(errno));
	return -errno;
}

int sb_kmod_set_window(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
int sb_kmod_run(struct sb_thr *t);
int sb_kmod_get_xsave(struct sb_thr *t, void *area);
int sb_kmod_set_xsave(struct sb_thr *t, const void *area);
int sb_kmod_fork_child(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int sb_kmod_new_vcpu(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);

const struct sb_backend sb_backend_kmod = {
	.name = "kmod",
	.open = kmod_open,
	.setup_vcpu = kmod_setup_vcpu,
	.set_window = sb_kmod_set_window,
	.run = sb_kmod_run,
	.get_xsave = sb_kmod_get_xsave,
	.set_xsave = sb_kmod_set_xsave,
	.fork_child = sb_kmod_fork_child,
	.new_vcpu = sb_kmod_new_vcpu,
};
