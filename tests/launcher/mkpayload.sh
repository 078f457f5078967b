#!/bin/bash
# tests/launcher/mkpayload.sh: assemble what tests/launcher/run-programs.sh needs in the guest.
# usage: mkpayload.sh BUILD_DIR PAYLOAD_DIR ROOT_DIR
#   PAYLOAD_DIR  gets ringfence, the probes, busybox (static), coreutils, the scripts
#   ROOT_DIR     gets python3 (with exactly the standard-library modules the
#                test's snippet imports, found by running it here), perl and
#                sqlite3 at their absolute paths (BOCHS_ROOT of run-in-bochs.sh;
#                a host with /dev/kvm runs the same programs from its own /)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 payload=$2 root=$3
mkdir -p "$payload/bin" "$root/usr/bin"
cp "$build/cli/ringfence" "$build"/tests/launcher/{probe,probe-static,probe-static-pie,procsem} "$payload/"
cp "$here/run-programs.sh" "$here/py_snippet.py" "$here/py_subprocess.py" "$here/py_threads.py" "$payload/"
cp -r "$here/mk" "$payload/mk"
cp "$(command -v busybox)" "$payload/busybox"
# Docker's default seccomp profile, for --seccomp-profile (scripts/docker-profile.sh)
if [ -n "${RINGFENCE_DOCKER_PROFILE:-}" ] && [ -f "$RINGFENCE_DOCKER_PROFILE" ]; then
	cp "$RINGFENCE_DOCKER_PROFILE" "$payload/docker-default.json"
fi
for p in ls sort sha256sum head; do cp "/usr/bin/$p" "$payload/bin/"; done
for p in perl sqlite3 python3.11 make; do cp "/usr/bin/$p" "$root/usr/bin/"; done
ln -sf python3.11 "$root/usr/bin/python3"
# the Python modules the snippet uses (and the interpreter's start-up ones)
list=$(mktemp)
for snippet in py_snippet.py py_subprocess.py py_threads.py; do
(cd "$payload" && /usr/bin/python3.11 -c "exec(open('$snippet').read())
import sys
with open('$list', 'a') as f:
    for m in list(sys.modules.values()):
        for a in ('__file__', '__cached__'):
            p = getattr(m, a, None)
            if p:
                f.write(p + '\n')" >/dev/null)
done
while read -r f; do
	[ -e "$f" ] || continue
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done <"$list"
rm -f "$list"
