// SPDX-License-Identifier: GPL-2.0-or-later
/* The bond probe's decisions: see bond_rules.h and README.md. */
#include "bond_rules.h"

#include "../lib/psu_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append one reason to a "; "-joined list in buf; a cut list ends in "...". */
static void __attribute__((format(printf, 3, 4)))
reason_append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	if (len + 4 >= cap) /* already full (and cut) */
		return;
	if (len) {
		snprintf(buf + len, cap - len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= cap - len)
		memcpy(buf + cap - 4, "...", 4);
}

/* The same to an array (every caller but unreadable()'s). */
#define add_reason(array, ...) reason_append(array, sizeof(array), __VA_ARGS__)

static bool mac_zero(const uint8_t mac[6])
{
	return memcmp(mac, (const uint8_t[6]){ 0 }, 6) == 0;
}

static bool uses_primary(enum bond_mode m)
{
	/* bond_uses_primary() in bonding.h */
	return m == BOND_MODE_AB || m == BOND_MODE_TLB || m == BOND_MODE_ALB;
}

/* Link verdict of one slave: 1 up, 0 down, -1 unknown; reason in mv when down. */
static int slave_link(const struct bond_slave *s, struct bond_member_verdict *mv)
{
	switch (s->link) {
	case BOND_LINK_UP:
	case BOND_LINK_FAIL:
		if (s->oper == BOND_OPER_DOWN) {
			/*
			 * The carrier is gone but the MII monitor has not seen it
			 * yet, or never will (miimon 0): the driver still sends.
			 */
			add_reason(mv->reason,
				   "carrier down (operstate down) but bonding still says MII %s",
				   bond_link_name(s->link));
			return 0;
		}
		if (s->link == BOND_LINK_FAIL)
			add_reason(mv->reason, "link going down, still used until downdelay ends");
		return 1;
	case BOND_LINK_DOWN:
		add_reason(mv->reason, "link down");
		return 0;
	case BOND_LINK_BACK:
		add_reason(mv->reason, "link coming back, not used until updelay ends");
		return 0;
	default:
		break;
	}
	if (s->oper == BOND_OPER_UP)
		return 1;
	if (s->oper == BOND_OPER_DOWN) {
		add_reason(mv->reason, "link down (operstate down)");
		return 0;
	}
	add_reason(mv->reason, "link state not readable");
	return -1;
}

/* Whether s is the active slave: its own state, else in active-backup the bond's; -1 unknown. */
static int slave_active(const struct bond_info *info, const struct bond_slave *s)
{
	if (s->is_active >= 0 || info->mode != BOND_MODE_AB || !info->active_known)
		return s->is_active;
	return info->active && strcmp(info->active, s->name) == 0;
}

static void member_state(const struct bond_info *info, const struct bond_slave *s,
			 struct bond_member_verdict *mv)
{
	int active = slave_active(info, s);

	/* The first item of a state calloc() cleared: without a format to parse. */
	str_concat(mv->state, sizeof(mv->state), "mii ", bond_link_name(s->link),
		   (const char *)NULL);
	if (s->oper == BOND_OPER_DOWN)
		psu_text_add(mv->state, sizeof(mv->state), ", ", "operstate down");
	if (uses_primary(info->mode) && active >= 0)
		psu_text_add(mv->state, sizeof(mv->state), ", ", active ? "active" : "backup");
	if (info->mode == BOND_MODE_8023AD && s->agg_known && s->agg_id >= 0)
		psu_text_add(mv->state, sizeof(mv->state), ", ", "aggregator %d", s->agg_id);
	else if (info->mode == BOND_MODE_8023AD && s->agg_known)
		psu_text_add(mv->state, sizeof(mv->state), ", ", "no aggregator");
}

/*
 * A fact a source showed but the probe could not read or parse
 * (BOND_BAD_* in bond_info.h): what it is, and where each source has it.
 */
