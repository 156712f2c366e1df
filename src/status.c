/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `redmon status` (table or JSON) and `redmon check` (Nagios/Icinga plugin). */
#include "status.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "disk_join.h"
#include "json.h"
#include "model.h"

/* Text for a terminal: JSON-style escapes, and no control characters. */
static const char *term_text(const char *s, char *buf, size_t len)
{
	text_escape(s ? s : "-", buf, len);
	for (char *p = buf; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return buf;
}

static void margin_text(const struct group *g, char *buf, size_t len)
{
	int32_t m = margin_shown(g);

	if (g->health == HEALTH_FAILED)
		snprintf(buf, len, "FAILED");
	else if (m < 0)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "tolerates %d more failure%s", m, m == 1 ? "" : "s");
}

/* "2h05m left", "4m10s left", "30s left": the two largest units. */
static void eta_text(int64_t s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, ", %lldh%02lldm left", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, ", %lldm%02llds left", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, len, ", %llds left", (long long)s);
}

static void activity_text(const struct group *g, char *buf, size_t len)
{
	char eta[48] = "";

	if (g->stalled)
		snprintf(eta, sizeof(eta), ", stalled");
	else if (g->eta_s >= 0)
		eta_text(g->eta_s, eta, sizeof(eta));
	if (g->activity == REDMON_ACTIVITY_NONE)
		snprintf(buf, len, "-");
	else if (g->progress >= 0)
		snprintf(buf, len, "%s %.1f%%%s", activity_name(g->activity), g->progress, eta);
	else
		snprintf(buf, len, "%s", activity_name(g->activity));
}

static void members_text(const struct group *g, char *buf, size_t len)
{
	if (g->members_ok < 0 || g->members_total < 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%d/%d", g->members_ok, g->members_total);
}

/* Column widths, measured first so the table lines up whatever the names. */
struct widths {
	int id, type, health, margin, members;
};

static int imax(int a, int b)
{
	return a > b ? a : b;
}

static void measure(const struct agg *a, struct widths *w)
{
	struct agg_iter it = { 0 };
	const struct group *g;

	*w = (struct widths){ 5, 4, 6, 6, 7 };
	while ((g = agg_next_group(a, &it))) {
		char b[512];

		w->id = imax(w->id, (int)strlen(term_text(g->id, b, sizeof(b))));
		w->type = imax(w->type, (int)strlen(term_text(g->type, b, sizeof(b))));
		w->health = imax(w->health, (int)strlen(health_name(g->health)));
		margin_text(g, b, sizeof(b));
		w->margin = imax(w->margin, (int)strlen(b));
		members_text(g, b, sizeof(b));
		w->members = imax(w->members, (int)strlen(b));
	}
}

/* SGR colour per health (ECMA-48): green, yellow, red, red on white...; NULL: none. */
static const char *const health_sgr[HEALTH_COUNT_] = {
	[HEALTH_OK] = "32",	     [HEALTH_DEGRADED] = "33", [HEALTH_CRITICAL] = "1;31",
	[HEALTH_FAILED] = "1;37;41", [HEALTH_UNKNOWN] = "35",
};

/* Text padded to width, in the colour of h when asked (padding inside, so columns hold). */
static void put_colored(FILE *out, enum health h, bool color, int width, const char *text)
{
	const char *sgr = color ? health_sgr[h] : NULL;

	if (sgr)
		fprintf(out, "\033[%sm%-*s\033[0m", sgr, width, text);
	else
		fprintf(out, "%-*s", width, text);
}

void status_summary(const struct agg *a, char *buf, size_t len)
{
	struct event_summary s;

	agg_summarize(a, &s);
	snprintf(buf, len,
		 "%zu group%s: %zu ok, %zu degraded, %zu critical, %zu failed, %zu unknown, "
		 "%zu nonredundant; worst: %s",
		 s.groups, s.groups == 1 ? "" : "s", s.by_health[HEALTH_OK],
		 s.by_health[HEALTH_DEGRADED], s.by_health[HEALTH_CRITICAL],
		 s.by_health[HEALTH_FAILED], s.by_health[HEALTH_UNKNOWN],
		 s.by_health[HEALTH_NONREDUNDANT], health_name(s.worst));
}

/* A group its [group.ID] requires that no probe reports. */
static bool required_missing(const struct agg *a, const struct group_expect *e)
{
	struct agg_iter it = { 0 };
	const struct group *g;

	if (!e->required)
		return false;
	while ((g = agg_next_group(a, &it))) {
		if (strcmp(g->id, e->id) == 0)
			return false;
	}
	return true;
}

bool status_use_color(bool no_color, FILE *out)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	/* https://no-color.org: NO_COLOR set and not empty disables colour. */
	if (no_color || (nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fileno(out)) == 1;
}

void status_print_table(const struct agg *a, bool color, FILE *out)
{
	struct widths w;
	struct event_summary s;
	struct agg_iter it = { 0 };
	const struct group *g;
	char line[256];

	measure(a, &w);
	agg_summarize(a, &s);
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w.id, "GROUP", w.type, "TYPE", w.health,
		"HEALTH", w.margin, "MARGIN", w.members, "MEMBERS", "ACTIVITY");
	while ((g = agg_next_group(a, &it))) {
		char id[512], type[256], margin[64], members[32], act[64], reason[1024];

		margin_text(g, margin, sizeof(margin));
		members_text(g, members, sizeof(members));
		activity_text(g, act, sizeof(act));
		fprintf(out, "%-*s  %-*s  ", w.id, term_text(g->id, id, sizeof(id)), w.type,
			term_text(g->type, type, sizeof(type)));
		put_colored(out, g->health, color, w.health, health_name(g->health));
		fprintf(out, "  %-*s  %-*s  %s\n", w.margin, margin, w.members, members, act);
		if (g->reason && (g->health != HEALTH_OK || g->short_of))
			fprintf(out, "  %*s%s\n", w.id, "",
				term_text(g->reason, reason, sizeof(reason)));
		/* Whatever the health: a hidden single point of failure is what ok hides. */
		for (size_t i = 0; i < g->n_spof; i++)
			fprintf(out, "  %*sspof: %s\n", w.id, "",
				term_text(g->spof[i], reason, sizeof(reason)));
	}
	for (size_t i = 0; agg_expect_at(a, i); i++) {
		char id[512];

		if (required_missing(a, agg_expect_at(a, i)))
			fprintf(out, "expected group %s is gone\n",
				term_text(agg_expect_at(a, i)->id, id, sizeof(id)));
	}
	if (s.groups == 0)
		fprintf(out, "(no redundancy groups found)\n");
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		const struct agg_probe *p = agg_probe_at(a, i);
		char err[1024];

		if (p->failed)
			fprintf(out, "probe %s FAILED: %s\n", p->name,
				term_text(p->error, err, sizeof(err)));
	}
	status_summary(a, line, sizeof(line));
	put_colored(out, s.worst, color, 0, line);
	fputc('\n', out);
}

