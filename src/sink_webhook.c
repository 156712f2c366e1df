/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Webhook: HTTP(S) POST of each alert, through a durable spool.
 *
 * Every alert is first written to the sink's spool directory (fsync'ed), then
 * sent: strictly in sequence order, one request in flight, retried with
 * exponential backoff until the receiver answers 2xx.  Only then is it
 * removed.  So alerts survive a receiver outage and a redmon restart (even
 * SIGKILL), and each carries an idempotency key ("<host>:<seq>", header and
 * body) so a receiver can drop the duplicate a crash between "sent" and
 * "removed" can cause.  A receiver that refuses an alert for good (400, 413,
 * 422: the alert itself is wrong) gets the next one; the refused file is set
 * aside as *.rejected for the operator.
 *
 * url may list several URLs (an Alertmanager cluster): each is a target of
 * its own, with its own spool, request and backoff, and gets every alert.
 *
 * Alertmanager forgets a firing alert it has not heard about for its
 * resolve_timeout, so with format = alertmanager every active alert (groups
 * not ok, failed probes, groups that vanished while not ok) is posted again
 * every resend_interval, with endsAt a few intervals ahead.  Those re-sends
 * are not spooled: a target that is down or behind gets the next one once it
 * has caught up, so an outage does not fill the spool with them.
 *
 * HTTP runs on the curl multi interface driven from the epoll loop
 * (curl_loop.h), never curl_easy_perform().
 * TLS is verified unless tls_verify = no.  Proxies from the environment are
 * ignored unless proxy is set: a daemon should not depend on how it was
 * started.  URLs are shown (logs, events, test-alert) only through
 * url_redact(); header values never carry a control character.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "agg.h"
#include "bus.h"
#include "curl_loop.h"
#include "disk_join.h"
#include "errbuf.h"
#include "json.h"
#include "log.h"
#include "marks.h"
#include "loop.h"
#include "loop_timer.h"
#include "sink.h"
#include "spool.h"

#define KEY_HEADER	"Idempotency-Key: "
#define KEY_MAX		1024 /* an encoded key: 3 bytes per byte of a 320-byte key */
#define HEADER_FILE_MAX (64u << 10)
/* A header's name is an RFC 9110 token. */
#define HEADER_NAME_CHARS                                                                          \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~"
#define ONE_SHOT_ALERT_MS (3600 * 1000)
#define TEST_ALERT_MS	  (5 * 60 * 1000)
#define URL_SHOWN_MAX	  512
/* A firing alert's endsAt is this many resend intervals ahead: a few re-sends may fail. */
#define RESEND_ENDS_FACTOR 4
/* The held alerts, in the sink's spool directory (the spool ignores other names). */
#define HELD_FILE "held.json"
#define HELD_MAX  (16u << 20)

/* One request: the spooled alert in flight or a re-send (seq 0), or test-alert's. */
struct request {
	struct target *t;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	uint64_t seq;
	bool active;
	char response[256];
	size_t response_len;
	char error[CURL_ERROR_SIZE];
	/* test-alert: the outcome, once done */
	int test_rc;
	char test_why[600];
};

/* One URL of the sink. */
struct target {
	struct webhook *w;
	char *url;
	char shown[URL_SHOWN_MAX]; /* url_redact(url) */
	char *spool_dir;
	struct spool *spool;
	bool spool_refused; /* the disk refused entries: they wait in memory (logged once) */
	struct loop_timer *retry_timer;
	uint64_t backoff;
	bool failing;	 /* the last request failed */
	bool resend_due; /* a re-send waits until the spool is drained */
	struct request send, test;
};

struct webhook {
	struct sink *k;
	struct target *targets;
	size_t n_targets;
	const struct curl_dl *curl; /* libcurl, loaded (curl_dl.h) */
	bool alertmanager, tls_verify;
	struct curl_slist *headers; /* from header_file */
	uint64_t retry_initial, retry_max, resend_ms;
	char *ca_file, *proxy, *spool_dir;
	struct curl_loop cl;
	struct loop_timer *resend_timer;
	/*
	 * Firing alerts the aggregator no longer holds (a group that vanished
	 * while not ok), re-sent with the others: "<group id>" -> alert.
	 */
	json_t *held;
	bool held_changed;
	uint64_t resends;
	bool retired;
	/* Routing: the static labels (NULL: none) and instance (NULL: the host name). */
	json_t *labels;
	char *instance;
};

/*
 * A key as it may go into a header line and a spool entry.  all: every byte
 * outside printable ASCII, and '%', is percent-encoded, so distinct keys stay
 * distinct whatever the host name holds.  Otherwise only control characters
 * are (a key read back from the spool is already encoded).
 */
static void key_encode(const char *key, bool all, char *buf, size_t len)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)key; *p && o + 4 < len; p++) {
		if (*p < 0x20 || *p == 0x7f || (all && (*p >= 0x80 || *p == ' ' || *p == '%')))
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", *p);
		else
			buf[o++] = (char)*p;
	}
	if (len)
		buf[o] = 0;
}

/* RFC 3986 section 3: the userinfo, query and fragment may hold secrets. */
void url_redact(const char *url, char *buf, size_t len)
{
	const char *scheme = strstr(url, "://");
	const char *auth = scheme ? scheme + 3 : url;
	size_t auth_len = strcspn(auth, "/?#");
	/* The userinfo ends at the authority's last '@' (a password may hold '@' unencoded). */
	const char *at = memrchr(auth, '@', auth_len);
	const char *path = auth + auth_len, *cut;
	int n;

	if (!len)
		return;
	n = snprintf(buf, len, "%.*s%s", (int)(auth - url), url, at ? "***@" : "");
	if (n < 0 || (size_t)n >= len)
		return;
	if (at)
		auth = at + 1;
	cut = path + strcspn(path, "?#");
	snprintf(buf + n, len - (size_t)n, "%.*s%s%s", (int)(cut - auth), auth,
		 *cut == '?' ? "?***" : "", strchr(cut, '#') ? "#***" : "");
}

/* --- requests ---------------------------------------------------------------- */

