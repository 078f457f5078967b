#!/bin/bash
# run-in-bochs.sh: run a command inside a Linux guest that has a real /dev/kvm,
# on a host that has none.
#
# Bochs emulates an Intel CPU with VT-x, EPT and unrestricted guest. Inside it
# we boot Debian 12's cloud kernel (the same ABI as the installed
# linux-headers-cloud-amd64), load that kernel's own irqbypass/kvm/kvm-intel
# modules from an initramfs, and run CMD under busybox /bin/sh in /payload.
#
# usage: run-in-bochs.sh [--kmod DIR] WORKDIR -- CMD...
#
#   WORKDIR     cache and scratch directory (created if missing). The kernel
#               package and kernel are cached here; the guest's serial console
#               ends up in WORKDIR/serial.out, Bochs' log in WORKDIR/bochs.log.
#   --kmod DIR  a Kbuild module directory: built on the host against the
#               headers of the guest kernel, then insmod'ed in the guest after
#               kvm-intel and before CMD.
#   CMD...      like ssh: the words are joined with single spaces and run as
#               `/bin/sh -c "CMD"` in the guest, with /payload as the working
#               directory, stdin from /dev/null and stdout/stderr on the serial
#               console. So both `-- ./test --flag` and `-- './a && ./b'` work.
#
# environment:
#   BOCHS_PAYLOAD   host directory copied to /payload in the guest (optional).
#                   The shared libraries of every ELF file in it (ldd) are
#                   copied too, at the same absolute paths, with the loader.
#   BOCHS_ROOT      host directory copied to the guest's / (e.g. ROOT/usr/bin/perl
#                   becomes /usr/bin/perl), shared libraries resolved likewise
#   BOCHS_TIMEOUT   wall-clock limit of the Bochs run in seconds (default 900)
#   BOCHS_MEGS      guest RAM in MiB (default 512)
#   BOCHS_CPU       Bochs CPU model (default corei7_haswell_4770; icelake and
#                   tigerlake models hang the 6.1 kernel)
#   BOCHS_CPUS      number of emulated CPUs (default 1; 2 costs ~15 s more boot)
#   BOCHS_IPS       emulated instructions per emulated second (default 50000000)
#   BOCHS_KCMDLINE_EXTRA  appended to the guest kernel command line
#   SKIP_APT=1      do not run apt-get update/install (packages already there)
#
# The guest's serial output is copied to stdout while it runs (CR stripped);
# progress messages of this script go to stderr.
#
# exit status: the guest command's exit status (from the line
# `BOCHS: exit status N` on the serial console); 125 if that line is missing
# (boot failure, guest panic, hang, timeout) or the host-side setup failed;
# 2 for a usage error.
#
# Boot-time savings (measured on Bochs 2.7, ~18 s instead of ~31 s per run):
# the guest kernel runs with cryptomgr.notests=1, and the kvm modules are
# loaded with their signature trailer removed, so the guest kernel is
# tainted 'E' (unsigned module); nothing else about them is changed.
set -Eeuo pipefail

PROG=run-in-bochs
T0=$(date +%s)
log() { echo "[$PROG +$(( $(date +%s) - T0 ))s] $*" >&2; }
die() { log "error: $*"; exit 125; }
trap 'log "error: line $LINENO: command failed: $BASH_COMMAND"; exit 125' ERR

usage() {
	awk '/^# usage:/ { on = 1 } on && !/^#/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
	exit "${1:-2}"
}

