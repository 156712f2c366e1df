/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operator's marks by group id: a small array sorted by id (a host has a
 * few acknowledged groups, not thousands), searched by bisection.
 */
#include "marks.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "redmon/sorted.h"

/* What one free text may hold: a comment, a user name. */
#define MARK_TEXT_MAX 512

struct marks {
	struct mark *v;
	size_t n, cap;
};

struct marks *marks_new(void)
{
	return calloc(1, sizeof(struct marks));
}

static void note_clear(struct mark_note *n)
{
	free(n->by);
	free(n->comment);
	*n = (struct mark_note){ 0 };
}

static void mark_clear_gone(struct mark *k)
{
	free(k->gone_type);
	k->gone_type = NULL;
	k->gone_time = 0;
	k->gone_health = HEALTH_OK;
}

static void mark_free(struct mark *k)
{
	note_clear(&k->ack);
	note_clear(&k->maint);
	mark_clear_gone(k);
	free(k->id);
}

void marks_free(struct marks *m)
{
	for (size_t i = 0; m && i < m->n; i++)
		mark_free(&m->v[i]);
	if (m)
		free(m->v);
	free(m);
}

/* What sorted_search() looks for: an id in a table. */
struct marks_key {
	const struct marks *m;
	const char *id;
};

static int cmp_id(const void *key, size_t i)
{
	const struct marks_key *k = key;

	return strcmp(k->m->v[i].id, k->id);
}

/* The index of id, or where it would go (found says which). */
static size_t locate(const struct marks *m, const char *id, bool *found)
{
	return sorted_search(m->n, cmp_id, &(struct marks_key){ m, id }, found);
}

const struct mark *marks_find(const struct marks *m, const char *id)
{
	bool found;
	size_t i;

	if (!m || !id)
		return NULL;
	i = locate(m, id, &found);
	return found ? &m->v[i] : NULL;
}

const struct mark *marks_at(const struct marks *m, size_t i)
{
	return m && i < m->n ? &m->v[i] : NULL;
}

/* The mark of id, made empty when new; NULL on ENOMEM. */
static struct mark *get(struct marks *m, const char *id)
{
	bool found;
	size_t i = locate(m, id, &found);

	if (found)
		return &m->v[i];
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 4;
		struct mark *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	memset(&m->v[i], 0, sizeof(*m->v));
	m->v[i].id = strdup(id);
	if (!m->v[i].id) {
		memmove(&m->v[i], &m->v[i + 1], (m->n - i) * sizeof(*m->v));
		return NULL;
	}
	m->n++;
	return &m->v[i];
}

/* A mark with nothing left in it goes. */
static void drop_if_empty(struct marks *m, const char *id)
{
	bool found;
	size_t i = locate(m, id, &found);
	struct mark *k = &m->v[i];

	if (!found || k->ack.time || k->maint.time || k->gone_time)
		return;
	mark_free(k);
	memmove(k, k + 1, (m->n - i - 1) * sizeof(*k));
	m->n--;
}

/* A copy of free text cut to MARK_TEXT_MAX; NULL stays NULL. *err on ENOMEM. */
static char *text_dup(const char *s, bool *err)
{
	char *t;

	if (!s)
		return NULL;
	t = strndup(s, MARK_TEXT_MAX);
	*err = *err || !t;
	return t;
}

/* The note of id (the ack or the maintenance one) said anew; 0 or -ENOMEM. */
static int note_set(struct marks *m, const char *id, size_t which, const char *by,
		    const char *comment, int64_t time)
{
	struct mark *k = get(m, id);
	struct mark_note *n;
	bool err = false;
	char *b, *c;

	if (!k)
		return -ENOMEM;
	b = text_dup(by, &err);
	c = text_dup(comment, &err);
	if (err) {
		free(b);
		free(c);
		drop_if_empty(m, id);
		return -ENOMEM;
	}
	n = (struct mark_note *)((char *)k + which);
	note_clear(n);
	*n = (struct mark_note){ .by = b, .comment = c, .time = time > 0 ? time : 1 };
	return 0;
}

/* The note of id unsaid; true if there was one. */
static bool note_unset(struct marks *m, const char *id, size_t which)
{
	struct mark_note *n;
	bool found;
	size_t i;

	if (!m || !id)
		return false;
	i = locate(m, id, &found);
	n = found ? (struct mark_note *)((char *)&m->v[i] + which) : NULL;
	if (!n || !n->time)
		return false;
	note_clear(n);
	drop_if_empty(m, id);
	return true;
}

int marks_ack(struct marks *m, const char *id, const char *by, const char *comment, int64_t now)
{
	return note_set(m, id, offsetof(struct mark, ack), by, comment, now);
}

bool marks_unack(struct marks *m, const char *id)
{
	return note_unset(m, id, offsetof(struct mark, ack));
}

int marks_maintain(struct marks *m, const char *id, const char *by, const char *comment,
		   int64_t until)
{
	return note_set(m, id, offsetof(struct mark, maint), by, comment, until);
}

bool marks_end_maintenance(struct marks *m, const char *id)
{
	return note_unset(m, id, offsetof(struct mark, maint));
}

bool marks_in_maintenance(const struct marks *m, const char *id, int64_t now)
{
	const struct mark *k = marks_find(m, id);

	return k && k->maint.time > now;
}

bool marks_quiet(const struct marks *m, const char *id, int64_t now)
{
	const struct mark *k = marks_find(m, id);

	return k && (k->ack.time || k->maint.time > now);
}

