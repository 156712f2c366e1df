/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "control.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "bus.h"
#include "log.h"
#include "loop_timer.h"
#include "marks.h"
#include "policy.h"
#include "status.h"

/* The longest maintenance window: a year (a forgotten one must end some day). */
#define MAINTENANCE_MAX_MS (366LL * 24 * 3600 * 1000)

/* The event's copy of the group's marks (borrowed from the table until it changes). */
static void carry_marks(struct event *ev, const struct mark *k, int64_t now)
{
	if (!k)
		return;
	if (k->ack.time) {
		ev->ack_by = k->ack.by;
		ev->ack_comment = k->ack.comment;
		ev->ack_time = k->ack.time;
	}
	if (k->maint.time > now) {
		ev->maint_by = k->maint.by;
		ev->maint_comment = k->maint.comment;
		ev->maint_until = k->maint.time;
	}
}

bool control_annotate(struct agg *a, struct event_list *l, int64_t now)
{
	struct marks *m = NULL;
	bool changed = false;

	for (size_t i = 0; i < l->n; i++) {
		struct event *ev = &l->v[i];
		const struct group *g = ev->group;

		if (!g)
			continue;
		/* Remembered while its trouble is not settled: forget settles it. */
		if (ev->type == EV_GROUP_VANISHED &&
		    (policy_health_reminded(g->health) || ev->required) &&
		    (m = agg_marks_edit(a)) && marks_gone(m, g, now) == 0)
			changed = true;
		switch (ev->type) {
		case EV_GROUP_VANISHED:
		case EV_GROUP_APPEARED:
		case EV_HEALTH_CHANGED:
		case EV_MEMBER_CHANGED:
			m = agg_marks(a) ? agg_marks_edit(a) : NULL;
			changed |= marks_unack(m, g->id);
			if (ev->type == EV_GROUP_APPEARED)
				changed |= marks_back(m, g->id);
			break;
		default:
			break;
		}
	}
	/* Pointers into the table only now that it no longer changes. */
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].group)
			carry_marks(&l->v[i], marks_find(agg_marks(a), l->v[i].group->id), now);
	}
	return changed;
}

/* The user name of uid, else its number. */
static void user_of(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, len, "%s", res->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
}

/* Free text from a client as it may go into a mail, a header, a log: printable, one line. */
static char *clean_text(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!s || !*s)
		return NULL;
	for (; *s && o + 1 < len; s++)
		buf[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	buf[o] = '\0';
	return buf;
}

static void publish(struct control_env *e, struct event *ev)
{
	clock_gettime(CLOCK_REALTIME, &ev->time);
	if (bus_publish(e->bus, ev) < 0)
		log_err("out of memory: the %s event of %s was not sent", event_type_name(ev->type),
			ev->group ? ev->group->id : "?");
}

static int do_status(struct control_env *e, const json_t *req, FILE *out)
{
	const char *format = json_string_value(json_object_get(req, "format"));
	enum status_sort sort =
		json_is_true(json_object_get(req, "worst")) ? STATUS_SORT_WORST : STATUS_SORT_NAME;
	int code = 0;

	if (format && strcmp(format, "json") == 0)
		code = status_print_json(e->agg, sort, e->host, e->root, "daemon", out) < 0 ? 1 : 0;
	else
		status_print_table(e->agg, sort, json_is_true(json_object_get(req, "color")), out);
	if (json_is_true(json_object_get(req, "test")) && code == 0)
		code = status_test_code(e->agg);
	return code;
}

/* A list of strings from the request, borrowed into a new array (*n of them); NULL if none. */
static const char **strings(const json_t *req, const char *key, size_t *n)
{
	const json_t *v = json_object_get(req, key), *s;
	const char **list;
	size_t i;

	*n = 0;
	if (!json_is_array(v) || !json_array_size(v))
		return NULL;
	list = calloc(json_array_size(v), sizeof(*list));
	json_array_foreach(v, i, s)
	{
		if (list && json_is_string(s))
			list[(*n)++] = json_string_value(s);
	}
	return list;
}

