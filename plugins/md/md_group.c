/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From an md array record to a redundancy group: see md_group.h.
 *
 * Counting follows DESIGN.md and the corpus conventions: members_total is
 * raid_disks (the n of [n/m]), members_ok the in-sync slots (the U of
 * [UU_]), members_failed every faulty device (even beyond the slots), spares
 * the devices outside any slot.  A device in a slot but not in sync is being
 * rebuilt and is neither ok nor a spare.
 *
 * How many slots are missing is the kernel's word (sysfs degraded, else
 * mdstat's [UU_]), not what the devices seen add up to: a capture may lack
 * dev-* directories, and during a reshape ("11 (10)") the kernel counts over
 * both geometries.  When the two disagree the kernel's count is used (only
 * faulty or rebuilding members seen in more slots than it counts raise it) and
 * the reason says the member detail is incomplete; with no kernel count at all,
 * the devices seen may call an array failed only on evidence (faulty or
 * rebuilding members, "broken"), never because directories are absent.
 */
#include "md_group.h"

#include "../lib/psu_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int clamp_min(int v, int min)
{
	return v < min ? min : v;
}

/*
 * raid10 (drivers/md/raid10.c _enough()): data is lost when some window of
 * `copies` consecutive slots, starting at a multiple of near_copies, holds no
 * in-sync member.  The worst next failures all hit the thinnest window, so
 * the margin is (fewest in-sync members in a window) - 1.
 */
static int raid10_thinnest(int n, int near, int copies, const unsigned char *slots)
{
	int first = 0, thinnest = copies;

	do {
		int cnt = 0;

		for (int k = 0; k < copies; k++)
			cnt += slots[(first + k) % n] == MD_SLOT_IN_SYNC;
		if (cnt < thinnest)
			thinnest = cnt;
		first = (first + near) % n;
	} while (first != 0);
	return thinnest;
}

struct md_margin md_margin_rule(enum md_level level, int n, int ok, const unsigned char *slots,
				const struct md_r10_geo *geo)
{
	struct md_margin m = { REDMON_MARGIN_UNKNOWN, 0 };
	int missing, parity, near, copies;

	if (n < 0 || ok < 0 || ok > n)
		return m;
	missing = n - ok;
	switch (level) {
	case MD_LEVEL_RAID1:
	case MD_LEVEL_MULTIPATH:
		m.nominal = clamp_min(n - 1, 0);
		m.margin = clamp_min(ok - 1, -1);
		break;
	case MD_LEVEL_RAID4:
	case MD_LEVEL_RAID5:
	case MD_LEVEL_RAID6:
		parity = level == MD_LEVEL_RAID6 ? 2 : 1;
		if (parity > n - 1)
			parity = clamp_min(n - 1, 0);
		m.nominal = parity;
		m.margin = clamp_min(parity - missing, -1);
		if (ok == 0)
			m.margin = -1;
		break;
	case MD_LEVEL_RAID10:
		/* No layout known: mdadm's default, near-2 (md.rst, mdadm --layout). */
		near = 2;
		copies = 2;
		if (geo && geo->near > 0 && geo->far > 0) {
			near = geo->near;
			copies = geo->near * geo->far;
			if (copies > n)
				return m; /* the kernel refuses such a geometry */
		} else if (copies > n) {
			near = copies = clamp_min(n, 1);
		}
		if (n == 0)
			return m;
		m.nominal = copies - 1;
		if (ok == 0)
			m.margin = -1;
		else if (slots)
			m.margin = raid10_thinnest(n, near, copies, slots) - 1;
		else
			m.margin = clamp_min(copies - 1 - missing, 0);
		break;
	case MD_LEVEL_RAID0:
	case MD_LEVEL_LINEAR:
	case MD_LEVEL_FAULTY:
		m.nominal = 0;
		m.margin = missing > 0 ? -1 : 0;
		break;
	default:
		break;
	}
	return m;
}

