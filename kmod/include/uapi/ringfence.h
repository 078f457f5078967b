/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/* kmod/include/uapi/ringfence.h: the user-space interface of ringfence.ko (/dev/ringfence).
 *
 * One device, three kinds of file descriptor, as /dev/kvm:
 *   /dev/ringfence   RFK_GET_API_VERSION, RFK_CHECK_EXTENSION, RFK_CREATE_VM
 *   VM fd            RFK_SET_MEMORY_WINDOW, RFK_CREATE_VCPU
 *   vCPU fd          RFK_RUN, RFK_{GET,SET}_{REGS,SREGS,XSAVE}; mmap offset 0,
 *                    RFK_RUN_SIZE bytes: the run area
 *
 * Every struct is made of __u64 only and starts with size (set by the caller
 * to sizeof the struct it was compiled with), flags (0 for now) and reserved
 * words (0). A caller built against a newer header gets EINVAL from an older
 * module, never a silent misreading.
 *
 * The run area has the layout of struct kvm_run (linux/kvm.h) so that a
 * monitor written for /dev/kvm reads exits unchanged. The module fills:
 * exit_reason, and for KVM_EXIT_MMIO mmio.phys_addr/len/is_write (stores and
 * loads to guest-physical addresses no window covers; the instruction is NOT
 * completed: rip still points at it, the monitor sets the next rip), for
 * KVM_EXIT_FAIL_ENTRY fail_entry, for KVM_EXIT_INTERNAL_ERROR internal (data:
 * VMX exit reason, exit qualification, rip). s.regs.regs and s.regs.sregs are
 * always filled on return; kvm_dirty_regs (KVM_SYNC_X86_REGS,
 * KVM_SYNC_X86_SREGS) is honoured on entry, as KVM_CAP_SYNC_REGS.
 * immediate_exit makes RFK_RUN return -EINTR at once.
 *
 * A VM has up to RFK_CAP_MAX_VCPUS vCPUs (ids 0 .. max-1, each id once:
 * EEXIST). Each vCPU fd is driven by one thread at a time; different threads
 * of the creating process may run different vCPUs of one VM at once. VM and
 * vCPU fds answer EIO in any process but the creator (a fork child makes
 * its own VM, with RFK_CREATE_VM on the /dev/ringfence fd it inherited).
 */
#ifndef _UAPI_RINGFENCE_H
#define _UAPI_RINGFENCE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RFK_API_VERSION 1

/* not in Documentation/userspace-api/ioctl/ioctl-number.rst (yet) */
#define RFKIO 0xB9

/* RFK_CHECK_EXTENSION arguments; the ioctl returns 0 for unknown ones */
#define RFK_CAP_RUN_SIZE 1   /* bytes to mmap from a vCPU fd */
#define RFK_CAP_NR_WINDOWS 2 /* memory window slots per VM */
#define RFK_CAP_GPA_BITS 3   /* guest-physical address width */
#define RFK_CAP_MAX_VCPUS 4  /* vCPUs per VM */
#define RFK_CAP_SYNC_REGS 5  /* KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS */
#define RFK_CAP_RING0 6      /* 1: a guest may run at CPL0 (its CR8, RDPMC, WBINVD exit; KERNEL_GS_BASE is switched) */

#define RFK_RUN_SIZE 4096

struct rfk_memory_window {
	__u64 size;     /* sizeof(struct rfk_memory_window) */
	__u64 flags;    /* 0 */
	__u64 slot;     /* < RFK_CAP_NR_WINDOWS */
	__u64 gpa;      /* page aligned */
	__u64 hva;      /* page aligned, in the calling process */
	__u64 len;      /* page multiple; 0 deletes the slot */
	__u64 reserved[2];
};

struct rfk_regs {
	__u64 size, flags, reserved[2];
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* attrib: the VMX access-rights format: type | s << 4 | dpl << 5 |
 * present << 7 | avl << 12 | l << 13 | db << 14 | g << 15 | unusable << 16 */
struct rfk_segment {
	__u64 base, limit, selector, attrib;
};

/* Only 64-bit guests with paging: CR0.PE|PG, CR4.PAE and EFER.LME|LMA. */
struct rfk_sregs {
	__u64 size, flags, reserved[2];
	struct rfk_segment cs, ds, es, fs, gs, ss, tr, ldt;
	__u64 gdt_base, gdt_limit, idt_base, idt_limit;
	__u64 cr0, cr2, cr3, cr4, efer;
	__u64 xcr0; /* the guest's XCR0: a subset of the host's */
	/* the guest's syscall MSRs (loaded around every entry) */
	__u64 star, lstar, cstar, sfmask, kernel_gs_base;
	__u64 reserved2[8];
};

/* standard (non-compacted) XSAVE layout, components of the guest's XCR0 */
struct rfk_xsave {
	__u64 size, flags, reserved[2];
	__u64 region[512];
};

/* /dev/ringfence */
#define RFK_GET_API_VERSION _IO(RFKIO, 0x00)
#define RFK_CHECK_EXTENSION _IO(RFKIO, 0x01)
#define RFK_CREATE_VM _IO(RFKIO, 0x02) /* arg 0; returns a VM fd */
/* VM fd */
#define RFK_SET_MEMORY_WINDOW _IOW(RFKIO, 0x10, struct rfk_memory_window)
#define RFK_CREATE_VCPU _IO(RFKIO, 0x11) /* arg: vCPU id (unique); returns a vCPU fd */
/* vCPU fd */
#define RFK_RUN _IO(RFKIO, 0x20)
#define RFK_GET_REGS _IOR(RFKIO, 0x21, struct rfk_regs)
#define RFK_SET_REGS _IOW(RFKIO, 0x22, struct rfk_regs)
#define RFK_GET_SREGS _IOR(RFKIO, 0x23, struct rfk_sregs)
#define RFK_SET_SREGS _IOW(RFKIO, 0x24, struct rfk_sregs)
#define RFK_GET_XSAVE _IOR(RFKIO, 0x25, struct rfk_xsave)
#define RFK_SET_XSAVE _IOW(RFKIO, 0x26, struct rfk_xsave)

#endif
