/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/enter_x86_64.S: sb_enter()'s way in, the switch to the vault stack, the host signal restorer.
 *
 * sb_enter (and sb_enter_flags, the same with flags in rsi) captures what
 * the caller will find again inside the VM: its
 * callee-saved registers, the stack pointer and return address it will
 * return to, rflags, and the FPU/SSE/AVX state (XSAVE, standard format,
 * components x87 SSE AVX and AVX-512 that the OS enabled). Offsets are
 * those of struct sb_entry_regs (backend/entry_state.h, checked there).
 * sb_enter_impl() returns only on failure; on success the vCPU resumes at
 * the caller's return address with rax = 0.
 */
	.text

	.globl	sb_enter
	.type	sb_enter, @function
	.globl	sb_enter_flags
	.type	sb_enter_flags, @function
sb_enter:
	.cfi_startproc
	xor	%esi, %esi			/* sb_enter(pol) = sb_enter_flags(pol, 0) */
sb_enter_flags:
	mov	%rsp, %rax			/* rax = &return address */
	sub	$(4096 + 128 + 64), %rsp
	and	$-64, %rsp			/* XSAVE area at rsp, 64-byte aligned */
	mov	%rbx, 4096+0x00(%rsp)
	mov	%rbp, 4096+0x08(%rsp)
	mov	%r12, 4096+0x10(%rsp)
	mov	%r13, 4096+0x18(%rsp)
	mov	%r14, 4096+0x20(%rsp)
	mov	%r15, 4096+0x28(%rsp)
	lea	8(%rax), %rcx
	mov	%rcx, 4096+0x30(%rsp)		/* rsp after the return */
	mov	(%rax), %rcx
	mov	%rcx, 4096+0x38(%rsp)		/* return address */
	pushfq
	pop	%rcx
	mov	%rcx, 4096+0x40(%rsp)
	movq	$0, 4096+0x48(%rsp)
	mov	%rax, 4096+0x50(%rsp)
	movq	$0, 4096+0x58(%rsp)
	mov	%rsi, 4096+0x60(%rsp)		/* the flags (SB_ENTER_*) */
	mov	%rdi, %r12			/* the policy */
	mov	%rsp, %rdi			/* zero the XSAVE area (its header must be clean) */
	mov	$512, %ecx
	xor	%eax, %eax
	rep stosq
	mov	$1, %eax
	cpuid
	bt	$27, %ecx			/* CPUID.1:ECX.OSXSAVE */
	jnc	1f
	xor	%ecx, %ecx
	xgetbv
	and	$0xe7, %eax			/* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM */
	xor	%edx, %edx
	mov	%rax, 4096+0x58(%rsp)
	xsave	(%rsp)
	movq	$1, 4096+0x48(%rsp)
1:	mov	%r12, %rdi
	lea	4096(%rsp), %rsi
	mov	%rsp, %rdx
	call	sb_enter_impl
	/* failure: the process goes on outside, as it was */
	mov	4096+0x00(%rsp), %rbx
	mov	4096+0x08(%rsp), %rbp
	mov	4096+0x10(%rsp), %r12
	mov	4096+0x18(%rsp), %r13
	mov	4096+0x20(%rsp), %r14
	mov	4096+0x28(%rsp), %r15
	mov	4096+0x50(%rsp), %rsp
	ret
	.cfi_endproc
	.size	sb_enter, .-sb_enter
	.size	sb_enter_flags, .-sb_enter_flags

/* void sb_switch_to_monitor(struct sb_mon *m, uint64_t stack_top): never returns */
	.globl	sb_switch_to_monitor
	.hidden	sb_switch_to_monitor
	.type	sb_switch_to_monitor, @function
sb_switch_to_monitor:
	mov	%rsi, %rsp
	xor	%ebp, %ebp
	call	mon_main
	ud2
	.size	sb_switch_to_monitor, .-sb_switch_to_monitor

/* Restorer for the monitor's host signal handlers: its own, so that no
 * code of libc (which the guest can remap) runs on the host. */
	.globl	sb_mon_restorer
	.hidden	sb_mon_restorer
	.type	sb_mon_restorer, @function
sb_mon_restorer:
	mov	$15, %eax			/* rt_sigreturn */
	syscall
	ud2
	.size	sb_mon_restorer, .-sb_mon_restorer

/* long sb_sys_intr(long nr, const long a[6], const volatile uint8_t *flag)
 *
 * A forwarded system call that a guest signal may interrupt before it
 * starts. The monitor's host signal handler records a signal and sets
 * *flag (the vCPU's kvm_run.immediate_exit); a blocking call started after
 * that would wait without seeing it (the host kernel has already handed the
 * signal to the handler). So: if *flag is set here, return -ERESTARTNOINTR
 * without making the call; and if the handler interrupts this thread
 * anywhere from sb_intr_begin up to and including the `syscall`
 * instruction itself (sb_intr_sys, not yet executed), it moves the thread to
 * sb_intr_out (monitor/signal.c). The monitor then delivers the signal and
 * has the guest make the call again, as if the signal had come just before
 * its `syscall` instruction. */
	.globl	sb_sys_intr, sb_intr_begin, sb_intr_sys, sb_intr_out
	.hidden	sb_sys_intr, sb_intr_begin, sb_intr_sys, sb_intr_out
	.type	sb_sys_intr, @function
sb_sys_intr:
	mov	%rdi, %rax
	mov	%rdx, %r11
	mov	0(%rsi), %rdi
	mov	16(%rsi), %rdx
	mov	24(%rsi), %r10
	mov	32(%rsi), %r8
	mov	40(%rsi), %r9
	mov	8(%rsi), %rsi
sb_intr_begin:
	cmpb	$0, (%r11)
	jne	sb_intr_out
sb_intr_sys:
	syscall
	ret
sb_intr_out:
	mov	$-513, %rax			/* -ERESTARTNOINTR */
	ret
	.size	sb_sys_intr, .-sb_sys_intr

	.section .note.GNU-stack, "", @progbits
