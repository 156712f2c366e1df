/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcurl, loaded when a Redfish url is configured, not when the plugin is.
 *
 * Linking libcurl made every dlopen of redfish.so pull in libcurl and the
 * ~30 libraries under it (TLS, HTTP/2, LDAP, Kerberos...): ~24 ms of a
 * `redmon check` that scans by itself, on a host that has no BMC to ask
 * (issue 19).  The plugin is now linked without it and the functions it
 * calls come from this table, filled by dlopen(3) the first time an HTTP
 * source is created.  <curl/curl.h> is still used at build time for the
 * types and constants: the ABI of libcurl.so.4 is stable across 7.x and 8.x.
 */
#ifndef REDMON_REDFISH_CURL_H
#define REDMON_REDFISH_CURL_H

#include <curl/curl.h>
#include <stddef.h>

/* The soname asked of the dynamic loader: the ABI <curl/curl.h> describes. */
#define REDFISH_CURL_SONAME "libcurl.so.4"

/* The libcurl functions redfish_http.c calls, by the name they have there. */
struct redfish_curl {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *e);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *e);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

/*
 * Load soname and fill *ret with its functions.  0; or -ENOENT when the
 * library cannot be loaded, -ELIBBAD when it lacks one of the functions,
 * with why ("libcurl.so.4 not found: <the loader's words>").  *ret is
 * untouched on failure.  A loaded library is never unloaded (see
 * redfish_curl.c).  Thread-safe; a plain function so tests can give it a
 * name that is not there.
 */
int redfish_curl_load(const char *soname, struct redfish_curl *ret, char *why, size_t why_len);

/*
 * The table of REDFISH_CURL_SONAME, loaded by the first call that succeeds
 * and kept for the life of the process; NULL with why when it cannot be
 * loaded (the next call tries again: libcurl may have been installed since).
 */
const struct redfish_curl *redfish_curl_get(char *why, size_t why_len);

#endif /* REDMON_REDFISH_CURL_H */
