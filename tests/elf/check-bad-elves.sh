#!/bin/bash
# tests/elf/check-bad-elves.sh: `ringfence run` refuses malformed programs cleanly.
#
# Generates the cases with mkbad.py (one defect per file, see its
# cases.txt) into WORKDIR, runs `RINGFENCE run -- FILE` on each, and checks
# that the launcher exits with the expected status, writes exactly one line
# on stderr, that the line names the defect (the case's substring), and
# that it did not crash (no status >= 128, no time-out). Status 125 cases
# passed the loader's checks and failed at the backend: they expect a
# message about /dev/kvm, and are skipped when this host has /dev/kvm (the
# program would actually run there).
# usage: check-bad-elves.sh RINGFENCE_BINARY WORKDIR
set -euo pipefail
if [ $# -ne 2 ]; then
	echo "usage: $0 RINGFENCE_BINARY WORKDIR" >&2
	exit 2
fi
rf=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$rf" ] || { echo "$rf: not an executable" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed (scripts/deps.sh installs it)" >&2; exit 2; }
mkdir -p "$work"
python3 "$here/mkbad.py" "$work"

have_kvm=0
[ -e /dev/kvm ] && have_kvm=1
pass=0 fail=0 skip=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

while IFS=$'\t' read -r name want substr desc; do
	case $name in '' | '#'*) continue ;; esac
	if [ "$want" = 125 ] && [ $have_kvm = 1 ]; then
		echo "skip $name: /dev/kvm exists, so this valid program would actually run (the 125/kvm check needs a host without KVM)"
		skip=$((skip + 1))
		continue
	fi
	# a file outside the PATH search: always with a slash
	set +e
	timeout -k 5 30 "$rf" run -- "$work/$name" </dev/null >/dev/null 2>"$err"
	st=$?
	set -e
	nl=$(wc -l <"$err")
	msg=$(head -n 1 "$err")
	why=
	if [ $st = 124 ]; then
		why="timed out"
	elif [ $st -ge 128 ] && [ "$want" -lt 128 ]; then
		why="crashed (status $st)"
	elif [ "$st" != "$want" ]; then
		why="status $st, expected $want"
	elif [ "$nl" != 1 ] || [ "$(tail -c 1 "$err" | od -An -c | tr -d ' ')" != '\n' ]; then
		why="stderr is $nl lines, expected exactly one"
	elif [[ $msg != "ringfence: "* ]]; then
		why="message does not start with 'ringfence: '"
	elif [[ $msg != *"$substr"* ]]; then
		why="message lacks '$substr'"
	fi
	if [ -z "$why" ]; then
		echo "ok   $name ($st): $msg"
		pass=$((pass + 1))
	else
		echo "FAIL $name ($desc): $why"
		sed 's/^/     | /' "$err" | head -n 20
		fail=$((fail + 1))
	fi
done <"$work/cases.txt"

echo "bad elves: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
