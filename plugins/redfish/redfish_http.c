/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Redfish service of a BMC over HTTPS (redfish_http.h says what and why).
 *
 * Every answer is hostile: the body is read up to a cap and parsed by
 * jansson, the headers kept (X-Auth-Token, Location) are bounded and must be
 * printable before they go back into a request, and nothing the server sends
 * reaches a reason but through strv_copy_printable().  The password lives in
 * this struct, the login body and libcurl's copy for Basic; the first two
 * are wiped when done with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "../lib/strbuf.h"
#include "../lib/curl_dl.h"
#include "redfish_http.h"

/* DSP0266 section 13.3.4: the session collection every service puts here. */
#define SESSIONS_PATH "/redfish/v1/SessionService/Sessions"
#define BASE_MAX      300  /* scheme://host[:port] */
#define PATH_LEN_MAX  1024 /* an @odata.id; longer is not a resource of a BMC */
#define TOKEN_MAX     1024 /* X-Auth-Token: iDRAC and OpenBMC send 32 to 64 bytes */
#define SHOWN_MAX     160  /* a server's text quoted in a reason */

enum auth { AUTH_NONE, AUTH_SESSION, AUTH_BASIC };

/* What one request brought back besides the status. */
struct answer {
	long status;
	struct strbuf body;
	bool over_cap, no_memory;
	char token[TOKEN_MAX + 1];
	bool token_bad; /* an X-Auth-Token that cannot go back into a header */
	char location[PATH_LEN_MAX + BASE_MAX];
};

struct redfish_http {
	struct redfish_source src;
	const struct curl_dl *curl; /* set once curl_global_init() has succeeded */
	CURL *easy;
	char base[BASE_MAX];
	char *username, *password;
	size_t body_max;
	unsigned long timeout_ms;
	enum auth auth;
	char token[TOKEN_MAX + 1];
	char session[PATH_LEN_MAX + 1]; /* the session's path, for the DELETE at logout */
	struct answer a;
	char error[CURL_ERROR_SIZE];
};

/* --- checks on what goes out ------------------------------------------------- */

/* A path this client puts after the base: absolute, bounded, URI characters only. */
static bool path_ok(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || p[1] == '/' || n > PATH_LEN_MAX)
		return false;
	for (const unsigned char *b = (const unsigned char *)p; *b; b++) {
		if (*b <= 0x20 || *b >= 0x7f || strchr("\"<>\\^`{|}#?", *b))
			return false;
	}
	return true;
}

/* host (a name, an IPv4 address or a bracketed IPv6 one) and an optional ":port". */
static bool authority_ok(struct strv s)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789.-";
	const char *colon;
	size_t host_len;
	long long port;

	if (s.n && s.p[0] == '[') {
		const char *end = memchr(s.p, ']', s.n);

		if (!end || end == s.p + 1)
			return false;
		for (const char *q = s.p + 1; q < end; q++) {
			if (!strchr("0123456789abcdefABCDEF:.", *q))
				return false;
		}
		host_len = (size_t)(end - s.p) + 1;
	} else {
		colon = memchr(s.p, ':', s.n);
		host_len = colon ? (size_t)(colon - s.p) : s.n;
		for (size_t i = 0; i < host_len; i++) {
			if (!strchr(name_chars, s.p[i]) || !s.p[i])
				return false;
		}
	}
	if (!host_len)
		return false;
	if (host_len == s.n)
		return true;
	return s.p[host_len] == ':' &&
	       strv_to_ll(strv_make(s.p + host_len + 1, s.n - host_len - 1), 1, 65535, &port) == 0;
}

/*
 * url as scheme://host[:port] (one trailing '/' tolerated), into c->base;
 * the scheme into *ret_https.  Anything else (a path, user info, a query)
 * is refused: the path comes from the walk, the credentials from options.
 */
