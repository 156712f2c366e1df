// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the bond probe's decisions (plugins/bond/bond_rules.c): every
 * mode, LACP health, the bond itself down, blind bonds, flapping, mixed
 * links.  Bonds are described in /proc/net/bonding text (bond_procfs.c
 * format) and, where /proc cannot say it (operstate, IFF_UP), by setting the
 * field sysfs would fill.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/bond/bond_proc.h"
#include "../../plugins/bond/bond_rules.h"

struct fx {
	struct bond_info info;
	struct bond_verdict v;
	bool decided;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || bond_info_init(&f->info, "bond0") < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	bond_info_free(&f->info);
	bond_verdict_free(&f->v);
	free(f);
	return 0;
}

/* Parse the concatenation of the text pieces (load() ends the list). */
static void load_pieces(struct fx *f, ...)
{
	char text[16384];
	const char *piece;
	size_t n = 0;
	va_list ap;

	va_start(ap, f);
	while ((piece = va_arg(ap, const char *))) {
		size_t len = strlen(piece);

		assert_true(n + len < sizeof(text));
		memcpy(text + n, piece, len);
		n += len;
	}
	va_end(ap);
	assert_int_equal(bond_proc_parse(text, n, &f->info), 0);
}

static const struct bond_verdict *decide(struct fx *f, const long long *prev)
{
	if (f->decided)
		bond_verdict_free(&f->v);
	assert_int_equal(bond_decide(&f->info, prev, &f->v), 0);
	f->decided = true;
	assert_int_equal(f->v.n_members, f->info.n_slaves);
	return &f->v;
}

static void expect(const struct bond_verdict *v, int total, int ok, int failed, int32_t margin,
		   int32_t nominal)
{
	if (v->members_total != total || v->members_ok != ok || v->members_failed != failed ||
	    v->margin != margin || v->margin_nominal != nominal)
		fail_msg(
			"got total %d ok %d failed %d margin %d nominal %d, expected %d %d %d %d %d"
			" (reason: %s)",
			v->members_total, v->members_ok, v->members_failed, v->margin,
			v->margin_nominal, total, ok, failed, margin, nominal, v->reason);
}

static void expect_member(const struct fx *f, const char *name, enum redmon_role role,
			  const char *reason_part)
{
	for (size_t i = 0; i < f->info.n_slaves; i++) {
		const struct bond_member_verdict *m = &f->v.members[i];

		if (strcmp(f->info.slaves[i].name, name) != 0)
			continue;
		if (m->role != role)
			fail_msg("%s: role %d, expected %d (reason: %s)", name, m->role, role,
				 m->reason);
		if (reason_part && !strstr(m->reason, reason_part))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", name, m->reason, reason_part);
		if (!reason_part && m->reason[0])
			fail_msg("%s: unexpected reason \"%s\"", name, m->reason);
		return;
	}
	fail_msg("no member %s", name);
}

static void expect_reason(const struct bond_verdict *v, const char *part)
{
	if (!strstr(v->reason, part))
		fail_msg("group reason \"%s\" lacks \"%s\"", v->reason, part);
}

#define load(f, ...) load_pieces((f), __VA_ARGS__, (const char *)NULL)

#define MODE(m)		 "Bonding Mode: " m "\nMII Status: up\nMII Polling Interval (ms): 100\n"
#define SLAVE(name, mii) "\nSlave Interface: " name "\nMII Status: " mii "\n"

/* --- modes where every slave that is up carries traffic ------------------- */

static void test_all_active_modes(void **state)
{
	static const char *const modes[] = {
		MODE("load balancing (round-robin)"), MODE("load balancing (xor)"),
		MODE("fault-tolerance (broadcast)"),  MODE("transmit load balancing"),
		MODE("adaptive load balancing"),
	};
	static const char *const types[] = { "balance-rr", "balance-xor", "broadcast",
					     "balance-tlb", "balance-alb" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct fx *f;

		assert_int_equal(setup(state), 0);
		f = *state;
		load(f, modes[i], SLAVE("eth0", "up"), SLAVE("eth1", "down"), SLAVE("eth2", "up"));
		decide(f, NULL);
		assert_string_equal(f->v.type, types[i]);
		expect(&f->v, 3, 2, 1, 1, 2);
		expect_member(f, "eth0", REDMON_ROLE_ACTIVE, NULL);
		expect_member(f, "eth1", REDMON_ROLE_FAILED, "link down");
		expect_member(f, "eth2", REDMON_ROLE_ACTIVE, NULL);
		expect_reason(&f->v, "eth1: link down");
		teardown(state);
	}
}

