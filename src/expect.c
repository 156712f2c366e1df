/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "expect.h"

#include <stdio.h>
#include <string.h>

#include "model.h"

/* Members present: the slots the probe reports, else the listed members not empty slots. */
static int members_present(const struct group *g)
{
	int n = 0;

	if (g->members_total >= 0)
		return g->members_total;
	for (size_t i = 0; i < g->n_members; i++)
		n += g->members[i].role != REDMON_ROLE_MISSING;
	return n;
}

unsigned expect_shortfall(const struct group_expect *e, const struct group *g)
{
	unsigned bits = 0;

	if (!e)
		return 0;
	if (e->spares_set && (g->spares < 0 || (unsigned)g->spares < e->spares))
		bits |= EXPECT_SPARES;
	if (e->members_set && (unsigned)members_present(g) < e->members)
		bits |= EXPECT_MEMBERS;
	return bits;
}

void expect_reason(const struct group_expect *e, const struct group *g, unsigned short_of,
		   char *buf, size_t len)
{
	int off = 0;

	buf[0] = 0;
	if (short_of & EXPECT_SPARES)
		off = snprintf(buf, len, "%u spare%s expected, %d present", e->spares,
			       e->spares == 1 ? "" : "s", g->spares < 0 ? 0 : g->spares);
	if (off < 0 || (size_t)off >= len)
		return;
	if (short_of & EXPECT_MEMBERS)
		snprintf(buf + off, len - (size_t)off, "%s%u member%s expected, %d present",
			 off ? "; " : "", e->members, e->members == 1 ? "" : "s",
			 members_present(g));
}

bool expect_id_valid(const char *id)
{
	const char *colon = strchr(id, ':');
	size_t np = colon ? (size_t)(colon - id) : 0;

	if (!colon || np == 0 || !colon[1] ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != np)
		return false;
	for (const char *p = colon + 1; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

const struct group_expect *expect_find(const struct group_expect *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	}
	return NULL;
}
