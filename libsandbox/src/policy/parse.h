/* SPDX-License-Identifier: MIT */
/* libsandbox/src/policy/parse.h: limits of the text policy file front end (sb_policy_load(), docs/policy.md). */
#ifndef SB_POLICY_PARSE_H
#define SB_POLICY_PARSE_H

/* longest line, in bytes, not counting its newline */
#define PARSE_MAX_LINE 4096
/* largest file */
#define PARSE_MAX_FILE (1u << 20)
/* most bytes one sb_policy_load() reads, a file counted each time it is included */
#define PARSE_MAX_TOTAL (8u << 20)
/* deepest include nesting (the file given to sb_policy_load() is level 0) */
#define PARSE_MAX_DEPTH 16
/* longest system call, errno or constant name looked up */
#define PARSE_MAX_NAME 64

#endif
