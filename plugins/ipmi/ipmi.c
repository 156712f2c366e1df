// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ipmi probe: power supply and fan redundancy through the BMC
 * (libfreeipmi): one PSU group (ipmi_psu.h) and one fan group (ipmi_fan.h)
 * from the same poll.
 *
 * IPMI calls can take seconds (a BMC that is busy, rebooting or gone), and
 * scan() must never block the core's loop.  So in the daemon a worker
 * (plugins/lib/periodic.h) owns the BMC session and polls every
 * poll_interval; it publishes a result only when it differs from the last
 * one, which wakes the core: on_fd() asks for a rescan and scan() reports
 * the result.  Before each poll the worker arms a timerfd for
 * `timeout`; if the poll is still running when it fires, scan() reports the
 * BMC as not answering (the core turns the group unknown and emits
 * probe_failed) while the worker keeps waiting for the library to give up.
 * The worker never calls the host ops: they are not thread-safe.
 *
 * In one-shot commands (redmon status, check) scan() polls synchronously; the
 * session timeout bounds it.  Under --root the in-band driver means nothing
 * (the BMC belongs to the machine we run on, not to the captured tree), so
 * the probe reports nothing unless driver = lan.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <freeipmi/freeipmi.h>

#include "ipmi_fan.h"
#include "ipmi_psu.h"
#include "ipmi_reader.h"
#include "../lib/periodic.h"
#include "../lib/psu_probe.h"
#include "../lib/strbuf.h"
#include "redmon/plugin.h"

struct ipmi_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	struct ipmi_conn conn;
	int required, fans_required;
	uint64_t poll_ms, timeout_ms;
	bool off; /* nothing to monitor (in-band under --root) */
	char where[300];

	struct ipmi_reader *reader; /* owned by the worker while it runs */
	struct ipmi_set psu;	    /* main thread only */
	struct ipmi_set fans;	    /* main thread only */
	bool said_nodev;	    /* main thread only: logged "no BMC" once */

	struct periodic *w; /* polls the BMC (on a thread of its own in the daemon) */
	int tfd;
	/* published by the worker, under periodic_lock() */
	int rc;
	char err[512];
	struct ipmi_sensor *v;
	size_t n;
	struct ipmi_reader_stats stats;
};

static const struct redmon_option_spec ipmi_options[] = {
	{ .key = "driver",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "inband",
	  .choices = "inband|lan",
	  .help = "inband: this host's BMC (/dev/ipmi0); lan: a BMC over IPMI 2.0 LAN" },
	{ .key = "host", .type = REDMON_OPT_STRING, .help = "lan: the BMC as HOST or HOST:PORT" },
	{ .key = "username",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "lan: BMC user name (empty: the anonymous user)" },
	{ .key = "password_file",
	  .type = REDMON_OPT_SECRET_FILE,
	  .help = "lan: file holding the BMC password (mode 0600 or stricter)" },
	{ .key = "privilege",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "user",
	  .choices = "user|operator|admin",
	  .help = "lan: session privilege level" },
	{ .key = "cipher_suite",
	  .type = REDMON_OPT_UINT,
	  .default_value = "3",
	  .min = 0,
	  .max = 17,
	  .help = "lan: RMCP+ cipher suite id" },
	{ .key = "workaround_flags",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "freeipmi workarounds, comma-separated (lan: opensesspriv, sun20, ...)" },
	PSU_OPTION_REQUIRED("from the BMC or all but one"),
	{ .key = "fans_required",
	  .type = REDMON_OPT_UINT,
	  .default_value = "0",
	  .min = 0,
	  .max = PSU_REQUIRED_MAX,
	  .help = "fans the cooling needs (N of N+M); 0: from the BMC's fan redundancy sensor, "
		  "else all but one (assumed)" },
	{ .key = "poll_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 200,
	  .max = 3600000,
	  .help = "daemon: how often the BMC is read" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "5s",
	  .min = 100,
	  .max = 120000,
	  .help = "a BMC that has not answered after this is reported down" },
	{ .key = NULL },
};