/* One disk as docs/json.md lists it under "disks". */
static json_t *disk_to_json(const struct disk *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "device", json_text(d->device));
	json_object_set_new(o, "health", json_string(risk_name(d->health)));
	json_object_set_new(o, "reason", json_text(d->reason));
	json_object_set_new(o, "model", json_text(d->model));
	json_object_set_new(o, "serial", json_text(d->serial));
	return o;
}

/* The joined risk of each member that has one, and the group's at_risk (docs/json.md). */
static json_t *group_with_risk(const struct agg *a, const struct group *g)
{
	json_t *o = group_to_json(g), *members = json_object_get(o, "members");

	for (size_t i = 0; i < g->n_members; i++) {
		enum redmon_risk r = disk_member_risk(a, &g->members[i]);

		if (r != REDMON_RISK_NONE)
			json_object_set_new(json_array_get(members, i), "risk",
					    json_string(risk_name(r)));
	}
	json_object_set_new(o, "at_risk", json_integer(disk_group_at_risk(a, g)));
	return o;
}

static json_t *status_json(const struct agg *a, const char *host, const char *root)
{
	json_t *o = json_object(), *groups = json_array(), *probes = json_array();
	json_t *disks = json_array();
	struct event_summary s;
	struct timespec now;
	char ts[40];

	clock_gettime(CLOCK_REALTIME, &now);
	format_utc_ms(&now, ts, sizeof(ts));
	agg_summarize(a, &s);
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		const struct agg_probe *p = agg_probe_at(a, i);
		json_t *pj = json_object();

		for (size_t j = 0; j < p->groups.n; j++)
			json_array_append_new(groups, group_with_risk(a, &p->groups.groups[j]));
		for (size_t j = 0; j < p->groups.n_disks; j++)
			json_array_append_new(disks, disk_to_json(&p->groups.disks[j]));
		json_object_set_new(pj, "name", json_text(p->name));
		json_object_set_new(pj, "status", json_string(p->failed ? "failed" : "ok"));
		json_object_set_new(pj, "error", json_text(p->failed ? p->error : NULL));
		json_array_append_new(probes, pj);
	}
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "host", json_text(host));
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "root", json_text(root));
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "probes", probes);
	json_object_set_new(o, "summary", event_summary_to_json(&s));
	json_object_set_new(o, "disks", disks);
	return o;
}

int status_print_json(const struct agg *a, const char *host, const char *root, FILE *out)
{
	json_t *j = status_json(a, host, root);
	int rc;

	if (!j)
		return -1;
	rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(j);
	return rc;
}

/*
 * The [group.ID] expectations for `check`, named in list after off: 2 when a
 * required group is missing, 1 when a group is short of spares or members.
 */
