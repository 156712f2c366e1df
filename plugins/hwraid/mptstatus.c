// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mpt-status driver of hwraid: the integrated RAID (IM mirror, IME,
 * IS stripe) of LSI Fusion-MPT SAS/SCSI controllers (1064, 1068, 1030; the
 * mptctl driver), read with mpt-status.  It prints a volume, then its
 * physical disks, in one of two forms:
 *
 *   default (-i N)  ioc0 vol_id 0 type IM, 2 phy, 68 GB, state DEGRADED, flags ENABLED RESYNC_IN_PROGRESS
 *                   ioc0 phy 1 scsi_id 1 MAXTOR   ATLAS10K4_73SCA  DFV0, 68 GB, state ONLINE, flags OUT_OF_SYNC
 *   -n (parsable)   ioc:0 vol_id:0 type:IM raidlevel:RAID-1 num_disks:2 size(GB):68 state: DEGRADED flags: ...
 *                   ioc:0 phys_id:1 scsi_id:1 vendor:MAXTOR product_id:ATLAS10K4_73SCA revision:DFV0
 *                       size(GB):68 state: ONLINE flags: OUT_OF_SYNC sync_state: 70 ASC/ASCQ:...
 *
 * and, while a volume resyncs, "scsi_id:1 70%" lines.  Volume states
 * (MPI's RAID volume page 0): OPTIMAL, DEGRADED, FAILED, MISSING; flags
 * ENABLED, QUIESCED, RESYNC_IN_PROGRESS, VOLUME_INACTIVE.  Disk states:
 * ONLINE, MISSING, NOT_COMPATIBLE, FAILED, INITIALIZING, OFFLINE_REQUESTED,
 * FAILED_REQUESTED, OTHER_OFFLINE; flag OUT_OF_SYNC (being resynced).  A
 * volume printed twice (the two forms of one state) is merged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hwraid.h"
#include "../lib/strbuf.h"

#define MPT_MAX_WORDS 32

/* One line, either form, as keys and values. */
struct mpt_line {
	bool vol, phys, pct;
	int ioc, id, scsi_id, disks, sync; /* -1 when not printed */
	char type[HWRAID_WORD], level[HWRAID_WORD], state[HWRAID_WORD];
	char model[HWRAID_TEXT];
	bool resync, out_of_sync, inactive;
};

struct mpt {
	struct hwraid_result *r;
	struct hwraid_ld *cur; /* the volume the disk lines belong to */
	int ioc;
	bool understood;
};

/* "ioc0" (default form) or "0" (after "ioc:"): the number, or -1. */
static int num(struct strv v, const char *prefix)
{
	long long ll;

	if (!strv_starts(v, prefix))
		return -1;
	v = strv_make(v.p + strlen(prefix), v.n - strlen(prefix));
	if (v.n && v.p[v.n - 1] == '%')
		v.n--;
	return strv_to_ll(v, 0, 1000000, &ll) < 0 ? -1 : (int)ll;
}

static void word(char *dst, size_t len, struct strv v)
{
	if (v.n && v.p[v.n - 1] == ',')
		v.n--;
	strv_copy_printable(v, dst, len);
}

/* A word of the flags (true: more may follow). */
static bool flag(struct mpt_line *l, struct strv w)
{
	if (strv_starts(w, "RESYNC_IN_PROGRESS"))
		l->resync = true;
	if (strv_starts(w, "OUT_OF_SYNC"))
		l->out_of_sync = true;
	if (strv_starts(w, "VOLUME_INACTIVE"))
		l->inactive = true;
	return true;
}

/* Append a word (printable) to dst, after a blank unless dst is empty; cut at len - 1. */
static void join(char *dst, size_t len, struct strv w)
{
	size_t n = strlen(dst);

	if (n && n + 1 < len)
		dst[n++] = ' ';
	strv_copy_printable(w, dst + n, len - n);
}

/* "vendor product", printable. */
static void model(struct mpt_line *l, struct strv vendor, struct strv product)
{
	char v[HWRAID_TEXT / 2], p[HWRAID_TEXT / 2];

	strv_copy_printable(vendor, v, sizeof(v));
	strv_copy_printable(product, p, sizeof(p));
	snprintf(l->model, sizeof(l->model), "%s%s%s", v, v[0] ? " " : "", p);
}

/* The words after "scsi_id N" up to the revision and its comma: vendor and product. */
static void phys_model(struct mpt_line *l, const struct strv *w, size_t n)
{
	size_t i = 5, end;

	while (i < n && !strv_ends(w[i], ","))
		i++;
	if (i >= n)
		return;
	end = strv_eq(w[i], ",") ? i - 1 : i; /* "ST3808110AS      J   ," */
	for (size_t k = 5; k < end; k++)
		join(l->model, sizeof(l->model), w[k]);
}

/* The default form: "ioc0 vol_id 0 type IM, 2 phy, ..." or "ioc0 phy 1 scsi_id 1 ... , ...". */
static int default_form(struct mpt_line *l, const struct strv *w, size_t n)
{
	size_t i = 2;

	l->ioc = num(w[0], "ioc");
	if (n < 4 || l->ioc < 0)
		return -EINVAL;
	l->vol = strv_eq(w[1], "vol_id");
	l->phys = strv_eq(w[1], "phy");
	l->id = num(w[2], "");
	if ((!l->vol && !l->phys) || l->id < 0)
		return -EINVAL;
	for (i = 3; i + 1 < n; i++) {
		if (strv_eq(w[i], "type"))
			word(l->type, sizeof(l->type), w[i + 1]);
		else if (strv_eq(w[i], "state"))
			word(l->state, sizeof(l->state), w[i + 1]);
		else if (strv_eq(w[i], "scsi_id"))
			l->scsi_id = num(w[i + 1], "");
		else if (strv_starts(w[i + 1], "phy") && l->vol)
			l->disks = num(w[i], "");
	}
	for (i = 3; i < n && !strv_eq(w[i], "flags"); i++)
		;
	while (i < n)
		flag(l, w[i++]);
	if (l->phys && l->scsi_id >= 0)
		phys_model(l, w, n);
	return 0;
}

/* The value of a "key:value" word, or of "key:" and the next word. */
static bool kv(const struct strv *w, size_t n, size_t *i, const char *key, struct strv *ret)
{
	size_t k = strlen(key);

	if (!strv_starts(w[*i], key))
		return false;
	*ret = strv_make(w[*i].p + k, w[*i].n - k);
	if (!ret->n && *i + 1 < n)
		*ret = w[++*i];
	return true;
}

/* "vol_id:N" or "phys_id:N" at w[*i]: 1. */
static int id(struct mpt_line *l, const struct strv *w, size_t n, size_t *i)
{
	struct strv v = { 0 };

	l->vol = strv_starts(w[*i], "vol_id:");
	l->phys = !l->vol;
	kv(w, n, i, l->vol ? "vol_id:" : "phys_id:", &v);
	l->id = num(v, "");
	return 1;
}

/* The -n form, and its "scsi_id:1 70%" lines. */
static int parsable_form(struct mpt_line *l, const struct strv *w, size_t n)
{
	struct strv v, vendor = { 0 };
	bool flags = false;
	int ids = 0;

	for (size_t i = 0; i < n; i++) {
		if (memchr(w[i].p, ':', w[i].n))
			flags = false;
		if (kv(w, n, &i, "ioc:", &v))
			l->ioc = num(v, "");
		else if (strv_starts(w[i], "vol_id:") || strv_starts(w[i], "phys_id:"))
			ids += id(l, w, n, &i);
		else if (kv(w, n, &i, "scsi_id:", &v))
			l->scsi_id = num(v, "");
		else if (kv(w, n, &i, "type:", &v))
			word(l->type, sizeof(l->type), v);
		else if (kv(w, n, &i, "raidlevel:", &v))
			word(l->level, sizeof(l->level), v);
		else if (kv(w, n, &i, "num_disks:", &v))
			l->disks = num(v, "");
		else if (kv(w, n, &i, "state:", &v))
			word(l->state, sizeof(l->state), v);
		else if (kv(w, n, &i, "sync_state:", &v))
			l->sync = num(v, "");
		else if (kv(w, n, &i, "vendor:", &v))
			vendor = v;
		else if (kv(w, n, &i, "product_id:", &v))
			model(l, vendor, v);
		else if (kv(w, n, &i, "flags:", &v))
			flags = flag(l, v);
		else if (flags)
			flag(l, w[i]);
	}
	if (ids > 1 || (ids == 1 && l->id < 0))
		return -EINVAL; /* both, or not a number */
	if (!l->vol && !l->phys && l->scsi_id >= 0 && n == 2 && strv_ends(w[1], "%")) {
		l->pct = true;
		l->sync = num(w[1], "");
	}
	return (l->vol || l->phys) && l->ioc < 0 ? -EINVAL : 0;
}

static int line_of(struct strv t, struct mpt_line *l)
{
	struct strv w[MPT_MAX_WORDS];
	size_t n = 0;

	*l = (struct mpt_line){ .ioc = -1, .id = -1, .scsi_id = -1, .disks = -1, .sync = -1 };
	while (n < MPT_MAX_WORDS && strv_next_token(&t, &w[n]))
		n++;
	if (n == 0)
		return 0;
	if (strv_starts(w[0], "ioc") && !strv_starts(w[0], "ioc:"))
		return default_form(l, w, n);
	return parsable_form(l, w, n);
}

/* --- lines into logical drives ------------------------------------------------- */

static enum hwraid_ld_cond vol_cond(const char *state)
{
	if (strcmp(state, "OPTIMAL") == 0)
		return HWRAID_LD_OK;
	if (strcmp(state, "DEGRADED") == 0)
		return HWRAID_LD_DEGRADED;
	if (strcmp(state, "FAILED") == 0 || strcmp(state, "MISSING") == 0)
		return HWRAID_LD_OFFLINE;
	return HWRAID_LD_UNKNOWN;
}

static enum hwraid_pd_cond phys_cond(const char *state, bool out_of_sync)
{
	static const char *const failed[] = { "FAILED", "OFFLINE_REQUESTED", "FAILED_REQUESTED",
					      "OTHER_OFFLINE", "NOT_COMPATIBLE" };

	if (strcmp(state, "ONLINE") == 0)
		return out_of_sync ? HWRAID_PD_REBUILDING : HWRAID_PD_OK;
	if (strcmp(state, "INITIALIZING") == 0)
		return HWRAID_PD_REBUILDING;
	if (strcmp(state, "MISSING") == 0)
		return HWRAID_PD_MISSING;
	for (size_t i = 0; i < sizeof(failed) / sizeof(failed[0]); i++) {
		if (strcmp(state, failed[i]) == 0)
			return HWRAID_PD_FAILED;
	}
	return HWRAID_PD_UNKNOWN;
}

/* "RAID-1E" (-n) or the type (IM mirror, IME, IS stripe) into the rules' level. */
static void vol_level(const struct mpt_line *l, struct hwraid_ld *ld)
{
	static const char *const types[][2] = { { "IM", "RAID1" },
						{ "IME", "RAID1E" },
						{ "IS", "RAID0" } };
	char w[HWRAID_WORD];
	size_t j = 0;

	for (size_t i = 0; l->level[i] && j + 1 < sizeof(w); i++) {
		if (l->level[i] != '-')
			w[j++] = l->level[i];
	}
	w[j] = '\0';
	if (hwraid_level(w, ld->level, sizeof(ld->level)))
		return;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(l->type, types[i][0]) == 0)
			hwraid_level(types[i][1], ld->level, sizeof(ld->level));
	}
	if (l->level[0])
		hwraid_level_unknown(ld, l->level, strlen(l->level));
	else
		hwraid_level_unknown(ld, l->type, strlen(l->type));
}

