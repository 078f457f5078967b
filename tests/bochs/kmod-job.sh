#!/bin/bash
# tests/bochs/kmod-job.sh: build ringfence.ko against Debian 12's cloud kernel headers, boot that
# kernel in Bochs (VT-x emulation), load the module and run tests/bochs/kmod-suite.sh there.
# usage: kmod-job.sh [BUILD_DIR]   (default: build; needs t_smoke, test_kvm, test_ring0,
#        test_ring0_escape, filter_demo built)
# env: BOCHS_WORK (default /tmp/rf-bochs-kmod), KMOD_NO_CMOCKA=1 skips the cmocka tests (saves ~minutes),
#      and run-in-bochs.sh's own (SKIP_APT, BOCHS_TIMEOUT...).
# Exit status: 0 only if every part passed and the guest kernel logged no oops/BUG/WARNING.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
work=${BOCHS_WORK:-/tmp/rf-bochs-kmod}
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
cp "$build/tests/t_smoke" "$build/examples/filter_demo" "$here/tests/bochs/kmod-suite.sh" "$payload/"
[ "${KMOD_NO_CMOCKA:-0}" = 1 ] || cp "$build/tests/test_kvm" "$build/tests/test_ring0" "$build/tests/test_ring0_escape" "$payload/"
cc -O2 -Wall -Wextra -Werror -I"$here/kmod/include" -o "$payload/rfk_probe" "$here/tests/bochs/rfk_probe.c"
mkdir -p "$work"
set +e
BOCHS_PAYLOAD=$payload "$here/tests/bochs/run-in-bochs.sh" --kmod "$here/kmod" "$work" -- sh ./kmod-suite.sh
st=$?
set -e
if grep -qE 'BUG:|Oops|WARNING: CPU|Kernel panic|soft lockup|\] \[#[0-9]+\]|RIP: 0010:' "$work/serial.out"; then
	echo "kmod-job: the guest kernel oopsed or panicked (see $work/serial.out)" >&2
	[ "$st" != 0 ] || st=1
fi
grep -q 'BOCHS: kmod ringfence.ko loaded' "$work/serial.out" || { echo "kmod-job: ringfence.ko did not load" >&2; [ "$st" != 0 ] || st=1; }
echo "kmod-job: exit status $st"
exit "$st"
