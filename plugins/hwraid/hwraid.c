// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hwraid probe: the logical drives of hardware RAID controllers, read
 * through their vendor tools, one driver per tool family (hwraid.h).
 *
 * The tools are slow (seconds, and some lock the controller while they run),
 * so in the daemon scan() never runs one: a worker (plugins/lib/periodic.h)
 * runs each driver's registered commands, one at a time, every `interval`,
 * each bounded by `timeout` (the core's runner or privileged helper kills it
 * there), parses them and publishes the result, which wakes the core:
 * on_fd() asks for a rescan, and scan() reports the last result (nothing
 * before the first).  The worker calls no host op but
 * run_command(), which the core serves from any thread (src/privhelper.c
 * serialises the helper's socket).
 *
 * In one-shot commands (events_wanted() false: status, check) scan() runs
 * the tools itself, so the answer waits for the first run, up to the
 * timeout.  Under --root nothing runs: scan() reads the captures at the top
 * of the root whose names start with a driver's prefix (docs/hwraid.md).
 *
 * A tool found nowhere is no error: no group, logged once.  One that times
 * out, exits non-zero or prints what its driver cannot parse fails the scan
 * (the core turns the groups unknown, with the reason).
 *
 * A driver whose tool reads one controller per command (arcconf, tw_cli,
 * sas2ircu) lists the controllers once, at init (still root, before the
 * privileged helper's list is sealed), and registers its commands per
 * controller: a controller that appears later is read after a restart
 * (docs/hwraid.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hwraid.h"
#include "../lib/child.h"
#include "../lib/periodic.h"
#include "../lib/rootfs.h"
#include "../lib/strbuf.h"
#include "redmon/plugin.h"

#define OUT_MAX	     (16u << 20) /* a tool's output, a capture file */
#define MAX_CAPTURES 64
#define ERR_LEN	     512

static const struct hwraid_driver *const drivers[] = {
	&hwraid_megaraid,  &hwraid_smartarray, &hwraid_arcconf, &hwraid_megacli,
	&hwraid_mptstatus, &hwraid_dmraid,     &hwraid_twcli,	&hwraid_sas2ircu,
};
#define N_DRIVERS (sizeof(drivers) / sizeof(drivers[0]))
#define MAX_CMDS  4
#define MAX_RUNS  (MAX_CMDS * HWRAID_MAX_CTL) /* a per-controller driver's */
#define TOOL_LEN  64			      /* the tool's name in an output's name */
#define ARGS_LEN  96

/* A registered command: its id, which of the driver's commands, its words for reasons. */
struct run {
	int id;
	int host;	     /* the kernel's number for its controller, -1 when not known */
	size_t cmd;	     /* index in the driver's commands: 0 is a main one */
	char args[ARGS_LEN]; /* " GETCONFIG 2 AL", cut at ARGS_LEN - 1 bytes */
	/* the output's name: the tool's, or its command ("arcconf GETCONFIG 2 AL") */
	char name[TOOL_LEN + ARGS_LEN];
};

struct drv {
	const struct hwraid_driver *d;
	char path[PATH_MAX];
	struct run run[MAX_RUNS];
	size_t n_run;
	bool on; /* tool found and its commands registered */
};

struct hwraid_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	uint64_t interval_ms, timeout_ms;
	bool live; /* root is "/": run the tools */
	struct drv drv[N_DRIVERS];

	struct periodic *w; /* live: runs the tools (on a thread of its own in the daemon) */
	/* published by the worker, under periodic_lock() */
	int rc;
	char err[ERR_LEN];
	struct hwraid_result res;
};

static const struct redmon_option_spec hwraid_options[] = {
	{ .key = "interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "5m",
	  .min = 500,
	  .max = 86400000,
	  .help = "daemon: how often the tools run (they are slow; some lock the controller)" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 100,
	  .max = REDMON_CMD_TIMEOUT_MS_MAX,
	  .help = "a tool still running after this is killed and the probe fails" },
	/* <driver>_path: the tool by absolute path; default: the first of its tools on PATH */
	{ .key = "megaraid_path",
	  .type = REDMON_OPT_STRING,
	  .help = "MegaRAID/PERC tool (storcli64, storcli, perccli64, perccli, storcli2, "
		  "perccli2)" },
	{ .key = "smartarray_path",
	  .type = REDMON_OPT_STRING,
	  .help = "HPE Smart Array tool (ssacli, hpssacli, hpacucli)" },
	{ .key = "arcconf_path", .type = REDMON_OPT_STRING, .help = "Adaptec/Microchip arcconf" },
	{ .key = "megacli_path",
	  .type = REDMON_OPT_STRING,
	  .help = "MegaCli (MegaCli64, MegaCli, megacli), run only without a MegaRAID tool" },
	{ .key = "mptstatus_path", .type = REDMON_OPT_STRING, .help = "mpt-status" },
	{ .key = "dmraid_path", .type = REDMON_OPT_STRING, .help = "dmraid" },
	{ .key = "twcli_path", .type = REDMON_OPT_STRING, .help = "3ware tw_cli" },
	{ .key = "sas2ircu_path", .type = REDMON_OPT_STRING, .help = "LSI SAS2 IR sas2ircu" },
	{ .key = NULL },
};

/* --- running the tools ---------------------------------------------------------- */

static const char *tool_name(const struct drv *v)
{
	const char *slash = strrchr(v->path, '/');

	return slash ? slash + 1 : v->path;
}

/*
 * A failed command's reason: its words and the runner's or the tool's error
 * text, cut at 300 bytes, so that it fits whole in ERR_LEN.
 */
#define CMD_ERR_LEN 300
_Static_assert(ERR_LEN > TOOL_LEN + ARGS_LEN + CMD_ERR_LEN + 48, "a failure's reason fits");

/* One command: its output into *out (owned), or -errno with why in err. */
static int run_one(struct hwraid_probe *p, struct drv *v, const struct run *u, char **out,
		   size_t *len, char *err, size_t errlen)
{
	const char *tool = tool_name(v), *cmd = u->args;
	const int t = TOOL_LEN - 1, e = CMD_ERR_LEN;
	struct redmon_cmd_result r;
	int rc;

	rc = p->ops->run_command(p->h, u->id, &r);
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%.*s%s: no answer within %llu ms", t, tool, cmd,
			 (unsigned long long)p->timeout_ms);
	else if (rc < 0)
		snprintf(err, errlen, "%.*s%s: %.*s", t, tool, cmd, e, r.err);
	else if (r.exit_status != 0)
		snprintf(err, errlen, "%.*s%s: %s %d%s%.*s", t, tool, cmd,
			 r.term_signal ? "killed by signal" : "exit status",
			 r.term_signal ? r.term_signal : r.exit_status, r.err[0] ? ": " : "", e,
			 r.err);
	*out = r.out;
	*len = r.out ? r.out_len : 0;
	r.out = NULL;
	child_result_free(&r);
	for (char *c = err; *c; c++)
		*c = (*c == '\n' || *c == '\r') ? ' ' : *c;
	if (rc < 0 && *out) {
		free(*out);
		*out = NULL;
	}
	return rc < 0 ? rc : r.exit_status != 0 ? -EPROTO : 0;
}

/*
 * Every command of a driver, then its parser.  A command that hangs fails
 * the run; one that exits non-zero too, except the main one when its output
 * still says there is no controller, and the others (a per-VD query on a
 * controller without VDs fails), whose output is then left out.
 */
static int run_driver(struct hwraid_probe *p, struct drv *v, struct hwraid_result *res, char *err,
		      size_t errlen)
{
	struct hwraid_output o[MAX_RUNS] = { 0 };
	char *bufs[MAX_RUNS] = { 0 }, why[ERR_LEN] = "", main_why[ERR_LEN] = "";
	size_t n = 0;
	int rc = 0, main_rc = 0;

	for (size_t i = 0; i < v->n_run; i++) {
		bool is_main = v->run[i].cmd == 0;
		size_t len = 0;
		int r = run_one(p, v, &v->run[i], &bufs[i], &len, is_main ? why : err,
				is_main ? sizeof(why) : errlen);

		if (r == -ETIMEDOUT || r == -EFBIG || (is_main && r < 0 && r != -EPROTO)) {
			rc = r;
			if (is_main)
				snprintf(err, errlen, "%s", why);
			break;
		}
		if (is_main && r < 0 && main_rc == 0) {
			main_rc = r; /* the first main command that failed says why */
			snprintf(main_why, sizeof(main_why), "%s", why);
		}
		if ((r < 0 && !is_main) || !bufs[i])
			continue;
		o[n++] = (struct hwraid_output){ .name = v->run[i].name,
						 .buf = bufs[i],
						 .len = len,
						 .main = is_main,
						 .host_known = v->run[i].host >= 0,
						 .host = v->run[i].host };
	}
	if (rc == 0) {
		bool none_before = res->none; /* another driver's: not this tool's answer */

		res->none = false;
		rc = v->d->parse(o, n, res, err, errlen);
		if (rc == 0 && main_rc < 0 && !res->none) {
			snprintf(err, errlen, "%s", main_why);
			rc = main_rc;
		}
		res->none = res->none || none_before;
	}
	for (size_t i = 0; i < MAX_RUNS; i++)
		free(bufs[i]);
	return rc;
}

/* --- captures under --root ------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_prefix(const struct hwraid_driver *d, const char *name)
{
	for (size_t i = 0; d->prefixes[i]; i++) {
		if (strncmp(name, d->prefixes[i], strlen(d->prefixes[i])) == 0)
			return true;
	}
	return false;
}

/* The names at the top of the root starting with one of d's prefixes, sorted. */
static int capture_names(struct hwraid_probe *p, const struct hwraid_driver *d, char **names,
			 size_t *n)
{
	int fd = rootfs_open(p->ops->root_fd(p->h), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
		if (!has_prefix(d, e->d_name) || !strv_is_graph(strv_c(e->d_name)))
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

static int read_captures(struct hwraid_probe *p, const struct hwraid_driver *d,
			 struct hwraid_result *res, char *err, size_t errlen)
{
	char *names[MAX_CAPTURES];
	struct strbuf b[MAX_CAPTURES] = { 0 };
	struct hwraid_output o[MAX_CAPTURES];
	size_t n = 0, k = 0;
	int rc = capture_names(p, d, names, &n);

	for (size_t i = 0; i < n && rc == 0; i++) {
		int fd = rootfs_open_regular(p->ops->root_fd(p->h), names[i]);
		bool cut = false;

		if (fd < 0)
			continue; /* a directory or a FIFO of that name: not a capture */
		rc = strbuf_read_fd(&b[k], fd, OUT_MAX, STRBUF_TO_EOF, &cut);
		close(fd);
		if (rc == 0 && cut)
			rc = -EFBIG;
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", names[i], strerror(-rc));
		o[k] = (struct hwraid_output){
			.name = names[i], .buf = strbuf_str(&b[k]), .len = b[k].len, .main = true
		};
		k++;
	}
	if (rc == 0 && k)
		rc = d->parse(o, k, res, err, errlen);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		strbuf_free(&b[i]);
	}
	return rc;
}

/* The worker's job: every driver's tools, the result published. */
static void run_tools(void *arg, struct periodic *w)
{
	struct hwraid_probe *p = arg;
	struct hwraid_result res = { 0 };
	char err[ERR_LEN] = "";
	int rc = 0;

	for (size_t i = 0; i < N_DRIVERS && rc == 0; i++)
		rc = p->drv[i].on ? run_driver(p, &p->drv[i], &res, err, sizeof(err)) : 0;
	periodic_lock(w);
	hwraid_result_free(&p->res);
	p->res = res;
	p->rc = rc;
	snprintf(p->err, sizeof(p->err), "%s", err);
	periodic_publish(w, true);
	periodic_unlock(w);
}

/* --- the probe --------------------------------------------------------------------- */

static void hwraid_fini(void *inst)
{
	struct hwraid_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w); /* a tool running ends within its timeout */
	hwraid_result_free(&p->res);
	free(p);
}

/*
 * Register command c of v for controller ctl (-1: a command without
 * HWRAID_CTL), the number in place of HWRAID_CTL: 0, or -errno (the core
 * said why, or the command does not fit).
 */
static int register_one(struct hwraid_probe *p, struct drv *v, size_t c, int ctl, int host)
{
	struct hwraid_argv a;
	struct run *u = &v->run[v->n_run];
	int rc;

	if (v->n_run >= MAX_RUNS)
		return -ENOSPC;
	rc = hwraid_argv_make(&a, v->path, v->d->commands[c], ctl);
	if (rc < 0)
		return rc;
	*u = (struct run){ .cmd = c, .host = host };
	for (size_t w = 1; a.argv[w]; w++) {
		size_t k = strlen(u->args);

		snprintf(u->args + k, sizeof(u->args) - k, " %s", a.argv[w]);
	}
	/* the tool's name cut at TOOL_LEN - 1 bytes: u->name holds it and the whole of u->args */
	snprintf(u->name, sizeof(u->name), "%.*s%s", TOOL_LEN - 1, tool_name(v),
		 v->d->list_command ? u->args : "");
	u->id = p->ops->register_command(p->h, a.argv, (uint32_t)p->timeout_ms, OUT_MAX);
	if (u->id < 0)
		return u->id;
	v->n_run++;
	return 0;
}

/*
 * The controllers a per-controller driver reads, into ctl (room for
 * HWRAID_MAX_CTL + 1): the first HWRAID_MAX_CTL its list command names, else
 * the driver's first_ctl (the list cannot be had, or it names none and no
 * command of the driver runs once to say so at each run).  One more is asked
 * for only to know whether some are left out: the parser names those in the
 * reasons.  Root runs the list command itself (the privileged helper runs
 * nothing before its list is sealed); after a reload, without root, the
 * helper runs it.
 */
static size_t list_controllers(struct hwraid_probe *p, struct drv *v, bool has_once, int *ctl,
			       bool *ret_listed)
{
	const char *argv[HWRAID_MAX_ARGS + 1] = { v->path };
	struct redmon_cmd_result r = { 0 };
	int id, n = -EINVAL, rc;

	for (size_t a = 0; a + 1 < HWRAID_MAX_ARGS && v->d->list_command[a]; a++)
		argv[a + 1] = v->d->list_command[a];
	id = p->ops->register_command(p->h, argv, (uint32_t)p->timeout_ms, OUT_MAX);
	if (id < 0)
		rc = id;
	else if (geteuid() == 0)
		rc = child_run(argv, (uint32_t)p->timeout_ms, OUT_MAX, &r);
	else
		rc = p->ops->run_command(p->h, id, &r);
	if (rc == 0 && r.out)
		n = v->d->controllers(r.out, r.out_len, ctl, HWRAID_MAX_CTL + 1);
	child_result_free(&r);
	*ret_listed = n > 0;
	if (n < 0)
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "%s: no controller list (%s): reading controller %d only", v->d->what,
			    rc < 0 ? strerror(-rc) : "not understood", v->d->first_ctl);
	else if (n > HWRAID_MAX_CTL)
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "%s: more than %d controllers: reading the first %d only (the "
			    "reasons of their logical drives name the others)",
			    v->d->what, HWRAID_MAX_CTL, HWRAID_MAX_CTL);
	n = n > HWRAID_MAX_CTL ? HWRAID_MAX_CTL : n;
	if (n < 0 || (n == 0 && !has_once)) {
		ctl[0] = v->d->first_ctl;
		n = 1;
	}
	return (size_t)n;
}

