/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Redfish service read from files: the resource tree as DMTF's mockups
 * store it (Redfish-Mockup-Creator, DSP2043), each resource at
 * <root>/redfish/v1/<path>/index.json, under a probe's --root.  Every file
 * is opened inside the root (plugins/lib/rootfs: a link never leads out of
 * it), read up to a cap, and parsed.
 */
#ifndef REDMON_REDFISH_FILES_H
#define REDMON_REDFISH_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "redfish_source.h"

/* The largest resource file read (the biggest DMTF mockup resource is < 100 KiB). */
#define REDFISH_FILES_MAX (4u << 20)

struct redfish_files {
	struct redfish_source src;
	int root_fd; /* the probe's root (not owned) */
	size_t max;  /* REDFISH_FILES_MAX unless a test sets less */
};

/* A source over the tree under root_fd (kept open by the caller); src.ctx points to f. */
void redfish_files_init(struct redfish_files *f, int root_fd);

/* Whether the tree under root_fd holds a service root (redfish/v1/index.json). */
bool redfish_files_present(int root_fd);

#endif /* REDMON_REDFISH_FILES_H */
