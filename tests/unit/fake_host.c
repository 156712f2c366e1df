// SPDX-License-Identifier: GPL-2.0-or-later
/* The host the plugin unit tests run against: see fake_host.h. */
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

#include "fake_host.h"

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

/* As the core: the configured value, else the plugin's default. */
static const char *h_option(struct redmon_host *h, const char *key)
{
	const struct redmon_option_spec *o = h->plugin ? h->plugin->options : NULL;

	for (int i = 0; i < FAKE_MAX_OPTIONS && h->options[i].key; i++)
		if (strcmp(h->options[i].key, key) == 0)
			return h->options[i].value;
	for (; o && o->key; o++)
		if (strcmp(o->key, key) == 0)
			return o->default_value;
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
	return h->live;
}

static bool h_events_wanted(struct redmon_host *h)
{
	return h->events;
}

static int h_report(struct redmon_host *h, const struct redmon_group *g)
{
	struct fake_report *r;

	if (!g->name)
		return -EINVAL;
	if (h->kind)
		assert_string_equal(g->kind, h->kind);
	if (fake_host_report(h, g->name))
		return -EINVAL; /* the core keeps one report of a name */
	if (fake_host_kept(h, g->name))
		fail_msg("%s reported after it was kept", g->name);
	if (h->n_reports >= FAKE_MAX_REPORTS)
		return -ENOMEM;
	r = &h->reports[h->n_reports++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", g->name);
	snprintf(r->type, sizeof(r->type), "%s", g->type ? g->type : "");
	snprintf(r->reason, sizeof(r->reason), "%s", g->reason ? g->reason : "");
	r->margin = g->margin;
	r->nominal = g->margin_nominal;
	r->total = g->members_total;
	r->ok = g->members_ok;
	r->failed = g->members_failed;
	r->n_members = g->n_members;
	r->n_spof = g->n_spof;
	for (size_t i = 0; i < g->n_spof && i < 4; i++)
		snprintf(r->spof[i], sizeof(r->spof[i]), "%s", g->spof[i]);
	for (size_t i = 0; i < g->n_members && i < 4; i++) {
		snprintf(r->member[i], sizeof(r->member[i]), "%s", g->members[i].name);
		r->role[i] = g->members[i].role;
	}
	return 0;
}

/* As the core: a name is kept once per scan, not after it was reported; keep_rc refuses. */
static int h_keep(struct redmon_host *h, const char *name)
{
	if (!name)
		return -EINVAL;
	if (h->keep_rc < 0)
		return h->keep_rc;
	if (fake_host_report(h, name) || fake_host_kept(h, name))
		return -ENOENT;
	if (h->n_kept >= FAKE_MAX_REPORTS)
		return -ENOMEM;
	snprintf(h->kept[h->n_kept++], sizeof(h->kept[0]), "%s", name);
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
	if (!h->events)
		return -EOPNOTSUPP;
	if (fcntl(fd, F_GETFD) < 0 || (h->watch_events && events != h->watch_events))
		return -EBADF;
	for (int i = 0; i < h->n_watched; i++)
		if (h->watched[i].fd == fd)
			return -EEXIST;
	if (h->n_watched >= FAKE_MAX_WATCH)
		return -ENOSPC;
	h->watched[h->n_watched].fd = fd;
	h->watched[h->n_watched].events = events;
	h->n_watched++;
	return 0;
}

static void h_unwatch(struct redmon_host *h, int fd)
{
	if (fcntl(fd, F_GETFD) < 0)
		h->bad_unwatch = true; /* closed before unwatch */
	for (int i = 0; i < h->n_watched; i++) {
		if (h->watched[i].fd == fd) {
			h->watched[i] = h->watched[--h->n_watched];
			return;
		}
	}
	h->bad_unwatch = true;
}

static void h_rescan(struct redmon_host *h)
{
	h->n_rescans++;
}

const struct redmon_host_ops fake_host_ops = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_host_ops),
	.log = h_log,
	.option = h_option,
	.root = h_root,
	.root_fd = h_root_fd,
	.root_is_live = h_live,
	.events_wanted = h_events_wanted,
	.report = h_report,
	.scan_error = h_scan_error,
	.watch_fd = h_watch,
	.unwatch_fd = h_unwatch,
	.keep = h_keep,
	.rescan = h_rescan,
};

struct redmon_host *fake_host_new(const struct redmon_plugin *plugin, const char *prefix)
{
	struct redmon_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->plugin = plugin;
	h->events = true;
	h->keep_rc = -ENOENT;
	snprintf(h->root, sizeof(h->root), "/tmp/%s.XXXXXX", prefix);
	if (!mkdtemp(h->root)) {
		free(h);
		return NULL;
	}
	h->root_fd = open(h->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (h->root_fd < 0) {
		rmdir(h->root);
		free(h);
		return NULL;
	}
	return h;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fake_host_rm_tree(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fake_host_free(struct redmon_host *h)
{
	if (!h)
		return;
	close(h->root_fd);
	fake_host_rm_tree(h->root);
	free(h);
}

void fake_host_option(struct redmon_host *h, const char *key, const char *value)
{
	int i;

	for (i = 0; i < FAKE_MAX_OPTIONS && h->options[i].key; i++)
		if (strcmp(h->options[i].key, key) == 0)
			break;
	assert_true(i < FAKE_MAX_OPTIONS);
	h->options[i].key = key;
	h->options[i].value = value;
}

int fake_host_count_watched(const struct redmon_host *h, uint32_t events)
{
	int n = 0;

	for (int i = 0; i < h->n_watched; i++)
		n += h->watched[i].events == events;
	return n;
}

bool fake_host_kept(const struct redmon_host *h, const char *name)
{
	for (int i = 0; i < h->n_kept; i++)
		if (strcmp(h->kept[i], name) == 0)
			return true;
	return false;
}

const struct fake_report *fake_host_report(const struct redmon_host *h, const char *name)
{
	for (int i = 0; i < h->n_reports; i++)
		if (strcmp(h->reports[i].name, name) == 0)
			return &h->reports[i];
	return NULL;
}

/* <root>/rel in path, with the directories on the way made. */
static void path_of(struct redmon_host *h, const char *rel, char *path, size_t cap)
{
	size_t n = (size_t)snprintf(path, cap, "%s/%s", h->root, rel);

	assert_true(n < cap);
	for (char *p = path + strlen(h->root) + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
	}
}

void fake_host_write(struct redmon_host *h, const char *rel, const char *text)
{
	char path[512];
	FILE *fp;

	path_of(h, rel, path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

void fake_host_replace(struct redmon_host *h, const char *rel, const char *text)
{
	char path[512], tmp[520];
	FILE *fp;

	path_of(h, rel, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(rename(tmp, path), 0);
}
