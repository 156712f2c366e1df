/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the operator said of a group (`redmon ack`, `redmon maintenance`), and
 * the groups that vanished while not ok (what `redmon forget` takes), by group
 * id.  The daemon keeps them across restarts in its state file (state.json, "marks").
 */
#ifndef REDMON_MARKS_H
#define REDMON_MARKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* Who said it and why; time in Unix ms, 0 when nothing is said. */
struct mark_note {
	char *by, *comment;
	int64_t time;
};

/* Strings are the table's own; times are Unix ms, 0 when unset. */
struct mark {
	char *id;
	struct mark_note ack;	/* acknowledged (time: when), until the group changes again */
	struct mark_note maint; /* in maintenance (alerts held) until maint.time */
	/* vanished while not ok: its type and last health, and when */
	char *gone_type;
	enum health gone_health;
	int64_t gone_time;
};

struct marks;

/* A new empty table; NULL on ENOMEM. */
struct marks *marks_new(void);
void marks_free(struct marks *m);

/* The mark of group id, or NULL.  Valid until the next change of the table. */
const struct mark *marks_find(const struct marks *m, const char *id);
/* The i-th mark (by id), or NULL past the last. */
const struct mark *marks_at(const struct marks *m, size_t i);

/* Acknowledged by who (comment may be NULL) at now; 0 or -ENOMEM. */
int marks_ack(struct marks *m, const char *id, const char *by, const char *comment, int64_t now);
/* The group changed: its acknowledgement ends.  True if there was one. */
bool marks_unack(struct marks *m, const char *id);

/* In maintenance until until (Unix ms); 0 or -ENOMEM. */
int marks_maintain(struct marks *m, const char *id, const char *by, const char *comment,
		   int64_t until);
/* Maintenance over; true if there was one. */
bool marks_end_maintenance(struct marks *m, const char *id);
/* Whether id is in maintenance at now. */
bool marks_in_maintenance(const struct marks *m, const char *id, int64_t now);
/* Whether reminders of id are silenced: acknowledged, or in maintenance at now. */
bool marks_quiet(const struct marks *m, const char *id, int64_t now);
/* The earliest maintenance end after now, or 0 when none. */
int64_t marks_next_end(const struct marks *m);

/* Group g vanished while not ok at now (remembered for status and forget); 0 or -ENOMEM. */
int marks_gone(struct marks *m, const struct group *g, int64_t now);
/* Group id is back: no longer gone; true if it was. */
bool marks_back(struct marks *m, const char *id);

/* Every mark of id goes; true if there was one. */
bool marks_remove(struct marks *m, const char *id);

/* The table as JSON (a list of objects, docs/json.md "marks"); NULL on ENOMEM. */
json_t *marks_to_json(const struct marks *m);
/* One mark as JSON without its id; NULL on ENOMEM. */
json_t *mark_to_json(const struct mark *k);
/*
 * Replace the table by what marks_to_json() wrote.  A malformed entry is left
 * out and counted in *bad; 0 or -ENOMEM.
 */
int marks_from_json(struct marks *m, const json_t *j, unsigned *bad);

#endif
