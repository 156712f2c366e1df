/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "model.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/fnv1a.h"

static const char *const health_names[HEALTH_COUNT_] = {
	[HEALTH_OK] = "ok",
	[HEALTH_NONREDUNDANT] = "nonredundant",
	[HEALTH_DEGRADED] = "degraded",
	[HEALTH_UNKNOWN] = "unknown",
	[HEALTH_CRITICAL] = "critical",
	[HEALTH_FAILED] = "failed",
};

static const char *const role_names[REDMON_ROLE_COUNT_] = {
	[REDMON_ROLE_ACTIVE] = "active",   [REDMON_ROLE_SPARE] = "spare",
	[REDMON_ROLE_STANDBY] = "standby", [REDMON_ROLE_REBUILDING] = "rebuilding",
	[REDMON_ROLE_FAILED] = "failed",   [REDMON_ROLE_MISSING] = "missing",
	[REDMON_ROLE_UNKNOWN] = "unknown",
};

static const char *const activity_names[REDMON_ACTIVITY_COUNT_] = {
	[REDMON_ACTIVITY_NONE] = "none",       [REDMON_ACTIVITY_RECOVERY] = "recovery",
	[REDMON_ACTIVITY_RESYNC] = "resync",   [REDMON_ACTIVITY_RESHAPE] = "reshape",
	[REDMON_ACTIVITY_CHECK] = "check",     [REDMON_ACTIVITY_REPAIR] = "repair",
	[REDMON_ACTIVITY_DELAYED] = "delayed", [REDMON_ACTIVITY_PENDING] = "pending",
};

enum health health_derive(int32_t margin, int32_t margin_nominal)
{
	if (margin == REDMON_MARGIN_UNKNOWN)
		return HEALTH_UNKNOWN;
	if (margin < 0)
		return HEALTH_FAILED;
	if (margin_nominal <= 0)
		return HEALTH_NONREDUNDANT;
	if (margin >= margin_nominal)
		return HEALTH_OK;
	if (margin == 0)
		return HEALTH_CRITICAL;
	return HEALTH_DEGRADED;
}

int32_t margin_shown(const struct group *g)
{
	if (g->margin == REDMON_MARGIN_UNKNOWN)
		return -1;
	return g->margin < 0 ? 0 : g->margin;
}

const char *health_name(enum health h)
{
	return (unsigned)h < HEALTH_COUNT_ ? health_names[h] : "unknown";
}

const char *role_name(enum redmon_role r)
{
	return (unsigned)r < REDMON_ROLE_COUNT_ ? role_names[r] : "unknown";
}

const char *activity_name(enum redmon_activity a)
{
	return (unsigned)a < REDMON_ACTIVITY_COUNT_ ? activity_names[a] : "none";
}

bool activity_is_rebuild(enum redmon_activity a)
{
	return a == REDMON_ACTIVITY_RECOVERY || a == REDMON_ACTIVITY_RESYNC ||
	       a == REDMON_ACTIVITY_RESHAPE;
}

/*
 * The arena.  Blocks are filled front to back; a request that does not fit
 * the newest block gets a new block twice its size (up to ARENA_BLOCK_MAX),
 * or a block of its own when it is larger than that (a hostile 1 MiB reason
 * string).  The first block of a fill is sized by what the last fill needed
 * (arena_hint), so a steady fill takes one malloc, or none when
 * snapshot_clear() kept a small block.
 */
struct snap_block {
	struct snap_block *next;
	size_t size; /* bytes in data[] */
	size_t used;
	size_t pad_; /* data[] 16-byte aligned, as malloc's own */
	unsigned char data[];
};

#define ARENA_BLOCK_MIN ((size_t)4096 - sizeof(struct snap_block))
#define ARENA_BLOCK_MAX ((size_t)1 << 20)
/* A cleared snapshot keeps at most this much (each of arena and groups array). */
#define KEEP_MAX ((size_t)64 << 10)
/* A fill this much (and 4x) smaller than its arena is worth a malloc_trim(). */
#define ARENA_TRIM_BYTES ((size_t)1 << 20)
/* Interning: direct-mapped, strings up to this length. */
#define INTERN_SLOTS   64
#define INTERN_MAX_LEN 96

