/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * md sysfs reader: see md_sysfs.h.
 *
 * Per array, under sys/block/<md>/md/:
 *   level           "raid1"; empty when none is set; a bare number when no
 *                   name was given (md.c level_show)
 *   array_state     clear inactive suspended readonly read-auto clean active
 *                   write-pending active-idle broken (md.c array_state_show)
 *   raid_disks      "4", "4 (3)" while a reshape changes the count, empty for 0
 *   degraded, sync_action, sync_completed ("a / b" sectors, none, delayed)
 *   layout          raid10 geometry
 *   metadata_version "1.2", "external:imsm", "external:/md127/0", "none"
 *   dev-<bdev>/     one per member: state (comma-separated words), slot
 *   rd<N>           symlink to dev-<bdev> for each member in slot N (a
 *                   regular file holding "dev-<bdev>" in some captures)
 */
#include "md_sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct reader {
	int root_fd;
	struct md_fdcache *fdc;
	struct md_buf *buf;
	struct md_array *a;
	char path[320];
};

int md_sysfs_parse_int(struct md_str s, int min, int max, int *ret)
{
	long long v;

	if (md_str_to_long(md_str_trim(s), min, max, &v) < 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int md_sysfs_parse_array_state(struct md_str s, enum md_run *ret_run, bool *ret_read_only)
{
	static const struct {
		const char *word;
		enum md_run run;
		bool ro;
	} states[] = {
		{ "clear", MD_RUN_INACTIVE, false },	 { "inactive", MD_RUN_INACTIVE, false },
		{ "suspended", MD_RUN_ACTIVE, false },	 { "readonly", MD_RUN_ACTIVE, true },
		{ "read-auto", MD_RUN_ACTIVE, true },	 { "clean", MD_RUN_ACTIVE, false },
		{ "active", MD_RUN_ACTIVE, false },	 { "write-pending", MD_RUN_ACTIVE, false },
		{ "active-idle", MD_RUN_ACTIVE, false }, { "broken", MD_RUN_BROKEN, false },
	};
	size_t i;

	s = md_str_trim(s);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (md_str_eq(s, states[i].word)) {
			*ret_run = states[i].run;
			*ret_read_only = states[i].ro;
			return 0;
		}
	}
	return -EINVAL;
}

int md_sysfs_parse_raid_disks(struct md_str s, int *ret)
{
	struct md_str rest = md_str_trim(s), tok, extra;

	if (rest.n == 0) { /* raid_disks_show prints nothing for 0 */
		*ret = 0;
		return 0;
	}
	if (!md_str_next_token(&rest, &tok))
		return -EINVAL;
	/* "4 (3)": new count, then the count before the reshape. */
	if (md_str_next_token(&rest, &extra)) {
		int prev;

		if (extra.n < 3 || extra.p[0] != '(' || extra.p[extra.n - 1] != ')' ||
		    md_sysfs_parse_int(md_str_make(extra.p + 1, extra.n - 2), 0, MD_MAX_SLOTS,
				       &prev) < 0 ||
		    md_str_next_token(&rest, &extra))
			return -EINVAL;
	}
	return md_sysfs_parse_int(tok, 0, MD_MAX_SLOTS, ret);
}

int md_sysfs_parse_sync_action(struct md_str s, enum redmon_activity *ret)
{
	static const struct {
		const char *word;
		enum redmon_activity act;
	} actions[] = {
		{ "idle", REDMON_ACTIVITY_NONE },	{ "frozen", REDMON_ACTIVITY_NONE },
		{ "resync", REDMON_ACTIVITY_RESYNC },	{ "recover", REDMON_ACTIVITY_RECOVERY },
		{ "reshape", REDMON_ACTIVITY_RESHAPE }, { "check", REDMON_ACTIVITY_CHECK },
		{ "repair", REDMON_ACTIVITY_REPAIR },
	};
	size_t i;

	s = md_str_trim(s);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (md_str_eq(s, actions[i].word)) {
			*ret = actions[i].act;
			return 0;
		}
	}
	return -EINVAL;
}

