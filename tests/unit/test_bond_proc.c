// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the /proc/net/bonding parser (plugins/bond/bond_proc.c).
 *
 * Texts marked "corpus" are byte-exact copies of captures under
 * tests/corpus/bonding-proc (case named); the others are written the
 * way drivers/net/bonding/bond_procfs.c prints (format strings cited), for
 * layouts no capture shows: a recent root view with a live LACP partner,
 * "no active aggregator", excerpts without the mode line, hostile bytes.
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

static struct bond_info parse_n(const char *text, size_t n)
{
	struct bond_info info;

	assert_int_equal(bond_info_init(&info, "bond0"), 0);
	assert_int_equal(bond_proc_parse(text, n, &info), 0);
	assert_true(info.sources & BOND_SRC_PROC);
	return info;
}

#define PARSE(lit) parse_n((lit), sizeof(lit) - 1)

static const struct bond_slave *slave(const struct bond_info *info, const char *name)
{
	const struct bond_slave *s = bond_info_find_slave(info, strv_c(name));

	if (!s)
		fail_msg("slave %s not parsed", name);
	return s;
}

/* corpus: insights-802.3ad-one-slave-down (root view: TAB-indented
 * aggregator info, 4-space-indented LACP PDU details). */
static const char one_slave_down[] = "Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n"
				     "\n"
				     "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
				     "Transmit Hash Policy: layer2 (0)\n"
				     "MII Status: up\n"
				     "MII Polling Interval (ms): 100\n"
				     "Up Delay (ms): 2000\n"
				     "Down Delay (ms): 1000\n"
				     "\n"
				     "802.3ad info\n"
				     "LACP rate: slow\n"
				     "Min links: 0\n"
				     "Aggregator selection policy (ad_select): stable\n"
				     "System priority: 65535\n"
				     "System MAC address: 08:00:27:99:a3:6b\n"
				     "Active Aggregator Info:\n"
				     "\t\t\t\tAggregator ID: 1\n"
				     "\t\t\t\tNumber of ports: 1\n"
				     "\t\t\t\tActor Key: 9\n"
				     "\t\t\t\tPartner Key: 1\n"
				     "\t\t\t\tPartner Mac Address: 00:00:00:00:00:00\n"
				     "\n"
				     "Slave Interface: enp0s9\n"
				     "MII Status: up\n"
				     "Speed: 1000 Mbps\n"
				     "Duplex: full\n"
				     "Link Failure Count: 0\n"
				     "Permanent HW addr: 08:00:27:99:a3:6b\n"
				     "Slave queue ID: 0\n"
				     "Aggregator ID: 1\n"
				     "Actor Churn State: none\n"
				     "Partner Churn State: churned\n"
				     "Actor Churned Count: 0\n"
				     "Partner Churned Count: 1\n"
				     "details actor lacp pdu:\n"
				     "    system priority: 65535\n"
				     "    system mac address: 08:00:27:99:a3:6b\n"
				     "    port key: 9\n"
				     "    port priority: 255\n"
				     "    port number: 1\n"
				     "    port state: 77\n"
				     "details partner lacp pdu:\n"
				     "    system priority: 65535\n"
				     "    system mac address: 00:00:00:00:00:00\n"
				     "    oper key: 1\n"
				     "    port priority: 255\n"
				     "    port number: 1\n"
				     "    port state: 1\n"
				     "\n"
				     "Slave Interface: enp0s8\n"
				     "MII Status: down\n"
				     "Speed: Unknown\n"
				     "Duplex: Unknown\n"
				     "Link Failure Count: 0\n"
				     "Permanent HW addr: 08:00:27:a2:8d:f5\n"
				     "Slave queue ID: 0\n"
				     "Aggregator ID: 2\n"
				     "Actor Churn State: churned\n"
				     "Partner Churn State: churned\n"
				     "Actor Churned Count: 1\n"
				     "Partner Churned Count: 1\n"
				     "details actor lacp pdu:\n"
				     "    system priority: 65535\n"
				     "    system mac address: 08:00:27:99:a3:6b\n"
				     "    port key: 0\n"
				     "    port priority: 255\n"
				     "    port number: 2\n"
				     "    port state: 69\n"
				     "details partner lacp pdu:\n"
				     "    system priority: 65535\n"
				     "    system mac address: 00:00:00:00:00:00\n"
				     "    oper key: 1\n"
				     "    port priority: 255\n"
				     "    port number: 1\n"
				     "    port state: 1\n";

