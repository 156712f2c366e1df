/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading /sys/fs/btrfs under a probe's root into struct btrfs_fs.  No
 * logging: a filesystem or device that cannot be read carries its reason.
 */
#ifndef REDMON_PLUGINS_BTRFS_READ_H
#define REDMON_PLUGINS_BTRFS_READ_H

#include "../lib/fdcache.h"
#include "../lib/spof.h"
#include "../lib/strbuf.h"
#include "btrfs_fs.h"
#include "btrfs_task.h"

#define BTRFS_SYSFS "sys/fs/btrfs"

/* What a scan reads with: buffers kept across scans, the fd cache (or NULL). */
struct btrfs_reader {
	int root_fd;
	struct fdcache *fdc;
	struct strbuf buf;  /* an attribute's content */
	struct strbuf list; /* a directory listing */
};

/*
 * The filesystem directory names of sys/fs/btrfs, 37 bytes each (NUL
 * ended) into *ret (caller frees), sorted.  0 (none when the directory is
 * absent: btrfs not loaded), or -errno.
 */
int btrfs_list_fs(struct btrfs_reader *r, char (**ret)[BTRFS_UUID_LEN + 1], size_t *ret_n);

/*
 * Read sys/fs/btrfs/<uuid> into fs (reset first; its device array reused).
 * 0, or -ENOMEM; anything else unreadable is in fs->bad or a device's bad.
 */
int btrfs_read_fs(struct btrfs_reader *r, const char *uuid, struct btrfs_fs *fs);

/*
 * The captured command outputs of one filesystem at the top of a --root tree,
 * btrfs-scrub-status-<uuid>.txt and btrfs-replace-status-<uuid>.txt: each
 * parsed into its task, or (absent) left not running.  A file there that
 * cannot be read or parsed says so in bad (else "").
 */
void btrfs_read_tasks(struct btrfs_reader *r, const char *uuid, struct btrfs_task *scrub,
		      struct btrfs_task *replace, char *bad, size_t bad_len);

/*
 * The filesystem's hidden single points of failure into out (cleared first):
 * its devices/ entries (block device names) on one disk or one controller
 * (../lib/spof.h).  Nothing when devices/ cannot be listed.
 */
void btrfs_read_spof(struct btrfs_reader *r, const char *uuid, struct spof_reasons *out);

void btrfs_reader_free(struct btrfs_reader *r);

#endif
