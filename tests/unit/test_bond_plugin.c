// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bond plugin (plugins/bond/bond.c) against a fake host: the descriptor,
 * init and fini, scans and their reports, scan_error, the history kept
 * between scans (flapping), and the event plumbing (inotify and rtnetlink fds
 * watched before use, unwatched before close, on_fd asking for rescans), on
 * temporary trees.  The rtnetlink path with real link changes is in
 * tests/integration/test_daemon_bond.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "fake_host.h"
#include "spof_tree.h"

extern const struct redmon_plugin redmon_plugin;

/* Events off unless a test turns them on; every group a "nic", every fd watched for EPOLLIN. */
static int setup(void **state)
{
	struct redmon_host *h = fake_host_new(&redmon_plugin, "redmon-bondp");

	if (!h)
		return -1;
	h->events = false;
	h->kind = "nic";
	h->watch_events = EPOLLIN;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	fake_host_free(*state);
	return 0;
}

static const char *ab_text(unsigned int em3_failures)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "Bonding Mode: fault-tolerance (active-backup)\n"
		 "Primary Slave: None\nCurrently Active Slave: em3\n"
		 "MII Status: up\nMII Polling Interval (ms): 100\n"
		 "\nSlave Interface: em3\nMII Status: up\nLink Failure Count: %u\n"
		 "\nSlave Interface: p2p3\nMII Status: up\nLink Failure Count: 0\n",
		 em3_failures);
	return text;
}

static void tree(struct redmon_host *h)
{
	fake_host_replace(h, "proc/net/bonding/bond0", ab_text(5));
	fake_host_replace(h, "sys/class/net/int/bonding/slaves", "eth5 eth1\n");
	fake_host_replace(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "down\n");
	fake_host_replace(h, "sys/class/net/int/slave_eth5/bonding_slave/mii_status", "up\n");
}

static const struct fake_report *find(struct redmon_host *h, const char *name)
{
	const struct fake_report *r = fake_host_report(h, name);

	if (!r)
		fail_msg("no report for %s", name);
	return r;
}

static void *start(struct redmon_host *h)
{
	void *inst = NULL;

	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_non_null(inst);
	return inst;
}

static void scan(struct redmon_host *h, void *inst)
{
	h->n_reports = 0;
	h->n_kept = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_scan_errors, 0);
}

/* The inotify fd fired for a change in the tree: it asks for a rescan, which follows. */
static void scan_after_event(struct redmon_host *h, void *inst, int ino)
{
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
}

static void test_descriptor(void **state)
{
	const struct redmon_option_spec *o = redmon_plugin.options;

	(void)state;
	assert_int_equal(redmon_plugin.abi_version, REDMON_ABI_VERSION);
	assert_int_equal(redmon_plugin.size, sizeof(struct redmon_plugin));
	assert_string_equal(redmon_plugin.name, "bond");
	assert_non_null(redmon_plugin.on_fd);
	assert_string_equal(o[0].key, "netlink");
	assert_int_equal(o[0].type, REDMON_OPT_ENUM);
	assert_string_equal(o[0].choices, "auto|yes|no");
	assert_string_equal(o[1].key, "inotify");
	assert_null(o[2].key);
	redmon_plugin.fini(NULL);
}

