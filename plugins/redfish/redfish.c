// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The redfish probe: power supplies, fans and controller volumes as a BMC's
 * Redfish service describes them (docs/redfish.md).  The walk
 * (redfish_walk.c) reads the resources through a struct redfish_source: the
 * files of a DMTF-style mockup tree under --root (redfish_files.c), or the
 * BMC over HTTPS (the `url` options).
 *
 * A BMC is slow (a walk is tens of requests, some take seconds), so the walk
 * runs on a worker (plugins/lib/periodic.h) every `interval`; scan() never
 * waits for it and reports the last result (nothing before the first), or
 * fails with the walk's reason when the service root could not be had, or
 * while a walk has run far too long (the core then turns the groups unknown
 * and raises probe_failed).  In one-shot commands (status, check) scan()
 * runs the walk itself.
 *
 * With neither a mockup tree under the root nor a url there is nothing to
 * read: no group, and no error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redfish_files.h"
#include "redfish_http.h"
#include "redfish_walk.h"
#include "../lib/periodic.h"
#include "../lib/psu_probe.h"
#include "../lib/strbuf.h"
#include "redmon/plugin.h"

#define PASSWORD_MAX 256 /* Redfish sets no limit; BMCs take 20 to 127 bytes */

struct redfish_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	uint64_t interval_ms, timeout_ms;
	struct redfish_source *src; /* NULL: nothing to read */
	struct redfish_files files;
	struct redfish_http *http; /* the live source, with url */
	/* Why the url cannot be read at all (libcurl missing): every scan fails with it. */
	char unreadable[REDFISH_WHY];
	char password[PASSWORD_MAX]; /* from password_file, until the client has its copy */

	struct periodic *w;
	struct redfish_walk *walk; /* the worker's: memory across walks */
	/* published by the worker, under periodic_lock() */
	int rc;
	char err[REDFISH_WHY];
	struct redfish_result res;
};

static const struct redmon_option_spec redfish_options[] = {
	{ .key = "url",
	  .type = REDMON_OPT_STRING,
	  .help = "the BMC's Redfish service, https://host[:port]; unset: no BMC is read" },
	{ .key = "username", .type = REDMON_OPT_STRING, .help = "the BMC account to log in as" },
	{ .key = "password_file",
	  .type = REDMON_OPT_SECRET_FILE,
	  .help = "a file holding the account's password (mode 0600, root's or redmon's)" },
	{ .key = "ca_file",
	  .type = REDMON_OPT_STRING,
	  .help = "PEM file of the CA that signed the BMC's certificate; unset: the system's" },
	{ .key = "tls_verify",
	  .type = REDMON_OPT_BOOL,
	  .default_value = "yes",
	  .help = "check the BMC's certificate and name (no: anyone on the path can answer)" },
	{ .key = "proxy",
	  .type = REDMON_OPT_STRING,
	  .help = "an HTTP(S) proxy to reach the BMC through; the environment's are never used" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 100,
	  .max = 600000,
	  .help = "one request, connection included; a BMC slower than this fails the walk" },
	{ .key = "interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "60s",
	  .min = 1000,
	  .max = 86400000,
	  .help = "how often the BMC is walked (BMCs are slow: a walk is tens of requests)" },
	{ .key = NULL },
};

/* --- the worker ------------------------------------------------------------------------ */

/* One walk, its result published (the worker's job; in one-shot commands, scan()'s). */
static void run_walk(void *arg, struct periodic *w)
{
	struct redfish_probe *p = arg;
	struct redfish_result res;
	char err[REDFISH_WHY] = "";
	int rc = redfish_walk_run(p->walk, p->src, &res, err, sizeof(err));

	periodic_lock(w);
	redfish_result_free(&p->res);
	p->res = res;
	p->rc = rc;
	snprintf(p->err, sizeof(p->err), "%s", err);
	periodic_publish(w, true);
	periodic_unlock(w);
}

/* --- options ------------------------------------------------------------------------- */

/* A REDMON_OPT_BOOL as the core accepts it: yes/no/true/false/on/off/1/0. */
static bool option_true(struct redfish_probe *p, const char *key)
{
	const char *v = psu_option(p->ops, p->h, key);

	return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1");
}

/* What an operator should know of a live setup that is not safe. */
static void warn_insecure(struct redfish_probe *p, const struct redfish_http_options *o)
{
	if (strncmp(o->url, "http://", 7) == 0)
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "url = %s is plain HTTP: the password and the session token cross the "
			    "network in clear",
			    redfish_http_url(p->http));
	else if (!o->tls_verify)
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "tls_verify = no: anyone on the path to %s can answer for the BMC and "
			    "read the password",
			    redfish_http_url(p->http));
}

/*
 * The live path: the url's BMC through the HTTPS source (redfish_http.c).
 * Nothing is requested here: the worker's first walk logs in.
 */
