// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mockup tree as a struct redfish_source (redfish_files.h): the path
 * "/redfish/v1/Chassis/1U" is the file redfish/v1/Chassis/1U/index.json of
 * the root, opened with rootfs_open_regular() (inside the root, a regular
 * file only: a FIFO never blocks the walk), read up to the cap, parsed.
 */
#include "redfish_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "redfish_walk.h"
#include "../lib/rootfs.h"
#include "../lib/strbuf.h"

static json_t *files_get(struct redfish_source *src, const char *path, char *why, size_t why_len)
{
	struct redfish_files *f = src->ctx;
	char rel[REDFISH_PATH_MAX + 32];
	struct strbuf b = { 0 };
	json_error_t jerr;
	json_t *doc = NULL;
	bool cut = false;
	int fd, rc;

	/* The walk checks paths; a source is hostile input's last guard all the same. */
	if (!redfish_path_ok(path)) {
		snprintf(why, why_len, "a path that is not a /redfish/v1 path refused");
		return NULL;
	}
	snprintf(rel, sizeof(rel), "%s%sindex.json", path + 1,
		 path[strlen(path) - 1] == '/' ? "" : "/");
	fd = rootfs_open_regular(f->root_fd, rel);
	if (fd < 0) {
		snprintf(why, why_len, "%.400s: %s", rel, strerror(-fd));
		return NULL;
	}
	rc = strbuf_read_fd(&b, fd, f->max, STRBUF_TO_EOF, &cut);
	close(fd);
	if (rc == 0 && cut)
		rc = -EFBIG;
	if (rc < 0) {
		snprintf(why, why_len, "%.400s: %s", rel,
			 rc == -EFBIG ? "larger than a resource may be" : strerror(-rc));
	} else {
		doc = json_loadb(b.p ? b.p : "", b.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!doc) {
			char text[160];

			strv_copy_printable(strv_c(jerr.text), text, sizeof(text));
			snprintf(why, why_len, "%.300s: not JSON (line %d: %s)", rel, jerr.line,
				 text);
		}
	}
	strbuf_free(&b);
	return doc;
}

void redfish_files_init(struct redfish_files *f, int root_fd)
{
	*f = (struct redfish_files){ .src = { .get = files_get, .ctx = f },
				     .root_fd = root_fd,
				     .max = REDFISH_FILES_MAX };
}

bool redfish_files_present(int root_fd)
{
	int fd = rootfs_open_regular(root_fd, "redfish/v1/index.json");

	if (fd < 0)
		return false;
	close(fd);
	return true;
}