static void test_unknown_mode_counts_links(void **state)
{
	struct fx *f = *state;

	load(f, SLAVE("eth5", "up"), SLAVE("eth1", "down"));
	decide(f, NULL);
	assert_string_equal(f->v.type, "unknown");
	expect(&f->v, 2, 1, 1, 0, 1);
}

/* --- active-backup ---------------------------------------------------------- */

static void test_active_backup_standby_counts(void **state)
{
	struct fx *f = *state;

	load(f, MODE("fault-tolerance (active-backup)"),
	     "Primary Slave: None\nCurrently Active Slave: eth1\n", SLAVE("eth0", "up"),
	     SLAVE("eth1", "up"));
	decide(f, NULL);
	assert_string_equal(f->v.type, "active-backup");
	expect(&f->v, 2, 2, 0, 1, 1);
	expect_member(f, "eth0", REDMON_ROLE_STANDBY, NULL);
	expect_member(f, "eth1", REDMON_ROLE_ACTIVE, NULL);
	assert_string_equal(f->v.members[0].state, "mii up, backup");
	assert_string_equal(f->v.reason, "");
}

static void test_active_backup_backup_down(void **state)
{
	struct fx *f = *state;

	load(f, MODE("fault-tolerance (active-backup)"), "Currently Active Slave: eth0\n",
	     SLAVE("eth0", "up"), SLAVE("eth1", "down"));
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_member(f, "eth1", REDMON_ROLE_FAILED, "link down");
}

static void test_active_backup_on_backup_while_primary_up(void **state)
{
	struct fx *f = *state;

	load(f, MODE("fault-tolerance (active-backup)"),
	     "Primary Slave: em3 (primary_reselect failure)\nCurrently Active Slave: p2p3\n",
	     SLAVE("em3", "up"), SLAVE("p2p3", "up"));
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, 1, 1);
	expect_reason(&f->v, "running on backup slave p2p3 while primary em3 is up");
	expect_member(f, "em3", REDMON_ROLE_STANDBY, NULL);
}

static void test_active_backup_primary_down_no_extra_reason(void **state)
{
	struct fx *f = *state;

	load(f, MODE("fault-tolerance (active-backup)"),
	     "Primary Slave: em3 (primary_reselect always)\nCurrently Active Slave: p2p3\n",
	     SLAVE("em3", "down"), SLAVE("p2p3", "up"));
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	assert_null(strstr(f->v.reason, "while primary"));
	expect_reason(&f->v, "em3: link down");
}

static void test_active_backup_sysfs_state_wins(void **state)
{
	struct fx *f = *state;

	load(f, MODE("fault-tolerance (active-backup)"), SLAVE("eth0", "up"), SLAVE("eth1", "up"));
	f->info.slaves[0].is_active = 0;
	f->info.slaves[1].is_active = 1;
	decide(f, NULL);
	expect_member(f, "eth0", REDMON_ROLE_STANDBY, NULL);
	expect_member(f, "eth1", REDMON_ROLE_ACTIVE, NULL);
}

static void test_active_backup_no_active_slave(void **state)
{
	struct fx *f = *state;

	load(f, MODE("fault-tolerance (active-backup)"), "Currently Active Slave: None\n",
	     SLAVE("eth0", "up"), SLAVE("eth1", "up"));
	decide(f, NULL);
	expect_reason(&f->v, "no active slave");
}

/* --- 802.3ad ------------------------------------------------------------------ */

#define LACP_MASTER(agg, ports, partner)                                                           \
	MODE("IEEE 802.3ad Dynamic link aggregation")                                              \
	"\n802.3ad info\nLACP rate: fast\nMin links: 0\n"                                          \
	"Active Aggregator Info:\n\tAggregator ID: " agg "\n\tNumber of ports: " ports             \
	"\n\tPartner Mac Address: " partner "\n"
