/* SPDX-License-Identifier: MIT */
/* libsandbox/include/sandbox.h: the public API of libsandbox (Ringfence).
 *
 * A process calls sb_enter() and from then on runs inside a hardware virtual
 * machine with its own page tables and no guest OS. Every system call it makes
 * reaches the monitor (libsandbox's host side, in the same host process), which
 * applies the policy and forwards what is allowed to the host kernel.
 *
 * Conventions: functions return 0 (or a non-negative value) on success and a
 * negative errno on failure; out-parameters are written only on success. The
 * library never prints to stdout and never exits the process on its own; its
 * one documented exception is sb_enter(), which takes over the process (see
 * there).
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SB_API __attribute__((visibility("default")))
#else
#define SB_API
#endif

#define SB_VERSION_MAJOR 0
#define SB_VERSION_MINOR 1
#define SB_VERSION_PATCH 0

/**
 * sb_version() - the library's version as "MAJOR.MINOR.PATCH".
 */
SB_API const char *sb_version(void);

/*
 * Actions. The encoding follows seccomp's return values so that a reader who
 * knows seccomp knows these: the high 16 bits select the action, the low 16
 * bits carry the errno for SB_ACT_ERRNO.
 */
#define SB_ACT_KILL 0x80000000u        /* end the process as seccomp's KILL_PROCESS: death by SIGSYS */
#define SB_ACT_ERRNO(e) (0x00050000u | ((uint32_t)(e) & 0xffffu)) /* fail the call with -e */
#define SB_ACT_TRAP 0x00030000u        /* fail the call and raise SIGSYS in the process */
#define SB_ACT_LOG 0x7ffc0000u         /* allow, and write an audit record */
#define SB_ACT_ALLOW 0x7fff0000u       /* forward (or emulate) the call */
#define SB_ACT_IS_ERRNO(a) (((a) & 0xffff0000u) == 0x00050000u)

/*
 * Argument comparisons, as libseccomp's: a rule matches when every one of
 * its comparisons holds on the call's (64-bit) arguments.
 */
enum sb_cmp_op {
	SB_CMP_NE = 1,    /* arg != a */
	SB_CMP_LT = 2,    /* arg < a (unsigned) */
	SB_CMP_LE = 3,    /* arg <= a */
	SB_CMP_EQ = 4,    /* arg == a */
	SB_CMP_GE = 5,    /* arg >= a */
	SB_CMP_GT = 6,    /* arg > a */
	SB_CMP_MASKED_EQ = 7, /* (arg & a) == b */
};

struct sb_arg_cmp {
	unsigned int arg;   /* 0..5 */
	enum sb_cmp_op op;
	uint64_t a, b;      /* b only for SB_CMP_MASKED_EQ */
};

#define SB_RULE_MAX_CMP 6

/**
 * struct sb_rule - one rule: action for a call when all comparisons hold.
 * @origin: what to name in audit records as the rule that decided, such as
 *          "policy.rf:12" or "pledge stdio" (copied; may be NULL).
 */
struct sb_rule {
	long nr;
	uint32_t action;
	unsigned int ncmp;
	struct sb_arg_cmp cmp[SB_RULE_MAX_CMP];
	const char *origin;
};

/** struct sb_policy - opaque; built with sb_policy_new() and the functions below. */
struct sb_policy;

/**
 * sb_policy_new() - a policy whose every call takes @default_action.
 * @default_action: SB_ACT_ALLOW, SB_ACT_KILL or SB_ACT_ERRNO(e).
 * @out: receives the policy.
 * Return: 0, -EINVAL (bad action), -ENOMEM.
 */
SB_API int sb_policy_new(uint32_t default_action, struct sb_policy **out);

/**
 * sb_policy_set_exec() - the policy of programs the sandboxed process
 * executes (pledge's execpromises): an execve() inside starts the new
 * program under @exec_pol, and so do its own execs. NULL: the same policy
 * (the default). @exec_pol is read when the sandbox is entered and must
 * stay valid until then; it must not have an exec policy itself.
 * Return: 0, -EINVAL.
 */
SB_API int sb_policy_set_exec(struct sb_policy *pol, const struct sb_policy *exec_pol);

/* The most tasks a limit may name (sb_policy_set_max_tasks()). */
#define SB_MAX_TASKS 2000

/**
 * sb_policy_set_max_tasks() - at most @n tasks (processes and threads,
 * the one entering included) in the sandbox: the process, its threads,
 * its children and theirs. A fork, vfork, clone or clone3 beyond it fails
 * with EAGAIN, as at the kernel's RLIMIT_NPROC. A policy file's
 * "limit tasks N" line sets it too. 0: no limit (the default).
 * Return: 0, -EINVAL (@n over SB_MAX_TASKS).
 */
