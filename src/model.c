/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "model.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/fnv1a.h"
#include "redmon/grow.h"

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

static const char *const risk_names[REDMON_RISK_COUNT_] = {
	[REDMON_RISK_NONE] = "none",	   [REDMON_RISK_OK] = "ok",
	[REDMON_RISK_WARNING] = "warning", [REDMON_RISK_FAILING] = "failing",
	[REDMON_RISK_UNKNOWN] = "unknown",
};

const char *risk_name(enum redmon_risk r)
{
	return (unsigned)r < REDMON_RISK_COUNT_ ? risk_names[r] : "unknown";
}

bool activity_is_rebuild(enum redmon_activity a)
{
	return a == REDMON_ACTIVITY_RECOVERY || a == REDMON_ACTIVITY_RESYNC ||
	       a == REDMON_ACTIVITY_RESHAPE;
}

/*
 * The arena: a request that does not fit the newest block gets a new block
 * twice its size (up to ARENA_BLOCK_MAX), or one of its own if larger (a
 * hostile 1 MiB reason).  The first block is sized by the last fill
 * (arena_hint), so a steady fill takes one malloc, or none.
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
	if (b)
		*b = (struct snap_block){ .size = size };
	return b;
}

/* size bytes aligned to align (a power of two <= 16) in s's arena, or NULL. */
static void *arena_alloc(struct snapshot *s, size_t size, size_t align)
{
	struct snap_block *b = s->blocks, *nb, **link = &s->blocks;
	size_t want;

	if (b) {
		size_t at = (b->used + align - 1) & ~(align - 1);

		if (at <= b->size && size <= b->size - at) {
			b->used = at + size;
			return b->data + at;
		}
	}
	want = b ? b->size * 2 : s->arena_hint;
	if (b && want > ARENA_BLOCK_MAX)
		want = ARENA_BLOCK_MAX;
	if (want < ARENA_BLOCK_MIN)
		want = ARENA_BLOCK_MIN;
	if (size > want) {
		/* A block of its own, behind the newest so that one keeps filling. */
		want = size;
		link = b ? &b->next : &s->blocks;
	}
	nb = block_new(want);
	if (!nb)
		return NULL;
	nb->next = *link;
	*link = nb;
	nb->used = size;
	return nb->data;
}

