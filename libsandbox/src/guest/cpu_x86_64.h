/* SPDX-License-Identifier: MIT */
/* libsandbox/src/guest/cpu_x86_64.h: the guest's descriptor tables and ring-0 stubs. */
#ifndef SB_CPU_X86_64_H
#define SB_CPU_X86_64_H

#include <stdint.h>
#include "../monitor/vault.h"

/* Write GDT, TSS, IDT, the exception stubs and the syscall stub into the
 * sys area at sys (GVA == HVA), and record the stub addresses in mon. */
void cpu_build_sys(struct sb_mon *mon, uint64_t sys);

/* Write every vCPU's channel stub (the exitless channel, monitor/channel.c)
 * into the sys area; after cpu_build_sys(). */
void cpu_build_chan(struct sb_mon *mon, uint64_t sys);

/* Write the trampoline of a patched call site (monitor/patch.c) at at
 * (PATCH_TRAMP_STRIDE bytes, host-writable): `syscall` at site, number
 * nr. Its length, or 0 for a number it cannot carry. */
uint32_t cpu_build_tramp(struct sb_mon *mon, uint64_t at, uint64_t site, uint32_t nr);

static inline struct sb_chan_slot *cpu_user_slot(const struct sb_mon *mon, uint32_t i)
{
	return (struct sb_chan_slot *)(mon->vault + VLT_PATCH + PATCH_USLOT + (uint64_t)i * SYS_CSLOT_STRIDE);
}

static inline uint64_t cpu_chan_stub(const struct sb_mon *mon, uint32_t i)
{
	return mon->sys + SYS_CSTUB + (uint64_t)i * SYS_CSTUB_STRIDE;
}

static inline struct sb_chan_slot *cpu_chan_slot(const struct sb_mon *mon, uint32_t i)
{
	return (struct sb_chan_slot *)(mon->sys + SYS_CSLOT + (uint64_t)i * SYS_CSLOT_STRIDE);
}

static inline struct sb_chan_ctl *cpu_chan_ctl(const struct sb_mon *mon)
{
	return (struct sb_chan_ctl *)(mon->sys + SYS_CCTL);
}

/* Vectors whose frame carries an error code. */
static inline int cpu_vec_has_err(int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

#define CPU_NVEC 32
#define CPU_STUB_SIZE 16

#endif
