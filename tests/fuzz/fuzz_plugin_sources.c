/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> a plugin's NAME.sources -> plug_sources_parse().
 *
 * Besides memory errors it checks what the lookup relies on: a parsed file
 * holds 1..PLUG_SOURCES_MAX sources, each argument non-empty, printable
 * ASCII without spaces; a path or glob relative, without an empty, "." or
 * ".." part (it is resolved under the root); a tool without '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/plugin_sources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p)
{
	if (p[0] == '/')
		abort();
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		p += n + (p[n] == '/');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plug_sources s;
	char err[512];

	if (plug_sources_parse((const char *)data, size, &s, err, sizeof(err)) < 0)
		return 0;
	if (s.n == 0 || s.n > PLUG_SOURCES_MAX)
		abort();
	for (size_t i = 0; i < s.n; i++) {
		const char *a = s.v[i].arg;

		if (!a[0] || strlen(a) >= PLUG_SOURCE_ARG_MAX)
			abort();
		for (const char *c = a; *c; c++)
			if (*c <= 0x20 || *c > 0x7e)
				abort();
		if (s.v[i].kind == PLUG_SOURCE_PATH || s.v[i].kind == PLUG_SOURCE_GLOB)
			check_path(a);
		if (s.v[i].kind == PLUG_SOURCE_TOOL && strchr(a, '/'))
			abort();
	}
	return 0;
}
