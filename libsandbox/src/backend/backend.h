/* SPDX-License-Identifier: MIT */
/* libsandbox/src/backend/backend.h: what the monitor needs from a virtualization backend.
 *
 * A backend runs a vCPU (one per guest thread) until it exits and reports the exit in a struct
 * kvm_run (the kmod backend, issue #8, fills the same layout). set_window
 * and run are called from the monitor's exit path: freestanding, raw
 * syscalls only. open and setup run inside sb_enter(), before the process
 * is moved, and may use libc.
 */
#ifndef SB_BACKEND_H
#define SB_BACKEND_H

#include <stdint.h>
#include "../monitor/vault.h"

struct sb_entry_state;

struct sb_backend {
	const char *name;
	/* Open the device and create VM + vCPU; fill mon's fds and run. Sets a
	 * human message in err (errlen bytes) on failure. */
	int (*open)(struct sb_mon *mon, char *err, unsigned long errlen);
	/* Put the vCPU into the guest state described by st (registers, FPU,
	 * segments, control registers, MSRs). */
	int (*setup_vcpu)(struct sb_mon *mon, const struct sb_entry_state *st, char *err, unsigned long errlen);
	/* Make host [hva, hva+size) guest-physical [gpa, gpa+size) in slot. */
	int (*set_window)(struct sb_mon *mon, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
	/* Run thread t's vCPU until the next exit. 0 or a negative errno
	 * (-EINTR, -EFAULT, ...). */
	int (*run)(struct sb_thr *t);
	/* The vCPU's FPU/SSE/AVX state, standard XSAVE layout, 4096 bytes
	 * (exit path: signal frames). 0 or a negative errno. */
	int (*get_xsave)(struct sb_thr *t, void *area);
	int (*set_xsave)(struct sb_thr *t, const void *area);
	/* In a child made by fork: the VM and vCPU are the parent's. Make new
	 * ones with the same memory windows and thread t's vCPU in this state
	 * (regs, sregs; FPU from t->xsave). Exit path: freestanding. 0 or a
	 * negative errno. */
	int (*fork_child)(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
	/* A new thread in slot t (monitor/thread.c): its vCPU (created once
	 * per slot, id t->idx, kvm_run in t's region) in this state, FPU from
	 * t->xsave. Exit path: freestanding. 0 or a negative errno. */
	int (*new_vcpu)(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
	/* The exitless channel (monitor/channel.c): point thread t's vCPU's
	 * LSTAR at lstar. Exit path: freestanding. NULL: not offered (the
	 * process runs on exits only). */
	int (*set_lstar)(struct sb_thr *t, uint64_t lstar);
};

extern const struct sb_backend sb_backend_kvm;
extern const struct sb_backend sb_backend_kmod; /* /dev/ringfence, kmod/ */

#endif
