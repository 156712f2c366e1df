/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0: overlong forms,
 * surrogates and code points above U+10FFFF are invalid (RFC 3629, 4).
 */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

size_t text_escape(const char *str, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t out = 0, kept = 0; /* bytes needed, bytes that fitted whole */

	while (*s) {
		size_t n = utf8_seq_len(s);
		char esc[5];
		const char *src;
		size_t m;

		if (n == 0) {
			snprintf(esc, sizeof(esc), "\\x%02X", *s);
			src = esc;
			m = 4;
			n = 1;
		} else if (*s == '\\') {
			src = "\\\\";
			m = 2;
		} else {
			src = (const char *)s;
			m = n;
		}
		/* Never cut an escape or a UTF-8 sequence in half. */
		if (kept == out && out + m < len) {
			memcpy(buf + out, src, m);
			kept += m;
		}
		out += m;
		s += n;
	}
	if (len)
		buf[kept] = 0;
	return out;
}

json_t *json_text(const char *s)
{
	char small[256];
	size_t n;
	json_t *j;
	char *big;

	if (!s)
		return json_null();
	n = text_escape(s, small, sizeof(small));
	if (n < sizeof(small))
		return json_stringn(small, n);
	big = malloc(n + 1);
	if (!big)
		return NULL;
	text_escape(s, big, n + 1);
	j = json_stringn(big, n);
	free(big);
	return j;
}

void format_utc_ms(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char base[24];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", base, ts->tv_nsec / 1000000);
}

static json_t *count_or_null(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* One decimal, as mdstat prints it; avoids 37.399999999999999 in the output. */
static json_t *percent_or_null(double v)
{
	return v < 0 ? json_null() : json_real((double)(long long)(v * 10 + 0.5) / 10);
}

static json_t *member_to_json(const struct member *m)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "name", json_text(m->name));
	json_object_set_new(o, "role", json_string(role_name(m->role)));
	json_object_set_new(o, "state", json_text(m->state));
	if (m->device)
		json_object_set_new(o, "device", json_text(m->device));
	if (m->serial)
		json_object_set_new(o, "serial", json_text(m->serial));
	if (m->location)
		json_object_set_new(o, "location", json_text(m->location));
	if (m->reason)
		json_object_set_new(o, "reason", json_text(m->reason));
	return o;
}

/* last_scrub (ISO time or null), scrub_age_s (at the last scan, or null), scrub_found. */
static void scrub_to_json(const struct group *g, json_t *o)
{
	struct timespec t = { .tv_sec = (time_t)g->scrub_last };
	char ts[40];

	if (g->scrub_last > 0)
		format_utc_ms(&t, ts, sizeof(ts));
	json_object_set_new(o, "last_scrub", g->scrub_last > 0 ? json_string(ts) : json_null());
	json_object_set_new(o, "scrub_age_s",
			    g->scrub_age_s >= 0 && g->scrub_last > 0 ? json_integer(g->scrub_age_s)
								     : json_null());
	json_object_set_new(o, "scrub_found", json_text(g->scrub_found));
}

static json_t *spof_to_json(const struct group *g)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < g->n_spof; i++)
		json_array_append_new(a, json_text(g->spof[i]));
	return a;
}

json_t *group_to_json(const struct group *g)
{
	json_t *o = json_object(), *members = json_array();
	int32_t margin = margin_shown(g);

	if (!o || !members) {
		json_decref(o);
		json_decref(members);
		return NULL;
	}
	json_object_set_new(o, "id", json_text(g->id));
	json_object_set_new(o, "probe", json_text(g->probe));
	json_object_set_new(o, "name", json_text(g->name));
	json_object_set_new(o, "kind", json_text(g->kind));
	json_object_set_new(o, "type", json_text(g->type));
	json_object_set_new(o, "health", json_string(health_name(g->health)));
	json_object_set_new(o, "margin", margin < 0 ? json_null() : json_integer(margin));
	json_object_set_new(o, "margin_nominal", json_integer(g->margin_nominal));
	json_object_set_new(o, "members_total", count_or_null(g->members_total));
	json_object_set_new(o, "members_ok", count_or_null(g->members_ok));
	json_object_set_new(o, "members_failed", json_integer(g->members_failed));
	json_object_set_new(o, "spares", json_integer(g->spares));
	json_object_set_new(o, "activity", json_string(activity_name(g->activity)));
	json_object_set_new(o, "progress", percent_or_null(g->progress));
	/* Only while known: the daemon needs two scans of a moving rebuild to tell. */
	if (g->eta_s >= 0)
		json_object_set_new(o, "eta_s", json_integer(g->eta_s));
	if (g->stalled)
		json_object_set_new(o, "stalled", json_true());
	scrub_to_json(g, o);
	json_object_set_new(o, "reason", json_text(g->reason));
	/* Hidden single points of failure, in words: informational, never a health. */
	json_object_set_new(o, "spof", spof_to_json(g));
	for (size_t i = 0; i < g->n_members; i++)
		json_array_append_new(members, member_to_json(&g->members[i]));
	json_object_set_new(o, "members", members);
	return o;
}
