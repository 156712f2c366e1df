/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to the SNMP subagent (src/snmp/): the only header besides
 * those .c files that includes net-snmp.  Never include it from elsewhere;
 * the rest of redmon sees subagent.h only.
 */
#ifndef REDMON_SUBAGENT_INT_H
#define REDMON_SUBAGENT_INT_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "../event.h"
#include "agentx_pdu.h"
#include "snmp_settings.h"
#include "subagent_rules.h"

/*
 * REDMON-MIB::redmonMIB.  The one place in the code that says where the MIB
 * lives (mibs/REDMON-MIB.txt says it once too): NET-SNMP-MIB::netSnmpPlaypen.7336
 * until a Private Enterprise Number is assigned.
 */
#define SUBAGENT_ROOT_OID 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7336
#define SUBAGENT_ROOT_LEN 10

/* AgentX PDU types (RFC 2741 6.1); net-snmp's header naming them is not installed. */
#define SUBAGENT_AGENTX_GET	 5
#define SUBAGENT_AGENTX_GETNEXT	 6
#define SUBAGENT_AGENTX_NOTIFY	 12
#define SUBAGENT_AGENTX_RESPONSE 18

/* On the master session: a request unanswered for this long is sent again, once. */
#define AGENTX_TIMEOUT_US 1000000 /* a hung master stalls us this long per request */
#define AGENTX_RETRIES	  1

struct agg;
struct bus;
struct subagent_index;
struct subagent_mib;

/*
 * Register REDMON-MIB's scalars and tables (call after init_snmp()) and keep
 * them in step with agg (bus: the last event's number).  idx gives the row
 * indexes; started is the daemon's start time.  0 or -errno; *ret only on
 * success.
 */
int subagent_mib_new(const struct agg *agg, const struct bus *bus, struct subagent_index *idx,
		     const struct timespec *started, struct subagent_mib **ret);

/* Free, after snmp_shutdown() (which drops the registrations).  NULL is a no-op. */
void subagent_mib_free(struct subagent_mib *m);

/* An event: change times, degraded-since, alarms; marks its probe for a sync. */
void subagent_mib_event(struct subagent_mib *m, const struct event *ev);

/* A probe was scanned now: poll time, error count; marks it for a sync. */
void subagent_mib_scanned(struct subagent_mib *m, const char *probe);

/*
 * Bring the rows of every marked probe in step with the aggregator: rows are
 * added, changed in place or removed only where something changed.  Returns 0,
 * or -ENOMEM / -ERANGE when an index could not be given (logged by the caller).
 */
int subagent_mib_sync(struct subagent_mib *m);

/*
 * The varbinds of notification n for ev, snmpTrapOID.0 first (no sysUpTime.0),
 * or NULL on allocation failure.  Values are those of the event, not of the
 * tables, so a notification sent late still says what happened.
 */
netsnmp_variable_list *subagent_mib_notif_vars(struct subagent_mib *m, const struct event *ev,
					       enum subagent_notif n);

/*
 * The varbinds of redmonTest for ev (test-alert), which needs no tables;
 * NULL on allocation failure.
 */
netsnmp_variable_list *subagent_mib_test_vars(const struct event *ev);

/* The varbinds of redmonHeartbeat, from the current state. */
netsnmp_variable_list *subagent_mib_heartbeat_vars(struct subagent_mib *m);

/*
 * Answer the AgentX Get and GetNext requests of session straight from the
 * tables, ahead of net-snmp's request pipeline (see subagent_mib.c).  Call for
 * every new master session; other PDUs keep going to net-snmp's own callback.
 */
void subagent_mib_attach(struct subagent_mib *m, netsnmp_session *session);

/*
 * The Response to an AgentX Get or GetNext (agentx_is_walk_request()) with
 * header h and its payload, into out: the same answers as the session
 * callback, without net-snmp.  false when the payload is malformed or the
 * response could not be built: the PDU is then net-snmp's.
 */
bool subagent_mib_agentx_answer(const struct subagent_mib *m, const struct agentx_header *h,
				const uint8_t *payload, uint32_t uptime, struct agentx_out *out);

/* --- the subagent: its session (subagent.c) and notifications (subagent_notify.c) --- */

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

struct subagent;

/* A destination of notifications: the AgentX master or a direct target. */
struct dest {
	struct subagent *s;
	enum dest_kind kind;
	struct snmp_target t;
	netsnmp_session *sess;
	struct queue q;	  /* the master and INFORMs: until acknowledged */
	int inflight_req; /* request id awaiting an answer, 0 if none */
	uint64_t inflight_deadline;
	uint64_t retry_at; /* monotonic ms; 0: now */
	bool stale;	   /* close the session before the next try */
	long refused;	   /* the last error status an answer carried (test-alert) */
	bool down_logged;
};

struct subagent {
	struct loop *loop;
	const struct bus *bus; /* the last event's number, for notifications */
	struct snmp_setup cfg;
	struct subagent_index *idx;
	struct subagent_mib *mib;
	int fds[64]; /* net-snmp's sockets the loop watches for us */
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
	/*
	 * prepare() may skip net-snmp until quiet_until (monotonic ms;
	 * UINT64_MAX: no deadline) unless changed: set by everything but the
	 * walk requests answered from the stream (subagent.c).
	 */
	bool changed;
	uint64_t quiet_until;
};

static inline uint64_t subagent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Whether two strings, either of them NULL, are the same. */
static inline bool subagent_same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* subagent.c: drop every watch of net-snmp's sockets now (a session is about to close). */
void subagent_forget_fds(struct subagent *s);

/*
 * Hand the notification seq with vars (taken) to every destination: queued
 * for the master and INFORM targets, sent at once to TRAP targets.
 */
void subagent_notify(struct subagent *s, uint64_t seq, netsnmp_variable_list *vars);

/* Send what is due to the master and the INFORM targets; log dropped notifications. */
void subagent_dests_flush(struct subagent *s, uint64_t now);

/* Log, once per episode, that notifications were dropped from d's full queue. */
void subagent_dest_report_dropped(struct dest *d);

/* Close d's session (not the master's, which is net-snmp's); what is queued stays. */
void subagent_dest_close(struct dest *d);

void subagent_queue_free(struct queue *q);

/*
 * The direct destinations of st, reusing the queues of s's current ones with
 * the same kind and spec, so a reload keeps what waits.  Takes the targets
 * out of st.  0 or -ENOMEM.
 */
int subagent_dests_build(struct subagent *s, struct snmp_setup *st, struct dest **ret,
			 size_t *n_ret);

/* Close and free n destinations. */
void subagent_dests_free(struct dest *v, size_t n);

#endif
