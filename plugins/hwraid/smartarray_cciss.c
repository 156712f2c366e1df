// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cciss_vol_status's output (print_volume_status() of cciss_vol_status.c):
 *
 *   Controller: Smart Array P410i                 (-V) a controller block
 *     Logical drives: 1
 *   /dev/sda: (Smart Array P410i) RAID 5 Volume 0 status: OK.   At least one spare drive designated.
 *     Failed drives:                              drives of that volume, one map each
 *            connector 1I box 1 bay 4   <model 40> <serial 40> <firmware 8>
 *     'Replacement' drives:
 *     Drives currently substituted for by spares:
 *     Physical drives: 3                          (-V) every drive of the controller
 *            connector 1I box 1 bay 1   <model 40> <serial 40> <firmware 8> OK
 *
 * The tool names no drive of a volume, only the failed, replacement and
 * substituted ones; with -V it lists the drives of the whole controller.  So
 * a volume has members only when it is the one logical drive of its
 * controller (then the list is its drives) and no spare of it is usable (a
 * spare would be listed among them, not told apart): else no members, and
 * the drives the tool names are in the reason.  A failed drive of a volume
 * the controller calls OK is a spare or was replaced by one: not a member.
 * A drive is named port:box:bay ("1I:1:4"), as ssacli names it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smartarray.h"
#include "redmon/grow.h"

#define MAX_BLOCK_LDS 64
#define MAX_DRIVES    1024

enum list { L_NONE, L_FAILED, L_REPLACEMENT, L_SUBSTITUTED, L_PHYSICAL };

struct cciss {
	struct sa_set *s;
	long lds[MAX_BLOCK_LDS]; /* this controller block's volumes */
	size_t n_lds;
	bool usable_spare; /* a volume of the block has one */
	long cur;	   /* the volume the drive maps belong to, -1 none */
	enum list list;
	struct hwraid_pd *phys; /* the block's "Physical drives" */
	size_t n_phys, cap_phys;
};

/* A device's last path element: lower-case letters and digits, 1 to 16. */
static bool dev_name(struct strv dev, char *out, size_t len)
{
	const char *slash = dev.p;

	for (size_t i = 0; i < dev.n; i++) {
		if (dev.p[i] == '/')
			slash = dev.p + i + 1;
	}
	dev = strv_make(slash, (size_t)(dev.p + dev.n - slash));
	if (dev.n < 1 || dev.n > 16)
		return false;
	for (size_t i = 0; i < dev.n; i++) {
		char c = dev.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
	}
	strv_copy_printable(dev, out, len);
	return true;
}

/* "connector 1I box 1 bay 4 <model> <serial> <fw> [status]" into pd. */
static int drive(struct strv t, struct hwraid_pd *pd)
{
	struct strv w[6], rest = t, f;
	long long box, bay;
	char port[8];

	for (size_t i = 0; i < 6; i++) {
		if (!strv_next_token(&rest, &w[i]))
			return -EINVAL;
	}
	if (!strv_eq(w[0], "connector") || !strv_eq(w[2], "box") || !strv_eq(w[4], "bay") ||
	    w[1].n > 4 || strv_to_ll(w[3], 0, 65535, &box) < 0 ||
	    strv_to_ll(w[5], 0, 65535, &bay) < 0)
		return -EINVAL;
	*pd = (struct hwraid_pd){ .span = -1 };
	strv_copy_printable(w[1], port, sizeof(port));
	snprintf(pd->name, sizeof(pd->name), "%s:%lld:%lld", port, box, bay);
	rest = strv_make(w[5].p + w[5].n, (size_t)(t.p + t.n - w[5].p - w[5].n));
	if (rest.n)
		rest = strv_make(rest.p + 1, rest.n - 1); /* model 40, serial 40, firmware 8 */
	f = strv_make(rest.p, rest.n < 40 ? rest.n : 40);
	strv_copy_printable(strv_trim(f), pd->model, sizeof(pd->model));
	if (rest.n > 41) {
		f = strv_make(rest.p + 41, rest.n - 41 < 40 ? rest.n - 41 : 40);
		strv_copy_printable(strv_trim(f), pd->serial, sizeof(pd->serial));
	}
	sa_pd_state(pd, rest.n > 91 ? strv_make(rest.p + 91, rest.n - 91) : strv_make("", 0));
	return 0;
}