static void sync_at(struct hwraid_ld *ld, int pct)
{
	if (pct >= 0 && pct <= 100 && (ld->progress < 0 || pct < ld->progress))
		ld->progress = pct;
}

static int volume(struct mpt *m, const struct mpt_line *l)
{
	char name[HWRAID_NAME];
	struct hwraid_ld *ld = NULL;

	snprintf(name, sizeof(name), "ioc%d/vol%d", l->ioc, l->id);
	for (size_t i = 0; i < m->r->n_ld && !ld; i++)
		ld = strcmp(m->r->ld[i].name, name) == 0 ? &m->r->ld[i] : NULL;
	m->ioc = l->ioc;
	m->cur = ld;
	if (ld)
		return 0; /* the other form of the same state */
	ld = m->cur = hwraid_ld_add(m->r);
	if (!ld)
		return -ENOMEM;
	snprintf(ld->name, sizeof(ld->name), "%s", name);
	vol_level(l, ld);
	snprintf(ld->state, sizeof(ld->state), "%s", l->state);
	ld->cond = vol_cond(l->state);
	if (ld->cond == HWRAID_LD_OK && l->resync)
		ld->cond = HWRAID_LD_RECOVERY;
	ld->total = l->disks > 0 && l->disks <= 64 ? l->disks : -1;
	if (l->inactive)
		hwraid_reason_add(ld, "volume inactive");
	return 0;
}

