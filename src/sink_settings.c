/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sink_settings.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include "event.h"
#include "policy.h"

#define DAY_MS	 (24ull * 3600 * 1000)
#define FIELD(f) offsetof(struct cfg_sink, f)

static const char *parse_heartbeat(const char *v, void *field)
{
	if (policy_parse_heartbeat(v, field) < 0)
		return "expected off or a duration of at least 1s";
	return NULL;
}

static const char *check_prom_path(const char *v, void *field)
{
	size_t n = strlen(v);

	(void)field;
	if (v[0] != '/' || n < 5 || strcmp(v + n - 5, ".prom") != 0)
		return "must be an absolute path ending in .prom (node_exporter reads only those)";
	return NULL;
}

/* Unlike other secret files (empty: none), a header_file named must be one. */
static const char *check_absolute(const char *v, void *field)
{
	(void)field;
	return v[0] == '/' ? NULL : "must be an absolute path";
}

/* One or more http(s) URLs separated by spaces (an Alertmanager cluster). */
static const char *check_urls(const char *v, void *field)
{
	size_t n = 0;

	(void)field;
	while (*(v += strspn(v, " \t"))) {
		size_t len = strcspn(v, " \t"), i = 0;

		while (i < len && (unsigned char)v[i] >= 0x20 && v[i] != 0x7f)
			i++;
		if (i < len || ((len <= 7 || strncmp(v, "http://", 7) != 0) &&
				(len <= 8 || strncmp(v, "https://", 8) != 0)))
			break;
		v += len;
		n++;
	}
	if (*v || n == 0)
		return "must be one or more http:// or https:// URLs, separated by spaces";
	return NULL;
}

/* Header lines of a mail: a CR or LF would start a header of its own. */
static const char *check_mail_text(const char *v, void *field)
{
	(void)field;
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p < 0x20)
			return "must not contain control characters";
	}
	return NULL;
}

bool sink_mail_local_user(const char *s, size_t n)
{
	if (n == 0 || n > 64 || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '+' && c != '-')
			return false;
	}
	return true;
}

/* Some entry of the comma-separated list v is a local user ("root", " root "). */
static bool names_local_user(const char *v)
{
	while (*v) {
		size_t n = strcspn(v, ","), skip = strspn(v, " \t"), len = n;

		while (len > skip && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len > skip && sink_mail_local_user(v + skip, len - skip))
			return true;
		v += n + (v[n] == ',');
	}
	return false;
}

/* At least one address: user@domain, or a local user as mdadm's MAILADDR takes it. */
static const char *check_mail_to(const char *v, void *field)
{
	if (!strchr(v, '@') && !names_local_user(v))
		return "needs at least one address (user@domain, or a local user such as root)";
	return check_mail_text(v, field);
}

/* An SMTP server: smtp:// or smtps://, one word. */
static const char *check_smtp_url(const char *v, void *field)
{
	(void)field;
	if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0)
		return "must be an smtp:// or smtps:// URL (e.g. smtp://localhost:25)";
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "must not contain spaces or control characters";
	}
	return NULL;
}

/* The tag of every syslog line: one word, and nothing that would end the line. */
static const char *check_ident(const char *v, void *field)
{
	(void)field;
	if (!*v || strpbrk(v, " :[]"))
		return "must be a word without spaces, ':', '[' or ']'";
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	}
	return NULL;
}

/* Labels redmon sets itself: a static label may not replace them. */
static const char *const own_labels[] = { "alertname", "instance", "severity", "group",
					  "probe",     "disk",	   "sink" };

/* A Prometheus label name, [a-zA-Z_][a-zA-Z0-9_]*, not reserved ("__") nor redmon's own. */
static const char *label_name_problem(const char *name, size_t len)
{
	if (len == 0 || len >= SINK_LABEL_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
		return "a label name must be 1-63 of [a-zA-Z0-9_], not starting with a digit";
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return "a label name must be 1-63 of [a-zA-Z0-9_], not starting with a "
			       "digit";
	}
	if (len >= 2 && name[0] == '_' && name[1] == '_')
		return "label names starting with __ are reserved by Prometheus";
	for (size_t i = 0; i < sizeof(own_labels) / sizeof(own_labels[0]); i++) {
		if (strlen(own_labels[i]) == len && memcmp(own_labels[i], name, len) == 0)
			return "alertname, instance, severity, group, probe, disk and sink are "
			       "redmon's own labels (set instance with the instance key)";
	}
	return NULL;
}