static void test_8023ad_root_view_with_pdu_details(void **state)
{
	struct bond_info info = PARSE(one_slave_down);
	static const uint8_t zero[6];
	const struct bond_slave *s9, *s8;

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_8023AD);
	assert_int_equal(info.carrier, 1);
	assert_int_equal(info.miimon, 100);
	assert_int_equal(info.arp_interval, 0); /* no ARP lines: off */
	assert_int_equal(info.arp_targets, 0);
	assert_int_equal(info.min_links, 0);
	assert_true(info.agg_visible);
	assert_false(info.no_active_agg);
	assert_int_equal(info.active_agg, 1);
	assert_int_equal(info.active_ports, 1);
	assert_true(info.partner_mac_known);
	assert_memory_equal(info.partner_mac, zero, 6);
	assert_false(info.primary_known); /* no primary in 802.3ad */
	assert_int_equal(info.n_slaves, 2);
	assert_string_equal(info.slaves[0].name, "enp0s9"); /* file order kept */

	s9 = slave(&info, "enp0s9");
	assert_int_equal(s9->link, BOND_LINK_UP);
	assert_int_equal(s9->speed, 1000);
	assert_int_equal(s9->duplex, BOND_DUPLEX_FULL);
	assert_int_equal(s9->link_failures, 0);
	assert_true(s9->agg_known);
	assert_int_equal(s9->agg_id, 1);
	assert_int_equal(s9->actor_state, 77);
	assert_int_equal(s9->partner_state, 1);
	assert_true(s9->partner_mac_known);
	assert_memory_equal(s9->partner_mac, zero, 6);
	assert_true(s9->name_valid);
	assert_int_equal(s9->sources, BOND_SRC_PROC);

	s8 = slave(&info, "enp0s8");
	assert_int_equal(s8->link, BOND_LINK_DOWN);
	assert_int_equal(s8->speed, -1);
	assert_int_equal(s8->duplex, BOND_DUPLEX_UNKNOWN);
	assert_int_equal(s8->agg_id, 2);
	assert_int_equal(s8->actor_state, 69);
	assert_int_equal(s8->partner_state, 1);
	bond_info_free(&info);
}

/* corpus: insights-802.3ad-split-aggregator (v3.2.4: 8-space indent, no
 * "Min links", aggregator info printed to everyone, a stray "Speed" line). */
static const char split_aggregator[] =
	"Ethernet Channel Bonding Driver: v3.2.4 (January 28, 2008)\n"
	"\n"
	"Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
	"Transmit Hash Policy: layer2 (0)\n"
	"MII Status: up\n"
	"MII Polling Interval (ms): 500\n"
	"Up Delay (ms): 0\n"
	"Down Delay (ms): 0\n"
	"\n"
	"802.3ad info\n"
	"LACP rate: slow\n"
	"Active Aggregator Info:\n"
	"        Aggregator ID: 3\n"
	"        Number of ports: 1\n"
	"        Actor Key: 17\n"
	"        Partner Key: 1\n"
	"        Partner Mac Address: 00:00:00:00:00:00\n"
	"\n"
	"Slave Interface: eth1\n"
	"MII Status: up\n"
	"Speed: 1000 Mbps\n"
	"Duplex: full\n"
	"Link Failure Count: 0\n"
	"Permanent HW addr: 00:16:35:5e:42:fc\n"
	"Aggregator ID: 3\n"
	"\n"
	"Slave Interface: eth2\n"
	"MII Status: up\n"
	"Speed: 1000 Mbps\n"
	"Duplex: full\n"
	"Speed\n"
	"Link Failure Count: 0\n"
	"Permanent HW addr: 00:16:35:5e:02:7e\n"
	"Aggregator ID: 2\n";

static void test_8023ad_old_kernel_split(void **state)
{
	struct bond_info info = PARSE(split_aggregator);

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_8023AD);
	assert_int_equal(info.miimon, 500);
	assert_int_equal(info.min_links, -1); /* not printed by v3.2.4 */
	assert_int_equal(info.active_agg, 3);
	assert_int_equal(info.active_ports, 1);
	assert_int_equal(info.n_slaves, 2);
	assert_int_equal(slave(&info, "eth1")->agg_id, 3);
	assert_int_equal(slave(&info, "eth2")->agg_id, 2);
	assert_int_equal(slave(&info, "eth2")->speed, 1000); /* the stray "Speed" is skipped */
	assert_int_equal(slave(&info, "eth2")->actor_state, -1);
	bond_info_free(&info);
}