int md_sysfs_parse_sync_completed(struct md_str s, double *ret_progress, bool *ret_delayed)
{
	struct md_str rest = md_str_trim(s), ta, slash, tb;
	unsigned long long a, b;
	double pct;

	if (md_str_eq(rest, "none")) {
		*ret_progress = -1;
		*ret_delayed = false;
		return 0;
	}
	if (md_str_eq(rest, "delayed")) {
		*ret_progress = -1;
		*ret_delayed = true;
		return 0;
	}
	/* sync_completed_show: "%llu / %llu\n" */
	if (!md_str_next_token(&rest, &ta) || !md_str_next_token(&rest, &slash) ||
	    !md_str_next_token(&rest, &tb) || md_str_next_token(&rest, &slash) ||
	    !md_str_eq(slash, "/") || md_str_to_u64(ta, &a) < 0 || md_str_to_u64(tb, &b) < 0)
		return -EINVAL;
	if (b == 0) {
		pct = -1;
	} else {
		/* Rounded down to 0.1 like status_resync()'s per_milli. */
		pct = floor((double)a * 1000.0 / (double)b) / 10.0;
		if (pct > 100.0)
			pct = 100.0;
	}
	*ret_progress = pct;
	*ret_delayed = false;
	return 0;
}

int md_sysfs_parse_dev_state(struct md_str s, unsigned int *ret_flags)
{
	/* state_show() in drivers/md/md.c; "writemostly" is an older spelling. */
	static const struct {
		const char *word;
		unsigned int flag;
	} words[] = {
		{ "faulty", MD_DEV_FAULTY },
		{ "in_sync", MD_DEV_IN_SYNC },
		{ "spare", MD_DEV_SPARE },
		{ "write_mostly", MD_DEV_WRITE_MOSTLY },
		{ "writemostly", MD_DEV_WRITE_MOSTLY },
		{ "journal", MD_DEV_JOURNAL },
		{ "replacement", MD_DEV_REPLACEMENT },
		{ "want_replacement", MD_DEV_WANT_REPLACEMENT },
		{ "blocked", MD_DEV_BLOCKED },
		{ "write_error", MD_DEV_WRITE_ERROR },
	};
	struct md_str rest = md_str_trim(s);
	unsigned int flags = 0;
	size_t i;

	if (!md_str_is_graph(rest) && rest.n > 0)
		return -EINVAL;
	while (rest.n > 0) {
		const char *comma = memchr(rest.p, ',', rest.n);
		struct md_str w = md_str_make(rest.p, comma ? (size_t)(comma - rest.p) : rest.n);

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (md_str_eq(w, words[i].word))
				flags |= words[i].flag;
		if (!comma)
			break;
		rest = md_str_make(comma + 1, rest.n - w.n - 1);
	}
	*ret_flags = flags;
	return 0;
}

int md_sysfs_parse_slot(struct md_str s, int *ret_slot)
{
	s = md_str_trim(s);
	if (md_str_eq(s, "none") || md_str_eq(s, "journal")) {
		*ret_slot = -1;
		return 0;
	}
	return md_sysfs_parse_int(s, 0, MD_MAX_SLOTS - 1, ret_slot);
}

int md_sysfs_parse_layout(struct md_str s, int *ret_near, int *ret_far, bool *ret_offset)
{
	long long layout;
	int near, far;

	if (md_str_to_long(md_str_trim(s), 0, 0x7fffffff, &layout) < 0)
		return -EINVAL;
	/* setup_geo(): near in bits 0-7, far in 8-15, offset bit 16; >> 19 is invalid. */
	near = (int)(layout & 0xff);
	far = (int)((layout >> 8) & 0xff);
	if (near < 1 || far < 1 || (layout >> 19) != 0)
		return -EINVAL;
	*ret_near = near;
	*ret_far = far;
	*ret_offset = (layout & 0x10000) != 0;
	return 0;
}

/* Build "sys/block/<md>/md/<rel>" into r->path. */
static int make_path(struct reader *r, const char *rel)
{
	int n = snprintf(r->path, sizeof(r->path), "sys/block/%s/md%s%s", r->a->name,
			 rel[0] ? "/" : "", rel);

	return (n < 0 || (size_t)n >= sizeof(r->path)) ? -ENAMETOOLONG : 0;
}

/*
 * Read one attribute into r->buf.  Returns 0, -ENOENT when it does not
 * exist, or another -errno.  Over-long content counts as garbage (-EINVAL).
 */
static int read_attr(struct reader *r, const char *rel, unsigned int flags)
{
	bool truncated;
	int e;

	e = make_path(r, rel);
	if (e < 0)
		return e;
	e = md_fdc_read(r->fdc, r->root_fd, r->path, flags, r->buf, MD_ATTR_MAX, &truncated);
	if (e == 0 && truncated)
		return -EFBIG;
	return e;
}

