#!/bin/bash
# tests/check-monitor-symbols.sh: prove that the monitor's exit path imports nothing.
#
# The objects of sb_monitor run while the sandboxed process may have
# rewritten libc's data or remapped libc's code. If any of them referenced
# a symbol defined outside the set (memcpy, __stack_chk_fail, errno, ...),
# the monitor would run code or read data the guest controls. The only
# allowed ways out are the entries of ALLOWED below, each defined in
# libsandbox's own image.
# usage: check-monitor-symbols.sh OBJ...
set -euo pipefail
ALLOWED="sb_crash_backtrace sb_mon_restorer sb_sys_intr sb_intr_begin sb_intr_sys sb_intr_out sb_backend_kvm _GLOBAL_OFFSET_TABLE_"
undef=$(nm -u "$@" | awk 'NF==2 && $1=="U" {print $2}' | sort -u)
defs=$(nm --defined-only "$@" | awk 'NF==3 {print $3}' | sort -u)
bad=0
for s in $undef; do
	if grep -qxF "$s" <<<"$defs"; then continue; fi
	if grep -qw -- "$s" <<<"$ALLOWED"; then continue; fi
	echo "monitor object imports '$s'"
	bad=1
done
# no writable data of their own either: all state is in the vault (.data.rel.ro
# is read-only once relocated: RELRO)
data=$(size -A "$@" | awk '$1 ~ /^\.(data|bss)/ && $1 !~ /^\.data\.rel\.ro/ && $2 > 0 {print}')
if [ -n "$data" ]; then echo "monitor objects have writable data:"; echo "$data"; bad=1; fi
if [ $bad = 0 ]; then echo "monitor symbols: 1 passed, 0 failed"; else echo "monitor symbols: 0 passed, 1 failed"; fi
exit $bad
