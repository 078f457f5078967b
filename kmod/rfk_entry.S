/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* kmod/rfk_entry.S: one VM entry and the way back.
 *
 * int rfk_vmx_enter(struct rfk_gprs *regs, int launched)
 *
 * The guest's general registers are loaded from regs, the stub is CALLed
 * and runs VMLAUNCH (launched == 0) or VMRESUME. HOST_RSP is the stub's
 * stack pointer (pointing at the return address of that call) and HOST_RIP
 * is rfk_vmx_exit_rip, which only returns: a VM exit comes back right after
 * the call with RFLAGS cleared, a VMfail falls through the stub's RET with
 * CF or ZF set. The guest's registers are then stored back into regs.
 * Returns 0 after a VM exit, 1 after VMfail, 2 if HOST_RSP could not be
 * written. MOVs, PUSH and POP leave the flags alone, which is what lets
 * the flags of the VMLAUNCH/VMRESUME survive until SETBE.
 */
#include <linux/linkage.h>
#include <asm/asm.h>

#define G_RAX 0
#define G_RBX 8
#define G_RCX 16
#define G_RDX 24
#define G_RSI 32
#define G_RDI 40
#define G_RBP 48
#define G_R8 56
#define G_R9 64
#define G_R10 72
#define G_R11 80
#define G_R12 88
#define G_R13 96
#define G_R14 104
#define G_R15 112
#define VMCS_HOST_RSP 0x6c14

	.text
SYM_FUNC_START_LOCAL(rfk_vmenter_stub)
	jnz	1f			/* ZF clear: the VMCS was launched */
	vmlaunch
	RET				/* VMfail */
1:	vmresume
	RET				/* VMfail */
SYM_FUNC_END(rfk_vmenter_stub)

SYM_FUNC_START(rfk_vmx_exit_rip)
	RET
SYM_FUNC_END(rfk_vmx_exit_rip)

SYM_FUNC_START(rfk_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* regs, at 0(%rsp) until the end */
	lea	-8(%rsp), %rdx		/* the stub's rsp once `call` pushed */
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rdx, %rax
	jbe	.Lhost_rsp_failed
	mov	%rdi, %rax
	test	%esi, %esi
	mov	G_RBX(%rax), %rbx
	mov	G_RCX(%rax), %rcx
	mov	G_RDX(%rax), %rdx
	mov	G_RSI(%rax), %rsi
	mov	G_RDI(%rax), %rdi
	mov	G_RBP(%rax), %rbp
	mov	G_R8(%rax), %r8
	mov	G_R9(%rax), %r9
	mov	G_R10(%rax), %r10
	mov	G_R11(%rax), %r11
	mov	G_R12(%rax), %r12
	mov	G_R13(%rax), %r13
	mov	G_R14(%rax), %r14
	mov	G_R15(%rax), %r15
	mov	G_RAX(%rax), %rax
	call	rfk_vmenter_stub
	push	%rax			/* the guest's rax */
	mov	8(%rsp), %rax		/* regs */
	mov	%rbx, G_RBX(%rax)
	mov	%rcx, G_RCX(%rax)
	mov	%rdx, G_RDX(%rax)
	mov	%rsi, G_RSI(%rax)
	mov	%rdi, G_RDI(%rax)
	mov	%rbp, G_RBP(%rax)
	mov	%r8, G_R8(%rax)
	mov	%r9, G_R9(%rax)
	mov	%r10, G_R10(%rax)
	mov	%r11, G_R11(%rax)
	mov	%r12, G_R12(%rax)
	mov	%r13, G_R13(%rax)
	mov	%r14, G_R14(%rax)
	mov	%r15, G_R15(%rax)
	pop	%rbx
	mov	%rbx, G_RAX(%rax)
	setbe	%al			/* CF or ZF: VMfail */
	movzbl	%al, %eax
	jmp	.Lout
.Lhost_rsp_failed:
	mov	$2, %eax
.Lout:
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(rfk_vmx_enter)
