// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssacli's text (hpssacli and hpacucli print the same), by indentation:
 *
 *   Smart Array P410i in Slot 0 (Embedded)        a controller (column 0)
 *      Controller Status: OK                      its status words
 *      Array: A                                   an array ("array A (Failed)" in "ld all show")
 *         Status: OK                              the array's own status
 *         Logical Drive: 1                        a logical drive ("logicaldrive 1 (136.7 GB,
 *            Fault Tolerance: 1+0                   RAID 1, OK)" in the short forms)
 *            Status: OK
 *         physicaldrive 1I:1:1                    a drive of the array (port:box:bay)
 *            Status: OK
 *            Drive Type: Data Drive               or Spare Drive
 *            Serial Number: ...
 *      Unassigned                                 any other section ends the array
 *
 * The drives of an array follow its logical drives, so they are given to
 * every logical drive of the array when the array ends: data drives as
 * members, spares (in service) as spares, a failed spare only in the reason.
 * Lines deeper than the array's children belong to the child above.  A
 * RAID50/60 logical drive lists its drives by parity group ("Parity Group 0:"
 * then "physicaldrive 5I:1:1 (...)" lines, as ssacli prints them, e.g.
 * openstack/proliantutils tests/hpssa/raid_constants.py): the group is the
 * drive's span, so the margin is the weakest group's.  The "Mirror Group"
 * lists of a RAID 1+0 are its two halves, not its pairs: skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smartarray.h"
#include "redmon/grow.h"

#define MAX_ARRAY_LDS 64
#define MAX_DRIVES    1024
#define MAX_PGROUP    63 /* a parity group number kept as a span */

struct drive {
	struct hwraid_pd pd;
	bool spare;
};

enum child { C_NONE, C_LD, C_PD };

/* A drive a logical drive lists under one of its parity groups. */
struct pgroup_drive {
	long ld; /* index in the result */
	int group;
	char name[HWRAID_NAME];
};

struct ssa {
	struct sa_set *s;
	int slot; /* -1: no controller */
	bool in_array;
	char array[8];
	char array_status[HWRAID_WORD];
	size_t child_indent; /* 0 until the array's first child */
	long lds[MAX_ARRAY_LDS];
	size_t n_lds;
	enum child cur;
	long cur_ld; /* -1: a logical drive another output gave */
	struct drive *drv;
	size_t n_drv, cap_drv;
	int pgroup; /* the parity group being listed in the current logical drive, or -1 */
	struct pgroup_drive *pg;
	size_t n_pg, cap_pg;
	bool none;
};

static size_t indent(struct strv line)
{
	size_t i = 0;

	while (i < line.n && line.p[i] == ' ')
		i++;
	return i;
}

/* "Key: value": the value when t starts with key and ": ". */
static bool kv(struct strv t, const char *key, struct strv *ret)
{
	size_t n = strlen(key);

	if (t.n < n + 1 || memcmp(t.p, key, n) != 0 || t.p[n] != ':')
		return false;
	*ret = strv_trim(strv_make(t.p + n + 1, t.n - n - 1));
	return true;
}

/* An array letter: one to four capitals. */
static bool array_name(struct strv w)
{
	if (w.n < 1 || w.n > 4)
		return false;
	for (size_t i = 0; i < w.n; i++) {
		if (w.p[i] < 'A' || w.p[i] > 'Z')
			return false;
	}
	return true;
}

static struct hwraid_ld *cur_ld(struct ssa *x)
{
	return x->cur == C_LD && x->cur_ld >= 0 ? &x->s->res->ld[x->cur_ld] : NULL;
}

/* The parity group logical drive ld lists drive name under, or -1. */
static int pgroup_of(const struct ssa *x, long ld, const char *name)
{
	for (size_t i = 0; i < x->n_pg; i++) {
		if (x->pg[i].ld == ld && strcmp(x->pg[i].name, name) == 0)
			return x->pg[i].group;
	}
	return -1;
}

