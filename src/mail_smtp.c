/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mail_smtp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "curl_loop.h"
#include "errbuf.h"
#include "log.h"
#include "loop_timer.h"
#include "sink_settings.h"
#include "spool.h"

#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS   60000
#define ADDR_MAX       320
#define URL_SHOWN_MAX  512

/* One SMTP transaction: the spooled mail in flight, or test-alert's. */
struct smtp_send {
	struct mail_smtp *m;
	CURL *easy;
	char *data; /* the message, CRLF line ends; owned */
	size_t len, off;
	uint64_t seq; /* 0: test-alert */
	bool active;
	char error[CURL_ERROR_SIZE];
};

struct mail_smtp {
	struct sink *k;
	char *url;
	char shown[URL_SHOWN_MAX]; /* url_redact(url) */
	char sender[ADDR_MAX];
	struct curl_slist *rcpt;
	const struct curl_dl *curl; /* libcurl, loaded (curl_dl.h) */
	char *spool_dir;
	struct spool *spool; /* NULL: test-alert */
	bool in_memory;	     /* no state_dir: the spool is in memory only */
	bool spool_refused;
	struct curl_loop cl;
	struct loop_timer *retry_timer;
	uint64_t backoff;
	bool retired;
	struct smtp_send send, test;
};

/* --- addresses -------------------------------------------------------------- */

/*
 * The address of one mailbox of a header ("Ops <ops@example.org>" or
 * "ops@example.org"), as "<addr>" for MAIL FROM / RCPT TO; -EINVAL when it
 * holds none, or characters no address has.  A local user ("root", the
 * package's mail_to) goes as <root@localhost>: sendmail would qualify it,
 * an SMTP server may not (Exim refuses an unqualified RCPT TO), and
 * localhost is a local domain of every MTA's default setup (Postfix's
 * mydestination, Exim's local_domains), so the server's aliases apply.
 */
static int envelope_addr(const char *s, size_t n, char *buf, size_t len)
{
	const char *lt = memchr(s, '<', n), *gt;

	if (lt) {
		gt = memchr(lt, '>', n - (size_t)(lt - s));
		if (!gt)
			return -EINVAL;
		s = lt + 1;
		n = (size_t)(gt - s);
	}
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n && !memchr(s, '@', n) && sink_mail_local_user(s, n) &&
	    n + sizeof("<@localhost>") <= len) {
		snprintf(buf, len, "<%.*s@localhost>", (int)n, s);
		return 0;
	}
	if (!n || n + 3 > len || !memchr(s, '@', n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',')
			return -EINVAL;
	}
	snprintf(buf, len, "<%.*s>", (int)n, s);
	return 0;
}

/* mail_to (comma-separated) as RCPT TO addresses; 0, -EINVAL or -ENOMEM. */
static int recipients(struct mail_smtp *m, const char *to)
{
	while (*to) {
		size_t n = strcspn(to, ",");
		char addr[ADDR_MAX];
		struct curl_slist *l;

		if (envelope_addr(to, n, addr, sizeof(addr)) < 0)
			return -EINVAL;
		l = m->curl->slist_append(m->rcpt, addr);
		if (!l)
			return -ENOMEM;
		m->rcpt = l;
		to += n + (to[n] == ',');
	}
	return m->rcpt ? 0 : -EINVAL;
}

/* mail_from's address, else redmon@ the host name where it is one. */
static int sender(struct mail_smtp *m, const char *from)
{
	const char *host = sink_env(m->k)->host;
	bool sane = *host && strlen(host) < 200;

	if (from)
		return envelope_addr(from, strlen(from), m->sender, sizeof(m->sender));
	for (const char *p = host; *p; p++)
		sane = sane && (isalnum((unsigned char)*p) || *p == '-' || *p == '.');
	snprintf(m->sender, sizeof(m->sender), "<redmon@%s>", sane ? host : "localhost");
	return 0;
}

const char *mail_smtp_sender(const struct mail_smtp *m)
{
	return m->sender;
}

/* --- one transaction --------------------------------------------------------- */

static size_t on_read(char *buf, size_t size, size_t n, void *userp)
{
	struct smtp_send *s = userp;
	size_t take = size * n;

	if (take > s->len - s->off)
		take = s->len - s->off;
	memcpy(buf, s->data + s->off, take);
	s->off += take;
	return take;
}

