/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the Redfish walk gets its resources: the files of a DMTF-style mockup
 * tree under --root (redfish_files.c), or a BMC over HTTPS (redfish_http.c).
 * The walk (redfish_walk.c) sees only this interface, so the golden tests over
 * mockups and the live probe run the same code.
 */
#ifndef REDMON_REDFISH_SOURCE_H
#define REDMON_REDFISH_SOURCE_H

#include <stddef.h>

#include <jansson.h>

struct redfish_source {
	/*
	 * The resource at `path`, an @odata.id such as "/redfish/v1/Chassis/1U"
	 * (absolute, no query, no fragment, no ".." segment: the walk refuses any
	 * other before calling), parsed: a new reference the caller decrefs.  NULL
	 * when it cannot be had, with a one-line printable reason in `why` that
	 * names the path and never a credential.
	 */
	json_t *(*get)(struct redfish_source *src, const char *path, char *why, size_t why_len);
	void *ctx;
};

#endif /* REDMON_REDFISH_SOURCE_H */
