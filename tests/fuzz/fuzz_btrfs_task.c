// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the `btrfs scrub status` and `btrfs replace status -1`
 * parsers and what they add to a group (plugins/btrfs/btrfs_task.c).  The
 * input is given to both; seeds: the captured outputs of tests/captures/btrfs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/btrfs/btrfs_task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_task(const struct btrfs_task *t)
{
	if (t->progress != -1 && !(t->progress >= 0 && t->progress <= 100))
		abort();
	if (!t->running && t->progress != -1)
		abort();
	if (memchr(t->errors, '\0', sizeof(t->errors)) == NULL)
		abort();
}

/* The uuid a "UUID:" line of the input names, so that the parser reads past it. */
static void input_uuid(const uint8_t *data, size_t size, char uuid[37])
{
	const uint8_t *u = memmem(data, size, "UUID:", 5);
	size_t off;

	strcpy(uuid, "fad3d4fb-7b92-41f7-b33d-e07341eff8e8");
	if (!u)
		return;
	off = (size_t)(u - data) + 5;
	while (off < size && data[off] == ' ')
		off++;
	if (size - off >= 36) {
		memcpy(uuid, data + off, 36);
		uuid[36] = '\0';
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char uuid[37];
	struct strv text = strv_make((const char *)data, size);
	struct btrfs_task scrub = { .progress = -1 }, replace = { .progress = -1 };
	struct redmon_group g = { .progress = -1 };
	int rs, rr;

	input_uuid(data, size, uuid);
	rs = btrfs_parse_scrub_status(text, uuid, &scrub);
	rr = btrfs_parse_replace_status(text, &replace);
	if (rs == 0)
		check_task(&scrub);
	if (rr == 0)
		check_task(&replace);
	btrfs_task_apply(rs == 0 ? &scrub : NULL, rr == 0 ? &replace : NULL, &g);
	/* what the group carries points into the task, as a string */
	if (g.reason ||
	    (g.scrub_found &&
	     (g.scrub_found != scrub.errors || strlen(g.scrub_found) >= sizeof(scrub.errors))) ||
	    g.scrub_time < 0)
		abort();
	return 0;
}
