/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The [snmp] table (snmp_settings.h): it types every key into struct
 * snmp_settings and checks the syntax of engine IDs while the config loads,
 * so errors name file:line.  No net-snmp here: every program
 * that reads a config links this.
 */
#include "snmp_settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24ull * 3600 * 1000)

/* RFC 3411 SnmpEngineID. */
int snmp_engine_id_parse(const char *s, unsigned char *buf, size_t *len)
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
		buf[n++] = (unsigned char)v;
	}
	if (*s || n < 5)
		return -EINVAL;
	*len = n;
	return 0;
}

/*
 * A repeatable target key: every value kept, in file order.  Its syntax is
 * checked by subagent_settings_load(), so that a reload refused for it says
 * why on its "reload failed" line.
 */
static const char *append_target(const char *value, void *field)
{
	struct snmp_target_specs *specs = field;

	if (!*value)
		return NULL; /* an empty value adds no target */
	if (specs->n == SNMP_TARGETS_MAX)
		return "too many targets of this kind (at most 32)";
	specs->spec[specs->n++] = value;
	return NULL;
}

static const char *check_engine_id(const char *value, void *field)
{
	unsigned char buf[32];
	size_t len;

	(void)field;
	if (*value && snmp_engine_id_parse(value, buf, &len) < 0)
		return "expected hex, 5 to 32 octets";
	return NULL;
}

#define SNMP(f) offsetof(struct snmp_settings, f)

const struct setting snmp_settings_table[] = {
	{ .key = "enabled",
	  .type = SETTING_BOOL,
	  .def = "no",
	  .offset = SNMP(enabled),
	  .help = "serve REDMON-MIB through an AgentX master and send notifications" },
	{ .key = "agentx_socket",
	  .type = SETTING_STRING,
	  .offset = SNMP(agentx_socket),
	  .help = "the master's AgentX socket in net-snmp agentXSocket syntax (unix:/path, "
		  "tcp:HOST:PORT); none: no master, direct notifications only; default: "
		  "net-snmp's (/var/agentx/master)" },
	{ .key = "ping_interval",
	  .type = SETTING_DURATION,
	  .def = "5s",
	  .min = 1000,
	  .max = 3600000,
	  .offset = SNMP(ping_interval_ms),
	  .help = "how often the master is pinged, and reconnected to while it is away" },
	{ .key = "heartbeat_interval",
	  .type = SETTING_DURATION,
	  .def = "0",
	  .min = 0,
	  .max = DAY_MS,
	  .offset = SNMP(heartbeat_interval_ms),
	  .help = "send redmonHeartbeat this often; 0: never" },
	{ .key = "queue_max",
	  .type = SETTING_UINT,
	  .def = "1000",
	  .min = 1,
	  .max = 1000000,
	  .offset = SNMP(queue_max),
	  .help = "notifications kept per destination while it is away (the oldest go first)" },
	{ .key = "trap_v2c",
	  .type = SETTING_CUSTOM,
	  .offset = SNMP(trap_v2c),
	  .parse = append_target,
	  .help = "HOST[:PORT] COMMUNITY: send v2c traps there too (repeatable)" },
	{ .key = "trap_v3",
	  .type = SETTING_CUSTOM,
	  .offset = SNMP(trap_v3),
	  .parse = append_target,
	  .help = "HOST[:PORT]: send v3 traps there too, as v3_user (repeatable)" },
	{ .key = "inform_v3",
	  .type = SETTING_CUSTOM,
	  .offset = SNMP(inform_v3),
	  .parse = append_target,
	  .help = "HOST[:PORT] [ENGINE-ID]: send v3 INFORMs there, as v3_user, until "
		  "acknowledged (repeatable)" },
	{ .key = "inform_retries",
	  .type = SETTING_UINT,
	  .def = "3",
	  .min = 0,
	  .max = 20,
	  .offset = SNMP(inform_retries),
	  .help = "INFORM retransmissions before a pause of 30 s" },
	{ .key = "inform_timeout",
	  .type = SETTING_DURATION,
	  .def = "1s",
	  .min = 100,
	  .max = 60000,
	  .offset = SNMP(inform_timeout_ms),
	  .help = "how long to wait for an INFORM's acknowledgement" },
	{ .key = "v3_user",
	  .type = SETTING_STRING,
	  .offset = SNMP(v3_user),
	  .help = "SNMPv3 user of trap_v3 and inform_v3" },
	{ .key = "v3_auth_protocol",
	  .type = SETTING_ENUM,
	  .def = "SHA",
	  .choices = "MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512",
	  .offset = SNMP(v3_auth_protocol),
	  .help = "SNMPv3 authentication protocol" },
	{ .key = "v3_priv_protocol",
	  .type = SETTING_ENUM,
	  .def = "AES",
	  .choices = "DES|AES|AES-192|AES-256",
	  .offset = SNMP(v3_priv_protocol),
	  .help = "SNMPv3 privacy protocol" },
	{ .key = "v3_auth_password_file",
	  .type = SETTING_SECRET_FILE,
	  .offset = SNMP(v3_auth_password_file),
	  .help = "file whose first line is the v3 authentication password" },
	{ .key = "v3_priv_password_file",
	  .type = SETTING_SECRET_FILE,
	  .offset = SNMP(v3_priv_password_file),
	  .help = "file whose first line is the v3 privacy password (none: authNoPriv)" },
	{ .key = "v3_engine_id",
	  .type = SETTING_STRING,
	  .offset = SNMP(v3_engine_id),
	  .parse = check_engine_id,
	  .help = "our SNMPv3 engine ID for v3 traps, hex (default: text 'redmon-<host>')" },
	{ .key = "state_file",
	  .type = SETTING_STRING,
	  .offset = SNMP(state_file),
	  .help = "where row indexes are kept (default: [daemon] state_dir/snmp-index, else "
		  "/var/lib/redmon/snmp-index)" },
	{ .key = "fast_path",
	  .type = SETTING_BOOL,
	  .offset = SNMP(fast_path),
	  .help = "no longer does anything (one request engine); accepted with a warning" },
	{ 0 }
};