SB_API int sb_policy_set_max_tasks(struct sb_policy *pol, unsigned int n);

/**
 * sb_policy_set_default() - change the default action, as a policy file's
 * "default" line does: calls that took the old default and that no rule or
 * promise named take the new one; the others keep their action.
 * Return: 0, -EINVAL (bad action).
 */
SB_API int sb_policy_set_default(struct sb_policy *pol, uint32_t default_action);

/**
 * sb_policy_add() - set the action of one system call.
 * @nr: x86-64 syscall number (see sb_syscall_nr()).
 * Return: 0, -EINVAL (bad number or action).
 */
SB_API int sb_policy_add(struct sb_policy *pol, long nr, uint32_t action);

/**
 * sb_policy_add_rule() - add a rule with argument comparisons.
 * Rules of one call are tried in the order they were added; the first whose
 * comparisons all hold decides. A call no rule matches takes the action set
 * by sb_policy_add() for it, else the default action.
 * Return: 0, -EINVAL (bad number, action, argument index or operator),
 * -ENOMEM, -E2BIG (too many rules: the compiled policy must fit the vault).
 */
SB_API int sb_policy_add_rule(struct sb_policy *pol, const struct sb_rule *rule);

/*
 * Network rules. Once a policy has any socket rule, socket() and
 * socketpair() succeed only for the (domain, type) pairs allowed; once it
 * has any address rule, connect(), bind(), sendto() and sendmsg() with an
 * address succeed only for addresses a rule allows for that operation.
 * Refused calls fail with EACCES. Addresses are checked on a copy the
 * kernel then uses, so they cannot change between check and use.
 */
#define SB_NET_CONNECT 0x1u /* connect(), and sendto()/sendmsg() with an address */
#define SB_NET_BIND 0x2u

/**
 * struct sb_net_rule - addresses a socket may connect to or bind.
 * @family: AF_INET, AF_INET6 or AF_UNIX.
 * @addr: AF_INET: 4 bytes, AF_INET6: 16 bytes, network order; unused for AF_UNIX.
 * @prefix: prefix length in bits (0: any address of the family).
 * @port_lo, @port_hi: port range, host order, inclusive (0-65535: any).
 * @path: AF_UNIX: a socket path or a directory ending in '/' (NULL: any);
 *        abstract names are written with a leading '@'.
 * @ops: SB_NET_CONNECT and/or SB_NET_BIND.
 * @origin: named in audit records (copied; may be NULL).
 */
struct sb_net_rule {
	int family;
	uint8_t addr[16];
	unsigned int prefix;
	uint16_t port_lo, port_hi;
	const char *path;
	unsigned int ops;
	const char *origin;
};

/** sb_policy_allow_socket() - allow socket(domain, type) (type without SOCK_NONBLOCK/SOCK_CLOEXEC; -1: any type). */
SB_API int sb_policy_allow_socket(struct sb_policy *pol, int domain, int type);

/** sb_policy_allow_net() - allow addresses. Return: 0, -EINVAL, -E2BIG (too many rules). */
SB_API int sb_policy_allow_net(struct sb_policy *pol, const struct sb_net_rule *rule);

/**
 * sb_policy_unveil() - make a path visible, with permissions (unveil(2)).
 * @perms: any of "r" (read files, list directories), "w" (write and
 *         truncate files), "x" (execute), "c" (create and remove entries,
 *         link and rename). Rules add up: a path below an unveiled tree
 *         gets the tree's permissions and its own (no rule can take away
 *         what a wider one gives, so "" is refused).
 * Once a policy unveils any path, every other file is out of reach: opens,
 * creation, removal, renames, links and executions outside the unveiled
 * trees fail with EACCES. The kernel resolves and checks every access
 * (Landlock), so symlinks, "..", /proc/self/root, /proc/self/fd/N and
 * dirfd-relative names cannot lead out, and nothing changes between check
 * and use. Paths are opened at sb_enter(): one that does not exist then
 * makes sb_enter() fail with -ENOENT. A kernel without Landlock makes
 * sb_enter() fail with -ENOSYS rather than run without the rules.
 * Return: 0; -EINVAL (empty path or permissions, unknown letter); -E2BIG.
 */
SB_API int sb_policy_unveil(struct sb_policy *pol, const char *path, const char *perms);

