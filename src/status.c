/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `redmon status` (table or JSON) and `redmon check` (Nagios/Icinga plugin). */
#include "status.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "disk_join.h"
#include "json.h"
#include "marks.h"
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

/*
 * Names as people read them: a run of digits compares as a number, so md2
 * comes before md10 and c0/v9 before c0/v10; everything else byte by byte.
 */
int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea, *eb;
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int by_name(const void *x, const void *y)
{
	const struct group *a = *(const struct group *const *)x,
			   *b = *(const struct group *const *)y;
	int c = natural_cmp(a->id, b->id);

	/* Ids are unique per probe, not across the natural order's equal forms (md01, md1). */
	return c ? c : strcmp(a->id, b->id);
}

/* The worst health first (failed, critical, unknown, degraded, ...), then by name. */
static int by_worst(const void *x, const void *y)
{
	const struct group *a = *(const struct group *const *)x,
			   *b = *(const struct group *const *)y;

	if (a->health != b->health)
		return health_worse(a->health, b->health) ? -1 : 1;
	return by_name(x, y);
}

/* Every group of a in the order asked for; NULL (n 0) when there is none or no memory. */
static const struct group **sorted_groups(const struct agg *a, enum status_sort sort, size_t *n)
{
	struct agg_iter it = { 0 };
	const struct group **v = NULL, *g;
	size_t cap = 0;

	*n = 0;
	while ((g = agg_next_group(a, &it))) {
		if (*n == cap) {
			const struct group **nv = reallocarray(v, cap ? cap * 2 : 16, sizeof(*v));

			if (!nv)
				break; /* the groups so far, in order: better than none */
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[(*n)++] = g;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), sort == STATUS_SORT_WORST ? by_worst : by_name);
	return v;
}

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

void status_summary_text(const struct event_summary *s, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%zu group%s: %zu ok, %zu degraded, %zu critical, %zu failed, %zu unknown, "
		 "%zu nonredundant; worst: %s",
		 s->groups, s->groups == 1 ? "" : "s", s->by_health[HEALTH_OK],
		 s->by_health[HEALTH_DEGRADED], s->by_health[HEALTH_CRITICAL],
		 s->by_health[HEALTH_FAILED], s->by_health[HEALTH_UNKNOWN],
		 s->by_health[HEALTH_NONREDUNDANT], health_name(s->worst));
}

bool status_summary_same_text(const struct event_summary *a, const struct event_summary *b)
{
	if (a->groups != b->groups || a->worst != b->worst)
		return false;
	for (size_t h = 0; h < HEALTH_COUNT_; h++) {
		if (a->by_health[h] != b->by_health[h])
			return false;
	}
	return true;
}

void status_summary(const struct agg *a, char *buf, size_t len)
{
	struct event_summary s;

	agg_summarize(a, &s);
	status_summary_text(&s, buf, len);
}

/* A group its [group.ID] requires that no probe reports. */
static bool required_missing(const struct agg *a, const struct group_expect *e)
{
	return e->required && !agg_find_group(a, e->id);
}

bool status_use_color(bool no_color, FILE *out)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	/* https://no-color.org: NO_COLOR set and not empty disables colour. */
	if (no_color || (nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fileno(out)) == 1;
}

static int64_t wall_clock_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A time in Unix ms as the table shows it: UTC, to the minute. */
static const char *table_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/* What the operator said of a group (redmon ack, redmon maintenance), under its row. */
static void mark_lines(const struct mark *k, int indent, FILE *out)
{
	char by[128], c[600], ts[40];
	int64_t now = wall_clock_ms();

	if (k && k->ack.time)
		fprintf(out, "  %*sacknowledged by %s, %s%s%s\n", indent, "",
			term_text(k->ack.by, by, sizeof(by)),
			table_time(k->ack.time, ts, sizeof(ts)), k->ack.comment ? ": " : "",
			k->ack.comment ? term_text(k->ack.comment, c, sizeof(c)) : "");
	if (k && k->maint.time > now)
		fprintf(out, "  %*sin maintenance until %s (%s%s%s): alerts held\n", indent, "",
			table_time(k->maint.time, ts, sizeof(ts)),
			term_text(k->maint.by, by, sizeof(by)), k->maint.comment ? ": " : "",
			k->maint.comment ? term_text(k->maint.comment, c, sizeof(c)) : "");
}

