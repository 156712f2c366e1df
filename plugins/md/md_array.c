/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * md array records, sets of them, and the merge of mdstat and sysfs.
 */
#include "md_array.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "redmon/fnv1a.h"

/* Every field of src into dst but the buffers: dst keeps its own, content not copied. */
static void copy_fields(struct md_array *dst, const struct md_array *src)
{
	struct md_array keep = *dst;

	*dst = *src;
	dst->slots = keep.slots;
	dst->slots_cap = keep.slots_cap;
	dst->devs = keep.devs;
	dst->devs_cap = keep.devs_cap;
}

void md_array_clear(struct md_array *a)
{
	static const struct md_array unknown = {
		.raid_disks = -1, .degraded = -1, .progress = -1, .mismatch_cnt = -1
	};

	copy_fields(a, &unknown);
}

void md_array_free(struct md_array *a)
{
	if (!a)
		return;
	free(a->slots);
	free(a->devs);
	memset(a, 0, sizeof(*a));
}

static int reserve_devs(struct md_array *a, size_t n)
{
	struct md_dev *v;
	size_t cap;

	if (n <= a->devs_cap)
		return 0;
	cap = a->devs_cap ? a->devs_cap * 2 : 4; /* most arrays have 2-4 members */
	if (cap < n)
		cap = n;
	v = realloc(a->devs, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->devs = v;
	a->devs_cap = cap;
	return 0;
}

int md_array_add_dev(struct md_array *a, struct md_dev **ret)
{
	struct md_dev *d;
	int r;

	if (a->n_devs >= MD_MAX_DEVS)
		return -E2BIG;
	r = reserve_devs(a, a->n_devs + 1);
	if (r < 0)
		return r;
	d = &a->devs[a->n_devs++];
	*d = (struct md_dev){ .desc_nr = -1, .slot = -1 };
	*ret = d;
	return 0;
}

static int reserve_slots(struct md_array *a, size_t n)
{
	char *p;

	if (n <= a->slots_cap)
		return 0;
	p = realloc(a->slots, n);
	if (!p)
		return -ENOMEM;
	a->slots = p;
	a->slots_cap = n;
	return 0;
}

int md_array_set_slots(struct md_array *a, const char *s, size_t n)
{
	int r;

	if (n > MD_MAX_SLOTS)
		return -E2BIG;
	r = reserve_slots(a, n ? n : 1);
	if (r < 0)
		return r;
	memcpy(a->slots, s, n);
	a->n_slots = n;
	return 0;
}

int md_array_copy(struct md_array *dst, const struct md_array *src)
{
	if (reserve_slots(dst, src->n_slots) < 0 || reserve_devs(dst, src->n_devs) < 0)
		return -ENOMEM;
	copy_fields(dst, src);
	if (src->n_slots)
		memcpy(dst->slots, src->slots, src->n_slots);
	if (src->n_devs)
		memcpy(dst->devs, src->devs, src->n_devs * sizeof(*src->devs));
	return 0;
}

void md_array_set_error(struct md_array *a, const char *fmt, ...)
{
	va_list ap;

	if (a->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
}

const struct md_dev_flag_name md_dev_flag_names[MD_DEV_FLAG_NAMES] = {
	{ MD_DEV_FAULTY, 'F', "faulty" },
	{ MD_DEV_SPARE, 'S', "spare" },
	{ MD_DEV_WRITE_MOSTLY, 'W', "write_mostly" },
	{ MD_DEV_JOURNAL, 'J', "journal" },
	{ MD_DEV_REPLACEMENT, 'R', "replacement" },
	{ MD_DEV_IN_SYNC, 0, "in_sync" },
	{ MD_DEV_WANT_REPLACEMENT, 0, "want_replacement" },
	{ MD_DEV_BLOCKED, 0, "blocked" },
	{ MD_DEV_WRITE_ERROR, 0, "write_error" },
	{ MD_DEV_WRITE_MOSTLY, 0, "writemostly" },
};

static const char *const level_names[] = {
	[MD_LEVEL_LINEAR] = "linear", [MD_LEVEL_RAID0] = "raid0",
	[MD_LEVEL_RAID1] = "raid1",   [MD_LEVEL_RAID4] = "raid4",
	[MD_LEVEL_RAID5] = "raid5",   [MD_LEVEL_RAID6] = "raid6",
	[MD_LEVEL_RAID10] = "raid10", [MD_LEVEL_MULTIPATH] = "multipath",
	[MD_LEVEL_FAULTY] = "faulty", [MD_LEVEL_CONTAINER] = "container",
};
#define N_LEVEL_NAMES (sizeof(level_names) / sizeof(level_names[0]))

/* Numeric levels as in include/uapi/linux/raid/md_u.h and md_p.h (LEVEL_*). */
static const struct {
	long long num;
	enum md_level level;
} level_numbers[] = {
	{ -1, MD_LEVEL_LINEAR }, { 0, MD_LEVEL_RAID0 },	     { 1, MD_LEVEL_RAID1 },
	{ 4, MD_LEVEL_RAID4 },	 { 5, MD_LEVEL_RAID5 },	     { 6, MD_LEVEL_RAID6 },
	{ 10, MD_LEVEL_RAID10 }, { -4, MD_LEVEL_MULTIPATH }, { -5, MD_LEVEL_FAULTY },
};

enum md_level md_level_parse(struct strv s)
{
	long long num;

	s = strv_trim(s);
	if (s.n == 0)
		return MD_LEVEL_NONE;
	for (size_t i = 0; i < N_LEVEL_NAMES; i++)
		if (level_names[i] && strv_eq(s, level_names[i]))
			return (enum md_level)i;
	if (strv_to_ll(s, -1000, 1000, &num) == 0)
		for (size_t i = 0; i < sizeof(level_numbers) / sizeof(level_numbers[0]); i++)
			if (level_numbers[i].num == num)
				return level_numbers[i].level;
	return MD_LEVEL_OTHER;
}

const char *md_level_name(enum md_level level)
{
	return (size_t)level < N_LEVEL_NAMES && level_names[level] ? level_names[level] : "unknown";
}

bool md_level_has_slots(enum md_level level)
{
	return level == MD_LEVEL_RAID1 || level == MD_LEVEL_RAID4 || level == MD_LEVEL_RAID5 ||
	       level == MD_LEVEL_RAID6 || level == MD_LEVEL_RAID10 || level == MD_LEVEL_MULTIPATH;
}

/*
 * md devices are "md%d", "md_d%d" (partitionable) or "md_<name>" (named
 * arrays, drivers/md/md.c md_alloc); all fit [A-Za-z0-9_].
 */
bool md_name_valid(struct strv name)
{
	if (name.n < 3 || name.n >= MD_NAME_MAX || !strv_starts(name, "md"))
		return false;
	for (size_t i = 2; i < name.n; i++) {
		char c = name.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

bool md_metadata_is_container(struct strv v)
{
	/* A member names its container: "external:/md127/0", or "-md127/0" while blocked. */
	return strv_starts(v, "external:") && v.n > 9 && v.p[9] != '/' && v.p[9] != '-';
}

void md_set_reset(struct md_set *s)
{
	s->n = 0;
	s->index_stale = true;
}

void md_set_free(struct md_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		md_array_free(&s->v[i]);
	free(s->v);
	hindex_free(&s->index);
	memset(s, 0, sizeof(*s));
}

static uint64_t name_hash(const char *name)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, name);
}

/*
 * (Re)build the name index.  A linear search was the whole cost of a scan
 * with 10,000 arrays (mdstat looks up every name it meets).  False when out
 * of memory: md_set_find() then falls back to a linear search.
 */
static bool index_rebuild(struct md_set *s)
{
	hindex_clear(&s->index);
	for (size_t i = 0; i < s->n; i++)
		if (hindex_add(&s->index, name_hash(s->v[i].name), i) < 0)
			return false;
	s->index_stale = false;
	return true;
}

int md_set_add(struct md_set *s, struct strv name, struct md_array **ret)
{
	struct md_array *a;

	if (!md_name_valid(name))
		return -EINVAL;
	if (s->n >= MD_MAX_ARRAYS)
		return -E2BIG;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;

		a = realloc(s->v, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		memset(a + s->cap, 0, (cap - s->cap) * sizeof(*a));
		s->v = a;
		s->cap = cap;
	}
	a = &s->v[s->n++];
	md_array_clear(a);
	memcpy(a->name, name.p, name.n);
	a->name[name.n] = '\0';
	/* Indexed while the table has room; else rebuilt at once by the next find. */
	if (s->index_stale || 2 * (s->index.n + 1) > s->index.n_slots ||
	    hindex_add(&s->index, name_hash(a->name), s->n - 1) < 0)
		s->index_stale = true;
	*ret = a;
	return 0;
}

struct name_key {
	const struct md_set *s;
	const char *name;
};

static bool name_match(const void *ctx, size_t ref)
{
	const struct name_key *k = ctx;

	return strcmp(k->s->v[ref].name, k->name) == 0;
}

struct md_array *md_set_find(struct md_set *s, const char *name)
{
	struct name_key key = { s, name };
	size_t i;

	if (s->index_stale && !index_rebuild(s)) {
		for (i = 0; i < s->n; i++)
			if (strcmp(s->v[i].name, name) == 0)
				return &s->v[i];
		return NULL;
	}
	i = hindex_find(&s->index, name_hash(name), name_match, &key);
	return i == HINDEX_NONE ? NULL : &s->v[i];
}

static int cmp_array(const void *x, const void *y)
{
	const struct md_array *a = x, *b = y;

	return strcmp(a->name, b->name);
}

void md_set_sort(struct md_set *s, size_t n)
{
	if (n < s->n)
		s->n = n;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_array);
	s->index_stale = true;
}

int md_array_merge(struct md_array *sys, const struct md_array *st)
{
	int r;

	if (md_array_failed(st))
		return 0; /* nothing trustworthy to add */
	if (md_array_failed(sys))
		return md_array_copy(sys, st);

	sys->source |= st->source;
	if (sys->level == MD_LEVEL_NONE && st->level != MD_LEVEL_NONE) {
		sys->level = st->level;
		memcpy(sys->level_text, st->level_text, sizeof(sys->level_text));
	}
	if (sys->raid_disks < 0)
		sys->raid_disks = st->raid_disks;
	if (sys->run == MD_RUN_UNKNOWN)
		sys->run = st->run;
	sys->read_only |= st->read_only;
	sys->ext_container |= st->ext_container;
	sys->container |= st->container && sys->level == MD_LEVEL_NONE;

	/* sysfs without any device directory: take mdstat's devices and slots. */
	if (sys->n_devs == 0 && st->n_devs > 0) {
		r = reserve_devs(sys, st->n_devs);
		if (r < 0)
			return r;
		memcpy(sys->devs, st->devs, st->n_devs * sizeof(*st->devs));
		sys->n_devs = st->n_devs;
		sys->devs_sysfs = false;
		sys->dev_slots_known = false;
	}
	/*
	 * mdstat's [UU_] is the kernel's own view of each slot (rdev In_sync),
	 * whoever the devices are: the rules check the member detail against it.
	 */
	if (sys->n_slots == 0 && st->n_slots) {
		r = md_array_set_slots(sys, st->slots, st->n_slots);
		if (r < 0)
			return r;
	}

	if (sys->activity == REDMON_ACTIVITY_NONE) {
		sys->activity = st->activity;
		sys->progress = st->progress;
	} else if (sys->progress < 0 && sys->activity == st->activity) {
		sys->progress = st->progress;
	}

	if (!sys->r10_known && st->r10_known) {
		sys->r10_known = true;
		sys->r10_near = st->r10_near;
		sys->r10_far = st->r10_far;
		sys->r10_offset = st->r10_offset;
	}
	return 0;
}
