/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "settings.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errbuf.h"

int opt_parse_bool(const char *s, bool *ret)
{
	/* Pairs of no and yes. */
	static const char *const words[] = { "no", "yes", "false", "true", "off", "on", "0", "1" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i]) == 0) {
			*ret = i % 2;
			return 0;
		}
	}
	return -EINVAL;
}

/* Decimal digits only: strtoull alone would accept "-1", " 7" and "0x10". */
static int parse_digits(const char *s, const char **end, uint64_t *ret)
{
	uint64_t v;
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno)
		return -ERANGE;
	*end = e;
	*ret = v;
	return 0;
}

int opt_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	const char *end;
	uint64_t v;

	if (parse_digits(s, &end, &v) < 0 || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int opt_parse_duration_ms(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = { { "", 1000 },
		      { "s", 1000 },
		      { "ms", 1 },
		      { "m", 60000 },
		      { "h", 3600000 },
		      /* days: scrub_max_age is counted in weeks, not hours */
		      { "d", 86400000 } };
	const char *end;
	uint64_t v;

	if (parse_digits(s, &end, &v) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].ms)
			return -ERANGE;
		v *= units[i].ms;
		if (v < min || v > max)
			return -ERANGE;
		*ret = v;
		return 0;
	}
	return -EINVAL;
}

/* The position of value among choices ("a|b|c"), or -1. */
static int enum_index(const char *choices, const char *value)
{
	size_t n = strlen(value);
	int i = 0;

	for (const char *p = choices; p && *p; i++) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, value, n) == 0)
			return i;
		p = bar ? bar + 1 : NULL;
	}
	return -1;
}

const struct setting *setting_find(const struct setting *table, const char *key)
{
	for (; table && table->key; table++) {
		if (strcmp(table->key, key) == 0)
			return table;
	}
	return NULL;
}

/* The typed value of s in *ret (a bool, a number, an enum's index), or -EINVAL and why. */
static int parse_typed(const struct setting *s, const char *v, uint64_t *ret, char *why,
		       size_t whylen)
{
	bool b;
	int i;

	switch (s->type) {
	case SETTING_BOOL:
		if (opt_parse_bool(v, &b) < 0)
			return errbuf_set(why, whylen, -EINVAL, "'%s' is not yes or no", v);
		*ret = b;
		return 0;
	case SETTING_UINT:
		if (opt_parse_uint(v, s->min, s->max, ret) < 0)
			return errbuf_set(why, whylen, -EINVAL,
					  "'%s' is not a whole number from %" PRIu64 " to %" PRIu64,
					  v, s->min, s->max);
		return 0;
	case SETTING_DURATION:
		if (opt_parse_duration_ms(v, s->min, s->max, ret) < 0)
			return errbuf_set(why, whylen, -EINVAL,
					  "'%s' is not a duration from %" PRIu64 "ms to %" PRIu64
					  "s (e.g. 30s, 500ms, 5m, 1h)",
					  v, s->min, s->max / 1000);
		return 0;
	case SETTING_ENUM:
		i = enum_index(s->choices, v);
		if (i < 0)
			return errbuf_set(why, whylen, -EINVAL, "'%s' is not one of %s", v,
					  s->choices);
		*ret = (uint64_t)(s->values ? s->values[i] : i);
		return 0;
	case SETTING_PATH:
		if (v[0] != '/')
			return errbuf_set(why, whylen, -EINVAL, "must be an absolute path");
		return 0;
	case SETTING_SECRET_FILE:
		/* Empty: none.  The file itself is checked by cfg_check_secrets(), in the daemon. */
		if (v[0] && v[0] != '/')
			return errbuf_set(why, whylen, -EINVAL, "'%s' is not an absolute path", v);
		return 0;
	case SETTING_STRING:
	case SETTING_CUSTOM:
		return 0;
	}
	return errbuf_set(why, whylen, -EINVAL, "bad setting type");
}

int setting_apply(const struct setting *s, const char *value, void *obj, char *why, size_t whylen)
{
	char *field = (char *)obj + s->offset;
	const char *problem;
	uint64_t u = 0;
	int rc = parse_typed(s, value, &u, why, whylen);

	if (rc < 0)
		return rc;
	/* CUSTOM parses into the field; the others check here before anything is stored. */
	problem = s->parse ? s->parse(value, field) : NULL;
	if (problem)
		return errbuf_set(why, whylen, -EINVAL, "%s", problem);
	switch (s->type) {
	case SETTING_BOOL:
		*(bool *)field = u != 0;
		break;
	case SETTING_UINT:
		*(unsigned *)field = (unsigned)u;
		break;
	case SETTING_DURATION:
		*(uint64_t *)field = u;
		break;
	case SETTING_ENUM:
		*(int *)field = (int)u;
		break;
	case SETTING_STRING:
	case SETTING_PATH:
	case SETTING_SECRET_FILE:
		*(const char **)field = value;
		break;
	case SETTING_CUSTOM:
		break;
	}
	if (s->set_flag)
		*(bool *)((char *)obj + s->set_flag - 1) = true;
	return 0;
}

int setting_check(const struct setting *s, const char *value, char *why, size_t whylen)
{
	/* Room for any field a setting stores (struct remind is the largest today). */
	union {
		uint64_t u;
		void *p;
		char bytes[64];
	} scratch;
	struct setting local = *s;

	local.offset = 0;
	local.set_flag = 0;
	return setting_apply(&local, value, &scratch, why, whylen);
}

void settings_defaults(const struct setting *table, void *obj)
{
	char why[256];

	for (; table && table->key; table++) {
		if (!table->def)
			continue;
		/* A default the table refuses is a bug in the table: the tests apply them all. */
		if (setting_apply(table, table->def, obj, why, sizeof(why)) < 0)
			abort();
		if (table->set_flag)
			*(bool *)((char *)obj + table->set_flag - 1) = false;
	}
}

const char *setting_enum_name(const struct setting *s, int value, char *buf, size_t len)
{
	const char *p = s->choices;

	buf[0] = 0;
	for (int i = 0; p && *p; i++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if ((s->values ? s->values[i] : i) == value) {
			snprintf(buf, len, "%.*s", (int)n, p);
			break;
		}
		p = bar ? bar + 1 : NULL;
	}
	return buf;
}
