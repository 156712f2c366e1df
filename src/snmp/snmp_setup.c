/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct snmp_setup from the typed [snmp] settings: what needs net-snmp,
 * other sections or files: the targets split, the v3 protocols looked up,
 * the user and its keys read from their password files, our engine ID.
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

#define DEFAULT_STATE_DIR "/var/lib/redmon" /* of the state file, snmp-index */

void subagent_target_free(struct snmp_target *t)
{
	free(t->spec);
	free(t->addr);
	free(t->community);
	memset(t, 0, sizeof(*t));
}

void subagent_settings_free(struct snmp_setup *st)
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

/*
 * The first line of a password file, a secret file as config.h says (the
 * same rules as every other); USM wants at least 8 characters.
 */
static int read_password(const struct config *cfg, const char *key, const char *path, char **ret,
			 char *err, size_t errlen)
{
	char buf[512], why[400], loc[300];
	int rc = cfg_secret_read(cfg, path, buf, sizeof(buf), why, sizeof(why));
	size_t n;

	if (rc < 0)
		return errbuf_set(err, errlen, rc == -ENOMEM ? rc : -EINVAL, "%s: snmp.%s: %s",
				  cfg_where(cfg, "snmp", key, loc, sizeof(loc)), key, why);
	buf[strcspn(buf, "\r\n")] = 0;
	n = strlen(buf);
	if (n < USM_LENGTH_P_MIN) {
		explicit_bzero(buf, sizeof(buf));
		return errbuf_set(err, errlen, -EINVAL,
				  "%s: snmp.%s: the password in %s has fewer than %d characters",
				  cfg_where(cfg, "snmp", key, loc, sizeof(loc)), key, path,
				  USM_LENGTH_P_MIN);
	}
	*ret = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return *ret ? 0 : -ENOMEM;
}

/* The address (and community) of a target of kind into t; NULL, or what is wrong. */
static const char *split_target(enum dest_kind kind, const char *value, struct snmp_target *t)
{
	char copy[512], *save = NULL, *first, *second, *third;

	if (strlen(value) >= sizeof(copy))
		return "too long";
	strcpy(copy, value);
	first = strtok_r(copy, " \t", &save);
	second = strtok_r(NULL, " \t", &save);
	third = strtok_r(NULL, " \t", &save);
	if (!first)
		return "empty target";
	if (kind == DEST_TRAP_V2C && (!second || third))
		return "expected HOST[:PORT] COMMUNITY";
	if (kind == DEST_TRAP_V3 && second)
		return "expected HOST[:PORT]";
	if (kind == DEST_INFORM_V3 &&
	    (third ||
	     (second && snmp_engine_id_parse(second, t->engine_id, &t->engine_id_len) < 0)))
		return "expected HOST[:PORT] [ENGINE-ID in hex, 5 to 32 octets]";
	t->addr = strdup(first);
	t->community = kind == DEST_TRAP_V2C ? strdup(second) : NULL;
	return NULL;
}

/*
 * One target of kind into t.  Its syntax is checked here rather than as the
 * config loads, so that a reload refused for it says why in its one
 * "reload failed" line, as before.
 */
static int parse_target(const struct config *cfg, const char *key, enum dest_kind kind,
			const char *value, struct snmp_target *t, char *err, size_t errlen)
{
	char loc[300];
	const char *why;

	*t = (struct snmp_target){ .kind = kind };
	why = split_target(kind, value, t);
	if (why) /* nothing allocated yet */
		return errbuf_set(err, errlen, -EINVAL, "%s: snmp.%s = %s: %s",
				  cfg_where(cfg, "snmp", key, loc, sizeof(loc)), key, value, why);
	t->spec = strdup(value);
	if (!t->spec || !t->addr || (kind == DEST_TRAP_V2C && !t->community)) {
		subagent_target_free(t);
		return -ENOMEM;
	}
	return 0;
}

static int add_targets(const struct config *cfg, struct snmp_setup *st, const char *key,
		       const struct snmp_target_specs *specs, enum dest_kind kind, char *err,
		       size_t errlen)
{
	for (unsigned i = 0; i < specs->n; i++) {
		struct snmp_target *v = realloc(st->targets, (st->n_targets + 1) * sizeof(*v));
		int rc;

		if (!v)
			return -ENOMEM;
		st->targets = v;
		rc = parse_target(cfg, key, kind, specs->spec[i], &v[st->n_targets], err, errlen);
		if (rc < 0)
			return rc;
		st->n_targets++;
	}
	return 0;
}

/* A string setting, NULL when unset or empty. */
static const char *nonempty(const char *v)
{
	return v && *v ? v : NULL;
}

/* The name of the choice an ENUM key of the table holds. */
static const char *choice(const char *key, int value, char *buf, size_t len)
{
	return setting_enum_name(setting_find(snmp_settings_table, key), value, buf, len);
}

