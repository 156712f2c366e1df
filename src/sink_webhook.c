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
 * HTTP runs on the curl multi interface driven from the epoll loop
 * (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION), never curl_easy_perform().
 * TLS is verified unless tls_verify = no.  Proxies from the environment are
 * ignored unless proxy is set: a daemon should not depend on how it was
 * started.
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
#include "json.h"
#include "log.h"
#include "loop.h"
#include "loop_timer.h"
#include "sink.h"
#include "spool.h"

#define KEY_HEADER	  "Idempotency-Key: "
#define HEADER_FILE_MAX	  (64u << 10)
#define ONE_SHOT_ALERT_MS (3600 * 1000)
#define TEST_ALERT_MS	  (5 * 60 * 1000)

/* One request: the spooled alert in flight, or test-alert's. */
struct request {
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	uint64_t seq;
	bool active;
	char response[256];
	size_t response_len;
	char error[CURL_ERROR_SIZE];
};

struct webhook {
	struct sink *k;
	char *url;
	bool alertmanager;
	char **headers; /* from header_file */
	size_t n_headers;
	uint64_t retry_initial, retry_max, backoff;
	bool tls_verify;
	char *ca_file;
	char *proxy;
	struct spool *spool;
	char *spool_dir;
	bool spool_refused; /* the disk refused entries: they wait in memory (logged once) */
	CURLM *multi;
	struct loop_timer *curl_timer, *retry_timer;
	struct request send, test;
	bool retired;
};

static void kick(struct webhook *w);

/* --- curl on the loop ------------------------------------------------------ */

static void finished(struct webhook *w);

static void on_socket_ready(void *ctx, int fd, uint32_t revents)
{
	struct webhook *w = ctx;
	int flags = 0, running;

	if (revents & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(w->multi, fd, flags, &running);
	finished(w);
}

static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct webhook *w = userp;
	struct loop *l = sink_env(w->k)->loop;
	uint32_t events = 0;

	(void)e;
	(void)socketp;
	/* The loop has no "modify": watching again replaces the old interest. */
	loop_del(l, s);
	if (what == CURL_POLL_REMOVE)
		return 0;
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	return loop_add(l, s, events, on_socket_ready, w) < 0 ? -1 : 0;
}

static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct webhook *w = userp;

	(void)m;
	if (timeout_ms < 0)
		loop_timer_disarm(w->curl_timer);
	else
		loop_timer_arm(w->curl_timer, (uint64_t)timeout_ms);
	return 0;
}

static void on_curl_timeout(void *ctx)
{
	struct webhook *w = ctx;
	int running;

	curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	finished(w);
}

static size_t on_response(char *data, size_t size, size_t n, void *userp)
{
	struct request *r = userp;
	size_t len = size * n, room = sizeof(r->response) - 1 - r->response_len;

	if (room) {
		memcpy(r->response + r->response_len, data, len < room ? len : room);
		r->response_len += len < room ? len : room;
		r->response[r->response_len] = 0;
	}
	return len;
}

static void request_reset(struct webhook *w, struct request *r)
{
	if (r->active)
		curl_multi_remove_handle(w->multi, r->easy);
	r->active = false;
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	free(r->body);
	r->body = NULL;
}

/* Start POSTing body (taken) with key; 0 or -errno. */
static int request_start(struct webhook *w, struct request *r, char *body, const char *key)
{
	struct curl_slist *h = NULL;
	char line[400];
	CURL *e = r->easy;

	r->body = body;
	r->response_len = 0;
	r->response[0] = 0;
	r->error[0] = 0;
	snprintf(line, sizeof(line), KEY_HEADER "%s", key);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = h ? curl_slist_append(h, "Expect:") : NULL; /* no 100-continue round trip */
	h = h ? curl_slist_append(h, line) : NULL;
	for (size_t i = 0; h && i < w->n_headers; i++)
		h = curl_slist_append(h, w->headers[i]);
	if (!h) {
		request_reset(w, r);
		return -ENOMEM;
	}
	r->headers = h;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, w->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)w->k->timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, w->proxy);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, w->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, w->tls_verify ? 2L : 0L);
	if (w->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, w->ca_file);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "redmon/" REDMON_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
		request_reset(w, r);
		return -EIO;
	}
	r->active = true;
	return 0;
}

