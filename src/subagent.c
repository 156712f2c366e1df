/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SNMP subagent inside `redmon daemon` (subagent.h, docs/snmp.md).
 *
 * Event loop.  net-snmp keeps its sockets and timers to itself; as in
 * keepalived's core/snmp.c, the daemon's loop drives them.  Before every
 * wait, prepare() runs net-snmp's timers (snmp_timeout, run_alarms), syncs
 * the tables, sends what is due, then asks snmp_select_info2() for the
 * sockets and the next timeout: the sockets are watched by the daemon's loop
 * (one syscall less per request than an epoll set of our own, which counts
 * in a bulk walk), and the timeout bounds the loop's wait.  A socket that
 * net-snmp closed and reopened under the same number is gone from epoll (the
 * kernel drops closed fds), and a number it closed may be reused by a probe
 * at once: so every watch is dropped when the master goes (net-snmp says so
 * before it closes) or one of our sessions closes, and the whole set is
 * added again at the next wait, as it is once a second anyway.
 *
 * Master.  The subagent starts even when snmpd is not up, reconnects every
 * ping_interval after it restarts, and re-registers REDMON-MIB (net-snmp does
 * that on its own once the ping interval is set, which must happen after
 * init_agent()).  net-snmp tells us of a connect or a disconnect through its
 * INDEX_START and INDEX_STOP callbacks.
 *
 * Notifications are never lost on our side.  Each event that makes one is
 * built once (subagent_mib_notif_vars) and handed to every destination:
 *  - the master, as an AgentX Notify that the master acknowledges: kept in a
 *    bounded queue (queue_max, the oldest dropped first, with a warning)
 *    while the master is away and sent in order, one at a time, when it is
 *    back; one not acknowledged is sent again;
 *  - v3 INFORM targets, the same way: queued until the receiver
 *    acknowledges, retried by net-snmp (inform_retries, inform_timeout) and
 *    then by us, later;
 *  - v2c and v3 TRAP targets, sent at once (a trap has no acknowledgement).
 * Direct targets use sessions of our own, not net-snmp's trap sinks, which
 * would also get the master's copies.
 */
#include "subagent.h"
#include "errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agg.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "runtime.h"
#include "subagent_index.h"
#include "subagent_int.h"

#include <net-snmp/library/large_fd_set.h> /* not in net-snmp-includes.h */

#define APP_NAME	   "redmon"
#define DEFAULT_STATE_FILE "/var/lib/redmon/snmp-index"
#define FULL_FD_REFRESH_MS 1000
#define MASTER_RETRY_MS	   1000	   /* a Notify the master did not acknowledge */
#define INFORM_BACKOFF_MS  30000   /* after net-snmp's own retries gave up */
#define SAVE_RETRY_MS	   60000   /* the state file could not be written */
#define AGENTX_TIMEOUT_US  1000000 /* per AgentX request: a hung master stalls us this long */
#define AGENTX_RETRIES	   1

enum dest_kind { DEST_MASTER = 0, DEST_TRAP_V2C, DEST_TRAP_V3, DEST_INFORM_V3 };

/* One notification, shared by every destination that still has to send it. */
struct notif {
	unsigned refs;
	uint64_t seq;
	netsnmp_variable_list *vars; /* snmpTrapOID.0 first, no sysUpTime.0 */
};

/* A FIFO bounded by max: a full queue drops its oldest. */
struct queue {
	struct notif **v;
	size_t head, n, cap;
	unsigned long dropped; /* since the last report */
};

/* A target as configured. */
struct target {
	enum dest_kind kind;
	char *spec; /* the config value, for logs and to match targets across reloads */
	char *addr; /* net-snmp transport address, default port 162 */
	char *community;
	u_char engine_id[32]; /* INFORM: the receiver's, if pinned */
	size_t engine_id_len;
};

/* The [snmp] settings, parsed and checked; owns its strings. */
struct settings {
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
	u_char engine_id[32]; /* ours, for v3 TRAPs */
	size_t engine_id_len;
	char *state_file;
	bool fast_path;
	struct target *targets;
	size_t n_targets;
};

struct subagent;

struct dest {
	struct subagent *s;
	enum dest_kind kind;
	struct target t;
	netsnmp_session *sess;
	struct queue q;	  /* the master and INFORMs: until acknowledged */
	int inflight_req; /* request id awaiting an answer, 0 if none */
	uint64_t inflight_deadline;
	uint64_t retry_at; /* monotonic ms; 0: now */
	bool stale;	   /* close the session before the next try */
	bool down_logged;
};

struct subagent {
	struct loop *loop;
	struct agg *agg;
	struct settings cfg;
	struct subagent_index *idx;
	struct subagent_mib *mib;
	int *fds; /* net-snmp's sockets the loop watches for us */
	size_t n_fds;
	bool fds_dirty;
	uint64_t next_full_refresh;
	struct dest master;
	netsnmp_callback master_cb; /* net-snmp's own callback of the master session */
	struct dest *dests;	    /* direct targets */
	size_t n_dests;
	uint64_t next_heartbeat;
	uint64_t save_retry_at;
	bool sync_failed_logged;
	bool closing;
	bool prepare_set;
	uint64_t master_lost_at;
};

