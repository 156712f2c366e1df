/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One md scan: see md_scan.h.
 */
#include "md_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mdstat.h"

int md_scan_read(struct md_scan *s, int root_fd, struct fdcache *fdc)
{
	bool truncated = false;
	int r;

	s->valid = false; /* until both sources are read: out of memory halfway leaves a mix */
	s->partial = false;
	md_set_reset(&s->mdstat);
	md_set_reset(&s->sysfs);
	s->mdstat_truncated = false;
	s->root_fd = root_fd;
	s->have_root = true;
	for (size_t i = 0; s->spof_stale && i < s->n_memo; i++)
		s->memo[i].valid = false; /* disks came or went: links may say otherwise */
	s->spof_stale = false;

	r = fdcache_read(fdc, root_fd, "proc/mdstat", FDC_NOTIFY | FDC_TO_EOF, &s->text,
			 MD_MDSTAT_MAX, &truncated);
	if (r == -ENOMEM)
		return r;
	s->mdstat_err = r;
	if (r == 0) {
		s->mdstat_truncated = truncated;
		r = md_mdstat_parse(s->text.p, s->text.len, truncated, &s->mdstat);
		if (r < 0)
			return r;
	}

	/* An array whose mdstat block is as at the last full read lists its directory as then. */
	s->sb.mdstat = s->mdstat_err == 0 && !s->mdstat_truncated ? &s->mdstat : NULL;
	s->sb.mdstat_text = s->text.p;
	r = md_sysfs_read(root_fd, fdc, &s->sb, &s->sysfs);
	s->sb.mdstat = NULL; /* a pointer into s: not kept beyond the read */
	if (r == -ENOMEM)
		return r;
	s->sysfs_err = r;
	s->valid = true;
	return 0;
}

/* More arrays changed in mdstat than this: a full scan costs about the same. */
#define REREAD_MAX 64