/*
 * Every command of v: those without HWRAID_CTL once, then, for a
 * per-controller driver, the others per controller.  A controller whose
 * commands cannot be registered (the list is sealed after a reload: a new
 * controller needs a restart) is left out, logged by the core.
 */
static int register_runs(struct hwraid_probe *p, struct drv *v)
{
	int ctl[HWRAID_MAX_CTL + 1], host = -1, rc = 0;
	size_t n_cmd = v->d->n_commands < MAX_CMDS ? v->d->n_commands : MAX_CMDS, n_ctl;
	bool listed = false;

	if (v->d->bus_driver)
		host = hwraid_only_host_no(p->ops->root_fd(p->h), v->d->bus_driver);
	for (size_t c = 0; c < n_cmd && rc == 0; c++) {
		if (!v->d->list_command || !hwraid_command_per_ctl(v->d->commands[c]))
			rc = register_one(p, v, c, -1, host);
	}
	host = -1;
	if (rc < 0 || !v->d->list_command)
		return rc;
	n_ctl = list_controllers(p, v, v->n_run > 0, ctl, &listed);
	if (listed && n_ctl == 1 && v->d->scsi_driver)
		host = hwraid_only_host(p->ops->root_fd(p->h), v->d->scsi_driver);
	for (size_t k = 0; k < n_ctl; k++) {
		size_t first = v->n_run;

		for (size_t c = 0; c < n_cmd && rc == 0; c++) {
			if (hwraid_command_per_ctl(v->d->commands[c]))
				rc = register_one(p, v, c, ctl[k], host);
		}
		if (rc < 0)
			v->n_run = first; /* all of a controller's commands, or none */
		rc = 0;
	}
	return v->n_run ? 0 : -ENOENT;
}

