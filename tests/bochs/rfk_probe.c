/* SPDX-License-Identifier: MIT */
/* tests/bochs/rfk_probe.c: checks /dev/ringfence's control ioctls and the refusals of bad arguments.
 * Prints one line per check; exit status: number of failed checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uapi/ringfence.h>

static int failed;

static void check(int ok, const char *what, long got)
{
	printf("rfk_probe: %-55s %s (%ld)\n", what, ok ? "ok" : "FAILED", got);
	failed += !ok;
}

int main(void)
{
	int dev = open("/dev/ringfence", O_RDWR | O_CLOEXEC), vm, vcpu;
	struct rfk_memory_window w;
	struct rfk_sregs s;
	long n;
	void *run;

	check(dev >= 0, "open /dev/ringfence", dev < 0 ? -errno : dev);
	if (dev < 0)
		return 1;
	n = ioctl(dev, RFK_GET_API_VERSION, 0);
	check(n == RFK_API_VERSION, "RFK_GET_API_VERSION", n);
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_RUN_SIZE);
	check(n == RFK_RUN_SIZE, "RFK_CHECK_EXTENSION(RUN_SIZE)", n);
	n = ioctl(dev, RFK_CHECK_EXTENSION, RFK_CAP_GPA_BITS);
	check(n >= 36 && n <= 48, "RFK_CHECK_EXTENSION(GPA_BITS)", n);
	n = ioctl(dev, RFK_CHECK_EXTENSION, 9999);
	check(n == 0, "RFK_CHECK_EXTENSION(unknown) is 0", n);
	n = ioctl(dev, RFK_CREATE_VM, 1);
	check(n < 0 && errno == EINVAL, "RFK_CREATE_VM with flags: EINVAL", n < 0 ? -errno : n);
	vm = ioctl(dev, RFK_CREATE_VM, 0);
	check(vm >= 0, "RFK_CREATE_VM", vm < 0 ? -errno : vm);
	if (vm < 0)
		return failed;
	memset(&w, 0, sizeof w);
	w.size = sizeof w;
	w.slot = 0;
	w.gpa = 0x100000000ull;
	w.hva = 0x10000;
	w.len = 0x1000;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n == 0, "RFK_SET_MEMORY_WINDOW", n < 0 ? -errno : n);
	w.slot = 1;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EEXIST, "overlapping window: EEXIST", n < 0 ? -errno : n);
	w.slot = 1;
	w.gpa = 0x200000000ull;
	w.hva = 0xffff880000000000ull;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EINVAL, "window onto kernel addresses: EINVAL", n < 0 ? -errno : n);
	w.hva = 0x10001;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EINVAL, "unaligned window: EINVAL", n < 0 ? -errno : n);
	w.hva = 0x10000;
	w.slot = 1u << 20;
	n = ioctl(vm, RFK_SET_MEMORY_WINDOW, &w);
	check(n < 0 && errno == EINVAL, "slot out of range: EINVAL", n < 0 ? -errno : n);
	vcpu = ioctl(vm, RFK_CREATE_VCPU, 0);
	check(vcpu >= 0, "RFK_CREATE_VCPU", vcpu < 0 ? -errno : vcpu);
	if (vcpu < 0)
		return failed;
	run = mmap(NULL, RFK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	check(run != MAP_FAILED, "mmap of the run area", run == MAP_FAILED ? -errno : 0);
	n = (long)mmap(NULL, 2 * RFK_RUN_SIZE, PROT_READ, MAP_SHARED, vcpu, 0);
	check(n == -1 && errno == EINVAL, "mmap of two pages: EINVAL", n == -1 ? -errno : 0);
	memset(&s, 0, sizeof s);
	n = ioctl(vcpu, RFK_GET_SREGS, &s);
	check(n == 0 && s.size == sizeof s, "RFK_GET_SREGS", n < 0 ? -errno : n);
	s.cr4 = 0; /* no PAE */
	n = ioctl(vcpu, RFK_SET_SREGS, &s);
	check(n < 0 && errno == EINVAL, "RFK_SET_SREGS without CR4.PAE: EINVAL", n < 0 ? -errno : n);
	n = ioctl(vcpu, RFK_RUN, 0);
	check(n == 0 && ((struct { unsigned char pad[8]; unsigned int reason; } *)run)->reason == 9,
	      "RFK_RUN of an unset vCPU: KVM_EXIT_FAIL_ENTRY", n < 0 ? -errno : n);
	close(vcpu);
	close(vm);
	close(dev);
	printf("rfk_probe: %d failed\n", failed);
	return failed;
}