static void send_reset(struct smtp_send *s)
{
	if (s->active)
		s->m->curl->multi_remove_handle(s->m->cl.multi, s->easy);
	s->active = false;
	free(s->data);
	s->data = NULL;
}

/* msg with CRLF line ends (RFC 5321 section 2.3.8); NULL on ENOMEM. */
static char *crlf(const char *msg, size_t len, size_t *ret_len)
{
	size_t lf = 0, o = 0;
	char *out;

	for (size_t i = 0; i < len; i++)
		lf += msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r');
	out = malloc(len + lf + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = msg[i];
	}
	out[o] = 0;
	*ret_len = o;
	return out;
}

/* Start the transaction of s with msg (LF ends); 0 or -errno. */
static int send_start(struct smtp_send *s, const char *msg, size_t len)
{
	struct mail_smtp *m = s->m;
	CURL *e = s->easy;

	s->data = crlf(msg, len, &s->len);
	if (!s->data)
		return -ENOMEM;
	s->off = 0;
	s->error[0] = 0;
	m->curl->easy_reset(e);
	m->curl->easy_setopt(e, CURLOPT_URL, m->url);
	m->curl->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	m->curl->easy_setopt(e, CURLOPT_MAIL_FROM, m->sender);
	m->curl->easy_setopt(e, CURLOPT_MAIL_RCPT, m->rcpt);
	m->curl->easy_setopt(e, CURLOPT_UPLOAD, 1L);
	m->curl->easy_setopt(e, CURLOPT_INFILESIZE, (long)s->len);
	m->curl->easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	m->curl->easy_setopt(e, CURLOPT_READDATA, s);
	m->curl->easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)m->k->timeout_ms);
	m->curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	m->curl->easy_setopt(e, CURLOPT_PROXY, ""); /* not the environment's */
	m->curl->easy_setopt(e, CURLOPT_ERRORBUFFER, s->error);
	m->curl->easy_setopt(e, CURLOPT_PRIVATE, s);
	if (m->curl->multi_add_handle(m->cl.multi, e) != CURLM_OK) {
		send_reset(s);
		return -EIO;
	}
	s->active = true;
	return 0;
}

/*
 * How a transaction went, in words: 0, -EBADMSG when the server refused the
 * mail for good (a 5xx reply), -EIO for anything else (retried).
 */
static int outcome(struct smtp_send *s, CURLcode res, char *why, size_t len)
{
	const struct mail_smtp *m = s->m;
	long code = 0;

	m->curl->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	if (res == CURLE_OK) {
		snprintf(why, len, "SMTP %ld", code);
		return 0;
	}
	if (code)
		snprintf(why, len, "SMTP %s: reply %ld: %s", m->shown, code,
			 s->error[0] ? s->error : m->curl->easy_strerror(res));
	else
		snprintf(why, len, "SMTP %s: %s", m->shown,
			 s->error[0] ? s->error : m->curl->easy_strerror(res));
	return code >= 500 && code < 600 ? -EBADMSG : -EIO;
}

/* --- the spool --------------------------------------------------------------- */

static void kick(struct mail_smtp *m);

/* The spooled mail seq went (rc 0), was refused for good, or waits for a retry. */
static void sent(struct mail_smtp *m, CURLcode res)
{
	struct smtp_send *s = &m->send;
	uint64_t seq = s->seq;
	char why[900];
	int rc = outcome(s, res, why, sizeof(why));

	send_reset(s);
	if (rc == 0) {
		spool_remove(m->spool, seq);
		m->backoff = 0;
		sink_result(m->k, 0, false, NULL);
		sink_overflow_end(m->k);
	} else if (rc == -EBADMSG) {
		spool_set_aside(m->spool, seq);
		if (m->in_memory)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "; mail %llu dropped (no spool on disk to set it aside in)",
				 (unsigned long long)seq);
		else
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "; mail %llu set aside in %s as .rejected",
				 (unsigned long long)seq, m->spool_dir);
		sink_result(m->k, rc, true, why);
	} else {
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (%zu mail%s kept in %s)",
			 spool_count(m->spool), spool_count(m->spool) == 1 ? "" : "s",
			 m->spool_dir);
		sink_result(m->k, rc, false, why);
		m->backoff = m->backoff ? m->backoff * 2 : RETRY_FIRST_MS;
		if (m->backoff > RETRY_MAX_MS)
			m->backoff = RETRY_MAX_MS;
		loop_timer_arm(m->retry_timer, m->backoff);
		return;
	}
	kick(m);
}

