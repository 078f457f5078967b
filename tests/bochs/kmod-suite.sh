#!/bin/sh
# tests/bochs/kmod-suite.sh: the ringfence.ko tests, run inside the Bochs guest
# (tests/bochs/kmod-job.sh puts it in /payload; run-in-bochs.sh --kmod loaded the module).
# POSIX sh (busybox). Exit status: number of failed parts.
failed=0
part() { # name, expected status, command...
	name=$1; want=$2; shift 2
	echo "--- $name"
	"$@"
	got=$?
	if [ "$got" = "$want" ]; then echo "--- $name: ok"; else echo "--- $name: FAILED (status $got, want $want)"; failed=$((failed + 1)); fi
}
kernel_clean() { # no oops, BUG, WARNING or soft lockup in the kernel log
	# (a user process's #GP, "traps: ... general protection fault ip:", is not the kernel's)
	if dmesg | grep -E 'BUG:|Oops|WARNING: CPU|Kernel panic|soft lockup|\] \[#[0-9]+\]|RIP: 0010:'; then return 1; fi
	return 0
}
cd "$(dirname "$0")"
export RINGFENCE_BACKEND=kmod
part "module loaded: /dev/ringfence, dmesg line" 0 sh -c 'test -c /dev/ringfence && dmesg | grep "ringfence: /dev/ringfence ready"'
part "control ioctls, API version, refusals" 0 ./rfk_probe
part "smoke: enter, print, exit 7 (kmod)" 7 ./t_smoke
part "example: filter_demo, a policy denial (kmod)" 0 sh -c './filter_demo >demo.out 2>demo.err; s=$?; cat demo.out demo.err; [ $s = 0 ] && grep -q "inside the sandbox" demo.out && grep -q "refused: Operation not permitted" demo.out'
if [ -x ./test_kvm ]; then
	part "integration (cmocka) on kmod" 0 ./test_kvm
fi
if [ -x ./test_ring0 ]; then
	part "ring-0 mode (Dune) on kmod (cmocka)" 0 ./test_ring0
	part "ring-0 mode, hostile, on kmod (cmocka)" 0 ./test_ring0_escape
fi
part "kernel log clean after the tests" 0 kernel_clean
part "rmmod ringfence" 0 rmmod ringfence
part "kernel log clean after unload" 0 kernel_clean
echo "kmod suite: $failed failed"
exit $failed
