// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `zpool status -j` (OpenZFS 2.3+, zpool-status(8)): {"pools": {NAME:
 * {"state", "vdevs": {NAME: {"vdevs": {top-level...}}}, "logs", "l2cache",
 * "spares", "special", "dedup", "scan_stats", "error_count"}}}.  Each vdev
 * has "name", "vdev_type", "state", "path" and, when interior, "vdevs".
 * The tree is flattened into the same depth-first list the text parser
 * makes (zfs.h), so one set of rules reads both.  Values are strings unless
 * --json-int; both are taken.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zfs.h"
#include "../lib/strbuf.h"

#define MAX_DEPTH 8

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void copy(const char *s, char *dst, size_t cap)
{
	strv_copy_printable(strv_c(s), dst, cap);
}

static int add_vdevs(struct zfs_pool *p, const json_t *vdevs, int depth, enum zfs_class cls);

static int add_vdev(struct zfs_pool *p, const char *key, const json_t *v, int depth,
		    enum zfs_class cls)
{
	struct zfs_dev *d;

	if (!json_is_object(v) || depth > MAX_DEPTH)
		return -EINVAL;
	d = zfs_dev_add(p);
	if (!d)
		return -E2BIG;
	d->depth = depth;
	d->cls = cls;
	copy(str_of(v, "name")[0] ? str_of(v, "name") : key, d->name, sizeof(d->name));
	copy(str_of(v, "state"), d->state, sizeof(d->state));
	if (strcmp(d->state, "HEALTHY") == 0) /* the man page's example spells ONLINE so */
		snprintf(d->state, sizeof(d->state), "ONLINE");
	copy(str_of(v, "path"), d->path, sizeof(d->path));
	return add_vdevs(p, json_object_get(v, "vdevs"), depth + 1, cls);
}

static int add_vdevs(struct zfs_pool *p, const json_t *vdevs, int depth, enum zfs_class cls)
{
	const char *key;
	json_t *v;
	int rc;

	if (!vdevs)
		return 0;
	if (!json_is_object(vdevs))
		return -EINVAL;
	json_object_foreach((json_t *)vdevs, key, v)
	{
		rc = add_vdev(p, key, v, depth, cls);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A number as zpool -j prints it: a string ("0", "4K"), or an integer with --json-int. */
static void num_text(const json_t *v, char *dst, size_t cap)
{
	if (json_is_integer(v))
		snprintf(dst, cap, "%lld", (long long)json_integer_value(v));
	else
		copy(json_is_string(v) ? json_string_value(v) : "", dst, cap);
}

/*
 * A finished scrub's end_time and what it repaired or could not
 * (scan_status_nvlist() in zpool_main.c: "function" SCRUB, "state"
 * FINISHED; a canceled one is no scrub completed).
 */
static void add_scrub_done(struct zfs_pool *p, const json_t *scan)
{
	char end[64], processed[32], errors[32];
	unsigned long long n;
	char *e;

	num_text(json_object_get(scan, "end_time"), end, sizeof(end));
	num_text(json_object_get(scan, "processed"), processed, sizeof(processed));
	num_text(json_object_get(scan, "errors"), errors, sizeof(errors));
	errno = 0;
	n = strtoull(errors, &e, 10);
	if (errno || *e || e == errors || zfs_parse_date(end, &p->scrub_end) < 0) {
		p->scrub_end = 0;
		return;
	}
	zfs_scrub_found(processed, n, p->scrub_found, sizeof(p->scrub_found));
}

static void add_scan(struct zfs_pool *p, const json_t *scan)
{
	const char *fn = str_of(scan, "function"), *st = str_of(scan, "state");

	if (strcmp(fn, "SCRUB") == 0 && strcmp(st, "FINISHED") == 0)
		add_scrub_done(p, scan);
	if (strcmp(st, "SCANNING") != 0)
		return;
	p->scan = strcmp(fn, "RESILVER") == 0 ? ZFS_SCAN_RESILVER
		  : strcmp(fn, "SCRUB") == 0  ? ZFS_SCAN_SCRUB
					      : ZFS_SCAN_NONE;
}

static int add_pool(struct zfs_result *ret, const char *key, const json_t *o)
{
	static const struct {
		const char *key;
		enum zfs_class cls;
	} classes[] = { { "logs", ZFS_LOG },
			{ "l2cache", ZFS_CACHE },
			{ "spares", ZFS_SPARE },
			{ "special", ZFS_SPECIAL },
			{ "dedup", ZFS_DEDUP } };
	struct zfs_pool *p;
	const json_t *root;
	const char *errs;
	int rc;

	if (!json_is_object(o))
		return -EINVAL;
	p = zfs_pool_add(ret);
	if (!p)
		return -E2BIG;
	p->detail = ZFS_SRC_STATUS;
	copy(str_of(o, "name")[0] ? str_of(o, "name") : key, p->name, sizeof(p->name));
	copy(str_of(o, "state"), p->state, sizeof(p->state));
	root = json_object_get(json_object_get(o, "vdevs"), key);
	rc = add_vdevs(p, json_object_get(root, "vdevs"), 1, ZFS_DATA);
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]) && rc == 0; i++)
		rc = add_vdevs(p, json_object_get(o, classes[i].key), 1, classes[i].cls);
	add_scan(p, json_object_get(o, "scan_stats"));
	errs = str_of(o, "error_count");
	if (errs[0] && strcmp(errs, "0") != 0)
		snprintf(p->errors, sizeof(p->errors), "%.32s data errors", errs);
	return rc;
}

int zfs_parse_status_json(const char *buf, size_t len, struct zfs_result *ret, char *err,
			  size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je), *pools;
	const char *key;
	json_t *o;
	int rc = 0;

	pools = json_object_get(doc, "pools");
	if (!json_is_object(pools)) {
		snprintf(err, errlen, "%s",
			 doc ? "no \"pools\" object: not zpool status -j output" : "not JSON");
		json_decref(doc);
		return -EINVAL;
	}
	json_object_foreach(pools, key, o)
	{
		rc = add_pool(ret, key, o);
		if (rc < 0) {
			snprintf(err, errlen, "pool %.64s: %s", key,
				 rc == -E2BIG ? "too many vdevs" : "not understood");
			break;
		}
	}
	json_decref(doc);
	return rc < 0 ? rc : zfs_result_check(ret, err, errlen);
}
