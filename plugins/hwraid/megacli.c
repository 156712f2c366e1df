// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The MegaCli driver of hwraid: LSI's older tool for MegaRAID controllers
 * (MegaCli64, MegaCli, megacli), which storcli replaced.  Two outputs, both
 * "Key : Value" lines in blocks:
 *
 *   -LDInfo -Lall -aALL   "Adapter 0 -- Virtual Drive Information:", then per
 *                         virtual drive "Virtual Drive: 0 (Target Id: 0)",
 *                         "RAID Level : Primary-5, Secondary-0, RAID Level
 *                         Qualifier-3", "State : Optimal", "Number Of Drives",
 *                         "Span Depth", the default and current cache policy;
 *   -PDList -aALL         "Adapter #0", then per drive "Enclosure Device ID",
 *                         "Slot Number", "Drive's position: DiskGroup: 0,
 *                         Span: 0, Arm: 2", "Device Id", "Firmware state:
 *                         Online, Spun Up", "Predictive Failure Count", "Drive
 *                         has flagged a S.M.A.R.T alert : Yes".
 *
 * The RAID level is Primary-P with Secondary-3 (or a span depth above 1) for
 * a spanned level (RAID10, 50, 60).  LDInfo does not say which disk group a
 * virtual drive sits on: when an adapter has as many disk groups as virtual
 * drives, the n-th virtual drive is taken to be on the n-th disk group (the
 * controller numbers both in creation order); else its members are not
 * listed and the group says so.  Hot spares of the adapter serve every
 * virtual drive.  A predictive failure or a S.M.A.R.T alert of a member, an
 * unconfigured-bad drive, a foreign configuration and a write cache fallen
 * back to write-through are reasons, not health changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwraid.h"
#include "../lib/strbuf.h"
#include "redmon/grow.h"

#define MC_MAX	 8192 /* virtual drives, drives per output set */
#define MC_ANY	 (-1)
#define MC_WORD	 HWRAID_WORD
#define MC_LARGE 1000000

struct mc_ld {
	int adapter, vd;
	int primary, secondary; /* RAID Level, -1 unknown */
	char level[MC_WORD];	/* the RAID Level line as printed, for a reason */
	int drives, per_span, span_depth;
	double progress;
	char state[MC_WORD], cache[MC_WORD], default_cache[MC_WORD];
};

struct mc_pd {
	int adapter, eid, slot, did, dg, span; /* eid, did, dg, span -1 when none */
	long long predictive;
	bool smart, foreign;
	char state[MC_WORD]; /* the first word of Firmware state */
};

struct mc_set {
	struct mc_ld *ld;
	size_t n_ld, cap_ld;
	struct mc_pd *pd;
	size_t n_pd, cap_pd;
	int adapter;	     /* the block being read, -1 before the first */
	bool ld_block;	     /* the last block opened is a virtual drive's */
	bool understood;     /* an adapter header or an exit code was seen */
	long long exit_code; /* "Exit Code: 0x01", 0 when none */
	/*
	 * smartctl's N of /dev/bus/N: the one megaraid_sas SCSI host's number
	 * when known (live) and every drive is on one adapter, else -1: then
	 * the adapter's number (hwraid/megaraid.c, bus_of(), says why).
	 */
	int bus;
};

static void mc_set_free(struct mc_set *s)
{
	free(s->ld);
	free(s->pd);
}

static void cp(char *dst, size_t len, struct strv v)
{
	strv_copy_printable(strv_trim(v), dst, len);
}

/* The number at the start of v ("0 (Target Id: 0)", "423"), bounded; -EINVAL when none. */
static int lead_int(struct strv v, long long max, long long *ret)
{
	struct strv tok;

	v = strv_trim(v);
	if (!strv_next_token(&v, &tok))
		return -EINVAL;
	return strv_to_ll(tok, 0, max, ret);
}