static size_t on_response(char *data, size_t size, size_t n, void *userp)
{
	struct request *r = userp;
	size_t len = size * n, room = sizeof(r->response) - 1 - r->response_len;
	size_t take = len < room ? len : room;

	memcpy(r->response + r->response_len, data, take);
	r->response_len += take;
	r->response[r->response_len] = 0;
	return len;
}

static void request_reset(struct webhook *w, struct request *r)
{
	if (r->active)
		w->curl->multi_remove_handle(w->cl.multi, r->easy);
	r->active = false;
	w->curl->slist_free_all(r->headers);
	r->headers = NULL;
	free(r->body);
	r->body = NULL;
}

/* Start POSTing body (taken) with key to r's target; 0 or -errno. */
static int request_start(struct webhook *w, struct request *r, char *body, const char *key)
{
	struct curl_slist *h = NULL;
	char line[sizeof(KEY_HEADER) + KEY_MAX];
	CURL *e = r->easy;

	r->body = body;
	r->response_len = 0;
	r->response[0] = 0;
	r->error[0] = 0;
	/* Whatever the key holds, it stays one header: no CR or LF gets through. */
	memcpy(line, KEY_HEADER, strlen(KEY_HEADER));
	key_encode(key, false, line + strlen(KEY_HEADER), sizeof(line) - strlen(KEY_HEADER));
	h = w->curl->slist_append(h, "Content-Type: application/json");
	h = h ? w->curl->slist_append(h, "Expect:") : NULL; /* no 100-continue round trip */
	h = h ? w->curl->slist_append(h, line) : NULL;
	for (const struct curl_slist *x = w->headers; h && x; x = x->next)
		h = w->curl->slist_append(h, x->data);
	if (!h) {
		request_reset(w, r);
		return -ENOMEM;
	}
	r->headers = h;
	w->curl->easy_reset(e);
	w->curl->easy_setopt(e, CURLOPT_URL, r->t->url);
	w->curl->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	w->curl->easy_setopt(e, CURLOPT_HTTPHEADER, h);
	w->curl->easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	w->curl->easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	w->curl->easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)w->k->timeout_ms);
	w->curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	w->curl->easy_setopt(e, CURLOPT_PROXY, w->proxy);
	w->curl->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, w->tls_verify ? 1L : 0L);
	w->curl->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, w->tls_verify ? 2L : 0L);
	if (w->ca_file)
		w->curl->easy_setopt(e, CURLOPT_CAINFO, w->ca_file);
	w->curl->easy_setopt(e, CURLOPT_USERAGENT, "redmon/" REDMON_VERSION);
	w->curl->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_response);
	w->curl->easy_setopt(e, CURLOPT_WRITEDATA, r);
	w->curl->easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
	w->curl->easy_setopt(e, CURLOPT_PRIVATE, r);
	if (w->curl->multi_add_handle(w->cl.multi, e) != CURLM_OK) {
		request_reset(w, r);
		return -EIO;
	}
	r->active = true;
	return 0;
}

/*
 * How a request went, in words (the URL redacted): 0 (2xx), -EBADMSG when the
 * receiver refused the alert for good, -EIO for any other failure.
 */
static int outcome(struct request *r, CURLcode res, char *why, size_t len)
{
	const struct webhook *w = r->t->w;
	char body[300];
	long code = 0;

	w->curl->easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (res != CURLE_OK) {
		snprintf(why, len, "POST %s: %s", r->t->shown,
			 r->error[0] ? r->error : w->curl->easy_strerror(res));
		return -EIO;
	}
	if (code >= 200 && code < 300) {
		snprintf(why, len, "HTTP %ld", code);
		return 0;
	}
	text_one_line(r->response, body, sizeof(body));
	snprintf(why, len, "POST %s: HTTP %ld%s%s", r->t->shown, code, *body ? ": " : "", body);
	/* The alert itself is what the receiver refuses: sending it again cannot help. */
	return code == 400 || code == 413 || code == 422 ? -EBADMSG : -EIO;
}

/*
 * One target's result.  With several URLs, one that works does not hide one
 * that fails: the sink is reported well again only when every target is.
 */
static void target_result(struct target *t, int rc, bool lost, const char *why)
{
	struct webhook *w = t->w;
	bool all_well = true;

	t->failing = rc < 0;
	for (size_t i = 0; i < w->n_targets; i++)
		all_well = all_well && !w->targets[i].failing;
	if (rc < 0 || all_well)
		sink_result(w->k, rc, lost, why);
}

/* --- the spool --------------------------------------------------------------- */

/* A spool entry: "Idempotency-Key: KEY\n\nBODY". */
static int entry_parse(char *text, const char **ret_key, char **ret_body)
{
	char *sep = strstr(text, "\n\n");

	if (strncmp(text, KEY_HEADER, strlen(KEY_HEADER)) != 0 || !sep)
		return -EBADMSG;
	*sep = 0;
	*ret_key = text + strlen(KEY_HEADER);
	*ret_body = sep + 2;
	return 0;
}

/* POST body (taken; NULL: out of memory) as t's alert seq (0: a re-send); failed: retry later. */
static int send_start(struct target *t, uint64_t seq, char *body, const char *key)
{
	int rc;

	t->send.seq = seq;
	rc = body ? request_start(t->w, &t->send, body, key) : -ENOMEM;
	if (rc < 0) {
		target_result(t, rc, false, "cannot start a request");
		loop_timer_arm(t->retry_timer, t->w->retry_initial);
	}
	return rc;
}

static char *resend_body(struct webhook *w);

/* Start the re-send t waits for, if anything fires. */
static void resend_start(struct target *t)
{
	struct webhook *w = t->w;
	char *body = resend_body(w), key[KEY_MAX + 64], host[KEY_MAX];

	t->resend_due = false;
	if (!body)
		return;
	key_encode(sink_env(w->k)->host, true, host, sizeof(host));
	snprintf(key, sizeof(key), "%s:resend-%llu-%lld", host, (unsigned long long)++w->resends,
		 (long long)wall_ms());
	t->resend_due = send_start(t, 0, body, key) < 0;
}

