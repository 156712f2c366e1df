// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Adaptec/Microchip arcconf: GETCONFIG and GETSTATUS text into logical
 * drives, and the driver descriptor (arcconf.h says what the outputs hold).
 *
 * Words, as arcconf prints them (the corpus and glensc/nagios-plugin-check_raid
 * t/data/arcconf hold real captures from arcconf 5.x to 3.x): logical device
 * status Optimal, Okay (old firmware), Degraded, Suboptimal, Critical,
 * Rebuilding, Offline, Failed, Impacted; segments Present, Missing,
 * Rebuilding, Inconsistent.  "Impacted" is a logical device whose
 * redundancy a Build/Verify task is computing or checking, often with the
 * task in parentheses ("Impacted ( Build/Verify with fix : 90 % )"): "A
 * verification is being performed on the array; I/O performance is affected"
 * (Adaptec Storage Management Software User's Guide, "Status Reporting");
 * the Build initialization of a new RAID 1/10/5/50 logical device computes
 * its parity or copies its mirror (Adaptec Storage Manager help, "Verifying
 * logical devices").  Its members are all in place, so it is ok, with the
 * task in the reason, as other families report a verify or an
 * initialization.  Older versions say
 * "logical drive" where newer ones say "logical device" or "Logical Device".
 *
 * A segment's bay is the one in its parentheses, printed in one of three
 * forms: "(0,1)" (channel,device), "(Controller:1,Enclosure:0,Slot:3)" and
 * "(457862MB, SATA, SSD, Connector:0, Device:0)"; the member is named by its
 * "Name:N" pairs without the controller ("Enclosure:0,Slot:3"), or by the
 * channel,device pair ("0,1").  The physical device section gives the model,
 * matched by "Reported Location" or "Reported Channel,Device".
 *
 * smartctl reaches a disk behind the controller as "-d aacraid,H,L,ID": it
 * opens /dev/aacH, the aacraid driver's node whose minor is the adapter's
 * id (drivers/scsi/aacraid/linit.c: aac_cfg_open() matches aac->id, set to
 * the SCSI host's unique_id), and sends the SCSI command to channel 0, target
 * ID, LUN L (smartmontools os_linux.cpp, linux_aacraid_device).  arcconf
 * prints the target and LUN as "Reported Channel,Device(T:L) : 0,1(1:0)";
 * H is not in its output (the caller gives it, or no device is set).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arcconf.h"
#include "redmon/grow.h"
#include "../lib/strbuf.h"

#define MAX_DEVS 1024 /* physical devices of one output */
#define MAX_SPAN 63

enum section { S_NONE, S_CTL, S_LD, S_PD };

/* A physical device of the AL output: its bays in the segments' spelling, and model. */
struct arc_dev {
	char bay[2][HWRAID_NAME]; /* "0,1" and "Enclosure:0,Slot:1" */
	char model[HWRAID_TEXT];
	char serial[HWRAID_TEXT];
	int target, lun; /* "(T:L)" on channel 0, -1 when not printed */
};

struct cfg {
	struct hwraid_result *ret;
	int ctl;
	int host;     /* aacraid's number for the controller, -1 when not known */
	size_t first; /* the first of ret's logical drives from this output */
	enum section sec;
	bool backup; /* inside the controller's battery, ZMM or backup unit block */
	long cur;    /* index in ret of the logical drive being read, or -1 */
	int missing; /* members without a bay so far, in the current drive */
	char ctl_status[HWRAID_WORD], backup_status[HWRAID_WORD];
	long long defunct;
	char wc_setting[HWRAID_WORD], wc_status[HWRAID_WORD];
	struct arc_dev *dev;
	size_t n_dev, cap_dev;
};

static bool ieq(struct strv s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

static bool istarts(struct strv s, const char *lit)
{
	return s.n >= strlen(lit) && strncasecmp(s.p, lit, strlen(lit)) == 0;
}

/* "Key    : value": the two halves, trimmed; false when the line has no " :". */
static bool kv(struct strv t, struct strv *key, struct strv *val)
{
	for (size_t i = 0; i + 1 < t.n; i++) {
		if (t.p[i] == ' ' && t.p[i + 1] == ':') {
			*key = strv_trim(strv_make(t.p, i));
			*val = strv_trim(strv_make(t.p + i + 2, t.n - i - 2));
			return true;
		}
	}
	return false;
}

static void cp(struct strv v, char *dst, size_t cap)
{
	strv_copy_printable(strv_trim(v), dst, cap);
}

/* The view up to the first c (all of it when none). */
static struct strv before(struct strv v, char c)
{
	const char *p = memchr(v.p, c, v.n);

	return p ? strv_make(v.p, (size_t)(p - v.p)) : v;
}

/*
 * A bay in the segments' spelling: the items of in ("Enclosure 0, Slot 3",
 * "Controller:1,Enclosure:0,Slot:3", "457862MB, SATA, Connector:0, Device:0",
 * "0,1") reduced to "Name:N" pairs without the controller, or to bare numbers;
 * "" when nothing is left.
 */
static void bay_of(struct strv in, char *out, size_t cap)
{
	struct strv rest = in, item;
	size_t n = 0;

	out[0] = '\0';
	while (strv_next_item(&rest, ",", &item) && n + 1 < cap) {
		struct strv t = strv_trim(item), name, num;
		const char *sep = memchr(t.p, ':', t.n);
		long long ll;
		int w;

		if (!sep)
			sep = memchr(t.p, ' ', t.n);
		name = sep ? strv_trim(strv_make(t.p, (size_t)(sep - t.p))) : strv_make("", 0);
		num = sep ? strv_trim(strv_make(sep + 1, t.n - (size_t)(sep - t.p) - 1)) : t;
		if (strv_to_ll(num, 0, 1000000, &ll) < 0 || ieq(name, "Controller") ||
		    (name.n && !strv_is_graph(name)))
			continue;
		if (name.n)
			w = snprintf(out + n, cap - n, "%s%.*s:%lld", n ? "," : "", (int)name.n,
				     name.p, ll);
		else
			w = snprintf(out + n, cap - n, "%s%lld", n ? "," : "", ll);
		if (w < 0 || (size_t)w >= cap - n) {
			out[n] = '\0';
			break;
		}
		n += (size_t)w;
	}
}

static struct hwraid_ld *cur(struct cfg *x)
{
	return x->cur >= 0 ? &x->ret->ld[x->cur] : NULL;
}

static enum hwraid_ld_cond ld_cond(const char *state)
{
	static const struct {
		const char *word;
		enum hwraid_ld_cond cond;
	} t[] = { { "Optimal", HWRAID_LD_OK },		{ "Okay", HWRAID_LD_OK },
		  { "Impacted", HWRAID_LD_OK },		{ "Degraded", HWRAID_LD_DEGRADED },
		  { "Suboptimal", HWRAID_LD_DEGRADED }, { "Critical", HWRAID_LD_DEGRADED },
		  { "Rebuilding", HWRAID_LD_RECOVERY }, { "Offline", HWRAID_LD_OFFLINE },
		  { "Failed", HWRAID_LD_OFFLINE } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcasecmp(state, t[i].word) == 0)
			return t[i].cond;
	}
	return HWRAID_LD_UNKNOWN;
}

static enum hwraid_pd_cond seg_cond(const char *state)
{
	static const struct {
		const char *word;
		enum hwraid_pd_cond cond;
	} t[] = { { "Present", HWRAID_PD_OK },
		  { "Optimal", HWRAID_PD_OK },
		  { "Rebuilding", HWRAID_PD_REBUILDING },
		  { "Missing", HWRAID_PD_MISSING },
		  { "Failed", HWRAID_PD_FAILED },
		  { "Offline", HWRAID_PD_FAILED },
		  { "Defunct", HWRAID_PD_FAILED } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcasecmp(state, t[i].word) == 0)
			return t[i].cond;
	}
	return HWRAID_PD_UNKNOWN;
}

/* "RAID level : 10", "1E", "6 Reed-Solomon", "Spanned_volume" into ld->level. */
static void level(struct hwraid_ld *ld, struct strv v)
{
	struct strv rest = v, w;
	char word[HWRAID_WORD];

	if (ieq(v, "Simple_volume") || ieq(v, "Spanned_volume")) {
		snprintf(ld->level, sizeof(ld->level), "raid0"); /* no redundancy, as RAID0 */
		return;
	}
	ld->level[0] = '\0';
	if (strv_next_token(&rest, &w) && w.n + 5 <= sizeof(word)) {
		snprintf(word, sizeof(word), "raid%.*s", (int)w.n, w.p);
		hwraid_level(word, ld->level, sizeof(ld->level));
	}
	hwraid_level_unknown(ld, v.p, v.n);
}

/* "Group 1, Segment 0" or "Segment 0": the group (span), -1 without one; false when neither. */
static bool segment_key(struct strv key, int *ret_span)
{
	struct strv g, s;
	long long ll;

	*ret_span = -1;
	if (istarts(key, "Segment ")) {
		s = strv_make(key.p + 8, key.n - 8);
		return strv_to_ll(strv_trim(s), 0, 1000000, &ll) == 0;
	}
	if (!istarts(key, "Group "))
		return false;
	g = before(strv_make(key.p + 6, key.n - 6), ',');
	if (strv_to_ll(strv_trim(g), 0, 1000000, &ll) < 0 || g.n + 6 >= key.n)
		return false;
	*ret_span = ll <= MAX_SPAN ? (int)ll : -1;
	s = strv_trim(strv_make(g.p + g.n + 1, key.n - 6 - g.n - 1));
	return istarts(s, "Segment ") &&
	       strv_to_ll(strv_trim(strv_make(s.p + 8, s.n - 8)), 0, 1000000, &ll) == 0;
}

/* "Present (Controller:1,Enclosure:0,Slot:3)   SERIAL", "Missing": one member. */
static int segment(struct cfg *x, struct strv key, struct strv val, int span)
{
	struct hwraid_ld *ld = cur(x);
	struct strv state = strv_trim(before(val, '(')), rest, serial;
	const char *open = memchr(val.p, '(', val.n), *close = NULL;
	struct hwraid_pd *d = hwraid_pd_add(ld);

	if (!d)
		return -ENOMEM;
	d->span = span;
	cp(state, d->state, sizeof(d->state));
	d->cond = seg_cond(d->state);
	if (open)
		close = memchr(open, ')', val.n - (size_t)(open - val.p));
	if (open && close) {
		bay_of(strv_make(open + 1, (size_t)(close - open - 1)), d->name, sizeof(d->name));
		rest = strv_make(close + 1, val.n - (size_t)(close + 1 - val.p));
		if (strv_next_token(&rest, &serial))
			cp(serial, d->serial, sizeof(d->serial));
	}
	if (!d->name[0])
		snprintf(d->name, sizeof(d->name), "missing-%d", ++x->missing);
	if (d->cond == HWRAID_PD_UNKNOWN) {
		char seg[41]; /* the tool's key: printable only, as every text it gives */

		cp(strv_make(key.p, key.n < 40 ? key.n : 40), seg, sizeof(seg));
		hwraid_reason_add(ld, "%s state '%s' not understood", seg, d->state);
	}
	ld->total = ld->total < 0 ? 1 : ld->total + 1;
	return 0;
}

/* "Global Hot-Spare : 0,25": a spare serving the current drive. */
static int spare(struct cfg *x, struct strv key, struct strv val)
{
	struct hwraid_ld *ld = cur(x);
	struct hwraid_pd *d = hwraid_pd_add(ld);

	if (!d)
		return -ENOMEM;
	bay_of(val, d->name, sizeof(d->name));
	if (!d->name[0])
		snprintf(d->name, sizeof(d->name), "spare-%d", ld->spares + 1);
	cp(key, d->state, sizeof(d->state));
	d->cond = HWRAID_PD_SPARE;
	ld->spares++;
	return 0;
}

/* The end of a logical drive's block: what needed more than one line. */
static void finish_ld(struct cfg *x)
{
	struct hwraid_ld *ld = cur(x);

	if (ld && istarts(strv_c(x->wc_setting), "Enabled") && strcasecmp(x->wc_status, "Off") == 0)
		hwraid_reason_add(ld, "write cache enabled but off");
	x->cur = -1;
	x->missing = 0;
	x->wc_setting[0] = x->wc_status[0] = '\0';
}

static int ld_start(struct cfg *x, struct strv t)
{
	struct strv rest = t, w, num = strv_make("", 0);
	struct hwraid_ld *ld;
	long long n;

	while (strv_next_token(&rest, &w))
		num = w; /* the last word: "Logical device number 0" */
	if (strv_to_ll(num, 0, 65535, &n) < 0)
		return -EINVAL;
	finish_ld(x);
	ld = hwraid_ld_add(x->ret);
	if (!ld)
		return -ENOMEM;
	if (x->ctl == 1)
		snprintf(ld->name, sizeof(ld->name), "ld%lld", n);
	else
		snprintf(ld->name, sizeof(ld->name), "c%d/ld%lld", x->ctl, n);
	ld->total = 0;
	x->cur = (long)(x->ret->n_ld - 1);
	return 0;
}

/*
 * "Impacted ( Build/Verify with fix : 90 % )": the task in the reason (the
 * module comment says what the word means).
 */
static void impacted(struct hwraid_ld *ld, struct strv val)
{
	const char *open = memchr(val.p, '(', val.n);
	char task[HWRAID_WORD] = "";

	if (open) {
		struct strv in = strv_make(open + 1, val.n - (size_t)(open + 1 - val.p));

		cp(before(in, ')'), task, sizeof(task));
	}
	if (task[0])
		hwraid_reason_add(ld, "Impacted (%s): redundancy being built or verified", task);
	else
		hwraid_reason_add(ld, "Impacted: redundancy being built or verified");
}

static int ld_line(struct cfg *x, struct strv key, struct strv val)
{
	struct hwraid_ld *ld = cur(x);
	int span;

	if (!ld)
		return 0;
	if (ieq(key, "RAID level")) {
		level(ld, val);
	} else if (istarts(key, "Status of logical")) {
		cp(before(val, '('), ld->state, sizeof(ld->state));
		ld->cond = ld_cond(ld->state);
		if (strcasecmp(ld->state, "Impacted") == 0)
			impacted(ld, val);
	} else if ((ieq(key, "Failed stripes") || ieq(key, "Defunct stripes")) &&
		   istarts(val, "Yes")) {
		hwraid_reason_add(ld, "stripes lost (%s: Yes)",
				  ieq(key, "Failed stripes") ? "failed stripes"
							     : "defunct stripes");
	} else if (ieq(key, "Write-cache setting")) {
		cp(before(val, '('), x->wc_setting, sizeof(x->wc_setting));
	} else if (ieq(key, "Write-cache status")) {
		cp(val, x->wc_status, sizeof(x->wc_status));
	} else if (ieq(key, "Global Hot-Spare") || ieq(key, "Dedicated Hot-Spare")) {
		return spare(x, key, val);
	} else if (segment_key(key, &span)) {
		return segment(x, key, val, span);
	}
	return 0;
}

/*
 * "0,1(1:0)": channel 0's target 1, LUN 0 into d; left unknown on another
 * channel (smartctl's aacraid path sends to channel 0 only) or when not
 * understood.
 */
static void target_lun(struct arc_dev *d, struct strv val)
{
	struct strv ch = strv_trim(before(val, ',')), in = val, t, l;
	const char *open = memchr(val.p, '(', val.n), *colon;
	long long lt, ll;

	if (!strv_eq(ch, "0") || !open || val.p[val.n - 1] != ')')
		return;
	in = strv_make(open + 1, (size_t)(val.p + val.n - 1 - open - 1));
	colon = memchr(in.p, ':', in.n);
	if (!colon)
		return;
	t = strv_make(in.p, (size_t)(colon - in.p));
	l = strv_make(colon + 1, (size_t)(in.p + in.n - colon - 1));
	if (strv_to_ll(t, 0, 255, &lt) == 0 && strv_to_ll(l, 0, 255, &ll) == 0) {
		d->target = (int)lt;
		d->lun = (int)ll;
	}
}

static int dev_line(struct cfg *x, struct strv t, struct strv key, struct strv val, bool has_kv)
{
	struct arc_dev *d;

	if (!has_kv && istarts(t, "Device #")) {
		if (x->n_dev >= MAX_DEVS ||
		    !grow_one((void **)&x->dev, &x->cap_dev, x->n_dev, sizeof(*x->dev), 16))
			return x->n_dev >= MAX_DEVS ? 0 : -ENOMEM;
		x->dev[x->n_dev++] = (struct arc_dev){ .target = -1, .lun = -1 };
		return 0;
	}
	if (!has_kv || !x->n_dev)
		return 0;
	d = &x->dev[x->n_dev - 1];
	if (istarts(key, "Reported Channel,Device")) {
		bay_of(before(val, '('), d->bay[0], sizeof(d->bay[0]));
		if (strv_eq(key, "Reported Channel,Device(T:L)"))
			target_lun(d, val);
	} else if (ieq(key, "Reported Location"))
		bay_of(val, d->bay[1], sizeof(d->bay[1]));
	else if (ieq(key, "Model"))
		cp(val, d->model, sizeof(d->model));
	else if (ieq(key, "Serial number"))
		cp(val, d->serial, sizeof(d->serial));
	return 0;
}

static void ctl_line(struct cfg *x, struct strv t, struct strv key, struct strv val, bool has_kv)
{
	long long n;

	if (!has_kv) {
		if (istarts(t, "Controller ") && strv_ends(t, "Information"))
			x->backup = istarts(t, "Controller Battery") ||
				    istarts(t, "Controller ZMM") ||
				    istarts(t, "Controller Cache Backup");
		return;
	}
	if (ieq(key, "Controller Status"))
		cp(val, x->ctl_status, sizeof(x->ctl_status));
	else if ((x->backup && ieq(key, "Status")) || ieq(key, "Overall Backup Unit Status"))
		cp(val, x->backup_status, sizeof(x->backup_status));
	else if (ieq(key, "Defunct disk drive count") && strv_to_ll(val, 0, 1000000, &n) == 0)
		x->defunct = n;
}

/* The section a title line opens, or S_NONE when t is no title. */
static enum section title(struct strv t)
{
	if (ieq(t, "Controller information"))
		return S_CTL;
	if (ieq(t, "Logical device information") || ieq(t, "Logical drive information"))
		return S_LD;
	if (ieq(t, "Physical Device information"))
		return S_PD;
	return S_NONE;
}

static int line(struct cfg *x, struct strv t)
{
	struct strv key = { 0 }, val = { 0 };
	bool has_kv = kv(t, &key, &val);
	enum section s = has_kv ? S_NONE : title(t);

	if (s != S_NONE) {
		finish_ld(x);
		x->sec = s;
		x->backup = false;
		return 0;
	}
	if (x->sec == S_LD && !has_kv &&
	    (istarts(t, "Logical device number") || istarts(t, "Logical drive number")))
		return ld_start(x, t);
	if (x->sec == S_LD && has_kv)
		return ld_line(x, key, val);
	if (x->sec == S_PD)
		return dev_line(x, t, key, val, has_kv);
	if (x->sec == S_CTL)
		ctl_line(x, t, key, val, has_kv);
	return 0;
}

static bool ok_word(const char *w, const char *const *ok)
{
	if (!w[0])
		return true;
	for (size_t i = 0; ok[i]; i++) {
		if (strcasecmp(w, ok[i]) == 0)
			return true;
	}
	return false;
}

/* Models (and serials the segments lacked) from the physical devices; controller trouble. */
static void complete(struct cfg *x)
{
	static const char *const ctl_ok[] = { "Optimal", "Okay", "OK", NULL };
	static const char *const backup_ok[] = { "Optimal",
						 "Okay",
						 "OK",
						 "Ready",
						 "Not Installed",
						 "Not Present",
						 "ZMM Optimal",
						 "ZMM not installed",
						 NULL };

	for (size_t i = x->first; i < x->ret->n_ld; i++) {
		struct hwraid_ld *ld = &x->ret->ld[i];

		for (size_t j = 0; j < ld->n_pd; j++) {
			struct hwraid_pd *p = &ld->pd[j];

			for (size_t k = 0; k < x->n_dev; k++) {
				const struct arc_dev *d = &x->dev[k];

				if (strcmp(p->name, d->bay[0]) != 0 &&
				    strcmp(p->name, d->bay[1]) != 0)
					continue;
				snprintf(p->model, sizeof(p->model), "%s", d->model);
				if (!p->serial[0])
					snprintf(p->serial, sizeof(p->serial), "%s", d->serial);
				if (x->host >= 0 && d->target >= 0) /* all bounded: it fits */
					snprintf(p->device, sizeof(p->device),
						 "/dev/aac%hu aacraid,%hu,%hhu,%hhu",
						 (unsigned short)x->host, (unsigned short)x->host,
						 (unsigned char)d->lun, (unsigned char)d->target);
				break;
			}
		}
		if (!ok_word(x->ctl_status, ctl_ok))
			hwraid_reason_add(ld, "controller %d status %s", x->ctl, x->ctl_status);
		if (!ok_word(x->backup_status, backup_ok))
			hwraid_reason_add(ld, "cache backup (battery/ZMM) %s", x->backup_status);
		if (x->defunct > 0)
			hwraid_reason_add(ld, "%lld defunct drive%s on controller %d", x->defunct,
					  x->defunct == 1 ? "" : "s", x->ctl);
	}
}

int arc_parse_config(const char *buf, size_t len, int ctl, int host, struct hwraid_result *ret,
		     char *err, size_t errlen)
{
	struct cfg x = { .ret = ret,
			 .ctl = ctl,
			 .host = host >= 0 && host <= 65535 ? host : -1,
			 .first = ret->n_ld,
			 .cur = -1 };
	struct strv rest = strv_make(buf, len), l;
	size_t lineno = 0;
	int rc = 0;

	while (rc == 0 && strv_next_line(&rest, &l)) {
		lineno++;
		rc = line(&x, strv_trim(l));
	}
	finish_ld(&x);
	if (rc == 0)
		complete(&x);
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory, or too many devices");
	free(x.dev);
	return rc;
}

static struct hwraid_ld *find_ld(struct hwraid_result *r, int ctl, long long n)
{
	char name[HWRAID_NAME];

	if (ctl == 1)
		snprintf(name, sizeof(name), "ld%lld", n);
	else
		snprintf(name, sizeof(name), "c%d/ld%lld", ctl, n);
	for (size_t i = 0; i < r->n_ld; i++) {
		if (strcmp(r->ld[i].name, name) == 0)
			return &r->ld[i];
	}
	return NULL;
}

int arc_parse_status(const char *buf, size_t len, int ctl, struct hwraid_result *ret, char *err,
		     size_t errlen)
{
	struct strv rest = strv_make(buf, len), l, key, val, w;
	char op[HWRAID_WORD] = "";
	long long ld = -1, pct;

	(void)err;
	(void)errlen;
	while (strv_next_line(&rest, &l)) {
		struct strv t = strv_trim(l);
		struct hwraid_ld *d;

		if (strv_ends(t, "Task:")) {
			ld = -1;
			op[0] = '\0';
		} else if (!kv(t, &key, &val)) {
			continue;
		} else if (ieq(key, "Logical device") || ieq(key, "Logical drive")) {
			if (strv_to_ll(val, 0, 65535, &ld) < 0)
				ld = -1;
		} else if (ieq(key, "Current operation")) {
			cp(val, op, sizeof(op));
		} else if (ieq(key, "Percentage complete") && ld >= 0 &&
			   strcasestr(op, "Rebuild") && (d = find_ld(ret, ctl, ld)) != NULL &&
			   strv_next_token(&val, &w) && strv_to_ll(w, 0, 100, &pct) == 0) {
			d->progress = (double)pct;
		}
	}
	return 0;
}

enum arc_kind arc_kind(const char *buf, size_t len)
{
	struct strv rest = strv_make(buf, len), l;
	bool status = false, none = false;

	while (strv_next_line(&rest, &l)) {
		struct strv t = strv_trim(l), key, val;

		if (title(t) != S_NONE || istarts(t, "Logical device number") ||
		    istarts(t, "Logical drive number"))
			return ARC_CONFIG;
		if (kv(t, &key, &val) && ieq(key, "Current operation"))
			status = true;
		if (istarts(t, "Controllers found:") &&
		    strv_eq(strv_trim(strv_make(t.p + 18, t.n - 18)), "0"))
			none = true;
	}
	return status ? ARC_STATUS : none ? ARC_NONE : ARC_UNKNOWN;
}

int arc_ctl_of(const char *name)
{
	static const char *const keys[] = { "getconfig", "getstatus", NULL };

	for (const char *p = name; *p; p++) {
		for (size_t i = 0; keys[i]; i++) {
			size_t n = strlen(keys[i]), d;
			long long ll;

			if (strncasecmp(p, keys[i], n) != 0 || (p[n] != '-' && p[n] != ' '))
				continue;
			n++;
			d = strspn(p + n, "0123456789");
			if (strv_to_ll(strv_make(p + n, d), 1, 128, &ll) == 0)
				return (int)ll;
		}
	}
	return 1;
}

#define ARC_MAX_FOUND 1000 /* the most "Controllers found" believed */

/* The N of an output's "Controllers found: N" (0 to ARC_MAX_FOUND), or -EINVAL. */
static int arc_found(const char *buf, size_t len)
{
	struct strv rest = strv_make(buf, len), l;
	long long n;

	while (strv_next_line(&rest, &l)) {
		struct strv t = strv_trim(l);

		if (!istarts(t, "Controllers found:"))
			continue;
		if (strv_to_ll(strv_trim(strv_make(t.p + 18, t.n - 18)), 0, ARC_MAX_FOUND, &n) < 0)
			return -EINVAL;
		return (int)n;
	}
	return -EINVAL;
}

int arc_controllers(const char *buf, size_t len, int *ret, size_t max)
{
	int n = arc_found(buf, len);

	for (int i = 0; i < n && (size_t)i < max; i++)
		ret[i] = i + 1;
	return n < 0 || (size_t)n < max ? n : (int)max;
}

/*
 * The controllers the outputs say there are (the most any "Controllers
 * found" says) beyond HWRAID_MAX_CTL whose GETCONFIG was not read: the ones
 * redmon does not ask about, named in the reasons of the logical drives from
 * first on.
 */
static int arc_skipped(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
		       size_t first, char *err, size_t errlen)
{
	bool read[ARC_MAX_FOUND + 1] = { false };
	int found = 0, ids[4];
	size_t n_skip = 0;

	for (size_t i = 0; i < n; i++) {
		int f = arc_found(out[i].buf, out[i].len), ctl = arc_ctl_of(out[i].name);

		found = f > found ? f : found;
		if (ctl > 0 && ctl <= ARC_MAX_FOUND &&
		    arc_kind(out[i].buf, out[i].len) == ARC_CONFIG)
			read[ctl] = true;
	}
	for (int k = HWRAID_MAX_CTL + 1; k <= found; k++) {
		if (!read[k] && n_skip < 4)
			ids[n_skip] = k;
		n_skip += !read[k];
	}
	return hwraid_ctl_skipped(ret, first, ids, n_skip, err, errlen);
}

/* --- the driver ---------------------------------------------------------------- */

static int arcconf_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			 char *err, size_t errlen)
{
	size_t configs = 0, none = 0, before = ret->n_ld; /* other drivers' */
	int rc = 0;

	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			enum arc_kind k = arc_kind(out[i].buf, out[i].len);
			int ctl = arc_ctl_of(out[i].name);
			char why[256] = "";

			if (pass == 0 && k == ARC_CONFIG) {
				configs++;
				rc = arc_parse_config(out[i].buf, out[i].len, ctl,
						      out[i].host_known ? out[i].host : -1, ret,
						      why, sizeof(why));
			} else if (pass == 0 && k == ARC_NONE) {
				none++;
			} else if (pass == 0 && k == ARC_UNKNOWN && out[i].main) {
				snprintf(why, sizeof(why),
					 "neither arcconf's GETCONFIG nor its GETSTATUS output");
				rc = -EINVAL;
			} else if (pass == 1 && k == ARC_STATUS) {
				rc = arc_parse_status(out[i].buf, out[i].len, ctl, ret, why,
						      sizeof(why));
			}
			if (rc < 0)
				snprintf(err, errlen, "%s: %s", out[i].name, why);
		}
	}
	if (rc == 0 && configs == 0 && none > 0)
		ret->none = true;
	if (rc == 0)
		rc = arc_skipped(out, n, ret, before, err, errlen);
	return rc;
}

static const char *const arcconf_tools[] = { "arcconf", NULL };
static const char *const arcconf_prefixes[] = { "arcconf", NULL };
static const char *const arcconf_commands[][HWRAID_MAX_ARGS] = {
	{ "GETCONFIG", HWRAID_CTL, "AL", NULL },
	{ "GETSTATUS", HWRAID_CTL, NULL },
};
/* Every arcconf output starts with "Controllers found: N"; GETSTATUS is the quickest. */
static const char *const arcconf_list[] = { "GETSTATUS", "1", NULL };

const struct hwraid_driver hwraid_arcconf = {
	.name = "arcconf",
	.what = "Adaptec/Microchip",
	.tools = arcconf_tools,
	.prefixes = arcconf_prefixes,
	.commands = arcconf_commands,
	.n_commands = sizeof(arcconf_commands) / sizeof(arcconf_commands[0]),
	.parse = arcconf_parse,
	.list_command = arcconf_list,
	.controllers = arc_controllers,
	.first_ctl = 1,
	.scsi_driver = "aacraid",
};
