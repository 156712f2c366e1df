// SPDX-License-Identifier: GPL-2.0-or-later
/* Parser of /proc/net/bonding/<bond>: see bond_proc.h. */
#include "bond_proc.h"

#include <limits.h>
#include <string.h>

/* "Bonding Mode:" texts, bond_mode_name() in bond_main.c; index = enum bond_mode. */
static const char *const mode_texts[] = {
	"load balancing (round-robin)",
	"fault-tolerance (active-backup)",
	"load balancing (xor)",
	"fault-tolerance (broadcast)",
	"IEEE 802.3ad Dynamic link aggregation",
	"transmit load balancing",
	"adaptive load balancing",
};

enum section {
	SEC_MASTER, /* before the first "Slave Interface" */
	SEC_AGG,    /* after "Active Aggregator Info:" */
	SEC_SLAVE,
};

enum pdu {
	PDU_NONE,
	PDU_ACTOR,   /* after "details actor lacp pdu:" */
	PDU_PARTNER, /* after "details partner lacp pdu:" */
};

struct parser {
	struct bond_info *info;
	struct bond_slave *slave; /* NULL: skipping a slave block without a name */
	enum section sec;
	enum pdu pdu;
	bool miimon_seen;
};

static enum bond_mode mode_from_text(struct strv v)
{
	struct strv rest = v, tok;

	/* "fault-tolerance (active-backup) (fail_over_mac active)": prefix match. */
	for (size_t i = 0; i < sizeof(mode_texts) / sizeof(mode_texts[0]); i++) {
		if (strv_starts(v, mode_texts[i]))
			return (enum bond_mode)i;
	}
	/* Not printed by any kernel, but cheap: the short sysfs names. */
	if (strv_next_token(&rest, &tok))
		return bond_mode_from_name(tok);
	return BOND_MODE_UNKNOWN;
}

/* A small non-negative count or interval; -1 when v is not one. */
static int to_int(struct strv v)
{
	long long x;

	return strv_to_ll(v, 0, INT_MAX, &x) == 0 ? (int)x : -1;
}

static int master_line(struct parser *ps, struct strv key, struct strv v)
{
	struct bond_info *info = ps->info;
	struct strv tok;
	long long x;

	if (strv_eq(key, "Bonding Mode")) {
		info->mode = mode_from_text(v);
		if (info->mode == BOND_MODE_UNKNOWN)
			info->bad_proc |= BOND_BAD_MODE;
	} else if (strv_eq(key, "Primary Slave") && v.n) { /* empty: says nothing */
		return bond_info_set_ref(v, "None", &info->primary_known, &info->primary);
	} else if (strv_eq(key, "Currently Active Slave") && v.n) {
		return bond_info_set_ref(v, "None", &info->active_known, &info->active);
	} else if (strv_eq(key, "MII Status")) {
		enum bond_link l = bond_link_from_text(v);

		info->carrier = l == BOND_LINK_UP ? 1 : l == BOND_LINK_DOWN ? 0 : -1;
		if (l == BOND_LINK_UNKNOWN)
			info->bad_proc |= BOND_BAD_CARRIER;
	} else if (strv_eq(key, "MII Polling Interval (ms)")) {
		info->miimon = to_int(v);
		ps->miimon_seen = true;
	} else if (strv_eq(key, "ARP Polling Interval (ms)")) {
		info->arp_interval = to_int(v);
	} else if (strv_eq(key, "ARP IP target/s (n.n.n.n form)")) {
		/* "10.0.0.1, 10.0.0.2": one token each. */
		info->arp_targets = 0;
		while (strv_next_token(&v, &tok))
			info->arp_targets++;
	} else if (strv_eq(key, "Min links")) {
		info->min_links = to_int(v);
		if (info->min_links < 0)
			info->bad_proc |= BOND_BAD_MIN_LINKS;
	} else if (strv_eq(key, "Active Aggregator Info")) {
		ps->sec = SEC_AGG;
		info->agg_visible = true;
	} else if (ps->sec == SEC_AGG && strv_eq(key, "Aggregator ID")) {
		if (strv_to_ll(v, 0, INT_MAX, &x) == 0)
			info->active_agg = (int)x;
		else
			info->bad_proc |= BOND_BAD_AGG;
	} else if (ps->sec == SEC_AGG && strv_eq(key, "Number of ports")) {
		info->active_ports = to_int(v);
		if (info->active_ports < 0)
			info->bad_proc |= BOND_BAD_PORTS;
	} else if (ps->sec == SEC_AGG && strv_eq(key, "Partner Mac Address")) {
		info->partner_mac_known = strv_to_mac(v, info->partner_mac) == 0;
		if (!info->partner_mac_known)
			info->bad_proc |= BOND_BAD_PARTNER_MAC;
	}
	return 0;
}

