// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A raid or mirror segment as a redundancy group (lvmraid.h).
 *
 * raid legs (dm-raid.rst): 'A' alive and in sync, 'a' alive but not in sync,
 * 'D' dead, and '-' no device at all (dm-raid.c __raid_dev_status()).  An
 * 'a' leg is lost for the margin while it is being recovered or simply out
 * of sync; during a resync or a reshape the kernel marks every leg 'a'
 * (RT_FLAG_RS_RESYNCING) while the data is still redundant, as md counts a
 * resync, so those legs stay in service (a_in_service()).  mirror legs (dm-raid1.c
 * device_status_char()): 'A' alive, else the first error seen: 'F' flush,
 * 'D' write, 'S' sync, 'R' read, 'U' unknown; every one but 'A' is lost.
 *
 * The margin is the worst case for the level: raid1 and mirror of n legs
 * n - 1, raid4/5 1, raid6 2, raid10 1 (two lost legs of one mirror pair end
 * it), raid0 0, minus what is lost, never below -1.
 */
#include <stdio.h>
#include <string.h>

#include "lvmraid.h"
#include "../lib/psu_util.h"

/* The margin of a raid type when every leg is fine, or -1 for a type we do not know. */
static int raid_nominal(const char *type, unsigned int legs)
{
	if (strcmp(type, "raid1") == 0)
		return (int)legs - 1;
	if (strncmp(type, "raid10", 6) == 0)
		return legs >= 2 ? 1 : 0;
	if (strcmp(type, "raid0") == 0)
		return 0;
	if (strcmp(type, "raid4") == 0 || strncmp(type, "raid5_", 6) == 0)
		return 1;
	if (strncmp(type, "raid6_", 6) == 0)
		return 2;
	return -1;
}

static int32_t margin_after(const struct lvr_seg *s, int nominal, unsigned int lost)
{
	if (s->kind == LVR_RAID && strncmp(s->type, "raid10", 6) == 0 && lost > 0)
		return lost * 2 <= s->legs ? 0 : -1;
	return (int)lost > nominal ? -1 : nominal - (int32_t)lost;
}

static const struct {
	const char *word;
	enum redmon_activity activity;
} actions[] = {
	{ "idle", REDMON_ACTIVITY_NONE },
	{ "frozen", REDMON_ACTIVITY_NONE },
	{ "resync", REDMON_ACTIVITY_RESYNC },
	{ "recover", REDMON_ACTIVITY_RECOVERY },
	{ "check", REDMON_ACTIVITY_CHECK },
	{ "repair", REDMON_ACTIVITY_REPAIR },
	{ "reshape", REDMON_ACTIVITY_RESHAPE },
	/* dm-raid.rst's own example: "raid4 5 AAAAA 2/490221568 init 0", the initial sync */
	{ "init", REDMON_ACTIVITY_RESYNC },
};

/* The activity of a raid sync action: true when known. */
static bool raid_activity(const char *action, enum redmon_activity *ret)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(action, actions[i].word) == 0) {
			*ret = actions[i].activity;
			return true;
		}
	}
	return false;
}

static const char *mirror_error(char c)
{
	switch (c) {
	case 'F':
		return "flush failure";
	case 'D':
		return "write failure";
	case 'S':
		return "sync failure";
	case 'R':
		return "read failure";
	default:
		return "error";
	}
}

/* Leg i as a member: its role, and whether it is lost for the margin. */
static bool leg_member(const struct lvr_seg *s, unsigned int i, bool resyncing, struct lvr_view *v)
{
	struct redmon_member *m = &v->mem[i];
	char c = s->health[i];
	bool lost = true;

	snprintf(v->mname[i], sizeof(v->mname[i]), "%s_%s_%u", s->name,
		 s->kind == LVR_RAID ? "rimage" : "mimage", i);
	*m = (struct redmon_member){ .name = v->mname[i], .state = v->mstate[i] };
	snprintf(v->mstate[i], sizeof(v->mstate[i]), "%c", c);
	if (s->kind == LVR_MIRROR) {
		snprintf(v->mdev[i], sizeof(v->mdev[i]), "/dev/block/%s", s->dev[i]);
		m->device = v->mdev[i];
	}
	if (c == 'A' || (c == 'a' && resyncing)) {
		m->role = REDMON_ROLE_ACTIVE;
		lost = false;
	} else if (c == 'a') {
		m->role = REDMON_ROLE_REBUILDING;
		m->reason = "not in sync";
	} else if (c == '-') {
		m->role = REDMON_ROLE_MISSING;
		m->reason = "no device";
	} else {
		m->role = REDMON_ROLE_FAILED;
		m->reason = s->kind == LVR_RAID ? "dead" : mirror_error(c);
	}
	return lost;
}

