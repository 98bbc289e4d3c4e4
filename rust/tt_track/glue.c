// SPDX-License-Identifier: GPL-2.0
/* See glue.h: static-inline helpers and module parameters for the Rust code. */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/namei.h>
#include <linux/fs_struct.h>
#include <linux/magic.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>

#include "glue.h"

/* Shown in /sys/module/tt_track/version (tt-smi prints it). */
MODULE_VERSION("0.1.0");

/* Not static: the Rust code reads it on every allocation, without a call. */
unsigned long tt_max_buffers_per_file = 1048576;
module_param_named(max_buffers_per_file, tt_max_buffers_per_file, ulong, 0644);
MODULE_PARM_DESC(max_buffers_per_file, "Live buffers one open file may hold (ENOSPC beyond)");

static unsigned long dram_capacity;
module_param(dram_capacity, ulong, 0444);
MODULE_PARM_DESC(dram_capacity, "DRAM bytes per chip for every device; 0 = nominal value by PCI id");

static unsigned long l1_capacity;
module_param(l1_capacity, ulong, 0444);
MODULE_PARM_DESC(l1_capacity, "L1 bytes per chip for every device; 0 = nominal value by PCI id");

const char *tt_glue_driver_name(struct device *dev)
{
	return dev->driver ? dev->driver->name : NULL;
}

const char *tt_glue_dev_name(struct device *dev)
{
	return dev_name(dev);
}

void tt_glue_device_lock(struct device *dev)
{
	device_lock(dev);
}

void tt_glue_device_unlock(struct device *dev)
{
	device_unlock(dev);
}

bool tt_glue_pci_ids(struct device *dev, u16 *vendor, u16 *device)
{
	struct pci_dev *pdev;

	if (!dev_is_pci(dev))
		return false;
	pdev = to_pci_dev(dev);
	*vendor = pdev->vendor;
	*device = pdev->device;
	return true;
}

struct pid *tt_glue_current_tgid(void)
{
	return get_task_pid(current, PIDTYPE_TGID);
}

void tt_glue_current_comm(char *buf)
{
	strscpy_pad(buf, current->comm, TASK_COMM_LEN);
}

int tt_glue_pid_in_current_ns(struct pid *pid)
{
	return pid_nr_ns(pid, task_active_pid_ns(current));
}

long tt_glue_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
#ifdef CONFIG_COMPAT
	return compat_ptr_ioctl(file, cmd, arg);
#else
	return -ENOTTY;
#endif
}

void *tt_glue_pde_data(const struct inode *inode)
{
	return pde_data(inode);
}

void tt_glue_cond_resched(void)
{
	cond_resched();
}

int tt_glue_read_words(u64 *kernel, const void __user *user, size_t words)
{
	const u64 __user *src = user;
	size_t i;

	if (!user_access_begin(src, words * sizeof(u64)))
		return -EFAULT;
	for (i = 0; i < words; i++)
		unsafe_get_user(kernel[i], &src[i], fault);
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

int tt_glue_write_field32(void __user *user, const void *kernel, size_t stride, size_t n)
{
	size_t i;

	if (!user_access_begin(user, n ? (n - 1) * stride + sizeof(u32) : 0))
		return -EFAULT;
	for (i = 0; i < n; i++)
		unsafe_put_user(*(const u32 *)(kernel + i * stride), (u32 __user *)(user + i * stride), fault);
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

int tt_glue_probe_write(void __user *user, const u8 *kernel, size_t len)
{
	unsigned long start = (unsigned long)user;
	size_t at = 0;

	if (!user_access_begin(user, len))
		return -EFAULT;
	while (at < len) {
		unsafe_put_user(kernel[at], (u8 __user *)(start + at), fault);
		/* The start of the next page, as an offset from @user. */
		at = PAGE_ALIGN(start + at + 1) - start;
	}
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

unsigned long tt_glue_dram_capacity(void)
{
	return dram_capacity;
}

unsigned long tt_glue_l1_capacity(void)
{
	return l1_capacity;
}

int tt_glue_pid_global_nr(struct pid *pid)
{
	return pid_nr(pid);
}

bool tt_glue_pid_alive(struct pid *pid)
{
	return pid_has_task(pid, PIDTYPE_TGID);
}

/* 1 if @name is a directory under @root's /proc, 0 if not, -1 if @root has no procfs at /proc. */
static int proc_dir_under(const struct path *root, const char *name)
{
	struct path proc, dir;
	int ret = -1;

	if (vfs_path_lookup(root->dentry, root->mnt, "proc", LOOKUP_DIRECTORY, &proc) == 0) {
		if (proc.dentry->d_sb->s_magic == PROC_SUPER_MAGIC) {
			ret = vfs_path_lookup(root->dentry, root->mnt, name, LOOKUP_DIRECTORY, &dir) == 0;
			if (ret)
				path_put(&dir);
		}
		path_put(&proc);
	}
	return ret;
}

int tt_glue_seq_buffer(struct seq_file *m, size_t size)
{
	/* As seq_file allocates its own (it frees ours with kvfree). */
	void *buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);

	if (!buf)
		return -ENOMEM;
	m->buf = buf;
	m->size = size;
	return 0;
}

int tt_glue_proc_dir_exists(const char *rel)
{
	struct path root;
	char name[64];
	int ret = -1;

	if (snprintf(name, sizeof(name), "proc/%s", rel) >= sizeof(name))
		return 1;
	/* The root of the task binding the device, else of the initial task. */
	if (current->fs) {
		get_fs_root(current->fs, &root);
		ret = proc_dir_under(&root, name);
		path_put(&root);
	}
	if (ret < 0) {
		get_fs_root(init_task.fs, &root);
		ret = proc_dir_under(&root, name);
		path_put(&root);
	}
	return ret != 0;	/* unknown counts as existing */
}