static int parse_url(struct redfish_http *c, const char *url, bool *ret_https)
{
	bool https = strncmp(url, "https://", 8) == 0;
	size_t skip = https ? 8 : 7, n;

	if (!https && strncmp(url, "http://", 7) != 0)
		return -EINVAL;
	n = strlen(url);
	if (n > skip && url[n - 1] == '/')
		n--;
	if (n >= sizeof(c->base) || !authority_ok(strv_make(url + skip, n - skip)))
		return -EINVAL;
	memcpy(c->base, url, n);
	c->base[n] = 0;
	*ret_https = https;
	return 0;
}

/* scheme://host[:port] of url, printable, without user info: a server's Location shown. */
static void origin_shown(const char *url, char *buf, size_t len)
{
	const char *auth = strstr(url, "://");
	size_t scheme_len, auth_len;
	const char *at;
	char tmp[SHOWN_MAX];

	auth = auth ? auth + 3 : url;
	scheme_len = (size_t)(auth - url);
	auth_len = strcspn(auth, "/?#");
	at = memrchr(auth, '@', auth_len);
	if (at) {
		auth_len -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	snprintf(tmp, sizeof(tmp), "%.*s%.*s", (int)scheme_len, url, (int)auth_len, auth);
	strv_copy_printable(strv_c(tmp), buf, len);
}

/* --- libcurl callbacks --------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	struct answer *a = userp;
	size_t len = size * n, need = a->body.len + len + 1, cap = a->body.cap ? a->body.cap : 4096;

	/* Doubling: a body read in 16 KiB pieces costs few reallocations. */
	while (cap < need)
		cap *= 2;
	if (strbuf_reserve(&a->body, cap) < 0) {
		a->no_memory = true;
		return 0;
	}
	memcpy(a->body.p + a->body.len, data, len);
	a->body.len += len;
	a->body.p[a->body.len] = 0;
	return len;
}

/* The cap is checked apart from on_body: c knows it, the answer does not. */
static size_t on_body_capped(char *data, size_t size, size_t n, void *userp)
{
	struct redfish_http *c = userp;

	if (size * n > c->body_max - c->a.body.len) {
		c->a.over_cap = true;
		return 0;
	}
	return on_body(data, size, n, &c->a);
}

/* Keep X-Auth-Token and Location (RFC 9110 section 5: a field name is case-insensitive). */
static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
	struct answer *a = userp;
	struct strv line = strv_make(data, size * n), value;
	const char *colon = memchr(line.p, ':', line.n);
	size_t name_len = colon ? (size_t)(colon - line.p) : 0;

	if (!colon)
		return line.n;
	value = strv_trim(strv_make(colon + 1, line.n - name_len - 1));
	if (name_len == 12 && strncasecmp(line.p, "X-Auth-Token", 12) == 0) {
		a->token_bad = !strv_is_graph(value) || value.n > TOKEN_MAX;
		if (!a->token_bad) {
			memcpy(a->token, value.p, value.n);
			a->token[value.n] = 0;
		}
	} else if (name_len == 8 && strncasecmp(line.p, "Location", 8) == 0) {
		/* Cut or not, a path with a '?' from the copy is refused by path_ok(). */
		strv_copy_printable(value, a->location, sizeof(a->location));
	}
	return line.n;
}

/* --- one request ----------------------------------------------------------------- */

static void answer_reset(struct answer *a)
{
	a->status = 0;
	a->body.len = 0;
	if (a->body.p)
		a->body.p[0] = 0;
	a->over_cap = a->no_memory = a->token_bad = false;
	explicit_bzero(a->token, sizeof(a->token));
	a->location[0] = 0;
}

/* The request's header lines; the token's copy is wiped by headers_free(). */
static struct curl_slist *headers_new(const struct redfish_http *c, bool json_body)
{
	char line[sizeof("X-Auth-Token: ") + TOKEN_MAX];
	struct curl_slist *h = c->curl->slist_append(NULL, "Accept: application/json");

