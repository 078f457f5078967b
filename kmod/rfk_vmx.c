// SPDX-License-Identifier: GPL-2.0 OR MIT
/* kmod/rfk_vmx.c: VMX operation, the VMCS of a vCPU, and its run loop.
 *
 * VMX operation (CR4.VMXE + VMXON) is entered on every online CPU while at
 * least one VM exists, through a dynamic CPU-hotplug state: a CPU that comes
 * online enters it, a CPU that goes offline VMCLEARs every VMCS active on
 * it and leaves. If CR4.VMXE is already set on a CPU, another hypervisor
 * (kvm_intel with a VM running) owns VMX and VM creation fails with EBUSY.
 *
 * A VMCS is active on at most one CPU (vcpu->cpu, and that CPU's list of
 * loaded VMCSs). Each entry runs with preemption off: if the thread moved
 * since the last entry, the VMCS is VMCLEARed on the old CPU (IPI) and
 * VMPTRLDed here, and the per-CPU host fields are rewritten; so a thread
 * may migrate between any two entries without preemption notifiers.
 *
 * Around each entry, with interrupts off: the guest's XSAVE image and XCR0,
 * its syscall MSRs and CR2 are loaded, and the host's put back after the
 * exit (with GDTR/IDTR limits, TSS limit, DS/ES and LDTR, which a VM exit
 * does not restore). External interrupts and NMIs exit; the interrupt is
 * taken when interrupts are enabled again, an NMI is re-raised.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>
#include "rfk.h"

#define XCR0_ALLOWED 0xe7ull /* x87 SSE AVX and AVX-512; never PKRU or AMX */

struct rfk_cpu {
	void *vmxon;          /* VMXON region */
	bool on;              /* in VMX operation */
	struct list_head loaded; /* vCPUs whose VMCS is active here */
	void *cur;            /* the current VMCS (VMPTRLD) */
	u64 star, lstar, cstar, sfmask; /* the host's syscall MSRs (per CPU, fixed at boot) */
};
static DEFINE_PER_CPU(struct rfk_cpu, rfk_cpus);

/* capabilities, read once at load */
static u32 vmcs_rev, pin_ctl, cpu_ctl, cpu2_ctl, exit_ctl, entry_ctl;
static u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, host_xcr0;
static u32 mxcsr_mask;
static unsigned int gpa_bits;

static DEFINE_MUTEX(rfk_vmx_mutex);
static int rfk_vmx_users, rfk_hp_state;

unsigned int rfk_gpa_bits(void)
{
	return gpa_bits;
}

/* ---- VMX instructions ---------------------------------------------------- */

