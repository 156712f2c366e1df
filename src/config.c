/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "errbuf.h"
#include "event.h"
#include "plugin_loader.h"
#include "policy.h"

#define DAY_MS (24ull * 3600 * 1000)

/* The [daemon] directives; docs/configuration.md documents the same table. */
static const struct redmon_option_spec daemon_options[] = {
	{ .key = "rescan_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 100,
	  .max = DAY_MS,
	  .help = "full rescan period, the safety net behind kernel notifications" },
	{ .key = "progress_step",
	  .type = REDMON_OPT_UINT,
	  .default_value = "10",
	  .min = 1,
	  .max = 100,
	  .help = "rebuild progress event every this many percent" },
	{ .key = "log",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "stderr",
	  .choices = "stderr|syslog",
	  .help = "where log lines go" },
	{ .key = "log_level",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "notice",
	  .choices = "error|warning|notice|info|debug",
	  .help = "most verbose level logged" },
	{ .key = "plugin_dir",
	  .type = REDMON_OPT_STRING,
	  .help = "where probe plugins are loaded from" },
	{ .key = "hostname",
	  .type = REDMON_OPT_STRING,
	  .help = "host name written into events (default: the system's)" },
	{ .key = "user",
	  .type = REDMON_OPT_STRING,
	  .default_value = "redmon",
	  .help = "user the daemon runs as after start when started as root outside systemd "
		  "(root: stay root)" },
	{ .key = "state_dir",
	  .type = REDMON_OPT_STRING,
	  .default_value = "/var/lib/redmon",
	  .help = "state file and webhook spools (with --root: only when set)" },
	{ .key = "recovery_scans",
	  .type = REDMON_OPT_UINT,
	  .default_value = "1",
	  .min = 1,
	  .max = 1000,
	  .help = "scans in a row that must agree before a change that is not a failure is "
		  "announced" },
	{ .key = "recovery_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "1s",
	  .min = 100,
	  .max = DAY_MS,
	  .help = "time between the scans confirming a recovery" },
	{ .key = "probe_timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 100,
	  .max = 3600 * 1000,
	  .help = "a probe that has not answered a scan request this long is hung: its groups "
		  "turn unknown" },
	{ 0 }
};

/*
 * [sink.NAME]: the keys depend on the type, so each type has its table and
 * sink_options holds what every sink has.  Alerts: docs/alerts.md.
 */
static const struct redmon_option_spec sink_options[] = {
	{ .key = "type",
	  .type = REDMON_OPT_ENUM,
	  .choices = "json|exec|webhook|syslog|mail|textfile",
	  .help = "what the sink does" },
	{ 0 }
};

/* Keys of every sink that delivers events one by one. */
#define SINK_DELIVERY_OPTIONS                                                                      \
	{ .key = "min_severity",                                                                   \
	  .type = REDMON_OPT_ENUM,                                                                 \
	  .default_value = "info",                                                                 \
	  .choices = "info|warning|critical",                                                      \
	  .help = "drop events below this severity" },                                             \
		{ .key = "remind",                                                                 \
		  .type = REDMON_OPT_STRING,                                                       \
		  .default_value = "once",                                                         \
		  .help = "while a group is not ok: once, daily, diminishing or a duration" },     \
		{ .key = "heartbeat",                                                              \
		  .type = REDMON_OPT_STRING,                                                       \
		  .default_value = "off",                                                          \
		  .help = "send an alive event this often (off or a duration)" },                  \
	{                                                                                          \
		.key = "fail_after", .type = REDMON_OPT_UINT, .default_value = "3", .min = 1,      \
		.max = 1000, .help = "failures in a row that raise sink_failed on the other sinks" \
	}

static const struct redmon_option_spec sink_json_options[] = {
	SINK_DELIVERY_OPTIONS,
	{ .key = "path",
	  .type = REDMON_OPT_STRING,
	  .default_value = "-",
	  .help = "file to append events to, - for standard output" },
	{ 0 }
};

static const struct redmon_option_spec sink_exec_options[] = {
	SINK_DELIVERY_OPTIONS,
	{ .key = "command",
	  .type = REDMON_OPT_STRING,
	  .help = "program to run (absolute path; argv: event, group, member)" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 100,
	  .max = 3600000,
	  .help = "kill the program after this long" },
	{ .key = "queue_max",
	  .type = REDMON_OPT_UINT,
	  .default_value = "100",
	  .min = 1,
	  .max = 100000,
	  .help = "runs waiting at most (the oldest is dropped)" },
	{ 0 }
};

