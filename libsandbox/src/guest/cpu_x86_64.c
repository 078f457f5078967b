/* SPDX-License-Identifier: MIT */
/* libsandbox/src/guest/cpu_x86_64.c: the guest's GDT, TSS, IDT and ring-0 stubs.
 *
 * The layout is Linux's (kernel CS 0x10, DS 0x18, user32 CS 0x23, user DS
 * 0x2b, user CS 0x33, the vDSO's CPU/node segment 0x7b; the TSSs from 0x80
 * on): a PVM host runs guest user mode on the host's own GDT, so the
 * guest's user selectors must be the host's.
 *
 * What runs in the guest at ring 0 is only what this file writes, a few
 * instructions per entry (ring 0 is emulated one instruction at a time on
 * PVM hosts):
 *   exception vector v:  [push $0]  movabs %rax, DBX+8v  ; ud2
 *   syscall (LSTAR):     movabs %rax, DB  ; sysretq  ; ud2
 *   channel stub of vCPU i (the LSTAR of a vCPU once the exitless channel
 *   is on, monitor/channel.c): described above cpu_build_chan()
 * Every exception runs on the IST1 stack, so no frame is ever written on a
 * stack the process controls; the monitor reads it at a fixed place.
 */
#include "cpu_x86_64.h"
#include "pgtable.h"
#include <sys/syscall.h>

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
	/* the vDSO's getcpu (without RDPID) reads its limit with lsl: CPU 0 of
	 * node 0 for every vCPU (one GDT; the host CPU a vCPU's thread runs
	 * on changes anyway). Read-only data, DPL3, limit 0: cpu | node << 12 */
	gdt[GDT_CPUNODE / 8] = 0x0000f10000000000ull;
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

/* ---- the exitless channel's stubs (monitor/channel.c) */

struct emit {
	uint8_t *p;
};

static void bytes(struct emit *e, const uint8_t *v, int n)
{
	for (int i = 0; i < n; i++)
		*e->p++ = v[i];
}

static void u32(struct emit *e, uint32_t v)
{
	bytes(e, (const uint8_t *)&v, 4);
}

/* opcode bytes, then a rip-relative disp32 to target; tail more bytes
 * (an immediate) follow the displacement */
static void riprel(struct emit *e, const uint8_t *op, int n, uint64_t target, const uint8_t *tail, int ntail)
{
	bytes(e, op, n);
	u32(e, (uint32_t)(target - ((uint64_t)e->p + 4 + (uint64_t)ntail)));
	bytes(e, tail, ntail);
}

/* a rel32 jump or jcc (op: e9, or 0f 8x); returns where its rel32 is, for
 * jumps to labels not yet emitted */
static uint8_t *jump(struct emit *e, const uint8_t *op, int n, uint64_t target)
{
	uint8_t *at;

	bytes(e, op, n);
	at = e->p;
	u32(e, (uint32_t)(target - ((uint64_t)e->p + 4)));
	return at;
}

static void land(uint8_t *at, const struct emit *e)
{
	uint32_t v = (uint32_t)((uint64_t)e->p - ((uint64_t)at + 4));

	sb_memcpy(at, &v, 4);
}

#define OP(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/*
 * The channel stub of vCPU i, its LSTAR once the channel is on. It runs at
 * CPL0 (VT-x, AMD-V: the monitor switches a vCPU to it only after a system
 * call has entered the plain stub at CPL0) on the process's stack, which
 * it never touches; it uses only rcx and r11, which `syscall` gives it
 * (their values are kept in the slot and put back), so every register the
 * process sees after the call is as natively.
 *
 *   save rcx, r11 in the slot
 *   rcx >= 2^47 (a `syscall` in the last bytes of user space) or number
 *   >= CH_NR_MAX: -> plain: rcx, r11 back; the plain stub (an exit)
 *   number in the control page's vm_ok bitmap: answered in the VM (gettid
 *       from the slot, the others from ctl->ans[nr]); the site noted in
 *       the slot for the patcher (monitor/patch.c) -> ret
 *   number not in the nr_ok bitmap, or no worker awake: -> plain
 *   number and arguments into the slot; state = CH_REQ
 *   up to ctl->spin times (adapted by the monitor, bounded): pause;
 *       state == CH_DONE -> done; CH_BACK -> back
 *   waited long enough: rcx, r11 back; store to the DB_CHAN doorbell (an
 *       exit: the monitor takes the call back or waits for the worker)
 *       and return with the plain stub's sysretq
 *   done: rax = result; state = CH_IDLE; rcx, r11 back; sysretq
 *   back: state = CH_IDLE; plain (the worker handed the call back: the
 *       exit path decides it, denials and audit records included)
 */
