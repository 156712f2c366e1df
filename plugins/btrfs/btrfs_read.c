// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading sys/fs/btrfs (Documentation/ABI/testing/sysfs-fs-btrfs) under the
 * probe's root.  A mounted filesystem is a directory named by its fsid; what
 * the probe needs of it:
 *
 *   devinfo/<devid>/missing         1 when the device is not there (degraded mount)
 *   devinfo/<devid>/replace_target  1 for the new device of a running replace
 *   devinfo/<devid>/error_stats     the five counters of `btrfs device stats`
 *   allocation/{data,metadata,system}/<profile>/total_bytes
 *                                   a profile directory per profile holding chunks
 *   exclusive_operation             "none", "balance", "device replace", ...
 *   label
 *
 * Every open goes through the fd cache and rootfs (a captured tree's links
 * stay inside it); every content is bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <redmon/grow.h>

#include "../lib/sysfs_read.h"
#include "btrfs_read.h"

#define ATTR_MAX 4096 /* error_stats is ~90 bytes; anything near this is not sysfs */

typedef char uuid_name[BTRFS_UUID_LEN + 1];

struct fs_list {
	uuid_name *v;
	size_t n, cap;
};

static int add_fs_name(void *ctx, const char *name)
{
	struct fs_list *l = ctx;

	if (!btrfs_is_uuid(strv_c(name)))
		return 0; /* "features" and whatever a later kernel adds */
	if (l->n >= 4096 || !grow_one((void **)&l->v, &l->cap, l->n, sizeof(*l->v), 8))
		return -ENOMEM;
	memcpy(l->v[l->n++], name, BTRFS_UUID_LEN + 1);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int btrfs_list_fs(struct btrfs_reader *r, uuid_name **ret, size_t *ret_n)
{
	struct fs_list l = { 0 };
	int rc = sysfs_list_dir(r->root_fd, BTRFS_SYSFS, &r->list, add_fs_name, &l);

	if (rc == -ENOENT)
		rc = 0; /* no btrfs module, nothing mounted ever: no filesystem */
	if (rc < 0) {
		free(l.v);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_name);
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

static int add_devid(void *ctx, const char *name)
{
	struct btrfs_fs *fs = ctx;
	unsigned long long id;

	if (strv_to_u64(strv_c(name), &id) < 0)
		return 0; /* not a devid: not ours to read */
	return btrfs_fs_add_dev(fs, id) ? 0 : -ENOMEM;
}

static int cmp_devid(const void *a, const void *b)
{
	const struct btrfs_dev *x = a, *y = b;

	return (x->devid > y->devid) - (x->devid < y->devid);
}

struct profile_ctx {
	struct btrfs_reader *r;
	struct btrfs_fs *fs;
	int type;
};

/* A profile directory counts when its total_bytes says it holds chunks. */
static int add_profile(void *ctx, const char *name)
{
	struct profile_ctx *c = ctx;
	struct sysfs_dir d = {
		.root_fd = c->r->root_fd, .fdc = c->r->fdc, .buf = &c->r->buf, .max = 64
	};
	unsigned long long bytes;
	struct strv v;
	int margin, i = btrfs_profile(strv_c(name), &margin);

	if (i < 0)
		return 0; /* an attribute of the type directory (bytes_used, flags, ...) */
	if (sysfs_dir_at(&d, BTRFS_SYSFS "/%s/allocation/%s/%s", c->fs->uuid,
			 btrfs_type_names[c->type], name) < 0 ||
	    sysfs_read(&d, "total_bytes", 0, &v) < 0 || strv_to_u64(strv_trim(v), &bytes) < 0)
		bytes = 1; /* there, unreadable: count it rather than miss a weak profile */
	if (bytes > 0)
		c->fs->profiles[c->type] |= 1u << i;
	return 0;
}

static void say(char *buf, size_t len, const char *what, int e)
{
	char why[96];

	snprintf(buf, len, "%s: %s", what, sysfs_strerror(e, why, sizeof(why)));
}

static void read_dev(struct btrfs_reader *r, const char *uuid, struct btrfs_dev *dev)
{
	struct sysfs_dir d = {
		.root_fd = r->root_fd, .fdc = r->fdc, .buf = &r->buf, .max = ATTR_MAX
	};
	struct strv v;
	int rc;

	if (sysfs_dir_at(&d, BTRFS_SYSFS "/%s/devinfo/%llu", uuid, dev->devid) < 0) {
		snprintf(dev->bad, sizeof(dev->bad), "path too long");
		return;
	}
	rc = sysfs_read(&d, "missing", 0, &v);
	if (rc == 0)
		rc = btrfs_parse_bool(v, &dev->missing);
	if (rc < 0) {
		say(dev->bad, sizeof(dev->bad), "devinfo missing", rc);
		return;
	}
	if (sysfs_read(&d, "replace_target", 0, &v) == 0)
		(void)btrfs_parse_bool(v, &dev->replace_target); /* absent before 5.x: no */
	rc = sysfs_read(&d, "error_stats", 0, &v);
	if (rc == 0)
		rc = btrfs_parse_error_stats(v, dev->errs);
	if (rc == 0)
		dev->errs_known = true;
	else if (rc != -ENOENT) /* before 5.14 there is none: counters not known */
		say(dev->bad, sizeof(dev->bad), "devinfo error_stats", rc);
}

static void read_texts(struct btrfs_reader *r, struct btrfs_fs *fs)
{
	struct sysfs_dir d = {
		.root_fd = r->root_fd, .fdc = r->fdc, .buf = &r->buf, .max = 256, .cut_ok = true
	};
	struct strv v;

	if (sysfs_dir_at(&d, BTRFS_SYSFS "/%s", fs->uuid) < 0)
		return;
	if (sysfs_read(&d, "label", 0, &v) == 0)
		strv_copy_printable(strv_trim(v), fs->label, sizeof(fs->label));
	if (sysfs_read(&d, "exclusive_operation", 0, &v) == 0)
		strv_copy_printable(strv_trim(v), fs->exclop, sizeof(fs->exclop));
}

int btrfs_read_fs(struct btrfs_reader *r, const char *uuid, struct btrfs_fs *fs)
{
	char path[128];
	int rc;

	btrfs_fs_reset(fs);
	snprintf(fs->uuid, sizeof(fs->uuid), "%s", uuid);
	read_texts(r, fs);
	snprintf(path, sizeof(path), BTRFS_SYSFS "/%s/devinfo", uuid);
	rc = sysfs_list_dir(r->root_fd, path, &r->list, add_devid, fs);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		say(fs->bad, sizeof(fs->bad), "devinfo", rc);
		return 0;
	}
	if (fs->n_dev == 0)
		snprintf(fs->bad, sizeof(fs->bad), "devinfo lists no device");
	if (fs->n_dev > 1) /* members in devid order (qsort of no array is undefined) */
		qsort(fs->dev, fs->n_dev, sizeof(*fs->dev), cmp_devid);
	for (size_t i = 0; i < fs->n_dev; i++)
		read_dev(r, uuid, &fs->dev[i]);
	for (int t = 0; t < BTRFS_NTYPES; t++) {
		struct profile_ctx c = { .r = r, .fs = fs, .type = t };

		snprintf(path, sizeof(path), BTRFS_SYSFS "/%s/allocation/%s", uuid,
			 btrfs_type_names[t]);
		rc = sysfs_list_dir(r->root_fd, path, &r->list, add_profile, &c);
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0 && !fs->bad[0]) {
			snprintf(path, sizeof(path), "allocation/%s", btrfs_type_names[t]);
			say(fs->bad, sizeof(fs->bad), path, rc);
		}
	}
	return 0;
}