static const struct redmon_option_spec sink_webhook_options[] = {
	SINK_DELIVERY_OPTIONS,
	{ .key = "url",
	  .type = REDMON_OPT_STRING,
	  .help = "http:// or https:// URL to POST to (several, space-separated: each gets every "
		  "alert)" },
	{ .key = "resend_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "1m",
	  .min = 100,
	  .max = DAY_MS,
	  .help = "alertmanager: post every active alert again this often" },
	{ .key = "format",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "generic",
	  .choices = "generic|alertmanager",
	  .help = "body: the event object, or an Alertmanager /api/v2/alerts list" },
	{ .key = "spool_dir",
	  .type = REDMON_OPT_STRING,
	  .help = "undelivered alerts (default: <state_dir>/spool/<name>)" },
	{ .key = "spool_max",
	  .type = REDMON_OPT_UINT,
	  .default_value = "10000",
	  .min = 10,
	  .max = 10000000,
	  .help = "alerts kept while undelivered (the oldest are dropped)" },
	{ .key = "header_file",
	  .type = REDMON_OPT_SECRET_FILE,
	  .help = "file of 'Name: value' lines added to each request (tokens)" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 100,
	  .max = 600000,
	  .help = "one request at most" },
	{ .key = "retry_initial",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "1s",
	  .min = 10,
	  .max = 3600000,
	  .help = "first wait after a failed request" },
	{ .key = "retry_max",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "60s",
	  .min = 10,
	  .max = DAY_MS,
	  .help = "the wait doubles up to this" },
	{ .key = "tls_verify",
	  .type = REDMON_OPT_BOOL,
	  .default_value = "yes",
	  .help = "check the server's certificate and name" },
	{ .key = "ca_file",
	  .type = REDMON_OPT_STRING,
	  .help = "CA certificates (PEM) to verify the server with" },
	{ .key = "proxy",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "HTTP proxy URL (default: none, whatever the environment says)" },
	{ 0 }
};

static const struct redmon_option_spec sink_syslog_options[] = {
	SINK_DELIVERY_OPTIONS,
	{ .key = "facility",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "daemon",
	  .choices = "daemon|user|local0|local1|local2|local3|local4|local5|local6|local7",
	  .help = "syslog facility" },
	{ .key = "ident",
	  .type = REDMON_OPT_STRING,
	  .default_value = "redmon",
	  .help = "syslog tag" },
	{ .key = "socket",
	  .type = REDMON_OPT_STRING,
	  .default_value = "/dev/log",
	  .help = "the local syslog socket" },
	{ 0 }
};

static const struct redmon_option_spec sink_mail_options[] = {
	SINK_DELIVERY_OPTIONS,
	{ .key = "mail_to", .type = REDMON_OPT_STRING, .help = "recipients, comma-separated" },
	{ .key = "mail_from",
	  .type = REDMON_OPT_STRING,
	  .help = "From: address (default: sendmail's)" },
	{ .key = "sendmail",
	  .type = REDMON_OPT_STRING,
	  .default_value = "/usr/sbin/sendmail",
	  .help = "the local sendmail program (run as sendmail -t -oi)" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 100,
	  .max = 3600000,
	  .help = "kill sendmail after this long" },
	{ .key = "queue_max",
	  .type = REDMON_OPT_UINT,
	  .default_value = "100",
	  .min = 1,
	  .max = 100000,
	  .help = "mails waiting at most (the oldest is dropped)" },
	{ 0 }
};

static const struct redmon_option_spec sink_textfile_options[] = {
	{ .key = "path",
	  .type = REDMON_OPT_STRING,
	  .help = "the .prom file node_exporter's textfile collector reads" },
	{ 0 }
};

