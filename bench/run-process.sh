#!/bin/bash
# bench/run-process.sh: fork+wait, fork+exec+wait and thread create+join (pthread_create +
# pthread_join of a thread that returns at once) under `ringfence run` as ratios to native,
# measured in the same KVM environment (here /dev/kvm if usable, else Bochs' VT-x emulation:
# ratios only), in interleaved rounds: a ratio per round (inside / native of the same round),
# then the median and min–max over rounds. The output is kept in bench/results/process-*.txt.
# A mode that fails inside (no figure) says "failed: REASON" with bench_process's own reason
# (e.g. "pthread_create: Resource temporarily unavailable" while threads are not supported),
# or the exit status and first line of output when it died without giving one.
# usage: bench/run-process.sh [ROUNDS] [N]   (default 5 rounds of N=20 operations each)
#        bench/run-process.sh --summary FILE  (the summary again, from the round lines of a kept
#                                              process-*.txt)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
MODES="fork forkexec thread"

summary() { # RAW: the round lines -> one summary line per mode
	python3 - "$1" "$MODES" <<'PY'
import statistics, sys
raw, modes = sys.argv[1], sys.argv[2].split()
runs = {}   # (mode, kind) -> {round: ns or ("failed", reason)}
for line in open(raw, errors="replace"):
    w = line.split()
    # round R KIND MODE N MEDIAN MIN   or   round R KIND MODE N failed REASON...
    if len(w) < 6 or w[0] != "round":
        continue
    try:
        r, kind, mode = int(w[1]), w[2], w[3]
        v = ("failed", " ".join(w[6:]) or "no reason given") if w[5] == "failed" else float(w[5])
    except ValueError:
        continue
    runs.setdefault((mode, kind), {})[r] = v
def us(v):
    return f"{v / 1000:10.1f} us"
for mode in modes:
    nat, rf = runs.get((mode, "native"), {}), runs.get((mode, "ringfence"), {})
    if not nat and not rf:
        print(f"{mode:<9} not measured in this run")
        continue
    nok = {r: v for r, v in nat.items() if not isinstance(v, tuple)}
    rok = {r: v for r, v in rf.items() if not isinstance(v, tuple)}
    fails = [(kind, r, v[1], len(d)) for kind, d in (("native", nat), ("inside", rf)) for r, v in sorted(d.items())
             if isinstance(v, tuple)]
    s = f"{mode:<9} native " + (us(statistics.median(nok.values())) if nok else "    failed   ")
    s += "   inside " + (us(statistics.median(rok.values())) if rok else "    failed   ")
    ratios = [rok[r] / nok[r] for r in rok if r in nok and nok[r] > 0]
    if ratios:
        s += f"   ratio {statistics.median(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f}, {len(ratios)} rounds)"
    if fails:
        kind, r, why, runs_of_kind = fails[0]
        nf = sum(1 for f in fails if f[0] == kind)
        s += f"   failed: {why} ({nf} of {runs_of_kind} runs {kind}; first in round {r})"
    print(s)
PY
}

if [ "${1:-}" = --summary ]; then
	[ -r "${2:-}" ] || { echo "usage: $0 --summary FILE" >&2; exit 2; }
	summary "$2"
	exit 0
fi
rounds=${1:-5}
n=${2:-20}
[[ $rounds =~ ^[1-9][0-9]*$ && $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS] [N]" >&2; exit 2; }
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)" --target ringfence bench_process >/dev/null
payload=$(mktemp -d)
cp "$here/build/cli/ringfence" "$here/build/bench/bench_process" /usr/bin/true "$payload/"
cat >"$payload/process.sh" <<SCRIPT
# in the guest: interleaved rounds, native then inside, each mode N operations. A run that gives
# no figure line (killed, or the launcher failed) gets a "failed" line with its exit status; a
# run that hangs is stopped after 600 s.
echo "kernel \$(uname -r); $rounds rounds x $n operations; ns per operation (median of each run)"
t=\$(mktemp -d)
to=
command -v timeout >/dev/null 2>&1 && to="timeout 600"
one() { # KIND MODE CMD...
	kind=\$1 mode=\$2; shift 2
	\$to "\$@" >"\$t/out" 2>"\$t/err" </dev/null
	st=\$?
	if grep -q "^\$mode $n " "\$t/out"; then
		grep "^\$mode $n " "\$t/out" | head -n 1 | sed "s/^/round \$r \$kind /"
	else
		echo "round \$r \$kind \$mode $n failed status \$st: \$(cat "\$t/out" "\$t/err" | grep -v '^\$' | head -n 2 | tr '\n' ' ' | cut -c1-200)"
	fi
}
for r in \$(seq 1 $rounds); do
	for mode in $MODES; do
		one native \$mode ./bench_process \$mode $n
		one ringfence \$mode ./ringfence run -- ./bench_process \$mode $n
	done
done
rm -rf "\$t"
SCRIPT
mkdir -p "$here/bench/results"
out="$here/bench/results/process-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
	echo "# bench/run-process.sh, commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ)"
	"$here/scripts/kvm-run.sh" "$payload" -- sh ./process.sh 2>&1 | grep -E '^(kernel|round) '
} | tee "$out.raw"
summary "$out.raw" | tee "$out"
cat "$out.raw" >>"$out"
rm -f "$out.raw"
rm -rf "$payload"
echo "kept in $out"
