// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the IPMI PSU and fan sensor interpretations
 * (plugins/ipmi/ipmi_psu.c, ipmi_fan.c), both fed every poll.
 *
 * Input: a byte for `required`, then records of 10 bytes (record id, sensor
 * number, sensor type, event/reading type, entity id and instance, read
 * status (its bit 2: a reading, bit 3: that reading is 0 RPM), bitmask) each
 * followed by a NUL-terminated name of at most 16 bytes.  A 0xff record
 * marker starts the next poll, so one input drives the interpretations
 * through several polls with their memory (bays seen, learned N).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/ipmi/ipmi_fan.h"
#include "../../plugins/ipmi/ipmi_psu.h"

#define MAX_SENSORS 64

static void check(const struct redmon_group *g)
{
	size_t total = 0;

	if (!g->name || !g->kind || !g->type)
		abort();
	for (size_t i = 0; i < g->n_members; i++) {
		const struct redmon_member *m = &g->members[i];

		if (!m->name || m->role >= REDMON_ROLE_COUNT_)
			abort();
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->name, g->members[j].name) == 0)
				abort(); /* member names must be unique */
		}
		total++;
	}
	if (g->members_total >= 0 && (size_t)g->members_total != total)
		abort();
	if (g->members_ok > g->members_total || g->margin > g->margin_nominal)
		abort();
	if (g->reason)
		(void)strlen(g->reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipmi_sensor v[MAX_SENSORS];
	static const uint8_t types[] = { 0x08, 0x09, 0x04, 0x04 };
	static const uint8_t ertypes[] = { 0x08, 0x6f, 0x0b, 0x01, 0x03, 0x07, 0x0a, 0x01 };
	struct ipmi_set p = { 0 }, fans = { 0 };
	struct redmon_group g;
	size_t i = 1, n = 0;
	int required;

	if (size < 1)
		return 0;
	required = data[0] % 8;
	while (i <= size) {
		bool flush = i == size;

		if (!flush && data[i] == 0xff) {
			flush = true;
			i++;
		}
		if (flush || n == MAX_SENSORS) {
			if (ipmi_psu_eval(&p, v, n, required, &g) == 0)
				check(&g);
			if (ipmi_fan_eval(&fans, v, n, required, &g) == 0)
				check(&g);
			n = 0;
			if (i == size)
				break;
			continue;
		}
		if (size - i < 10)
			break;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].record_id = (uint16_t)(data[i] | data[i + 1] << 8);
		v[n].number = data[i + 2];
		/* Steer half the types to the interesting ones. */
		v[n].type = data[i + 3] & 0x80 ? data[i + 3] : types[data[i + 3] & 3];
		v[n].ertype = data[i + 4] & 0x80 ? data[i + 4] : ertypes[data[i + 4] & 7];
		v[n].entity_id = data[i + 5];
		v[n].entity_instance = data[i + 6];
		v[n].status = (enum ipmi_read_status)((data[i + 7] & 3) % 3);
		v[n].has_reading = data[i + 7] & 4;
		v[n].reading = data[i + 7] & 8 ? 0.0 : 5400.0;
		v[n].bitmask = (uint16_t)(data[i + 8] | data[i + 9] << 8);
		i += 10;
		for (size_t k = 0; k < IPMI_NAME_MAX - 1 && i < size && data[i]; k++, i++)
			v[n].name[k] = (char)data[i];
		if (i < size && data[i] == 0)
			i++;
		n++;
	}
	ipmi_set_free(&p);
	ipmi_set_free(&fans);
	return 0;
}
