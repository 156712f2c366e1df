// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules of the Redfish probe (redfish_groups.h): one member's Status,
 * a PSU or fan set with its Redundancy objects, a volume from its RAIDType
 * and drives; and the result a walk hands back, every string owned.
 *
 * Status (DSP0268, Resource.Status): State "Absent" is an empty bay;
 * "Disabled" or "UnavailableOffline" a member out of service; "Enabled" (or
 * no State) is read by Health: "Critical" failed, "Warning" in service with
 * a reason, "OK" fine, and no Health or "N/A" is not known (the group's
 * margin is then unknown, never an alarm).  Any other State (Starting,
 * Updating, InTest, ...) is not known either.
 */
#include "redfish_groups.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/strbuf.h"
#include "redmon/grow.h"
#include "redmon/sorted.h"

#define RF_TEXT 64 /* a location or serial kept for a member */

const char *rf_str(const json_t *o, const char *key)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *rf_link(const json_t *o, const char *key)
{
	return rf_str(key ? (json_is_object(o) ? json_object_get(o, key) : NULL) : o, "@odata.id");
}

/* The integer at key of o within [min, max] into *ret: true, else false and *ret untouched. */
static bool rf_int(const json_t *o, const char *key, long long min, long long max, int *ret)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	long long x;

	if (!json_is_integer(v))
		return false;
	x = json_integer_value(v);
	if (x < min || x > max)
		return false;
	*ret = (int)x;
	return true;
}

static bool is(const char *s, const char *word)
{
	return s && strcmp(s, word) == 0;
}