/* `redmon status`: no events wanted, nothing watched; both sources, both bonds. */
static void test_one_shot_scan(void **state)
{
	struct redmon_host *h = *state;
	const struct fake_report *r;
	void *inst;

	tree(h);
	inst = start(h);
	assert_int_equal(h->n_watched, 0);
	scan(h, inst);
	assert_int_equal(h->n_reports, 2);
	r = find(h, "bond0");
	assert_string_equal(r->type, "active-backup");
	assert_int_equal(r->margin, 1);
	assert_int_equal(r->ok, 2);
	assert_int_equal(r->role[0], REDMON_ROLE_ACTIVE);
	assert_int_equal(r->role[1], REDMON_ROLE_STANDBY);
	r = find(h, "int");
	assert_string_equal(r->type, "unknown");
	assert_int_equal(r->margin, 0);
	assert_int_equal(r->nominal, 1);
	assert_string_equal(r->reason, "eth1: link down");
	/* A second one-shot scan of the same instance would compare: still no flap. */
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/*
 * Hidden single points of failure: bond0's slaves em3 and p2p3 are ports of
 * one card (0000:01:00), int's eth1 and eth5 of two: only bond0 is named.  A
 * slave without a device link (virtual) takes no part.
 */
static void test_spof_ports_of_one_card(void **state)
{
	struct redmon_host *h = *state;
	const struct fake_report *r;
	void *inst;

	tree(h);
	assert_int_equal(spof_tree_nic(h->root, "0000:01:00.0", "em3"), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:01:00.1", "p2p3"), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:02:00.0", "eth1"), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:03:00.0", "eth5"), 0);
	inst = start(h);
	scan(h, inst);
	r = find(h, "bond0");
	assert_int_equal(r->n_spof, 1);
	assert_string_equal(r->spof[0], "slaves em3 and p2p3 are ports of one card, 0000:01:00");
	assert_int_equal(r->margin, 1); /* informational */
	assert_int_equal(find(h, "int")->n_spof, 0);
	redmon_plugin.fini(inst);
}

/* The daemon on a captured tree: inotify and rtnetlink watched, history kept. */
static void test_daemon_events_and_flapping(void **state)
{
	struct redmon_host *h = *state;
	int ino = -1, nl = -1;
	void *inst;

	h->events = true;
	tree(h);
	inst = start(h);
	assert_int_equal(h->n_watched, 2); /* rtnetlink (auto), inotify (auto, not live) */
	nl = h->watched[0].fd;
	ino = h->watched[1].fd;
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");
	assert_int_equal(h->n_rescans, 1); /* its directories watched after it read them */
	/* Nothing changed since the scan: nothing to do. */
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0);
	assert_int_equal(redmon_plugin.on_fd(inst, nl, EPOLLIN), 0);

	/* em3 failed twice and came back: a flap, with the total. */
	fake_host_replace(h, "proc/net/bonding/bond0", ab_text(7));
	scan_after_event(h, inst, ino);
	assert_string_equal(find(h, "bond0")->reason,
			    "em3: link flapping: 2 link failures since last scan (7 in total)");
	assert_int_equal(find(h, "bond0")->margin, 1);
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");

	/* A slave's sysfs file rewritten: its watched directory says so. */
	fake_host_replace(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "up\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "int")->margin, 1);

	/* A new bond directory appears under sys/class/net. */
	fake_host_replace(h, "sys/class/net/bond9/bonding/slaves", "");
	assert_int_equal(h->n_rescans, 1); /* no directory new since */
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(find(h, "bond9")->margin, -1);
	assert_int_equal(h->n_rescans, 2); /* bond9's, watched after it was read */

	assert_int_equal(redmon_plugin.on_fd(inst, 12345, EPOLLIN), 0); /* not ours */
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/* Rewrite a file in place (no rename): inotify says IN_MODIFY, as for a sysfs attribute. */
static void rewrite(struct redmon_host *h, const char *rel, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", h->root, rel);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/*
 * The reports of the last scan equal those of a full scan by a new instance
 * (a one-shot one: no history, so call it only where no count rose).
 */
static void assert_same_as_full(struct redmon_host *h)
{
	struct fake_report got[FAKE_MAX_REPORTS];
	int n = h->n_reports;
	void *fresh;

	memcpy(got, h->reports, sizeof(got));
	h->events = false;
	fresh = start(h);
	scan(h, fresh);
	redmon_plugin.fini(fresh);
	h->events = true;
	assert_int_equal(h->n_reports, n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(got[i].name, h->reports[i].name);
		assert_memory_equal(&got[i], &h->reports[i], sizeof(got[i]));
	}
}

/* Three bonds, one per layout: /proc only, /proc with sysfs, sysfs only. */
static void three_bonds(struct redmon_host *h)
{
	tree(h);
	fake_host_replace(h, "sys/class/net/bond0/bonding/mode", "active-backup 1\n");
	fake_host_replace(h, "sys/class/net/bond0/operstate", "up\n");
	fake_host_replace(h, "sys/class/net/em3/operstate", "up\n");
	fake_host_replace(h, "sys/class/net/p2p3/operstate", "up\n");
	fake_host_replace(h, "proc/net/bonding/bond2",
			  "Bonding Mode: load balancing (round-robin)\nMII Status: up\n"
			  "MII Polling Interval (ms): 100\n"
			  "\nSlave Interface: eth8\nMII Status: up\nLink Failure Count: 0\n"
			  "\nSlave Interface: eth9\nMII Status: up\nLink Failure Count: 0\n");
}

/*
 * Events that name one bond re-read only that bond; the others are reported
 * as last read.  After each kind of change the groups are those a full scan
 * reports.
 */
static void test_partial_rescans(void **state)
{
	struct redmon_host *h = *state;
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	three_bonds(h);
	inst = start(h);
	assert_int_equal(h->n_watched, 1);
	ino = h->watched[0].fd;
	scan(h, inst);
	assert_int_equal(h->n_reports, 3);
	assert_same_as_full(h);

	/*
	 * A file beside the bonds' directories that is none of theirs
	 * (proc/mdstat, the md probe's): created, it may be anything and
	 * re-reads all; rewritten, it asks for no scan at all.
	 */
	fake_host_replace(h, "proc/mdstat", "Personalities : [raid1]\n");
	scan_after_event(h, inst, ino);
	rewrite(h, "proc/mdstat", "Personalities : [raid1] [raid6]\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0);
	/* But bonding_masters, beside the bonds too, is theirs. */
	fake_host_replace(h, "sys/class/net/bonding_masters", "bond0 int bond2\n");
	scan_after_event(h, inst, ino);
	rewrite(h, "sys/class/net/bonding_masters", "bond0 int bond2\n");
	scan_after_event(h, inst, ino);
	assert_same_as_full(h);

	/* /proc/net/bonding/<bond> rewritten: a slave of bond0 lost its link. */
	rewrite(h, "proc/net/bonding/bond0",
		"Bonding Mode: fault-tolerance (active-backup)\n"
		"Primary Slave: None\nCurrently Active Slave: em3\n"
		"MII Status: up\nMII Polling Interval (ms): 100\n"
		"\nSlave Interface: em3\nMII Status: up\nLink Failure Count: 5\n"
		"\nSlave Interface: p2p3\nMII Status: down\nLink Failure Count: 0\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond0")->margin, 0);
	assert_same_as_full(h);

	/* A slave's sysfs attribute (operstate in its own directory). */
	rewrite(h, "sys/class/net/em3/operstate", "down\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond0")->margin, -1);
	assert_same_as_full(h);

	/* The bond's own attribute. */
	rewrite(h, "sys/class/net/bond0/operstate", "down\n");
	scan_after_event(h, inst, ino);
	assert_same_as_full(h);

	/* A slave directory reached through the bond (slave_<slave>): bond "int". */
	rewrite(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "up\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "int")->margin, 1);
	assert_same_as_full(h);

	/*
	 * Only the bonds named are re-read: a change of bond2 not yet drained
	 * from the inotify queue is not seen by the scan that follows an event
	 * about int, and is by the next.
	 */
	rewrite(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "down\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	rewrite(h, "proc/net/bonding/bond2",
		"Bonding Mode: load balancing (round-robin)\nMII Status: up\n"
		"MII Polling Interval (ms): 100\n"
		"\nSlave Interface: eth8\nMII Status: down\nLink Failure Count: 0\n"
		"\nSlave Interface: eth9\nMII Status: up\nLink Failure Count: 0\n");
	scan(h, inst);
	assert_int_equal(find(h, "int")->margin, 0);
	assert_int_equal(find(h, "bond2")->margin, 1); /* as last read */
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond2")->margin, 0);
	assert_same_as_full(h);

	/* A scan with no event behind it (the periodic one) reads everything. */
	rewrite(h, "sys/class/net/p2p3/operstate", "down\n");
	scan(h, inst);
	assert_same_as_full(h);
	scan_after_event(h, inst, ino);
	assert_same_as_full(h);

	/* A slave added: the names and watches change, so the scan is a full one. */
	rewrite(h, "proc/net/bonding/bond2",
		"Bonding Mode: load balancing (round-robin)\nMII Status: up\n"
		"MII Polling Interval (ms): 100\n"
		"\nSlave Interface: eth8\nMII Status: down\nLink Failure Count: 0\n"
		"\nSlave Interface: eth9\nMII Status: up\nLink Failure Count: 0\n"
		"\nSlave Interface: eth7\nMII Status: up\nLink Failure Count: 0\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond2")->total, 3);
	assert_same_as_full(h);
	/* A read error (a directory where the /proc file was): reported unknown. */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/proc/net/bonding/bond2", h->root);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(mkdir(path, 0755), 0);
		scan_after_event(h, inst, ino);
		assert_int_equal(find(h, "bond2")->margin, REDMON_MARGIN_UNKNOWN);
		assert_same_as_full(h);
		assert_int_equal(rmdir(path), 0);
	}

	/* A bond vanishes. */
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 2);
	assert_same_as_full(h);

	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

/* A watched directory removed and made again is watched again (a new inode). */
static void test_directory_made_again(void **state)
{
	struct redmon_host *h = *state;
	char path[512];
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	three_bonds(h);
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	for (int round = 0; round < 2; round++) {
		snprintf(path, sizeof(path), "%s/sys/class/net/em3/operstate", h->root);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/sys/class/net/em3", h->root);
		assert_int_equal(rmdir(path), 0);
		scan_after_event(h, inst, ino);
		fake_host_replace(h, "sys/class/net/em3/operstate", "up\n");
		scan_after_event(h, inst, ino);
		assert_int_equal(find(h, "bond0")->margin, 1);
		rewrite(h, "sys/class/net/em3/operstate", "down\n");
		scan_after_event(h, inst, ino);
		assert_int_equal(find(h, "bond0")->margin, 0);
		assert_same_as_full(h);
	}
	redmon_plugin.fini(inst);
}

/*
 * Flapping across partial scans: a rise is reported by the scan that re-reads
 * the bond, kept while other bonds are re-read, and cleared when the bond is
 * read again without a rise.
 */
static void test_flapping_with_partial_rescans(void **state)
{
	struct redmon_host *h = *state;
	const char *flap = "em3: link flapping: 2 link failures since last scan (7 in total)";
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	three_bonds(h);
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");

	rewrite(h, "proc/net/bonding/bond0", ab_text(7));
	scan_after_event(h, inst, ino);
	assert_string_equal(find(h, "bond0")->reason, flap);

	rewrite(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "up\n");
	scan_after_event(h, inst, ino);
	assert_string_equal(find(h, "bond0")->reason, flap);
	assert_int_equal(find(h, "int")->margin, 1);

	rewrite(h, "sys/class/net/bond0/operstate", "up\n");
	scan_after_event(h, inst, ino);
	assert_string_equal(find(h, "bond0")->reason, "");

	/* A second rise, seen by a full scan, counts from the last read. */
	rewrite(h, "proc/net/bonding/bond0", ab_text(8));
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason,
			    "em3: link flapping: 1 link failure since last scan (8 in total)");
	redmon_plugin.fini(inst);
}