/* corpus: telegraf-802.3ad-2up-nonroot-view: no System/Active Aggregator
 * lines, no PDU details (bond_procfs.c: capable(CAP_NET_ADMIN) only). */
static const char nonroot_view[] = "Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n"
				   "\n"
				   "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
				   "Transmit Hash Policy: layer2 (0)\n"
				   "MII Status: up\n"
				   "MII Polling Interval (ms): 100\n"
				   "Up Delay (ms): 0\n"
				   "Down Delay (ms): 0\n"
				   "\n"
				   "802.3ad info\n"
				   "LACP rate: fast\n"
				   "Min links: 0\n"
				   "Aggregator selection policy (ad_select): stable\n"
				   "\n"
				   "Slave Interface: eth0\n"
				   "MII Status: up\n"
				   "Speed: 10000 Mbps\n"
				   "Duplex: full\n"
				   "Link Failure Count: 2\n"
				   "Permanent HW addr: 3c:ec:ef:5e:71:58\n"
				   "Slave queue ID: 0\n"
				   "Aggregator ID: 2\n"
				   "Actor Churn State: none\n"
				   "Partner Churn State: none\n"
				   "Actor Churned Count: 2\n"
				   "Partner Churned Count: 0\n"
				   "\n"
				   "Slave Interface: eth1\n"
				   "MII Status: up\n"
				   "Speed: 10000 Mbps\n"
				   "Duplex: full\n"
				   "Link Failure Count: 1\n"
				   "Permanent HW addr: 3c:ec:ef:5e:71:59\n"
				   "Slave queue ID: 0\n"
				   "Aggregator ID: 2\n"
				   "Actor Churn State: none\n"
				   "Partner Churn State: none\n"
				   "Actor Churned Count: 0\n"
				   "Partner Churned Count: 0\n";

static void test_8023ad_nonroot_view(void **state)
{
	struct bond_info info = PARSE(nonroot_view);

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_8023AD);
	assert_false(info.agg_visible);
	assert_int_equal(info.active_agg, -1);
	assert_int_equal(info.active_ports, -1);
	assert_false(info.partner_mac_known);
	assert_int_equal(info.n_slaves, 2);
	assert_int_equal(slave(&info, "eth0")->link_failures, 2);
	assert_int_equal(slave(&info, "eth0")->speed, 10000);
	assert_int_equal(slave(&info, "eth1")->agg_id, 2);
	assert_int_equal(slave(&info, "eth1")->actor_state, -1);
	assert_false(slave(&info, "eth1")->partner_mac_known);
	bond_info_free(&info);
}

/* corpus: insights-active-backup-arp-flapping (ARP monitor, primary with reselect). */
static const char ab_arp[] = "Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n"
			     "\n"
			     "Bonding Mode: fault-tolerance (active-backup)\n"
			     "Primary Slave: em3 (primary_reselect failure)\n"
			     "Currently Active Slave: em3\n"
			     "MII Status: up\n"
			     "MII Polling Interval (ms): 0\n"
			     "Up Delay (ms): 0\n"
			     "Down Delay (ms): 0\n"
			     "ARP Polling Interval (ms): 1000\n"
			     "ARP IP target/s (n.n.n.n form): 10.152.1.1\n"
			     "\n"
			     "Slave Interface: em3\n"
			     "MII Status: up\n"
			     "Speed: 1000 Mbps\n"
			     "Duplex: full\n"
			     "Link Failure Count: 92028\n"
			     "Permanent HW addr: 00:1f:f3:af:d3:f1\n"
			     "Slave queue ID: 0\n"
			     "\n"
			     "Slave Interface: p2p3\n"
			     "MII Status: up\n"
			     "Speed: 1000 Mbps\n"
			     "Duplex: full\n"
			     "Link Failure Count: 71524\n"
			     "Permanent HW addr: 00:1f:f3:af:d3:f1\n"
			     "Slave queue ID: 0\n";

