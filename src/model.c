/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* strdup that maps NULL to NULL and records an allocation failure in *failed. */
static char *dup_opt(const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

/* Deep-copy src into m; an allocation failure leaves NULLs and sets *oom. */
static void member_copy(struct member *m, const struct member *src, bool *oom)
{
	m->name = dup_opt(src->name, oom);
	m->role = src->role;
	m->state = dup_opt(src->state, oom);
	m->device = dup_opt(src->device, oom);
	m->serial = dup_opt(src->serial, oom);
	m->location = dup_opt(src->location, oom);
	m->reason = dup_opt(src->reason, oom);
}

static void member_free(struct member *m)
{
	free(m->name);
	free(m->state);
	free(m->device);
	free(m->serial);
	free(m->location);
	free(m->reason);
}

void group_free(struct group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_members; i++)
		member_free(&g->members[i]);
	free(g->members);
	free(g->id);
	free(g->probe);
	free(g->name);
	free(g->kind);
	free(g->type);
	free(g->reason);
	memset(g, 0, sizeof(*g));
}

static int snapshot_grow(struct snapshot *s)
{
	struct group *n;
	size_t cap;

	if (s->n < s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 16;
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
	for (size_t i = 0; i < g->n_members; i++) {
		if (!g->members[i].name || (unsigned)g->members[i].role >= REDMON_ROLE_COUNT_)
			return false;
	}
	return true;
}

static char *make_id(const char *probe, const char *name)
{
	size_t lp = strlen(probe), ln = strlen(name);
	char *id = malloc(lp + 1 + ln + 1);

	if (!id)
		return NULL;
	memcpy(id, probe, lp);
	id[lp] = ':';
	memcpy(id + lp + 1, name, ln + 1);
	return id;
}

int snapshot_add(struct snapshot *s, const char *probe, const struct redmon_group *rg)
{
	struct group g = { 0 };
	bool oom = false;

	if (!group_valid(rg))
		return -EINVAL;
	g.id = make_id(probe, rg->name);
	if (!g.id)
		return -ENOMEM;
	if (snapshot_grow(s) < 0) {
		free(g.id);
		return -ENOMEM;
	}
	g.probe = dup_opt(probe, &oom);
	g.name = dup_opt(rg->name, &oom);
	g.kind = dup_opt(rg->kind ? rg->kind : "unknown", &oom);
	g.type = dup_opt(rg->type ? rg->type : "unknown", &oom);
	g.reason = dup_opt(rg->reason, &oom);
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
		g.members = calloc(rg->n_members, sizeof(*g.members));
		if (!g.members)
			oom = true;
		else
			g.n_members = rg->n_members;
	}
	for (size_t i = 0; i < g.n_members; i++) {
		const struct redmon_member *rm = &rg->members[i];
		const struct member view = {
			.name = (char *)rm->name,
			.role = rm->role,
			.state = (char *)rm->state,
			.device = (char *)rm->device,
			.serial = (char *)rm->serial,
			.location = (char *)rm->location,
			.reason = (char *)rm->reason,
		};

		member_copy(&g.members[i], &view, &oom);
	}
	if (oom) {
		group_free(&g);
		return -ENOMEM;
	}
	s->groups[s->n++] = g;
	return 0;
}

int group_copy(struct group *dst, const struct group *src)
{
	struct group g = *src;
	bool oom = false;

	g.id = dup_opt(src->id, &oom);
	g.probe = dup_opt(src->probe, &oom);
	g.name = dup_opt(src->name, &oom);
	g.kind = dup_opt(src->kind, &oom);
	g.type = dup_opt(src->type, &oom);
	g.reason = dup_opt(src->reason, &oom);
	g.members = NULL;
	g.n_members = 0;
	if (src->n_members) {
		g.members = calloc(src->n_members, sizeof(*g.members));
		if (g.members)
			g.n_members = src->n_members;
		else
			oom = true;
	}
	for (size_t i = 0; i < g.n_members; i++)
		member_copy(&g.members[i], &src->members[i], &oom);
	if (oom) {
		group_free(&g);
		return -ENOMEM;
	}
	*dst = g;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->id, ((const struct group *)b)->id);
}

size_t snapshot_sort(struct snapshot *s)
{
	size_t out = 0, dropped = 0;

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

void snapshot_clear(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		group_free(&s->groups[i]);
	s->n = 0;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	snapshot_clear(s);
	free(s->groups);
	s->groups = NULL;
	s->cap = 0;
}
