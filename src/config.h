/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: an INI file ([daemon], [probe.<name>], [sink.<name>]) plus
 * `-o section.key=value` overrides.  A config is parsed into a new struct,
 * validated whole, and only then swapped in, so a bad reload changes nothing.
 */
#ifndef REDMON_CONFIG_H
#define REDMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redmon/plugin.h"

struct plugin_set;

/* One `key = value` as written, with where it came from. */
struct cfg_entry {
	char *section;
	char *key;
	char *value;
	const char *origin; /* file name or "command line"; points into struct config */
	unsigned line;	    /* line in the file, or the -o position */
};

enum sink_type { SINK_JSON = 0, SINK_EXEC, SINK_WEBHOOK, SINK_SYSLOG, SINK_MAIL, SINK_TEXTFILE };

struct cfg_sink {
	char *name;
	enum sink_type type;
	const char *path; /* "-" = stdout; points into entries */
	int min_severity; /* event_severity */
};

struct config {
	char *file; /* NULL when no file was read */
	struct cfg_entry *entries;
	size_t n_entries;

	/* [daemon], typed */
	uint64_t rescan_interval_ms;
	unsigned progress_step;
	bool log_syslog;
	int log_level;
	const char *plugin_dir; /* NULL: next to the binary, else the built-in path */
	const char *hostname;	/* NULL: gethostname() */
	const char *state_dir;	/* the default unless state_dir_set */
	bool state_dir_set;
	unsigned recovery_scans;
	uint64_t recovery_interval_ms;
	uint64_t probe_timeout_ms;

	struct cfg_sink *sinks;
	size_t n_sinks;
};

/*
 * Read FILE (may be NULL: defaults only; a missing file named explicitly is an
 * error; a directory, FIFO or device, or more than 1 MiB, is refused without
 * blocking) and apply the overrides ("section.key=value").  Validates every core
 * key; [probe.*] sections are checked later by cfg_check_probes().  On error
 * returns -errno / -EINVAL and writes a message naming file and line to err.
 * *ret is set only on success and is freed with cfg_free().
 */
int cfg_load(const char *file, char *const *overrides, size_t n_overrides, struct config **ret,
	     char *err, size_t errlen);

/* Check [probe.NAME] sections against the loaded plugins' option tables. */
int cfg_check_probes(const struct config *cfg, const struct plugin_set *plugins, char *err,
		     size_t errlen);

/* The value of section.key as configured (the last one wins), or NULL. */
const char *cfg_get(const struct config *cfg, const char *section, const char *key);

/* The value of section.key as configured, else the default of a core section's table. */
const char *cfg_value(const struct config *cfg, const char *section, const char *key);

/* Whether [probe.NAME] enabled is not "no". */
bool cfg_probe_enabled(const struct config *cfg, const char *probe);

void cfg_free(struct config *cfg);

/*
 * Secret files (options of type REDMON_OPT_SECRET_FILE: passwords, tokens)
 * must be regular files, not symlinks, owned by root, by the user we run as
 * or by [daemon] user, and closed to group and others.
 *
 * cfg_secret_check() checks path without reading it.  cfg_secret_read()
 * reads at most size - 1 bytes of it into buf, NUL-terminated, and returns
 * their number; on failure buf is wiped.  Both open with O_NOFOLLOW and
 * O_NONBLOCK, and return -errno with the reason in err.
 */
int cfg_secret_check(const struct config *cfg, const char *path, char *err, size_t errlen);
int cfg_secret_read(const struct config *cfg, const char *path, char *buf, size_t size, char *err,
		    size_t errlen);

/*
 * Check every secret file cfg names, in core sections and in the [probe.*]
 * sections of plugins (may be NULL: core sections only).  For the daemon
 * (start, reload, --check-config): the one-shot commands do not read them.
 */
int cfg_check_secrets(const struct config *cfg, const struct plugin_set *plugins, char *err,
		      size_t errlen);

/* Value checks shared with plugin options.  0 or -EINVAL with a message. */
int opt_check(const struct redmon_option_spec *spec, const char *value, char *err, size_t errlen);
int opt_parse_bool(const char *s, bool *ret);
int opt_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
/* "30", "30s", "500ms", "5m", "1h" -> milliseconds within [min, max]. */
int opt_parse_duration_ms(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

#endif
