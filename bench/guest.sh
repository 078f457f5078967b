#!/bin/sh
# bench/guest.sh: the part of bench/run that needs /dev/kvm, run in /payload inside the Bochs
# guest (scripts/kvm-run.sh; busybox sh) or on a host with /dev/kvm: Ringfence beside native and
# the peers that run there, all in the same boot, so their ratios compare.
# usage: sh ./guest.sh quick|full
# Prints RF lines (bench/lib.sh) on stdout.
d=$(pwd)
size=${1:-full}
# bwrap's pivot_root cannot move the initramfs (rootfs): run everything in a private mount
# namespace whose / is a bind mount of the same tree, moved over the old one as switch_root does
# (as bench/run-launch.sh does; all modes run there alike)
if [ -z "${RF_REROOTED:-}" ] && awk '$2 == "/" && $3 == "rootfs" { f = 1 } END { exit !f }' /proc/mounts; then
	unshare -m sh -c 'mkdir -p /.bench-root && mount -o rbind / /.bench-root && cd /.bench-root &&
		mount -o move . / || exit 90
		exec chroot . env RF_REROOTED=1 sh -c "cd \"\$0\" && exec sh ./guest.sh \"\$1\"" "$0" "$1"' "$d" "$size"
	st=$?
	[ $st -eq 90 ] || exit $st
	echo "RF info guest note / is the initramfs and could not be replaced by a bind mount: bwrap may fail"
fi
. ./lib.sh
LT=$d/launch_timer
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
E=guest

if [ "$size" = quick ]; then
	MR=2 MI=200 SR=3 IN=3 DN=30 DT=5 XR=1
else
	MR=7 MI=1000 SR=15 IN=100 DN=2000 DT=60 XR=3
fi

echo "RF info $E kernel $(uname -r)"
echo "RF info $E cpus $(grep -c ^processor /proc/cpuinfo)"
echo "RF info $E memtotal_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "RF info $E bochs ${BOCHS_GUEST:-0}"
echo "RF info $E ringfence $("$d/ringfence" --version 2>&1 | head -n1)"
echo "RF info $E bwrap $("$d/bwrap" --version 2>&1 | head -n1)"
echo "RF info $E unshare $("$d/unshare" --version 2>&1 | head -n1)"
echo "RF info $E sqlite3 $("$d/sqlite3" --version 2>&1 | cut -d' ' -f1)"
echo "RF info $E gzip $("$d/gzip" --version 2>&1 | head -n1)"
echo "RF info $E thp $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
echo "RF info $E params micro_rounds=$MR micro_iters=$MI startup_rounds=$SR idle_n=$IN density_max=$DN density_seconds=$DT macro_rounds=$XR"

# ---- 1. micro: the worker under each mode, interleaved rounds
W=$d/micro_worker
cmd_native="$W"
cmd_ringfence="$d/micro_worker_rf -e"
cmd_ringfence300="$d/micro_worker_rf -E"
cmd_rfrun="$d/ringfence run -- $W"
cmd_allow60="$d/seccomp_filter allow60 -- $W"
cmd_rules300="$d/seccomp_filter rules300 -- $W"
cmd_notify="$d/seccomp_notify -- $W"
cmd_ptrace="$d/ptrace_seccomp -- $W"
echo "RF info $E section micro $(date +%s)"
micro $E $MR $MI native ringfence ringfence300 rfrun allow60 rules300 notify ptrace

# ---- 2. start-up of /bin/true (coreutils' true, from the payload, for every mode)
T=$d/true
cmd_native="$T"
cmd_sbenter="$d/bench_enter -n 1"
raw_sbenter="$d/bench_enter"
cmd_ringfence="$d/ringfence run -- $T"
cmd_unshare="$d/unshare -fpmnu --mount-proc $T"
cmd_bwrap="$d/bwrap --unshare-all --ro-bind / / $T"
echo "RF info $E section startup $(date +%s)"
interleave startup $E $SR 1 native sbenter ringfence unshare bwrap
raw_sbenter=

# ---- 3. memory per idle sandbox (each idles in coreutils' sleep), and density
S="$d/sleep 100000"
echo "RF info $E section idle $(date +%s)"
idle() { # MODE ARGS...
	m=$1; shift
	"$d/bench_idle" -N $IN "$@" 2>"$TMPD/idle.err" | sed "s/^idle /RF idle $E $m /" | grep '^RF idle' ||
		echo "RF unavail idle $E $m: $(head -n 2 "$TMPD/idle.err" | tr '\n' ' ')"
}
idle native-process -S
idle sb_enter -s
idle native-sleep -w -- $S
idle ringfence -w -- "$d/ringfence" run -- $S
idle unshare -w -- "$d/unshare" -fpmnu --mount-proc $S
idle bwrap -w -- "$d/bwrap" --unshare-all --ro-bind / / $S
# the same two Ringfence kinds with transparent huge pages off (this guest's kernel defaults to
# "always", and a few of the monitor's anonymous regions then take whole 2 MiB pages)
thp=/sys/kernel/mm/transparent_hugepage/enabled
was=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp 2>/dev/null)
# (only in the Bochs guest: a real host's setting is left alone)
if [ "${BOCHS_GUEST:-0}" = 1 ] && [ -n "$was" ] && echo never >$thp 2>/dev/null; then
	idle sb_enter-nothp -s
	idle ringfence-nothp -w -- "$d/ringfence" run -- $S
	echo "$was" >$thp
else
	echo "RF unavail idle $E sb_enter-nothp: not in the Bochs guest, or cannot set $thp"
	echo "RF unavail idle $E ringfence-nothp: not in the Bochs guest, or cannot set $thp"
fi
echo "RF info $E section density $(date +%s)"
"$d/bench_idle" -s -D -N $DN -t $DT -f 24 2>"$TMPD/dens.err" | sed "s/^density /RF density $E sb_enter /" | grep '^RF density' ||
	echo "RF unavail density $E sb_enter: $(head -n 2 "$TMPD/dens.err" | tr '\n' ' ')"

# ---- 4. macro: real programs, whole-command wall time, in every mode that runs a command
echo "RF info $E section macro $(date +%s)"
wrap_native=
wrap_ringfence="$d/ringfence run --"
wrap_bwrap="$d/bwrap --unshare-all --ro-bind / /"
wrap_unshare="$d/unshare -fpmnu --mount-proc"
wrap_allow60="$d/seccomp_filter allow60 --"
wrap_rules300="$d/seccomp_filter rules300 --"
wrap_notify="$d/seccomp_notify --"
wrap_ptrace="$d/ptrace_seccomp --"
w_sqlite="$d/sqlite3 :memory: '.read $d/query.sql'"
w_gzip="$d/gzip -c -6 $d/data.txt"
w_find="/bin/busybox find $d/tree -type f"
w_sha256="$d/sha256sum $d/tree/*/*"
names=
for w in sqlite gzip find sha256; do
	for m in native ringfence bwrap unshare allow60 rules300 notify ptrace; do
		eval "cmd_${w}__$m=\"\$wrap_$m \$w_$w\""
		names="$names ${w}__$m"
	done
done
interleave macro $E $XR 1 $names
echo "RF info $E section end $(date +%s)"