static struct snap_block *block_new(size_t size)
{
	struct snap_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/* size bytes aligned to align (a power of two <= 16) in s's arena, or NULL. */
static void *arena_alloc(struct snapshot *s, size_t size, size_t align)
{
	struct snap_block *b = s->blocks;
	size_t want;

	if (b) {
		size_t at = (b->used + align - 1) & ~(align - 1);

		if (at <= b->size && size <= b->size - at) {
			b->used = at + size;
			return b->data + at;
		}
	}
	want = b ? b->size * 2 : s->arena_hint;
	if (want > ARENA_BLOCK_MAX)
		want = b ? ARENA_BLOCK_MAX : want;
	if (want < ARENA_BLOCK_MIN)
		want = ARENA_BLOCK_MIN;
	if (size > want) {
		/* A block of its own, behind the newest so that one keeps filling. */
		struct snap_block *big = block_new(size);

		if (!big)
			return NULL;
		big->used = size;
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			s->blocks = big;
		}
		return big->data;
	}
	b = block_new(want);
	if (!b)
		return NULL;
	b->next = s->blocks;
	s->blocks = b;
	b->used = size;
	return b->data;
}

static void arena_release(struct snapshot *s)
{
	struct snap_block *b = s->blocks;

	while (b) {
		struct snap_block *next = b->next;

		free(b);
		b = next;
	}
	s->blocks = NULL;
	s->intern = NULL;
}

static char *arena_strndup(struct snapshot *s, const char *str, size_t len)
{
	char *d = len < SIZE_MAX ? arena_alloc(s, len + 1, 1) : NULL;

	if (d) {
		memcpy(d, str, len);
		d[len] = 0;
	}
	return d;
}

char *snapshot_strdup(struct snapshot *s, const char *str)
{
	return arena_strndup(s, str, strlen(str));
}

/* Copy of str in the arena; NULL stays NULL, a failure sets *oom. */
static char *dup_opt(struct snapshot *s, const char *str, bool *oom)
{
	char *d;

	if (!str)
		return NULL;
	d = snapshot_strdup(s, str);
	if (!d)
		*oom = true;
	return d;
}

/*
 * dup_opt for strings that repeat across groups (probe, kind, type, member
 * state, reasons): a short string already in the table is shared.  A slot
 * taken by another string is overwritten; that only costs a copy.
 */
static char *intern_opt(struct snapshot *s, const char *str, bool *oom)
{
	size_t len, slot;
	char *d;

	if (!str)
		return NULL;
	len = strlen(str);
	if (len > INTERN_MAX_LEN)
		return dup_opt(s, str, oom);
	if (!s->intern) {
		s->intern = arena_alloc(s, INTERN_SLOTS * sizeof(*s->intern), _Alignof(char *));
		if (!s->intern) {
			*oom = true;
			return NULL;
		}
		memset(s->intern, 0, INTERN_SLOTS * sizeof(*s->intern));
	}
	/* FNV-1a: cheap and good enough to spread a few dozen short strings. */
	slot = redmon_fnv1a_mem(REDMON_FNV1A_BASIS, str, len) % INTERN_SLOTS;
	if (s->intern[slot] && strcmp(s->intern[slot], str) == 0)
		return s->intern[slot];
	d = arena_strndup(s, str, len);
	if (!d)
		*oom = true;
	else
		s->intern[slot] = d;
	return d;
}

void group_free(struct group *g)
{
	if (!g)
		return;
	free(g->own);
	memset(g, 0, sizeof(*g));
}

