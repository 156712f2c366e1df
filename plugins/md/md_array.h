/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of one md array, as read from /proc/mdstat or from sysfs, a set
 * of records, and the merge of the two sources.
 *
 * Records and sets are reused from scan to scan: md_set_reset() keeps every
 * buffer, so a steady-state scan allocates nothing.  A large host has a
 * thousand records, twice (mdstat's and sysfs's), so what only some need lives
 * out of line: the error text (only a failed array pays for it), and in one
 * buffer per record the texts sized to their use (the level as printed,
 * mdstat's [UU_], the devices' sysfs states, which mdstat has none of).
 * Names are fixed arrays with their size given here; longer input is an
 * error of the array, never an overflow or a silent cut.
 */
#ifndef REDMON_MD_ARRAY_H
#define REDMON_MD_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <redmon/plugin.h>

#include "../lib/hindex.h"
#include "../lib/strbuf.h"

#define MD_NAME_MAX	  32 /* DISK_NAME_LEN, include/linux/blkdev.h */
#define MD_DEV_NAME_MAX	  32 /* BDEVNAME_SIZE: a longer name is an error of the array */
#define MD_STATE_MAX	  64 /* dev-X/state text kept for display; flags come from the whole text */
#define MD_LEVEL_TEXT_MAX 24
#define MD_ERROR_MAX	  160

/*
 * Sanity bounds: a 1.x superblock has room for at most 1920 device roles
 * (drivers/md/md.c super_1_load), so anything above is garbage.  Arrays are
 * bounded by md's minor numbers (MINORBITS = 20), not by what seems many:
 * a host with 10,000 arrays must see every one of them.
 */
#define MD_MAX_SLOTS  4096
#define MD_MAX_DEVS   4096
#define MD_MAX_ARRAYS (1u << 20)

enum md_level {
	MD_LEVEL_NONE = 0, /* not shown: inactive array without a personality */
	MD_LEVEL_LINEAR,
	MD_LEVEL_RAID0,
	MD_LEVEL_RAID1,
	MD_LEVEL_RAID4,
	MD_LEVEL_RAID5,
	MD_LEVEL_RAID6,
	MD_LEVEL_RAID10,
	MD_LEVEL_MULTIPATH,
	MD_LEVEL_FAULTY,
	MD_LEVEL_CONTAINER, /* sysfs "container" */
	MD_LEVEL_OTHER,	    /* a name this probe does not know (see md_array_level()) */
};

enum md_run {
	MD_RUN_UNKNOWN = 0,
	MD_RUN_ACTIVE,	 /* running, with a personality */
	MD_RUN_INACTIVE, /* assembled (devices attached) but not running */
	MD_RUN_BROKEN,	 /* running but a raid0/linear member is gone ("broken") */
};

/* What the source says about a device, as bits (mdstat flags or sysfs state words). */
enum md_dev_flag {
	MD_DEV_FAULTY = 1u << 0,	   /* (F) / faulty */
	MD_DEV_SPARE = 1u << 1,		   /* (S) / spare */
	MD_DEV_IN_SYNC = 1u << 2,	   /* sysfs in_sync */
	MD_DEV_WRITE_MOSTLY = 1u << 3,	   /* (W) / write_mostly */
	MD_DEV_JOURNAL = 1u << 4,	   /* (J) / journal */
	MD_DEV_REPLACEMENT = 1u << 5,	   /* (R) / replacement */
	MD_DEV_WANT_REPLACEMENT = 1u << 6, /* want_replacement */
	MD_DEV_BLOCKED = 1u << 7,	   /* blocked */
	MD_DEV_WRITE_ERROR = 1u << 8,	   /* write_error */
};

/*
 * The names of the device flags: the mdstat letter ("(F)"; 0 when mdstat
 * prints none) and the sysfs state word (drivers/md/md.c state_show();
 * "writemostly" is an older spelling).  The lettered ones come first, in the
 * order their words are shown.
 */
struct md_dev_flag_name {
	unsigned int flag;
	char letter;
	const char *word;
};

#define MD_DEV_FLAG_NAMES 10
extern const struct md_dev_flag_name md_dev_flag_names[MD_DEV_FLAG_NAMES];