/* The array ends: its drives and its status into each of its logical drives. */
static int end_array(struct ssa *x)
{
	for (size_t i = 0; i < x->n_lds; i++) {
		struct hwraid_ld *ld = &x->s->res->ld[x->lds[i]];

		for (size_t k = 0; k < x->n_drv; k++) {
			const struct drive *d = &x->drv[k];
			struct hwraid_pd *pd;

			if (d->spare && d->pd.cond != HWRAID_PD_OK) {
				hwraid_reason_add(ld, "spare %s %s", d->pd.name, d->pd.state);
				continue;
			}
			pd = hwraid_pd_add(ld);
			if (!pd)
				return -ENOMEM;
			*pd = d->pd;
			pd->span = pgroup_of(x, x->lds[i], pd->name);
			if (d->spare) {
				pd->cond = HWRAID_PD_SPARE;
				ld->spares++;
			} else if (strcmp(pd->state, "Predictive Failure") == 0) {
				hwraid_reason_add(ld, "drive %s predictive failure", pd->name);
			}
		}
		if (!x->array_status[0] || strcmp(x->array_status, "OK") == 0)
			continue;
		if (ld->cond == HWRAID_LD_OK && strstr(x->array_status, "Fail")) {
			/* the array lost a drive its logical drive does not show */
			hwraid_reason_add(ld, "array %s %s, its logical drive %s", x->array,
					  x->array_status, ld->state);
			snprintf(ld->state, sizeof(ld->state), "%s", x->array_status);
			ld->cond = HWRAID_LD_DEGRADED;
		} else {
			hwraid_reason_add(ld, "array %s %s", x->array, x->array_status);
		}
	}
	x->in_array = false;
	x->n_lds = x->n_drv = x->n_pg = 0;
	x->cur = C_NONE;
	return 0;
}

/* "Array: A", "array A", "array B (Failed)", "array A (SAS, Unused Space: 0 MB)". */
static int begin_array(struct ssa *x, struct strv t)
{
	struct strv name, rest;

	t = strv_make(t.p + 5, t.n - 5);
	if (t.n && t.p[0] == ':')
		t = strv_make(t.p + 1, t.n - 1);
	if (!strv_next_token(&t, &name) || !array_name(name))
		return -EINVAL;
	x->in_array = true;
	x->child_indent = 0;
	x->cur = C_NONE;
	strv_copy_printable(name, x->array, sizeof(x->array));
	x->array_status[0] = '\0';
	rest = strv_trim(t);
	if (rest.n > 2 && rest.p[0] == '(' && rest.p[rest.n - 1] == ')' &&
	    !memchr(rest.p, ',', rest.n))
		strv_copy_printable(strv_make(rest.p + 1, rest.n - 2), x->array_status,
				    sizeof(x->array_status));
	return 0;
}

static int new_ld(struct ssa *x, struct strv num)
{
	char name[HWRAID_NAME];
	long long n;
	long i;

	if (strv_to_ll(strv_trim(num), 0, 65535, &n) < 0 || x->n_lds >= MAX_ARRAY_LDS)
		return -EINVAL;
	snprintf(name, sizeof(name), "slot%d/array %s/ld%lld", x->slot, x->array, n);
	i = sa_ld_new(x->s, name, x->slot);
	if (i == -ENOMEM)
		return -ENOMEM;
	x->cur = C_LD;
	x->cur_ld = i < 0 ? -1 : i;
	x->pgroup = -1;
	if (i >= 0)
		x->lds[x->n_lds++] = i;
	return 0;
}

/* "logicaldrive 1 (136.7 GB, RAID 1+0, Recovering, 23% complete)". */
static int short_ld(struct ssa *x, struct strv t)
{
	const char *open = memchr(t.p, '(', t.n);
	struct strv in, size, level;
	struct hwraid_ld *ld;
	int rc;

	if (!open || t.p[t.n - 1] != ')')
		return -EINVAL;
	rc = new_ld(x, strv_make(t.p + 12, (size_t)(open - t.p) - 12));
	if (rc < 0 || !(ld = cur_ld(x)))
		return rc;
	in = strv_make(open + 1, (size_t)(t.p + t.n - 1 - open - 1));
	if (!strv_next_item(&in, ",", &size) || !strv_next_item(&in, ",", &level))
		return -EINVAL;
	sa_level(level, ld->level, sizeof(ld->level));
	hwraid_level_unknown(ld, level.p, level.n);
	if (in.n && in.p[0] == ',')
		in = strv_make(in.p + 1, in.n - 1);
	sa_ld_state(ld, in);
	return 0;
}