/*
 * Send the oldest spooled alert, unless one is in flight or a retry is
 * pending; with the spool empty, the re-send that waited for it.
 */
static void kick(struct target *t)
{
	struct webhook *w = t->w;

	while (!w->retired && !t->send.active && !loop_timer_armed(t->retry_timer)) {
		uint64_t seq = spool_first(t->spool);
		const char *key = NULL;
		char *text, *body = NULL;
		size_t len;
		int rc;

		if (!spool_count(t->spool)) {
			if (t->resend_due)
				resend_start(t);
			return;
		}
		rc = spool_read(t->spool, seq, &text, &len);
		if (rc == -ENOMEM) {
			loop_timer_arm(t->retry_timer, w->retry_initial);
			return;
		}
		if (rc == 0 && (rc = entry_parse(text, &key, &body)) < 0)
			free(text);
		if (rc < 0) {
			log_err("sink %s: spooled alert %llu in %s is unreadable (%s): set aside",
				w->k->name, (unsigned long long)seq, t->spool_dir, strerror(-rc));
			spool_set_aside(t->spool, seq);
			continue;
		}
		send_start(t, seq, strdup(body), key);
		free(text);
		return;
	}
}

static void on_retry(void *ctx)
{
	kick(ctx);
}

/* --- curl on the loop ------------------------------------------------------ */

static void sent(struct target *t, CURLcode res)
{
	struct webhook *w = t->w;
	struct request *r = &t->send;
	uint64_t seq = r->seq;
	char why[900];
	int rc = outcome(r, res, why, sizeof(why));

	request_reset(w, r);
	if (rc == 0) {
		if (seq)
			spool_remove(t->spool, seq);
		t->backoff = 0;
		target_result(t, 0, false, NULL);
		if (seq)
			sink_overflow_end(w->k);
	} else if (rc == -EBADMSG) {
		if (seq) {
			spool_set_aside(t->spool, seq);
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "; alert %llu set aside in %s as .rejected",
				 (unsigned long long)seq, t->spool_dir);
		}
		target_result(t, rc, true, why);
	} else {
		target_result(t, rc, false, why);
		/* A re-send (seq 0) that failed: the next one goes after the backoff. */
		if (!seq)
			t->resend_due = true;
		t->backoff = t->backoff ? t->backoff * 2 : w->retry_initial;
		if (t->backoff > w->retry_max)
			t->backoff = w->retry_max;
		loop_timer_arm(t->retry_timer, t->backoff);
		return;
	}
	kick(t);
}

/* test-alert: done when every target answered; the first failure is the sink's. */
static void tested(struct target *t, CURLcode res)
{
	struct webhook *w = t->w;
	struct request *r = &t->test;
	char why[1200] = "";
	int rc = 0;

	r->test_rc = outcome(r, res, r->test_why, sizeof(r->test_why));
	request_reset(w, r);
	for (size_t i = 0; i < w->n_targets; i++) {
		if (w->targets[i].test.active)
			return;
	}
	for (size_t i = 0; i < w->n_targets; i++) {
		const struct request *x = &w->targets[i].test;
		size_t o = strlen(why);

		if (x->test_rc < 0 && rc == 0)
			rc = x->test_rc;
		snprintf(why + o, sizeof(why) - o, "%s%s", o ? "; " : "", x->test_why);
	}
	sink_test_done(w->k, rc, why);
}

/* A transfer is over: the spooled alert's, a re-send's or test-alert's. */
static void on_done(void *ctx, CURL *easy, CURLcode res)
{
	struct webhook *w = ctx;
	struct request *r;
	char *priv = NULL;

	w->curl->easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
	r = (struct request *)priv;
	if (r && r == &r->t->send)
		sent(r->t, res);
	else if (r)
		tested(r->t, res);
}

/* --- bodies ------------------------------------------------------------------ */

static void set_time(json_t *o, const char *key, int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	char buf[40];

	format_utc_ms(&ts, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

/*
 * One Alertmanager alert (API v2 postableAlert): labels (taken) identify it,
 * so they hold only what does not change while it fires; the rest goes into
 * annotations (taken).  ends_ms 0: no endsAt.
 */
static json_t *am_alert(const char *host, const char *name, json_t *labels, json_t *ann,
			int64_t starts_ms, int64_t ends_ms)
{
	json_t *o = json_object();

	json_object_set_new(labels, "alertname", json_string(name));
	json_object_set_new(labels, "instance", json_text(host));
	json_object_set_new(o, "labels", labels);
	json_object_set_new(o, "annotations", ann);
	set_time(o, "startsAt", starts_ms);
	if (ends_ms)
		set_time(o, "endsAt", ends_ms);
	return o;
}

static json_t *labels_of(const char *key, const char *value, const char *severity)
{
	json_t *l = json_object();

	if (key)
		json_object_set_new(l, key, json_text(value));
	json_object_set_new(l, "severity", json_string(severity));
	return l;
}

static bool health_critical(enum health h)
{
	return h == HEALTH_CRITICAL || h == HEALTH_FAILED;
}

/* The members that are out: failed, or a slot with nobody in it. */
static void failed_members(const struct group *g, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < g->n_members && o + 1 < len; i++) {
		const struct member *m = &g->members[i];

		if (m->role != REDMON_ROLE_FAILED && m->role != REDMON_ROLE_MISSING)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s (%s)", o ? ", " : "", m->name,
				      m->state && *m->state ? m->state : role_name(m->role));
	}
}

/*
 * The annotations of a group's alert: a summary that stays the same while
 * the group stays as it is (re-sends and reminders do not change it), and a
 * description with the reason and the members that are out.
 */
