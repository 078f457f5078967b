#!/bin/bash
# scripts/kvm-run.sh: run a command that needs /dev/kvm: here if this host has a usable
# /dev/kvm, else inside Bochs' VT-x emulation (tests/bochs/run-in-bochs.sh).
# usage: kvm-run.sh PAYLOAD_DIR -- CMD...   (CMD runs with PAYLOAD_DIR as cwd)
# RINGFENCE_FORCE_BOCHS=1 uses Bochs even when /dev/kvm works here.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
payload=$(cd "$1" && pwd)
shift
[ "${1:-}" = -- ] && shift
if [ "${RINGFENCE_FORCE_BOCHS:-0}" != 1 ] && [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	echo "kvm-run: using this host's /dev/kvm" >&2
	cd "$payload" && exec /bin/sh -c "$*"
fi
echo "kvm-run: no usable /dev/kvm on this host ($(dmesg 2>/dev/null | grep -m1 -o 'kvm-pvm: .*not binding' || echo 'no KVM device')); running inside Bochs' VT-x emulation" >&2
"$here/scripts/deps.sh" --bochs
exec env BOCHS_PAYLOAD="$payload" SKIP_APT=1 "$here/tests/bochs/run-in-bochs.sh" "${BOCHS_WORK:-/tmp/ringfence-bochs}" -- "$*"