	/* DSP0266 section 8.1.1: clients send OData-Version 4.0. */
	h = h ? c->curl->slist_append(h, "OData-Version: 4.0") : NULL;
	if (h && json_body)
		h = c->curl->slist_append(h, "Content-Type: application/json");
	if (h && json_body)
		h = c->curl->slist_append(h, "Expect:");
	if (h && c->auth == AUTH_SESSION && c->token[0]) {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", c->token);
		h = c->curl->slist_append(h, line);
		explicit_bzero(line, sizeof(line));
	}
	return h;
}

static void headers_free(const struct redfish_http *c, struct curl_slist *h)
{
	for (struct curl_slist *x = h; x; x = x->next)
		explicit_bzero(x->data, strlen(x->data));
	c->curl->slist_free_all(h);
}

/* The method and credentials of this request, on the reused handle. */
static void request_setup(struct redfish_http *c, const char *method, const char *body)
{
	CURL *e = c->easy;
	bool basic = c->auth == AUTH_BASIC;

	c->curl->easy_setopt(e, CURLOPT_HTTPGET, 1L);
	c->curl->easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(method, "DELETE") ? NULL : "DELETE");
	if (body) {
		c->curl->easy_setopt(e, CURLOPT_POSTFIELDS, body);
		c->curl->easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	c->curl->easy_setopt(e, CURLOPT_HTTPAUTH,
			     basic ? (long)CURLAUTH_BASIC : (long)CURLAUTH_NONE);
	c->curl->easy_setopt(e, CURLOPT_USERNAME, basic ? c->username : NULL);
	c->curl->easy_setopt(e, CURLOPT_PASSWORD, basic ? c->password : NULL);
}

/* method path (body: a POST of JSON); the answer in c->a.  libcurl's code. */
static CURLcode perform(struct redfish_http *c, const char *method, const char *path,
			const char *body)
{
	char url[BASE_MAX + PATH_LEN_MAX + 1];
	struct curl_slist *h = headers_new(c, body != NULL);
	CURLcode rc;

	answer_reset(&c->a);
	c->error[0] = 0;
	if (!h)
		return CURLE_OUT_OF_MEMORY;
	snprintf(url, sizeof(url), "%s%s", c->base, path);
	c->curl->easy_setopt(c->easy, CURLOPT_URL, url);
	c->curl->easy_setopt(c->easy, CURLOPT_HTTPHEADER, h);
	request_setup(c, method, body);
	rc = c->curl->easy_perform(c->easy);
	c->curl->easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->a.status);
	c->curl->easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
	headers_free(c, h);
	return rc;
}

/* --- what went wrong, in one line ---------------------------------------------- */