static json_t *group_annotations(const struct group *g, bool gone)
{
	json_t *ann = json_object();
	char text[1500], members[900], margin[48] = ": redundancy unknown";
	int32_t m = margin_shown(g);
	bool reason = g->reason && *g->reason;
	size_t o;

	snprintf(text, sizeof(text), "%s (%s) is %s%s", g->id, g->type,
		 gone ? "gone, last seen " : "", health_name(g->health));
	json_object_set_new(ann, "summary", json_text(text));
	if (m >= 0)
		snprintf(margin, sizeof(margin), ": tolerates %d more failure%s", m,
			 m == 1 ? "" : "s");
	failed_members(g, members, sizeof(members));
	o = strlen(text);
	snprintf(text + o, sizeof(text) - o, "%s%s%s%s%s", margin, reason ? "; reason: " : "",
		 reason ? g->reason : "", *members ? "; failed members: " : "", members);
	json_object_set_new(ann, "description", json_text(text));
	json_object_set_new(ann, "health", json_string(health_name(g->health)));
	if (m >= 0)
		snprintf(margin, sizeof(margin), "%d of %d", m, g->margin_nominal);
	json_object_set_new(ann, "margin", json_string(m >= 0 ? margin : "unknown"));
	json_object_set_new(ann, "kind", json_text(g->kind));
	json_object_set_new(ann, "type", json_text(g->type));
	return ann;
}

/* RedmonGroupUnhealthy of g with severity critical (or warning), firing or resolved. */
static json_t *group_alert(const char *host, const struct group *g, bool critical, bool gone,
			   int64_t starts_ms, int64_t ends_ms)
{
	json_t *l = labels_of("group", g->id, critical ? "critical" : "warning");

	json_object_set_new(l, "probe", json_text(g->probe));
	return am_alert(host, "RedmonGroupUnhealthy", l, group_annotations(g, gone), starts_ms,
			ends_ms);
}

static json_t *probe_alert(const char *host, const char *probe, const char *error,
			   int64_t starts_ms, int64_t ends_ms)
{
	json_t *ann = json_object();
	char text[600];

	snprintf(text, sizeof(text), "probe %s failed", probe);
	json_object_set_new(ann, "summary", json_text(text));
	json_object_set_new(ann, "description", json_text(error ? error : "?"));
	return am_alert(host, "RedmonProbeFailed", labels_of("probe", probe, "warning"), ann,
			starts_ms, ends_ms);
}

/*
 * RedmonSecondFailureRisk of g, always critical: a degraded group whose next
 * failure is announced by the member it depends on (issue 17).  The
 * description says which disk, why, and what it protects.
 */
static json_t *risk_alert(const char *host, const struct group *g, const char *member,
			  const struct disk *d, int64_t starts_ms, int64_t ends_ms)
{
	json_t *l = labels_of("group", g->id, "critical"), *ann = json_object();
	char text[1200];

	json_object_set_new(l, "probe", json_text(g->probe));
	snprintf(text, sizeof(text), "%s (%s) depends on a member at risk", g->id, g->type);
	json_object_set_new(ann, "summary", json_text(text));
	snprintf(text, sizeof(text), "%s is %s; member %s on disk %s is %s: %s", g->id,
		 health_name(g->health), member ? member : "?", d ? d->device : "?",
		 d ? risk_name(d->health) : "at risk",
		 d && d->reason ? d->reason : "as its probe says");
	json_object_set_new(ann, "description", json_text(text));
	if (d)
		json_object_set_new(ann, "disk", json_text(d->device));
	return am_alert(host, "RedmonSecondFailureRisk", l, ann, starts_ms, ends_ms);
}

/* RedmonDiskHealth of one disk: firing while warning or failing, resolved when not. */
static json_t *disk_alert(const char *host, const struct disk *d, int64_t now_ms, int64_t ends_ms)
{
	bool bad = d->health == REDMON_RISK_WARNING || d->health == REDMON_RISK_FAILING;
	json_t *ann = json_object();
	char text[600];

	snprintf(text, sizeof(text), "disk %s is %s", d->device, risk_name(d->health));
	json_object_set_new(ann, "summary", json_text(text));
	json_object_set_new(ann, "description", json_text(d->reason ? d->reason : "ok"));
	if (d->model)
		json_object_set_new(ann, "model", json_text(d->model));
	if (d->serial)
		json_object_set_new(ann, "serial", json_text(d->serial));
	return am_alert(host, "RedmonDiskHealth",
			labels_of("disk", d->device,
				  d->health == REDMON_RISK_FAILING ? "critical" : "warning"),
			ann, now_ms, bad ? ends_ms : now_ms);
}

/* What the event adds to each alert of its body: which event, its sequence, its key. */
static void event_annotations(json_t *o, const struct alert *a)
{
	json_t *ann = json_object_get(o, "annotations");
	char seq[32];

	if (!json_object_get(ann, "summary"))
		json_object_set(ann, "summary", json_object_get(a->json, "message"));
	json_object_set_new(ann, "event", json_string(event_type_name(a->ev->type)));
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)a->ev->seq);
	json_object_set_new(ann, "seq", json_string(seq));
	json_object_set_new(ann, "idempotency_key", json_text(a->key));
}

/* endsAt of an alert firing at now_ms: a few re-sends ahead, so a lost one does not resolve it. */
static int64_t firing_ends(const struct webhook *w, int64_t now_ms)
{
	return now_ms + RESEND_ENDS_FACTOR * (int64_t)w->resend_ms;
}

/*
 * A group's event: RedmonGroupUnhealthy fires with the group's severity
 * while it is not ok, vanished or not (a group that disappeared while not ok
 * is not fixed: its alert fires until it comes back); the other severity is
 * resolved, so a degraded -> critical change (or a recovery) leaves nothing
 * stale firing.  startsAt: when the group's health was announced (the state
 * file keeps it across restarts).
 */
static void am_group(struct webhook *w, const struct alert *a, json_t *list)
{
	const struct event *ev = a->ev;
	const struct group *g = ev->group;
	const struct agg *agg = sink_env(w->k)->agg;
	/* Forgotten (redmon forget): gone for good, its alert resolved and no longer held. */
	bool forgotten = ev->type == EV_GROUP_FORGOTTEN;
	bool gone = ev->type == EV_GROUP_VANISHED || forgotten;
	/* A required group ([group.ID]) gone fires critical whatever its last health. */
	bool required_gone = ev->type == EV_GROUP_VANISHED && ev->required;
	bool firing = !forgotten && (policy_health_reminded(g->health) || required_gone);
	bool critical = health_critical(g->health) || required_gone;
	int64_t now = ts_ms(&ev->time), starts = now;
	struct timespec since;

	if (agg && agg_since(agg, g->id, &since))
		starts = ts_ms(&since);
	for (int c = 0; c < 2; c++) {
		bool fires = firing && c == critical;
		json_t *o = group_alert(a->host, g, c, gone, fires ? starts : now,
					fires ? firing_ends(w, now) : now);

		event_annotations(o, a);
		json_array_append_new(list, o);
		/* Nothing else remembers a vanished group: the re-sends need its alert. */
		if (w->held && gone && fires) {
			json_object_set(w->held, g->id, o);
			w->held_changed = true;
		}
	}
	if (w->held && (!gone || forgotten) && json_object_del(w->held, g->id) == 0)
		w->held_changed = true;
}