struct fact {
	unsigned int bit;
	const char *what;     /* "bonding mode" */
	const char *proc_key; /* its /proc line; NULL when /proc has none */
	const char *attr;     /* its sysfs attribute, under the bond's (slave's) directory */
};

static const struct fact bond_facts[] = {
	{ BOND_BAD_MODE, "bonding mode", "Bonding Mode", "bonding/mode" },
	{ BOND_BAD_SLAVES, "slave list", NULL, "bonding/slaves" },
	{ BOND_BAD_CARRIER, "bond MII status", "MII Status", "bonding/mii_status" },
	{ BOND_BAD_OPER, "bond operstate", NULL, "operstate" },
	{ BOND_BAD_FLAGS, "bond flags", NULL, "flags" },
	{ BOND_BAD_MIN_LINKS, "min_links", "Min links", "bonding/min_links" },
	{ BOND_BAD_AGG, "active aggregator", "Aggregator ID", "bonding/ad_aggregator" },
	{ BOND_BAD_PORTS, "active aggregator's port count", "Number of ports",
	  "bonding/ad_num_ports" },
	{ BOND_BAD_PARTNER_MAC, "LACP partner MAC", "Partner Mac Address",
	  "bonding/ad_partner_mac" },
};

static const struct fact slave_facts[] = {
	{ BOND_BAD_S_LINK, "MII status", "MII Status", "bonding_slave/mii_status" },
	{ BOND_BAD_S_OPER, "operstate", NULL, "operstate" },
	{ BOND_BAD_S_AGG, "aggregator ID", "Aggregator ID", "bonding_slave/ad_aggregator_id" },
	{ BOND_BAD_S_ACTOR, "LACP actor port state", "port state",
	  "bonding_slave/ad_actor_oper_port_state" },
	{ BOND_BAD_S_PARTNER, "LACP partner port state", "port state",
	  "bonding_slave/ad_partner_oper_port_state" },
	{ BOND_BAD_S_PARTNER_MAC, "LACP partner MAC", "system mac address", NULL },
};

/* The facts that count only in 802.3ad. */
#define BAD_LACP   (BOND_BAD_MIN_LINKS | BOND_BAD_AGG | BOND_BAD_PORTS | BOND_BAD_PARTNER_MAC)
#define BAD_S_LACP (BOND_BAD_S_AGG | BOND_BAD_S_ACTOR | BOND_BAD_S_PARTNER | BOND_BAD_S_PARTNER_MAC)

/* The facts of the bond that no source gave (the slave list is marked only when none did). */
static unsigned int bond_missing(const struct bond_info *info)
{
	return BOND_BAD_SLAVES | (info->mode == BOND_MODE_UNKNOWN ? BOND_BAD_MODE : 0) |
	       (info->carrier < 0 ? BOND_BAD_CARRIER : 0) |
	       (info->oper == BOND_OPER_UNKNOWN ? BOND_BAD_OPER : 0) |
	       (info->admin_up < 0 ? BOND_BAD_FLAGS : 0) |
	       (info->min_links < 0 ? BOND_BAD_MIN_LINKS : 0) |
	       (!info->no_active_agg && info->active_agg < 0 ? BOND_BAD_AGG : 0) |
	       (info->active_ports < 0 ? BOND_BAD_PORTS : 0) |
	       (!info->partner_mac_known ? BOND_BAD_PARTNER_MAC : 0);
}

/* The same for a slave; its partner MAC is asked for only without the aggregator's. */
static unsigned int slave_missing(const struct bond_info *info, const struct bond_slave *s)
{
	return (s->link == BOND_LINK_UNKNOWN ? BOND_BAD_S_LINK : 0) |
	       (s->oper == BOND_OPER_UNKNOWN ? BOND_BAD_S_OPER : 0) |
	       (!s->agg_known ? BOND_BAD_S_AGG : 0) | (s->actor_state < 0 ? BOND_BAD_S_ACTOR : 0) |
	       (s->partner_state < 0 ? BOND_BAD_S_PARTNER : 0) |
	       (!s->partner_mac_known && !info->partner_mac_known ? BOND_BAD_S_PARTNER_MAC : 0);
}

