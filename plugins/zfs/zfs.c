// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The zfs probe: one group per ZFS pool (docs/zfs.md, zfs.h for the rules).
 *
 * Live, `zpool status -p` runs through the core's runner or privileged
 * helper (registered at init), never in scan(): a worker
 * (plugins/lib/periodic.h) wakes every `kstat_poll`, reads each pool's
 * /proc/spl/kstat/zfs/<pool>/state (one small read per pool: no tool, no
 * privilege), and runs zpool only when a state word changed or `interval`
 * has passed since the last run.  So a pool going DEGRADED is seen within
 * kstat_poll without running zpool every few seconds.  Without zpool, the
 * kstat states alone give each pool with its state.
 *
 * Under --root nothing runs: scan() reads the captures at the top of the
 * root named zpool-* (status, status -j, list, list -v, told apart by their
 * content) and DIR/proc/spl/kstat/zfs, and an inotify watch on both asks
 * for a rescan when a file changes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "zfs.h"
#include "../lib/child.h"
#include "../lib/periodic.h"
#include "../lib/rootfs.h"
#include "../lib/strbuf.h"
#include "../lib/watch.h"
#include "redmon/plugin.h"

#define OUT_MAX	     (16u << 20)
#define STATE_MAX    64
#define MAX_CAPTURES 16
#define ERR_LEN	     512
#define KSTAT_DIR    "proc/spl/kstat/zfs"

struct zfs_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	int root_fd;
	uint64_t interval_ms, timeout_ms, poll_ms;
	bool live;
	char zpool[PATH_MAX];
	int cmd; /* zpool status -p, or -1 without zpool */

	/* the worker's own */
	struct strbuf states, last_states; /* "name=STATE\n" of every pool, as last read */
	uint64_t last_run_ms;

	struct periodic *w;
	struct watch_ino ino; /* --root: fd -1 when not watching */
	/* published by the worker, under periodic_lock() */
	int rc;
	char err[ERR_LEN];
	struct zfs_result res;
};