struct md_dev {
	char name[MD_DEV_NAME_MAX]; /* kernel block device name, e.g. sdb1 */
	int desc_nr;		    /* mdstat [k]: superblock descriptor number, -1 unknown */
	int slot;		    /* sysfs slot / rdN, -1 none or unknown */
	unsigned int flags;	    /* enum md_dev_flag */
	/* sysfs state text: 1 + its offset in the array's pool; 0 none (mdstat). */
	uint32_t state;
};

enum md_source {
	MD_SRC_MDSTAT = 1u << 0,
	MD_SRC_SYSFS = 1u << 1,
};

/*
 * One array.  A large host keeps a thousand of these twice (mdstat's and
 * sysfs's), so counts are 32 bits (bounded by the MD_MAX_* and MD_MDSTAT_MAX)
 * and the fields are ordered to leave no padding.
 */
struct md_array {
	char name[MD_NAME_MAX];
	unsigned int source; /* enum md_source bits */
	enum md_level level;
	/* The level as the source printed it: 1 + its offset in pool, 0 none (md_array_level()). */
	uint32_t level_text;
	enum md_run run;
	int raid_disks; /* configured slots, -1 unknown */
	int degraded;	/* sysfs degraded, -1 unknown */

	double progress; /* of activity (below), percent, -1 unknown */
	int64_t eta_s;	 /* seconds left at sync_speed; 0 unknown */
	/* mismatch_cnt after the last check or repair, read while idle; -1 unknown */
	int64_t mismatch_cnt;

	/* raid10 geometry (layout, or mdstat "2 near-copies"), when r10_known. */
	int r10_near, r10_far;

	struct md_dev *devs;
	uint32_t n_devs, devs_cap;

	/*
	 * The record's text, out of line in one buffer: the level's, mdstat's
	 * "[UU_]", one 'U' or '_' per slot (md_array_slots(); n_slots 0 when not
	 * shown), and the devices' sysfs state texts (md_dev_state()).
	 */
	char *pool;
	uint32_t pool_len, pool_cap;
	uint32_t slots_off, n_slots;

	/* mdstat: the array's block, [text_off, text_off + text_len) of the text parsed. */
	uint32_t text_off, text_len;

	/*
	 * sysfs: the md directory's last listing, kept through clears like the
	 * buffers (md_sysfs.c reuses it while the array's mdstat block is
	 * unchanged): its device names end to end ("sda1\0sdb1\0"), the
	 * optional attributes it showed, and the key it was made under (the
	 * array's name and mdstat block, hashed; 0: not to be reused).
	 */
	char *list;
	uint32_t list_len, list_cap;
	uint64_t list_key;
	unsigned list_has;
	/*
	 * The level and raid_disks sysfs showed with that listing: the block
	 * prints both ("active raid1", "[2/2]"), so an unchanged block keeps
	 * them too (MD_LEVEL_NONE: not kept).
	 */
	enum md_level list_level;
	int list_raid_disks;

	/*
	 * failed: the source could not be read for this array; error holds why
	 * (MD_ERROR_MAX bytes, allocated at the first error and kept).
	 */
	char *error;
	enum redmon_activity activity; /* here, not above progress: it packs with the bools */
	bool failed;

	bool read_only;	      /* "(read-only)", "(auto-read-only)", readonly, read-auto */
	bool container;	      /* IMSM/DDF metadata container: not a redundancy group */
	bool ext_container;   /* metadata "external:<format>" (not "external:/mdX/N") */
	bool devs_sysfs;      /* devs came from sysfs (state words), not mdstat (flags) */
	bool dev_slots_known; /* sysfs: each device's slot came from slot or rdN */
	bool r10_known;
	bool r10_offset;
	bool matched; /* merge bookkeeping */
	bool touched; /* read again by the last md_scan_reread() */
};

struct md_set {
	struct md_array *v;
	size_t n, cap;
	struct hindex index; /* by name; rebuilt lazily when stale */
	bool index_stale;
	/* mdstat: every record's text_off/text_len is its one block (no duplicate, no cut). */
	bool blocks_known;
};

/* Exchange two records (or sets, or buffers): each owns its buffers, so they move, never copy. */
#define SWAP(a, b)                                                                                 \
	do {                                                                                       \
		typeof(a) t_ = (a);                                                                \
		(a) = (b);                                                                         \
		(b) = t_;                                                                          \
	} while (0)

/* Reset a record to "nothing known", keeping its buffers. */
void md_array_clear(struct md_array *a);