static bool vmxon(u64 pa)
{
	u8 bad;

	asm volatile("vmxon %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return !bad;
}

static bool vmclear(void *vmcs)
{
	u64 pa = __pa(vmcs);
	u8 bad;

	asm volatile("vmclear %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return !bad;
}

static bool vmptrld(void *vmcs)
{
	u64 pa = __pa(vmcs);
	u8 bad;

	asm volatile("vmptrld %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return !bad;
}

static u64 vmr(unsigned long field)
{
	unsigned long val = 0;

	asm volatile("vmread %1, %0" : "=rm"(val) : "r"(field) : "cc");
	return val;
}

static void vmw(unsigned long field, u64 val)
{
	u8 bad;

	asm volatile("vmwrite %1, %2; setna %0" : "=qm"(bad) : "rm"((unsigned long)val), "r"(field) : "cc");
	if (unlikely(bad))
		pr_warn_ratelimited("ringfence: vmwrite %#lx failed (error %llu)\n", field, vmr(VM_INSTRUCTION_ERROR));
}

static void invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp, gpa;
	} d = { eptp, 0 };

	asm volatile("invept %1, %0" : : "r"(type), "m"(d) : "cc", "memory");
}

static int xrstor_safe(const void *buf, u64 mask)
{
	asm goto("1: xrstor64 %0\n\t" _ASM_EXTABLE(1b, %l[fault])
		 : : "m"(*(const u8 *)buf), "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory" : fault);
	return 0;
fault:
	return -EINVAL;
}

static void xsave64(void *buf, u64 mask)
{
	asm volatile("xsave64 %0" : "+m"(*(u8 *)buf) : "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
}

/* ---- capabilities ---------------------------------------------------------- */

static int adjust(u32 msr, u32 want, u32 optional, u32 *out, const char *what)
{
	u64 v;
	u32 r;

	rdmsrl(msr, v);
	r = (want | optional | (u32)v) & (u32)(v >> 32);
	if ((r & want) != want) {
		pr_err("ringfence: VT-x lacks %s controls %#x (a nested hypervisor without them?)\n", what,
		       want & ~r);
		return -ENODEV;
	}
	*out = r;
	return 0;
}

int rfk_vmx_check(void)
{
	u64 basic, feat, ept, v;
	u32 a, b, c, d;
	bool tru;
	int rc = -ENODEV;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & BIT(5))) {
		pr_err("ringfence: the CPU has no VT-x (CPUID.1:ECX.VMX clear; AMD, or a hypervisor hiding it)\n");
		goto out;
	}
	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) || !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("ringfence: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx): enable it in the BIOS\n",
		       feat);
		goto out;
	}
	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmcs_rev = basic & 0x7fffffff;
	tru = basic & BIT_ULL(55);
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE || ((basic >> 50) & 0xf) != 6) {
		pr_err("ringfence: unsupported VMCS (IA32_VMX_BASIC=%#llx)\n", basic);
		goto out;
	}
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS, v);
	if (!(v & BIT_ULL(63))) {
		pr_err("ringfence: VT-x has no secondary controls, so no EPT (an old CPU or a nested hypervisor)\n");
		goto out;
	}
	rc = adjust(tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
		    PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING, 0, &pin_ctl, "pin-based");
	if (!rc)
		rc = adjust(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
			    CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
			    CPU_BASED_MOV_DR_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			    /* a guest at CPL0 (ring-0 mode) would otherwise reach the
			     * host's TPR through CR8 and read the host's counters */
			    CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING | CPU_BASED_RDPMC_EXITING |
			    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0, &cpu_ctl, "processor-based");
	if (!rc)
		rc = adjust(MSR_IA32_VMX_PROCBASED_CTLS2, SECONDARY_EXEC_ENABLE_EPT,
			    /* WBINVD at CPL0 would flush the host's caches */
			    SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_WBINVD_EXITING, &cpu2_ctl, "secondary (EPT)");
	if (!rc)
		rc = adjust(tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
			    VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_EFER |
			    VM_EXIT_LOAD_IA32_PAT, 0, &exit_ctl, "VM-exit");
	if (!rc)
		rc = adjust(tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
			    VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT, 0, &entry_ctl,
			    "VM-entry");
	if (rc)
		goto out;
	/* whatever the capability MSRs force on, these must stay off */
	rc = -ENODEV;
	if (cpu_ctl & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING | CPU_BASED_USE_TSC_OFFSETTING |
		       CPU_BASED_RDTSC_EXITING)) {
		pr_err("ringfence: VT-x forces CR3 or TSC exiting (no true controls)\n");
		goto out;
	}
	exit_ctl &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, ept);
	if (!(ept & VMX_EPT_PAGE_WALK_4_BIT) || !(ept & VMX_EPTP_WB_BIT) || !(ept & VMX_EPT_INVEPT_BIT) ||
	    !(ept & VMX_EPT_EXTENT_CONTEXT_BIT) || !(ept & VMX_EPT_EXTENT_GLOBAL_BIT)) {
		pr_err("ringfence: EPT lacks 4-level walks, write-back or INVEPT (IA32_VMX_EPT_VPID_CAP=%#llx)\n", ept);
		goto out;
	}
	if (!boot_cpu_has(X86_FEATURE_XSAVE) || !boot_cpu_has(X86_FEATURE_OSXSAVE)) {
		pr_err("ringfence: the host has no XSAVE\n");
		goto out;
	}
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, cr4_fixed1);
	host_xcr0 = xgetbv(0);
	gpa_bits = boot_cpu_data.x86_phys_bits;
	{
		u8 *fx = kzalloc(512 + 16, GFP_KERNEL);
		u8 *a16;

		rc = -ENOMEM;
		if (!fx)
			goto out;
		a16 = PTR_ALIGN(fx, 16);
		kernel_fpu_begin();
		asm volatile("fxsave64 %0" : "=m"(*(u8 (*)[512])a16));
		kernel_fpu_end();
		mxcsr_mask = *(u32 *)(a16 + 28);
		if (!mxcsr_mask)
			mxcsr_mask = 0xffbf;
		kfree(fx);
	}
	rc = 0;
out:
	return rc;
}

/* ---- VMX operation on each CPU ------------------------------------------- */

static int rfk_cpu_online(unsigned int cpu)
{
	struct rfk_cpu *c = per_cpu_ptr(&rfk_cpus, cpu);
	unsigned long flags;
	int rc = 0;

	if (!c->vmxon) {
		c->vmxon = (void *)get_zeroed_page(GFP_KERNEL);
		if (!c->vmxon)
			return -ENOMEM;
		INIT_LIST_HEAD(&c->loaded);
	}
	*(u32 *)c->vmxon = vmcs_rev;
	local_irq_save(flags);
	if (__read_cr4() & X86_CR4_VMXE) {
		pr_err("ringfence: VT-x is in use on CPU %u (CR4.VMXE set: kvm_intel running a VM?)\n", cpu);
		rc = -EBUSY;
		goto out;
	}
	cr4_set_bits(X86_CR4_VMXE);
	if (!vmxon(__pa(c->vmxon))) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("ringfence: VMXON failed on CPU %u\n", cpu);
		rc = -EIO;
		goto out;
	}
	c->on = true;
	c->cur = NULL;
	/* nothing cached from whoever used VMX here before */
	invept(VMX_EPT_EXTENT_GLOBAL, 0);
	rdmsrl(MSR_STAR, c->star);
	rdmsrl(MSR_LSTAR, c->lstar);
	rdmsrl(MSR_CSTAR, c->cstar);
	rdmsrl(MSR_SYSCALL_MASK, c->sfmask);