/*
 * Append "<what> not readable (<where>)" to buf for each fact of facts[] in
 * mask that a source showed but could not read, naming each such source:
 * the /proc file and its line, the sysfs attribute under dir.  True when
 * there was one (the margin is then unknown).
 */
static bool unreadable(const struct fact *facts, size_t n, unsigned int bad_proc,
		       unsigned int bad_sysfs, unsigned int mask, const char *bond, const char *dir,
		       char *buf, size_t cap)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		const struct fact *f = &facts[i];
		char proc[96] = "", sysfs[192] = "";

		if (!((bad_proc | bad_sysfs) & mask & f->bit))
			continue;
		if (bad_proc & f->bit)
			snprintf(proc, sizeof(proc), "proc/net/bonding/%s \"%s:\"", bond,
				 f->proc_key);
		if ((bad_sysfs & f->bit) && f->attr)
			snprintf(sysfs, sizeof(sysfs), "%s/%s", dir, f->attr);
		reason_append(buf, cap, "%s not readable (%s%s%s)", f->what, proc,
			      proc[0] && sysfs[0] ? ", " : "", sysfs);
		any = true;
	}
	return any;
}

static bool bond_unreadable(const struct bond_info *info, struct bond_verdict *v)
{
	unsigned int mask = bond_missing(info);
	char dir[64];

	if (info->mode != BOND_MODE_8023AD)
		mask &= ~BAD_LACP;
	str_concat(dir, sizeof(dir), "sys/class/net/", info->name, (const char *)NULL);
	return unreadable(bond_facts, sizeof(bond_facts) / sizeof(bond_facts[0]), info->bad_proc,
			  info->bad_sysfs, mask, info->name, dir, v->reason, sizeof(v->reason));
}

/* The slave's link facts, or with lacp its 802.3ad ones, as member reasons. */
static bool slave_unreadable(const struct bond_info *info, const struct bond_slave *s, bool lacp,
			     struct bond_member_verdict *mv)
{
	unsigned int mask = slave_missing(info, s) & (lacp ? BAD_S_LACP : ~BAD_S_LACP);
	char dir[96];

	/* Where its attributes were, else where they were looked for first. */
	bond_slave_dir_path(info->name, s->name, s->dir == BOND_DIR_NONE ? BOND_DIR_CLASS : s->dir,
			    dir, sizeof(dir));
	return unreadable(slave_facts, sizeof(slave_facts) / sizeof(slave_facts[0]), s->bad_proc,
			  s->bad_sysfs, mask, info->name, dir, mv->reason, sizeof(mv->reason));
}

/* What a decision needs beyond the verdict itself. */
struct ctx {
	const struct bond_info *info;
	struct bond_verdict *v;
	bool unknown;	 /* some slave's usability cannot be told */
	char notes[512]; /* the mode's group-level reasons */
};

/*
 * A slave attached to the active aggregator: usable unless that aggregator
 * has a LACP partner and this port's actor or partner is not collecting and
 * distributing.  Sets *no_partner when the aggregator has no partner, and
 * *verified when there was anything to check.
 */
static bool lacp_usable(const struct bond_info *info, const struct bond_slave *s,
			struct bond_member_verdict *mv, bool *no_partner, bool *verified)
{
	const int cd = BOND_LACP_COLLECTING | BOND_LACP_DISTRIBUTING;
	char a[12] = "?", p[12] = "?";
	int partner = -1; /* 1 there, 0 none, -1 cannot tell */