static int do_check(struct control_env *e, const json_t *req, FILE *out)
{
	const json_t *empty = json_object_get(req, "empty");
	struct check_opts o = { .empty = 3 };
	int code;

	if (json_is_integer(empty) && json_integer_value(empty) >= 0 &&
	    json_integer_value(empty) <= 3)
		o.empty = (int)json_integer_value(empty);
	o.exclude = (char **)strings(req, "exclude", &o.n_exclude);
	o.expect = (char **)strings(req, "expect", &o.n_expect);
	code = check_print(e->agg, &o, out);
	free(o.exclude);
	free(o.expect);
	return code;
}

/* Changes are for root and the daemon's own user: a monitoring user only reads. */
static bool may_change(const struct ctl_peer *peer, const char *what, FILE *out)
{
	if (peer->uid == 0 || peer->uid == geteuid())
		return true;
	fprintf(out, "redmon: %s needs root (or the daemon's user)\n", what);
	return false;
}

static int do_ack(struct control_env *e, const json_t *req, const char *by, FILE *out)
{
	const char *id = json_string_value(json_object_get(req, "group"));
	const struct group *g = id ? agg_find_group(e->agg, id) : NULL;
	struct marks *m = agg_marks_edit(e->agg);
	char comment[256];
	struct event ev = { .type = EV_ACKNOWLEDGED, .group = g, .by = by };
	const char *c = clean_text(json_string_value(json_object_get(req, "comment")), comment,
				   sizeof(comment));

	if (!g) {
		fprintf(out, "redmon: no group %s (redmon status lists them)\n", id ? id : "?");
		return 1;
	}
	if (!policy_health_reminded(g->health)) {
		fprintf(out, "redmon: %s is %s: nothing to acknowledge\n", id,
			health_name(g->health));
		return 1;
	}
	if (!m || marks_ack(m, id, by, c, wall_ms()) < 0) {
		fprintf(out, "redmon: out of memory\n");
		return 1;
	}
	ev.probe = g->probe;
	carry_marks(&ev, marks_find(m, id), wall_ms());
	publish(e, &ev);
	e->changed(e->ctx);
	fprintf(out, "%s acknowledged: no reminders until it changes again\n", id);
	return 0;
}

static int do_maintenance(struct control_env *e, const json_t *req, const char *by, FILE *out)
{
	const char *id = json_string_value(json_object_get(req, "group"));
	const json_t *dur = json_object_get(req, "duration_ms");
	const struct group *g = id ? agg_find_group(e->agg, id) : NULL;
	struct marks *m = agg_marks_edit(e->agg);
	int64_t now = wall_ms(), ms = json_is_integer(dur) ? json_integer_value(dur) : -1;
	char comment[256];
	const char *c = clean_text(json_string_value(json_object_get(req, "comment")), comment,
				   sizeof(comment));
	struct event ev = { .type = EV_MAINTENANCE_STARTED, .group = g, .by = by };

	if (!g) {
		fprintf(out, "redmon: no group %s (redmon status lists them)\n", id ? id : "?");
		return 1;
	}
	if (ms < 0 || ms > MAINTENANCE_MAX_MS) {
		fprintf(out, "redmon: a maintenance lasts 0 (end it now) to 366d\n");
		return 2;
	}
	if (ms == 0) {
		if (!marks_in_maintenance(m, id, now)) {
			fprintf(out, "redmon: %s is not in maintenance\n", id);
			return 1;
		}
		marks_end_maintenance(m, id);
		ev = (struct event){ .type = EV_MAINTENANCE_ENDED, .group = g, .by = by };
		fprintf(out, "%s: maintenance ended\n", id);
	} else if (!m || marks_maintain(m, id, by, c, now + ms) < 0) {
		fprintf(out, "redmon: out of memory\n");
		return 1;
	} else {
		fprintf(out,
			"%s in maintenance for %lld s: its alerts are held, its events "
			"recorded\n",
			id, (long long)(ms / 1000));
	}
	ev.probe = g->probe;
	carry_marks(&ev, marks_find(m, id), now);
	publish(e, &ev);
	e->changed(e->ctx);
	return 0;
}

