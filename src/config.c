/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"
#include "errbuf.h"
#include "plugin_loader.h"
#include "spool.h"

#define DAY_MS	  (24ull * 3600 * 1000)
#define DAEMON(f) offsetof(struct config, f)

/* It goes into every event, log line, mail header and syslog record. */
static const char *check_hostname(const char *v, void *field)
{
	(void)field;
	if (!*v)
		return "must not be empty (leave it out for the system's name)";
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	}
	return NULL;
}

/* A Unix socket's path: absolute, and short enough for sun_path; empty: none. */
static const char *check_socket_path(const char *v, void *field)
{
	(void)field;
	if (!*v)
		return NULL;
	if (*v != '/')
		return "must be an absolute path (or empty: no socket)";
	if (strlen(v) > 107)
		return "is longer than a Unix socket path may be (107 bytes)";
	return NULL;
}

static const int log_levels[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/* The [daemon] directives, into struct config; docs/configuration.md documents the same table. */
static const struct setting daemon_settings[] = {
	{ .key = "rescan_interval",
	  .type = SETTING_DURATION,
	  .def = "30s",
	  .min = 100,
	  .max = DAY_MS,
	  .offset = DAEMON(rescan_interval_ms) },
	{ .key = "progress_step",
	  .type = SETTING_UINT,
	  .def = "10",
	  .min = 1,
	  .max = 100,
	  .offset = DAEMON(progress_step) },
	{ .key = "log",
	  .type = SETTING_ENUM,
	  .def = "stderr",
	  .choices = "stderr|syslog",
	  .offset = DAEMON(log_syslog) },
	{ .key = "log_level",
	  .type = SETTING_ENUM,
	  .def = "notice",
	  .choices = "error|warning|notice|info|debug",
	  .values = log_levels,
	  .offset = DAEMON(log_level) },
	{ .key = "plugin_dir", .type = SETTING_STRING, .offset = DAEMON(plugin_dir) },
	{ .key = "hostname",
	  .type = SETTING_STRING,
	  .offset = DAEMON(hostname),
	  .parse = check_hostname },
	{ .key = "user",
	  .type = SETTING_STRING,
	  .def = "redmon",
	  .offset = DAEMON(user),
	  .set_flag = SETTING_SET_FLAG(struct config, user_set) },
	{ .key = "state_dir",
	  /* Relative, it would be created wherever the daemon was started. */
	  .type = SETTING_PATH,
	  .def = "/var/lib/redmon",
	  .offset = DAEMON(state_dir),
	  .set_flag = SETTING_SET_FLAG(struct config, state_dir_set) },
	{ .key = "recovery_scans",
	  .type = SETTING_UINT,
	  .def = "1",
	  .min = 1,
	  .max = 1000,
	  .offset = DAEMON(recovery_scans) },
	{ .key = "recovery_interval",
	  .type = SETTING_DURATION,
	  .def = "1s",
	  .min = 100,
	  .max = DAY_MS,
	  .offset = DAEMON(recovery_interval_ms) },
	{ .key = "probe_timeout",
	  .type = SETTING_DURATION,
	  .def = "10s",
	  .min = 100,
	  .max = 3600 * 1000,
	  .offset = DAEMON(probe_timeout_ms) },
	{ .key = "stall_after",
	  .type = SETTING_DURATION,
	  .def = "10m",
	  .min = 1000,
	  .max = DAY_MS,
	  .offset = DAEMON(stall_after_ms) },
	/* 0: scrub ages are shown, never raised; a year at most, as a scrub is monthly. */
	{ .key = "scrub_max_age",
	  .type = SETTING_DURATION,
	  .def = "35d",
	  .min = 0,
	  .max = 366 * DAY_MS,
	  .offset = DAEMON(scrub_max_age_ms) },
	/* status and check ask the daemon here; empty: no socket. */
	{ .key = "socket",
	  .type = SETTING_STRING,
	  .def = CTL_SOCKET_DEFAULT,
	  .offset = DAEMON(socket),
	  .set_flag = SETTING_SET_FLAG(struct config, socket_set),
	  .parse = check_socket_path },
	{ .key = "socket_group",
	  .type = SETTING_STRING,
	  .def = "redmon",
	  .offset = DAEMON(socket_group) },
	{ 0 }
};

/* Keys every [probe.NAME] section accepts besides the plugin's own. */
static const struct setting probe_common_settings[] = { { .key = "enabled",
							  .type = SETTING_BOOL,
							  .def = "yes",
							  .offset = offsetof(struct cfg_probe,
									     enabled) },
							{ 0 } };

/* The keys of [group.ID] (expect.h), into its struct group_expect. */
static const struct setting group_settings[] = {
	{ .key = "spares",
	  .type = SETTING_UINT,
	  .min = 0,
	  .max = 1000,
	  .offset = offsetof(struct group_expect, spares),
	  .set_flag = SETTING_SET_FLAG(struct group_expect, spares_set) },
	{ .key = "members",
	  .type = SETTING_UINT,
	  .min = 1,
	  .max = 100000,
	  .offset = offsetof(struct group_expect, members),
	  .set_flag = SETTING_SET_FLAG(struct group_expect, members_set) },
	{ .key = "required",
	  .type = SETTING_BOOL,
	  .def = "no",
	  .offset = offsetof(struct group_expect, required) },
	{ 0 }
};

/*
 * The unnamed sections the core knows, each into its settings at offset in
 * struct config.  [sink.NAME]: sink_settings.c; [probe.NAME]: cfg_check_probes().
 */
struct cfg_section {
	const char *name;
	const struct setting *table;
	size_t offset;
};

static const struct cfg_section sections[] = {
	{ "daemon", daemon_settings, 0 }, /* struct config's own fields */
	{ "snmp", snmp_settings_table, offsetof(struct config, snmp) },
};

static const struct cfg_section *section_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (strcmp(sections[i].name, name) == 0)
			return &sections[i];
	}
	return NULL;
}