static int disk(struct mpt *m, const struct mpt_line *l)
{
	struct hwraid_ld *ld = m->cur;
	struct hwraid_pd *pd = NULL;
	char name[HWRAID_NAME];

	if (!ld || l->ioc != m->ioc)
		return 0; /* a disk of no volume printed */
	snprintf(name, sizeof(name), "phy%d", l->id);
	for (size_t i = 0; i < ld->n_pd && !pd; i++)
		pd = strcmp(ld->pd[i].name, name) == 0 ? &ld->pd[i] : NULL;
	if (!pd) {
		pd = hwraid_pd_add(ld);
		if (!pd)
			return -ENOMEM;
		snprintf(pd->name, sizeof(pd->name), "%s", name);
	}
	if (!pd->model[0])
		snprintf(pd->model, sizeof(pd->model), "%s", l->model);
	pd->cond = phys_cond(l->state, l->out_of_sync);
	if (l->out_of_sync)
		snprintf(pd->state, sizeof(pd->state), "%.10s OUT_OF_SYNC", l->state);
	else
		snprintf(pd->state, sizeof(pd->state), "%s", l->state);
	sync_at(ld, l->sync);
	return 0;
}

static int mpt_line(struct mpt *m, struct strv t)
{
	struct mpt_line l;
	int rc = line_of(t, &l);

	if (rc < 0)
		return rc;
	if (l.vol || l.phys)
		m->understood = true;
	if (l.vol)
		return volume(m, &l);
	if (l.phys)
		return disk(m, &l);
	if (l.pct && m->cur)
		sync_at(m->cur, l.sync);
	return 0;
}

