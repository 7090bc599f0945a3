// SPDX-License-Identifier: GPL-2.0-only
/* An out-of-tree module for the distribution-kbuild test: name_show
 * duplicates many vmlinux functions of the 6.1 kernel; kas_oot_unique does
 * not exist anywhere else. */
#include <linux/module.h>
#include <linux/device.h>

static ssize_t name_show(struct device *dev, struct device_attribute *attr, char *buf) /* LOC name_show */
{
	return sysfs_emit(buf, "kas\n");
}
static DEVICE_ATTR_RO(name);

static noinline int kas_oot_unique(int x) /* LOC kas_oot_unique */
{
	return x * 2;
}

static int __init hello_init(void)
{
	return kas_oot_unique(0) + (dev_attr_name.show ? 0 : 1);
}

static void __exit hello_exit(void)
{
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
