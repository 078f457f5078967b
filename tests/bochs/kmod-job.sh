#!/bin/bash
# tests/bochs/kmod-job.sh: build ringfence.ko against Debian 12's cloud kernel headers, boot that
# kernel in Bochs (VT-x emulation, two CPUs), load the module and run tests/bochs/kmod-suite.sh there.
# usage: kmod-job.sh [BUILD_DIR]   (default: build; needs t_smoke, test_kvm, filter_demo, test_ring0,
#        test_ring0_escape, the ringfence launcher and tests/launcher/procsem built)
# env: BOCHS_WORK (default /tmp/rf-bochs-kmod; one run at a time per directory),
#      KMOD_NO_CMOCKA=1 skips the cmocka tests (saves ~minutes), BOCHS_CPUS (default 2: vCPUs of one VM
#      on two CPUs, VMCS migration), BOCHS_TIMEOUT (default 540 s: a hung guest fails the job
#      within 10 minutes), and run-in-bochs.sh's own (SKIP_APT...).
# Exit status: 0 only if every part passed and the guest kernel logged no oops/BUG/WARNING;
# a hang (no exit status from the guest before the timeout) is 125.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
work=${BOCHS_WORK:-/tmp/rf-bochs-kmod}
export BOCHS_CPUS=${BOCHS_CPUS:-2}
export BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-540}
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
cp "$build/tests/t_smoke" "$build/examples/filter_demo" "$here/tests/bochs/kmod-suite.sh" "$payload/"
cp "$build/cli/ringfence" "$build/tests/launcher/procsem" "$payload/"
[ "${KMOD_NO_CMOCKA:-0}" = 1 ] || cp "$build/tests/test_kvm" "$build/tests/test_ring0" "$build/tests/test_ring0_escape" "$payload/"
cc -O2 -Wall -Wextra -Werror -I"$here/kmod/include" -o "$payload/rfk_probe" "$here/tests/bochs/rfk_probe.c" -lpthread
mkdir -p "$work"
set +e
BOCHS_PAYLOAD=$payload "$here/tests/bochs/run-in-bochs.sh" --kmod "$here/kmod" "$work" -- sh ./kmod-suite.sh
st=$?
set -e
if grep -qE 'BUG:|Oops|WARNING: CPU|Kernel panic|soft lockup|hard LOCKUP|blocked for more than|detected stall|\] \[#[0-9]+\]|RIP: 0010:' "$work/serial.out"; then
	echo "kmod-job: the guest kernel oopsed, warned, locked up or panicked (see $work/serial.out)" >&2
	[ "$st" != 0 ] || st=1
fi
grep -q 'BOCHS: kmod ringfence.ko loaded' "$work/serial.out" || { echo "kmod-job: ringfence.ko did not load" >&2; [ "$st" != 0 ] || st=1; }
[ "$st" != 125 ] || echo "kmod-job: no exit status from the guest: a hang, a panic or the ${BOCHS_TIMEOUT}s timeout" >&2
echo "kmod-job: exit status $st"
exit "$st"