struct rf_member *rf_member_add(struct rf_member **v, size_t *n, size_t *cap)
{
	if (*n >= REDFISH_MAX_MEMBERS || !grow_one((void **)v, cap, *n, sizeof(**v), 8))
		return NULL;
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* --- one member -------------------------------------------------------------------- */

/* The first Condition's message of a Status, for a reason: printable, cut. */
static void add_condition(const json_t *status, struct psu_view *v)
{
	const json_t *c = json_array_get(json_object_get(status, "Conditions"), 0);
	const char *msg = rf_str(c, "Message") ? rf_str(c, "Message") : rf_str(c, "MessageId");
	char text[160];

	if (!msg)
		return;
	strv_copy_printable(strv_c(msg), text, sizeof(text));
	psu_text_add(v->why, sizeof(v->why), ": ", "%s", text);
}

/* A state word of the source, printable, into the view's state. */
static void set_state(struct psu_view *v, const char *state, const char *health)
{
	char s[48] = "", h[48] = "";

	strv_copy_printable(strv_c(state), s, sizeof(s));
	strv_copy_printable(strv_c(health), h, sizeof(h));
	snprintf(v->state, sizeof(v->state), "%s%s%s", s, s[0] && h[0] ? "/" : "", h);
}

/* A State of Enabled (or none), read by its Health. */
static void view_health(const json_t *status, const char *health, struct psu_view *v)
{
	if (is(health, "OK")) {
		v->cond = PSU_OK;
	} else if (is(health, "Warning")) {
		v->cond = PSU_OK;
		v->warn = true;
		psu_text_add(v->why, sizeof(v->why), "; ", "Health Warning");
		add_condition(status, v);
	} else if (is(health, "Critical")) {
		v->cond = PSU_FAILED;
		psu_text_add(v->why, sizeof(v->why), "; ", "Health Critical");
		add_condition(status, v);
	} else {
		v->cond = PSU_UNKNOWN;
		v->unreadable = true;
		psu_text_add(v->why, sizeof(v->why), "; ", "%s",
			     health ? "Health not understood" : "reports no Health");
	}
}

/* A supply's input (PowerSupply.LineInputStatus): one that lost it delivers nothing. */
static void view_line_input(const json_t *r, struct psu_view *v)
{
	const char *in = rf_str(r, "LineInputStatus");

	if (v->cond == PSU_OK && (is(in, "NoInput") || is(in, "LossOfInput") ||
				  is(in, "OutOfRange") || is(in, "InputFault"))) {
		v->cond = PSU_FAILED;
		psu_text_add(v->why, sizeof(v->why), "; ", "line input %s", in);
	}
}

/*
 * What a drive says of its own future (FailurePredicted, media life): reasons,
 * and the member's risk (issue 17): FailurePredicted true is failing, a
 * media life of 10 % or less a warning, FailurePredicted false ok.
 */
static void view_drive(const json_t *r, struct psu_view *v)
{
	const json_t *fp = json_object_get(r, "FailurePredicted");
	int life;

	if (json_is_boolean(fp))
		v->risk = json_is_true(fp) ? REDMON_RISK_FAILING : REDMON_RISK_OK;
	if (json_is_true(fp))
		psu_text_add(v->why, sizeof(v->why), "; ", "failure predicted");
	if (rf_int(r, "PredictedMediaLifeLeftPercent", 0, 100, &life) && life <= 10) {
		psu_text_add(v->why, sizeof(v->why), "; ", "%d%% of its media life left", life);
		if (v->risk != REDMON_RISK_FAILING)
			v->risk = REDMON_RISK_WARNING;
	}
}

/* One member's verdict from its resource (see the head of this file). */
static void member_view(const struct rf_member *m, bool psu, struct psu_view *v)
{
	const json_t *status = json_object_get(m->res, "Status");
	const char *state = rf_str(status, "State"), *health = rf_str(status, "Health");

	memset(v, 0, sizeof(*v));
	if (!m->res || !json_is_object(status)) {
		v->cond = PSU_UNKNOWN;
		v->unreadable = true;
		strv_copy_printable(strv_c(m->res ? "no Status" : m->why), v->why, sizeof(v->why));
		return;
	}
	set_state(v, state, health);
	if (is(state, "Absent")) {
		v->cond = PSU_ABSENT;
	} else if (is(state, "Disabled") || is(state, "UnavailableOffline")) {
		v->cond = PSU_FAILED;
		psu_text_add(v->why, sizeof(v->why), "; ", "State %s", state);
	} else if (is(state, "StandbyOffline") || is(state, "StandbySpare")) {
		v->cond = PSU_STANDBY;
	} else if (!state || is(state, "Enabled")) {
		view_health(status, health, v);
	} else {
		v->cond = PSU_UNKNOWN;
		v->unreadable = true;
		psu_text_add(v->why, sizeof(v->why), "; ", "State %s not understood", v->state);
	}
	if (psu)
		view_line_input(m->res, v);
	else
		view_drive(m->res, v);
}

/* Where a member sits: Location/PhysicalLocation's ServiceLabel, an old Location[].Info, its Name. */
static void member_location(const json_t *r, char *out, size_t len)
{
	const char *s = NULL;

	for (size_t i = 0; !s && i < 2; i++) {
		const json_t *loc = json_object_get(r, i ? "PhysicalLocation" : "Location");

		s = rf_str(json_object_get(loc, "PartLocation"), "ServiceLabel");
		if (!s)
			s = rf_str(json_array_get(loc, 0), "Info");
	}
	if (!s)
		s = rf_str(r, "Name");
	out[0] = '\0';
	if (s)
		strv_copy_printable(strv_c(s), out, len);
}

/* --- memory across walks ----------------------------------------------------------------- */

struct memo_key {
	const struct rf_memos *ms;
	const char *name;
};

static int memo_key_cmp(const void *key, size_t i)
{
	const struct memo_key *k = key;

	return strcmp(k->ms->v[i]->name, k->name);
}

static void memo_free(struct rf_memo *m)
{
	if (!m)
		return;
	psu_group_free(&m->pg);
	free(m->name);
	free(m->kind);
	free(m);
}

void rf_memos_free(struct rf_memos *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		memo_free(ms->v[i]);
	free(ms->v);
	memset(ms, 0, sizeof(*ms));
}

/*
 * The memory of group name for this walk: found or made, or NULL when out
 * of memory.  *skip is set when the group is not to be reported: this walk
 * already made it, or REDFISH_MAX_GROUPS are known (a hostile service
 * inventing names: the rest are left out, never the walk failed).
 */
static struct rf_memo *memo_get(struct rf_memos *ms, const char *name, const char *kind, bool *skip)
{
	const struct memo_key k = { ms, name };
	struct rf_memo *m;
	bool found;
	size_t pos = sorted_search(ms->n, memo_key_cmp, &k, &found);

	*skip = false;
	if (found) {
		m = ms->v[pos];
		*skip = m->stamp == ms->walk;
		m->stamp = ms->walk;
		return m;
	}
	if (ms->n >= REDFISH_MAX_GROUPS) {
		*skip = true;
		return NULL;
	}
	if (!grow_one((void **)&ms->v, &ms->cap, ms->n, sizeof(*ms->v), 16))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name)) || !(m->kind = strdup(kind))) {
		memo_free(m);
		return NULL;
	}
	m->stamp = ms->walk;
	memmove(&ms->v[pos + 1], &ms->v[pos], (ms->n - pos) * sizeof(*ms->v));
	ms->v[pos] = m;
	ms->n++;
	return m;
}