static const struct redmon_option_spec zfs_options[] = {
	{ .key = "interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "5m",
	  .min = 1000,
	  .max = 86400000,
	  .help = "daemon: how often zpool status runs when no pool state changed" },
	{ .key = "kstat_poll",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "5s",
	  .min = 200,
	  .max = 3600000,
	  .help = "daemon: how often the kstat state words are read (zpool runs on a change)" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 100,
	  .max = REDMON_CMD_TIMEOUT_MS_MAX,
	  .help = "zpool still running after this is killed and the probe fails" },
	{ .key = "zpool_path",
	  .type = REDMON_OPT_STRING,
	  .help = "zpool by absolute path; default: the first zpool on PATH" },
	{ .key = NULL },
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- kstat ----------------------------------------------------------------------- */

static int read_small(int root_fd, const char *path, struct strbuf *b, size_t max)
{
	int fd = rootfs_open_regular(root_fd, path), rc;
	bool cut = false;

	if (fd < 0)
		return fd;
	rc = strbuf_read_fd(b, fd, max, 0, &cut);
	close(fd);
	return rc < 0 ? rc : cut ? -EFBIG : 0;
}

/*
 * Every pool's kstat state into res (when not NULL) and "name=STATE\n" into
 * sig, sorted by readdir order.  No kstat directory is no pool: 0.
 */
static int read_kstat(int root_fd, struct zfs_result *res, struct strbuf *sig)
{
	int fd = rootfs_open(root_fd, KSTAT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct strbuf b = { 0 };
	struct dirent *e;
	char path[PATH_MAX], err[128];
	DIR *dir;
	int rc = 0;

	sig->len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((e = readdir(dir)) && rc == 0) {
		if (e->d_name[0] == '.' || !strv_is_graph(strv_c(e->d_name)))
			continue;
		snprintf(path, sizeof(path), KSTAT_DIR "/%s/state", e->d_name);
		if (read_small(root_fd, path, &b, STATE_MAX) < 0)
			continue; /* arcstats and the like: files, not pools */
		rc = strbuf_addf(sig, NULL, "%s=%s\n", e->d_name, strbuf_str(&b));
		if (rc == 0 && res)
			rc = zfs_parse_kstat(e->d_name, strbuf_str(&b), b.len, res, err,
					     sizeof(err)) == -E2BIG
				     ? -E2BIG
				     : 0;
	}
	closedir(dir);
	strbuf_free(&b);
	return rc;
}

/* --- zpool ----------------------------------------------------------------------- */

static int run_zpool(struct zfs_probe *p, struct zfs_result *res, char *err, size_t errlen)
{
	struct redmon_cmd_result r;
	int rc = p->ops->run_command(p->h, p->cmd, &r);

	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "zpool status: no answer within %llu ms",
			 (unsigned long long)p->timeout_ms);
	else if (rc < 0)
		snprintf(err, errlen, "zpool status: %.300s", r.err);
	else if (r.exit_status != 0)
		snprintf(err, errlen, "zpool status: %s %d%s%.300s",
			 r.term_signal ? "killed by signal" : "exit status",
			 r.term_signal ? r.term_signal : r.exit_status, r.err[0] ? ": " : "",
			 r.err);
	if (rc == 0 && r.exit_status != 0)
		rc = -EPROTO;
	if (rc == 0)
		rc = zfs_parse_status(r.out ? r.out : "", r.out ? r.out_len : 0, res, err, errlen);
	child_result_free(&r);
	for (char *c = err; *c; c++)
		*c = (*c == '\n' || *c == '\r' || *c == '\t') ? ' ' : *c;
	return rc;
}

/*
 * The worker's job, every kstat_poll: the kstat states, and zpool when one
 * changed, at the first run, or when interval has passed.
 */
static void poll_pools(void *arg, struct periodic *w)
{
	struct zfs_probe *p = arg;
	struct zfs_result res = { 0 }, ks = { 0 };
	char err[ERR_LEN] = "";
	uint64_t t = now_ms();
	bool changed, due;
	int rc = read_kstat(p->root_fd, &ks, &p->states);

	changed = p->states.len != p->last_states.len ||
		  memcmp(strbuf_str(&p->states), strbuf_str(&p->last_states), p->states.len) != 0;
	due = p->last_run_ms == 0 || t - p->last_run_ms >= p->interval_ms;
	if (!changed && !due) {
		zfs_result_free(&ks);
		periodic_lock(w);
		periodic_publish(w, false);
		periodic_unlock(w);
		return;
	}
	p->last_states.len = 0; /* out of memory: unchanged, and the next poll runs zpool again */
	strbuf_addf(&p->last_states, NULL, "%s", strbuf_str(&p->states));
	p->last_run_ms = t ? t : 1;
	if (rc < 0)
		snprintf(err, sizeof(err), "%s: %s", KSTAT_DIR, strerror(-rc));
	if (rc == 0 && p->cmd >= 0)
		rc = run_zpool(p, &res, err, sizeof(err));
	if (rc == 0)
		rc = zfs_result_merge(&res, &ks);
	zfs_result_free(&ks);
	periodic_lock(w);
	zfs_result_free(&p->res);
	p->res = res;
	p->rc = rc;
	snprintf(p->err, sizeof(p->err), "%s", err);
	periodic_publish(w, true);
	periodic_unlock(w);
}

/* --- captures under --root -------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names at the top of the root starting "zpool-", sorted. */
static int capture_names(int root_fd, char **names, size_t *n)
{
	int fd = rootfs_open(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *dir;

	*n = 0;
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((e = readdir(dir)) && *n < MAX_CAPTURES) {
		if (strncmp(e->d_name, "zpool-", 6) != 0 || !strv_is_graph(strv_c(e->d_name)))
			continue;
		names[*n] = strdup(e->d_name);
		if (!names[*n])
			break;
		(*n)++;
	}
	closedir(dir);
	qsort(names, *n, sizeof(*names), cmp_names);
	return 0;
}

/* One capture, told by its content: JSON, a list (NAME header) or status text. */
static int parse_capture(const char *buf, size_t len, struct zfs_result *res, char *err,
			 size_t errlen)
{
	struct strv s = strv_ltrim(strv_make(buf, len));

	if (s.n && s.p[0] == '{')
		return zfs_parse_status_json(buf, len, res, err, errlen);
	if (strv_starts(s, "NAME"))
		return zfs_parse_list(buf, len, res, err, errlen);
	return zfs_parse_status(buf, len, res, err, errlen);
}

static int read_captures(struct zfs_probe *p, struct zfs_result *all, char *err, size_t errlen)
{
	char *names[MAX_CAPTURES];
	struct strbuf b = { 0 };
	size_t n = 0;
	int rc = capture_names(p->root_fd, names, &n);

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct zfs_result one = { 0 };

		b.len = 0;
		rc = read_small(p->root_fd, names[i], &b, OUT_MAX);
		if (rc == -EISDIR || rc == -EINVAL) {
			rc = 0; /* a directory or a FIFO of that name: not a capture */
			continue;
		}
		if (rc == 0)
			rc = parse_capture(strbuf_str(&b), b.len, &one, err, errlen);
		else
			snprintf(err, errlen, "%s: %s", names[i], strerror(-rc));
		if (rc == 0)
			rc = zfs_result_merge(all, &one);
		zfs_result_free(&one);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	strbuf_free(&b);
	return rc;
}

static int root_result(struct zfs_probe *p, struct zfs_result *res, char *err, size_t errlen)
{
	struct zfs_result ks = { 0 };
	int rc = read_captures(p, res, err, errlen);

	if (rc == 0) {
		rc = read_kstat(p->root_fd, &ks, &p->states);
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", KSTAT_DIR, strerror(-rc));
	}
	if (rc == 0)
		rc = zfs_result_merge(res, &ks);
	zfs_result_free(&ks);
	return rc;
}

/* Watch the top of the root and the kstat tree: each pool's directory, for its state file. */
static void watch_root(struct zfs_probe *p)
{
	struct strv rest = strv_make(p->states.p, p->states.len), line;

	if (p->ino.fd < 0)
		return;
	watch_ino_begin(&p->ino);
	watch_ino_add(&p->ino, ".", 0);
	watch_ino_add(&p->ino, KSTAT_DIR, 0);
	while (strv_next_line(&rest, &line)) {
		struct strv name;

		if (strv_next_item(&line, "=", &name) && name.n < 256)
			watch_ino_addf(&p->ino, 0, KSTAT_DIR "/%.*s", (int)name.n, name.p);
	}
	watch_ino_end(&p->ino);
	watch_ino_rescan_if_added(&p->ino, p->ops, p->h);
}

/* --- the probe --------------------------------------------------------------------- */

static void zfs_fini(void *inst)
{
	struct zfs_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w);
	if (p->ino.fd >= 0) {
		p->ops->unwatch_fd(p->h, p->ino.fd);
		watch_ino_close(&p->ino);
	}
	zfs_result_free(&p->res);
	strbuf_free(&p->states);
	strbuf_free(&p->last_states);
	free(p);
}

/* Find zpool and register `zpool status -p`; without it, kstat alone. */
static void setup_zpool(struct zfs_probe *p)
{
	const char *conf = p->ops->option(p->h, "zpool_path");
	int rc = child_find_tool("zpool", conf, p->zpool, sizeof(p->zpool));

	p->cmd = -1;
	if (rc < 0) {
		p->ops->log(p->h, conf && *conf ? REDMON_LOG_WARNING : REDMON_LOG_INFO,
			    "zpool %s%s: %s: pools from %s only", conf && *conf ? "= " : "",
			    conf && *conf ? conf : "not on PATH", strerror(-rc), KSTAT_DIR);
		return;
	}
	if (!REDMON_HOST_HAS(p->ops, register_command)) {
		p->ops->log(p->h, REDMON_LOG_WARNING, "this redmon cannot run tools: kstat only");
		return;
	}
	{
		const char *argv[] = { p->zpool, "status", "-p", NULL };

		p->cmd = p->ops->register_command(p->h, argv, (uint32_t)p->timeout_ms, OUT_MAX);
	}
	if (p->cmd >= 0)
		p->ops->log(p->h, REDMON_LOG_INFO, "pools through %s", p->zpool);
}

static int start_watch(struct zfs_probe *p)
{
	int rc;

	if (!p->ops->events_wanted(p->h))
		return 0;
	rc = watch_ino_open(&p->ino, p->root_fd, p->ops->root(p->h),
			    IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
	if (rc == 0)
		rc = p->ops->watch_fd(p->h, p->ino.fd, EPOLLIN);
	if (rc < 0)
		p->ops->log(p->h, REDMON_LOG_WARNING, "no inotify on the root: %s", strerror(-rc));
	return 0;
}

static int zfs_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct zfs_probe *p = calloc(1, sizeof(*p));
	int rc = 0;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->ino.fd = -1;
	p->cmd = -1;
	p->root_fd = ops->root_fd(h);
	if (strv_to_duration_ms(strv_c(ops->option(h, "interval")), &p->interval_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "timeout")), &p->timeout_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "kstat_poll")), &p->poll_ms) < 0) {
		zfs_fini(p);
		return -EINVAL;
	}
	p->live = ops->root_is_live(h);
	if (p->live) {
		setup_zpool(p);
		rc = periodic_start(ops, h,
				    p->poll_ms < p->interval_ms ? p->poll_ms : p->interval_ms,
				    poll_pools, p, &p->w);
	} else {
		rc = start_watch(p);
	}
	if (rc < 0) {
		ops->log(h, REDMON_LOG_ERR, "cannot start: %s", strerror(-rc));
		zfs_fini(p);
		return rc;
	}
	*ret = p;
	return 0;
}

