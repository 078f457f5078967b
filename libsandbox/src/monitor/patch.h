/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/patch.h: which call sites may be patched (monitor/patch.c). */
#ifndef SB_PATCH_H
#define SB_PATCH_H

#include <stdint.h>

/* Bytes from a function's start to the `mov $nr, %eax` the patcher may
 * rewrite, at most. */
#define PATCH_FUNC_MAX 48

/* 1 if code[0..at) (from a function's start) decodes exactly as
 * instruction forms known byte for byte, ending at offset at, where the
 * 5-byte `mov` begins, and no branch among them lands inside that `mov`.
 * Freestanding, pure. */
int patch_proven(const uint8_t *code, uint32_t at);

#endif
