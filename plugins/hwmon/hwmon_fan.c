// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fan sets from hwmon fan controllers: see hwmon_fan.h.
 *
 * The set bookkeeping (members seen, N learned, margin) is psu_set's
 * (plugins/lib/psu_set.h): a fan is a member with a condition, as a supply
 * is.  What differs is kept here: the group's kind and name, and that the
 * set starts afresh when the operator changes which channels are enabled
 * (a channel turned off is no longer a member, not a missing fan).
 */
#include "hwmon_fan.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/psu_set.h"
#include "../lib/strbuf.h"
#include "redmon/grow.h"
#include "redmon/sorted.h"

/*
 * hwmon names of fan-tray controller drivers that say which tachometer
 * inputs are in use with fan[1-*]_enable (Documentation/hwmon/
 * sysfs-interface.rst, "fan[1-*]_enable"): max31790 (max31790.rst,
 * fan[1-6]_enable since Linux 6.1).  Others are named with fan_chips.
 */
static const char *const fan_chips[] = { "max31790" };

/* One fan channel of a chip, as this scan read it. */
struct fan_chan {
	long idx;
	char key[HWMON_ATTR_MAX]; /* "fan3": the member name */
	double input, enable, fault, alarm;
	bool has_input, has_enable, has_fault, has_alarm;
	char state[96];
};

/* One chip's set across scans. */
struct hwmon_fanset {
	char chip[HWMON_CHIP_NAME_MAX];
	char name[HWMON_CHIP_NAME_MAX + 8]; /* "<chip>:fans" */
	char location[HWMON_CHIP_NAME_MAX];
	char *sig;	     /* the member keys of the last scan: a change starts afresh */
	struct fan_chan *ch; /* this scan's channels, by index; member keys point here */
	size_t n_ch, cap_ch;
	struct psu_group pg;
	struct strbuf reason;
	bool listed; /* the chip is in this scan */
};

bool hwmon_is_fan_chip(const char *prefix, const char *patterns)
{
	return hwmon_chip_matches(prefix, fan_chips, sizeof(fan_chips) / sizeof(fan_chips[0]),
				  patterns);
}

bool hwmon_fan_value_needed(const char *name)
{
	const char *type, *sub;
	long idx;

	if (strlen(name) >= HWMON_ATTR_MAX || !hwmon_attr_split(name, &type, &idx, &sub) ||
	    strcmp(type, "fan") != 0)
		return false;
	return strcmp(sub, "input") == 0 || strcmp(sub, "enable") == 0 ||
	       strcmp(sub, "fault") == 0 || strcmp(sub, "alarm") == 0;
}

/* The index of fan channel name ("fan3_input": 3), or -1 when it is none. */
static long fan_index(const char *name)
{
	const char *type, *sub;
	long idx;

	if (strlen(name) >= HWMON_ATTR_MAX || !hwmon_attr_split(name, &type, &idx, &sub) ||
	    strcmp(type, "fan") != 0)
		return -1;
	return idx;
}

bool hwmon_fan_channel_off(const struct hwmon_chip *c, const char *name)
{
	long idx = fan_index(name);

	for (size_t i = 0; idx >= 0 && i < c->n_attrs; i++) {
		const char *type, *sub;
		long k;

		if (hwmon_attr_split(c->attrs[i].name, &type, &k, &sub) && k == idx &&
		    strcmp(type, "fan") == 0 && strcmp(sub, "enable") == 0)
			return c->attrs[i].value == 0.0;
	}
	return false;
}

/* The channel idx of fs (added when new); NULL when out of memory. */
static struct fan_chan *chan_of(struct hwmon_fanset *fs, long idx)
{
	struct fan_chan *ch;

	for (size_t i = 0; i < fs->n_ch; i++) {
		if (fs->ch[i].idx == idx)
			return &fs->ch[i];
	}
	if (!grow_one((void **)&fs->ch, &fs->cap_ch, fs->n_ch, sizeof(*fs->ch), 8))
		return NULL;
	ch = &fs->ch[fs->n_ch++];
	memset(ch, 0, sizeof(*ch));
	ch->idx = idx;
	snprintf(ch->key, sizeof(ch->key), "fan%ld", idx);
	return ch;
}

