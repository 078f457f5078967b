/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/log.c: the monitor's messages, formatted without libc (freestanding). */
#include <errno.h>
#include <sys/syscall.h>
#include "log.h"
#include "raw.h"

static void put(struct sb_buf *b, char c)
{
	if (b->len < b->cap)
		b->p[b->len++] = c;
}

void buf_str(struct sb_buf *b, const char *s)
{
	while (s && *s)
		put(b, *s++);
}

void buf_hex(struct sb_buf *b, uint64_t v)
{
	char t[16];
	int n = 0;

	put(b, '0');
	put(b, 'x');
	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		put(b, t[--n]);
}

void buf_dec(struct sb_buf *b, int64_t v)
{
	char t[20];
	int n = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (v < 0)
		put(b, '-');
	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		put(b, t[--n]);
}

void buf_flush(struct sb_buf *b, int fd)
{
	uint64_t off = 0;

	while (off < b->len) {
		long n = sb_sys3(SYS_write, fd, b->p + off, b->len - off);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		off += (uint64_t)n;
	}
	b->len = 0;
}
