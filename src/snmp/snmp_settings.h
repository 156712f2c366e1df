/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The [snmp] section, parsed and checked once into struct snmp_setup
 * (docs/snmp.md, section 3): intervals, the queue bound, the direct targets,
 * the v3 user with its keys read from their password files, our engine ID.
 * Internal to src/snmp/.
 */
#ifndef REDMON_SNMP_SETTINGS_H
#define REDMON_SNMP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../remind.h"
#include "../settings.h"

struct config;

/* Of each of trap_v2c, trap_v3 and inform_v3. */
#define SNMP_TARGETS_MAX 32

/* The values of a repeatable target key, in file order (borrowed from the config). */
struct snmp_target_specs {
	const char *spec[SNMP_TARGETS_MAX];
	unsigned n;
};

/* [snmp] as configured, typed by snmp_settings_table; strings borrowed from the config. */
struct snmp_settings {
	bool enabled;
	const char *agentx_socket; /* NULL or "": net-snmp's default; "none": no master */
	uint64_t ping_interval_ms;
	uint64_t heartbeat_interval_ms;
	struct remind remind; /* redmonReminder: the sinks' reminder walk sends it (sink.c) */
	unsigned queue_max;
	struct snmp_target_specs trap_v2c, trap_v3, inform_v3;
	unsigned inform_retries;
	uint64_t inform_timeout_ms;
	const char *v3_user;
	int v3_auth_protocol, v3_priv_protocol; /* the index of the choice */
	const char *v3_auth_password_file, *v3_priv_password_file;
	const char *v3_engine_id;
	const char *state_file;
	bool fast_path; /* ignored: subagent_settings_warn() */
};

extern const struct setting snmp_settings_table[];

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

/* What the subagent runs with, built from struct snmp_settings; owns its strings. */
struct snmp_setup {
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

/* "0x8000..." or "8000...", 5 to 32 octets, into buf (32 bytes): 0 or -EINVAL. */
int snmp_engine_id_parse(const char *s, unsigned char *buf, size_t *len);

/*
 * Build st from cfg's [snmp] (zeroed first; the password files are read).
 * 0, or -EINVAL / -ENOMEM / -errno with a message in err; st is to be freed
 * with subagent_settings_free() either way.
 */
int subagent_settings_load(const struct config *cfg, struct snmp_setup *st, char *err,
			   size_t errlen);

/* Free what st owns (passwords wiped first) and zero it. */
void subagent_settings_free(struct snmp_setup *st);

void subagent_target_free(struct snmp_target *t);

#endif