#define LACP_SLAVE(name, mii, agg, actor, partner)                                                 \
	SLAVE(name, mii)                                                                           \
	"Aggregator ID: " agg "\ndetails actor lacp pdu:\n    port state: " actor                  \
	"\ndetails partner lacp pdu:\n    system mac address: 00:1c:73:aa:bb:cc\n"                 \
	"    port state: " partner "\n"
#define PARTNER "00:1c:73:aa:bb:cc"
#define NOBODY	"00:00:00:00:00:00"

static void test_lacp_healthy(void **state)
{
	struct fx *f = *state;

	load(f, LACP_MASTER("1", "2", PARTNER), LACP_SLAVE("eth0", "up", "1", "63", "61"),
	     LACP_SLAVE("eth1", "up", "1", "63", "61"));
	decide(f, NULL);
	assert_string_equal(f->v.type, "802.3ad");
	expect(&f->v, 2, 2, 0, 1, 1);
	assert_string_equal(f->v.reason, "");
	assert_string_equal(f->v.members[0].state, "mii up, aggregator 1");
}

/* text with the first find replaced by with, into out. */
static void replace_first(char *out, size_t cap, const char *text, const char *find,
			  const char *with)
{
	const char *at = strstr(text, find);

	assert_non_null(at);
	assert_true(strlen(text) + strlen(with) < cap);
	snprintf(out, cap, "%.*s%s%s", (int)(at - text), text, with, at + strlen(find));
}

/*
 * Issue 12, H3, from /proc: each 802.3ad fact the verdict rests on, garbled
 * in turn in a healthy bond, makes the margin unknown and the reason name
 * the fact and its /proc line.
 */
static void test_lacp_garbled_proc_facts(void **state)
{
	static const char good[] = LACP_MASTER("1", "2", PARTNER)
		LACP_SLAVE("eth0", "up", "1", "63", "61") LACP_SLAVE("eth1", "up", "1", "63", "61");
	static const struct {
		const char *find, *with, *reason, *find2, *with2;
	} cases[] = {
		{ "MII Status: up\nMII Polling", "MII Status: sideways\nMII Polling",
		  "bond MII status not readable (proc/net/bonding/bond0 \"MII Status:\")" },
		{ "Min links: 0", "Min links: many",
		  "min_links not readable (proc/net/bonding/bond0 \"Min links:\")" },
		{ "Aggregator ID: 1\n\tNumber", "Aggregator ID: x\n\tNumber",
		  "active aggregator not readable (proc/net/bonding/bond0 \"Aggregator ID:\")" },
		{ "Number of ports: 2", "Number of ports: -2",
		  "active aggregator's port count not readable" },
		{ "Partner Mac Address: " PARTNER, "Partner Mac Address: 00:1c",
		  "LACP partner MAC not readable (proc/net/bonding/bond0 \"Partner Mac "
		  "Address:\")" },
		{ "eth0\nMII Status: up\nAggregator ID: 1",
		  "eth0\nMII Status: up\nAggregator ID: one",
		  "eth0: aggregator ID not readable (proc/net/bonding/bond0 \"Aggregator ID:\")" },
		{ "port state: 63", "port state: 999", "eth0: LACP actor port state not readable" },
		{ "port state: 61", "port state: x", "eth0: LACP partner port state not readable" },
		/* A slave's partner MAC counts only when the aggregator's is not shown. */
		{ "system mac address: 00:1c:73:aa:bb:cc", "system mac address: zz",
		  "eth0: LACP partner MAC not readable", "\tPartner Mac Address: " PARTNER "\n",
		  "" },
	};
	struct fx *f = *state;
	char text[4096], once[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		replace_first(text, sizeof(text), good, cases[i].find, cases[i].with);
		if (cases[i].find2) {
			/* Without it, the slave's garbled MAC decides nothing. */
			bond_info_free(&f->info);
			assert_int_equal(bond_info_init(&f->info, "bond0"), 0);
			load(f, text);
			decide(f, NULL);
			expect(&f->v, 2, 2, 0, 1, 1);
			memcpy(once, text, sizeof(once));
			replace_first(text, sizeof(text), once, cases[i].find2, cases[i].with2);
		}
		bond_info_free(&f->info);
		assert_int_equal(bond_info_init(&f->info, "bond0"), 0);
		load(f, text);
		decide(f, NULL);
		if (f->v.margin != REDMON_MARGIN_UNKNOWN)
			fail_msg("\"%s\": margin %d (reason: %s)", cases[i].with, f->v.margin,
				 f->v.reason);
		expect_reason(&f->v, cases[i].reason);
	}
}

