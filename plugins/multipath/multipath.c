// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The multipath probe: one group per dm-multipath map (README.md,
 * docs/multipath.md).  The maps and their paths come from sysfs
 * (/sys/block/dm-N/dm/uuid starting "mpath-", dm/name, slaves/); what each
 * path is worth from multipathd's path checker (`multipathd show paths`),
 * else from the multipath target's status (`dmsetup status --target
 * multipath`), else, named as a fallback in the reason, from the SCSI
 * device state (/sys/block/sdX/device/state).
 *
 * The tools run through the core's runner (the privileged helper when the
 * daemon dropped its privileges) on a worker (plugins/lib/periodic.h), so a
 * multipathd that hangs never blocks a scan: the worker publishes the parsed
 * outputs, scan() reads sysfs and puts them together.  Under --root nothing
 * runs: the captures DIR/multipathd-show-paths.txt and DIR/dmsetup-status.txt
 * stand for the tools.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpath.h"
#include "../lib/child.h"
#include "../lib/periodic.h"
#include "../lib/rootfs.h"
#include "../lib/strbuf.h"
#include "../lib/sysfs_read.h"
#include "redmon/grow.h"
#include "redmon/plugin.h"

#define OUT_MAX	 (4u << 20)
#define ERR_LEN	 256
#define ATTR_MAX 4096

#define CAPTURE_MD "multipathd-show-paths.txt"
#define CAPTURE_DM "dmsetup-status.txt"

/* What the tools said, parsed; *_err says why a source is missing ("" when it was read). */
struct sources {
	bool md_ok, dm_ok;
	struct mpath_md_paths md;
	struct mpath_dm_status dm;
	char md_err[ERR_LEN], dm_err[ERR_LEN];
};

struct mpath_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	uint64_t interval_ms, timeout_ms;
	bool live;
	int md_id, dm_id; /* registered commands, -1 when the tool is not there */
	struct strbuf list, slaves, attr;
	struct spof_reasons spof; /* the map being reported: resolved at each scan */

	struct periodic *w;
	struct sources src; /* published by the worker, under periodic_lock() */
};

static const struct redmon_option_spec mpath_options[] = {
	{ .key = "interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 500,
	  .max = 86400000,
	  .help = "daemon: how often multipathd and dmsetup are asked" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 100,
	  .max = REDMON_CMD_TIMEOUT_MS_MAX,
	  .help = "a tool still running after this is killed; the next source is used" },
	{ .key = "multipathd_path",
	  .type = REDMON_OPT_STRING,
	  .help = "multipathd by absolute path; default: multipathd on PATH" },
	{ .key = "dmsetup_path",
	  .type = REDMON_OPT_STRING,
	  .help = "dmsetup by absolute path; default: dmsetup on PATH" },
	{ .key = NULL },
};

static void sources_free(struct sources *s)
{
	mpath_md_paths_free(&s->md);
	mpath_dm_status_free(&s->dm);
	*s = (struct sources){ 0 };
}

/* --- the tools and their captures ------------------------------------------- */

/* Run command id; its output into *out (owned), or -errno with why in err. */
static int run_tool(struct mpath_probe *p, int id, const char *what, char **out, size_t *len,
		    char *err, size_t errlen)
{
	struct redmon_cmd_result r;
	int rc = p->ops->run_command(p->h, id, &r);

	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%s: no answer within %llu ms", what,
			 (unsigned long long)p->timeout_ms);
	else if (rc < 0)
		snprintf(err, errlen, "%s: %.180s", what, r.err);
	else if (r.exit_status != 0)
		snprintf(err, errlen, "%s: %s %d%s%.150s", what,
			 r.term_signal ? "killed by signal" : "exit status",
			 r.term_signal ? r.term_signal : r.exit_status, r.err[0] ? ": " : "",
			 r.err);
	if (rc == 0 && r.exit_status != 0)
		rc = -EPROTO;
	*out = rc == 0 ? r.out : NULL;
	*len = rc == 0 ? r.out_len : 0;
	if (rc == 0)
		r.out = NULL;
	child_result_free(&r);
	for (char *c = err; *c; c++)
		*c = (*c == '\n' || *c == '\r') ? ' ' : *c;
	return rc;
}

/* Parse what was read (buf NULL: the source is missing, why already in its err). */
static void parse_md(struct sources *s, const char *buf, size_t len)
{
	if (buf)
		s->md_ok = mpath_md_parse(buf, len, &s->md, s->md_err, sizeof(s->md_err)) == 0;
	if (!s->md_ok)
		mpath_md_paths_free(&s->md);
}

static void parse_dm(struct sources *s, const char *buf, size_t len)
{
	if (buf)
		s->dm_ok = mpath_dm_parse(buf, len, &s->dm, s->dm_err, sizeof(s->dm_err)) == 0;
	if (!s->dm_ok)
		mpath_dm_status_free(&s->dm);
}

/* The worker's job: both tools, parsed and published. */
static void run_tools(void *arg, struct periodic *w)
{
	struct mpath_probe *p = arg;
	struct sources s = { 0 };
	char *out = NULL;
	size_t len = 0;

	if (p->md_id >= 0) {
		if (run_tool(p, p->md_id, "multipathd show paths", &out, &len, s.md_err,
			     sizeof(s.md_err)) == 0)
			parse_md(&s, out, len);
		free(out);
		out = NULL;
	} else {
		snprintf(s.md_err, sizeof(s.md_err), "no multipathd");
	}
	if (p->dm_id >= 0) {
		if (run_tool(p, p->dm_id, "dmsetup status", &out, &len, s.dm_err,
			     sizeof(s.dm_err)) == 0)
			parse_dm(&s, out, len);
		free(out);
	} else {
		snprintf(s.dm_err, sizeof(s.dm_err), "no dmsetup");
	}
	periodic_lock(w);
	sources_free(&p->src);
	p->src = s;
	periodic_publish(w, true);
	periodic_unlock(w);
}

/* A capture at the top of the root into *b: 0, -ENOENT (none), or -errno with why in err. */
static int read_capture(struct mpath_probe *p, const char *name, struct strbuf *b, char *err,
			size_t errlen)
{
	int fd = rootfs_open_regular(p->ops->root_fd(p->h), name), rc;
	bool cut = false;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, fd == -ENOENT ? "none" : strerror(-fd));
		return fd;
	}
	rc = strbuf_read_fd(b, fd, OUT_MAX, STRBUF_TO_EOF, &cut);
	close(fd);
	if (rc == 0 && cut)
		rc = -EFBIG;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", name, strerror(-rc));
	return rc;
}

static void read_captures(struct mpath_probe *p, struct sources *s)
{
	if (read_capture(p, CAPTURE_MD, &p->attr, s->md_err, sizeof(s->md_err)) == 0)
		parse_md(s, strbuf_str(&p->attr), p->attr.len);
	if (read_capture(p, CAPTURE_DM, &p->attr, s->dm_err, sizeof(s->dm_err)) == 0)
		parse_dm(s, strbuf_str(&p->attr), p->attr.len);
	p->attr.len = 0;
}

/* --- sysfs: the maps and their paths ---------------------------------------- */

struct names {
	char (*v)[MPATH_NAME];
	size_t n, cap, max;
	const char *prefix;
};

static int add_name(void *ctx, const char *name)
{
	struct names *l = ctx;

	if (strncmp(name, l->prefix, strlen(l->prefix)) != 0 || strlen(name) >= MPATH_NAME ||
	    !strv_is_graph(strv_c(name)) || strchr(name, '/'))
		return 0;
	if (l->n >= l->max)
		return -E2BIG;
	if (!grow_one((void **)&l->v, &l->cap, l->n, sizeof(*l->v), 16))
		return -ENOMEM;
	snprintf(l->v[l->n++], MPATH_NAME, "%s", name);
	return 0;
}

/* An attribute, trimmed and printable, into dst: 0 or -errno. */
static int read_attr(struct mpath_probe *p, const char *dir, const char *name, char *dst,
		     size_t cap)
{
	struct sysfs_dir d = { .root_fd = p->ops->root_fd(p->h), .buf = &p->attr, .max = ATTR_MAX };
	struct strv v;
	int rc = sysfs_dir_at(&d, "%s", dir);

	rc = rc ?: sysfs_read(&d, name, 0, &v);
	if (rc < 0)
		return rc;
	strv_copy_printable(strv_trim(v), dst, cap);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* One path: the first source that knows it decides. */
static void judge_path(struct mpath_probe *p, const struct sources *s,
		       const struct mpath_dm_map *dm, struct mpath_path *out)
{
	const struct mpath_md_path *mp = s->md_ok ? mpath_md_find(&s->md, out->dev) : NULL;
	char dir[MPATH_NAME + 16], devt[32] = "", st[MPATH_STATE] = "";
	unsigned int maj = 0, min = 0;
	int rc;

	snprintf(dir, sizeof(dir), "sys/block/%s", out->dev);
	if (mp) { /* an undecided checker (undef, pending) leaves it to the next source */
		out->src = MPATH_SRC_CHECKER;
		snprintf(out->state, sizeof(out->state), "%s %s%s%s", mp->dm_st, mp->chk_st,
			 mp->dev_st[0] ? " " : "", mp->dev_st);
		out->role = mpath_checker_role(mp, out->why, sizeof(out->why));
		if (out->role != REDMON_ROLE_UNKNOWN)
			return;
	}
	if (dm && read_attr(p, dir, "dev", devt, sizeof(devt)) == 0 &&
	    mpath_parse_devt(strv_c(devt), &maj, &min) == 0) {
		for (size_t i = 0; i < dm->n_path; i++) {
			if (dm->path[i].major != maj || dm->path[i].minor != min)
				continue;
			out->src = MPATH_SRC_DM;
			out->why[0] = '\0';
			snprintf(out->state, sizeof(out->state), "%s",
				 dm->path[i].active ? "A" : "F");
			out->role = mpath_dm_role(&dm->path[i], out->why, sizeof(out->why));
			return;
		}
	}
	rc = read_attr(p, dir, "device/state", st, sizeof(st));
	if (rc == 0) {
		out->src = MPATH_SRC_SCSI;
		out->why[0] = '\0';
		snprintf(out->state, sizeof(out->state), "%s", st);
		out->role = mpath_scsi_role(st, out->why, sizeof(out->why));
		return;
	}
	out->role = REDMON_ROLE_UNKNOWN;
	if (out->src != MPATH_SRC_CHECKER) /* else the checker's undecided words stand */
		snprintf(out->why, sizeof(out->why), "no source knows this path (device/state: %s)",
			 strerror(-rc));
}

/* The paths of map dm-N into *ret (owned), sorted by name. */
static int map_paths(struct mpath_probe *p, const char *dmdev, const struct sources *s,
		     const struct mpath_dm_map *dm, struct mpath_path **ret, size_t *n)
{
	struct names l = { .max = MPATH_MAX_PATHS, .prefix = "" };
	char dir[MPATH_NAME + 32];
	int rc;

	snprintf(dir, sizeof(dir), "sys/block/%s/slaves", dmdev);
	rc = sysfs_list_dir(p->ops->root_fd(p->h), dir, &p->slaves, add_name, &l);
	if (rc == -ENOENT)
		rc = 0;
	*ret = rc == 0 ? calloc(l.n ? l.n : 1, sizeof(**ret)) : NULL;
	if (rc == 0 && !*ret)
		rc = -ENOMEM;
	if (rc == 0) {
		if (l.n > 1) /* qsort() wants an array, and there is none before the first map */
			qsort(l.v, l.n, sizeof(*l.v), cmp_name);
		for (size_t i = 0; i < l.n; i++) {
			snprintf((*ret)[i].dev, MPATH_NAME, "%s", l.v[i]);
			judge_path(p, s, dm, &(*ret)[i]);
		}
		*n = l.n;
	}
	free(l.v);
	return rc;
}

/* Why the better sources were not used, for a map where a path fell back. */
static void add_source_notes(const struct sources *s, const struct mpath_path *paths, size_t n,
			     char *reason, size_t len)
{
	bool fell_back = false;
	size_t off = strlen(reason);

	for (size_t i = 0; i < n; i++)
		fell_back = fell_back || paths[i].src != MPATH_SRC_CHECKER;
	if (!fell_back || off >= len)
		return;
	snprintf(reason + off, len - off, "%s%s%s%s", off ? "; " : "",
		 s->md_ok ? "multipathd: a path unlisted or undecided" : s->md_err,
		 s->dm_ok ? "" : "; ", s->dm_ok ? "" : s->dm_err);
}

static int report_map(struct mpath_probe *p, const char *dmdev, const struct sources *s)
{
	char dir[MPATH_NAME + 16], uuid[MPATH_NAME], name[MPATH_NAME], reason[1024];
	struct mpath_path *paths = NULL;
	struct redmon_member *mem = NULL;
	struct redmon_group g;
	size_t n = 0;
	int rc;

	snprintf(dir, sizeof(dir), "sys/block/%s/dm", dmdev);
	if (read_attr(p, dir, "uuid", uuid, sizeof(uuid)) < 0 || strncmp(uuid, "mpath-", 6) != 0)
		return 0; /* not a multipath map (or gone since the listing) */
	if (read_attr(p, dir, "name", name, sizeof(name)) < 0 || !name[0])
		snprintf(name, sizeof(name), "%s", dmdev);
	rc = map_paths(p, dmdev, s, s->dm_ok ? mpath_dm_find(&s->dm, name) : NULL, &paths, &n);
	mem = rc == 0 ? calloc(n ? n : 1, sizeof(*mem)) : NULL;
	if (rc == 0 && !mem)
		rc = -ENOMEM;
	if (rc == 0) {
		mpath_map_eval(name, paths, n, &g, mem, reason, sizeof(reason));
		add_source_notes(s, paths, n, reason, sizeof(reason));
		g.reason = reason[0] ? reason : NULL;
		mpath_map_spof(p->ops->root_fd(p->h), paths, n, &p->spof);
		g.spof = p->spof.ptr;
		g.n_spof = p->spof.n;
		rc = p->ops->report(p->h, &g);
	}
	free(mem);
	free(paths);
	return rc;
}

static int report_all(struct mpath_probe *p, const struct sources *s)
{
	struct names l = { .max = MPATH_MAX_MAPS, .prefix = "dm-" };
	int rc = sysfs_list_dir(p->ops->root_fd(p->h), "sys/block", &p->list, add_name, &l);

	if (rc == -ENOENT)
		rc = 0; /* no sys/block in a captured tree: no map */
	if (rc < 0)
		p->ops->scan_error(p->h, "sys/block: %s", strerror(-rc));
	if (l.n > 1) /* qsort() wants an array, and there is none before the first map */
		qsort(l.v, l.n, sizeof(*l.v), cmp_name);
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		rc = report_map(p, l.v[i], s);
		if (rc < 0)
			p->ops->scan_error(p->h, "%s: %s", l.v[i], strerror(-rc));
	}
	free(l.v);
	return rc;
}

/* --- the probe --------------------------------------------------------------- */

static void mpath_fini(void *inst)
{
	struct mpath_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w);
	sources_free(&p->src);
	strbuf_free(&p->list);
	strbuf_free(&p->slaves);
	strbuf_free(&p->attr);
	free(p);
}

/* Find a tool and register its argv; -1 when it is not there (logged once). */
static int setup_tool(struct mpath_probe *p, const char *tool, const char *key,
		      const char *const args[])
{
	const char *conf = p->ops->option(p->h, key), *argv[8];
	char path[PATH_MAX];
	int rc = child_find_tool(tool, conf, path, sizeof(path)), id;

	if (rc < 0) {
		p->ops->log(p->h, conf && *conf ? REDMON_LOG_WARNING : REDMON_LOG_INFO, "%s %s: %s",
			    tool, conf && *conf ? conf : "on PATH", strerror(-rc));
		return -1;
	}
	if (!REDMON_HOST_HAS(p->ops, register_command))
		return -1;
	argv[0] = path;
	for (size_t i = 0; args[i] && i < 6; i++) {
		argv[i + 1] = args[i];
		argv[i + 2] = NULL;
	}
	id = p->ops->register_command(p->h, argv, (uint32_t)p->timeout_ms, OUT_MAX);
	return id < 0 ? -1 : id;
}

static int mpath_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	static const char *const md_args[] = { "show", "paths", NULL };
	static const char *const dm_args[] = { "status", "--target", "multipath", NULL };
	struct mpath_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	*p = (struct mpath_probe){ .ops = ops, .h = h, .md_id = -1, .dm_id = -1 };
	if (strv_to_duration_ms(strv_c(ops->option(h, "interval")), &p->interval_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "timeout")), &p->timeout_ms) < 0) {
		mpath_fini(p);
		return -EINVAL;
	}
	p->live = ops->root_is_live(h);
	if (p->live) {
		p->md_id = setup_tool(p, "multipathd", "multipathd_path", md_args);
		p->dm_id = setup_tool(p, "dmsetup", "dmsetup_path", dm_args);
		rc = periodic_start(ops, h, p->interval_ms, run_tools, p, &p->w);
		if (rc < 0) {
			ops->log(h, REDMON_LOG_ERR, "cannot start the worker: %s", strerror(-rc));
			mpath_fini(p);
			return rc;
		}
	}
	*ret = p;
	return 0;
}

static int mpath_scan(void *inst)
{
	struct mpath_probe *p = inst;
	struct sources s = { 0 };
	int rc = 0;

	if (p->live) {
		periodic_oneshot(p->w);
		if (periodic_lock(p->w) > 0)
			rc = report_all(p, &p->src);
		periodic_unlock(p->w);
		return rc;
	}
	read_captures(p, &s);
	rc = report_all(p, &s);
	sources_free(&s);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "multipath",
	.description = "dm-multipath maps: paths from sysfs, their state from multipathd, "
		       "the multipath target's status, or the SCSI device state",
	.options = mpath_options,
	.init = mpath_init,
	.fini = mpath_fini,
	.scan = mpath_scan,
	.on_fd = periodic_on_fd,
};
