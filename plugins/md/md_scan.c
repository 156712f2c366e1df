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
	s->valid = true;
	return 0;
}

static void swap_sets(struct md_set *a, struct md_set *b)
{
	struct md_set t = *a;

	*a = *b;
	*b = t;
}

static void swap_bufs(struct md_buf *a, struct md_buf *b)
{
	struct md_buf t = *a;

	*a = *b;
	*b = t;
}

/* Same array names in the same order: nothing appeared, vanished or moved. */
static bool same_names(const struct md_set *a, const struct md_set *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) != 0)
			return false;
	return true;
}

int md_scan_reread(struct md_scan *s, int root_fd, struct md_fdcache *fdc, unsigned int flags,
		   bool mdstat_changed, const char (*names)[MD_NAME_MAX], size_t n)
{
	bool truncated = false, kept;
	int r;

	/* sys/block unlistable last time: the kept records are no base to build on. */
	if (!s->valid || s->sysfs_err)
		goto full;
	if (mdstat_changed) {
		if (s->mdstat_err)
			goto full; /* it appeared, or was unreadable: start over */
		r = md_fdc_read(fdc, root_fd, "proc/mdstat", MD_FDC_NOTIFY | flags, &s->text_next,
				MD_MDSTAT_MAX, &truncated);
		if (r == -ENOMEM)
			return r;
		if (r < 0 || truncated)
			goto full;
		/* Usually one array's block changed: parse only that one. */
		r = md_mdstat_update(s->text.p, s->text.len, s->text_next.p, s->text_next.len,
				     &s->mdstat, &s->mdstat_next);
		if (r == -ENOMEM)
			goto full; /* s->mdstat may be half updated */
		if (r == -EAGAIN) {
			r = md_mdstat_parse(s->text_next.p, s->text_next.len, false,
					    &s->mdstat_next);
			if (r < 0)
				return r;
			if (!same_names(&s->mdstat, &s->mdstat_next))
				goto full;
			swap_sets(&s->mdstat, &s->mdstat_next);
		}
		swap_bufs(&s->text, &s->text_next); /* text: what mdstat was parsed from */
	}
	for (size_t i = 0; i < n; i++) {
		struct md_array *a = md_set_find(&s->sysfs, names[i]);

		if (!a)
			goto full; /* new, or one sysfs does not report */
		r = md_sysfs_read_array(root_fd, fdc, &s->sb, flags, a, &kept);
		if (r == -ENOMEM)
			return r;
		/* Vanished or unreadable: a full read says which, and for how many. */
		if (r < 0 || !kept || md_array_failed(a))
			goto full;
	}
	return 0;
full:
	s->valid = false;
	return -EAGAIN;
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
			/* Merged in a copy: a partial scan will use sys again as it was read. */
			sys->matched = true;
			r = md_array_copy(&s->merged, sys);
			if (r == 0)
				r = md_array_merge(&s->merged, st);
			if (r == 0)
				r = emit_one(s, &s->merged, emit, ctx, &count);
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
	md_buf_free(&s->text_next);
	md_sysfs_buf_free(&s->sb);
	md_set_free(&s->mdstat);
	md_set_free(&s->sysfs);
	md_set_free(&s->mdstat_next);
	md_array_free(&s->merged);
	md_group_buf_free(&s->gb);
	memset(s, 0, sizeof(*s));
}