static void test_lacp_not_distributing(void **state)
{
	struct fx *f = *state;

	/* eth1 in sync with the partner, but the partner does not collect (0x0d). */
	load(f, LACP_MASTER("1", "2", PARTNER), LACP_SLAVE("eth0", "up", "1", "63", "61"),
	     LACP_SLAVE("eth1", "up", "1", "63", "13"));
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_member(f, "eth1", REDMON_ROLE_FAILED,
		      "LACP is not collecting and distributing (actor state 0x3f, partner state "
		      "0x0d)");
}

static void test_lacp_split_aggregator(void **state)
{
	struct fx *f = *state;

	load(f, LACP_MASTER("1", "1", PARTNER), LACP_SLAVE("eth0", "up", "1", "63", "61"),
	     LACP_SLAVE("eth1", "up", "2", "63", "61"));
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_member(f, "eth1", REDMON_ROLE_FAILED,
		      "link up but in aggregator 2, not in the active aggregator 1 (split "
		      "aggregator)");
	expect_member(f, "eth0", REDMON_ROLE_ACTIVE, NULL);
}

static void test_lacp_no_partner_individual_port(void **state)
{
	struct fx *f = *state;

	/* bond_3ad.c enables the ports of a partnerless active aggregator. */
	load(f, LACP_MASTER("3", "1", NOBODY), SLAVE("eth1", "up"), "Aggregator ID: 3\n",
	     SLAVE("eth2", "up"), "Aggregator ID: 2\n");
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_reason(&f->v, "no LACP partner");
	expect_member(f, "eth1", REDMON_ROLE_ACTIVE, NULL);
}

static void test_lacp_defaulted_actor_means_no_partner(void **state)
{
	struct fx *f = *state;

	/* Non-root sysfs: port states readable, partner MAC not. 0x4d = defaulted. */
	load(f, MODE("IEEE 802.3ad Dynamic link aggregation"), SLAVE("eth0", "up"),
	     "Aggregator ID: 1\n", SLAVE("eth1", "up"), "Aggregator ID: 2\n");
	f->info.active_agg = 1;
	f->info.agg_visible = true;
	f->info.slaves[0].actor_state = 0x4d;
	f->info.slaves[0].partner_state = 0x01;
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_reason(&f->v, "no LACP partner");
}

static void test_lacp_no_active_aggregator(void **state)
{
	struct fx *f = *state;

	load(f, MODE("IEEE 802.3ad Dynamic link aggregation"),
	     "\n802.3ad info\nbond bond0 has no active aggregator\n", SLAVE("eth0", "up"),
	     "Aggregator ID: 1\n", SLAVE("eth1", "up"), "Aggregator ID: 2\n");
	decide(f, NULL);
	expect(&f->v, 2, 0, 2, -1, 1);
	expect_reason(&f->v, "no active aggregator");
	expect_member(f, "eth0", REDMON_ROLE_FAILED, "no active aggregator");
}

static void test_lacp_detached_slave(void **state)
{
	struct fx *f = *state;

	load(f, LACP_MASTER("1", "1", PARTNER), LACP_SLAVE("eth0", "up", "1", "63", "61"),
	     SLAVE("eth1", "up"), "Aggregator ID: N/A\n");
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_member(f, "eth1", REDMON_ROLE_FAILED, "not attached to an aggregator");
}

static void test_lacp_min_links(void **state)
{
	struct fx *f = *state;

	load(f, LACP_MASTER("1", "3", PARTNER), LACP_SLAVE("eth0", "up", "1", "63", "61"),
	     LACP_SLAVE("eth1", "up", "1", "63", "61"), LACP_SLAVE("eth2", "up", "1", "63", "61"),
	     LACP_SLAVE("eth3", "down", "2", "69", "1"));
	f->info.min_links = 3;
	decide(f, NULL);
	/* needed 3: nominal 4 - 3 = 1, margin 3 - 3 = 0. */
	expect(&f->v, 4, 3, 1, 0, 1);
	f->info.slaves[2].link = BOND_LINK_DOWN;
	decide(f, NULL);
	expect(&f->v, 4, 2, 2, -1, 1);
	expect_reason(&f->v, "2 usable slaves, min_links is 3");
}

