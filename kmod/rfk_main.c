// SPDX-License-Identifier: GPL-2.0 OR MIT
/* kmod/rfk_main.c: /dev/ringfence, its VM and vCPU file descriptors, and their ioctls.
 *
 * All state hangs off file descriptors (per-fd state only): a VM fd owns
 * its windows and EPT, a vCPU fd its VMCS and run page and holds a
 * reference on its VM. Nothing is global but the device and the per-CPU
 * VMX state of rfk_vmx.c. No kernel address reaches user space.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "rfk.h"

static_assert(sizeof(struct kvm_run) <= RFK_RUN_SIZE);
static_assert(RFK_RUN_SIZE == PAGE_SIZE);
static_assert(sizeof(struct rfk_gprs) == 15 * 8);

/* ---- VM ---------------------------------------------------------------------- */

static void vm_free(struct kref *ref)
{
	struct rfk_vm *vm = container_of(ref, struct rfk_vm, ref);

	rfk_mmu_destroy(vm);
	kfree(vm);
	rfk_vmx_put();
}

static void vm_put(struct rfk_vm *vm)
{
	kref_put(&vm->ref, vm_free);
}

/* ---- vCPU -------------------------------------------------------------------- */

static int vcpu_release(struct inode *inode, struct file *f)
{
	struct rfk_vcpu *v = f->private_data;
	struct rfk_vm *vm = v->vm;

	rfk_vcpu_destroy(v);
	mutex_lock(&vm->lock);
	clear_bit(v->id, vm->vcpu_ids);
	vm->nvcpus--;
	mutex_unlock(&vm->lock);
	kfree(v);
	vm_put(vm);
	return 0;
}

static int vcpu_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct rfk_vcpu *v = f->private_data;

	/* defends against mapping anything but the one run page (other
	 * offsets or sizes would expose kernel memory next to it) */
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != RFK_RUN_SIZE)
		return -EINVAL;
	/* shared with a fork (the crash-report child reads it), as KVM's */
	vma->vm_flags |= VM_DONTEXPAND;
	return vm_insert_page(vma, vma->vm_start, virt_to_page(v->run));
}

static int regs_get(struct rfk_vcpu *v, void __user *arg)
{
	struct rfk_regs r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.rax = v->gprs.rax;
	r.rbx = v->gprs.rbx;
	r.rcx = v->gprs.rcx;
	r.rdx = v->gprs.rdx;
	r.rsi = v->gprs.rsi;
	r.rdi = v->gprs.rdi;
	r.rsp = v->rsp;
	r.rbp = v->gprs.rbp;
	r.r8 = v->gprs.r8;
	r.r9 = v->gprs.r9;
	r.r10 = v->gprs.r10;
	r.r11 = v->gprs.r11;
	r.r12 = v->gprs.r12;
	r.r13 = v->gprs.r13;
	r.r14 = v->gprs.r14;
	r.r15 = v->gprs.r15;
	r.rip = v->rip;
	r.rflags = v->rflags;
	return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
}

static int regs_set(struct rfk_vcpu *v, const void __user *arg)
{
	struct rfk_regs r;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	/* defends against a struct from another ABI revision */
	if (r.size != sizeof(r) || r.flags || r.reserved[0] || r.reserved[1])
		return -EINVAL;
	v->gprs.rax = r.rax;
	v->gprs.rbx = r.rbx;
	v->gprs.rcx = r.rcx;
	v->gprs.rdx = r.rdx;
	v->gprs.rsi = r.rsi;
	v->gprs.rdi = r.rdi;
	v->rsp = r.rsp;
	v->gprs.rbp = r.rbp;
	v->gprs.r8 = r.r8;
	v->gprs.r9 = r.r9;
	v->gprs.r10 = r.r10;
	v->gprs.r11 = r.r11;
	v->gprs.r12 = r.r12;
	v->gprs.r13 = r.r13;
	v->gprs.r14 = r.r14;
	v->gprs.r15 = r.r15;
	v->rip = r.rip;
	v->rflags = r.rflags; /* reserved flag bits are masked at entry */
	return 0;
}

static int xsave_set(struct rfk_vcpu *v, const void __user *arg)
{
	struct rfk_xsave *x = kmalloc(sizeof(*x), GFP_KERNEL);
	int rc = -ENOMEM;

	if (!x)
		goto out;
	rc = -EFAULT;
	if (copy_from_user(x, arg, sizeof(*x)))
		goto out;
	rc = -EINVAL;
	/* defends against a struct from another ABI revision */
	if (x->size != sizeof(*x) || x->flags || x->reserved[0] || x->reserved[1])
		goto out;
	rc = rfk_xsave_check(v, (const u8 *)x->region, v->xcr0);
	if (rc)
		goto out;
	memcpy(v->xsave, x->region, sizeof(x->region));
out:
	kfree(x);
	return rc;
}

static int xsave_get(struct rfk_vcpu *v, void __user *arg)
{
	struct rfk_xsave __user *u = arg;
	u64 hdr[4] = { sizeof(struct rfk_xsave), 0, 0, 0 };

	if (copy_to_user(u, hdr, sizeof(hdr)) || copy_to_user(u->region, v->xsave, sizeof(u->region)))
		return -EFAULT;
	return 0;
}

