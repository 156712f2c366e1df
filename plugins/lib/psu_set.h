/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bookkeeping every PSU probe shares: which supplies make up the set, how
 * many of them the load needs, and the margin.  psu_set_eval() turns the
 * supplies a probe sees into one group, remembering which it has seen
 * present: one that is gone (pulled, chip vanished) stays a member with role
 * missing, so the set never silently shrinks.  needed ("N" of N+M) is the
 * configured `required`, else a probe's hint (the IPMI redundancy sensor),
 * else all but one of the supplies present at the first scan that saw any and
 * could read them all; it is learned once per probe instance.
 */
#ifndef REDMON_PSU_SET_H
#define REDMON_PSU_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "psu_util.h"
#include "strbuf.h"
#include "redmon/plugin.h"

/* What a supply is doing, as far as the probe can tell. */
enum psu_cond {
	PSU_OK = 0,  /* delivering power */
	PSU_STANDBY, /* healthy, idle (cold redundancy): usable, not delivering */
	PSU_ABSENT,  /* not present */
	PSU_FAILED,  /* present but not delivering: failure, input lost, config error */
	PSU_UNKNOWN, /* could not be read */
};

/* A supply's verdict, as a probe's own rules give it (ps_classify(), ...). */
struct psu_view {
	enum psu_cond cond;
	/*
	 * The source could not be read (cond PSU_UNKNOWN, why says why): a member
	 * even if never seen present, and the set's margin is unknown, not a guess.
	 */
	bool unreadable;
	bool warn;	 /* in service, but why names a warning */
	char state[256]; /* the source's words, "" for none */
	char why[256];	 /* why not ok, or the warning; "" when fine */
	/* The member's own prediction of its failure (a drive's), NONE when it says none. */
	enum redmon_risk risk;
};

struct psu_supply {
	const char *key;      /* member name: unique and stable within the set */
	const char *location; /* may be NULL */
	const char *serial;   /* may be NULL */
	bool count_absent;    /* count this bay even if never seen present */
	struct psu_view view;
};

/* Memory across scans (one per probe instance). */
struct psu_set {
	char **seen; /* keys of supplies seen present, first-seen order */
	size_t n_seen;
	size_t *by_key; /* indexes into seen, sorted by key: lookups by bisection */
	int needed;	/* learned N; 0 until learned */
};

/* One evaluation: the group's numbers, and members whose strings it owns. */
struct psu_eval {
	int total, ok, failed, spares, usable, needed;
	int unreadable; /* members with unreadable set: margin REDMON_MARGIN_UNKNOWN */
	int32_t margin, margin_nominal;
	char type[32];
	struct redmon_member *members;
	size_t n_members;
	struct strbuf reason; /* member reasons, "; "-separated */
	char **owned;	      /* strings the members point into */
	size_t n_owned, cap_owned;
};

/*
 * Evaluate one scan.  required > 0 fixes N; else hint_needed > 0 is used when N
 * is learned (once learned it stays).  0, -ENODATA when no supply was ever
 * present and none counts (no group to report), or -ENOMEM.  ev is zeroed
 * before the first call, reset on each, released with psu_eval_free().
 */
int psu_set_eval(struct psu_set *set, const struct psu_supply *s, size_t n, int required,
		 int hint_needed, struct psu_eval *ev);

/* Was key seen present in an earlier (or this) scan? */
bool psu_set_seen(const struct psu_set *set, const char *key);

void psu_eval_free(struct psu_eval *ev);
void psu_set_free(struct psu_set *set);

/* A probe's set (memory across scans, this scan's supplies): zero it, psu_group_free() it. */
struct psu_group {
	struct psu_set set;
	struct psu_eval ev;
	struct psu_supply *sup; /* this scan's, in psu_group_add() order */
	size_t n, cap;
};

/* Start a scan: forget the last scan's supplies (the set keeps its memory). */
void psu_group_begin(struct psu_group *pg);

/*
 * Add a supply to this scan; key, location and serial (may be NULL) must stay
 * valid until the scan's last psu_group_eval().  Its view, zeroed, for the
 * probe's rules to fill (valid until the next add); NULL when out of memory.
 */
struct psu_view *psu_group_add(struct psu_group *pg, const char *key, const char *location,
			       const char *serial);

/*
 * psu_set_eval() on this scan's supplies; on 0 *g is the group (kind "psu"),
 * pointing into pg until the next call, which may follow in the same scan
 * after setting sup[i].count_absent.
 */
int psu_group_eval(struct psu_group *pg, int required, int hint_needed, const char *name,
		   struct redmon_group *g);

/*
 * End a scan: free this scan's supplies (a psu_view is over 500 bytes, and
 * they are read only by psu_group_eval()), so that a probe of a thousand
 * supplies does not keep half a megabyte between scans.  The set and the
 * last evaluation, which *g points into, stay.
 */
void psu_group_end(struct psu_group *pg);

void psu_group_free(struct psu_group *pg);

#endif /* REDMON_PSU_SET_H */