static int do_forget(struct control_env *e, const json_t *req, const char *by, FILE *out)
{
	const char *id = json_string_value(json_object_get(req, "group"));
	const struct mark *k = id ? marks_find(agg_marks(e->agg), id) : NULL;
	char probe[128];
	struct group g = { 0 };
	struct event ev = { .type = EV_GROUP_FORGOTTEN, .group = &g, .by = by };

	if (id && agg_find_group(e->agg, id)) {
		fprintf(out, "redmon: %s is there: forget is for a group that vanished\n", id);
		return 1;
	}
	if (!k || !k->gone_time) {
		fprintf(out, "redmon: no vanished group %s to forget\n", id ? id : "?");
		return 1;
	}
	/* What is left of it: its id ("<probe>:<name>"), type and last health. */
	snprintf(probe, sizeof(probe), "%.*s", (int)strcspn(id, ":"), id);
	g = (struct group){ .id = (char *)id,
			    .probe = probe,
			    .name = strchr(id, ':') ? strchr(id, ':') + 1 : (char *)id,
			    .type = k->gone_type ? k->gone_type : "?",
			    .kind = "",
			    .health = k->gone_health,
			    .margin = REDMON_MARGIN_UNKNOWN };
	ev.probe = probe;
	publish(e, &ev); /* before the mark goes: the event borrows its strings */
	marks_remove(agg_marks_edit(e->agg), id);
	e->changed(e->ctx);
	fprintf(out, "%s forgotten: its alerts are resolved\n", id);
	return 0;
}

int control_handle(void *ctx, const json_t *req, const struct ctl_peer *peer, FILE *out,
		   const char **refused)
{
	struct control_env *e = ctx;
	const char *cmd = json_string_value(json_object_get(req, "command"));
	const char *root = json_string_value(json_object_get(req, "root"));
	char by[64];

	if (!cmd) {
		fprintf(out, "redmon: a request without a command\n");
		return 2;
	}
	/* Another tree than the daemon's (--root): the client's own scan answers. */
	if (root && strcmp(root, e->root) != 0) {
		*refused = "the daemon reads another root directory";
		return 2;
	}
	if (strcmp(cmd, "status") == 0)
		return do_status(e, req, out);
	if (strcmp(cmd, "check") == 0)
		return do_check(e, req, out);
	if (strcmp(cmd, "ack") != 0 && strcmp(cmd, "maintenance") != 0 &&
	    strcmp(cmd, "forget") != 0) {
		fprintf(out, "redmon: the daemon does not know '%.40s' (an older version?)\n", cmd);
		return 2;
	}
	if (!may_change(peer, cmd, out))
		return 1;
	user_of(peer->uid, by, sizeof(by));
	log_notice("%s of %.200s by %s (pid %ld)", cmd,
		   json_string_value(json_object_get(req, "group"))
			   ? json_string_value(json_object_get(req, "group"))
			   : "?",
		   by, (long)peer->pid);
	if (strcmp(cmd, "ack") == 0)
		return do_ack(e, req, by, out);
	if (strcmp(cmd, "maintenance") == 0)
		return do_maintenance(e, req, by, out);
	return do_forget(e, req, by, out);
}

void control_end_maintenance(struct control_env *e, int64_t now)
{
	const struct mark *k;

	for (size_t i = 0; (k = marks_at(agg_marks(e->agg), i));) {
		const struct group *g;
		struct event ev = { .type = EV_MAINTENANCE_ENDED };
		char id[512];

		if (!k->maint.time || k->maint.time > now) {
			i++;
			continue;
		}
		snprintf(id, sizeof(id), "%s", k->id);
		marks_end_maintenance(agg_marks_edit(e->agg), id); /* k may be gone now */
		g = agg_find_group(e->agg, id);
		if (g) {
			ev.group = g;
			ev.probe = g->probe;
			carry_marks(&ev, marks_find(agg_marks(e->agg), id), now);
			publish(e, &ev);
		} else {
			log_notice("maintenance of %s over; the group is not there", id);
		}
		e->changed(e->ctx);
	}
}