/* Append to the reason, cut when full; clauses are joined by "; ". */
#define reason_add(gb, sep, ...) psu_text_add((gb)->reason, sizeof((gb)->reason), sep, __VA_ARGS__)

/* Room for n members, their texts and n slots; cap grows only when all three did. */
static int reserve(struct md_group_buf *gb, size_t n)
{
	void *m, *t, *s;

	if (n <= gb->cap)
		return 0;
	m = realloc(gb->members, n * sizeof(*gb->members));
	if (m)
		gb->members = m;
	t = realloc(gb->text, n * sizeof(*gb->text));
	if (t)
		gb->text = t;
	s = realloc(gb->slots, n);
	if (s)
		gb->slots = s;
	if (!m || !t || !s)
		return -ENOMEM;
	gb->cap = n;
	return 0;
}

void md_group_buf_free(struct md_group_buf *gb)
{
	if (!gb)
		return;
	free(gb->members);
	free(gb->text);
	free(gb->slots);
	memset(gb, 0, sizeof(*gb));
}

/* Words for a device state when the source printed flags, not text (mdstat). */
static void flags_text(unsigned int flags, enum redmon_role role, char *buf, size_t cap)
{
	const struct md_dev_flag_name *f;

	buf[0] = '\0';
	if (role == REDMON_ROLE_ACTIVE && !(flags & MD_DEV_JOURNAL))
		psu_text_add(buf, cap, "", "in_sync");
	else if (role == REDMON_ROLE_REBUILDING && !(flags & MD_DEV_REPLACEMENT))
		psu_text_add(buf, cap, "", "rebuilding");
	for (f = md_dev_flag_names; f->letter; f++) /* the flags mdstat shows */
		if (flags & f->flag)
			psu_text_add(buf, cap, ",", "%s", f->word);
}

/* Plain copies, no snprintf(): this runs for every member of every array at every scan. */
static void set_member(struct md_group_buf *gb, const struct md_array *a, size_t i,
		       enum redmon_role role)
{
	const struct md_dev *d = &a->devs[i];
	const char *state = md_dev_state(a, d);
	struct redmon_member *m = &gb->members[i];
	struct md_member_text *t = &gb->text[i];

	memcpy(t->name, d->name, sizeof(t->name));
	memcpy(t->device, "/dev/", 5);
	memcpy(t->device + 5, d->name, sizeof(d->name));
	/* sysfs spells a '/' in a block device name as '!' (cciss!c0d0). */
	for (char *p = t->device + 5; *p; p++)
		if (*p == '!')
			*p = '/';
	if (state[0])
		memcpy(t->state, state, strlen(state) + 1); /* md_dev_set_state(): it fits */
	else
		flags_text(d->flags, role, t->state, sizeof(t->state));
	*m = (struct redmon_member){ .name = t->name, .device = t->device, .role = role };
	m->state = t->state[0] ? t->state : NULL;
}

/* Add to the reason up to four names of members in role, as "a, b and 2 more". */
static void list_names(struct md_group_buf *gb, size_t n, enum redmon_role role, const char *what,
		       bool *first)
{
	size_t shown = 0, total = 0;

	for (size_t i = 0; i < n; i++)
		total += gb->members[i].role == role;
	if (total == 0)
		return;
	reason_add(gb, "", "%s", *first ? "" : ", ");
	*first = false;
	for (size_t i = 0; i < n && shown < 4; i++)
		if (gb->members[i].role == role)
			reason_add(gb, "", "%s%s", shown++ ? ", " : "", gb->members[i].name);
	if (total > shown)
		reason_add(gb, "", " and %zu more", total - shown);
	if (what)
		reason_add(gb, "", " %s", what);
}