/* Groups that vanished while not ok, until they come back or redmon forget. */
static void vanished_lines(const struct agg *a, FILE *out)
{
	const struct mark *k;

	for (size_t i = 0; (k = marks_at(agg_marks(a), i)); i++) {
		char id[512], type[128], ts[40];

		if (k->gone_time)
			fprintf(out,
				"vanished: %s (%s), %s when last seen, %s (redmon forget %s "
				"once it is gone for good)\n",
				term_text(k->id, id, sizeof(id)),
				term_text(k->gone_type, type, sizeof(type)),
				health_name(k->gone_health),
				table_time(k->gone_time, ts, sizeof(ts)), id);
	}
}

void status_print_table(const struct agg *a, enum status_sort sort, bool color, FILE *out)
{
	struct widths w;
	struct event_summary s;
	size_t n;
	const struct group **v = sorted_groups(a, sort, &n), *g;
	char line[256];

	measure(a, &w);
	agg_summarize(a, &s);
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w.id, "GROUP", w.type, "TYPE", w.health,
		"HEALTH", w.margin, "MARGIN", w.members, "MEMBERS", "ACTIVITY");
	for (size_t i = 0; i < n; i++) {
		char id[512], type[256], margin[64], members[32], act[64], reason[1024];

		g = v[i];
		margin_text(g, margin, sizeof(margin));
		members_text(g, members, sizeof(members));
		activity_text(g, act, sizeof(act));
		fprintf(out, "%-*s  %-*s  ", w.id, term_text(g->id, id, sizeof(id)), w.type,
			term_text(g->type, type, sizeof(type)));
		put_colored(out, g->health, color, w.health, health_name(g->health));
		fprintf(out, "  %-*s  %-*s  %s\n", w.margin, margin, w.members, members, act);
		if (g->reason &&
		    (g->health != HEALTH_OK || g->short_of || g->scrub_overdue || g->scrub_errors))
			fprintf(out, "  %*s%s\n", w.id, "",
				term_text(g->reason, reason, sizeof(reason)));
		/* Whatever the health: a hidden single point of failure is what ok hides. */
		for (size_t j = 0; j < g->n_spof; j++)
			fprintf(out, "  %*sspof: %s\n", w.id, "",
				term_text(g->spof[j], reason, sizeof(reason)));
		mark_lines(marks_find(agg_marks(a), g->id), w.id, out);
	}
	free(v);
	for (size_t i = 0; agg_expect_at(a, i); i++) {
		char id[512];

		if (required_missing(a, agg_expect_at(a, i)))
			fprintf(out, "expected group %s is gone\n",
				term_text(agg_expect_at(a, i)->id, id, sizeof(id)));
	}
	vanished_lines(a, out);
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

/* A group's "acknowledged" and "maintenance" (while it lasts), as the mark says. */
static void mark_json(const struct mark *k, json_t *o)
{
	json_t *m = k ? mark_to_json(k) : NULL;

	if (k && k->ack.time)
		json_object_set(o, "acknowledged", json_object_get(m, "acknowledged"));
	if (k && k->maint.time > wall_clock_ms())
		json_object_set(o, "maintenance", json_object_get(m, "maintenance"));
	json_decref(m);
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
	mark_json(marks_find(agg_marks(a), g->id), o);
	return o;
}

/* The groups that vanished while not ok: [{"id", "type", "health", "time"}]. */
static json_t *vanished_json(const struct agg *a)
{
	json_t *list = json_array();
	const struct mark *k;

	for (size_t i = 0; (k = marks_at(agg_marks(a), i)); i++) {
		json_t *m, *v;

		if (!k->gone_time)
			continue;
		m = mark_to_json(k);
		v = json_object_get(m, "vanished");
		json_object_set_new(v, "id", json_text(k->id));
		json_object_del(v, "time_ms");
		json_array_append(list, v);
		json_decref(m);
	}
	return list;
}

static json_t *status_json(const struct agg *a, enum status_sort sort, const char *host,
			   const char *root)
{
	json_t *o = json_object(), *groups = json_array(), *probes = json_array();
	json_t *disks = json_array();
	struct event_summary s;
	struct timespec now;
	size_t n;
	const struct group **v = sorted_groups(a, sort, &n);
	char ts[40];

	clock_gettime(CLOCK_REALTIME, &now);
	format_utc_ms(&now, ts, sizeof(ts));
	agg_summarize(a, &s);
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		const struct agg_probe *p = agg_probe_at(a, i);
		json_t *pj = json_object();

		for (size_t j = 0; j < p->groups.n_disks; j++)
			json_array_append_new(disks, disk_to_json(&p->groups.disks[j]));
		json_object_set_new(pj, "name", json_text(p->name));
		json_object_set_new(pj, "status", json_string(p->failed ? "failed" : "ok"));
		json_object_set_new(pj, "error", json_text(p->failed ? p->error : NULL));
		json_array_append_new(probes, pj);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(groups, group_with_risk(a, v[i]));
	free(v);
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "host", json_text(host));
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "root", json_text(root));
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "probes", probes);
	json_object_set_new(o, "summary", event_summary_to_json(&s));
	json_object_set_new(o, "disks", disks);
	json_object_set_new(o, "vanished", vanished_json(a));
	return o;
}

