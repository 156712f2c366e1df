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
 *   sync_speed      KiB/s of the running sync, "none" when idle
 *   mismatch_cnt    sectors the last check/repair found inconsistent
 *   last_sync_action what ran last ("check", "repair", "resync", ...)
 *   layout          raid10 geometry
 *   metadata_version "1.2", "external:imsm", "external:/md127/0", "none"
 *   dev-<bdev>/     one per member: state (comma-separated words), slot
 *   rd<N>           symlink to dev-<bdev> for each member in slot N (a
 *                   regular file holding "dev-<bdev>" in some captures)
 */
#include "md_sysfs.h"

#include "../lib/rootfs.h"
#include "../lib/sysfs_read.h"
#include "redmon/fnv1a.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The optional attributes the md directory's listing showed (list_md_dir()). */
enum {
	HAS_SYNC_SPEED = 1u << 0,
	HAS_MISMATCH_CNT = 1u << 1,
	HAS_LAST_SYNC_ACTION = 1u << 2,
};

struct reader {
	struct sysfs_dir d; /* "sys/block/<md>/md/", the attribute just read in d.buf */
	struct md_sysfs_buf *b;
	struct md_array *a;
	int md_fd;    /* read_rd_slots(): the md directory, O_PATH */
	bool listed;  /* the md directory was listed: has says what is there */
	unsigned has; /* HAS_* */
	int list_err; /* the listing's error, reported by read_devs() */
	/* A full read's: the array's mdstat record (NULL: none) and its listing's key (0: none). */
	const struct md_array *st;
	uint64_t key;
};

/*
 * Whether the optional attribute (HAS_*) may be there: an old capture or
 * kernel lacks it, and trying to open a file the listing did not show costs
 * two failed opens per array and scan.
 */
static bool may_have(const struct reader *r, unsigned attr)
{
	return !r->listed || (r->has & attr);
}

static int md_sysfs_parse_int(struct strv s, int min, int max, int *ret)
{
	long long v;

	if (strv_to_ll(strv_trim(s), min, max, &v) < 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int md_sysfs_parse_array_state(struct strv s, enum md_run *ret_run, bool *ret_read_only)
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

	s = strv_trim(s);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (strv_eq(s, states[i].word)) {
			*ret_run = states[i].run;
			*ret_read_only = states[i].ro;
			return 0;
		}
	}
	return -EINVAL;
}

int md_sysfs_parse_raid_disks(struct strv s, int *ret)
{
	struct strv rest = strv_trim(s), tok, extra;
	int prev;

	if (!strv_next_token(&rest, &tok)) { /* raid_disks_show prints nothing for 0 */
		*ret = 0;
		return 0;
	}
	/* "4 (3)": new count, then the count before the reshape. */
	if (strv_next_token(&rest, &extra) &&
	    (extra.n < 3 || extra.p[0] != '(' || extra.p[extra.n - 1] != ')' ||
	     md_sysfs_parse_int(strv_make(extra.p + 1, extra.n - 2), 0, MD_MAX_SLOTS, &prev) < 0 ||
	     strv_next_token(&rest, &extra)))
		return -EINVAL;
	return md_sysfs_parse_int(tok, 0, MD_MAX_SLOTS, ret);
}

int md_sysfs_parse_sync_action(struct strv s, enum redmon_activity *ret)
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

	s = strv_trim(s);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strv_eq(s, actions[i].word)) {
			*ret = actions[i].act;
			return 0;
		}
	}
	return -EINVAL;
}

