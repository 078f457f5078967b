/* SPDX-License-Identifier: MIT */
/* libsandbox/src/guest/cpu_x86_64.c: the guest's GDT, TSS, IDT and ring-0 stubs.
 *
 * The layout is Linux's (kernel CS 0x10, DS 0x18, user32 CS 0x23, user DS
 * 0x2b, user CS 0x33, TSS 0x40): a PVM host runs guest user mode on the
 * host's own GDT, so the guest's user selectors must be the host's.
 *
 * What runs in the guest at ring 0 is only what this file writes, a few
 * instructions per entry (ring 0 is emulated one instruction at a time on
 * PVM hosts):
 *   exception vector v:  [push $0]  movabs %rax, DBX+8v  ; ud2
 *   syscall (LSTAR):     movabs %rax, DB  ; sysretq  ; ud2
 * Every exception runs on the IST1 stack, so no frame is ever written on a
 * stack the process controls; the monitor reads it at a fixed place.
 */
#include "cpu_x86_64.h"
#include "pgtable.h"

static uint8_t *emit_store_rax(uint8_t *p, uint64_t addr)
{
	*p++ = 0x48; /* REX.W */
	*p++ = 0xa3; /* mov %rax, moffs64 */
	sb_memcpy(p, &addr, 8);
	return p + 8;
}

static void gate(uint64_t *idt, int v, uint64_t handler, int dpl)
{
	idt[2 * v] = (handler & 0xffff) | ((uint64_t)GDT_KCODE << 16) | (1ull << 32) /* IST1 */ |
		     ((uint64_t)(0x8e | (dpl << 5)) << 40) | (((handler >> 16) & 0xffff) << 48);
	idt[2 * v + 1] = handler >> 32;
}

void cpu_build_sys(struct sb_mon *mon, uint64_t sys)
{
	uint64_t *gdt = (uint64_t *)(sys + SYS_GDT);
	uint64_t *idt = (uint64_t *)(sys + SYS_IDT);
	uint64_t dbs = mon->vault + VLT_DOORBELL + DB_SUPER_OFF;
	uint64_t dbu = mon->vault + VLT_DOORBELL + DB_USER_OFF;
	uint8_t *p;

	sb_memset(gdt, 0, GDT_LIMIT + 1);
	gdt[GDT_KCODE / 8] = 0x00af9b000000ffffull;   /* 64-bit code, DPL0 */
	gdt[GDT_KDATA / 8] = 0x00cf93000000ffffull;   /* data, DPL0 */
	gdt[GDT_UCODE32 / 8] = 0x00cffb000000ffffull; /* 32-bit code, DPL3 */
	gdt[GDT_UDATA / 8] = 0x00cff3000000ffffull;   /* data, DPL3 */
	gdt[GDT_UCODE / 8] = 0x00affb000000ffffull;   /* 64-bit code, DPL3 */
	/* one TSS per vCPU (thread slot), each with its own IST1 stack: two
	 * vCPUs taking exceptions at once never share a frame. Every gate
	 * uses IST1, so rsp0 is never loaded; it points there too. */
	for (uint64_t i = 0; i < SB_MAX_THREADS; i++) {
		uint64_t tssb = sys + SYS_TSS + i * SYS_TSS_STRIDE, ist = sys + SYS_IST + (i + 1) * SYS_IST_STRIDE;
		uint8_t *tss = (uint8_t *)tssb;
		uint64_t d = (GDT_TSS + 16 * i) / 8;

		gdt[d] = 103 | ((tssb & 0xffffff) << 16) | (0x8bull << 40) | (((tssb >> 24) & 0xff) << 56);
		gdt[d + 1] = tssb >> 32;
		sb_memset(tss, 0, SYS_TSS_STRIDE);
		*(uint64_t *)(tss + 4) = ist;    /* rsp0 */
		*(uint64_t *)(tss + 0x24) = ist; /* ist1 */
		*(uint16_t *)(tss + 0x66) = 104; /* no I/O bitmap: in/out at CPL3 fault */
	}

	sb_memset(idt, 0, CPU_NVEC * 16);
	for (int v = 0; v < CPU_NVEC; v++) {
		uint8_t *s = (uint8_t *)(sys + SYS_KCODE + v * CPU_STUB_SIZE);

		p = s;
		if (!cpu_vec_has_err(v)) {
			*p++ = 0x6a; /* push $0: every frame has an error code slot */
			*p++ = 0x00;
		}
		p = emit_store_rax(p, dbs + DB_VEC + 8 * (uint64_t)v);
		*p++ = 0x0f; /* ud2: never reached, the monitor resumes or ends the guest */
		*p++ = 0x0b;
		/* int3 and into are allowed from user mode, as on Linux */
		gate(idt, v, (uint64_t)s, (v == 3 || v == 4) ? 3 : 0);
	}

	p = (uint8_t *)(sys + SYS_LSTAR);
	mon->lstar = (uint64_t)p;
	p = emit_store_rax(p, dbu + DB_SYS);
	mon->lstar_sysret = (uint64_t)p;
	*p++ = 0x48; /* sysretq */
	*p++ = 0x0f;
	*p++ = 0x07;
	*p++ = 0x0f; /* ud2 */
	*p++ = 0x0b;
}
