/* SPDX-License-Identifier: MIT */
/* libsandbox/src/api/policy.h: the policy as the builder keeps it (the monitor copies it into the vault). */
#ifndef SB_POLICY_H
#define SB_POLICY_H

#include <stdint.h>
#include "../../include/sandbox.h"
#include "../monitor/sysent.h"

struct sb_policy {
	uint32_t default_action;
	uint32_t action[SB_NR_SYSCALLS];
	int log_fd;
};

#endif