void rf_memos_prune(struct rf_memos *ms)
{
	size_t k = 0;

	for (size_t i = 0; i < ms->n; i++) {
		if (ms->v[i]->stamp == ms->walk)
			ms->v[k++] = ms->v[i];
		else
			memo_free(ms->v[i]);
	}
	ms->n = k;
}

/* --- the result ------------------------------------------------------------------------ */

static char *dup_opt(const char *s, bool *oom)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		*oom = true;
	return c;
}

static void group_free(struct redfish_group *rg)
{
	free((char *)rg->g.name);
	free((char *)rg->g.kind);
	free((char *)rg->g.type);
	free((char *)rg->g.reason);
	for (size_t i = 0; i < rg->g.n_members; i++) {
		struct redmon_member *m = &rg->members[i];

		free((char *)m->name);
		free((char *)m->state);
		free((char *)m->device);
		free((char *)m->serial);
		free((char *)m->location);
		free((char *)m->reason);
	}
	free(rg->members);
}

void redfish_result_free(struct redfish_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		group_free(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* A deep copy of g (members, then extra members) appended to out: 0 or -ENOMEM. */
static int result_add(struct redfish_result *out, const struct redmon_group *g,
		      const struct redmon_member *extra, size_t n_extra)
{
	struct redfish_group *rg;
	size_t n = g->n_members + n_extra;
	bool oom = false;

	if (!grow_one((void **)&out->v, &out->cap, out->n, sizeof(*out->v), 16))
		return -ENOMEM;
	rg = &out->v[out->n];
	memset(rg, 0, sizeof(*rg));
	rg->g = *g;
	rg->g.name = dup_opt(g->name, &oom);
	rg->g.kind = dup_opt(g->kind, &oom);
	rg->g.type = dup_opt(g->type, &oom);
	rg->g.reason = dup_opt(g->reason, &oom);
	rg->g.n_members = 0;
	rg->members = n ? calloc(n, sizeof(*rg->members)) : NULL;
	if (n && !rg->members)
		oom = true;
	for (size_t i = 0; i < n && !oom; i++) {
		const struct redmon_member *m =
			i < g->n_members ? &g->members[i] : &extra[i - g->n_members];
		struct redmon_member *c = &rg->members[i];

		c->role = m->role;
		c->name = dup_opt(m->name ? m->name : "?", &oom);
		c->state = dup_opt(m->state, &oom);
		c->device = dup_opt(m->device, &oom);
		c->serial = dup_opt(m->serial, &oom);
		c->location = dup_opt(m->location, &oom);
		c->reason = dup_opt(m->reason, &oom);
		c->risk = m->risk;
		rg->g.n_members = i + 1;
	}
	rg->g.members = rg->members;
	if (oom) {
		group_free(rg);
		return -ENOMEM;
	}
	out->n++;
	return 0;
}

/* --- sets of supplies and fans ------------------------------------------------------------- */

/* The texts a member's view points to while its set is evaluated. */
struct member_text {
	char loc[RF_TEXT], serial[RF_TEXT];
};

/*
 * The members into m->pg for this walk; texts holds their locations and
 * serials (they must outlive the evaluation).  0 or -ENOMEM.
 */
static int add_members(struct psu_group *pg, const struct rf_member *mem, size_t n, bool psu,
		       struct member_text *texts)
{
	psu_group_begin(pg);
	for (size_t i = 0; i < n; i++) {
		struct psu_view *v;
		const char *serial = rf_str(mem[i].res, "SerialNumber");
		bool again = false;

		/* a name twice (two links ending alike, a MemberId repeated): one member */
		for (size_t j = 0; j < i && !again; j++)
			again = strcmp(mem[j].key, mem[i].key) == 0;
		if (again)
			continue;

		member_location(mem[i].res, texts[i].loc, sizeof(texts[i].loc));
		texts[i].serial[0] = '\0';
		if (serial)
			strv_copy_printable(strv_c(serial), texts[i].serial,
					    sizeof(texts[i].serial));
		v = psu_group_add(pg, mem[i].key, texts[i].loc[0] ? texts[i].loc : NULL,
				  texts[i].serial[0] ? texts[i].serial : NULL);
		if (!v)
			return -ENOMEM;
		member_view(&mem[i], psu, v);
		pg->sup[pg->n - 1].count_absent = mem[i].in_set;
	}
	return 0;
}

/*
 * What the Redundancy objects of a set say: N (the sum of their minimums;
 * 0 when none gives one), and whether one lacks a Health (the margin is then
 * unknown).  Notes for the reason go to note.
 */
static int redundancy_needed(const struct rf_set *s, bool *no_health, struct strbuf *note)
{
	int needed = 0;

	*no_health = false;
	for (size_t i = 0; i < s->n_red; i++) {
		const json_t *r = s->red[i], *status = json_object_get(r, "Status");
		const char *state = rf_str(status, "State"), *health = rf_str(status, "Health");
		const char *mode = rf_str(r, "RedundancyType") ? rf_str(r, "RedundancyType")
							       : rf_str(r, "Mode");
		char st[48] = "", md[32] = "";
		int min = 0;

		strv_copy_printable(strv_c(state), st, sizeof(st));
		strv_copy_printable(strv_c(mode), md, sizeof(md));
		if (!rf_int(r, "MinNeededInGroup", 1, 64, &min))
			rf_int(r, "MinNumNeeded", 1, 64, &min);
		if (min == 0)
			strbuf_addf(note, "; ", "redundancy %s gives no minimum needed",
				    md[0] ? md : "set");
		needed = min && needed >= 0 ? needed + min : -1;
		if (!health || is(health, "N/A")) {
			*no_health = true;
			strbuf_addf(note, "; ", "redundancy %s%s%s reports no Health",
				    md[0] ? md : "set", st[0] ? " State " : "", st);
		} else if (state && !is(state, "Enabled")) {
			strbuf_addf(note, "; ", "redundancy %s State %s", md[0] ? md : "set", st);
		}
		if (is(health, "Warning") || is(health, "Critical"))
			strbuf_addf(note, "; ", "the BMC rates the redundancy %s", health);
	}
	return needed > 64 ? 0 : needed < 0 ? 0 : needed;
}

int rf_add_set(struct rf_memos *ms, const struct rf_set *s, struct redfish_result *out)
{
	struct member_text *texts = calloc(s->n ? s->n : 1, sizeof(*texts));
	struct strbuf note = { 0 };
	struct redmon_group g;
	struct rf_memo *m;
	bool dup, no_health;
	int needed, rc;

	if (!texts)
		return -ENOMEM;
	m = memo_get(ms, s->name, s->kind, &dup);
	rc = dup ? 0 : !m ? -ENOMEM : add_members(&m->pg, s->m, s->n, s->psu, texts);
	if (!m || dup || rc < 0)
		goto out;
	needed = redundancy_needed(s, &no_health, &note);
	if (s->n_red == 0 && s->n > 1)
		strbuf_addf(&note, "; ", "no Redundancy object: all but one assumed needed");
	rc = psu_group_eval(&m->pg, needed, 0, s->name, &g);
	if (rc == -ENODATA) {
		rc = 0; /* nothing ever present: no set */
		goto out;
	}
	if (rc < 0)
		goto out;
	g.kind = s->kind;
	if (no_health)
		g.margin = REDMON_MARGIN_UNKNOWN;
	if (note.len && g.reason)
		strbuf_addf(&note, "; ", "%s", g.reason);
	if (note.len)
		g.reason = note.p;
	rc = result_add(out, &g, NULL, 0);
out:
	strbuf_free(&note);
	free(texts);
	return rc;
}

/* --- volumes ----------------------------------------------------------------------------- */

/* A RAIDType (Volume v1.3+) or older VolumeType, and the failures it survives when whole. */
static const struct {
	const char *word;
	const char *type;
	int nominal;
} raid_levels[] = {
	{ "RAID0", "raid0", 0 },
	{ "RAID1", "raid1", 1 },
	{ "RAID3", "raid3", 1 },
	{ "RAID4", "raid4", 1 },
	{ "RAID5", "raid5", 1 },
	{ "RAID6", "raid6", 2 },
	{ "RAID10", "raid10", 1 },
	{ "RAID01", "raid01", 1 },
	{ "RAID6TP", "raid6tp", 3 },
	{ "RAID1E", "raid1e", 1 },
	{ "RAID50", "raid50", 1 },
	{ "RAID60", "raid60", 2 },
	{ "RAID00", "raid00", 0 },
	{ "RAID10E", "raid10e", 1 },
	{ "RAID1Triple", "raid1triple", 2 },
	{ "RAID10Triple", "raid10triple", 2 },
	{ "None", "none", 0 },
	/* VolumeType, deprecated since Volume v1.3 */
	{ "RawDevice", "none", 0 },
	{ "NonRedundant", "none", 0 },
	{ "Mirrored", "raid1", 1 },
	{ "StripedWithParity", "raid5", 1 },
	{ "SpannedMirrors", "raid10", 1 },
	{ "SpannedStripesWithParity", "raid50", 1 },
};

/* The level of a volume: its index in raid_levels, or -1 when not given or not known. */
static int volume_level(const json_t *vol)
{
	const char *w =
		rf_str(vol, "RAIDType") ? rf_str(vol, "RAIDType") : rf_str(vol, "VolumeType");

	for (size_t i = 0; w && i < sizeof(raid_levels) / sizeof(raid_levels[0]); i++) {
		if (strcmp(w, raid_levels[i].word) == 0)
			return (int)i;
	}
	return -1;
}

bool rf_volume_redundant(const json_t *vol)
{
	int l = volume_level(vol);

	return l >= 0 && raid_levels[l].nominal > 0;
}

bool rf_drive_spare(const json_t *drive, bool dedicated)
{
	const char *t = rf_str(drive, "HotspareType");
	struct rf_member m = { .res = drive };
	struct psu_view v;

	if (!dedicated && !is(t, "Global") && !is(t, "Chassis"))
		return false;
	member_view(&m, false, &v);
	return v.cond == PSU_OK;
}

/* A running operation (Volume.Operations): the activity and its progress. */
static void volume_activity(const json_t *vol, struct redmon_group *g)
{
	const json_t *ops = json_object_get(vol, "Operations");

	for (size_t i = 0; i < json_array_size(ops) && i < 8; i++) {
		const json_t *op = json_array_get(ops, i);
		const char *name = rf_str(op, "Operation") ? rf_str(op, "Operation")
							   : rf_str(op, "OperationName");
		int pct;

		if (!name)
			continue;
		if (strstr(name, "Rebuild"))
			g->activity = REDMON_ACTIVITY_RECOVERY;
		else if (strstr(name, "Initialize"))
			g->activity = REDMON_ACTIVITY_RESYNC;
		else if (strstr(name, "CheckConsistency") || strstr(name, "Verify"))
			g->activity = REDMON_ACTIVITY_CHECK;
		else
			continue;
		if (rf_int(op, "PercentageComplete", 0, 100, &pct))
			g->progress = pct;
		return;
	}
}

/*
 * The margin of a volume: the failures its level survives less the members
 * lost (failed, absent, gone), worst case.  More lost than the level
 * survives loses the data, unless the controller still serves a spanned
 * volume (RAID10 losing one drive in each span): then no margin is left.
 * The volume's own Status has the last word when it says it is out of service.
 */
static int32_t volume_margin(const json_t *vol, int nominal, int lost, struct strbuf *note,
			     bool *no_health)
{
	const json_t *status = json_object_get(vol, "Status");
	const char *state = rf_str(status, "State"), *health = rf_str(status, "Health");
	bool served =
		(!state || is(state, "Enabled")) && (is(health, "OK") || is(health, "Warning"));
	int32_t m = nominal - lost;

	*no_health = !health || is(health, "N/A");
	if (*no_health)
		strbuf_addf(note, "; ", "the volume reports no Health");
	if (m < 0)
		m = served && nominal > 0 ? 0 : -1;
	if (state && !is(state, "Enabled")) {
		char st[48];

		strv_copy_printable(strv_c(state), st, sizeof(st));
		strbuf_addf(note, "; ", "volume State %s", st);
		if (is(state, "Disabled") || is(state, "UnavailableOffline") || is(state, "Absent"))
			m = -1;
	}
	if (is(health, "Critical")) {
		strbuf_addf(note, "; ", "volume Health Critical");
		m = m > 0 ? 0 : m;
	}
	return m;
}

/* The spares of a volume as members with role spare. */
static void spare_members(const struct rf_volume *v, struct redmon_member *sm,
			  struct member_text *texts)
{
	for (size_t i = 0; i < v->n_spare; i++) {
		const char *serial = rf_str(v->spare[i].res, "SerialNumber");

		member_location(v->spare[i].res, texts[i].loc, sizeof(texts[i].loc));
		texts[i].serial[0] = '\0';
		if (serial)
			strv_copy_printable(strv_c(serial), texts[i].serial,
					    sizeof(texts[i].serial));
		sm[i] = (struct redmon_member){
			.name = v->spare[i].key,
			.role = REDMON_ROLE_SPARE,
			.state = "hot spare",
			.location = texts[i].loc[0] ? texts[i].loc : NULL,
			.serial = texts[i].serial[0] ? texts[i].serial : NULL,
		};
	}
}

static int volume_group(struct rf_memo *m, const struct rf_volume *v, int level,
			struct member_text *texts, struct redfish_result *out)
{
	struct redmon_member sm[REDFISH_MAX_MEMBERS];
	struct strbuf note = { 0 };
	struct redmon_group g;
	bool no_health;
	int nominal = raid_levels[level].nominal, rc;
	size_t n_spare = nominal > 0 ? v->n_spare : 0;

	/* All of the drives are needed: the rules below count what was lost. */
	rc = psu_group_eval(&m->pg, (int)(v->n_drive ? v->n_drive : 1), 0, v->name, &g);
	if (rc < 0)
		return rc == -ENODATA ? 0 : rc;
	g.kind = "raid";
	g.type = raid_levels[level].type;
	g.margin_nominal = nominal;
	g.margin = m->pg.ev.unreadable
			   ? REDMON_MARGIN_UNKNOWN
			   : volume_margin(v->vol, nominal, m->pg.ev.total - m->pg.ev.usable, &note,
					   &no_health);
	if (!m->pg.ev.unreadable && no_health)
		g.margin = REDMON_MARGIN_UNKNOWN;
	g.spares = (int)n_spare;
	volume_activity(v->vol, &g);
	spare_members(v, sm, texts + v->n_drive);
	if (note.len && g.reason)
		strbuf_addf(&note, "; ", "%s", g.reason);
	if (note.len)
		g.reason = note.p;
	rc = result_add(out, &g, sm, n_spare);
	strbuf_free(&note);
	return rc;
}

int rf_add_volume(struct rf_memos *ms, const struct rf_volume *v, struct redfish_result *out)
{
	int level = volume_level(v->vol);
	struct member_text *texts;
	struct rf_memo *m;
	bool dup;
	int rc;

	if (v->n_drive == 0 && (level < 0 || raid_levels[level].nominal == 0))
		return 0; /* a LUN of a remote array, no drive of ours: no group */
	if (level < 0)
		return rf_add_unknown(ms, v->name, "raid", "RAIDType not given or not understood",
				      out);
	texts = calloc(v->n_drive + v->n_spare + 1, sizeof(*texts));
	if (!texts)
		return -ENOMEM;
	m = memo_get(ms, v->name, "raid", &dup);
	rc = dup ? 0 : !m ? -ENOMEM : add_members(&m->pg, v->drive, v->n_drive, false, texts);
	if (rc == 0 && m && !dup)
		rc = volume_group(m, v, level, texts, out);
	free(texts);
	return rc;
}

int rf_add_unknown(struct rf_memos *ms, const char *name, const char *kind, const char *why,
		   struct redfish_result *out)
{
	struct redmon_group g = {
		.name = name,
		.kind = kind,
		.members_total = -1,
		.members_ok = -1,
		.margin = REDMON_MARGIN_UNKNOWN,
		.progress = -1,
		.reason = why,
	};
	bool dup;

	if (!memo_get(ms, name, kind, &dup))
		return dup ? 0 : -ENOMEM;
	return dup ? 0 : result_add(out, &g, NULL, 0);
}

int rf_add_unread(struct rf_memos *ms, const char *why, struct redfish_result *out)
{
	char reason[REDFISH_WHY + 64];

	snprintf(reason, sizeof(reason), "not read in the last walk: %s", why);
	for (size_t i = 0; i < ms->n; i++) {
		struct redmon_group g = {
			.name = ms->v[i]->name,
			.kind = ms->v[i]->kind,
			.members_total = -1,
			.members_ok = -1,
			.margin = REDMON_MARGIN_UNKNOWN,
			.progress = -1,
			.reason = reason,
		};
		int rc;

		if (ms->v[i]->stamp == ms->walk)
			continue;
		rc = result_add(out, &g, NULL, 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}