static struct md_str buf_str(const struct reader *r)
{
	return md_str_make(r->buf->p, r->buf->len);
}

static void attr_error(struct reader *r, const char *rel, int e)
{
	char why[96];

	if (e == -EINVAL)
		snprintf(why, sizeof(why), "content not understood");
	else if (e == -EFBIG)
		snprintf(why, sizeof(why), "content too long");
	else
		snprintf(why, sizeof(why), "%s", strerror_r(-e, (char[64]){ 0 }, 64));
	md_array_set_error(r->a, "sysfs %s unreadable: %s", rel, why);
}

/* Read and parse an optional integer attribute; absent keeps *ret. */
static void read_int_attr(struct reader *r, const char *rel, unsigned int flags, int min, int max,
			  int *ret)
{
	int e = read_attr(r, rel, flags);

	if (e == -ENOENT)
		return;
	if (e == 0)
		e = md_sysfs_parse_int(buf_str(r), min, max, ret);
	if (e < 0)
		attr_error(r, rel, e);
}

static void read_level(struct reader *r, bool *ret_present)
{
	int e = read_attr(r, "level", 0);

	*ret_present = e != -ENOENT;
	if (e == -ENOENT)
		return;
	if (e < 0) {
		attr_error(r, "level", e);
		return;
	}
	r->a->level = md_level_parse(buf_str(r));
	md_str_copy_safe(md_str_trim(buf_str(r)), r->a->level_text, sizeof(r->a->level_text));
}

static void read_array_state(struct reader *r, bool *ret_present)
{
	int e = read_attr(r, "array_state", MD_FDC_NOTIFY);

	*ret_present = e != -ENOENT;
	if (e == 0)
		e = md_sysfs_parse_array_state(buf_str(r), &r->a->run, &r->a->read_only);
	if (e < 0 && e != -ENOENT)
		attr_error(r, "array_state", e);
}

/* metadata_version "external:imsm" (not "external:/md127/0"): a container's. */
static void read_metadata(struct reader *r)
{
	struct md_str v;
	int e = read_attr(r, "metadata_version", 0);

	if (e < 0)
		return; /* only used to recognise containers */
	v = md_str_trim(buf_str(r));
	if (md_str_starts(v, "external:") && v.n > 9 && v.p[9] != '/' && v.p[9] != '-')
		r->a->ext_container = true;
}

static void read_sync(struct reader *r)
{
	bool delayed = false;
	double pct = -1;
	int e;

	e = read_attr(r, "sync_action", MD_FDC_NOTIFY);
	if (e == 0)
		e = md_sysfs_parse_sync_action(buf_str(r), &r->a->activity);
	if (e < 0 && e != -ENOENT) {
		attr_error(r, "sync_action", e);
		return;
	}
	/* Not sysfs_notify()ed on every kernel: read, but not worth a watch. */
	e = read_attr(r, "sync_completed", 0);
	if (e == 0)
		e = md_sysfs_parse_sync_completed(buf_str(r), &pct, &delayed);
	if (e < 0)
		return; /* progress is optional: mdstat may fill it in */
	if (delayed && r->a->activity != REDMON_ACTIVITY_NONE)
		r->a->activity = REDMON_ACTIVITY_DELAYED;
	else if (r->a->activity != REDMON_ACTIVITY_NONE)
		r->a->progress = pct;
}

static void read_layout(struct reader *r)
{
	int e = read_attr(r, "layout", 0);

	if (e == -ENOENT)
		return; /* raid10 default: near-2, assumed by the rules */
	if (e == 0)
		e = md_sysfs_parse_layout(buf_str(r), &r->a->r10_near, &r->a->r10_far,
					  &r->a->r10_offset);
	if (e < 0) {
		attr_error(r, "layout", e);
		return;
	}
	r->a->r10_known = true;
}

static struct md_dev *find_dev(struct md_array *a, struct md_str name)
{
	size_t i;

	for (i = 0; i < a->n_devs; i++)
		if (md_str_eq(name, a->devs[i].name))
			return &a->devs[i];
	return NULL;
}

/*
 * Read dev-<name>/state and slot.  Returns false when the device vanished.
 * *ret_slot_file tells whether a slot file answered (even "none").
 */
