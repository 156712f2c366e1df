/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers that do not log write the reason here; the caller logs it once, with context. */
#ifndef REDMON_ERRBUF_H
#define REDMON_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Format the reason into err (errlen bytes) and return rc, for `return errbuf_set(...)`. */
static inline int __attribute__((format(printf, 4, 5)))
errbuf_set(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

#endif