static void tested(struct mail_smtp *m, CURLcode res)
{
	char why[900];
	int rc = outcome(&m->test, res, why, sizeof(why));

	send_reset(&m->test);
	sink_test_done(m->k, rc, why);
}

static void on_done(void *ctx, CURL *easy, CURLcode res)
{
	struct mail_smtp *m = ctx;

	if (easy == m->send.easy)
		sent(m, res);
	else if (easy == m->test.easy)
		tested(m, res);
}

/* Send the oldest spooled mail, unless one is in flight or a retry is pending. */
static void kick(struct mail_smtp *m)
{
	while (m->spool && !m->retired && !m->send.active && !loop_timer_armed(m->retry_timer) &&
	       spool_count(m->spool)) {
		uint64_t seq = spool_first(m->spool);
		char *text;
		size_t len;
		int rc = spool_read(m->spool, seq, &text, &len);

		if (rc == -ENOMEM) {
			loop_timer_arm(m->retry_timer, RETRY_FIRST_MS);
			return;
		}
		if (rc < 0) {
			log_err("sink %s: spooled mail %llu in %s is unreadable (%s): set aside",
				m->k->name, (unsigned long long)seq, m->spool_dir, strerror(-rc));
			spool_set_aside(m->spool, seq);
			continue;
		}
		m->send.seq = seq;
		rc = send_start(&m->send, text, len);
		free(text);
		if (rc < 0) {
			sink_result(m->k, rc, false, "cannot start an SMTP transaction");
			loop_timer_arm(m->retry_timer, RETRY_FIRST_MS);
		}
		return;
	}
}

static void on_retry(void *ctx)
{
	kick(ctx);
	curl_loop_kick(&((struct mail_smtp *)ctx)->cl);
}

void mail_smtp_queue(struct mail_smtp *m, uint64_t seq, const char *msg, size_t len)
{
	size_t dropped = 0;
	char why[600];
	int rc = m->spool ? spool_put(m->spool, seq, msg, len, m->send.active ? m->send.seq : 0,
				      &dropped)
			  : -ENOENT; /* test-alert has no spool, and no events to queue */

	if (rc < 0) {
		snprintf(why, sizeof(why), "cannot spool mail %llu in %s: %s",
			 (unsigned long long)seq, m->spool_dir ? m->spool_dir : "(none)",
			 strerror(-rc));
		sink_result(m->k, rc, true, why);
		return;
	}
	if (m->in_memory)
		rc = 0; /* said once at the start */
	if (rc == 1 && !m->spool_refused)
		log_err("sink %s: the disk of %s refuses mail (from %llu on): it waits in memory "
			"until sent, lost if redmon stops first",
			m->k->name, m->spool_dir, (unsigned long long)seq);
	else if (rc == 0 && m->spool_refused)
		log_notice("sink %s: %s takes mail again", m->k->name, m->spool_dir);
	m->spool_refused = rc == 1;
	if (dropped)
		sink_overflow(m->k, dropped);
	kick(m);
	/* On the wire now, not at the next loop iteration. */
	if (m->send.active)
		curl_loop_kick(&m->cl);
}

void mail_smtp_test(struct mail_smtp *m, const char *msg, size_t len)
{
	char why[700];
	int rc;

	if (m->test.active) {
		sink_test_done(m->k, -EBUSY, "a test is already running");
		return;
	}
	rc = send_start(&m->test, msg, len);
	if (rc < 0) {
		snprintf(why, sizeof(why), "SMTP %s: %s", m->shown, strerror(-rc));
		sink_test_done(m->k, rc, why);
		return;
	}
	curl_loop_kick(&m->cl);
}

bool mail_smtp_busy(const struct mail_smtp *m)
{
	return !m->retired && (m->send.active || m->test.active);
}

void mail_smtp_retire(struct mail_smtp *m)
{
	m->retired = true;
	send_reset(&m->send);
	loop_timer_disarm(m->retry_timer);
}