/* Per type: its keys, and the key it cannot do without. */
static const struct {
	const char *name;
	enum sink_type type;
	const struct redmon_option_spec *options;
	const char *required;
} sink_types[] = {
	{ "json", SINK_JSON, sink_json_options, NULL },
	{ "exec", SINK_EXEC, sink_exec_options, "command" },
	{ "webhook", SINK_WEBHOOK, sink_webhook_options, "url" },
	{ "syslog", SINK_SYSLOG, sink_syslog_options, NULL },
	{ "mail", SINK_MAIL, sink_mail_options, "mail_to" },
	{ "textfile", SINK_TEXTFILE, sink_textfile_options, "path" },
};

/* [snmp]: the AgentX subagent and SNMP notifications (docs/snmp.md). */
static const struct redmon_option_spec snmp_options[] = {
	{ .key = "enabled",
	  .type = REDMON_OPT_BOOL,
	  .default_value = "no",
	  .help = "serve REDMON-MIB through an AgentX master and send notifications" },
	{ .key = "agentx_socket",
	  .type = REDMON_OPT_STRING,
	  .help = "the master's AgentX socket in net-snmp agentXSocket syntax (unix:/path, "
		  "tcp:HOST:PORT); none: no master, direct notifications only; default: "
		  "net-snmp's (/var/agentx/master)" },
	{ .key = "ping_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "5s",
	  .min = 1000,
	  .max = 3600000,
	  .help = "how often the master is pinged, and reconnected to while it is away" },
	{ .key = "heartbeat_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "0",
	  .min = 0,
	  .max = DAY_MS,
	  .help = "send redmonHeartbeat this often; 0: never" },
	{ .key = "queue_max",
	  .type = REDMON_OPT_UINT,
	  .default_value = "1000",
	  .min = 1,
	  .max = 1000000,
	  .help = "notifications kept per destination while it is away (the oldest go first)" },
	{ .key = "trap_v2c",
	  .type = REDMON_OPT_STRING,
	  .help = "HOST[:PORT] COMMUNITY: send v2c traps there too (repeatable)" },
	{ .key = "trap_v3",
	  .type = REDMON_OPT_STRING,
	  .help = "HOST[:PORT]: send v3 traps there too, as v3_user (repeatable)" },
	{ .key = "inform_v3",
	  .type = REDMON_OPT_STRING,
	  .help = "HOST[:PORT] [ENGINE-ID]: send v3 INFORMs there, as v3_user, until "
		  "acknowledged (repeatable)" },
	{ .key = "inform_retries",
	  .type = REDMON_OPT_UINT,
	  .default_value = "3",
	  .min = 0,
	  .max = 20,
	  .help = "INFORM retransmissions before a pause of 30 s" },
	{ .key = "inform_timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "1s",
	  .min = 100,
	  .max = 60000,
	  .help = "how long to wait for an INFORM's acknowledgement" },
	{ .key = "v3_user",
	  .type = REDMON_OPT_STRING,
	  .help = "SNMPv3 user of trap_v3 and inform_v3" },
	{ .key = "v3_auth_protocol",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "SHA",
	  .choices = "MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512",
	  .help = "SNMPv3 authentication protocol" },
	{ .key = "v3_priv_protocol",
	  .type = REDMON_OPT_ENUM,
	  .default_value = "AES",
	  .choices = "DES|AES|AES-192|AES-256",
	  .help = "SNMPv3 privacy protocol" },
	{ .key = "v3_auth_password_file",
	  .type = REDMON_OPT_SECRET_FILE,
	  .help = "file whose first line is the v3 authentication password" },
	{ .key = "v3_priv_password_file",
	  .type = REDMON_OPT_SECRET_FILE,
	  .help = "file whose first line is the v3 privacy password (none: authNoPriv)" },
	{ .key = "v3_engine_id",
	  .type = REDMON_OPT_STRING,
	  .help = "our SNMPv3 engine ID for v3 traps, hex (default: text 'redmon-<host>')" },
	{ .key = "state_file",
	  .type = REDMON_OPT_STRING,
	  .help = "where row indexes are kept (default: [daemon] state_dir/snmp-index, else "
		  "/var/lib/redmon/snmp-index)" },
	{ .key = "fast_path",
	  .type = REDMON_OPT_BOOL,
	  .help = "no longer does anything (one request engine); accepted with a warning" },
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
	{ .name = "snmp", .options = snmp_options },
};

static const struct cfg_section *section_find(const char *section);
static bool valid_instance_name(const char *s);