static const char *const activity_names[REDMON_ACTIVITY_COUNT_] = {
	[REDMON_ACTIVITY_RECOVERY] = "recovery", [REDMON_ACTIVITY_RESYNC] = "resync",
	[REDMON_ACTIVITY_RESHAPE] = "reshape",	 [REDMON_ACTIVITY_CHECK] = "check",
	[REDMON_ACTIVITY_REPAIR] = "repair",
};

/* The activities that run with a progress (the others are states: delayed, pending). */
static bool activity_has_progress(enum redmon_activity act)
{
	return act < REDMON_ACTIVITY_COUNT_ && activity_names[act];
}

static void activity_reason(struct md_group_buf *gb, enum redmon_activity act, double progress)
{
	if (act == REDMON_ACTIVITY_DELAYED)
		reason_add(gb, "; ", "resync delayed behind another array");
	else if (act == REDMON_ACTIVITY_PENDING)
		reason_add(gb, "; ", "resync pending until the first write");
	else if (activity_has_progress(act) && progress >= 0)
		reason_add(gb, "; ", "%s %.1f%% done", activity_names[act], progress);
	else if (activity_has_progress(act))
		reason_add(gb, "; ", "%s running", activity_names[act]);
}

static struct md_r10_geo geo_of(const struct md_array *a)
{
	struct md_r10_geo unknown = { 0, 0 }, geo = { a->r10_near, a->r10_far };

	return a->r10_known ? geo : unknown;
}

/*
 * An array not running (why NULL: service is lost until it is started) or
 * not understood (why: margin unknown): its members as far as known.
 */
static void build_stopped(const struct md_array *a, struct md_group_buf *gb, const char *why)
{
	struct md_r10_geo geo = geo_of(a);
	struct redmon_group *g = &gb->g;

	g->members_failed = 0; /* the rules may have counted before giving up */
	g->spares = 0;
	for (size_t i = 0; i < a->n_devs; i++) {
		const struct md_dev *d = &a->devs[i];
		enum redmon_role role = REDMON_ROLE_UNKNOWN;
		bool spare = a->dev_slots_known
				     ? d->slot < 0 && !(d->flags & MD_DEV_JOURNAL)
				     : (d->flags & MD_DEV_SPARE) && !(d->flags & MD_DEV_IN_SYNC);

		if (d->flags & MD_DEV_FAULTY) {
			role = REDMON_ROLE_FAILED;
			g->members_failed++;
		} else if (spare && !why) {
			role = REDMON_ROLE_SPARE;
			g->spares++;
		}
		set_member(gb, a, i, role);
	}
	g->n_members = a->n_devs;
	if (why) {
		g->members_total = a->raid_disks >= 0 ? a->raid_disks : (int)a->n_devs;
		if (a->raid_disks < 0 && a->n_devs == 0)
			g->members_total = -1; /* nothing says how many */
		g->members_ok = -1;
		g->margin = REDMON_MARGIN_UNKNOWN;
	} else {
		g->members_total = a->raid_disks > 0 ? a->raid_disks : (int)a->n_devs;
		g->members_ok = 0;
		g->margin = -1;
	}
	/* The rule's nominal is 0 where it cannot tell (no slots, an unknown level). */
	g->margin_nominal =
		md_margin_rule(a->level, g->members_total, g->members_total, NULL, &geo).nominal;
	snprintf(gb->reason, sizeof(gb->reason), "%s", why ? why : "array inactive (not running)");
	g->reason = gb->reason;
}

/*
 * Roles from sysfs: each device's state words and slot.  A "spare" in a slot
 * is the disk being recovered into it (state_show() calls every non-in-sync
 * member "spare"), not an idle spare.
 */
