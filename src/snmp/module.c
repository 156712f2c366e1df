/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redmon-snmp.so's one export (snmp_module.h). */
#include "snmp_module.h"

#include "../config.h"

extern const struct snmp_module redmon_snmp_module;

const struct snmp_module redmon_snmp_module = {
	.version = REDMON_VERSION,
	.config_size = sizeof(struct config),
	.check_config = subagent_check_config,
	.open = subagent_open,
	.event = subagent_event,
	.scanned = subagent_scanned,
	.reload = subagent_reload,
	.test = subagent_test,
	.close = subagent_close,
};