/* Keys every [probe.NAME] section accepts besides the plugin's own. */
static const struct redmon_option_spec probe_common_options[] = {
	{ .key = "enabled",
	  .type = REDMON_OPT_BOOL,
	  .default_value = "yes",
	  .help = "load and run this probe" },
	{ 0 }
};

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
		return errbuf_set(err, errlen, -EINVAL, "'%s' is not yes or no", value);
	case REDMON_OPT_UINT:
		if (opt_parse_uint(value, spec->min, spec->max, &u) == 0)
			return 0;
		return errbuf_set(err, errlen, -EINVAL,
				  "'%s' is not a whole number from %" PRIu64 " to %" PRIu64, value,
				  spec->min, spec->max);
	case REDMON_OPT_DURATION:
		if (opt_parse_duration_ms(value, spec->min, spec->max, &u) == 0)
			return 0;
		return errbuf_set(err, errlen, -EINVAL,
				  "'%s' is not a duration from %" PRIu64 "ms to %" PRIu64
				  "s (e.g. 30s, 500ms, 5m, 1h)",
				  value, spec->min, spec->max / 1000);
	case REDMON_OPT_ENUM:
		if (enum_has(spec->choices, value))
			return 0;
		return errbuf_set(err, errlen, -EINVAL, "'%s' is not one of %s", value,
				  spec->choices);
	case REDMON_OPT_SECRET_FILE:
		/* Empty: none.  The file is checked by cfg_check_secrets(), in the daemon only. */
		if (value[0] == '/' || !value[0])
			return 0;
		return errbuf_set(err, errlen, -EINVAL, "'%s' is not an absolute path", value);
	}
	return errbuf_set(err, errlen, -EINVAL, "bad option type");
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

/* The type-table index of [sink.NAME], or -1 when its type is missing or unknown. */
static int sink_type_index(const struct config *cfg, const char *section)
{
	const char *type = cfg_get(cfg, section, "type");

	for (size_t i = 0; type && i < sizeof(sink_types) / sizeof(sink_types[0]); i++) {
		if (strcmp(type, sink_types[i].name) == 0)
			return (int)i;
	}
	return -1;
}