/* The Alertmanager body: a list. */
static json_t *am_body(struct webhook *w, const struct alert *a)
{
	const struct event *ev = a->ev;
	int64_t now = ts_ms(&ev->time);
	json_t *list = json_array(), *o;

	if (ev->type == EV_SECOND_FAILURE_RISK && ev->group) {
		o = risk_alert(a->host, ev->group, ev->member_name, ev->disk, now,
			       ev->resolved ? now : firing_ends(w, now));
		event_annotations(o, a);
		json_array_append_new(list, o);
		return list;
	}
	if (ev->group) {
		am_group(w, a, list);
		return list;
	}
	switch (ev->type) {
	case EV_DISK_HEALTH_CHANGED:
		if (!ev->disk)
			return list;
		o = disk_alert(a->host, ev->disk, now, firing_ends(w, now));
		break;
	case EV_PROBE_FAILED:
	case EV_PROBE_RECOVERED:
		o = ev->type == EV_PROBE_FAILED
			    ? probe_alert(a->host, ev->probe, ev->error, now, firing_ends(w, now))
			    : probe_alert(a->host, ev->probe, NULL, now, now);
		break;
	case EV_SINK_FAILED:
	case EV_SINK_RECOVERED:
		/* Not re-sent (the sink set's state is not ours): resolve_timeout ends it. */
		o = am_alert(a->host, "RedmonSinkFailed", labels_of("sink", ev->sink, "warning"),
			     json_object(), now, ev->type == EV_SINK_FAILED ? 0 : now);
		break;
	case EV_SPOOL_OVERFLOW:
		o = am_alert(a->host, "RedmonAlertsDropped", labels_of("sink", ev->sink, "warning"),
			     json_object(), now, now + ONE_SHOT_ALERT_MS);
		break;
	case EV_HEARTBEAT:
		/* A dead man's switch: it resolves by itself when heartbeats stop. */
		o = am_alert(a->host, "RedmonHeartbeat", labels_of(NULL, NULL, "none"),
			     json_object(), now, now + 2 * (int64_t)w->k->heartbeat_ms);
		break;
	default:
		o = am_alert(a->host, "RedmonTest", labels_of(NULL, NULL, "info"), json_object(),
			     now, now + TEST_ALERT_MS);
		break;
	}
	event_annotations(o, a);
	json_array_append_new(list, o);
	return list;
}

/*
 * The held alerts outlive a restart: nothing else remembers a group that
 * vanished.  Written when they change; a failure is logged and retried at the
 * next change (they are still re-sent from memory).
 */
static void held_save(struct webhook *w)
{
	char *text;
	int rc = -ENOMEM;

	if (!w->held || !w->held_changed)
		return;
	w->held_changed = false;
	text = json_dumps(w->held, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
	if (text)
		rc = write_file_atomic(spool_dirfd(w->targets[0].spool), HELD_FILE, text,
				       strlen(text), 0640);
	free(text);
	if (rc < 0) {
		w->held_changed = true;
		log_warn("sink %s: cannot save %s/%s: %s (alerts of vanished groups are re-sent "
			 "until redmon stops)",
			 w->k->name, w->spool_dir, HELD_FILE, strerror(-rc));
	}
}

/* What held_save() wrote, else an empty object (NULL: out of memory); a damaged file is logged. */
static json_t *held_load(struct webhook *w)
{
	char *text;
	size_t len;
	json_t *o;

	if (read_file_at(spool_dirfd(w->targets[0].spool), HELD_FILE, HELD_MAX, &text, &len) < 0)
		return json_object();
	o = json_loads(text, 0, NULL);
	free(text);
	if (json_is_object(o))
		return o;
	json_decref(o);
	log_warn("sink %s: %s/%s is damaged: alerts of vanished groups are lost", w->k->name,
		 w->spool_dir, HELD_FILE);
	return json_object();
}

/*
 * The sink's routing labels on every alert of an Alertmanager list: its
 * instance in place of the host name, and its static labels (never one of
 * redmon's own: the config refuses those names).
 */
static void route_alerts(const struct webhook *w, json_t *list)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o)
	{
		json_t *labels = json_object_get(o, "labels");

		if (w->instance)
			json_object_set_new(labels, "instance", json_text(w->instance));
		if (w->labels)
			json_object_update_missing(labels, w->labels);
	}
}

/* The disk alerts still firing (warning, failing) and the groups at second-failure risk. */
static void resend_disks(struct webhook *w, const struct agg *agg, const struct snapshot *snap,
			 json_t *list, int64_t now)
{
	const char *host = sink_env(w->k)->host;
	const struct disk *d;
	const struct member *m;

	for (size_t j = 0; j < snap->n_disks; j++) {
		d = &snap->disks[j];
		if ((d->health == REDMON_RISK_FAILING ? SEV_CRITICAL : SEV_WARNING) <
			    w->k->min_severity ||
		    (d->health != REDMON_RISK_WARNING && d->health != REDMON_RISK_FAILING))
			continue;
		json_array_append_new(list, disk_alert(host, d, now, firing_ends(w, now)));
	}
	for (size_t j = 0; j < snap->n; j++) {
		const struct group *g = &snap->groups[j];

		if (!disk_second_failure_risk(agg, g))
			continue;
		m = disk_member_at_risk(agg, g, &d);
		json_array_append_new(
			list, risk_alert(host, g, m ? m->name : NULL, d, now, firing_ends(w, now)));
	}
}