/* The span [s, s + len) without its leading and trailing blanks. */
static const char *trim(const char *s, size_t *len)
{
	while (*len && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

static bool has_control_n(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	}
	return false;
}

/* labels = name=value, name=value: parsed here, once, into struct sink_labels. */
static const char *parse_labels(const char *v, void *field)
{
	struct sink_labels l = { 0 };

	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ","), nlen, vlen;
		const char *eq = memchr(p, '=', len), *name, *value, *why;

		if (!eq)
			return "expected name=value pairs separated by commas";
		nlen = (size_t)(eq - p);
		name = trim(p, &nlen);
		vlen = len - (size_t)(eq + 1 - p);
		value = trim(eq + 1, &vlen);
		if ((why = label_name_problem(name, nlen)))
			return why;
		if (vlen == 0 || vlen >= SINK_LABEL_VALUE_MAX || has_control_n(value, vlen))
			return "a label value must be 1-255 bytes without control characters";
		for (unsigned i = 0; i < l.n; i++) {
			if (strlen(l.v[i].name) == nlen && memcmp(l.v[i].name, name, nlen) == 0)
				return "a label is named twice";
		}
		if (l.n == SINK_LABELS_MAX)
			return "at most 16 labels";
		memcpy(l.v[l.n].name, name, nlen);
		memcpy(l.v[l.n].value, value, vlen);
		l.n++;
		p += len;
		p += *p == ',';
	}
	*(struct sink_labels *)field = l;
	return NULL;
}

/* instance: what Alertmanager groups a host's alerts by; one line of text. */
static const char *check_instance(const char *v, void *field)
{
	size_t n = strlen(v);

	(void)field;
	if (n == 0 || n > 255 || has_control_n(v, n))
		return "must be 1-255 bytes without control characters";
	return NULL;
}

const struct setting sink_common_settings[] = {
	{ .key = "type",
	  .type = SETTING_ENUM,
	  .choices = "json|exec|webhook|syslog|mail|textfile",
	  .offset = FIELD(type) },
	{ 0 },
};

