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
#include <time.h>

#include "../event.h"
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

struct agg;
struct subagent_index;
struct subagent_mib;

/*
 * Register REDMON-MIB's scalars and tables (call after init_snmp()) and keep
 * them in step with agg.  idx gives the row indexes; started is the daemon's
 * start time.  0 or -errno; *ret only on success.
 */
int subagent_mib_new(const struct agg *agg, struct subagent_index *idx, const struct timespec *started,
		     struct subagent_mib **ret);

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

/* The varbinds of redmonHeartbeat, from the current state. */
netsnmp_variable_list *subagent_mib_heartbeat_vars(struct subagent_mib *m);

/*
 * Answer the AgentX Get and GetNext requests of session straight from the
 * tables, ahead of net-snmp's request pipeline (see subagent_mib.c).  Call for
 * every new master session; other PDUs keep going to net-snmp's own callback.
 */
void subagent_mib_attach(struct subagent_mib *m, netsnmp_session *session);

#endif