/*
 * Every alert firing now, for a re-send: the groups not ok and the failed
 * probes the aggregator holds (as many as min_severity lets through), and the
 * held alerts of groups that vanished (until they come back).  NULL when
 * nothing fires.
 */
static char *resend_body(struct webhook *w)
{
	const struct agg *agg = sink_env(w->k)->agg;
	const char *host = sink_env(w->k)->host, *id;
	int64_t now = wall_ms();
	json_t *list = json_array(), *held;
	char *text = NULL;

	for (size_t i = 0; list && agg && i < agg_probe_count(agg); i++) {
		const struct agg_probe *p = agg_probe_at(agg, i);
		const struct snapshot *snap = &p->groups;

		if (p->failed && w->k->min_severity <= SEV_WARNING)
			json_array_append_new(list, probe_alert(host, p->name, p->error, now,
								firing_ends(w, now)));
		for (size_t j = 0; j < snap->n; j++) {
			const struct group *g = &snap->groups[j];
			bool crit = health_critical(g->health);
			struct timespec since;
			int64_t starts = agg_since(agg, g->id, &since) ? ts_ms(&since) : now;

			/* Back, in whatever health: the aggregator speaks for it again. */
			if (json_object_del(w->held, g->id) == 0)
				w->held_changed = true;
			/* In maintenance its alerts are held, re-sends too: its end says what is. */
			if (!policy_health_reminded(g->health) ||
			    (crit ? SEV_CRITICAL : SEV_WARNING) < w->k->min_severity ||
			    marks_in_maintenance(agg_marks(agg), g->id, now))
				continue;
			json_array_append_new(list, group_alert(host, g, crit, false, starts,
								firing_ends(w, now)));
		}
		resend_disks(w, agg, snap, list, now);
	}
	json_object_foreach(w->held, id, held)
	{
		json_t *o = json_deep_copy(held), *ann = json_object_get(o, "annotations");

		/* A re-send is no event: the vanished event's own annotations stay with it. */
		json_object_del(ann, "event");
		json_object_del(ann, "seq");
		json_object_del(ann, "idempotency_key");
		set_time(o, "endsAt", firing_ends(w, now));
		json_array_append_new(list, o);
	}
	held_save(w);
	route_alerts(w, list);
	if (json_array_size(list))
		text = json_dumps(list, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(list);
	return text;
}

/* Every resend_interval: each target re-sends now, or once it has caught up. */
static void on_resend(void *ctx)
{
	struct webhook *w = ctx;
	bool started = false;

	loop_timer_arm(w->resend_timer, w->resend_ms);
	for (size_t i = 0; i < w->n_targets; i++) {
		w->targets[i].resend_due = true;
		kick(&w->targets[i]);
		started = started || w->targets[i].send.active;
	}
	if (started)
		curl_loop_kick(&w->cl);
}

/* The event object of a generic body with the sink's routing: "labels" and "instance". */
static char *routed_event(const struct webhook *w, const struct alert *a)
{
	json_t *o = json_copy(a->json);
	char *text;

	if (!o)
		return NULL;
	if (w->labels)
		json_object_set(o, "labels", w->labels);
	if (w->instance)
		json_object_set_new(o, "instance", json_text(w->instance));
	text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

/* The request body for a: the event object, or the Alertmanager list. */
static char *render(struct webhook *w, const struct alert *a)
{
	json_t *list;
	char *text;

	if (!w->alertmanager && !w->labels && !w->instance)
		return strndup(a->line, a->line_len);
	if (!w->alertmanager)
		return routed_event(w, a);
	list = am_body(w, a);
	route_alerts(w, list);
	text = json_dumps(list, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(list);
	return text;
}

/* --- the sink ---------------------------------------------------------------- */

/* A control character (tab aside) would end or split a header line. */
static bool has_control(const char *s)
{
	for (; *s; s++) {
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return true;
	}
	return false;
}

/*
 * header_file: "Name: value" lines (blank lines and # comments skipped), for
 * tokens that must not sit in the config.  Warns when others can read it.
 */
static int read_headers(struct webhook *w, const char *path, char *err, size_t errlen)
{
	char *text, *line, *save = NULL;
	unsigned lineno = 0;
	struct stat st;
	size_t len;
	int rc = read_file_at(AT_FDCWD, path, HEADER_FILE_MAX, &text, &len);

	if (rc < 0)
		return errbuf_set(err, errlen, rc, "sink %s: header_file %s: %s", w->k->name, path,
				  strerror(-rc));
	if (stat(path, &st) == 0 && (st.st_mode & 0077))
		log_warn("sink %s: header_file %s can be read by others (mode %o): it should "
			 "hold secrets only redmon reads",
			 w->k->name, path, st.st_mode & 0777);
	for (char *p = text; rc == 0 && (line = strtok_r(p, "\n", &save)); p = NULL) {
		char *colon = strchr(line, ':');
		struct curl_slist *h;
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] == '\r')
			line[--n] = 0;
		if (!*line || *line == '#')
			continue;
		if (!colon || colon == line || has_control(line) ||
		    strspn(line, HEADER_NAME_CHARS) != (size_t)(colon - line))
			rc = errbuf_set(err, errlen, -EINVAL, "%s:%u: expected 'Name: value'", path,
					lineno);
		else if ((h = w->curl->slist_append(w->headers, line)))
			w->headers = h;
		else
			rc = -ENOMEM;
	}
	free(text);
	return rc;
}

static void webhook_close(struct sink *k)
{
	struct webhook *w = k->priv;
	const struct curl_dl *curl = w->curl;

	for (size_t i = 0; i < w->n_targets; i++) {
		request_reset(w, &w->targets[i].send);
		request_reset(w, &w->targets[i].test);
	}
	curl_loop_cleanup(&w->cl); /* may still call back into w->cl: w lives on */
	for (size_t i = 0; i < w->n_targets; i++) {
		struct target *t = &w->targets[i];

		curl->easy_cleanup(t->send.easy);
		curl->easy_cleanup(t->test.easy);
		loop_timer_free(t->retry_timer);
		spool_free(t->spool);
		free(t->spool_dir);
		free(t->url);
	}
	free(w->targets);
	loop_timer_free(w->resend_timer);
	json_decref(w->held);
	json_decref(w->labels);
	free(w->instance);
	curl->slist_free_all(w->headers);
	free(w->spool_dir);
	free(w->ca_file);
	free(w->proxy);
	free(w);
	curl->global_cleanup(); /* after its last call into libcurl */
}

/*
 * The targets of url (URLs separated by spaces).  The first spools in the
 * sink's spool_dir, as a single URL always did; the others in
 * <spool_dir>/url2, url3, ... (the spool ignores subdirectories).
 */
static int targets_new(struct webhook *w, const char *urls)
{
	const char *p;
	size_t n = 0;

	/* Allocated once: requests and timers point at their target. */
	for (p = urls; *(p += strspn(p, " \t")); p += strcspn(p, " \t"))
		n++;
	if (!n)
		return -EINVAL;
	w->targets = calloc(n, sizeof(*w->targets));
	if (!w->targets)
		return -ENOMEM;
	for (p = urls; *(p += strspn(p, " \t")); p += strcspn(p, " \t")) {
		struct target *t = &w->targets[w->n_targets++];

		t->w = w;
		t->send.t = t->test.t = t;
		t->url = strndup(p, strcspn(p, " \t"));
		if (!t->url)
			return -ENOMEM;
		url_redact(t->url, t->shown, sizeof(t->shown));
		if (w->spool_dir && w->n_targets == 1)
			t->spool_dir = strdup(w->spool_dir);
		else if (w->spool_dir &&
			 asprintf(&t->spool_dir, "%s/url%zu", w->spool_dir, w->n_targets) < 0)
			t->spool_dir = NULL;
		if (w->spool_dir && !t->spool_dir)
			return -ENOMEM;
	}
	return 0;
}

/* Each target's spool (the daemon only), requests and retry timer. */
static int target_setup(struct webhook *w, struct target *t, size_t max, char *err, size_t errlen)
{
	const struct sink_env *env = sink_env(w->k);
	/* test-alert (no agg) bypasses the spool: it must not touch the daemon's. */
	int rc = env->agg ? spool_open(t->spool_dir, max, &t->spool) : 0;

	if (rc < 0)
		return errbuf_set(
			err, errlen, rc, "sink %s: spool %s: %s", w->k->name, t->spool_dir,
			rc == -ELOOP ? "a symbolic link on the way is neither root's nor ours"
				     : strerror(-rc));
	t->send.easy = w->curl->easy_init();
	t->test.easy = w->curl->easy_init();
	if (!t->send.easy || !t->test.easy)
		return -ENOMEM;
	return loop_timer_new(env->loop, on_retry, t, &t->retry_timer);
}

/* The routing labels and instance the config checked, as JSON once; 0 or -ENOMEM. */
static int routing_setup(struct webhook *w, const struct sink_labels *l, const char *instance)
{
	if (instance && !(w->instance = strdup(instance)))
		return -ENOMEM;
	if (l->n == 0)
		return 0;
	w->labels = json_object();
	for (unsigned i = 0; w->labels && i < l->n; i++) {
		if (json_object_set_new(w->labels, l->v[i].name, json_text(l->v[i].value)) < 0)
			return -ENOMEM;
	}
	return w->labels ? 0 : -ENOMEM;
}

static int webhook_setup(struct webhook *w, const struct cfg_sink *set, char *err, size_t errlen)
{
	const struct sink_env *env = sink_env(w->k);
	const char *dir = set->webhook.spool_dir, *ca = set->webhook.ca_file;
	const char *headers = set->webhook.header_file;
	int rc;

	w->proxy = strdup(set->webhook.proxy);
	w->ca_file = ca ? strdup(ca) : NULL;
	w->alertmanager = set->webhook.format == WEBHOOK_ALERTMANAGER;
	w->tls_verify = set->webhook.tls_verify;
	w->k->timeout_ms = set->webhook.timeout_ms;
	w->retry_initial = set->webhook.retry_initial_ms;
	w->retry_max = set->webhook.retry_max_ms;
	w->resend_ms = set->webhook.resend_ms;
	if (routing_setup(w, &set->webhook.labels, set->webhook.instance) < 0)
		return -ENOMEM;
	if (dir)
		w->spool_dir = strdup(dir);
	else if (env->state_dir &&
		 asprintf(&w->spool_dir, "%s/spool/%s", env->state_dir, w->k->name) < 0)
		w->spool_dir = NULL;
	if (!dir && !env->state_dir && env->agg)
		return errbuf_set(err, errlen, -EINVAL,
				  "sink %s: set spool_dir (there is no [daemon] state_dir to "
				  "put the spool in: with --root it must be set)",
				  w->k->name);
	if (!w->proxy || (ca && !w->ca_file) || (!w->spool_dir && (dir || env->state_dir)))
		return -ENOMEM;
	rc = targets_new(w, set->webhook.url);
	if (rc == -EINVAL)
		snprintf(err, errlen, "sink %s: url is empty", w->k->name);
	if (rc < 0)
		return rc;
	if (!w->tls_verify)
		log_warn("sink %s: tls_verify = no: anyone on the path can read and forge alerts",
			 w->k->name);
	if (headers && (rc = read_headers(w, headers, err, errlen)) < 0)
		return rc;
	rc = curl_loop_init(&w->cl, w->curl, env->loop, on_done, w);
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < w->n_targets; i++)
		rc = target_setup(w, &w->targets[i], set->webhook.spool_max, err, errlen);
	if (rc == 0 && w->alertmanager && env->agg) {
		w->held = held_load(w);
		rc = w->held ? loop_timer_new(env->loop, on_resend, w, &w->resend_timer) : -ENOMEM;
		if (rc == 0)
			rc = loop_timer_arm(w->resend_timer, w->resend_ms);
	}
	if (rc < 0)
		return rc;
	return 0;
}

