/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Redfish service over HTTPS as a struct redfish_source: one libcurl easy
 * handle, reused so the connection to the BMC stays open between requests.
 * libcurl is loaded by the first client, not linked (curl_dl.h).
 *
 * Authentication follows DSP0266 (Redfish specification) section 13.3: a
 * session is created with a POST to /redfish/v1/SessionService/Sessions and
 * its X-Auth-Token sent with each request; a 401 logs in again once; a
 * service without a SessionService (404 or 405 on that POST) gets HTTP Basic
 * instead.  The session is deleted by redfish_http_free().
 *
 * What it will not do: follow a redirect (a 3xx is an error naming the
 * status, so credentials never go to another host), speak anything but the
 * scheme of the url, take a proxy from the environment, or read a body past
 * its cap.  A reason (the `why` of get()) is one printable line; it never
 * holds the password or the token.
 */
#ifndef REDMON_REDFISH_HTTP_H
#define REDMON_REDFISH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "redfish_source.h"

/* Default cap on one resource: the biggest DMTF mockup resource is < 100 KiB. */
#define REDFISH_HTTP_BODY_MAX (4u << 20)

struct redfish_http_options {
	/* "https://host[:port]" (no path, no user, no query); "http://" only when asked. */
	const char *url;
	const char *username;
	const char *password;	  /* copied; the copy is wiped at free */
	const char *ca_file;	  /* NULL: the system's CA store */
	const char *proxy;	  /* NULL or "": no proxy, whatever the environment says */
	bool tls_verify;	  /* false: no check of the certificate or host name */
	unsigned long timeout_ms; /* one whole request, connection included */
	size_t body_max;	  /* 0: REDFISH_HTTP_BODY_MAX */
};

struct redfish_http;

/*
 * A client for o (every string copied).  No request is made yet: the first
 * get() logs in.  0, or -EINVAL with a reason in why (a url that is not
 * scheme://host[:port], an empty user name), -ELIBACC when libcurl cannot be
 * loaded (curl_dl.h: the first client loads it), or -ENOMEM.  It counts a
 * curl_global_init() that redfish_http_free() undoes: thread-safe where
 * libcurl says CURL_VERSION_THREADSAFE (7.84 and later, Debian 12's 7.88).
 */
int redfish_http_new(const struct redfish_http_options *o, struct redfish_http **ret, char *why,
		     size_t why_len);

/* The source view of c, valid until redfish_http_free(c); get() is not thread-safe. */
struct redfish_source *redfish_http_source(struct redfish_http *c);

/* How the service is being spoken to: "none" (no login yet), "session" or "basic". */
const char *redfish_http_auth(const struct redfish_http *c);

/* The url as it may be shown (scheme://host[:port]). */
const char *redfish_http_url(const struct redfish_http *c);

/*
 * Delete the session, if any (one DELETE, within the timeout); 0, or -EIO
 * with a reason in why.  The next get() logs in again.
 */
int redfish_http_logout(struct redfish_http *c, char *why, size_t why_len);

/* Log out (errors ignored), wipe the password and token, free.  NULL is a no-op. */
void redfish_http_free(struct redfish_http *c);

#endif /* REDMON_REDFISH_HTTP_H */
