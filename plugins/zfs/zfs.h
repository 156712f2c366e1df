/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zfs: ZFS pools as redundancy groups (docs/zfs.md, plugins/zfs/README.md).
 *
 * Four sources describe a pool, from the most to the least detailed:
 * `zpool status -p` (text) or `zpool status -j` (JSON), `zpool list -v -p`,
 * `zpool list -p`, and /proc/spl/kstat/zfs/<pool>/state.  Each parser turns
 * its source into the same tree (struct zfs_pool: a pool, its top-level
 * vdevs by class, their leaves), and one set of rules (zfs_pool_eval())
 * turns a pool into a group.  When two sources name a pool the more
 * detailed one wins.  Nothing here logs or keeps state.
 */
#ifndef REDMON_ZFS_H
#define REDMON_ZFS_H

#include <stdbool.h>
#include <stddef.h>

#include "redmon/plugin.h"

#define ZFS_NAME      256 /* a pool or device name as zpool prints it, cut and printable */
#define ZFS_WORD      24  /* a state word, "UNAVAIL" */
#define ZFS_NOTE      96  /* "was /dev/sdb1", "(resilvering)", "cannot open" */
#define ZFS_REASON    512
#define ZFS_MAX_POOLS 1024
#define ZFS_MAX_DEVS  4096 /* vdevs and leaves of one pool */

/* How much a source says, lowest first: a richer source replaces a poorer one. */
enum zfs_detail {
	ZFS_SRC_KSTAT = 1, /* the pool's state word only */
	ZFS_SRC_LIST,	   /* zpool list: the pool's health only */
	ZFS_SRC_LIST_V,	   /* zpool list -v: vdevs and leaves with their health */
	ZFS_SRC_STATUS,	   /* zpool status (text or JSON): all of it */
};

/* The allocation class of a top-level vdev: log and cache do not count for redundancy. */
enum zfs_class { ZFS_DATA = 0, ZFS_LOG, ZFS_CACHE, ZFS_SPARE, ZFS_SPECIAL, ZFS_DEDUP };

/*
 * One node of the config tree: depth 1 is a top-level vdev (or a spare, a
 * cache device), depth 2 its child, depth 3 a child of a replacing-N or
 * spare-N vdev.
 */
struct zfs_dev {
	char name[ZFS_NAME];
	char state
		[ZFS_WORD]; /* ONLINE, DEGRADED, FAULTED, OFFLINE, REMOVED, UNAVAIL, AVAIL, INUSE */
	char note[ZFS_NOTE]; /* the text after the counters, printable, "" when none */
	char path[ZFS_NAME]; /* JSON "path", or "" */
	enum zfs_class cls;
	int depth;
	bool resilvering; /* "(resilvering)" after it, or JSON resilver_repair */
};

enum zfs_scan { ZFS_SCAN_NONE = 0, ZFS_SCAN_RESILVER, ZFS_SCAN_SCRUB };

struct zfs_pool {
	char name[ZFS_NAME];
	char state[ZFS_WORD]; /* ONLINE, DEGRADED, FAULTED, UNAVAIL, SUSPENDED, ... */
	enum zfs_detail detail;
	enum zfs_scan scan;
	double progress;	    /* percent of the scan in progress, or -1 */
	char errors[ZFS_NOTE];	    /* the "errors:" line when it reports data errors, else "" */
	int64_t scrub_end;	    /* when the last scrub finished, Unix s; 0 unknown */
	char scrub_found[ZFS_NOTE]; /* what it repaired or could not: "repaired 4K, 2 errors" */
	struct zfs_dev *dev;	    /* in the order printed, owned */
	size_t n_dev, cap_dev;
};

struct zfs_result {
	struct zfs_pool *pool;
	size_t n_pool, cap_pool;
};

void zfs_result_free(struct zfs_result *r);

/*
 * A date as zpool prints it, ctime(3) in the local time zone ("Sun Dec  6
 * 00:24:02 2026"), or a Unix time in decimal (-p, --json-int): Unix s > 0,
 * or -EINVAL.
 */
int zfs_parse_date(const char *text, int64_t *ret);
/* "repaired X, N errors" into dst when the scrub repaired or met anything, else "". */
void zfs_scrub_found(const char *repaired, unsigned long long errors, char *dst, size_t cap);
/* A new pool (zeroed, progress -1) at the end of r, or NULL (-ENOMEM, too many). */
struct zfs_pool *zfs_pool_add(struct zfs_result *r);
/* A new node (zeroed) at the end of p, or NULL. */
struct zfs_dev *zfs_dev_add(struct zfs_pool *p);
/*
 * Fold src into dst: each pool of src replaces dst's pool of that name when
 * it is more detailed, or is added.  src is emptied (its pools moved).
 */
int zfs_result_merge(struct zfs_result *dst, struct zfs_result *src);

/*
 * Whether every pool of r has a name, and a name no other pool has (a
 * group's name is unique within the probe): 0, or -EINVAL with why in err.
 * Every parser ends with it.
 */
int zfs_result_check(const struct zfs_result *r, char *err, size_t errlen);

/*
 * The parsers: buf (len bytes, NUL-terminated) into ret (pools appended).
 * 0, -EINVAL (not that format; why in err), -ENOMEM, -E2BIG (too many).
 */
int zfs_parse_status(const char *buf, size_t len, struct zfs_result *ret, char *err, size_t errlen);
int zfs_parse_status_json(const char *buf, size_t len, struct zfs_result *ret, char *err,
			  size_t errlen);
int zfs_parse_list(const char *buf, size_t len, struct zfs_result *ret, char *err, size_t errlen);
/* One pool's kstat state file (its content) as a pool named name. */
int zfs_parse_kstat(const char *name, const char *buf, size_t len, struct zfs_result *ret,
		    char *err, size_t errlen);

/* True for the class keyword lines of the config ("logs", "cache", "spares", "special", "dedup"). */
bool zfs_class_word(const char *word, enum zfs_class *ret);

/*
 * One pool as a group: g's counts, margin, activity and reason, members in
 * mem (room for p->n_dev + 1), strings pointing into p, mem and reason (len
 * bytes): they live as long as those.
 */
void zfs_pool_eval(const struct zfs_pool *p, struct redmon_group *g, struct redmon_member *mem,
		   char *reason, size_t len);

#endif
