/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "event.h"
#include "plugin_loader.h"

#define DAY_MS (24ull * 3600 * 1000)

/* The [daemon] directives; docs/configuration.md documents the same table. */
static const struct redmon_option_spec daemon_options[] = {
	{ .key = "rescan_interval", .type = REDMON_OPT_DURATION, .default_value = "30s",
	  .min = 100, .max = DAY_MS,
	  .help = "full rescan period, the safety net behind kernel notifications" },
	{ .key = "progress_step", .type = REDMON_OPT_UINT, .default_value = "10", .min = 1,
	  .max = 100, .help = "rebuild progress event every this many percent" },
	{ .key = "log", .type = REDMON_OPT_ENUM, .default_value = "stderr",
	  .choices = "stderr|syslog", .help = "where log lines go" },
	{ .key = "log_level", .type = REDMON_OPT_ENUM, .default_value = "notice",
	  .choices = "error|warning|notice|info|debug", .help = "most verbose level logged" },
	{ .key = "plugin_dir", .type = REDMON_OPT_STRING,
	  .help = "where probe plugins are loaded from" },
	{ .key = "hostname", .type = REDMON_OPT_STRING,
	  .help = "host name written into events (default: the system's)" },
	{ 0 }
};

static const struct redmon_option_spec sink_options[] = {
	{ .key = "type", .type = REDMON_OPT_ENUM, .choices = "json",
	  .help = "what the sink does (json: JSON Lines)" },
	{ .key = "path", .type = REDMON_OPT_STRING, .default_value = "-",
	  .help = "json: file to append events to, - for standard output" },
	{ .key = "min_severity", .type = REDMON_OPT_ENUM, .default_value = "info",
	  .choices = "info|warning|critical", .help = "drop events below this severity" },
	{ 0 }
};

/*
 * Every section the core knows.  named: the section is "<name>.<instance>"
 * ([sink.NAME]); else exactly "<name>".  [probe.NAME] is checked against the
 * plugin's own table by cfg_check_probes().  Add a subsystem's keys here.
 */
struct cfg_section {
	const char *name;
	bool named;
	const struct redmon_option_spec *options;
};

static const struct cfg_section sections[] = {
	{ .name = "daemon", .options = daemon_options },
	{ .name = "sink", .named = true, .options = sink_options },
};

static const struct cfg_section *section_find(const char *section);
static bool valid_instance_name(const char *s);

