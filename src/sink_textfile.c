/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus textfile export: the current state of every group as a .prom
 * file for node_exporter's textfile collector, replaced atomically after
 * each batch of events and each scan (the collector must never read half a
 * file, and a file that stops being rewritten shows a dead redmon).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "json.h"
#include "log.h"
#include "loop_timer.h"
#include "sink.h"
#include "spool.h"

struct textfile {
	int dirfd;	     /* -1 while the directory does not exist */
	char *dir, *name;    /* the path, split */
	bool missing_logged; /* that the directory does not exist, once */
	int64_t scanned_ms;  /* when the daemon last took a probe's answer; 0: none yet */
	struct loop_timer *write;
};

/* A label value: redmon's text escaping, then the exposition format's (\\, \", \n). */
static void put_label(FILE *f, const char *key, const char *value, bool first)
{
	char buf[1024];

	text_escape(value ? value : "", buf, sizeof(buf));
	fprintf(f, "%s%s=\"", first ? "" : ",", key);
	for (const char *p = buf; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A metric's name and the labels of its group, open for more. */
static void group_labels(FILE *f, const char *metric, const struct group *g)
{
	fprintf(f, "%s{", metric);
	put_label(f, "group", g->id, true);
	put_label(f, "probe", g->probe, false);
}

static void m_info(FILE *f, const char *metric, const struct group *g)
{
	group_labels(f, metric, g);
	put_label(f, "name", g->name, false);
	put_label(f, "kind", g->kind, false);
	put_label(f, "type", g->type, false);
	fputs("} 1\n", f);
}

static void m_health(FILE *f, const char *metric, const struct group *g)
{
	for (int h = 0; h < HEALTH_COUNT_; h++) {
		group_labels(f, metric, g);
		put_label(f, "health", health_name(h), false);
		fprintf(f, "} %d\n", g->health == (enum health)h);
	}
}

static void m_margin(FILE *f, const char *metric, const struct group *g)
{
	if (margin_shown(g) < 0)
		return;
	group_labels(f, metric, g);
	fprintf(f, "} %d\n", margin_shown(g));
}

static void m_nominal(FILE *f, const char *metric, const struct group *g)
{
	group_labels(f, metric, g);
	fprintf(f, "} %d\n", g->margin_nominal);
}

static void m_slots(FILE *f, const char *metric, const struct group *g)
{
	if (g->members_total < 0)
		return;
	group_labels(f, metric, g);
	fprintf(f, "} %d\n", g->members_total);
}

/* Without the total, which has its own metric: sum() over states counts each member once. */
static void m_members(FILE *f, const char *metric, const struct group *g)
{
	static const char *const what[] = { "ok", "failed", "spare" };
	int v[] = { g->members_ok, g->members_failed, g->spares };

	for (size_t i = 0; i < 3; i++) {
		if (v[i] < 0)
			continue;
		group_labels(f, metric, g);
		put_label(f, "state", what[i], false);
		fprintf(f, "} %d\n", v[i]);
	}
}

static void m_progress(FILE *f, const char *metric, const struct group *g)
{
	if (g->activity == REDMON_ACTIVITY_NONE || g->progress < 0)
		return;
	group_labels(f, metric, g);
	put_label(f, "activity", activity_name(g->activity), false);
	fprintf(f, "} %.1f\n", g->progress);
}

static void m_member_role(FILE *f, const char *metric, const struct group *g)
{
	for (size_t i = 0; i < g->n_members; i++) {
		group_labels(f, metric, g);
		put_label(f, "member", g->members[i].name, false);
		put_label(f, "role", role_name(g->members[i].role), false);
		fputs("} 1\n", f);
	}
}

/* The metrics of each group, in the order they are written. */
static const struct {
	const char *name, *help;
	void (*fn)(FILE *f, const char *metric, const struct group *g);
} group_metrics[] = {
	{ "redmon_group_info", "Identity of a redundancy group (always 1)", m_info },
	{ "redmon_group_health",
	  "1 for the health the group is in: ok, nonredundant, degraded, unknown, critical, failed",
	  m_health },
	{ "redmon_group_margin",
	  "Further member failures the group survives, worst case (absent when unknown)",
	  m_margin },
	{ "redmon_group_margin_nominal", "The margin when every member is fine", m_nominal },
	{ "redmon_group_member_slots", "Member slots the group is built with", m_slots },
	{ "redmon_group_members", "Members by state: ok, failed, spare", m_members },
	{ "redmon_group_activity_progress_percent", "Progress of a rebuild, resync or check",
	  m_progress },
	{ "redmon_member_role", "The role of each member (always 1)", m_member_role },
};

static void help(FILE *f, const char *metric, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", metric, text, metric);
}

int textfile_render(const struct agg *a, const char *host, int64_t now_ms, int64_t scanned_ms,
		    FILE *f)
{
	for (size_t i = 0; i < sizeof(group_metrics) / sizeof(group_metrics[0]); i++) {
		struct agg_iter it = { 0 };
		const struct group *g;

		help(f, group_metrics[i].name, group_metrics[i].help);
		while ((g = agg_next_group(a, &it)))
			group_metrics[i].fn(f, group_metrics[i].name, g);
	}
	help(f, "redmon_probe_up", "1 when the probe's last scan worked");
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		fputs("redmon_probe_up{", f);
		put_label(f, "probe", agg_probe_at(a, i)->name, true);
		fprintf(f, "} %d\n", !agg_probe_at(a, i)->failed);
	}
	help(f, "redmon_textfile_updated_seconds", "When redmon wrote this file (Unix time)");
	fputs("redmon_textfile_updated_seconds{", f);
	put_label(f, "host", host, true);
	fprintf(f, "} %lld.%03lld\n", (long long)(now_ms / 1000), (long long)(now_ms % 1000));
	if (scanned_ms > 0) {
		help(f, "redmon_last_scan_timestamp_seconds",
		     "When redmon last took a probe's answer (Unix time): stale if dead");
		fprintf(f, "redmon_last_scan_timestamp_seconds %lld.%03lld\n",
			(long long)(scanned_ms / 1000), (long long)(scanned_ms % 1000));
	}
	return ferror(f) ? -EIO : 0;
}

/*
 * The directory, opened now if it was not: node_exporter's collector directory
 * exists only once prometheus-node-exporter is installed.  0 when open; 1
 * while it does not exist (said once: no failure, nothing to alert about);
 * else -errno.
 */
static int dir_ready(struct sink *k)
{
	struct textfile *t = k->priv;

	if (t->dirfd >= 0)
		return 0;
	/* Opened as root: a link on the way counts only when root or we own it. */
	t->dirfd = open_dir_made(t->dir, 0, false);
	if (t->dirfd == -ENOENT) {
		if (!t->missing_logged)
			log_notice("sink %s: directory %s does not exist (is node_exporter's "
				   "textfile collector installed?): %s is written once it does",
				   k->name, t->dir, t->name);
		t->missing_logged = true;
		return 1;
	}
	if (t->dirfd >= 0 && t->missing_logged)
		log_notice("sink %s: directory %s exists now: writing %s", k->name, t->dir,
			   t->name);
	t->missing_logged = false;
	return t->dirfd < 0 ? t->dirfd : 0;
}

static int write_now(struct sink *k)
{
	struct textfile *t = k->priv;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc = dir_ready(k);

	if (rc != 0)
		return rc > 0 ? 0 : rc;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	rc = textfile_render(sink_env(k)->agg, sink_env(k)->host, wall_ms(), t->scanned_ms, f);
	if (fclose(f) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0)
		rc = write_file_atomic(t->dirfd, t->name, text, len, 0644);
	free(text);
	return rc;
}

static void on_write(void *ctx)
{
	struct sink *k = ctx;
	struct textfile *t = k->priv;
	int rc = write_now(k);
	char why[600];

	snprintf(why, sizeof(why), "cannot write %s/%s: %s", t->dir, t->name,
		 rc == -ELOOP ? "a symbolic link on the way is neither root's nor ours"
			      : strerror(-rc));
	sink_result(k, rc, true, why);
}

static int textfile_open(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen)
{
	const char *path = set->path;
	struct textfile *t = calloc(1, sizeof(*t));
	char *copy = strdup(path), *copy2 = strdup(path);
	int rc = -ENOMEM;

	if (t) {
		k->priv = t;
		t->dirfd = -1;
	}
	if (t && copy && copy2) {
		t->name = strdup(basename(copy));
		t->dir = strdup(dirname(copy2));
		rc = t->name && t->dir ? dir_ready(k) : -ENOMEM;
		if (rc < 0 && rc != -ENOMEM)
			snprintf(err, errlen, "sink %s: directory of %s: %s", k->name, path,
				 rc == -ELOOP
					 ? "a symbolic link on the way is neither root's nor ours"
					 : strerror(-rc));
		rc = rc > 0 ? 0 : rc; /* a directory yet to come is no error */
	}
	free(copy);
	free(copy2);
	/* Only with a state to export: test-alert writes at once instead. */
	if (rc == 0 && sink_env(k)->agg) {
		rc = loop_timer_new(sink_env(k)->loop, on_write, k, &t->write);
		if (rc == 0)
			rc = loop_timer_arm(t->write, 0);
	}
	return rc;
}

/* Every scan, changed or not: a fresh scan time, so a stale file means a dead redmon. */
static void textfile_scanned(struct sink *k)
{
	struct textfile *t = k->priv;

	t->scanned_ms = wall_ms();
	if (t->write && !loop_timer_armed(t->write))
		loop_timer_arm(t->write, 0);
}

/* Events are many, the file one: rewrite once the burst is handled. */
static void textfile_deliver(struct sink *k, const struct alert *a)
{
	struct textfile *t = k->priv;

	(void)a;
	if (t->write && !loop_timer_armed(t->write))
		loop_timer_arm(t->write, 0);
}

/* test-alert: prove the directory takes a file, without touching the real one. */
static void textfile_test(struct sink *k, const struct alert *a)
{
	struct textfile *t = k->priv;
	static const char probe[] = "# redmon test-alert\n";
	char name[300];
	int rc = dir_ready(k);

	(void)a;
	if (rc != 0) {
		sink_test_done(k, rc > 0 ? -ENOENT : rc,
			       rc > 0 ? "the directory does not exist" : strerror(-rc));
		return;
	}
	snprintf(name, sizeof(name), ".%s.test-alert", t->name);
	rc = write_file_atomic(t->dirfd, name, probe, sizeof(probe) - 1, 0644);
	unlinkat(t->dirfd, name, 0);
	sink_test_done(k, rc, rc < 0 ? strerror(-rc) : NULL);
}

static void textfile_retire(struct sink *k)
{
	struct textfile *t = k->priv;

	loop_timer_free(t->write);
	t->write = NULL;
}

static void textfile_close(struct sink *k)
{
	struct textfile *t = k->priv;

	loop_timer_free(t->write);
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->name);
	free(t->dir);
	free(t);
}

const struct sink_ops sink_textfile_ops = {
	.type = "textfile",
	.open = textfile_open,
	.deliver = textfile_deliver,
	.test = textfile_test,
	.retire = textfile_retire,
	.scanned = textfile_scanned,
	.close = textfile_close,
};