static bool tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* A transfer that did not complete. */
static void transfer_reason(const struct redfish_http *c, CURLcode rc, char *buf, size_t len)
{
	char detail[SHOWN_MAX * 2];

	strv_copy_printable(strv_c(c->error[0] ? c->error : c->curl->easy_strerror(rc)), detail,
			    sizeof(detail));
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(buf, len, "no answer within %lu ms", c->timeout_ms);
	else if (c->a.over_cap || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(buf, len, "body over %zu bytes: not read", c->body_max);
	else if (c->a.no_memory || rc == CURLE_OUT_OF_MEMORY)
		snprintf(buf, len, "out of memory");
	else if (rc == CURLE_PARTIAL_FILE)
		snprintf(buf, len, "body truncated: connection closed after %zu bytes",
			 c->a.body.len);
	else if (tls_error(rc))
		snprintf(buf, len, "TLS: %s", detail);
	else
		snprintf(buf, len, "%s", detail);
}

/* Redfish's error object (DSP0266 section 9.6): "error": {"message": ...}, if any. */
static void error_message(const struct answer *a, char *buf, size_t len)
{
	json_t *j = a->body.len ? json_loadb(a->body.p, a->body.len, 0, NULL) : NULL;
	const char *msg =
		json_string_value(json_object_get(json_object_get(j, "error"), "message"));

	buf[0] = 0;
	if (msg) {
		buf[0] = ':';
		buf[1] = ' ';
		strv_copy_printable(strv_c(msg), buf + 2, len - 2);
	}
	json_decref(j);
}

/* A complete answer whose status is not 2xx. */
static void status_reason(const struct redfish_http *c, char *buf, size_t len)
{
	char where[SHOWN_MAX], msg[SHOWN_MAX];
	char *redirect = NULL;
	long s = c->a.status;

	if (s >= 300 && s < 400) {
		c->curl->easy_getinfo(c->easy, CURLINFO_REDIRECT_URL, &redirect);
		origin_shown(redirect ? redirect : c->a.location, where, sizeof(where));
		snprintf(buf, len, "HTTP %ld: a redirect to %s, not followed", s,
			 where[0] ? where : "nowhere");
		return;
	}
	error_message(&c->a, msg, sizeof(msg));
	/* The user name printable too: a reason cut inside a UTF-8 character is not UTF-8. */
	strv_copy_printable(strv_c(c->username), where, sizeof(where));
	if (s == 401)
		snprintf(buf, len, "HTTP 401: user %s refused%s", where, msg);
	else
		snprintf(buf, len, "HTTP %ld%s", s, msg);
}

/* "METHOD path: what" into why; the path is ours, checked by path_ok(). */
static void reason(const struct redfish_http *c, const char *what, const char *path,
		   const char *text, char *why, size_t why_len)
{
	snprintf(why, why_len, "%s %s%s: %s", what, c->base, path, text);
}

/* 0 when the request completed with a 2xx; else -EIO and why. */
static int outcome(const struct redfish_http *c, CURLcode rc, const char *what, const char *path,
		   char *why, size_t why_len)
{
	char text[SHOWN_MAX * 3];

	if (rc == CURLE_OK && c->a.status >= 200 && c->a.status < 300)
		return 0;
	if (rc != CURLE_OK)
		transfer_reason(c, rc, text, sizeof(text));
	else
		status_reason(c, text, sizeof(text));
	reason(c, what, path, text, why, why_len);
	return -EIO;
}

/* --- sessions ------------------------------------------------------------------------ */

/*
 * The session's own path, for its DELETE: the Location of the login answer
 * when it names this service (absolute or as a path), else the body's
 * @odata.id.  Empty when neither is a path: the session then ends at the
 * service's timeout, and no request ever goes to another host.
 */
static void session_path(struct redfish_http *c)
{
	const char *loc = c->a.location;
	json_t *j = c->a.body.len ? json_loadb(c->a.body.p, c->a.body.len, 0, NULL) : NULL;
	const char *id = json_string_value(json_object_get(j, "@odata.id"));
	size_t base_len = strlen(c->base), n;

	if (strncmp(loc, c->base, base_len) == 0 && loc[base_len] == '/')
		loc += base_len;
	if (!path_ok(loc))
		loc = id && path_ok(id) ? id : "";
	n = strlen(loc); /* path_ok(): at most PATH_LEN_MAX */
	memcpy(c->session, loc, n < sizeof(c->session) ? n : 0);
	c->session[n < sizeof(c->session) ? n : 0] = 0;
	json_decref(j);
}

/* {"UserName": ..., "Password": ...}: a string the caller wipes and frees. */
static char *login_body(const struct redfish_http *c)
{
	json_t *o = json_pack("{s:s, s:s}", "UserName", c->username, "Password", c->password);
	json_t *pw = json_object_get(o, "Password");
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;

	/* jansson frees without wiping: wipe its copy of the password first. */
	if (pw)
		explicit_bzero((char *)json_string_value(pw), json_string_length(pw));
	json_decref(o);
	return body;
}

/*
 * Log in (DSP0266 section 13.3.4).  0 when the service answers with a token,
 * or has no SessionService (404, 405: HTTP Basic from now on); else -EIO or
 * -ENOMEM with why.
 */
static int login(struct redfish_http *c, char *why, size_t why_len)
{
	char *body = login_body(c);
	CURLcode rc;

	if (!body) {
		snprintf(why, why_len, "log in to %s: out of memory", c->base);
		return -ENOMEM;
	}
	c->auth = AUTH_NONE;
	rc = perform(c, "POST", SESSIONS_PATH, body);
	explicit_bzero(body, strlen(body));
	free(body);
	if (rc == CURLE_OK && (c->a.status == 404 || c->a.status == 405)) {
		c->auth = AUTH_BASIC;
		return 0;
	}
	if (outcome(c, rc, "log in: POST", SESSIONS_PATH, why, why_len) < 0)
		return -EIO;
	if (!c->a.token[0]) {
		reason(c, "log in: POST", SESSIONS_PATH,
		       c->a.token_bad ? "an X-Auth-Token that is not printable or too long"
				      : "no X-Auth-Token in the answer",
		       why, why_len);
		return -EIO;
	}
	memcpy(c->token, c->a.token, sizeof(c->token));
	session_path(c);
	c->auth = AUTH_SESSION;
	return 0;
}

/* The session is gone on the service's side: forget it without a DELETE. */
static void session_forget(struct redfish_http *c)
{
	explicit_bzero(c->token, sizeof(c->token));
	c->session[0] = 0;
	c->auth = AUTH_NONE;
}

int redfish_http_logout(struct redfish_http *c, char *why, size_t why_len)
{
	int ret = 0;
	CURLcode rc;

	if (c->auth != AUTH_SESSION)
		return 0;
	if (c->session[0]) {
		rc = perform(c, "DELETE", c->session, NULL);
		/* 404: the service already ended it (a timeout, a reset BMC). */
		if (!(rc == CURLE_OK && c->a.status == 404))
			ret = outcome(c, rc, "log out: DELETE", c->session, why, why_len);
	}
	session_forget(c);
	return ret;
}

/* --- the source ---------------------------------------------------------------------- */

/* The body of a 2xx as a JSON object, or NULL and why. */
static json_t *parse_body(const struct redfish_http *c, const char *path, char *why, size_t why_len)
{
	char text[SHOWN_MAX * 2], detail[SHOWN_MAX];
	json_error_t e;
	json_t *j;

	if (!c->a.body.len) {
		reason(c, "GET", path, "empty body", why, why_len);
		return NULL;
	}
	j = json_loadb(c->a.body.p, c->a.body.len, 0, &e);
	if (!j) {
		strv_copy_printable(strv_c(e.text), detail, sizeof(detail));
		snprintf(text, sizeof(text), "invalid JSON at line %d column %d: %s", e.line,
			 e.column, detail);
		reason(c, "GET", path, text, why, why_len);
	} else if (!json_is_object(j)) {
		reason(c, "GET", path, "the body is JSON but not an object", why, why_len);
		json_decref(j);
		j = NULL;
	}
	return j;
}

static json_t *http_get(struct redfish_source *src, const char *path, char *why, size_t why_len)
{
	struct redfish_http *c = src->ctx;
	CURLcode rc;

	if (!path_ok(path)) {
		snprintf(why, why_len, "GET %s: not a path this client sends", c->base);
		return NULL;
	}
	if (c->auth == AUTH_NONE && login(c, why, why_len) < 0)
		return NULL;
	rc = perform(c, "GET", path, NULL);
	/* An expired or revoked session: one new login, one retry. */
	if (rc == CURLE_OK && c->a.status == 401 && c->auth == AUTH_SESSION) {
		session_forget(c);
		if (login(c, why, why_len) < 0)
			return NULL;
		rc = perform(c, "GET", path, NULL);
	}
	if (outcome(c, rc, "GET", path, why, why_len) < 0)
		return NULL;
	return parse_body(c, path, why, why_len);
}

/* --- life ------------------------------------------------------------------------------ */

/* What every request shares, set once on the reused handle. */
static void handle_setup(struct redfish_http *c, const struct redfish_http_options *o, bool https)
{
	CURL *e = c->easy;
	const char *proto = https ? "https" : "http";

	c->curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	c->curl->easy_setopt(e, CURLOPT_PROTOCOLS_STR, proto);
	c->curl->easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, proto);
	c->curl->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	c->curl->easy_setopt(e, CURLOPT_MAXREDIRS, 0L);
	/* "" rather than NULL: NULL would let http_proxy and friends in. */
	c->curl->easy_setopt(e, CURLOPT_PROXY, o->proxy ? o->proxy : "");
	c->curl->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	c->curl->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	if (o->ca_file)
		c->curl->easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	c->curl->easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	c->curl->easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	c->curl->easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->body_max);
	c->curl->easy_setopt(e, CURLOPT_USERAGENT, "redmon/" REDMON_VERSION);
	c->curl->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body_capped);
	c->curl->easy_setopt(e, CURLOPT_WRITEDATA, c);
	c->curl->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	c->curl->easy_setopt(e, CURLOPT_HEADERDATA, &c->a);
	c->curl->easy_setopt(e, CURLOPT_ERRORBUFFER, c->error);
}

