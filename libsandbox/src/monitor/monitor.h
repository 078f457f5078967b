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

/* broker.c: /proc/PID/maps and /proc/PID (O_PATH) from the /proc broker */
int broker_request(int broker, int *maps, int *proc);

/* fork.c: fork, vfork, clone without CLONE_VM */
long mon_fork(struct sb_mon *m, long nr, const long *a);
/* 1 if mon_fork serves clone with these flags */
int mon_fork_flags_ok(uint64_t flags);

/* exec.c: execve, execveat (sandboxes made by sb_exec) */
long mon_execve(struct sb_mon *m, long nr, const long *a);

/* signal.c */
void sig_deliver_pending(struct sb_mon *m);
/* 1 if sig has a guest handler and is not blocked */
int sig_has_handler(const struct sb_mon *m, int sig);
/* make sig pending with a siginfo of (code, addr) (faults, TRAP) */
void sig_raise(struct sb_mon *m, int sig, int code, uint64_t addr);
/* deliver a fault's signal now; -1 if the guest has no handler for it
 * (or blocks it): then the caller ends the process */
int sig_force(struct sb_mon *m, int sig, int code, uint64_t addr);
/* SIGSYS for a TRAP decision on call nr (siginfo as seccomp's) */
void sig_raise_sys(struct sb_mon *m, long nr, uint64_t call_addr);
/* a call with a temporary signal mask failed with EINTR: deliver with it */
void sig_after_eintr(struct sb_mon *m, long nr, const long *a);
/* 1 if a call nr that failed with EINTR is to be restarted (SA_RESTART) */
int sig_restart(const struct sb_mon *m, long nr);
/* sigframe.c: start the handler of sig (-EAGAIN: not now; -EFAULT: no
 * frame could be written); come back from one (rt_sigreturn) */
int sig_user_context(const struct sb_mon *m, uint64_t *rip, uint64_t *rflags);
int sig_run_handler(struct sb_mon *m, int sig);
void sig_return(struct sb_mon *m);
/* the initial FPU state (as execve leaves it) in a 4096-byte standard
 * XSAVE area: a frame without one, a launched program's first state */
void fpu_init_area(uint8_t *area);
int sig_set_host(struct sb_mon *m, int sig, const struct sb_ksigaction *guest);
void sb_mon_sigstub(int sig, void *info, void *uc); /* host handler, runs on the vault altstack */
extern char sb_mon_restorer[];                    /* api/enter_x86_64.S */
/* a forwarded call a guest signal can stop before it starts (enter_x86_64.S) */
long sb_sys_intr(long nr, const long *a, const volatile uint8_t *flag);
extern char sb_intr_begin[], sb_intr_sys[], sb_intr_out[];
#define SB_ERESTARTNOINTR 513 /* sb_sys_intr: a signal came first; make the call again after it */

/* channel.c: the exitless channel (worker threads serving request slots) */
#define SB_CHAN_BACK 4095 /* mon_chan_call: not for a worker; the exit path decides */
int chan_call_ok(long nr);
int chan_fd_call(long nr);
int chan_start(struct sb_mon *m);
void chan_worker_main(struct sb_thr *w);
void chan_kick(struct sb_mon *m);
int chan_resolve(struct sb_mon *m, struct sb_thr *t, long *rc);
void chan_kill(struct sb_mon *m);
void chan_stop_worker(struct sb_mon *m);
void chan_vcpu_switch(struct sb_mon *m, struct sb_thr *t);
void mon_print_stats(const struct sb_mon *m);
/* patch.c: patched call sites (the worker patches what it sees) */
void patch_consider(struct sb_mon *m, uint64_t site, long nr);
int patch_map(struct sb_mon *m, uint64_t ctl_gpa);
/* syscall.c: a call as a worker may make it, or -SB_CHAN_BACK */
long mon_chan_call(struct sb_mon *m, long nr, long *a);

/* fault.c: report and die; mon_backtrace writes the guest's stack to fd
 * (human lines, or JSON strings separated by commas) from a child process */
void mon_backtrace(struct sb_mon *m, int fd, int json);
__attribute__((noreturn)) void mon_die(struct sb_mon *m, int sig);
__attribute__((noreturn)) void mon_crash(struct sb_mon *m, int sig, const char *what, uint64_t addr, int vector,
					 uint64_t err);
__attribute__((noreturn)) void mon_fatal(struct sb_mon *m, const char *what, long rc);


/* the calling thread's scratch area (m: the monitor, for readability) */
#define SCRATCH(m) ((void)(m), THR_SCRATCH_OF(sb_thr_self()))

/* thread.c: threads (clone with CLONE_VM | CLONE_THREAD, clone3), their
 * exit, set_tid_address; the monitor lock */
long mon_clone3(struct sb_mon *m, const long *a);
long mon_clone_thread(struct sb_mon *m, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls);
__attribute__((noreturn)) void mon_thread_exit(struct sb_mon *m, long code);
long mon_set_tid_address(struct sb_mon *m, uint64_t addr);
void mon_lock(struct sb_mon *m);
void mon_unlock(struct sb_mon *m);
/* a fork child keeps the calling thread only */
void mon_threads_after_fork(struct sb_mon *m, struct sb_thr *self);
/* 1 if fd is a thread's vCPU fd */
int mon_is_vcpufd(const struct sb_mon *m, long fd);
/* the lowest monitor fd (own or vCPU) >= lo, or ~0 */
uint64_t mon_next_monfd(const struct sb_mon *m, uint64_t lo);
void sb_mon_thread_start(struct sb_thr *t);            /* a new thread's first C code */
/* a worker thread of the exitless channel (channel.c): start one; its end */
long mon_spawn_worker(struct sb_mon *m);
__attribute__((noreturn)) void mon_worker_exit(struct sb_mon *m, struct sb_thr *w);
long sb_clone_thread(unsigned long flags, uint64_t stack, uint64_t ptid, uint64_t ctid, struct sb_thr *t); /* api/enter_x86_64.S */

#endif
