// SPDX-License-Identifier: GPL-2.0-or-later
/* PSU set bookkeeping shared by the PSU probes: see psu_set.h. */
#include "psu_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/grow.h"
#include "redmon/sorted.h"

/* Supplies a set remembers at most: far beyond any chassis, bounds hostile input. */
#define PSU_SET_MAX 256

/*
 * Where key is, or would go, in set->by_key; *found says whether it is there.
 * Asked once per supply and scan, and a hostile source may list many: bisection.
 */
struct seen_key {
	const struct psu_set *set;
	const char *key;
};

static int seen_cmp(const void *key, size_t i)
{
	const struct seen_key *k = key;

	return strcmp(k->set->seen[k->set->by_key[i]], k->key);
}

static size_t seen_pos(const struct psu_set *set, const char *key, bool *found)
{
	const struct seen_key k = { set, key };

	return sorted_search(set->n_seen, seen_cmp, &k, found);
}

bool psu_set_seen(const struct psu_set *set, const char *key)
{
	bool found;

	seen_pos(set, key, &found);
	return found;
}

static int remember(struct psu_set *set, const char *key)
{
	size_t *idx, pos, n = set->n_seen;
	char **v;
	bool found;

	pos = seen_pos(set, key, &found);
	if (found || n >= PSU_SET_MAX)
		return 0;
	v = realloc(set->seen, (n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	set->seen = v;
	idx = realloc(set->by_key, (n + 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	set->by_key = idx;
	v[n] = strdup(key);
	if (!v[n])
		return -ENOMEM;
	memmove(&idx[pos + 1], &idx[pos], (n - pos) * sizeof(*idx));
	idx[pos] = n;
	set->n_seen++;
	return 0;
}

static bool present(enum psu_cond c)
{
	return c == PSU_OK || c == PSU_STANDBY || c == PSU_FAILED;
}

/* Free the strings the members point into, keeping the array for the next scan. */
static void drop_owned(struct psu_eval *ev)
{
	for (size_t i = 0; i < ev->n_owned; i++)
		free(ev->owned[i]);
	ev->n_owned = 0;
}

void psu_eval_free(struct psu_eval *ev)
{
	drop_owned(ev);
	free(ev->owned);
	free(ev->members);
	strbuf_free(&ev->reason);
	memset(ev, 0, sizeof(*ev));
}

void psu_set_free(struct psu_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n_seen; i++)
		free(set->seen[i]);
	free(set->seen);
	free(set->by_key);
	memset(set, 0, sizeof(*set));
}

/* A copy of s owned by ev (NULL stays NULL); NULL with *oom set on failure. */
static const char *own(struct psu_eval *ev, const char *s, bool *oom)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy ||
	    !grow_one((void **)&ev->owned, &ev->cap_owned, ev->n_owned, sizeof(*ev->owned), 16)) {
		free(copy);
		*oom = true;
		return NULL;
	}
	ev->owned[ev->n_owned++] = copy;
	return copy;
}

static void add_member(struct psu_eval *ev, const struct psu_supply *s, bool *oom)
{
	static const enum redmon_role role[] = {
		[PSU_OK] = REDMON_ROLE_ACTIVE,	     [PSU_STANDBY] = REDMON_ROLE_STANDBY,
		[PSU_ABSENT] = REDMON_ROLE_MISSING,  [PSU_FAILED] = REDMON_ROLE_FAILED,
		[PSU_UNKNOWN] = REDMON_ROLE_UNKNOWN,
	};
	enum psu_cond c = s->view.cond;

	ev->members[ev->n_members++] = (struct redmon_member){
		.name = own(ev, s->key, oom),
		.role = (unsigned)c <= PSU_UNKNOWN ? role[c] : REDMON_ROLE_UNKNOWN,
		.state = own(ev, s->view.state[0] ? s->view.state : NULL, oom),
		.reason = own(ev, s->view.why[0] ? s->view.why : NULL, oom),
		.location = own(ev, s->location, oom),
		.serial = own(ev, s->serial, oom),
		.risk = (unsigned)s->view.risk < REDMON_RISK_COUNT_ ? s->view.risk
								    : REDMON_RISK_NONE,
	};
	if (s->view.why[0] && strbuf_addf(&ev->reason, "; ", "%s: %s", s->key, s->view.why) < 0)
		*oom = true;
	ev->ok += c == PSU_OK;
	ev->spares += c == PSU_STANDBY;
	ev->usable += c == PSU_OK || c == PSU_STANDBY;
	ev->failed += c == PSU_FAILED;
	ev->unreadable += s->view.unreadable;
	ev->total++;
}

/* "All but one of n" (at least 1), unless the probe hints otherwise. */
static int guess_needed(size_t n, int hint_needed)
{
	return hint_needed > 0 ? hint_needed : n > 1 ? (int)n - 1 : 1;
}

int psu_set_eval(struct psu_set *set, const struct psu_supply *s, size_t n, int required,
		 int hint_needed, struct psu_eval *ev)
{
	size_t n_present = 0, n_unreadable = 0, cap;
	bool oom = false;
	int needed;

	drop_owned(ev);
	ev->n_members = 0;
	ev->total = ev->ok = ev->failed = ev->spares = ev->usable = ev->unreadable = 0;
	ev->reason.len = 0;

	for (size_t i = 0; i < n; i++) {
		n_present += present(s[i].view.cond);
		n_unreadable += s[i].view.unreadable;
	}
	/*
	 * N is not learned from a scan that could not read every supply: it is
	 * then a guess for this scan only, counting the unreadable as present.
	 */
	if (required > 0)
		set->needed = required;
	else if (set->needed == 0 && n_present > 0 && n_unreadable == 0)
		set->needed = guess_needed(n_present, hint_needed);
	needed = set->needed	    ? set->needed
		 : n_unreadable > 0 ? guess_needed(n_present + n_unreadable, hint_needed)
				    : 0;
	for (size_t i = 0; i < n; i++) {
		if (present(s[i].view.cond) && remember(set, s[i].key) < 0)
			return -ENOMEM;
	}

	cap = n + set->n_seen;
	if (cap == 0)
		return -ENODATA;
	free(ev->members);
	ev->members = calloc(cap, sizeof(*ev->members));
	if (!ev->members)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (present(s[i].view.cond) || s[i].count_absent || s[i].view.unreadable ||
		    psu_set_seen(set, s[i].key))
			add_member(ev, &s[i], &oom);
	}
	/* Supplies seen before that the source no longer lists at all. */
	if (set->n_seen > 0) {
		bool *listed = calloc(set->n_seen, sizeof(*listed));

		if (!listed)
			return -ENOMEM;
		for (size_t j = 0; j < n; j++) {
			bool found;
			size_t pos = seen_pos(set, s[j].key, &found);

			if (found)
				listed[set->by_key[pos]] = true;
		}
		for (size_t i = 0; i < set->n_seen; i++) {
			const struct psu_supply gone = {
				.key = set->seen[i],
				.view = { .cond = PSU_ABSENT,
					  .state = "no longer reported",
					  .why = "gone since it was last seen (pulled?)" },
			};

			if (!listed[i])
				add_member(ev, &gone, &oom);
		}
		free(listed);
	}
	if (oom)
		return -ENOMEM;
	if (ev->total == 0 || needed == 0)
		return -ENODATA;

	ev->needed = needed;
	/* A supply that could not be read may be delivering or not: unknown. */
	ev->margin = ev->unreadable ? REDMON_MARGIN_UNKNOWN : ev->usable - ev->needed;
	ev->margin_nominal = ev->total > ev->needed ? ev->total - ev->needed : 0;
	snprintf(ev->type, sizeof(ev->type), "%d+%d", ev->needed, ev->margin_nominal);
	return 0;
}

