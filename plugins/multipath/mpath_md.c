// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multipathd's path table, `multipathd show paths` (multipath-tools,
 * libmultipath/print.c: a header of column names, then a line per path,
 * each column left-aligned and padded to its widest value):
 *
 *   hcil    dev dev_t pri dm_st  chk_st dev_st  next_check
 *   3:0:0:1 sdb 8:16  50  active ready  running XX........ 4/20
 *
 * Columns are found by name and read at the header's column positions: a
 * column left blank (uuid in `multipath -v3`'s "paths list") cannot shift
 * the others, and a value with blanks (vend/prod/rev) only spoils itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mpath.h"
#include "../lib/strbuf.h"
#include "redmon/fnv1a.h"
#include "redmon/grow.h"

enum col { COL_DEV, COL_DM, COL_CHK, COL_DEVST, N_COL };

static const char *const col_names[N_COL] = { "dev", "dm_st", "chk_st", "dev_st" };

/* Where each column starts in the header line; -1 when absent. */
static bool find_columns(struct strv hdr, long at[N_COL])
{
	struct strv rest = hdr, t;

	for (int c = 0; c < N_COL; c++)
		at[c] = -1;
	while (strv_next_token(&rest, &t)) {
		for (int c = 0; c < N_COL; c++) {
			if (strv_eq(t, col_names[c]) && at[c] < 0)
				at[c] = t.p - hdr.p;
		}
	}
	return at[COL_DEV] >= 0 && at[COL_CHK] >= 0;
}

/* The value at column position pos of line: "" when blank there or beyond its end. */
static void value_at(struct strv line, long pos, char *dst, size_t cap)
{
	struct strv v;
	size_t end;

	dst[0] = '\0';
	if (pos < 0 || (size_t)pos >= line.n || line.p[pos] == ' ')
		return;
	for (end = (size_t)pos; end < line.n && line.p[end] != ' ' && line.p[end] != '\t'; end++)
		;
	v = strv_make(line.p + pos, end - (size_t)pos);
	strv_copy_printable(v, dst, cap);
}

static int add_path(struct mpath_md_paths *s, struct strv line, const long at[N_COL])
{
	struct mpath_md_path p;

	value_at(line, at[COL_DEV], p.dev, sizeof(p.dev));
	if (!p.dev[0])
		return 0; /* a line that is no path (a blank, a log line cut short) */
	value_at(line, at[COL_DM], p.dm_st, sizeof(p.dm_st));
	value_at(line, at[COL_CHK], p.chk_st, sizeof(p.chk_st));
	value_at(line, at[COL_DEVST], p.dev_st, sizeof(p.dev_st));
	if (s->n_path >= MPATH_MAX_MAPS * 4)
		return -E2BIG;
	if (!grow_one((void **)&s->path, &s->cap, s->n_path, sizeof(*s->path), 8) ||
	    hindex_add(&s->by_dev, redmon_fnv1a_str(REDMON_FNV1A_BASIS, p.dev), s->n_path) < 0)
		return -ENOMEM;
	s->path[s->n_path++] = p;
	return 0;
}

int mpath_md_parse(const char *buf, size_t len, struct mpath_md_paths *ret, char *err,
		   size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	long at[N_COL];
	bool header = false;
	int rc = 0;

	while (rc == 0 && strv_next_line(&rest, &line)) {
		if (!header) {
			header = find_columns(line, at);
			continue; /* lines before the header: a banner, log lines */
		}
		rc = add_path(ret, line, at);
	}
	if (!header) {
		snprintf(err, errlen, "multipathd show paths: no header with dev and chk_st");
		return -EINVAL;
	}
	if (rc == -E2BIG)
		snprintf(err, errlen, "multipathd show paths: too many paths");
	return rc;
}

void mpath_md_paths_free(struct mpath_md_paths *s)
{
	if (!s)
		return;
	free(s->path);
	hindex_free(&s->by_dev);
	*s = (struct mpath_md_paths){ 0 };
}

struct find_ctx {
	const struct mpath_md_paths *s;
	const char *dev;
};

static bool same_dev(const void *ctx, size_t ref)
{
	const struct find_ctx *f = ctx;

	return strcmp(f->s->path[ref].dev, f->dev) == 0;
}

const struct mpath_md_path *mpath_md_find(const struct mpath_md_paths *s, const char *dev)
{
	struct find_ctx f = { s, dev };
	size_t i = hindex_find(&s->by_dev, redmon_fnv1a_str(REDMON_FNV1A_BASIS, dev), same_dev, &f);

	return i == HINDEX_NONE ? NULL : &s->path[i];
}