out:
	local_irq_restore(flags);
	return rc;
}

static void clear_here(struct rfk_vcpu *v, struct rfk_cpu *c)
{
	vmclear(v->vmcs);
	list_del_init(&v->loaded_link);
	if (c->cur == v->vmcs)
		c->cur = NULL;
	v->launched = false;
	WRITE_ONCE(v->cpu, -1);
}

static int rfk_cpu_offline(unsigned int cpu)
{
	struct rfk_cpu *c = per_cpu_ptr(&rfk_cpus, cpu);
	struct rfk_vcpu *v, *n;
	unsigned long flags;

	local_irq_save(flags);
	if (c->on) {
		list_for_each_entry_safe(v, n, &c->loaded, loaded_link)
			clear_here(v, c);
		asm volatile("vmxoff" ::: "cc", "memory");
		cr4_clear_bits(X86_CR4_VMXE);
		c->on = false;
	}
	local_irq_restore(flags);
	return 0;
}

int rfk_vmx_get(void)
{
	int rc = 0;

	mutex_lock(&rfk_vmx_mutex);
	if (rfk_vmx_users == 0) {
		rc = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "ringfence/vmx:online", rfk_cpu_online, rfk_cpu_offline);
		if (rc < 0)
			goto out;
		rfk_hp_state = rc;
		rc = 0;
	}
	rfk_vmx_users++;
out:
	mutex_unlock(&rfk_vmx_mutex);
	return rc;
}

void rfk_vmx_put(void)
{
	int cpu;

	mutex_lock(&rfk_vmx_mutex);
	if (--rfk_vmx_users == 0) {
		cpuhp_remove_state(rfk_hp_state);
		for_each_possible_cpu(cpu) {
			struct rfk_cpu *c = per_cpu_ptr(&rfk_cpus, cpu);

			free_page((unsigned long)c->vmxon);
			c->vmxon = NULL;
		}
	}
	mutex_unlock(&rfk_vmx_mutex);
}

static void flush_cb(void *arg)
{
	struct rfk_vm *vm = arg;

	if (this_cpu_ptr(&rfk_cpus)->on)
		invept(VMX_EPT_EXTENT_CONTEXT, vm->eptp);
}

void rfk_flush_all(struct rfk_vm *vm)
{
	on_each_cpu(flush_cb, vm, 1);
}

/* ---- the VMCS ---------------------------------------------------------------- */

struct seg_fields {
	u32 sel, base, limit, ar;
};

