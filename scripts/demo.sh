#!/bin/bash
# scripts/demo.sh: install, build, and run the main job: a real program inside the sandbox,
# with a denied call shown (examples/filter_demo.c).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j"$(nproc)" >/dev/null
payload=$(mktemp -d)
cp "$here/build/examples/filter_demo" "$payload/"
"$here/scripts/kvm-run.sh" "$payload" -- ./filter_demo
