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
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <redmon/plugin.h>

extern const struct redmon_plugin redmon_plugin;

#define MAX_WATCH   16
#define MAX_REPORTS 8

struct report {
	char name[32], type[32], reason[1024];
	int32_t margin, nominal;
	int total, ok, failed;
	size_t n_members;
	char member[4][16];
	enum redmon_role role[4];
};

struct redmon_host {
	char root[64];
	int root_fd;
	bool events;
	const char *opt_netlink, *opt_inotify;
	int watched[MAX_WATCH];
	int n_watched;
	bool bad_unwatch;
	struct report reports[MAX_REPORTS];
	int n_reports;
	int n_scan_errors;
	char scan_error[256];
	int n_logs;
	char last_log[256];
};

static void __attribute__((format(printf, 3, 4)))
h_log(struct redmon_host *h, int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(h->last_log, sizeof(h->last_log), fmt, ap);
	va_end(ap);
	h->n_logs++;
}

static const char *h_option(struct redmon_host *h, const char *key)
{
	if (strcmp(key, "netlink") == 0)
		return h->opt_netlink ? h->opt_netlink : "auto";
	if (strcmp(key, "inotify") == 0)
		return h->opt_inotify ? h->opt_inotify : "auto";
	return NULL;
}

static const char *h_root(struct redmon_host *h)
{
	return h->root;
}

static int h_root_fd(struct redmon_host *h)
{
	return h->root_fd;
}

static bool h_live(struct redmon_host *h)
{
	(void)h;
	return false;
}

static bool h_events(struct redmon_host *h)
{
	return h->events;
}

static int h_report(struct redmon_host *h, const struct redmon_group *g)
{
	struct report *r;

	if (h->n_reports >= MAX_REPORTS)
		return -ENOMEM;
	r = &h->reports[h->n_reports++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", g->name);
	snprintf(r->type, sizeof(r->type), "%s", g->type);
	snprintf(r->reason, sizeof(r->reason), "%s", g->reason ? g->reason : "");
	r->margin = g->margin;
	r->nominal = g->margin_nominal;
	r->total = g->members_total;
	r->ok = g->members_ok;
	r->failed = g->members_failed;
	r->n_members = g->n_members;
	assert_string_equal(g->kind, "nic");
	for (size_t i = 0; i < g->n_members && i < 4; i++) {
		snprintf(r->member[i], sizeof(r->member[i]), "%s", g->members[i].name);
		r->role[i] = g->members[i].role;
	}
	return 0;
}

static void __attribute__((format(printf, 2, 3)))
h_scan_error(struct redmon_host *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->scan_error, sizeof(h->scan_error), fmt, ap);
	va_end(ap);
	h->n_scan_errors++;
}

static int h_watch(struct redmon_host *h, int fd, uint32_t events)
{
	if (fcntl(fd, F_GETFD) < 0 || events != EPOLLIN || h->n_watched >= MAX_WATCH)
		return -EBADF;
	h->watched[h->n_watched++] = fd;
	return 0;
}

static void h_unwatch(struct redmon_host *h, int fd)
{
	for (int i = 0; i < h->n_watched; i++) {
		if (h->watched[i] == fd) {
			if (fcntl(fd, F_GETFD) < 0)
				h->bad_unwatch = true; /* closed before unwatch */
			h->watched[i] = h->watched[--h->n_watched];
			return;
		}
	}
	h->bad_unwatch = true;
}

static const struct redmon_host_ops ops = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_host_ops),
	.log = h_log,
	.option = h_option,
	.root = h_root,
	.root_fd = h_root_fd,
	.root_is_live = h_live,
	.events_wanted = h_events,
	.report = h_report,
	.scan_error = h_scan_error,
	.watch_fd = h_watch,
	.unwatch_fd = h_unwatch,
};