static int by_index(const void *a, const void *b)
{
	long x = ((const struct fan_chan *)a)->idx, y = ((const struct fan_chan *)b)->idx;

	return (x > y) - (x < y);
}

/* Gather c's fan values into fs->ch, sorted by channel.  0 or -ENOMEM. */
static int collect(struct hwmon_fanset *fs, const struct hwmon_chip *c)
{
	fs->n_ch = 0;
	for (size_t i = 0; i < c->n_attrs; i++) {
		const struct hwmon_attr *a = &c->attrs[i];
		const char *type, *sub;
		struct fan_chan *ch;
		long idx;

		if (!hwmon_fan_value_needed(a->name) ||
		    !hwmon_attr_split(a->name, &type, &idx, &sub))
			continue;
		ch = chan_of(fs, idx);
		if (!ch)
			return -ENOMEM;
		if (strcmp(sub, "input") == 0) {
			ch->input = a->value;
			ch->has_input = true;
		} else if (strcmp(sub, "enable") == 0) {
			ch->enable = a->value;
			ch->has_enable = true;
		} else if (strcmp(sub, "fault") == 0) {
			ch->fault = a->value;
			ch->has_fault = true;
		} else {
			ch->alarm = a->value;
			ch->has_alarm = true;
		}
	}
	if (fs->n_ch > 1)
		qsort(fs->ch, fs->n_ch, sizeof(*fs->ch), by_index);
	return 0;
}

static bool is_member(const struct fan_chan *ch)
{
	return !(ch->has_enable && ch->enable == 0.0);
}

static const char *label_of(const struct hwmon_chip *c, const char *sensor)
{
	for (size_t i = 0; i < c->n_labels; i++) {
		if (strcmp(c->labels[i].sensor, sensor) == 0)
			return c->labels[i].text;
	}
	return NULL;
}

/*
 * Does the chip's read error name channel ch ("fan3_input: ...")?  An error
 * naming no fan channel (the chip's directory) concerns every channel.
 */
static bool error_concerns(const struct hwmon_chip *c, const struct fan_chan *ch)
{
	const char *error = hwmon_str(c->error);
	char head[HWMON_ATTR_MAX];
	size_t n = strcspn(error, ":");
	long idx;

	if (!error[0])
		return false;
	snprintf(head, sizeof(head), "%.*s", (int)(n < sizeof(head) ? n : sizeof(head) - 1), error);
	idx = fan_index(head);
	return idx < 0 || idx == ch->idx;
}

/*
 * The state: the channel's label, if any, and its condition, never its speed
 * (the core diffs the state, and a fan's speed moves at every scan).
 */
static void fan_state(const struct hwmon_chip *c, const struct fan_chan *ch, struct psu_view *v)
{
	const char *lab = label_of(c, ch->key);
	const char *cond = v->cond == PSU_OK	   ? "no alarm"
			   : v->cond == PSU_FAILED ? "failed"
						   : "unreadable";

	snprintf(v->state, sizeof(v->state), "%s%s%s", lab ? lab : "", lab ? ": " : "", cond);
}

/* One member's verdict. */
static void classify_fan(const struct hwmon_chip *c, struct fan_chan *ch, struct psu_view *v)
{
	memset(v, 0, sizeof(*v));
	v->cond = PSU_OK;
	if (ch->has_fault && ch->fault != 0.0)
		psu_text_add(v->why, sizeof(v->why), ", ", "%s_fault", ch->key);
	if (ch->has_alarm && ch->alarm != 0.0)
		psu_text_add(v->why, sizeof(v->why), ", ", "%s_alarm", ch->key);
	if (ch->has_input && isfinite(ch->input) && ch->input <= 0.0)
		psu_text_add(v->why, sizeof(v->why), ", ", "stopped (0 RPM)");
	if (v->why[0]) {
		v->cond = PSU_FAILED;
		fan_state(c, ch, v);
		return; /* what was read already says it is out */
	}
	if (error_concerns(c, ch)) {
		v->cond = PSU_UNKNOWN;
		v->unreadable = true;
		snprintf(v->why, sizeof(v->why), "unreadable: %s", hwmon_str(c->error));
	} else if (!ch->has_input || !isfinite(ch->input)) {
		v->cond = PSU_UNKNOWN;
		v->unreadable = true;
		snprintf(v->why, sizeof(v->why), "unreadable: no %s_input value", ch->key);
	}
	fan_state(c, ch, v);
}