static int snapshot_grow(struct snapshot *s)
{
	struct group *n;
	size_t cap;

	if (s->n < s->cap)
		return 0;
	if (s->cap > SIZE_MAX / 2 / sizeof(*n))
		return -ENOMEM;
	cap = s->cap ? s->cap * 2 : s->groups_hint > 16 ? s->groups_hint + s->groups_hint / 8 : 16;
	n = realloc(s->groups, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->groups = n;
	s->cap = cap;
	return 0;
}

static bool group_valid(const struct redmon_group *g)
{
	if (!g || !g->name || !*g->name)
		return false;
	if ((unsigned)g->activity >= REDMON_ACTIVITY_COUNT_)
		return false;
	if (g->n_members && !g->members)
		return false;
	if (g->n_members > SIZE_MAX / sizeof(struct member))
		return false;
	for (size_t i = 0; i < g->n_members; i++) {
		if (!g->members[i].name || (unsigned)g->members[i].role >= REDMON_ROLE_COUNT_)
			return false;
	}
	return true;
}

/* "<probe>:<name>" in the arena; the name is its tail (*ret_name). */
static char *make_id(struct snapshot *s, const char *probe, const char *name, char **ret_name)
{
	size_t lp = strlen(probe), ln = strlen(name);
	char *id =
		lp < SIZE_MAX / 2 && ln < SIZE_MAX / 2 ? arena_alloc(s, lp + 1 + ln + 1, 1) : NULL;

	if (!id)
		return NULL;
	memcpy(id, probe, lp);
	id[lp] = ':';
	memcpy(id + lp + 1, name, ln + 1);
	*ret_name = id + lp + 1;
	return id;
}

/*
 * On failure the arena keeps what was copied so far: it is reclaimed with
 * the rest at the next snapshot_clear().
 */
int snapshot_add(struct snapshot *s, const char *probe, const struct redmon_group *rg)
{
	struct group g = { 0 };
	bool oom = false;

	if (!group_valid(rg))
		return -EINVAL;
	if (snapshot_grow(s) < 0)
		return -ENOMEM;
	g.id = make_id(s, probe, rg->name, &g.name);
	if (!g.id)
		return -ENOMEM;
	g.probe = intern_opt(s, probe, &oom);
	g.kind = intern_opt(s, rg->kind ? rg->kind : "unknown", &oom);
	g.type = intern_opt(s, rg->type ? rg->type : "unknown", &oom);
	g.reason = intern_opt(s, rg->reason, &oom);
	g.members_total = rg->members_total;
	g.members_ok = rg->members_ok;
	g.members_failed = rg->members_failed;
	g.spares = rg->spares;
	g.margin = rg->margin;
	g.margin_nominal = rg->margin_nominal < 0 ? 0 : rg->margin_nominal;
	g.activity = rg->activity;
	g.progress = rg->progress >= 0 && rg->progress <= 100 ? rg->progress : -1;
	g.health = health_derive(g.margin, g.margin_nominal);
	if (rg->n_members) {
		g.members =
			arena_alloc(s, rg->n_members * sizeof(*g.members), _Alignof(struct member));
		if (!g.members)
			return -ENOMEM;
		g.n_members = rg->n_members;
	}
	for (size_t i = 0; i < g.n_members && !oom; i++) {
		const struct redmon_member *rm = &rg->members[i];
		struct member *m = &g.members[i];

		m->role = rm->role;
		m->name = dup_opt(s, rm->name, &oom);
		m->state = intern_opt(s, rm->state, &oom);
		m->device = dup_opt(s, rm->device, &oom);
		m->serial = dup_opt(s, rm->serial, &oom);
		m->location = dup_opt(s, rm->location, &oom);
		m->reason = intern_opt(s, rm->reason, &oom);
	}
	if (oom)
		return -ENOMEM;
	s->groups[s->n++] = g;
	return 0;
}

/* Bytes str takes in a copy, and the copy itself, bumping *at. */
static size_t str_size(const char *str)
{
	return str ? strlen(str) + 1 : 0;
}

static char *str_put(char **at, const char *str)
{
	char *d = *at;
	size_t n;

	if (!str)
		return NULL;
	n = strlen(str) + 1;
	memcpy(d, str, n);
	*at += n;
	return d;
}

int group_copy(struct group *dst, const struct group *src)
{
	const char *const gs[] = {
		src->id, src->probe, src->name, src->kind, src->type, src->reason
	};
	size_t size = src->n_members * sizeof(struct member);
	struct group g = *src;
	char *at;

	for (size_t i = 0; i < sizeof(gs) / sizeof(gs[0]); i++)
		size += str_size(gs[i]);
	for (size_t i = 0; i < src->n_members; i++) {
		const struct member *m = &src->members[i];

		size += str_size(m->name) + str_size(m->state) + str_size(m->device) +
			str_size(m->serial) + str_size(m->location) + str_size(m->reason);
	}
	g.own = malloc(size ? size : 1);
	if (!g.own)
		return -ENOMEM;
	g.members = src->n_members ? g.own : NULL;
	at = (char *)g.own + src->n_members * sizeof(struct member);
	for (size_t i = 0; i < src->n_members; i++) {
		const struct member *m = &src->members[i];

		g.members[i] = (struct member){
			.name = str_put(&at, m->name),
			.role = m->role,
			.state = str_put(&at, m->state),
			.device = str_put(&at, m->device),
			.serial = str_put(&at, m->serial),
			.location = str_put(&at, m->location),
			.reason = str_put(&at, m->reason),
		};
	}
	g.id = str_put(&at, src->id);
	g.probe = str_put(&at, src->probe);
	g.name = str_put(&at, src->name);
	g.kind = str_put(&at, src->kind);
	g.type = str_put(&at, src->type);
	g.reason = str_put(&at, src->reason);
	*dst = g;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->id, ((const struct group *)b)->id);
}

