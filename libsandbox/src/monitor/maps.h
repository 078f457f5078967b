/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/maps.h: read the host's mappings from /proc/self/maps, freestanding. */
#ifndef SB_MAPS_H
#define SB_MAPS_H

#include <stdint.h>

struct sb_vma {
	uint64_t lo, hi;
	int prot;        /* PROT_* */
	int shared;      /* 's' in the flags column */
	const char *name; /* pathname or [tag], NUL-terminated, valid during the callback */
};

/* Call fn for every mapping that overlaps [lo, hi), in address order, reading
 * the open /proc/self/maps file fd from its start. Uses
 * buf (bufsz bytes, at least 8 KiB) as working memory; no libc. fn returns 0
 * to go on or a negative errno to stop. Return 0 or a negative errno. */
int maps_walk(int fd, uint64_t lo, uint64_t hi, char *buf, uint64_t bufsz,
	      int (*fn)(const struct sb_vma *v, void *arg), void *arg);

#endif
