/* SPDX-License-Identifier: MIT */
/* bench/bench_tiny.c: a static program that only exits 0: what fork+exec+wait execs. */
void _start(void);
void _start(void)
{
	__asm__ volatile("mov $231, %eax\n\txor %edi, %edi\n\tsyscall\n\thlt");
	__builtin_unreachable();
}
