/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/patch_insn.c: prove that a `mov $nr, %eax` begins an instruction.
 *
 * x86 code cannot be decoded backwards: the five bytes b8 xx xx xx xx
 * before a `syscall` may be the tail of a longer instruction. The
 * patcher knows one sure instruction boundary, the start of the
 * function (from the unwind table), and walks forward from there through
 * the few instruction forms compilers put in front of a system call in
 * glibc's wrappers (a check of __libc_single_threaded, a conditional
 * branch around the call, moves between registers, endbr64). Anything
 * else, and the site stays as it is: the walk proves or refuses, it
 * never guesses. Freestanding, pure.
 */
#include "patch.h"

/* Length of the instruction at c (n bytes available) if it is one of the
 * known forms, else 0. *tgt gets a short branch's target (relative to c). */
static int insn_len(const uint8_t *c, uint32_t n, int64_t *tgt, int *branch)
{
	if (n >= 4 && c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa)
		return 4; /* endbr64 */
	if (n >= 7 && (c[0] == 0x80 || c[0] == 0x83) && c[1] == 0x3d)
		return 7; /* cmpb/cmpl $imm8, disp32(%rip) */
	if (n >= 2 && (c[0] == 0x74 || c[0] == 0x75)) {
		*tgt = 2 + (int8_t)c[1];
		*branch = 1;
		return 2; /* je/jne rel8 */
	}
	if (n >= 3 && (c[0] & 0xf0) == 0x40 && (c[1] == 0x89 || c[1] == 0x8b || c[1] == 0x31 || c[1] == 0x85) &&
	    (c[2] & 0xc0) == 0xc0)
		return 3; /* REX mov/xor/test between registers */
	if (n >= 2 && (c[0] == 0x89 || c[0] == 0x8b || c[0] == 0x31 || c[0] == 0x85) && (c[1] & 0xc0) == 0xc0)
		return 2; /* mov/xor/test between registers */
	if (n >= 5 && c[0] >= 0xb8 && c[0] <= 0xbf)
		return 5; /* mov $imm32, %r32 */
	if (n >= 6 && c[0] == 0x41 && c[1] >= 0xb8 && c[1] <= 0xbf)
		return 6; /* mov $imm32, %r8d..%r15d */
	return 0;
}

int patch_proven(const uint8_t *code, uint32_t at)
{
	uint32_t o = 0;

	if (at > PATCH_FUNC_MAX)
		return 0;
	while (o < at) {
		int64_t tgt = 0;
		int branch = 0, l = insn_len(code + o, at - o, &tgt, &branch);

		if (!l)
			return 0;
		/* defends against rewriting bytes a branch lands in */
		if (branch && (int64_t)o + tgt > (int64_t)at && (int64_t)o + tgt < (int64_t)at + 5)
			return 0;
		o += (uint32_t)l;
	}
	return o == at;
}
