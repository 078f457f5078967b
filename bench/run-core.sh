#!/bin/bash
# bench/run-core.sh: build and run bench_core (native vs sandbox, interleaved rounds) on /dev/kvm,
# here or inside Bochs (scripts/kvm-run.sh), and keep the output in bench/results/.
# usage: bench/run-core.sh [bench_core options]   (default: -r 7 -n 2000 -m 10)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)" --target bench_core >/dev/null
payload=$(mktemp -d)
cp "$here/build/bench/bench_core" "$payload/"
mkdir -p "$here/bench/results"
out="$here/bench/results/core-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
	echo "# bench_core $*; commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown); host $(uname -r)"
	"$here/scripts/kvm-run.sh" "$payload" -- ./bench_core "${@:--r 7 -n 2000 -m 10}"
} 2>&1 | tee "$out"
echo "saved $out"
