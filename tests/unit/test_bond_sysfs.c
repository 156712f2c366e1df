// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of bond discovery and the sysfs reader (plugins/bond/bond_sysfs.c)
 * on temporary trees (mkdtemp): the live layout (class symlinks into
 * devices/virtual/net, lower_<slave> links), the captured layout of the
 * corpus (slave_<slave> directories), non-root 802.3ad attributes, /proc and
 * sysfs together, and hostile names and files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/bond/bond_proc.h"
#include "../../plugins/bond/bond_rules.h"
#include "../../plugins/bond/bond_sysfs.h"

struct fx {
	char root[64];
	int rootfd;
	struct strbuf buf;
	struct bond_names names;
	struct bond_info info;
	bool have_info;
	bool listed_net; /* discover(): sys/class/net had to be listed */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/redmon-bond-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->rootfd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->rootfd < 0)
		return -1;
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->rootfd);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	strbuf_free(&f->buf);
	bond_names_free(&f->names);
	if (f->have_info)
		bond_info_free(&f->info);
	free(f);
	return 0;
}

/* mkdir -p root/rel */
static void mkdirs(struct fx *f, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	for (char *p = path + strlen(f->root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* Write root/rel (creating its directory) with text. */
static void put(struct fx *f, const char *rel, const char *text)
{
	char path[512], dir[512];
	char *slash;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		mkdirs(f, dir);
	}
	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void link_at(struct fx *f, const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void discover(struct fx *f)
{
	bond_names_clear(&f->names);
	assert_int_equal(bond_discover(f->rootfd, &f->buf, &f->names, &f->listed_net), 0);
}

static struct bond_info *read_bond(struct fx *f, const char *name, int want)
{
	if (f->have_info)
		bond_info_free(&f->info);
	assert_int_equal(bond_info_init(&f->info, name), 0);
	f->have_info = true;
	assert_int_equal(bond_sysfs_read(f->rootfd, &f->info, &f->buf, NULL, NULL, NULL), want);
	return &f->info;
}

static const struct bond_slave *slave(const struct bond_info *info, const char *name)
{
	const struct bond_slave *s = bond_info_find_slave(info, strv_c(name));

	if (!s)
		fail_msg("slave %s not read", name);
	return s;
}

/* The layout of a live 6.x system, 802.3ad read as root. */
static void live_tree(struct fx *f)
{
	const char *b = "sys/devices/virtual/net/bond0";
	char p[256];

	put(f, "sys/class/net/bonding_masters", "bond0\n");
	mkdirs(f, "sys/class/net");
#define A(rel, text)                                                                               \
	do {                                                                                       \
		snprintf(p, sizeof(p), "%s/%s", b, rel);                                           \
		put(f, p, text);                                                                   \
	} while (0)
	A("bonding/mode", "802.3ad 4\n");
	A("bonding/slaves", "eth0 eth1\n");
	A("bonding/miimon", "100\n");
	A("bonding/arp_interval", "0\n");
	A("bonding/arp_ip_target", "");
	A("bonding/min_links", "1\n");
	A("bonding/mii_status", "up\n");
	A("bonding/ad_aggregator", "1\n");
	A("bonding/ad_num_ports", "2\n");
	A("bonding/ad_partner_mac", "00:1c:73:aa:bb:cc\n");
	A("bonding/active_slave", "");
	A("bonding/primary", "");
	A("operstate", "up\n");
	A("flags", "0x1403\n");
#undef A
	link_at(f, "../../devices/virtual/net/bond0", "sys/class/net/bond0");
	for (int i = 0; i < 2; i++) {
		char dir[128];

		snprintf(dir, sizeof(dir), "sys/devices/pci0000:00/0000:00:0%d.0/net/eth%d", i + 3,
			 i);
#define S(rel, text)                                                                               \
	do {                                                                                       \
		snprintf(p, sizeof(p), "%s/%s", dir, rel);                                         \
		put(f, p, text);                                                                   \
	} while (0)
		S("bonding_slave/state", "active\n");
		S("bonding_slave/mii_status", i ? "down\n" : "up\n");
		S("bonding_slave/link_failure_count", i ? "3\n" : "0\n");
		S("bonding_slave/ad_aggregator_id", i ? "2\n" : "1\n");
		S("bonding_slave/ad_actor_oper_port_state", i ? "69\n" : "63\n");
		S("bonding_slave/ad_partner_oper_port_state", i ? "1\n" : "61\n");
		S("bonding_slave/perm_hwaddr", "52:54:00:12:34:56\n");
		S("operstate", i ? "lowerlayerdown\n" : "up\n");
		S("speed", i ? "-1\n" : "10000\n");
		S("duplex", i ? "unknown\n" : "full\n");
#undef S
		snprintf(p, sizeof(p), "sys/class/net/eth%d", i);
		snprintf(dir, sizeof(dir), "../../devices/pci0000:00/0000:00:0%d.0/net/eth%d",
			 i + 3, i);
		link_at(f, dir, p);
		snprintf(p, sizeof(p), "%s/lower_eth%d", b, i);
		snprintf(dir, sizeof(dir), "../../../pci0000:00/0000:00:0%d.0/net/eth%d", i + 3, i);
		link_at(f, dir, p);
	}
}

static void test_live_layout_8023ad(void **state)
{
	struct fx *f = *state;
	static const uint8_t partner[6] = { 0x00, 0x1c, 0x73, 0xaa, 0xbb, 0xcc };
	const struct bond_info *info;
	const struct bond_slave *s;
	struct bond_verdict v;
	char dir[128];

	live_tree(f);
	discover(f);
	assert_int_equal(f->names.n, 1);
	assert_string_equal(f->names.v[0], "bond0");
	info = read_bond(f, "bond0", 0);
	assert_true(info->sources & BOND_SRC_SYSFS);
	assert_int_equal(info->mode, BOND_MODE_8023AD);
	assert_int_equal(info->miimon, 100);
	assert_int_equal(info->arp_interval, 0);
	assert_int_equal(info->arp_targets, 0);
	assert_int_equal(info->min_links, 1);
	assert_int_equal(info->carrier, 1);
	assert_true(info->agg_visible);
	assert_int_equal(info->active_agg, 1);
	assert_int_equal(info->active_ports, 2);
	assert_true(info->partner_mac_known);
	assert_memory_equal(info->partner_mac, partner, 6);
	assert_int_equal(info->oper, BOND_OPER_UP);
	assert_int_equal(info->admin_up, 1);
	/* The active slave and a slave's active/backup state decide nothing in 802.3ad: not read. */
	assert_false(info->active_known);
	assert_null(info->active);
	assert_int_equal(info->n_slaves, 2);
	s = slave(info, "eth0");
	assert_int_equal(s->link, BOND_LINK_UP);
	assert_int_equal(s->is_active, -1);
	assert_int_equal(s->dir, BOND_DIR_CLASS);
	assert_int_equal(s->agg_id, 1);
	assert_int_equal(s->actor_state, 63);
	assert_int_equal(s->partner_state, 61);
	assert_int_equal(s->speed, 10000);
	assert_int_equal(s->duplex, BOND_DUPLEX_FULL);
	assert_int_equal(s->oper, BOND_OPER_UP);
	s = slave(info, "eth1");
	assert_int_equal(s->link, BOND_LINK_DOWN);
	assert_int_equal(s->link_failures, 3);
	assert_int_equal(s->speed, -1);
	assert_int_equal(s->oper, BOND_OPER_DOWN);
	assert_int_equal(bond_sysfs_slave_dir(f->rootfd, "bond0", "eth1", dir, sizeof(dir)), 0);
	assert_string_equal(dir, "sys/class/net/eth1");

	assert_int_equal(bond_decide(info, NULL, &v), 0);
	assert_int_equal(v.members_ok, 1);
	assert_int_equal(v.members_failed, 1);
	assert_int_equal(v.margin, 0);
	bond_verdict_free(&v);
}

/* The corpus layout (node_exporter's fixture): slave_<if>/ directories only. */
static void test_captured_layout_slave_dirs(void **state)
{
	struct fx *f = *state;
	const struct bond_info *info;
	char dir[128];

	put(f, "sys/class/net/int/bonding/slaves", "eth5 eth1\n");
	put(f, "sys/class/net/int/operstate", "up\n");
	put(f, "sys/class/net/int/flags", "0x1303\n");
	put(f, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "down\n");
	put(f, "sys/class/net/int/slave_eth1/operstate", "down\n");
	put(f, "sys/class/net/int/slave_eth5/bonding_slave/mii_status", "up\n");
	put(f, "sys/class/net/int/slave_eth5/operstate", "up\n");
	put(f, "sys/class/net/bond0/bonding/slaves", "");
	put(f, "sys/class/net/eth9/operstate", "up\n"); /* no bonding/: not a bond */
	discover(f);
	assert_true(f->listed_net); /* no bonding_masters */
	assert_int_equal(f->names.n, 2);
	assert_string_equal(f->names.v[0], "bond0");
	assert_string_equal(f->names.v[1], "int");
	info = read_bond(f, "int", 0);
	assert_int_equal(info->mode, BOND_MODE_UNKNOWN);
	assert_int_equal(info->n_slaves, 2);
	assert_string_equal(info->slaves[0].name, "eth5");
	assert_int_equal(slave(info, "eth5")->link, BOND_LINK_UP);
	assert_int_equal(slave(info, "eth1")->link, BOND_LINK_DOWN);
	assert_int_equal(slave(info, "eth1")->oper, BOND_OPER_DOWN);
	assert_int_equal(bond_sysfs_slave_dir(f->rootfd, "int", "eth1", dir, sizeof(dir)), 0);
	assert_string_equal(dir, "sys/class/net/int/slave_eth1");
	info = read_bond(f, "bond0", 0);
	assert_int_equal(info->n_slaves, 0);
	read_bond(f, "eth9", -ENOENT);
	read_bond(f, "nothere", -ENOENT);
}

/* A hint that puts every slave of bond "int" in its slave_<slave> directory, counting calls. */
static int hint_calls;

static enum bond_slave_dir hint_slave_dir(const void *ctx, size_t i, const char *name)
{
	(void)ctx;
	(void)i;
	(void)name;
	hint_calls++;
	return BOND_DIR_SLAVE;
}

/*
 * The hint (where a slave's attributes were at the last read) is tried
 * before sys/class/net/<slave>, which wins without it: a caller passes it
 * only while no directory can have come or gone.  A hint that leads to no
 * attribute falls back to the usual order.
 */
static void test_slave_dir_hint(void **state)
{
	struct fx *f = *state;
	struct bond_info *info;

	put(f, "sys/class/net/int/bonding/slaves", "eth5 eth1\n");
	put(f, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "down\n");
	put(f, "sys/class/net/eth1/bonding_slave/mii_status", "up\n");
	put(f, "sys/class/net/eth5/bonding_slave/mii_status", "up\n");
	info = read_bond(f, "int", 0);
	assert_int_equal(slave(info, "eth1")->link, BOND_LINK_UP);
	assert_int_equal(slave(info, "eth1")->dir, BOND_DIR_CLASS);

	bond_info_free(&f->info);
	assert_int_equal(bond_info_init(&f->info, "int"), 0);
	hint_calls = 0;
	assert_int_equal(bond_sysfs_read(f->rootfd, &f->info, &f->buf, NULL, hint_slave_dir, NULL),
			 0);
	info = &f->info;
	assert_int_equal(hint_calls, 2);
	assert_int_equal(slave(info, "eth1")->link, BOND_LINK_DOWN);
	assert_int_equal(slave(info, "eth1")->dir, BOND_DIR_SLAVE);
	assert_int_equal(slave(info, "eth5")->link, BOND_LINK_UP); /* no slave_eth5 */
	assert_int_equal(slave(info, "eth5")->dir, BOND_DIR_CLASS);
}

/* /proc first (one snapshot), sysfs only fills what /proc lacks. */
static void test_proc_and_sysfs_merge(void **state)
{
	static const char proc[] = "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
				   "MII Status: up\n"
				   "MII Polling Interval (ms): 100\n"
				   "\n802.3ad info\nLACP rate: fast\nMin links: 0\n"
				   "\nSlave Interface: eth0\nMII Status: up\nAggregator ID: 2\n"
				   "\nSlave Interface: eth1\nMII Status: up\nAggregator ID: 1\n";
	struct fx *f = *state;
	struct bond_info *info;
	struct bond_verdict v;

	put(f, "proc/net/bonding/bond0", proc);
	put(f, "sys/class/net/bond0/bonding/mode", "balance-rr 0\n"); /* /proc wins */
	/* eth2: sysfs only, as if enslaved between the two reads: /proc's list is the one taken. */
	put(f, "sys/class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n");
	put(f, "sys/class/net/bond0/bonding/miimon", "200\n");
	put(f, "sys/class/net/bond0/bonding/ad_aggregator", "1\n"); /* readable without CAP */
	put(f, "sys/class/net/bond0/bonding/ad_num_ports", "1\n");
	put(f, "sys/class/net/bond0/bonding/ad_partner_mac", ""); /* needs CAP_NET_ADMIN */
	put(f, "sys/class/net/bond0/operstate", "up\n");
	put(f, "sys/class/net/eth0/bonding_slave/mii_status", "down\n"); /* /proc wins */
	put(f, "sys/class/net/eth0/operstate", "up\n");
	put(f, "sys/class/net/eth2/bonding_slave/mii_status", "up\n");
	put(f, "sys/class/net/eth2/bonding_slave/ad_aggregator_id", "N/A\n");
	discover(f);
	assert_int_equal(f->names.n, 1);

	info = &f->info;
	assert_int_equal(bond_info_init(info, "bond0"), 0);
	f->have_info = true;
	assert_int_equal(bond_read_file(NULL, f->rootfd, "proc/net/bonding/bond0", BOND_PROC_MAX,
					&f->buf, NULL),
			 0);
	assert_int_equal(bond_proc_parse(f->buf.p, f->buf.len, info), 0);
	assert_int_equal(bond_sysfs_read(f->rootfd, info, &f->buf, NULL, NULL, NULL), 0);
	assert_int_equal(info->sources, BOND_SRC_PROC | BOND_SRC_SYSFS);
	assert_int_equal(info->mode, BOND_MODE_8023AD);
	assert_int_equal(info->miimon, 100);
	assert_int_equal(info->active_agg, 1);
	assert_false(info->partner_mac_known);
	assert_int_equal(info->n_slaves, 2);
	assert_int_equal(slave(info, "eth0")->link, BOND_LINK_UP);
	assert_int_equal(slave(info, "eth0")->sources, BOND_SRC_PROC);
	assert_int_equal(slave(info, "eth0")->oper, BOND_OPER_UP);
	assert_null(bond_info_find_slave(info, strv_c("eth2")));

	assert_int_equal(bond_decide(info, NULL, &v), 0);
	/* Active aggregator 1 (from sysfs): eth1 only. */
	assert_int_equal(v.members_ok, 1);
	assert_int_equal(v.members_failed, 1);
	assert_int_equal(v.margin, 0);
	assert_int_equal(v.margin_nominal, 1);
	bond_verdict_free(&v);
}

/* bonding_masters is cut at one page (bonding_show_bonds()); proc finds bonds too. */
static void test_discovery_sources_and_cut_list(void **state)
{
	struct fx *f = *state;

	/* A whole bonding_masters: sys/class/net is not listed (bond3 unseen). */
	put(f, "sys/class/net/bonding_masters", "bond0 bond1\n");
	put(f, "proc/net/bonding/bond7", "Bonding Mode: load balancing (round-robin)\n");
	put(f, "sys/class/net/bond3/bonding/slaves", "a b ++more++\n");
	discover(f);
	assert_false(f->listed_net);
	assert_int_equal(f->names.n, 3);
	assert_false(bond_names_has(&f->names, "bond3"));
	/* Cut, and /proc does not list bond0 and bond1: it is. */
	put(f, "sys/class/net/bonding_masters", "bond0 bond1 ++more++\n");
	discover(f);
	assert_true(f->listed_net);
	assert_int_equal(f->names.n, 4);
	assert_string_equal(f->names.v[0], "bond0");
	assert_string_equal(f->names.v[1], "bond1");
	assert_string_equal(f->names.v[2], "bond3");
	assert_string_equal(f->names.v[3], "bond7");
	assert_true(bond_names_has(&f->names, "bond7"));
	assert_false(bond_names_has(&f->names, "++more++"));
	assert_true(read_bond(f, "bond3", 0)->slaves_cut);
	assert_int_equal(f->info.n_slaves, 2);
}

/* Names the kernel would refuse are never used in a path. */
static void test_hostile_names(void **state)
{
	struct fx *f = *state;
	char longname[300];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	put(f, "sys/class/net/bonding_masters",
	    "../../etc bond0 .. . a/b x:y 0123456789abcdef \"q\" \xff\xfe\n");
	put(f, "proc/net/bonding/my bond", "Bonding Mode: load balancing (round-robin)\n");
	put(f, "proc/net/bonding/ok\"quote", "");
	put(f, "proc/net/bonding/\xc3\x28", ""); /* invalid UTF-8, valid ifname */
	mkdirs(f, "sys/class/net/with space/bonding");
	{
		char rel[400];

		snprintf(rel, sizeof(rel), "proc/net/bonding/%.250s", longname);
		put(f, rel, "");
	}
	discover(f);
	/* bond0, "q" (with quotes), \xff\xfe, ok"quote, \xc3\x28: sorted by bytes. */
	assert_int_equal(f->names.n, 5);
	assert_true(bond_names_has(&f->names, "bond0"));
	assert_true(bond_names_has(&f->names, "\"q\""));
	assert_true(bond_names_has(&f->names, "ok\"quote"));
	assert_true(bond_names_has(&f->names, "\xff\xfe"));
	assert_true(bond_names_has(&f->names, "\xc3\x28"));
	assert_false(bond_names_has(&f->names, "../../etc"));
	/* The reader refuses an invalid name outright. */
	read_bond(f, "../../etc", -EINVAL);
	read_bond(f, "with space", -EINVAL);
}

/* A slave list naming "../x" is kept as a member but never read. */
static void test_hostile_slave_names(void **state)
{
	struct fx *f = *state;
	const struct bond_info *info;
	char dir[128];

	put(f, "sys/class/net/bond0/bonding/slaves", "../../etc eth0 0123456789abcdefgh\n");
	put(f, "sys/class/net/eth0/bonding_slave/mii_status", "up\n");
	put(f, "etc/bonding_slave/mii_status", "up\n"); /* what "../../etc" would reach */
	info = read_bond(f, "bond0", 0);
	assert_int_equal(info->n_slaves, 3);
	assert_false(slave(info, "../../etc")->name_valid);
	assert_int_equal(slave(info, "../../etc")->link, BOND_LINK_UNKNOWN);
	assert_int_equal(slave(info, "eth0")->link, BOND_LINK_UP);
	assert_false(slave(info, "0123456789abcdefgh")->name_valid);
	assert_int_equal(bond_sysfs_slave_dir(f->rootfd, "bond0", "eth7", dir, sizeof(dir)),
			 -ENOENT);
}

/* A FIFO, a directory or a device where an attribute should be: never block. */
static void test_odd_files(void **state)
{
	struct fx *f = *state;
	char path[512];
	const struct bond_info *info;

	put(f, "sys/class/net/bond0/bonding/slaves", "eth0\n");
	snprintf(path, sizeof(path), "%s/sys/class/net/bond0/bonding/mode", f->root);
	assert_int_equal(mkfifo(path, 0644), 0);
	mkdirs(f, "sys/class/net/bond0/bonding/miimon");
	link_at(f, "/dev/zero", "sys/class/net/bond0/operstate");
	link_at(f, "/dev/null", "sys/class/net/bond0/flags");
	put(f, "sys/class/net/eth0/bonding_slave/mii_status", "up\n");
	link_at(f, "/dev/urandom", "sys/class/net/eth0/bonding_slave/link_failure_count");
	info = read_bond(f, "bond0", 0);
	assert_int_equal(info->mode, BOND_MODE_UNKNOWN);
	assert_int_equal(info->miimon, -1);
	assert_int_equal(info->oper, BOND_OPER_UNKNOWN);
	assert_int_equal(info->admin_up, -1);
	assert_int_equal(slave(info, "eth0")->link_failures, -1);
	assert_int_equal(slave(info, "eth0")->link, BOND_LINK_UP);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "sys/class/net/bond0/bonding/mode", 4096,
					&f->buf, NULL),
			 -EINVAL);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "sys/class/net/bond0/bonding/miimon", 4096,
					&f->buf, NULL),
			 -EISDIR);
}

