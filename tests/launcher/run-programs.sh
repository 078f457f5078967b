#!/bin/sh
# tests/launcher/run-programs.sh: `ringfence run` on real programs, compared with native runs,
# and the launcher's walls tried from inside. POSIX sh (busybox in the Bochs guest); run
# from the directory tests/launcher/mkpayload.sh filled. Exit status: number of failures.
cd "$(dirname "$0")" || exit 99
RF=${RF:-./ringfence}
BB=./busybox
failed=0
total=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# same NAME CMD...: stdout and exit status equal natively and inside the sandbox
same() {
	name=$1
	shift
	total=$((total + 1))
	"$@" >nat.out 2>nat.err
	ns=$?
	$RF run -- "$@" >sb.out 2>sb.err
	ss=$?
	if [ "$ns" = "$ss" ] && cmp -s nat.out sb.out; then
		echo "ok   $name (status $ss, $(wc -l <sb.out) lines)"
	else
		fail "$name: native status $ns, inside $ss"
		diff nat.out sb.out | head -n 20
		head -n 20 sb.err
	fi
}

# expect NAME WANT_STATUS CMD...: the command's status must be WANT_STATUS
expect() {
	name=$1 want=$2
	shift 2
	total=$((total + 1))
	"$@" >ex.out 2>ex.err
	st=$?
	if [ "$st" = "$want" ]; then
		echo "ok   $name (status $st)"
		return 0
	fi
	fail "$name: status $st, want $want"
	head -n 20 ex.out ex.err
	return 1
}

# check NAME CONDITION-COMMAND...: a condition on the last outputs
check() {
	name=$1
	shift
	total=$((total + 1))
	if "$@"; then echo "ok   $name"; else fail "$name"; fi
}

# ---- test data
rm -rf data out && mkdir -p data/sub out
printf 'default allow\nlimit tasks 5\n' >tasks5.rf
$BB seq 1 3000 >data/nums
printf 'pear\napple\nfig\nbanana\ncherry\n' >data/text.txt
printf 'one two three\nfour five\n' >data/sub/words.txt
$BB touch -d '2020-01-01 00:00:00' data/nums data/text.txt data/sub/words.txt data/sub data

echo "--- busybox (static) applets"
same "busybox ls" $BB ls -l data
same "busybox cat" $BB cat data/text.txt
same "busybox sort" $BB sort -rn data/nums
same "busybox sha256sum" $BB sha256sum data/nums data/text.txt
same "busybox wc" $BB wc data/nums data/text.txt
same "busybox find" $BB find data -name '*.txt'
same "busybox tar" $BB tar -cf - data
same "busybox gzip" $BB gzip -c -9 data/nums
same "busybox sed" $BB sed -n 's/^\(1\)\(2\)\(.*\)/<\2\1\3>/p' data/nums
same "busybox awk" $BB awk '{ s += $1 } END { print s, NR }' data/nums
same "busybox sh exit 42" $BB sh -c 'echo before; exit 42'
same "busybox sh killed by SIGTERM" $BB sh -c 'echo before; kill -TERM $$; echo after'

echo "--- shells: fork, exec, pipes, subshells, background jobs"
cat >script.sh <<'SCRIPT'
count() { n=0; while read -r line; do n=$((n + 1)); done; echo "$n lines"; }
./busybox seq 1 200 | ./busybox grep 7 | count
for w in alpha beta gamma; do echo "$w" | ./busybox tr a-z A-Z; done | ./busybox sort -r
( cd data && ./../busybox ls ) | ./busybox wc -l
./busybox sleep 0.2 & bg=$!
echo "background job started"
wait "$bg"; echo "background job done: $?"
v=$(./busybox echo nested $(./busybox echo twice)); echo "$v"
./busybox false || echo "false failed as it should"
exit 5
SCRIPT
same "sh: subshells, command substitution, builtin pipes" $BB sh -c 'x=$(echo inner); echo "got $x"; (exit 3); echo "sub $?"; echo pipe | { read y; echo "read $y"; }'
same "sh: seq | sort -r | head -3 (fork + exec)" $BB sh -c "$BB seq 1000 | ./bin/sort -r | ./bin/head -3"
same "sh: background job and wait" $BB sh -c "$BB sleep 0.1 & echo started; wait; echo done"
same "sh: a child that cannot exec" $BB sh -c './nonexistent; echo "status $?"'
same "sh: a script with pipes, subshells, functions, jobs" $BB sh script.sh

