/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/launch.h: enter a sandbox that starts a loaded program (sb_exec) instead of returning. */
#ifndef SB_LAUNCH_H
#define SB_LAUNCH_H

#include <stdint.h>
#include "../../include/sandbox.h"

#define SB_LAUNCH_MAX_KEEP 4

struct sb_launch {
	uint64_t rip, rsp;      /* the program's first instruction and initial stack */
	uint64_t brk;           /* where its (emulated) break starts */
	uint64_t stack_lo, stack_hi;
	struct {
		uint64_t lo, hi;
	} keep[SB_LAUNCH_MAX_KEEP]; /* what the guest sees of the process at entry, sorted by address */
	int nkeep;
	/* execve inside a sandbox (sb_exec_resume): the previous monitor's
	 * compiled policy and settings; NULL compiled: compile the policy */
	const void *compiled;
	const void *compiled_exec; /* with compiled: the exec policy, or NULL */
	uint32_t audit_flags;
	int kvm_fd; /* an open KVM device to use, or -1 */
	int log_fd; /* the audit fd (with compiled), or -1 */
	int exe_fd; /* the launcher's executable, inherited, or -1 */
	int broker_fd; /* the /proc broker's socket, inherited, or -1 */
	int landlocked; /* path rules were on before execve */
	unsigned int flags; /* SB_ENTER_* (sb_exec_flags, or inherited across execve) */
	int tasks_fd; /* the task table's memfd, inherited, or -1 */
	int backend_kind; /* SB_BACKEND_*: the inherited device's backend; 0: choose */
};

/* As sb_enter(), but the vCPU starts at l->rip with l->rsp, all other
 * registers zero and the FPU in its initial state, and every mapping
 * outside l->keep (and the vDSO) is hidden from the guest. Returns only on
 * failure, with a negative errno and sb_last_error() set. */
int sb_launch_impl(const struct sb_policy *pol, const struct sb_launch *l);

#endif
