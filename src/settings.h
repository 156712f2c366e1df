/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Settings typed once, as keepalived's keywords write straight into the
 * owning struct.  A subsystem declares its section's keys in a table: type,
 * range, default (written there only) and the offset of the field in its own
 * settings struct, which the config fills; nothing parses a string again.
 *
 * A section [foo]: `struct foo_settings` and its table (ending with { 0 });
 * struct config holds a `struct foo_settings foo`, and config.c's section
 * list names the table with offsetof(struct config, foo).  A repeatable key
 * is a CUSTOM setting whose parse() appends to a list in its field.
 */
#ifndef REDMON_SETTINGS_H
#define REDMON_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum setting_type {
	SETTING_BOOL,	     /* bool: yes/no, true/false, on/off, 1/0 */
	SETTING_UINT,	     /* unsigned, from min to max (max at most UINT_MAX) */
	SETTING_DURATION,    /* uint64_t milliseconds, from min to max ms */
	SETTING_ENUM,	     /* int: values[i] (i without values) for the i-th of choices */
	SETTING_STRING,	     /* const char *, borrowed from the config */
	SETTING_PATH,	     /* const char *: an absolute path */
	SETTING_SECRET_FILE, /* const char *: an absolute path, or empty for none */
	SETTING_CUSTOM,	     /* parse() reads the value into the field */
};

struct setting {
	const char *key;
	enum setting_type type;
	const char *def; /* the default; NULL: none (the field stays zero) */
	uint64_t min, max;
	const char *choices; /* ENUM: "a|b|c" */
	const int *values;   /* ENUM: what each choice stores, or NULL for its index */
	size_t offset;	     /* of the field in the settings struct */
	/* 1 + the offset of a bool set when the key is configured; 0: none. */
	size_t set_flag;
	/*
	 * Optional, for what the type alone does not say: NULL, or what is
	 * wrong with value.  CUSTOM: also stores the value into field.
	 */
	const char *(*parse)(const char *value, void *field);
};

/* The set_flag of field in type. */
#define SETTING_SET_FLAG(type, field) (offsetof(type, field) + 1)

/* The entry of table (ending with { 0 }) for key, or NULL. */
const struct setting *setting_find(const struct setting *table, const char *key);

/*
 * Check value against s and store it into obj's field (strings borrowed:
 * value must outlive obj).  0, or -EINVAL with why (obj unchanged).  Every
 * value of a key is applied in file order, so a CUSTOM parse() may collect.
 */
int setting_apply(const struct setting *s, const char *value, void *obj, char *why, size_t whylen);

/*
 * Whether value is one s accepts, without storing it: 0, or -EINVAL and why
 * (a CUSTOM parse() writes into a 64-byte scratch: larger fields are applied).
 */
int setting_check(const struct setting *s, const char *value, char *why, size_t whylen);

/* Store every default of table into obj (the rest of obj is left as it is). */
void settings_defaults(const struct setting *table, void *obj);

/* The choice an ENUM field holds (its text), or "" when none matches. */
const char *setting_enum_name(const struct setting *s, int value, char *buf, size_t len);

/* The value parsers behind the types; 0, -EINVAL or -ERANGE (then *ret untouched). */
int opt_parse_bool(const char *s, bool *ret);
int opt_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
/* "30", "30s", "500ms", "5m", "1h" -> milliseconds within [min, max]. */
int opt_parse_duration_ms(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

#endif
