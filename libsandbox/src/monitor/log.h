/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/log.h: the monitor's messages, formatted without libc. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <stdint.h>

struct sb_buf {
	char *p;
	uint64_t len, cap;
};

void buf_str(struct sb_buf *b, const char *s);
void buf_hex(struct sb_buf *b, uint64_t v);
void buf_dec(struct sb_buf *b, int64_t v);
/* write the buffer to fd (all of it, retrying on EINTR and short writes) */
void buf_flush(struct sb_buf *b, int fd);

#endif
