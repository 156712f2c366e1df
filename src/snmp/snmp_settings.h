/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The [snmp] section, parsed and checked once into struct snmp_settings
 * (docs/snmp.md, section 3): intervals, the queue bound, the direct targets,
 * the v3 user with its keys read from their password files, our engine ID.
 * Internal to src/snmp/.
 */
#ifndef REDMON_SNMP_SETTINGS_H
#define REDMON_SNMP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* Where a notification goes: the AgentX master, or a direct target's kind. */
enum dest_kind { DEST_MASTER = 0, DEST_TRAP_V2C, DEST_TRAP_V3, DEST_INFORM_V3 };

/* A target as configured. */
struct snmp_target {
	enum dest_kind kind;
	char *spec; /* the config value, for logs and to match targets across reloads */
	char *addr; /* net-snmp transport address, default port 162 */
	char *community;
	unsigned char engine_id[32]; /* INFORM: the receiver's, if pinned */
	size_t engine_id_len;
};

/* The [snmp] settings, parsed and checked; owns its strings. */
struct snmp_settings {
	bool enabled;
	char *agentx_socket; /* NULL: net-snmp's default */
	bool no_master;	     /* agentx_socket = none */
	unsigned ping_s;
	uint64_t heartbeat_ms;
	size_t queue_max;
	unsigned inform_retries;
	uint64_t inform_timeout_ms;
	char *v3_user;
	int auth_type, priv_type; /* usm_lookup_*_type() */
	char *auth_pass, *priv_pass;
	unsigned char engine_id[32]; /* ours, for v3 TRAPs */
	size_t engine_id_len;
	char *state_file;
	struct snmp_target *targets;
	size_t n_targets;
};

/*
 * Parse cfg's [snmp] into st (zeroed first; the password files are read).
 * 0, or -EINVAL / -ENOMEM / -errno with a message in err; st is to be freed
 * with subagent_settings_free() either way.
 */
int subagent_settings_load(const struct config *cfg, struct snmp_settings *st, char *err,
			   size_t errlen);

/* Free what st owns (passwords wiped first) and zero it. */
void subagent_settings_free(struct snmp_settings *st);

void subagent_target_free(struct snmp_target *t);

/* Log a warning for each [snmp] fast_path in cfg: the key is kept but does nothing. */
void subagent_settings_warn(const struct config *cfg);

#endif
