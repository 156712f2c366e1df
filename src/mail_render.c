/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mail_render.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void mail_wrap(FILE *f, size_t first_col, const char *indent, const char *text)
{
	size_t col = first_col, ind = strlen(indent);
	bool empty = true; /* no word on this line yet */

	while (*text) {
		size_t n;

		text += strspn(text, " ");
		n = strcspn(text, " ");
		if (!n)
			break;
		if (!empty && col + 1 + n > MAIL_WIDTH) {
			fprintf(f, "\n%s", indent);
			col = ind;
			empty = true;
		}
		if (!empty) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, n, f);
		col += n;
		empty = false;
		text += n;
	}
	fputc('\n', f);
}

/* label, then raw escaped to one line and wrapped after it (next lines: indent). */
static void wrap_text(FILE *f, const char *label, const char *indent, const char *raw)
{
	char *text = text_one_line_dup(raw);

	fputs(label, f);
	mail_wrap(f, strlen(label), indent, text ? text : "?");
	free(text);
}

/*
 * What g still tolerates: short for a subject, or the words of a sentence
 * ("survives 1 more failure", "the next failure is an outage").
 */
static void tolerance(const struct group *g, bool sentence, char *buf, size_t len)
{
	int32_t m = margin_shown(g);

	if (g->health == HEALTH_FAILED)
		snprintf(buf, len, "%s",
			 sentence ? "nothing: it has failed" : "no redundancy left");
	else if (m < 0)
		snprintf(buf, len, "%s",
			 sentence ? "unknown (the source does not say)" : "redundancy unknown");
	else if (g->health == HEALTH_NONREDUNDANT)
		snprintf(buf, len, "%s",
			 sentence ? "no failure: it has no redundancy by design"
				  : "no redundancy by design");
	else if (m == 0)
		snprintf(buf, len, "%s",
			 sentence ? "the next failure is an outage"
				  : "tolerates no further failure");
	else
		snprintf(buf, len, "%s %d more failure%s", sentence ? "survives" : "tolerates", m,
			 m == 1 ? "" : "s");
}

void mail_subject(const struct event *ev, enum event_severity sev, const char *host, char *buf,
		  size_t len)
{
	const struct group *g = ev->group;
	char word[16], msg[1024], tol[64], raw[1400];
	size_t i;

	for (i = 0; event_severity_name(sev)[i] && i + 1 < sizeof(word); i++)
		word[i] = (char)toupper((unsigned char)event_severity_name(sev)[i]);
	word[i] = 0;
	if (g && ev->type == EV_GROUP_VANISHED) {
		snprintf(raw, sizeof(raw), "[redmon] %s: %s on %s is gone", word, g->id, host);
	} else if (g) {
		tolerance(g, false, tol, sizeof(tol));
		snprintf(raw, sizeof(raw), "[redmon] %s: %s on %s is %s (%s)", word, g->id, host,
			 health_name(g->health), tol);
	} else {
		event_message(ev, msg, sizeof(msg));
		snprintf(raw, sizeof(raw), "[redmon] %s: %s: %s", word, host, msg);
	}
	text_one_line(raw, buf, len);
}

/* "  sdb: failed (faulty), bay Slot 1, /dev/sdb, disk failing: reason" */
static void member_line(FILE *f, const struct member *m)
{
	const char *role = role_name(m->role);
	char *line = NULL;
	size_t len = 0;
	FILE *l = open_memstream(&line, &len);

	if (!l)
		return;
	fprintf(l, "%s: %s", m->name, role);
	if (m->state && *m->state && strcmp(m->state, role) != 0)
		fprintf(l, " (%s)", m->state);
	if (m->location && *m->location)
		fprintf(l, ", bay %s", m->location);
	if (m->device && *m->device && strcmp(m->device, m->name) != 0)
		fprintf(l, ", %s", m->device);
	if (m->serial && *m->serial)
		fprintf(l, ", serial %s", m->serial);
	if (m->risk != REDMON_RISK_NONE)
		fprintf(l, ", disk %s", risk_name(m->risk));
	if (m->reason && *m->reason)
		fprintf(l, ": %s", m->reason);
	if (fclose(l) == 0)
		wrap_text(f, "  - ", "    ", line);
	free(line);
}