static void test_min_links_ignored_outside_lacp(void **state)
{
	struct fx *f = *state;

	load(f, MODE("load balancing (round-robin)"), SLAVE("eth0", "up"), SLAVE("eth1", "up"));
	f->info.min_links = 2; /* only bond_3ad_set_carrier() looks at it */
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, 1, 1);
}

static void test_lacp_ports_cap(void **state)
{
	struct fx *f = *state;

	/* Three slaves claim aggregator 1, the kernel counts 2 ports in it. */
	load(f, LACP_MASTER("1", "2", PARTNER), LACP_SLAVE("eth0", "up", "1", "63", "61"),
	     LACP_SLAVE("eth1", "up", "1", "63", "61"), LACP_SLAVE("eth2", "up", "1", "63", "61"));
	decide(f, NULL);
	expect(&f->v, 3, 2, 0, 1, 2);
	expect_reason(&f->v, "the active aggregator has 2 ports, fewer than the 3 slaves in it");
}

static void test_lacp_nonroot_inferred(void **state)
{
	struct fx *f = *state;

	load(f, MODE("IEEE 802.3ad Dynamic link aggregation"), "\n802.3ad info\nMin links: 0\n",
	     SLAVE("eth0", "up"), "Aggregator ID: 2\n", SLAVE("eth1", "up"), "Aggregator ID: 2\n");
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, 1, 1);
	expect_reason(&f->v, "assumed aggregator 2");
}

static void test_lacp_nonroot_split_is_unknown(void **state)
{
	struct fx *f = *state;

	load(f, MODE("IEEE 802.3ad Dynamic link aggregation"), "\n802.3ad info\n",
	     SLAVE("eth0", "up"), "Aggregator ID: 1\n", SLAVE("eth1", "up"), "Aggregator ID: 2\n",
	     SLAVE("eth2", "down"), "Aggregator ID: 2\n", SLAVE("eth3", "up"));
	decide(f, NULL);
	expect(&f->v, 4, -1, 1, REDMON_MARGIN_UNKNOWN, 3);
	expect_member(f, "eth0", REDMON_ROLE_UNKNOWN,
		      "link up in aggregator 1, which may not be the active one");
	expect_member(f, "eth3", REDMON_ROLE_UNKNOWN,
		      "link up, aggregator membership not readable");
	expect_member(f, "eth2", REDMON_ROLE_FAILED, "link down");
	expect_reason(&f->v, "split across aggregators");
}

static void test_lacp_sysfs_active_aggregator_nonroot(void **state)
{
	struct fx *f = *state;

	/* Non-root /proc, but sysfs ad_aggregator (no capability check) says 2. */
	load(f, MODE("IEEE 802.3ad Dynamic link aggregation"), SLAVE("eth0", "up"),
	     "Aggregator ID: 1\n", SLAVE("eth1", "up"), "Aggregator ID: 2\n");
	f->info.active_agg = 2;
	f->info.agg_visible = true;
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_member(f, "eth0", REDMON_ROLE_FAILED, "split aggregator");
	expect_reason(&f->v, "LACP partner not verified");
}

static void test_lacp_no_aggregator_data_trusts_links(void **state)
{
	struct fx *f = *state;

	/* A sysfs capture with mode and mii_status only. */
	load(f, MODE("IEEE 802.3ad Dynamic link aggregation"), SLAVE("eth0", "up"),
	     SLAVE("eth1", "up"));
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, 1, 1);
}

/* --- the bond itself --------------------------------------------------------- */

static void test_no_slaves_and_one_slave(void **state)
{
	struct fx *f = *state;

	load(f, MODE("load balancing (round-robin)"));
	decide(f, NULL);
	expect(&f->v, 0, 0, 0, -1, 0);
	expect_reason(&f->v, "bond has no slaves");
	load(f, SLAVE("eth0", "up"));
	decide(f, NULL);
	expect(&f->v, 1, 1, 0, 0, 0); /* nonredundant */
	f->info.slaves[0].link = BOND_LINK_DOWN;
	decide(f, NULL);
	expect(&f->v, 1, 0, 1, -1, 0); /* failed */
}