/* Why a request failed, in words; 0 when it did not (2xx). */
static int outcome(struct webhook *w, struct request *r, CURLcode res, long *ret_code, char *why,
		   size_t len)
{
	char body[300];
	long code = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	*ret_code = code;
	if (res != CURLE_OK) {
		snprintf(why, len, "POST %s: %s", w->url,
			 r->error[0] ? r->error : curl_easy_strerror(res));
		return -EIO;
	}
	if (code >= 200 && code < 300)
		return 0;
	text_one_line(r->response, body, sizeof(body));
	snprintf(why, len, "POST %s: HTTP %ld%s%s", w->url, code, *body ? ": " : "", body);
	return -EIO;
}

/* The alert itself is what the receiver refuses: sending it again cannot help. */
static bool refused_for_good(long code)
{
	return code == 400 || code == 413 || code == 422;
}

static void sent(struct webhook *w, CURLcode res)
{
	struct request *r = &w->send;
	uint64_t seq = r->seq;
	char why[600];
	long code;
	int rc = outcome(w, r, res, &code, why, sizeof(why));

	request_reset(w, r);
	if (rc == 0) {
		spool_remove(w->spool, seq);
		w->backoff = 0;
		sink_result(w->k, 0, false, NULL);
		sink_overflow_end(w->k);
	} else if (res == CURLE_OK && refused_for_good(code)) {
		spool_set_aside(w->spool, seq);
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
			 "; alert %llu set aside in %s as .rejected", (unsigned long long)seq,
			 w->spool_dir);
		sink_result(w->k, -EBADMSG, true, why);
	} else {
		sink_result(w->k, rc, false, why);
		w->backoff = w->backoff ? w->backoff * 2 : w->retry_initial;
		if (w->backoff > w->retry_max)
			w->backoff = w->retry_max;
		loop_timer_arm(w->retry_timer, w->backoff);
		return;
	}
	kick(w);
}

static void tested(struct webhook *w, CURLcode res)
{
	struct request *r = &w->test;
	char why[600];
	long code;
	int rc = outcome(w, r, res, &code, why, sizeof(why));

	if (rc == 0)
		snprintf(why, sizeof(why), "HTTP %ld", code);
	request_reset(w, r);
	sink_test_done(w->k, rc, why);
}

static void finished(struct webhook *w)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(w->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (msg->easy_handle == w->send.easy)
			sent(w, msg->data.result);
		else if (msg->easy_handle == w->test.easy)
			tested(w, msg->data.result);
	}
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

/* Send the oldest spooled alert, unless one is in flight or a retry is pending. */
static void kick(struct webhook *w)
{
	while (!w->retired && !w->send.active && !loop_timer_armed(w->retry_timer) &&
	       spool_count(w->spool)) {
		uint64_t seq = spool_first(w->spool);
		const char *key = NULL;
		char *text, *body = NULL, *copy;
		size_t len;
		int rc = spool_read(w->spool, seq, &text, &len);

		if (rc == -ENOMEM) {
			loop_timer_arm(w->retry_timer, w->retry_initial);
			return;
		}
		if (rc == 0 && (rc = entry_parse(text, &key, &body)) < 0)
			free(text);
		if (rc < 0) {
			log_err("sink %s: spooled alert %llu in %s is unreadable (%s): set aside",
				w->k->name, (unsigned long long)seq, w->spool_dir, strerror(-rc));
			spool_set_aside(w->spool, seq);
			continue;
		}
		copy = strdup(body);
		w->send.seq = seq;
		rc = copy ? request_start(w, &w->send, copy, key) : -ENOMEM;
		free(text);
		if (rc < 0) {
			sink_result(w->k, rc, false, "cannot start a request");
			loop_timer_arm(w->retry_timer, w->retry_initial);
		}
		return;
	}
}

static void on_retry(void *ctx)
{
	kick(ctx);
}

/* --- bodies ------------------------------------------------------------------ */

