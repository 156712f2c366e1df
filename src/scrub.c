/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scrub.h"

#include <stdio.h>

#include "model.h"

static bool is_scrub(enum redmon_activity a)
{
	return a == REDMON_ACTIVITY_CHECK || a == REDMON_ACTIVITY_REPAIR;
}

void scrub_track(const struct group *old, struct group *g, int64_t now, int64_t max_age_s)
{
	int64_t from;

	g->scrub_first_seen = old && old->scrub_first_seen > 0 ? old->scrub_first_seen : now;
	g->scrub_seen_end = old ? old->scrub_seen_end : 0;
	/*
	 * md says nothing of when its last check ended: the daemon sees it end.
	 * A check interrupted looks the same; the next one counts again.
	 */
	if (old && is_scrub(old->activity) && !is_scrub(g->activity))
		g->scrub_seen_end = now;
	/* A date a day or more ahead is a wrong clock or a bad capture, not a scrub. */
	g->scrub_last = g->scrub_time > 0 && g->scrub_time < now + 86400 ? g->scrub_time
									 : g->scrub_seen_end;
	/* A clock stepped back does not make an age negative. */
	g->scrub_age_s = g->scrub_last > 0 ? (now > g->scrub_last ? now - g->scrub_last : 0) : -1;
	from = g->scrub_last > 0 ? g->scrub_last : g->scrub_first_seen;
	/* A scrub running now is not overdue: it is being done. */
	g->scrub_overdue = max_age_s > 0 && !is_scrub(g->activity) && now - from > max_age_s;
	g->scrub_errors = g->scrub_found != NULL;
}

void scrub_age_text(int64_t s, char *buf, size_t len)
{
	static const struct {
		int64_t secs;
		const char *unit;
	} units[] = { { 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" } };
	size_t i = 0;

	if (s < 0)
		s = 0;
	while (i + 1 < sizeof(units) / sizeof(units[0]) && s < units[i].secs)
		i++;
	snprintf(buf, len, "%lld %s%s", (long long)(s / units[i].secs), units[i].unit,
		 s / units[i].secs == 1 ? "" : "s");
}

void scrub_reason(const struct group *g, int64_t now, char *buf, size_t len)
{
	char age[48];
	int off = 0;

	buf[0] = '\0';
	if (g->scrub_overdue && g->scrub_last > 0) {
		scrub_age_text(g->scrub_age_s, age, sizeof(age));
		off = snprintf(buf, len, "last scrub %s ago", age);
	} else if (g->scrub_overdue) {
		scrub_age_text(now - g->scrub_first_seen, age, sizeof(age));
		off = snprintf(buf, len, "no scrub seen in %s", age);
	}
	if (off < 0 || (size_t)off >= len)
		return;
	if (g->scrub_errors)
		snprintf(buf + off, len - (size_t)off, "%sscrub found errors: %s", off ? "; " : "",
			 g->scrub_found);
}
