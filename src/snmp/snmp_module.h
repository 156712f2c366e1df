/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SNMP subagent as a module of redmond's own (redmon-snmp.so, beside
 * redmond), loaded by src/snmp_dl.c when [snmp] enabled = yes: the only
 * object that links net-snmp.  Linked, net-snmp and the ~15 libraries under
 * it (OpenSSL, Perl, Kerberos, libwrap) cost every daemon ~0.7 MiB of
 * anonymous memory (their relocated data) and ~3.5 MiB of resident pages,
 * although SNMP is off by default (issue 19).
 *
 * The module exports this one table; what it calls of the daemon (logging,
 * the loop, the aggregator) redmond exports by a list the build makes from
 * the module's undefined symbols (Makefile, SNMP_EXPORTS).
 */
#ifndef REDMON_SNMP_MODULE_H
#define REDMON_SNMP_MODULE_H

#include "subagent.h"

/* The file's name, found beside the running redmond (snmp_dl.c). */
#define SNMP_MODULE_FILE "redmon-snmp.so"
/* Its one exported symbol: a const struct snmp_module. */
#define SNMP_MODULE_SYMBOL "redmon_snmp_module"

/* subagent.h's functions, by their names without "subagent_". */
struct snmp_module {
	/*
	 * REDMON_VERSION and sizeof(struct config) of the build: a module from
	 * another build (an upgrade on disk under a running daemon) is refused.
	 */
	const char *version;
	size_t config_size;
	int (*check_config)(const struct config *cfg, char *err, size_t errlen);
	int (*open)(const struct config *cfg, struct loop *loop, const struct agg *agg,
		    const struct bus *bus, struct subagent **ret);
	void (*event)(struct subagent *s, const struct event *ev);
	void (*scanned)(struct subagent *s, const char *probe);
	void (*reload)(struct subagent **s, const struct config *cfg, struct loop *loop,
		       const struct agg *agg, const struct bus *bus);
	int (*test)(const struct config *cfg, struct loop *loop, const struct event *ev, FILE *out);
	void (*close)(struct subagent *s);
};

#endif
