/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The [snmp] section into struct snmp_settings (snmp_settings.h).  The config
 * table (config.c) has checked each value's type and range; here come the
 * checks that need net-snmp or other keys: target syntax, the v3 protocols,
 * the user and its password files, the engine IDs.
 */
#include "snmp_settings.h"
#include "subagent.h"
#include "subagent_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../errbuf.h"
#include "../log.h"
#include "../runtime.h"

#define DEFAULT_STATE_FILE "/var/lib/redmon/snmp-index"

void subagent_target_free(struct snmp_target *t)
{
	free(t->spec);
	free(t->addr);
	free(t->community);
	memset(t, 0, sizeof(*t));
}

void subagent_settings_free(struct snmp_settings *st)
{
	free(st->agentx_socket);
	free(st->v3_user);
	if (st->auth_pass)
		explicit_bzero(st->auth_pass, strlen(st->auth_pass));
	if (st->priv_pass)
		explicit_bzero(st->priv_pass, strlen(st->priv_pass));
	free(st->auth_pass);
	free(st->priv_pass);
	free(st->state_file);
	for (size_t i = 0; i < st->n_targets; i++)
		subagent_target_free(&st->targets[i]);
	free(st->targets);
	memset(st, 0, sizeof(*st));
}

/* "0x8000..." or "8000...": 5 to 32 octets (RFC 3411 SnmpEngineID). */
static int parse_engine_id(const char *s, unsigned char *buf, size_t *len)
{
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s[0] && s[1]; s += 2) {
		char hex[3] = { s[0], s[1], 0 };
		char *end;
		unsigned long v = strtoul(hex, &end, 16);

		if (*end || n == 32)
			return -EINVAL;
		buf[n++] = (unsigned char)v;
	}
	if (*s || n < 5)
		return -EINVAL;
	*len = n;
	return 0;
}

/*
 * The first line of a password file, a secret file as config.h says (the
 * same rules as every other); USM wants at least 8 characters.
 */
static int read_password(const struct config *cfg, const char *key, const char *path, char **ret,
			 char *err, size_t errlen)
{
	char buf[512], why[400];
	int rc = cfg_secret_read(cfg, path, buf, sizeof(buf), why, sizeof(why));
	size_t n;

	if (rc < 0)
		return errbuf_set(err, errlen, rc == -ENOMEM ? rc : -EINVAL, "[snmp] %s: %s", key,
				  why);
	buf[strcspn(buf, "\r\n")] = 0;
	n = strlen(buf);
	if (n < USM_LENGTH_P_MIN) {
		explicit_bzero(buf, sizeof(buf));
		return errbuf_set(err, errlen, -EINVAL,
				  "[snmp] %s: the password in %s has fewer than %d characters", key,
				  path, USM_LENGTH_P_MIN);
	}
	*ret = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return *ret ? 0 : -ENOMEM;
}

/* "HOST[:PORT] COMMUNITY", "HOST[:PORT]" or "HOST[:PORT] [ENGINE-ID]". */
static int parse_target(enum dest_kind kind, const char *key, const char *value,
			struct snmp_target *t, char *err, size_t errlen)
{
	char *copy = strdup(value), *save = NULL, *addr, *second, *third;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	addr = strtok_r(copy, " \t", &save);
	second = strtok_r(NULL, " \t", &save);
	third = strtok_r(NULL, " \t", &save);
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	if (!addr)
		rc = errbuf_set(err, errlen, -EINVAL, "[snmp] %s: empty target", key);
	else if (kind == DEST_TRAP_V2C && (!second || third))
		rc = errbuf_set(err, errlen, -EINVAL,
				"[snmp] %s = %s: expected HOST[:PORT] COMMUNITY", key, value);
	else if (kind == DEST_TRAP_V3 && second)
		rc = errbuf_set(err, errlen, -EINVAL, "[snmp] %s = %s: expected HOST[:PORT]", key,
				value);
	else if (kind == DEST_INFORM_V3 &&
		 (third ||
		  (second && parse_engine_id(second, t->engine_id, &t->engine_id_len) < 0)))
		rc = errbuf_set(
			err, errlen, -EINVAL,
			"[snmp] %s = %s: expected HOST[:PORT] [ENGINE-ID in hex, 5 to 32 octets]",
			key, value);
	if (rc == 0) {
		t->spec = strdup(value);
		t->addr = strdup(addr);
		if (kind == DEST_TRAP_V2C)
			t->community = strdup(second);
		if (!t->spec || !t->addr || (kind == DEST_TRAP_V2C && !t->community))
			rc = -ENOMEM;
	}
	free(copy);
	if (rc < 0)
		subagent_target_free(t);
	return rc;
}