/* fs's members as one signature: a change means the operator enabled or disabled a fan. */
static int update_sig(struct hwmon_fanset *fs, bool *ret_changed)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < fs->n_ch; i++) {
		if (is_member(&fs->ch[i]) && strbuf_addf(&b, " ", "%s", fs->ch[i].key) < 0) {
			strbuf_free(&b);
			return -ENOMEM;
		}
	}
	*ret_changed = !fs->sig || strcmp(fs->sig, b.p ? b.p : "") != 0;
	if (*ret_changed) {
		free(fs->sig);
		fs->sig = b.p ? b.p : strdup("");
		if (!fs->sig)
			return -ENOMEM;
	} else {
		strbuf_free(&b);
	}
	return 0;
}

/*
 * The members of a chip read this scan into fs->pg; returns how many, or
 * -ENOMEM.  A chip whose directory could not be read has no channel: the
 * fans seen before are unknown then, or, never seen, one unknown member
 * stands for them (a set nobody can read is never silently none).
 */
static int add_members(struct hwmon_fanset *fs, const struct hwmon_chip *c)
{
	const char *loc = fs->location[0] ? fs->location : NULL;
	size_t n_seen = fs->pg.set.n_seen;
	int n = 0;

	for (size_t i = 0; i < fs->n_ch; i++) {
		struct psu_view *v;

		if (!is_member(&fs->ch[i]))
			continue;
		v = psu_group_add(&fs->pg, fs->ch[i].key, loc, NULL);
		if (!v)
			return -ENOMEM;
		classify_fan(c, &fs->ch[i], v);
		n++;
	}
	if (n > 0 || !hwmon_str(c->error)[0])
		return n;
	for (size_t i = 0; i < (n_seen ? n_seen : 1); i++) {
		struct psu_view *v =
			psu_group_add(&fs->pg, n_seen ? fs->pg.set.seen[i] : "fans", loc, NULL);

		if (!v)
			return -ENOMEM;
		v->cond = PSU_UNKNOWN;
		v->unreadable = true;
		snprintf(v->state, sizeof(v->state), "unreadable");
		snprintf(v->why, sizeof(v->why), "unreadable: %s", hwmon_str(c->error));
	}
	return INT_MAX; /* a group, whatever the count */
}

/* fs's group into *g after psu_group_eval(); its reason says whether N was assumed. */
static int make_group(struct hwmon_fanset *fs, int required, int hint, struct redmon_group *g)
{
	int rc = psu_group_eval(&fs->pg, required, hint, fs->name, g);

	if (rc < 0)
		return rc;
	fs->reason.len = 0;
	/* The words of the ipmi probe's fan sets: one policy, one sentence. */
	if (required == 0 && strbuf_addf(&fs->reason, "; ", "%s",
					 "cooling policy assumed: N+1, one fan may stop "
					 "(fans_required sets N)") < 0)
		return -ENOMEM;
	if (fs->pg.ev.reason.len && strbuf_addf(&fs->reason, "; ", "%s", fs->pg.ev.reason.p) < 0)
		return -ENOMEM;
	g->kind = "fan";
	g->reason = fs->reason.len ? fs->reason.p : NULL;
	return 0;
}

static void fanset_free(struct hwmon_fanset *fs)
{
	if (!fs)
		return;
	free(fs->sig);
	free(fs->ch);
	psu_group_free(&fs->pg);
	strbuf_free(&fs->reason);
	free(fs);
}

/* Where chip is, or would go, in f->v (sorted by chip): a hostile tree may list many. */
struct set_key {
	const struct hwmon_fans *f;
	const char *chip;
};

static int set_cmp(const void *key, size_t i)
{
	const struct set_key *k = key;

	return strcmp(k->f->v[i]->chip, k->chip);
}

/* The set of chip c, made when new; NULL when out of memory. */
static struct hwmon_fanset *fanset_of(struct hwmon_fans *f, const struct hwmon_chip *c)
{
	const struct set_key k = { f, hwmon_str(c->name) };
	struct hwmon_fanset *fs;
	bool found;
	size_t pos = sorted_search(f->n, set_cmp, &k, &found);