void psu_group_begin(struct psu_group *pg)
{
	pg->n = 0;
}

struct psu_view *psu_group_add(struct psu_group *pg, const char *key, const char *location,
			       const char *serial)
{
	if (!grow_one((void **)&pg->sup, &pg->cap, pg->n, sizeof(*pg->sup), 8))
		return NULL;
	pg->sup[pg->n] = (struct psu_supply){ .key = key, .location = location, .serial = serial };
	return &pg->sup[pg->n++].view;
}

int psu_group_eval(struct psu_group *pg, int required, int hint_needed, const char *name,
		   struct redmon_group *g)
{
	int rc = psu_set_eval(&pg->set, pg->sup, pg->n, required, hint_needed, &pg->ev);

	if (rc < 0)
		return rc;
	/* The strings stay owned by pg->ev. */
	*g = (struct redmon_group){
		.name = name,
		.kind = "psu",
		.type = pg->ev.type,
		.members_total = pg->ev.total,
		.members_ok = pg->ev.ok,
		.members_failed = pg->ev.failed,
		.spares = pg->ev.spares,
		.margin = pg->ev.margin,
		.margin_nominal = pg->ev.margin_nominal,
		.activity = REDMON_ACTIVITY_NONE,
		.progress = -1,
		.reason = pg->ev.reason.len ? pg->ev.reason.p : NULL,
		.members = pg->ev.members,
		.n_members = pg->ev.n_members,
	};
	return 0;
}

void psu_group_end(struct psu_group *pg)
{
	free(pg->sup);
	pg->sup = NULL;
	pg->n = pg->cap = 0;
}

void psu_group_free(struct psu_group *pg)
{
	if (!pg)
		return;
	psu_set_free(&pg->set);
	psu_eval_free(&pg->ev);
	free(pg->sup);
	memset(pg, 0, sizeof(*pg));
}
