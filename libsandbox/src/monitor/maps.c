/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/maps.c: read the host's mappings from /proc/self/maps, freestanding.
 *
 * The monitor opens /proc/self/maps once, at entry, and keeps the fd (one
 * of its hidden fds): a path looked up later could be redirected by the
 * guest (chroot, mounts). Lines are parsed defensively: a malformed line
 * ends the walk with -EIO rather than yielding a made-up range.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "maps.h"
#include "raw.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static const char *parse_hex(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0, d;

	while (p < end && (d = hexval(*p)) >= 0 && n < 16) {
		v = (v << 4) | (uint64_t)d;
		p++;
		n++;
	}
	*out = v;
	return n ? p : 0;
}

/* Parse one line [p, end) (end points at the '\n', which is replaced by NUL). */
static int parse_line(char *p, char *end, struct sb_vma *v)
{
	const char *q;
	int field = 0;

	*end = 0;
	q = parse_hex(p, end, &v->lo);
	if (!q || *q != '-')
		return -EIO;
	q = parse_hex(q + 1, end, &v->hi);
	if (!q || *q != ' ' || end - q < 6)
		return -EIO;
	q++;
	v->prot = (q[0] == 'r' ? PROT_READ : 0) | (q[1] == 'w' ? PROT_WRITE : 0) | (q[2] == 'x' ? PROT_EXEC : 0);
	v->shared = q[3] == 's';
	/* skip perms, offset, dev, inode: four space-separated fields */
	while (q < end && field < 4) {
		while (q < end && *q != ' ')
			q++;
		while (q < end && *q == ' ')
			q++;
		field++;
	}
	v->name = q;
	return v->lo < v->hi ? 0 : -EIO;
}

int maps_walk(int fd, uint64_t lo, uint64_t hi, char *buf, uint64_t bufsz,
	      int (*fn)(const struct sb_vma *v, void *arg), void *arg)
{
	uint64_t have = 0;
	int rc = 0, eof = 0;

	rc = (int)sb_sys3(SYS_lseek, fd, 0, SEEK_SET);
	while (!rc) {
		char *nl = 0;

		for (uint64_t i = 0; i < have; i++)
			if (buf[i] == '\n') {
				nl = buf + i;
				break;
			}
		if (!nl) {
			long n;

			if (eof)
				break;
			if (have >= bufsz - 1) { /* a line longer than the buffer */
				rc = -E2BIG;
				break;
			}
			n = sb_sys3(SYS_read, fd, buf + have, bufsz - 1 - have);
			if (n == -EINTR)
				continue;
			if (n < 0) {
				rc = (int)n;
				break;
			}
			if (n == 0)
				eof = 1;
			have += (uint64_t)n;
			if (eof && have && buf[have - 1] != '\n')
				buf[have++] = '\n';
			continue;
		}
		{
			struct sb_vma v;
			uint64_t used = (uint64_t)(nl - buf) + 1;

			rc = parse_line(buf, nl, &v);
			if (!rc && sb_overlap(v.lo, v.hi, lo, hi))
				rc = fn(&v, arg);
			if (!rc && v.lo >= hi)
				break;
			sb_memcpy(buf, buf + used, have - used);
			have -= used;
		}
	}
	return rc;
}
