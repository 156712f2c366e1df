// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dmraid driver of hwraid: BIOS ("fake") RAID sets kept in the disks'
 * own metadata (Intel isw, JMicron, NVIDIA, Promise, Silicon Image, DDF1,
 * ...) and read by dmraid.  Two outputs:
 *
 *   dmraid -r   one line per disk:  /dev/sda: jmicron, "jmicron_JRAID", mirror, ok, 781385728 sectors, data@ 0
 *               (device, format, set, type, status, size, data offset), or
 *               "no raid disks";
 *   dmraid -s   per set "*** Active Set" (or "*** Group superset X" and
 *               "--> Active Subset" for the volumes of an isw/DDF1 group),
 *               then "name : ...", "type : mirror", "status : ok",
 *               "devs : 2", "spares : 0".
 *
 * A set is a group; in -r a group of several volumes (type GROUP) names the
 * group only, so each subset of -s becomes a group of the group's disks.
 * Types (dmraid's lib/metadata): stripe (raid0), mirror (raid1), raid10,
 * raid5_la/ra/ls/rs (raid5), spare; others (raid01, raid4, linear) have no
 * level the rules know.  Status: ok, broken, inconsistent, nosync, setup,
 * undef.  Set names come from the metadata: they become group names only as
 * [A-Za-z0-9_.-], every other byte '_', cut at HWRAID_NAME - 1 bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwraid.h"
#include "../lib/strbuf.h"

#define NO_SET ((size_t)-1)

struct dm {
	struct hwraid_result *r;
	size_t set; /* the index of the -s set being read, NO_SET when none (-r lines move r->ld) */
	char super[HWRAID_NAME]; /* the -s group superset around it, "" when none */
	bool understood;
};

/* A set name from the metadata as a group name (module comment). */
static void set_name(struct strv v, char *dst, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < v.n && n + 1 < len; i++) {
		char c = v.p[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';

		dst[n++] = ok ? c : '_';
	}
	dst[n] = '\0';
}

static struct hwraid_ld *find(struct hwraid_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_ld; i++) {
		if (strcmp(r->ld[i].name, name) == 0)
			return &r->ld[i];
	}
	return NULL;
}

static struct hwraid_ld *find_or_add(struct hwraid_result *r, const char *name)
{
	struct hwraid_ld *ld = find(r, name);

	if (ld)
		return ld;
	ld = hwraid_ld_add(r);
	if (ld) {
		snprintf(ld->name, sizeof(ld->name), "%s", name);
		snprintf(ld->state, sizeof(ld->state), "ok");
	}
	return ld;
}

/* dmraid's type word into the rules' level; false when none fits (GROUP: none yet). */
static bool type_level(const char *type, struct hwraid_ld *ld)
{
	static const char *const t[][2] = { { "stripe", "RAID0" },   { "mirror", "RAID1" },
					    { "raid10", "RAID10" },  { "raid5_la", "RAID5" },
					    { "raid5_ra", "RAID5" }, { "raid5_ls", "RAID5" },
					    { "raid5_rs", "RAID5" } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(type, t[i][0]) == 0)
			return hwraid_level(t[i][1], ld->level, sizeof(ld->level));
	}
	hwraid_level_unknown(ld, type, strlen(type));
	return false;
}

static enum hwraid_pd_cond disk_cond(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return HWRAID_PD_OK;
	if (strcmp(status, "broken") == 0)
		return HWRAID_PD_FAILED;
	if (strcmp(status, "nosync") == 0)
		return HWRAID_PD_REBUILDING;
	return HWRAID_PD_UNKNOWN;
}

static enum hwraid_ld_cond set_cond(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return HWRAID_LD_OK;
	if (strcmp(status, "broken") == 0 || strcmp(status, "inconsistent") == 0)
		return HWRAID_LD_DEGRADED;
	if (strcmp(status, "nosync") == 0)
		return HWRAID_LD_RECOVERY;
	return HWRAID_LD_UNKNOWN;
}

/* The item after the next ',' of *rest, trimmed; false when none is left. */
static bool field(struct strv *rest, struct strv *ret)
{
	if (!strv_next_item(rest, ",", ret))
		return false;
	*ret = strv_trim(*ret);
	return true;
}