static void set_time(json_t *o, const char *key, const struct timespec *t, int64_t plus_ms)
{
	struct timespec ts = *t;
	char buf[40];

	ts.tv_sec += plus_ms / 1000;
	format_utc_ms(&ts, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

/*
 * One Alertmanager alert (API v2 postableAlert): labels (taken) identify it,
 * so they hold only what does not change while it fires; the rest goes into
 * annotations.  Resolved: endsAt now.  Firing: endsAt only for alerts that
 * end by themselves (ends_ms > 0).
 */
static json_t *am_alert(const struct alert *a, const char *name, json_t *labels, bool firing,
			int64_t ends_ms)
{
	json_t *o = json_object(), *ann = json_object();
	json_t *msg = json_object_get(a->json, "message");
	char seq[32];

	json_object_set_new(labels, "alertname", json_string(name));
	json_object_set_new(labels, "instance", json_text(a->host));
	json_object_set_new(o, "labels", labels);
	json_object_set(ann, "summary", msg);
	json_object_set_new(ann, "event", json_string(event_type_name(a->ev->type)));
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)a->ev->seq);
	json_object_set_new(ann, "seq", json_string(seq));
	json_object_set_new(ann, "idempotency_key", json_text(a->key));
	if (a->ev->group) {
		const struct group *g = a->ev->group;
		char margin[48];

		json_object_set_new(ann, "health", json_string(health_name(g->health)));
		if (margin_shown(g) >= 0)
			snprintf(margin, sizeof(margin), "%d of %d", margin_shown(g),
				 g->margin_nominal);
		else
			snprintf(margin, sizeof(margin), "unknown");
		json_object_set_new(ann, "margin", json_string(margin));
		json_object_set_new(ann, "kind", json_text(g->kind));
		json_object_set_new(ann, "type", json_text(g->type));
	}
	json_object_set_new(o, "annotations", ann);
	set_time(o, "startsAt", &a->ev->time, 0);
	if (!firing)
		set_time(o, "endsAt", &a->ev->time, 0);
	else if (ends_ms > 0)
		set_time(o, "endsAt", &a->ev->time, ends_ms);
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

/*
 * The Alertmanager body: a list.  A group not ok fires RedmonGroupUnhealthy
 * with its severity; every group event also resolves the other severity, so
 * a degraded -> critical change (or a recovery) leaves nothing stale firing.
 */
static json_t *am_body(const struct alert *a, uint64_t heartbeat_ms)
{
	const struct event *ev = a->ev;
	json_t *list = json_array();

	if (ev->group) {
		const struct group *g = ev->group;
		bool firing = ev->type != EV_GROUP_VANISHED && policy_health_reminded(g->health);
		bool critical = g->health == HEALTH_CRITICAL || g->health == HEALTH_FAILED;

		for (int c = 0; c < 2; c++) {
			json_t *l = labels_of("group", g->id, c ? "critical" : "warning");

			json_object_set_new(l, "probe", json_text(g->probe));
			json_array_append_new(list, am_alert(a, "RedmonGroupUnhealthy", l,
							     firing && c == critical, 0));
		}
		return list;
	}
	switch (ev->type) {
	case EV_PROBE_FAILED:
	case EV_PROBE_RECOVERED:
		json_array_append_new(list, am_alert(a, "RedmonProbeFailed",
						     labels_of("probe", ev->probe, "warning"),
						     ev->type == EV_PROBE_FAILED, 0));
		break;
	case EV_SINK_FAILED:
	case EV_SINK_RECOVERED:
		json_array_append_new(list, am_alert(a, "RedmonSinkFailed",
						     labels_of("sink", ev->sink, "warning"),
						     ev->type == EV_SINK_FAILED, 0));
		break;
	case EV_SPOOL_OVERFLOW:
		json_array_append_new(list, am_alert(a, "RedmonAlertsDropped",
						     labels_of("sink", ev->sink, "warning"), true,
						     ONE_SHOT_ALERT_MS));
		break;
	case EV_HEARTBEAT:
		/* A dead man's switch: it resolves by itself when heartbeats stop. */
		json_array_append_new(list,
				      am_alert(a, "RedmonHeartbeat", labels_of(NULL, NULL, "none"),
					       true, 2 * (int64_t)heartbeat_ms));
		break;
	default:
		json_array_append_new(list, am_alert(a, "RedmonTest", labels_of(NULL, NULL, "info"),
						     true, TEST_ALERT_MS));
		break;
	}
	return list;
}

/* The request body for a: the event object, or the Alertmanager list. */
static char *render(struct webhook *w, const struct alert *a)
{
	json_t *list;
	char *text;

	if (!w->alertmanager)
		return strndup(a->line, a->line_len);
	list = am_body(a, w->k->heartbeat_ms);
	text = list ? json_dumps(list, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)
		    : NULL;
	json_decref(list);
	return text;
}

/* --- the sink ---------------------------------------------------------------- */

static void headers_free(struct webhook *w)
{
	for (size_t i = 0; i < w->n_headers; i++)
		free(w->headers[i]);
	free(w->headers);
	w->headers = NULL;
	w->n_headers = 0;
}

static bool header_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-.^_`|~", c);
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

	if (rc < 0) {
		snprintf(err, errlen, "sink %s: header_file %s: %s", w->k->name, path,
			 strerror(-rc));
		return rc;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 0077))
		log_warn("sink %s: header_file %s can be read by others (mode %o): it should "
			 "hold secrets only redmon reads",
			 w->k->name, path, st.st_mode & 0777);
	for (char *p = text; (line = strtok_r(p, "\n", &save)); p = NULL) {
		char *colon = strchr(line, ':'), **v;
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] == '\r')
			line[--n] = 0;
		if (!*line || *line == '#')
			continue;
		for (char *c = line; colon && c < colon; c++) {
			if (!header_name_char(*c))
				colon = NULL;
		}
		if (!colon || colon == line || strpbrk(line, "\r")) {
			snprintf(err, errlen, "%s:%u: expected 'Name: value'", path, lineno);
			rc = -EINVAL;
			break;
		}
		v = realloc(w->headers, (w->n_headers + 1) * sizeof(*v));
		if (!v || !(v[w->n_headers] = strdup(line))) {
			if (v)
				w->headers = v;
			rc = -ENOMEM;
			break;
		}
		w->headers = v;
		w->n_headers++;
	}
	free(text);
	return rc;
}

static void webhook_free(struct webhook *w)
{
	if (!w)
		return;
	request_reset(w, &w->send);
	request_reset(w, &w->test);
	if (w->multi)
		curl_multi_cleanup(w->multi); /* may still call on_curl_socket: w lives on */
	if (w->send.easy)
		curl_easy_cleanup(w->send.easy);
	if (w->test.easy)
		curl_easy_cleanup(w->test.easy);
	loop_timer_free(w->curl_timer);
	loop_timer_free(w->retry_timer);
	spool_free(w->spool);
	headers_free(w);
	free(w->spool_dir);
	free(w->url);
	free(w->ca_file);
	free(w->proxy);
	free(w);
	curl_global_cleanup();
}

static int webhook_setup(struct webhook *w, const struct config *cfg, const char *section,
			 char *err, size_t errlen)
{
	const struct sink_env *env = sink_env(w->k);
	const char *dir = cfg_value(cfg, section, "spool_dir");
	const char *headers = cfg_value(cfg, section, "header_file");
	const char *ca = cfg_value(cfg, section, "ca_file");
	uint64_t max = 10000;
	int rc;

	w->url = strdup(cfg_value(cfg, section, "url"));
	w->proxy = strdup(cfg_value(cfg, section, "proxy"));
	w->ca_file = ca ? strdup(ca) : NULL;
	w->alertmanager = strcmp(cfg_value(cfg, section, "format"), "alertmanager") == 0;
	opt_parse_bool(cfg_value(cfg, section, "tls_verify"), &w->tls_verify);
	opt_parse_duration_ms(cfg_value(cfg, section, "timeout"), 1, UINT64_MAX, &w->k->timeout_ms);
	opt_parse_duration_ms(cfg_value(cfg, section, "retry_initial"), 1, UINT64_MAX,
			      &w->retry_initial);
	opt_parse_duration_ms(cfg_value(cfg, section, "retry_max"), 1, UINT64_MAX, &w->retry_max);
	opt_parse_uint(cfg_value(cfg, section, "spool_max"), 1, UINT64_MAX, &max);
	if (dir)
		w->spool_dir = strdup(dir);
	else if (env->state_dir &&
		 asprintf(&w->spool_dir, "%s/spool/%s", env->state_dir, w->k->name) < 0)
		w->spool_dir = NULL;
	if (!dir && !env->state_dir && env->agg) {
		snprintf(err, errlen,
			 "sink %s: set spool_dir (there is no [daemon] state_dir to "
			 "put the spool in: with --root it must be set)",
			 w->k->name);
		return -EINVAL;
	}
	if (!w->url || !w->proxy || (ca && !w->ca_file) || (!w->spool_dir && env->agg))
		return -ENOMEM;
	if (!w->tls_verify)
		log_warn("sink %s: tls_verify = no: anyone on the path can read and forge alerts",
			 w->k->name);
	if (headers && (rc = read_headers(w, headers, err, errlen)) < 0)
		return rc;
	/* test-alert (no agg) bypasses the spool: it must not touch the daemon's. */
	rc = env->agg ? spool_open(w->spool_dir, max, &w->spool) : 0;
	if (rc < 0) {
		snprintf(err, errlen, "sink %s: spool %s: %s", w->k->name, w->spool_dir,
			 strerror(-rc));
		return rc;
	}
	w->send.easy = curl_easy_init();
	w->test.easy = curl_easy_init();
	w->multi = curl_multi_init();
	if (!w->send.easy || !w->test.easy || !w->multi)
		return -ENOMEM;
	rc = loop_timer_new(env->loop, on_curl_timeout, w, &w->curl_timer);
	if (rc == 0)
		rc = loop_timer_new(env->loop, on_retry, w, &w->retry_timer);
	if (rc < 0)
		return rc;
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	return 0;
}

static int webhook_open(struct sink *k, const struct config *cfg, const char *section, char *err,
			size_t errlen)
{
	struct webhook *w = calloc(1, sizeof(*w));
	struct agg *agg = sink_env(k)->agg;
	int rc;

	if (!w)
		return -ENOMEM;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(w);
		return -ENOMEM;
	}
	w->k = k;
	rc = webhook_setup(w, cfg, section, err, errlen);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "sink %s: out of memory", k->name);
		webhook_free(w);
		return rc;
	}
	k->priv = w;
	if (!agg)
		return 0;
	/* The sequence never goes back, even below what a lost state file said. */
	if (spool_last(w->spool) > agg->seq)
		agg->seq = spool_last(w->spool);
	if (spool_count(w->spool))
		log_notice("sink %s: %zu undelivered alert%s in %s: sending them first", k->name,
			   spool_count(w->spool), spool_count(w->spool) == 1 ? "" : "s",
			   w->spool_dir);
	kick(w);
	return 0;
}

/* The receiver is failing: a retry is pending or the last request failed. */
static bool backlogged(const struct webhook *w)
{
	return loop_timer_armed(w->retry_timer) || w->k->failures;
}

static void webhook_deliver(struct sink *k, const struct alert *a)
{
	struct webhook *w = k->priv;
	enum event_type t = a->ev->type;
	char entry_head[400], why[300];
	size_t dropped = 0;
	char *body, *entry = NULL;
	int rc;

	/* A reminder or heartbeat says "now": worthless once it waited in the spool. */
	if ((t == EV_REMINDER || t == EV_HEARTBEAT) && backlogged(w))
		return;
	body = render(w, a);
	snprintf(entry_head, sizeof(entry_head), KEY_HEADER "%s\n\n", a->key);
	if (body && asprintf(&entry, "%s%s", entry_head, body) < 0)
		entry = NULL;
	free(body);
	rc = entry ? spool_put(w->spool, a->ev->seq, entry, strlen(entry),
			       w->send.active ? w->send.seq : 0, &dropped)
		   : -ENOMEM;
	free(entry);
	if (rc < 0) {
		snprintf(why, sizeof(why), "cannot spool alert %llu in %s: %s",
			 (unsigned long long)a->ev->seq, w->spool_dir, strerror(-rc));
		sink_result(k, rc, true, why);
		return;
	}
	if (rc == 1 && !w->spool_refused)
		log_err("sink %s: the disk of %s refuses alerts (from %llu on): they wait in "
			"memory "
			"until delivered, lost if redmon stops first",
			k->name, w->spool_dir, (unsigned long long)a->ev->seq);
	else if (rc == 0 && w->spool_refused)
		log_notice("sink %s: %s takes alerts again", k->name, w->spool_dir);
	w->spool_refused = rc == 1;
	if (dropped)
		sink_overflow(k, dropped);
	kick(w);
	/*
	 * Put the request on the wire now, not at the next loop iteration: the
	 * rest of the scan (more spool writes, the state file) costs fsyncs.
	 */
	if (w->send.active) {
		int running;

		curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		finished(w);
	}
}

static void webhook_test(struct sink *k, const struct alert *a)
{
	struct webhook *w = k->priv;
	char *body = render(w, a);
	int rc;

	if (w->test.active) {
		sink_test_done(k, -EBUSY, "a test is already running");
		free(body);
		return;
	}
	rc = body ? request_start(w, &w->test, body, a->key) : -ENOMEM;
	if (rc < 0)
		sink_test_done(k, rc, strerror(-rc));
}

static bool webhook_busy(const struct sink *k)
{
	const struct webhook *w = k->priv;

	return !w->retired && (w->send.active || w->test.active);
}

/* Reload: the next set's sink takes over the spool; what is in flight stays spooled. */
static void webhook_retire(struct sink *k)
{
	struct webhook *w = k->priv;

	w->retired = true;
	request_reset(w, &w->send);
	if (w->retry_timer)
		loop_timer_disarm(w->retry_timer);
}

static void webhook_close(struct sink *k)
{
	webhook_free(k->priv);
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
