/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/monitor.h: the monitor's internal interfaces (exit path, freestanding). */
#ifndef SB_MONITOR_H
#define SB_MONITOR_H

#include <linux/kvm.h>
#include <stdint.h>
#include "vault.h"

/* monitor.c: the run loop; never returns */
__attribute__((noreturn)) void mon_main(struct sb_mon *m);

/* syscall.c: handle one system call of the guest; returns the value for rax */
long mon_syscall(struct sb_mon *m, struct kvm_regs *r);
int mon_is_monfd(const struct sb_mon *m, long fd);

/* emulate.c: calls the monitor carries out itself (SE_EMULATE) */
long emu_call(struct sb_mon *m, long nr, const long *a);
/* emulate_mem.c: mmap, munmap, mprotect, mremap, brk, madvise, shmat, shmdt */
long emu_mem(struct sb_mon *m, long nr, const long *a);
/* signal.c: rt_sigaction, rt_sigprocmask, sigaltstack, rt_sigsuspend */
long emu_sig(struct sb_mon *m, long nr, const long *a);

/* signal.c */
void sig_deliver_pending(struct sb_mon *m);
int sig_set_host(struct sb_mon *m, int sig, const struct sb_ksigaction *guest);
void sb_mon_sigstub(int sig, void *info, void *uc); /* host handler, runs on the vault altstack */
extern char sb_mon_restorer[];                    /* api/enter_x86_64.S */

/* fault.c: report and die; mon_backtrace writes the guest's stack to fd
 * (human lines, or JSON strings separated by commas) from a child process */
void mon_backtrace(struct sb_mon *m, int fd, int json);
__attribute__((noreturn)) void mon_die(struct sb_mon *m, int sig);
__attribute__((noreturn)) void mon_crash(struct sb_mon *m, int sig, const char *what, uint64_t addr, int vector,
					 uint64_t err);
__attribute__((noreturn)) void mon_fatal(struct sb_mon *m, const char *what, long rc);


#define SCRATCH(m) ((uint8_t *)((m)->vault + VLT_SCRATCH))

#endif