int md_sysfs_parse_sync_completed(struct strv s, double *ret_progress, bool *ret_delayed)
{
	struct strv rest = strv_trim(s), ta, slash, tb;
	unsigned long long a, b;

	if (strv_eq(rest, "none") || strv_eq(rest, "delayed")) {
		*ret_progress = -1;
		*ret_delayed = rest.p[0] == 'd';
		return 0;
	}
	/* sync_completed_show: "%llu / %llu\n" */
	if (!strv_next_token(&rest, &ta) || !strv_next_token(&rest, &slash) ||
	    !strv_next_token(&rest, &tb) || strv_next_token(&rest, &slash) ||
	    !strv_eq(slash, "/") || strv_to_u64(ta, &a) < 0 || strv_to_u64(tb, &b) < 0)
		return -EINVAL;
	/* Rounded down to 0.1 like status_resync()'s per_milli. */
	*ret_progress = b == 0 ? -1 : fmin(floor((double)a * 1000.0 / (double)b) / 10.0, 100.0);
	*ret_delayed = false;
	return 0;
}

/* A year: a slower sync has stopped for all purposes, and the product cannot overflow. */
#define MD_ETA_MAX_S (366LL * 24 * 3600)

int md_sysfs_sync_eta(struct strv completed, struct strv speed, int64_t *ret_s)
{
	struct strv rest = strv_trim(completed), ta, slash, tb, sp = strv_trim(speed), tok;
	unsigned long long done, total, kib_s, left;

	if (!strv_next_token(&rest, &ta) || !strv_next_token(&rest, &slash) ||
	    !strv_next_token(&rest, &tb) || strv_next_token(&rest, &slash) ||
	    !strv_eq(slash, "/") || strv_to_u64(ta, &done) < 0 || strv_to_u64(tb, &total) < 0 ||
	    done > total)
		return -EINVAL;
	/* "N" or, on some kernels, "N (M)"? No: one number; anything else is refused. */
	if (!strv_next_token(&sp, &tok) || strv_next_token(&sp, &tok) ||
	    strv_to_u64(tok, &kib_s) < 0 || kib_s == 0)
		return -EINVAL;
	/* sectors / 2 = KiB: the rounding up keeps a last sector from reading as done */
	left = ((total - done) / 2 + kib_s - 1) / kib_s;
	*ret_s = left > MD_ETA_MAX_S ? MD_ETA_MAX_S : (int64_t)left;
	return 0;
}

