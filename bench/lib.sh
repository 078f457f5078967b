# bench/lib.sh: sourced by bench/guest.sh and bench/host.sh (POSIX sh: runs under busybox too).
# Every figure is printed as one raw line starting with "RF " (bench/report.py reads them):
#   RF <section> <env> <round> <mode> <value> <status> [extra]   (startup, macro: one command run)
#   RF micro <env> <round> <mode> <op> <ns per call | NA reason>
#   RF unavail <section> <env> <mode> <reason...>                 (a mode that cannot run here)
#   RF idle|density <env> <mode> key=value...
#   RF info <env> <key> <value...>

# getcmd NAME: the command of mode NAME (variable cmd_NAME)
getcmd() { eval "printf '%s' \"\$cmd_$1\""; }

# rotate K WORDS...: the words rotated left by K (no mode always runs right after another)
rotate() {
	k=$1; shift
	[ $# -gt 0 ] || return 0
	k=$((k % $#))
	while [ "$k" -gt 0 ]; do x=$1; shift; set -- "$@" "$x"; k=$((k - 1)); done
	echo "$@"
}

# probe SECTION ENV NAME...: run each command once (untimed); the names that exited 0 go to
# $TMPD/avail; an RF unavail line (with the first lines of its output) for each of the others
probe() {
	sec=$1 env=$2; shift 2
	ok=
	for n in "$@"; do
		c=$(getcmd "$n")
		sh -c "$c" </dev/null >"$TMPD/probe.out" 2>&1
		st=$?
		if [ $st -eq 0 ]; then
			ok="$ok $n"
		else
			echo "RF unavail $sec $env $n status $st: $(grep -v '^$' "$TMPD/probe.out" | head -n 3 | tr '\n' ' ' | cut -c1-300)"
		fi
	done
	echo "$ok" >"$TMPD/avail"
}

# interleave SECTION ENV ROUNDS RUNS NAME...: ROUNDS rounds; in each, every available command
# RUNS times (launch_timer: wall time of fork+exec+wait), the order rotating by round. A mode
# with raw_NAME set runs that timer instead (it takes -n RUNS and prints as launch_timer does);
# cmd_NAME is still its probe.
interleave() {
	sec=$1 env=$2 R=$3 N=$4; shift 4
	probe "$sec" "$env" "$@"
	avail=$(cat "$TMPD/avail")
	r=1
	while [ $r -le "$R" ]; do
		for n in $(rotate "$r" $avail); do
			if [ -n "$(eval "printf '%s' \"\${raw_$n:-}\"")" ]; then
				# a timer of its own (bench_enter), same output as launch_timer
				eval "\$raw_$n -n $N" </dev/null 2>/dev/null | sed "s/^/RF $sec $env $r $n /"
			else
				eval "$LT -q -n $N $(getcmd "$n")" | sed "s/^/RF $sec $env $r $n /"
			fi
		done
		r=$((r + 1))
	done
}

# the operations of bench/micro_worker (its op_key[], in its order)
MICRO_OPS="getpid read write openclose mmap fault clock thread fork forkexec"

# micro ENV ROUNDS ITERS NAME...: the per-call worker under each mode (cmd_NAME is the
# wrapper, the worker's arguments follow it), interleaved rounds. A worker that hangs (say a
# thread that never starts inside a sandbox) is stopped after 600 s (every mode alike) and
# reported as failed (status 124 or 143), instead of holding up the whole run. The worker prints
# its lines only at the end: when it dies before printing any (say one operation crashes it),
# the round is reported failed as before, and then each operation runs once more in a worker of
# its own, so that only the operation that kills it goes without a number ("OP NA worker exited
# with status N: ...") and the others keep theirs.
micro() {
	env=$1 R=$2 I=$3; shift 3
	to=
	command -v timeout >/dev/null 2>&1 && to="timeout ${MICRO_TIMEOUT:-600}"
	r=1
	while [ $r -le "$R" ]; do
		for n in $(rotate "$r" "$@"); do
			c=$(getcmd "$n")
			eval "$to $c -n $I" >"$TMPD/m.out" 2>"$TMPD/m.err" </dev/null
			st=$?
			if [ $st -ne 0 ]; then
				echo "RF unavail micro $env $n round $r: status $st: $(cat "$TMPD/m.out" "$TMPD/m.err" | grep -v '^$' | head -n 3 | tr '\n' ' ' | cut -c1-300)"
				# (not after a timeout: each operation could hang as long again)
				if [ $st -ne 124 ] && [ $st -ne 143 ] && [ $st -ne 137 ] && ! grep -qE '^[a-z]+ ([0-9.]+|NA)' "$TMPD/m.out"; then
					for op in $MICRO_OPS; do
						eval "$to $c -n $I $op" >"$TMPD/m1.out" 2>"$TMPD/m1.err" </dev/null
						st1=$?
						if grep -qE "^$op ([0-9.]+|NA)" "$TMPD/m1.out"; then
							grep -E "^$op ([0-9.]+|NA)" "$TMPD/m1.out" >>"$TMPD/m.out"
						else
							echo "$op NA worker exited with status $st1: $(cat "$TMPD/m1.out" "$TMPD/m1.err" | grep -v '^$' | head -n 2 | tr '\n' ' ' | cut -c1-200)" >>"$TMPD/m.out"
						fi
					done
				fi
			fi
			sed "s/^/RF micro $env $r $n /" "$TMPD/m.out" | grep -E '^RF micro [^ ]+ [0-9]+ [^ ]+ [a-z]+ ([0-9.]+|NA)'
		done
		r=$((r + 1))
	done
}