void cpu_build_chan(struct sb_mon *mon, uint64_t sys)
{
	uint64_t ctl = sys + SYS_CCTL, dbc = mon->vault + VLT_DOORBELL + DB_SUPER_OFF + DB_CHAN;

	for (uint64_t i = 0; i < SB_MAX_THREADS; i++) {
		struct emit e = { (uint8_t *)(sys + SYS_CSTUB + i * SYS_CSTUB_STRIDE) };
		uint64_t sl = sys + SYS_CSLOT + i * SYS_CSLOT_STRIDE;
		uint64_t st = sl + __builtin_offsetof(struct sb_chan_slot, state);
		uint64_t nr = sl + __builtin_offsetof(struct sb_chan_slot, nr);
		uint64_t a = sl + __builtin_offsetof(struct sb_chan_slot, a);
		uint64_t ret = sl + __builtin_offsetof(struct sb_chan_slot, ret);
		uint64_t rcx = sl + __builtin_offsetof(struct sb_chan_slot, save_rcx);
		uint64_t r11 = sl + __builtin_offsetof(struct sb_chan_slot, save_r11);
		uint64_t tid = sl + __builtin_offsetof(struct sb_chan_slot, tid);
		uint64_t nvm = sl + __builtin_offsetof(struct sb_chan_slot, nvm);
		uint64_t vsite = sl + __builtin_offsetof(struct sb_chan_slot, vm_site);
		uint64_t vnr = sl + __builtin_offsetof(struct sb_chan_slot, vm_nr);
		uint8_t *to_plain[5], *to_done, *to_back, *spin, *to_chan, *to_tid, *to_ret[2];
		int np = 0, nrt = 0;

		sb_memset(e.p, 0xcc, SYS_CSTUB_STRIDE);
		riprel(&e, OP(0x48, 0x89, 0x0d), rcx, 0, 0);                 /* mov %rcx, save_rcx */
		riprel(&e, OP(0x4c, 0x89, 0x1d), r11, 0, 0);                 /* mov %r11, save_r11 */
		bytes(&e, OP(0x48, 0x0f, 0xba, 0xe1, 0x2f));                  /* bt $47, %rcx */
		to_plain[np++] = jump(&e, OP(0x0f, 0x82), 0);                  /* jc plain */
		bytes(&e, OP(0x48, 0x3d, CH_NR_MAX & 0xff, CH_NR_MAX >> 8, 0, 0)); /* cmp $CH_NR_MAX, %rax */
		to_plain[np++] = jump(&e, OP(0x0f, 0x83), 0);                  /* jae plain */
		/* in the VM: a cached answer (identity calls), or the slot's tid */
		riprel(&e, OP(0x48, 0x0f, 0xa3, 0x05), ctl + __builtin_offsetof(struct sb_chan_ctl, vm_ok), 0, 0); /* bt %rax, vm_ok */
		to_chan = jump(&e, OP(0x0f, 0x83), 0);                         /* jnc chan */
		riprel(&e, OP(0x48, 0xff, 0x05), nvm, 0, 0);                  /* incq nvm */
		riprel(&e, OP(0x48, 0x89, 0x0d), vsite, 0, 0);               /* mov %rcx, vm_site (a site to patch) */
		riprel(&e, OP(0x48, 0x89, 0x05), vnr, 0, 0);                 /* mov %rax, vm_nr */
		bytes(&e, OP(0x48, 0x3d, SYS_gettid & 0xff, SYS_gettid >> 8, 0, 0)); /* cmp $SYS_gettid, %rax */
		to_tid = jump(&e, OP(0x0f, 0x84), 0);                          /* je tid */
		riprel(&e, OP(0x48, 0x8d, 0x0d), ctl + __builtin_offsetof(struct sb_chan_ctl, ans), 0, 0); /* lea ans, %rcx */
		bytes(&e, OP(0x48, 0x8b, 0x04, 0xc1));                        /* mov (%rcx,%rax,8), %rax */
		to_ret[nrt++] = jump(&e, OP(0xe9), 0);                          /* jmp ret */
		land(to_tid, &e);
		riprel(&e, OP(0x48, 0x8b, 0x05), tid, 0, 0);                  /* mov tid, %rax */
		to_ret[nrt++] = jump(&e, OP(0xe9), 0);                          /* jmp ret */
		land(to_chan, &e);
		riprel(&e, OP(0x48, 0x0f, 0xa3, 0x05), ctl + __builtin_offsetof(struct sb_chan_ctl, nr_ok), 0, 0); /* bt %rax, nr_ok */
		to_plain[np++] = jump(&e, OP(0x0f, 0x83), 0);                  /* jnc plain */
		riprel(&e, OP(0x83, 0x3d), ctl + __builtin_offsetof(struct sb_chan_ctl, on), OP(0x00)); /* cmpl $0, on */
		to_plain[np++] = jump(&e, OP(0x0f, 0x84), 0);                  /* je plain */
		riprel(&e, OP(0x48, 0x89, 0x05), nr, 0, 0);                  /* mov %rax, nr */
		riprel(&e, OP(0x48, 0x89, 0x3d), a + 0, 0, 0);               /* mov %rdi, a0 */
		riprel(&e, OP(0x48, 0x89, 0x35), a + 8, 0, 0);               /* mov %rsi, a1 */
		riprel(&e, OP(0x48, 0x89, 0x15), a + 16, 0, 0);              /* mov %rdx, a2 */
		riprel(&e, OP(0x4c, 0x89, 0x15), a + 24, 0, 0);              /* mov %r10, a3 */
		riprel(&e, OP(0x4c, 0x89, 0x05), a + 32, 0, 0);              /* mov %r8, a4 */
		riprel(&e, OP(0x4c, 0x89, 0x0d), a + 40, 0, 0);              /* mov %r9, a5 */
		riprel(&e, OP(0xc7, 0x05), st, OP(CH_REQ, 0, 0, 0));         /* movl $CH_REQ, state */
		riprel(&e, OP(0x8b, 0x0d), ctl + __builtin_offsetof(struct sb_chan_ctl, spin), 0, 0); /* mov spin, %ecx */
		spin = e.p;
		bytes(&e, OP(0xf3, 0x90));                                    /* pause */
		riprel(&e, OP(0x44, 0x8b, 0x1d), st, 0, 0);                  /* mov state, %r11d */
		bytes(&e, OP(0x41, 0x83, 0xfb, CH_DONE));                     /* cmp $CH_DONE, %r11d */
		to_done = jump(&e, OP(0x0f, 0x84), 0);                         /* je done */
		bytes(&e, OP(0x41, 0x83, 0xfb, CH_BACK));                     /* cmp $CH_BACK, %r11d */
		to_back = jump(&e, OP(0x0f, 0x84), 0);                         /* je back */
		bytes(&e, OP(0xff, 0xc9));                                    /* dec %ecx */
		jump(&e, OP(0x0f, 0x85), (uint64_t)spin);                      /* jnz spin */
		/* waited long enough: the monitor decides (monitor/channel.c) */
		riprel(&e, OP(0x48, 0x8b, 0x0d), rcx, 0, 0);                 /* mov save_rcx, %rcx */
		riprel(&e, OP(0x4c, 0x8b, 0x1d), r11, 0, 0);                 /* mov save_r11, %r11 */
		bytes(&e, OP(0x48, 0xa3));                                    /* movabs %rax, DB_CHAN */
		bytes(&e, (const uint8_t *)&dbc, 8);
		jump(&e, OP(0xe9), mon->lstar_sysret);                         /* jmp sysretq */
		/* done: the worker's result */
		land(to_done, &e);
		riprel(&e, OP(0x48, 0x8b, 0x05), ret, 0, 0);                 /* mov ret, %rax */
		riprel(&e, OP(0xc7, 0x05), st, OP(CH_IDLE, 0, 0, 0));        /* movl $CH_IDLE, state */
		/* ret: rcx, r11 back; sysretq */
		for (int k = 0; k < nrt; k++)
			land(to_ret[k], &e);
		riprel(&e, OP(0x48, 0x8b, 0x0d), rcx, 0, 0);                 /* mov save_rcx, %rcx */
		riprel(&e, OP(0x4c, 0x8b, 0x1d), r11, 0, 0);                 /* mov save_r11, %r11 */
		jump(&e, OP(0xe9), mon->lstar_sysret);                         /* jmp sysretq */
		/* back: the exit path takes the call */
		land(to_back, &e);
		riprel(&e, OP(0xc7, 0x05), st, OP(CH_IDLE, 0, 0, 0));        /* movl $CH_IDLE, state */
		/* plain: the plain stub, with the process's rcx and r11 */
		for (int k = 0; k < np; k++)
			land(to_plain[k], &e);
		riprel(&e, OP(0x48, 0x8b, 0x0d), rcx, 0, 0);                 /* mov save_rcx, %rcx */
		riprel(&e, OP(0x4c, 0x8b, 0x1d), r11, 0, 0);                 /* mov save_r11, %r11 */
		jump(&e, OP(0xe9), mon->lstar);                                /* jmp plain stub */
		/* the layout leaves room (vault.h); a stub that outgrew it is a build error of ours */
		if ((uint64_t)e.p > sys + SYS_CSTUB + (i + 1) * SYS_CSTUB_STRIDE)
			__builtin_trap();
	}
}

