/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcurl, loaded when something is configured that speaks HTTP or SMTP (a
 * Redfish url, a webhook or Alertmanager sink, mail by SMTP), not linked.
 *
 * Linking libcurl pulls in the ~30 libraries under it (TLS, HTTP/2, LDAP,
 * Kerberos...) at every start: ~24 ms of a `redmon check` that dlopen'ed
 * redfish.so on a host with no BMC to ask, and in the daemon 550 KiB of
 * anonymous memory (their relocated data, GnuTLS's ASN.1 trees built by its
 * constructor) on a host whose alerts go to SNMP, syslog or a file (issue
 * 19).  The callers take the functions from this table instead, filled by
 * dlopen(3) the first time one needs it.  <curl/curl.h> is still used at
 * build time for the types and constants: the ABI of libcurl.so.4 is stable
 * across 7.x and 8.x.  Shared by the core (src/sink_webhook.c,
 * src/mail_smtp.c, src/curl_loop.c) and plugins/redfish.
 */
#ifndef REDMON_CURL_DL_H
#define REDMON_CURL_DL_H

#include <curl/curl.h>
#include <stddef.h>

/* The soname asked of the dynamic loader: the ABI <curl/curl.h> describes. */
#define CURL_DL_SONAME "libcurl.so.4"

/* The libcurl functions redmon calls, each by its name without "curl_". */
struct curl_dl {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *e);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *e);
	void (*easy_reset)(CURL *e);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask,
					 int *running_handles);
	CURLMsg *(*multi_info_read)(CURLM *m, int *msgs_in_queue);
};

/*
 * Load soname and fill *ret with its functions.  0; or -ENOENT when the
 * library cannot be loaded, -ELIBBAD when it lacks one of the functions,
 * with why ("libcurl.so.4 not found: <the loader's words>").  *ret is
 * untouched on failure.  A loaded library is never unloaded (see
 * curl_dl.c).  Thread-safe; a plain function so tests can give it a
 * name that is not there.
 */
int curl_dl_load(const char *soname, struct curl_dl *ret, char *why, size_t why_len);

/*
 * The table of CURL_DL_SONAME, loaded by the first call that succeeds
 * and kept for the life of the process; NULL with why when it cannot be
 * loaded (the next call tries again: libcurl may have been installed since).
 */
const struct curl_dl *curl_dl_get(char *why, size_t why_len);

#endif /* REDMON_CURL_DL_H */
