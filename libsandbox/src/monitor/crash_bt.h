/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/crash_bt.h: symbolized backtrace of a dead guest, in a disposable child. */
#ifndef SB_CRASH_BT_H
#define SB_CRASH_BT_H

#include <linux/kvm.h>
#include "vault.h"

/* Runs in a child forked by the monitor (after a guest fault, or for an
 * audit record): confines the child with the seccomp program prepared at
 * sb_enter() (vault), then unwinds the guest's stack from regs with
 * libunwind and writes the frames to fd: one line each, or (json) JSON
 * strings separated by commas. Never returns an error: the child exits. */
void sb_crash_backtrace(struct sb_mon *m, const struct kvm_regs *regs, int fd, int json);

#endif
