/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keys of a [sink.NAME] section, typed once (settings.h): what every
 * sink that delivers events one by one has (min_severity, remind, heartbeat,
 * fail_after) and what each type has of its own.  The config fills one
 * struct cfg_sink per section; the sinks read its fields.  docs/alerts.md
 * documents the same tables.
 */
#ifndef REDMON_SINK_SETTINGS_H
#define REDMON_SINK_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "remind.h"
#include "settings.h"

enum sink_type { SINK_JSON = 0, SINK_EXEC, SINK_WEBHOOK, SINK_SYSLOG, SINK_MAIL, SINK_TEXTFILE };

enum webhook_format { WEBHOOK_GENERIC = 0, WEBHOOK_ALERTMANAGER };

/* Static routing labels of a webhook sink ("dc=ams1, team=storage"), checked once. */
#define SINK_LABELS_MAX	     16
#define SINK_LABEL_NAME_MAX  64
#define SINK_LABEL_VALUE_MAX 256
struct sink_labels {
	unsigned n;
	struct {
		char name[SINK_LABEL_NAME_MAX];
		char value[SINK_LABEL_VALUE_MAX];
	} v[SINK_LABELS_MAX];
};

/* One [sink.NAME]; strings are borrowed from the config that holds it. */
struct cfg_sink {
	char *name;
	enum sink_type type;

	/* Delivery policy (textfile: the defaults). */
	int min_severity; /* event_severity */
	struct remind remind;
	uint64_t heartbeat_ms; /* 0: off */
	unsigned fail_after;

	const char *path; /* json ("-": standard output) and textfile */
	struct {
		const char *command;
		uint64_t timeout_ms;
		unsigned queue_max;
	} exec;
	struct {
		const char *url; /* one or more, space-separated */
		int format;	 /* enum webhook_format */
		uint64_t resend_ms;
		const char *spool_dir; /* NULL: <state_dir>/spool/<name> */
		unsigned spool_max;
		const char *header_file; /* NULL or "": none */
		uint64_t timeout_ms, retry_initial_ms, retry_max_ms;
		bool tls_verify;
		const char *ca_file; /* NULL: the system's */
		const char *proxy;   /* "": none */
		struct sink_labels labels;
		const char *instance; /* NULL: the host name */
	} webhook;
	struct {
		int facility; /* LOG_DAEMON ... */
		const char *ident;
		const char *socket;
	} syslog;
	struct {
		const char *to;
		const char *from; /* NULL: sendmail's */
		const char *sendmail;
		uint64_t timeout_ms;
		unsigned queue_max;
		uint64_t burst_ms;    /* a group's events within it: one mail; 0: one per event */
		const char *smtp_url; /* NULL: sendmail */
	} mail;
};

/* A sink type: its name, its own keys, and the key it cannot do without. */
struct sink_type_settings {
	const char *name;
	enum sink_type type;
	const struct setting *table;
	bool delivers; /* has the delivery policy keys */
	const char *required;
};

/* The keys of [sink.NAME] whatever its type ("type" itself). */
extern const struct setting sink_common_settings[];

/* The type called name, or NULL. */
const struct sink_type_settings *sink_type_settings_find(const char *name);
const struct sink_type_settings *sink_type_settings_of(enum sink_type type);

/* The setting of key for a sink of type t, or NULL when t has no such key. */
const struct setting *sink_setting_find(const struct sink_type_settings *t, const char *key);

/* Every default of type t into s (name and type are left alone). */
void sink_settings_defaults(const struct sink_type_settings *t, struct cfg_sink *s);

/*
 * s[0..n) names a local user's mailbox ("root"), as mdadm's MAILADDR and
 * smartd's -m take it: 1-64 of letters, digits and . _ + -, not starting
 * with '-' or '.'.  sendmail qualifies it with the host's domain; mail by
 * SMTP sends it as user@localhost (mail_smtp.c).
 */
bool sink_mail_local_user(const char *s, size_t n);

/* The facility as configured ("daemon", "local3"), for the fingerprint. */
const char *sink_facility_name(int facility, char *buf, size_t len);

#endif