/* A disk of a set: its member, its status. */
static int disk(struct hwraid_ld *ld, struct strv dev, const char *type, const char *status)
{
	struct hwraid_pd *pd = hwraid_pd_add(ld);
	struct strv base = dev;

	if (!pd)
		return -ENOMEM;
	for (size_t i = 0; i < dev.n; i++) {
		if (dev.p[i] == '/')
			base = strv_make(dev.p + i + 1, dev.n - i - 1);
	}
	strv_copy_printable(base, pd->name, sizeof(pd->name));
	strv_copy_printable(dev, pd->device, sizeof(pd->device));
	snprintf(pd->state, sizeof(pd->state), "%s", status);
	pd->cond = strcmp(type, "spare") == 0 ? HWRAID_PD_SPARE : disk_cond(status);
	ld->spares += pd->cond == HWRAID_PD_SPARE;
	if (pd->cond == HWRAID_PD_UNKNOWN && ld->cond != HWRAID_LD_UNKNOWN) {
		ld->cond = HWRAID_LD_UNKNOWN; /* the rules name the word */
		snprintf(ld->state, sizeof(ld->state), "%s", status);
	}
	return 0;
}

/* "/dev/sda: jmicron, "jmicron_JRAID", mirror, ok, 781385728 sectors, data@ 0" */
static int r_line(struct dm *m, struct strv t)
{
	const char *colon = memchr(t.p, ':', t.n);
	struct strv rest, fmt, set, type, status;
	char name[HWRAID_NAME], tw[HWRAID_WORD], sw[HWRAID_WORD];
	struct hwraid_ld *ld;

	if (!colon)
		return -EINVAL;
	rest = strv_make(colon + 1, t.n - (size_t)(colon + 1 - t.p));
	if (!field(&rest, &fmt) || !field(&rest, &set) || !field(&rest, &type) ||
	    !field(&rest, &status) || set.n < 3 || set.p[0] != '"' || set.p[set.n - 1] != '"')
		return -EINVAL;
	set_name(strv_make(set.p + 1, set.n - 2), name, sizeof(name));
	strv_copy_printable(type, tw, sizeof(tw));
	strv_copy_printable(status, sw, sizeof(sw));
	if (!name[0])
		return -EINVAL;
	ld = find_or_add(m->r, name);
	if (!ld)
		return -ENOMEM;
	if (!ld->level[0])
		type_level(tw, ld);
	m->understood = true;
	return disk(ld, strv_make(t.p, (size_t)(colon - t.p)), tw, sw);
}

/* --- dmraid -s ------------------------------------------------------------------ */

#define DM_MAX_SETS 256

/* What -s says of a set beyond its status: its group superset and device count. */
struct dm_set {
	char name[HWRAID_NAME], super[HWRAID_NAME];
	int devs;
};

struct dm_sets {
	struct dm_set s[DM_MAX_SETS];
	size_t n;
};

/* "*** Group superset isw_x", "*** Active Set", "--> Active Subset". */
static void s_header(struct dm *m, struct strv t)
{
	struct strv rest = t, tok, last = { 0 };
	bool super = false;

	m->set = NO_SET;
	if (t.p[0] == '-')
		return; /* a subset of the superset before it */
	while (strv_next_token(&rest, &tok)) {
		super = super || strv_eq(tok, "superset");
		last = tok;
	}
	if (super)
		set_name(last, m->super, sizeof(m->super));
	else
		m->super[0] = '\0';
}

static int s_name(struct dm *m, struct dm_sets *sets, struct strv v)
{
	char name[HWRAID_NAME];
	struct hwraid_ld *ld;
	struct dm_set *e;

	set_name(v, name, sizeof(name));
	if (!name[0] || sets->n >= DM_MAX_SETS)
		return -EINVAL;
	ld = find_or_add(m->r, name);
	if (!ld)
		return -ENOMEM;
	m->set = (size_t)(ld - m->r->ld);
	e = &sets->s[sets->n++];
	*e = (struct dm_set){ .devs = -1 };
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->super, sizeof(e->super), "%s", m->super);
	m->understood = true;
	return 0;
}

/* "key : value" of the set being read. */
static int s_line(struct dm *m, struct dm_sets *sets, struct strv k, struct strv v)
{
	char w[HWRAID_WORD];
	struct hwraid_ld *ld;
	long long ll;

	if (strv_eq(k, "name"))
		return s_name(m, sets, v);
	if (m->set >= m->r->n_ld)
		return 0;
	ld = &m->r->ld[m->set];
	strv_copy_printable(v, w, sizeof(w));
	if (strv_eq(k, "type")) {
		type_level(w, ld);
	} else if (strv_eq(k, "status") && ld->cond != HWRAID_LD_UNKNOWN) {
		ld->cond = set_cond(w);
		snprintf(ld->state, sizeof(ld->state), "%s", w);
	} else if (strv_eq(k, "devs")) {
		if (strv_to_ll(v, 0, 1024, &ll) < 0)
			return -EINVAL;
		sets->s[sets->n - 1].devs = (int)ll;
	}
	return 0;
}

