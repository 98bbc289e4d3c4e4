// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: makes QEMU PCI functions read as Tenstorrent cards, so that the
 * real tt-kmd binds them in the test VM (see shared/docs/real-ttkmd-facts.md).
 *
 *   insmod ttcard.ko wormhole=0000:00:05.0,0000:00:06.0 blackhole=0000:00:07.0
 *
 * A Wormhole is QEMU's NVMe controller with a 32 MiB persistent memory region
 * (BAR4), which is enabled here; a Blackhole is QEMU's secondary-vga (512 MiB
 * BAR0). The config-space accessors of their buses are wrapped so that the
 * functions read Tenstorrent's vendor and device ids and the class
 * "processing accelerator"; writes pass through. The functions are then
 * removed and rescanned, so the PCI core enumerates them afresh with those ids.
 *
 * `retype=ADDR` (sysfs parameter, written at run time) turns a faked Wormhole
 * into a Blackhole or back, removing and rescanning it: a different card at
 * an old address, for tests.
 *
 * The module cannot be unloaded: the wrapped accessors must outlive every
 * config access.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define TT_VENDOR 0x1e52
#define WORMHOLE 0x401e
#define BLACKHOLE 0xb140
#define CLASS_ACCELERATOR 0x120000	/* class 0x12, subclass 0, prog-if 0 */
#define NVME_PMRCTL 0xe04		/* NVMe register: persistent memory region control */
#define MAX_FAKED 40		/* a 6U Galaxy's 32 cards and more */

struct faked {
	int domain;
	unsigned int bus, devfn;
	u16 device;
};

/* A bus whose config accessors are wrapped, and the accessors it had. */
struct wrapped {
	struct pci_bus *bus;
	struct pci_ops *real;
	struct pci_ops ops;
};

static struct faked faked[MAX_FAKED];
static int nfaked;
static DEFINE_SPINLOCK(faked_lock);
static struct wrapped wrapped[MAX_FAKED];
static int nwrapped;

static char *wormhole;
module_param(wormhole, charp, 0444);
MODULE_PARM_DESC(wormhole, "Comma-separated PCI addresses of NVMe functions to show as Wormhole cards");
static char *blackhole;
module_param(blackhole, charp, 0444);
MODULE_PARM_DESC(blackhole, "Comma-separated PCI addresses of secondary-vga functions to show as Blackhole cards");

static struct faked *find_faked(struct pci_bus *bus, unsigned int devfn)
{
	for (int i = 0; i < nfaked; i++)
		if (faked[i].domain == pci_domain_nr(bus) && faked[i].bus == bus->number && faked[i].devfn == devfn)
			return &faked[i];
	return NULL;
}

/* Entries are only added (before their bus is switched over), never changed. */
static struct pci_ops *real_ops_of(struct pci_bus *bus)
{
	for (int i = 0; i < READ_ONCE(nwrapped); i++)
		if (wrapped[i].bus == bus)
			return wrapped[i].real;
	return NULL;
}

static int faked_read(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 *val)
{
	struct pci_ops *real_ops = real_ops_of(bus);
	int aligned = where & ~3, ret;
	unsigned long flags;
	struct faked *f;
	u32 dword;

	spin_lock_irqsave(&faked_lock, flags);
	f = find_faked(bus, devfn);
	if (!f || (aligned != PCI_VENDOR_ID && aligned != PCI_CLASS_REVISION)) {
		spin_unlock_irqrestore(&faked_lock, flags);
		return real_ops->read(bus, devfn, where, size, val);
	}
	ret = real_ops->read(bus, devfn, aligned, 4, &dword);
	if (aligned == PCI_VENDOR_ID)
		dword = TT_VENDOR | (u32)f->device << 16;
	else
		dword = (dword & 0xff) | CLASS_ACCELERATOR << 8;
	spin_unlock_irqrestore(&faked_lock, flags);
	dword >>= 8 * (where & 3);
	*val = size == 4 ? dword : dword & ((1u << (8 * size)) - 1);
	return ret;
}

static int faked_write(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 val)
{
	return real_ops_of(bus)->write(bus, devfn, where, size, val);
}

