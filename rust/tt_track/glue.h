/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers for kernel helpers that are static inline or macros (bindgen
 * cannot see those), and tt_track's module parameters. All logic is in Rust.
 */
#ifndef TT_TRACK_GLUE_H
#define TT_TRACK_GLUE_H

#include <linux/types.h>

struct device;
struct pid;

/* Name of the driver bound to @dev, or NULL. */
const char *tt_glue_driver_name(struct device *dev);
/* Name of @dev ("0000:00:03.0" for a PCI device, "tenstorrent!0" for a chardev). */
const char *tt_glue_dev_name(struct device *dev);
void tt_glue_device_lock(struct device *dev);
void tt_glue_device_unlock(struct device *dev);
/* PCI vendor/device id of @dev; false if @dev is not a PCI device. */
bool tt_glue_pci_ids(struct device *dev, u16 *vendor, u16 *device);

/* A counted reference to the calling thread group's struct pid. */
struct pid *tt_glue_current_tgid(void);
/* The calling task's comm, NUL-terminated, into @buf (16 bytes). */
void tt_glue_current_comm(char *buf);
/* @pid as seen from the calling task's PID namespace; 0 if not visible there. */
int tt_glue_pid_in_current_ns(struct pid *pid);
/* @pid in the initial PID namespace. */
int tt_glue_pid_global_nr(struct pid *pid);
/* Whether a thread group still uses @pid (its number cannot be reused meanwhile). */
bool tt_glue_pid_alive(struct pid *pid);

struct file;
struct inode;
/* compat_ptr_ioctl() where the kernel has CONFIG_COMPAT, else -ENOTTY. */
long tt_glue_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
/*
 * 1 if /proc/@rel is a directory, 0 if not; looked up without procfs's WARN
 * in the /proc of the calling task, else of the initial task; 1 when neither
 * has a procfs at /proc.
 */
int tt_glue_proc_dir_exists(const char *rel);
struct seq_file;
/* Gives a just-opened @m a buffer of @size bytes instead of seq_file's page. */
int tt_glue_seq_buffer(struct seq_file *m, size_t size);
/* The data pointer given to proc_create_data(). */
void *tt_glue_pde_data(const struct inode *inode);

void tt_glue_cond_resched(void);

/*
 * Copy @words 64-bit words from user memory to @kernel in one user-access
 * window, a word per load and store: for the small structs of the report path
 * (40 bytes), where copy_from_user's byte copy (rep movsb) costs more than the
 * system call around it on an emulated CPU. 0, or -EFAULT with *@kernel
 * partly written.
 */
int tt_glue_read_words(u64 *kernel, const void __user *user, size_t words);
/*
 * Write the 32-bit field at @kernel, and at each @stride bytes after it, @n
 * in all, to @user and the same places after it (a BATCH's results), in one
 * user-access window. 0, or -EFAULT with some written.
 */
int tt_glue_write_field32(void __user *user, const void *kernel, size_t stride, size_t n);
/*
 * 0 if each page of the @len bytes at @user can be written, else -EFAULT:
 * the first byte of each is written back as @kernel, a copy read from
 * there, holds it.
 */
int tt_glue_probe_write(void __user *user, const u8 *kernel, size_t len);

/* Module parameter max_buffers_per_file (read with READ_ONCE semantics). */
extern unsigned long tt_max_buffers_per_file;
unsigned long tt_glue_dram_capacity(void);
unsigned long tt_glue_l1_capacity(void);

#endif