static long vcpu_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct rfk_vcpu *v = f->private_data;
	void __user *uarg = (void __user *)arg;
	struct rfk_sregs s;
	long rc;

	/* defends against another process (one that inherited or received
	 * the fd) running the VM: its windows are the creator's addresses */
	if (current->mm != v->vm->mm)
		return -EIO;
	if (mutex_lock_killable(&v->lock))
		return -EINTR;
	switch (cmd) {
	case RFK_RUN:
		rc = arg ? -EINVAL : rfk_vcpu_run(v);
		break;
	case RFK_GET_REGS:
		rc = regs_get(v, uarg);
		break;
	case RFK_SET_REGS:
		rc = regs_set(v, uarg);
		break;
	case RFK_GET_SREGS:
		rc = rfk_vcpu_get_sregs(v, &s);
		if (!rc && copy_to_user(uarg, &s, sizeof(s)))
			rc = -EFAULT;
		break;
	case RFK_SET_SREGS:
		rc = copy_from_user(&s, uarg, sizeof(s)) ? -EFAULT : rfk_vcpu_set_sregs(v, &s);
		break;
	case RFK_GET_XSAVE:
		rc = xsave_get(v, uarg);
		break;
	case RFK_SET_XSAVE:
		rc = xsave_set(v, uarg);
		break;
	default:
		rc = -ENOTTY;
	}
	mutex_unlock(&v->lock);
	return rc;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vcpu_release,
	.unlocked_ioctl = vcpu_ioctl,
	.mmap = vcpu_mmap,
	.llseek = noop_llseek,
};

static int vcpu_create(struct rfk_vm *vm, unsigned long id)
{
	struct rfk_vcpu *v;
	int rc = -EINVAL;

	/* defends against ids that would mean something in a later revision */
	if (id >= RFK_MAX_VCPUS)
		return rc;
	mutex_lock(&vm->lock);
	rc = -ENOSPC;
	/* defends against unbounded kernel memory per VM */
	if (vm->nvcpus >= RFK_MAX_VCPUS)
		goto unlock;
	rc = -EEXIST;
	/* defends against two vCPUs under one id (as KVM: an id names one
	 * vCPU for the VM's life, until its fd is closed) */
	if (test_bit(id, vm->vcpu_ids))
		goto unlock;
	rc = -ENOMEM;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		goto unlock;
	mutex_init(&v->lock);
	v->vm = vm;
	v->id = id;
	rc = rfk_vcpu_init(v);
	if (rc)
		goto free;
	kref_get(&vm->ref);
	rc = anon_inode_getfd("ringfence-vcpu", &vcpu_fops, v, O_RDWR | O_CLOEXEC);
	if (rc < 0) {
		kref_put(&vm->ref, vm_free); /* not the last reference: the VM fd holds one */
		goto free;
	}
	vm->nvcpus++;
	set_bit(id, vm->vcpu_ids);
	goto unlock;
free:
	rfk_vcpu_destroy(v);
	kfree(v);
unlock:
	mutex_unlock(&vm->lock);
	return rc;
}

static int vm_release(struct inode *inode, struct file *f)
{
	vm_put(f->private_data);
	return 0;
}

static long vm_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct rfk_vm *vm = f->private_data;
	struct rfk_memory_window w;

	/* defends against another process driving the VM (see vcpu_ioctl) */
	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case RFK_SET_MEMORY_WINDOW:
		if (copy_from_user(&w, (void __user *)arg, sizeof(w)))
			return -EFAULT;
		return rfk_mmu_set_window(vm, &w);
	case RFK_CREATE_VCPU:
		return vcpu_create(vm, arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.release = vm_release,
	.unlocked_ioctl = vm_ioctl,
	.llseek = noop_llseek,
};

static int vm_create(unsigned long flags)
{
	struct rfk_vm *vm;
	int rc;

	/* defends against flags that would mean something in a later revision */
	if (flags)
		return -EINVAL;
	rc = rfk_vmx_get();
	if (rc)
		return rc;
	rc = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto put;
	mutex_init(&vm->lock);
	kref_init(&vm->ref);
	rc = rfk_mmu_init(vm);
	if (rc)
		goto free;
	rc = anon_inode_getfd("ringfence-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (rc >= 0)
		return rc;
free:
	rfk_mmu_destroy(vm);
	kfree(vm);
put:
	rfk_vmx_put();
	return rc;
}

/* ---- /dev/ringfence --------------------------------------------------------- */

static long dev_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case RFK_GET_API_VERSION:
		return arg ? -EINVAL : RFK_API_VERSION;
	case RFK_CHECK_EXTENSION:
		switch (arg) {
		case RFK_CAP_RUN_SIZE:
			return RFK_RUN_SIZE;
		case RFK_CAP_NR_WINDOWS:
			return RFK_MAX_WINDOWS;
		case RFK_CAP_GPA_BITS:
			return min(48u, rfk_gpa_bits());
		case RFK_CAP_MAX_VCPUS:
			return RFK_MAX_VCPUS;
		case RFK_CAP_SYNC_REGS:
			return KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
		case RFK_CAP_RING0:
			return 1;
		default:
			return 0;
		}
	case RFK_CREATE_VM:
		return vm_create(arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dev_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice rfk_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ringfence",
	.fops = &dev_fops,
	.mode = 0666,
};

static int __init rfk_init(void)
{
	int rc = rfk_vmx_check();

	if (rc)
		return rc;
	rc = misc_register(&rfk_dev);
	if (!rc)
		pr_info("ringfence: /dev/ringfence ready (API %d)\n", RFK_API_VERSION);
	return rc;
}

static void __exit rfk_exit(void)
{
	misc_deregister(&rfk_dev);
}

module_init(rfk_init);
module_exit(rfk_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("Ringfence: VT-x non-root mode for ordinary processes (/dev/ringfence)");