const char *cfg_value(const struct config *cfg, const char *section, const char *key)
{
	const struct cfg_section *t = section_find(section);

	if (t && t->options == sink_options) {
		int i = sink_type_index(cfg, section);

		if (i >= 0 && spec_find(sink_types[i].options, key))
			return get_or_default(cfg, section, sink_types[i].options, key);
	}
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

/*
 * The file is read whole before it is parsed, and only if it is a regular
 * file of at most CFG_FILE_MAX bytes: open() of a FIFO would block the
 * daemon (O_NONBLOCK makes it return at once, and fstat() then refuses it),
 * /dev/zero never ends, and a directory reads as an empty, valid config.
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

/*
 * The rest of fd in *buf (NUL-terminated, *len bytes before the NUL), or
 * -EFBIG as soon as it has more than CFG_FILE_MAX bytes.  *buf is the
 * caller's to free, also on failure.
 */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 4096;

	*len = 0;
	*buf = malloc(cap);
	if (!*buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (*len > CFG_FILE_MAX)
			return -EFBIG;
		if (cap - *len < 2) {
			char *b = realloc(*buf, cap * 2);

			if (!b)
				return -ENOMEM;
			*buf = b;
			cap *= 2;
		}
		n = read(fd, *buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	(*buf)[*len] = 0;
	return 0;
}

/* The text of file, NUL-terminated, in *ret (the caller frees it). */
static int slurp(const char *file, char **ret, size_t *ret_len, char *err, size_t errlen)
{
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0)
		return errbuf_set(err, errlen, -errno, "%s: cannot open: %s", file,
				  strerror(errno));
	if (fstat(fd, &st) < 0)
		rc = errbuf_set(err, errlen, -errno, "%s: %s", file, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = errbuf_set(err, errlen, -EINVAL, "%s: %s, not a configuration file", file,
				file_kind(st.st_mode));
	else if ((rc = read_all(fd, &buf, &len)) == -EFBIG)
		errbuf_set(err, errlen, rc, "%s: larger than %d KiB, not a configuration file",
			   file, CFG_FILE_MAX / 1024);
	else if (rc < 0)
		errbuf_set(err, errlen, rc, "%s: cannot read: %s", file, strerror(-rc));
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
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

/*
 * One line of the INI dialect redmon.conf(5) describes: blank, a comment
 * (# or ;, also after a blank at the end of a line), "[section]" or
 * "key = value" (':' works as '=', as inih allowed).  Leading blanks are
 * ignored: there are no continuation lines.  *section is the current
 * section, replaced by a header.  -EINVAL with the reason in err.
 */
static int parse_line(struct config *cfg, char *line, unsigned lineno, char **section, char *err,
		      size_t errlen)
{
	char *s = trim(line), *sep, *key = NULL, *value, *end;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return errbuf_set(err, errlen, -EINVAL, "syntax error: '[' without ']'");
		*end = 0;
		value = trim(end + 1);
		if (*value && *value != '#' && *value != ';')
			return errbuf_set(err, errlen, -EINVAL, "syntax error: text after ']'");
		key = trim(s + 1);
		if (!*key)
			return errbuf_set(err, errlen, -EINVAL, "syntax error: empty section name");
		free(*section);
		*section = strdup(key);
		return *section ? 0 : -ENOMEM;
	}
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
	value = sep + 1;
	*comment_start(value) = 0;
	return add_entry(cfg, *section, key, trim(value), cfg->file, lineno);
}

/* The lines of text (len bytes, NUL-terminated), each one at a time. */
static int parse_text(struct config *cfg, char *text, size_t len, char *err, size_t errlen)
{
	char *section = NULL, *line = text, why[160];
	unsigned lineno = 0;
	int rc = 0;

	if (strncmp(line, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte order mark */
		line += 3;
	while (rc == 0 && line < text + len) {
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
		line += n + 1;
	}
	free(section);
	if (rc == -EINVAL)
		return errbuf_set(err, errlen, rc, "%s:%u: %s", cfg->file, lineno, why);
	if (rc < 0)
		return errbuf_set(err, errlen, rc, "%s: %s", cfg->file, strerror(-rc));
	return 0;
}

static int read_file(struct config *cfg, const char *file, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	cfg->file = strdup(file);
	if (!cfg->file)
		return -ENOMEM;
	rc = slurp(file, &text, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = parse_text(cfg, text, len, err, errlen);
	free(text);
	return rc;
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
		return errbuf_set(err, errlen, -EINVAL, "-o '%s': expected section.key=value", ov);
	slen = dot - ov;
	klen = eq - dot - 1;
	if (slen >= sizeof(section) || klen >= sizeof(key))
		return errbuf_set(err, errlen, -EINVAL, "-o '%s': name too long", ov);
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
		return errbuf_set(err, errlen, -EINVAL, "%s: unknown key '%s' in [%s]",
				  where(e, loc, sizeof(loc)), e->key, e->section);
	if (opt_check(spec, e->value, why, sizeof(why)) < 0)
		return errbuf_set(err, errlen, -EINVAL, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
				  e->section, e->key, why);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* One or more http(s) URLs separated by spaces (an Alertmanager cluster). */
static bool urls_ok(const char *v)
{
	size_t n = 0;

	while (*(v += strspn(v, " \t"))) {
		size_t len = strcspn(v, " \t");

		if ((len <= 7 || strncmp(v, "http://", 7) != 0) &&
		    (len <= 8 || strncmp(v, "https://", 8) != 0))
			return false;
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				return false;
		}
		v += len;
		n++;
	}
	return n > 0;
}

/* What is wrong with a sink value beyond its table type, or NULL. */
static const char *sink_value_problem(enum sink_type type, const char *key, const char *v)
{
	static const char *const paths[] = { "command",	    "sendmail", "spool_dir",
					     "header_file", "ca_file",	"socket" };
	struct remind r;
	uint64_t ms;

	if (strcmp(key, "remind") == 0 && policy_parse_remind(v, &r) < 0)
		return "expected once, daily, diminishing, diminishing/DURATION or a duration of "
		       "at least 1s";
	if (strcmp(key, "heartbeat") == 0 && policy_parse_heartbeat(v, &ms) < 0)
		return "expected off or a duration of at least 1s";
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (strcmp(key, paths[i]) == 0 && v[0] != '/')
			return "must be an absolute path";
	}
	if (type == SINK_TEXTFILE && strcmp(key, "path") == 0 &&
	    (v[0] != '/' || !ends_with(v, ".prom")))
		return "must be an absolute path ending in .prom (node_exporter reads only those)";
	if (strcmp(key, "url") == 0 && !urls_ok(v))
		return "must be one or more http:// or https:// URLs, separated by spaces";
	if (strcmp(key, "mail_to") == 0 && !strchr(v, '@'))
		return "needs at least one address";
	for (const char *p = v; strncmp(key, "mail_", 5) == 0 && *p; p++) {
		if ((unsigned char)*p < 0x20)
			return "must not contain control characters";
	}
	if (strcmp(key, "ident") == 0 && (!*v || strpbrk(v, " :[]")))
		return "must be a word without spaces, ':', '[' or ']'";
	return NULL;
}

/* What is wrong with a [daemon] value beyond its table type, or NULL. */
static const char *daemon_value_problem(const char *key, const char *v)
{
	/* Relative, it would be created wherever the daemon was started. */
	if (strcmp(key, "state_dir") == 0 && v[0] != '/')
		return "must be an absolute path";
	if (strcmp(key, "hostname") != 0)
		return NULL;
	if (!*v)
		return "must not be empty (leave it out for the system's name)";
	/* It goes into every event, log line, mail header and syslog record. */
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	}
	return NULL;
}

/* A [daemon] key: one the table knows, with a value it accepts. */
static int check_daemon_entry(const struct cfg_entry *e, char *err, size_t errlen)
{
	int rc = check_entry(e, daemon_options, NULL, err, errlen);
	const char *why;
	char loc[300];

	if (rc < 0)
		return rc;
	why = daemon_value_problem(e->key, e->value);
	if (why)
		return errbuf_set(err, errlen, -EINVAL, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
				  e->section, e->key, why);
	return 0;
}

/* A [sink.NAME] key: one its type knows, with a value that type accepts. */
static int check_sink_entry(const struct config *cfg, const struct cfg_entry *e, char *err,
			    size_t errlen)
{
	const char *why;
	char loc[300];
	int i, rc;

	if (strcmp(e->key, "type") == 0)
		return check_entry(e, sink_options, NULL, err, errlen);
	i = sink_type_index(cfg, e->section);
	if (i < 0)
		return 0; /* build_sinks() or the type entry itself says what is wrong */
	if (!spec_find(sink_types[i].options, e->key))
		return errbuf_set(
			err, errlen, -EINVAL, "%s: key '%s' does not apply to [%s] (type %s)",
			where(e, loc, sizeof(loc)), e->key, e->section, sink_types[i].name);
	rc = check_entry(e, sink_types[i].options, NULL, err, errlen);
	if (rc < 0)
		return rc;
	why = sink_value_problem(sink_types[i].type, e->key, e->value);
	if (why)
		return errbuf_set(err, errlen, -EINVAL, "%s: %s.%s: %s", where(e, loc, sizeof(loc)),
				  e->section, e->key, why);
	return 0;
}

static int log_level_from(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = { { "error", LOG_ERR },
		       { "warning", LOG_WARNING },
		       { "notice", LOG_NOTICE },
		       { "info", LOG_INFO },
		       { "debug", LOG_DEBUG } };

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
		const char *required;
		char section[300];
		int t;

		snprintf(section, sizeof(section), "sink.%s", s->name);
		t = sink_type_index(cfg, section);
		if (t < 0)
			return errbuf_set(
				err, errlen, -EINVAL,
				"[%s]: 'type' is required (json, exec, webhook, syslog, mail or "
				"textfile)",
				section);
		required = sink_types[t].required;
		if (required && !cfg_get(cfg, section, required))
			return errbuf_set(err, errlen, -EINVAL,
					  "[%s]: a sink of type %s needs '%s'", section,
					  sink_types[t].name, required);
		s->type = sink_types[t].type;
		s->path = get_or_default(cfg, section, sink_types[t].options, "path");
		s->min_severity = event_severity_from_name(
			get_or_default(cfg, section, sink_types[t].options, "min_severity"));
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

		if (t && t->options == sink_options)
			rc = check_sink_entry(cfg, e, err, errlen);
		else if (t && t->options == daemon_options)
			rc = check_daemon_entry(e, err, errlen);
		else if (t)
			rc = check_entry(e, t->options, NULL, err, errlen);
		else if (strncmp(e->section, "probe.", 6) == 0 &&
			 valid_instance_name(e->section + 6))
			rc = 0; /* checked against the plugin by cfg_check_probes() */
		else
			rc = errbuf_set(
				err, errlen, -EINVAL,
				"%s: unknown section [%s] (expected [daemon], [probe.NAME], "
				"[sink.NAME] or [snmp])",
				where(e, loc, sizeof(loc)), e->section);
		if (rc < 0)
			return rc;
	}
	opt_parse_duration_ms(get_or_default(cfg, "daemon", daemon_options, "rescan_interval"), 0,
			      UINT64_MAX, &cfg->rescan_interval_ms);
	opt_parse_uint(get_or_default(cfg, "daemon", daemon_options, "progress_step"), 0,
		       UINT64_MAX, &u);
	cfg->progress_step = (unsigned)u;
	cfg->log_syslog =
		strcmp(get_or_default(cfg, "daemon", daemon_options, "log"), "syslog") == 0;
	cfg->log_level = log_level_from(get_or_default(cfg, "daemon", daemon_options, "log_level"));
	cfg->plugin_dir = cfg_get(cfg, "daemon", "plugin_dir");
	cfg->hostname = cfg_get(cfg, "daemon", "hostname");
	cfg->state_dir = get_or_default(cfg, "daemon", daemon_options, "state_dir");
	cfg->state_dir_set = cfg_get(cfg, "daemon", "state_dir") != NULL;
	opt_parse_uint(get_or_default(cfg, "daemon", daemon_options, "recovery_scans"), 0,
		       UINT64_MAX, &u);
	cfg->recovery_scans = (unsigned)u;
	opt_parse_duration_ms(get_or_default(cfg, "daemon", daemon_options, "recovery_interval"), 0,
			      UINT64_MAX, &cfg->recovery_interval_ms);
	opt_parse_duration_ms(get_or_default(cfg, "daemon", daemon_options, "probe_timeout"), 0,
			      UINT64_MAX, &cfg->probe_timeout_ms);
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
			return errbuf_set(err, errlen, -EINVAL,
					  "%s: [%s]: no probe plugin named '%s' is installed",
					  where(e, loc, sizeof(loc)), e->section, e->section + 6);
		rc = check_entry(e, p->options, probe_common_options, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

#define SECRET_SYMLINK "%s is a symbolic link: refused for a secret (name the file itself)"

/* The uid of [daemon] user, or -1 when no such user exists. */
static uid_t service_uid(const struct config *cfg)
{
	const char *user = cfg_value(cfg, "daemon", "user");
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!user || getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
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

/* The spec of an entry of a core section or of a loaded plugin's, or NULL. */
static const struct redmon_option_spec *
entry_spec(const struct config *cfg, const struct cfg_entry *e, const struct plugin_set *plugins)
{
	const struct cfg_section *t = section_find(e->section);
	const struct redmon_plugin *p;
	int i;

	if (t && t->options == sink_options) {
		i = sink_type_index(cfg, e->section);
		return i < 0 ? NULL : spec_find(sink_types[i].options, e->key);
	}
	if (t)
		return spec_find(t->options, e->key);
	if (!plugins || strncmp(e->section, "probe.", 6) != 0)
		return NULL;
	p = plugin_set_find(plugins, e->section + 6);
	return p ? spec_find(p->options, e->key) : NULL;
}

int cfg_check_secrets(const struct config *cfg, const struct plugin_set *plugins, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		const struct redmon_option_spec *spec = entry_spec(cfg, e, plugins);
		char loc[300], why[512];
		int rc;

		/* The last value of a key is the one used. */
		if (!spec || spec->type != REDMON_OPT_SECRET_FILE || !e->value[0] ||
		    cfg_get(cfg, e->section, e->key) != e->value)
			continue;
		rc = cfg_secret_check(cfg, e->value, why, sizeof(why));
		if (rc < 0)
			return errbuf_set(err, errlen, rc, "%s: %s.%s: %s",
					  where(e, loc, sizeof(loc)), e->section, e->key, why);
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