/*
 * Our engine ID for v3 TRAPs when none is configured: net-snmp's text format
 * (RFC 3411: enterprise 8072, format 4) of "redmon-<host>", so it is
 * predictable for the receiver's createUser -e and differs between hosts.
 */
static void default_engine_id(const struct config *cfg, struct snmp_setup *st)
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

int subagent_settings_load(const struct config *cfg, struct snmp_setup *st, char *err,
			   size_t errlen)
{
	const struct snmp_settings *in = &cfg->snmp;
	char name[32], loc[300];
	const char *v;
	bool v3;
	int rc;

	memset(st, 0, sizeof(*st));
	st->enabled = in->enabled;
	v = nonempty(in->agentx_socket);
	if (v && strcmp(v, "none") == 0)
		st->no_master = true;
	else if (v && !(st->agentx_socket = strdup(v)))
		return -ENOMEM;
	st->ping_s = (unsigned)((in->ping_interval_ms + 999) / 1000);
	if (st->ping_s == 0)
		st->ping_s = 1; /* 0 would mean: never reconnect */
	st->heartbeat_ms = in->heartbeat_interval_ms;
	st->queue_max = in->queue_max;
	st->inform_retries = in->inform_retries;
	st->inform_timeout_ms = in->inform_timeout_ms;
	v = nonempty(in->state_file);
	if (v)
		st->state_file = strdup(v);
	else if (asprintf(&st->state_file, "%s/snmp-index",
			  nonempty(cfg->state_dir) ? cfg->state_dir : DEFAULT_STATE_DIR) < 0)
		st->state_file = NULL;
	if (!st->state_file)
		return -ENOMEM;

	if ((rc = add_targets(cfg, st, "trap_v2c", &in->trap_v2c, DEST_TRAP_V2C, err, errlen)) <
		    0 ||
	    (rc = add_targets(cfg, st, "trap_v3", &in->trap_v3, DEST_TRAP_V3, err, errlen)) < 0 ||
	    (rc = add_targets(cfg, st, "inform_v3", &in->inform_v3, DEST_INFORM_V3, err, errlen)) <
		    0)
		return rc;
	v3 = in->trap_v3.n || in->inform_v3.n;

	v = choice("v3_auth_protocol", in->v3_auth_protocol, name, sizeof(name));
	st->auth_type = usm_lookup_auth_type(v);
	if (st->auth_type < 0 || !sc_get_auth_oid(st->auth_type, &(size_t){ 0 }))
		return errbuf_set(err, errlen, -EINVAL,
				  "%s: snmp.v3_auth_protocol: %s is not supported by net-snmp here",
				  cfg_where(cfg, "snmp", "v3_auth_protocol", loc, sizeof(loc)), v);
	v = choice("v3_priv_protocol", in->v3_priv_protocol, name, sizeof(name));
	st->priv_type = usm_lookup_priv_type(v);
	if (st->priv_type < 0 || !sc_get_priv_oid(st->priv_type, &(size_t){ 0 }))
		return errbuf_set(err, errlen, -EINVAL,
				  "%s: snmp.v3_priv_protocol: %s is not supported by net-snmp here",
				  cfg_where(cfg, "snmp", "v3_priv_protocol", loc, sizeof(loc)), v);
	v = nonempty(in->v3_engine_id);
	if (v)
		snmp_engine_id_parse(v, st->engine_id,
				     &st->engine_id_len); /* the table checked it */
	else
		default_engine_id(cfg, st);
	if (!v3)
		return 0;
	/* Named where the first v3 target is set: that is what needs the user and its keys. */
	cfg_where(cfg, "snmp", in->trap_v3.n ? "trap_v3" : "inform_v3", loc, sizeof(loc));
	v = nonempty(in->v3_user);
	if (!v)
		return errbuf_set(err, errlen, -EINVAL,
				  "%s: [snmp] trap_v3 and inform_v3 need v3_user", loc);
	st->v3_user = strdup(v);
	if (!st->v3_user)
		return -ENOMEM;
	v = nonempty(in->v3_auth_password_file);
	if (!v)
		return errbuf_set(
			err, errlen, -EINVAL,
			"%s: [snmp] trap_v3 and inform_v3 need v3_auth_password_file (a file: "
			"passwords never go into the config)",
			loc);
	rc = read_password(cfg, "v3_auth_password_file", v, &st->auth_pass, err, errlen);
	if (rc < 0)
		return rc;
	v = nonempty(in->v3_priv_password_file);
	if (v)
		return read_password(cfg, "v3_priv_password_file", v, &st->priv_pass, err, errlen);
	return 0;
}

/*
 * [snmp] fast_path chose between two request engines; there is one now.  The
 * key is still accepted, so old configs load, and named wherever it is set.
 */
static void subagent_settings_warn(const struct config *cfg)
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
	struct snmp_setup st;
	int rc = subagent_settings_load(cfg, &st, err, errlen);

	if (rc == -ENOMEM)
		snprintf(err, errlen, "[snmp]: out of memory");
	subagent_settings_free(&st);
	subagent_settings_warn(cfg);
	return rc;
}