static int roles_sysfs(const struct md_array *a, struct md_group_buf *gb, int n)
{
	struct redmon_group *g = &gb->g;
	int ok = 0;

	for (size_t i = 0; i < a->n_devs; i++) {
		const struct md_dev *d = &a->devs[i];
		bool in_slot = d->slot >= 0, in_sync = d->flags & MD_DEV_IN_SYNC;
		bool counted = in_slot && d->slot < n;
		enum redmon_role role;

		if (d->flags & MD_DEV_FAULTY) {
			role = REDMON_ROLE_FAILED;
			g->members_failed++;
			if (counted && gb->slots[d->slot] == MD_SLOT_EMPTY)
				gb->slots[d->slot] = MD_SLOT_BUSY;
		} else if (d->flags & MD_DEV_JOURNAL) {
			role = REDMON_ROLE_ACTIVE;
		} else if (in_slot && a->dev_slots_known) {
			role = in_sync ? REDMON_ROLE_ACTIVE : REDMON_ROLE_REBUILDING;
			if (counted && in_sync)
				gb->slots[d->slot] = MD_SLOT_IN_SYNC;
			else if (counted && gb->slots[d->slot] == MD_SLOT_EMPTY)
				gb->slots[d->slot] = MD_SLOT_BUSY;
		} else if (!in_sync) {
			role = REDMON_ROLE_SPARE;
			g->spares++;
		} else if (a->dev_slots_known) {
			role = REDMON_ROLE_UNKNOWN; /* in sync yet in no slot: odd */
		} else {
			role = REDMON_ROLE_ACTIVE; /* no slot information at all: trust the state words */
			ok++;
		}
		set_member(gb, a, i, role);
	}
	for (size_t i = 0; a->dev_slots_known && i < (size_t)n; i++)
		ok += gb->slots[i] == MD_SLOT_IN_SYNC;
	return ok;
}

/* mdstat's [UU_] as the map of n slots, a '_' becoming not_u; returns the 'U' count. */
static int map_mdstat(const struct md_array *a, struct md_group_buf *gb, int n,
		      enum md_slot_state not_u)
{
	int ok = 0;

	for (size_t i = 0; i < (size_t)n; i++) {
		gb->slots[i] = md_array_slots(a)[i] == 'U' ? MD_SLOT_IN_SYNC : not_u;
		ok += gb->slots[i] == MD_SLOT_IN_SYNC;
	}
	return ok;
}

/*
 * Roles from mdstat flags.  mdstat does not say which device sits in which
 * slot ([k] is the superblock descriptor number, not the slot), so when more
 * unflagged devices are listed than slots are in sync, the surplus is being
 * recovered; the highest [k] were added last, so they are taken as the
 * rebuilding ones, and they fill the lowest empty slots.
 */
static int roles_mdstat(const struct md_array *a, struct md_group_buf *gb, int n)
{
	struct redmon_group *g = &gb->g;
	int ok, candidates = 0, extra = 0;

	for (size_t i = 0; i < a->n_devs; i++) {
		const struct md_dev *d = &a->devs[i];
		enum redmon_role role = REDMON_ROLE_ACTIVE;

		if (d->flags & MD_DEV_FAULTY) {
			role = REDMON_ROLE_FAILED;
			g->members_failed++;
		} else if (d->flags & MD_DEV_SPARE) {
			role = REDMON_ROLE_SPARE;
			g->spares++;
		} else if (d->flags & MD_DEV_REPLACEMENT) {
			role = REDMON_ROLE_REBUILDING;
		} else if (!(d->flags & MD_DEV_JOURNAL)) {
			candidates++;
		}
		gb->members[i].role = role;
	}
	if (a->n_slots != (size_t)n || n == 0) {
		ok = candidates; /* raid0, linear, faulty: every listed unflagged device serves */
	} else {
		ok = map_mdstat(a, gb, n, MD_SLOT_EMPTY);
		extra = candidates - ok;
	}
	for (; extra > 0; extra--) {
		unsigned char *empty;
		size_t best = a->n_devs;

		for (size_t i = 0; i < a->n_devs; i++)
			if (gb->members[i].role == REDMON_ROLE_ACTIVE &&
			    !(a->devs[i].flags & MD_DEV_JOURNAL) &&
			    (best == a->n_devs || a->devs[i].desc_nr > a->devs[best].desc_nr))
				best = i;
		if (best == a->n_devs)
			break;
		gb->members[best].role = REDMON_ROLE_REBUILDING;
		empty = memchr(gb->slots, MD_SLOT_EMPTY, (size_t)n);
		if (empty)
			*empty = MD_SLOT_BUSY;
	}
	for (size_t i = 0; i < a->n_devs; i++)
		set_member(gb, a, i, gb->members[i].role);
	return ok;
}