/* The block ends: its drive list into its one volume, or its trouble into the reasons. */
static int end_block(struct cciss *x)
{
	bool members = x->n_lds == 1 && !x->usable_spare && x->n_phys > 0;

	for (size_t i = 0; i < x->n_lds; i++) {
		struct hwraid_ld *ld = &x->s->res->ld[x->lds[i]];

		for (size_t k = 0; k < x->n_phys; k++) {
			struct hwraid_pd *pd;

			if (!members) {
				if (x->phys[k].cond != HWRAID_PD_OK)
					hwraid_reason_add(ld, "drive %s %s", x->phys[k].name,
							  x->phys[k].state);
				continue;
			}
			pd = hwraid_pd_add(ld);
			if (!pd)
				return -ENOMEM;
			*pd = x->phys[k];
		}
	}
	x->n_lds = x->n_phys = 0;
	x->usable_spare = false;
	x->cur = -1;
	x->list = L_NONE;
	return 0;
}

/* A drive of the current map: a member when the volume lost it, else in the reason. */
static int map_drive(struct cciss *x, struct strv t)
{
	struct hwraid_pd pd, *m;
	struct hwraid_ld *ld;
	void *v = x->phys;

	if (drive(t, &pd) < 0)
		return -EINVAL;
	if (x->list == L_PHYSICAL) {
		if (x->n_phys >= MAX_DRIVES ||
		    !grow_one(&v, &x->cap_phys, x->n_phys, sizeof(pd), 16))
			return -ENOMEM;
		x->phys = v;
		x->phys[x->n_phys++] = pd;
		return 0;
	}
	if (x->cur < 0)
		return 0;
	ld = &x->s->res->ld[x->cur];
	if (x->list == L_FAILED && ld->cond != HWRAID_LD_OK) {
		m = hwraid_pd_add(ld);
		if (!m)
			return -ENOMEM;
		*m = pd;
		snprintf(m->state, sizeof(m->state), "Failed");
		m->cond = HWRAID_PD_FAILED;
	} else {
		hwraid_reason_add(ld, "%s %s",
				  x->list == L_FAILED	     ? "failed drive"
				  : x->list == L_REPLACEMENT ? "replacement drive"
							     : "drive substituted by a spare",
				  pd.name);
	}
	return 0;
}

/* What follows "status: OK." : the spare drive messages. */
static void spares(struct cciss *x, struct hwraid_ld *ld, struct strv msgs)
{
	bool designated = memmem(msgs.p, msgs.n, "spare drive designated", 22) != NULL;
	bool failed = memmem(msgs.p, msgs.n, "spare drive has failed", 22) != NULL;
	bool activated = memmem(msgs.p, msgs.n, "spare drive activated", 21) != NULL;
	bool available = memmem(msgs.p, msgs.n, "spare drive remains available", 29) != NULL;

	if (failed)
		hwraid_reason_add(ld, "a spare drive has failed");
	if (available || (designated && !failed && !activated)) {
		ld->spares = 1; /* at least one: the tool does not count them */
		x->usable_spare = true;
	}
}

