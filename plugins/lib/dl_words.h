/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What dlopen(3) said, for a log line: shared by the loaders of optional
 * libraries and modules (curl_dl.c, src/snmp_dl.c).
 */
#ifndef REDMON_DL_WORDS_H
#define REDMON_DL_WORDS_H

#include <stddef.h>

/*
 * dlerror()'s text into buf, printable (it may quote a path from the
 * environment), without the "name: " glibc puts first: the caller names it
 * already.  "no reason given" when dlerror() has none.
 */
void dl_error_words(const char *name, char *buf, size_t len);

#endif