/* The '_' of mdstat's [UU_] over n slots (status() prints rdev && In_sync per slot), or -1. */
static int mdstat_missing(const struct md_array *a, int n)
{
	int missing = 0;

	if (n == 0 || a->n_slots != (size_t)n)
		return -1;
	for (size_t i = 0; i < a->n_slots; i++)
		missing += md_array_slots(a)[i] != 'U';
	return missing;
}

/*
 * The in-sync count to use, from ok (the members seen) and km (the kernel's
 * count of missing slots): the kernel's count, or more when faulty or
 * rebuilding members sit in more slots than it counts (their state words are
 * the kernel's too, and may be read a moment after degraded changed).  Slots
 * nobody is seen in never add to it.  When the members seen are overruled,
 * *ret_detail_ok gets their count, and mdstat's [UU_] becomes the slot map
 * when it says what the count says; otherwise there is no map (which slots
 * are missing is not known) and *map is false.
 */
static int reconcile(const struct md_array *a, struct md_group_buf *gb, int n, int ok, int km,
		     bool *map, int *ret_detail_ok)
{
	int busy = 0, missing;

	for (size_t i = 0; *map && i < (size_t)n; i++)
		busy += gb->slots[i] == MD_SLOT_BUSY;
	missing = km > busy ? km : busy;
	if (missing == n - ok)
		return ok;
	*ret_detail_ok = ok;
	*map = mdstat_missing(a, n) == missing;
	for (size_t i = 0; *map && i < (size_t)n; i++) {
		if (md_array_slots(a)[i] == 'U')
			gb->slots[i] = MD_SLOT_IN_SYNC;
		else if (gb->slots[i] != MD_SLOT_EMPTY)
			gb->slots[i] = MD_SLOT_BUSY;
	}
	return n - missing;
}

/*
 * Without a count from the kernel, may the member detail alone call the array
 * failed?  Only on evidence: slots held by a faulty or rebuilding device,
 * faulty devices still attached, a broken array.  A slot nobody is seen in may
 * just be a dev-* directory a capture lacks, and a guess never makes a failure.
 */
static bool loss_proven(const struct md_array *a, const struct md_group_buf *gb, int n, bool map)
{
	struct md_r10_geo geo = geo_of(a);
	int lost = 0;

	if (a->run == MD_RUN_BROKEN)
		return true;
	for (size_t i = 0; map && i < (size_t)n; i++)
		lost += gb->slots[i] == MD_SLOT_BUSY;
	if (lost < gb->g.members_failed)
		lost = gb->g.members_failed;
	if (lost > n)
		lost = n;
	return md_margin_rule(a->level, n, n - lost, NULL, &geo).margin < 0;
}

/*
 * The reason in words.  detail_ok >= 0: the member detail showed that many
 * slots in sync where the kernel's count (ok) says otherwise.
 */