echo "--- coreutils (dynamic)"
same "coreutils ls -l" ./bin/ls -l --time-style=+%Y data
same "coreutils sort" ./bin/sort -r data/text.txt
same "coreutils sha256sum" ./bin/sha256sum data/nums
same "coreutils head" ./bin/head -n 7 data/nums
same "coreutils missing file" ./bin/head nonexistent

echo "--- interpreters"
same "python3 json math re hashlib" /usr/bin/python3 -c "$(cat py_snippet.py)"
same "sqlite3 in-memory" /usr/bin/sqlite3 :memory: "create table t(a integer, b text); insert into t values (1,'one'),(2,'two'),(3,'three'); select a, upper(b) from t where a >= 2 order by a desc; select count(*), sum(a) from t;"
same "python3 subprocess and signal" /usr/bin/python3 py_subprocess.py
rm -f mk/*.out mk/all.txt
same "make -j2 on a small tree" /usr/bin/make -s -j2 -C mk
rm -f mk/*.out mk/all.txt
same "perl -e" /usr/bin/perl -e 'my %h = (b => 2, a => 1, c => 3); print join(",", map { "$_=$h{$_}" } sort keys %h), "\n"; print scalar reverse("ringfence"), "\n"; printf "%.6f\n", sqrt(2); print join(" ", grep { $_ % 7 == 0 } 1..50), "\n";'

echo "--- the probe: auxv, break, fds, FPU (PIE, static, static-pie)"
for p in probe probe-static probe-static-pie; do
	same "$p auxv" ./$p auxv
	same "$p brk" ./$p brk
	same "$p fds" ./$p fds
	same "$p float" ./$p float
done

echo "--- terminal and stdin pass through, PATH lookup, environment"
total=$((total + 1))
$BB sort <data/text.txt >nat.out
$RF run -- $BB sort <data/text.txt >sb.out
if cmp -s nat.out sb.out; then echo "ok   stdin passes through"; else fail "stdin passes through"; fi
expect "PATH lookup (sh found on PATH)" 0 $RF run -- sh -c 'exit 0'
expect "--clearenv --env" 0 $RF run --clearenv --env RF_X=42 -- $BB sh -c '[ "$RF_X" = 42 ] && [ -z "$HOME" ]'
expect "--env NAME copies the caller's" 0 env RF_Y=7 $RF run --clearenv --env RF_Y -- $BB sh -c '[ "$RF_Y" = 7 ]'

echo "--- exit statuses and errors"
expect "command not found: 127" 127 $RF run -- no-such-command-here
check "  one line on stderr" test "$(wc -l <ex.err)" = 1
expect "a directory: 126" 126 $RF run -- /tmp
expect "not executable: 126" 126 $RF run -- ./py_snippet.py
expect "bad option: 125" 125 $RF run --no-such-option -- $BB true
expect "bad policy file: 125" 125 $RF run --policy /nonexistent.rf -- $BB true
expect "crash inside: SIGSEGV, 139" 139 $RF run -- ./probe touch-launcher
rm -f kill.log
expect "policy kill: SIGSYS, 159" 159 $RF run --pledge "stdio rpath" --default-action kill --log kill.log -- $BB sh -c 'echo x >/tmp/rf-kill'
cat ex.err
# (the shell running this script adds its own "Bad system call" line)
check "  one line from ringfence on stderr naming the call" sh -c '[ "$(grep -c . ex.err)" -le 2 ] && [ "$(grep -c "^ringfence:" ex.err)" = 1 ] && grep -q "^ringfence: sandboxed process [0-9]* killed by the policy (SIGSYS): system call openat refused by rule .default.$" ex.err'
check "  the audit record says kill" grep -q '"syscall":"openat".*"/tmp/rf-kill".*"decision":"kill"' kill.log

echo "--- OCI/Docker seccomp profile"
if [ -f docker-default.json ]; then
	total=$((total + 1))
	./bin/sha256sum data/nums >nat.out
	$RF run --seccomp-profile docker-default.json -- ./bin/sha256sum data/nums >sb.out 2>sb.err
	if cmp -s nat.out sb.out; then echo "ok   coreutils under Docker's default profile"; else fail "coreutils under Docker's default profile"; cat sb.err; fi
	# Docker's profile refuses mount(2) (EPERM); natively, as root, it would be tried
	# (busybox mount says "permission denied (are you root?)" and exits 1)
	expect "Docker's profile refuses mount" 1 $RF run --seccomp-profile docker-default.json --log prof.log -- $BB mount -t tmpfs none out
	check "  the audit log names mount" grep -q '"syscall":"mount".*"decision":"errno","errno":1' prof.log
else
	echo "FAIL docker-default.json missing (set RINGFENCE_DOCKER_PROFILE for mkpayload.sh)"
	failed=$((failed + 1))
fi

echo "--- denials: unveil, pledge, audit log"
rm -f audit.log out/a data/denied
expect "write outside the unveiled tree fails" 1 $RF run --unveil "$PWD/out:rwc" --log audit.log -- $BB sh -c 'echo ok >out/a && echo bad >data/denied'
check "  the allowed write happened" test -f out/a
check "  the refused write did not" test ! -e data/denied
check "  the audit log names the call and the path" grep -q '"syscall":"openat".*"data/denied".*"errno":13' audit.log
expect "pledge without wpath: write refused (EPERM)" 1 $RF run --pledge "stdio rpath" --log - -- $BB sh -c 'echo x >/tmp/rf-denied'
check "  the audit record is on stderr" grep -q '"decision":"errno","errno":1' ex.err
expect "the log fd does not leak into the program" 0 $RF run --log audit.log -- ./probe fds
check "  fds: 0 1 2" grep -qx 'fds: 0 1 2' ex.out

echo "--- fork and exec under path rules (unveil)"
rm -f out/sorted
expect "a pipeline of programs under --unveil" 0 $RF run --unveil "$PWD:rx" --unveil "$PWD/out:rwc" --unveil /usr:rx -- $BB sh -c "$BB seq 3 | ./bin/sort -r >out/sorted && $BB cat out/sorted"
check "  its output" sh -c '[ "$(cat out/sorted | tr "\n" " ")" = "3 2 1 " ]'
expect "and the programs it runs stay under the rules" 1 $RF run --unveil "$PWD:rx" --unveil "$PWD/out:rwc" --unveil /usr:rx -- $BB sh -c "$BB cat /proc/version"
check "  refused" grep -q "Permission denied" ex.err

echo "--- exec policy (pledge's execpromises)"
rm -f xp.log
expect "--exec-pledge: the executed program runs under its own promises" 1 $RF run --pledge "stdio rpath proc exec prot_exec" --exec-pledge "stdio prot_exec" --log xp.log -- $BB sh -c 'read l <data/text.txt && echo "sh read $l" && ./busybox cat data/text.txt'
check "  the shell (rpath) read the file" grep -q "sh read pear" ex.out
check "  the executed cat (no rpath) was refused, and audited" grep -q '"syscall":"open.*data/text.txt.*"decision":"errno","errno":1' xp.log
expect "without --exec-pledge the executed program keeps the policy" 0 $RF run --pledge "stdio rpath proc exec prot_exec" -- $BB sh -c './busybox cat data/text.txt'

echo "--- hostile: the launcher's memory is out of reach"
for p in probe probe-static probe-static-pie; do
	expect "$p: calls on the launcher's memory refused" 0 $RF run -- ./$p launcher
	cat ex.out
done

echo "--- ring-0 mode (Dune): --ring0"
for p in probe probe-static; do
	expect "$p: --ring0 runs it at CPL0, where it reads CR0" 0 $RF run --ring0 -- ./$p ring0
	check "  cpl=0 cr0_pg=1" sh -c 'grep -qx "cpl=0" ex.out && grep -qx "cr0_pg=1" ex.out'
done
expect "--ring0: a program it executes runs at CPL0 too" 0 $RF run --ring0 -- ./probe ring0-exec
check "  cpl=0 cr0_pg=1 after execve" sh -c 'grep -qx "cpl=0" ex.out && grep -qx "cr0_pg=1" ex.out'
expect "without --ring0: CPL3, and CR0 is refused (SIGSEGV, 139)" 139 $RF run -- ./probe ring0
check "  cpl=3" grep -qx "cpl=3" ex.out
rm -f r0.log
expect "--ring0: an unmodified shell, and the policy's denial" 1 $RF run --ring0 --pledge "stdio rpath" --log r0.log -- $BB sh -c 'echo x >/tmp/rf-denied'
check "  the denial is audited" grep -q '"decision":"errno","errno":1' r0.log
# ==== process semantics (#5) ==========================================================
# Threads, cancellation, signals, fork and exec within one sandboxed process, compared
# with native runs (tests/launcher/procsem.c, py_threads.py; both print only deterministic
# facts). `seq 1000 | sort -r | head -3`, the script with pipes, subshells, jobs and $(...)
# and `make -j2` are above ("shells", "interpreters"); jobs.sh below adds wait statuses,
# signals between jobs and the shell, SIGPIPE and exec in a subshell.
echo "--- process semantics (#5): threads, cancellation, signals, fork and exec"

# same_ok NAME CMD...: `same`, and the program's own checks passed natively (status 0),
# so that a wrong result on both sides is not taken for agreement
same_ok() {
	same "$@"
	if [ "$ns" != 0 ]; then
		total=$((total + 1))
		fail "$1: status $ns natively, its own checks failed"
		head -n 5 nat.err
	fi
}

for c in threads cancel segv-longjmp alarm-restart alarm-norestart altstack thread-signal thread-exec fork-in-thread; do
	same_ok "procsem $c" ./procsem $c
done
same_ok "procsem forkbomb 20 (no limit: made 20)" ./procsem forkbomb 20
check "  made 20" grep -qx 'made 20' sb.out
same_ok "python3 threading, queue, signal.alarm, pthread_kill" /usr/bin/python3 py_threads.py

cat >jobs.sh <<'SCRIPT'
# background jobs with their own statuses, waited by pid in another order
./busybox sh -c 'exit 3' & a=$!
./busybox sh -c 'exit 4' & b=$!
(./busybox sleep 0.1; exit 5) & c=$!
wait "$c"; echo "c: $?"
wait "$b"; echo "b: $?"
wait "$a"; echo "a: $?"
# a background job killed by SIGTERM: wait gives 128 + 15
./busybox sleep 30 & s=$!
kill -TERM "$s"
wait "$s"; echo "killed job: $?"
# a trap in the shell for a signal sent by a child process
trap 'echo "trap: USR1"' USR1
./busybox kill -USR1 $$
echo "after the trap"
trap - USR1
# nested subshells and command substitution; a pipeline's status is its last command's
v=$( (echo a; (echo b; echo c) | ./busybox tr a-z A-Z) | ./busybox sort -r | ./busybox tr '\n' ' ')
echo "nested: $v"
./busybox false | ./busybox true; echo "pipeline status: $?"
# exec replaces a subshell, its status comes through
(exec ./busybox sh -c 'exit 6'); echo "exec'd subshell: $?"
# six jobs at once, collected in order through files
for i in 1 2 3 4 5 6; do (echo "job $i" >out/job.$i) & done
wait
./busybox cat out/job.1 out/job.2 out/job.3 out/job.4 out/job.5 out/job.6
# the reader exits first: the writer must die of SIGPIPE, or this never ends
./busybox yes | ./busybox head -n 2
echo "yes | head done"
exit 9
SCRIPT
same "sh: wait statuses, kill, trap, nested subshells, SIGPIPE" $BB sh jobs.sh
check "  status 9 and the last line" sh -c '[ "$0" = 9 ] && [ "$(tail -n 1 sb.out)" = "yes | head done" ]' "$ss"

# the task limit (--max-tasks, a policy's "limit tasks"): a fork bomb is stopped with
# EAGAIN at the limit, the guest lives on, every child is reaped. 8 tasks: the bomb
# itself and 7 children. (procsem forkbomb never makes more than 200 children.)
if expect "fork bomb stopped by the task limit" 0 $RF run --max-tasks 8 -- ./procsem forkbomb 200; then
	check "  fork failed with EAGAIN" grep -qx 'limit reached' ex.out
	check "  exactly 7 children (8 tasks)" grep -q 'forkbomb: 7 children' ex.err
	check "  every child killed and reaped" grep -qx 'reaped all, each killed by SIGKILL' ex.out
fi
# threads count too: a thread bomb under the same limit, and the limit is released as
# tasks end (a second bomb in the same sandbox gets as far as the first)
expect "thread bomb stopped by the task limit" 0 $RF run --max-tasks 8 -- ./procsem threadbomb
check "  7 threads, twice" grep -qx 'threads made: 7 7' ex.out
expect "a policy file's limit applies" 0 $RF run --policy tasks5.rf -- ./procsem forkbomb 200
check "  4 children (5 tasks)" grep -q 'forkbomb: 4 children' ex.err
expect "a bad limit is refused by the launcher" 125 $RF run --max-tasks -3 -- ./procsem threads
# the exitless channel (#6): on, the same programs give the same results; a bad value is refused
export RINGFENCE_EXITLESS=on
same_ok "procsem threads, exitless channel on" ./procsem threads
same_ok "python3 threading, queue, signal.alarm, pthread_kill (exitless channel on)" /usr/bin/python3 py_threads.py
same "sh: seq | sort -r | head -3 (exitless channel on)" $BB sh -c "$BB seq 1000 | ./bin/sort -r | ./bin/head -3"
unset RINGFENCE_EXITLESS
expect "--exitless takes on, off or auto" 125 $RF run --exitless maybe -- ./procsem threads
# ==== end of process semantics (#5) ===================================================

echo "launcher: $((total - failed)) of $total passed, $failed failed"
exit $failed
