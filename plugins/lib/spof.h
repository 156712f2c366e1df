/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hidden single points of failure of a group, found from sysfs links (struct
 * redmon_group's spof): members that are partitions of one whole disk, every
 * member behind one controller (PCI function), bond slaves that are ports of
 * one card (PCI domain:bus:device).
 *
 * Everything is read below the probe's root fd: a link's text is read with
 * readlinkat() and parsed as text, never followed to the host; the few files
 * opened (a partition's "partition") go through rootfs_open().  A name that
 * is not a plain device name (a '/', "..", a control byte, too long) resolves
 * to nothing.  Nothing logs or allocates; answers are 0 or -errno.
 */
#ifndef REDMON_PLUGINS_SPOF_H
#define REDMON_PLUGINS_SPOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOF_NAME_MAX	 64  /* a device name, NUL included */
#define SPOF_PCI_MAX	 16  /* "dddd:bb:dd.f" and its NUL */
#define SPOF_REASON_MAX	 256 /* one reason, NUL included */
#define SPOF_REASONS_MAX 4   /* reasons kept per group; more are dropped */

/* Whether name may name a device: 1..63 printable bytes, no '/', not "." or "..". */
bool spof_name_ok(const char *name);

/*
 * The whole disk of block device name (sys/class/block/<name>, else
 * sys/block/<name>): a partition (it has a "partition" file) is the directory
 * its link's target places it in ("…/block/sdb/sdb1": sdb; nvme0n1p2:
 * nvme0n1), which must itself be a block device of the root.  1 with disk set
 * for a partition, 0 with disk = name for a whole disk, or -errno: -EINVAL (a
 * bad name), -ENOENT (no such block device, or a parent the root does not
 * know), -ENAMETOOLONG.
 */
int spof_whole_disk(int root_fd, const char *name, char disk[SPOF_NAME_MAX]);

/*
 * The PCI function block device name hangs off: the last "dddd:bb:dd.f"
 * component of its sys/class/block (or sys/block) link's target.  0 with fn
 * set, -ENOENT when there is none (a virtual device: md, dm, loop), -errno.
 */
int spof_block_pci(int root_fd, const char *name, char fn[SPOF_PCI_MAX]);

/*
 * The PCI function of network interface ifname: the last "dddd:bb:dd.f"
 * component of sys/class/net/<ifname>/device's target.  0, -ENOENT (no
 * device: a virtual interface), -errno.
 */
int spof_net_pci(int root_fd, const char *ifname, char fn[SPOF_PCI_MAX]);

/* A group's reasons, on the caller's stack or in a probe's state. */
struct spof_reasons {
	char text[SPOF_REASONS_MAX][SPOF_REASON_MAX];
	const char *ptr[SPOF_REASONS_MAX]; /* what struct redmon_group's spof points to */
	size_t n;
};

static inline void spof_reasons_clear(struct spof_reasons *r)
{
	r->n = 0;
}

/* Add a reason (printf-style, cut at SPOF_REASON_MAX - 1); false when the list is full. */
bool spof_add(struct spof_reasons *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The reasons of a group of block devices (md members, btrfs devices),
 * appended to r: for each whole disk holding two or more members, "members
 * sdb1 and sdb2 are partitions of one disk, sdb"; and when the group has two
 * or more members, on at least two disks, that all resolve to one PCI
 * function, "every member is behind one controller, 0000:03:00.0".  A member
 * that resolves to nothing takes no part (and so prevents the controller
 * reason: all must be seen).  Each member is resolved once.
 */
void spof_check_disks(int root_fd, const char *const *names, size_t n, struct spof_reasons *r);

/*
 * The reasons of a bond's slaves, appended to r: for each PCI card
 * (domain:bus:device) holding two or more slaves, "slaves eth0 and eth1 are
 * ports of one card, 0000:01:00".
 */
void spof_check_nics(int root_fd, const char *const *names, size_t n, struct spof_reasons *r);

/*
 * One group's reasons kept for the next scan, keyed by a hash of its name
 * and members, so that a probe resolves links again only when the members
 * changed (or when it forgets, at a full scan).  Zero-initialise; free with
 * spof_memo_free().  Reasons are kept only when there are any.
 */
struct spof_memo {
	uint64_t key;
	bool valid;
	char *text; /* the reasons, NUL-separated; NULL when none */
	size_t n;
};

/* The key of a group: FNV-1a of its names (group name first, then members), NUL-separated. */
uint64_t spof_memo_key(const char *const *names, size_t n);

/* When m holds key, fill r from it (replacing r's reasons) and return true. */
bool spof_memo_get(const struct spof_memo *m, uint64_t key, struct spof_reasons *r);

/* Keep r under key; 0 or -ENOMEM (m is then forgotten). */
int spof_memo_put(struct spof_memo *m, uint64_t key, const struct spof_reasons *r);

void spof_memo_free(struct spof_memo *m);

#endif
