/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* kmod/rfk.h: ringfence.ko's internal interfaces. */
#ifndef RFK_H
#define RFK_H

#include <linux/bitmap.h>
#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/ringfence.h>

#define RFK_MAX_WINDOWS 4096
#define RFK_MAX_VCPUS 256 /* libsandbox's SB_MAX_THREADS: one vCPU per guest thread */
#define RFK_GPA_LIMIT (1ull << 48) /* 4-level EPT */

struct rfk_window {
	u64 gpa, hva, len; /* len 0: free slot */
};

struct rfk_vm {
	struct mm_struct *mm; /* the creator's: windows are its addresses */
	struct mmu_notifier mn;
	bool mn_registered;
	struct mutex lock;    /* window changes, vCPU creation and release */
	spinlock_t mmu_lock;  /* EPT entries, windows, the invalidation state below */
	unsigned long mmu_seq; /* bumped when an invalidation ends or a window changes */
	long mmu_in_progress;  /* invalidations started and not ended ... */
	u64 inv_start, inv_end; /* ... and the host range they cover (while in progress) */
	u64 *ept_pml4;
	u64 eptp;
	struct rfk_window *win; /* RFK_MAX_WINDOWS */
	int nvcpus;           /* vCPUs alive (under lock) */
	DECLARE_BITMAP(vcpu_ids, RFK_MAX_VCPUS); /* their ids (under lock) */
	struct kref ref;
};

/* guest general registers, in the order rfk_entry.S uses */
struct rfk_gprs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

struct rfk_vcpu {
	struct rfk_vm *vm;
	unsigned int id;        /* unique in its VM */
	struct mutex lock;      /* one RUN or state ioctl at a time */
	struct kvm_run *run;    /* one page, mmap'ed by user space */
	void *vmcs;
	int cpu;                /* where the VMCS is active, -1: nowhere */
	bool launched;
	bool setup_done;        /* the VMCS's constant fields are written */
	struct list_head loaded_link; /* on the per-CPU list while active */
	struct rfk_gprs gprs;
	u64 rip, rsp, rflags;
	u64 cr2;
	u64 xcr0;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u8 *xsave;              /* 4096 bytes, 64-byte aligned */
	/* sregs written by user space, put in the VMCS at the next entry */
	bool sregs_dirty;
	struct rfk_sregs sregs;
	/* an event to deliver at the next entry (VM-entry interruption info) */
	u64 inject_info, inject_err, inject_len;
	/* last exit */
	u32 exit_reason;
	u64 exit_qual, exit_gpa, exit_intr_info, exit_insn_len;
};

/* rfk_vmx.c */
int rfk_vmx_check(void);
int rfk_vmx_get(void);
void rfk_vmx_put(void);
int rfk_vcpu_init(struct rfk_vcpu *v);
void rfk_vcpu_destroy(struct rfk_vcpu *v);
int rfk_vcpu_run(struct rfk_vcpu *v);
int rfk_vcpu_get_sregs(struct rfk_vcpu *v, struct rfk_sregs *s);
int rfk_vcpu_set_sregs(struct rfk_vcpu *v, const struct rfk_sregs *s);
int rfk_xsave_check(const struct rfk_vcpu *v, const u8 *area, u64 xcr0);
void rfk_flush_all(struct rfk_vm *vm);
unsigned int rfk_gpa_bits(void);

/* rfk_mmu.c */
int rfk_mmu_init(struct rfk_vm *vm);
void rfk_mmu_destroy(struct rfk_vm *vm);
int rfk_mmu_set_window(struct rfk_vm *vm, const struct rfk_memory_window *w);
/* 0: mapped (or raced: just re-enter); 1: no window (an MMIO exit);
 * negative errno: the host refused the page */
int rfk_mmu_fault(struct rfk_vm *vm, u64 gpa, bool write);

/* rfk_entry.S: 0 after a VM exit, 1 after VMfail */
int rfk_vmx_enter(struct rfk_gprs *regs, int launched);
void rfk_vmx_exit_rip(void);

#endif
