// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules of a ZFS pool (zfs.h): the margin is the worst case over the
 * pool's top-level data vdevs, special and dedup included, log and cache
 * devices left out (zpoolconcepts(7): losing a log or cache device loses no
 * data of a pool).  A mirror of n survives n - 1 losses, raidzP and draidP
 * P, a single disk none; a child that is not ONLINE, or ONLINE but still
 * resilvering, is lost.  A replacing-N or spare-N child holds while one of
 * its own children is ONLINE and in sync.
 *
 * One exception: a sequential rebuild to a dRAID distributed spare writes to
 * every child, and zpool marks each "(resilvering)" (the openzfs-docs dRAID
 * howto, tests/captures/zfs): when every plain child of a top-level vdev is
 * resilvering, the mark says where blocks are written, not that a child is
 * stale, and only the slot being rebuilt (spare-N, replacing-N) is lost.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zfs.h"
#include "redmon/grow.h"

void zfs_result_free(struct zfs_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_pool; i++)
		free(r->pool[i].dev);
	free(r->pool);
	*r = (struct zfs_result){ 0 };
}

struct zfs_pool *zfs_pool_add(struct zfs_result *r)
{
	struct zfs_pool *p;

	if (r->n_pool >= ZFS_MAX_POOLS ||
	    !grow_one((void **)&r->pool, &r->cap_pool, r->n_pool, sizeof(*r->pool), 8))
		return NULL;
	p = &r->pool[r->n_pool++];
	*p = (struct zfs_pool){ .progress = -1 };
	return p;
}

struct zfs_dev *zfs_dev_add(struct zfs_pool *p)
{
	struct zfs_dev *d;

	if (p->n_dev >= ZFS_MAX_DEVS ||
	    !grow_one((void **)&p->dev, &p->cap_dev, p->n_dev, sizeof(*p->dev), 8))
		return NULL;
	d = &p->dev[p->n_dev++];
	*d = (struct zfs_dev){ 0 };
	return d;
}

int zfs_result_merge(struct zfs_result *dst, struct zfs_result *src)
{
	int rc = 0;

	for (size_t i = 0; i < src->n_pool; i++) {
		struct zfs_pool *s = &src->pool[i], *d = NULL;

		for (size_t k = 0; k < dst->n_pool && !d; k++)
			d = strcmp(dst->pool[k].name, s->name) == 0 ? &dst->pool[k] : NULL;
		if (d && d->detail >= s->detail)
			continue; /* s->dev freed with src */
		if (!d)
			d = zfs_pool_add(dst);
		if (!d) {
			rc = -ENOMEM;
			continue;
		}
		free(d->dev);
		*d = *s;
		*s = (struct zfs_pool){ 0 };
	}
	zfs_result_free(src);
	return rc;
}

