// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only stand-in for tt-kmd, reproducing the behaviour tt_track relies on
 * (see shared/docs/tenstorrent-facts.md), for QEMU's emulated PCI devices:
 *  - PCI driver named "tenstorrent";
 *  - /proc/driver/tenstorrent created at init; init fails if it exists;
 *  - per device /proc/driver/tenstorrent/N/ with a 0444 `pids` file (one pid
 *    per open fd, in the reader's PID namespace);
 *  - char device "tenstorrent/N" (mode 0666), child of the PCI device, class
 *    "tenstorrent", N the lowest free ordinal;
 *  - device removal and module exit remove the whole proc directory;
 *  - its PCI `.shutdown` is its remove (poweroff removes N/ with no unbind);
 *  - a failure to create N/ is ignored (`skip_proc_dir=N` makes ordinal N's fail).
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#define MAX_DEVICES 32

struct standin_fd {
	struct list_head node;
	struct pid *pid;
};

struct standin_dev {
	struct kref ref;		/* probe + one per open fd */
	struct pci_dev *pdev;
	int ordinal;
	struct cdev cdev;
	struct device *chardev;
	struct proc_dir_entry *proc_dir;
	struct mutex lock;		/* protects fds */
	struct list_head fds;
};

static struct proc_dir_entry *proc_root_dir;
static struct class *standin_class;
static dev_t standin_devt;
static DEFINE_IDA(ordinals);

static int skip_proc_dir = -1;
module_param(skip_proc_dir, int, 0444);
MODULE_PARM_DESC(skip_proc_dir, "Ordinal whose /proc directory is not created (as if creating it failed)");

static void standin_dev_free(struct kref *ref)
{
	kfree(container_of(ref, struct standin_dev, ref));
}

static int standin_open(struct inode *inode, struct file *file)
{
	struct standin_dev *sd = container_of(inode->i_cdev, struct standin_dev, cdev);
	struct standin_fd *fd = kzalloc(sizeof(*fd), GFP_KERNEL);

	if (!fd)
		return -ENOMEM;
	fd->pid = get_task_pid(current, PIDTYPE_TGID);
	kref_get(&sd->ref);
	mutex_lock(&sd->lock);
	list_add_tail(&fd->node, &sd->fds);
	mutex_unlock(&sd->lock);
	file->private_data = fd;
	return 0;
}

static int standin_release(struct inode *inode, struct file *file)
{
	struct standin_dev *sd = container_of(inode->i_cdev, struct standin_dev, cdev);
	struct standin_fd *fd = file->private_data;

	mutex_lock(&sd->lock);
	list_del(&fd->node);
	mutex_unlock(&sd->lock);
	put_pid(fd->pid);
	kfree(fd);
	kref_put(&sd->ref, standin_dev_free);
	return 0;
}

static long standin_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -EINVAL;	/* tt-kmd answers unknown commands with EINVAL */
}

static const struct file_operations standin_fops = {
	.owner = THIS_MODULE,
	.open = standin_open,
	.release = standin_release,
	.unlocked_ioctl = standin_ioctl,
};

static int pids_show(struct seq_file *m, void *v)
{
	struct standin_dev *sd = m->private;
	struct standin_fd *fd;

	mutex_lock(&sd->lock);
	list_for_each_entry(fd, &sd->fds, node) {
		pid_t nr = pid_nr_ns(fd->pid, task_active_pid_ns(current));

		if (nr)
			seq_printf(m, "%d\n", nr);
	}
	mutex_unlock(&sd->lock);
	return 0;
}

static char *standin_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0666;
	return NULL;
}

static int standin_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct standin_dev *sd;
	char name[16];
	int ret;

	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	kref_init(&sd->ref);
	sd->pdev = pdev;
	mutex_init(&sd->lock);
	INIT_LIST_HEAD(&sd->fds);
	ret = ida_alloc_max(&ordinals, MAX_DEVICES - 1, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	sd->ordinal = ret;

	snprintf(name, sizeof(name), "%d", sd->ordinal);
	/* As tt-kmd: a device without its proc directory still works. */
	if (sd->ordinal != skip_proc_dir) {
		sd->proc_dir = proc_mkdir(name, proc_root_dir);
		if (sd->proc_dir)
			proc_create_single_data("pids", 0444, sd->proc_dir, pids_show, sd);
	}

	cdev_init(&sd->cdev, &standin_fops);
	sd->cdev.owner = THIS_MODULE;
	ret = cdev_add(&sd->cdev, MKDEV(MAJOR(standin_devt), sd->ordinal), 1);
	if (ret)
		goto err_proc;
	sd->chardev = device_create(standin_class, &pdev->dev, sd->cdev.dev, sd,
				    "tenstorrent/%d", sd->ordinal);
	if (IS_ERR(sd->chardev)) {
		ret = PTR_ERR(sd->chardev);
		goto err_cdev;
	}
	pci_set_drvdata(pdev, sd);
	return 0;

err_cdev:
	cdev_del(&sd->cdev);
err_proc:
	proc_remove(sd->proc_dir);
	ida_free(&ordinals, sd->ordinal);
err_free:
	kfree(sd);
	return ret;
}

static void standin_remove(struct pci_dev *pdev)
{
	struct standin_dev *sd = pci_get_drvdata(pdev);

	device_destroy(standin_class, sd->cdev.dev);
	cdev_del(&sd->cdev);
	proc_remove(sd->proc_dir);	/* the whole directory, children included */
	ida_free(&ordinals, sd->ordinal);
	kref_put(&sd->ref, standin_dev_free);	/* open fds keep it alive */
}

static const struct pci_device_id standin_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },	/* QEMU edu: a stand-in card */
	{ PCI_DEVICE(0x1e52, 0x401e) },	/* Wormhole */
	{ PCI_DEVICE(0x1e52, 0xb140) },	/* Blackhole */
	{ }
};
MODULE_DEVICE_TABLE(pci, standin_ids);

static struct pci_driver standin_driver = {
	.name = "tenstorrent",
	.id_table = standin_ids,
	.probe = standin_probe,
	.remove = standin_remove,
	.shutdown = standin_remove,	/* as tt-kmd */
};

static int __init standin_init(void)
{
	int ret;

	proc_root_dir = proc_mkdir("driver/tenstorrent", NULL);
	if (!proc_root_dir)
		return -EEXIST;	/* as tt-kmd: cannot load if the directory exists */
	ret = alloc_chrdev_region(&standin_devt, 0, MAX_DEVICES, "tenstorrent");
	if (ret)
		goto err_proc;
	standin_class = class_create("tenstorrent");
	if (IS_ERR(standin_class)) {
		ret = PTR_ERR(standin_class);
		goto err_region;
	}
	standin_class->devnode = standin_devnode;
	ret = pci_register_driver(&standin_driver);
	if (ret)
		goto err_class;
	return 0;

err_class:
	class_destroy(standin_class);
err_region:
	unregister_chrdev_region(standin_devt, MAX_DEVICES);
err_proc:
	proc_remove(proc_root_dir);
	return ret;
}

static void __exit standin_exit(void)
{
	pci_unregister_driver(&standin_driver);
	class_destroy(standin_class);
	unregister_chrdev_region(standin_devt, MAX_DEVICES);
	proc_remove(proc_root_dir);
}

module_init(standin_init);
module_exit(standin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test stand-in for tt-kmd");