/* What a raid segment says beside its legs: activity, mismatches, journal. */
static void raid_extras(const struct lvr_seg *s, struct lvr_view *v)
{
	if (s->action[0] && !raid_activity(s->action, &v->g.activity)) {
		v->g.margin = REDMON_MARGIN_UNKNOWN;
		psu_text_add(v->reason, sizeof(v->reason), "; ", "sync action '%s' not understood",
			     s->action);
	}
	if (strcmp(s->action, "frozen") == 0)
		psu_text_add(v->reason, sizeof(v->reason), "; ", "sync action frozen");
	if (s->has_mismatch && s->mismatch > 0)
		psu_text_add(v->reason, sizeof(v->reason), "; ",
			     "%llu mismatches found by the last check", s->mismatch);
	if (s->journal == 'D')
		psu_text_add(v->reason, sizeof(v->reason), "; ", "journal device dead");
}

/* What a mirror segment says beside its legs: resync, its log. */
static void mirror_extras(const struct lvr_seg *s, const struct lvr_seg *log, struct lvr_view *v)
{
	if (s->in_sync < s->regions)
		v->g.activity = REDMON_ACTIVITY_RESYNC;
	if (s->log_health && s->log_health != 'A')
		psu_text_add(v->reason, sizeof(v->reason), "; ", "log device %s: %s", s->log_dev,
			     mirror_error(s->log_health));
	if (!log)
		return;
	if (log->bad[0])
		psu_text_add(v->reason, sizeof(v->reason), "; ", "mirrored log %s: %s", log->name,
			     log->bad);
	else if (strspn(log->health, "A") != log->legs)
		psu_text_add(v->reason, sizeof(v->reason), "; ", "mirrored log %s: legs %s",
			     log->name, log->health);
	else if (log->in_sync < log->regions)
		psu_text_add(v->reason, sizeof(v->reason), "; ", "mirrored log %s: resyncing",
			     log->name);
}

/*
 * Whether an 'a' leg is in service: during a resync or reshape (every leg is
 * 'a' then), and when the array is idle and wholly in sync, which is how
 * dm-raid before 1.13.0 left a leg after a recovery ended (dm-raid.rst,
 * version history: "Fix dev_health status at end of recover (was 'a', now
 * 'A')").
 */
static bool a_in_service(const struct lvr_seg *s)
{
	return strcmp(s->action, "resync") == 0 || strcmp(s->action, "reshape") == 0 ||
	       strcmp(s->action, "init") == 0 ||
	       (strcmp(s->action, "idle") == 0 && s->regions > 0 && s->in_sync == s->regions);
}