	if (info->partner_mac_known)
		partner = !mac_zero(info->partner_mac);
	else if (s->partner_mac_known)
		partner = !mac_zero(s->partner_mac);
	else if (s->actor_state >= 0)
		partner = !(s->actor_state & BOND_LACP_DEFAULTED);
	if (partner == 0) {
		*no_partner = true;
		return true;
	}
	if (partner == 1 || s->actor_state >= 0 || s->partner_state >= 0)
		*verified = true;
	if ((s->actor_state < 0 || (s->actor_state & cd) == cd) &&
	    (s->partner_state < 0 || (s->partner_state & cd) == cd))
		return true;
	if (s->actor_state >= 0)
		snprintf(a, sizeof(a), "0x%02x", (unsigned int)s->actor_state & 0xffu);
	if (s->partner_state >= 0)
		snprintf(p, sizeof(p), "0x%02x", (unsigned int)s->partner_state & 0xffu);
	mv->role = REDMON_ROLE_FAILED;
	add_reason(mv->reason,
		   "in the active aggregator but LACP is not collecting and distributing (actor "
		   "state %s, partner state %s)",
		   a, p);
	return false;
}

/*
 * 802.3ad (README.md, "What it decides").  Without a LACP partner the kernel
 * enables the ports of the active aggregator anyway (ad_agg_selection_logic()
 * in bond_3ad.c): one "individual" port, which the corpus counts in service.
 */
static void decide_8023ad(struct ctx *c)
{
	const struct bond_info *info = c->info;
	struct bond_verdict *v = c->v;
	int active = info->no_active_agg ? -1 : info->active_agg;
	bool inferred = false, no_partner = false, verified = false, split = false;

	if (!info->no_active_agg && active < 0) {
		/*
		 * A non-root view shows no active aggregator.  When every
		 * slave that is up sits in the same one, that must be it.
		 */
		int seen = -1;

		for (size_t i = 0; i < info->n_slaves; i++) {
			const struct bond_slave *s = &info->slaves[i];

			if (v->members[i].link != 1 || !s->agg_known || s->agg_id < 0)
				continue;
			if (seen >= 0 && s->agg_id != seen)
				split = true;
			seen = s->agg_id;
		}
		if (split) {
			add_reason(c->notes,
				   "slaves are split across aggregators and the active one "
				   "is not readable (needs CAP_NET_ADMIN)");
			c->unknown = true;
		} else if (seen >= 0) {
			active = seen;
			inferred = true;
		}
	}
	if (info->no_active_agg)
		add_reason(c->notes, "no active aggregator");

	for (size_t i = 0; i < info->n_slaves; i++) {
		const struct bond_slave *s = &info->slaves[i];
		struct bond_member_verdict *mv = &v->members[i];

		if (mv->link != 1)
			continue;
		if (info->no_active_agg) {
			mv->role = REDMON_ROLE_FAILED;
			add_reason(mv->reason, "link up but the bond has no active aggregator");
			continue;
		}
		if (slave_unreadable(info, s, true, mv)) {
			mv->role = REDMON_ROLE_UNKNOWN;
			c->unknown = true;
			continue;
		}
		if (s->agg_known && s->agg_id < 0) {
			mv->role = REDMON_ROLE_FAILED;
			add_reason(mv->reason, "link up but not attached to an aggregator");
			continue;
		}
		if (split || (active >= 0 && !s->agg_known)) {
			mv->role = REDMON_ROLE_UNKNOWN;
			if (s->agg_known)
				add_reason(
					mv->reason,
					"link up in aggregator %d, which may not be the active one",
					s->agg_id);
			else
				add_reason(mv->reason,
					   "link up, aggregator membership not readable");
			c->unknown = true;
			continue;
		}
		if (active < 0) {
			/* No aggregator data at all (a partial capture): trust the link. */
			mv->usable = true;
			continue;
		}
		if (s->agg_id != active) {
			mv->role = REDMON_ROLE_FAILED;
			add_reason(mv->reason,
				   "link up but in aggregator %d, not in the active aggregator %d "
				   "(split aggregator)",
				   s->agg_id, active);
			continue;
		}
		mv->usable = lacp_usable(info, s, mv, &no_partner, &verified);
	}
	if (no_partner)
		add_reason(c->notes,
			   "no LACP partner (partner MAC 00:00:00:00:00:00 or LACP defaulted): "
			   "the bond runs on one individual port");
	if (inferred)
		add_reason(c->notes,
			   "active aggregator not readable (needs CAP_NET_ADMIN): assumed "
			   "aggregator %d, the only one with slaves up",
			   active);
	else if (!verified && !no_partner && active >= 0)
		add_reason(c->notes, "LACP partner not verified (needs CAP_NET_ADMIN)");
}