/* The number after "word-" or "word:" in v ("Primary-5", "Span: 0"), or -1. */
static int after(struct strv v, const char *word)
{
	size_t n = strlen(word);
	long long ll;

	for (size_t i = 0; i + n < v.n; i++) {
		struct strv rest = strv_ltrim(strv_make(v.p + i + n + 1, v.n - i - n - 1));
		size_t d = 0;

		if (memcmp(v.p + i, word, n) != 0)
			continue;
		while (d < rest.n && rest.p[d] >= '0' && rest.p[d] <= '9')
			d++;
		return strv_to_ll(strv_make(rest.p, d), 0, MC_LARGE, &ll) < 0 ? -1 : (int)ll;
	}
	return -1;
}

static int new_ld(struct mc_set *s, struct strv v)
{
	long long vd;
	struct mc_ld *ld;

	if (s->adapter < 0 || lead_int(v, MC_LARGE, &vd) < 0)
		return -EINVAL;
	if (s->n_ld >= MC_MAX || !grow_one((void **)&s->ld, &s->cap_ld, s->n_ld, sizeof(*ld), 8))
		return -ENOMEM;
	ld = &s->ld[s->n_ld++];
	*ld = (struct mc_ld){ .adapter = s->adapter,
			      .vd = (int)vd,
			      .primary = -1,
			      .secondary = -1,
			      .drives = -1,
			      .per_span = -1,
			      .span_depth = -1,
			      .progress = -1 };
	s->ld_block = true;
	return 0;
}

static int new_pd(struct mc_set *s, struct strv v)
{
	long long eid = -1;
	struct mc_pd *pd;

	if (s->adapter < 0 || (!strv_eq(strv_trim(v), "N/A") && lead_int(v, 65535, &eid) < 0))
		return -EINVAL;
	if (s->n_pd >= MC_MAX || !grow_one((void **)&s->pd, &s->cap_pd, s->n_pd, sizeof(*pd), 16))
		return -ENOMEM;
	pd = &s->pd[s->n_pd++];
	*pd = (struct mc_pd){
		.adapter = s->adapter, .eid = (int)eid, .slot = -1, .did = -1, .dg = -1, .span = -1
	};
	s->ld_block = false;
	return 0;
}

/* "Adapter 0 -- Virtual Drive Information:", "Adapter #0", "Adapter 0: No Virtual Drive ...". */
static int adapter_line(struct mc_set *s, struct strv t)
{
	struct strv rest = strv_make(t.p + 7, t.n - 7), tok;
	long long a;
	size_t d = 0;

	rest = strv_ltrim(rest);
	if (rest.n && rest.p[0] == '#')
		rest = strv_make(rest.p + 1, rest.n - 1);
	while (d < rest.n && rest.p[d] >= '0' && rest.p[d] <= '9')
		d++;
	tok = strv_make(rest.p, d);
	if (strv_to_ll(tok, 0, 65535, &a) < 0)
		return 0; /* another "Adapter ..." line */
	s->adapter = (int)a;
	s->understood = true;
	return 0;
}

static int ld_key(struct mc_ld *ld, struct strv k, struct strv v)
{
	long long ll;
	int pct;

	if (strv_eq(k, "RAID Level")) {
		ld->primary = after(v, "Primary");
		ld->secondary = after(v, "Secondary");
		cp(ld->level, sizeof(ld->level), v);
	} else if (strv_eq(k, "State")) {
		cp(ld->state, sizeof(ld->state), v);
	} else if (strv_eq(k, "Number Of Drives") || strv_eq(k, "Number Of Drives per span")) {
		if (lead_int(v, 4096, &ll) < 0)
			return -EINVAL;
		ld->drives = (int)ll;
		ld->per_span = strv_eq(k, "Number Of Drives per span");
	} else if (strv_eq(k, "Span Depth")) {
		if (lead_int(v, 4096, &ll) < 0)
			return -EINVAL;
		ld->span_depth = (int)ll;
	} else if (strv_eq(k, "Default Cache Policy")) {
		cp(ld->default_cache, sizeof(ld->default_cache), v);
	} else if (strv_eq(k, "Current Cache Policy")) {
		cp(ld->cache, sizeof(ld->cache), v);
	} else if (strv_starts(k, "Rebuild") && (pct = after(v, "Completed")) >= 0 && pct <= 100) {
		ld->progress = pct;
	}
	return 0;
}

