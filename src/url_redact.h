/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * URLs as they may be shown: a webhook URL can carry secrets, in its
 * userinfo ("http://user:password@host/") or its query ("?token=..."), and
 * a URL ends up in log lines, in sink_failed events sent to other sinks and
 * in test-alert output.  Everything shown goes through url_redact().
 */
#ifndef REDMON_URL_REDACT_H
#define REDMON_URL_REDACT_H

#include <stddef.h>

/*
 * url with its userinfo replaced by "***@", its query by "?***" and its
 * fragment by "#***", into buf (truncated to len, always terminated).
 * Scheme, host, port and path stay: they say where the alert went.
 */
void url_redact(const char *url, char *buf, size_t len);

#endif