/* The options into c; -EINVAL with why for a url or user name it cannot use. */
static int options_take(struct redfish_http *c, const struct redfish_http_options *o, bool *https,
			char *why, size_t why_len)
{
	char shown[SHOWN_MAX];

	if (!o->url || parse_url(c, o->url, https) < 0) {
		/* Shown without what may be a secret: user info, path, query. */
		origin_shown(o->url ? o->url : "", shown, sizeof(shown));
		snprintf(why, why_len,
			 "url %s%s: expected https://HOST or https://HOST:PORT, "
			 "nothing after (no path, no user, no query)",
			 shown, o->url && strlen(shown) < strlen(o->url) ? " (and more)" : "");
		return -EINVAL;
	}
	if (!o->username || !*o->username || strv_has_control(strv_c(o->username))) {
		snprintf(why, why_len, "a username is needed, without control characters");
		return -EINVAL;
	}
	c->username = strdup(o->username);
	c->password = strdup(o->password ? o->password : "");
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : 10000;
	c->body_max = o->body_max ? o->body_max : REDFISH_HTTP_BODY_MAX;
	if (!c->username || !c->password || strbuf_reserve(&c->a.body, 64 << 10) < 0) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* libcurl loaded (curl_dl.h) and its global state counted once more, into c->curl. */
static int curl_start(struct redfish_http *c, char *why, size_t why_len)
{
	const struct curl_dl *curl = curl_dl_get(why, why_len);

	if (!curl)
		return -ELIBACC;
	if (curl->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, why_len, "libcurl would not start");
		return -ENOMEM;
	}
	c->curl = curl;
	return 0;
}

