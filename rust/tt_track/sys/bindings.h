/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel headers tt_track binds itself (the `kernel` crate does not cover its uses); see Kbuild. */
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/notifier.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/pid.h>
#include <linux/jiffies.h>
#include "../glue.h"

/* gfp bits the kernel crate has no constant for (evaluated by bindgen). */
const gfp_t TT_GFP_RETRY_MAYFAIL = __GFP_RETRY_MAYFAIL;
/* The clock of entry ages: jiffies_64 read in Rust, without a call. */
const u64 TT_INITIAL_JIFFIES = INITIAL_JIFFIES;
const u32 TT_HZ = HZ;
