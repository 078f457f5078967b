/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/ring0.h: Dune mode (SB_ENTER_RING0), the monitor's half (freestanding).
 *
 * Hooks the exit path calls when m->ring0 is set; each says where. t is
 * the thread whose vCPU exited (each vCPU has its own kvm_run, TSS and IST
 * stack; in ring-0 mode every thread can write every one of them). */
#ifndef SB_MONITOR_RING0_H
#define SB_MONITOR_RING0_H

#include <stdint.h>
#include "vault.h"

/* handle_syscall(): return to the caller at CPL0: rip = rcx, rflags from
 * r11, kernel CS/SS set directly (the stub's sysretq would drop to CPL3).
 * Ends the process on a return address the CPU cannot take. */
void ring0_syscall_return(struct sb_mon *m, struct sb_thr *t);
/* handle_exception(): the frame on the IST stack is the process's to
 * write in ring-0 mode. Ends the process if rip is non-canonical or in the
 * monitor's stubs; sanitizes rflags. */
void ring0_check_frame(struct sb_mon *m, int vector, uint64_t err, uint64_t *rip, uint64_t *rflags);
/* 1 in ring-0 mode when CR3 is not the monitor's: a page fault then
 * cannot be mirrored away (the process's own tables would fault again). */
int ring0_foreign_cr3(const struct sb_mon *m, const struct sb_thr *t);
/* sig_user_context(): 1 in ring-0 mode when rip is a point where a signal
 * handler may start (anywhere outside the monitor's stubs). */
int ring0_user_point(const struct sb_mon *m, uint64_t rip);
/* handle_mmio(): an access to a guest-physical address that is not a
 * doorbell (the process's own page tables can name any) ends the process
 * with a report; returns for the doorbell pages. */
void ring0_mmio(struct sb_mon *m, struct sb_thr *t);
/* mon_main(): an exit reason the CPL3 design never sees (hlt, in/out,
 * an instruction the hypervisor refused, a failed entry): report, end. */
__attribute__((noreturn)) void ring0_bad_exit(struct sb_mon *m, struct sb_thr *t);

#endif
