/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/vault.h: the vault, the monitor's private memory, and its state.
 *
 * The vault is one host mapping, 2 MiB aligned, with a 2 MiB PROT_NONE guard
 * on each side (the guards belong to the vault: no guest mapping can be
 * placed there, so a fixed-size struct that starts outside vault+guards can
 * never reach the vault). Layout from the vault base:
 *
 *   VLT_MON       struct sb_mon (the process's monitor state, shared by
 *                 its threads)
 *   VLT_SYS       GDT, IDT, kernel stubs, LSTAR stub, one TSS and one IST
 *                 stack per vCPU -> one memory window, mapped in the guest
 *                 page tables (supervisor-only except the LSTAR stub page)
 *   VLT_DOORBELL  GVA of the doorbell pages: mapped in the guest page
 *                 tables to a GPA that has no memory window (stores exit)
 *   VLT_MAPSBUF   working buffer for reading /proc/self/maps (under the
 *                 monitor lock)
 *   VLT_TASKS     the sandbox's task table (monitor/tasks.c): a memfd
 *                 mapped shared by all the sandbox's processes
 *   VLT_PTPOOL    guest page-table pages -> one memory window, never mapped
 *                 in the guest page tables
 *   VLT_POLICY    the compiled policy (policy/compiled.h)
 *   VLT_XPOLICY   the compiled policy of executed programs, if it differs
 *   VLT_THREADS   SB_MAX_THREADS thread regions of THR_SIZE bytes, one per
 *                 guest thread (vCPU); host only. Region layout:
 *     THR_STATE     struct sb_thr (the thread's monitor state)
 *     THR_ALTSTACK  host signal stack of the thread's monitor
 *     THR_RUN       kvm_run of the thread's vCPU
 *     THR_STACK     the thread's monitor stack
 *     THR_AUDITBUF  working buffer for audit records
 *     THR_SCRATCH   copies of guest data taken before they are checked
 *   The state, both stacks and kvm_run are in the region's first 2 MiB
 *   chunk: code on either stack (the exit path, the host signal stub)
 *   finds its thread, and from it the vault, from its stack pointer.
 *
 * Only VLT_SYS and VLT_PTPOOL are in memory windows; nothing else of the
 * vault exists in guest-physical space.
 */
#ifndef SB_VAULT_H
#define SB_VAULT_H

#include <stdint.h>
#include <linux/kvm.h>
#include "raw.h"
#include "sysent.h"

#define VLT_MON 0x000000ull
#define VLT_SYS 0x080000ull
#define VLT_SYS_SIZE 0x050000ull
#define VLT_DOORBELL 0x0d0000ull
#define VLT_MAPSBUF 0x100000ull
#define VLT_MAPSBUF_SIZE 0x030000ull
#define VLT_TASKS 0x140000ull /* the task table (tasks.h): a shared memfd mapping */
#define VLT_TASKS_SIZE 0x004000ull
/* patched call sites (monitor/patch.c): a memory window the process's
 * CPL3 code reaches: user request slots (read-write), the control page
 * again (an alias, read-only) and the trampolines (read-only, executable) */
#define VLT_PATCH 0x200000ull
#define VLT_PATCH_SIZE 0x100000ull
#define PATCH_USLOT 0x0000  /* CPL3 request slots: PATCH_NUSLOT x SYS_CSLOT_STRIDE */
#define PATCH_NUSLOT 32
#define PATCH_UCTL 0x1000   /* guest alias of the sys window's SYS_CCTL page (no host page behind it) */
#define PATCH_TRAMP 0x2000  /* trampoline k at PATCH_TRAMP + PATCH_TRAMP_STRIDE * k */
#define PATCH_TRAMP_STRIDE 512
#define PATCH_NTRAMP ((VLT_PATCH_SIZE - PATCH_TRAMP) / PATCH_TRAMP_STRIDE)
/* the patcher's table of sites seen (monitor-private) */
#define VLT_PTAB 0x300000ull
#define PTAB_CAP 8192 /* entries: a power of two */
#define SB_TASKS_CAP 2046           /* entries of the task table */
#define VLT_PTPOOL 0x400000ull
#define VLT_PTPOOL_SIZE (64ull << 20)
#define VLT_POLICY (VLT_PTPOOL + VLT_PTPOOL_SIZE)
#define VLT_POLICY_SIZE (2ull << 20)
#define VLT_XPOLICY (VLT_POLICY + VLT_POLICY_SIZE)
#define VLT_THREADS (VLT_XPOLICY + VLT_POLICY_SIZE)
#define SB_MAX_THREADS 256
#define THR_SIZE (4ull << 20)
#define VLT_SIZE (VLT_THREADS + SB_MAX_THREADS * THR_SIZE)
#define VLT_GUARD SB_CHUNK

/* offsets inside a thread region */
#define THR_STATE 0x000000ull
#define THR_ALTSTACK 0x010000ull
#define THR_ALTSTACK_SIZE 0x10000ull
#define THR_RUN 0x020000ull
#define THR_RUN_SIZE 0x040000ull
#define THR_STACK 0x080000ull
#define THR_STACK_SIZE 0x080000ull
#define THR_AUDITBUF 0x100000ull
#define THR_AUDITBUF_SIZE 0x010000ull
#define THR_SCRATCH 0x200000ull
#define THR_SCRATCH_SIZE 0x1c0000ull

/* offsets inside VLT_SYS */
#define SYS_GDT 0x0000   /* 2 pages; one TSS descriptor per vCPU: GDT_TSS + 16 * i */
#define SYS_GDT_PAGES 2
#define SYS_IDT 0x2000
#define SYS_KCODE 0x3000 /* supervisor code: exception stubs, 32 x 16 bytes */
#define SYS_LSTAR 0x4000 /* user-executable page: the syscall stub */
#define SYS_TSS 0x8000   /* TSS of vCPU i at SYS_TSS + SYS_TSS_STRIDE * i: 8 pages */
#define SYS_TSS_STRIDE 128
#define SYS_TSS_PAGES 8
#define SYS_IST 0x10000  /* IST1 stack of vCPU i: [SYS_IST + 256 i, SYS_IST + 256 (i + 1)), 16 pages */
#define SYS_IST_STRIDE 256
#define SYS_IST_PAGES 16
/* the exitless channel (monitor/channel.c): one LSTAR stub per vCPU
 * (supervisor, read-only, executable), one request slot per vCPU and the
 * control page (supervisor, writable, not executable) */
#define SYS_CSTUB 0x20000 /* channel stub of vCPU i at SYS_CSTUB + SYS_CSTUB_STRIDE * i: 32 pages */
#define SYS_CSTUB_STRIDE 512
#define SYS_CSTUB_PAGES 32
#define SYS_CSLOT 0x40000 /* request slot of vCPU i at SYS_CSLOT + SYS_CSLOT_STRIDE * i: 8 pages */
#define SYS_CSLOT_STRIDE 128
#define SYS_CSLOT_PAGES 8
#define SYS_CCTL 0x48000  /* struct sb_chan_ctl: 1 page */

/* Doorbells: stores to this guest-physical page exit to the monitor. No
 * memory window is ever placed there: windows get GPAs from GPA_BASE up. */
#define DB_GPA 0xc0000000ull
#define GPA_BASE 0x100000000ull
#define DB_SYS 0x000 /* in the user doorbell page: the LSTAR stub */
#define DB_VEC 0x000 /* in the supervisor doorbell page: + 8 * vector */
#define DB_CHAN 0x800 /* in the supervisor doorbell page: a channel stub that stopped waiting */
/* GVAs: page 0 of VLT_DOORBELL is the user page, page 1 the supervisor page */
#define DB_USER_OFF 0x0000
#define DB_SUPER_OFF 0x1000

#define GDT_KCODE 0x10
#define GDT_KDATA 0x18
#define GDT_UCODE32 0x23
#define GDT_UDATA 0x2b
#define GDT_UCODE 0x33
#define GDT_CPUNODE 0x78 /* as Linux's GDT_ENTRY_CPUNODE: the vDSO's getcpu reads it with lsl */
#define GDT_TSS 0x80 /* vCPU 0's; vCPU i's is GDT_TSS + 16 * i */
#define GDT_LIMIT (GDT_TSS + 16 * SB_MAX_THREADS - 1)

#define SB_MAX_WINDOWS 4096
#define SB_MAX_HIDDEN 256
#define SB_MAX_MONFD 12
#define SB_NSIG 64

struct sb_window {
	uint64_t lo, hi; /* host range, 2 MiB aligned */
	uint64_t gpa;    /* guest-physical address of lo */
};

struct sb_range {
	uint64_t lo, hi;
};

struct sb_ksigaction { /* the kernel's struct sigaction for x86-64 */
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct sb_ptpool {
	uint64_t base, size, used; /* bump allocator over VLT_PTPOOL (host addresses) */
	uint64_t gpa;              /* guest-physical address of base */
	uint64_t free_head;        /* singly linked free list (first word of a free page) */
	uint64_t cr3;
};

/* A request slot of the exitless channel (monitor/channel.c), in the sys
 * window: written by its vCPU's channel stub at CPL0 and by a worker
 * thread of the monitor; the process (CPL3) cannot reach it. */
/* CH_OWN: a user slot (VLT_PATCH) a trampoline claimed and is filling in */
enum { CH_IDLE, CH_REQ, CH_BUSY, CH_DONE, CH_BACK, CH_OWN };
struct sb_chan_slot {
	uint32_t state;   /* CH_*: the stub publishes CH_REQ, a worker claims it (CH_BUSY) */
	uint32_t waiting; /* the vCPU's thread waits for the worker (futex on state) */
	uint64_t nr, a[6];
	uint64_t ret;
	uint64_t save_rcx, save_r11; /* the stub's: the process's return rip and flags */
	uint64_t tid;     /* gettid's answer, in the VM (the monitor's, set when the stub is switched on) */
	uint64_t nvm;     /* calls the stub answered in the VM (statistics) */
	uint64_t vm_site; /* the return rip of the last call answered in the VM (a site to patch) */
	uint64_t vm_nr;   /* and its number */
};

/* An entry of the patcher's table (monitor/patch.c): a call site seen */
struct sb_patch_ent {
	uint64_t site;  /* address of the `syscall` instruction; 0: a free entry */
	uint32_t state; /* PS_* */
	uint32_t tramp; /* trampoline index, when patched */
};
enum { PS_FREE, PS_PATCHED, PS_REFUSED };

#define CH_NR_MAX 512 /* call numbers the bitmap covers */
struct sb_chan_ctl {
	uint32_t on;      /* a worker is awake: stubs may spin on their slot */
	uint32_t spin;    /* pauses a stub waits before DB_CHAN (adapted by chan_resolve) */
	uint64_t nr_ok[CH_NR_MAX / 64]; /* calls stubs hand to the channel */
	uint64_t vm_ok[CH_NR_MAX / 64]; /* calls stubs answer in the VM: ans[nr], gettid from the slot */
	uint64_t ans[CH_NR_MAX];
};

struct sb_backend;
struct cp_policy;
struct sb_thr;
struct sb_tasks;

struct sb_mon {
	uint64_t magic;
	const struct sb_backend *backend; /* set-up only: points into libsandbox's read-only data */
	int backend_kind;           /* SB_BACKEND_KVM or SB_BACKEND_KMOD (an executed image keeps it) */
	/* the exit path's backend calls, copied into the vault at entry: the
	 * monitor reads no data of libsandbox's image while the guest runs */
	int (*set_window)(struct sb_mon *m, uint32_t slot, uint64_t gpa, uint64_t hva, uint64_t size);
	int (*run_vcpu)(struct sb_thr *t);
	int (*get_xsave)(struct sb_thr *t, void *area);
	int (*set_xsave)(struct sb_thr *t, const void *area);
	int (*fork_child)(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
	int (*new_vcpu)(struct sb_thr *t, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
	uint64_t vault;            /* vault base */
	uint64_t zone_lo, zone_hi; /* vault with its guards: never the guest's */
	uint64_t image_lo, image_hi; /* libsandbox's image: its mappings cannot change */
	/* launched programs (sb_exec): the launcher's own mappings, sorted and
	 * disjoint. Never in the guest page tables, never changed by a guest
	 * call, and no guest buffer may lie in them (mirror.c). */
	uint32_t nhidden;
	struct sb_range hidden[SB_MAX_HIDDEN];

	/* backend (kvm); each thread's vCPU fd is in its struct sb_thr */
	int kvm_fd, vm_fd, log_fd, maps_fd, proc_fd;
	unsigned int audit_flags; /* SB_AUDIT_* */
	int monfd[SB_MAX_MONFD]; /* every fd the monitor owns: invisible to the guest */
	int nmonfd;
	int fd_base;                /* where threads' vCPU fds are moved (F_DUPFD_CLOEXEC) */
	uint32_t nvcpufd;           /* every vCPU fd (thread.c): invisible to the guest too; */
	int vcpufd[SB_MAX_THREADS]; /* -1: a free entry (never shifted: readers take no lock) */
	uint32_t next_vcpu_id;      /* the id of the VM's next vCPU */
	uint32_t vcpu_budget;       /* vCPUs the VM may still create */
	uint32_t max_vcpus;         /* vCPUs a VM may have (KVM_CAP_MAX_VCPUS) */
	uint32_t nslots;
	uint32_t max_slots;
	uint64_t gpa_next;          /* bump allocator for window GPAs */
	uint64_t gpa_limit;         /* 1 << guest physical address bits */
	struct sb_window win[SB_MAX_WINDOWS];

	/* guest layout */
	uint64_t sys;               /* GVA == HVA of VLT_SYS */
	uint64_t lstar, lstar_sysret;
	struct kvm_segment ucs, uss; /* user code and stack segments, for returns to CPL3 */
	int pid;                    /* host pid == guest pid */
	struct sb_ptpool pt;

	/* The monitor lock (thread.c): held while the memory windows, the
	 * page tables, the hidden ranges, the break, the dispositions or the
	 * thread table change, and while a forked child's copy pipe is used.
	 * Never held across a call that may block on the guest's behalf. */
	uint32_t lock;
	uint32_t gpipe_lock;        /* the copy pipe's (gmem.h) */
	uint32_t nthreads;          /* threads alive (in_use slots) */
	uint32_t thr_hi;            /* slots [0, thr_hi) have been set up; the rest are untouched */

	/* the policy programs executed inside run under (pledge's
	 * execpromises), at VLT_XPOLICY; NULL: the same policy */
	const struct cp_policy *exec_policy;
	/* the compiled policy, at VLT_POLICY (a copy: the caller's is guest memory) */
	const struct cp_policy *policy;

	/* process state the monitor emulates */
	uint64_t brk;               /* current program break */
	uint64_t brk_lo;            /* emulated break (sb_exec): its start; 0: the host's brk */
	uint64_t stack_lo, stack_hi; /* main stack VMA, for growth */
	uint64_t stack_limit;       /* lowest address the stack may grow to */
	struct sb_ksigaction sig[SB_NSIG + 1]; /* the guest's dispositions */
	uint64_t xcr0;              /* the guest's XCR0: what its XSAVE areas hold */
	/* what a fork child needs to rebuild its VM (backend set-up fills it) */
	uint32_t run_size;          /* bytes of the kvm_run mapping */
	uint32_t cpuid_len;         /* bytes of struct kvm_cpuid2 in cpuid[] */
	uint8_t cpuid[8192] __attribute__((aligned(8)));
	uint32_t nmsr;
	uint32_t msr_idx[8];
	uint64_t msr_val[8];
	int wall_pid;               /* the pid the host seccomp filter names (process_vm_*) */
	int gpipe[2];               /* guest-memory copies through a pipe, in forked children */
	int landlocked;             /* path rules are on: the kernel refuses new /proc opens */
	int exe_fd;                 /* the launcher's executable (sb_exec), for execve; else -1 */
	int tasks_fd;               /* the task table's memfd (tasks.c); else -1 */
	struct sb_tasks *tasks;     /* at VLT_TASKS; NULL: no task limit */
	int broker_fd;              /* the /proc broker (api/procbroker.c) under path rules; else -1 */
	uint64_t xsave_size;        /* bytes of XSAVE state in a signal frame */

	/* seccomp program for the crash-report child (see crash_bt.c) */
	uint32_t bt_len;
	struct {
		uint16_t code;
		uint8_t jt, jf;
		uint32_t k;
	} bt_filter[512];

	/* Dune mode (SB_ENTER_RING0, monitor/ring0.c): the process runs at
	 * CPL0; ucs/uss above are then the kernel segments (0x10/0x18), and
	 * everything in the sys window and the page-table pool (mapped
	 * read-only for it) is writable by the process */
	uint32_t ring0;

	/* the exitless channel (monitor/channel.c) */
	uint32_t chan_mode;         /* SB_CHAN_OFF, SB_CHAN_AUTO (on with two CPUs or more), SB_CHAN_ON */
	uint32_t chan_cpl0;         /* a system call entered the LSTAR stub at CPL0: stubs can use it */
	uint32_t chan_enabled;      /* chan_start() turned it on: vCPUs switch to their channel stubs */
	uint32_t chan_dead;         /* off for good (credentials changed): workers leave */
	uint32_t ncpus;             /* CPUs the process may run on, at entry */
	uint32_t chan_workers;      /* worker threads alive */
	uint32_t chan_widx;         /* the worker's slot (its host_tid is 0 once it is gone) */
	uint32_t chan_takebacks;    /* stubs that gave up with their call not taken, since the worker last served one */
	uint32_t chan_overload;     /* doorbell mode: the worker does not get a CPU; stubs exit at once */
	uint64_t chan_overload_end; /* until then (CLOCK_MONOTONIC ns) */
	uint64_t chan_served, chan_back, chan_waited, chan_backoffs; /* statistics */
	uint32_t patch_on;          /* patch call sites the channel serves (monitor/patch.c) */
	uint32_t chan_no_stub;      /* RINGFENCE_CHANNEL_STUB=off: vCPUs keep the plain LSTAR stub, as on a PVM host */
	uint32_t patch_next;        /* trampolines used */
	uint32_t patch_busy;        /* the worker is patching a site (not serving): no takeback counts against it */
	uint64_t patch_gpa;         /* guest-physical address of the patch window */
	uint64_t patch_done, patch_refused; /* statistics */
	uint32_t print_stats;       /* RINGFENCE_STATS=1: a line of counts on stderr at exit_group */
	int (*set_lstar)(struct sb_thr *t, uint64_t lstar); /* NULL: the backend cannot switch stubs */
};

_Static_assert(sizeof(struct sb_mon) <= VLT_SYS, "struct sb_mon must fit below the sys area");

/* One guest thread: its vCPU and the state Linux keeps per thread. */
struct sb_thr {
	uint64_t magic;             /* SB_THR_MAGIC while the slot has been set up */
	struct sb_mon *mon;
	uint32_t idx;               /* slot, vCPU id, TSS and IST index */
	uint32_t in_use;            /* a guest thread runs in this slot */
	/* the host thread's tid word: set by the kernel when the thread
	 * starts (CLONE_CHILD_SETTID), cleared when it is gone (the slot's
	 * stacks are free again only then) */
	int32_t host_tid;
	int tid;                    /* host tid == guest tid */
	int vcpu_fd;                /* -1: no vCPU yet (kept when the thread ends: KVM cannot destroy one) */
	struct kvm_run *run;
	uint64_t ist_top;           /* GVA of the top of this vCPU's IST1 stack (exception frames) */
	uint64_t clear_tid;         /* set_tid_address / CLONE_CHILD_CLEARTID: zeroed and woken at exit */
	uint64_t set_child_tid;     /* CLONE_CHILD_SETTID: written by the new thread before it starts */
	uint64_t sigmask;           /* the guest thread's blocked set (its host thread uses it too) */
	uint64_t pending;           /* set by the host signal handler */
	/* a call with a temporary mask (sigsuspend, ppoll, ...) came back
	 * with EINTR: the next delivery uses that mask, as the kernel does */
	int in_suspend;
	uint64_t suspend_mask;
	uint64_t ss_sp, ss_size;    /* the guest thread's sigaltstack */
	int ss_flags;
	uint64_t fault_err, fault_trapno, fault_cr2; /* for the next frame's sigcontext */
	uint64_t cur_rip;           /* guest rip of the call being handled, for reports */
	uint32_t worker;            /* a worker thread of the exitless channel, not a guest thread */
	uint32_t chan_lstar;        /* this vCPU's LSTAR is its channel stub */
	/* statistics */
	uint64_t nexits, nsyscalls;
	/* siginfo of each pending signal, as the host kernel gave it to the
	 * stub (or as the monitor made it for faults and TRAP) */
	uint8_t siginfo[SB_NSIG + 1][128];
	uint8_t xsave[4096] __attribute__((aligned(64))); /* signal frames' FPU state */
};

_Static_assert(GDT_LIMIT < SYS_GDT_PAGES * 4096 && SYS_TSS_STRIDE * SB_MAX_THREADS <= SYS_TSS_PAGES * 4096 &&
		       SYS_IST_STRIDE * SB_MAX_THREADS <= SYS_IST_PAGES * 4096 &&
		       SYS_IST + SYS_IST_PAGES * 4096 <= SYS_CSTUB &&
		       SYS_CSTUB_STRIDE * SB_MAX_THREADS <= SYS_CSTUB_PAGES * 4096 &&
		       SYS_CSTUB + SYS_CSTUB_PAGES * 4096 <= SYS_CSLOT &&
		       SYS_CSLOT_STRIDE * SB_MAX_THREADS <= SYS_CSLOT_PAGES * 4096 &&
		       SYS_CSLOT + SYS_CSLOT_PAGES * 4096 <= SYS_CCTL && SYS_CCTL + 4096 <= VLT_SYS_SIZE &&
		       sizeof(struct sb_chan_slot) <= SYS_CSLOT_STRIDE && VLT_SYS + VLT_SYS_SIZE <= VLT_DOORBELL &&
		       VLT_DOORBELL + 0x2000 <= VLT_MAPSBUF && VLT_TASKS + VLT_TASKS_SIZE <= VLT_PATCH &&
		       VLT_PATCH + VLT_PATCH_SIZE <= VLT_PTAB &&
		       VLT_PTAB + PTAB_CAP * sizeof(struct sb_patch_ent) <= VLT_PTPOOL &&
		       PATCH_NUSLOT * SYS_CSLOT_STRIDE <= PATCH_UCTL,
	       "the sys area holds every vCPU's GDT entry, TSS and IST stack");
_Static_assert(sizeof(struct sb_thr) <= THR_ALTSTACK, "struct sb_thr must fit below the thread's altstack");
_Static_assert((VLT_THREADS & (SB_CHUNK - 1)) == 0 && (THR_SIZE & (SB_CHUNK - 1)) == 0,
	       "thread regions are chunk aligned");
_Static_assert(THR_STACK + THR_STACK_SIZE <= SB_CHUNK, "a thread's stacks are in its region's first chunk");

#define SB_THR_MAGIC 0x52464e4354485244ull /* "RFNCTHRD" */

#define SB_BACKEND_KVM 1
#define SB_BACKEND_KMOD 2

#define SB_CHAN_OFF 0
#define SB_CHAN_AUTO 1
#define SB_CHAN_ON 2

#define SB_MON_MAGIC 0x52494e4746454e43ull /* "RINGFENC" */

static inline struct sb_mon *sb_mon_of(uint64_t vault)
{
	return (struct sb_mon *)(vault + VLT_MON);
}

/* Thread slot i's region and state. */
static inline uint64_t sb_thr_region(const struct sb_mon *m, uint32_t i)
{
	return m->vault + VLT_THREADS + (uint64_t)i * THR_SIZE;
}

static inline struct sb_thr *sb_thr_at(const struct sb_mon *m, uint32_t i)
{
	return (struct sb_thr *)(sb_thr_region(m, i) + THR_STATE);
}

/* The thread whose monitor stack (or host signal stack) the caller runs
 * on: both are in the first chunk of the thread's region. Exit path and
 * signal stub only; set-up code runs on the caller's stack. */
static inline struct sb_thr *sb_thr_self(void)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);

	return (struct sb_thr *)(SB_CHUNK_DOWN(sp) + THR_STATE);
}

#define THR_SCRATCH_OF(t) ((uint8_t *)((uint64_t)(t) - THR_STATE + THR_SCRATCH))

#endif