int redfish_http_new(const struct redfish_http_options *o, struct redfish_http **ret, char *why,
		     size_t why_len)
{
	struct redfish_http *c = calloc(1, sizeof(*c));
	bool https = true;
	int rc;

	if (!c) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	c->src.get = http_get;
	c->src.ctx = c;
	/* The options first: a bad url is said as such, libcurl there or not. */
	rc = options_take(c, o, &https, why, why_len);
	if (rc == 0)
		rc = curl_start(c, why, why_len);
	if (rc == 0 && !(c->easy = c->curl->easy_init())) {
		snprintf(why, why_len, "out of memory");
		rc = -ENOMEM;
	}
	if (rc < 0) {
		redfish_http_free(c);
		return rc;
	}
	handle_setup(c, o, https);
	*ret = c;
	return 0;
}

struct redfish_source *redfish_http_source(struct redfish_http *c)
{
	return &c->src;
}

const char *redfish_http_auth(const struct redfish_http *c)
{
	return c->auth == AUTH_SESSION ? "session" : c->auth == AUTH_BASIC ? "basic" : "none";
}

const char *redfish_http_url(const struct redfish_http *c)
{
	return c->base;
}

void redfish_http_free(struct redfish_http *c)
{
	const struct curl_dl *curl;
	char why[8];

	if (!c)
		return;
	if (c->easy) {
		redfish_http_logout(c, why, sizeof(why));
		c->curl->easy_cleanup(c->easy);
	}
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->username);
	strbuf_free(&c->a.body);
	curl = c->curl;
	explicit_bzero(c, sizeof(*c));
	free(c);
	if (curl)
		curl->global_cleanup();
}