/* Keys every [probe.NAME] section accepts besides the plugin's own. */
static const struct redmon_option_spec probe_common_options[] = {
	{ .key = "enabled", .type = REDMON_OPT_BOOL, .default_value = "yes",
	  .help = "load and run this probe" },
	{ 0 }
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

int opt_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
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
	} units[] = { { "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 } };
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

static bool enum_has(const char *choices, const char *value)
{
	size_t n = strlen(value);

	for (const char *p = choices; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, value, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

int opt_check(const struct redmon_option_spec *spec, const char *value, char *err, size_t errlen)
{
	uint64_t u;
	bool b;

	switch (spec->type) {
	case REDMON_OPT_STRING:
		return 0;
	case REDMON_OPT_BOOL:
		if (opt_parse_bool(value, &b) == 0)
			return 0;
		return fail(err, errlen, -EINVAL, "'%s' is not yes or no", value);
	case REDMON_OPT_UINT:
		if (opt_parse_uint(value, spec->min, spec->max, &u) == 0)
			return 0;
		return fail(err, errlen, -EINVAL, "'%s' is not a whole number from %" PRIu64
			    " to %" PRIu64, value, spec->min, spec->max);
	case REDMON_OPT_DURATION:
		if (opt_parse_duration_ms(value, spec->min, spec->max, &u) == 0)
			return 0;
		return fail(err, errlen, -EINVAL,
			    "'%s' is not a duration from %" PRIu64 "ms to %" PRIu64
			    "s (e.g. 30s, 500ms, 5m, 1h)",
			    value, spec->min, spec->max / 1000);
	case REDMON_OPT_ENUM:
		if (enum_has(spec->choices, value))
			return 0;
		return fail(err, errlen, -EINVAL, "'%s' is not one of %s", value, spec->choices);
	}
	return fail(err, errlen, -EINVAL, "bad option type");
}

static const struct redmon_option_spec *spec_find(const struct redmon_option_spec *t,
						  const char *key)
{
	for (; t && t->key; t++) {
		if (strcmp(t->key, key) == 0)
			return t;
	}
	return NULL;
}

const char *cfg_get(const struct config *cfg, const char *section, const char *key)
{
	for (size_t i = cfg->n_entries; i-- > 0;) {
		const struct cfg_entry *e = &cfg->entries[i];

		if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
			return e->value;
	}
	return NULL;
}

/* The configured value, else the table's default. */
static const char *get_or_default(const struct config *cfg, const char *section,
				  const struct redmon_option_spec *table, const char *key)
{
	const char *v = cfg_get(cfg, section, key);
	const struct redmon_option_spec *spec;

	if (v)
		return v;
	spec = spec_find(table, key);
	return spec ? spec->default_value : NULL;
}

const char *cfg_value(const struct config *cfg, const char *section, const char *key)
{
	const struct cfg_section *t = section_find(section);

	return get_or_default(cfg, section, t ? t->options : NULL, key);
}

bool cfg_probe_enabled(const struct config *cfg, const char *probe)
{
	char section[128];
	const char *v;
	bool b = true;

	snprintf(section, sizeof(section), "probe.%s", probe);
	v = cfg_get(cfg, section, "enabled");
	if (v && opt_parse_bool(v, &b) < 0)
		return true;
	return b;
}

static int add_entry(struct config *cfg, const char *section, const char *key, const char *value,
		     const char *origin, unsigned line)
{
	struct cfg_entry *n = realloc(cfg->entries, (cfg->n_entries + 1) * sizeof(*n));
	struct cfg_entry *e;

	if (!n)
		return -ENOMEM;
	cfg->entries = n;
	e = &cfg->entries[cfg->n_entries];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = strdup(value);
	e->origin = origin;
	e->line = line;
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	cfg->n_entries++;
	return 0;
}

/* inih gives no line numbers to the handler, so the reader counts them. */
struct ini_reader_state {
	FILE *f;
	unsigned line;
	struct config *cfg;
	int rc;
};

static char *ini_read_line(char *str, int num, void *stream)
{
	struct ini_reader_state *st = stream;
	char *r = fgets(str, num, st->f);

	if (r)
		st->line++;
	return r;
}

static int ini_on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct ini_reader_state *st = user;
	int rc;

	if (!name) /* a section header alone (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	rc = add_entry(st->cfg, section, name, value ? value : "", st->cfg->file, st->line);
	if (rc < 0) {
		st->rc = rc;
		return 0;
	}
	return 1;
}

static int read_file(struct config *cfg, const char *file, char *err, size_t errlen)
{
	struct ini_reader_state st = { .cfg = cfg };
	int rc;

	cfg->file = strdup(file);
	if (!cfg->file)
		return -ENOMEM;
	st.f = fopen(file, "re");
	if (!st.f)
		return fail(err, errlen, -errno, "%s: cannot open: %s", file, strerror(errno));
	rc = ini_parse_stream(ini_read_line, &st, ini_on_entry, &st);
	fclose(st.f);
	if (st.rc < 0)
		return fail(err, errlen, st.rc, "%s: %s", file, strerror(-st.rc));
	if (rc > 0)
		return fail(err, errlen, -EINVAL, "%s:%d: syntax error (expected [section] or key = value)",
			    file, rc);
	if (rc < 0)
		return fail(err, errlen, -EIO, "%s: cannot read", file);
	return 0;
}

/* "sink.out.path=/x" -> section "sink.out", key "path": split at the last dot before '='. */
static int apply_override(struct config *cfg, const char *ov, unsigned pos, char *err,
			  size_t errlen)
{
	const char *eq = strchr(ov, '=');
	const char *dot = NULL;
	char section[256], key[128];
	size_t slen, klen;

	for (const char *p = ov; eq && p < eq; p++) {
		if (*p == '.')
			dot = p;
	}
	if (!eq || !dot || dot == ov || dot + 1 == eq)
		return fail(err, errlen, -EINVAL, "-o '%s': expected section.key=value", ov);
	slen = dot - ov;
	klen = eq - dot - 1;
	if (slen >= sizeof(section) || klen >= sizeof(key))
		return fail(err, errlen, -EINVAL, "-o '%s': name too long", ov);
	memcpy(section, ov, slen);
	section[slen] = 0;
	memcpy(key, dot + 1, klen);
	key[klen] = 0;
	return add_entry(cfg, section, key, eq + 1, "command line", pos);
}

static bool valid_instance_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	}
	return true;
}

static const char *where(const struct cfg_entry *e, char *buf, size_t len)
{
	if (strcmp(e->origin, "command line") == 0)
		snprintf(buf, len, "-o %s.%s", e->section, e->key);
	else
		snprintf(buf, len, "%s:%u", e->origin, e->line);
	return buf;
}

/* Check one entry's key and value against a table. */
static int check_entry(const struct cfg_entry *e, const struct redmon_option_spec *table,
		       const struct redmon_option_spec *extra, char *err, size_t errlen)
{
	const struct redmon_option_spec *spec = spec_find(table, e->key);
	char loc[300], why[256];

	if (!spec)
		spec = spec_find(extra, e->key);
	if (!spec)
		return fail(err, errlen, -EINVAL, "%s: unknown key '%s' in [%s]",
			    where(e, loc, sizeof(loc)), e->key, e->section);
	if (opt_check(spec, e->value, why, sizeof(why)) < 0)
		return fail(err, errlen, -EINVAL, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
			    e->section, e->key, why);
	return 0;
}

static int log_level_from(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = { { "error", LOG_ERR },	 { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		       { "info", LOG_INFO },	 { "debug", LOG_DEBUG } };

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(levels[i].name, s) == 0)
			return levels[i].level;
	}
	return LOG_NOTICE;
}

static int find_or_add_sink(struct config *cfg, const char *name, struct cfg_sink **ret)
{
	struct cfg_sink *n;

	for (size_t i = 0; i < cfg->n_sinks; i++) {
		if (strcmp(cfg->sinks[i].name, name) == 0) {
			*ret = &cfg->sinks[i];
			return 0;
		}
	}
	n = realloc(cfg->sinks, (cfg->n_sinks + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	cfg->sinks = n;
	memset(&n[cfg->n_sinks], 0, sizeof(*n));
	n[cfg->n_sinks].name = strdup(name);
	if (!n[cfg->n_sinks].name)
		return -ENOMEM;
	*ret = &n[cfg->n_sinks++];
	return 0;
}

static int build_sinks(struct config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		struct cfg_sink *s;
		int rc;

		if (strncmp(e->section, "sink.", 5) != 0)
			continue;
		rc = find_or_add_sink(cfg, e->section + 5, &s);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < cfg->n_sinks; i++) {
		struct cfg_sink *s = &cfg->sinks[i];
		char section[300];
		const char *sev;

		snprintf(section, sizeof(section), "sink.%s", s->name);
		if (!cfg_get(cfg, section, "type"))
			return fail(err, errlen, -EINVAL, "[%s]: 'type' is required (json)",
				    section);
		s->type = SINK_JSON;
		s->path = get_or_default(cfg, section, sink_options, "path");
		sev = get_or_default(cfg, section, sink_options, "min_severity");
		s->min_severity = event_severity_from_name(sev);
	}
	return 0;
}

/* The table for a section name ("daemon", "sink.out"), or NULL if none matches. */
static const struct cfg_section *section_find(const char *section)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const struct cfg_section *t = &sections[i];
		size_t n = strlen(t->name);

		if (!t->named && strcmp(section, t->name) == 0)
			return t;
		if (t->named && strncmp(section, t->name, n) == 0 && section[n] == '.' &&
		    valid_instance_name(section + n + 1))
			return t;
	}
	return NULL;
}

