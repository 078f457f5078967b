#!/bin/bash
# scripts/test.sh: install, build and run every test.
#   1. build (warnings are errors), unit tests + monitor symbol check (ctest)
#   2. the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the KVM tests (integration, hostile, examples) on /dev/kvm: here if
#      the host has it, else inside Bochs' VT-x emulation
#   4. the benchmarks' smoke run (bench/run --quick: every mode produces a number)
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

# Docker's default seccomp profile, for the OCI import tests
RINGFENCE_DOCKER_PROFILE=$("$here/scripts/docker-profile.sh" "$here/build-data/docker-profile") ||
	{ echo "cannot get Docker's seccomp profile"; exit 1; }
export RINGFENCE_DOCKER_PROFILE

suite "build" build "$here/build"
suite "unit tests" ctest --test-dir "$here/build" --output-on-failure -j"$jobs"
suite "build (ASan+UBSan)" build "$here/build-asan" -DSB_SANITIZE=ON -DSB_BUILD_BENCH=OFF
suite "unit tests (ASan+UBSan)" ctest --test-dir "$here/build-asan" --output-on-failure -j"$jobs"

# libFuzzer targets of the policy front ends, a bounded run each; new inputs
# go to a scratch directory, the seed corpus in tests/fuzz/corpus stays as it is
fuzz() {
	local f t out log rc=0
	CC=clang build "$here/build-fuzz" -DSB_FUZZ=ON -DSB_SANITIZE=ON -DSB_BUILD_BENCH=OFF || return 1
	for f in "$here"/tests/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		out=$(mktemp -d)
		log=$(mktemp)
		echo "--- $t, ${FUZZ_SECONDS:-60} s"
		if "$here/build-fuzz/tests/$t" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
			-artifact_prefix="$out/" "$out" "$here/tests/fuzz/corpus/${t#fuzz_}" >"$log" 2>&1; then
			grep -E '^Done [0-9]+ runs|stat::number_of_executed_units' "$log"
			rm -rf "$out"
		else
			tail -40 "$log"
			echo "$t: FAILED (crash input kept in $out)"
			rc=1
		fi
		rm -f "$log"
	done
	return $rc
}
suite "fuzzing (policy parser, OCI import)" fuzz

kvm_tests() {
	local payload root
	payload=$(mktemp -d)
	root=$(mktemp -d)
	# ringfence run on real programs (tests/launcher): the programs, and the
	# files python3/perl/sqlite3 need at their absolute paths (BOCHS_ROOT)
	"$here/tests/launcher/mkpayload.sh" "$here/build" "$payload" "$root" || return 1
	cp "$here"/build/tests/{t_smoke,test_kvm,test_escape,test_thread_escape,test_signals,test_process,test_ring0,test_ring0_escape,test_enter_nokvm,test_exitless} "$here/build/examples/filter_demo" "$payload/" || return 1
	cp "$here/tests/kvm-suite.sh" "$here/build/examples/policy_file_demo" "$here/examples/policies/readonly.rf" "$payload/" || return 1
	# the same KVM tests built with ASan+UBSan, run in the same boot
	mkdir -p "$payload/asan" && cp "$here"/build-asan/tests/{t_smoke,test_kvm,test_escape,test_thread_escape,test_signals,test_process,test_ring0,test_ring0_escape,test_exitless} "$here/build-asan/cli/ringfence" "$payload/asan/" || return 1
	# one boot runs it all, twice (normal and ASan+UBSan) plus the exitless reruns: ~12-14 min
	BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-1500} BOCHS_ROOT=$root "$here/scripts/kvm-run.sh" "$payload" -- sh ./kvm-suite.sh
}
suite "KVM tests (integration, hostile, example; and under ASan+UBSan)" kvm_tests

# the benchmark suite's smoke run (one Bochs boot of its own): every mode produces a number
suite "benchmarks (bench/run --quick)" "$here/bench/run" --quick --build-dir "$here/build"

# ringfence.ko (issue #8): built against Debian 12's cloud kernel headers, loaded in one
# Bochs boot of its own (~2 min), tests/bochs/kmod-suite.sh on the kmod backend
suite "VT-x module ringfence.ko in Bochs (load, probe, smoke, policy denial, test_kvm and ring-0 mode on kmod, unload)" \
	env SKIP_APT=1 "$here/tests/bochs/kmod-job.sh" "$here/build"

echo "suites: $pass passed, $fail failed"
[ "$fail" = 0 ]
