/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sysfs device trees with real symbolic links, as the kernel lays them out,
 * for the tests of plugins/lib/spof.c and of the probes that use it: a disk
 * sdX on PCI function FN (partitions optional), an NVMe namespace, a NIC port.
 */
#ifndef REDMON_TEST_SPOF_TREE_H
#define REDMON_TEST_SPOF_TREE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p dir/rel; 0 or -1. */
static inline int spof_tree_mkdirs(const char *dir, const char *rel)
{
	char path[1024];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static inline int spof_tree_put(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static inline int spof_tree_link(const char *dir, const char *target, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return symlink(target, path);
}

/*
 * A SATA/SAS disk: sys/devices/pci0000:00/<fn>/host<h>/block/<disk> with
 * partitions <disk><p> for each p in 1..parts, and sys/class/block and
 * sys/block links to them.  0 or -1.
 */
static inline int spof_tree_disk(const char *dir, const char *fn, int host, const char *disk,
				 int parts)
{
	char dev[512], rel[700], target[800];
	int r = 0;

	snprintf(dev, sizeof(dev), "devices/pci0000:00/%s/host%d/target%d:0:0/%d:0:0:0/block/%s",
		 fn, host, host, host, disk);
	snprintf(rel, sizeof(rel), "sys/%s", dev);
	r |= spof_tree_mkdirs(dir, rel);
	r |= spof_tree_mkdirs(dir, "sys/class/block");
	r |= spof_tree_mkdirs(dir, "sys/block");
	snprintf(rel, sizeof(rel), "sys/%s/device", dev);
	r |= spof_tree_link(dir, "../../../0:0:0:0", rel);
	snprintf(target, sizeof(target), "../../%s", dev);
	snprintf(rel, sizeof(rel), "sys/class/block/%s", disk);
	r |= spof_tree_link(dir, target, rel);
	snprintf(target, sizeof(target), "../%s", dev);
	snprintf(rel, sizeof(rel), "sys/block/%s", disk);
	r |= spof_tree_link(dir, target, rel);
	for (int p = 1; p <= parts; p++) {
		snprintf(rel, sizeof(rel), "sys/%s/%s%d", dev, disk, p);
		r |= spof_tree_mkdirs(dir, rel);
		snprintf(rel, sizeof(rel), "sys/%s/%s%d/partition", dev, disk, p);
		r |= spof_tree_put(dir, rel, p == 1 ? "1\n" : "2\n");
		snprintf(target, sizeof(target), "../../%s/%s%d", dev, disk, p);
		snprintf(rel, sizeof(rel), "sys/class/block/%s%d", disk, p);
		r |= spof_tree_link(dir, target, rel);
	}
	return r ? -1 : 0;
}

/*
 * A NIC port: sys/devices/pci0000:00/0000:00:1c.0/<fn>/net/<ifname>, its
 * device link to <fn>, and sys/class/net/<ifname>.  0 or -1.
 */
static inline int spof_tree_nic(const char *dir, const char *fn, const char *ifname)
{
	char dev[512], rel[700], target[800];
	int r = 0;

	snprintf(dev, sizeof(dev), "devices/pci0000:00/0000:00:1c.0/%s/net/%s", fn, ifname);
	snprintf(rel, sizeof(rel), "sys/%s", dev);
	r |= spof_tree_mkdirs(dir, rel);
	r |= spof_tree_mkdirs(dir, "sys/class/net");
	snprintf(rel, sizeof(rel), "sys/%s/device", dev);
	snprintf(target, sizeof(target), "../../../%s", fn);
	r |= spof_tree_link(dir, target, rel);
	snprintf(target, sizeof(target), "../../%s", dev);
	snprintf(rel, sizeof(rel), "sys/class/net/%s", ifname);
	r |= spof_tree_link(dir, target, rel);
	return r ? -1 : 0;
}

#endif