/**
 * sb_policy_add_name() - as sb_policy_add(), by name ("openat").
 * Return: 0, -EINVAL (bad action), -ENOENT (no such syscall).
 */
SB_API int sb_policy_add_name(struct sb_policy *pol, const char *name, uint32_t action);

/**
 * sb_policy_log_denials() - audit every refused or killed call on @fd: one
 * JSON object per line (docs/policy.md); sb_policy_audit(pol, fd, 0). The
 * fd is duplicated into the monitor at sb_enter(), hidden from the process.
 * Pass -1 to turn it off.
 * Return: 0, -EBADF (fd is not open).
 */
SB_API int sb_policy_log_denials(struct sb_policy *pol, int fd);

/**
 * sb_policy_load() - add the rules of a text policy file (docs/policy.md).
 * Return: 0; -EINVAL with "FILE:LINE: message" in sb_last_error() for a
 * malformed file; -ENOENT/-EACCES/... if a file cannot be read; -ELOOP for
 * include cycles. On failure the policy is unchanged.
 */
SB_API int sb_policy_load(struct sb_policy *pol, const char *path);

/**
 * sb_policy_load_oci() - add an OCI runtime-spec "linux.seccomp" object (a
 * Docker seccomp profile has the same shape; a whole config.json is also
 * accepted). Return: 0; -EINVAL with the reason in sb_last_error(); -EFBIG
 * (file over 4 MiB); -E2BIG (too many rules); -ENOMEM; -errno if the file
 * cannot be read. On failure the policy is unchanged.
 */
SB_API int sb_policy_load_oci(struct sb_policy *pol, const char *path);

/**
 * sb_policy_pledge() - allow the system calls of OpenBSD-style promises
 * ("stdio rpath inet", see docs/policy.md for each promise's calls) with
 * the argument restrictions each promise implies. Calls no promise covers
 * keep their current action (make the default a denial to get pledge's
 * meaning). Return: 0; -EINVAL for an unknown promise (named in
 * sb_last_error()).
 */
SB_API int sb_policy_pledge(struct sb_policy *pol, const char *promises);

/**
 * sb_pledge() - OpenBSD's pledge(2) in one call: a new policy (default
 * SB_ACT_KILL, or SB_ACT_ERRNO(EPERM) with the "error" promise) that allows
 * exit, exit_group, rt_sigreturn and restart_syscall and what @promises
 * allow (sb_policy_pledge()), then sb_enter() with it.
 * @promises: space-separated promises; "" allows exiting only.
 * @execpromises: checked and recorded for programs the sandboxed process
 *                will execute; NULL for none. Not applied yet: execve() is
 *                not supported inside a sandbox (issue #5).
 * On success the policy stays allocated for the life of the process.
 * Return: 0 inside the sandbox; -EINVAL (NULL or unknown promise, named in
 * sb_last_error()); -EBUSY when already inside (tightening the policy from
 * inside is not supported yet); -ENOMEM; sb_enter()'s errors.
 */
SB_API int sb_pledge(const char *promises, const char *execpromises);

/**
 * sb_unveil() - OpenBSD's unveil(2) before entering: the path rules of
 * sb_policy_unveil(), kept for the next sb_enter() or sb_pledge() of this
 * process whatever policy it is given. sb_unveil(NULL, NULL) is accepted
 * (there is nothing to lock: no path can be added once inside).
 * Return: 0; -EINVAL; -E2BIG; -EBUSY inside a sandbox.
 */
SB_API int sb_unveil(const char *path, const char *perms);

#define SB_AUDIT_BACKTRACE 0x1u /* add a symbolized backtrace of the guest to each record */

/**
 * sb_policy_audit() - write an audit record (one JSON object per line:
 * docs/policy.md) for every refused or killed call, and every call whose
 * action is SB_ACT_LOG, to @fd; flags SB_AUDIT_*. sb_policy_log_denials()
 * is sb_policy_audit(pol, fd, 0). The fd is duplicated into the monitor at
 * sb_enter() and hidden from the process. Pass -1 to turn it off.
 * Return: 0, -EBADF (fd is not open), -EINVAL (unknown flag).
 */
SB_API int sb_policy_audit(struct sb_policy *pol, int fd, unsigned int flags);

/** sb_policy_free() - free a policy (NULL is fine). sb_enter() keeps its own copy. */
SB_API void sb_policy_free(struct sb_policy *pol);

/** sb_syscall_nr() - number of a syscall by name, or -ENOENT. */
SB_API long sb_syscall_nr(const char *name);