void mail_smtp_free(struct mail_smtp *m)
{
	const struct curl_dl *curl;

	if (!m)
		return;
	curl = m->curl;
	if (m->cl.multi) {
		send_reset(&m->send);
		send_reset(&m->test);
	}
	curl_loop_cleanup(&m->cl);
	curl->easy_cleanup(m->send.easy);
	curl->easy_cleanup(m->test.easy);
	loop_timer_free(m->retry_timer);
	spool_free(m->spool);
	curl->slist_free_all(m->rcpt);
	free(m->spool_dir);
	free(m->url);
	free(m);
	curl->global_cleanup(); /* after its last call into libcurl */
}

/* The spool (the daemon only: test-alert must not touch it); 0 or -errno with err. */
static int spool_setup(struct mail_smtp *m, size_t max, char *err, size_t errlen)
{
	const struct sink_env *env = sink_env(m->k);
	int rc;

	if (!env->agg)
		return 0;
	if (!env->state_dir) {
		/* --root without state_dir, or a state directory that failed: mail still goes. */
		log_notice("sink %s: no state directory: mail waits in memory until the server "
			   "takes it, lost if redmon stops or reloads first",
			   m->k->name);
		m->in_memory = true;
		m->spool_dir = strdup("memory");
		return m->spool_dir ? spool_open(NULL, max, &m->spool) : -ENOMEM;
	}
	if (asprintf(&m->spool_dir, "%s/spool/%s", env->state_dir, m->k->name) < 0) {
		m->spool_dir = NULL;
		return -ENOMEM;
	}
	rc = spool_open(m->spool_dir, max, &m->spool);
	if (rc < 0)
		return errbuf_set(
			err, errlen, rc, "sink %s: spool %s: %s", m->k->name, m->spool_dir,
			rc == -ELOOP ? "a symbolic link on the way is neither root's nor ours"
				     : strerror(-rc));
	/* The sequence never goes back below a spooled mail: a new one would replace it. */
	if (env->bus && bus_raise_seq(env->bus, spool_last(m->spool)) < 0)
		log_warn("sink %s: %s holds mail %llu, above any redmon numbers: the sequence "
			 "does not follow it",
			 m->k->name, m->spool_dir, (unsigned long long)spool_last(m->spool));
	if (spool_count(m->spool))
		log_notice("sink %s: %zu unsent mail%s in %s: sending them first", m->k->name,
			   spool_count(m->spool), spool_count(m->spool) == 1 ? "" : "s",
			   m->spool_dir);
	return 0;
}

int mail_smtp_new(struct sink *k, const char *url, const char *from, const char *to, size_t max,
		  struct mail_smtp **ret, char *err, size_t errlen)
{
	char why[300];
	const struct curl_dl *curl = curl_dl_get(why, sizeof(why));
	struct mail_smtp *m;
	int rc;

	if (!curl)
		return errbuf_set(err, errlen, -ELIBACC, "sink %s: %s", k->name, why);
	m = calloc(1, sizeof(*m));
	if (!m || curl->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(m);
		return -ENOMEM;
	}
	m->curl = curl;
	m->k = k;
	m->send.m = m->test.m = m;
	m->url = strdup(url);
	if (m->url)
		url_redact(url, m->shown, sizeof(m->shown));
	rc = m->url ? 0 : -ENOMEM;
	if (rc == 0 && (rc = recipients(m, to)) == -EINVAL)
		errbuf_set(err, errlen, rc, "sink %s: mail_to: not a list of addresses for SMTP",
			   k->name);
	if (rc == 0 && (rc = sender(m, from)) < 0)
		errbuf_set(err, errlen, rc, "sink %s: mail_from: not an address", k->name);
	if (rc == 0) {
		m->send.easy = curl->easy_init();
		m->test.easy = curl->easy_init();
		rc = m->send.easy && m->test.easy ? 0 : -ENOMEM;
	}
	if (rc == 0)
		rc = curl_loop_init(&m->cl, curl, sink_env(k)->loop, on_done, m);
	if (rc == 0)
		rc = loop_timer_new(sink_env(k)->loop, on_retry, m, &m->retry_timer);
	if (rc == 0)
		rc = spool_setup(m, max, err, errlen);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "sink %s: out of memory", k->name);
		mail_smtp_free(m);
		return rc;
	}
	kick(m);
	*ret = m;
	return 0;
}