	if (found)
		return f->v[pos];
	if (!grow_one((void **)&f->v, &f->cap, f->n, sizeof(*f->v), 4))
		return NULL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	snprintf(fs->chip, sizeof(fs->chip), "%s", k.chip);
	snprintf(fs->name, sizeof(fs->name), "%s:fans", k.chip);
	memmove(&f->v[pos + 1], &f->v[pos], (f->n - pos) * sizeof(*f->v));
	f->v[pos] = fs;
	f->n++;
	return fs;
}

/*
 * One listed chip's set: its group into *g (1), no group (0: fewer than two
 * members; the set forgets them), or -ENOMEM.
 */
static int eval_chip(struct hwmon_fanset *fs, const struct hwmon_chip *c, int required,
		     struct redmon_group *g)
{
	bool changed;
	int n, rc;

	fs->listed = true;
	snprintf(fs->location, sizeof(fs->location), "%s", hwmon_str(c->location));
	rc = collect(fs, c);
	if (rc < 0)
		return rc;
	/* A chip nobody could read: no change of the operator's, the set stays. */
	if (c->n_attrs > 0 || !hwmon_str(c->error)[0]) {
		rc = update_sig(fs, &changed);
		if (rc < 0)
			return rc;
		if (changed)
			psu_set_free(&fs->pg.set);
	}
	psu_group_begin(&fs->pg);
	n = add_members(fs, c);
	if (n < 0)
		return n;
	if (n < 2) {
		psu_set_free(&fs->pg.set);
		return 0;
	}
	rc = make_group(fs, required, n == INT_MAX ? 0 : n - 1, g);
	if (rc == -ENODATA)
		return 0;
	return rc < 0 ? rc : 1;
}

/* Room for one more group in f->groups; NULL when out of memory. */
static struct redmon_group *next_group(struct hwmon_fans *f)
{
	if (!grow_one((void **)&f->groups, &f->cap_groups, f->n_groups, sizeof(*f->groups), 4))
		return NULL;
	return &f->groups[f->n_groups];
}

/* Sets of chips gone since the last scan: their fans missing, or forgotten if never seen. */
static int eval_gone(struct hwmon_fans *f, int required)
{
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < f->n; i++) {
		struct hwmon_fanset *fs = f->v[i];
		struct redmon_group *g;

		if (!fs->listed && fs->pg.set.n_seen == 0) {
			fanset_free(fs);
			continue;
		}
		f->v[k++] = fs;
		if (fs->listed || rc < 0)
			continue;
		psu_group_begin(&fs->pg);
		fs->n_ch = 0;
		g = next_group(f);
		if (!g)
			rc = -ENOMEM;
		else if ((rc = make_group(fs, required, 0, g)) == 0)
			f->n_groups++;
		else if (rc == -ENODATA)
			rc = 0;
	}
	f->n = k;
	return rc;
}

int hwmon_fans_eval(struct hwmon_fans *f, const struct hwmon_chip *chips, size_t n, int required,
		    const struct redmon_group **ret, size_t *ret_n)
{
	int rc;

	f->n_groups = 0;
	for (size_t i = 0; i < f->n; i++)
		f->v[i]->listed = false;
	for (size_t i = 0; i < n; i++) {
		const struct hwmon_chip *c = &chips[i];
		struct hwmon_fanset *fs;
		struct redmon_group *g;

		/* Two hwmon entries for one device (a bad tree): the first counts. */
		if (!c->fans ||
		    (i > 0 && strcmp(hwmon_str(chips[i - 1].name), hwmon_str(c->name)) == 0))
			continue;
		fs = fanset_of(f, c);
		g = next_group(f);
		if (!fs || !g)
			return -ENOMEM;
		rc = eval_chip(fs, c, required, g);
		if (rc < 0)
			return rc;
		f->n_groups += (size_t)rc;
	}
	rc = eval_gone(f, required);
	if (rc < 0)
		return rc;
	*ret = f->groups;
	*ret_n = f->n_groups;
	return 0;
}

void hwmon_fans_free(struct hwmon_fans *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		fanset_free(f->v[i]);
	free(f->v);
	free(f->groups);
	memset(f, 0, sizeof(*f));
}
