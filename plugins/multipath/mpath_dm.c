// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The multipath target's status line, as `dmsetup status` prints it:
 *
 *   name: <start> <length> multipath <params>
 *
 * params (drivers/md/dm-mpath.c, multipath_status(), STATUSTYPE_INFO;
 * Documentation/admin-guide/device-mapper/dm-queue-length.rst shows one):
 *
 *   <#feature words> <words...>  <#hw handler words> <words...>
 *   <#priority groups> <next group>
 *   per group: <A|E|D> <#selector words> <words...> <#paths> <#selector words per path>
 *     per path: <major:minor> <A|F> <fail count> <selector words...>
 *
 * Every count is checked against what is left of the line, so a hostile line
 * can neither read past its end nor ask for an unbounded allocation.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mpath.h"
#include "../lib/strbuf.h"
#include "redmon/fnv1a.h"
#include "redmon/grow.h"

/* A number of words that follow, at most what the line could still hold. */
static int take_count(struct strv *rest, const char *what, unsigned long long *ret, char *err,
		      size_t errlen)
{
	struct strv t;
	unsigned long long v;

	if (!strv_next_token(rest, &t) || strv_to_u64(t, &v) < 0 || v > rest->n) {
		snprintf(err, errlen, "multipath status: bad %s", what);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int skip_words(struct strv *rest, unsigned long long n, const char *what, char *err,
		      size_t errlen)
{
	struct strv t;

	for (unsigned long long i = 0; i < n; i++) {
		if (!strv_next_token(rest, &t)) {
			snprintf(err, errlen, "multipath status: %s cut short", what);
			return -EINVAL;
		}
	}
	return 0;
}

int mpath_parse_devt(struct strv t, unsigned int *maj, unsigned int *min)
{
	const char *colon = memchr(t.p, ':', t.n);
	long long a, b;

	if (!colon)
		return -EINVAL;
	if (strv_to_ll(strv_make(t.p, (size_t)(colon - t.p)), 0, 4095, &a) < 0 ||
	    strv_to_ll(strv_make(colon + 1, t.n - (size_t)(colon - t.p) - 1), 0, 1048575, &b) < 0)
		return -EINVAL;
	*maj = (unsigned int)a;
	*min = (unsigned int)b;
	return 0;
}

/* One path: "8:16 A 0" then the selector's words. */
static int parse_path(struct strv *rest, unsigned long long extra, struct mpath_dm_map *m,
		      char *err, size_t errlen)
{
	struct strv dev, st, fails;
	struct mpath_dm_path p = { 0 };

	if (!strv_next_token(rest, &dev) || !strv_next_token(rest, &st) ||
	    !strv_next_token(rest, &fails) || mpath_parse_devt(dev, &p.major, &p.minor) < 0 ||
	    !(strv_eq(st, "A") || strv_eq(st, "F")) || strv_to_u64(fails, &p.fails) < 0) {
		snprintf(err, errlen,
			 "multipath status: a path is not '<major:minor> A|F <count>'");
		return -EINVAL;
	}
	p.active = strv_eq(st, "A");
	if (m->n_path >= MPATH_MAX_PATHS) {
		snprintf(err, errlen, "multipath status: more than %d paths", MPATH_MAX_PATHS);
		return -E2BIG;
	}
	if (!grow_one((void **)&m->path, &m->cap, m->n_path, sizeof(*m->path), 4))
		return -ENOMEM;
	m->path[m->n_path++] = p;
	return skip_words(rest, extra, "a path's selector words", err, errlen);
}

static int parse_group(struct strv *rest, struct mpath_dm_map *m, char *err, size_t errlen)
{
	struct strv st;
	unsigned long long n, paths, extra;
	int rc;

	if (!strv_next_token(rest, &st) ||
	    !(strv_eq(st, "A") || strv_eq(st, "E") || strv_eq(st, "D"))) {
		snprintf(err, errlen, "multipath status: a path group's state is not A, E or D");
		return -EINVAL;
	}
	rc = take_count(rest, "selector word count", &n, err, errlen);
	rc = rc ?: skip_words(rest, n, "selector words", err, errlen);
	rc = rc ?: take_count(rest, "path count", &paths, err, errlen);
	rc = rc ?: take_count(rest, "per-path word count", &extra, err, errlen);
	for (unsigned long long i = 0; i < paths && rc == 0; i++)
		rc = parse_path(rest, extra, m, err, errlen);
	return rc;
}

int mpath_dm_params(const char *p, size_t n, struct mpath_dm_map *m, char *err, size_t errlen)
{
	struct strv rest = strv_make(p, n);
	unsigned long long k, groups;
	struct strv t;
	int rc;

	rc = take_count(&rest, "feature count", &k, err, errlen);
	rc = rc ?: skip_words(&rest, k, "features", err, errlen);
	rc = rc ?: take_count(&rest, "hardware handler count", &k, err, errlen);
	rc = rc ?: skip_words(&rest, k, "hardware handler words", err, errlen);
	rc = rc ?: take_count(&rest, "path group count", &groups, err, errlen);
	if (rc == 0 && !strv_next_token(&rest, &t)) {
		snprintf(err, errlen, "multipath status: no next path group");
		rc = -EINVAL;
	}
	for (unsigned long long i = 0; i < groups && rc == 0; i++)
		rc = parse_group(&rest, m, err, errlen);
	if (rc == 0 && !strv_is_blank(rest)) {
		snprintf(err, errlen, "multipath status: words after the last path");
		rc = -EINVAL;
	}
	return rc;
}

/* A new map named name (its line's prefix; "" when dmsetup printed none). */
static struct mpath_dm_map *add_map(struct mpath_dm_status *s, struct strv name)
{
	struct mpath_dm_map *m;

	if (s->n_map >= MPATH_MAX_MAPS ||
	    !grow_one((void **)&s->map, &s->cap, s->n_map, sizeof(*s->map), 8))
		return NULL;
	m = &s->map[s->n_map];
	*m = (struct mpath_dm_map){ 0 };
	strv_copy_printable(name, m->name, sizeof(m->name));
	if (hindex_add(&s->by_name, redmon_fnv1a_str(REDMON_FNV1A_BASIS, m->name), s->n_map) < 0)
		return NULL;
	s->n_map++;
	return m;
}

static int parse_line(struct mpath_dm_status *s, struct strv line, char *err, size_t errlen)
{
	const char *sep = memmem(line.p, line.n, ": ", 2);
	struct strv name = strv_make("", 0), rest = line, start, length, type;
	struct mpath_dm_map *m;

	if (sep) {
		name = strv_make(line.p, (size_t)(sep - line.p));
		rest = strv_make(sep + 2, line.n - name.n - 2);
	}
	if (!strv_next_token(&rest, &start) || !strv_next_token(&rest, &length) ||
	    !strv_next_token(&rest, &type) || !strv_eq(type, "multipath"))
		return 0; /* another target, "No devices found" */
	m = add_map(s, name);
	if (!m) {
		snprintf(err, errlen, "dmsetup status: too many multipath maps");
		return s->n_map >= MPATH_MAX_MAPS ? -E2BIG : -ENOMEM;
	}
	return mpath_dm_params(rest.p, rest.n, m, err, errlen);
}

int mpath_dm_parse(const char *buf, size_t len, struct mpath_dm_status *ret, char *err,
		   size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	int rc = 0;

	while (rc == 0 && strv_next_line(&rest, &line))
		rc = parse_line(ret, line, err, errlen);
	return rc;
}

void mpath_dm_status_free(struct mpath_dm_status *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_map; i++)
		free(s->map[i].path);
	free(s->map);
	hindex_free(&s->by_name);
	*s = (struct mpath_dm_status){ 0 };
}

struct find_ctx {
	const struct mpath_dm_status *s;
	const char *name;
};

static bool same_name(const void *ctx, size_t ref)
{
	const struct find_ctx *f = ctx;

	return strcmp(f->s->map[ref].name, f->name) == 0;
}

const struct mpath_dm_map *mpath_dm_find(const struct mpath_dm_status *s, const char *name)
{
	struct find_ctx f = { s, name };
	size_t i =
		hindex_find(&s->by_name, redmon_fnv1a_str(REDMON_FNV1A_BASIS, name), same_name, &f);

	return i == HINDEX_NONE ? NULL : &s->map[i];
}