/* An admin-down bond: IFF_UP clear in flags. */
static void test_admin_down(void **state)
{
	struct fx *f = *state;
	struct bond_verdict v;

	put(f, "sys/class/net/bond0/bonding/mode", "active-backup 1\n");
	put(f, "sys/class/net/bond0/bonding/slaves", "eth0 eth1\n");
	put(f, "sys/class/net/bond0/flags", "0x1002\n");
	put(f, "sys/class/net/bond0/operstate", "down\n");
	put(f, "sys/class/net/eth0/bonding_slave/mii_status", "up\n");
	put(f, "sys/class/net/eth1/bonding_slave/mii_status", "up\n");
	read_bond(f, "bond0", 0);
	assert_int_equal(f->info.admin_up, 0);
	assert_int_equal(bond_decide(&f->info, NULL, &v), 0);
	assert_int_equal(v.margin, -1);
	assert_non_null(strstr(v.reason, "bond is administratively down"));
	bond_verdict_free(&v);
}

/* No bonding at all is no error; a directory that cannot be listed is. */
static void test_discovery_errors(void **state)
{
	struct fx *f = *state;

	discover(f); /* an empty root */
	assert_int_equal(f->names.n, 0);
	put(f, "sys/class/net", "a file where a directory belongs\n");
	discover(f);
	mkdirs(f, "proc/net");
	link_at(f, "bonding", "proc/net/bonding"); /* a loop: ELOOP, as EACCES would be */
	assert_int_equal(bond_discover(f->rootfd, &f->buf, &f->names, NULL), -ELOOP);
}