int status_print_json(const struct agg *a, enum status_sort sort, const char *host,
		      const char *root, const char *source, FILE *out)
{
	json_t *j = status_json(a, sort, host, root);

	/* Who looked: this command's own scan, or the daemon (with its damping and memory). */
	if (j)
		json_object_set_new(j, "source", json_string(source));
	int rc;

	if (!j)
		return -1;
	rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(j);
	return rc;
}

int status_test_code(const struct agg *a)
{
	struct event_summary s;

	agg_summarize(a, &s);
	if (s.by_health[HEALTH_FAILED])
		return 2;
	if (s.by_health[HEALTH_UNKNOWN] || s.probes_failed)
		return 4;
	if (s.by_health[HEALTH_DEGRADED] || s.by_health[HEALTH_CRITICAL])
		return 1;
	return 0;
}

/* The i-th id --expect sent that the configuration does not require already and no probe has. */
static const char *expected_gone(const struct agg *a, const struct check_opts *o, size_t i)
{
	const struct group_expect *e;
	const char *id = o && i < o->n_expect ? o->expect[i] : NULL;

	for (size_t j = 0; id && (e = agg_expect_at(a, j)); j++) {
		if (e->required && strcmp(e->id, id) == 0)
			return NULL; /* the configuration's own says it */
	}
	return id && !agg_find_group(a, id) ? id : NULL;
}

/*
 * The [group.ID] expectations for `check`, named in list after off: 2 when a
 * required group is missing, 1 when a group is short of spares or members.
 */
static int expect_check(const struct agg *a, const struct check_opts *o, char *list, size_t size,
			size_t *off)
{
	const struct group_expect *e;
	const struct group *g;
	int code = 0;

	for (size_t i = 0; o && i < o->n_expect; i++) {
		char id[256];

		if (!expected_gone(a, o, i))
			continue;
		code = 2;
		if (*off < size)
			*off += snprintf(list + *off, size - *off, "%sexpected group %s is gone",
					 *off ? ", " : "", term_text(o->expect[i], id, sizeof(id)));
	}

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

static bool excluded(const struct check_opts *o, const char *id)
{
	for (size_t i = 0; o && i < o->n_exclude; i++) {
		if (fnmatch(o->exclude[i], id, 0) == 0)
			return true;
	}
	return false;
}

/* The members that are out or coming back, as check_raid lists them: "sdh1 failed (faulty, bay 3)". */
static void members_out(const struct group *g, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < g->n_members && off < len; i++) {
		const struct member *m = &g->members[i];
		char name[128], state[96], loc[96];

		if (m->role == REDMON_ROLE_ACTIVE || m->role == REDMON_ROLE_SPARE ||
		    m->role == REDMON_ROLE_STANDBY)
			continue;
		term_text(m->name, name, sizeof(name));
		term_text(m->state, state, sizeof(state));
		term_text(m->location, loc, sizeof(loc));
		off += (size_t)snprintf(buf + off, len - off, "%s%s %s", off ? ", " : "", name,
					role_name(m->role));
		if (off < len && (m->state || m->location))
			off += (size_t)snprintf(buf + off, len - off, " (%s%s%s%s)",
						m->state ? state : "",
						m->state && m->location ? ", " : "",
						m->location ? "bay " : "", m->location ? loc : "");
	}
}