/* Find a driver's tool and register its commands; a tool found nowhere is logged, once. */
static void setup_driver(struct hwraid_probe *p, struct drv *v)
{
	char key[64];
	const char *conf;
	int rc = -ENOENT;

	for (const struct drv *o = p->drv; v->d->superseded_by && o < v; o++) {
		if (o->on && strcmp(o->d->name, v->d->superseded_by) == 0) {
			p->ops->log(p->h, REDMON_LOG_INFO,
				    "%s not run: %s reads the same controllers", v->d->what,
				    o->d->what);
			return;
		}
	}
	snprintf(key, sizeof(key), "%s_path", v->d->name);
	conf = p->ops->option(p->h, key);
	for (size_t i = 0; v->d->tools[i] && rc < 0; i++)
		rc = child_find_tool(v->d->tools[i], conf, v->path, sizeof(v->path));
	if (rc < 0) {
		if (conf && *conf)
			p->ops->log(p->h, REDMON_LOG_WARNING, "%s = %s: %s", key, conf,
				    strerror(-rc));
		else
			p->ops->log(p->h, REDMON_LOG_INFO,
				    "no %s tool (%s%s) on PATH: no %s controller is read",
				    v->d->what, v->d->tools[0], v->d->tools[1] ? ", ..." : "",
				    v->d->what);
		return;
	}
	if (!REDMON_HOST_HAS(p->ops, register_command)) {
		p->ops->log(p->h, REDMON_LOG_WARNING, "this redmon cannot run tools: %s not read",
			    v->d->what);
		return;
	}
	if (register_runs(p, v) < 0)
		return;
	v->on = true;
	p->ops->log(p->h, REDMON_LOG_INFO, "%s through %s", v->d->what, v->path);
}