/**
 * sb_enter() - move the calling process into a virtual machine.
 * @pol: the policy (NULL: allow everything the integrity layer allows).
 *
 * On success it returns 0 *inside* the VM: same thread, same stack, same
 * callee-saved registers, same FPU/SSE/AVX state, same TLS. From then on the
 * host thread is the monitor, and the process cannot leave: exit() or a fatal
 * signal ends it as it would end natively.
 *
 * It takes over what a monitor must own, and says so here: signal
 * dispositions with handlers are kept as the guest's and are no longer
 * installed on the host; the rseq area glibc registered is unregistered; the
 * monitor's own fds are moved to the top of the fd table and hidden.
 *
 * On failure the process is unchanged and running outside any VM.
 * Return: 0; -EBUSY (other threads exist, or already inside); -ENODEV (no
 * usable backend: see sb_last_error()); -EACCES (no permission on the device);
 * -ENOSYS (a capability the backend lacks); -ENOMEM; -EINVAL.
 */
SB_API int sb_enter(const struct sb_policy *pol);

/*
 * Flags of sb_enter_flags() and sb_exec_flags().
 *
 * SB_ENTER_RING0 - "Dune mode": the process runs at guest CPL0 instead of
 * CPL3, with the CPU's privileged features: it may read and load CR3 (its
 * own page tables), load its own IDT (its own exception handlers), GDT and
 * TSS, and use cli/sti, invlpg, swapgs, rdmsr/wrmsr (KVM backend). The
 * monitor is unchanged: every system call still reaches it through the
 * syscall stub and the policy decides, the call returns to CPL0.
 * Isolation holds (the vault is never in guest-physical space, and the
 * monitor trusts nothing a ring-0 process can write), but the process is
 * no longer protected from itself: docs/architecture.md ("Ring-0 mode")
 * and docs/threat-model.md say what it can and cannot do. On hosts that
 * emulate guest ring 0 (PVM) every instruction is slow.
 */
#define SB_ENTER_RING0 0x1u
/*
 * SB_ENTER_EXITLESS, SB_ENTER_NO_EXITLESS - the exitless channel on or off
 * (docs/architecture.md, "Exitless system calls"): quick calls that are
 * not bound to the calling thread are made by a worker thread of the
 * monitor while the vCPU waits inside the VM, without a VM exit. Neither
 * flag: the environment variable RINGFENCE_EXITLESS: "on", "off", else
 * auto: on while the process has fewer threads than CPUs (and never on a
 * single CPU). Exitless or not, every call gets the same decision, result and
 * audit record. Only the /dev/kvm backend on VT-x/AMD-V hosts offers it
 * (a PVM host runs the syscall stub at CPL3, where it cannot be used).
 */
#define SB_ENTER_EXITLESS 0x2u
#define SB_ENTER_NO_EXITLESS 0x4u
/*
 * SB_ENTER_NO_PATCH - while the exitless channel is on, the monitor
 * rewrites the `mov $nr, %eax` before a `syscall` it has served into a
 * jump to a trampoline that reaches the channel from user mode
 * (docs/architecture.md, "Patched call sites"); only in the process's
 * private, read-only code, only where that instruction is proven. This
 * flag (or RINGFENCE_PATCH=off in the environment) leaves all code as it is.
 */
#define SB_ENTER_NO_PATCH 0x8u

/**
 * sb_enter_flags() - sb_enter() with flags (SB_ENTER_*; 0: sb_enter()).
 * Return: as sb_enter(); -EINVAL for an unknown flag; -ENOSYS when the
 * backend cannot run the process at ring 0 (sb_last_error() says why).
 */
SB_API int sb_enter_flags(const struct sb_policy *pol, unsigned int flags);

/**
 * struct sb_ring0_info - what a process in ring-0 mode needs to know of the
 * monitor's guest state to build page tables and an IDT of its own.
 * @cr3:     guest-physical address of the monitor's top-level page table
 *           (what CR3 holds at entry).
 * @pt_va, @pt_pa, @pt_size: the monitor's page-table pool: mapped
 *           read-only and supervisor-only at @pt_va in the monitor's page
 *           tables, at guest-physical @pt_pa. Every table the monitor's
 *           CR3 reaches is in it.
 * @sys_va, @sys_size: the monitor's descriptor tables (GDT, TSS, IDT),
 *           exception and syscall stubs and their stacks, supervisor-only
 *           (the syscall stub page is user-executable), and the two doorbell
 *           pages after them. Page tables of the process's own must map this
 *           range as the monitor's do (copying the monitor's top-level entry
 *           for it is enough) for system calls and the monitor's exception
 *           vectors to keep working.
 * Selectors: kernel code 0x10, kernel data 0x18 (what system calls return
 * with), user 0x23/0x2b/0x33, TSS 0x40.
 */