static int pd_key(struct mc_pd *pd, struct strv k, struct strv v)
{
	long long ll;
	struct strv word = strv_trim(v);

	if (strv_eq(k, "Slot Number") || strv_eq(k, "Device Id")) {
		if (lead_int(v, 65535, &ll) < 0)
			return -EINVAL;
		*(strv_eq(k, "Device Id") ? &pd->did : &pd->slot) = (int)ll;
	} else if (strv_eq(k, "Drive's position")) {
		pd->dg = after(v, "DiskGroup");
		pd->span = after(v, "Span");
	} else if (strv_eq(k, "Firmware state")) {
		for (size_t i = 0; i < word.n; i++) {
			if (word.p[i] == ',')
				word.n = i;
		}
		cp(pd->state, sizeof(pd->state), word);
	} else if (strv_eq(k, "Predictive Failure Count")) {
		if (strv_to_ll(word, 0, 1LL << 40, &pd->predictive) < 0)
			return -EINVAL;
	} else if (strv_eq(k, "Drive has flagged a S.M.A.R.T alert")) {
		pd->smart = strv_eq(word, "Yes");
	} else if (strv_eq(k, "Foreign State")) {
		pd->foreign = !strv_eq(word, "None");
	}
	return 0;
}

static int mc_line(struct mc_set *s, struct strv t)
{
	const char *colon = memchr(t.p, ':', t.n);
	struct strv k, v;
	unsigned long long code;

	if (strv_starts(t, "Adapter"))
		return adapter_line(s, t);
	if (!colon)
		return 0;
	k = strv_trim(strv_make(t.p, (size_t)(colon - t.p)));
	v = strv_make(colon + 1, t.n - (size_t)(colon - t.p) - 1);
	if (strv_eq(k, "Exit Code")) {
		v = strv_trim(v);
		if (!strv_starts(v, "0x") || strv_to_hex(strv_make(v.p + 2, v.n - 2), &code) < 0 ||
		    code > 255)
			return -EINVAL;
		s->exit_code = (long long)code;
		s->understood = true;
		return 0;
	}
	if (strv_eq(k, "Virtual Drive") || strv_eq(k, "Virtual Disk"))
		return new_ld(s, v);
	if (strv_eq(k, "Enclosure Device ID"))
		return new_pd(s, v);
	if (s->ld_block && s->n_ld)
		return ld_key(&s->ld[s->n_ld - 1], k, v);
	if (!s->ld_block && s->n_pd)
		return pd_key(&s->pd[s->n_pd - 1], k, v);
	return 0;
}

static int mc_parse_one(struct mc_set *s, const char *buf, size_t len, char *err, size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	size_t lineno = 0;
	int rc = 0;

	s->adapter = -1;
	s->ld_block = false;
	while (rc == 0 && strv_next_line(&rest, &line)) {
		lineno++;
		rc = mc_line(s, strv_trim(line));
	}
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	else if (!s->understood) {
		snprintf(err, errlen, "not MegaCli's output (no \"Adapter N\", no \"Exit Code\")");
		rc = -EINVAL;
	}
	return rc;
}

/* --- the set into logical drives ------------------------------------------------ */

static enum hwraid_ld_cond ld_cond(const char *state)
{
	if (strcmp(state, "Optimal") == 0)
		return HWRAID_LD_OK;
	if (strcmp(state, "Degraded") == 0 || strcmp(state, "Partially Degraded") == 0)
		return HWRAID_LD_DEGRADED;
	if (strcmp(state, "Offline") == 0)
		return HWRAID_LD_OFFLINE;
	return HWRAID_LD_UNKNOWN;
}

