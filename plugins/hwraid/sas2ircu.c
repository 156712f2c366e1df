// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sas2ircu driver of hwraid: the integrated RAID volumes (IR: RAID 0, 1,
 * 1E, 10) of LSI/Broadcom SAS2 controllers (SAS2004, SAS2008, SAS2308, ...;
 * the mpt2sas driver), read with sas2ircu.  Three outputs (the SAS2
 * Integrated RAID Configuration Utility user guide, "DISPLAY", "STATUS" and
 * "LIST"):
 *
 *   LIST       a table: " Index  Adapter Type  Vendor ID ...", one row per controller
 *   N DISPLAY  "Read configuration has been initiated for controller N", then
 *              sections of "Key : value" lines: "IR Volume information" with
 *              blocks "IR volume 1" (Volume ID, Status of volume, RAID level,
 *              "PHY[k] Enclosure#/Slot# : 1:0" per member), and "Physical device
 *              information" with blocks "Device is a Hard disk" (Enclosure #,
 *              Slot #, State, Model Number, Serial No)
 *   N STATUS   "Background command progress status for controller N...", blocks
 *              "IR Volume 1" (Volume ID, Current operation, Percentage complete)
 *
 * Volume states (the guide's abbreviations): OKY, DGD, FLD, MIS, INIT, ONL,
 * optionally after "Inactive, " (a foreign volume not activated).  Drive
 * states: OPT, ONL, RBLD, OSY (out of sync), DGD, FLD, MIS, HSP (hot spare),
 * RDY/AVL (not in a volume), SBY (standby: enclosure devices).  Without any
 * SAS2 controller, LIST prints its banner and "SAS2IRCU: MPTLib2 Error 1" and
 * exits 1: no group, no error.
 *
 * sas2ircu reads one controller per command: LIST's indexes give the
 * controllers, at init for the commands to register (sas2ircu_controllers())
 * and at each run to check that every listed controller's DISPLAY was read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwraid.h"
#include "redmon/grow.h"
#include "../lib/strbuf.h"

#define IR_MAX_PHYS 32	 /* PHY[k] lines of one volume */
#define IR_MAX_ROWS 1024 /* volumes, drives */
#define IR_MAX_CTL  256	 /* controller indexes 0-255 */

struct ir_vol {
	int ctl, num, id; /* "IR volume <num>", "Volume ID : <id>" (-1 when not printed) */
	char status[HWRAID_WORD], level[HWRAID_WORD];
	char phys[IR_MAX_PHYS][HWRAID_NAME]; /* "1:0" */
	size_t n_phys;
	char op[HWRAID_WORD]; /* STATUS's current operation, "" when none */
	double pct;	      /* its percentage, -1 */
	bool displayed;	      /* read in a DISPLAY (a STATUS alone gives no level, no members) */
};

struct ir_dev {
	int ctl;
	char bay[HWRAID_NAME]; /* "enclosure:slot" */
	char state[HWRAID_WORD], model[HWRAID_TEXT], serial[HWRAID_TEXT];
	bool disk; /* "Device is a Hard disk" (not an enclosure) */
};

enum ir_section { IR_NONE, IR_VOLUMES, IR_DEVICES, IR_STATUS, IR_OTHER };

struct ir {
	struct ir_vol *v;
	struct ir_dev *d;
	size_t n_v, cap_v, n_d, cap_d;
	/* the output being read */
	int ctl;
	enum ir_section sec;
	struct ir_vol *cur_v; /* the block being read, or NULL */
	struct ir_dev *cur_d;
	int enclosure; /* "Enclosure #" of cur_d, until its "Slot #" */
	bool understood, listed_none;
	bool in_list; /* in LIST's table, after its header */
	bool list;    /* a LIST output was read (its table, or "no controller") */
	/* of all outputs: the controllers LIST names, and those a DISPLAY was read of */
	bool listed[IR_MAX_CTL], displayed[IR_MAX_CTL];
};

static void ir_free(struct ir *t)
{
	free(t->v);
	free(t->d);
}

static int number(struct strv v, int max)
{
	long long ll;

	return strv_to_ll(strv_trim(v), 0, max, &ll) < 0 ? -1 : (int)ll;
}

/* "Key : value" (the first colon): false when the line has none. */
static bool key_value(struct strv line, struct strv *key, struct strv *val)
{
	const char *colon = memchr(line.p, ':', line.n);

	if (!colon)
		return false;
	*key = strv_trim(strv_make(line.p, (size_t)(colon - line.p)));
	*val = strv_trim(strv_make(colon + 1, line.n - (size_t)(colon - line.p) - 1));
	return true;
}

/* --- blocks ------------------------------------------------------------------------- */

/* Volume num of the output's controller, found (DISPLAY and STATUS, in any order) or added. */
static struct ir_vol *volume(struct ir *t, int num, bool display)
{
	struct ir_vol *v = NULL;

	for (size_t i = 0; i < t->n_v && !v; i++)
		v = t->v[i].ctl == t->ctl && t->v[i].num == num ? &t->v[i] : NULL;
	if (!v) {
		if (t->n_v >= IR_MAX_ROWS ||
		    !grow_one((void **)&t->v, &t->cap_v, t->n_v, sizeof(*t->v), 4))
			return NULL;
		v = &t->v[t->n_v++];
		*v = (struct ir_vol){ .ctl = t->ctl, .num = num, .id = -1, .pct = -1 };
	}
	if (display) {
		v->n_phys = 0; /* the same DISPLAY read twice: its PHYs once */
		v->displayed = true;
	}
	return v;
}

static struct ir_dev *device(struct ir *t, bool disk)
{
	if (t->n_d >= IR_MAX_ROWS || !grow_one((void **)&t->d, &t->cap_d, t->n_d, sizeof(*t->d), 8))
		return NULL;
	t->d[t->n_d] = (struct ir_dev){ .ctl = t->ctl, .disk = disk };
	t->enclosure = -1;
	return &t->d[t->n_d++];
}

/* "12.34%" into *ret: 0, or -EINVAL. */
static int pct_of(struct strv v, double *ret)
{
	char buf[16], *end;
	double d;

	if (v.n == 0 || v.n >= sizeof(buf) || v.p[v.n - 1] != '%')
		return -EINVAL;
	memcpy(buf, v.p, v.n - 1);
	buf[v.n - 1] = '\0';
	d = strtod(buf, &end);
	if (end == buf || *end || !(d >= 0 && d <= 100))
		return -EINVAL;
	*ret = d;
	return 0;
}

static void vol_key(struct ir_vol *v, struct strv key, struct strv val)
{
	if (strv_eq(key, "Volume ID"))
		v->id = number(val, 65535);
	else if (strv_eq(key, "Status of volume"))
		strv_copy_printable(val, v->status, sizeof(v->status));
	else if (strv_eq(key, "RAID level"))
		strv_copy_printable(val, v->level, sizeof(v->level));
	else if (strv_starts(key, "PHY[") && v->n_phys < IR_MAX_PHYS)
		strv_copy_printable(val, v->phys[v->n_phys++], HWRAID_NAME);
	else if (strv_eq(key, "Current operation"))
		strv_copy_printable(val, v->op, sizeof(v->op));
	else if (strv_eq(key, "Percentage complete") && pct_of(val, &v->pct) < 0)
		v->pct = -1;
}

static void dev_key(struct ir *t, struct ir_dev *d, struct strv key, struct strv val)
{
	if (strv_eq(key, "Enclosure #"))
		t->enclosure = number(val, 65535);
	else if (strv_eq(key, "Slot #") && t->enclosure >= 0 && number(val, 65535) >= 0)
		snprintf(d->bay, sizeof(d->bay), "%d:%d", t->enclosure, number(val, 65535));
	else if (strv_eq(key, "State"))
		strv_copy_printable(val, d->state, sizeof(d->state));
	else if (strv_eq(key, "Model Number"))
		strv_copy_printable(val, d->model, sizeof(d->model));
	else if (strv_eq(key, "Serial No"))
		strv_copy_printable(val, d->serial, sizeof(d->serial));
}

/* A line that opens a section or a block: 1 when it was one, 0 when not, or -errno. */
static int ir_header(struct ir *t, struct strv line)
{
	struct strv rest = line, w;
	int n;

	if (strv_eq(line, "IR Volume information") ||
	    strv_eq(line, "Physical device information")) {
		t->sec = strv_starts(line, "IR") ? IR_VOLUMES : IR_DEVICES;
		t->understood = true;
	} else if (strv_eq(line, "Controller information") ||
		   strv_eq(line, "Enclosure information")) {
		t->sec = IR_OTHER;
	} else if ((strv_starts(line, "IR volume ") || strv_starts(line, "IR Volume ")) &&
		   (t->sec == IR_VOLUMES || t->sec == IR_STATUS)) {
		strv_next_token(&rest, &w);
		strv_next_token(&rest, &w);
		n = number(rest, 9999);
		if (n < 0)
			return -EINVAL;
		t->cur_v = volume(t, n, t->sec == IR_VOLUMES);
		if (!t->cur_v)
			return -ENOMEM;
	} else if (strv_starts(line, "Device is a") && t->sec == IR_DEVICES) {
		t->cur_d = device(t, strv_eq(line, "Device is a Hard disk"));
		if (!t->cur_d)
			return -ENOMEM;
	} else {
		return 0;
	}
	if (t->sec != IR_VOLUMES && t->sec != IR_STATUS)
		t->cur_v = NULL;
	if (t->sec != IR_DEVICES)
		t->cur_d = NULL;
	return 1;
}

/* "... controller 0" or "... controller 0...": the number, else -1. */
static int ctl_at_end(struct strv line)
{
	const char *p = line.p + line.n;

	while (p > line.p && p[-1] == '.')
		p--;
	line.n = (size_t)(p - line.p);
	for (p = line.p + line.n; p > line.p && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	return number(strv_make(p, (size_t)(line.p + line.n - p)), 255);
}

/* LIST's rows after its header: "   0     SAS2008     1000h    72h   00h:01h:00h:00h ...". */
static void list_line(struct ir *t, struct strv line)
{
	struct strv rest = line, w;
	int index;

	if (strv_starts(line, "Index") && strv_next_token(&rest, &w) &&
	    strv_next_token(&rest, &w) && strv_eq(w, "Type")) {
		t->understood = t->list = t->in_list = true;
		t->listed_none = true; /* until a row */
		return;
	}
	if (!t->in_list || !strv_next_token(&rest, &w) || strv_starts(w, "--"))
		return;
	index = number(w, IR_MAX_CTL - 1);
	if (index < 0) {
		t->in_list = false; /* "SAS2IRCU: Utility Completed Successfully." */
		return;
	}
	t->listed[index] = true;
	t->listed_none = false;
}

static int ir_line(struct ir *t, struct strv line)
{
	struct strv key, val;
	int rc;

	if (strv_starts(line, "Read configuration has been initiated for controller") ||
	    strv_starts(line, "Background command progress status for controller")) {
		t->ctl = ctl_at_end(line);
		if (t->ctl < 0)
			return -EINVAL;
		t->sec = strv_starts(line, "Read") ? IR_OTHER : IR_STATUS;
		t->displayed[t->ctl] = t->displayed[t->ctl] || t->sec == IR_OTHER;
		t->understood = true;
		return 0;
	}
	if (strv_eq(line, "SAS2IRCU: MPTLib2 Error 1")) {
		/* LIST, exit 1: no SAS2 controller */
		t->understood = t->listed_none = t->list = true;
		return 0;
	}
	if (strv_starts(line, "SAS2IRCU: there are no IR volumes")) {
		t->understood = true; /* STATUS of a controller without volumes */
		return 0;
	}
	list_line(t, line);
	rc = ir_header(t, line);
	if (rc != 0 || !key_value(line, &key, &val))
		return rc < 0 ? rc : 0;
	if (t->cur_v)
		vol_key(t->cur_v, key, val);
	else if (t->cur_d)
		dev_key(t, t->cur_d, key, val);
	return 0;
}

static int ir_parse_one(struct ir *t, const struct hwraid_output *out, char *err, size_t errlen)
{
	struct strv rest = strv_make(out->buf, out->len), line;
	size_t lineno = 0;
	int rc = 0;

	t->ctl = 0;
	t->sec = IR_NONE;
	t->cur_v = NULL;
	t->cur_d = NULL;
	t->understood = false;
	t->listed_none = false;
	t->in_list = false;
	while (rc == 0 && strv_next_line(&rest, &line)) {
		lineno++;
		rc = ir_line(t, strv_trim(line));
	}
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == 0 && !t->understood) {
		snprintf(err, errlen,
			 "not sas2ircu's output (no controller, volume or adapter list)");
		rc = -EINVAL;
	}
	return rc;
}

/* --- volumes into logical drives ---------------------------------------------------- */

/* The abbreviation in "Okay (OKY)", or the word itself. */
static struct strv abbrev(const char *state)
{
	const char *open = strrchr(state, '('), *close = strrchr(state, ')');

	if (open && close > open)
		return strv_make(open + 1, (size_t)(close - open - 1));
	return strv_c(state);
}

static enum hwraid_ld_cond vol_cond(const char *state)
{
	struct strv a = abbrev(state);

	if (strv_eq(a, "OKY") || strv_eq(a, "ONL") || strv_eq(a, "INIT"))
		return HWRAID_LD_OK;
	if (strv_eq(a, "DGD"))
		return HWRAID_LD_DEGRADED;
	if (strv_eq(a, "FLD") || strv_eq(a, "MIS"))
		return HWRAID_LD_OFFLINE;
	return HWRAID_LD_UNKNOWN;
}

static enum hwraid_pd_cond dev_cond(const char *state)
{
	struct strv a = abbrev(state);

	if (strv_eq(a, "OPT") || strv_eq(a, "ONL"))
		return HWRAID_PD_OK;
	if (strv_eq(a, "RBLD") || strv_eq(a, "OSY"))
		return HWRAID_PD_REBUILDING;
	if (strv_eq(a, "FLD") || strv_eq(a, "DGD"))
		return HWRAID_PD_FAILED;
	if (strv_eq(a, "MIS"))
		return HWRAID_PD_MISSING;
	return HWRAID_PD_UNKNOWN;
}

static const struct ir_dev *dev_at(const struct ir *t, int ctl, const char *bay)
{
	for (size_t i = 0; i < t->n_d; i++) {
		if (t->d[i].ctl == ctl && t->d[i].disk && strcmp(t->d[i].bay, bay) == 0)
			return &t->d[i];
	}
	return NULL;
}

static struct hwraid_pd *add_dev(struct hwraid_ld *ld, const char *bay, const struct ir_dev *d)
{
	struct hwraid_pd *pd = hwraid_pd_add(ld);

	if (!pd)
		return NULL;
	snprintf(pd->name, sizeof(pd->name), "%s", bay);
	if (!d) {
		snprintf(pd->state, sizeof(pd->state), "not listed");
		pd->cond = HWRAID_PD_MISSING; /* a PHY of the volume with no device in the bay */
		return pd;
	}
	snprintf(pd->state, sizeof(pd->state), "%s", d->state);
	snprintf(pd->model, sizeof(pd->model), "%s", d->model);
	snprintf(pd->serial, sizeof(pd->serial), "%s", d->serial);
	pd->cond = dev_cond(d->state);
	if (pd->cond == HWRAID_PD_UNKNOWN)
		hwraid_reason_add(ld, "%s state '%s' not understood", bay, d->state);
	return pd;
}

/* The volume's PHYs, then the controller's hot spares. */
static int vol_members(const struct ir *t, const struct ir_vol *v, struct hwraid_ld *ld)
{
	for (size_t i = 0; i < v->n_phys; i++) {
		if (!add_dev(ld, v->phys[i], dev_at(t, v->ctl, v->phys[i])))
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_d; i++) {
		const struct ir_dev *d = &t->d[i];
		struct hwraid_pd *pd;

		if (d->ctl != v->ctl || !d->disk || !strv_eq(abbrev(d->state), "HSP"))
			continue;
		pd = add_dev(ld, d->bay[0] ? d->bay : "?", d);
		if (!pd)
			return -ENOMEM;
		pd->cond = HWRAID_PD_SPARE;
		ld->spares++;
	}
	return 0;
}

/* The level, "RAID1E", and the state; "Inactive, Okay (OKY)": a reason and the rest. */
static void vol_state(const struct ir_vol *v, struct hwraid_ld *ld)
{
	const char *st = v->status;

	hwraid_level(v->level, ld->level, sizeof(ld->level));
	hwraid_level_unknown(ld, v->level, strlen(v->level));
	if (strncmp(st, "Inactive, ", 10) == 0) {
		hwraid_reason_add(ld, "volume inactive");
		st += 10;
	}
	snprintf(ld->state, sizeof(ld->state), "%s", st);
	ld->cond = vol_cond(st);
	if (strv_eq(abbrev(st), "INIT"))
		hwraid_reason_add(ld, "initializing");
	if (strstr(v->op, "Rebuild") && v->pct >= 0) {
		ld->progress = v->pct;
		if (ld->cond == HWRAID_LD_DEGRADED)
			ld->cond = HWRAID_LD_RECOVERY;
	} else if (v->op[0] && strcmp(v->op, "None") != 0) {
		if (v->pct >= 0)
			hwraid_reason_add(ld, "%s, %.0f%%", v->op, v->pct);
		else
			hwraid_reason_add(ld, "%s", v->op);
	}
}

/*
 * A listed controller whose DISPLAY was not read fails the run (it failed,
 * or it appeared after start), unless it is one redmon does not ask about:
 * past the first HWRAID_MAX_CTL indexes LIST names (sas2ircu_controllers()
 * gives them in that order), or HWRAID_MAX_CTL others were read.  Those are
 * named in the reasons (hwraid_ctl_skipped(), after the volumes are built).
 */
static int ir_unread(const struct ir *t, int *ids, size_t *n_skip, char *err, size_t errlen)
{
	size_t shown = 0, listed = 0;

	*n_skip = 0;
	for (int c = 0; c < IR_MAX_CTL; c++)
		shown += t->listed[c] && t->displayed[c];
	for (int c = 0; c < IR_MAX_CTL; c++) {
		listed += t->listed[c];
		if (!t->listed[c] || t->displayed[c])
			continue;
		if (shown < HWRAID_MAX_CTL && listed <= HWRAID_MAX_CTL) {
			snprintf(err, errlen,
				 "controller %d listed, its DISPLAY not read (it failed, or the "
				 "controller appeared after redmon started)",
				 c);
			return -EINVAL;
		}
		if (*n_skip < 4)
			ids[*n_skip] = c;
		(*n_skip)++;
	}
	return 0;
}

static int ir_build(const struct ir *t, struct hwraid_result *r, char *err, size_t errlen)
{
	size_t first = r->n_ld, n_skip;
	int ids[4], rc = ir_unread(t, ids, &n_skip, err, errlen);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < t->n_v; i++) {
		const struct ir_vol *v = &t->v[i];
		struct hwraid_ld *ld;

		if (!v->displayed)
			continue; /* a STATUS without its DISPLAY */
		ld = hwraid_ld_add(r);
		if (!ld || vol_members(t, v, ld) < 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		snprintf(ld->name, sizeof(ld->name), "c%d/ir-volume%d", v->ctl, v->num);
		vol_state(v, ld);
		ld->total = (int)v->n_phys;
	}
	return hwraid_ctl_skipped(r, first, ids, n_skip, err, errlen);
}

static int sas2ircu_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			  char *err, size_t errlen)
{
	struct ir t = { 0 };
	size_t before = ret->n_ld; /* other drivers' */
	bool none = false;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char why[256];
		int r = ir_parse_one(&t, &out[i], why, sizeof(why));

		none = none || (out[i].main && t.listed_none);
		if (r < 0 && (out[i].main || r == -ENOMEM)) {
			snprintf(err, errlen, "%s: %s", out[i].name,
				 r == -ENOMEM ? "out of memory" : why);
			rc = r;
		}
	}
	if (rc == 0)
		rc = ir_build(&t, ret, err, errlen);
	ret->none = ret->none || (rc == 0 && none && ret->n_ld == before);
	ir_free(&t);
	return rc;
}