static const int severities[] = { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

/* Keys of every sink that delivers events one by one. */
static const struct setting delivery_settings[] = {
	{ .key = "min_severity",
	  .type = SETTING_ENUM,
	  .def = "info",
	  .choices = "info|warning|critical",
	  .values = severities,
	  .offset = FIELD(min_severity) },
	{ .key = "remind",
	  .type = SETTING_CUSTOM,
	  .def = "once",
	  .offset = FIELD(remind),
	  .parse = policy_remind_setting },
	{ .key = "heartbeat",
	  .type = SETTING_CUSTOM,
	  .def = "off",
	  .offset = FIELD(heartbeat_ms),
	  .parse = parse_heartbeat },
	{ .key = "fail_after",
	  .type = SETTING_UINT,
	  .def = "3",
	  .min = 1,
	  .max = 1000,
	  .offset = FIELD(fail_after) },
	{ 0 },
};

static const struct setting json_settings[] = {
	{ .key = "path", .type = SETTING_STRING, .def = "-", .offset = FIELD(path) },
	{ 0 },
};

static const struct setting exec_settings[] = {
	{ .key = "command", .type = SETTING_PATH, .offset = FIELD(exec.command) },
	{ .key = "timeout",
	  .type = SETTING_DURATION,
	  .def = "30s",
	  .min = 100,
	  .max = 3600000,
	  .offset = FIELD(exec.timeout_ms) },
	{ .key = "queue_max",
	  .type = SETTING_UINT,
	  .def = "100",
	  .min = 1,
	  .max = 100000,
	  .offset = FIELD(exec.queue_max) },
	{ 0 },
};

static const struct setting webhook_settings[] = {
	{ .key = "url", .type = SETTING_STRING, .offset = FIELD(webhook.url), .parse = check_urls },
	{ .key = "resend_interval",
	  .type = SETTING_DURATION,
	  .def = "1m",
	  .min = 100,
	  .max = DAY_MS,
	  .offset = FIELD(webhook.resend_ms) },
	{ .key = "format",
	  .type = SETTING_ENUM,
	  .def = "generic",
	  .choices = "generic|alertmanager", /* enum webhook_format */
	  .offset = FIELD(webhook.format) },
	{ .key = "spool_dir", .type = SETTING_PATH, .offset = FIELD(webhook.spool_dir) },
	{ .key = "spool_max",
	  .type = SETTING_UINT,
	  .def = "10000",
	  .min = 10,
	  .max = 10000000,
	  .offset = FIELD(webhook.spool_max) },
	{ .key = "header_file",
	  .type = SETTING_SECRET_FILE,
	  .offset = FIELD(webhook.header_file),
	  .parse = check_absolute },
	{ .key = "timeout",
	  .type = SETTING_DURATION,
	  .def = "10s",
	  .min = 100,
	  .max = 600000,
	  .offset = FIELD(webhook.timeout_ms) },
	{ .key = "retry_initial",
	  .type = SETTING_DURATION,
	  .def = "1s",
	  .min = 10,
	  .max = 3600000,
	  .offset = FIELD(webhook.retry_initial_ms) },
	{ .key = "retry_max",
	  .type = SETTING_DURATION,
	  .def = "60s",
	  .min = 10,
	  .max = DAY_MS,
	  .offset = FIELD(webhook.retry_max_ms) },
	{ .key = "tls_verify",
	  .type = SETTING_BOOL,
	  .def = "yes",
	  .offset = FIELD(webhook.tls_verify) },
	{ .key = "ca_file", .type = SETTING_PATH, .offset = FIELD(webhook.ca_file) },
	{ .key = "proxy", .type = SETTING_STRING, .def = "", .offset = FIELD(webhook.proxy) },
	{ .key = "labels",
	  .type = SETTING_CUSTOM,
	  .offset = FIELD(webhook.labels),
	  .parse = parse_labels },
	{ .key = "instance",
	  .type = SETTING_STRING,
	  .offset = FIELD(webhook.instance),
	  .parse = check_instance },
	{ 0 },
};

static const int facilities[] = { LOG_DAEMON, LOG_USER,	  LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2,
				  LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };

static const struct setting syslog_settings[] = {
	{ .key = "facility",
	  .type = SETTING_ENUM,
	  .def = "daemon",
	  .choices = "daemon|user|local0|local1|local2|local3|local4|local5|local6|local7",
	  .values = facilities,
	  .offset = FIELD(syslog.facility) },
	{ .key = "ident",
	  .type = SETTING_STRING,
	  .def = "redmon",
	  .offset = FIELD(syslog.ident),
	  .parse = check_ident },
	{ .key = "socket",
	  .type = SETTING_PATH,
	  .def = "/dev/log",
	  .offset = FIELD(syslog.socket) },
	{ 0 },
};

static const struct setting mail_settings[] = {
	{ .key = "mail_to",
	  .type = SETTING_STRING,
	  .offset = FIELD(mail.to),
	  .parse = check_mail_to },
	{ .key = "mail_from",
	  .type = SETTING_STRING,
	  .offset = FIELD(mail.from),
	  .parse = check_mail_text },
	{ .key = "sendmail",
	  .type = SETTING_PATH,
	  .def = "/usr/sbin/sendmail",
	  .offset = FIELD(mail.sendmail) },
	{ .key = "timeout",
	  .type = SETTING_DURATION,
	  .def = "30s",
	  .min = 100,
	  .max = 3600000,
	  .offset = FIELD(mail.timeout_ms) },
	{ .key = "queue_max",
	  .type = SETTING_UINT,
	  .def = "100",
	  .min = 1,
	  .max = 100000,
	  .offset = FIELD(mail.queue_max) },
	{ .key = "burst",
	  .type = SETTING_DURATION,
	  .def = "5s",
	  .min = 0,
	  .max = 3600000,
	  .offset = FIELD(mail.burst_ms) },
	{ .key = "smtp_url",
	  .type = SETTING_STRING,
	  .offset = FIELD(mail.smtp_url),
	  .parse = check_smtp_url },
	{ 0 },
};

static const struct setting textfile_settings[] = {
	{ .key = "path", .type = SETTING_STRING, .offset = FIELD(path), .parse = check_prom_path },
	{ 0 },
};

/* In the order of sink_common_settings' choices (enum sink_type). */
static const struct sink_type_settings types[] = {
	{ "json", SINK_JSON, json_settings, true, NULL },
	{ "exec", SINK_EXEC, exec_settings, true, "command" },
	{ "webhook", SINK_WEBHOOK, webhook_settings, true, "url" },
	{ "syslog", SINK_SYSLOG, syslog_settings, true, NULL },
	{ "mail", SINK_MAIL, mail_settings, true, "mail_to" },
	{ "textfile", SINK_TEXTFILE, textfile_settings, false, "path" },
};

const struct sink_type_settings *sink_type_settings_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	}
	return NULL;
}

const struct sink_type_settings *sink_type_settings_of(enum sink_type type)
{
	return &types[type];
}

const struct setting *sink_setting_find(const struct sink_type_settings *t, const char *key)
{
	const struct setting *s = setting_find(t->table, key);

	return s || !t->delivers ? s : setting_find(delivery_settings, key);
}

void sink_settings_defaults(const struct sink_type_settings *t, struct cfg_sink *s)
{
	/* A textfile has no such keys, but the dispatcher applies the policy to it too. */
	settings_defaults(delivery_settings, s);
	settings_defaults(t->table, s);
}

const char *sink_facility_name(int facility, char *buf, size_t len)
{
	return setting_enum_name(&syslog_settings[0], facility, buf, len);
}