static int parse_options(struct ipmi_probe *p)
{
	const char *priv = psu_option(p->ops, p->h, "privilege");
	const char *host = psu_option(p->ops, p->h, "host");
	const char *user = psu_option(p->ops, p->h, "username");
	const char *workarounds = psu_option(p->ops, p->h, "workaround_flags");
	const char *pwfile = psu_option(p->ops, p->h, "password_file");
	const char *poll = psu_option(p->ops, p->h, "poll_interval");
	const char *timeout = psu_option(p->ops, p->h, "timeout");
	long long ll;
	int rc;

	p->conn.lan = strcmp(psu_option(p->ops, p->h, "driver"), "lan") == 0;
	if (strv_to_duration_ms(strv_c(poll), &p->poll_ms) < 0 ||
	    strv_to_duration_ms(strv_c(timeout), &p->timeout_ms) < 0 ||
	    psu_option_required(p->ops, p->h, &p->required) < 0 ||
	    strv_to_ll(strv_trim(strv_c(psu_option(p->ops, p->h, "fans_required"))), 0,
		       PSU_REQUIRED_MAX, &ll) < 0)
		return -EINVAL;
	p->fans_required = (int)ll;
	p->conn.timeout_ms = (unsigned int)p->timeout_ms;
	if (ipmi_parse_workarounds(workarounds, p->conn.lan, &p->conn.workaround) < 0) {
		p->ops->log(p->h, REDMON_LOG_ERR, "workaround_flags '%s': unknown word (%s)",
			    workarounds,
			    p->conn.lan ? "authcap, intel20, supermicro20, sun20, opensesspriv, "
					  "integritycheckvalue, nochecksumcheck"
					: "assumeio, spinpoll");
		return -EINVAL;
	}
	if (!p->conn.lan) {
		snprintf(p->where, sizeof(p->where), "in-band BMC");
		return 0;
	}
	if (!*host) {
		p->ops->log(p->h, REDMON_LOG_ERR, "driver = lan needs host = HOST[:PORT]");
		return -EINVAL;
	}
	if (strlen(host) >= sizeof(p->conn.host) || strlen(user) >= sizeof(p->conn.username)) {
		p->ops->log(p->h, REDMON_LOG_ERR,
			    "host or username too long (an IPMI user name has at most 16 bytes)");
		return -EINVAL;
	}
	snprintf(p->conn.host, sizeof(p->conn.host), "%s", host);
	snprintf(p->conn.username, sizeof(p->conn.username), "%s", user);
	snprintf(p->where, sizeof(p->where), "BMC %s", p->conn.host);
	p->conn.privilege = strcmp(priv, "admin") == 0	    ? IPMI_PRIVILEGE_LEVEL_ADMIN
			    : strcmp(priv, "operator") == 0 ? IPMI_PRIVILEGE_LEVEL_OPERATOR
							    : IPMI_PRIVILEGE_LEVEL_USER;
	if (strv_to_ll(strv_trim(strv_c(psu_option(p->ops, p->h, "cipher_suite"))), 0, 17, &ll) < 0)
		return -EINVAL;
	p->conn.cipher_suite = (uint8_t)ll;
	if (*pwfile) {
		rc = psu_read_password(p->ops, p->h, pwfile,
				       "an IPMI 2.0 password has at most 20 bytes",
				       p->conn.password, sizeof(p->conn.password));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void arm(int tfd, uint64_t ms)
{
	struct itimerspec its = { 0 };

	if (tfd < 0)
		return; /* one-shot */
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	timerfd_settime(tfd, 0, &its, NULL);
}

/*
 * A fan's exact speed is no news (it changes every poll); whether it reads
 * at all, and whether it stopped, is.
 */
static bool same_reading(const struct ipmi_sensor *a, const struct ipmi_sensor *b)
{
	return a->has_reading == b->has_reading &&
	       (!a->has_reading || (a->reading < 1.0) == (b->reading < 1.0));
}

static bool same_result(const struct ipmi_probe *p, uint64_t gen, int rc, const char *err,
			const struct ipmi_sensor *v, size_t n)
{
	if (gen == 0 || rc != p->rc || strcmp(err, p->err) != 0 || n != p->n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i].status != p->v[i].status || v[i].bitmask != p->v[i].bitmask ||
		    v[i].record_id != p->v[i].record_id || v[i].number != p->v[i].number ||
		    !same_reading(&v[i], &p->v[i]))
			return false;
	}
	return true;
}

/* The worker's job: one poll, published when it differs from the last. */
static void poll_bmc(void *arg, struct periodic *w)
{
	struct ipmi_probe *p = arg;
	struct ipmi_sensor *v = NULL;
	char err[512];
	size_t n = 0;
	bool changed;
	int rc;

	/* Wakes the loop if the poll hangs beyond the timeout. */
	arm(p->tfd, p->timeout_ms + 100);
	rc = ipmi_reader_poll(p->reader, &v, &n, err, sizeof(err));
	arm(p->tfd, 0);

	changed = !same_result(p, periodic_lock(w), rc, err, v, n);
	if (changed) {
		free(p->v);
		p->v = v;
		p->n = rc == 0 ? n : 0;
		v = NULL;
		p->rc = rc;
		snprintf(p->err, sizeof(p->err), "%s", err);
	}
	ipmi_reader_stats(p->reader, &p->stats);
	periodic_publish(w, changed);
	periodic_unlock(w);
	free(v);
}