/* active-backup: one slave carries traffic, the healthy others stand by. */
static void decide_ab(struct ctx *c)
{
	const struct bond_info *info = c->info;
	struct bond_verdict *v = c->v;
	const struct bond_slave *primary = NULL;
	size_t usable = 0;

	for (size_t i = 0; i < info->n_slaves; i++) {
		const struct bond_slave *s = &info->slaves[i];
		struct bond_member_verdict *mv = &v->members[i];

		if (info->primary && strcmp(s->name, info->primary) == 0)
			primary = s;
		if (mv->link != 1)
			continue;
		usable++;
		/* Not known: active, as with every other mode. */
		mv->role = slave_active(info, s) ? REDMON_ROLE_ACTIVE : REDMON_ROLE_STANDBY;
	}
	if (info->active_known && !info->active && usable)
		add_reason(c->notes, "no active slave");
	if (primary && info->active_known && info->active &&
	    strcmp(primary->name, info->active) != 0 && primary->link == BOND_LINK_UP &&
	    primary->oper != BOND_OPER_DOWN)
		add_reason(c->notes, "running on backup slave %s while primary %s is up",
			   info->active, primary->name);
}

static void mixed_links(const struct bond_info *info, struct bond_verdict *v)
{
	long long lo = -1, hi = -1;
	bool half = false, full = false;

	for (size_t i = 0; i < info->n_slaves; i++) {
		const struct bond_slave *s = &info->slaves[i];

		if (v->members[i].link != 1)
			continue;
		if (s->speed > 0) {
			if (lo < 0 || s->speed < lo)
				lo = s->speed;
			if (s->speed > hi)
				hi = s->speed;
		}
		half |= s->duplex == BOND_DUPLEX_HALF;
		full |= s->duplex == BOND_DUPLEX_FULL;
	}
	if (lo != hi)
		add_reason(v->reason, "mixed speeds among slaves (%lld to %lld Mbps)", lo, hi);
	if (half && full)
		add_reason(v->reason, "mixed duplex among slaves (half and full)");
}

/*
 * A slave that is up now but whose link failed since the last scan.  (One
 * that is down now says so already: its rise is that failure.)
 */
static void flapping(const struct bond_info *info, const long long *prev, struct bond_verdict *v)
{
	for (size_t i = 0; prev && i < info->n_slaves; i++) {
		long long now = info->slaves[i].link_failures, n = now - prev[i];

		if (v->members[i].link != 1 || prev[i] < 0 || now <= prev[i])
			continue;
		/* The total makes each rise a new text, so a reason diff sees it. */
		add_reason(v->members[i].reason,
			   "link flapping: %lld link failure%s since last scan (%lld in total)", n,
			   n == 1 ? "" : "s", now);
	}
}

/* The bond itself down: the reason, or NULL when it is not known to be down. */
static const char *bond_down(const struct bond_info *info)
{
	if (info->admin_up == 0)
		return "bond is administratively down";
	if (info->oper == BOND_OPER_DOWN)
		return "bond link down (operstate down)";
	if (info->carrier == 0)
		return "bond link down (MII status down)";
	return NULL;
}

int bond_decide(const struct bond_info *info, const long long *prev_failures,
		struct bond_verdict *ret)
{
	struct bond_verdict v = { 0 };
	struct ctx c = { .info = info, .v = &v };
	const char *down = bond_down(info);
	int needed = 1, ok = 0, failed = 0;