/* Wraps the accessors of `bus` (once per bus). Called at module init only. */
static int wrap(struct pci_bus *bus)
{
	struct wrapped *w;

	if (real_ops_of(bus))
		return 0;
	if (nwrapped == MAX_FAKED)
		return -ENOSPC;
	w = &wrapped[nwrapped];
	w->bus = bus;
	w->real = bus->ops;
	w->ops = *bus->ops;
	w->ops.read = faked_read;
	w->ops.write = faked_write;
	smp_store_release(&nwrapped, nwrapped + 1);
	pci_bus_set_ops(bus, &w->ops);
	return 0;
}

/* NVMe keeps its persistent memory region (BAR4) dark until PMRCTL enables it. */
static int enable_pmr(struct pci_dev *pdev)
{
	void __iomem *regs;
	int ret = pci_enable_device_mem(pdev);

	if (ret)
		return ret;
	regs = pci_iomap(pdev, 0, 0);
	if (!regs) {
		pci_disable_device(pdev);
		return -ENOMEM;
	}
	iowrite32(1, regs + NVME_PMRCTL);
	pci_iounmap(pdev, regs);
	pci_disable_device(pdev);
	return 0;
}

/* Removes the function and rescans its bus: enumerated afresh, with the faked ids. */
static void reenumerate(struct pci_dev *pdev)
{
	struct pci_bus *bus = pdev->bus;

	pci_stop_and_remove_bus_device(pdev);
	pci_rescan_bus(bus);
}

static int fake(const char *addr, u16 device)
{
	unsigned int domain, busnr, slot, fn;
	struct pci_dev *pdev;
	unsigned long flags;
	int ret = 0;

	if (sscanf(addr, "%x:%x:%x.%x", &domain, &busnr, &slot, &fn) != 4 || nfaked == MAX_FAKED)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(domain, busnr, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	if (device == WORMHOLE && (ret = enable_pmr(pdev)))
		goto out;
	if ((ret = wrap(pdev->bus)))
		goto out;
	spin_lock_irqsave(&faked_lock, flags);
	faked[nfaked++] = (struct faked){ domain, busnr, PCI_DEVFN(slot, fn), device };
	spin_unlock_irqrestore(&faked_lock, flags);
	pci_lock_rescan_remove();
	reenumerate(pdev);
	pci_unlock_rescan_remove();
out:
	pci_dev_put(pdev);
	return ret;
}

static int fake_list(char *list, u16 device)
{
	char *addr;
	int ret;

	while (list && (addr = strsep(&list, ",")))
		if (*addr && (ret = fake(addr, device)))
			return pr_err("ttcard: %s: error %d\n", addr, ret), ret;
	return 0;
}

/* `retype=ADDR`: swap a faked card's model and enumerate it again. */
static int retype_set(const char *val, const struct kernel_param *kp)
{
	unsigned int domain, busnr, slot, fn;
	struct pci_dev *pdev;
	unsigned long flags;
	struct faked *f;

	if (sscanf(val, "%x:%x:%x.%x", &domain, &busnr, &slot, &fn) != 4)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(domain, busnr, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	spin_lock_irqsave(&faked_lock, flags);
	f = find_faked(pdev->bus, pdev->devfn);
	if (f)
		f->device = f->device == WORMHOLE ? BLACKHOLE : WORMHOLE;
	spin_unlock_irqrestore(&faked_lock, flags);
	if (f) {
		pci_lock_rescan_remove();
		reenumerate(pdev);
		pci_unlock_rescan_remove();
	}
	pci_dev_put(pdev);
	return f ? 0 : -ENOENT;
}

static const struct kernel_param_ops retype_ops = { .set = retype_set };
module_param_cb(retype, &retype_ops, NULL, 0200);
MODULE_PARM_DESC(retype, "PCI address of a faked card to turn into the other model (write only)");

static int __init ttcard_init(void)
{
	int ret = fake_list(wormhole, WORMHOLE);

	return ret ? ret : fake_list(blackhole, BLACKHOLE);
}

module_init(ttcard_init);
/* No module_exit: the wrapped config accessors stay for the life of the system. */
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only: QEMU PCI functions shown as Tenstorrent cards");