static bool read_dev(struct reader *r, struct md_dev *d, bool *ret_slot_file)
{
	char rel[MD_DEV_NAME_MAX + 16];
	int e, slot;

	*ret_slot_file = false;
	snprintf(rel, sizeof(rel), "dev-%s/state", d->name);
	e = read_attr(r, rel, MD_FDC_NOTIFY);
	if (e == -ENOENT)
		return false; /* hot-removed since the directory was listed */
	if (e == 0)
		e = md_sysfs_parse_dev_state(buf_str(r), &d->flags);
	if (e < 0) {
		attr_error(r, rel, e);
		return true;
	}
	md_str_copy_safe(md_str_trim(buf_str(r)), d->state, sizeof(d->state));

	snprintf(rel, sizeof(rel), "dev-%s/slot", d->name);
	e = read_attr(r, rel, 0);
	if (e == -ENOENT)
		return true; /* very old kernels: rdN links tell the slot */
	if (e == 0)
		e = md_sysfs_parse_slot(buf_str(r), &slot);
	if (e < 0) {
		attr_error(r, rel, e);
		return true;
	}
	d->slot = slot;
	*ret_slot_file = true;
	r->a->dev_slots_known = true;
	return true;
}

/*
 * rd<N> -> dev-<name>: a symlink on a real kernel (md.c sysfs_link_rdev), a
 * regular file holding the target in some captures.  Fills *ret_target.
 */
static int read_rd(struct reader *r, int dfd, const char *entry, struct md_str *ret_target)
{
	char *lnk = r->path; /* free again: reuse as the link buffer */
	struct md_str t;
	ssize_t n;
	int e;

	n = readlinkat(dfd, entry, lnk, sizeof(r->path) - 1);
	if (n >= 0) {
		if ((size_t)n >= sizeof(r->path) - 1)
			return -EFBIG;
		t = md_str_make(lnk, (size_t)n);
	} else if (errno == EINVAL) {
		e = read_attr(r, entry, 0);
		if (e < 0)
			return e;
		t = md_str_trim(buf_str(r));
	} else {
		return -errno;
	}
	/* Keep the last path component: "../dev-sdb" or "dev-sdb". */
	for (size_t i = t.n; i > 0; i--) {
		if (t.p[i - 1] == '/') {
			t = md_str_make(t.p + i, t.n - i);
			break;
		}
	}
	if (!md_str_starts(t, "dev-") || t.n == 4)
		return -EINVAL;
	*ret_target = md_str_make(t.p + 4, t.n - 4);
	return 0;
}

static bool rd_slot(const char *name, int *ret)
{
	struct md_str s = md_str_c(name);

	return md_str_starts(s, "rd") &&
	       md_sysfs_parse_int(md_str_make(s.p + 2, s.n - 2), 0, MD_MAX_SLOTS - 1, ret) == 0;
}