/* The condition of a drive (the first word of its Firmware state). */
static enum hwraid_pd_cond pd_cond(const char *state)
{
	static const struct {
		const char *word;
		enum hwraid_pd_cond cond;
	} t[] = { { "Online", HWRAID_PD_OK },	      { "Offline", HWRAID_PD_FAILED },
		  { "Failed", HWRAID_PD_FAILED },     { "Rebuild", HWRAID_PD_REBUILDING },
		  { "Copyback", HWRAID_PD_COPYBACK }, { "Missing", HWRAID_PD_MISSING },
		  { "Hotspare", HWRAID_PD_SPARE },    { "Unconfigured(bad)", HWRAID_PD_FAILED } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(state, t[i].word) == 0)
			return t[i].cond;
	}
	return HWRAID_PD_UNKNOWN;
}

static void level(const struct mc_ld *v, struct hwraid_ld *ld)
{
	char word[16];
	bool spanned = v->secondary == 3 || v->span_depth > 1;

	if (v->primary >= 0 && v->primary <= 6) {
		snprintf(word, sizeof(word), "RAID%d%s", v->primary, spanned ? "0" : "");
		hwraid_level(word, ld->level, sizeof(ld->level));
	}
	hwraid_level_unknown(ld, v->level, strlen(v->level));
}

/* The disk group of the ordinal-th virtual drive of its adapter, or -1 (module comment). */
static int disk_group(const struct mc_set *s, const struct mc_ld *v)
{
	int dgs[64], n_dg = 0, n_vd = 0, ordinal = -1;

	for (size_t i = 0; i < s->n_ld; i++) {
		if (s->ld[i].adapter == v->adapter && &s->ld[i] == v)
			ordinal = n_vd;
		n_vd += s->ld[i].adapter == v->adapter;
	}
	for (size_t i = 0; i < s->n_pd; i++) {
		const struct mc_pd *p = &s->pd[i];
		int j = 0, k;

		if (p->adapter != v->adapter || p->dg < 0)
			continue;
		while (j < n_dg && dgs[j] < p->dg)
			j++;
		if ((j < n_dg && dgs[j] == p->dg) || n_dg == 64)
			continue;
		for (k = n_dg++; k > j; k--)
			dgs[k] = dgs[k - 1];
		dgs[j] = p->dg;
	}
	return n_dg == n_vd && ordinal >= 0 ? dgs[ordinal] : -1;
}

static int pd_fill(struct hwraid_ld *ld, const struct mc_pd *p, enum hwraid_pd_cond cond, int bus)
{
	struct hwraid_pd *d = hwraid_pd_add(ld);

	if (!d)
		return -ENOMEM;
	if (p->eid >= 0)
		snprintf(d->name, sizeof(d->name), "%d:%d", p->eid, p->slot);
	else
		snprintf(d->name, sizeof(d->name), ":%d", p->slot);
	snprintf(d->state, sizeof(d->state), "%s", p->state);
	if (p->did >= 0)
		snprintf(d->device, sizeof(d->device), "/dev/bus/%d megaraid,%d",
			 bus >= 0 ? bus : p->adapter, p->did);
	d->cond = cond;
	d->span = p->span;
	if (cond == HWRAID_PD_SPARE)
		ld->spares++;
	if (p->predictive > 0 || p->smart) {
		snprintf(d->reason, sizeof(d->reason), "predictive failure count %lld%s",
			 p->predictive, p->smart ? " and a S.M.A.R.T alert" : "");
		hwraid_reason_add(ld, "drive %s: %s", d->name, d->reason);
	}
	return 0;
}