static int setup_live(struct redfish_probe *p)
{
	const char *pwfile = psu_option(p->ops, p->h, "password_file");
	const char *ca = psu_option(p->ops, p->h, "ca_file");
	struct redfish_http_options o = {
		.url = psu_option(p->ops, p->h, "url"),
		.username = psu_option(p->ops, p->h, "username"),
		.password = p->password,
		.ca_file = ca[0] ? ca : NULL,
		.proxy = psu_option(p->ops, p->h, "proxy"),
		.tls_verify = option_true(p, "tls_verify"),
		.timeout_ms = (unsigned long)p->timeout_ms,
	};
	char why[REDFISH_WHY];
	int rc;

	if (!o.url[0])
		return 0;
	if (!o.username[0] || !pwfile[0]) {
		p->ops->log(p->h, REDMON_LOG_ERR, "url = %s needs username and password_file",
			    o.url);
		return -EINVAL;
	}
	rc = psu_read_password(p->ops, p->h, pwfile, NULL, p->password,
			       sizeof(p->password)); /* logs why it cannot */
	if (rc < 0)
		return rc;
	rc = redfish_http_new(&o, &p->http, why, sizeof(why));
	explicit_bzero(p->password, sizeof(p->password)); /* the client holds its copy */
	if (rc == -ELIBACC) {
		/* Not a bad config: every scan fails with this reason (no log here: one says it). */
		snprintf(p->unreadable, sizeof(p->unreadable), "%s", why);
		return 0;
	}
	if (rc < 0) {
		p->ops->log(p->h, REDMON_LOG_ERR, "%s", why);
		return rc;
	}
	warn_insecure(p, &o);
	p->src = redfish_http_source(p->http);
	return 0;
}

/* --- the probe ---------------------------------------------------------------------- */

static void redfish_fini(void *inst)
{
	struct redfish_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w);	    /* a walk in progress ends within its requests' timeouts */
	redfish_http_free(p->http); /* deletes the session: one request, within the timeout */
	redfish_result_free(&p->res);
	redfish_walk_free(p->walk);
	explicit_bzero(p->password, sizeof(p->password));
	free(p);
}

static int redfish_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct redfish_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	if (strv_to_duration_ms(strv_c(ops->option(h, "interval")), &p->interval_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "timeout")), &p->timeout_ms) < 0) {
		redfish_fini(p);
		return -EINVAL;
	}
	/*
	 * A mockup tree under --root is read for what it is (the golden tests);
	 * else a url is the BMC, whatever the root (a test's md tree beside it).
	 * The root fd is the core's and stays open: the worker calls no host op.
	 */
	if (!ops->root_is_live(h) && redfish_files_present(ops->root_fd(h))) {
		redfish_files_init(&p->files, ops->root_fd(h));
		p->src = &p->files.src;
	} else if ((rc = setup_live(p)) < 0) {
		redfish_fini(p);
		return rc;
	}
	if (p->src) {
		p->walk = redfish_walk_new();
		rc = p->walk ? periodic_start(ops, h, p->interval_ms, run_walk, p, &p->w) : -ENOMEM;
		if (rc < 0) {
			ops->log(h, REDMON_LOG_ERR, "cannot start the worker: %s", strerror(-rc));
			redfish_fini(p);
			return rc;
		}
	}
	*ret = p;
	return 0;
}

static int report(struct redfish_probe *p)
{
	if (p->rc < 0) {
		p->ops->scan_error(p->h, "%s", p->err[0] ? p->err : strerror(-p->rc));
		return p->rc;
	}
	for (size_t i = 0; i < p->res.n; i++) {
		int rc = p->ops->report(p->h, &p->res.v[i].g);

		if (rc < 0) {
			p->ops->scan_error(p->h, "cannot report %s: %s", p->res.v[i].g.name,
					   strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/*
 * How long a walk may run before the last result stops being reported: each
 * request has its timeout, but a BMC answering every one just in time could
 * make a walk of a thousand resources last hours.  Generous (a walk of a big
 * server on a slow BMC takes minutes): twice the interval, at least 10 min.
 */
static uint64_t walk_limit_ms(const struct redfish_probe *p)
{
	return p->interval_ms * 2 > 600000 ? p->interval_ms * 2 : 600000;
}

static int redfish_scan(void *inst)
{
	struct redfish_probe *p = inst;
	uint64_t gen, running;
	int rc = 0;

	if (p->unreadable[0]) {
		p->ops->scan_error(p->h, "%s", p->unreadable);
		return -ELIBACC;
	}
	if (!p->src)
		return 0;
	periodic_oneshot(p->w);
	gen = periodic_lock(p->w);
	running = periodic_running_ms(p->w);
	if (running > walk_limit_ms(p)) {
		p->ops->scan_error(p->h, "a walk of the Redfish service has run for %llu s",
				   (unsigned long long)(running / 1000));
		rc = -ETIMEDOUT;
	} else if (gen > 0) {
		rc = report(p);
	}
	periodic_unlock(p->w);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "redfish",
	.description = "power supplies, fans and controller volumes through a BMC's Redfish "
		       "service",
	.options = redfish_options,
	.init = redfish_init,
	.fini = redfish_fini,
	.scan = redfish_scan,
	.on_fd = periodic_on_fd,
};