int md_sysfs_parse_mismatch_cnt(struct strv s, int64_t *ret)
{
	struct strv rest = strv_trim(s), tok;
	unsigned long long v;

	if (!strv_next_token(&rest, &tok) || strv_next_token(&rest, &tok) ||
	    strv_to_u64(tok, &v) < 0 || v > INT64_MAX)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

int md_sysfs_parse_dev_state(struct strv s, unsigned int *ret_flags)
{
	struct strv rest = strv_trim(s);
	unsigned int flags = 0;

	if (!strv_is_graph(rest) && rest.n > 0)
		return -EINVAL;
	while (rest.n > 0) {
		const char *comma = memchr(rest.p, ',', rest.n);
		struct strv w = strv_make(rest.p, comma ? (size_t)(comma - rest.p) : rest.n);

		for (size_t i = 0; i < MD_DEV_FLAG_NAMES; i++)
			if (strv_eq(w, md_dev_flag_names[i].word))
				flags |= md_dev_flag_names[i].flag;
		if (!comma)
			break;
		rest = strv_make(comma + 1, rest.n - w.n - 1);
	}
	*ret_flags = flags;
	return 0;
}

int md_sysfs_parse_slot(struct strv s, int *ret_slot)
{
	s = strv_trim(s);
	if (strv_eq(s, "none") || strv_eq(s, "journal")) {
		*ret_slot = -1;
		return 0;
	}
	return md_sysfs_parse_int(s, 0, MD_MAX_SLOTS - 1, ret_slot);
}

int md_sysfs_parse_layout(struct strv s, int *ret_near, int *ret_far, bool *ret_offset)
{
	long long layout;
	int near, far;

	if (strv_to_ll(strv_trim(s), 0, 0x7fffffff, &layout) < 0)
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

/* Record why the attribute last read failed; absent (-ENOENT) is not an error. */
static void attr_error(struct reader *r, int e)
{
	char why[96];

	if (e < 0 && e != -ENOENT)
		md_array_set_error(r->a, "sysfs %s unreadable: %s", sysfs_name(&r->d),
				   sysfs_strerror(e, why, sizeof(why)));
}

/* Whether the array's mdstat block is as at the full read that kept its listing. */
static bool block_as_listed(const struct reader *r)
{
	return r->key && r->a->list_key == r->key;
}

/*
 * The level and raid_disks of the last full read, taken when the array's
 * mdstat block is as then (the listing's key) and prints that level: 1
 * taken (neither file is read), 0 not, or -ENOMEM.
 */
static int recall_level(struct reader *r)
{
	struct md_array *a = r->a;
	const char *text;

	if (!block_as_listed(r) || a->list_level == MD_LEVEL_NONE)
		return 0;
	text = md_array_level(r->st);
	if (md_level_parse(strv_c(text)) != a->list_level)
		return 0;
	if (md_array_set_level_text(a, strv_c(text)) < 0)
		return -ENOMEM;
	a->level = a->list_level;
	a->raid_disks = a->list_raid_disks;
	return 1;
}

/*
 * How level and raid_disks are read when recall_level() could not take them:
 * once, not kept open, as they are read again only when the array's mdstat
 * block changes; but an inactive array's block prints neither, so they are
 * read at every full scan, and kept open like the attributes (a pread, not
 * an open, fstat and close each).
 */
static unsigned level_read_flags(const struct reader *r)
{
	return r->st && r->st->run == MD_RUN_INACTIVE ? 0 : FDC_ONCE;
}

/*
 * level and array_state: 1, 0 when neither is there (the array is gone), or
 * -ENOMEM.  *kept: the level (and raid_disks) came from recall_level().
 */
static int read_state(struct reader *r, bool *kept)
{
	struct md_array *a = r->a;
	struct strv v;
	int e = recall_level(r);
	bool present;

	if (e < 0)
		return e;
	*kept = e == 1;
	if (!*kept) {
		e = sysfs_read(&r->d, "level", level_read_flags(r), &v);
		attr_error(r, e);
		if (e == 0) {
			a->level = md_level_parse(v);
			if (md_array_set_level_text(a, strv_trim(v)) < 0)
				return -ENOMEM;
		}
	}
	present = *kept || e != -ENOENT; /* kept: the level file was there with the listing */
	e = sysfs_read(&r->d, "array_state", FDC_NOTIFY, &v);
	if (e == -ENOENT) /* a partial capture: running iff it has a personality */
		a->run = a->level == MD_LEVEL_NONE ? MD_RUN_INACTIVE : MD_RUN_ACTIVE;
	else if (e == 0)
		e = md_sysfs_parse_array_state(v, &a->run, &a->read_only);
	attr_error(r, e);
	return present || e != -ENOENT;
}

/*
 * What the last check or repair found, while no sync runs (a running one
 * counts afresh).  Only after a check or repair: a resync's count means
 * nothing of latent errors.  Optional: absent on raid0, linear, old captures.
 */
static void read_mismatch(struct reader *r)
{
	struct md_array *a = r->a;
	struct strv v;

	if (may_have(r, HAS_LAST_SYNC_ACTION) &&
	    sysfs_read(&r->d, "last_sync_action", 0, &v) == 0 && !strv_eq(strv_trim(v), "check") &&
	    !strv_eq(strv_trim(v), "repair"))
		return;
	if (may_have(r, HAS_MISMATCH_CNT) && sysfs_read(&r->d, "mismatch_cnt", 0, &v) == 0)
		(void)md_sysfs_parse_mismatch_cnt(v, &a->mismatch_cnt);
}

static void read_sync(struct reader *r)
{
	struct md_array *a = r->a;
	bool delayed = false;
	double pct = -1;
	char completed[64]; /* "done / total": two 20-digit numbers fit */
	struct strv v;
	int e;

	e = sysfs_read(&r->d, "sync_action", FDC_NOTIFY, &v);
	if (e == 0)
		e = md_sysfs_parse_sync_action(v, &a->activity);
	attr_error(r, e);
	if (e < 0 && e != -ENOENT)
		return;
	if (a->activity == REDMON_ACTIVITY_NONE) {
		/* sync_completed then says "none" (or a stale figure): nothing of it is used. */
		read_mismatch(r);
		return;
	}
	/* Not sysfs_notify()ed on every kernel: read, but not worth a watch. */
	if (sysfs_read(&r->d, "sync_completed", 0, &v) < 0 ||
	    md_sysfs_parse_sync_completed(v, &pct, &delayed) < 0)
		return; /* progress is optional: mdstat may fill it in */
	if (delayed) {
		a->activity = REDMON_ACTIVITY_DELAYED;
		return;
	}
	a->progress = pct;
	/*
	 * The time left at the current speed.  Optional (older captures lack
	 * sync_speed): neither its absence nor "none" is an error.  The text is
	 * copied first: the next read may reuse the buffer v points into.
	 */
	strv_copy_printable(strv_trim(v), completed, sizeof(completed));
	if (may_have(r, HAS_SYNC_SPEED) && sysfs_read(&r->d, "sync_speed", 0, &v) == 0)
		(void)md_sysfs_sync_eta(strv_c(completed), v, &a->eta_s);
}

/* Absent on raid10: the default, near-2, which the rules assume. */
static void read_layout(struct reader *r)
{
	struct md_array *a = r->a;
	struct strv v;
	int e = sysfs_read(&r->d, "layout", 0, &v);

	if (e == 0)
		e = md_sysfs_parse_layout(v, &a->r10_near, &a->r10_far, &a->r10_offset);
	a->r10_known = e == 0;
	attr_error(r, e);
}

/* A device whose slot file is absent: its rdN link, if any, tells the slot. */
#define SLOT_FROM_RD (-2)

/*
 * Read dev-<name>/state and slot.  Returns 1, 0 when the device vanished, or
 * -ENOMEM.  Without a slot file, d->slot becomes SLOT_FROM_RD.
 */
static int read_dev(struct reader *r, struct md_dev *d)
{
	struct strv v;
	int e;

	d->slot = -1;
	e = sysfs_read3(&r->d, "dev-", d->name, "/state", FDC_NOTIFY, &v);
	if (e == -ENOENT)
		return 0; /* hot-removed since the directory was listed */
	if (e == 0)
		e = md_sysfs_parse_dev_state(v, &d->flags);
	if (e < 0) {
		attr_error(r, e);
		return 1;
	}
	if (md_dev_set_state(r->a, d, strv_trim(v)) < 0)
		return -ENOMEM;

	e = sysfs_read3(&r->d, "dev-", d->name, "/slot", 0, &v);
	if (e == -ENOENT) {
		d->slot = SLOT_FROM_RD; /* very old kernels: rdN links tell the slot */
		return 1;
	}
	if (e == 0)
		e = md_sysfs_parse_slot(v, &d->slot);
	attr_error(r, e);
	r->a->dev_slots_known |= e == 0;
	return 1;
}

/*
 * rd<N> -> dev-<name>: a symlink on a real kernel (md.c sysfs_link_rdev), a
 * regular file holding the target in some captures.  The link is read as a
 * name in r->md_fd, the md directory opened in the root: only its text is
 * used, nothing is opened through it.  Fills *ret_target, which points into
 * lnk (cap bytes) or r->d.buf.
 */
static int read_rd(struct reader *r, int n, char *lnk, size_t cap, struct strv *ret_target)
{
	const char *slash;
	char num[16];
	struct strv t;
	ssize_t len;
	int e;

	snprintf(num, sizeof(num), "%d", n);
	e = sysfs_dir_path(&r->d, "rd", num, "");
	if (e < 0)
		return e;
	len = readlinkat(r->md_fd, sysfs_name(&r->d), lnk, cap);
	if (len >= 0) {
		if ((size_t)len >= cap)
			return -EFBIG;
		t = strv_make(lnk, (size_t)len);
	} else if (errno == EINVAL) {
		e = sysfs_read3(&r->d, "rd", num, "", 0, &t);
		if (e < 0)
			return e;
		t = strv_trim(t);
	} else {
		return -errno;
	}
	/* Keep the last path component: "../dev-sdb" or "dev-sdb". */
	slash = memrchr(t.p, '/', t.n);
	if (slash)
		t = strv_make(slash + 1, t.n - (size_t)(slash + 1 - t.p));
	if (!strv_starts(t, "dev-") || t.n == 4)
		return -EINVAL;
	*ret_target = strv_make(t.p + 4, t.n - 4);
	return 0;
}

static int cmp_dev(const void *x, const void *y)
{
	const struct md_dev *a = x, *b = y;
	unsigned int sa = (unsigned int)a->slot, sb = (unsigned int)b->slot; /* -1 last */

	if (sa != sb)
		return sa < sb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* One entry of an array's md directory: dev-<name> becomes a device. */
static int md_dir_entry(void *ctx, const char *name)
{
	struct reader *r = ctx;
	struct md_array *a = r->a;
	struct strv nm = strv_c(name);
	struct md_dev *d;
	int e;

	if (strv_eq(nm, "sync_speed"))
		r->has |= HAS_SYNC_SPEED;
	else if (strv_eq(nm, "mismatch_cnt"))
		r->has |= HAS_MISMATCH_CNT;
	else if (strv_eq(nm, "last_sync_action"))
		r->has |= HAS_LAST_SYNC_ACTION;
	if (!strv_starts(nm, "dev-") || nm.n == 4)
		return 0;
	if (!strv_is_graph(nm)) {
		md_array_set_error(a, "sysfs device entry name not understood");
		return 0;
	}
	if (nm.n - 4 >= MD_DEV_NAME_MAX) {
		char txt[40];

		strv_copy_printable(nm, txt, sizeof(txt));
		md_array_set_error(a,
				   "sysfs device entry \"%s...\" longer than the kernel's %d bytes",
				   txt, MD_DEV_NAME_MAX - 1);
		return 0;
	}
	e = md_array_add_dev(a, &d);
	if (e == -ENOMEM)
		return e;
	if (e < 0) {
		md_array_set_error(a, "sysfs lists too many devices");
		return 1;
	}
	memcpy(d->name, nm.p + 4, nm.n - 4);
	d->name[nm.n - 4] = '\0';
	return 0;
}

/* An rd<N> entry of the md directory: the device it names, if still without a slot, is in N. */
static int rd_entry(void *ctx, const char *name)
{
	struct reader *r = ctx;
	struct md_array *a = r->a;
	char lnk[MD_DEV_NAME_MAX + 64];
	struct strv nm = strv_c(name), target = { 0 };
	int e, slot;

	if (!strv_starts(nm, "rd") ||
	    md_sysfs_parse_int(strv_make(nm.p + 2, nm.n - 2), 0, MD_MAX_SLOTS - 1, &slot) < 0)
		return 0;
	e = read_rd(r, slot, lnk, sizeof(lnk), &target);
	if (e == -ENOMEM)
		return e;
	if (e == -ENOENT)
		return 0; /* the member left since the listing */
	if (e < 0) {
		md_array_set_error(a, "sysfs rd%d not understood", slot);
		return 0;
	}
	for (size_t j = 0; j < a->n_devs; j++) /* the device it names, by name */
		if (strv_eq(target, a->devs[j].name) && a->devs[j].slot == SLOT_FROM_RD)
			a->devs[j].slot = slot;
	a->dev_slots_known = true;
	return 0;
}

/*
 * Slots of the devices without a slot file, from the rdN entries in listing
 * order (the first naming a device wins).  Only then are the links read: with
 * slot files, as on every kernel since 2.6.19, they add nothing.
 */
static int read_rd_slots(struct reader *r)
{
	int e = sysfs_dir_path(&r->d, "", "", "");

	r->md_fd = e < 0 ? e
			 : rootfs_open_checked(r->d.root_fd, r->d.path,
					       O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->md_fd < 0)
		return r->md_fd == -ENOENT ? 0 : r->md_fd; /* the array left since the listing */
	e = sysfs_list_dir(r->d.root_fd, r->d.path, &r->b->dir, rd_entry, r);
	close(r->md_fd);
	return e == -ENOENT ? 0 : e;
}

/*
 * List the array's md directory: its dev-* become devices, and the optional
 * attributes it shows are noted (may_have()).  Listed before the attributes
 * are read; an error is kept for read_devs().
 */
static int list_md_dir(struct reader *r)
{
	int e = sysfs_dir_path(&r->d, "", "", "");

	if (e == 0)
		e = sysfs_list_dir(r->d.root_fd, r->d.path, &r->b->dir, md_dir_entry, r);
	if (e == -ENOMEM)
		return e;
	r->listed = e == 0;
	r->list_err = e;
	return 0;
}

/* The key of a listing: the array's name and mdstat block, hashed (never 0). */
static uint64_t listing_key(const char *text, const struct md_array *st)
{
	uint64_t h = redmon_fnv1a_str(REDMON_FNV1A_BASIS, st->name);

	h = redmon_fnv1a_mem(h, text + st->text_off, st->text_len);
	return h ? h : 1;
}

/* Whether the devices a names are those mdstat's st names (each once). */
static bool same_devices(const struct md_array *a, const struct md_array *st)
{
	if (a->n_devs != st->n_devs)
		return false;
	for (size_t i = 0; i < a->n_devs; i++) {
		size_t j = 0;

		while (j < st->n_devs && strcmp(a->devs[i].name, st->devs[j].name) != 0)
			j++;
		if (j == st->n_devs)
			return false;
	}
	return true;
}

/*
 * Keep the listing just made for the next full read, when mdstat names the
 * same devices (else a device came or went between the two reads: list
 * again next time).  Out of memory, it is just not kept.
 */
static void keep_listing(struct reader *r)
{
	struct md_array *a = r->a;
	uint32_t len = 0;

	a->list_key = 0;
	if (!r->key || !r->listed || a->failed || !same_devices(a, r->st))
		return;
	for (size_t i = 0; i < a->n_devs; i++)
		len += (uint32_t)strlen(a->devs[i].name) + 1;
	if (len > a->list_cap) {
		char *v = realloc(a->list, len);

		if (!v)
			return;
		a->list = v;
		a->list_cap = len;
	}
	a->list_len = 0;
	for (size_t i = 0; i < a->n_devs; i++) {
		size_t n = strlen(a->devs[i].name) + 1;

		memcpy(a->list + a->list_len, a->devs[i].name, n);
		a->list_len += (uint32_t)n;
	}
	a->list_has = r->has;
	a->list_key = r->key;
	a->list_level = a->level;
	a->list_raid_disks = a->raid_disks;
}

/*
 * The last full read's listing, when the array's mdstat block is as then
 * and names the devices it did: 1 taken, 0 not (list the directory), or
 * -ENOMEM.
 */
static int recall_listing(struct reader *r)
{
	struct md_array *a = r->a;
	struct md_dev *d;

	if (!block_as_listed(r))
		return 0;
	for (uint32_t off = 0; off < a->list_len; off += (uint32_t)strlen(a->list + off) + 1) {
		int e = md_array_add_dev(a, &d);

		if (e < 0) {
			a->n_devs = 0; /* the listing starts from none */
			return e == -ENOMEM ? e : 0;
		}
		str_copy(d->name, sizeof(d->name), a->list + off);
	}
	if (!same_devices(a, r->st)) {
		a->n_devs = 0;
		return 0;
	}
	r->has = a->list_has;
	r->listed = true;
	r->list_err = 0;
	return 1;
}

/* The md directory's devices and optional attributes: the last listing's, or a new one. */
static int listing(struct reader *r)
{
	int e = recall_listing(r);

	if (e != 0)
		return e < 0 ? e : 0;
	e = list_md_dir(r);
	if (e == 0)
		keep_listing(r);
	return e;
}

/* Read each device the listing found. */
static int read_devs(struct reader *r)
{
	struct md_array *a = r->a;
	bool need_rd = false;
	size_t i, k;
	int e;

	if (r->list_err < 0)
		return r->list_err;

	/* Read each device; drop the ones that vanished meanwhile. */
	for (i = 0, k = 0; i < a->n_devs; i++) {
		struct md_dev tmp = a->devs[i];

		e = read_dev(r, &tmp);
		if (e < 0)
			return e;
		if (e == 0)
			continue;
		need_rd |= tmp.slot == SLOT_FROM_RD;
		a->devs[k++] = tmp;
	}
	a->n_devs = k;
	a->devs_sysfs = true;
	if (need_rd) {
		e = read_rd_slots(r);
		if (e < 0)
			return e;
		for (i = 0; i < a->n_devs; i++)
			if (a->devs[i].slot == SLOT_FROM_RD)
				a->devs[i].slot = -1;
	}
	if (a->n_devs > 1)
		qsort(a->devs, a->n_devs, sizeof(*a->devs), cmp_dev);
	return 0;
}

/* Everything about one array; errors of content land in a->error. */
static int read_array(struct reader *r)
{
	struct md_array *a = r->a;
	char why[96];
	struct strv v;
	bool kept;
	int e;

	sysfs_dir_set(&r->d, "sys/block/", r->a->name, "/md"); /* MD_NAME_MAX: it fits */
	a->source = MD_SRC_SYSFS;
	e = read_state(r, &kept);
	if (e < 0)
		return e;
	if (e == 0) {
		/* Listed a moment ago, or no md directory at all. */
		md_array_set_error(a, "array vanished while being read");
		return 0;
	}
	if (md_array_failed(a))
		return 0;
	if (a->level == MD_LEVEL_NONE && a->run == MD_RUN_ACTIVE)
		md_array_set_error(a, "sysfs shows a running array without a level");

	if (!kept) {
		e = sysfs_read(&r->d, "raid_disks", level_read_flags(r), &v);
		if (e == 0)
			e = md_sysfs_parse_raid_disks(v, &a->raid_disks);
		attr_error(r, e);
	}
	if (a->level == MD_LEVEL_NONE || a->level == MD_LEVEL_CONTAINER) {
		/* metadata_version is read only to recognise a container */
		if (sysfs_read(&r->d, "metadata_version", 0, &v) == 0)
			a->ext_container = md_metadata_is_container(strv_trim(v));
		if (a->level == MD_LEVEL_CONTAINER ||
		    (a->ext_container && a->run != MD_RUN_ACTIVE)) {
			a->container = true;
			return 0; /* not a redundancy group: nothing more to read */
		}
	}
	e = listing(r);
	if (e < 0)
		return e;
	if (a->run == MD_RUN_ACTIVE && md_level_has_slots(a->level)) {
		e = sysfs_read(&r->d, "degraded", FDC_NOTIFY, &v);
		if (e == 0)
			e = md_sysfs_parse_int(v, 0, MD_MAX_SLOTS, &a->degraded);
		attr_error(r, e);
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
		md_array_set_error(a, "sysfs directory unreadable: %s",
				   sysfs_strerror(e, why, sizeof(why)));
	return 0;
}

/* md_sysfs_read_array(), with the array's mdstat record st when a full read may reuse a listing. */
static int read_one(int root_fd, struct fdcache *fdc, struct md_sysfs_buf *buf, unsigned int flags,
		    struct md_array *a, const struct md_array *st, bool *ret_kept)
{
	struct reader r = {
		.d = { .root_fd = root_fd,
		       .fdc = fdc,
		       .buf = &buf->attr,
		       .flags = flags,
		       .max = MD_ATTR_MAX },
		.b = buf,
		.a = a,
		.st = st,
		.key = st ? listing_key(buf->mdstat_text, st) : 0,
	};
	char name[MD_NAME_MAX];
	int e;

	memcpy(name, a->name, sizeof(name));
	md_array_clear(a);
	memcpy(a->name, name, sizeof(name));
	e = read_array(&r);
	if (e < 0)
		return e;
	/* md_seq_show() prints an array only with a personality, slots or devices. */
	*ret_kept = md_array_failed(a) || a->run == MD_RUN_ACTIVE || a->raid_disks > 0 ||
		    a->n_devs > 0 || a->container;
	return 0;
}

int md_sysfs_read_array(int root_fd, struct fdcache *fdc, struct md_sysfs_buf *buf,
			unsigned int flags, struct md_array *a, bool *ret_kept)
{
	return read_one(root_fd, fdc, buf, flags, a, NULL, ret_kept);
}

/* One entry of sys/block: an md device's name is kept (its record is made later). */
static int block_entry(void *ctx, const char *name)
{
	struct md_sysfs_buf *b = ctx;
	struct strv nm = strv_c(name);

	if (!md_name_valid(nm))
		return 0;
	if (b->n_names >= MD_MAX_ARRAYS)
		return 1; /* beyond MD_MAX_ARRAYS: ignore the rest */
	if (b->n_names == b->names_cap) {
		size_t cap = b->names_cap ? b->names_cap + b->names_cap / 2 : 64;
		char(*v)[MD_NAME_MAX] = realloc(b->names, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->names = v;
		b->names_cap = cap;
	}
	memcpy(b->names[b->n_names++], nm.p, nm.n + 1); /* md_name_valid(): it fits */
	return 0;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(x, y);
}

int md_sysfs_read(int root_fd, struct fdcache *fdc, struct md_sysfs_buf *buf, struct md_set *set)
{
	struct md_array *a;
	size_t i, k;
	bool kept;
	int e;

	/* Every so often each directory is listed again, whatever mdstat says. */
	bool recall = buf->mdstat && buf->mdstat_text && ++buf->full_reads % MD_LIST_CHECK_EVERY;

	md_set_reset(set);
	/* The names first: reading an array lists its own directory into the same buffer. */
	buf->n_names = 0;
	e = sysfs_list_dir(root_fd, "sys/block", &buf->dir, block_entry, buf);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e;
	/*
	 * Records are made in name order, the order of the last read: each array
	 * gets the record, with its buffers, that it had, so that the buffers do
	 * not wander from array to array in listing order and all grow to the
	 * largest array's size.
	 */
	if (buf->n_names > 1) /* names is NULL while none was ever listed */
		qsort(buf->names, buf->n_names, sizeof(*buf->names), cmp_name);
	for (i = 0; i < buf->n_names; i++) {
		e = md_set_add(set, strv_c(buf->names[i]), &a);
		if (e < 0)
			return e;
	}
	for (i = 0, k = 0; i < set->n; i++) {
		const struct md_array *st =
			recall ? md_set_find(buf->mdstat, set->v[i].name) : NULL;

		e = read_one(root_fd, fdc, buf, 0, &set->v[i], st, &kept);
		if (e < 0)
			return e;
		if (!kept)
			continue;
		if (k != i)
			SWAP(set->v[k], set->v[i]);
		k++;
	}
	md_set_sort(set, k); /* in order already: keeps k */
	return 0;
}

void md_sysfs_buf_free(struct md_sysfs_buf *b)
{
	if (!b)
		return;
	strbuf_free(&b->attr);
	strbuf_free(&b->dir);
	free(b->names);
	memset(b, 0, sizeof(*b));
}
