#!/bin/bash
# scripts/docker-profile.sh: Docker's default seccomp profile for the tests, from Debian's
# golang-github-docker-docker-dev package, downloaded and unpacked (not installed: the
# package pulls in a Go toolchain). Prints the profile's path; cached in $1 (default
# build/docker-profile).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$here/build/docker-profile}
rel=usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json
if [ -f "/$rel" ]; then echo "/$rel"; exit 0; fi
if [ ! -f "$dir/$rel" ]; then
	mkdir -p "$dir"
	(cd "$dir" && apt-get download -qq golang-github-docker-docker-dev >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null && apt-get download -qq golang-github-docker-docker-dev >/dev/null; })
	dpkg-deb -x "$dir"/golang-github-docker-docker-dev_*.deb "$dir"
fi
echo "$dir/$rel"