static void test_active_backup_arp_and_primary(void **state)
{
	struct bond_info info = PARSE(ab_arp);

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_AB);
	assert_true(info.primary_known);
	assert_string_equal(info.primary, "em3"); /* without "(primary_reselect failure)" */
	assert_true(info.active_known);
	assert_string_equal(info.active, "em3");
	assert_int_equal(info.miimon, 0);
	assert_int_equal(info.arp_interval, 1000);
	assert_int_equal(info.arp_targets, 1);
	assert_int_equal(slave(&info, "em3")->link_failures, 92028);
	assert_int_equal(slave(&info, "p2p3")->link_failures, 71524);
	assert_false(slave(&info, "p2p3")->agg_known); /* not 802.3ad: no aggregator line */
	bond_info_free(&info);
}

/* corpus: kernel-doc-active-backup-queue-id-no-miimon (no banner line). */
static const char kernel_doc[] = "Bonding Mode: fault-tolerance (active-backup)\n"
				 "Primary Slave: None\n"
				 "Currently Active Slave: eth0\n"
				 "MII Status: up\n"
				 "MII Polling Interval (ms): 0\n"
				 "Up Delay (ms): 0\n"
				 "Down Delay (ms): 0\n"
				 "\n"
				 "Slave Interface: eth0\n"
				 "MII Status: up\n"
				 "Link Failure Count: 0\n"
				 "Permanent HW addr: 00:1a:a0:12:8f:cb\n"
				 "Slave queue ID: 0\n"
				 "\n"
				 "Slave Interface: eth1\n"
				 "MII Status: up\n"
				 "Link Failure Count: 0\n"
				 "Permanent HW addr: 00:1a:a0:12:8f:cc\n"
				 "Slave queue ID: 2\n";

static void test_excerpt_without_banner_no_monitoring(void **state)
{
	struct bond_info info = PARSE(kernel_doc);

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_AB);
	assert_true(info.primary_known);
	assert_null(info.primary); /* "None" */
	assert_string_equal(info.active, "eth0");
	assert_int_equal(info.miimon, 0);
	assert_int_equal(info.arp_interval, 0);
	assert_int_equal(slave(&info, "eth0")->speed, -1); /* no Speed line at all */
	assert_int_equal(info.n_slaves, 2);
	bond_info_free(&info);
}

/*
 * Hand-made, in the format of a 6.x kernel read by root: "LACP active",
 * "Peer Notification Delay", a live partner (port state 63: activity,
 * timeout, aggregation, sync, collecting, distributing).
 */
static const char recent_root[] = "Ethernet Channel Bonding Driver: v6.1.0-13-amd64\n"
				  "\n"
				  "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
				  "Transmit Hash Policy: layer3+4 (1)\n"
				  "MII Status: up\n"
				  "MII Polling Interval (ms): 100\n"
				  "Up Delay (ms): 0\n"
				  "Down Delay (ms): 0\n"
				  "Peer Notification Delay (ms): 0\n"
				  "\n"
				  "802.3ad info\n"
				  "LACP active: on\n"
				  "LACP rate: fast\n"
				  "Min links: 2\n"
				  "Aggregator selection policy (ad_select): bandwidth\n"
				  "System priority: 65535\n"
				  "System MAC address: 52:54:00:12:34:56\n"
				  "Active Aggregator Info:\n"
				  "\tAggregator ID: 1\n"
				  "\tNumber of ports: 2\n"
				  "\tActor Key: 15\n"
				  "\tPartner Key: 32783\n"
				  "\tPartner Mac Address: 00:1c:73:aa:bb:cc\n"
				  "\n"
				  "Slave Interface: ens1f0\n"
				  "MII Status: up\n"
				  "Speed: 25000 Mbps\n"
				  "Duplex: full\n"
				  "Link Failure Count: 1\n"
				  "Permanent HW addr: 52:54:00:12:34:56\n"
				  "Slave queue ID: 0\n"
				  "Aggregator ID: 1\n"
				  "Actor Churn State: none\n"
				  "Partner Churn State: none\n"
				  "Actor Churned Count: 0\n"
				  "Partner Churned Count: 0\n"
				  "details actor lacp pdu:\n"
				  "    system priority: 65535\n"
				  "    system mac address: 52:54:00:12:34:56\n"
				  "    port key: 15\n"
				  "    port priority: 255\n"
				  "    port number: 1\n"
				  "    port state: 63\n"
				  "details partner lacp pdu:\n"
				  "    system priority: 32768\n"
				  "    system mac address: 00:1c:73:aa:bb:cc\n"
				  "    oper key: 32783\n"
				  "    port priority: 32768\n"
				  "    port number: 17\n"
				  "    port state: 61\n"
				  "\n"
				  "Slave Interface: ens1f1\n"
				  "MII Status: going down\n"
				  "Speed: 25000 Mbps\n"
				  "Duplex: full\n"
				  "Link Failure Count: 0\n"
				  "Permanent HW addr: 52:54:00:12:34:57\n"
				  "Slave queue ID: 0\n"
				  "Aggregator ID: 1\n"
				  "Actor Churn State: none\n"
				  "Partner Churn State: none\n"
				  "Actor Churned Count: 0\n"
				  "Partner Churned Count: 0\n"
				  "details actor lacp pdu:\n"
				  "    system priority: 65535\n"
				  "    system mac address: 52:54:00:12:34:56\n"
				  "    port key: 15\n"
				  "    port priority: 255\n"
				  "    port number: 2\n"
				  "    port state: 63\n"
				  "details partner lacp pdu:\n"
				  "    system priority: 32768\n"
				  "    system mac address: 00:1c:73:aa:bb:cc\n"
				  "    oper key: 32783\n"
				  "    port priority: 32768\n"
				  "    port number: 18\n"
				  "    port state: 61\n"
				  "\n"
				  "Slave Interface: ens2f0\n"
				  "MII Status: going back\n"
				  "Speed: Unknown\n"
				  "Duplex: Unknown\n"
				  "Link Failure Count: 3\n"
				  "Permanent HW addr: 52:54:00:12:34:58\n"
				  "Slave queue ID: 0\n"
				  "Aggregator ID: N/A\n";

