/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A plugin's data sources: NAME.sources beside NAME.so lists what must exist
 * for the probe to find anything at all (a file under the root, a tool on
 * PATH, a config key), so that a one-shot command (status, check) on a host
 * with none of them need not load the plugin (issue 19: dlopen and a probe
 * thread per plugin were most of `redmon check`'s cost).  The format is in
 * docs/plugins.md ("Data sources").  Nothing here logs: the caller does.
 */
#ifndef REDMON_PLUGIN_SOURCES_H
#define REDMON_PLUGIN_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

/* Limits of a .sources file: beyond them the file is malformed (and the plugin loaded). */
#define PLUG_SOURCES_FILE_MAX (16u * 1024) /* bytes */
#define PLUG_SOURCES_MAX      64	   /* sources */
#define PLUG_SOURCE_ARG_MAX   256	   /* bytes of one argument, NUL included */

enum plug_source_kind {
	PLUG_SOURCE_PATH,   /* a file or directory under the root */
	PLUG_SOURCE_GLOB,   /* any match of a pattern under the root */
	PLUG_SOURCE_TOOL,   /* a program on PATH (counts on the live root only) */
	PLUG_SOURCE_CONFIG, /* a key of [probe.NAME] that is set */
};

struct plug_source {
	enum plug_source_kind kind;
	char arg[PLUG_SOURCE_ARG_MAX]; /* path without its leading '/', tool or key */
};

struct plug_sources {
	struct plug_source v[PLUG_SOURCES_MAX];
	size_t n;
};

/*
 * Parse the text of a .sources file (len bytes, no NUL needed) into *ret:
 * 0, or -EINVAL with the line and why in err (*ret is then undefined).  A
 * file that lists no source is malformed too: it would skip a plugin always.
 */
int plug_sources_parse(const char *text, size_t len, struct plug_sources *ret, char *err,
		       size_t errlen);

/*
 * Read and parse the .sources file at path (a regular file of at most
 * PLUG_SOURCES_FILE_MAX bytes, never a FIFO): 0; -ENOENT when there is none;
 * else -errno with why in err.
 */
int plug_sources_read(const char *path, struct plug_sources *ret, char *err, size_t errlen);

/* Where the sources are looked for. */
struct plug_sources_env {
	int root_fd; /* the root (--root), opened O_PATH: paths never resolve outside it */
	bool live;   /* the root is "/": tools count only there (under --root, captures do) */
	/* Whether [probe.NAME] KEY is set; NULL: none is. */
	bool (*config_set)(void *ctx, const char *key);
	void *ctx;
};

/*
 * Whether any of the n sources v exists: a path or a glob match under
 * env->root_fd (RESOLVE_IN_ROOT: a link out of the root resolves inside it),
 * a tool on PATH as plugins/lib/child.h finds it (live root only), a config
 * key set.  Listing a directory for a glob stops after a bounded number of
 * entries.
 */
bool plug_sources_any(const struct plug_source *v, size_t n, const struct plug_sources_env *env);

#endif
