/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Probe plugins: each .so of a directory, loaded, or refused with a reason. */
#ifndef REDMON_PLUGIN_LOADER_H
#define REDMON_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "redmon/plugin.h"

struct plugin {
	char *path;
	void *dl;			  /* NULL when refused */
	const struct redmon_plugin *desc; /* NULL when refused */
	char *error;			  /* why it was refused, else NULL */
	/* not loaded, for lack of a data source: the probe's name (the file's), else NULL */
	char *skipped;
};

/*
 * Which plugins a one-shot command need not load at all: skip(ctx, dir,
 * name) is asked for each NAME.so of dir with a valid probe name before it
 * is opened; true leaves it out (plugin_sources.h says when).
 */
struct plugin_filter {
	bool (*skip)(void *ctx, const char *dir, const char *name);
	void *ctx;
};

struct plugin_set {
	struct plugin *v;
	size_t n;
};

/*
 * Load one plugin file into *ret, or return -errno with an operator-facing
 * reason in err.  -EPERM: someone other than root and the user redmon runs
 * as could replace the file or a directory on its way (trusted_path.h).
 */
int plugin_load(const char *path, struct plugin *ret, char *err, size_t errlen);

/*
 * Load every *.so in dir, in name order, keeping refused ones with their error
 * (for `status`) and the ones filter skips with their name (filter NULL:
 * none).  0, or -errno when dir cannot be read (message in err).
 */
int plugin_set_load_dir(struct plugin_set *set, const char *dir, const struct plugin_filter *filter,
			char *err, size_t errlen);

/*
 * Load a plugin the filter skipped (p->skipped), now that its data source
 * appeared or its [probe.NAME] section is configured: p becomes usable, or
 * refused with its error (p->skipped stays, so its name is still known).
 * 0, or -errno with the reason in err.  A usable p is a no-op.
 */
int plugin_set_load_skipped(struct plugin_set *set, struct plugin *p, char *err, size_t errlen);

/* The usable plugin with that name, or NULL. */
const struct redmon_plugin *plugin_set_find(const struct plugin_set *set, const char *name);

/* Whether a plugin of that name is installed: usable, or skipped for lack of a source. */
bool plugin_set_has(const struct plugin_set *set, const char *name);

/*
 * The stride of a plugin's member arrays: its descriptor's member_size, or
 * REDMON_MEMBER_SIZE_V1 for a descriptor built before that field.
 */
size_t plugin_member_size(const struct redmon_plugin *d);
/* How much of a reported group the core may read: group_size, or REDMON_GROUP_SIZE_V1. */
size_t plugin_group_size(const struct redmon_plugin *d);

/* dlclose everything; the set is left empty.  NULL is a no-op. */
void plugin_set_free(struct plugin_set *set);

#endif