static int setup(void **state)
{
	struct redmon_host *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	snprintf(h->root, sizeof(h->root), "/tmp/redmon-bondp-XXXXXX");
	if (!mkdtemp(h->root))
		return -1;
	h->root_fd = open(h->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = h;
	return h->root_fd < 0 ? -1 : 0;
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
	struct redmon_host *h = *state;

	close(h->root_fd);
	nftw(h->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(h);
	return 0;
}

static void put(struct redmon_host *h, const char *rel, const char *text)
{
	char path[512], tmp[520];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", h->root, rel);
	for (char *p = path + strlen(h->root) + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
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
	put(h, "proc/net/bonding/bond0", ab_text(5));
	put(h, "sys/class/net/int/bonding/slaves", "eth5 eth1\n");
	put(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "down\n");
	put(h, "sys/class/net/int/slave_eth5/bonding_slave/mii_status", "up\n");
}

static const struct report *find(struct redmon_host *h, const char *name)
{
	for (int i = 0; i < h->n_reports; i++) {
		if (strcmp(h->reports[i].name, name) == 0)
			return &h->reports[i];
	}
	fail_msg("no report for %s", name);
	return NULL;
}

static void *start(struct redmon_host *h)
{
	void *inst = NULL;

	assert_int_equal(redmon_plugin.init(&ops, h, &inst), 0);
	assert_non_null(inst);
	return inst;
}

static void scan(struct redmon_host *h, void *inst)
{
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_scan_errors, 0);
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
	const struct report *r;
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
	nl = h->watched[0];
	ino = h->watched[1];
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");
	/* Nothing changed since the scan: nothing to do. */
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0);
	assert_int_equal(redmon_plugin.on_fd(inst, nl, EPOLLIN), 0);

	/* em3 failed twice and came back: a flap, with the total. */
	put(h, "proc/net/bonding/bond0", ab_text(7));
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason,
			    "em3: link flapping: 2 link failures since last scan (7 in total)");
	assert_int_equal(find(h, "bond0")->margin, 1);
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");

	/* A slave's sysfs file rewritten: its watched directory says so. */
	put(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "up\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_int_equal(find(h, "int")->margin, 1);

	/* A new bond directory appears under sys/class/net. */
	put(h, "sys/class/net/bond9/bonding/slaves", "");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(find(h, "bond9")->margin, -1);

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
	struct report got[MAX_REPORTS];
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
	put(h, "sys/class/net/bond0/bonding/mode", "active-backup 1\n");
	put(h, "sys/class/net/bond0/operstate", "up\n");
	put(h, "sys/class/net/em3/operstate", "up\n");
	put(h, "sys/class/net/p2p3/operstate", "up\n");
	put(h, "proc/net/bonding/bond2",
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
	h->opt_netlink = "no";
	three_bonds(h);
	inst = start(h);
	assert_int_equal(h->n_watched, 1);
	ino = h->watched[0];
	scan(h, inst);
	assert_int_equal(h->n_reports, 3);
	assert_same_as_full(h);

	/*
	 * A file beside the bonds' directories that is none of theirs
	 * (proc/mdstat, the md probe's): created, it may be anything and
	 * re-reads all; rewritten, it asks for no scan at all.
	 */
	put(h, "proc/mdstat", "Personalities : [raid1]\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	rewrite(h, "proc/mdstat", "Personalities : [raid1] [raid6]\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 0);
	/* But bonding_masters, beside the bonds too, is theirs. */
	put(h, "sys/class/net/bonding_masters", "bond0 int bond2\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	rewrite(h, "sys/class/net/bonding_masters", "bond0 int bond2\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_same_as_full(h);

	/* /proc/net/bonding/<bond> rewritten: a slave of bond0 lost its link. */
	rewrite(h, "proc/net/bonding/bond0",
		"Bonding Mode: fault-tolerance (active-backup)\n"
		"Primary Slave: None\nCurrently Active Slave: em3\n"
		"MII Status: up\nMII Polling Interval (ms): 100\n"
		"\nSlave Interface: em3\nMII Status: up\nLink Failure Count: 5\n"
		"\nSlave Interface: p2p3\nMII Status: down\nLink Failure Count: 0\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_int_equal(find(h, "bond0")->margin, 0);
	assert_same_as_full(h);

	/* A slave's sysfs attribute (operstate in its own directory). */
	rewrite(h, "sys/class/net/em3/operstate", "down\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_int_equal(find(h, "bond0")->margin, -1);
	assert_same_as_full(h);

	/* The bond's own attribute. */
	rewrite(h, "sys/class/net/bond0/operstate", "down\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_same_as_full(h);

	/* A slave directory reached through the bond (slave_<slave>): bond "int". */
	rewrite(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "up\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
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
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_int_equal(find(h, "bond2")->margin, 0);
	assert_same_as_full(h);

	/* A scan with no event behind it (the periodic one) reads everything. */
	rewrite(h, "sys/class/net/p2p3/operstate", "down\n");
	scan(h, inst);
	assert_same_as_full(h);
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_same_as_full(h);

	/* A slave added: the names and watches change, so the scan is a full one. */
	rewrite(h, "proc/net/bonding/bond2",
		"Bonding Mode: load balancing (round-robin)\nMII Status: up\n"
		"MII Polling Interval (ms): 100\n"
		"\nSlave Interface: eth8\nMII Status: down\nLink Failure Count: 0\n"
		"\nSlave Interface: eth9\nMII Status: up\nLink Failure Count: 0\n"
		"\nSlave Interface: eth7\nMII Status: up\nLink Failure Count: 0\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_int_equal(find(h, "bond2")->total, 3);
	assert_same_as_full(h);
	/* A read error (a directory where the /proc file was): reported unknown. */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/proc/net/bonding/bond2", h->root);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
		scan(h, inst);
		assert_int_equal(find(h, "bond2")->margin, REDMON_MARGIN_UNKNOWN);
		assert_same_as_full(h);
		assert_int_equal(rmdir(path), 0);
	}

	/* A bond vanishes. */
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
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
	h->opt_netlink = "no";
	three_bonds(h);
	inst = start(h);
	ino = h->watched[0];
	scan(h, inst);
	for (int round = 0; round < 2; round++) {
		snprintf(path, sizeof(path), "%s/sys/class/net/em3/operstate", h->root);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/sys/class/net/em3", h->root);
		assert_int_equal(rmdir(path), 0);
		assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
		scan(h, inst);
		put(h, "sys/class/net/em3/operstate", "up\n");
		assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
		scan(h, inst);
		assert_int_equal(find(h, "bond0")->margin, 1);
		rewrite(h, "sys/class/net/em3/operstate", "down\n");
		assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
		scan(h, inst);
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
	h->opt_netlink = "no";
	three_bonds(h);
	inst = start(h);
	ino = h->watched[0];
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");

	rewrite(h, "proc/net/bonding/bond0", ab_text(7));
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, flap);

	rewrite(h, "sys/class/net/int/slave_eth1/bonding_slave/mii_status", "up\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, flap);
	assert_int_equal(find(h, "int")->margin, 1);

	rewrite(h, "sys/class/net/bond0/operstate", "up\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino, EPOLLIN), 1);
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason, "");

	/* A second rise, seen by a full scan, counts from the last read. */
	rewrite(h, "proc/net/bonding/bond0", ab_text(8));
	scan(h, inst);
	assert_string_equal(find(h, "bond0")->reason,
			    "em3: link flapping: 1 link failure since last scan (8 in total)");
	redmon_plugin.fini(inst);
}

static void test_options_off(void **state)
{
	struct redmon_host *h = *state;
	void *inst;

	h->events = true;
	h->opt_netlink = "no";
	h->opt_inotify = "no";
	inst = start(h);
	assert_int_equal(h->n_watched, 0);
	redmon_plugin.fini(inst);
	h->opt_netlink = "yes";
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
	h->opt_netlink = "no";
	tree(h);
	snprintf(out, sizeof(out), "/tmp/redmon-bondp-out-XXXXXX");
	assert_non_null(mkdtemp(out));
	snprintf(path, sizeof(path), "%s/em3", out);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/p2p3", out);
	assert_int_equal(mkdir(path, 0755), 0);
	put(h, "sys/class/net/int/operstate", "up\n"); /* makes sys/class/net */
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
	ino = h->watched[0];
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
	nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A root whose directories cannot be listed: the scan fails and says why. */
static void test_scan_error(void **state)
{
	struct redmon_host *h = *state;
	char path[512];
	void *inst;

	put(h, "sys/class/placeholder", "");
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
	struct redmon_host_ops bad = ops;
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
		cmocka_unit_test_setup_teardown(test_options_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches_stay_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abi_mismatch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