static bool netsnmp_started;

static const oid sysuptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- settings --------------------------------------------------------- */

static void target_free(struct target *t)
{
	free(t->spec);
	free(t->addr);
	free(t->community);
	memset(t, 0, sizeof(*t));
}

static void settings_free(struct settings *st)
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
		target_free(&st->targets[i]);
	free(st->targets);
	memset(st, 0, sizeof(*st));
}

/* "0x8000..." or "8000...": 5 to 32 octets (RFC 3411 SnmpEngineID). */
static int parse_engine_id(const char *s, u_char *buf, size_t *len)
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
		buf[n++] = (u_char)v;
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
static int parse_target(enum dest_kind kind, const char *key, const char *value, struct target *t,
			char *err, size_t errlen)
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
		target_free(t);
	return rc;
}

static int add_targets(const struct config *cfg, struct settings *st, const char *key,
		       enum dest_kind kind, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct cfg_entry *e = &cfg->entries[i];
		struct target *v;
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
static void default_engine_id(const struct config *cfg, struct settings *st)
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

static int settings_load(const struct config *cfg, struct settings *st, char *err, size_t errlen)
{
	uint64_t u;
	const char *v;
	bool v3 = false;
	int rc;

	memset(st, 0, sizeof(*st));
	st->enabled = get_bool(cfg, "enabled", false);
	st->fast_path = get_bool(cfg, "fast_path", true);
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

int subagent_check_config(const struct config *cfg, char *err, size_t errlen)
{
	struct settings st;
	int rc = settings_load(cfg, &st, err, errlen);

	if (rc == -ENOMEM)
		snprintf(err, errlen, "[snmp]: out of memory");
	settings_free(&st);
	return rc;
}

/* --- notifications and their queues ------------------------------------- */

static void notif_unref(struct notif *n)
{
	if (n && --n->refs == 0) {
		snmp_free_varbind(n->vars);
		free(n);
	}
}

static struct notif *queue_head(const struct queue *q)
{
	return q->n ? q->v[q->head] : NULL;
}

static void queue_pop(struct queue *q)
{
	if (!q->n)
		return;
	notif_unref(q->v[q->head]);
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

/* Append n (takes a reference); a full queue drops its oldest.  0 or -ENOMEM. */
static int queue_push(struct queue *q, struct notif *n, size_t max)
{
	if (max == 0)
		return 0;
	while (q->n >= max) {
		queue_pop(q);
		q->dropped++;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct notif **v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = v;
		q->head = 0;
		q->cap = cap;
	}
	q->v[(q->head + q->n) % q->cap] = n;
	q->n++;
	n->refs++;
	return 0;
}

static void queue_free(struct queue *q)
{
	while (q->n)
		queue_pop(q);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static const char *dest_name(const struct dest *d)
{
	return d->kind == DEST_MASTER ? "the AgentX master" : d->t.spec;
}

static const char *kind_key(enum dest_kind k)
{
	switch (k) {
	case DEST_TRAP_V2C:
		return "trap_v2c";
	case DEST_TRAP_V3:
		return "trap_v3";
	case DEST_INFORM_V3:
		return "inform_v3";
	default:
		return "agentx";
	}
}

/* The PDU for a direct target: sysUpTime.0, then the notification's varbinds. */
static netsnmp_pdu *direct_pdu(const struct notif *n, int command)
{
	netsnmp_pdu *pdu = snmp_pdu_create(command);
	u_long up = netsnmp_get_agent_uptime();

	if (!pdu)
		return NULL;
	if (!snmp_pdu_add_variable(pdu, sysuptime_oid, OID_LENGTH(sysuptime_oid), ASN_TIMETICKS,
				   &up, sizeof(up)) ||
	    !(pdu->variables->next_variable = snmp_clone_varbind(n->vars))) {
		snmp_free_pdu(pdu);
		return NULL;
	}
	return pdu;
}

static int dest_answer(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu, void *magic);

/*
 * A session of our own for a direct target.  For v3 TRAPs we are the
 * authoritative engine: our engine ID, boot counter and time go into the
 * messages (as snmptrap does), and the receiver knows the user under our
 * engine ID.  For INFORMs the receiver is authoritative; without a pinned
 * engine ID net-snmp discovers it here, which waits for the receiver.
 */
static netsnmp_session *dest_open(struct subagent *s, struct dest *d)
{
	const struct settings *st = &s->cfg;
	netsnmp_transport *tr;
	netsnmp_session ss, *sess;
	size_t len;

	snmp_sess_init(&ss);
	ss.callback = dest_answer;
	ss.callback_magic = d;
	ss.retries = (int)st->inform_retries;
	ss.timeout = (long)st->inform_timeout_ms * 1000;
	if (d->kind == DEST_TRAP_V2C) {
		ss.version = SNMP_VERSION_2c;
		ss.community = (u_char *)d->t.community;
		ss.community_len = strlen(d->t.community);
	} else {
		ss.version = SNMP_VERSION_3;
		ss.securityName = st->v3_user;
		ss.securityNameLen = strlen(st->v3_user);
		ss.securityLevel =
			st->priv_pass ? SNMP_SEC_LEVEL_AUTHPRIV : SNMP_SEC_LEVEL_AUTHNOPRIV;
		ss.securityAuthProto = sc_get_auth_oid(st->auth_type, &len);
		ss.securityAuthProtoLen = len;
		ss.securityAuthKeyLen = USM_AUTH_KU_LEN;
		if (generate_Ku(ss.securityAuthProto, (u_int)ss.securityAuthProtoLen,
				(const u_char *)st->auth_pass, strlen(st->auth_pass),
				ss.securityAuthKey, &ss.securityAuthKeyLen) != SNMPERR_SUCCESS)
			return NULL;
		if (st->priv_pass) {
			ss.securityPrivProto = sc_get_priv_oid(st->priv_type, &len);
			ss.securityPrivProtoLen = len;
			ss.securityPrivKeyLen = USM_PRIV_KU_LEN;
			if (generate_Ku(ss.securityAuthProto, (u_int)ss.securityAuthProtoLen,
					(const u_char *)st->priv_pass, strlen(st->priv_pass),
					ss.securityPrivKey,
					&ss.securityPrivKeyLen) != SNMPERR_SUCCESS)
				return NULL;
		}
		if (d->kind == DEST_TRAP_V3) {
			ss.securityEngineID = (u_char *)st->engine_id;
			ss.securityEngineIDLen = st->engine_id_len;
			ss.contextEngineID = (u_char *)st->engine_id;
			ss.contextEngineIDLen = st->engine_id_len;
			ss.engineBoots = subagent_index_boots(s->idx);
			ss.engineTime = 0;
			set_enginetime(st->engine_id, (u_int)st->engine_id_len, ss.engineBoots, 0,
				       TRUE);
		} else if (d->t.engine_id_len) {
			ss.securityEngineID = d->t.engine_id;
			ss.securityEngineIDLen = d->t.engine_id_len;
			ss.contextEngineID = d->t.engine_id;
			ss.contextEngineIDLen = d->t.engine_id_len;
		}
	}
	tr = netsnmp_transport_open_client("snmptrap", d->t.addr);
	if (!tr)
		return NULL;
	sess = snmp_add(&ss, tr, NULL, NULL); /* frees tr on failure */
	explicit_bzero(ss.securityAuthKey, sizeof(ss.securityAuthKey));
	explicit_bzero(ss.securityPrivKey, sizeof(ss.securityPrivKey));
	s->fds_dirty = true;
	return sess;
}

/* Drop every watch now; the next prepare() adds what net-snmp still has. */
static void forget_fds(struct subagent *s)
{
	for (size_t i = 0; i < s->n_fds; i++)
		loop_del(s->loop, s->fds[i]);
	s->n_fds = 0;
	s->fds_dirty = true;
}

static void dest_close(struct dest *d)
{
	/* First: snmp_close() calls dest_answer() for what is outstanding. */
	d->inflight_req = 0;
	d->stale = false;
	if (d->kind != DEST_MASTER && d->sess) {
		forget_fds(d->s);
		snmp_close(d->sess);
	}
	d->sess = NULL;
}

/* Log, once per episode, that notifications were dropped from a full queue. */
static void report_dropped(struct dest *d)
{
	if (!d->q.dropped)
		return;
	log_warn("SNMP: %lu notification%s for %s dropped: more than queue_max (%zu) waited",
		 d->q.dropped, d->q.dropped == 1 ? "" : "s", dest_name(d), d->s->cfg.queue_max);
	d->q.dropped = 0;
}

/* The notification in flight was not acknowledged: try again later. */
static void dest_failed(struct dest *d, const char *why)
{
	const struct notif *n = queue_head(&d->q);

	d->inflight_req = 0;
	if (!d->down_logged)
		log_warn("SNMP: %s did not acknowledge notification #%llu (%s); %s", dest_name(d),
			 (unsigned long long)(n ? n->seq : 0), why,
			 d->kind == DEST_MASTER ? "sending it again" : "trying again in 30 s");
	d->down_logged = true;
	d->retry_at = now_ms() + (d->kind == DEST_MASTER ? MASTER_RETRY_MS : INFORM_BACKOFF_MS);
	/* A receiver that restarted may have a new engine ID: discover it again
	 * (not here: this may run inside the session's own callback). */
	if (d->kind == DEST_INFORM_V3 && !d->t.engine_id_len)
		d->stale = true;
}

/*
 * The answer to a Notify or an INFORM, or its end.  Matched by request id,
 * so the answer to a request we gave up on cannot pop the next one.  A v3
 * receiver that refuses an INFORM (unknown user, wrong key) answers with a
 * Report that net-snmp passes to the session with no request id, and the
 * request then never times out: that Report fails the INFORM in flight.
 */
static int dest_answer(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct dest *d = magic;
	bool ok;

	(void)sess;
	if (!d || d->s->closing || !d->inflight_req)
		return 1;
	if (reqid == 0 && pdu && pdu->command == SNMP_MSG_REPORT &&
	    op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		dest_failed(d, snmp_api_errstring(snmpv3_get_report_type(pdu)));
		return 1;
	}
	if (reqid != d->inflight_req)
		return 1;
	d->inflight_req = 0;
	ok = op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu &&
	     (pdu->command == SNMP_MSG_RESPONSE || pdu->command == SUBAGENT_AGENTX_RESPONSE);
	if (!ok) {
		dest_failed(d, op == NETSNMP_CALLBACK_OP_TIMED_OUT ? "no answer" : "error");
		return 1;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR && queue_head(&d->q)) {
		/* Refused: sending it again would not help. */
		log_warn("SNMP: %s refused notification #%llu (error %ld)", dest_name(d),
			 (unsigned long long)queue_head(&d->q)->seq, pdu->errstat);
	}
	queue_pop(&d->q);
	d->down_logged = false;
	return 1;
}

/* Send the head of a queue if nothing is waiting for an answer. */
static void dest_flush(struct subagent *s, struct dest *d, uint64_t now)
{
	struct notif *n = queue_head(&d->q);
	netsnmp_pdu *pdu;
	int req;

	/* net-snmp's own retries end in a callback; this guards against one that never comes. */
	if (d->inflight_req && now > d->inflight_deadline)
		dest_failed(d, "no answer");
	if (!n || d->inflight_req || now < d->retry_at)
		return;
	if (d->kind == DEST_MASTER) {
		if (!d->sess)
			return;
		pdu = snmp_pdu_create(SUBAGENT_AGENTX_NOTIFY);
		if (!pdu)
			return;
		pdu->version = d->sess->version;
		pdu->sessid = d->sess->sessid;
		pdu->variables = snmp_clone_varbind(n->vars);
		if (!pdu->variables) {
			snmp_free_pdu(pdu);
			return;
		}
	} else {
		if (d->stale)
			dest_close(d);
		if (!d->sess)
			d->sess = dest_open(s, d);
		if (!d->sess) {
			if (!d->down_logged)
				log_warn("SNMP: cannot reach inform_v3 %s; notifications wait for "
					 "it",
					 d->t.spec);
			d->down_logged = true;
			d->retry_at = now + INFORM_BACKOFF_MS;
			return;
		}
		pdu = direct_pdu(n, SNMP_MSG_INFORM);
		if (!pdu)
			return;
	}
	req = snmp_async_send(d->sess, pdu, dest_answer, d);
	if (req == 0) {
		if (!d->down_logged)
			log_warn("SNMP: cannot send to %s: %s; will try again", dest_name(d),
				 snmp_api_errstring(d->sess->s_snmp_errno));
		d->down_logged = true;
		snmp_free_pdu(pdu);
		d->retry_at = now + (d->kind == DEST_MASTER ? MASTER_RETRY_MS : INFORM_BACKOFF_MS);
		return;
	}
	d->inflight_req = req;
	d->inflight_deadline =
		now + 1000 +
		(d->kind == DEST_MASTER
			 ? (uint64_t)(AGENTX_RETRIES + 1) * AGENTX_TIMEOUT_US / 1000
			 : (uint64_t)(s->cfg.inform_retries + 1) * s->cfg.inform_timeout_ms);
}

/* A trap: sent now or never (a closed port gives no error over UDP anyway). */
static void dest_trap(struct subagent *s, struct dest *d, const struct notif *n)
{
	netsnmp_pdu *pdu;

	if (!d->sess)
		d->sess = dest_open(s, d);
	if (!d->sess) {
		if (!d->down_logged)
			log_warn("SNMP: cannot open %s %s: %s", kind_key(d->kind), d->t.spec,
				 snmp_api_errstring(snmp_errno));
		d->down_logged = true;
		return;
	}
	d->down_logged = false;
	pdu = direct_pdu(n, SNMP_MSG_TRAP2);
	if (pdu && !snmp_send(d->sess, pdu))
		snmp_free_pdu(pdu);
}

static void deliver(struct subagent *s, struct notif *n)
{
	if (!s->cfg.no_master && queue_push(&s->master.q, n, s->cfg.queue_max) < 0)
		log_err("SNMP: out of memory queueing notification #%llu",
			(unsigned long long)n->seq);
	for (size_t i = 0; i < s->n_dests; i++) {
		struct dest *d = &s->dests[i];

		if (d->kind == DEST_INFORM_V3) {
			if (queue_push(&d->q, n, s->cfg.queue_max) < 0)
				log_err("SNMP: out of memory queueing notification #%llu",
					(unsigned long long)n->seq);
		} else {
			dest_trap(s, d, n);
		}
	}
}

static struct notif *notif_new(uint64_t seq, netsnmp_variable_list *vars)
{
	struct notif *n = calloc(1, sizeof(*n));

	if (!n) {
		snmp_free_varbind(vars);
		return NULL;
	}
	n->refs = 1;
	n->seq = seq;
	n->vars = vars;
	return n;
}

void subagent_event(struct subagent *s, const struct event *ev)
{
	enum subagent_notif kind;
	netsnmp_variable_list *vars;
	struct notif *n;

	if (!s)
		return;
	subagent_mib_event(s->mib, ev);
	kind = subagent_notif_for(ev);
	if (kind == SUBAGENT_NOTIF_NONE)
		return;
	vars = subagent_mib_notif_vars(s->mib, ev, kind);
	n = vars ? notif_new(ev->seq, vars) : NULL;
	if (!n) {
		log_err("SNMP: cannot build the notification of event #%llu",
			(unsigned long long)ev->seq);
		return;
	}
	deliver(s, n);
	notif_unref(n);
}

void subagent_scanned(struct subagent *s, const char *probe)
{
	if (s)
		subagent_mib_scanned(s->mib, probe);
}

/* --- the master --------------------------------------------------------- */

static int on_master_up(int major, int minor, void *serverarg, void *clientarg)
{
	struct subagent *s = clientarg;
	netsnmp_session *sess = serverarg;

	(void)major;
	(void)minor;
	s->master.sess = sess;
	s->master_cb = sess->callback;
	/*
	 * net-snmp pings the master synchronously, with the library's default
	 * timeout and retries (1 s, 5): a hung master would stall our loop for
	 * 6 s per ping.  Requests on the session take these instead.
	 */
	sess->timeout = AGENTX_TIMEOUT_US;
	sess->retries = AGENTX_RETRIES;
	s->master.inflight_req = 0;
	s->master.retry_at = 0;
	s->fds_dirty = true;
	if (s->mib)
		subagent_mib_attach(s->mib, sess, s->cfg.fast_path);
	if (s->master_lost_at)
		log_notice(
			"SNMP: AgentX master back after %.1f s; %zu queued notification%s to send",
			(double)(now_ms() - s->master_lost_at) / 1000, s->master.q.n,
			s->master.q.n == 1 ? "" : "s");
	else
		log_info("SNMP: connected to the AgentX master");
	report_dropped(&s->master);
	s->master_lost_at = 0;
	return 0;
}

static int on_master_down(int major, int minor, void *serverarg, void *clientarg)
{
	struct subagent *s = clientarg;

	(void)major;
	(void)minor;
	(void)serverarg;
	if (s->closing)
		return 0;
	s->master.sess = NULL;
	s->master.inflight_req = 0; /* sent again after the reconnect */
	forget_fds(s);		    /* net-snmp closes them after this returns */
	s->master_lost_at = now_ms();
	log_warn("SNMP: lost the AgentX master; reconnecting every %u s, notifications are queued",
		 s->cfg.ping_s);
	return 0;
}

/* net-snmp's log lines go to ours; a line may come in pieces. */
static int on_snmp_log(int major, int minor, void *serverarg, void *clientarg)
{
	static char line[1024];
	static size_t len;
	const struct snmp_log_message *m = serverarg;
	const char *p = m->msg;

	(void)major;
	(void)minor;
	(void)clientarg;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		size_t take = n < sizeof(line) - 1 - len ? n : sizeof(line) - 1 - len;

		memcpy(line + len, p, take);
		len += take;
		line[len] = 0;
		p += n;
		if (*p == '\n') {
			if (len)
				log_msg(m->priority < LOG_ERR ? LOG_ERR : m->priority, "snmp: %s",
					line);
			len = 0;
			p++;
		}
	}
	return 0;
}

/* --- the event loop ----------------------------------------------------- */

static void on_snmp_fd(void *ctx, int fd, uint32_t revents);

static bool fd_known(const struct subagent *s, int fd)
{
	for (size_t i = 0; i < s->n_fds; i++) {
		if (s->fds[i] == fd)
			return true;
	}
	return false;
}

/* The fds set in a large fd set below numfds, read a word at a time. */
static size_t fds_of(const netsnmp_large_fd_set *set, int numfds, int *out, size_t max)
{
	const unsigned long *w = (const unsigned long *)set->lfs_setptr;
	const int bits = (int)(8 * sizeof(*w));
	size_t n = 0;

	for (int i = 0; i * bits < numfds && n < max; i++) {
		for (unsigned long v = w[i]; v && n < max; v &= v - 1) {
			int fd = i * bits + __builtin_ctzl(v);

			if (fd < numfds)
				out[n++] = fd;
		}
	}
	return n;
}

/*
 * Make the loop watch exactly net-snmp's sockets; returns the longest wait in
 * ms net-snmp allows (-1: none).
 */
static int sync_fds(struct subagent *s, uint64_t now)
{
	netsnmp_large_fd_set set;
	struct timeval tv = { 0, 0 };
	int numfds = 0, block = 1, timeout;
	bool full = s->fds_dirty || now >= s->next_full_refresh;
	int next[64];
	size_t n;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	snmp_select_info2(&numfds, &set, &tv, &block);
	n = fds_of(&set, numfds, next, sizeof(next) / sizeof(next[0]));
	netsnmp_large_fd_set_cleanup(&set);
	for (size_t i = 0; i < s->n_fds; i++) {
		bool kept = false;

		for (size_t j = 0; j < n && !kept; j++)
			kept = next[j] == s->fds[i];
		if (!kept || full)
			loop_del(s->loop, s->fds[i]);
	}
	for (size_t j = 0; j < n; j++) {
		int rc;

		if (!full && fd_known(s, next[j]))
			continue;
		rc = loop_add(s->loop, next[j], EPOLLIN, on_snmp_fd, s);
		if (rc < 0)
			log_warn("SNMP: cannot watch fd %d: %s", next[j], strerror(-rc));
	}
	if (s->n_fds < n || !s->fds) {
		int *v = realloc(s->fds, (n ? n : 1) * sizeof(*v));

		if (v)
			s->fds = v;
		else
			n = s->n_fds; /* keep what fits; the next full refresh retries */
	}
	memcpy(s->fds, next, n * sizeof(*next));
	s->n_fds = n;
	s->fds_dirty = false;
	if (full)
		s->next_full_refresh = now + FULL_FD_REFRESH_MS;
	if (block)
		return -1;
	timeout = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	return timeout < 0 ? 0 : timeout;
}

static void maybe_sync(struct subagent *s)
{
	int rc = subagent_mib_sync(s->mib);

	if (rc < 0 && !s->sync_failed_logged)
		log_err("SNMP: cannot update the tables: %s", strerror(-rc));
	s->sync_failed_logged = rc < 0;
}

static void maybe_save(struct subagent *s, uint64_t now)
{
	char err[512];

	if (!subagent_index_dirty(s->idx) || now < s->save_retry_at)
		return;
	if (subagent_index_save(s->idx, err, sizeof(err)) < 0) {
		log_err("SNMP: %s; indexes given since the last save may change at the next "
			"start",
			err);
		s->save_retry_at = now + SAVE_RETRY_MS;
	}
}

static int min_timeout(int a, int64_t b)
{
	if (b < 0)
		return a;
	if (b > 86400000)
		b = 86400000;
	return a < 0 || b < a ? (int)b : a;
}

/* Before every wait of the daemon's loop: see the comment at the top. */
static int prepare(void *ctx)
{
	struct subagent *s = ctx;
	uint64_t now;
	int timeout;

	snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	maybe_sync(s);
	now = now_ms();
	maybe_save(s, now);
	if (s->cfg.heartbeat_ms && now >= s->next_heartbeat) {
		netsnmp_variable_list *vars = subagent_mib_heartbeat_vars(s->mib);
		struct notif *n = vars ? notif_new(agg_last_seq(s->agg), vars) : NULL;

		if (n) {
			deliver(s, n);
			notif_unref(n);
		}
		s->next_heartbeat = now + s->cfg.heartbeat_ms;
	}
	if (!s->cfg.no_master)
		dest_flush(s, &s->master, now);
	for (size_t i = 0; i < s->n_dests; i++) {
		report_dropped(&s->dests[i]);
		dest_flush(s, &s->dests[i], now);
	}
	if (s->master.sess)
		report_dropped(&s->master);
	timeout = sync_fds(s, now);
	if (s->cfg.heartbeat_ms)
		timeout = min_timeout(timeout, (int64_t)(s->next_heartbeat - now));
	if (s->master.q.n && s->master.sess && !s->master.inflight_req)
		timeout = min_timeout(timeout, (int64_t)s->master.retry_at - (int64_t)now);
	for (size_t i = 0; i < s->n_dests; i++) {
		const struct dest *d = &s->dests[i];

		if (d->q.n && !d->inflight_req)
			timeout = min_timeout(timeout, (int64_t)d->retry_at - (int64_t)now);
	}
	if (subagent_index_dirty(s->idx))
		timeout = min_timeout(timeout, (int64_t)s->save_retry_at - (int64_t)now);
	return timeout;
}

static void on_snmp_fd(void *ctx, int fd, uint32_t revents)
{
	struct subagent *s = ctx;
	netsnmp_large_fd_set set;

	(void)revents;
	/* Answer from rows that include a scan done earlier in this round. */
	maybe_sync(s);
	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	NETSNMP_LARGE_FD_SET(fd, &set);
	snmp_read2(&set);
	netsnmp_large_fd_set_cleanup(&set);
}

/* --- lifecycle ---------------------------------------------------------- */

/*
 * init_snmp() connects to the master if it is there.  It also loads net-snmp's
 * default MIB modules, which a subagent does not need and which Debian does
 * not ship: every missing one would be an error line in our log.  An empty
 * MIBS in the environment loads none; the caller's value comes back after.
 */
static void init_snmp_quietly(void)
{
	const char *old = getenv("MIBS");
	char *saved = old ? strdup(old) : NULL;

	setenv("MIBS", "", 1);
	init_snmp(APP_NAME);
	if (saved)
		setenv("MIBS", saved, 1);
	else
		unsetenv("MIBS");
	free(saved);
}

/* One net-snmp per process: started once, with our settings, never from files. */
static int netsnmp_start(struct subagent *s)
{
	const struct settings *st = &s->cfg;

	if (netsnmp_started)
		return -EALREADY;
	snmp_disable_log();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_snmp_log, NULL);
	snmp_enable_calllog();
	/* net-snmp's own debug output (docs/snmp.md), e.g. REDMON_SNMP_DEBUG=agentx,trap */
	if (getenv("REDMON_SNMP_DEBUG")) {
		debug_register_tokens(getenv("REDMON_SNMP_DEBUG"));
		snmp_set_do_debugging(1);
	}
	/* No config files of net-snmp's, no persistent files, no MIB files: [snmp] says it all. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	if (!st->no_master) {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
		if (st->agentx_socket)
			netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
					      st->agentx_socket);
		/* We say once that the master is away, not every ping. */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
				       NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
				       on_master_up, s);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
				       on_master_down, s);
	}
	if (init_agent(APP_NAME) != 0)
		return -EIO;
	/* After init_agent(): its AgentX config init resets it to the default (15 s). */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)st->ping_s);
	init_snmp_quietly();
	netsnmp_started = true;
	return 0;
}

