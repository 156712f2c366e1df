/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two hwmon readers.  Both fill the same struct hwmon_chip array (sorted
 * by chip name) and leave every judgement to hwmon_class.c; they differ only
 * in where the numbers come from.  The caller frees with hwmon_chips_free().
 */
#ifndef REDMON_HWMON_READ_H
#define REDMON_HWMON_READ_H

#include <stddef.h>

#include <redmon/plugin.h>

#include "hwmon_class.h"

/*
 * Captured trees (--root): read ROOT/sys/class/hwmon/<hwmonN>/ the way
 * libsensors 3.6 does (name, device link, old-style attributes in device/),
 * converting sysfs units (mV, mA, uW, m degrees C) to libsensors units.
 * Symlinks resolve inside the root.  A missing class directory is no chip;
 * an entry that cannot be read is one with error set (hwmon_class.h).
 * Every chip is returned with its identity; values (only those
 * hwmon_value_needed() names) only for chips that hwmon_is_psu_chip(prefix,
 * extra) calls PSUs.
 *
 * struct hwmon_sysfs keeps what one scan learnt for the next (listings, open
 * descriptors: hwmon_sysfs.c explains when a chip is listed again); one per
 * probe instance, used by one thread at a time.  budget: the most descriptors
 * it keeps open (0: none, every scan lists and opens everything).
 */
struct hwmon_sysfs;

/* NULL when out of memory.  Free with hwmon_sysfs_free() (NULL is a no-op). */
struct hwmon_sysfs *hwmon_sysfs_new(size_t budget);
void hwmon_sysfs_free(struct hwmon_sysfs *s);

/*
 * Scan: *ret (sorted by chip name) is owned by s and valid until the next
 * scan or hwmon_sysfs_free().  0 or -errno (s then starts afresh next time).
 */
int hwmon_sysfs_scan(struct hwmon_sysfs *s, int root_fd, const char *extra,
		     const struct hwmon_chip **ret, size_t *ret_n);

/*
 * Change events (the daemon on a captured tree): s watches, with inotify,
 * the directories it lists, and a scan then reads only the needed files
 * (hwmon_sysfs.c says what is still checked, and when).  Returns the
 * descriptor to watch for EPOLLIN (s owns it), or -errno: then every scan
 * checks every listing as without events.  root: the root's path (watch.h).
 */
int hwmon_sysfs_watch(struct hwmon_sysfs *s, int root_fd, const char *root);

/* The descriptor fired: take the events.  1 when a listing is stale (rescan), 0, or -errno. */
int hwmon_sysfs_on_event(struct hwmon_sysfs *s);

/*
 * Which chips are fan sets besides the built-in fan controllers (patterns as
 * hwmon_is_fan_chip()); their fan values are read too.  0 or -ENOMEM.
 */
int hwmon_sysfs_set_fan_chips(struct hwmon_sysfs *s, const char *patterns);

/*
 * Keep as many files as the core's split of the descriptor limit gives the
 * probe for what the last scan read (fdcache_follow_share()): in init() and
 * before each scan of a daemon.  On a core without the split the budget
 * stays as made.
 */
void hwmon_sysfs_follow_share(struct hwmon_sysfs *s, const struct redmon_host_ops *ops,
			      struct redmon_host *h);

/* One scan with nothing kept; the caller frees *ret with hwmon_chips_free(). */
int hwmon_sysfs_read(int root_fd, const char *extra, struct hwmon_chip **ret, size_t *ret_n);

/*
 * The live system through libsensors, with config (a sensors.conf(5) path,
 * or NULL/"" for none: raw chip data, no renamed labels or ignored
 * features).  struct hwmon_lsensors decides when libsensors must learn the
 * chips again (hwmon_lsensors.c); one per probe instance.  The caller frees
 * *ret with hwmon_chips_free().  0 or -errno with err set.
 */
struct hwmon_lsensors;

/*
 * budget: the most alarm and fault files kept open (0: none, each read by
 * libsensors).  NULL when out of memory; hwmon_lsensors_free(NULL) is a no-op.
 */
struct hwmon_lsensors *hwmon_lsensors_new(size_t budget);
void hwmon_lsensors_free(struct hwmon_lsensors *r);
/* Its alarm and fault files follow the core's split, as hwmon_sysfs_follow_share(). */
void hwmon_lsensors_follow_share(struct hwmon_lsensors *r, const struct redmon_host_ops *ops,
				 struct redmon_host *h);
/*
 * The PSU chip patterns (`chips`) and the fan chip patterns (`fan_chips`):
 * a fan set's fanN_enable files are read below root_fd (the live "/").
 * 0 or -ENOMEM.
 */
int hwmon_lsensors_set_chips(struct hwmon_lsensors *r, int root_fd, const char *psu_chips,
			     const char *fan_chips);
int hwmon_lsensors_scan(struct hwmon_lsensors *r, const char *config, struct hwmon_chip **ret,
			size_t *ret_n, char *err, size_t errlen);

#endif /* REDMON_HWMON_READ_H */