static int validate(struct config *cfg, char *err, size_t errlen)
{
	uint64_t u;
	int rc;

	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		const struct cfg_section *t = section_find(e->section);
		char loc[300];

		if (t)
			rc = check_entry(e, t->options, NULL, err, errlen);
		else if (strncmp(e->section, "probe.", 6) == 0 &&
			 valid_instance_name(e->section + 6))
			rc = 0; /* checked against the plugin by cfg_check_probes() */
		else
			rc = fail(err, errlen, -EINVAL,
				  "%s: unknown section [%s] (expected [daemon], [probe.NAME] or "
				  "[sink.NAME])",
				  where(e, loc, sizeof(loc)), e->section);
		if (rc < 0)
			return rc;
	}
	opt_parse_duration_ms(get_or_default(cfg, "daemon", daemon_options, "rescan_interval"),
			      0, UINT64_MAX, &cfg->rescan_interval_ms);
	opt_parse_uint(get_or_default(cfg, "daemon", daemon_options, "progress_step"), 0,
		       UINT64_MAX, &u);
	cfg->progress_step = (unsigned)u;
	cfg->log_syslog =
		strcmp(get_or_default(cfg, "daemon", daemon_options, "log"), "syslog") == 0;
	cfg->log_level =
		log_level_from(get_or_default(cfg, "daemon", daemon_options, "log_level"));
	cfg->plugin_dir = cfg_get(cfg, "daemon", "plugin_dir");
	cfg->hostname = cfg_get(cfg, "daemon", "hostname");
	return build_sinks(cfg, err, errlen);
}

int cfg_load(const char *file, char *const *overrides, size_t n_overrides, struct config **ret,
	     char *err, size_t errlen)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	int rc = 0;

	if (!cfg)
		return -ENOMEM;
	if (file)
		rc = read_file(cfg, file, err, errlen);
	for (size_t i = 0; rc == 0 && i < n_overrides; i++)
		rc = apply_override(cfg, overrides[i], (unsigned)i + 1, err, errlen);
	if (rc == 0)
		rc = validate(cfg, err, errlen);
	if (rc < 0) {
		cfg_free(cfg);
		return rc;
	}
	*ret = cfg;
	return 0;
}

int cfg_check_probes(const struct config *cfg, const struct plugin_set *plugins, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		const struct redmon_plugin *p;
		char loc[300];
		int rc;

		if (strncmp(e->section, "probe.", 6) != 0)
			continue;
		p = plugin_set_find(plugins, e->section + 6);
		if (!p)
			return fail(err, errlen, -EINVAL,
				    "%s: [%s]: no probe plugin named '%s' is installed",
				    where(e, loc, sizeof(loc)), e->section, e->section + 6);
		rc = check_entry(e, p->options, probe_common_options, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void cfg_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	for (size_t i = 0; i < cfg->n_sinks; i++)
		free(cfg->sinks[i].name);
	free(cfg->sinks);
	free(cfg->entries);
	free(cfg->file);
	free(cfg);
}