static struct drive *new_drive(struct ssa *x, struct strv name)
{
	void *v = x->drv;
	struct drive *d;

	if (x->n_drv >= MAX_DRIVES || !grow_one(&v, &x->cap_drv, x->n_drv, sizeof(*x->drv), 16))
		return NULL;
	x->drv = v;
	d = &x->drv[x->n_drv++];
	*d = (struct drive){ .pd = { .span = -1, .cond = HWRAID_PD_UNKNOWN } };
	strv_copy_printable(name, d->pd.name, sizeof(d->pd.name));
	x->cur = C_PD;
	return d;
}

/* "physicaldrive 1I:1:1" (detail follows) or "physicaldrive 1I:1:5 (port 1I:box 1:bay 5, SAS, 146 GB, OK, spare)". */
static int drive_line(struct ssa *x, struct strv t)
{
	struct strv rest = strv_make(t.p + 13, t.n - 13), name, in, item, status = { "", 0 };
	struct drive *d;

	if (!strv_next_token(&rest, &name))
		return -EINVAL;
	d = new_drive(x, name);
	if (!d)
		return -ENOMEM;
	rest = strv_trim(rest);
	if (!rest.n)
		return 0;
	if (rest.p[0] != '(' || rest.p[rest.n - 1] != ')')
		return -EINVAL;
	in = strv_make(rest.p + 1, rest.n - 2);
	while (strv_next_item(&in, ",", &item)) {
		item = strv_trim(item);
		if (strv_eq(item, "spare"))
			d->spare = true;
		else
			status = item;
	}
	sa_pd_state(&d->pd, status);
	return 0;
}

/* "Parity Group 1:": the group whose drives follow (0 to MAX_PGROUP; else none). */
static void pgroup_open(struct ssa *x, struct strv t)
{
	long long n;

	x->pgroup = t.p[t.n - 1] == ':' && strv_to_ll(strv_make(t.p + 13, t.n - 14), 0, MAX_PGROUP,
						      &n) == 0
			    ? (int)n
			    : -1;
}

/* "physicaldrive 5I:1:4 (...)" under a parity group: -ENOMEM, or 0. */
static int pgroup_drive(struct ssa *x, struct strv t)
{
	struct strv rest, name;
	struct pgroup_drive *g;
	void *v = x->pg;

	rest = strv_make(t.p + 14, t.n - 14);
	if (!strv_next_token(&rest, &name))
		return 0;
	if (x->n_pg >= MAX_DRIVES || !grow_one(&v, &x->cap_pg, x->n_pg, sizeof(*x->pg), 16))
		return x->n_pg >= MAX_DRIVES ? 0 : -ENOMEM;
	x->pg = v;
	g = &x->pg[x->n_pg++];
	*g = (struct pgroup_drive){ .ld = x->cur_ld, .group = x->pgroup };
	strv_copy_printable(name, g->name, sizeof(g->name));
	return 0;
}

/* A line under the current child of the array: -ENOMEM, or 0. */
static int child_prop(struct ssa *x, struct strv t)
{
	struct hwraid_ld *ld = cur_ld(x);
	struct drive *d = x->cur == C_PD ? &x->drv[x->n_drv - 1] : NULL;
	struct strv v;

	if (ld && strv_starts(t, "Parity Group ")) {
		pgroup_open(x, t);
		return 0;
	}
	if (ld && x->pgroup >= 0 && strv_starts(t, "physicaldrive "))
		return pgroup_drive(x, t);
	x->pgroup = -1; /* any other line ends a group's list */
	if (ld && kv(t, "Fault Tolerance", &v)) {
		sa_level(v, ld->level, sizeof(ld->level));
		hwraid_level_unknown(ld, v.p, v.n);
	} else if (ld && kv(t, "Status", &v))
		sa_ld_state(ld, v);
	else if (d && kv(t, "Status", &v))
		sa_pd_state(&d->pd, v);
	else if (d && kv(t, "Drive Type", &v))
		d->spare = strv_starts(v, "Spare");
	else if (d && kv(t, "Serial Number", &v))
		strv_copy_printable(v, d->pd.serial, sizeof(d->pd.serial));
	else if (d && kv(t, "Model", &v))
		strv_copy_printable(v, d->pd.model, sizeof(d->pd.model));
	return 0;
}