static int expect_check(const struct agg *a, char *list, size_t size, size_t *off)
{
	const struct group_expect *e;
	const struct group *g;
	int code = 0;

	for (size_t i = 0; (e = agg_expect_at(a, i)); i++) {
		char id[256], why[200];

		term_text(e->id, id, sizeof(id));
		if (required_missing(a, e)) {
			code = 2;
			if (*off < size)
				*off += snprintf(list + *off, size - *off,
						 "%sexpected group %s is gone", *off ? ", " : "",
						 id);
			continue;
		}
		for (struct agg_iter it = { 0 }; (g = agg_next_group(a, &it));) {
			if (!g->short_of || strcmp(g->id, e->id) != 0)
				continue;
			code = code ? code : 1;
			expect_reason(e, g, g->short_of, why, sizeof(why));
			if (*off < size)
				*off += snprintf(list + *off, size - *off, "%s%s %s",
						 *off ? ", " : "", id, why);
		}
	}
	return code;
}

/* A '|' would start perfdata in the plugin's long output: none in names shown there. */
static char *no_pipe(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '|')
			*p = '/';
	return s;
}

/*
 * Nagios plugin guidelines: one line, then perfdata after '|'.  Perfdata per
 * group: the margin with warn/crit ranges, so a graph shows redundancy eroding.
 */
int check_print(const struct agg *a, FILE *out)
{
	static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	struct event_summary s;
	const struct group *g;
	int code = 0;
	char list[1024] = "";
	size_t off = 0;

	agg_summarize(a, &s);
	if (s.by_health[HEALTH_CRITICAL] || s.by_health[HEALTH_FAILED])
		code = 2;
	else if (s.by_health[HEALTH_DEGRADED])
		code = 1;
	else if (s.by_health[HEALTH_UNKNOWN] || s.probes_failed)
		code = 3;
	/* Name the groups that are not fine, worst first. */
	for (int h = HEALTH_COUNT_ - 1; h > HEALTH_NONREDUNDANT; h--) {
		struct agg_iter it = { 0 };

		while ((g = agg_next_group(a, &it))) {
			char id[256], m[64];

			if ((int)g->health != h || off >= sizeof(list))
				continue;
			margin_text(g, m, sizeof(m));
			off += snprintf(list + off, sizeof(list) - off, "%s%s %s (%s)",
					off ? ", " : "", term_text(g->id, id, sizeof(id)),
					health_name(g->health), m);
		}
	}
	for (size_t i = 0; i < agg_probe_count(a) && off < sizeof(list); i++) {
		if (agg_probe_at(a, i)->failed)
			off += snprintf(list + off, sizeof(list) - off, "%sprobe %s failed",
					off ? ", " : "", agg_probe_at(a, i)->name);
	}
	switch (expect_check(a, list, sizeof(list), &off)) {
	case 2:
		code = 2;
		break;
	case 1:
		code = code == 2 ? 2 : 1;
		break;
	}
	/* Counted as status counts them: a nonredundant group is not "ok", nor a problem. */
	fprintf(out, "REDMON %s - %zu groups, %zu ok", state_names[code], s.groups,
		s.by_health[HEALTH_OK]);
	if (s.by_health[HEALTH_NONREDUNDANT])
		fprintf(out, ", %zu nonredundant", s.by_health[HEALTH_NONREDUNDANT]);
	if (off)
		fprintf(out, "; %s", list);
	fprintf(out,
		" | groups=%zu ok=%zu nonredundant=%zu degraded=%zu critical=%zu failed=%zu "
		"unknown=%zu",
		s.groups, s.by_health[HEALTH_OK], s.by_health[HEALTH_NONREDUNDANT],
		s.by_health[HEALTH_DEGRADED], s.by_health[HEALTH_CRITICAL],
		s.by_health[HEALTH_FAILED], s.by_health[HEALTH_UNKNOWN]);
	for (struct agg_iter it = { 0 }; (g = agg_next_group(a, &it));) {
		char id[256];
		int32_t m = margin_shown(g);

		if (m < 0)
			continue;
		/* Perfdata labels may not contain ' or =; escape then replace. */
		term_text(g->id, id, sizeof(id));
		for (char *p = id; *p; p++) {
			if (*p == '\'' || *p == '=' || *p == ' ')
				*p = '_';
		}
		fprintf(out, " '%s_margin'=%d;%d:;%d:;0;%d", id, m, g->margin_nominal,
			g->margin_nominal ? 1 : 0, g->margin_nominal);
	}
	fputc('\n', out);
	/*
	 * Long output (the lines after the first, plugin guidelines): each hidden
	 * single point of failure, informational, so the state stays the margin's.
	 */
	for (struct agg_iter it = { 0 }; (g = agg_next_group(a, &it));) {
		char id[256], why[1024];

		term_text(g->id, id, sizeof(id));
		no_pipe(id);
		for (size_t i = 0; i < g->n_spof; i++) {
			term_text(g->spof[i], why, sizeof(why));
			fprintf(out, "%s spof: %s\n", id, no_pipe(why));
		}
	}
	return code;
}
