/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The subagent's notifications (docs/snmp.md, section 6): each event that
 * makes one is built once and handed to every destination, and never lost
 * on our side:
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
#include "subagent_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "subagent_index.h"

#define MASTER_RETRY_MS	  1000	/* a Notify the master did not acknowledge */
#define INFORM_BACKOFF_MS 30000 /* after net-snmp's own retries gave up */

static const oid sysuptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

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

void subagent_queue_free(struct queue *q)
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

static const char *const kind_key[] = {
	[DEST_MASTER] = "agentx",
	[DEST_TRAP_V2C] = "trap_v2c",
	[DEST_TRAP_V3] = "trap_v3",
	[DEST_INFORM_V3] = "inform_v3",
};

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
	const struct snmp_setup *st = &s->cfg;
	netsnmp_transport *tr;
	netsnmp_session ss, *sess;
	const u_char *eid = d->t.engine_id_len ? d->t.engine_id : NULL;
	size_t len, eid_len = d->t.engine_id_len;

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
			eid = st->engine_id;
			eid_len = st->engine_id_len;
			ss.engineBoots = subagent_index_boots(s->idx);
			set_enginetime(st->engine_id, (u_int)st->engine_id_len, ss.engineBoots, 0,
				       TRUE);
		}
		ss.securityEngineID = ss.contextEngineID = (u_char *)eid;
		ss.securityEngineIDLen = ss.contextEngineIDLen = eid_len;
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

void subagent_dest_close(struct dest *d)
{
	/* First: snmp_close() calls dest_answer() for what is outstanding. */
	d->inflight_req = 0;
	d->stale = false;
	if (d->kind != DEST_MASTER && d->sess) {
		subagent_forget_fds(d->s);
		snmp_close(d->sess);
	}
	d->sess = NULL;
}

/* Log, once per episode, that notifications were dropped from a full queue. */
void subagent_dest_report_dropped(struct dest *d)
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
	d->retry_at =
		subagent_now_ms() + (d->kind == DEST_MASTER ? MASTER_RETRY_MS : INFORM_BACKOFF_MS);
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
	d->refused = pdu->errstat;
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
			subagent_dest_close(d);
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
			log_warn("SNMP: cannot open %s %s: %s", kind_key[d->kind], d->t.spec,
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
		if (s->dests[i].kind != DEST_INFORM_V3)
			dest_trap(s, &s->dests[i], n);
		else if (queue_push(&s->dests[i].q, n, s->cfg.queue_max) < 0)
			log_err("SNMP: out of memory queueing notification #%llu",
				(unsigned long long)n->seq);
	}
}

void subagent_notify(struct subagent *s, uint64_t seq, netsnmp_variable_list *vars)
{
	struct notif *n = calloc(1, sizeof(*n));

	s->changed = true; /* queues to flush */
	if (!n) {
		snmp_free_varbind(vars);
		log_err("SNMP: out of memory building notification #%llu", (unsigned long long)seq);
		return;
	}
	*n = (struct notif){ .refs = 1, .seq = seq, .vars = vars };
	deliver(s, n);
	notif_unref(n);
}

void subagent_event(struct subagent *s, const struct event *ev)
{
	enum subagent_notif kind;
	netsnmp_variable_list *vars;

	if (!s)
		return;
	s->changed = true;
	subagent_mib_event(s->mib, ev);
	kind = subagent_notif_for(ev);
	if (kind == SUBAGENT_NOTIF_NONE)
		return;
	vars = subagent_mib_notif_vars(s->mib, ev, kind);
	if (!vars) {
		log_err("SNMP: cannot build the notification of event #%llu",
			(unsigned long long)ev->seq);
		return;
	}
	subagent_notify(s, ev->seq, vars);
}

void subagent_dests_flush(struct subagent *s, uint64_t now)
{
	if (!s->cfg.no_master)
		dest_flush(s, &s->master, now);
	for (size_t i = 0; i < s->n_dests; i++) {
		subagent_dest_report_dropped(&s->dests[i]);
		dest_flush(s, &s->dests[i], now);
	}
	if (s->master.sess)
		subagent_dest_report_dropped(&s->master);
}

void subagent_scanned(struct subagent *s, const char *probe)
{
	if (!s)
		return;
	s->changed = true;
	subagent_mib_scanned(s->mib, probe);
}

void subagent_dests_free(struct dest *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		subagent_dest_close(&v[i]);
		subagent_queue_free(&v[i].q);
		subagent_target_free(&v[i].t);
	}
	free(v);
}

/*
 * The direct destinations of st, reusing those of old with the same kind and
 * spec (and their queues), so a reload keeps what waits.  Takes the targets
 * out of st.
 */
int subagent_dests_build(struct subagent *s, struct snmp_setup *st, struct dest **ret,
			 size_t *n_ret)
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