/* One captured text through its parser; the file's problem into bad. */
static void read_task(struct btrfs_reader *r, const char *tool, const char *uuid,
		      struct btrfs_task *t, char *bad, size_t bad_len)
{
	struct sysfs_dir d = { .root_fd = r->root_fd, .buf = &r->buf, .max = 64 * 1024 };
	struct strv v;
	char why[96];
	int rc;

	*t = (struct btrfs_task){ .progress = -1 };
	(void)sysfs_dir_at(&d, ".");
	rc = sysfs_read3(&d, tool, uuid, ".txt", 0, &v);
	if (rc == -ENOENT)
		return;
	if (rc == 0 && strcmp(tool, "btrfs-scrub-status-") == 0)
		rc = btrfs_parse_scrub_status(v, uuid, t);
	else if (rc == 0)
		rc = btrfs_parse_replace_status(v, t);
	if (rc < 0 && !bad[0])
		snprintf(bad, bad_len, "%s: %s", sysfs_name(&d),
			 rc == -ENOENT ? "names another filesystem"
				       : sysfs_strerror(rc, why, sizeof(why)));
}

void btrfs_read_tasks(struct btrfs_reader *r, const char *uuid, struct btrfs_task *scrub,
		      struct btrfs_task *replace, char *bad, size_t bad_len)
{
	bad[0] = '\0';
	read_task(r, "btrfs-scrub-status-", uuid, scrub, bad, bad_len);
	read_task(r, "btrfs-replace-status-", uuid, replace, bad, bad_len);
}

/* Devices of one filesystem checked for a shared disk or controller, at most. */
#define SPOF_DEVS_MAX 64

struct dev_names {
	char v[SPOF_DEVS_MAX][SPOF_NAME_MAX];
	const char *p[SPOF_DEVS_MAX];
	size_t n;
};

/* One entry of devices/: a block device name (its link is never followed here). */
static int add_dev_name(void *ctx, const char *name)
{
	struct dev_names *l = ctx;

	if (l->n == SPOF_DEVS_MAX || !spof_name_ok(name))
		return 0;
	memcpy(l->v[l->n], name, strlen(name) + 1);
	l->p[l->n] = l->v[l->n];
	l->n++;
	return 0;
}

void btrfs_read_spof(struct btrfs_reader *r, const char *uuid, struct spof_reasons *out)
{
	struct dev_names l;
	char path[96];

	spof_reasons_clear(out);
	l.n = 0;
	snprintf(path, sizeof(path), BTRFS_SYSFS "/%s/devices", uuid);
	if (sysfs_list_dir(r->root_fd, path, &r->list, add_dev_name, &l) < 0 || l.n < 2)
		return;
	spof_check_disks(r->root_fd, l.p, l.n, out);
}

void btrfs_reader_free(struct btrfs_reader *r)
{
	if (!r)
		return;
	strbuf_free(&r->buf);
	strbuf_free(&r->list);
}
