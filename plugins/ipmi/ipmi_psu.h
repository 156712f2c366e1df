/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPMI sensor interpretation for power supplies: from the sensors the reader
 * found (SDR facts plus the event bitmask of Get Sensor Reading) to one PSU
 * redundancy group.  No libfreeipmi here: this is the part the unit tests and
 * the fuzzer drive directly.
 *
 * Sensors used (IPMI 2.0 section 42):
 *   sensor type 08h Power Supply, event/reading type 6Fh (sensor-specific,
 *     table 42-3): one per supply bay; offsets 0 presence, 1 failure,
 *     2 predictive failure, 3 input lost (AC/DC), 4 input lost or out of
 *     range, 5 input out of range but present, 6 configuration error,
 *     7 inactive (standby).
 *   sensor type 08h, event/reading type 08h (generic availability, table
 *     42-2): offsets 0 device absent, 1 device present; some BMCs describe a
 *     bay this way.
 *   sensor type 08h or 09h Power Unit, event/reading type 0Bh (generic
 *     redundancy, table 42-2): offsets 0 fully redundant, 1 redundancy lost,
 *     2 degraded, 3 non-redundant sufficient from redundant, 4 non-redundant
 *     sufficient from insufficient, 5 non-redundant insufficient, 6 degraded
 *     from fully redundant, 7 degraded from non-redundant.  Type 08h is the
 *     vendor quirk of BMCs that file the redundancy state under Power Supply.
 */
#ifndef REDMON_IPMI_PSU_H
#define REDMON_IPMI_PSU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/psu_set.h"
#include "redmon/plugin.h"

#define IPMI_SENSOR_TYPE_PSU	  0x08
#define IPMI_SENSOR_TYPE_PWR_UNIT 0x09
#define IPMI_ERT_AVAILABILITY	  0x08 /* generic device absent/present */
#define IPMI_ERT_REDUNDANCY	  0x0b
#define IPMI_ERT_SPECIFIC	  0x6f

/* The ID string holds at most 16 bytes (SDR type 01h/02h); a NUL is added. */
#define IPMI_NAME_MAX 17

enum ipmi_read_status {
	IPMI_READ_OK = 0,      /* bitmask valid */
	IPMI_READ_UNAVAILABLE, /* reading unavailable or scanning disabled */
	IPMI_READ_ERROR,       /* the read failed */
};

/* One sensor as the reader saw it. */
struct ipmi_sensor {
	uint16_t record_id;
	uint8_t number;
	uint8_t type;	/* sensor type */
	uint8_t ertype; /* event/reading type code */
	uint8_t entity_id, entity_instance;
	char name[IPMI_NAME_MAX]; /* NUL-terminated; any other byte possible */
	enum ipmi_read_status status;
	/*
	 * Asserted offsets (bit n = offset n); for a threshold sensor (event/
	 * reading type 01h) the comparison status of Get Sensor Reading
	 * (IPMI 2.0 section 35.14: bit 0 at or below lower non-critical ... bit 5
	 * at or above upper non-recoverable).
	 */
	uint16_t bitmask;
	bool has_reading; /* reading is valid: a threshold sensor with a full record */
	double reading;	  /* in the sensor's units (RPM for a fan) */
};

/* Is this a sensor the PSU interpretation uses (supply or redundancy)? */
bool ipmi_sensor_relevant(uint8_t type, uint8_t ertype);

/* Worst state a redundancy sensor shows, in margin order. */
enum ipmi_redundancy {
	IPMI_RED_NONE = 0,     /* nothing asserted or not readable */
	IPMI_RED_FULL,	       /* offset 0 */
	IPMI_RED_DEGRADED,     /* offsets 2, 6, 7 */
	IPMI_RED_LOST,	       /* offsets 1, 3, 4: exactly enough left */
	IPMI_RED_INSUFFICIENT, /* offset 5: not enough */
};

enum ipmi_redundancy ipmi_redundancy_of(uint16_t bitmask);

/*
 * The interpretation of one supply sensor (for tests and the member list);
 * warn: a predictive failure or input out of range while present.
 */
void ipmi_supply_view(const struct ipmi_sensor *s, struct psu_view *ret);

/* Words of the asserted offsets ("Fully Redundant", ...), ", "-joined into buf. */
void ipmi_state_text(uint8_t type, uint8_t ertype, uint16_t bitmask, char *buf, size_t len);

/* A bay's member name and location: what its psu_supply points at. */
struct ipmi_bay {
	char key[IPMI_NAME_MAX + 32];
	char location[24];
};

/*
 * Per probe instance and set (the supplies, the fans): what the
 * interpretation remembers across polls.
 */
struct ipmi_set {
	struct psu_group pg;
	struct strbuf reason;
	char name[IPMI_NAME_MAX + 8];
	struct ipmi_bay *bays; /* scratch, reused per evaluation */
	size_t cap;
};

/*
 * Build the PSU group from n sensors (any mix; irrelevant ones are skipped).
 * required > 0 is the configured N.  On 0, *g is filled and points into p
 * (valid until the next call or ipmi_set_free()).  Returns -ENODATA when there
 * is no PSU group (no supply ever present, no redundancy sensor), -ENOMEM.
 */
int ipmi_psu_eval(struct ipmi_set *p, const struct ipmi_sensor *v, size_t n, int required,
		  struct redmon_group *g);

void ipmi_set_free(struct ipmi_set *p);

/*
 * The rules every IPMI set shares, for ipmi_psu_eval() and ipmi_fan_eval():
 * psu_set.h's counting (bays seen, N learned once, margin) combined with the
 * set's redundancy sensor, the worse of the two winning.  A set's own part
 * only says which sensors make a member and what state each member is in.
 */

/* The words of a set in its group and reasons. */
struct ipmi_set_words {
	const char *kind;  /* group kind: "psu", "fan" */
	const char *unit;  /* one member: "supply", "fan" */
	const char *units; /* several: "supplies", "fans" */
};

/*
 * Start a poll of n members, lead[i] naming member i (its ID string, made
 * unique; fallback plus the entity when it has none): fills p->bays[i] and
 * empties p->pg for psu_group_add(p->bays[i]...) in the same order.  0 or
 * -ENOMEM.
 */
int ipmi_set_bays(struct ipmi_set *p, const struct ipmi_sensor *const *lead, size_t n,
		  const char *fallback);

/*
 * Evaluate the members added since ipmi_set_bays() with the set's redundancy
 * state (worst: the worst any of its readable redundancy sensors shows;
 * first_red: the first of them, NULL with IPMI_RED_NONE).  p->name must be
 * set.  As ipmi_psu_eval() returns.
 */
int ipmi_set_finish(struct ipmi_set *p, const struct ipmi_set_words *w,
		    const struct ipmi_sensor *first_red, enum ipmi_redundancy worst, int required,
		    struct redmon_group *g);

#endif /* REDMON_IPMI_PSU_H */
