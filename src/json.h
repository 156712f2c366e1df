/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON building blocks shared by status output and events (docs/json.md). */
#ifndef REDMON_JSON_H
#define REDMON_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "model.h"

/*
 * A JSON string from bytes that may not be UTF-8: invalid bytes become "\xNN"
 * and a backslash "\\", so nothing is lost.  NULL gives null; NULL on ENOMEM.
 */
json_t *json_text(const char *s);

/* Escape into buf as json_text() does; returns the needed length (like snprintf). */
size_t text_escape(const char *s, char *buf, size_t len);

/* "2026-11-25T22:50:01.123Z" into buf (at least 32 bytes). */
void format_utc_ms(const struct timespec *ts, char *buf, size_t len);

/* The group object; NULL on allocation failure. */
json_t *group_to_json(const struct group *g);

#endif
