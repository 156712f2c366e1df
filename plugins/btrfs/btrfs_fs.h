/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * btrfs: what the kernel says of one mounted filesystem under
 * /sys/fs/btrfs/<uuid> (Documentation/ABI/testing/sysfs-fs-btrfs), and the
 * rules that turn it into one redundancy group.
 *
 * The parsers and the rules here do no I/O and do not log (btrfs_read.c
 * reads, btrfs.c logs): every input is the bytes of an attribute, hostile.
 */
#ifndef REDMON_PLUGINS_BTRFS_FS_H
#define REDMON_PLUGINS_BTRFS_FS_H

#include <stdbool.h>
#include <stddef.h>

#include <redmon/plugin.h>

#include "../lib/strbuf.h"

/* The block group types whose profile decides what a device loss costs. */
enum btrfs_bg_type { BTRFS_DATA, BTRFS_METADATA, BTRFS_SYSTEM, BTRFS_NTYPES };

/* The per-device counters of devinfo/<id>/error_stats, in the kernel's order. */
enum btrfs_err {
	BTRFS_WRITE_ERRS,
	BTRFS_READ_ERRS,
	BTRFS_FLUSH_ERRS,
	BTRFS_CORRUPTION_ERRS,
	BTRFS_GENERATION_ERRS,
	BTRFS_NERRS
};

#define BTRFS_MAX_DEVS 256 /* devinfo entries read for one filesystem */
#define BTRFS_UUID_LEN 36

extern const char *const btrfs_type_names[BTRFS_NTYPES];
extern const char *const btrfs_err_names[BTRFS_NERRS];

struct btrfs_dev {
	unsigned long long devid;
	bool missing;
	bool replace_target; /* the new device of a running `btrfs replace` */
	bool errs_known;
	unsigned long long errs[BTRFS_NERRS];
	char bad[128]; /* why this device could not be read; "" when it could */
};

struct btrfs_fs {
	char uuid[BTRFS_UUID_LEN + 1];
	char label[64];			     /* printable; "" when none */
	unsigned int profiles[BTRFS_NTYPES]; /* bit i: btrfs_profile(i) holds chunks */
	char exclop[32];		     /* exclusive_operation, printable; "" when not known */
	char bad[160]; /* why the filesystem could not be read; "" when it could */
	struct btrfs_dev *dev;
	size_t n_dev, cap_dev;
};

/*
 * The index of a profile directory name ("raid1", "dup", ...) of
 * allocation/<type>/, and in *ret_margin the device losses it survives (0 for
 * single, raid0, dup).  -EINVAL for any other name (an attribute of the type
 * directory, or a profile this redmon does not know).
 */
int btrfs_profile(struct strv name, int *ret_margin);
const char *btrfs_profile_name(int i);

/* Whether s is a filesystem directory name: 36 bytes of hex digits and dashes. */
bool btrfs_is_uuid(struct strv s);

/*
 * devinfo/<id>/error_stats ("write_errs 0\nread_errs 0\n..."): the five counters
 * into ret (every one must be there, once; unknown names are skipped).
 * 0, or -EINVAL with ret untouched.
 */
int btrfs_parse_error_stats(struct strv text, unsigned long long ret[BTRFS_NERRS]);

/* A 0/1 attribute (missing, replace_target). 0 or -EINVAL. */
int btrfs_parse_bool(struct strv text, bool *ret);

/*
 * A device's baseline counters: those first seen, lowered when they fall (a
 * reset), so that a rise stays a reason until the counters are reset.
 */
struct btrfs_seen {
	char uuid[BTRFS_UUID_LEN + 1];
	unsigned long long devid;
	unsigned long long errs[BTRFS_NERRS];
};

/*
 * The group of fs.  m (fs->n_dev entries) and the texts (reason, mreason:
 * fs->n_dev * mreason_len bytes) are the caller's, and g points into them and
 * into fs.  prev/n_prev: the baselines (NULL, 0 at the first scan), for
 * "rose from" member and group reasons.  Never fails: what cannot be
 * told makes the margin unknown with a reason.
 */
void btrfs_fs_group(const struct btrfs_fs *fs, const struct btrfs_seen *prev, size_t n_prev,
		    struct redmon_group *g, struct redmon_member *m, char *names, size_t name_len,
		    char *reason, size_t reason_len, char *mreason, size_t mreason_len);

/* The baseline of one device, or NULL (a handful of devices: a linear search). */
const struct btrfs_seen *btrfs_seen_find(const struct btrfs_seen *prev, size_t n_prev,
					 const char *uuid, unsigned long long devid);

void btrfs_fs_reset(struct btrfs_fs *fs);
void btrfs_fs_free(struct btrfs_fs *fs);
/* A new device entry (zeroed, devid set), or NULL when out of memory or over BTRFS_MAX_DEVS. */
struct btrfs_dev *btrfs_fs_add_dev(struct btrfs_fs *fs, unsigned long long devid);

#endif
