/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/raw.h: raw system calls and memory helpers for the monitor.
 *
 * The monitor's exit path must not touch libc: libc's data (errno, malloc
 * arenas, stdio buffers) and even its code can be rewritten or remapped by
 * the sandboxed process. Everything here is inline, uses no global state,
 * and compiles to instructions inside the caller (checked at build time by
 * tests/check-monitor-symbols.sh: monitor objects import no symbol).
 */
#ifndef SB_RAW_H
#define SB_RAW_H

#include <stddef.h>
#include <stdint.h>

static inline long sb_sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sb_sys0(n) sb_sys6((n), 0, 0, 0, 0, 0, 0)
#define sb_sys1(n, a) sb_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sb_sys2(n, a, b) sb_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sb_sys3(n, a, b, c) sb_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sb_sys4(n, a, b, c, d) sb_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sb_sys5(n, a, b, c, d, e) sb_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static inline void sb_memcpy(void *dst, const void *src, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static inline void sb_memset(void *dst, int c, size_t n)
{
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
}

static inline size_t sb_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static inline int sb_memeq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* [lo1,hi1) and [lo2,hi2) overlap (empty ranges never do) */
static inline int sb_overlap(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
	return lo1 < hi2 && lo2 < hi1 && lo1 < hi1 && lo2 < hi2;
}

#define SB_PAGE 4096ull
#define SB_PAGE_DOWN(a) ((uint64_t)(a) & ~(SB_PAGE - 1))
#define SB_PAGE_UP(a) (((uint64_t)(a) + SB_PAGE - 1) & ~(SB_PAGE - 1))
#define SB_CHUNK (2ull << 20) /* 2 MiB: large pages, memory windows, vault alignment */
#define SB_CHUNK_DOWN(a) ((uint64_t)(a) & ~(SB_CHUNK - 1))
#define SB_CHUNK_UP(a) (((uint64_t)(a) + SB_CHUNK - 1) & ~(SB_CHUNK - 1))

/* Lowest canonical non-user address: everything a process maps lies below. */
#define SB_USER_TOP 0x0000800000000000ull

#endif