static void dests_free(struct subagent *s, struct dest *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dest_close(&v[i]);
		queue_free(&v[i].q);
		target_free(&v[i].t);
	}
	free(v);
	(void)s;
}

/*
 * The direct destinations of st, reusing those of old with the same kind and
 * spec (and their queues), so a reload keeps what waits.  Takes the targets
 * out of st.
 */
static int dests_build(struct subagent *s, struct settings *st, struct dest **ret, size_t *n_ret)
{
	struct dest *v = calloc(st->n_targets ? st->n_targets : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_targets; i++) {
		struct dest *d = &v[i];

		d->s = s;
		d->kind = st->targets[i].kind;
		d->t = st->targets[i];
		memset(&st->targets[i], 0, sizeof(st->targets[i]));
		for (size_t j = 0; j < s->n_dests; j++) {
			struct dest *o = &s->dests[j];

			if (o->kind == d->kind && o->t.spec && strcmp(o->t.spec, d->t.spec) == 0) {
				/* What was in flight is sent again by the new session. */
				d->q = o->q;
				memset(&o->q, 0, sizeof(o->q));
			}
		}
	}
	*ret = v;
	*n_ret = st->n_targets;
	return 0;
}

static int ensure_state_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int rc = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			rc = -errno;
	}
	free(dir);
	return rc;
}