static void test_8023ad_recent_root_view(void **state)
{
	static const uint8_t partner[6] = { 0x00, 0x1c, 0x73, 0xaa, 0xbb, 0xcc };
	struct bond_info info = PARSE(recent_root);
	const struct bond_slave *s;

	(void)state;
	assert_int_equal(info.min_links, 2);
	assert_int_equal(info.active_agg, 1);
	assert_int_equal(info.active_ports, 2);
	assert_memory_equal(info.partner_mac, partner, 6);
	s = slave(&info, "ens1f0");
	assert_int_equal(s->speed, 25000);
	assert_int_equal(s->actor_state, 63);
	assert_int_equal(s->partner_state, 61);
	assert_memory_equal(s->partner_mac, partner, 6);
	assert_int_equal(slave(&info, "ens1f1")->link, BOND_LINK_FAIL);
	s = slave(&info, "ens2f0");
	assert_int_equal(s->link, BOND_LINK_BACK);
	assert_true(s->agg_known);
	assert_int_equal(s->agg_id, -1); /* "N/A": detached */
	bond_info_free(&info);
}

/* Hand-made: bond_procfs.c prints "bond %s has no active aggregator" to root. */
static void test_no_active_aggregator(void **state)
{
	struct bond_info info = PARSE("Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
				      "MII Status: down\n"
				      "MII Polling Interval (ms): 100\n"
				      "\n"
				      "802.3ad info\n"
				      "LACP rate: slow\n"
				      "Min links: 0\n"
				      "Aggregator selection policy (ad_select): stable\n"
				      "System priority: 65535\n"
				      "System MAC address: 52:54:00:12:34:56\n"
				      "bond bond0 has no active aggregator\n"
				      "\n"
				      "Slave Interface: eth0\n"
				      "MII Status: down\n"
				      "Aggregator ID: N/A\n");

	(void)state;
	assert_true(info.agg_visible);
	assert_true(info.no_active_agg);
	assert_int_equal(info.carrier, 0);
	assert_int_equal(info.n_slaves, 1);
	bond_info_free(&info);
}

/* Hand-made: an excerpt without the mode line (as some tools quote it). */
static void test_no_mode_line(void **state)
{
	struct bond_info info = PARSE("MII Status: up\n"
				      "MII Polling Interval (ms): 100\n"
				      "Up Delay (ms): 0\n"
				      "Down Delay (ms): 0\n"
				      "Multicast Mode: all slaves\n"
				      "\n"
				      "Slave Interface: eth1\n"
				      "MII Status: up\n"
				      "Link Failure Count: 0\n"
				      "\n"
				      "Slave Interface: eth2\n"
				      "MII Status: down\n"
				      "Link Failure Count: 1\n");

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_UNKNOWN);
	assert_int_equal(info.miimon, 100);
	assert_int_equal(info.n_slaves, 2);
	assert_int_equal(slave(&info, "eth2")->link, BOND_LINK_DOWN);
	bond_info_free(&info);
}

