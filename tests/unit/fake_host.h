/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host a plugin unit test runs against, in place of the daemon: a
 * struct redmon_host with what the plugin asked for and reported, and a
 * fake_host_ops table for init().  It checks the plugin's side of the
 * contract as the core would (a watched fd must be open, unwatched before
 * it is closed and only once; a report must have a name, and a name only
 * once per scan unless the test resets n_reports) and keeps the tree on a
 * temporary root that fake_host_free() removes.
 *
 * One per test (setup/teardown); the fields are the test's to read and set.
 */
#ifndef REDMON_TESTS_FAKE_HOST_H
#define REDMON_TESTS_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <redmon/plugin.h>

#define FAKE_MAX_WATCH	 256
#define FAKE_MAX_REPORTS 16
#define FAKE_MAX_OPTIONS 8

/* One group reported, copied. */
struct fake_report {
	char name[32], type[32], reason[1024];
	int32_t margin, nominal;
	int total, ok, failed;
	size_t n_members;
	char member[4][16];
	enum redmon_role role[4];
	size_t n_spof; /* the group's spof, the first four kept */
	char spof[4][256];
};

struct redmon_host {
	const struct redmon_plugin *plugin; /* for option defaults */
	char root[64];
	int root_fd; /* O_PATH, as the core's */
	bool live;   /* root_is_live() */
	/*
	 * events_wanted(); false is a one-shot host (redmon status), whose
	 * watch_fd() answers -EOPNOTSUPP.
	 */
	bool events;
	const char *kind;      /* when set, every report must be of this kind */
	uint32_t watch_events; /* when set, watch_fd() refuses other events (-EBADF) */

	struct {
		const char *key, *value;
	} options[FAKE_MAX_OPTIONS]; /* fake_host_option(); others: the plugin's default */

	struct {
		int fd;
		uint32_t events;
	} watched[FAKE_MAX_WATCH];
	int n_watched;
	bool bad_unwatch; /* unwatch of an fd not watched, or already closed */

	struct fake_report reports[FAKE_MAX_REPORTS];
	int n_reports; /* reset it between scans to see one scan's reports */
	/*
	 * keep(): keep_rc is its answer, -ENOENT (as the core's in a scan that
	 * must hand over every group) unless the test sets 0, so that tests
	 * written before keep() see every group reported.  With 0, each name
	 * kept is in kept[0..n_kept) (reset n_kept between scans as n_reports),
	 * once, and not when it was reported in the scan already; a name
	 * reported after it was kept fails the test.
	 */
	char kept[FAKE_MAX_REPORTS][32];
	int n_kept;
	int keep_rc;
	int n_rescans; /* rescan() calls: the plugin asked for another scan at once */
	int n_scan_errors;
	char scan_error[256];
	int n_logs;
	char last_log[256];
};

extern const struct redmon_host_ops fake_host_ops;

/*
 * A host for plugin with a new empty root /tmp/<prefix>.XXXXXX, events on,
 * not live.  NULL on failure.
 */
struct redmon_host *fake_host_new(const struct redmon_plugin *plugin, const char *prefix);

/* Remove the root and everything in it; NULL is a no-op. */
void fake_host_free(struct redmon_host *h);

/* Configure option key (the string is not copied). */
void fake_host_option(struct redmon_host *h, const char *key, const char *value);

/* How many watched fds have exactly these events. */
int fake_host_count_watched(const struct redmon_host *h, uint32_t events);

/* Whether group name was kept (keep() answered 0) in kept[0..n_kept). */
bool fake_host_kept(const struct redmon_host *h, const char *name);

/* The report of group name in reports[0..n_reports), or NULL. */
const struct fake_report *fake_host_report(const struct redmon_host *h, const char *name);

/*
 * Write text to <root>/rel, making the directories on the way: in place
 * (open, truncate, write: IN_MODIFY), or replaced by rename (IN_MOVED_TO).
 */
void fake_host_write(struct redmon_host *h, const char *rel, const char *text);
void fake_host_replace(struct redmon_host *h, const char *rel, const char *text);

/* Remove path (absolute) and everything under it, not following links; 0 or -1. */
int fake_host_rm_tree(const char *path);

#endif