/* in the order of struct rfk_sregs: cs ds es fs gs ss tr ldt */
static const struct seg_fields segf[8] = {
	{ GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES },
	{ GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
	{ GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
	{ GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
	{ GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
	{ GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
	{ GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES },
	{ GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES },
};

static struct rfk_segment *seg_of(struct rfk_sregs *s, int i)
{
	return &(&s->cs)[i];
}

/* constant fields, written once per VMCS */
static void vmcs_setup(struct rfk_vcpu *v)
{
	u64 val;

	vmw(PIN_BASED_VM_EXEC_CONTROL, pin_ctl);
	vmw(CPU_BASED_VM_EXEC_CONTROL, cpu_ctl);
	vmw(SECONDARY_VM_EXEC_CONTROL, cpu2_ctl);
	vmw(VM_EXIT_CONTROLS, exit_ctl);
	vmw(VM_ENTRY_CONTROLS, entry_ctl);
	vmw(EXCEPTION_BITMAP, 0); /* every guest exception goes through the guest's IDT */
	vmw(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmw(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmw(CR3_TARGET_COUNT, 0);
	vmw(VM_EXIT_MSR_STORE_COUNT, 0);
	vmw(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmw(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmw(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* the host owns every CR0/CR4 bit: a guest write exits */
	vmw(CR0_GUEST_HOST_MASK, ~0ul);
	vmw(CR4_GUEST_HOST_MASK, ~0ul);
	vmw(EPT_POINTER, v->vm->eptp);
	vmw(VMCS_LINK_POINTER, ~0ull);

	vmw(HOST_CR0, read_cr0());
	vmw(HOST_CS_SELECTOR, __KERNEL_CS);
	vmw(HOST_SS_SELECTOR, __KERNEL_DS);
	vmw(HOST_DS_SELECTOR, __KERNEL_DS);
	vmw(HOST_ES_SELECTOR, __KERNEL_DS);
	vmw(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmw(HOST_RIP, (unsigned long)rfk_vmx_exit_rip);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmw(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmw(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_EFER, val);
	vmw(HOST_IA32_EFER, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmw(HOST_IA32_PAT, val);
	vmw(GUEST_IA32_PAT, val);

	vmw(GUEST_DR7, 0x400);
	vmw(GUEST_IA32_DEBUGCTL, 0);
	vmw(GUEST_SYSENTER_CS, 0);
	vmw(GUEST_SYSENTER_ESP, 0);
	vmw(GUEST_SYSENTER_EIP, 0);
	vmw(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmw(GUEST_ACTIVITY_STATE, 0);
	vmw(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/* per-CPU host fields, written when the VMCS arrives on a CPU */
static void vmcs_host_cpu(void)
{
	struct desc_ptr gdt, idt;
	u64 val;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmw(HOST_GDTR_BASE, gdt.address);
	vmw(HOST_IDTR_BASE, idt.address);
	vmw(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(smp_processor_id())->tss.x86_tss);
	rdmsrl(MSR_GS_BASE, val);
	vmw(HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmw(HOST_IA32_SYSENTER_ESP, val);
}

static void clear_cb(void *arg)
{
	struct rfk_vcpu *v = arg;

	if (READ_ONCE(v->cpu) == smp_processor_id())
		clear_here(v, this_cpu_ptr(&rfk_cpus));
}

/* Make v's VMCS current on this CPU. Preemption off, interrupts on. */
static int vcpu_load(struct rfk_vcpu *v)
{
	struct rfk_cpu *c = this_cpu_ptr(&rfk_cpus);
	int cpu = smp_processor_id(), old = READ_ONCE(v->cpu);

	if (!c->on)
		return -EIO;
	if (old == cpu) {
		if (c->cur != v->vmcs) {
			if (!vmptrld(v->vmcs))
				return -EIO;
			c->cur = v->vmcs;
		}
		return 0;
	}
	if (old >= 0)
		smp_call_function_single(old, clear_cb, v, 1);
	/* an offline CPU cleared it on its way down; anything else is a bug */
	if (READ_ONCE(v->cpu) >= 0)
		return -EIO;
	local_irq_disable();
	if (!vmptrld(v->vmcs)) {
		local_irq_enable();
		return -EIO;
	}
	c->cur = v->vmcs;
	list_add(&v->loaded_link, &c->loaded);
	WRITE_ONCE(v->cpu, cpu);
	local_irq_enable();
	if (!v->setup_done) {
		vmcs_setup(v);
		v->setup_done = true;
	}
	vmcs_host_cpu();
	invept(VMX_EPT_EXTENT_CONTEXT, v->vm->eptp);
	return 0;
}

int rfk_vcpu_init(struct rfk_vcpu *v)
{
	int rc = -ENOMEM;

	v->cpu = -1;
	INIT_LIST_HEAD(&v->loaded_link);
	v->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	v->xsave = (u8 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	v->run = (struct kvm_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->vmcs || !v->xsave || !v->run)
		goto out;
	*(u32 *)v->vmcs = vmcs_rev;
	/* x87 and SSE in their initial state: FCW 0x37f, MXCSR 0x1f80 */
	*(u16 *)v->xsave = 0x37f;
	*(u32 *)(v->xsave + 24) = 0x1f80;
	v->xcr0 = host_xcr0 & XCR0_ALLOWED;
	v->rflags = 2;
	rc = 0;
out:
	return rc;
}

void rfk_vcpu_destroy(struct rfk_vcpu *v)
{
	int old;

	preempt_disable();
	old = READ_ONCE(v->cpu);
	if (old >= 0)
		smp_call_function_single(old, clear_cb, v, 1);
	preempt_enable();
	free_page((unsigned long)v->vmcs);
	free_page((unsigned long)v->xsave);
	free_page((unsigned long)v->run);
}

/* ---- guest state --------------------------------------------------------- */

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* Checks on state that user space gives (RFK_SET_SREGS, or the run area's
 * sync registers). The CPU checks guest state again at VM entry and fails
 * the entry (KVM_EXIT_FAIL_ENTRY), so these exist for what the CPU would
 * not check or where a failure would hit the host: values loaded into
 * host registers (MSRs, XCR0) and fields a VMWRITE would silently cut. */
static int sregs_check(const struct rfk_sregs *s)
{
	int i;

	/* defends against a struct from another ABI revision */
	if (s->size != sizeof(*s) || s->flags)
		return -EINVAL;
	for (i = 0; i < 8; i++) {
		const struct rfk_segment *g = &(&s->cs)[i];

		/* defends against values a VMWRITE would truncate */
		if (g->limit > 0xffffffffull || g->selector > 0xffff || (g->attrib & ~0x1f0ffull))
			return -EINVAL;
	}
	/* defends against truncated descriptor-table limits */
	if (s->gdt_limit > 0xffff || s->idt_limit > 0xffff)
		return -EINVAL;
	/* only 64-bit paging guests; defends against VMX-required bits
	 * (CR0.PE/PG/NE, CR4.VMXE) being cleared or unsupported ones set */
	if ((s->cr0 & cr0_fixed0) != cr0_fixed0 || (s->cr0 & ~cr0_fixed1) || (s->cr0 >> 32))
		return -EINVAL;
	if (!(s->cr4 & X86_CR4_PAE) || (s->cr4 & X86_CR4_VMXE) || ((s->cr4 | cr4_fixed0) & ~cr4_fixed1) ||
	    (s->cr4 & (X86_CR4_PKE | X86_CR4_PCIDE | X86_CR4_LA57 | X86_CR4_CET | X86_CR4_SMXE)))
		return -EINVAL;
	if ((s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)) || !(s->efer & EFER_LMA))
		return -EINVAL;
	/* defends against an XCR0 the host cannot load (XSETBV #GP in the
	 * host) or components the host kernel itself relies on (PKRU, AMX) */
	if (!(s->xcr0 & 1) || (s->xcr0 & ~(host_xcr0 & XCR0_ALLOWED)) || ((s->xcr0 & 4) && !(s->xcr0 & 2)) ||
	    ((s->xcr0 & 0xe0) && (s->xcr0 & 0xe4) != 0xe4))
		return -EINVAL;
	/* defends against #GP on the host's WRMSR of the guest's values */
	if (!canonical(s->lstar) || !canonical(s->cstar) || !canonical(s->kernel_gs_base) || (s->sfmask >> 32))
		return -EINVAL;
	return 0;
}

/* Write v->sregs into the current VMCS. */
static void sregs_to_vmcs(struct rfk_vcpu *v)
{
	struct rfk_sregs *s = &v->sregs;
	int i;

	for (i = 0; i < 8; i++) {
		const struct rfk_segment *g = seg_of(s, i);

		vmw(segf[i].sel, g->selector);
		vmw(segf[i].base, g->base);
		vmw(segf[i].limit, g->limit);
		vmw(segf[i].ar, g->attrib);
	}
	vmw(GUEST_GDTR_BASE, s->gdt_base);
	vmw(GUEST_GDTR_LIMIT, s->gdt_limit);
	vmw(GUEST_IDTR_BASE, s->idt_base);
	vmw(GUEST_IDTR_LIMIT, s->idt_limit);
	vmw(GUEST_CR0, s->cr0);
	vmw(CR0_READ_SHADOW, s->cr0);
	vmw(GUEST_CR3, s->cr3);
	vmw(GUEST_CR4, s->cr4 | cr4_fixed0);
	vmw(CR4_READ_SHADOW, s->cr4);
	vmw(GUEST_IA32_EFER, s->efer);
	vmw(VM_ENTRY_CONTROLS, (s->efer & EFER_LMA) ? entry_ctl : (entry_ctl & ~VM_ENTRY_IA32E_MODE));
}

/* Read the guest's system state. Preemption off, VMCS loaded. */
static void sregs_from_vmcs(struct rfk_vcpu *v, struct rfk_sregs *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	for (i = 0; i < 8; i++) {
		struct rfk_segment *g = seg_of(s, i);

		g->selector = vmr(segf[i].sel);
		g->base = vmr(segf[i].base);
		g->limit = vmr(segf[i].limit);
		g->attrib = vmr(segf[i].ar);
	}
	s->gdt_base = vmr(GUEST_GDTR_BASE);
	s->gdt_limit = vmr(GUEST_GDTR_LIMIT);
	s->idt_base = vmr(GUEST_IDTR_BASE);
	s->idt_limit = vmr(GUEST_IDTR_LIMIT);
	s->cr0 = vmr(CR0_READ_SHADOW);
	s->cr3 = vmr(GUEST_CR3);
	s->cr4 = vmr(CR4_READ_SHADOW);
	s->efer = vmr(GUEST_IA32_EFER);
}

int rfk_vcpu_get_sregs(struct rfk_vcpu *v, struct rfk_sregs *s)
{
	int rc = 0;

	if (v->sregs_dirty || !v->setup_done) {
		*s = v->sregs;
	} else {
		preempt_disable();
		rc = vcpu_load(v);
		if (!rc)
			sregs_from_vmcs(v, s);
		preempt_enable();
	}
	s->size = sizeof(*s);
	s->cr2 = v->cr2;
	s->xcr0 = v->xcr0;
	s->star = v->star;
	s->lstar = v->lstar;
	s->cstar = v->cstar;
	s->sfmask = v->sfmask;
	s->kernel_gs_base = v->kernel_gs_base;
	return rc;
}

int rfk_vcpu_set_sregs(struct rfk_vcpu *v, const struct rfk_sregs *s)
{
	int rc = sregs_check(s);

	if (rc)
		return rc;
	v->sregs = *s;
	v->sregs_dirty = true;
	v->cr2 = s->cr2;
	v->xcr0 = s->xcr0;
	v->star = s->star;
	v->lstar = s->lstar;
	v->cstar = s->cstar;
	v->sfmask = s->sfmask;
	v->kernel_gs_base = s->kernel_gs_base;
	return 0;
}

int rfk_xsave_check(const struct rfk_vcpu *v, const u8 *area, u64 xcr0)
{
	u64 xstate_bv = *(const u64 *)(area + 512), xcomp_bv = *(const u64 *)(area + 520);
	u32 mxcsr = *(const u32 *)(area + 24);
	int i;

	/* defends against an image XRSTOR would refuse with #GP in the host:
	 * compacted format, components outside XCR0, reserved header bytes,
	 * reserved MXCSR bits (XRSTOR is also fenced by an exception fixup) */
	if (xcomp_bv || (xstate_bv & ~xcr0) || (mxcsr & ~mxcsr_mask))
		return -EINVAL;
	for (i = 528; i < 576; i++)
		if (area[i])
			return -EINVAL;
	return 0;
}

/* ---- run ------------------------------------------------------------------- */

struct host_save {
	struct desc_ptr gdt, idt;
	u16 ds, es, ldt;
	u64 kernel_gs_base; /* the thread's user GS base while in the kernel */
};

static void wrmsr_guest(struct rfk_vcpu *v)
{
	/* values checked by sregs_check(); _safe all the same */
	wrmsrl_safe(MSR_STAR, v->star);
	wrmsrl_safe(MSR_LSTAR, v->lstar);
	wrmsrl_safe(MSR_CSTAR, v->cstar);
	wrmsrl_safe(MSR_SYSCALL_MASK, v->sfmask);
	/* a guest at CPL0 (ring-0 mode) may run SWAPGS, which exchanges GS
	 * base with this MSR: the guest's own value while it runs */
	wrmsrl_safe(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
}

static void wrmsr_host(const struct rfk_cpu *c)
{
	wrmsrl(MSR_STAR, c->star);
	wrmsrl(MSR_LSTAR, c->lstar);
	wrmsrl(MSR_CSTAR, c->cstar);
	wrmsrl(MSR_SYSCALL_MASK, c->sfmask);
}

/* One VM entry and exit. 0, or a negative errno. */
static int enter_once(struct rfk_vcpu *v)
{
	struct rfk_cpu *c;
	struct host_save hs;
	u64 val;
	u16 fs, gs;
	int r, rc;

	kernel_fpu_begin(); /* saves the thread's FPU state, preemption off */
	rc = vcpu_load(v);
	if (rc)
		goto fpu;
	c = this_cpu_ptr(&rfk_cpus);
	if (v->sregs_dirty) {
		sregs_to_vmcs(v);
		v->sregs_dirty = false;
	}
	vmw(GUEST_RIP, v->rip);
	vmw(GUEST_RSP, v->rsp);
	vmw(GUEST_RFLAGS, (v->rflags & 0x3f7fd7ull) | 2);
	if (v->inject_info) {
		vmw(VM_ENTRY_INTR_INFO_FIELD, v->inject_info);
		vmw(VM_ENTRY_EXCEPTION_ERROR_CODE, v->inject_err);
		vmw(VM_ENTRY_INSTRUCTION_LEN, v->inject_len);
		v->inject_info = 0;
	}
	vmw(HOST_CR3, __read_cr3());
	vmw(HOST_CR4, __read_cr4());
	savesegment(fs, fs);
	savesegment(gs, gs);
	vmw(HOST_FS_SELECTOR, (fs & 7) ? 0 : fs);
	vmw(HOST_GS_SELECTOR, (gs & 7) ? 0 : gs);
	rdmsrl(MSR_FS_BASE, val);
	vmw(HOST_FS_BASE, val);

	local_irq_disable();
	native_store_gdt(&hs.gdt);
	store_idt(&hs.idt);
	savesegment(ds, hs.ds);
	savesegment(es, hs.es);
	asm volatile("sldt %0" : "=g"(hs.ldt));
	rc = xrstor_safe(v->xsave, v->xcr0);
	if (rc)
		goto irq;
	if (v->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, v->xcr0);
	rdmsrl(MSR_KERNEL_GS_BASE, hs.kernel_gs_base);
	wrmsr_guest(v);
	if (native_read_cr2() != v->cr2)
		native_write_cr2(v->cr2);

	r = rfk_vmx_enter(&v->gprs, v->launched);

	v->cr2 = native_read_cr2();
	wrmsr_host(c);
	rdmsrl(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, hs.kernel_gs_base);
	native_load_gdt(&hs.gdt);
	native_load_idt(&hs.idt);
	invalidate_tss_limit();
	loadsegment(ds, hs.ds);
	loadsegment(es, hs.es);
	if (hs.ldt)
		asm volatile("lldt %0" : : "rm"(hs.ldt));
	xsave64(v->xsave, v->xcr0);
	if (v->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	if (r) {
		pr_warn_ratelimited("ringfence: %s failed (%d, VM-instruction error %llu)\n",
				    v->launched ? "VMRESUME" : "VMLAUNCH", r, vmr(VM_INSTRUCTION_ERROR));
		rc = -EIO;
		goto irq;
	}
	v->exit_reason = vmr(VM_EXIT_REASON);
	/* a VM entry that failed its guest-state checks leaves the VMCS clear */
	if (!(v->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		v->launched = true;
	v->exit_qual = vmr(EXIT_QUALIFICATION);
	v->exit_intr_info = vmr(VM_EXIT_INTR_INFO);
	v->exit_insn_len = vmr(VM_EXIT_INSTRUCTION_LEN);
	v->exit_gpa = vmr(GUEST_PHYSICAL_ADDRESS);
	v->rip = vmr(GUEST_RIP);
	v->rsp = vmr(GUEST_RSP);
	v->rflags = vmr(GUEST_RFLAGS);
	val = vmr(IDT_VECTORING_INFO_FIELD);
	if (val & INTR_INFO_VALID_MASK) {
		/* the exit interrupted an event's delivery (an EPT violation on
		 * the guest's IDT or stack): deliver it again at the next entry */
		v->inject_info = val & ~(u64)INTR_INFO_UNBLOCK_NMI;
		v->inject_err = vmr(IDT_VECTORING_ERROR_CODE);
		v->inject_len = v->exit_insn_len;
	}
	if ((v->exit_reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	    (v->exit_intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		asm volatile("int $2"); /* the host's NMI, taken in the guest */
irq:
	local_irq_enable(); /* an external interrupt that made the exit is taken here */
fpu:
	kernel_fpu_end();
	return rc;
}

static void cpuid_exit(struct rfk_vcpu *v)
{
	u32 fn = (u32)v->gprs.rax, idx = (u32)v->gprs.rcx, a, b, c, d;

	cpuid_count(fn, idx, &a, &b, &c, &d);
	if (fn == 1)
		c &= ~BIT(5); /* no VMX inside */
	if (fn == 7 && idx == 0)
		c &= ~BIT(4); /* OSPKE: the guest has no CR4.PKE */
	v->gprs.rax = a;
	v->gprs.rbx = b;
	v->gprs.rcx = c;
	v->gprs.rdx = d;
	v->rip += v->exit_insn_len;
}

static int internal_error(struct rfk_vcpu *v)
{
	struct kvm_run *run = v->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 3;
	run->internal.data[0] = v->exit_reason;
	run->internal.data[1] = v->exit_qual;
	run->internal.data[2] = v->rip;
	return 1;
}

/* 0: back into the guest; 1: an exit for user space; negative errno */
static int handle_exit(struct rfk_vcpu *v)
{
	struct kvm_run *run = v->run;
	int rc;

	if (v->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = v->exit_reason;
		run->fail_entry.cpu = smp_processor_id();
		return 1;
	}
	switch (v->exit_reason & 0xffff) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		return 0;
	case EXIT_REASON_EXCEPTION_NMI:
		if ((v->exit_intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			return 0;
		return internal_error(v);
	case EXIT_REASON_TRIPLE_FAULT:
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 1;
	case EXIT_REASON_CPUID:
		cpuid_exit(v);
		return 0;
	case EXIT_REASON_EPT_VIOLATION:
		rc = rfk_mmu_fault(v->vm, v->exit_gpa, !!(v->exit_qual & EPT_VIOLATION_ACC_WRITE));
		if (rc == 1) {
			run->exit_reason = KVM_EXIT_MMIO;
			run->mmio.phys_addr = v->exit_gpa;
			run->mmio.len = 8;
			run->mmio.is_write = !!(v->exit_qual & EPT_VIOLATION_ACC_WRITE);
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		}
		return rc;
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		/* no VMX inside: #UD, as on a CPU without it */
		if (!v->inject_info)
			v->inject_info = INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | UD_VECTOR;
		return 0;
	default:
		return internal_error(v);
	}
}

static void seg_to_kvm(const struct rfk_segment *g, struct kvm_segment *k)
{
	k->base = g->base;
	k->limit = (u32)g->limit;
	k->selector = (u16)g->selector;
	k->type = g->attrib & 15;
	k->s = (g->attrib >> 4) & 1;
	k->dpl = (g->attrib >> 5) & 3;
	k->present = (g->attrib >> 7) & 1;
	k->avl = (g->attrib >> 12) & 1;
	k->l = (g->attrib >> 13) & 1;
	k->db = (g->attrib >> 14) & 1;
	k->g = (g->attrib >> 15) & 1;
	k->unusable = (g->attrib >> 16) & 1;
	k->padding = 0;
}

static void seg_from_kvm(const struct kvm_segment *k, struct rfk_segment *g)
{
	g->base = k->base;
	g->limit = k->limit;
	g->selector = k->selector;
	g->attrib = (k->type & 15) | (k->s & 1) << 4 | (k->dpl & 3) << 5 | (k->present & 1) << 7 |
		    (k->avl & 1) << 12 | (k->l & 1) << 13 | (k->db & 1) << 14 | (k->g & 1) << 15 |
		    (u64)(k->unusable & 1) << 16;
}

/* the run area's sync registers, as KVM_CAP_SYNC_REGS */
static int sync_in(struct rfk_vcpu *v)
{
	struct kvm_run *run = v->run;
	u64 dirty = READ_ONCE(run->kvm_dirty_regs);
	int rc = 0, i;

	if (dirty & KVM_SYNC_X86_REGS) {
		/* one copy: user space may change the page while we read it */
		struct kvm_regs r;

		memcpy(&r, &run->s.regs.regs, sizeof(r));
		v->gprs.rax = r.rax;
		v->gprs.rbx = r.rbx;
		v->gprs.rcx = r.rcx;
		v->gprs.rdx = r.rdx;
		v->gprs.rsi = r.rsi;
		v->gprs.rdi = r.rdi;
		v->gprs.rbp = r.rbp;
		v->gprs.r8 = r.r8;
		v->gprs.r9 = r.r9;
		v->gprs.r10 = r.r10;
		v->gprs.r11 = r.r11;
		v->gprs.r12 = r.r12;
		v->gprs.r13 = r.r13;
		v->gprs.r14 = r.r14;
		v->gprs.r15 = r.r15;
		v->rsp = r.rsp;
		v->rip = r.rip;
		v->rflags = r.rflags;
	}
	if (dirty & KVM_SYNC_X86_SREGS) {
		struct kvm_sregs k;
		struct rfk_sregs s;
		const struct kvm_segment *ks[8];

		memcpy(&k, &run->s.regs.sregs, sizeof(k));
		rc = rfk_vcpu_get_sregs(v, &s);
		if (rc)
			goto out;
		ks[0] = &k.cs;
		ks[1] = &k.ds;
		ks[2] = &k.es;
		ks[3] = &k.fs;
		ks[4] = &k.gs;
		ks[5] = &k.ss;
		ks[6] = &k.tr;
		ks[7] = &k.ldt;
		for (i = 0; i < 8; i++)
			seg_from_kvm(ks[i], seg_of(&s, i));
		s.gdt_base = k.gdt.base;
		s.gdt_limit = k.gdt.limit;
		s.idt_base = k.idt.base;
		s.idt_limit = k.idt.limit;
		s.cr0 = k.cr0;
		s.cr2 = k.cr2;
		s.cr3 = k.cr3;
		s.cr4 = k.cr4;
		s.efer = k.efer;
		rc = rfk_vcpu_set_sregs(v, &s);
	}
out:
	WRITE_ONCE(run->kvm_dirty_regs, 0);
	return rc;
}

static void sync_out(struct rfk_vcpu *v)
{
	struct kvm_run *run = v->run;
	struct kvm_regs *r = &run->s.regs.regs;
	struct kvm_sregs *k = &run->s.regs.sregs;
	struct rfk_sregs s;

	r->rax = v->gprs.rax;
	r->rbx = v->gprs.rbx;
	r->rcx = v->gprs.rcx;
	r->rdx = v->gprs.rdx;
	r->rsi = v->gprs.rsi;
	r->rdi = v->gprs.rdi;
	r->rbp = v->gprs.rbp;
	r->r8 = v->gprs.r8;
	r->r9 = v->gprs.r9;
	r->r10 = v->gprs.r10;
	r->r11 = v->gprs.r11;
	r->r12 = v->gprs.r12;
	r->r13 = v->gprs.r13;
	r->r14 = v->gprs.r14;
	r->r15 = v->gprs.r15;
	r->rsp = v->rsp;
	r->rip = v->rip;
	r->rflags = v->rflags;
	if (rfk_vcpu_get_sregs(v, &s))
		return;
	seg_to_kvm(&s.cs, &k->cs);
	seg_to_kvm(&s.ds, &k->ds);
	seg_to_kvm(&s.es, &k->es);
	seg_to_kvm(&s.fs, &k->fs);
	seg_to_kvm(&s.gs, &k->gs);
	seg_to_kvm(&s.ss, &k->ss);
	seg_to_kvm(&s.tr, &k->tr);
	seg_to_kvm(&s.ldt, &k->ldt);
	k->gdt.base = s.gdt_base;
	k->gdt.limit = (u16)s.gdt_limit;
	k->idt.base = s.idt_base;
	k->idt.limit = (u16)s.idt_limit;
	k->cr0 = s.cr0;
	k->cr2 = s.cr2;
	k->cr3 = s.cr3;
	k->cr4 = s.cr4;
	k->efer = s.efer;
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	run->if_flag = !!(v->rflags & X86_EFLAGS_IF);
}

int rfk_vcpu_run(struct rfk_vcpu *v)
{
	struct kvm_run *run = v->run;
	int rc;

	rc = sync_in(v);
	if (rc)
		goto out;
	for (;;) {
		/* an event whose delivery an exit interrupted (an EPT violation
		 * on the IDT or the IST stack) is delivered first: user space
		 * never sees a vCPU half-way into an exception, so what it
		 * changes for a signal (rip, rsp) cannot meet a stale event */
		if (!v->inject_info && (READ_ONCE(run->immediate_exit) || signal_pending(current))) {
			run->exit_reason = KVM_EXIT_INTR;
			rc = -EINTR;
			break;
		}
		cond_resched();
		rc = enter_once(v);
		if (rc)
			break;
		rc = handle_exit(v);
		if (rc < 0)
			break;
		if (rc == 1) {
			rc = 0;
			break;
		}
	}
	sync_out(v);
out:
	return rc;
}
