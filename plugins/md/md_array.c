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
	dst->devs = keep.devs;
	dst->devs_cap = keep.devs_cap;
	dst->pool = keep.pool;
	dst->pool_cap = keep.pool_cap;
	dst->error = keep.error;
	dst->list = keep.list;
	dst->list_len = keep.list_len;
	dst->list_cap = keep.list_cap;
	dst->list_key = keep.list_key;
	dst->list_has = keep.list_has;
	dst->list_level = keep.list_level;
	dst->list_raid_disks = keep.list_raid_disks;
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
	free(a->devs);
	free(a->pool);
	free(a->error);
	free(a->list);
	memset(a, 0, sizeof(*a));
}

static int reserve_devs(struct md_array *a, size_t n)
{
	struct md_dev *v;
	size_t cap;

	if (n <= a->devs_cap)
		return 0;
	/*
	 * Most arrays have 2-4 members, and a thousand arrays keep their
	 * buffers: grow by half, not double, so that few slots stay unused.
	 */
	cap = a->devs_cap ? a->devs_cap + (a->devs_cap + 1) / 2 : 2;
	if (cap < n)
		cap = n;
	v = realloc(a->devs, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->devs = v;
	a->devs_cap = (uint32_t)cap; /* MD_MAX_DEVS bounds n */
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

/*
 * Room for n more bytes in the pool.  Its content is bounded (MD_MAX_SLOTS
 * once, MD_STATE_MAX per device), far below 4 GiB.
 */
static int reserve_pool(struct md_array *a, size_t n)
{
	size_t need = a->pool_len + n, cap;
	char *p;

	if (need <= a->pool_cap)
		return 0;
	cap = a->pool_cap + a->pool_cap / 2; /* "in_sync" and a NUL per member, mostly */
	if (cap < need)
		cap = need < 24 ? 24 : need; /* 24: what glibc's smallest chunk holds */
	p = realloc(a->pool, cap);
	if (!p)
		return -ENOMEM;
	a->pool = p;
	a->pool_cap = (uint32_t)cap;
	return 0;
}

int md_array_set_slots(struct md_array *a, const char *s, size_t n)
{
	int r;

	if (n > MD_MAX_SLOTS)
		return -E2BIG;
	r = reserve_pool(a, n);
	if (r < 0)
		return r;
	if (n)
		memcpy(a->pool + a->pool_len, s, n);
	a->slots_off = a->pool_len;
	a->n_slots = (uint32_t)n;
	a->pool_len += (uint32_t)n;
	return 0;
}

/* Append s to the pool as a printable C string of at most max - 1 bytes; *ret: 1 + offset. */
static int pool_add(struct md_array *a, struct strv s, size_t max, uint32_t *ret)
{
	size_t n = s.n < max - 1 ? s.n : max - 1;

	if (reserve_pool(a, n + 1) < 0)
		return -ENOMEM;
	strv_copy_printable(s, a->pool + a->pool_len, n + 1);
	*ret = a->pool_len + 1;
	a->pool_len += (uint32_t)n + 1;
	return 0;
}

int md_dev_set_state(struct md_array *a, struct md_dev *d, struct strv s)
{
	return pool_add(a, s, MD_STATE_MAX, &d->state);
}

int md_array_set_level_text(struct md_array *a, struct strv s)
{
	return pool_add(a, s, MD_LEVEL_TEXT_MAX, &a->level_text);
}

static int reserve_error(struct md_array *a)
{
	if (!a->error)
		a->error = malloc(MD_ERROR_MAX);
	return a->error ? 0 : -ENOMEM;
}

int md_array_copy(struct md_array *dst, const struct md_array *src)
{
	dst->pool_len = 0;
	if (reserve_devs(dst, src->n_devs) < 0 || reserve_pool(dst, src->pool_len) < 0 ||
	    (src->failed && reserve_error(dst) < 0))
		return -ENOMEM;
	copy_fields(dst, src);
	if (src->n_devs)
		memcpy(dst->devs, src->devs, src->n_devs * sizeof(*src->devs));
	if (src->pool_len)
		memcpy(dst->pool, src->pool, src->pool_len);
	if (src->failed)
		memcpy(dst->error, md_array_error(src), strlen(md_array_error(src)) + 1);
	return 0;
}

void md_array_set_error(struct md_array *a, const char *fmt, ...)
{
	va_list ap;

	if (a->failed)
		return;
	a->failed = true;
	if (reserve_error(a) < 0)
		return; /* md_array_error() says so */
	va_start(ap, fmt);
	vsnprintf(a->error, MD_ERROR_MAX, fmt, ap);
	va_end(ap);
}

void md_array_clear_error(struct md_array *a)
{
	a->failed = false;
}

const char *md_array_error(const struct md_array *a)
{
	if (!a->failed)
		return "";
	return a->error ? a->error : "unreadable (out of memory for the reason)";
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
		/* By half, not double: a third of the records unused at most, not half. */
		size_t cap = s->cap ? s->cap + s->cap / 2 : 8;

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
	size_t i = 1;

	if (n < s->n)
		s->n = n;
	while (i < s->n && cmp_array(&s->v[i - 1], &s->v[i]) <= 0)
		i++; /* sysfs's records come in order: checking costs less than sorting */
	if (i < s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_array);
	s->index_stale = true;
}

/* st's devices for sys's (it has none), their state texts, if any, into sys's pool. */
static int take_devs(struct md_array *sys, const struct md_array *st)
{
	if (reserve_devs(sys, st->n_devs) < 0)
		return -ENOMEM;
	memcpy(sys->devs, st->devs, st->n_devs * sizeof(*st->devs));
	sys->n_devs = st->n_devs;
	for (size_t i = 0; i < st->n_devs; i++)
		if (st->devs[i].state &&
		    md_dev_set_state(sys, &sys->devs[i], strv_c(md_dev_state(st, &st->devs[i]))) <
			    0)
			return -ENOMEM;
	return 0;
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
		r = md_array_set_level_text(sys, strv_c(md_array_level(st)));
		if (r < 0)
			return r;
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
		r = take_devs(sys, st);
		if (r < 0)
			return r;
		sys->devs_sysfs = false;
		sys->dev_slots_known = false;
	}
	/*
	 * mdstat's [UU_] is the kernel's own view of each slot (rdev In_sync),
	 * whoever the devices are: the rules check the member detail against it.
	 */
	if (sys->n_slots == 0 && st->n_slots) {
		r = md_array_set_slots(sys, md_array_slots(st), st->n_slots);
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
