#!/bin/bash
# scripts/test.sh: install, build and run every test.
#   1. build (warnings are errors), unit tests + monitor symbol check (ctest)
#   2. the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the KVM tests (integration, hostile, examples) on /dev/kvm: here if
#      the host has it, else inside Bochs' VT-x emulation
# Ends with one line "suites: N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
pass=0
fail=0
suite() { # name, command...
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		pass=$((pass + 1))
		echo "=== $name: ok"
	else
		fail=$((fail + 1))
		echo "=== $name: FAILED"
	fi
}
build() { # dir, cmake args...
	local dir=$1
	shift
	cmake -S "$here" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null && cmake --build "$dir" -j"$jobs" 2>&1 | grep -E 'error|warning' ; test "${PIPESTATUS[0]}" = 0
}

"$here/scripts/deps.sh" --bochs || { echo "dependency installation failed"; exit 1; }

suite "build" build "$here/build"
suite "unit tests" ctest --test-dir "$here/build" --output-on-failure -j"$jobs"
suite "build (ASan+UBSan)" build "$here/build-asan" -DSB_SANITIZE=ON -DSB_BUILD_BENCH=OFF
suite "unit tests (ASan+UBSan)" ctest --test-dir "$here/build-asan" --output-on-failure -j"$jobs"

kvm_tests() {
	local payload
	payload=$(mktemp -d)
	cp "$here"/build/tests/{t_smoke,test_kvm,test_escape,test_enter_nokvm} "$here/build/examples/filter_demo" "$payload/" || return 1
	cp "$here/tests/kvm-suite.sh" "$payload/" || return 1
	# the same KVM tests built with ASan+UBSan, run in the same boot
	mkdir -p "$payload/asan" && cp "$here"/build-asan/tests/{t_smoke,test_kvm,test_escape} "$payload/asan/" || return 1
	"$here/scripts/kvm-run.sh" "$payload" -- sh ./kvm-suite.sh
}
suite "KVM tests (integration, hostile, example; and under ASan+UBSan)" kvm_tests

echo "suites: $pass passed, $fail failed"
[ "$fail" = 0 ]