void subagent_close(struct subagent *s)
{
	if (!s)
		return;
	/* A last chance for what is queued, if the master is there. */
	if (s->master.sess && s->master.q.n)
		log_notice("SNMP: %zu notification%s not yet acknowledged by the AgentX master at "
			   "exit",
			   s->master.q.n, s->master.q.n == 1 ? "" : "s");
	if (s->idx && subagent_index_dirty(s->idx))
		maybe_save(s, UINT64_MAX);
	if (s->prepare_set)
		loop_set_prepare(s->loop, NULL, NULL);
	forget_fds(s);
	s->closing = true;
	for (size_t i = 0; i < s->n_dests; i++)
		dest_close(&s->dests[i]);
	if (s->master.sess && s->master_cb) {
		/*
		 * Leave the master as if the connection had dropped: net-snmp's own
		 * disconnect handling, then close the socket, which tells the master.
		 * snmp_shutdown() would instead wait for the answer to an AgentX
		 * Close, up to seconds when the master is stopping too (as at system
		 * shutdown), and net-snmp then trips over its own callback locks.
		 */
		netsnmp_session *ms = s->master.sess;

		s->master_cb(NETSNMP_CALLBACK_OP_DISCONNECT, ms, 0, NULL, NULL);
		snmp_close(ms);
		s->master.sess = NULL;
	}
	if (netsnmp_started) {
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
					 on_master_up, s, 1);
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
					 on_master_down, s, 1);
		snmp_shutdown(APP_NAME); /* AgentX Close: the master drops our registrations */
	}
	subagent_mib_free(s->mib);
	s->mib = NULL;
	dests_free(s, s->dests, s->n_dests);
	queue_free(&s->master.q);
	subagent_index_free(s->idx);
	free(s->fds);
	settings_free(&s->cfg);
	free(s);
}

