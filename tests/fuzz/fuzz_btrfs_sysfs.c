// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the /sys/fs/btrfs reader and the rules of a filesystem's
 * group (plugins/btrfs/btrfs_read.c, btrfs_fs.c), with the captured scrub and
 * replace texts at the top of the tree (btrfs_task.c), on a tree built from
 * the input (format: fuzz_hwmon_tree.c).  Seeds: the trees of
 * tests/captures/btrfs in that format.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/btrfs/btrfs_read.h"
#include "fuzz_hwmon_tree.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct redmon_member m[BTRFS_MAX_DEVS];
static char names[BTRFS_MAX_DEVS][32], mreason[BTRFS_MAX_DEVS][256];

/* What must hold of every group, whatever the tree. */
static void check(const struct btrfs_fs *fs, const struct redmon_group *g, const char *reason)
{
	bool unreadable = fs->bad[0] != '\0';

	if (g->n_members != fs->n_dev || g->members_ok > g->members_total ||
	    strlen(reason) >= 1024 || g->margin_nominal < 0 || g->margin_nominal > 3)
		abort();
	for (size_t i = 0; i < fs->n_dev; i++) {
		/* A replace target does not count yet: its counters do not touch the margin. */
		unreadable |=
			fs->dev[i].bad[0] && !fs->dev[i].missing && !fs->dev[i].replace_target;
		if (!g->members[i].name || g->members[i].role >= REDMON_ROLE_COUNT_)
			abort();
	}
	/* A counted device or the filesystem unreadable never leaves the margin known. */
	if (unreadable && g->margin != REDMON_MARGIN_UNKNOWN)
		abort();
	if (g->margin != REDMON_MARGIN_UNKNOWN && g->margin > g->margin_nominal)
		abort();
	if (g->progress != -1 && !(g->progress >= 0 && g->progress <= 100))
		abort();
}

static void one_fs(struct btrfs_reader *r, const char *uuid, struct btrfs_fs *fs,
		   const struct btrfs_seen *seen, size_t n_seen)
{
	struct btrfs_task scrub, replace;
	struct redmon_group g;
	char reason[1024], bad[256];

	if (btrfs_read_fs(r, uuid, fs) < 0)
		return;
	btrfs_fs_group(fs, seen, n_seen, &g, m, names[0], sizeof(names[0]), reason, sizeof(reason),
		       mreason[0], sizeof(mreason[0]));
	btrfs_read_tasks(r, uuid, &scrub, &replace, bad, sizeof(bad));
	btrfs_task_apply(&scrub, &replace, &g);
	check(fs, &g, reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btrfs_reader r = { 0 };
	struct btrfs_fs fs = { 0 };
	char(*uuids)[BTRFS_UUID_LEN + 1] = NULL;
	/* Baselines of zero for devids 1 and 2 of any filesystem: rises are reasons. */
	struct btrfs_seen seen[2] = { { .devid = 1 }, { .devid = 2 } };
	size_t n = 0;

	r.root_fd = tree_build(data, size);
	if (r.root_fd >= 0 && btrfs_list_fs(&r, &uuids, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			memcpy(seen[0].uuid, uuids[i], sizeof(seen[0].uuid));
			memcpy(seen[1].uuid, uuids[i], sizeof(seen[1].uuid));
			one_fs(&r, uuids[i], &fs, seen, 2);
		}
		free(uuids);
	}
	btrfs_fs_free(&fs);
	btrfs_reader_free(&r);
	tree_drop(r.root_fd);
	return 0;
}