static int add_targets(const struct config *cfg, struct snmp_settings *st, const char *key,
		       enum dest_kind kind, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		struct snmp_target *v;
		int rc;

		if (strcmp(e->section, "snmp") != 0 || strcmp(e->key, key) != 0 || !*e->value)
			continue;
		v = realloc(st->targets, (st->n_targets + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->targets = v;
		rc = parse_target(kind, key, e->value, &v[st->n_targets], err, errlen);
		if (rc < 0)
			return rc;
		st->n_targets++;
	}
	return 0;
}

static const char *value(const struct config *cfg, const char *key)
{
	return cfg_value(cfg, "snmp", key);
}

/* Typed values; the config table has checked them, def covers a missing default. */
static bool get_bool(const struct config *cfg, const char *key, bool def)
{
	const char *v = value(cfg, key);
	bool b = def;

	if (v)
		opt_parse_bool(v, &b);
	return b;
}

static uint64_t get_ms(const struct config *cfg, const char *key, uint64_t def)
{
	const char *v = value(cfg, key);
	uint64_t u = def;

	if (v)
		opt_parse_duration_ms(v, 0, UINT64_MAX, &u);
	return u;
}

static uint64_t get_uint(const struct config *cfg, const char *key, uint64_t def)
{
	const char *v = value(cfg, key);
	uint64_t u = def;

	if (v)
		opt_parse_uint(v, 0, UINT64_MAX, &u);
	return u;
}

static const char *get_str(const struct config *cfg, const char *key, const char *def)
{
	const char *v = value(cfg, key);

	return v && *v ? v : def;
}

/*
 * Our engine ID for v3 TRAPs when none is configured: net-snmp's text format
 * (RFC 3411: enterprise 8072, format 4) of "redmon-<host>", so it is
 * predictable for the receiver's createUser -e and differs between hosts.
 */
static void default_engine_id(const struct config *cfg, struct snmp_settings *st)
{
	/* enterprise 8072 with the high bit set, format 4 (text), then the text */
	static const u_char prefix[] = "\x80\x00\x1f\x88\x04redmon-";
	char host[256];
	size_t n;

	runtime_hostname(cfg, host, sizeof(host));
	/* An engine ID has at most 32 octets: the host name is cut to fit. */
	n = strlen(host);
	if (n > sizeof(st->engine_id) - (sizeof(prefix) - 1))
		n = sizeof(st->engine_id) - (sizeof(prefix) - 1);
	memcpy(st->engine_id, prefix, sizeof(prefix) - 1);
	memcpy(st->engine_id + sizeof(prefix) - 1, host, n);
	st->engine_id_len = sizeof(prefix) - 1 + n;
}

int subagent_settings_load(const struct config *cfg, struct snmp_settings *st, char *err,
			   size_t errlen)
{
	uint64_t u;
	const char *v;
	bool v3 = false;
	int rc;

	memset(st, 0, sizeof(*st));
	st->enabled = get_bool(cfg, "enabled", false);
	v = get_str(cfg, "agentx_socket", NULL);
	if (v && strcmp(v, "none") == 0)
		st->no_master = true;
	else if (v && !(st->agentx_socket = strdup(v)))
		return -ENOMEM;
	u = get_ms(cfg, "ping_interval", 5000);
	st->ping_s = (unsigned)((u + 999) / 1000);
	if (st->ping_s == 0)
		st->ping_s = 1; /* 0 would mean: never reconnect */
	st->heartbeat_ms = get_ms(cfg, "heartbeat_interval", 0);
	st->queue_max = (size_t)get_uint(cfg, "queue_max", 1000);
	st->inform_retries = (unsigned)get_uint(cfg, "inform_retries", 3);
	st->inform_timeout_ms = get_ms(cfg, "inform_timeout", 1000);

	v = get_str(cfg, "state_file", NULL);
	if (v) {
		st->state_file = strdup(v);
	} else if ((v = cfg_value(cfg, "daemon", "state_dir")) != NULL && *v) {
		size_t n = strlen(v) + sizeof("/snmp-index");

		st->state_file = malloc(n);
		if (st->state_file)
			snprintf(st->state_file, n, "%s/snmp-index", v);
	} else {
		st->state_file = strdup(DEFAULT_STATE_FILE);
	}
	if (!st->state_file)
		return -ENOMEM;

	if ((rc = add_targets(cfg, st, "trap_v2c", DEST_TRAP_V2C, err, errlen)) < 0 ||
	    (rc = add_targets(cfg, st, "trap_v3", DEST_TRAP_V3, err, errlen)) < 0 ||
	    (rc = add_targets(cfg, st, "inform_v3", DEST_INFORM_V3, err, errlen)) < 0)
		return rc;
	for (size_t i = 0; i < st->n_targets; i++)
		v3 = v3 || st->targets[i].kind != DEST_TRAP_V2C;

	v = get_str(cfg, "v3_auth_protocol", "SHA");
	st->auth_type = usm_lookup_auth_type(v);
	if (st->auth_type < 0 || !sc_get_auth_oid(st->auth_type, &(size_t){ 0 }))
		return errbuf_set(err, errlen, -EINVAL,
				  "[snmp] v3_auth_protocol %s: not supported by net-snmp here", v);
	v = get_str(cfg, "v3_priv_protocol", "AES");
	st->priv_type = usm_lookup_priv_type(v);
	if (st->priv_type < 0 || !sc_get_priv_oid(st->priv_type, &(size_t){ 0 }))
		return errbuf_set(err, errlen, -EINVAL,
				  "[snmp] v3_priv_protocol %s: not supported by net-snmp here", v);
	v = get_str(cfg, "v3_engine_id", NULL);
	if (v) {
		if (parse_engine_id(v, st->engine_id, &st->engine_id_len) < 0)
			return errbuf_set(err, errlen, -EINVAL,
					  "[snmp] v3_engine_id %s: expected hex, 5 to 32 octets",
					  v);
	} else {
		default_engine_id(cfg, st);
	}
	if (!v3)
		return 0;
	v = get_str(cfg, "v3_user", NULL);
	if (!v)
		return errbuf_set(err, errlen, -EINVAL,
				  "[snmp] trap_v3 and inform_v3 need v3_user");
	st->v3_user = strdup(v);
	if (!st->v3_user)
		return -ENOMEM;
	v = get_str(cfg, "v3_auth_password_file", NULL);
	if (!v)
		return errbuf_set(
			err, errlen, -EINVAL,
			"[snmp] trap_v3 and inform_v3 need v3_auth_password_file (a file: "
			"passwords never go into the config)");
	rc = read_password(cfg, "v3_auth_password_file", v, &st->auth_pass, err, errlen);
	if (rc < 0)
		return rc;
	v = get_str(cfg, "v3_priv_password_file", NULL);
	if (v)
		return read_password(cfg, "v3_priv_password_file", v, &st->priv_pass, err, errlen);
	return 0;
}

/*
 * [snmp] fast_path chose between two request engines; there is one now.  The
 * key is still accepted, so old configs load, and named wherever it is set.
 */
void subagent_settings_warn(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];

		if (strcmp(e->section, "snmp") != 0 || strcmp(e->key, "fast_path") != 0)
			continue;
		if (strcmp(e->origin, "command line") == 0)
			log_warn("-o snmp.fast_path: [snmp] fast_path no longer does anything "
				 "(there is one request engine)");
		else
			log_warn("%s:%u: [snmp] fast_path no longer does anything (there is one "
				 "request engine); remove it",
				 e->origin, e->line);
	}
}

int subagent_check_config(const struct config *cfg, char *err, size_t errlen)
{
	struct snmp_settings st;
	int rc = subagent_settings_load(cfg, &st, err, errlen);

	if (rc == -ENOMEM)
		snprintf(err, errlen, "[snmp]: out of memory");
	subagent_settings_free(&st);
	subagent_settings_warn(cfg);
	return rc;
}
