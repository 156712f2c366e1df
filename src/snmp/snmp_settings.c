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

#include "../policy.h"

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
	{ .key = "enabled", .type = SETTING_BOOL, .def = "no", .offset = SNMP(enabled) },
	{ .key = "agentx_socket", .type = SETTING_STRING, .offset = SNMP(agentx_socket) },
	{ .key = "ping_interval",
	  .type = SETTING_DURATION,
	  .def = "5s",
	  .min = 1000,
	  .max = 3600000,
	  .offset = SNMP(ping_interval_ms) },
	{ .key = "heartbeat_interval",
	  .type = SETTING_DURATION,
	  .def = "0",
	  .min = 0,
	  .max = DAY_MS,
	  .offset = SNMP(heartbeat_interval_ms) },
	{ .key = "remind",
	  .type = SETTING_CUSTOM,
	  .def = "once",
	  .offset = SNMP(remind),
	  .parse = policy_remind_setting },
	{ .key = "queue_max",
	  .type = SETTING_UINT,
	  .def = "1000",
	  .min = 1,
	  .max = 1000000,
	  .offset = SNMP(queue_max) },
	{ .key = "trap_v2c",
	  .type = SETTING_CUSTOM,
	  .offset = SNMP(trap_v2c),
	  .parse = append_target },
	{ .key = "trap_v3",
	  .type = SETTING_CUSTOM,
	  .offset = SNMP(trap_v3),
	  .parse = append_target },
	{ .key = "inform_v3",
	  .type = SETTING_CUSTOM,
	  .offset = SNMP(inform_v3),
	  .parse = append_target },
	{ .key = "inform_retries",
	  .type = SETTING_UINT,
	  .def = "3",
	  .min = 0,
	  .max = 20,
	  .offset = SNMP(inform_retries) },
	{ .key = "inform_timeout",
	  .type = SETTING_DURATION,
	  .def = "1s",
	  .min = 100,
	  .max = 60000,
	  .offset = SNMP(inform_timeout_ms) },
	{ .key = "v3_user", .type = SETTING_STRING, .offset = SNMP(v3_user) },
	{ .key = "v3_auth_protocol",
	  .type = SETTING_ENUM,
	  .def = "SHA",
	  .choices = "MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512",
	  .offset = SNMP(v3_auth_protocol) },
	{ .key = "v3_priv_protocol",
	  .type = SETTING_ENUM,
	  .def = "AES",
	  .choices = "DES|AES|AES-192|AES-256",
	  .offset = SNMP(v3_priv_protocol) },
	{ .key = "v3_auth_password_file",
	  .type = SETTING_SECRET_FILE,
	  .offset = SNMP(v3_auth_password_file) },
	{ .key = "v3_priv_password_file",
	  .type = SETTING_SECRET_FILE,
	  .offset = SNMP(v3_priv_password_file) },
	{ .key = "v3_engine_id",
	  .type = SETTING_STRING,
	  .offset = SNMP(v3_engine_id),
	  .parse = check_engine_id },
	{ .key = "state_file", .type = SETTING_STRING, .offset = SNMP(state_file) },
	{ .key = "fast_path", .type = SETTING_BOOL, .offset = SNMP(fast_path) },
	{ 0 },
};