static void test_bond_down(void **state)
{
	struct fx *f = *state;

	load(f, MODE("load balancing (round-robin)"), SLAVE("eth0", "up"), SLAVE("eth1", "up"));
	f->info.admin_up = 0;
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, -1, 1);
	assert_true(strncmp(f->v.reason, "bond is administratively down", 29) == 0);
	f->info.admin_up = 1;
	f->info.oper = BOND_OPER_DOWN;
	decide(f, NULL);
	assert_int_equal(f->v.margin, -1);
	expect_reason(&f->v, "bond link down (operstate down)");
	f->info.oper = BOND_OPER_UP;
	f->info.carrier = 0;
	decide(f, NULL);
	assert_int_equal(f->v.margin, -1);
	expect_reason(&f->v, "bond link down (MII status down)");
}

static void test_blind_bond(void **state)
{
	struct fx *f = *state;

	load(f, "Bonding Mode: fault-tolerance (active-backup)\nMII Polling Interval (ms): 0\n",
	     SLAVE("eth0", "up"), SLAVE("eth1", "up"));
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, 1, 1); /* the margin stays as computed */
	assert_string_equal(f->v.reason, "blind bond: miimon 0 and no ARP monitoring, link "
					 "failures are not detected");
	/* With the ARP monitor on it is not blind. */
	f->info.arp_interval = 1000;
	decide(f, NULL);
	assert_string_equal(f->v.reason, "");
}

static void test_blind_bond_carrier_lost(void **state)
{
	struct fx *f = *state;

	/* miimon 0: bonding keeps saying "up", operstate knows better. */
	load(f, "Bonding Mode: load balancing (round-robin)\nMII Polling Interval (ms): 0\n",
	     SLAVE("eth0", "up"), SLAVE("eth1", "up"));
	f->info.slaves[1].oper = BOND_OPER_DOWN;
	decide(f, NULL);
	expect(&f->v, 2, 1, 1, 0, 1);
	expect_member(f, "eth1", REDMON_ROLE_FAILED,
		      "carrier down (operstate down) but bonding still says MII up");
	assert_string_equal(f->v.members[1].state, "mii up, operstate down");
}

static void test_transitional_links(void **state)
{
	struct fx *f = *state;

	load(f, MODE("load balancing (round-robin)"), SLAVE("eth0", "going down"),
	     SLAVE("eth1", "going back"), SLAVE("eth2", "up"));
	decide(f, NULL);
	expect(&f->v, 3, 2, 1, 1, 2);
	expect_member(f, "eth0", REDMON_ROLE_ACTIVE, "downdelay");
	expect_member(f, "eth1", REDMON_ROLE_FAILED, "updelay");
}

static void test_unknown_link_is_unknown_margin(void **state)
{
	struct fx *f = *state;

	load(f, MODE("load balancing (round-robin)"), SLAVE("eth0", "up"), SLAVE("eth1", "weird"));
	decide(f, NULL);
	expect(&f->v, 2, -1, 0, REDMON_MARGIN_UNKNOWN, 1);
	expect_member(f, "eth1", REDMON_ROLE_UNKNOWN,
		      "MII status not readable (proc/net/bonding/bond0 \"MII Status:\")");
	/*
	 * A link state shown but not parseable is not made "up" by operstate
	 * (issue 12, H3): bonding's own view of the link is what the verdict
	 * rests on.
	 */
	f->info.slaves[1].oper = BOND_OPER_UP;
	decide(f, NULL);
	expect(&f->v, 2, -1, 0, REDMON_MARGIN_UNKNOWN, 1);
	/* A link state absent from every source: operstate fills the gap. */
	bond_info_free(&f->info);
	assert_int_equal(bond_info_init(&f->info, "bond0"), 0);
	load(f, MODE("load balancing (round-robin)"), SLAVE("eth0", "up"),
	     "\nSlave Interface: eth1\n");
	decide(f, NULL);
	expect(&f->v, 2, -1, 0, REDMON_MARGIN_UNKNOWN, 1);
	expect_member(f, "eth1", REDMON_ROLE_UNKNOWN, "link state not readable");
	f->info.slaves[1].oper = BOND_OPER_UP;
	decide(f, NULL);
	expect(&f->v, 2, 2, 0, 1, 1);
}

/* --- reasons only --------------------------------------------------------------- */