static int cmp_dev(const void *x, const void *y)
{
	const struct md_dev *a = x, *b = y;
	unsigned int sa = (unsigned int)a->slot, sb = (unsigned int)b->slot; /* -1 last */

	if (sa != sb)
		return sa < sb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* List dev-* (first pass) and rd* (second pass) of the array's md directory. */
static int read_devs(struct reader *r)
{
	struct md_array *a = r->a;
	struct dirent *de;
	struct md_dev *d;
	DIR *dir;
	int dfd, e, slot;
	size_t i, k;

	e = make_path(r, "");
	if (e < 0)
		return e;
	dfd = openat(r->root_fd, r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	dir = fdopendir(dfd);
	if (!dir) {
		e = -errno;
		close(dfd);
		return e;
	}
	while ((de = readdir(dir))) {
		struct md_str nm = md_str_c(de->d_name);

		if (!md_str_starts(nm, "dev-") || nm.n == 4)
			continue;
		if (nm.n - 4 >= MD_DEV_NAME_MAX || !md_str_is_graph(nm)) {
			md_array_set_error(a, "sysfs device entry name not understood");
			continue;
		}
		e = md_array_add_dev(a, &d);
		if (e == -ENOMEM)
			goto out;
		if (e < 0) {
			md_array_set_error(a, "sysfs lists too many devices");
			break;
		}
		memcpy(d->name, nm.p + 4, nm.n - 4);
		d->name[nm.n - 4] = '\0';
	}
	rewinddir(dir);
	while ((de = readdir(dir))) {
		struct md_str target;

		if (!rd_slot(de->d_name, &slot))
			continue;
		e = read_rd(r, dirfd(dir), de->d_name, &target);
		if (e == -ENOENT)
			continue; /* the member left since the listing */
		if (e == -ENOMEM)
			goto out;
		if (e < 0) {
			md_array_set_error(a, "sysfs %s not understood", de->d_name);
			continue;
		}
		d = find_dev(a, target);
		if (d && d->slot < 0)
			d->slot = slot;
		a->dev_slots_known = true;
	}
	e = 0;
out:
	closedir(dir);
	if (e < 0)
		return e;

	/* Read each device; drop the ones that vanished meanwhile. */
	for (i = 0, k = 0; i < a->n_devs; i++) {
		struct md_dev tmp = a->devs[i];
		int rd_given = tmp.slot;
		bool slot_file;

		tmp.slot = -1;
		if (!read_dev(r, &tmp, &slot_file))
			continue;
		if (!slot_file)
			tmp.slot = rd_given; /* no slot file: trust the rdN link */
		a->devs[k++] = tmp;
	}
	a->n_devs = k;
	a->devs_sysfs = true;
	if (a->n_devs > 1)
		qsort(a->devs, a->n_devs, sizeof(*a->devs), cmp_dev);
	return 0;
}

/* Everything about one array; errors of content land in a->error. */
static int read_array(struct reader *r)
{
	struct md_array *a = r->a;
	bool has_level, has_state;
	int e;

	a->source = MD_SRC_SYSFS;
	read_level(r, &has_level);
	read_array_state(r, &has_state);
	if (!has_level && !has_state) {
		/* Listed a moment ago, or no md directory at all. */
		md_array_set_error(a, "array vanished while being read");
		return 0;
	}
	if (md_array_failed(a))
		return 0;
	if (!has_state) /* a partial capture: running iff it has a personality */
		a->run = a->level == MD_LEVEL_NONE ? MD_RUN_INACTIVE : MD_RUN_ACTIVE;
	if (a->level == MD_LEVEL_NONE && a->run == MD_RUN_ACTIVE)
		md_array_set_error(a, "sysfs shows a running array without a level");

	a->raid_disks = -1;
	{
		int e2 = read_attr(r, "raid_disks", 0);

		if (e2 == 0)
			e2 = md_sysfs_parse_raid_disks(buf_str(r), &a->raid_disks);
		if (e2 < 0 && e2 != -ENOENT)
			attr_error(r, "raid_disks", e2);
	}
	if (a->level == MD_LEVEL_NONE || a->level == MD_LEVEL_CONTAINER) {
		read_metadata(r);
		if (a->level == MD_LEVEL_CONTAINER ||
		    (a->ext_container && a->run != MD_RUN_ACTIVE)) {
			a->container = true;
			return 0; /* not a redundancy group: nothing more to read */
		}
	}
	if (a->run == MD_RUN_ACTIVE && md_level_has_slots(a->level)) {
		read_int_attr(r, "degraded", MD_FDC_NOTIFY, 0, MD_MAX_SLOTS, &a->degraded);
		read_sync(r);
	}
	if (a->level == MD_LEVEL_RAID10)
		read_layout(r);

	e = read_devs(r);
	if (e == -ENOMEM)
		return e;
	if (e == -ENOENT)
		md_array_set_error(a, "array vanished while being read");
	else if (e < 0)
		attr_error(r, "directory", e);
	return 0;
}

/* md_seq_show() prints an array only with a personality, slots or devices. */
static bool worth_reporting(const struct md_array *a)
{
	return md_array_failed(a) || a->run == MD_RUN_ACTIVE || a->raid_disks > 0 ||
	       a->n_devs > 0 || a->container;
}

int md_sysfs_read(int root_fd, struct md_fdcache *fdc, struct md_buf *scratch, struct md_set *set)
{
	struct reader r = { .root_fd = root_fd, .fdc = fdc, .buf = scratch };
	struct dirent *de;
	DIR *dir;
	int dfd, e = 0;

	md_set_reset(set);
	dfd = openat(root_fd, "sys/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(dfd);
	if (!dir) {
		e = -errno;
		close(dfd);
		return e;
	}
	while ((de = readdir(dir))) {
		struct md_str nm = md_str_c(de->d_name);

		if (!md_name_valid(nm))
			continue;
		e = md_set_add(set, nm, &r.a);
		if (e == -E2BIG) {
			e = 0;
			break;
		}
		if (e < 0)
			break;
		e = read_array(&r);
		if (e < 0)
			break;
		if (!worth_reporting(r.a))
			md_set_pop(set);
	}
	closedir(dir);
	if (e < 0)
		return e;
	md_set_sort(set);
	return 0;
}