int subagent_open(const struct config *cfg, struct loop *loop, struct agg *agg,
		  struct subagent **ret)
{
	struct subagent *s;
	struct timespec started;
	char err[1024];
	int rc;

	*ret = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->agg = agg;
	s->master.s = s;
	s->master.kind = DEST_MASTER;
	rc = settings_load(cfg, &s->cfg, err, sizeof(err));
	if (rc < 0 || !s->cfg.enabled) {
		if (rc < 0)
			log_err("%s", rc == -ENOMEM ? "[snmp]: out of memory" : err);
		settings_free(&s->cfg);
		free(s);
		return rc;
	}
	if (netsnmp_started) {
		log_err("SNMP: net-snmp was started before in this process; restart redmon");
		settings_free(&s->cfg);
		free(s);
		return -EALREADY;
	}
	ensure_state_dir(s->cfg.state_file);
	rc = subagent_index_load(s->cfg.state_file, &s->idx, err, sizeof(err));
	if (rc < 0) {
		/* Guessing would risk giving a group another group's row. */
		log_err("SNMP: %s", err);
		goto fail;
	}
	rc = dests_build(s, &s->cfg, &s->dests, &s->n_dests);
	if (rc == 0)
		rc = netsnmp_start(s);
	if (rc < 0)
		goto fail;
	clock_gettime(CLOCK_REALTIME, &started);
	rc = subagent_mib_new(agg, s->idx, &started, &s->mib);
	if (rc < 0) {
		log_err("SNMP: cannot register REDMON-MIB: %s", strerror(-rc));
		goto fail;
	}
	if (s->master.sess)
		subagent_mib_attach(s->mib, s->master.sess, s->cfg.fast_path);
	s->next_heartbeat = now_ms() + s->cfg.heartbeat_ms;
	s->fds_dirty = true;
	loop_set_prepare(loop, prepare, s);
	s->prepare_set = true;
	if (s->cfg.no_master)
		log_notice("SNMP: no AgentX master (agentx_socket = none): notifications go to "
			   "%zu direct target%s only",
			   s->n_dests, s->n_dests == 1 ? "" : "s");
	else if (!s->master.sess)
		log_notice("SNMP: AgentX master %s is not up yet; trying every %u s",
			   s->cfg.agentx_socket ? s->cfg.agentx_socket : "(net-snmp's default)",
			   s->cfg.ping_s);
	else
		log_notice("SNMP: serving REDMON-MIB through the AgentX master %s",
			   s->cfg.agentx_socket ? s->cfg.agentx_socket : "(net-snmp's default)");
	*ret = s;
	return 0;
fail:
	if (rc != -EALREADY && rc != -EINVAL && rc != -ENOMEM)
		log_err("SNMP: cannot start: %s", strerror(-rc));
	subagent_close(s);
	return rc;
}