/*
 * The trampoline of a patched call site (monitor/patch.c): CPL3 code the
 * process jumps to from the `jmp` that replaced the `mov $nr, %eax` in
 * front of a `syscall` at site. It behaves as that `mov` and `syscall`
 * would, then jumps back to site + 2; it never touches the stack (the red
 * zone below rsp may be live) and uses only rax, rcx and r11, which a
 * `syscall` clobbers anyway (rcx is left as the return address, r11 as
 * 0x246). Through the control page's read-only alias (PATCH_UCTL):
 *   nr answered in the VM (vm_ok): rax = ans[nr]           -> out
 *   nr not handed to the channel, or no worker awake       -> plain
 *   claim a free user slot (lock cmpxchg CH_IDLE -> CH_OWN), none -> plain
 *   number and arguments in; state = CH_REQ; spin ctl->spin pauses:
 *     CH_DONE -> rax = ret, slot freed -> out; CH_BACK -> slot freed -> plain
 *   not taken in time: withdrawn (CH_REQ -> CH_IDLE) -> plain; else the
 *     worker has it, a quick call: wait for CH_DONE or CH_BACK
 *   plain: mov $nr, %eax; syscall (the LSTAR path, as an unpatched site);
 *     jmp site + 2
 * Outside the VM (a host thread running the process's code, as in a
 * crash report's child) the alias is the vault's untouched host page: all
 * zero, so every call takes the plain `syscall`.
 * Returns the trampoline's length, or 0 if it does not fit.
 */