int64_t marks_next_end(const struct marks *m)
{
	int64_t next = 0;

	for (size_t i = 0; m && i < m->n; i++) {
		int64_t u = m->v[i].maint.time;

		if (u && (!next || u < next))
			next = u;
	}
	return next;
}

int marks_gone(struct marks *m, const struct group *g, int64_t now)
{
	struct mark *k = get(m, g->id);
	char *type;

	if (!k)
		return -ENOMEM;
	type = g->type ? strdup(g->type) : NULL;
	if (g->type && !type) {
		drop_if_empty(m, g->id);
		return -ENOMEM;
	}
	mark_clear_gone(k);
	k->gone_type = type;
	k->gone_health = g->health;
	k->gone_time = now > 0 ? now : 1;
	return 0;
}

bool marks_back(struct marks *m, const char *id)
{
	bool found;
	size_t i;

	if (!m || !id)
		return false;
	i = locate(m, id, &found);
	if (!found || !m->v[i].gone_time)
		return false;
	mark_clear_gone(&m->v[i]);
	drop_if_empty(m, id);
	return true;
}

bool marks_remove(struct marks *m, const char *id)
{
	bool found;
	size_t i;

	if (!m || !id)
		return false;
	i = locate(m, id, &found);
	if (!found)
		return false;
	mark_free(&m->v[i]);
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
	return true;
}

/* --- JSON (the state file, status --json) ---------------------------------- */

/*
 * A string as it reads back the same: as it is when it is UTF-8, else with
 * its bad bytes escaped (json_text), which is UTF-8 from then on.
 */
static json_t *exact_text(const char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	return j ? j : json_text(s);
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	char ts[40];

	format_utc_ms(&t, ts, sizeof(ts));
	json_object_set_new(o, key, json_string(ts));
}

json_t *mark_to_json(const struct mark *k)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (k->ack.time) {
		json_t *a = json_object();

		json_object_set_new(a, "by", exact_text(k->ack.by));
		json_object_set_new(a, "comment", exact_text(k->ack.comment));
		set_time(a, "time", k->ack.time);
		/* The ms too: read back exactly, whatever the text format. */
		json_object_set_new(a, "time_ms", json_integer(k->ack.time));
		json_object_set_new(o, "acknowledged", a);
	}
	if (k->maint.time) {
		json_t *a = json_object();

		json_object_set_new(a, "by", exact_text(k->maint.by));
		json_object_set_new(a, "comment", exact_text(k->maint.comment));
		set_time(a, "until", k->maint.time);
		json_object_set_new(a, "until_ms", json_integer(k->maint.time));
		json_object_set_new(o, "maintenance", a);
	}
	if (k->gone_time) {
		json_t *a = json_object();

		json_object_set_new(a, "type", exact_text(k->gone_type));
		json_object_set_new(a, "health", json_string(health_name(k->gone_health)));
		set_time(a, "time", k->gone_time);
		json_object_set_new(a, "time_ms", json_integer(k->gone_time));
		json_object_set_new(o, "vanished", a);
	}
	return o;
}

json_t *marks_to_json(const struct marks *m)
{
	json_t *list = json_array();

	for (size_t i = 0; list && m && i < m->n; i++) {
		json_t *o = mark_to_json(&m->v[i]);

		if (!o || json_object_set_new(o, "id", exact_text(m->v[i].id)) < 0 ||
		    json_array_append_new(list, o) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* A string member, or NULL (absent, null or not a string). */
static const char *text_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A time in ms that is positive, or 0. */
static int64_t ms_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

static bool health_of(const char *name, enum health *ret)
{
	for (int h = 0; name && h < HEALTH_COUNT_; h++) {
		if (strcmp(health_name((enum health)h), name) == 0) {
			*ret = (enum health)h;
			return true;
		}
	}
	return false;
}

/* One entry into m; 1 when malformed (left out), 0, or -ENOMEM. */
static int entry_from_json(struct marks *m, const json_t *e)
{
	const char *id = text_of(e, "id");
	const json_t *a = json_object_get(e, "acknowledged"),
		     *mt = json_object_get(e, "maintenance");
	const json_t *g = json_object_get(e, "vanished");
	int rc = 0;

	if (!id || !*id || strlen(id) > MARK_TEXT_MAX || (!a && !mt && !g))
		return 1;
	if (a && (!ms_of(a, "time_ms") || !text_of(a, "by")))
		return 1;
	if (mt && (!ms_of(mt, "until_ms") || !text_of(mt, "by")))
		return 1;
	if (g) {
		struct group grp = { .id = (char *)id, .type = (char *)text_of(g, "type") };

		if (!ms_of(g, "time_ms") || !health_of(text_of(g, "health"), &grp.health))
			return 1;
		rc = marks_gone(m, &grp, ms_of(g, "time_ms"));
	}
	if (rc == 0 && a)
		rc = marks_ack(m, id, text_of(a, "by"), text_of(a, "comment"), ms_of(a, "time_ms"));
	if (rc == 0 && mt)
		rc = marks_maintain(m, id, text_of(mt, "by"), text_of(mt, "comment"),
				    ms_of(mt, "until_ms"));
	return rc;
}

int marks_from_json(struct marks *m, const json_t *j, unsigned *bad)
{
	size_t i;
	json_t *e;

	while (m->n)
		marks_remove(m, m->v[m->n - 1].id);
	if (!json_is_array(j)) {
		*bad += j != NULL;
		return 0;
	}
	json_array_foreach(j, i, e)
	{
		int rc = entry_from_json(m, e);

		if (rc < 0)
			return rc;
		*bad += (unsigned)rc;
	}
	return 0;
}