void lvr_eval(const struct lvr_seg *s, const struct lvr_seg *log, struct lvr_view *v)
{
	int nominal = s->kind == LVR_MIRROR ? (int)s->legs - 1 : raid_nominal(s->type, s->legs);
	bool resyncing = a_in_service(s);
	unsigned int lost = 0, ok = 0, failed = 0;

	v->reason[0] = '\0';
	v->g = (struct redmon_group){ .name = s->name,
				      .kind = "raid",
				      .type = s->type,
				      .members_total = -1,
				      .members_ok = -1,
				      .progress = -1,
				      .margin = REDMON_MARGIN_UNKNOWN,
				      .members = v->mem };
	if (s->bad[0]) {
		psu_text_add(v->reason, sizeof(v->reason), "", "line %u: %s", s->line, s->bad);
		v->g.reason = v->reason;
		return;
	}
	for (unsigned int i = 0; i < s->legs; i++) {
		bool l = leg_member(s, i, resyncing, v);

		lost += l;
		ok += !l;
		failed += v->mem[i].role == REDMON_ROLE_FAILED;
	}
	v->g.n_members = s->legs;
	v->g.members_total = (int)s->legs;
	v->g.members_ok = (int)ok;
	v->g.members_failed = (int)failed;
	v->g.margin_nominal = nominal < 0 ? 0 : nominal;
	v->g.margin = nominal < 0 ? REDMON_MARGIN_UNKNOWN : margin_after(s, nominal, lost);
	if (nominal < 0)
		psu_text_add(v->reason, sizeof(v->reason), "; ", "raid type '%s' not known",
			     s->type);
	if (s->kind == LVR_RAID)
		raid_extras(s, v);
	else
		mirror_extras(s, log, v);
	if (v->g.activity == REDMON_ACTIVITY_NONE && lost && strchr(s->health, 'a'))
		psu_text_add(v->reason, sizeof(v->reason), "; ",
			     "legs %s: out of sync, no recovery running", s->health);
	if (v->g.activity != REDMON_ACTIVITY_NONE && s->regions > 0)
		v->g.progress = 100.0 * (double)s->in_sync / (double)s->regions;
	v->g.reason = v->reason[0] ? v->reason : NULL;
}

/* The mirrored log of mirror s (named s->name + "_mlog"), or NULL. */
static const struct lvr_seg *find_log(const struct lvr_status *st, const struct lvr_seg *s)
{
	size_t n = strlen(s->name);

	if (s->kind != LVR_MIRROR)
		return NULL;
	for (size_t i = 0; i < st->n; i++) {
		const struct lvr_seg *o = &st->seg[i];

		if (o->kind == LVR_MIRROR && strncmp(o->name, s->name, n) == 0 &&
		    strcmp(o->name + n, "_mlog") == 0)
			return o;
	}
	return NULL;
}

/* Whether s is a mirrored log whose mirror is listed too (then folded into it). */
static bool is_folded_log(const struct lvr_status *st, const struct lvr_seg *s)
{
	size_t n = strlen(s->name);

	if (s->kind != LVR_MIRROR || n <= 5 || strcmp(s->name + n - 5, "_mlog") != 0)
		return false;
	for (size_t i = 0; i < st->n; i++) {
		const struct lvr_seg *o = &st->seg[i];

		if (o->kind == LVR_MIRROR && strlen(o->name) == n - 5 &&
		    strncmp(o->name, s->name, n - 5) == 0)
			return true;
	}
	return false;
}

/* A worse margin: unknown first, then the lowest. */
static bool worse(int32_t a, int32_t b)
{
	if (a == REDMON_MARGIN_UNKNOWN || b == REDMON_MARGIN_UNKNOWN)
		return a == REDMON_MARGIN_UNKNOWN && b != REDMON_MARGIN_UNKNOWN;
	return a < b;
}

/* The index of the worst segment named as st->seg[first], and whether first is its first. */
static size_t worst_segment(const struct lvr_status *st, size_t first, struct lvr_view *v,
			    bool *ret_first)
{
	size_t best = first;
	int32_t m;

	*ret_first = true;
	lvr_eval(&st->seg[first], NULL, v);
	m = v->g.margin;
	for (size_t i = 0; i < st->n; i++) {
		if (i == first || strcmp(st->seg[i].name, st->seg[first].name) != 0)
			continue;
		if (i < first) {
			*ret_first = false;
			return first;
		}
		lvr_eval(&st->seg[i], NULL, v);
		if (worse(v->g.margin, m)) {
			m = v->g.margin;
			best = i;
		}
	}
	return best;
}

int lvr_groups(const struct lvr_status *st, struct lvr_view *v,
	       int (*report)(void *ctx, const struct redmon_group *g), void *ctx)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct lvr_seg *s = &st->seg[i];
		bool first;
		size_t w;
		int rc;

		if (lvr_is_sub_lv(s->name) || is_folded_log(st, s))
			continue;
		w = worst_segment(st, i, v, &first);
		if (!first)
			continue; /* reported with the first segment of its name */
		lvr_eval(&st->seg[w], find_log(st, &st->seg[w]), v);
		rc = report(ctx, &v->g);
		if (rc < 0)
			return rc;
	}
	return 0;
}