static int mpt_parse_one(struct mpt *m, const char *buf, size_t len, char *err, size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	size_t lineno = 0;
	int rc = 0;

	m->cur = NULL;
	m->understood = false;
	while (rc == 0 && strv_next_line(&rest, &line)) {
		lineno++;
		rc = mpt_line(m, strv_trim(line));
	}
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	else if (!m->understood) {
		snprintf(err, errlen, "not mpt-status's output (no volume, no disk)");
		rc = -EINVAL;
	}
	return rc;
}

static int mptstatus_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			   char *err, size_t errlen)
{
	struct mpt m = { .r = ret, .ioc = -1 };

	for (size_t i = 0; i < n; i++) {
		char why[256];
		int r = mpt_parse_one(&m, out[i].buf, out[i].len, why, sizeof(why));

		if (r < 0 && (out[i].main || r == -ENOMEM)) {
			snprintf(err, errlen, "%s: %s", out[i].name,
				 r == -ENOMEM ? "out of memory" : why);
			return r;
		}
	}
	return 0;
}

static const char *const mpt_tools[] = { "mpt-status", NULL };
static const char *const mpt_prefixes[] = { "mpt-status", NULL };
/* mpt-status reads one volume (SCSI id) per run: ids 0 to 3; those that are no volume fail, left out. */
static const char *const mpt_commands[][HWRAID_MAX_ARGS] = {
	{ "-n", "-i", "0", NULL },
	{ "-n", "-i", "1", NULL },
	{ "-n", "-i", "2", NULL },
	{ "-n", "-i", "3", NULL },
};

const struct hwraid_driver hwraid_mptstatus = {
	.name = "mptstatus",
	.what = "LSI Fusion-MPT integrated RAID",
	.tools = mpt_tools,
	.prefixes = mpt_prefixes,
	.commands = mpt_commands,
	.n_commands = sizeof(mpt_commands) / sizeof(mpt_commands[0]),
	.parse = mptstatus_parse,
};