/* One long-output line per group that is not fine: what, how bad, why, who is out. */
static void check_long_line(const struct group *g, FILE *out)
{
	char id[256], type[128], m[64], reason[1024], members[1024];

	margin_text(g, m, sizeof(m));
	members_out(g, members, sizeof(members));
	fprintf(out, "%s (%s) %s, %s", term_text(g->id, id, sizeof(id)),
		term_text(g->type, type, sizeof(type)), health_name(g->health), m);
	if (g->reason)
		fprintf(out, ": %s", term_text(g->reason, reason, sizeof(reason)));
	if (members[0])
		fprintf(out, "; members out: %s", members);
	fputc('\n', out);
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
 * Nagios plugin guidelines: a status line, perfdata after '|', then the long
 * output, a line per group not fine (as check_raid).  Perfdata per group: the
 * margin with warn/crit ranges, so a graph shows redundancy eroding.
 */
int check_print(const struct agg *a, const struct check_opts *o, FILE *out)
{
	static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	struct event_summary s = { 0 }, all;
	size_t n;
	const struct group **v = sorted_groups(a, STATUS_SORT_WORST, &n), *g;
	int code = 0;
	char list[1024] = "";
	size_t off = 0;

	/* Counted as status counts them, but for the groups --exclude leaves out. */
	agg_summarize(a, &all);
	s.probes_failed = all.probes_failed;
	for (size_t i = 0; i < n; i++) {
		if (excluded(o, v[i]->id))
			continue;
		s.groups++;
		s.by_health[v[i]->health]++;
	}
	if (s.by_health[HEALTH_CRITICAL] || s.by_health[HEALTH_FAILED])
		code = 2;
	else if (s.by_health[HEALTH_DEGRADED])
		code = 1;
	else if (s.by_health[HEALTH_UNKNOWN] || s.probes_failed)
		code = 3;
	else if (s.groups == 0)
		code = o ? o->empty : 3; /* nothing found: as --empty says (check_raid: unknown) */
	/* Name the groups that are not fine, worst first. */
	for (size_t i = 0; i < n && off < sizeof(list); i++) {
		char id[256], m[64];

		g = v[i];
		if (g->health <= HEALTH_NONREDUNDANT || excluded(o, g->id))
			continue;
		margin_text(g, m, sizeof(m));
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s %s (%s)",
					off ? ", " : "", term_text(g->id, id, sizeof(id)),
					health_name(g->health), m);
	}
	for (size_t i = 0; i < agg_probe_count(a) && off < sizeof(list); i++) {
		if (agg_probe_at(a, i)->failed)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%sprobe %s failed",
						off ? ", " : "", agg_probe_at(a, i)->name);
	}
	switch (expect_check(a, o, list, sizeof(list), &off)) {
	case 2:
		code = 2;
		break;
	case 1:
		code = code == 2 ? 2 : 1;
		break;
	}
	/* A nonredundant group is not "ok", nor a problem. */
	if (s.groups == 0)
		fprintf(out, "REDMON %s - no redundancy groups found", state_names[code]);
	else
		fprintf(out, "REDMON %s - %zu group%s, %zu ok", state_names[code], s.groups,
			s.groups == 1 ? "" : "s", s.by_health[HEALTH_OK]);
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
	for (size_t i = 0; i < n; i++) {
		char id[256];
		int32_t m = margin_shown(v[i]);

		if (m < 0 || excluded(o, v[i]->id))
			continue;
		/* Perfdata labels may not contain ' or =; escape then replace. */
		term_text(v[i]->id, id, sizeof(id));
		for (char *p = id; *p; p++) {
			if (*p == '\'' || *p == '=' || *p == ' ')
				*p = '_';
		}
		fprintf(out, " '%s_margin'=%d;%d:;%d:;0;%d", id, m, v[i]->margin_nominal,
			v[i]->margin_nominal ? 1 : 0, v[i]->margin_nominal);
	}
	fputc('\n', out);
	/* The long output: worst first, the reason and the members out of each. */
	for (size_t i = 0; i < n; i++) {
		if ((v[i]->health > HEALTH_NONREDUNDANT || v[i]->short_of) &&
		    !excluded(o, v[i]->id))
			check_long_line(v[i], out);
	}
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		const struct agg_probe *p = agg_probe_at(a, i);
		char err[1024];

		if (p->failed)
			fprintf(out, "probe %s failed: %s\n", p->name,
				term_text(p->error, err, sizeof(err)));
	}
	for (size_t i = 0; agg_expect_at(a, i); i++) {
		char id[512];

		if (required_missing(a, agg_expect_at(a, i)))
			fprintf(out, "expected group %s is gone\n",
				term_text(agg_expect_at(a, i)->id, id, sizeof(id)));
	}
	for (size_t i = 0; o && i < o->n_expect; i++) {
		char id[512];

		if (expected_gone(a, o, i))
			fprintf(out, "expected group %s is gone\n",
				term_text(o->expect[i], id, sizeof(id)));
	}
	free(v);
	/*
	 * Long output (the lines after the first, plugin guidelines): each hidden
	 * single point of failure, informational, so the state stays the margin's.
	 */
	for (struct agg_iter it = { 0 }; (g = agg_next_group(a, &it));) {
		char id[256], why[1024];

		if (excluded(o, g->id))
			continue;
		term_text(g->id, id, sizeof(id));
		no_pipe(id);
		for (size_t i = 0; i < g->n_spof; i++) {
			term_text(g->spof[i], why, sizeof(why));
			fprintf(out, "%s spof: %s\n", id, no_pipe(why));
		}
	}
	return code;
}
