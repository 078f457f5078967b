#!/bin/bash
# bench/host.sh: the part of bench/run that runs on this host without /dev/kvm: the peers that
# cannot run in the Bochs guest (gVisor runsc, crun, runc, podman) beside a native baseline and
# the peers that can, all measured here, so their ratios compare with each other (not with the
# guest's figures). Every interception mode and its native baseline are pinned to CPU 0
# (taskset -c 0): tracer and tracee, supervisor and target share one CPU, the most repeatable
# setting on a shared 2-CPU machine.
# usage: bench/host.sh quick|full BIN_DIR WORK_DIR PAYLOAD_DIR   (PAYLOAD_DIR: the macro benchmarks' data)
# Prints RF lines (bench/lib.sh) on stdout.
set -u
size=$1 d=$2 work=$3 data=$4
here=$(cd "$(dirname "$0")" && pwd)
# crun (and podman with crun) refuse this host's hybrid cgroups ("cgroups in hybrid mode not
# supported, drop all controllers from cgroupv2"); in a private mount namespace without the
# cgroup2 mount they work. The whole host part runs there, every mode alike.
if [ -z "${RF_HOST_NS:-}" ] && mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
	exec unshare -m env RF_HOST_NS=1 bash -c 'umount /sys/fs/cgroup/unified && echo "RF info host note cgroup2 mount at /sys/fs/cgroup/unified hidden in a private mount namespace (crun needs that here)"; exec bash "$0" "$@"' "$0" "$@"
fi
. "$here/lib.sh"
LT=$d/launch_timer
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
E=host
if [ "$size" = quick ]; then
	MR=2 MI=500 SR=2 IN=3 INR=2 XR=1
else
	MR=7 MI=5000 SR=20 IN=100 INR=10 XR=5
fi
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }
echo "RF info $E kernel $(uname -r)"
echo "RF info $E cpus $(nproc)"
echo "RF info $E cpu $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "RF info $E loadavg $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: other jobs' load shows in absolute times)"
echo "RF info $E memtotal_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
for p in bubblewrap util-linux crun runc runsc podman libseccomp2 gnuplot-nox bochs; do
	echo "RF info $E pkg_$p $(ver $p)"
done
echo "RF info $E params micro_rounds=$MR micro_iters=$MI startup_rounds=$SR idle_n=$IN idle_n_runsc=$INR macro_rounds=$XR"

# the OCI bundles: busybox-static rootfs (read-only), runc's default spec (pid, net, ipc, uts,
# mount namespaces), no terminal; one runs true, the other sleep
B=$work/bundle
rm -rf "$B" "$B-sleep"
mkdir -p "$B/rootfs/bin" "$B-sleep"
cp /bin/busybox "$B/rootfs/bin/busybox"
for a in true sleep sh; do ln -s busybox "$B/rootfs/bin/$a"; done
(cd "$B" && runc spec 2>/dev/null) || echo '{}' >"$B/config.json"
python3 - "$B" <<'PY'
import json, sys
b = sys.argv[1]
c = json.load(open(b + "/config.json"))
if "process" in c:
    c["process"]["terminal"] = False
    c["process"]["args"] = ["/bin/true"]
    c["root"]["readonly"] = True
    json.dump(c, open(b + "/config.json", "w"), indent=1)
    c["process"]["args"] = ["/bin/sleep", "100000"]
    c["root"]["path"] = b + "/rootfs"
    json.dump(c, open(b + "-sleep/config.json", "w"), indent=1)
PY

P="taskset -c 0"
# ---- 1. micro
W=$d/micro_worker
cmd_native="$P $W"
cmd_allow60="$P $d/seccomp_filter allow60 -- $W"
cmd_rules300="$P $d/seccomp_filter rules300 -- $W"
cmd_notify="$P $d/seccomp_notify -- $W"
cmd_ptrace="$P $d/ptrace_seccomp -- $W"
cmd_runsc="$P runsc --network=none do $W"
echo "RF info $E section micro $(date +%s)"
micro $E $MR $MI native allow60 rules300 notify ptrace runsc

# ---- 2. start-up of /bin/true (unpinned: what a user sees)
T=/usr/bin/true
cmd_native="$T"
cmd_unshare="unshare -fpmnu --mount-proc $T"
cmd_bwrap="bwrap --unshare-all --ro-bind / / $T"
cmd_crun="crun run -b $B rfb-crun-$$"
cmd_runc="runc run -b $B rfb-runc-$$"
cmd_runsc="runsc --network=none do $T"
cmd_podman="podman run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --rootfs $B/rootfs /bin/true"
echo "RF info $E section startup $(date +%s)"
interleave startup $E $SR 1 native unshare bwrap crun runc runsc podman

# ---- 3. memory per idle sandbox (sleep inside each)
echo "RF info $E section idle $(date +%s)"
idle() { # MODE N ARGS...
	m=$1 n=$2; shift 2
	"$d/bench_idle" -N "$n" "$@" 2>"$TMPD/idle.err" | sed "s/^idle /RF idle $E $m /" | grep '^RF idle' ||
		echo "RF unavail idle $E $m: $(head -n 2 "$TMPD/idle.err" | tr '\n' ' ')"
}
S="/usr/bin/sleep 100000"
idle native-process $IN -S
idle native-sleep $IN -w -- $S
idle unshare $IN -w -- unshare -fpmnu --mount-proc $S
idle bwrap $IN -w -- bwrap --unshare-all --ro-bind / / $S
idle crun $IN -w -- crun run -b "$B-sleep" "rfb-idle-$$-%i"
for i in $(seq 0 $((IN - 1))); do crun delete -f "rfb-idle-$$-$i" >/dev/null 2>&1; done
idle runc $IN -w -- runc run -b "$B-sleep" "rfb-idle-$$-%i"
for i in $(seq 0 $((IN - 1))); do runc delete -f "rfb-idle-$$-$i" >/dev/null 2>&1; done
idle runsc $INR -d 8 -- runsc --network=none do $S

# ---- 4. macro: the guest's workloads, on the same data, natively and in each peer that wraps a
# host command (runsc do sees the host's files); unpinned
echo "RF info $E section macro $(date +%s)"
wrap_native=
wrap_bwrap="bwrap --unshare-all --ro-bind / /"
wrap_unshare="unshare -fpmnu --mount-proc"
wrap_allow60="$d/seccomp_filter allow60 --"
wrap_rules300="$d/seccomp_filter rules300 --"
wrap_notify="$d/seccomp_notify --"
wrap_ptrace="$d/ptrace_seccomp --"
wrap_runsc="runsc --network=none do"
w_sqlite="/usr/bin/sqlite3 :memory: '.read $data/query.sql'"
w_gzip="/usr/bin/gzip -c -6 $data/data.txt"
w_find="/bin/busybox find $data/tree -type f"
w_sha256="/usr/bin/sha256sum $data/tree/*/*"
names=
for w in sqlite gzip find sha256; do
	for m in native bwrap unshare allow60 rules300 notify ptrace runsc; do
		eval "cmd_${w}__$m=\"\$wrap_$m \$w_$w\""
		names="$names ${w}__$m"
	done
done
interleave macro $E $XR 1 $names
echo "RF info $E section end $(date +%s)"