static int report(struct zfs_probe *p, const struct zfs_result *res)
{
	for (size_t i = 0; i < res->n_pool; i++) {
		const struct zfs_pool *pool = &res->pool[i];
		struct redmon_member *mem = calloc(pool->n_dev + 1, sizeof(*mem));
		char reason[ZFS_REASON];
		struct redmon_group g;
		int rc;

		if (!mem)
			return -ENOMEM;
		zfs_pool_eval(pool, &g, mem, reason, sizeof(reason));
		rc = p->ops->report(p->h, &g);
		free(mem);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int finish(struct zfs_probe *p, int rc, const char *err, const struct zfs_result *res)
{
	if (rc < 0) {
		p->ops->scan_error(p->h, "%s", err[0] ? err : strerror(-rc));
		return rc;
	}
	rc = report(p, res);
	if (rc < 0)
		p->ops->scan_error(p->h, "cannot report: %s", strerror(-rc));
	return rc;
}

static int zfs_scan(void *inst)
{
	struct zfs_probe *p = inst;
	struct zfs_result res = { 0 };
	char err[ERR_LEN] = "";
	int rc = 0;

	if (p->live) {
		periodic_oneshot(p->w);
		if (periodic_lock(p->w) > 0)
			rc = finish(p, p->rc, p->err, &p->res);
		periodic_unlock(p->w);
		return rc;
	}
	rc = root_result(p, &res, err, sizeof(err));
	rc = finish(p, rc, err, &res);
	watch_root(p);
	zfs_result_free(&res);
	return rc;
}

static int zfs_on_fd(void *inst, int fd, uint32_t revents)
{
	struct zfs_probe *p = inst;

	if (p->ino.fd >= 0 && fd == p->ino.fd) {
		watch_ino_drain(&p->ino, NULL, NULL);
		return 1;
	}
	return periodic_on_fd(inst, fd, revents);
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "zfs",
	.description = "ZFS pools through zpool status and /proc/spl/kstat/zfs",
	.options = zfs_options,
	.init = zfs_init,
	.fini = zfs_fini,
	.scan = zfs_scan,
	.on_fd = zfs_on_fd,
};