static void running_reason(const struct md_array *a, struct md_group_buf *gb, int n, int ok,
			   int detail_ok)
{
	struct redmon_group *g = &gb->g;
	int missing = n - ok;
	bool first = true;

	gb->reason[0] = '\0';
	if (a->run == MD_RUN_BROKEN)
		reason_add(gb, "; ", "array broken (a member is missing)");
	if (missing > 0) {
		size_t before;

		reason_add(gb, "; ", "%d of %d slot%s missing", missing, n, n == 1 ? "" : "s");
		before = strlen(gb->reason);
		reason_add(gb, "", " (");
		list_names(gb, a->n_devs, REDMON_ROLE_FAILED, "failed", &first);
		list_names(gb, a->n_devs, REDMON_ROLE_REBUILDING, "rebuilding", &first);
		if (first) /* nothing named: drop the " (" */
			gb->reason[before] = '\0';
		else
			reason_add(gb, "", ")");
		if (g->margin < 0)
			reason_add(gb, "", ", more than %s survives", g->type);
		else if (a->level == MD_LEVEL_RAID10)
			reason_add(gb, "; ",
				   "margin counts the worst case: the next failure hitting the "
				   "thinnest mirror set");
	} else if (g->members_failed > 0) {
		reason_add(gb, "; ", "%d failed device%s still attached (", g->members_failed,
			   g->members_failed == 1 ? "" : "s");
		list_names(gb, a->n_devs, REDMON_ROLE_FAILED, NULL, &first);
		reason_add(gb, "", ")");
	}
	if (detail_ok >= 0)
		reason_add(gb, "; ",
			   "member detail incomplete: %d of %d slots seen in sync, the kernel "
			   "counts %d missing",
			   detail_ok, n, missing);
	activity_reason(gb, g->activity, g->progress);
	g->reason = gb->reason[0] ? gb->reason : NULL;
}

/*
 * Member roles and the in-sync slots of n from the devices seen; *ret_map
 * says whether gb->slots maps every slot.  -1: nothing to count from.
 */
static int roles_of(const struct md_array *a, struct md_group_buf *gb, int n, bool *ret_map)
{
	int ok;

	memset(gb->slots, MD_SLOT_EMPTY, (size_t)n);
	*ret_map = false;
	if (a->n_devs == 0) {
		/* sysfs without dev-* entries: only the degraded count is left. */
		if (a->degraded >= 0 && a->degraded <= n)
			return n - a->degraded;
		return md_level_has_slots(a->level) ? -1 : n;
	}
	if (!a->devs_sysfs) {
		*ret_map = a->n_slots == (size_t)n && n > 0;
		ok = roles_mdstat(a, gb, n);
		return ok > n ? n : ok;
	}
	ok = roles_sysfs(a, gb, n);
	*ret_map = a->dev_slots_known || a->n_slots == (size_t)n;
	/* sysfs gave no slots, but mdstat's [UU_] still tells which are in sync */
	if (!a->dev_slots_known && a->n_slots == (size_t)n)
		ok = map_mdstat(a, gb, n, MD_SLOT_BUSY);
	return ok > n ? n : ok;
}

