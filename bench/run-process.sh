#!/bin/bash
# bench/run-process.sh: fork+wait and fork+exec+wait inside the sandbox as ratios to native,
# measured in the same KVM environment (here /dev/kvm if usable, else Bochs' VT-x emulation:
# ratios only), in interleaved rounds. The output is kept in bench/results/process-*.txt.
# usage: bench/run-process.sh [ROUNDS] [N]   (default 5 rounds of N=20 operations each)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
n=${2:-20}
[[ $rounds =~ ^[1-9][0-9]*$ && $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS] [N]" >&2; exit 2; }
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)" --target ringfence bench_process >/dev/null
payload=$(mktemp -d)
cp "$here/build/cli/ringfence" "$here/build/bench/bench_process" /usr/bin/true "$payload/"
cat >"$payload/process.sh" <<SCRIPT
# in the guest: interleaved rounds, native then inside, each mode N operations
echo "kernel \$(uname -r); $rounds rounds x $n operations; ns per operation (median of each run)"
for r in \$(seq 1 $rounds); do
	for mode in fork forkexec; do
		./bench_process \$mode $n | sed "s/^/round \$r native /"
		./ringfence run -- ./bench_process \$mode $n | sed "s/^/round \$r ringfence /"
	done
done
SCRIPT
mkdir -p "$here/bench/results"
out="$here/bench/results/process-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
	echo "# bench/run-process.sh, commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ)"
	"$here/scripts/kvm-run.sh" "$payload" -- sh ./process.sh 2>&1 | grep -E '^(kernel|round) '
} | tee "$out.raw"
median() { # mode kind: the median of the per-run medians
	awk -v k="$2" -v m="$1" '$1 == "round" && $3 == k && $4 == m { print $6 }' "$out.raw" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'
}
for mode in fork forkexec; do
	nat=$(median "$mode" native)
	rf=$(median "$mode" ringfence)
	if [ "$nat" -gt 0 ] && [ "$rf" -gt 0 ]; then
		awk -v m="$mode" -v n="$nat" -v r="$rf" 'BEGIN { printf "%-9s native %10.1f us   inside %10.1f us   ratio %.2fx\n", m, n / 1000, r / 1000, r / n }'
	else
		echo "$mode: no figure (a run failed)"
	fi
done | tee "$out"
cat "$out.raw" >>"$out"
rm -f "$out.raw"
echo "kept in $out"