	v.type = bond_mode_name(info->mode);
	v.n_members = info->n_slaves;
	if (info->n_slaves) {
		v.members = calloc(info->n_slaves, sizeof(*v.members));
		if (!v.members)
			return -ENOMEM;
	}
	/* min_links counts only in 802.3ad (bond_3ad_set_carrier(); bonding.rst). */
	if (info->mode == BOND_MODE_8023AD && info->min_links > 1)
		needed = info->min_links;

	for (size_t i = 0; i < info->n_slaves; i++) {
		const struct bond_slave *s = &info->slaves[i];
		struct bond_member_verdict *mv = &v.members[i];

		member_state(info, s, mv);
		/* A link state shown but not readable is not "up" because another one is. */
		mv->link = slave_unreadable(info, s, false, mv) ? -1 : slave_link(s, mv);
		mv->role = mv->link == 1   ? REDMON_ROLE_ACTIVE
			   : mv->link == 0 ? REDMON_ROLE_FAILED
					   : REDMON_ROLE_UNKNOWN;
		/* A slave up carries traffic (or stands by); 802.3ad asks more of it. */
		mv->usable = mv->link == 1 && info->mode != BOND_MODE_8023AD;
		c.unknown |= mv->link < 0;
	}
	if (info->mode == BOND_MODE_8023AD)
		decide_8023ad(&c);
	else if (info->mode == BOND_MODE_AB)
		decide_ab(&c);
	flapping(info, prev_failures, &v);

	/* The group's reason: the bond, then its slaves, then the notes. */
	if (down)
		add_reason(v.reason, "%s", down);
	c.unknown |= bond_unreadable(info, &v);
	if (info->n_slaves == 0 && !(info->bad_sysfs & BOND_BAD_SLAVES))
		add_reason(v.reason, "bond has no slaves");
	for (size_t i = 0; i < v.n_members; i++) {
		struct bond_member_verdict *mv = &v.members[i];

		ok += mv->usable;
		failed += mv->role == REDMON_ROLE_FAILED;
		if (mv->reason[0])
			add_reason(v.reason, "%s: %s", info->slaves[i].name, mv->reason);
	}
	if (c.notes[0])
		add_reason(v.reason, "%s", c.notes);
	if (info->mode == BOND_MODE_8023AD && info->active_ports >= 0 && ok > info->active_ports &&
	    !info->no_active_agg) {
		add_reason(v.reason,
			   "the active aggregator has %d port%s, fewer than the %d slaves in it",
			   info->active_ports, info->active_ports == 1 ? "" : "s", ok);
		ok = info->active_ports;
	}
	if (ok < needed && needed > 1 && !c.unknown)
		add_reason(v.reason, "%d usable slave%s, min_links is %d", ok, ok == 1 ? "" : "s",
			   needed);
	mixed_links(info, &v);
	if (info->slaves_cut)
		add_reason(v.reason,
			   "slave list cut short (sysfs ++more++ or a /proc file over 1 MiB): "
			   "some slaves are not shown");
	if (info->miimon == 0 && info->arp_interval == 0)
		add_reason(v.reason,
			   "blind bond: miimon 0 and no ARP monitoring, link failures are not "
			   "detected");

	/* No list read at all: how many slaves there are is not known either. */
	v.members_total = info->n_slaves == 0 && (info->bad_sysfs & BOND_BAD_SLAVES)
				  ? -1
				  : (int)info->n_slaves;
	v.members_ok = c.unknown ? -1 : ok;
	v.members_failed = failed;
	v.margin_nominal = v.members_total > needed ? v.members_total - needed : 0;
	v.margin = c.unknown ? REDMON_MARGIN_UNKNOWN : ok - needed;
	/* Below min_links or down: failed, whatever the count (-1 says it). */
	if (down || (v.margin != REDMON_MARGIN_UNKNOWN && v.margin < -1))
		v.margin = -1;
	*ret = v;
	return 0;
}

void bond_verdict_free(struct bond_verdict *v)
{
	if (!v)
		return;
	free(v->members);
	memset(v, 0, sizeof(*v));
}