int zfs_result_check(const struct zfs_result *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->n_pool; i++) {
		if (!r->pool[i].name[0]) {
			snprintf(err, errlen, "a pool without a name");
			return -EINVAL;
		}
		for (size_t k = 0; k < i; k++) {
			if (strcmp(r->pool[k].name, r->pool[i].name) == 0) {
				snprintf(err, errlen, "pool %.64s listed twice", r->pool[i].name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

bool zfs_class_word(const char *w, enum zfs_class *ret)
{
	static const struct {
		const char *w;
		enum zfs_class c;
	} words[] = { { "logs", ZFS_LOG },     { "cache", ZFS_CACHE },	   { "spares", ZFS_SPARE },
		      { "spare", ZFS_SPARE },  { "special", ZFS_SPECIAL }, { "dedup", ZFS_DEDUP },
		      { "l2cache", ZFS_CACHE } };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(w, words[i].w) == 0) {
			*ret = words[i].c;
			return true;
		}
	}
	return false;
}

static bool counts(enum zfs_class c)
{
	return c == ZFS_DATA || c == ZFS_SPECIAL || c == ZFS_DEDUP;
}

static bool in_sync(const struct zfs_dev *d, bool wide)
{
	return strcmp(d->state, "ONLINE") == 0 && (!d->resilvering || wide);
}

static bool is_interior_slot(const struct zfs_dev *d)
{
	return strncmp(d->name, "replacing-", 10) == 0 || strncmp(d->name, "spare-", 6) == 0;
}

/* Whether top-level vdev t is in a rebuild that marks every plain child (see above). */
static bool wide_rebuild(const struct zfs_pool *p, size_t t)
{
	int plain = 0, marked = 0;

	for (size_t k = t + 1; k < p->n_dev && p->dev[k].depth > 1; k++) {
		if (p->dev[k].depth != 2 || is_interior_slot(&p->dev[k]))
			continue;
		plain++;
		marked += p->dev[k].resilvering;
	}
	return plain > 1 && marked == plain;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A top-level vdev's type and the losses it survives whole: -1 for a name not understood. */
static int vdev_nominal(const char *name, int children, const char **type)
{
	static const char *const parity_types[2][3] = { { "raidz1", "raidz2", "raidz3" },
							{ "draid1", "draid2", "draid3" } };
	int parity = 1;

	if (starts(name, "mirror")) {
		*type = "mirror";
		return children > 0 ? children - 1 : -1;
	}
	if (starts(name, "raidz") || starts(name, "draid")) {
		char c = name[5]; /* "raidz" alone, or "raidz-0", is raidz1 */

		if (c >= '1' && c <= '3')
			parity = c - '0';
		else if (c != '-' && c != ':' && c != '\0')
			return -1;
		*type = parity_types[name[0] == 'r' ? 0 : 1][parity - 1];
		return parity;
	}
	if (children > 0) /* an interior vdev of a type we do not know */
		return -1;
	*type = "stripe";
	return 0;
}

/* Whether child c (index in p->dev, depth 2) holds its slot. */
static bool slot_holds(const struct zfs_pool *p, size_t c, bool wide)
{
	const struct zfs_dev *d = &p->dev[c];
	bool any = false;

	if (!is_interior_slot(d))
		return in_sync(d, wide);
	for (size_t k = c + 1; k < p->n_dev && p->dev[k].depth > d->depth; k++)
		any = any || (p->dev[k].depth == d->depth + 1 && slot_holds(p, k, false));
	return any;
}

struct eval {
	const struct zfs_pool *p;
	struct redmon_group *g;
	struct redmon_member *mem;
	char *reason;
	size_t len;
	const char *type; /* of the worst vdev */
	int vdevs;	  /* top-level vdevs counted so far */
	bool unknown;	  /* one of a type not understood: the margin is not known */
};

static void add_reason(struct eval *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_reason(struct eval *e, const char *fmt, ...)
{
	size_t used = strlen(e->reason);
	va_list ap;

	if (used + 3 >= e->len)
		return;
	if (used)
		used += (size_t)snprintf(e->reason + used, e->len - used, "; ");
	va_start(ap, fmt);
	vsnprintf(e->reason + used, e->len - used, fmt, ap);
	va_end(ap);
}

/* One top-level vdev at index t: its margin folded into g, its troubles into the reason. */
static void eval_vdev(struct eval *e, size_t t)
{
	const struct zfs_pool *p = e->p;
	const struct zfs_dev *v = &p->dev[t];
	int children = 0, lost = 0, nominal;
	const char *type = NULL;
	bool wide = wide_rebuild(p, t);

	for (size_t k = t + 1; k < p->n_dev && p->dev[k].depth > 1; k++) {
		if (p->dev[k].depth != 2)
			continue;
		children++;
		if (!slot_holds(p, k, wide)) {
			lost++;
			add_reason(e, "%.64s: %.64s %s%s%.64s", v->name, p->dev[k].name,
				   p->dev[k].state, p->dev[k].note[0] ? " " : "", p->dev[k].note);
		}
	}
	nominal = vdev_nominal(v->name, children, &type);
	if (nominal < 0) {
		e->unknown = true;
		add_reason(e, "vdev %.64s: type not understood", v->name);
		return;
	}
	if (children == 0 && !in_sync(v, false)) {
		lost = 1;
		add_reason(e, "%.64s %s%s%.64s", v->name, v->state, v->note[0] ? " " : "", v->note);
	}
	if (!e->vdevs || nominal - lost < e->g->margin) {
		e->g->margin = nominal - lost;
		e->type = type;
	}
	if (!e->vdevs || nominal < e->g->margin_nominal)
		e->g->margin_nominal = nominal;
	e->vdevs++;
}

static enum redmon_role leaf_role(const struct zfs_dev *d, bool wide)
{
	static const char *const failed[] = { "FAULTED", "OFFLINE", "DEGRADED", NULL };

	if (in_sync(d, wide))
		return REDMON_ROLE_ACTIVE;
	if (strcmp(d->state, "ONLINE") == 0)
		return REDMON_ROLE_REBUILDING;
	for (size_t i = 0; failed[i]; i++) {
		if (strcmp(d->state, failed[i]) == 0)
			return REDMON_ROLE_FAILED;
	}
	if (strcmp(d->state, "UNAVAIL") == 0 || strcmp(d->state, "REMOVED") == 0)
		return REDMON_ROLE_MISSING;
	return REDMON_ROLE_UNKNOWN;
}

static bool is_leaf(const struct zfs_pool *p, size_t i)
{
	return i + 1 >= p->n_dev || p->dev[i + 1].depth <= p->dev[i].depth;
}

/* The members: the leaves of the counting classes, then the spares AVAIL. */
static void eval_members(struct eval *e)
{
	const struct zfs_pool *p = e->p;
	struct redmon_group *g = e->g;
	bool wide = false;
	size_t top = 0;

	g->members_total = g->members_ok = g->members_failed = g->spares = 0;
	for (size_t i = 0; i < p->n_dev; i++) {
		const struct zfs_dev *d = &p->dev[i];
		struct redmon_member *m = &e->mem[g->n_members];

		if (d->depth == 1) {
			wide = wide_rebuild(p, i);
			top = i;
		}
		if (!is_leaf(p, i) || !(counts(d->cls) || d->cls == ZFS_SPARE))
			continue;
		if (d->cls == ZFS_SPARE && strcmp(d->state, "AVAIL") != 0)
			continue; /* INUSE: listed where it serves */
		*m = (struct redmon_member){ .name = d->name,
					     .state = d->state,
					     .device = d->path[0]	   ? d->path
						       : d->name[0] == '/' ? d->name
									   : NULL,
					     .location = d->depth > 1 ? p->dev[top].name : NULL,
					     .reason = d->note[0] ? d->note : NULL };
		m->role = d->cls == ZFS_SPARE ? REDMON_ROLE_SPARE
					      : leaf_role(d, wide && d->depth == 2);
		g->n_members++;
		if (d->cls == ZFS_SPARE) {
			g->spares++;
			continue;
		}
		g->members_total++;
		g->members_ok += m->role == REDMON_ROLE_ACTIVE;
		g->members_failed += m->role == REDMON_ROLE_FAILED;
	}
}

/* Log and cache devices count for nothing, but an operator wants to hear of them. */
static void eval_aux(struct eval *e)
{
	const struct zfs_pool *p = e->p;

	for (size_t i = 0; i < p->n_dev; i++) {
		const struct zfs_dev *d = &p->dev[i];

		if ((d->cls == ZFS_LOG || d->cls == ZFS_CACHE) && strcmp(d->state, "ONLINE") != 0 &&
		    d->state[0])
			add_reason(e, "%s %.64s %s", d->cls == ZFS_LOG ? "log" : "cache", d->name,
				   d->state);
	}
}

/* A pool whose source gives its vdevs: the worst of them, its members, its aux devices. */
static void eval_tree(struct eval *e)
{
	const struct zfs_pool *p = e->p;

	for (size_t i = 0; i < p->n_dev; i++) {
		if (p->dev[i].depth == 1 && counts(p->dev[i].cls))
			eval_vdev(e, i);
	}
	eval_members(e);
	eval_aux(e);
	if (!e->vdevs && !e->unknown)
		add_reason(e, "no data vdev in the output");
	if (!e->vdevs || e->unknown)
		e->g->margin = REDMON_MARGIN_UNKNOWN;
}

/* A pool whose source gives only its state word: what that word alone says. */
static void eval_state_only(struct eval *e)
{
	const char *s = e->p->state;

	e->g->members_total = e->g->members_ok = -1;
	if (strcmp(s, "ONLINE") == 0) {
		e->g->margin = e->g->margin_nominal = 0;
		add_reason(e, "ONLINE; the vdev layout is not known from this source");
	} else if (strcmp(s, "DEGRADED") == 0) {
		e->g->margin = 0;
		e->g->margin_nominal = 1;
		add_reason(e, "pool DEGRADED; which vdev is not known from this source");
	} else {
		e->g->margin = REDMON_MARGIN_UNKNOWN;
		add_reason(e, "pool state %s not understood", s[0] ? s : "empty");
	}
}

static bool pool_lost(const char *s)
{
	return strcmp(s, "FAULTED") == 0 || strcmp(s, "UNAVAIL") == 0 ||
	       strcmp(s, "SUSPENDED") == 0 || strcmp(s, "REMOVED") == 0 ||
	       strcmp(s, "OFFLINE") == 0;
}

void zfs_pool_eval(const struct zfs_pool *p, struct redmon_group *g, struct redmon_member *mem,
		   char *reason, size_t len)
{
	struct eval e = { .p = p, .g = g, .mem = mem, .reason = reason, .len = len };

	*g = (struct redmon_group){
		.name = p->name, .kind = "zfs", .members = mem, .progress = -1
	};
	reason[0] = '\0';
	if (pool_lost(p->state))
		add_reason(&e, "pool %s", p->state);
	if (p->detail >= ZFS_SRC_LIST_V)
		eval_tree(&e);
	else if (!pool_lost(p->state)) {
		eval_state_only(&e);
	} else {
		g->members_total = g->members_ok = -1;
	}
	if (pool_lost(p->state)) /* certain, whatever else is not known */
		g->margin = g->margin != REDMON_MARGIN_UNKNOWN && g->margin < -1 ? g->margin : -1;
	g->type = e.type;
	g->activity = p->scan == ZFS_SCAN_RESILVER ? REDMON_ACTIVITY_RECOVERY
		      : p->scan == ZFS_SCAN_SCRUB  ? REDMON_ACTIVITY_REPAIR
						   : REDMON_ACTIVITY_NONE;
	g->progress = g->activity ? p->progress : -1;
	g->scrub_time = p->scrub_end;
	g->scrub_found = p->scrub_found[0] ? p->scrub_found : NULL;
	if (p->errors[0])
		add_reason(&e, "%s", p->errors);
	g->reason = reason[0] ? reason : NULL;
}