struct sb_ring0_info {
	uint64_t cr3;
	uint64_t pt_va, pt_pa, pt_size;
	uint64_t sys_va, sys_size;
};

/**
 * sb_ring0_info() - inside a sandbox this process entered with
 * SB_ENTER_RING0: fill @info. Plain memory reads, no system call.
 * Return: 0; -EPERM outside such a sandbox (or in a program started by
 * sb_exec_flags(), which has no copy of it).
 */
SB_API int sb_ring0_info(struct sb_ring0_info *info);

/**
 * sb_ring0_pa() - the guest-physical address @va has in the monitor's page
 * tables (a software walk from sb_ring0_info()'s cr3 through the pool), or
 * 0 if it is not mapped there (or outside ring-0 mode). For page tables of
 * the process's own. Runs at CPL0 only (it reads the supervisor-only pool).
 */
SB_API uint64_t sb_ring0_pa(const void *va);

/**
 * sb_exec() - run a program inside a new sandbox, in place of the caller:
 * execve(2) into a virtual machine.
 * @pol: the policy (NULL: allow everything the integrity layer allows).
 * @path: the program: an x86-64 ELF executable (static, static-pie, PIE or
 *        dynamic: its PT_INTERP loader is loaded too) or a "#!" script whose
 *        interpreter is such a program. No PATH search.
 * @argv, @envp: as execve(2); argv[0] is passed as given.
 *
 * The program is loaded with libelf and checked (docs/ringfence.1 lists
 * what is refused: wrong architecture, truncation, overlapping or W+X
 * segments, a missing interpreter, ...), its stack is built as the kernel
 * builds it (argv, envp, a full auxiliary vector), and the process enters
 * the VM at the first instruction of the program (or of its interpreter):
 * not one instruction of it runs outside. Inside, the program's break is
 * emulated, and every mapping of the caller (its code, libraries, heap and
 * stack) is hidden: the program can neither see nor change it. Handlers
 * are reset to the default and ignored signals stay ignored, the signal
 * mask is kept, as across execve(2). /proc/self/exe names the caller's
 * executable (the launcher), not @path; AT_EXECFN is @path.
 *
 * Must be called single-threaded. On success it does not return: the
 * process ends when the program does, with its exit status or the signal
 * that killed it.
 * Return (failure only, the process as it was, a one-line reason naming
 * the problem in sb_last_error()): -ENOENT (no such file, or no such
 * interpreter), -EACCES (not executable, not a regular file), -EISDIR,
 * -ENOEXEC (not a loadable x86-64 ELF), -ELIBBAD (a bad interpreter),
 * -E2BIG (arguments too large), -ENOMEM, and sb_enter()'s errors.
 * sb_last_error() starts with @path and ": " exactly when the program
 * itself could not be loaded (where a shell would say 126 or 127); any
 * other message means the sandbox could not be built.
 */
SB_API int sb_exec(const struct sb_policy *pol, const char *path, char *const argv[], char *const envp[]);

/**
 * sb_exec_flags() - sb_exec() with flags (SB_ENTER_*). With
 * SB_ENTER_RING0 the program starts at CPL0 (`ringfence run --ring0`), and
 * so do the programs it executes. Its launcher's hidden memory is then
 * hidden only at 2 MiB granularity (docs/threat-model.md, wall 6).
 * Return: as sb_exec(); -EINVAL for an unknown flag.
 */
SB_API int sb_exec_flags(const struct sb_policy *pol, const char *path, char *const argv[], char *const envp[],
			 unsigned int flags);

/**
 * sb_exec_resume() - the second half of an execve() made inside a sandbox
 * that sb_exec() started: the monitor executes the launcher again with
 * "--exec-inner STATE_FD PATH ARGV..." (docs/architecture.md); the
 * launcher passes them here. Loads PATH as sb_exec() does and enters a new
 * VM under the policy and audit settings in STATE_FD. Returns only on
 * failure, as sb_exec().
 */
SB_API int sb_exec_resume(int state_fd, const char *path, char *const argv[], char *const envp[]);

/** sb_inside() - 1 inside a sandbox entered by sb_enter(), 0 outside. */
SB_API int sb_inside(void);

/**
 * sb_last_error() - a one-line, human explanation of the last failure of
 * sb_enter() in this thread ("" if none): which device, which capability,
 * and what to do.
 */
SB_API const char *sb_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SANDBOX_H */
