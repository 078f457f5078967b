#!/bin/bash
# bench/run-exitless.sh: the exitless channel (issue #6) beside the exit path and the peers, in
# one KVM environment (here /dev/kvm if usable, else one Bochs boot with 2 emulated CPUs: ratios
# only). Interleaved rounds of micro_worker (getpid, write of 1 byte to /dev/null):
#   native; seccomp-bpf allow list (seccomp_filter allow60); seccomp user-notify supervisor;
#   ptrace stop; Ringfence exit path (micro_worker_rf -e, RINGFENCE_EXITLESS=off); Ringfence
#   exitless channel through the unmodified `syscall` (RINGFENCE_EXITLESS=on RINGFENCE_PATCH=off:
#   the LSTAR stub); the channel through patched call sites (RINGFENCE_EXITLESS=on: glibc's
#   getpid and write wrappers are patched during micro_worker's warm-up); and the channel through
#   patched sites only (RINGFENCE_CHANNEL_STUB=off: every unmodified `syscall` exits, as it
#   does on a PVM host, so this is the PVM configuration's shape on VT-x).
# Then fairness: K = 1, 2, 4, 8 sandboxes at once (exitless on), each writing 1 byte to
# /dev/null (served by the channel's worker) for S seconds; total calls per second and the
# slowest sandbox's share of an equal split.
# usage: bench/run-exitless.sh [ROUNDS] [ITERS] [SECONDS]   (default 5 2000 10)
# Output: the summary on stdout and in bench/results/exitless-DATE.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
R=${1:-5} I=${2:-2000} S=${3:-10}
build=${BUILD_DIR:-$here/build}
cmake --build "$build" -j"$(nproc)" --target ringfence micro_worker micro_worker_rf seccomp_filter seccomp_notify \
	ptrace_seccomp bench_fair >/dev/null
payload=$(mktemp -d) raw=$(mktemp)
trap 'rm -rf "$payload" "$raw"' EXIT
cp "$build"/bench/{micro_worker,micro_worker_rf,seccomp_filter,seccomp_notify,ptrace_seccomp,bench_fair} "$payload/"
cp "$(command -v busybox)" "$payload/busybox"
cat >"$payload/guest.sh" <<GUEST
d=\$(pwd)
echo "cpus \$(grep -c ^processor /proc/cpuinfo)"
r=1
while [ \$r -le $R ]; do
	for m in native allow60 notify ptrace exitpath lstar patched sites; do
		case \$m in
		native) c="./micro_worker" ;;
		allow60) c="./seccomp_filter allow60 -- \$d/micro_worker" ;;
		notify) c="./seccomp_notify -- \$d/micro_worker" ;;
		ptrace) c="./ptrace_seccomp -- \$d/micro_worker" ;;
		exitpath) c="env RINGFENCE_EXITLESS=off ./micro_worker_rf -e" ;;
		lstar) c="env RINGFENCE_EXITLESS=on RINGFENCE_PATCH=off ./micro_worker_rf -e" ;;
		patched) c="env RINGFENCE_EXITLESS=on RINGFENCE_STATS=1 ./micro_worker_rf -e" ;;
		sites) c="env RINGFENCE_EXITLESS=on RINGFENCE_CHANNEL_STUB=off RINGFENCE_STATS=1 ./micro_worker_rf -e" ;;
		esac
		\$c -n $I getpid write 2>stats.err | sed "s/^/round \$r \$m /"
		grep -o 'patched [0-9]*' stats.err | sed "s/^/round \$r \$m /" || true
		grep -o 'exits [0-9]*' stats.err | sed "s/^/round \$r \$m /" || true
	done
	r=\$((r + 1))
done
for k in 1 2 4 8; do
	i=0
	while [ \$i -lt \$k ]; do RINGFENCE_EXITLESS=on ./bench_fair $S >fair.\$i 2>&1 & i=\$((i + 1)); done
	wait
	echo "fair \$k \$(cat fair.* | tr '\n' ' ')"
	rm -f fair.*
done
GUEST
BOCHS_CPUS=${BOCHS_CPUS:-2} BOCHS_WORK=${BOCHS_WORK:-/tmp/rf-bochs-exitless} BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-2400} \
	"$here/scripts/kvm-run.sh" "$payload" -- sh ./guest.sh | tee "$raw" | grep -E '^(round|fair|cpus)' >&2 || true
mkdir -p "$here/bench/results"
outf="$here/bench/results/exitless-$(date -u +%Y%m%dT%H%M%SZ).txt"
python3 - "$raw" "$S" "$I" <<'PY' | tee "$outf"
import statistics, sys
raw, secs = sys.argv[1], float(sys.argv[2])
v = {}
fair = {}
for line in open(raw, errors="replace"):
    w = line.split()
    if len(w) == 5 and w[0] == "round":
        try:
            v.setdefault((w[2], w[3]), {})[int(w[1])] = float(w[4])
        except ValueError:
            pass
    elif len(w) >= 2 and w[0] == "fair":
        fair[int(w[1])] = [float(x) for x in w[2:] if x.replace('.', '', 1).isdigit()]
    elif len(w) == 2 and w[0] == "cpus":
        print(f"environment: {w[1]} CPUs (Bochs' VT-x emulation unless this host has /dev/kvm): ratios only")
print(f"{'op':<7} {'mode':<9} {'ns/call':>10} {'x native':>9} {'min-max':>12}")
for op in ("getpid", "write"):
    nat = v.get(("native", op), {})
    for mode in ("native", "allow60", "notify", "ptrace", "exitpath", "lstar", "patched", "sites"):
        m = v.get((mode, op), {})
        rs = [m[r] / nat[r] for r in m if r in nat and nat[r] > 0]
        if not rs:
            print(f"{op:<7} {mode:<9} {'failed':>10}")
            continue
        print(f"{op:<7} {mode:<9} {statistics.median(m.values()):10.0f} {statistics.median(rs):8.1f}x "
              f"{min(rs):5.1f}-{max(rs):.1f}")
for mode in ("patched", "sites"):
    ps, ex = v.get((mode, "patched"), {}), v.get((mode, "exits"), {})
    if ps:
        print(f"{mode}: call sites patched per run {sorted(int(x) for x in ps.values())}, VM exits per run "
              f"{sorted(int(x) for x in ex.values())} (RINGFENCE_STATS; {2 * int(sys.argv[3])} calls timed per run)")
for k in sorted(fair):
    c = fair[k]
    if len(c) != k or not c or sum(c) == 0:
        print(f"fairness: {k} sandboxes: incomplete ({len(c)} results)")
        continue
    share = min(c) / (sum(c) / k)
    print(f"fairness: {k} sandboxes on the CPUs: {sum(c) / secs:9.0f} calls/s in all; slowest gets {share * 100:5.1f}% of an equal share")
PY