static void slave_line(struct parser *ps, struct strv key, struct strv v)
{
	struct bond_slave *s = ps->slave;
	struct strv rest = v, tok;
	long long x;

	if (!s)
		return;
	if (strv_eq(key, "MII Status")) {
		s->link = bond_link_from_text(v);
		if (s->link == BOND_LINK_UNKNOWN)
			s->bad_proc |= BOND_BAD_S_LINK;
	} else if (strv_eq(key, "Speed")) {
		/*
		 * "Unknown" since SPEED_UNKNOWN got its own text; older kernels
		 * printed the raw value: -1, or 65535 when speed was a u16.
		 */
		s->speed = -1;
		if (strv_next_token(&rest, &tok) && strv_to_ll(tok, 1, INT_MAX, &x) == 0 &&
		    x != 65535)
			s->speed = x;
	} else if (strv_eq(key, "Duplex")) {
		s->duplex = strv_eq(v, "full")	 ? BOND_DUPLEX_FULL
			    : strv_eq(v, "half") ? BOND_DUPLEX_HALF
						 : BOND_DUPLEX_UNKNOWN;
	} else if (strv_eq(key, "Link Failure Count")) {
		s->link_failures = strv_to_ll(v, 0, UINT_MAX, &x) == 0 ? x : -1;
	} else if (strv_eq(key, "Aggregator ID")) {
		if (!bond_slave_set_agg(s, v))
			s->bad_proc |= BOND_BAD_S_AGG;
	} else if (strv_eq(key, "details actor lacp pdu")) {
		ps->pdu = PDU_ACTOR;
	} else if (strv_eq(key, "details partner lacp pdu")) {
		ps->pdu = PDU_PARTNER;
	} else if (strv_eq(key, "port state") && ps->pdu != PDU_NONE) {
		int *st = ps->pdu == PDU_ACTOR ? &s->actor_state : &s->partner_state;

		*st = strv_to_ll(v, 0, 255, &x) == 0 ? (int)x : -1;
		if (*st < 0)
			s->bad_proc |= ps->pdu == PDU_ACTOR ? BOND_BAD_S_ACTOR : BOND_BAD_S_PARTNER;
	} else if (strv_eq(key, "system mac address") && ps->pdu == PDU_PARTNER) {
		s->partner_mac_known = strv_to_mac(v, s->partner_mac) == 0;
		if (!s->partner_mac_known)
			s->bad_proc |= BOND_BAD_S_PARTNER_MAC;
	}
}

static int start_slave(struct parser *ps, struct strv name)
{
	ps->sec = SEC_SLAVE;
	ps->pdu = PDU_NONE;
	ps->slave = NULL;
	return name.n ? bond_info_add_slave(ps->info, name, BOND_SRC_PROC, &ps->slave) : 0;
}

/* Lines without a colon: only two carry facts. */
static void bare_line(struct parser *ps, struct strv line)
{
	struct bond_info *info = ps->info;

	if (ps->sec == SEC_SLAVE)
		return;
	if (strv_eq(line, "802.3ad info")) {
		if (info->mode == BOND_MODE_UNKNOWN)
			info->mode = BOND_MODE_8023AD;
	} else if (strv_starts(line, "bond ") && strv_ends(line, "has no active aggregator")) {
		/* "bond %s has no active aggregator" (root view, 802.3ad). */
		info->agg_visible = true;
		info->no_active_agg = true;
	}
}

int bond_proc_parse(const char *text, size_t len, struct bond_info *info)
{
	struct parser ps = { .info = info, .sec = SEC_MASTER };
	struct strv rest = strv_make(text, len), line;
	int r = 0;

	info->sources |= BOND_SRC_PROC;
	while (r == 0 && strv_next_line(&rest, &line)) {
		const char *colon;
		struct strv key, v;

		line = strv_trim(line);
		if (line.n == 0)
			continue;
		colon = memchr(line.p, ':', line.n);
		if (!colon) {
			bare_line(&ps, line);
			continue;
		}
		key = strv_trim(strv_make(line.p, (size_t)(colon - line.p)));
		v = strv_trim(strv_make(colon + 1, line.n - (size_t)(colon - line.p) - 1));
		if (strv_eq(key, "Slave Interface"))
			r = start_slave(&ps, v);
		else if (ps.sec == SEC_SLAVE)
			slave_line(&ps, key, v);
		else
			r = master_line(&ps, key, v);
	}
	/*
	 * The ARP lines are printed only when arp_interval > 0: a master part
	 * without them means ARP monitoring is off.
	 */
	if (ps.miimon_seen && info->arp_interval < 0)
		info->arp_interval = 0;
	if (info->arp_interval == 0 && info->arp_targets < 0)
		info->arp_targets = 0;
	return r;
}
