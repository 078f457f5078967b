/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/exec_state.h: what an execve inside a sandbox hands to the new launcher image (exec.c -> api/exec.c). */
#ifndef SB_EXEC_STATE_H
#define SB_EXEC_STATE_H

#include <stdint.h>

#define SB_EXEC_STATE_MAGIC 0x5246455845435354ull /* "RFEXECST" */
#define SB_EXEC_STATE_VERSION 1

/* At the start of the state memfd, followed by policy_size bytes of
 * struct cp_policy. */
struct sb_exec_state {
	uint64_t magic;
	uint32_t version;
	uint32_t policy_size;
	uint32_t audit_flags;
	int32_t kvm_fd;  /* the KVM device, inherited */
	int32_t log_fd;  /* the audit fd, inherited, or -1 */
	uint32_t exec_policy_size; /* 0, or a second struct cp_policy follows: the exec policy */
	int32_t exe_fd;     /* the launcher's executable, inherited */
	int32_t broker_fd;  /* the /proc broker (path rules), inherited, or -1 */
	int32_t landlocked; /* path rules are on */
	int32_t tasks_fd;   /* the task table (monitor/tasks.c), inherited, or -1 */
	int32_t backend;    /* SB_BACKEND_KVM or SB_BACKEND_KMOD: the device kvm_fd is */
	uint32_t enter_flags; /* SB_ENTER_* of the sandbox (ring-0 mode) */
	uint32_t pad[2];
};

#endif
