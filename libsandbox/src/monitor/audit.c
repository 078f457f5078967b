/* SPDX-License-Identifier: MIT */
/* libsandbox/src/monitor/audit.c: the audit log, one JSON object per line.
 *
 * {"time":1764175386.123456,"pid":101,"tid":101,"syscall":"openat","nr":257,
 *  "args":["0xffffff9c","0x556e4fb18063","0x0","0x0"],"paths":{"1":"/etc/passwd"},
 *  "decision":"errno","errno":1,"rule":"policy.rf:3","rip":"0x7f1ce9322011"}
 *
 * Paths are read from the guest into the vault for the record (the same
 * bytes the checks saw when the check copies them; here a fresh copy).
 * Strings are escaped as JSON requires. Freestanding: monitor exit path.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include "audit.h"
#include "gmem.h"
#include "log.h"
#include "monitor.h"
#include "sysent.h"
#include "../../include/sandbox.h"

#define PATH_COPY 1024

static void json_str(struct sb_buf *b, const char *s, uint64_t max)
{
	static const char hex[] = "0123456789abcdef";
	char one[2] = { 0, 0 };

	buf_str(b, "\"");
	for (uint64_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			one[0] = '\\';
			buf_str(b, one);
			one[0] = (char)c;
			buf_str(b, one);
		} else if (c < 0x20 || c >= 0x7f) {
			char u[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };

			buf_str(b, u);
		} else {
			one[0] = (char)c;
			buf_str(b, one);
		}
	}
	buf_str(b, "\"");
}

/* copy a NUL-terminated guest string (at most n-1 bytes), page by page so
 * that a string ending just before an unmapped page is still read */
static int copy_str(const struct sb_mon *m, char *dst, uint64_t g, uint64_t n)
{
	uint64_t got = 0;

	while (got < n - 1) {
		uint64_t chunk = SB_PAGE - ((g + got) & (SB_PAGE - 1));

		if (chunk > n - 1 - got)
			chunk = n - 1 - got;
		if (gmem_in(m, dst + got, g + got, chunk))
			break;
		for (uint64_t i = got; i < got + chunk; i++)
			if (!dst[i])
				return 0;
		got += chunk;
	}
	dst[got] = 0;
	return got ? 0 : -EFAULT;
}

static const char *decision_name(uint32_t act)
{
	if (act == SB_ACT_KILL)
		return "kill";
	if (act == SB_ACT_TRAP)
		return "trap";
	if (act == SB_ACT_LOG)
		return "log";
	if (act == SB_ACT_ALLOW)
		return "allow";
	return "errno";
}

void audit_log(struct sb_mon *m, long nr, const long *a, uint32_t act, long err, const char *rule)
{
	char *line = (char *)((uint64_t)sb_thr_self() - THR_STATE + THR_AUDITBUF) /* the calling thread's */;
	char *path = line + THR_AUDITBUF_SIZE / 2;
	struct sb_buf b = { line, 0, THR_AUDITBUF_SIZE / 2 - 2 };
	const struct sb_sysent *se = (nr >= 0 && nr < SB_NR_SYSCALLS) ? &sb_sysent_table[nr] : 0;
	const char *name = sb_sysent_name(nr);
	struct timespec ts = { 0, 0 };
	int npaths = 0;
	char frac[8];

	if (m->log_fd < 0)
		return;
	sb_sys2(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	buf_str(&b, "{\"time\":");
	buf_dec(&b, ts.tv_sec);
	frac[0] = '.';
	for (int i = 6, v = (int)(ts.tv_nsec / 1000); i >= 1; i--, v /= 10)
		frac[i] = (char)('0' + v % 10);
	frac[7] = 0;
	buf_str(&b, frac);
	buf_str(&b, ",\"pid\":");
	buf_dec(&b, m->pid);
	buf_str(&b, ",\"tid\":");
	buf_dec(&b, sb_thr_self()->tid);
	buf_str(&b, ",\"syscall\":");
	json_str(&b, name ? name : "unknown", 64);
	buf_str(&b, ",\"nr\":");
	buf_dec(&b, nr);
	buf_str(&b, ",\"args\":[");
	for (int i = 0; i < 6 && (!se || i < se->nargs); i++) {
		buf_str(&b, i ? ",\"" : "\"");
		buf_hex(&b, (uint64_t)a[i]);
		buf_str(&b, "\"");
	}
	buf_str(&b, "]");
	for (int i = 0; se && i < se->nargs; i++) {
		if (se->kind[i] != SA_PATH || !a[i] || copy_str(m, path, (uint64_t)a[i], PATH_COPY))
			continue;
		buf_str(&b, npaths++ ? ",\"" : ",\"paths\":{\"");
		buf_dec(&b, i);
		buf_str(&b, "\":");
		json_str(&b, path, PATH_COPY);
	}
	if (npaths)
		buf_str(&b, "}");
	buf_str(&b, ",\"decision\":");
	json_str(&b, decision_name(act), 16);
	if (err) {
		buf_str(&b, ",\"errno\":");
		buf_dec(&b, -err);
	}
	buf_str(&b, ",\"rule\":");
	json_str(&b, rule ? rule : "default", 512);
	buf_str(&b, ",\"rip\":\"");
	buf_hex(&b, sb_thr_self()->cur_rip);
	buf_str(&b, "\"");
	if (m->audit_flags & SB_AUDIT_BACKTRACE) {
		/* the frames come from the unwinder child, between the brackets */
		buf_str(&b, ",\"backtrace\":[");
		buf_flush(&b, m->log_fd);
		mon_backtrace(m, m->log_fd, 1);
		buf_str(&b, "]");
	}
	buf_str(&b, "}\n");
	buf_flush(&b, m->log_fd);
}
