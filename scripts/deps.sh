#!/bin/bash
# scripts/deps.sh: install what Ringfence needs to build and test, from Debian 12's packages.
# usage: deps.sh [--bochs] [--bench]   (--bochs: the Bochs harness; --bench: bench/run's peers)
# Idempotent; needs root (or sudo). Set SKIP_APT=1 to skip.
set -euo pipefail
[ "${SKIP_APT:-0}" = 1 ] && exit 0
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(build-essential cmake pkg-config libseccomp-dev libunwind-dev libcmocka-dev libelf-dev libjson-c-dev clang bubblewrap python3)
# the KVM tests run inside Bochs (VT-x emulation) on hosts without /dev/kvm
BOCHS_PKGS=(bochs bochsbios vgabios busybox-static cpio gzip grub-pc-bin grub-common xorriso mtools
	    linux-headers-cloud-amd64)
# bench/run: the peers it compares with, the programs of its macro benchmarks, the plots
BENCH_PKGS=(crun runc runsc podman conmon catatonit busybox-static sqlite3 gzip gnuplot-nox util-linux coreutils)
want=("${PKGS[@]}")
for a in "$@"; do
	case $a in
	--bochs) want+=("${BOCHS_PKGS[@]}") ;;
	--bench) want+=("${BENCH_PKGS[@]}") ;;
	*) echo "usage: deps.sh [--bochs] [--bench]" >&2; exit 2 ;;
	esac
done
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
