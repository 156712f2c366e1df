/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dl_words.h"

#include <dlfcn.h>
#include <string.h>

#include "strbuf.h"

void dl_error_words(const char *name, char *buf, size_t len)
{
	const char *e = dlerror();
	size_t n = strlen(name);

	if (!e)
		e = "no reason given";
	else if (strncmp(e, name, n) == 0 && strncmp(e + n, ": ", 2) == 0)
		e += n + 2;
	strv_copy_printable(strv_c(e), buf, len);
}