/*
 * A fill that ends empty (a probe whose groups all went) cannot be told from
 * a second clear by snapshot_clear(), so it gives back the memory here.
 */
static void snapshot_trim_empty(struct snapshot *s)
{
	if (s->cap > 16) {
		free(s->groups);
		s->groups = NULL;
		s->cap = 0;
	}
	if (s->blocks && (s->blocks->next || s->blocks->size > ARENA_BLOCK_MIN))
		arena_release(s);
	s->groups_hint = 0;
	s->arena_hint = 0;
}

size_t snapshot_sort(struct snapshot *s)
{
	size_t out = 0, dropped = 0;

	if (s->n == 0) {
		snapshot_trim_empty(s);
		return 0;
	}

	if (s->n > 1)
		qsort(s->groups, s->n, sizeof(*s->groups), group_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (out > 0 && strcmp(s->groups[out - 1].id, s->groups[i].id) == 0) {
			group_free(&s->groups[i]);
			dropped++;
			continue;
		}
		if (out != i)
			s->groups[out] = s->groups[i];
		out++;
	}
	s->n = out;
	return dropped;
}

const struct group *snapshot_find(const struct snapshot *s, const char *id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->groups[mid].id, id);

		if (c == 0)
			return &s->groups[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t snapshot_footprint(const struct snapshot *s)
{
	size_t bytes = s->cap * sizeof(*s->groups);

	for (const struct snap_block *b = s->blocks; b; b = b->next)
		bytes += sizeof(*b) + b->size;
	for (size_t i = 0; i < s->n; i++) {
		if (s->groups[i].own)
			bytes += malloc_usable_size(s->groups[i].own);
	}
	return bytes;
}

/*
 * Keep a small arena block and groups array for the next fill (the steady
 * case of a small host: no malloc at all); free large ones, remembering
 * their size, as snapshot_clear() in model.h says.  After releasing much
 * more than the fill used (a scan of 10,000 arrays, then a small one), give
 * free memory back to the system.
 */
void snapshot_clear(struct snapshot *s)
{
	size_t used = 0, size = 0, n = s->n;

	for (size_t i = 0; i < s->n; i++)
		group_free(&s->groups[i]);
	s->n = 0;
	s->intern = NULL;
	for (const struct snap_block *b = s->blocks; b; b = b->next) {
		used += b->used;
		size += b->size;
	}
	/* Clear already (a second clear, or a probe that reported nothing): nothing to learn. */
	if (n == 0 && used == 0)
		return;
	if (s->cap * sizeof(*s->groups) > KEEP_MAX || (s->cap > 16 && n < s->cap / 4)) {
		free(s->groups);
		s->groups = NULL;
		s->cap = 0;
	}
	s->groups_hint = n;
	/* A hint that still fits, and is not far too large, stays: steady fills, steady sizes. */
	if (used > s->arena_hint || used < s->arena_hint / 2)
		s->arena_hint = used + used / 8;
	if (s->blocks && !s->blocks->next && s->blocks->size <= KEEP_MAX &&
	    (size <= ARENA_BLOCK_MIN || used >= size / 4)) {
		s->blocks->used = 0;
		return;
	}
	arena_release(s);
	if (size - used >= ARENA_TRIM_BYTES && used < size / 4)
		malloc_trim(0);
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		group_free(&s->groups[i]);
	arena_release(s);
	free(s->groups);
	memset(s, 0, sizeof(*s));
}