uint32_t cpu_build_tramp(struct sb_mon *mon, uint64_t at, uint64_t site, uint32_t nr)
{
	uint64_t uctl = mon->vault + VLT_PATCH + PATCH_UCTL, us = mon->vault + VLT_PATCH + PATCH_USLOT;
	uint64_t back = site + 2;
	struct emit e = { (uint8_t *)at };
	uint8_t *to_plain[4], *to_out[2], *to_got, *to_done, *to_back[2], *to_chan = 0, *claim, *spin, *wait;
	int np = 0, no = 0;
	const uint8_t o_nr = __builtin_offsetof(struct sb_chan_slot, nr), o_a = __builtin_offsetof(struct sb_chan_slot, a),
		      o_ret = __builtin_offsetof(struct sb_chan_slot, ret);
	uint8_t bit = (uint8_t)(nr % 64);

	sb_memset(e.p, 0xcc, PATCH_TRAMP_STRIDE);
	if (nr >= CH_NR_MAX)
		return 0;
	if (nr != SYS_gettid) { /* gettid's answer is per vCPU: the LSTAR stub's */
		riprel(&e, OP(0x48, 0x0f, 0xba, 0x25), uctl + __builtin_offsetof(struct sb_chan_ctl, vm_ok) + 8 * (nr / 64),
		       &bit, 1);                                              /* btq $bit, vm_ok[nr/64] */
		to_chan = jump(&e, OP(0x0f, 0x83), 0);                         /* jnc chan */
		riprel(&e, OP(0x48, 0x8b, 0x05), uctl + __builtin_offsetof(struct sb_chan_ctl, ans) + 8 * (uint64_t)nr, 0, 0);
		to_out[no++] = jump(&e, OP(0xe9), 0);                           /* mov ans[nr], %rax; jmp out */
		land(to_chan, &e);
	}
	riprel(&e, OP(0x48, 0x0f, 0xba, 0x25), uctl + __builtin_offsetof(struct sb_chan_ctl, nr_ok) + 8 * (nr / 64), &bit,
	       1);                                                            /* btq $bit, nr_ok[nr/64] */
	to_plain[np++] = jump(&e, OP(0x0f, 0x83), 0);                          /* jnc plain */
	riprel(&e, OP(0x83, 0x3d), uctl + __builtin_offsetof(struct sb_chan_ctl, on), OP(0x00)); /* cmpl $0, on */
	to_plain[np++] = jump(&e, OP(0x0f, 0x84), 0);                          /* je plain */
	riprel(&e, OP(0x48, 0x8d, 0x0d), us, 0, 0);                           /* lea uslots, %rcx */
	claim = e.p;
	bytes(&e, OP(0x31, 0xc0));                                            /* xor %eax, %eax (CH_IDLE) */
	bytes(&e, OP(0x41, 0xbb, CH_OWN, 0, 0, 0));                           /* mov $CH_OWN, %r11d */
	bytes(&e, OP(0xf0, 0x44, 0x0f, 0xb1, 0x19));                          /* lock cmpxchg %r11d, (%rcx) */
	to_got = jump(&e, OP(0x0f, 0x84), 0);                                  /* je got */
	bytes(&e, OP(0x48, 0x81, 0xc1));                                      /* add $stride, %rcx */
	u32(&e, SYS_CSLOT_STRIDE);
	riprel(&e, OP(0x4c, 0x8d, 0x1d), us + PATCH_NUSLOT * SYS_CSLOT_STRIDE, 0, 0); /* lea uslots_end, %r11 */
	bytes(&e, OP(0x4c, 0x39, 0xd9));                                      /* cmp %r11, %rcx */
	jump(&e, OP(0x0f, 0x82), (uint64_t)claim);                             /* jb claim */
	to_plain[np++] = jump(&e, OP(0xe9), 0);                                /* jmp plain: every slot busy */
	land(to_got, &e);
	bytes(&e, OP(0x48, 0xc7, 0x41, o_nr));                                /* movq $nr, nr(%rcx) */
	u32(&e, nr);
	bytes(&e, OP(0x48, 0x89, 0x79, (uint8_t)(o_a + 0)));                  /* mov %rdi, a0(%rcx) */
	bytes(&e, OP(0x48, 0x89, 0x71, (uint8_t)(o_a + 8)));                  /* mov %rsi, a1(%rcx) */
	bytes(&e, OP(0x48, 0x89, 0x51, (uint8_t)(o_a + 16)));                 /* mov %rdx, a2(%rcx) */
	bytes(&e, OP(0x4c, 0x89, 0x51, (uint8_t)(o_a + 24)));                 /* mov %r10, a3(%rcx) */
	bytes(&e, OP(0x4c, 0x89, 0x41, (uint8_t)(o_a + 32)));                 /* mov %r8, a4(%rcx) */
	bytes(&e, OP(0x4c, 0x89, 0x49, (uint8_t)(o_a + 40)));                 /* mov %r9, a5(%rcx) */
	bytes(&e, OP(0xc7, 0x01, CH_REQ, 0, 0, 0));                           /* movl $CH_REQ, (%rcx): published */
	riprel(&e, OP(0x44, 0x8b, 0x1d), uctl + __builtin_offsetof(struct sb_chan_ctl, spin), 0, 0); /* mov spin, %r11d */
	spin = e.p;
	bytes(&e, OP(0xf3, 0x90));                                            /* pause */
	bytes(&e, OP(0x8b, 0x01));                                            /* mov (%rcx), %eax */
	bytes(&e, OP(0x83, 0xf8, CH_DONE));                                   /* cmp $CH_DONE, %eax */
	to_done = jump(&e, OP(0x0f, 0x84), 0);                                 /* je done */
	bytes(&e, OP(0x83, 0xf8, CH_BACK));                                   /* cmp $CH_BACK, %eax */
	to_back[0] = jump(&e, OP(0x0f, 0x84), 0);                              /* je back */
	bytes(&e, OP(0x41, 0xff, 0xcb));                                      /* dec %r11d */
	jump(&e, OP(0x0f, 0x85), (uint64_t)spin);                              /* jnz spin */
	bytes(&e, OP(0xb8, CH_REQ, 0, 0, 0));                                 /* mov $CH_REQ, %eax */
	bytes(&e, OP(0x45, 0x31, 0xdb));                                      /* xor %r11d, %r11d (CH_IDLE) */
	bytes(&e, OP(0xf0, 0x44, 0x0f, 0xb1, 0x19));                          /* lock cmpxchg %r11d, (%rcx) */
	to_plain[np++] = jump(&e, OP(0x0f, 0x84), 0);                          /* je plain: withdrawn */
	wait = e.p;                                                           /* a worker has it */
	bytes(&e, OP(0xf3, 0x90));                                            /* pause */
	bytes(&e, OP(0x8b, 0x01));                                            /* mov (%rcx), %eax */
	bytes(&e, OP(0x83, 0xf8, CH_BUSY));                                   /* cmp $CH_BUSY, %eax */
	jump(&e, OP(0x0f, 0x84), (uint64_t)wait);                              /* je wait */
	bytes(&e, OP(0x83, 0xf8, CH_DONE));                                   /* cmp $CH_DONE, %eax */
	to_back[1] = jump(&e, OP(0x0f, 0x85), 0);                              /* jne back */
	land(to_done, &e);
	bytes(&e, OP(0x48, 0x8b, 0x41, o_ret));                               /* mov ret(%rcx), %rax */
	bytes(&e, OP(0xc7, 0x01, CH_IDLE, 0, 0, 0));                          /* movl $CH_IDLE, (%rcx): freed */
	to_out[no++] = jump(&e, OP(0xe9), 0);                                  /* jmp out */
	land(to_back[0], &e);
	land(to_back[1], &e);
	bytes(&e, OP(0xc7, 0x01, CH_IDLE, 0, 0, 0));                          /* movl $CH_IDLE, (%rcx): freed */
	for (int k = 0; k < np; k++)
		land(to_plain[k], &e);
	bytes(&e, OP(0xb8));                                                  /* mov $nr, %eax */
	u32(&e, nr);
	bytes(&e, OP(0x0f, 0x05));                                            /* syscall */
	jump(&e, OP(0xe9), back);                                              /* jmp site + 2 */
	for (int k = 0; k < no; k++)
		land(to_out[k], &e);
	riprel(&e, OP(0x48, 0x8d, 0x0d), back, 0, 0);                         /* lea site+2, %rcx */
	bytes(&e, OP(0x41, 0xbb, 0x46, 0x02, 0, 0));                          /* mov $0x246, %r11d */
	jump(&e, OP(0xe9), back);                                              /* jmp site + 2 */
	if ((uint64_t)e.p > at + PATCH_TRAMP_STRIDE)
		__builtin_trap(); /* the stride is ours to size: a build error */
	return (uint32_t)((uint64_t)e.p - at);
}