static int webhook_open(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen)
{
	char why[300];
	const struct curl_dl *curl = curl_dl_get(why, sizeof(why));
	struct webhook *w;
	struct bus *bus = sink_env(k)->bus;
	int rc;

	if (!curl)
		return errbuf_set(err, errlen, -ELIBACC, "sink %s: %s", k->name, why);
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (curl->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(w);
		return -ENOMEM;
	}
	w->curl = curl;
	w->k = k;
	k->priv = w;
	rc = webhook_setup(w, set, err, errlen);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "sink %s: out of memory", k->name);
	/* test-alert (no agg) has no spools to send. */
	if (rc < 0 || !sink_env(k)->agg)
		return rc;
	for (size_t i = 0; i < w->n_targets; i++) {
		struct target *t = &w->targets[i];

		/* The sequence never goes back, even below what a lost state file said. */
		if (bus && bus_raise_seq(bus, spool_last(t->spool)) < 0)
			log_warn("sink %s: %s holds alert %llu, above any redmon numbers: the "
				 "sequence does not follow it",
				 k->name, t->spool_dir, (unsigned long long)spool_last(t->spool));
		if (spool_count(t->spool))
			log_notice("sink %s: %zu undelivered alert%s in %s: sending them first",
				   k->name, spool_count(t->spool),
				   spool_count(t->spool) == 1 ? "" : "s", t->spool_dir);
		kick(t);
	}
	return 0;
}