void cfg_report_add(struct cfg_report *r, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL, *n;
	int len;

	r->n++;
	va_start(ap, fmt);
	len = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (len < 0)
		return; /* counted still: the caller fails as it should, saying less */
	n = realloc(r->text, r->len + (size_t)len + 2); /* the line, '\n' and the NUL */
	if (n) {
		r->text = n;
		r->len += (size_t)sprintf(n + r->len, "%s\n", line);
	}
	free(line);
}

void cfg_report_add_lines(struct cfg_report *r, const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		if (n)
			cfg_report_add(r, "%.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

void cfg_report_free(struct cfg_report *r)
{
	free(r->text);
	*r = (struct cfg_report){ 0 };
}

int cfg_report_to_err(const struct cfg_report *r, char *err, size_t errlen)
{
	if (r->n == 0)
		return 0;
	if (r->text)
		snprintf(err, errlen, "%.*s", (int)r->len - 1, r->text); /* without the last '\n' */
	else
		snprintf(err, errlen, "out of memory");
	return -EINVAL;
}

/* A plugin option's value, checked with the type names and ranges of the core's own keys. */
static int opt_check(const struct redmon_option_spec *spec, const char *value, char *err,
		     size_t errlen)
{
	static const enum setting_type types[] = {
		[REDMON_OPT_STRING] = SETTING_STRING,
		[REDMON_OPT_BOOL] = SETTING_BOOL,
		[REDMON_OPT_UINT] = SETTING_UINT,
		[REDMON_OPT_DURATION] = SETTING_DURATION,
		[REDMON_OPT_ENUM] = SETTING_ENUM,
		[REDMON_OPT_SECRET_FILE] = SETTING_SECRET_FILE,
	};
	struct setting s = {
		.key = spec->key, .min = spec->min, .max = spec->max, .choices = spec->choices
	};

	if ((size_t)spec->type >= sizeof(types) / sizeof(types[0]))
		return errbuf_set(err, errlen, -EINVAL, "bad option type");
	s.type = types[spec->type];
	/* A plugin's uint may be wider than the core's unsigned: checked, never stored here. */
	return setting_check(&s, value, err, errlen);
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

/* The entry that sets section.key (the last one wins), or NULL. */
static const struct cfg_entry *entry_find(const struct config *cfg, const char *section,
					  const char *key)
{
	for (size_t i = cfg->n_entries; i-- > 0;) {
		const struct cfg_entry *e = &cfg->entries[i];

		if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* The first entry of section. */
static const struct cfg_entry *entry_find_first(const struct config *cfg, const char *section)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		if (strcmp(cfg->entries[i].section, section) == 0)
			return &cfg->entries[i];
	}
	return NULL;
}

const char *cfg_get(const struct config *cfg, const char *section, const char *key)
{
	const struct cfg_entry *e = entry_find(cfg, section, key);

	return e ? e->value : NULL;
}

bool cfg_has_section(const struct config *cfg, const char *section)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		if (strcmp(cfg->entries[i].section, section) == 0)
			return true;
	}
	return false;
}

bool cfg_probe_enabled(const struct config *cfg, const char *probe)
{
	for (size_t i = 0; i < cfg->n_probes; i++) {
		if (strcmp(cfg->probes[i].name, probe) == 0)
			return cfg->probes[i].enabled;
	}
	return true;
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

/*
 * A line or -o that could not be read, kept in its place among the entries
 * (section "", the problem as value): validate() reports every problem in
 * the order of the file, then of the -o options, in one pass.
 */
static int __attribute__((format(printf, 4, 5)))
add_unreadable(struct config *cfg, const char *origin, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = add_entry(cfg, "", "", text, origin, line);
	free(text);
	return rc;
}

/*
 * Only a regular file of at most CFG_FILE_MAX bytes is read: a FIFO would
 * block the daemon (O_NONBLOCK, then fstat() refuses it), /dev/zero never
 * ends, and a directory reads as an empty, valid config.
 */
#define CFG_FILE_MAX (1024 * 1024)
/* Long enough for any URL or list a key takes; a longer line is an error, not cut. */
#define CFG_LINE_MAX 65536

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* s without the blanks around it (s is modified). */
static char *trim(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		*--end = 0;
	return s;
}

/* Where a comment starts in s: '#' or ';' at the start or after a blank, else the end. */
static char *comment_start(char *s)
{
	for (char *p = s; *p; p++) {
		if ((*p == '#' || *p == ';') && (p == s || is_blank(p[-1])))
			return p;
	}
	return s + strlen(s);
}

/* "[name]" into *section; a broken header makes it "": the keys under it are skipped, said once. */
static int parse_header(char *s, char **section, char *err, size_t errlen)
{
	char *end = strchr(s, ']'), *rest = end ? trim(end + 1) : NULL;
	const char *name = "";
	int rc = 0;

	if (!end) {
		rc = errbuf_set(err, errlen, -EINVAL, "syntax error: '[' without ']'");
	} else if (*rest && *rest != '#' && *rest != ';') {
		rc = errbuf_set(err, errlen, -EINVAL, "syntax error: text after ']'");
	} else {
		*end = 0;
		name = trim(s + 1);
		if (!*name)
			rc = errbuf_set(err, errlen, -EINVAL, "syntax error: empty section name");
	}
	free(*section);
	*section = strdup(name);
	return *section ? rc : -ENOMEM;
}

/*
 * One line of redmon.conf(5)'s INI dialect: blank, a comment (# or ;, also
 * after a blank at the end of a line), "[section]" or "key = value" (':' as
 * '=', as inih allowed); no continuation lines.  *section is the current one
 * ("" after a broken header).  -EINVAL with the reason in err.
 */
static int parse_line(struct config *cfg, char *line, unsigned lineno, char **section, char *err,
		      size_t errlen)
{
	char *s = trim(line), *sep, *key = NULL, *value;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_header(s, section, err, errlen);
	sep = strpbrk(s, "=:");
	if (sep) {
		*sep = 0;
		key = trim(s);
	}
	if (!sep || !*key || strpbrk(key, " \t#;[]"))
		return errbuf_set(err, errlen, -EINVAL,
				  "syntax error (expected [section] or key = value)");
	if (!*section)
		return errbuf_set(err, errlen, -EINVAL, "'%s' before any [section]", key);
	if (!**section)
		return 0;
	value = sep + 1;
	*comment_start(value) = 0;
	return add_entry(cfg, *section, key, trim(value), cfg->file, lineno);
}

/* Each line of text (len bytes): a bad one is reported and skipped, the next still checked. */
static int parse_text(struct config *cfg, char *text, size_t len)
{
	char *section = NULL, *line = text, why[160];
	unsigned lineno = 0;
	int rc = 0;

	if (strncmp(line, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte order mark */
		line += 3;
	while (rc != -ENOMEM && line < text + len) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);

		lineno++;
		line[n] = 0;
		if (n > CFG_LINE_MAX)
			rc = errbuf_set(why, sizeof(why), -EINVAL,
					"line too long (%zu bytes, at most %d)", n, CFG_LINE_MAX);
		else if (strlen(line) != n)
			rc = errbuf_set(why, sizeof(why), -EINVAL, "a NUL byte: not a text file");
		else
			rc = parse_line(cfg, line, lineno, &section, why, sizeof(why));
		if (rc == -EINVAL)
			rc = add_unreadable(cfg, cfg->file, lineno, "%s:%u: %s", cfg->file, lineno,
					    why);
		line += n + 1;
	}
	free(section);
	return rc;
}

/* The entries of file (cfg->file names it). */
static int read_file(struct config *cfg, const char *file, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int fd, rc;

	cfg->file = strdup(file);
	if (!cfg->file)
		return -ENOMEM;
	fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errbuf_set(err, errlen, -errno, "%s: cannot open: %s", file,
				  strerror(errno));
	if (fstat(fd, &st) < 0)
		rc = errbuf_set(err, errlen, -errno, "%s: %s", file, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = errbuf_set(err, errlen, -EINVAL, "%s: %s, not a configuration file", file,
				file_kind(st.st_mode));
	else if ((rc = read_fd_all(fd, CFG_FILE_MAX, &text, &len)) == -EFBIG)
		errbuf_set(err, errlen, rc, "%s: larger than %d KiB, not a configuration file",
			   file, CFG_FILE_MAX / 1024);
	else if (rc < 0)
		errbuf_set(err, errlen, rc, "%s: cannot read: %s", file, strerror(-rc));
	close(fd);
	if (rc == 0)
		rc = parse_text(cfg, text, len);
	free(text);
	return rc;
}

/* "sink.out.path=/x" -> section "sink.out", key "path": split at the last dot before '='. */
static int apply_override(struct config *cfg, const char *ov, unsigned pos)
{
	const char *eq = strchr(ov, '=');
	const char *dot = eq ? memrchr(ov, '.', (size_t)(eq - ov)) : NULL;
	char section[256], key[128];

	if (!dot || dot == ov || dot + 1 == eq)
		return add_unreadable(cfg, "command line", pos,
				      "-o '%s': expected section.key=value", ov);
	if ((size_t)(dot - ov) >= sizeof(section) || (size_t)(eq - dot - 1) >= sizeof(key))
		return add_unreadable(cfg, "command line", pos, "-o '%s': name too long", ov);
	snprintf(section, sizeof(section), "%.*s", (int)(dot - ov), ov);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
	return add_entry(cfg, section, key, eq + 1, "command line", pos);
}

static bool valid_instance_name(const char *s)
{
	return *s &&
	       !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")];
}

static const char *where(const struct cfg_entry *e, char *buf, size_t len)
{
	if (strcmp(e->origin, "command line") == 0)
		snprintf(buf, len, "-o %s.%s", e->section, e->key);
	else
		snprintf(buf, len, "%s:%u", e->origin, e->line);
	return buf;
}

const char *cfg_where(const struct config *cfg, const char *section, const char *key, char *buf,
		      size_t len)
{
	const struct cfg_entry *e = entry_find(cfg, section, key);

	if (e)
		return where(e, buf, len);
	buf[0] = 0;
	return buf;
}

/* Store one entry's value into obj with s (only check it when obj is NULL), or report what is wrong. */
static void apply_entry(struct config *cfg, const struct cfg_entry *e, const struct setting *s,
			void *obj)
{
	char loc[300], why[512];
	int rc;

	if (!s) {
		cfg_report_add(&cfg->problems, "%s: unknown key '%s' in [%s]",
			       where(e, loc, sizeof(loc)), e->key, e->section);
		return;
	}
	rc = obj ? setting_apply(s, e->value, obj, why, sizeof(why))
		 : setting_check(s, e->value, why, sizeof(why));
	if (rc < 0)
		cfg_report_add(&cfg->problems, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
			       e->section, e->key, why);
}

static struct cfg_sink *sink_find(struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_sinks; i++) {
		if (strcmp(cfg->sinks[i].name, name) == 0)
			return &cfg->sinks[i];
	}
	return NULL;
}

/* A cfg_sink with its type's defaults per [sink.NAME] of a known type; the entry pass fills it. */
static int build_sinks(struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		const char *name = e->section + 5;
		const struct sink_type_settings *t;
		struct cfg_sink *n;

		if (strncmp(e->section, "sink.", 5) != 0 || !valid_instance_name(name) ||
		    sink_find(cfg, name))
			continue;
		t = sink_type_settings_find(cfg_get(cfg, e->section, "type"));
		if (!t)
			continue;
		n = realloc(cfg->sinks, (cfg->n_sinks + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		cfg->sinks = n;
		n = &cfg->sinks[cfg->n_sinks];
		*n = (struct cfg_sink){ .name = strdup(name), .type = t->type };
		if (!n->name)
			return -ENOMEM;
		sink_settings_defaults(t, n);
		cfg->n_sinks++;
	}
	return 0;
}

/* The settings of [probe.NAME], added with their defaults when first named; NULL: no memory. */
static struct cfg_probe *probe_settings(struct config *cfg, const char *name)
{
	struct cfg_probe *n;

	for (size_t i = 0; i < cfg->n_probes; i++) {
		if (strcmp(cfg->probes[i].name, name) == 0)
			return &cfg->probes[i];
	}
	n = realloc(cfg->probes, (cfg->n_probes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	cfg->probes = n;
	n = &cfg->probes[cfg->n_probes];
	n->name = strdup(name);
	if (!n->name)
		return NULL;
	settings_defaults(probe_common_settings, n);
	cfg->n_probes++;
	return n;
}

/* A [probe.NAME] key every probe has (in error: the default; cfg_check_probes() says why). */
static int apply_probe_entry(struct config *cfg, const struct cfg_entry *e)
{
	const struct setting *s = setting_find(probe_common_settings, e->key);
	struct cfg_probe *p = s ? probe_settings(cfg, e->section + 6) : NULL;
	char why[256];

	if (p)
		setting_apply(s, e->value, p, why, sizeof(why));
	return s && !p ? -ENOMEM : 0;
}

/* The expectation of [group.ID], added with its defaults when first named; NULL: no memory. */
static struct group_expect *group_settings_of(struct config *cfg, const char *id)
{
	struct group_expect *n;

	for (size_t i = 0; i < cfg->n_groups; i++) {
		if (strcmp(cfg->groups[i].id, id) == 0)
			return &cfg->groups[i];
	}
	n = realloc(cfg->groups, (cfg->n_groups + 1) * sizeof(*n));
	if (!n)
		return NULL;
	cfg->groups = n;
	n = &cfg->groups[cfg->n_groups];
	*n = (struct group_expect){ .id = strdup(id) };
	if (!n->id)
		return NULL;
	settings_defaults(group_settings, n);
	cfg->n_groups++;
	return n;
}

/* A [group.ID] key (ID "<probe>:<name>", as `redmon status` shows it). */
static int apply_group_entry(struct config *cfg, const struct cfg_entry *e)
{
	const char *id = e->section + 6;
	struct group_expect *g;
	char loc[300];

	if (!expect_id_valid(id)) {
		if (entry_find_first(cfg, e->section) == e)
			cfg_report_add(&cfg->problems,
				       "%s: [%s]: a group is named <probe>:<name>, as `redmon "
				       "status` shows it (e.g. [group.md:md0])",
				       where(e, loc, sizeof(loc)), e->section);
		return 0;
	}
	g = group_settings_of(cfg, id);
	if (!g)
		return -ENOMEM;
	apply_entry(cfg, e, setting_find(group_settings, e->key), g);
	return 0;
}

/* A [sink.NAME] key, into its sink when it has a known type. */
static void apply_sink_entry(struct config *cfg, const struct cfg_entry *e)
{
	struct cfg_sink *s = sink_find(cfg, e->section + 5);
	const struct sink_type_settings *t;
	const struct setting *spec;
	char loc[300];

	if (strcmp(e->key, "type") == 0) {
		/* Checked only: build_sinks() took the last one, which names what the type needs. */
		apply_entry(cfg, e, setting_find(sink_common_settings, "type"), NULL);
		t = s ? sink_type_settings_of(s->type) : NULL;
		if (t && t->required && entry_find(cfg, e->section, "type") == e &&
		    !cfg_get(cfg, e->section, t->required))
			cfg_report_add(&cfg->problems, "%s: [%s]: a sink of type %s needs '%s'",
				       where(e, loc, sizeof(loc)), e->section, t->name,
				       t->required);
		return;
	}
	if (!s && !cfg_get(cfg, e->section, "type") && entry_find_first(cfg, e->section) == e)
		cfg_report_add(&cfg->problems,
			       "%s: [%s]: 'type' is required (json, exec, webhook, syslog, mail or "
			       "textfile)",
			       where(e, loc, sizeof(loc)), e->section);
	if (!s)
		return; /* its type is missing or wrong: reported once, not at every key */
	t = sink_type_settings_of(s->type);
	spec = sink_setting_find(t, e->key);
	if (!spec)
		cfg_report_add(&cfg->problems, "%s: key '%s' does not apply to [%s] (type %s)",
			       where(e, loc, sizeof(loc)), e->key, e->section, t->name);
	else
		apply_entry(cfg, e, spec, s);
}

/* Every entry into its section's settings, in file order (the last value wins). */
static int validate(struct config *cfg)
{
	int rc;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		settings_defaults(sections[i].table, (char *)cfg + sections[i].offset);
	rc = build_sinks(cfg);
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		const struct cfg_section *t = section_find(e->section);
		char loc[300];

		if (!*e->section) /* a line or -o that could not be read */
			cfg_report_add(&cfg->problems, "%s", e->value);
		else if (t)
			apply_entry(cfg, e, setting_find(t->table, e->key),
				    (char *)cfg + t->offset);
		else if (strncmp(e->section, "sink.", 5) == 0 &&
			 valid_instance_name(e->section + 5))
			apply_sink_entry(cfg, e);
		else if (strncmp(e->section, "probe.", 6) == 0 &&
			 valid_instance_name(e->section + 6))
			rc = apply_probe_entry(cfg, e); /* the plugin's keys: cfg_check_probes() */
		else if (strncmp(e->section, "group.", 6) == 0)
			rc = apply_group_entry(cfg, e);
		else
			cfg_report_add(&cfg->problems,
				       "%s: unknown section [%s] (expected [daemon], [probe.NAME], "
				       "[sink.NAME], [group.ID] or [snmp])",
				       where(e, loc, sizeof(loc)), e->section);
	}
	return rc;
}

int cfg_load_all(const char *file, char *const *overrides, size_t n_overrides, struct config **ret,
		 char *err, size_t errlen)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	int rc = 0;

	if (!cfg)
		return -ENOMEM;
	if (file)
		rc = read_file(cfg, file, err, errlen);
	for (size_t i = 0; rc == 0 && i < n_overrides; i++)
		rc = apply_override(cfg, overrides[i], (unsigned)i + 1);
	if (rc == 0)
		rc = validate(cfg);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file ? file : "configuration");
	if (rc < 0)
		cfg_free(cfg);
	else
		*ret = cfg;
	return rc;
}

int cfg_load(const char *file, char *const *overrides, size_t n_overrides, struct config **ret,
	     char *err, size_t errlen)
{
	struct config *cfg;
	int rc = cfg_load_all(file, overrides, n_overrides, &cfg, err, errlen);

	if (rc < 0)
		return rc;
	rc = cfg_report_to_err(&cfg->problems, err, errlen);
	if (rc < 0)
		cfg_free(cfg);
	else
		*ret = cfg;
	return rc;
}

/*
 * A [group.ID] names a group of an installed probe, or it could never be
 * seen (a typo, "mdd:md0", would leave a required group missing forever).
 * Said once per section, at its first key.
 */
static void group_probe_check(const struct config *cfg, const struct cfg_entry *e,
			      const struct plugin_set *plugins, struct cfg_report *rep)
{
	const char *id = e->section + 6;
	size_t n = strcspn(id, ":");
	char probe[128], loc[300];

	if (!expect_id_valid(id) || entry_find_first(cfg, e->section) != e || n >= sizeof(probe))
		return;
	snprintf(probe, sizeof(probe), "%.*s", (int)n, id);
	if (!plugin_set_has(plugins, probe))
		cfg_report_add(rep, "%s: [%s]: no probe plugin named '%s' is installed",
			       where(e, loc, sizeof(loc)), e->section, probe);
}

int cfg_check_probes(const struct config *cfg, const struct plugin_set *plugins, char *err,
		     size_t errlen)
{
	struct cfg_report rep = { 0 };
	int rc;

	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		const struct redmon_option_spec *spec;
		const struct redmon_plugin *p;
		const struct setting *common;
		char loc[300], why[256];

		if (strncmp(e->section, "group.", 6) == 0) {
			group_probe_check(cfg, e, plugins, &rep);
			continue;
		}
		if (strncmp(e->section, "probe.", 6) != 0)
			continue;
		p = plugin_set_find(plugins, e->section + 6);
		spec = p ? spec_find(p->options, e->key) : NULL;
		common = setting_find(probe_common_settings, e->key);
		if (!p)
			cfg_report_add(&rep, "%s: [%s]: no probe plugin named '%s' is installed",
				       where(e, loc, sizeof(loc)), e->section, e->section + 6);
		else if (!spec && !common)
			cfg_report_add(&rep, "%s: unknown key '%s' in [%s]",
				       where(e, loc, sizeof(loc)), e->key, e->section);
		else if ((spec ? opt_check(spec, e->value, why, sizeof(why))
			       : setting_check(common, e->value, why, sizeof(why))) < 0)
			cfg_report_add(&rep, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
				       e->section, e->key, why);
	}
	rc = cfg_report_to_err(&rep, err, errlen);
	cfg_report_free(&rep);
	return rc;
}

#define SECRET_SYMLINK "%s is a symbolic link: refused for a secret (name the file itself)"

/* The uid of [daemon] user, or -1 when no such user exists. */
static uid_t service_uid(const struct config *cfg)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!cfg->user || getpwnam_r(cfg->user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return (uid_t)-1;
	return res->pw_uid;
}

/* The rules of a secret file, on the file fd is open on. */
static int secret_fd_check(const struct config *cfg, int fd, const char *path, char *err,
			   size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return errbuf_set(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode)) /* O_PATH | O_NOFOLLOW opens the link itself */
		return errbuf_set(err, errlen, -ELOOP, SECRET_SYMLINK, path);
	if (!S_ISREG(st.st_mode))
		return errbuf_set(err, errlen, -EINVAL, "%s: %s, not a file", path,
				  file_kind(st.st_mode));
	if (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != service_uid(cfg))
		return errbuf_set(err, errlen, -EPERM,
				  "%s is owned by uid %u, not by root or redmon's user: refused",
				  path, (unsigned)st.st_uid);
	if (st.st_mode & 077)
		return errbuf_set(err, errlen, -EPERM,
				  "%s is open to %s (mode %04o): refused for a secret (chmod 600 "
				  "%s)",
				  path, (st.st_mode & 07) ? "others" : "its group",
				  (unsigned)(st.st_mode & 07777), path);
	return 0;
}

