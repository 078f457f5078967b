/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/entry_state.h: the caller's CPU state captured by sb_enter(). */
#ifndef SB_ENTRY_STATE_H
#define SB_ENTRY_STATE_H

#include <stdint.h>

/* Filled by the assembly entry (api/enter_x86_64.S): offsets are used there. */
struct sb_entry_regs {
	uint64_t rbx, rbp, r12, r13, r14, r15; /* 0x00 .. 0x28 */
	uint64_t rsp;                          /* 0x30: the caller's rsp after sb_enter returns */
	uint64_t rip;                          /* 0x38: return address */
	uint64_t rflags;                       /* 0x40 */
	uint64_t xsave_ok;                     /* 0x48: 1 if the XSAVE area is valid */
	uint64_t retaddr_ptr;                  /* 0x50: where the return address is (failure path) */
	uint64_t xcr0;                         /* 0x58: components saved: host XCR0 & 0xe7 */
	uint64_t flags;                        /* 0x60: SB_ENTER_* (sb_enter_flags) */
};
_Static_assert(__builtin_offsetof(struct sb_entry_regs, xcr0) == 0x58, "offsets used by enter_x86_64.S");
_Static_assert(__builtin_offsetof(struct sb_entry_regs, flags) == 0x60 && sizeof(struct sb_entry_regs) <= 128,
	       "offsets used by enter_x86_64.S (128 bytes reserved there)");

struct sb_entry_state {
	const struct sb_entry_regs *regs;
	const uint8_t *xsave; /* 4096 bytes, standard (non-compacted) XSAVE layout */
	uint64_t fs_base, gs_base;
	uint64_t xcr0;        /* what the area holds: guest XCR0 */
};

#endif