static bool same_socket(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

void subagent_reload(struct subagent **sp, const struct config *cfg, struct loop *loop,
		     struct agg *agg)
{
	struct subagent *s = *sp;
	struct settings st;
	struct dest *dests;
	size_t n;
	char err[1024];

	if (!s) {
		struct subagent *fresh = NULL;

		if (subagent_open(cfg, loop, agg, &fresh) == 0)
			*sp = fresh;
		return;
	}
	if (settings_load(cfg, &st, err, sizeof(err)) < 0) {
		/* subagent_check_config() passed moments ago: a file changed since. */
		log_err("SNMP: %s; keeping the running [snmp] settings", err);
		settings_free(&st);
		return;
	}
	if (!st.enabled || st.no_master != s->cfg.no_master ||
	    !same_socket(st.agentx_socket, s->cfg.agentx_socket) ||
	    strcmp(st.state_file, s->cfg.state_file) != 0)
		log_warn("SNMP: [snmp] enabled, agentx_socket and state_file take effect when "
			 "redmon restarts");
	if (dests_build(s, &st, &dests, &n) < 0) {
		log_err("SNMP: out of memory applying [snmp]; keeping the running settings");
		settings_free(&st);
		return;
	}
	dests_free(s, s->dests, s->n_dests);
	s->dests = dests;
	s->n_dests = n;
	/* What needs a restart keeps its running value. */
	st.enabled = s->cfg.enabled;
	st.no_master = s->cfg.no_master;
	free(st.agentx_socket);
	st.agentx_socket = s->cfg.agentx_socket;
	s->cfg.agentx_socket = NULL;
	free(st.state_file);
	st.state_file = s->cfg.state_file;
	s->cfg.state_file = NULL;
	settings_free(&s->cfg);
	s->cfg = st;
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)s->cfg.ping_s);
	if (s->master.sess)
		subagent_mib_attach(s->mib, s->master.sess, s->cfg.fast_path);
	s->next_heartbeat = now_ms() + s->cfg.heartbeat_ms;
	s->fds_dirty = true;
}