static int array_line(struct ssa *x, struct strv t, size_t in)
{
	struct strv v;

	if (!x->child_indent)
		x->child_indent = in;
	if (in > x->child_indent)
		return child_prop(x, t);
	if (strv_starts(t, "Logical Drive:"))
		return new_ld(x, strv_make(t.p + 14, t.n - 14));
	if (strv_starts(t, "logicaldrive "))
		return short_ld(x, t);
	if (strv_starts(t, "physicaldrive "))
		return drive_line(x, t);
	if (kv(t, "Status", &v))
		strv_copy_printable(v, x->array_status, sizeof(x->array_status));
	x->cur = C_NONE;
	return 0;
}

/* "Smart Array P410i in Slot 0 (Embedded)": a controller, or an error line. */
static int top_line(struct ssa *x, struct strv t)
{
	const char *at = memmem(t.p, t.n, " in Slot ", 9);
	struct strv rest, num;
	long long slot;
	int rc = x->in_array ? end_array(x) : 0;

	if (rc < 0)
		return rc;
	x->slot = -1;
	if (memmem(t.p, t.n, "No controllers detected", 23))
		x->none = true;
	if (!at)
		return 0; /* a notice ("FIRMWARE UPGRADE REQUIRED: ..."), or an unslotted box */
	rest = strv_make(at + 9, (size_t)(t.p + t.n - at - 9));
	if (!strv_next_token(&rest, &num) || strv_to_ll(num, 0, 65535, &slot) < 0)
		return -EINVAL;
	x->slot = (int)slot;
	return sa_ctl(x->s, x->slot) ? 0 : -ENOMEM;
}

static int ctl_line(struct ssa *x, struct strv t)
{
	struct sa_ctl *c = sa_ctl(x->s, x->slot);
	struct strv v;

	if (!c)
		return -ENOMEM;
	if (kv(t, "Controller Status", &v))
		strv_copy_printable(v, c->status, sizeof(c->status));
	else if (kv(t, "Cache Status", &v))
		strv_copy_printable(v, c->cache, sizeof(c->cache));
	else if (kv(t, "Battery/Capacitor Status", &v))
		strv_copy_printable(v, c->battery, sizeof(c->battery));
	return 0;
}

static int line(struct ssa *x, struct strv raw)
{
	struct strv t = strv_trim(raw);
	size_t in = indent(raw);
	int rc;

	if (!t.n)
		return 0;
	if (in == 0)
		return top_line(x, t);
	if (x->slot < 0)
		return 0;
	if (x->in_array && in > 4)
		return array_line(x, t, in);
	if (in > 4)
		return 0; /* inside another section */
	if (x->in_array && (rc = end_array(x)) < 0)
		return rc;
	if (strv_starts(t, "Array:") || strv_starts(t, "array "))
		return begin_array(x, t);
	return ctl_line(x, t);
}

int sa_parse_ssacli(struct sa_set *s, struct strv buf, bool *ret_none, char *err, size_t errlen)
{
	struct ssa x = { .s = s, .slot = -1, .pgroup = -1 };
	struct strv l;
	size_t lineno = 0;
	int rc = 0;

	while (rc == 0 && strv_next_line(&buf, &l)) {
		lineno++;
		rc = line(&x, l);
	}
	if (rc == 0 && x.in_array)
		rc = end_array(&x);
	*ret_none = x.none;
	free(x.drv);
	free(x.pg);
	return sa_parse_done(rc, lineno, err, errlen);
}