/* Bounded reads: a file over the limit is cut and says so. */
static void test_bounded_read(void **state)
{
	struct fx *f = *state;
	char big[10000];
	bool cut = false;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	put(f, "big", big);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "big", 100, &f->buf, &cut), 0);
	assert_true(cut);
	assert_int_equal(f->buf.len, 100);
	assert_int_equal(f->buf.p[100], 0);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "big", sizeof(big), &f->buf, &cut), 0);
	assert_false(cut);
	assert_int_equal(f->buf.len, sizeof(big) - 1);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "nothing", 100, &f->buf, &cut), -ENOENT);
	assert_int_equal(f->buf.len, 0);
}

/* The verdict of the bond read last, into *v; its reason must hold part (NULL: anything). */
static void decide_read(struct fx *f, struct bond_verdict *v, const char *part)
{
	assert_int_equal(bond_decide(&f->info, NULL, v), 0);
	if (part && !strstr(v->reason, part))
		fail_msg("reason \"%s\" lacks \"%s\"", v->reason, part);
}

/* No byte below 0x20 or 0x7f in s: it cannot break a line of an event or a log. */
static void assert_printable(const char *s)
{
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x in \"%s\"", (unsigned char)*p, s);
	}
}

/*
 * Issue 12, E1: links planted in a captured tree, absolute and relative,
 * towards a file and a directory outside the root (standing for the host's
 * /etc/shadow and /etc), are resolved inside the root: nothing of what they
 * point to is read, and a file that is only such a link is "not readable",
 * not absent (the bond is unknown, not "no slaves").
 */