/* "/dev/sda: (Smart Array P410i) RAID 5 Volume 0 status: OK.  <spare messages>" */
static int volume(struct cciss *x, struct strv t)
{
	const char *board = memmem(t.p, t.n, ": (", 3), *vol, *st, *dot;
	char dev[24], name[HWRAID_NAME];
	struct strv lvl, num, rest;
	struct hwraid_ld *ld;
	long long n;
	long i;

	if (!board || !dev_name(strv_make(t.p, (size_t)(board - t.p)), dev, sizeof(dev)))
		return -EINVAL;
	rest = strv_make(board + 3, (size_t)(t.p + t.n - board - 3));
	vol = memmem(rest.p, rest.n, ") ", 2);
	st = memmem(rest.p, rest.n, " status: ", 9);
	if (!vol || !st || st < vol + 2)
		return -EINVAL;
	rest = strv_make(vol + 2, (size_t)(st - vol - 2));
	vol = memmem(rest.p, rest.n, " Volume ", 8);
	if (!vol)
		return 0; /* an enclosure line: "... Enclosure MSA70 (S/N: ...) on Bus 2 ..." */
	lvl = strv_make(rest.p, (size_t)(vol - rest.p));
	num = strv_make(vol + 8, (size_t)(rest.p + rest.n - vol - 8));
	if (strv_ends(num, "(?)"))
		num.n -= 3;
	if (strv_to_ll(num, 0, 65535, &n) < 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s/vol%lld", dev, n);
	i = sa_ld_new(x->s, name, -1);
	if (i == -ENOMEM || (i >= 0 && x->n_lds >= MAX_BLOCK_LDS))
		return i == -ENOMEM ? -ENOMEM : -EINVAL;
	x->cur = i < 0 ? -1 : i;
	x->list = L_NONE;
	if (i < 0)
		return 0;
	x->lds[x->n_lds++] = i;
	ld = &x->s->res->ld[i];
	sa_level(lvl, ld->level, sizeof(ld->level));
	hwraid_level_unknown(ld, lvl.p, lvl.n);
	rest = strv_make(st + 9, (size_t)(t.p + t.n - st - 9));
	dot = memchr(rest.p, '.', rest.n);
	sa_ld_state(ld, dot ? strv_make(rest.p, (size_t)(dot - rest.p)) : rest);
	if (dot)
		spares(x, ld, strv_make(dot + 1, (size_t)(rest.p + rest.n - dot - 1)));
	return 0;
}

/* An enclosure or cache line naming trouble: into the block's volumes' reasons. */
static void block_trouble(struct cciss *x, struct strv t)
{
	const char *st = memmem(t.p, t.n, " status: ", 9);
	char what[64];

	if (memmem(t.p, t.n, "cache temporarily disabled", 26) ||
	    memmem(t.p, t.n, "Cache permanently disabled", 26))
		strv_copy_printable(strv_trim(t), what, sizeof(what));
	else if (st && memmem(t.p, t.n, " Enclosure ", 11) &&
		 !strv_starts(strv_make(st + 9, (size_t)(t.p + t.n - st - 9)), "OK"))
		strv_copy_printable(strv_make(st + 1, (size_t)(t.p + t.n - st - 1)), what,
				    sizeof(what));
	else
		return;
	for (size_t i = 0; i < x->n_lds; i++)
		hwraid_reason_add(&x->s->res->ld[x->lds[i]], "%s", what);
}

static int line(struct cciss *x, struct strv raw)
{
	struct strv t = strv_trim(raw);

	if (strv_starts(raw, "Controller:"))
		return end_block(x);
	if (strv_starts(raw, "/dev/") && memmem(t.p, t.n, " Volume ", 8))
		return volume(x, t);
	if (strv_eq(t, "Failed drives:"))
		x->list = L_FAILED;
	else if (strv_eq(t, "'Replacement' drives:"))
		x->list = L_REPLACEMENT;
	else if (strv_eq(t, "Drives currently substituted for by spares:"))
		x->list = L_SUBSTITUTED;
	else if (strv_starts(t, "Physical drives:"))
		x->list = L_PHYSICAL;
	else if (strv_starts(t, "connector ") && x->list != L_NONE)
		return map_drive(x, t);
	else if (t.n)
		block_trouble(x, t);
	return 0;
}

int sa_parse_cciss(struct sa_set *s, struct strv buf, char *err, size_t errlen)
{
	struct cciss x = { .s = s, .cur = -1 };
	size_t lineno = 0;
	int rc = 0;

	for (struct strv l; rc == 0 && strv_next_line(&buf, &l); lineno++)
		rc = line(&x, l);
	if (rc == 0)
		rc = end_block(&x);
	free(x.phys);
	return sa_parse_done(rc, lineno, err, errlen);
}
