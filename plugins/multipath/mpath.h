/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dm-multipath: the model of the multipath probe, its two parsers and its
 * rules (README.md).  A map is found in sysfs (/sys/block/dm-N with a
 * dm/uuid starting "mpath-"), its paths are the entries of slaves/; what
 * each path is worth comes, in this order, from multipathd's path checker
 * (`multipathd show paths`), from the multipath target's status
 * (`dmsetup status --target multipath`: A or F per path, as the kernel's
 * drivers/md/dm-mpath.c multipath_status() prints it), else, as a fallback
 * named in the reason, from the SCSI device state in sysfs.
 *
 * The parsers only parse (hostile input: bounded, strict numbers, never a
 * crash) and log nothing; mpath_map_eval() is the pure decision layer.
 */
#ifndef REDMON_MPATH_H
#define REDMON_MPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/hindex.h"
#include "../lib/spof.h"
#include "redmon/plugin.h"

#define MPATH_NAME	128 /* a map's dm name, a path's kernel name */
#define MPATH_STATE	32  /* a state word as the source printed it */
#define MPATH_MAX_MAPS	4096
#define MPATH_MAX_PATHS 256 /* per map */

/* --- dmsetup status: the multipath target's own view of its paths ----------- */

struct mpath_dm_path {
	unsigned int major, minor;
	bool active;		  /* 'A'; 'F' is failed */
	unsigned long long fails; /* the kernel's fail count of the path */
};

struct mpath_dm_map {
	char name[MPATH_NAME];
	struct mpath_dm_path *path;
	size_t n_path, cap;
};

struct mpath_dm_status {
	struct mpath_dm_map *map;
	size_t n_map, cap;
	struct hindex by_name; /* maps by name: a scan looks each one up */
};

/*
 * The multipath lines of `dmsetup status` ("name: start len multipath
 * params"; other targets are skipped) into *ret (zeroed by the caller, freed
 * with mpath_dm_status_free() whatever the return).  0, or -EINVAL with why
 * in err (a multipath line whose params do not follow the kernel's format),
 * -ENOMEM, -E2BIG (too many maps or paths).
 */
int mpath_dm_parse(const char *buf, size_t len, struct mpath_dm_status *ret, char *err,
		   size_t errlen);

/* The params after "multipath" of one line into m's paths; 0 or -EINVAL/-ENOMEM/-E2BIG. */
int mpath_dm_params(const char *p, size_t n, struct mpath_dm_map *m, char *err, size_t errlen);

void mpath_dm_status_free(struct mpath_dm_status *s);

struct strv;
/* "8:16" (a sysfs dev attribute, a path in the status) into major and minor; 0 or -EINVAL. */
int mpath_parse_devt(struct strv t, unsigned int *maj, unsigned int *min);

/* The map named name, or NULL. */
const struct mpath_dm_map *mpath_dm_find(const struct mpath_dm_status *s, const char *name);

/* --- multipathd show paths: the path checker's verdict --------------------- */

struct mpath_md_path {
	char dev[MPATH_NAME];	  /* "sdb" */
	char dm_st[MPATH_STATE];  /* active, failed, undef */
	char chk_st[MPATH_STATE]; /* ready, ghost, faulty, shaky, ... */
	char dev_st[MPATH_STATE]; /* running, offline, ... ("" when not printed) */
};

struct mpath_md_paths {
	struct mpath_md_path *path;
	size_t n_path, cap;
	struct hindex by_dev; /* paths by kernel name: a scan looks each one up */
};

/*
 * The table `multipathd show paths` prints (a header line of column names,
 * then one line per path, columns left-aligned under their names) into
 * *ret (zeroed by the caller; mpath_md_paths_free() whatever the return).
 * Columns are found by name in the header, values by the header's column
 * positions, so a blank column (uuid in `multipath -v3`'s list) shifts
 * nothing.  0, or -EINVAL (no header with "dev" and "chk_st"), -ENOMEM,
 * -E2BIG, with why in err.
 */
int mpath_md_parse(const char *buf, size_t len, struct mpath_md_paths *ret, char *err,
		   size_t errlen);

void mpath_md_paths_free(struct mpath_md_paths *s);

const struct mpath_md_path *mpath_md_find(const struct mpath_md_paths *s, const char *dev);

/* --- the rules --------------------------------------------------------------- */

enum mpath_src {
	MPATH_SRC_NONE = 0, /* nothing said anything about the path */
	MPATH_SRC_CHECKER,  /* multipathd */
	MPATH_SRC_DM,	    /* the multipath target's status */
	MPATH_SRC_SCSI,	    /* sysfs device/state: the fallback */
};

/* One path of a map, as the probe put the sources together. */
struct mpath_path {
	char dev[MPATH_NAME];
	char state[MPATH_STATE * 3 + 4]; /* the source's words */
	char why[96];			 /* why it is not usable, or "" */
	enum mpath_src src;
	enum redmon_role role; /* ACTIVE, STANDBY (ghost), FAILED, UNKNOWN */
};

/* What one source says of one path: the role (UNKNOWN: it cannot tell). */
enum redmon_role mpath_checker_role(const struct mpath_md_path *p, char *why, size_t len);
enum redmon_role mpath_dm_role(const struct mpath_dm_path *p, char *why, size_t len);
enum redmon_role mpath_scsi_role(const char *state, char *why, size_t len);

/*
 * One map as a group: name, paths (mem holds n entries, filled here),
 * margin = usable paths - 1, nominal = paths - 1, unknown while a path's
 * state is unknown.  reason (len bytes) is the group's reason.
 */
void mpath_map_eval(const char *name, const struct mpath_path *paths, size_t n,
		    struct redmon_group *g, struct redmon_member *mem, char *reason, size_t len);

/*
 * The map's hidden single points of failure into out (cleared first): a map
 * of one path ("one path only, sdc": nothing shares a load it cannot carry),
 * or paths all behind one HBA (../lib/spof.h, from the paths' sysfs links
 * under root_fd).
 */
void mpath_map_spof(int root_fd, const struct mpath_path *paths, size_t n,
		    struct spof_reasons *out);

#endif