static void test_links_stay_in_root(void **state)
{
	struct fx *f = *state;
	char out[64], target[256], rel[256], cmd[1024];
	struct bond_verdict v;
	const char *outname;

	snprintf(out, sizeof(out), "/tmp/redmon-bond-out-XXXXXX");
	assert_non_null(mkdtemp(out));
	outname = out + strlen("/tmp/");
	/* Every secret a valid ifname: read, it would become a bond or slave name. */
	snprintf(target, sizeof(target), "%s/secret", out);
	{
		FILE *fp = fopen(target, "w");

		assert_non_null(fp);
		fputs("SECRETA SECRETB\n", fp);
		fclose(fp);
	}
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/dir/bonding %s/eth0/bonding_slave && "
		 "echo 'balance-rr 0' > %s/dir/bonding/mode && echo SECRETC > "
		 "%s/dir/bonding/slaves && echo up > %s/eth0/bonding_slave/mii_status",
		 out, out, out, out, out);
	assert_int_equal(system(cmd), 0);

	mkdirs(f, "sys/class/net");
	mkdirs(f, "proc/net/bonding");
	link_at(f, target, "sys/class/net/bonding_masters");
	snprintf(rel, sizeof(rel), "../../../../%s/secret", outname);
	link_at(f, rel, "proc/net/bonding/bondp");
	put(f, "sys/class/net/bond0/bonding/mode", "802.3ad 4\n");
	link_at(f, target, "sys/class/net/bond0/bonding/slaves");
	put(f, "sys/class/net/bond1/bonding/mode", "active-backup 1\n");
	snprintf(rel, sizeof(rel), "../../../../../../%s/secret", outname);
	link_at(f, rel, "sys/class/net/bond1/bonding/slaves");
	snprintf(rel, sizeof(rel), "%s/dir", out);
	link_at(f, rel, "sys/class/net/bond2");
	put(f, "sys/class/net/bond3/bonding/mode", "balance-rr 0\n");
	put(f, "sys/class/net/bond3/bonding/slaves", "eth0\n");
	snprintf(rel, sizeof(rel), "../../../../%s/eth0", outname);
	link_at(f, rel, "sys/class/net/eth0");

	discover(f);
	assert_int_equal(f->names.n, 4); /* bond0, bond1, bond3, bondp; not bond2 (outside) */
	assert_string_equal(f->names.v[0], "bond0");
	assert_string_equal(f->names.v[1], "bond1");
	assert_string_equal(f->names.v[2], "bond3");
	assert_string_equal(f->names.v[3], "bondp");

	for (int i = 0; i < 2; i++) {
		read_bond(f, i ? "bond1" : "bond0", 0);
		assert_int_equal(f->info.n_slaves, 0);
		assert_true(f->info.bad_sysfs & BOND_BAD_SLAVES);
		decide_read(f, &v, "slave list not readable (sys/class/net/bond");
		assert_int_equal(v.margin, REDMON_MARGIN_UNKNOWN);
		assert_int_equal(v.members_total, -1);
		assert_null(strstr(v.reason, "SECRET"));
		assert_null(strstr(v.reason, "no slaves"));
		bond_verdict_free(&v);
	}
	read_bond(f, "bond2", -ENOENT);
	read_bond(f, "bond3", 0);
	assert_int_equal(slave(&f->info, "eth0")->link, BOND_LINK_UNKNOWN);
	assert_int_equal(bond_sysfs_slave_dir(f->rootfd, "bond3", "eth0", rel, sizeof(rel)),
			 -ENOENT);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "proc/net/bonding/bondp", BOND_PROC_MAX,
					&f->buf, NULL),
			 -ELOOP);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "sys/class/net/bonding_masters", 4096,
					&f->buf, NULL),
			 -ELOOP);
	/* A link inside the root is followed, as the kernel's own sysfs links are. */
	put(f, "sys/class/net/bond4/bonding/real_slaves", "eth7\n");
	link_at(f, "/sys/class/net/bond4/bonding/real_slaves",
		"sys/class/net/bond4/bonding/slaves");
	read_bond(f, "bond4", 0);
	assert_int_equal(f->info.n_slaves, 1);
	assert_false(f->info.bad_sysfs & BOND_BAD_SLAVES);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
	assert_int_equal(system(cmd), 0);
}