/* "recovery 42.0% done, 1h05m left" (or stalled, or how far it is unknown). */
static void rebuild_line(FILE *f, const struct group *g)
{
	char text[160], left[48] = "";
	int64_t s = g->eta_s;

	if (g->stalled)
		snprintf(left, sizeof(left), ", stalled");
	else if (s >= 3600)
		snprintf(left, sizeof(left), ", about %lldh%02lldm left", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(left, sizeof(left), ", about %lldm%02llds left", (long long)(s / 60),
			 (long long)(s % 60));
	else if (s >= 0)
		snprintf(left, sizeof(left), ", about %llds left", (long long)s);
	if (g->progress >= 0)
		snprintf(text, sizeof(text), "%s %.1f%% done%s", activity_name(g->activity),
			 g->progress, left);
	else
		snprintf(text, sizeof(text), "%s running, progress unknown%s",
			 activity_name(g->activity), left);
	wrap_text(f, "Rebuild: ", "  ", text);
}

static void group_text(FILE *f, const struct event *ev)
{
	const struct group *g = ev->group;
	char tol[80];

	if (ev->type == EV_GROUP_VANISHED)
		fputs("As last seen:\n", f);
	if (g->reason && *g->reason)
		wrap_text(f, "Reason: ", "  ", g->reason);
	else if (g->members_failed > 0 && g->members_total > 0)
		fprintf(f, "Reason: %d of %d members failed (the probe gives no reason)\n",
			g->members_failed, g->members_total);
	else
		fputs("Reason: none given by the probe\n", f);
	if (g->n_members) {
		fprintf(f, "Members (%zu):\n", g->n_members);
		for (size_t i = 0; i < g->n_members; i++)
			member_line(f, &g->members[i]);
	}
	tolerance(g, true, tol, sizeof(tol));
	wrap_text(f, "Tolerates: ", "  ", tol);
	if (activity_is_rebuild(g->activity))
		rebuild_line(f, g);
	for (size_t i = 0; i < g->n_spof; i++)
		wrap_text(f, "Single point of failure: ", "  ", g->spof[i]);
}

int mail_group_text(const struct event *ev, char **ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!ev->group) {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	group_text(f, ev);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

/* One "  name: value" line of the details, the value escaped and wrapped. */
static void detail(FILE *f, const char *name, const char *value)
{
	char label[24];

	if (!value)
		return;
	snprintf(label, sizeof(label), "  %-7s ", name);
	wrap_text(f, label, "          ", value);
}

static void details(FILE *f, const struct alert *a)
{
	const struct event *ev = a->ev;
	char buf[64], what[96];

	snprintf(what, sizeof(what), "%s, severity %s", event_type_name(ev->type),
		 event_severity_name(event_severity(ev)));
	detail(f, "event:", what);
	detail(f, "host:", a->host);
	format_utc_ms(&ev->time, buf, sizeof(buf));
	detail(f, "time:", buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ev->seq);
	detail(f, "seq:", ev->seq ? buf : "none (a test)");
	if (ev->group)
		detail(f, "group:", ev->group->id);
	detail(f, "probe:", ev->probe);
	detail(f, "member:", ev->member_name);
	if (ev->disk)
		detail(f, "disk:", ev->disk->device);
	detail(f, "sink:", ev->sink);
	detail(f, "error:", ev->error);
	detail(f, "key:", a->key);
}

void mail_part_clear(struct mail_part *p)
{
	free(p->headline);
	free(p->details);
	free(p->json);
	*p = (struct mail_part){ 0 };
}

int mail_part_new(const struct alert *a, struct mail_part *ret)
{
	struct mail_part p = { .severity = event_severity(a->ev) };
	char msg[1024];
	size_t len = 0;
	FILE *f;
	int rc;

	event_message(a->ev, msg, sizeof(msg));
	p.headline = text_one_line_dup(msg);
	f = open_memstream(&p.details, &len);
	if (f) {
		details(f, a);
		rc = fclose(f);
		p.details = rc == 0 ? p.details : (free(p.details), NULL);
	}
	p.json = json_dumps(a->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!p.headline || !p.details || !p.json) {
		mail_part_clear(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

int mail_body(FILE *f, const struct mail_part *parts, size_t n, const char *group,
	      const char *group_text, const char *host)
{
	if (n == 1) {
		mail_wrap(f, 0, "", parts[0].headline);
	} else {
		char head[1200], *line;

		snprintf(head, sizeof(head), "%zu events of %s on %s, in order:", n,
			 group ? group : "?", host);
		line = text_one_line_dup(head);
		mail_wrap(f, 0, "", line ? line : "?");
		free(line);
		for (size_t i = 0; i < n; i++) {
			int w = fprintf(f, "  %zu. ", i + 1);

			mail_wrap(f, w > 0 ? (size_t)w : 0, "     ", parts[i].headline);
		}
	}
	if (group_text && *group_text)
		fprintf(f, "\n%s", group_text);
	for (size_t i = 0; i < n; i++) {
		if (n == 1)
			fputs("\nDetails:\n", f);
		else
			fprintf(f, "\nDetails of event %zu:\n", i + 1);
		fputs(parts[i].details, f);
	}
	fprintf(f, "\n-- \nThe event%s as JSON (docs/json.md):\n", n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", parts[i].json);
	return ferror(f) ? -EIO : 0;
}
