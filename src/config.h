/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: an INI file ([daemon], [probe.<name>], [sink.<name>],
 * [group.<probe>:<name>]) plus
 * `-o section.key=value` overrides.  A config is parsed into a new struct,
 * validated whole, and only then swapped in, so a bad reload changes nothing.
 */
#ifndef REDMON_CONFIG_H
#define REDMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "settings.h"
#include "sink_settings.h"
#include "snmp/snmp_settings.h"

struct plugin_set;

/* Room for an error text of the checks below: every problem, one line each. */
#define CFG_ERR_MAX 8192

/* Problems found, one line each ("file:line: what"), in the order found. */
struct cfg_report {
	char *text; /* the lines, each ended by '\n'; NULL when none (or out of memory) */
	size_t len;
	unsigned n;
};

void cfg_report_add(struct cfg_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add each line of text (lines separated by '\n') as one problem. */
void cfg_report_add_lines(struct cfg_report *r, const char *text);
void cfg_report_free(struct cfg_report *r);
/* The report's lines into err, joined by '\n': -EINVAL, or 0 when it is empty. */
int cfg_report_to_err(const struct cfg_report *r, char *err, size_t errlen);

/*
 * One `key = value` as written, with where it came from.  Section "": a line
 * or -o that could not be read, value saying why (only in cfg_load_all()'s).
 */
struct cfg_entry {
	char *section;
	char *key;
	char *value;
	const char *origin; /* file name or "command line"; points into struct config */
	unsigned line;	    /* line in the file, or the -o position */
};

/* [probe.NAME]: the keys every probe has (a plugin's own stay strings: the ABI). */
struct cfg_probe {
	char *name;
	bool enabled;
};

struct config {
	char *file; /* NULL when no file was read */
	struct cfg_entry *entries;
	size_t n_entries;

	/* [daemon], typed by the table in config.c */
	uint64_t rescan_interval_ms;
	unsigned progress_step;
	int log_syslog;		/* log = syslog */
	int log_level;		/* LOG_ERR ... LOG_DEBUG */
	const char *plugin_dir; /* NULL: next to the binary, else the built-in path */
	const char *hostname;	/* NULL: gethostname() */
	const char *user;	/* the default unless user_set */
	bool user_set;
	const char *state_dir; /* the default unless state_dir_set */
	bool state_dir_set;
	unsigned recovery_scans;
	uint64_t recovery_interval_ms;
	uint64_t probe_timeout_ms;
	uint64_t stall_after_ms;   /* a rebuild not moving this long: rebuild_stalled */
	uint64_t scrub_max_age_ms; /* a last scrub older than this: scrub_overdue (0: never) */
	const char *socket;	   /* the control socket (ctl.h); "": none */
	bool socket_set;	   /* given: with --root, only then is there one */
	const char *socket_group;  /* who may ask it besides root */

	struct cfg_probe *probes; /* each [probe.NAME] named */
	size_t n_probes;

	struct snmp_settings snmp; /* typed by src/snmp/snmp_settings.c */

	/* [sink.NAME], typed by src/sink_settings.c, in the order first named */
	struct cfg_sink *sinks;
	size_t n_sinks;

	/* [group.ID], in the order first named (config.c's group_settings) */
	struct group_expect *groups;
	size_t n_groups;

	/* What cfg_load_all() found wrong, in file order; empty in any config cfg_load() returns. */
	struct cfg_report problems;
};

/*
 * Read FILE (NULL: defaults only; a directory, FIFO or device, or more than
 * 1 MiB, is refused without blocking) and apply the overrides
 * ("section.key=value"), validating every core key into the typed settings
 * ([probe.*]: cfg_check_probes()).  -errno / -EINVAL with every problem in
 * err, one line each naming file and line.  *ret, on success only, is freed
 * with cfg_free().
 */
int cfg_load(const char *file, char *const *overrides, size_t n_overrides, struct config **ret,
	     char *err, size_t errlen);

/*
 * The same for --check-config: a config whose text could be read is returned
 * even with errors, in (*ret)->problems (a value in error keeps its default).
 * -errno with the reason in err only when the file cannot be read.
 */
int cfg_load_all(const char *file, char *const *overrides, size_t n_overrides, struct config **ret,
		 char *err, size_t errlen);

/* Where section.key was last set: "file:line", "-o section.key" or "" (not set).  Returns buf. */
const char *cfg_where(const struct config *cfg, const char *section, const char *key, char *buf,
		      size_t len);

/* Check [probe.NAME] sections against the loaded plugins' option tables (every problem). */
int cfg_check_probes(const struct config *cfg, const struct plugin_set *plugins, char *err,
		     size_t errlen);

/* The value of section.key as configured (the last one wins), or NULL. */
const char *cfg_get(const struct config *cfg, const char *section, const char *key);

/* Whether any key of section is set (in the file or by -o): an empty section counts as absent. */
bool cfg_has_section(const struct config *cfg, const char *section);

/* Whether [probe.NAME] enabled is not "no". */
bool cfg_probe_enabled(const struct config *cfg, const char *probe);

void cfg_free(struct config *cfg);

/*
 * Secret files (REDMON_OPT_SECRET_FILE: passwords, tokens) must be regular
 * files, not symlinks, owned by root, by us or by [daemon] user, and closed
 * to group and others.  cfg_secret_check() checks path without reading it;
 * cfg_secret_read() reads at most size - 1 bytes into buf, NUL-terminated,
 * and returns their number (buf wiped on failure).  -errno with why in err.
 */
int cfg_secret_check(const struct config *cfg, const char *path, char *err, size_t errlen);
int cfg_secret_read(const struct config *cfg, const char *path, char *buf, size_t size, char *err,
		    size_t errlen);

/*
 * Check every secret file cfg names, in core sections and the [probe.*] ones
 * of plugins (NULL: core only), for the daemon (the one-shot commands do not
 * read them).  Every problem goes to err, one line each.
 */
int cfg_check_secrets(const struct config *cfg, const struct plugin_set *plugins, char *err,
		      size_t errlen);

#endif