static int dm_line(struct dm *m, struct dm_sets *sets, struct strv t)
{
	const char *colon = memchr(t.p, ':', t.n);

	if (t.n == 0)
		return 0;
	if (strv_eq(t, "no raid disks") || strv_eq(t, "no raid sets")) {
		m->r->none = m->understood = true;
		return 0;
	}
	if (t.p[0] == '/')
		return r_line(m, t);
	if (t.p[0] == '*' || strv_starts(t, "-->")) {
		s_header(m, t);
		return 0;
	}
	if (!colon)
		return -EINVAL;
	return s_line(m, sets, strv_trim(strv_make(t.p, (size_t)(colon - t.p))),
		      strv_trim(strv_make(colon + 1, t.n - (size_t)(colon + 1 - t.p))));
}

static int dm_parse_one(struct dm *m, struct dm_sets *sets, const char *buf, size_t len, char *err,
			size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	size_t lineno = 0;
	int rc = 0;

	m->set = NO_SET;
	m->super[0] = '\0';
	m->understood = false;
	while (rc == 0 && strv_next_line(&rest, &line)) {
		lineno++;
		rc = dm_line(m, sets, strv_trim(line));
	}
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	else if (!m->understood) {
		snprintf(err, errlen, "not dmraid's output (no disk, no set)");
		rc = -EINVAL;
	}
	return rc;
}

static void drop(struct hwraid_result *r, const char *name)
{
	struct hwraid_ld *ld = find(r, name);
	size_t i;

	if (!ld)
		return;
	i = (size_t)(ld - r->ld);
	free(ld->pd);
	memmove(ld, ld + 1, (r->n_ld - i - 1) * sizeof(*ld));
	r->n_ld--;
}

/* The subsets of a group superset take its disks; the superset is no group itself. */
static int subsets(struct hwraid_result *r, const struct dm_sets *sets)
{
	for (size_t i = 0; i < sets->n; i++) {
		const struct dm_set *e = &sets->s[i];
		struct hwraid_ld *ld = find(r, e->name),
				 *sup = e->super[0] ? find(r, e->super) : NULL;
		size_t take = ld && sup && sup != ld && ld->n_pd == 0 ? sup->n_pd : 0;

		for (size_t j = 0; j < take; j++) {
			struct hwraid_pd *pd = hwraid_pd_add(ld);

			if (!pd)
				return -ENOMEM;
			*pd = sup->pd[j];
			ld->spares += pd->cond == HWRAID_PD_SPARE;
		}
		if (ld && e->devs > 0 && ld->n_pd > 0)
			ld->total = e->devs;
	}
	for (size_t i = 0; i < sets->n; i++) {
		if (sets->s[i].super[0] && strcmp(sets->s[i].super, sets->s[i].name) != 0)
			drop(r, sets->s[i].super);
	}
	return 0;
}

static int dmraid_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			char *err, size_t errlen)
{
	struct dm m = { .r = ret };
	struct dm_sets *sets = calloc(1, sizeof(*sets));
	int rc = sets ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char why[256];
		int r = dm_parse_one(&m, sets, out[i].buf, out[i].len, why, sizeof(why));

		if (r < 0 && (out[i].main || r == -ENOMEM)) {
			snprintf(err, errlen, "%s: %s", out[i].name, why);
			rc = r;
		}
	}
	if (rc == 0)
		rc = subsets(ret, sets);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(sets);
	return rc;
}

static const char *const dmraid_tools[] = { "dmraid", NULL };
static const char *const dmraid_prefixes[] = { "dmraid", NULL };
static const char *const dmraid_commands[][HWRAID_MAX_ARGS] = {
	{ "-r", NULL },
	{ "-s", NULL },
};

const struct hwraid_driver hwraid_dmraid = {
	.name = "dmraid",
	.what = "BIOS RAID (dmraid)",
	.tools = dmraid_tools,
	.prefixes = dmraid_prefixes,
	.commands = dmraid_commands,
	.n_commands = sizeof(dmraid_commands) / sizeof(dmraid_commands[0]),
	.parse = dmraid_parse,
};