static bool named(const char (*names)[MD_NAME_MAX], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int md_scan_reread(struct md_scan *s, int root_fd, struct fdcache *fdc, unsigned int flags,
		   bool mdstat_changed, const char (*names)[MD_NAME_MAX], size_t n)
{
	/* Arrays whose mdstat block changed (indexes into s->mdstat). */
	size_t changed[REREAD_MAX], n_changed = 0;
	bool truncated = false, kept;
	int r;

	s->root_fd = root_fd;
	s->have_root = true;

	/* sys/block unlistable last time: the kept records are no base to build on. */
	if (!s->valid || s->sysfs_err)
		goto full;
	if (mdstat_changed) {
		const struct md_array *one;

		if (s->mdstat_err)
			goto full; /* it appeared, or was unreadable: start over */
		r = fdcache_read(fdc, root_fd, "proc/mdstat", FDC_NOTIFY | FDC_TO_EOF | flags,
				 &s->text_next, MD_MDSTAT_MAX, &truncated);
		if (r == -ENOMEM)
			return r;
		if (r < 0 || truncated)
			goto full;
		/* Usually one array's block changed: parse only that one. */
		r = md_mdstat_update(s->text.p, s->text.len, s->text_next.p, s->text_next.len,
				     &s->mdstat, &s->mdstat_next, &one);
		if (r == -ENOMEM)
			goto full; /* s->mdstat may be half updated */
		if (r == 0 && one)
			changed[n_changed++] = (size_t)(one - s->mdstat.v);
		if (r == -EAGAIN) {
			r = md_mdstat_parse(s->text_next.p, s->text_next.len, false,
					    &s->mdstat_next);
			if (r < 0)
				return r;
			/* The same names in the same order: nothing appeared, vanished or moved. */
			if (s->mdstat.n != s->mdstat_next.n)
				goto full;
			for (size_t i = 0; i < s->mdstat.n; i++) {
				const struct md_array *o = &s->mdstat.v[i],
						      *w = &s->mdstat_next.v[i];

				if (strcmp(o->name, w->name) != 0)
					goto full;
				if (o->text_len == w->text_len &&
				    memcmp(s->text.p + o->text_off, s->text_next.p + w->text_off,
					   o->text_len) == 0)
					continue;
				if (n_changed == REREAD_MAX)
					goto full;
				changed[n_changed++] = i;
			}
			SWAP(s->mdstat, s->mdstat_next);
		}
		SWAP(s->text, s->text_next); /* text: what mdstat was parsed from */
	}
	/* What is read again below is touched; the rest md_scan_emit() may leave as it was. */
	for (size_t i = 0; i < s->mdstat.n; i++)
		s->mdstat.v[i].touched = false;
	for (size_t i = 0; i < s->sysfs.n; i++)
		s->sysfs.v[i].touched = false;
	for (size_t i = 0; i < n_changed; i++)
		s->mdstat.v[changed[i]].touched = true;
	/*
	 * The arrays named, then those whose mdstat block changed, as sysfs may
	 * say more: on a live host only mdstat wakes us for an array whose
	 * attribute files are not kept open (beyond the descriptor budget).
	 */
	for (size_t i = 0; i < n + n_changed; i++) {
		const char *name = i < n ? names[i] : s->mdstat.v[changed[i - n]].name;
		struct md_array *a = md_set_find(&s->sysfs, name);

		if (i >= n && (!a || named(names, n, name)))
			continue; /* only mdstat shows it, or it was read already */
		if (!a)
			goto full; /* new, or one sysfs does not report */
		r = md_sysfs_read_array(root_fd, fdc, &s->sb, flags, a, &kept);
		if (r < 0)
			return r;
		a->touched = true; /* after the read: it starts from a cleared record */
		/* Vanished or unreadable: a full read says which, and for how many. */
		if (!kept || md_array_failed(a))
			goto full;
	}
	s->partial = true;
	return 0;
full:
	s->valid = false;
	s->partial = false;
	return -EAGAIN;
}

/* Members named in a spof memo key at most (the array's name comes first). */
#define SPOF_MEMBERS_MAX 64

/*
 * The hidden single points of failure of array a, the idx-th group emitted,
 * into s->spof: from its memo when a has the same members as when it was
 * resolved, else resolved (../lib/spof.c) and kept.  Spares count: a spare on
 * the disk of an active member rebuilds onto that disk.  0 or -ENOMEM.
 */
static int find_spof(struct md_scan *s, const struct md_array *a, size_t idx)
{
	const char *names[SPOF_MEMBERS_MAX + 1];
	size_t n = 0;
	uint64_t key;

	spof_reasons_clear(&s->spof);
	if (!s->have_root || a->n_devs < 2)
		return 0;
	names[n++] = a->name;
	for (size_t i = 0; i < a->n_devs && n <= SPOF_MEMBERS_MAX; i++)
		if (!(a->devs[i].flags & MD_DEV_FAULTY))
			names[n++] = a->devs[i].name;
	if (idx >= s->n_memo) {
		size_t cap = idx + 1 > 2 * s->n_memo ? idx + 1 : 2 * s->n_memo;
		struct spof_memo *m = realloc(s->memo, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		memset(m + s->n_memo, 0, (cap - s->n_memo) * sizeof(*m));
		s->memo = m;
		s->n_memo = cap;
	}
	key = spof_memo_key(names, n);
	if (spof_memo_get(&s->memo[idx], key, &s->spof))
		return 0;
	spof_check_disks(s->root_fd, names + 1, n - 1, &s->spof);
	return spof_memo_put(&s->memo[idx], key, &s->spof);
}

/* Decide a and emit its group, the idx-th: 1, 0 for a container (no group), or < 0. */
static int emit_one(struct md_scan *s, const struct md_array *a, size_t idx, md_emit_fn emit,
		    void *ctx)
{
	const struct redmon_group *g;
	int r = md_group_build(a, &s->gb, &g);

	if (r < 0 || !g)
		return r;
	/* A nonredundant array (raid0, linear) hides no single point of failure: it is one. */
	spof_reasons_clear(&s->spof);
	r = g->margin_nominal > 0 ? find_spof(s, a, idx) : 0;
	if (r < 0)
		return r;
	s->gb.g.spof = s->spof.ptr;
	s->gb.g.n_spof = s->spof.n;
	r = emit(ctx, g);
	return r < 0 ? r : 1;
}

/*
 * Whether the array (its mdstat and sysfs records, either NULL) was left as
 * it was by a partial read and the host keeps its group.  An array never
 * emitted (a container) is not kept by the host, and is built as usual.
 */
static bool kept(struct md_scan *s, const struct md_array *st, const struct md_array *sys,
		 void *ctx)
{
	if (!s->partial || !s->keep || (st && st->touched) || (sys && sys->touched))
		return false;
	return s->keep(ctx, st ? st->name : sys->name) == 0;
}

int md_scan_emit(struct md_scan *s, md_emit_fn emit, void *ctx)
{
	int r, count = 0;

	for (size_t i = 0; i < s->sysfs.n; i++)
		s->sysfs.v[i].matched = false;
	for (size_t i = 0; i < s->mdstat.n; i++) {
		struct md_array *st = &s->mdstat.v[i];
		struct md_array *sys = md_set_find(&s->sysfs, st->name);

		if (sys)
			sys->matched = true;
		if (kept(s, st, sys, ctx)) {
			count++;
			continue;
		}
		if (sys) {
			/* Merged in a copy: a partial scan will use sys again as it was read. */
			r = md_array_copy(&s->merged, sys);
			if (r == 0)
				r = md_array_merge(&s->merged, st);
			if (r == 0)
				r = emit_one(s, &s->merged, (size_t)count, emit, ctx);
		} else {
			r = emit_one(s, st, (size_t)count, emit, ctx);
		}
		if (r < 0)
			return r;
		count += r;
	}
	for (size_t i = 0; i < s->sysfs.n; i++) {
		if (s->sysfs.v[i].matched)
			continue;
		if (kept(s, NULL, &s->sysfs.v[i], ctx)) {
			count++;
			continue;
		}
		r = emit_one(s, &s->sysfs.v[i], (size_t)count, emit, ctx);
		if (r < 0)
			return r;
		count += r;
	}
	return count;
}

void md_scan_free(struct md_scan *s)
{
	if (!s)
		return;
	strbuf_free(&s->text);
	strbuf_free(&s->text_next);
	md_sysfs_buf_free(&s->sb);
	md_set_free(&s->mdstat);
	md_set_free(&s->sysfs);
	md_set_free(&s->mdstat_next);
	md_array_free(&s->merged);
	md_group_buf_free(&s->gb);
	for (size_t i = 0; i < s->n_memo; i++)
		spof_memo_free(&s->memo[i]);
	free(s->memo);
	memset(s, 0, sizeof(*s));
}