/* Free a record's buffers; the record itself is not freed. */
void md_array_free(struct md_array *a);

/* Append a zeroed device (desc_nr, slot -1).  Returns 0, -E2BIG, or -ENOMEM. */
int md_array_add_dev(struct md_array *a, struct md_dev **ret);

/* Store the "[UU_]" slot string.  Returns 0, -E2BIG, or -ENOMEM. */
int md_array_set_slots(struct md_array *a, const char *s, size_t n);

/* Deep-copy src over dst, reusing dst's buffers.  Returns 0 or -ENOMEM. */
int md_array_copy(struct md_array *dst, const struct md_array *src);

/* Record why the array could not be read; only the first reason is kept. */
void md_array_set_error(struct md_array *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Forget the reason recorded, so that the next md_array_set_error() is kept. */
void md_array_clear_error(struct md_array *a);

static inline bool md_array_failed(const struct md_array *a)
{
	return a->failed;
}

/* Why the array failed ("" when it did not).  Owned by a. */
const char *md_array_error(const struct md_array *a);

/*
 * Store d's sysfs state text (d a device of a), made printable and cut at
 * MD_STATE_MAX - 1 bytes as the display takes it.  Returns 0 or -ENOMEM.
 */
int md_dev_set_state(struct md_array *a, struct md_dev *d, struct strv s);

/* d's state text, "" when none (mdstat).  Owned by a, valid until a changes. */
static inline const char *md_dev_state(const struct md_array *a, const struct md_dev *d)
{
	return d->state ? a->pool + d->state - 1 : "";
}

/*
 * Store the level as the source printed it, made printable and cut at
 * MD_LEVEL_TEXT_MAX - 1 bytes.  Returns 0 or -ENOMEM.
 */
int md_array_set_level_text(struct md_array *a, struct strv s);

/* The level as the source printed it, "" when none.  Owned by a, valid until a changes. */
static inline const char *md_array_level(const struct md_array *a)
{
	return a->level_text ? a->pool + a->level_text - 1 : "";
}

/* The "[UU_]" slot string, a->n_slots bytes (no NUL).  Owned by a, valid until a changes. */
static inline const char *md_array_slots(const struct md_array *a)
{
	return a->n_slots ? a->pool + a->slots_off : "";
}

/*
 * Parse a personality or sysfs level name ("raid1", "linear", ...).  sysfs
 * also shows a bare number when no name was set (drivers/md/md.c level_show).
 * Returns MD_LEVEL_NONE for empty text and MD_LEVEL_OTHER for unknown text.
 */
enum md_level md_level_parse(struct strv s);

/* The canonical name ("raid1"), "unknown" for NONE and OTHER. */
const char *md_level_name(enum md_level level);

/* True for personalities that keep redundant slots (raid1/4/5/6/10, multipath). */
bool md_level_has_slots(enum md_level level);

/* True when name looks like an md device name: md followed by [A-Za-z0-9_]. */
bool md_name_valid(struct strv name);

/* Metadata "external:imsm" (not "external:/md127/0"): an IMSM/DDF container's. */
bool md_metadata_is_container(struct strv v);

void md_set_reset(struct md_set *s);
void md_set_free(struct md_set *s);

/*
 * Append a record named name (valid per md_name_valid, shorter than
 * MD_NAME_MAX).  Returns 0, -EINVAL, -E2BIG (MD_MAX_ARRAYS), or -ENOMEM.
 */
int md_set_add(struct md_set *s, struct strv name, struct md_array **ret);

struct md_array *md_set_find(struct md_set *s, const char *name);

/* Keep the first n records (the others kept for reuse), sorted by name: a stable report order. */
void md_set_sort(struct md_set *s, size_t n);

/*
 * Merge what mdstat says about an array (st) into what sysfs says (sys), in
 * place.  sysfs wins for per-device states, level, raid_disks and degraded;
 * mdstat fills the gaps (activity and progress when sysfs shows none, devices
 * when sysfs lists none, the [UU_] slot string, raid10 geometry).  When sysfs could not be
 * read for the array but mdstat could, the mdstat record replaces it.
 * Returns 0 or -ENOMEM.
 */
int md_array_merge(struct md_array *sys, const struct md_array *st);

#endif /* REDMON_MD_ARRAY_H */