static void build_running(const struct md_array *a, struct md_group_buf *gb)
{
	struct redmon_group *g = &gb->g;
	struct md_r10_geo geo = geo_of(a);
	struct md_margin m;
	int n, ok, km, detail_ok = -1;
	char why[192];
	bool map;

	if (md_level_has_slots(a->level)) {
		if (a->raid_disks <= 0) {
			build_stopped(a, gb, "number of slots (raid_disks) unknown");
			return;
		}
		n = a->raid_disks;
	} else {
		n = a->raid_disks > 0 ? a->raid_disks : (int)a->n_devs;
	}
	ok = roles_of(a, gb, n, &map);
	if (ok < 0) {
		build_stopped(a, gb, "no member information");
		return;
	}

	/*
	 * The kernel's count of missing slots wins over the devices seen: sysfs
	 * degraded (mddev->degraded; during a reshape raid5_calc_degraded() takes
	 * the worse of the old and the new geometry), else mdstat's.
	 */
	km = a->degraded >= 0 ? a->degraded : mdstat_missing(a, n);
	if (km > n) {
		snprintf(why, sizeof(why), "the kernel counts %d missing of %d slots", km, n);
		build_stopped(a, gb, why);
		return;
	}
	if (km >= 0)
		ok = reconcile(a, gb, n, ok, km, &map, &detail_ok);

	m = md_margin_rule(a->level, n, ok, map ? gb->slots : NULL, &geo);
	if (m.margin < 0 && m.margin != REDMON_MARGIN_UNKNOWN && km < 0 &&
	    !loss_proven(a, gb, n, map)) {
		snprintf(why, sizeof(why),
			 "%d of %d slots seen in sync, too few for %s, but no kernel count "
			 "(degraded, mdstat) confirms it: member detail may be incomplete",
			 ok, n, g->type);
		build_stopped(a, gb, why);
		return;
	}
	if (m.margin == REDMON_MARGIN_UNKNOWN) {
		if (a->level == MD_LEVEL_RAID10)
			snprintf(why, sizeof(why),
				 "raid10 layout %d near x %d far does not fit %d slots", geo.near,
				 geo.far, n);
		else
			snprintf(why, sizeof(why), "level \"%s\" not known to this probe",
				 md_array_level(a)[0] ? md_array_level(a) : "none");
		build_stopped(a, gb, why);
		return;
	}
	if (a->run == MD_RUN_BROKEN ||
	    (m.nominal == 0 && g->members_failed > 0 && !md_level_has_slots(a->level)))
		m.margin = -1;

	g->members_total = n;
	g->members_ok = ok;
	g->margin = m.margin;
	g->margin_nominal = m.nominal;
	g->activity = a->activity;
	if (activity_has_progress(a->activity) && a->progress >= 0)
		g->progress = a->progress;
	if (activity_has_progress(a->activity) && a->eta_s > 0)
		g->eta_s = a->eta_s;
	/*
	 * md dates no check: the core sees one end.  What the last one found is
	 * mismatch_cnt (Documentation/admin-guide/md.rst: a non-zero count after
	 * a check means inconsistent data, or on raid1/10 blocks swap or an
	 * O_DIRECT writer changed in flight).
	 */
	if (a->activity == REDMON_ACTIVITY_NONE && a->mismatch_cnt > 0) {
		snprintf(gb->scrub_found, sizeof(gb->scrub_found), "mismatch_cnt %lld",
			 (long long)a->mismatch_cnt);
		g->scrub_found = gb->scrub_found;
	}

	/* Slots nobody occupies become members of role missing. */
	g->n_members = a->n_devs;
	for (size_t i = 0; map && a->n_devs > 0 && i < (size_t)n; i++) {
		char *name = gb->text[g->n_members].name;

		if (gb->slots[i] != MD_SLOT_EMPTY)
			continue;
		snprintf(name, sizeof(gb->text->name), "slot%zu", i);
		gb->members[g->n_members++] =
			(struct redmon_member){ .name = name, .role = REDMON_ROLE_MISSING };
	}
	running_reason(a, gb, n, ok, detail_ok);
}

int md_group_build(const struct md_array *a, struct md_group_buf *gb,
		   const struct redmon_group **ret)
{
	size_t slots = a->raid_disks > 0 ? (size_t)a->raid_disks : 0;
	int r;

	if (a->container && !md_array_failed(a)) {
		*ret = NULL;
		return 0;
	}
	if (slots < a->n_devs)
		slots = a->n_devs;
	if (slots < a->n_slots)
		slots = a->n_slots;
	r = reserve(gb, a->n_devs + slots + 1); /* the devices and a member per missing slot */
	if (r < 0)
		return r;

	gb->g = (struct redmon_group){ .name = a->name,
				       .kind = "raid",
				       .type = md_level_name(a->level),
				       .members = gb->members,
				       .progress = -1 };
	if (md_array_failed(a))
		build_stopped(a, gb, md_array_error(a));
	else if (a->run == MD_RUN_INACTIVE)
		build_stopped(a, gb, NULL);
	else if (a->run == MD_RUN_UNKNOWN)
		build_stopped(a, gb, "array state unknown");
	else
		build_running(a, gb);
	*ret = &gb->g;
	return 0;
}
