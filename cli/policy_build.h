/* SPDX-License-Identifier: MIT */
/* cli/policy_build.h: the sandbox policy from the command line. */
#ifndef RF_POLICY_BUILD_H
#define RF_POLICY_BUILD_H

#include <sandbox.h>
#include "options.h"

/* the promises of the built-in default policy */
/* the task limit when neither a policy file nor --max-tasks sets one */
#define RF_DEFAULT_MAX_TASKS 1024
#define RF_DEFAULT_PROMISES                                                                                   \
	"stdio rpath wpath cpath dpath tmppath fattr chown flock tty prot_exec getpw unix inet dns proc exec id"

/* Build the policy. Return 0, or -errno after a one-line error on stderr. */
int rf_build_policy(const struct rf_opts *o, struct sb_policy **out);

#endif