# ---------------------------------------------------------------- arguments
KMOD_SRC=
WORK=
while [[ $# -gt 0 ]]; do
	case $1 in
	--kmod) [[ $# -ge 2 ]] || usage; KMOD_SRC=$2; shift 2 ;;
	--kmod=*) KMOD_SRC=${1#--kmod=}; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "$PROG: unknown option $1" >&2; usage ;;
	*) [[ -z $WORK ]] || usage; WORK=$1; shift ;;
	esac
done
[[ -n $WORK && $# -gt 0 ]] || usage
GUEST_CMD="$*"

BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-900}
BOCHS_MEGS=${BOCHS_MEGS:-512}
BOCHS_CPU=${BOCHS_CPU:-corei7_haswell_4770}
BOCHS_CPUS=${BOCHS_CPUS:-1}
BOCHS_IPS=${BOCHS_IPS:-50000000}
BOCHS_PAYLOAD=${BOCHS_PAYLOAD:-}
BOCHS_ROOT=${BOCHS_ROOT:-}
# oops/panic -> reboot by triple fault -> Bochs (reset_on_triple_fault=0) stops at once.
# cryptomgr.notests=1: the crypto self-tests cost ~18 s of emulated boot time.
KCMDLINE="console=ttyS0,115200 quiet rdinit=/init oops=panic panic=1 reboot=t cryptomgr.notests=1"
KCMDLINE+=${BOCHS_KCMDLINE_EXTRA:+ $BOCHS_KCMDLINE_EXTRA}

for v in BOCHS_TIMEOUT BOCHS_MEGS BOCHS_IPS BOCHS_CPUS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
done
[[ -z $KMOD_SRC || -d $KMOD_SRC ]] || die "--kmod: no such directory: $KMOD_SRC"
[[ -z $BOCHS_PAYLOAD || -d $BOCHS_PAYLOAD ]] || die "BOCHS_PAYLOAD is not a directory: $BOCHS_PAYLOAD"
[[ -z $BOCHS_ROOT || -d $BOCHS_ROOT ]] || die "BOCHS_ROOT is not a directory: $BOCHS_ROOT"
[[ -z $BOCHS_ROOT ]] || BOCHS_ROOT=$(cd "$BOCHS_ROOT" && pwd)
[[ -z $KMOD_SRC ]] || KMOD_SRC=$(cd "$KMOD_SRC" && pwd)
[[ -z $BOCHS_PAYLOAD ]] || BOCHS_PAYLOAD=$(cd "$BOCHS_PAYLOAD" && pwd)

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# one run at a time per WORKDIR (they share serial.out, boot.iso, the cache)
exec 9>"$WORK/.lock"
if ! flock -n 9; then
	log "waiting for another run using $WORK"
	flock 9
fi

# ---------------------------------------------------------------- packages
if [[ ${SKIP_APT:-0} != 1 ]]; then
	log "apt-get update/install"
	export DEBIAN_FRONTEND=noninteractive
	pkgs=(bochs bochsbios vgabios busybox-static cpio gzip grub-pc-bin
	      grub-common xorriso mtools linux-headers-cloud-amd64)
	[[ -z $KMOD_SRC ]] || pkgs+=(make gcc)
	apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >>"$WORK/apt.log" 2>&1 ||
		{ tail -n 30 "$WORK/apt.log" >&2; die "apt-get install failed"; }
fi
for tool in bochs busybox cpio gzip grub-mkrescue xorriso ldd flock timeout; do
	command -v "$tool" >/dev/null || die "missing tool '$tool' (run without SKIP_APT=1)"
done
BUSYBOX=$(command -v busybox)

# ---------------------------------------------------------------- kernel
# KVER: the ABI the linux-headers-cloud-amd64 metapackage points at, else the
# newest installed cloud headers.
KVER=$(dpkg-query -W -f='${Depends}' linux-headers-cloud-amd64 2>/dev/null |
	grep -oE 'linux-headers-[0-9][^ ,]*-cloud-amd64' | head -n1 | sed 's/^linux-headers-//') || true
if [[ -z $KVER || ! -d /usr/src/linux-headers-$KVER ]]; then
	KVER=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-cloud-amd64' -printf '%f\n' |
		sed 's/^linux-headers-//' | sort -V | tail -n1)
fi
[[ -n $KVER ]] || die "no linux-headers-*-cloud-amd64 installed"
KCACHE=$WORK/cache/$KVER
log "guest kernel $KVER"

# kernel modules needed for /dev/kvm, in load order (dependencies first),
# taken from the 'depends=' field of each module's .modinfo section
mod_find() { # NAME -> path of the module file under the extracted tree
	find "$1" -type f \( -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" -o -name "$2.ko.gz" \) -print -quit
}
mod_unpack() { # SRC DST: decompress on the host, busybox insmod may not handle it
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	esac
}
mod_strip_sig() { # FILE.ko: drop the appended signature, as the kernel
	# would see an unsigned build. Verifying the signatures of kvm and
	# kvm-intel costs ~8 s of emulated time per boot; unsigned modules still
	# load (no MODULE_SIG_FORCE), they only taint the kernel ('E').
	local f=$1 size siglen
	[[ $(tail -c 28 "$f" | tr -d '\0') == '~Module signature appended~' ]] || return 0
	size=$(stat -c %s "$f")
	# struct module_signature (12 bytes, sig_len big-endian at its end) precedes the marker
	siglen=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 }')
	(( siglen > 0 && siglen + 40 < size )) || die "bad module signature trailer in $f"
	truncate -s $(( size - 40 - siglen )) "$f"
}
mod_depends() { # FILE.ko -> its dependencies, one a line
	tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
}

if [[ ! -f $KCACHE/complete.v2 ]]; then
	rm -rf "$KCACHE" && mkdir -p "$KCACHE/modules" "$WORK/cache/debs"
	deb=$(find "$WORK/cache/debs" -maxdepth 1 -name "linux-image-${KVER}_*.deb" | sort -V | tail -n1)
	if [[ -z $deb ]]; then
		log "apt-get download linux-image-$KVER"
		# download only, never install: no initramfs/grub hooks on the host.
		# (as root apt warns that _apt cannot write here; harmless)
		(cd "$WORK/cache/debs" || exit 1
		 apt-get download -qq "linux-image-$KVER" 2>&1 | { grep -v 'unsandboxed as root' >&2 || true; })
		deb=$(find "$WORK/cache/debs" -maxdepth 1 -name "linux-image-${KVER}_*.deb" | sort -V | tail -n1)
		[[ -n $deb ]] || die "could not download linux-image-$KVER"
	fi
	log "extracting $(basename "$deb")"
	x=$WORK/cache/extract
	rm -rf "$x" && mkdir -p "$x"
	dpkg-deb -x "$deb" "$x"
	cp "$x/boot/vmlinuz-$KVER" "$KCACHE/vmlinuz"
	moddir=$x/lib/modules/$KVER/kernel
	[[ -d $moddir ]] || die "no modules directory in $deb"
	# resolve kvm-intel and its dependencies; load order = post-order
	order=()
	resolve() {
		local name=$1 src dep
		local base=${name//_/-}
		for dep in "${order[@]}"; do [[ $dep == "$base" ]] && return 0; done
		src=$(mod_find "$moddir" "$base")
		[[ -n $src ]] || src=$(mod_find "$moddir" "${name//-/_}")
		[[ -n $src ]] || die "module $name not found in $deb"
		mod_unpack "$src" "$KCACHE/modules/$base.ko"
		mod_strip_sig "$KCACHE/modules/$base.ko"
		while read -r dep; do
			resolve "$dep"
		done < <(mod_depends "$KCACHE/modules/$base.ko")
		order+=("$base")
	}
	resolve kvm-intel
	printf '%s\n' "${order[@]}" >"$KCACHE/modules.order"
	rm -rf "$x"
	touch "$KCACHE/complete.v2"
fi
log "guest modules: $(tr '\n' ' ' <"$KCACHE/modules.order")"

# ---------------------------------------------------------------- --kmod
KMOD_KOS=()
if [[ -n $KMOD_SRC ]]; then
	[[ -d /usr/src/linux-headers-$KVER ]] || die "headers for $KVER not installed"
	log "building $KMOD_SRC against linux-headers-$KVER"
	kb=$WORK/kmod-build
	rm -rf "$kb" && cp -a "$KMOD_SRC" "$kb"
	make -s -C "/usr/src/linux-headers-$KVER" M="$kb" modules >&2 || die "kmod build failed"
	mapfile -t KMOD_KOS < <(find "$kb" -name '*.ko' | sort)
	[[ ${#KMOD_KOS[@]} -gt 0 ]] || die "kmod build produced no .ko in $kb"
fi

# ---------------------------------------------------------------- initramfs
log "building initramfs"
R=$WORK/initrd
rm -rf "$R"
# merged-/usr layout like the host, so /lib/... and /usr/lib/... paths both work
mkdir -p "$R"/usr/{bin,sbin,lib,lib64} "$R"/{proc,sys,dev,tmp,run,root,etc,payload,rf/modules,rf/kmod}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
mknod "$R/dev/console" c 5 1 2>/dev/null || true	# stdio of /init until devtmpfs is up
cp "$BUSYBOX" "$R/usr/bin/busybox"
ln -s busybox "$R/usr/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"

while read -r m; do
	cp "$KCACHE/modules/$m.ko" "$R/rf/modules/"
	echo "$m" >>"$R/rf/modules.order"
done <"$KCACHE/modules.order"
for ko in "${KMOD_KOS[@]}"; do
	cp "$ko" "$R/rf/kmod/"
done
printf '%s\n' "$GUEST_CMD" >"$R/rf/cmd"

# the files whose shared libraries must come along: the payload's, and those
# of BOCHS_ROOT (copied to the guest's / at the same paths)
scan=()
if [[ -n $BOCHS_PAYLOAD ]]; then
	cp -a "$BOCHS_PAYLOAD/." "$R/payload/"
	scan+=("$R/payload")
fi
if [[ -n $BOCHS_ROOT ]]; then
	cp -a "$BOCHS_ROOT/." "$R/"
	while IFS= read -r -d '' f; do
		scan+=("$R/${f#"$BOCHS_ROOT"/}")
	done < <(find "$BOCHS_ROOT" -type f -print0)
fi
if [[ ${#scan[@]} -gt 0 ]]; then
	# shared libraries (and the loader) of every ELF file, at the same paths
	declare -A seen_lib=()
	libdirs=()
	while IFS= read -r -d '' f; do
		[[ $(head -c 4 "$f" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]] || continue
		while read -r lib; do
			# skip what is already in the initramfs (found via $ORIGIN)
			[[ -n $lib && $lib != "$R"/* && -z ${seen_lib[$lib]:-} ]] || continue
			seen_lib[$lib]=1
			[[ -e $R$lib ]] && continue
			mkdir -p "$R$(dirname "$lib")"
			cp -L "$lib" "$R$lib"
			libdirs+=("$(dirname "$lib")")
		done < <( (ldd "$f" 2>/dev/null || true) | awk -v f="${f#"$R"}" '
			/=> not found/ { print "run-in-bochs: warning: " f ": " $1 " not found" > "/dev/stderr"; next }
			$2 == "=>" && $3 ~ /^\// { print $3; next }
			$1 ~ /^\// { print $1 }')
	done < <(find "${scan[@]}" -type f -print0)
	if [[ ${#seen_lib[@]} -gt 0 ]]; then
		# an ld.so.cache covering every directory used, for libraries that
		# the host found through its own ld.so.conf
		printf '%s\n' "${libdirs[@]}" | sort -u >"$R/etc/ld.so.conf"
		ldconfig -r "$R" 2>/dev/null || log "warning: ldconfig -r failed; relying on default library paths"
		log "payload: $(find "${scan[@]}" -type f | wc -l) files, ${#seen_lib[@]} shared libraries"
	fi
fi

cat >"$R/init" <<'EOF'
#!/bin/busybox sh
# /init of the run-in-bochs guest (generated by tests/bochs/run-in-bochs.sh)
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root BOCHS_GUEST=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev || echo "BOCHS: devtmpfs mount failed"
exec </dev/null >/dev/console 2>&1
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# keep what the initramfs has under /tmp (e.g. payload libraries at /tmp/...)
if [ -n "$(ls -A /tmp)" ]; then
	mkdir /rf/tmp.save && cp -a /tmp/. /rf/tmp.save/
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	cp -a /rf/tmp.save/. /tmp/ && rm -rf /rf/tmp.save
else
	mount -t tmpfs -o mode=1777 tmpfs /tmp
fi
mount -t tmpfs -o mode=755 tmpfs /run
mount -t devpts devpts /dev/pts 2>/dev/null
echo "BOCHS: booted $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu(s), uptime $(cut -d' ' -f1 /proc/uptime)s"

for m in $(cat /rf/modules.order); do
	insmod "/rf/modules/$m.ko" || echo "BOCHS: insmod $m failed (rc=$?)"
done
if [ ! -c /dev/kvm ]; then
	mdev -s 2>/dev/null
fi
minor=$(sed -n 's/^ *\([0-9]*\) kvm$/\1/p' /proc/misc)
if [ ! -c /dev/kvm ] && [ -n "$minor" ]; then
	mknod /dev/kvm c 10 "$minor"
fi
if [ -c /dev/kvm ] && [ -n "$minor" ]; then
	chmod 666 /dev/kvm
	echo "BOCHS: kvm ready"
else
	echo "BOCHS: kvm missing"
	dmesg | grep -iE 'kvm|vmx' | tail -n 20
fi

for ko in /rf/kmod/*.ko; do
	[ -e "$ko" ] || continue
	if insmod "$ko"; then
		echo "BOCHS: kmod $(basename "$ko") loaded"
	else
		echo "BOCHS: kmod $(basename "$ko") insmod failed (rc=$?)"
		dmesg | tail -n 20
	fi
done

cd /payload
echo "BOCHS: running: $(cat /rf/cmd)"
/bin/sh -c "$(cat /rf/cmd)" </dev/null
st=$?
echo "BOCHS: exit status $st"
sync
# let the UART drain before the ACPI soft-off (which stops Bochs at once)
sleep 1
poweroff -f
EOF
chmod 755 "$R/init"
mkdir -p "$WORK/iso/boot/grub"
(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$WORK/iso/boot/initrd.gz")

# ---------------------------------------------------------------- boot ISO
cp "$KCACHE/vmlinuz" "$WORK/iso/boot/vmlinuz"
cat >"$WORK/iso/boot/grub/grub.cfg" <<EOF
set timeout=0
set default=0
menuentry "run-in-bochs" {
  linux /boot/vmlinuz $KCMDLINE
  initrd /boot/initrd.gz
}
EOF
grub-mkrescue -o "$WORK/boot.iso" "$WORK/iso" >"$WORK/grub-mkrescue.log" 2>&1 ||
	{ cat "$WORK/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }

# ---------------------------------------------------------------- Bochs
# Debian's Bochs has no 'nogui' display library: rfb with timeout=0 runs
# headless (listens on a free VNC port, waits for no client). Its built-in
# debugger stops at a prompt: the rc file continues and quits. With the
# default ALSA sound driver and no sound card, Bochs' mixer thread aborts
# ("buffer overflow detected") at start-up: use the dummy driver.
cat >"$WORK/bochsrc.txt" <<EOF
megs: $BOCHS_MEGS
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
display_library: rfb, options="timeout=0"
cpu: model=$BOCHS_CPU, count=$BOCHS_CPUS, ips=$BOCHS_IPS, reset_on_triple_fault=0
clock: sync=none, time0=local
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=serial.out
log: bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
speaker: enabled=0
sound: driver=dummy
EOF
printf 'c\nquit\n' >"$WORK/debugger.rc"
rm -f "$WORK/serial.out" "$WORK/bochs.log" "$WORK/bochs.stdout"

log "starting Bochs ($BOCHS_CPU x$BOCHS_CPUS, ${BOCHS_MEGS} MiB, timeout ${BOCHS_TIMEOUT}s)"
TB=$(date +%s)
(cd "$WORK" && exec timeout -k 10 "$BOCHS_TIMEOUT" bochs -q -f bochsrc.txt -rc debugger.rc \
	</dev/null >bochs.stdout 2>&1) &
BPID=$!
# live copy of the serial console; tail exits once Bochs has gone
tail -n +1 -F --pid="$BPID" "$WORK/serial.out" 2>/dev/null | sed -u 's/\r$//' &
TPID=$!
# (both in the background: a trap would wait for a foreground pipeline)
trap 'kill -TERM "$BPID" "$TPID" 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
brc=0
wait "$BPID" || brc=$?
wait "$TPID" || true
trap - EXIT INT TERM
TE=$(date +%s)
case $brc in
124|137) log "Bochs killed by timeout after $(( TE - TB ))s" ;;
*) log "Bochs exited (rc=$brc; 1 is the normal ACPI power-off) after $(( TE - TB ))s" ;;
esac

# ---------------------------------------------------------------- result
touch "$WORK/serial.out"
status=$(sed 's/\r$//' "$WORK/serial.out" |
	sed -n 's/.*BOCHS: exit status \([0-9]\{1,3\}\)$/\1/p' | tail -n1)
if [[ -n $status ]]; then
	log "guest command exit status $status (total $(( TE - T0 ))s, Bochs $(( TE - TB ))s)"
	exit "$status"
fi
log "FAIL: no 'BOCHS: exit status' line on the serial console"
log "tail of $WORK/serial.out:"
tail -n 40 "$WORK/serial.out" | sed 's/\r$//' >&2
log "Bochs panic/error lines ($WORK/bochs.log):"
# (APERF/MPERF reads are harmless noise)
grep -aE '>>PANIC<<|^[0-9]+e\[' "$WORK/bochs.log" 2>/dev/null |
	grep -v 'RDMSR: Unknown register 0xe[78]$' | tail -n 20 >&2 || true
exit 125