static int hwraid_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct hwraid_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	if (strv_to_duration_ms(strv_c(ops->option(h, "interval")), &p->interval_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "timeout")), &p->timeout_ms) < 0) {
		hwraid_fini(p);
		return -EINVAL;
	}
	p->live = ops->root_is_live(h);
	for (size_t i = 0; i < N_DRIVERS; i++) {
		p->drv[i].d = drivers[i];
		if (p->live)
			setup_driver(p, &p->drv[i]);
	}
	if (p->live) {
		rc = periodic_start(ops, h, p->interval_ms, run_tools, p, &p->w);
		if (rc < 0) {
			ops->log(h, REDMON_LOG_ERR, "cannot start the worker: %s", strerror(-rc));
			hwraid_fini(p);
			return rc;
		}
	}
	*ret = p;
	return 0;
}

static int report(struct hwraid_probe *p, const struct hwraid_result *res)
{
	for (size_t i = 0; i < res->n_ld; i++) {
		const struct hwraid_ld *ld = &res->ld[i];
		struct redmon_member *mem = calloc(ld->n_pd ? ld->n_pd : 1, sizeof(*mem));
		char reason[HWRAID_REASON + 128];
		struct redmon_group g;
		int rc;

		if (!mem)
			return -ENOMEM;
		hwraid_ld_eval(ld, &g, mem, reason, sizeof(reason));
		rc = p->ops->report(p->h, &g);
		free(mem);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int finish(struct hwraid_probe *p, int rc, const char *err, const struct hwraid_result *res)
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

static int hwraid_scan(void *inst)
{
	struct hwraid_probe *p = inst;
	struct hwraid_result res = { 0 };
	char err[ERR_LEN] = "";
	int rc = 0;

	if (p->live) {
		periodic_oneshot(p->w);
		if (periodic_lock(p->w) > 0)
			rc = finish(p, p->rc, p->err, &p->res);
		periodic_unlock(p->w);
		return rc;
	}
	for (size_t i = 0; i < N_DRIVERS && rc == 0; i++)
		rc = read_captures(p, drivers[i], &res, err, sizeof(err));
	rc = finish(p, rc, err, &res);
	hwraid_result_free(&res);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "hwraid",
	.description = "hardware RAID logical drives through the vendor tools (storcli, perccli, "
		       "ssacli, arcconf, MegaCli, mpt-status, dmraid, tw_cli, sas2ircu)",
	.options = hwraid_options,
	.init = hwraid_init,
	.fini = hwraid_fini,
	.scan = hwraid_scan,
	.on_fd = periodic_on_fd,
};