static int secret_open(const char *path, int flags, char *err, size_t errlen)
{
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		return errbuf_set(err, errlen, -ELOOP, SECRET_SYMLINK, path);
	return errbuf_set(err, errlen, -errno, "%s: %s", path, strerror(errno));
}

int cfg_secret_check(const struct config *cfg, const char *path, char *err, size_t errlen)
{
	/* O_PATH: --check-config run by an admin need not be able to read it. */
	int fd = secret_open(path, O_PATH, err, errlen);
	int rc;

	if (fd < 0)
		return fd;
	rc = secret_fd_check(cfg, fd, path, err, errlen);
	close(fd);
	return rc;
}

int cfg_secret_read(const struct config *cfg, const char *path, char *buf, size_t size, char *err,
		    size_t errlen)
{
	int fd = secret_open(path, O_RDONLY, err, errlen);
	size_t len = 0;
	int rc;

	if (fd < 0)
		return fd;
	rc = secret_fd_check(cfg, fd, path, err, errlen);
	while (rc == 0 && len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = errbuf_set(err, errlen, -errno, "%s: %s", path, strerror(errno));
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	close(fd);
	if (rc < 0) {
		explicit_bzero(buf, size);
		return rc;
	}
	buf[len] = 0;
	return (int)len;
}

/* The secret-file keys of a core section or of a loaded plugin's. */
static bool is_secret_key(const struct config *cfg, const struct cfg_entry *e,
			  const struct plugin_set *plugins)
{
	const struct cfg_section *t = section_find(e->section);
	const struct redmon_option_spec *spec;
	const struct redmon_plugin *p;
	const struct setting *s = NULL;
	struct cfg_sink *k;

	if (t)
		s = setting_find(t->table, e->key);
	else if (strncmp(e->section, "sink.", 5) == 0 &&
		 (k = sink_find((struct config *)cfg, e->section + 5)))
		s = sink_setting_find(sink_type_settings_of(k->type), e->key);
	if (s)
		return s->type == SETTING_SECRET_FILE;
	if (!plugins || strncmp(e->section, "probe.", 6) != 0)
		return false;
	p = plugin_set_find(plugins, e->section + 6);
	spec = p ? spec_find(p->options, e->key) : NULL;
	return spec && spec->type == REDMON_OPT_SECRET_FILE;
}

int cfg_check_secrets(const struct config *cfg, const struct plugin_set *plugins, char *err,
		      size_t errlen)
{
	struct cfg_report rep = { 0 };
	int first = 0;

	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		char loc[300], why[512];
		int rc;

		/* The last value of a key is the one used. */
		if (!e->value[0] || !is_secret_key(cfg, e, plugins) ||
		    entry_find(cfg, e->section, e->key) != e)
			continue;
		rc = cfg_secret_check(cfg, e->value, why, sizeof(why));
		if (rc < 0)
			cfg_report_add(&rep, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
				       e->section, e->key, why);
		first = first ? first : rc;
	}
	cfg_report_to_err(&rep, err, errlen);
	cfg_report_free(&rep);
	return first; /* the reason of the first, as -errno */
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
	for (size_t i = 0; i < cfg->n_probes; i++)
		free(cfg->probes[i].name);
	free(cfg->probes);
	for (size_t i = 0; i < cfg->n_groups; i++)
		free(cfg->groups[i].id);
	free(cfg->groups);
	free(cfg->entries);
	free(cfg->file);
	cfg_report_free(&cfg->problems);
	free(cfg);
}
