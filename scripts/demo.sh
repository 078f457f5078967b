#!/bin/bash
# scripts/demo.sh: install, build, and run the main job: an unmodified program (coreutils
# sort) inside the sandbox with `ringfence run`, first allowed, then with a policy that
# refuses its write, the denial shown with its audit record.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)" >/dev/null
payload=$(mktemp -d)
cp "$here/build/cli/ringfence" "$(command -v sort)" "$payload/"
printf 'pear\napple\nfig\nbanana\n' >"$payload/fruits.txt"
cat >"$payload/demo.sh" <<'DEMO'
set -x
./ringfence run -- ./sort -r fruits.txt
./ringfence run --pledge "stdio rpath prot_exec" --log - -- ./sort -r fruits.txt -o /tmp/sorted.txt
echo "exit status $?"
DEMO
"$here/scripts/kvm-run.sh" "$payload" -- sh ./demo.sh