static void ipmi_fini(void *inst)
{
	struct ipmi_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w); /* a poll in progress ends within the session timeout */
	if (p->tfd >= 0) {
		p->ops->unwatch_fd(p->h, p->tfd);
		close(p->tfd);
	}
	ipmi_reader_free(p->reader);
	ipmi_set_free(&p->psu);
	ipmi_set_free(&p->fans);
	free(p->v);
	explicit_bzero(&p->conn, sizeof(p->conn));
	free(p);
}

static int ipmi_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct ipmi_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->tfd = -1;
	rc = parse_options(p);
	if (rc < 0)
		goto fail;
	if (!p->conn.lan && !ops->root_is_live(h)) {
		p->off = true;
		*ret = p;
		return 0;
	}
	rc = ipmi_reader_new(&p->conn, &p->reader);
	if (rc < 0)
		goto fail;
	if (ops->events_wanted(h)) { /* the timeout's timerfd */
		p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		rc = p->tfd < 0 ? -errno : ops->watch_fd(h, p->tfd, EPOLLIN);
	}
	if (rc == 0)
		rc = periodic_start(ops, h, p->poll_ms, poll_bmc, p, &p->w);
	if (rc < 0) {
		ops->log(h, REDMON_LOG_ERR, "cannot start the IPMI worker: %s", strerror(-rc));
		goto fail;
	}
	*ret = p;
	return 0;
fail:
	ipmi_fini(p);
	return rc;
}

/* The result of a poll that failed: no BMC (nothing to monitor) or an error. */
static int poll_failed(struct ipmi_probe *p, int rc, const char *err)
{
	if (rc == -ENODEV && !p->conn.lan) {
		if (!p->said_nodev)
			p->ops->log(p->h, REDMON_LOG_INFO, "%s: nothing to monitor", err);
		p->said_nodev = true;
		return 0;
	}
	if (rc == -ETIMEDOUT)
		p->ops->scan_error(p->h, "%s did not answer within %llu ms: %s", p->where,
				   (unsigned long long)p->timeout_ms, err);
	else
		p->ops->scan_error(p->h, "%s: %s", p->where, err);
	return rc;
}

/* The PSU group and the fan group of the last poll; the first error is returned. */
static int report_sets(struct ipmi_probe *p)
{
	struct redmon_group g;
	int rc, rc_fans;

	rc = ipmi_psu_eval(&p->psu, p->v, p->n, p->required, &g);
	rc = psu_report(p->ops, p->h, rc, &g);
	rc_fans = ipmi_fan_eval(&p->fans, p->v, p->n, p->fans_required, &g);
	rc_fans = psu_report(p->ops, p->h, rc_fans, &g);
	return rc < 0 ? rc : rc_fans;
}

static int ipmi_scan(void *inst)
{
	struct ipmi_probe *p = inst;
	uint64_t gen;
	int rc = 0;

	if (p->off)
		return 0;
	/*
	 * The worker's result is reported under its lock (it waits only if it
	 * publishes meanwhile); until the first poll ends (gen 0) there is
	 * nothing to say: scan never waits (but in a one-shot command, which
	 * polls here, bounded by the session timeout).
	 */
	periodic_oneshot(p->w);
	gen = periodic_lock(p->w);
	if (periodic_running_ms(p->w) > p->timeout_ms) {
		p->ops->scan_error(p->h, "%s did not answer within %llu ms", p->where,
				   (unsigned long long)p->timeout_ms);
		rc = -ETIMEDOUT;
	} else if (gen > 0 && p->rc < 0) {
		rc = poll_failed(p, p->rc, p->err);
	} else if (gen > 0) {
		p->ops->log(
			p->h, REDMON_LOG_DEBUG,
			"%s: %zu PSU/fan sensors, last poll %llu ms, %lu SDR loads, %lu sessions",
			p->where, p->n, (unsigned long long)p->stats.last_poll_ms,
			p->stats.sdr_loads, p->stats.opens);
		rc = report_sets(p);
	}
	periodic_unlock(p->w);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "ipmi",
	.description = "power supply and fan redundancy through the BMC (IPMI, libfreeipmi)",
	.options = ipmi_options,
	.init = ipmi_init,
	.fini = ipmi_fini,
	.scan = ipmi_scan,
	.on_fd = periodic_on_fd,
};