/*
 * The indexes LIST names (0, 1, 2), at most max: their count, 0 for "MPTLib2
 * Error 1" (no SAS2 controller), or -EINVAL when the output is not LIST's.
 */
static int sas2ircu_controllers(const char *buf, size_t len, int *ret, size_t max)
{
	const struct hwraid_output out = { .name = "LIST", .buf = buf, .len = len, .main = true };
	struct ir t = { 0 };
	char why[128];
	size_t n = 0;
	int rc = ir_parse_one(&t, &out, why, sizeof(why));

	if (rc == 0 && !t.list)
		rc = -EINVAL;
	for (int c = 0; rc == 0 && c < IR_MAX_CTL && n < max; c++) {
		if (t.listed[c])
			ret[n++] = c;
	}
	ir_free(&t);
	return rc < 0 ? rc : (int)n;
}

static const char *const ir_tools[] = { "sas2ircu", NULL };
static const char *const ir_prefixes[] = { "sas2ircu", NULL };
static const char *const ir_list[] = { "LIST", NULL };
/*
 * The controller list at each run (a listed controller whose DISPLAY was not
 * read fails the run), then, per listed controller, its volumes and drives
 * and the progress of a rebuild.  STATUS on a controller without volumes
 * fails and is left out.
 */
static const char *const ir_commands[][HWRAID_MAX_ARGS] = {
	{ "LIST", NULL },
	{ HWRAID_CTL, "DISPLAY", NULL },
	{ HWRAID_CTL, "STATUS", NULL },
};

const struct hwraid_driver hwraid_sas2ircu = {
	.name = "sas2ircu",
	.what = "LSI SAS2 integrated RAID",
	.tools = ir_tools,
	.prefixes = ir_prefixes,
	.commands = ir_commands,
	.n_commands = sizeof(ir_commands) / sizeof(ir_commands[0]),
	.parse = sas2ircu_parse,
	.list_command = ir_list,
	.controllers = sas2ircu_controllers,
	.first_ctl = 0,
};