/* Every "Bonding Mode:" text of bond_mode_name() in bond_main.c. */
static void test_every_mode_text(void **state)
{
	static const struct {
		const char *text;
		enum bond_mode mode;
	} cases[] = {
		{ "load balancing (round-robin)", BOND_MODE_RR },
		{ "fault-tolerance (active-backup)", BOND_MODE_AB },
		{ "fault-tolerance (active-backup) (fail_over_mac active)", BOND_MODE_AB },
		{ "load balancing (xor)", BOND_MODE_XOR },
		{ "fault-tolerance (broadcast)", BOND_MODE_BROADCAST },
		{ "IEEE 802.3ad Dynamic link aggregation", BOND_MODE_8023AD },
		{ "transmit load balancing", BOND_MODE_TLB },
		{ "adaptive load balancing", BOND_MODE_ALB },
		{ "balance-alb", BOND_MODE_ALB }, /* short (sysfs) name */
		{ "something new", BOND_MODE_UNKNOWN },
		{ "", BOND_MODE_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		struct bond_info info;
		int n = snprintf(text, sizeof(text), "Bonding Mode: %s\n", cases[i].text);

		info = parse_n(text, (size_t)n);
		if (info.mode != cases[i].mode)
			fail_msg("\"%s\": mode %d, expected %d", cases[i].text, info.mode,
				 cases[i].mode);
		bond_info_free(&info);
	}
}

/* Several ARP targets, as "ARP IP target/s" joins them with ", ". */
static void test_arp_targets(void **state)
{
	struct bond_info info =
		PARSE("Bonding Mode: load balancing (xor)\n"
		      "MII Status: up\n"
		      "MII Polling Interval (ms): 0\n"
		      "ARP Polling Interval (ms): 250\n"
		      "ARP Missed Max: 2\n"
		      "ARP IP target/s (n.n.n.n form): 10.0.0.1, 10.0.0.2, 10.0.0.3\n"
		      "NS IPv6 target/s (XX::XX form): fe80::1\n");

	(void)state;
	assert_int_equal(info.arp_interval, 250);
	assert_int_equal(info.arp_targets, 3);
	bond_info_free(&info);
}

/* Old kernels printed SPEED_UNKNOWN as a number: -1, or 65535 in a u16. */
static void test_speed_forms(void **state)
{
	struct bond_info info = PARSE("Slave Interface: a\nSpeed: -1 Mbps\nDuplex: half\n"
				      "Slave Interface: b\nSpeed: 65535 Mbps\n"
				      "Slave Interface: c\nSpeed: 100 Mbps\n"
				      "Slave Interface: d\nSpeed: 100Mbps\n"
				      "Slave Interface: e\nSpeed: 400000 Mbps\n");

	(void)state;
	assert_int_equal(slave(&info, "a")->speed, -1);
	assert_int_equal(slave(&info, "a")->duplex, BOND_DUPLEX_HALF);
	assert_int_equal(slave(&info, "b")->speed, -1);
	assert_int_equal(slave(&info, "c")->speed, 100);
	assert_int_equal(slave(&info, "d")->speed, -1); /* not the kernel's format */
	assert_int_equal(slave(&info, "e")->speed, 400000);
	bond_info_free(&info);
}

/* CRLF, no final newline, a file cut in the middle of a line. */
static void test_line_endings_and_cuts(void **state)
{
	struct bond_info info = PARSE("Bonding Mode: load balancing (round-robin)\r\n"
				      "MII Polling Interval (ms): 100\r\n"
				      "\r\n"
				      "Slave Interface: eth0\r\n"
				      "MII Status: up\r\n"
				      "Link Failure Count: 7\r\n"
				      "\r\n"
				      "Slave Interface: eth1\r\n"
				      "MII Sta");

	(void)state;
	assert_int_equal(info.mode, BOND_MODE_RR);
	assert_int_equal(slave(&info, "eth0")->link, BOND_LINK_UP);
	assert_int_equal(slave(&info, "eth0")->link_failures, 7);
	assert_int_equal(slave(&info, "eth1")->link, BOND_LINK_UNKNOWN);
	bond_info_free(&info);
}

/* Hostile content: NUL bytes, bad numbers, long and odd names, empty names. */
static void test_hostile_text(void **state)
{
	static const char text[] =
		"Bonding Mode: load balancing (round-robin)\n"
		"MII Polling Interval (ms): 99999999999999999999\n"
		"Min links: -3\n"
		"Slave Interface: \n"
		"MII Status: up\n"
		"Slave Interface: ../../etc\n"
		"MII Status: up\n"
		"Link Failure Count: -1\n"
		"Slave Interface: a b\n"
		"Slave Interface: e\0vil\n"
		"Slave Interface: \xff\xfe\"q'\n"
		"Link Failure Count: 4294967296\n"
		"Slave Interface: "
		"0123456789012345678901234567890123456789012345678901234567890123456789\n"
		"Aggregator ID: 12abc\n"
		"details partner lacp pdu:\n"
		"    port state: 256\n"
		"    system mac address: 00:11:22:33:44\n"
		":\n"
		"::::\n"
		"Slave Interface: eth0:1\n";
	struct bond_info info = PARSE(text);
	const struct bond_slave *s;

	(void)state;
	assert_int_equal(info.miimon, -1);
	assert_int_equal(info.min_links, -1);
	/* The empty name opens no slave: its MII line is skipped. */
	assert_int_equal(info.n_slaves, 6);
	s = slave(&info, "../../etc");
	assert_false(s->name_valid);
	assert_int_equal(s->link_failures, -1);
	assert_false(slave(&info, "a b")->name_valid);
	assert_string_equal(info.slaves[2].name, "e?vil"); /* NUL replaced */
	assert_false(info.slaves[2].name_valid);
	s = &info.slaves[3];
	assert_string_equal(s->name, "\xff\xfe\"q'");
	assert_true(s->name_valid); /* the kernel allows these bytes */
	assert_int_equal(s->link_failures, -1);
	s = &info.slaves[4];
	assert_int_equal(strlen(s->name), BOND_NAME_KEEP);
	assert_false(s->name_valid);
	assert_false(s->agg_known);
	assert_int_equal(s->partner_state, -1);
	assert_false(s->partner_mac_known);
	/* "eth0:1" (an alias) is no valid ifname: never looked up in sysfs. */
	assert_string_equal(info.slaves[5].name, "eth0:1");
	assert_false(info.slaves[5].name_valid);
	bond_info_free(&info);
}

/* The same name twice is one slave (the kernel never prints that). */
static void test_duplicate_slave(void **state)
{
	struct bond_info info = PARSE("Slave Interface: eth0\nMII Status: down\n"
				      "Slave Interface: eth0\nMII Status: up\n");

	(void)state;
	assert_int_equal(info.n_slaves, 1);
	assert_int_equal(info.slaves[0].link, BOND_LINK_UP);
	bond_info_free(&info);
}

/* Empty input, and input that is all noise. */
static void test_empty_and_noise(void **state)
{
	struct bond_info info = parse_n("", 0);

	(void)state;
	assert_int_equal(info.n_slaves, 0);
	assert_int_equal(info.mode, BOND_MODE_UNKNOWN);
	assert_int_equal(info.miimon, -1);
	assert_int_equal(info.arp_interval, -1); /* no master part: not known to be off */
	bond_info_free(&info);
	info = PARSE("\n\n\t \n\x01\x02\x03\n");
	assert_int_equal(info.n_slaves, 0);
	bond_info_free(&info);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_8023ad_root_view_with_pdu_details),
		cmocka_unit_test(test_8023ad_old_kernel_split),
		cmocka_unit_test(test_8023ad_nonroot_view),
		cmocka_unit_test(test_active_backup_arp_and_primary),
		cmocka_unit_test(test_excerpt_without_banner_no_monitoring),
		cmocka_unit_test(test_8023ad_recent_root_view),
		cmocka_unit_test(test_no_active_aggregator),
		cmocka_unit_test(test_no_mode_line),
		cmocka_unit_test(test_every_mode_text),
		cmocka_unit_test(test_arp_targets),
		cmocka_unit_test(test_speed_forms),
		cmocka_unit_test(test_line_endings_and_cuts),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_duplicate_slave),
		cmocka_unit_test(test_empty_and_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