/*
 * Issue 12, H3: garbage in both sources of the mode is an unknown verdict
 * that names both, never "ok"; one good source is enough.
 */
static void test_garbage_mode_is_unknown(void **state)
{
	static const char proc[] = "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
				   "MII Status: up\nMII Polling Interval (ms): 100\n"
				   "\nSlave Interface: eth0\nMII Status: up\n"
				   "\nSlave Interface: eth1\nMII Status: up\n";
	struct fx *f = *state;
	struct bond_verdict v;

	{
		char text[sizeof(proc) + 32];

		snprintf(text, sizeof(text), "Bonding Mode: garbage\n%s", strchr(proc, '\n') + 1);
		put(f, "proc/net/bonding/bond0", text);
	}
	put(f, "sys/class/net/bond0/bonding/mode", "zzz 9\n");
	put(f, "sys/class/net/bond0/bonding/slaves", "eth0 eth1\n");
	assert_int_equal(bond_info_init(&f->info, "bond0"), 0);
	f->have_info = true;
	assert_int_equal(bond_read_file(NULL, f->rootfd, "proc/net/bonding/bond0", BOND_PROC_MAX,
					&f->buf, NULL),
			 0);
	assert_int_equal(bond_proc_parse(f->buf.p, f->buf.len, &f->info), 0);
	assert_int_equal(bond_sysfs_read(f->rootfd, &f->info, &f->buf, NULL, NULL, NULL), 0);
	assert_int_equal(f->info.mode, BOND_MODE_UNKNOWN);
	decide_read(f, &v,
		    "bonding mode not readable (proc/net/bonding/bond0 \"Bonding Mode:\", "
		    "sys/class/net/bond0/bonding/mode)");
	assert_int_equal(v.margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(v.members_ok, -1);
	bond_verdict_free(&v);

	/* sysfs says the mode: the garbage in /proc decides nothing. */
	put(f, "sys/class/net/bond0/bonding/mode", "balance-rr 0\n");
	bond_info_free(&f->info);
	assert_int_equal(bond_info_init(&f->info, "bond0"), 0);
	assert_int_equal(bond_read_file(NULL, f->rootfd, "proc/net/bonding/bond0", BOND_PROC_MAX,
					&f->buf, NULL),
			 0);
	assert_int_equal(bond_proc_parse(f->buf.p, f->buf.len, &f->info), 0);
	assert_int_equal(bond_sysfs_read(f->rootfd, &f->info, &f->buf, NULL, NULL, NULL), 0);
	decide_read(f, &v, NULL);
	assert_int_equal(v.margin, 1);
	assert_string_equal(v.reason, "");
	bond_verdict_free(&v);
}

/*
 * Each fact the verdict rests on, garbled in turn in the live 802.3ad tree
 * (margin 0 as it is): the margin becomes unknown, and the reason names the
 * fact and its file.  Facts that decide nothing here (the speed) change
 * nothing.
 */
static void test_garbled_facts_are_unknown(void **state)
{
#define BOND "sys/devices/virtual/net/bond0/"
#define ETH0 "sys/devices/pci0000:00/0000:00:03.0/net/eth0/"
	static const struct {
		const char *rel, *good, *bad, *reason;
	} cases[] = {
		{ BOND "bonding/mode", "802.3ad 4\n", "zzz 9\n",
		  "bonding mode not readable (sys/class/net/bond0/bonding/mode)" },
		{ BOND "bonding/mii_status", "up\n", "sideways\n",
		  "bond MII status not readable (sys/class/net/bond0/bonding/mii_status)" },
		{ BOND "operstate", "up\n", "banana\n",
		  "bond operstate not readable (sys/class/net/bond0/operstate)" },
		{ BOND "flags", "0x1403\n", "0xZZ\n",
		  "bond flags not readable (sys/class/net/bond0/flags)" },
		{ BOND "bonding/min_links", "1\n", "-3\n",
		  "min_links not readable (sys/class/net/bond0/bonding/min_links)" },
		{ BOND "bonding/ad_aggregator", "1\n", "one\n",
		  "active aggregator not readable (sys/class/net/bond0/bonding/ad_aggregator)" },
		{ BOND "bonding/ad_num_ports", "2\n", "many\n",
		  "active aggregator's port count not readable" },
		{ BOND "bonding/ad_partner_mac", "00:1c:73:aa:bb:cc\n", "00:1c\n",
		  "LACP partner MAC not readable (sys/class/net/bond0/bonding/ad_partner_mac)" },
		{ ETH0 "bonding_slave/mii_status", "up\n", "sideways\n",
		  "eth0: MII status not readable (sys/class/net/eth0/bonding_slave/mii_status)" },
		{ ETH0 "operstate", "up\n", "banana\n",
		  "eth0: operstate not readable (sys/class/net/eth0/operstate)" },
		{ ETH0 "bonding_slave/ad_aggregator_id", "1\n", "zz\n",
		  "eth0: aggregator ID not readable" },
		{ ETH0 "bonding_slave/ad_actor_oper_port_state", "63\n", "300\n",
		  "eth0: LACP actor port state not readable" },
		{ ETH0 "bonding_slave/ad_partner_oper_port_state", "61\n", "x\n",
		  "eth0: LACP partner port state not readable" },
	};
	struct fx *f = *state;
	struct bond_verdict v;
	char path[512];

	live_tree(f);
	read_bond(f, "bond0", 0);
	decide_read(f, &v, NULL);
	assert_int_equal(v.margin, 0);
	bond_verdict_free(&v);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(f, cases[i].rel, cases[i].bad);
		read_bond(f, "bond0", 0);
		decide_read(f, &v, cases[i].reason);
		if (v.margin != REDMON_MARGIN_UNKNOWN)
			fail_msg("%s \"%s\": margin %d", cases[i].rel, cases[i].bad, v.margin);
		bond_verdict_free(&v);
		put(f, cases[i].rel, cases[i].good);
	}
	/* A fact file that is there but cannot be read (a FIFO) is not absent either. */
	snprintf(path, sizeof(path), "%s/" BOND "bonding/mode", f->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	read_bond(f, "bond0", 0);
	decide_read(f, &v, "bonding mode not readable");
	assert_int_equal(v.margin, REDMON_MARGIN_UNKNOWN);
	bond_verdict_free(&v);
	/* Absent (a capture without it) is not garbled: the verdict stands. */
	assert_int_equal(unlink(path), 0);
	put(f, ETH0 "speed", "fast\n");
	read_bond(f, "bond0", 0);
	decide_read(f, &v, NULL);
	assert_int_equal(v.margin, 0);
	bond_verdict_free(&v);
#undef BOND
#undef ETH0
}

/*
 * Names with control bytes, blanks or of any length, from every source: a
 * bond's is not taken, a slave's is kept with '?' for each control byte and
 * cut at BOND_NAME_KEEP, and never used in a path; no name or reason carries
 * a line break.
 */
static void test_names_made_safe(void **state)
{
	struct fx *f = *state;
	char proc[6000], huge[5001];
	struct bond_verdict v;

	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = 0;
	assert_false(bond_ifname_valid(strv_c("bo\x1bnd")));
	assert_false(bond_ifname_valid(strv_c("a\x7f")));
	assert_true(bond_ifname_valid(strv_c("\xc3\xa9th0"))); /* UTF-8 is printable */
	put(f, "sys/class/net/bonding_masters", "bond0 bo\x1bnd\x01 b\x7f\n");
	put(f, "proc/net/bonding/e\x1b[2J", "");
	snprintf(proc, sizeof(proc),
		 "Bonding Mode: fault-tolerance (active-backup)\nMII Status: up\n"
		 "Currently Active Slave: ev\x1bil\x07\n"
		 "\nSlave Interface: eth0\r\x1b[31m\nMII Status: up\n"
		 "\nSlave Interface: two words\nMII Status: down\n"
		 "\nSlave Interface: %s\nMII Status: up\n",
		 huge);
	put(f, "proc/net/bonding/bond0", proc);
	put(f, "sys/class/net/bond0/bonding/slaves", "eth0\x1b[31m ev\x1bil\x07\n");
	discover(f);
	assert_int_equal(f->names.n, 1);
	assert_string_equal(f->names.v[0], "bond0");

	assert_int_equal(bond_info_init(&f->info, "bond0"), 0);
	f->have_info = true;
	assert_int_equal(bond_proc_parse(proc, strlen(proc), &f->info), 0);
	f->info.slaves_cut = true; /* so that sysfs's list is read too */
	assert_int_equal(bond_sysfs_read(f->rootfd, &f->info, &f->buf, NULL, NULL, NULL), 0);
	/* A name with a control byte never matches: each is one more slave. */
	assert_int_equal(f->info.n_slaves, 5);
	assert_string_equal(f->info.slaves[0].name, "eth0??[31m");
	assert_string_equal(f->info.slaves[1].name, "two words");
	assert_int_equal(strlen(f->info.slaves[2].name), BOND_NAME_KEEP);
	assert_string_equal(f->info.slaves[3].name, "eth0?[31m");
	assert_string_equal(f->info.slaves[4].name, "ev?il?");
	assert_string_equal(f->info.active, "ev?il?");
	for (size_t i = 0; i < f->info.n_slaves; i++) {
		assert_false(f->info.slaves[i].name_valid);
		assert_int_equal(f->info.slaves[i].dir, BOND_DIR_NONE);
		assert_printable(f->info.slaves[i].name);
	}
	decide_read(f, &v, NULL);
	assert_printable(v.reason);
	for (size_t i = 0; i < v.n_members; i++) {
		assert_printable(v.members[i].state);
		assert_printable(v.members[i].reason);
	}
	bond_verdict_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live_layout_8023ad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_captured_layout_slave_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slave_dir_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proc_and_sysfs_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discovery_sources_and_cut_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_slave_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discovery_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_stay_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_mode_is_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_made_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbled_facts_are_unknown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