static void test_mixed_speed_and_duplex(void **state)
{
	struct fx *f = *state;

	load(f, MODE("load balancing (xor)"), SLAVE("eth0", "up"),
	     "Speed: 1000 Mbps\nDuplex: full\n", SLAVE("eth1", "up"),
	     "Speed: 10000 Mbps\nDuplex: half\n", SLAVE("eth2", "down"), "Speed: 10 Mbps\n");
	decide(f, NULL);
	expect(&f->v, 3, 2, 1, 1, 2); /* no margin change */
	expect_reason(&f->v, "mixed speeds among slaves (1000 to 10000 Mbps)");
	expect_reason(&f->v, "mixed duplex among slaves (half and full)");
}

static void test_flapping(void **state)
{
	struct fx *f = *state;
	long long first[2] = { -1, -1 }, same[2] = { 92028, 71524 }, before[2] = { 92026, 71524 };
	char r1[sizeof(((struct bond_verdict *)0)->reason)];

	load(f, MODE("fault-tolerance (active-backup)"), "Currently Active Slave: em3\n",
	     SLAVE("em3", "up"), "Link Failure Count: 92028\n", SLAVE("p2p3", "up"),
	     "Link Failure Count: 71524\n");
	decide(f, first); /* first scan: nothing to compare with */
	assert_string_equal(f->v.reason, "");
	decide(f, NULL);
	assert_string_equal(f->v.reason, "");
	decide(f, same);
	assert_string_equal(f->v.reason, "");
	decide(f, before);
	expect(&f->v, 2, 2, 0, 1, 1); /* still up: no margin change */
	expect_member(f, "em3", REDMON_ROLE_ACTIVE,
		      "link flapping: 2 link failures since last scan (92028 in total)");
	expect_member(f, "p2p3", REDMON_ROLE_STANDBY, NULL);
	expect_reason(&f->v, "em3: link flapping: 2 link failures since last scan");
	snprintf(r1, sizeof(r1), "%s", f->v.reason);
	/* A later rise by the same amount still reads differently. */
	f->info.slaves[0].link_failures = 92030;
	decide(f, same);
	assert_string_not_equal(f->v.reason, r1);
	expect_member(f, "em3", REDMON_ROLE_ACTIVE, "2 link failures since last scan (92030");
	before[0] = 92029;
	decide(f, before);
	expect_member(f, "em3", REDMON_ROLE_ACTIVE, "1 link failure since last scan");
	/* A counter that went down (slave re-enslaved) is no flap. */
	before[0] = 100000;
	decide(f, before);
	assert_string_equal(f->v.reason, "");
	/* A slave that is down now: the rise is that failure, not a flap. */
	before[0] = 92029;
	f->info.slaves[0].link = BOND_LINK_DOWN;
	decide(f, before);
	expect_member(f, "em3", REDMON_ROLE_FAILED, "link down");
	assert_null(strstr(f->v.reason, "flapping"));
}

static void test_reason_is_cut_not_overflowed(void **state)
{
	struct fx *f = *state;
	char text[16384];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s",
			      MODE("load balancing (round-robin)"));
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\nSlave Interface: a-rather-long%d\nMII Status: down\n", i);
	load(f, text);
	decide(f, NULL);
	expect(&f->v, 200, 0, 200, -1, 199);
	assert_true(strlen(f->v.reason) < sizeof(f->v.reason));
	assert_string_equal(f->v.reason + strlen(f->v.reason) - 3, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_active_modes),
		cmocka_unit_test_setup_teardown(test_unknown_mode_counts_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_backup_standby_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_backup_backup_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_backup_on_backup_while_primary_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_backup_primary_down_no_extra_reason,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_backup_sysfs_state_wins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_active_backup_no_active_slave, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_garbled_proc_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_not_distributing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_split_aggregator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_no_partner_individual_port, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_defaulted_actor_means_no_partner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_no_active_aggregator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_detached_slave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_min_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_min_links_ignored_outside_lacp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_ports_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_nonroot_inferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lacp_nonroot_split_is_unknown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_sysfs_active_aggregator_nonroot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lacp_no_aggregator_data_trusts_links, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_slaves_and_one_slave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bond_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blind_bond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blind_bond_carrier_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitional_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_link_is_unknown_margin, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mixed_speed_and_duplex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reason_is_cut_not_overflowed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