static int members(const struct mc_set *s, const struct mc_ld *v, struct hwraid_ld *ld)
{
	int dg = disk_group(s, v), ubad = 0, foreign = 0, rc = 0;

	for (size_t i = 0; i < s->n_pd && rc == 0; i++) {
		const struct mc_pd *p = &s->pd[i];
		enum hwraid_pd_cond c = pd_cond(p->state);

		if (p->adapter != v->adapter)
			continue;
		ubad += strcmp(p->state, "Unconfigured(bad)") == 0 && p->dg < 0;
		foreign += p->foreign;
		if (c == HWRAID_PD_SPARE || (dg >= 0 && p->dg == dg))
			rc = pd_fill(ld, p, c, s->bus);
	}
	if (dg < 0 && s->n_pd)
		hwraid_reason_add(ld,
				  "its drives are not known (disk groups and virtual drives "
				  "of adapter %d do not pair up)",
				  v->adapter);
	if (ubad)
		hwraid_reason_add(ld, "%d unconfigured-bad drive%s", ubad, ubad == 1 ? "" : "s");
	if (foreign)
		hwraid_reason_add(ld, "%d drive%s with a foreign configuration", foreign,
				  foreign == 1 ? "" : "s");
	return rc;
}

static int build_ld(const struct mc_set *s, const struct mc_ld *v, struct hwraid_result *ret)
{
	struct hwraid_ld *ld = hwraid_ld_add(ret);

	if (!ld)
		return -ENOMEM;
	snprintf(ld->name, sizeof(ld->name), "a%d/vd%d", v->adapter, v->vd);
	level(v, ld);
	snprintf(ld->state, sizeof(ld->state), "%s", v->state);
	ld->cond = ld_cond(v->state);
	ld->progress = v->progress;
	if (v->drives > 0)
		ld->total =
			v->per_span && v->span_depth > 0 ? v->drives * v->span_depth : v->drives;
	if (strstr(v->cache, "WriteThrough") && strstr(v->default_cache, "WriteBack"))
		hwraid_reason_add(ld, "write cache fell back to write-through");
	return members(s, v, ld);
}

/* The driver's parse(): every output into one set, then the logical drives. */
static int megacli_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			 char *err, size_t errlen)
{
	struct mc_set s = { 0 };
	int rc = 0, host = -1;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char why[256];
		int r = mc_parse_one(&s, out[i].buf, out[i].len, why, sizeof(why));

		host = out[i].host_known && out[i].host >= 0 ? out[i].host : host;
		if (r < 0 && (out[i].main || r == -ENOMEM)) {
			snprintf(err, errlen, "%s: %s", out[i].name, why);
			rc = r;
		}
	}
	if (rc == 0 && s.exit_code != 0 && s.n_ld == 0) {
		snprintf(err, errlen, "MegaCli failed: exit code 0x%02llx", s.exit_code);
		rc = -EPROTO;
	}
	s.bus = host;
	for (size_t i = 1; i < s.n_pd; i++)
		s.bus = s.pd[i].adapter == s.pd[0].adapter ? s.bus : -1;
	for (size_t i = 0; i < s.n_ld && rc == 0; i++)
		rc = build_ld(&s, &s.ld[i], ret);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	mc_set_free(&s);
	return rc;
}

static const char *const megacli_tools[] = { "MegaCli64", "MegaCli", "megacli", NULL };
static const char *const megacli_prefixes[] = { "megacli", "MegaCli", NULL };
static const char *const megacli_commands[][HWRAID_MAX_ARGS] = {
	{ "-LDInfo", "-Lall", "-aALL", "-NoLog", NULL },
	{ "-PDList", "-aALL", "-NoLog", NULL },
};

const struct hwraid_driver hwraid_megacli = {
	.name = "megacli",
	.what = "MegaCli",
	.superseded_by = "megaraid", /* storcli reads the same controllers, better */
	.tools = megacli_tools,
	.prefixes = megacli_prefixes,
	.commands = megacli_commands,
	.n_commands = sizeof(megacli_commands) / sizeof(megacli_commands[0]),
	.parse = megacli_parse,
	.bus_driver = "megaraid_sas",
};
