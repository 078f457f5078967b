/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/oci.h: the OCI runtime-spec / Docker seccomp profile front end (sb_policy_load_oci()).
 *
 * sb_policy_load_oci() is policy_load_oci() with no options and no report.
 * The options exist so that tests (and a launcher) can name the capability
 * set and the kernel version that "includes"/"excludes" are evaluated
 * against; the report says what was skipped. docs/policy.md, "OCI and
 * Docker seccomp profiles", describes the semantics.
 */
#ifndef SB_POLICY_OCI_H
#define SB_POLICY_OCI_H

#include "policy.h"

/* largest file read, in bytes (Docker's default profile is ~14 KiB) */
#define OCI_MAX_FILE (4u << 20)
/* deepest JSON nesting accepted */
#define OCI_MAX_DEPTH 64
/* longest file name kept in an origin ("default.json:syscalls[12]") */
#define OCI_MAX_ORIGIN_NAME 48

struct oci_opts {
	/* capabilities for "caps" in includes/excludes, NULL-terminated
	 * ("CAP_SYS_ADMIN", ...). NULL: a config.json's
	 * process.capabilities.bounding (none if it has none), or Docker's
	 * default set (oci_docker_caps) for a bare profile. */
	const char *const *caps;
	/* kernel version for "minKernel" (major.minor); major < 0: uname(2) */
	int kernel_major, kernel_minor;
};

struct oci_report {
	unsigned int entries;     /* syscalls[] elements */
	unsigned int applied;     /* elements whose includes/excludes let them apply */
	unsigned int unknown;     /* names of applied elements unknown on x86-64: skipped */
	unsigned int redundant;   /* names skipped because their action is defaultAction (as runc) */
	unsigned int dropped;     /* names/rules libseccomp's merge drops (see docs) */
	unsigned int actions;     /* calls given an unconditional action */
	unsigned int rules;       /* rules with argument comparisons added */
	char first_unknown[64];   /* the first unknown name, "" if none */
};

/* Docker's default capability set (moby oci/caps), NULL-terminated */
extern const char *const oci_docker_caps[];

/* Add the profile at path to pol (see sb_policy_load_oci() in sandbox.h).
 * opts and rep may be NULL; rep is written on success only. */
int policy_load_oci(struct sb_policy *pol, const char *path, const struct oci_opts *opts,
		    struct oci_report *rep);

#endif