/* The target's receiver is failing: a retry is pending or the last request failed. */
static bool backlogged(const struct target *t)
{
	return loop_timer_armed(t->retry_timer) || t->failing;
}

/* Spool entry (its key and body) for one target; false when the entry is lost. */
static bool target_spool(struct target *t, const struct alert *a, const char *entry)
{
	struct sink *k = t->w->k;
	size_t dropped = 0;
	char why[600];
	int rc = spool_put(t->spool, a->ev->seq, entry, strlen(entry),
			   t->send.active ? t->send.seq : 0, &dropped);

	if (rc < 0) {
		snprintf(why, sizeof(why), "cannot spool alert %llu in %s: %s",
			 (unsigned long long)a->ev->seq, t->spool_dir, strerror(-rc));
		target_result(t, rc, true, why);
		return false;
	}
	if (rc == 1 && !t->spool_refused)
		log_err("sink %s: the disk of %s refuses alerts (from %llu on): they wait in "
			"memory until delivered, lost if redmon stops first",
			k->name, t->spool_dir, (unsigned long long)a->ev->seq);
	else if (rc == 0 && t->spool_refused)
		log_notice("sink %s: %s takes alerts again", k->name, t->spool_dir);
	t->spool_refused = rc == 1;
	if (dropped)
		sink_overflow(k, dropped);
	return true;
}

static void webhook_deliver(struct sink *k, const struct alert *a)
{
	struct webhook *w = k->priv;
	/* "now" alerts (reminder, heartbeat): worthless once they waited in a spool. */
	bool now_only = a->ev->type == EV_REMINDER || a->ev->type == EV_HEARTBEAT;
	char key[KEY_MAX], *body, *entry = NULL;
	bool wanted = false, started = false;

	for (size_t i = 0; i < w->n_targets; i++)
		wanted = wanted || !now_only || !backlogged(&w->targets[i]);
	if (!wanted)
		return;
	body = render(w, a);
	held_save(w);
	/* Encoded here, so the entry's first "\n\n" is always the end of the key. */
	key_encode(a->key, true, key, sizeof(key));
	if (body && asprintf(&entry, KEY_HEADER "%s\n\n%s", key, body) < 0)
		entry = NULL;
	free(body);
	for (size_t i = 0; i < w->n_targets; i++) {
		struct target *tg = &w->targets[i];

		if (!entry) {
			target_result(tg, -ENOMEM, true, "out of memory rendering an alert");
		} else if ((!now_only || !backlogged(tg)) && target_spool(tg, a, entry)) {
			kick(tg);
			started = started || tg->send.active;
		}
	}
	free(entry);
	/*
	 * Put the request on the wire now, not at the next loop iteration: the
	 * rest of the scan (more spool writes, the state file) costs fsyncs.
	 */
	if (started)
		curl_loop_kick(&w->cl);
}

static void webhook_test(struct sink *k, const struct alert *a)
{
	struct webhook *w = k->priv;
	char key[KEY_MAX];

	key_encode(a->key, true, key, sizeof(key));
	for (size_t i = 0; i < w->n_targets; i++) {
		if (w->targets[i].test.active) {
			sink_test_done(k, -EBUSY, "a test is already running");
			return;
		}
	}
	for (size_t i = 0; i < w->n_targets; i++) {
		struct request *r = &w->targets[i].test;
		char *body = render(w, a);

		r->test_rc = body ? request_start(w, r, body, key) : -ENOMEM;
		if (r->test_rc < 0)
			snprintf(r->test_why, sizeof(r->test_why), "POST %s: %s", r->t->shown,
				 strerror(-r->test_rc));
	}
	/* None started: nothing will call tested(), so say it now. */
	for (size_t i = 0; i < w->n_targets; i++) {
		if (w->targets[i].test.active)
			return;
	}
	sink_test_done(k, w->targets[0].test.test_rc, w->targets[0].test.test_why);
}

static bool webhook_busy(const struct sink *k)
{
	const struct webhook *w = k->priv;

	for (size_t i = 0; !w->retired && i < w->n_targets; i++) {
		if (w->targets[i].send.active || w->targets[i].test.active)
			return true;
	}
	return false;
}

/* Reload: the next set's sink takes over the spools; what is in flight stays spooled. */
static void webhook_retire(struct sink *k)
{
	struct webhook *w = k->priv;

	w->retired = true;
	for (size_t i = 0; i < w->n_targets; i++) {
		request_reset(w, &w->targets[i].send);
		loop_timer_disarm(w->targets[i].retry_timer);
	}
	if (w->resend_timer)
		loop_timer_disarm(w->resend_timer);
}

const struct sink_ops sink_webhook_ops = {
	.type = "webhook",
	.open = webhook_open,
	.deliver = webhook_deliver,
	.test = webhook_test,
	.busy = webhook_busy,
	.retire = webhook_retire,
	.close = webhook_close,
};