/*
 * ops->keep: after a partial rescan that re-read bond0 only, bond0 is
 * reported and the others are kept; a full scan keeps nothing.  A host that
 * refuses keep (-ENOENT) or has none (an older core: a smaller ops->size) is
 * handed every bond.
 */
static void test_keep_after_partial_rescan(void **state)
{
	struct redmon_host_ops old = fake_host_ops;
	struct redmon_host *h = *state;
	int ino;
	void *inst;

	h->events = true;
	h->keep_rc = 0;
	fake_host_option(h, "netlink", "no");
	three_bonds(h);
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(h->n_kept, 0);

	rewrite(h, "sys/class/net/p2p3/operstate", "down\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 1);
	assert_int_equal(find(h, "bond0")->margin, 0);
	assert_int_equal(h->n_kept, 2);
	assert_true(fake_host_kept(h, "int"));
	assert_true(fake_host_kept(h, "bond2"));

	/* A periodic scan (no event) is full: every bond reported, none kept. */
	scan(h, inst);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(h->n_kept, 0);

	/* The core cannot keep (a scan that must hand over every group). */
	h->keep_rc = -ENOENT;
	rewrite(h, "sys/class/net/p2p3/operstate", "up\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(find(h, "bond0")->margin, 1);
	assert_int_equal(h->n_kept, 0);
	redmon_plugin.fini(inst);

	/* An older core, whose table ends before keep: never called. */
	h->keep_rc = 0;
	h->n_watched = 0;
	old.size = offsetof(struct redmon_host_ops, keep);
	inst = NULL;
	assert_int_equal(redmon_plugin.init(&old, h, &inst), 0);
	ino = h->watched[0].fd;
	scan(h, inst);
	rewrite(h, "sys/class/net/p2p3/operstate", "down\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(find(h, "bond0")->margin, 0);
	assert_int_equal(h->n_kept, 0);
	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

/*
 * A periodic scan of an unchanged tree lists no directory and resolves no
 * slave's link: it takes the bonds and each bond's spof reasons of the last
 * scan while inotify says nothing came, went or was renamed.  So a link
 * changed is not seen before its event is drained, and is after: the device
 * link of p2p3 replaced in its device's directory (watched through
 * sys/class/net/p2p3), then sys/class/net/p2p3 replaced by a port of the
 * first card again.
 */
static void test_spof_links_resolved_on_events(void **state)
{
	const char *dev = "sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.1/net/p2p3/device";
	struct redmon_host *h = *state;
	char path[512];
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	tree(h);
	assert_int_equal(spof_tree_nic(h->root, "0000:01:00.0", "em3"), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:01:00.1", "p2p3"), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:02:00.0", "eth1"), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:03:00.0", "eth5"), 0);
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	assert_int_equal(find(h, "bond0")->n_spof, 1);

	snprintf(path, sizeof(path), "%s/%s", h->root, dev);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("../../../0000:05:00.0", path), 0);
	scan(h, inst); /* the event not drained yet: as resolved before */
	assert_int_equal(find(h, "bond0")->n_spof, 1);
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond0")->n_spof, 0);
	scan(h, inst);
	assert_int_equal(find(h, "bond0")->n_spof, 0);

	snprintf(path, sizeof(path), "%s/sys/class/net/p2p3", h->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(spof_tree_nic(h->root, "0000:01:00.3", "p2p3"), 0);
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond0")->n_spof, 1);
	assert_string_equal(find(h, "bond0")->spof[0],
			    "slaves em3 and p2p3 are ports of one card, 0000:01:00");
	assert_int_equal(find(h, "int")->n_spof, 0);
	redmon_plugin.fini(inst);
}

/*
 * Bonds and slaves that come, go or move are seen by the scan after their
 * event, though periodic scans no longer list the bonds: a bond added and
 * removed (/proc and sysfs), a slave moved from one bond to another, a file
 * replaced by rename (its kept descriptor is the old file).
 */
static void test_changes_seen_without_listing(void **state)
{
	struct redmon_host *h = *state;
	char path[512];
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	three_bonds(h);
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	scan(h, inst); /* from the bonds already known */
	assert_int_equal(h->n_reports, 3);

	fake_host_replace(h, "proc/net/bonding/bond7", ab_text(0));
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 4);
	assert_int_equal(find(h, "bond7")->total, 2);
	scan(h, inst);
	assert_int_equal(h->n_reports, 4);
	assert_same_as_full(h);
	snprintf(path, sizeof(path), "%s/proc/net/bonding/bond7", h->root);
	assert_int_equal(unlink(path), 0);
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 3);
	assert_null(fake_host_report(h, "bond7"));

	/* A sysfs-only bond, found by listing sys/class/net (no bonding_masters). */
	fake_host_replace(h, "sys/class/net/bond8/bonding/slaves", "eth8\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 4);
	assert_int_equal(find(h, "bond8")->total, 1);
	assert_int_equal(fake_host_rm_tree(strcat(strcpy(path, h->root), "/sys/class/net/bond8")),
			 0);
	scan_after_event(h, inst, ino);
	assert_int_equal(h->n_reports, 3);

	/* p2p3 moves from bond0 to bond2: both files rewritten in place. */
	rewrite(h, "proc/net/bonding/bond0",
		"Bonding Mode: fault-tolerance (active-backup)\n"
		"Primary Slave: None\nCurrently Active Slave: em3\n"
		"MII Status: up\nMII Polling Interval (ms): 100\n"
		"\nSlave Interface: em3\nMII Status: up\nLink Failure Count: 5\n");
	rewrite(h, "proc/net/bonding/bond2",
		"Bonding Mode: load balancing (round-robin)\nMII Status: up\n"
		"MII Polling Interval (ms): 100\n"
		"\nSlave Interface: eth8\nMII Status: up\nLink Failure Count: 0\n"
		"\nSlave Interface: eth9\nMII Status: up\nLink Failure Count: 0\n"
		"\nSlave Interface: p2p3\nMII Status: up\nLink Failure Count: 0\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond0")->total, 1);
	assert_int_equal(find(h, "bond2")->total, 3);
	assert_string_equal(find(h, "bond2")->member[2], "p2p3");
	assert_same_as_full(h);

	/* The bond's operstate replaced by rename: read from the new file. */
	fake_host_replace(h, "sys/class/net/bond0/operstate", "down\n");
	scan_after_event(h, inst, ino);
	assert_int_equal(find(h, "bond0")->margin, -1);
	scan(h, inst);
	assert_int_equal(find(h, "bond0")->margin, -1);
	assert_same_as_full(h);
	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

/*
 * A capture without bonding_masters or /proc: bonds are found by listing
 * sys/class/net for a bonding/ directory.  One appearing in the directory of
 * an interface that is no bond (unwatched: no event) is found by the next
 * periodic scan, which lists again.
 */
static void test_sysfs_only_capture_lists_every_scan(void **state)
{
	struct redmon_host *h = *state;
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	fake_host_replace(h, "sys/class/net/int/bonding/slaves", "eth5 eth1\n");
	fake_host_replace(h, "sys/class/net/eth9/operstate", "up\n");
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	assert_int_equal(h->n_reports, 1);
	fake_host_replace(h, "sys/class/net/eth9/bonding/slaves", "eth7\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0); /* eth9 is not watched */
	scan(h, inst);
	assert_int_equal(h->n_reports, 2);
	assert_int_equal(find(h, "eth9")->total, 1);
	redmon_plugin.fini(inst);
}

/* Without events (inotify off on a captured tree) every scan lists: a new bond is found. */
static void test_no_events_lists_every_scan(void **state)
{
	struct redmon_host *h = *state;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	fake_host_option(h, "inotify", "no");
	three_bonds(h);
	inst = start(h);
	scan(h, inst);
	assert_int_equal(h->n_reports, 3);
	fake_host_replace(h, "proc/net/bonding/bond7", ab_text(0));
	scan(h, inst);
	assert_int_equal(h->n_reports, 4);
	redmon_plugin.fini(inst);
}

static void test_options_off(void **state)
{
	struct redmon_host *h = *state;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	fake_host_option(h, "inotify", "no");
	inst = start(h);
	assert_int_equal(h->n_watched, 0);
	redmon_plugin.fini(inst);
	fake_host_option(h, "netlink", "yes");
	inst = start(h);
	assert_int_equal(h->n_watched, 1);
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/*
 * Issue 12, E1: a slave directory planted as a link out of the root
 * (absolute and relative) is neither read nor watched: a file written in
 * the directory it points to asks for no rescan.
 */
static void test_watches_stay_in_root(void **state)
{
	struct redmon_host *h = *state;
	char out[64], path[600];
	int ino;
	void *inst;

	h->events = true;
	fake_host_option(h, "netlink", "no");
	tree(h);
	snprintf(out, sizeof(out), "/tmp/redmon-bondp-out-XXXXXX");
	assert_non_null(mkdtemp(out));
	snprintf(path, sizeof(path), "%s/em3", out);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/p2p3", out);
	assert_int_equal(mkdir(path, 0755), 0);
	fake_host_replace(h, "sys/class/net/int/operstate", "up\n"); /* makes sys/class/net */
	snprintf(path, sizeof(path), "%s/sys/class/net/em3", h->root);
	{
		char target[128];

		snprintf(target, sizeof(target), "%s/em3", out);
		assert_int_equal(symlink(target, path), 0);
		snprintf(path, sizeof(path), "%s/sys/class/net/p2p3", h->root);
		snprintf(target, sizeof(target), "../../../../%s/p2p3", out + strlen("/tmp/"));
		assert_int_equal(symlink(target, path), 0);
	}
	inst = start(h);
	ino = h->watched[0].fd;
	scan(h, inst);
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0);
	for (int i = 0; i < 2; i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s/operstate", out, i ? "p2p3" : "em3");
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs("down\n", fp);
		fclose(fp);
		assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0);
	}
	scan(h, inst);
	assert_int_equal(find(h, "bond0")->margin, 1); /* "down" outside is not read */
	redmon_plugin.fini(inst);
	fake_host_rm_tree(out);
}

/* A root whose directories cannot be listed: the scan fails and says why. */
static void test_scan_error(void **state)
{
	struct redmon_host *h = *state;
	char path[512];
	void *inst;

	fake_host_replace(h, "sys/class/placeholder", "");
	snprintf(path, sizeof(path), "%s/sys/class/net", h->root);
	assert_int_equal(symlink("net", path), 0); /* ELOOP */
	inst = start(h);
	assert_true(redmon_plugin.scan(inst) < 0);
	assert_int_equal(h->n_scan_errors, 1);
	assert_non_null(strstr(h->scan_error, "sys/class/net"));
	redmon_plugin.fini(inst);
}

static void test_abi_mismatch(void **state)
{
	struct redmon_host *h = *state;
	struct redmon_host_ops bad = fake_host_ops;
	void *inst = NULL;

	bad.abi_version = REDMON_ABI_VERSION + 1;
	assert_int_equal(redmon_plugin.init(&bad, h, &inst), -EPROTO);
	assert_null(inst);
	assert_int_equal(h->n_logs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test_setup_teardown(test_one_shot_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_events_and_flapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_rescans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_made_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flapping_with_partial_rescans, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keep_after_partial_rescan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spof_links_resolved_on_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changes_seen_without_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysfs_only_capture_lists_every_scan, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_events_lists_every_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches_stay_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spof_ports_of_one_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abi_mismatch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
