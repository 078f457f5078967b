#!/bin/sh
# tests/bochs/kmod-suite.sh: the ringfence.ko tests, run inside the Bochs guest
# (tests/bochs/kmod-job.sh puts it in /payload; run-in-bochs.sh --kmod loaded the module).
# POSIX sh (busybox). Exit status: number of failed parts.
failed=0
part() { # name, expected status, command...
	name=$1; want=$2; shift 2
	echo "--- $name (guest uptime $(cut -d' ' -f1 /proc/uptime)s)"
	"$@"
	got=$?
	if [ "$got" = "$want" ]; then echo "--- $name: ok"; else echo "--- $name: FAILED (status $got, want $want)"; failed=$((failed + 1)); fi
}
kernel_clean() { # no oops, BUG, WARNING, lockup or stall in the kernel log
	# (a user process's #GP, "traps: ... general protection fault ip:", is not the kernel's)
	if dmesg | grep -E 'BUG:|Oops|WARNING: CPU|Kernel panic|soft lockup|hard LOCKUP|blocked for more than|detected stall|\] \[#[0-9]+\]|RIP: 0010:'; then return 1; fi
	return 0
}
# same NAME CMD...: the command passes its own checks natively (status 0), and under
# `ringfence run` on the kmod backend gives the same stdout and status. Each side is bounded
# by `timeout` (a hang inside fails this part, not the whole job).
same() {
	name=$1; shift
	echo "--- $name (guest uptime $(cut -d' ' -f1 /proc/uptime)s)"
	timeout 200 "$@" >nat.out 2>nat.err; ns=$?
	timeout 200 ./ringfence run --backend kmod -- "$@" >sb.out 2>sb.err; ss=$?
	if [ "$ns" = 0 ] && [ "$ss" = 0 ] && cmp -s nat.out sb.out; then
		echo "--- $name: ok (status $ss, $(wc -l <sb.out) lines, the same natively)"
	else
		echo "--- $name: FAILED (native status $ns, inside $ss)"
		diff nat.out sb.out | head -n 20
		head -n 20 nat.err sb.err
		failed=$((failed + 1))
	fi
}
cd "$(dirname "$0")"
export RINGFENCE_BACKEND=kmod
part "module loaded: /dev/ringfence, dmesg line" 0 sh -c 'test -c /dev/ringfence && dmesg | grep "ringfence: /dev/ringfence ready"'
part "control ioctls, API version, refusals" 0 ./rfk_probe
part "smoke: enter, print, exit 7 (kmod)" 7 ./t_smoke
part "example: filter_demo, a policy denial (kmod)" 0 sh -c './filter_demo >demo.out 2>demo.err; s=$?; cat demo.out demo.err; [ $s = 0 ] && grep -q "inside the sandbox" demo.out && grep -q "refused: Operation not permitted" demo.out'
# threads (several vCPUs of one VM, one host thread each) and fork (the child's own VM)
same "threads: 8 threads, futexes, mutexes, condition variables, barriers, TLS" ./procsem threads
same "threads: tgkill to chosen threads, kill() with one accepting thread, sigwaitinfo" ./procsem thread-signal
same "threads: pthread_cancel (blocked in read, testcancel, asynchronous)" ./procsem cancel
same "fork in a thread: the child's own VM, a thread of its own, its copy of memory" ./procsem fork-in-thread
same "fork: 20 children, killed and reaped" ./procsem forkbomb 20
same "execve from a second thread while others run" ./procsem thread-exec
# (/bin/busybox by path: busybox sh runs a bare applet name through /proc/self/exe, which
# inside `ringfence run` is the launcher)
same "shell: fork, exec, pipes, command substitution" /bin/busybox sh -c '/bin/busybox seq 1 300 | /bin/busybox grep 7 | /bin/busybox sort -rn | /bin/busybox head -n 3; x=$(/bin/busybox echo sub $(/bin/busybox echo nested)); echo "$x"; (exit 3); echo "subshell $?"'
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
