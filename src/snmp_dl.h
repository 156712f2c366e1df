/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's side of SNMP: subagent.h's functions, forwarded to
 * redmon-snmp.so, which is loaded the first time [snmp] enabled = yes asks
 * for it (src/snmp/snmp_module.h says why it is a module).  With SNMP off,
 * nothing of net-snmp is mapped in the daemon.
 *
 * As in subagent.h, every function accepts a NULL subagent (SNMP disabled)
 * and does nothing.  Main thread only.
 */
#ifndef REDMON_SNMP_DL_H
#define REDMON_SNMP_DL_H

#include <stddef.h>
#include <stdio.h>

struct agg;
struct bus;
struct config;
struct event;
struct loop;
struct subagent;

/*
 * subagent_check_config() when [snmp] is enabled; 0 when it is not (its
 * other keys are checked when it is turned on).  A module that cannot be
 * loaded is an error, in err.
 */
int snmp_dl_check_config(const struct config *cfg, char *err, size_t errlen);

/* subagent_open(): *ret = NULL and 0 when [snmp] is not enabled. */
int snmp_dl_open(const struct config *cfg, struct loop *loop, const struct agg *agg,
		 const struct bus *bus, struct subagent **ret);

void snmp_dl_event(struct subagent *s, const struct event *ev);
void snmp_dl_scanned(struct subagent *s, const char *probe);

/* subagent_reload(): loads the module when the new config turns SNMP on. */
void snmp_dl_reload(struct subagent **s, const struct config *cfg, struct loop *loop,
		    const struct agg *agg, const struct bus *bus);

/* subagent_test(): -ENOENT when [snmp] is not enabled; a module that cannot be loaded FAILED. */
int snmp_dl_test(const struct config *cfg, struct loop *loop, const struct event *ev, FILE *out);

void snmp_dl_close(struct subagent *s);

#endif
