/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A sink's remind setting (sink_settings.h, policy.h); apart so the config needs no model. */
#ifndef REDMON_REMIND_H
#define REDMON_REMIND_H

#include <stdint.h>

#define POLICY_DAY_MS (24ll * 3600 * 1000)

enum remind_kind {
	REMIND_ONCE = 0,    /* no reminders */
	REMIND_EVERY,	    /* every interval_ms (daily = every 24h) */
	REMIND_DIMINISHING, /* after 1, 2, 4, 8 ... times interval_ms (1 day by default) */
};

struct remind {
	enum remind_kind kind;
	int64_t interval_ms;
};

/*
 * The recipient of SNMP's reminders (redmonReminder), as a reminder event
 * names its sink: no [sink.NAME] has it, sink names being [A-Za-z0-9_-].
 */
#define REMIND_TO_SNMP "[snmp]"

#endif
