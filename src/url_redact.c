/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secrets out of a URL before it is shown (url_redact.h); RFC 3986 section 3. */
#include "url_redact.h"

#include <stdio.h>
#include <string.h>

void url_redact(const char *url, char *buf, size_t len)
{
	const char *scheme = strstr(url, "://");
	const char *auth = scheme ? scheme + 3 : url;
	size_t auth_len = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', auth_len);
	const char *path = auth + auth_len, *cut;
	int n;

	if (!len)
		return;
	/* The userinfo ends at the authority's last '@' (a password may hold '@' unencoded). */
	for (const char *p = at; p && p < path; p = memchr(p + 1, '@', (size_t)(path - p - 1)))
		at = p;
	n = snprintf(buf, len, "%.*s%s", (int)(auth - url), url, at ? "***@" : "");
	if (n < 0 || (size_t)n >= len)
		return;
	if (at)
		auth = at + 1;
	cut = path + strcspn(path, "?#");
	snprintf(buf + n, len - (size_t)n, "%.*s%s%s", (int)(cut - auth), auth,
		 *cut == '?' ? "?***" : "", strchr(cut, '#') ? "#***" : "");
}