static void arena_release(struct snapshot *s)
{
	for (struct snap_block *b = s->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
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
	char *d = str ? snapshot_strdup(s, str) : NULL;

	if (str && !d)
		*oom = true;
	return d;
}

/*
 * dup_opt for strings that repeat across groups: a short one already in the
 * table is shared.  A colliding slot is overwritten; that only costs a copy.
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

/* Member i of a plugin's array whose elements are stride bytes apart. */
static const struct redmon_member *member_at(const struct redmon_group *g, size_t i, size_t stride)
{
	return (const struct redmon_member *)((const char *)g->members + i * stride);
}

/* The risk of a member, read only when the plugin's member layout has it. */
static enum redmon_risk member_risk(const struct redmon_member *m, size_t stride)
{
	if (stride < offsetof(struct redmon_member, risk) + sizeof(m->risk))
		return REDMON_RISK_NONE;
	return m->risk;
}

static bool group_valid(const struct redmon_group *g, size_t stride)
{
	if (!g || !g->name || !*g->name || (unsigned)g->activity >= REDMON_ACTIVITY_COUNT_ ||
	    (g->n_members && !g->members) || g->n_members > SIZE_MAX / sizeof(struct member) ||
	    stride < REDMON_MEMBER_SIZE_V1 || g->n_members > SIZE_MAX / stride)
		return false;
	for (size_t i = 0; i < g->n_members; i++) {
		const struct redmon_member *m = member_at(g, i, stride);

		if (!m->name || (unsigned)m->role >= REDMON_ROLE_COUNT_ ||
		    (unsigned)member_risk(m, stride) >= REDMON_RISK_COUNT_)
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

int snapshot_add(struct snapshot *s, const char *probe, const struct redmon_group *rg)
{
	return snapshot_add_sized(s, probe, rg, sizeof(struct redmon_member),
				  sizeof(struct redmon_group));
}

/* Whether a plugin's group layout of group_size bytes holds the spof and scrub fields. */
static bool group_has_v2(size_t group_size)
{
	return group_size >=
	       offsetof(struct redmon_group, eta_s) + sizeof(((struct redmon_group *)0)->eta_s);
}

/* A group's spof reasons, in the arena; 0 or -ENOMEM.  NULL reasons are skipped. */
static int copy_spof(struct snapshot *s, struct group *g, const struct redmon_group *rg)
{
	bool oom = false;

	if (!rg->n_spof)
		return 0;
	g->spof = arena_alloc(s, rg->n_spof * sizeof(*g->spof), _Alignof(char *));
	if (!g->spof)
		return -ENOMEM;
	for (size_t i = 0; i < rg->n_spof && !oom; i++) {
		if (rg->spof[i] && *rg->spof[i])
			g->spof[g->n_spof++] = intern_opt(s, rg->spof[i], &oom);
	}
	return oom ? -ENOMEM : 0;
}

/* On failure, what was copied stays in the arena until the next snapshot_clear(). */
int snapshot_add_sized(struct snapshot *s, const char *probe, const struct redmon_group *rg,
		       size_t stride, size_t group_size)
{
	struct group g = { 0 };
	bool oom = false;

	if (!group_valid(rg, stride) || group_size < REDMON_GROUP_SIZE_V1 ||
	    (group_has_v2(group_size) && rg->n_spof &&
	     (!rg->spof || rg->n_spof > SIZE_MAX / sizeof(char *))))
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
	g.eta_s = -1;
	if (group_has_v2(group_size)) {
		if (copy_spof(s, &g, rg) < 0)
			return -ENOMEM;
		g.scrub_time = rg->scrub_time > 0 ? rg->scrub_time : 0;
		g.eta_source_s = rg->eta_s > 0 ? rg->eta_s : 0;
		g.scrub_found = dup_opt(
			s, rg->scrub_found && *rg->scrub_found ? rg->scrub_found : NULL, &oom);
	}
	if (rg->n_members) {
		g.members =
			arena_alloc(s, rg->n_members * sizeof(*g.members), _Alignof(struct member));
		if (!g.members)
			return -ENOMEM;
		g.n_members = rg->n_members;
	}
	for (size_t i = 0; i < g.n_members && !oom; i++) {
		const struct redmon_member *rm = member_at(rg, i, stride);
		struct member *m = &g.members[i];

		m->role = rm->role;
		m->risk = member_risk(rm, stride);
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

/* h folded with a string or its absence: 0 for NULL, else 1, the bytes and a NUL. */
static uint64_t hash_opt(uint64_t h, const char *str)
{
	if (!str)
		return redmon_fnv1a_byte(h, 0);
	h = redmon_fnv1a_str(redmon_fnv1a_byte(h, 1), str);
	return redmon_fnv1a_byte(h, 0);
}

#define HASH_VAL(h, v) redmon_fnv1a_mem((h), &(v), sizeof(v))

/*
 * Every field snapshot_add_sized() reads, in its order, with the same rules
 * for what a short layout lacks: when two reports hash alike, their copies
 * would be alike.  Keep the two in step.
 */
uint64_t group_report_hash(const struct redmon_group *rg, size_t stride, size_t group_size)
{
	uint64_t h = REDMON_FNV1A_BASIS;
	bool v2 = group_has_v2(group_size);

	if (!group_valid(rg, stride) || group_size < REDMON_GROUP_SIZE_V1 ||
	    (v2 && rg->n_spof && (!rg->spof || rg->n_spof > SIZE_MAX / sizeof(char *))))
		return 0;
	h = hash_opt(h, rg->name);
	h = hash_opt(h, rg->kind);
	h = hash_opt(h, rg->type);
	h = hash_opt(h, rg->reason);
	h = HASH_VAL(h, rg->members_total);
	h = HASH_VAL(h, rg->members_ok);
	h = HASH_VAL(h, rg->members_failed);
	h = HASH_VAL(h, rg->spares);
	h = HASH_VAL(h, rg->margin);
	h = HASH_VAL(h, rg->margin_nominal);
	h = HASH_VAL(h, rg->activity);
	h = HASH_VAL(h, rg->progress);
	if (v2) {
		h = HASH_VAL(h, rg->n_spof);
		for (size_t i = 0; i < rg->n_spof; i++)
			h = hash_opt(h, rg->spof[i]);
		h = HASH_VAL(h, rg->scrub_time);
		h = hash_opt(h, rg->scrub_found);
		h = HASH_VAL(h, rg->eta_s);
	}
	h = HASH_VAL(h, rg->n_members);
	for (size_t i = 0; i < rg->n_members; i++) {
		const struct redmon_member *rm = member_at(rg, i, stride);
		enum redmon_risk risk = member_risk(rm, stride);

		h = HASH_VAL(h, rm->role);
		h = HASH_VAL(h, risk);
		h = hash_opt(h, rm->name);
		h = hash_opt(h, rm->state);
		h = hash_opt(h, rm->device);
		h = hash_opt(h, rm->serial);
		h = hash_opt(h, rm->location);
		h = hash_opt(h, rm->reason);
	}
	return h ? h : 1;
}

int snapshot_add_gone(struct snapshot *s, const char *probe, const char *name)
{
	char *unused, *id;

	if (!grow_one((void **)&s->gone, &s->gone_cap, s->n_gone, sizeof(*s->gone), 4))
		return -ENOMEM;
	id = make_id(s, probe, name, &unused);
	if (!id)
		return -ENOMEM;
	s->gone[s->n_gone++] = id;
	return 0;
}

static bool disk_known(const struct snapshot *s, const char *device)
{
	for (size_t i = 0; i < s->n_disks; i++) {
		if (strcmp(s->disks[i].device, device) == 0)
			return true;
	}
	return false;
}

/* A host has tens of disks, not thousands: a linear search for repeats is enough. */
int snapshot_add_disk(struct snapshot *s, const struct redmon_disk *rd, size_t size)
{
	struct disk d = { 0 };
	bool oom = false;

	if (!rd || size < offsetof(struct redmon_disk, serial) + sizeof(rd->serial) ||
	    !rd->device || !*rd->device || rd->health == REDMON_RISK_NONE ||
	    (unsigned)rd->health >= REDMON_RISK_COUNT_ ||
	    (rd->health != REDMON_RISK_OK && (!rd->reason || !*rd->reason)))
		return -EINVAL;
	if (disk_known(s, rd->device))
		return -EEXIST;
	if (!grow_one((void **)&s->disks, &s->disks_cap, s->n_disks, sizeof(*s->disks), 16))
		return -ENOMEM;
	d.device = dup_opt(s, rd->device, &oom);
	d.health = rd->health;
	d.reason = rd->health == REDMON_RISK_OK ? NULL : dup_opt(s, rd->reason, &oom);
	d.model = intern_opt(s, rd->model, &oom);
	d.serial = dup_opt(s, rd->serial, &oom);
	if (oom)
		return -ENOMEM;
	s->disks[s->n_disks++] = d;
	return 0;
}

/* The strings group_copy() copies, in a group and in a member. */
static const size_t group_strs[] = {
	offsetof(struct group, id),	     offsetof(struct group, probe),
	offsetof(struct group, name),	     offsetof(struct group, kind),
	offsetof(struct group, type),	     offsetof(struct group, reason),
	offsetof(struct group, scrub_found),
};
static const size_t member_strs[] = {
	offsetof(struct member, name),	   offsetof(struct member, state),
	offsetof(struct member, device),   offsetof(struct member, serial),
	offsetof(struct member, location), offsetof(struct member, reason),
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The bytes of the n strings at offs[] in obj; with at, also move them there. */
static size_t copy_strs(void *obj, const size_t *offs, size_t n_offs, char **at)
{
	size_t size = 0;

	for (size_t i = 0; i < n_offs; i++) {
		char **str = (char **)((char *)obj + offs[i]);
		size_t n = *str ? strlen(*str) + 1 : 0;

		if (at && *str) {
			*str = memcpy(*at, *str, n);
			*at += n;
		}
		size += n;
	}
	return size;
}

/* Two passes: measure, then copy into the one block (members, spof pointers, strings). */
int group_copy(struct group *dst, const struct group *src)
{
	size_t members = src->n_members * sizeof(struct member);
	size_t head = members + src->n_spof * sizeof(char *), size = head;
	static const size_t spof_str[] = { 0 };
	struct group g = *src;
	char *at = NULL;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			g.own = malloc(size ? size : 1);
			if (!g.own)
				return -ENOMEM;
			g.members = src->n_members ? memcpy(g.own, src->members, members) : NULL;
			g.spof = src->n_spof ? memcpy((char *)g.own + members, src->spof,
						      src->n_spof * sizeof(char *))
					     : NULL;
			at = (char *)g.own + head;
		}
		size += copy_strs(&g, group_strs, N_OF(group_strs), at ? &at : NULL);
		for (size_t i = 0; i < g.n_members; i++)
			size += copy_strs(&g.members[i], member_strs, N_OF(member_strs),
					  at ? &at : NULL);
		for (size_t i = 0; i < g.n_spof; i++)
			size += copy_strs(&g.spof[i], spof_str, 1, at ? &at : NULL);
	}
	*dst = g;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->id, ((const struct group *)b)->id);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* snapshot_clear() cannot tell a fill that ended empty from a second clear: free here. */
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
	size_t out = 0, n = s->n;

	if (s->n_gone > 1)
		qsort(s->gone, s->n_gone, sizeof(*s->gone), str_cmp);
	if (s->n == 0) {
		/* Disks, or the ids gone from a delta, alone keep their strings in the arena. */
		if (s->n_disks == 0 && s->n_gone == 0)
			snapshot_trim_empty(s);
		return 0;
	}

	qsort(s->groups, s->n, sizeof(*s->groups), group_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(s->groups[out - 1].id, s->groups[i].id) == 0) {
			group_free(&s->groups[i]);
			continue;
		}
		if (out != i)
			s->groups[out] = s->groups[i];
		out++;
	}
	s->n = out;
	return n - out;
}

const struct group *snapshot_find(const struct snapshot *s, const char *id)
{
	const struct group key = { .id = (char *)id };

	return s->n ? bsearch(&key, s->groups, s->n, sizeof(*s->groups), group_cmp) : NULL;
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

void snapshot_clear(struct snapshot *s)
{
	size_t used = 0, size = 0, n = s->n;

	for (size_t i = 0; i < s->n; i++)
		group_free(&s->groups[i]);
	s->n = 0;
	s->n_disks = 0;
	s->n_gone = 0;
	s->delta = false;
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
	/* Much more released than used (10,000 arrays, then a few): give it back. */
	if (size - used >= ARENA_TRIM_BYTES && used < size / 4)
		malloc_trim(0);
}

bool snapshot_is_empty_delta(const struct snapshot *s)
{
	return s->delta && !s->n && !s->n_gone && !s->n_disks;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		group_free(&s->groups[i]);
	arena_release(s);
	free(s->groups);
	free(s->disks);
	free(s->gone);
	memset(s, 0, sizeof(*s));
}
