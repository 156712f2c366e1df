/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SNMP side of `redmon daemon` (docs/snmp.md): an AgentX subagent that
 * serves REDMON-MIB from the aggregator's state, and notifications for the
 * daemon's events, to the AgentX master and to directly configured v2c/v3
 * targets.  It runs in the daemon's own event loop; everything net-snmp stays
 * inside src/snmp/.  [snmp] in the config says what it does.
 *
 * Every function accepts a NULL subagent (SNMP disabled) and does nothing.
 */
#ifndef REDMON_SUBAGENT_H
#define REDMON_SUBAGENT_H

#include <stddef.h>
#include <stdio.h>

struct agg;
struct bus;
struct config;
struct event;
struct loop;
struct subagent;

/*
 * Check the [snmp] section beyond what the config table checks: target syntax,
 * the v3 user and password files, the engine ID.  0, or -EINVAL / -errno with
 * a message in err.  Nothing is opened.
 */
int subagent_check_config(const struct config *cfg, char *err, size_t errlen);

/*
 * Start the subagent if [snmp] enabled = yes (else *ret = NULL and 0): load
 * the index state file, start net-snmp, register REDMON-MIB, and watch
 * net-snmp's sockets and timers in loop.  It reads agg when it answers and
 * after each scan, and bus for the last event's number; both must outlive it.  A master that is not up yet is no
 * error: the subagent connects when it comes.  Returns 0, or -errno after
 * logging why.
 */
int subagent_open(const struct config *cfg, struct loop *loop, const struct agg *agg,
		  const struct bus *bus, struct subagent **ret);

/* Every event the daemon emits, in order: tables, alarms and notifications. */
void subagent_event(struct subagent *s, const struct event *ev);

/* The probe named probe has just scanned (successfully or not). */
void subagent_scanned(struct subagent *s, const char *probe);

/*
 * Apply a reloaded config that subagent_check_config() accepted: targets,
 * intervals, queue bound.  Turning SNMP on starts it (loop, agg and bus as for
 * subagent_open()); turning it off or moving the AgentX socket needs a
 * restart, which is logged.
 */
void subagent_reload(struct subagent **s, const struct config *cfg, struct loop *loop,
		     const struct agg *agg, const struct bus *bus);

/*
 * `redmon test-alert`: when cfg's [snmp] is enabled, send ev as redmonTest
 * to the AgentX master (the subagent connects, sends, waits for the
 * acknowledgement and leaves; it registers no MIB and touches no state
 * file) and to the trap_v2c and inform_v3 targets, and print one line per
 * destination to out: "snmp: ok ..." or "snmp: FAILED: reason".  trap_v3
 * targets are named, not tested.  Returns the number of failures, or
 * -ENOENT when SNMP is not enabled (nothing printed).
 */
int subagent_test(const struct config *cfg, struct loop *loop, const struct event *ev, FILE *out);

/* Send what is queued if the master is there, close the sessions, free. */
void subagent_close(struct subagent *s);

#endif
