#!/bin/sh
# tests/kvm-suite.sh: the tests that need /dev/kvm, run from one directory (natively or in Bochs).
# POSIX sh (busybox in the Bochs guest). Exit status: number of failed parts.
failed=0
part() { # name, expected status, command...
	name=$1; want=$2; shift 2
	echo "--- $name"
	"$@"
	got=$?
	if [ "$got" = "$want" ]; then echo "--- $name: ok"; else echo "--- $name: FAILED (status $got, want $want)"; failed=$((failed + 1)); fi
}
cd "$(dirname "$0")"
part "smoke: enter, print, exit 7" 7 ./t_smoke
part "integration (cmocka)" 0 ./test_kvm
part "hostile (cmocka)" 0 ./test_escape
part "hostile threads (cmocka)" 0 ./test_thread_escape
part "signals: handlers inside the VM, forged frames (cmocka)" 0 ./test_signals
part "processes: fork inside the VM (cmocka)" 0 ./test_process
part "ring-0 mode (Dune): CPL0, own IDT and page tables, syscalls, policy (cmocka)" 0 ./test_ring0
part "ring-0 mode, hostile: pool, sys window, doorbells, guest-physical space (cmocka)" 0 ./test_ring0_escape
part "no /dev/kvm, bad backends, threads (cmocka)" 0 ./test_enter_nokvm
part "exitless channel: same results and denials as the exit path, slot rewrites (cmocka)" 0 ./test_exitless
# the same tests again with every sandbox on the exitless channel (issue #6): on one CPU the
# stubs mostly stop waiting and the exit path takes the calls back, on two a worker serves them
part "exitless channel on: integration (cmocka)" 0 env RINGFENCE_EXITLESS=on ./test_kvm
part "exitless channel on: hostile (cmocka)" 0 env RINGFENCE_EXITLESS=on ./test_escape
part "example: filter_demo" 0 sh -c './filter_demo >demo.out 2>demo.err; s=$?; cat demo.out demo.err; [ $s = 0 ] && grep -q "inside the sandbox" demo.out && grep -q "refused: Operation not permitted" demo.out && grep -q "\"syscall\":\"openat\",\"nr\":257,.*\"decision\":\"errno\",\"errno\":1" demo.err'
mkdir -p pfd && echo hello > pfd/readme.txt
part "example: policy_file_demo" 0 sh -c './policy_file_demo readonly.rf "$PWD/pfd" >pfd.out 2>pfd.err; s=$?; cat pfd.out pfd.err; [ $s = 0 ] &&
	grep -q "read a file in the unveiled directory *allowed" pfd.out &&
	grep -q "open it for writing *Operation not permitted" pfd.out &&
	grep -q "read /proc/version (not unveiled) *Permission denied" pfd.out &&
	grep -q "make a socket *Permission denied" pfd.out &&
	grep -q "\"rule\":\"readonly.rf:8\"" pfd.err &&
	grep -q "\"paths\":{\"1\":\"/proc/version\"}.*\"errno\":13,\"rule\":\"unveil: refused by the kernel" pfd.err'
part "launcher: real programs under ringfence run, compared with native runs; its walls" 0 sh ./run-programs.sh
if [ -d asan ]; then
	# LeakSanitizer stops the world with ptrace, which the sandbox refuses
	export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	part "ASan+UBSan: smoke" 7 ./asan/t_smoke
	part "ASan+UBSan: integration (cmocka)" 0 ./asan/test_kvm
	part "ASan+UBSan: hostile (cmocka)" 0 ./asan/test_escape
	part "ASan+UBSan: hostile threads (cmocka)" 0 ./asan/test_thread_escape
	part "ASan+UBSan: signals (cmocka)" 0 ./asan/test_signals
	part "ASan+UBSan: processes (cmocka)" 0 ./asan/test_process
	part "ASan+UBSan: ring-0 mode (cmocka)" 0 ./asan/test_ring0
	part "ASan+UBSan: ring-0 mode, hostile (cmocka)" 0 ./asan/test_ring0_escape
	part "ASan+UBSan: exitless channel (cmocka)" 0 ./asan/test_exitless
	part "ASan+UBSan: launcher" 0 env RF=./asan/ringfence sh ./run-programs.sh
fi
echo "kvm suite: $failed failed"
exit $failed
