/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One md scan: see md_scan.h.
 */
#include "md_scan.h"

#include <errno.h>
#include <string.h>

#include "md_sysfs.h"
#include "mdstat.h"

int md_scan_read(struct md_scan *s, int root_fd, struct md_fdcache *fdc)
{
	bool truncated = false;
	int r;

	md_set_reset(&s->mdstat);
	md_set_reset(&s->sysfs);
	s->mdstat_truncated = false;

	r = md_fdc_read(fdc, root_fd, "proc/mdstat", MD_FDC_NOTIFY, &s->text, MD_MDSTAT_MAX,
			&truncated);
	if (r == -ENOMEM)
		return r;
	s->mdstat_err = r;
	if (r == 0) {
		s->mdstat_truncated = truncated;
		r = md_mdstat_parse(s->text.p, s->text.len, truncated, &s->mdstat);
		if (r < 0)
			return r;
	}

	r = md_sysfs_read(root_fd, fdc, &s->sb, &s->sysfs);
	if (r == -ENOMEM)
		return r;
	s->sysfs_err = r;
	return 0;
}

static int emit_one(struct md_scan *s, const struct md_array *a, md_emit_fn emit, void *ctx,
		    int *count)
{
	const struct redmon_group *g;
	int r;

	r = md_group_build(a, &s->gb, &g);
	if (r < 0)
		return r;
	if (!g)
		return 0;
	r = emit(ctx, g);
	if (r < 0)
		return r;
	(*count)++;
	return 0;
}

int md_scan_emit(struct md_scan *s, md_emit_fn emit, void *ctx)
{
	size_t i;
	int r, count = 0;

	for (i = 0; i < s->sysfs.n; i++)
		s->sysfs.v[i].matched = false;
	for (i = 0; i < s->mdstat.n; i++) {
		struct md_array *st = &s->mdstat.v[i];
		struct md_array *sys = md_set_find(&s->sysfs, st->name);

		if (sys) {
			r = md_array_merge(sys, st);
			sys->matched = true; /* after: the merge may copy st over sys */
			if (r == 0)
				r = emit_one(s, sys, emit, ctx, &count);
		} else {
			r = emit_one(s, st, emit, ctx, &count);
		}
		if (r < 0)
			return r;
	}
	for (i = 0; i < s->sysfs.n; i++) {
		if (s->sysfs.v[i].matched)
			continue;
		r = emit_one(s, &s->sysfs.v[i], emit, ctx, &count);
		if (r < 0)
			return r;
	}
	return count;
}

void md_scan_free(struct md_scan *s)
{
	if (!s)
		return;
	md_buf_free(&s->text);
	md_sysfs_buf_free(&s->sb);
	md_set_free(&s->mdstat);
	md_set_free(&s->sysfs);
	md_group_buf_free(&s->gb);
	memset(s, 0, sizeof(*s));
}
