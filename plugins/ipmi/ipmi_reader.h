/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libfreeipmi side of the ipmi probe: a session to one BMC (in-band or
 * IPMI 2.0 LAN), the SDR records of the PSU- and fan-related sensors kept in
 * memory, and one poll = read those sensors.
 *
 * The SDR is fetched once and again only when the BMC's SDR repository
 * timestamps (Get SDR Repository Info: most recent addition / erase, IPMI 2.0
 * section 33.9) change, so a poll costs one Get SDR Repository Info plus one
 * Get Sensor Reading per PSU or fan sensor.  The session is kept between
 * polls and reopened after an error.
 *
 * Not thread-safe; the ipmi plugin uses one reader from one thread at a time.
 * Nothing here logs: errors come back as -errno plus a message.
 */
#ifndef REDMON_IPMI_READER_H
#define REDMON_IPMI_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipmi_psu.h"

struct ipmi_conn {
	bool lan;		 /* false: in-band (/dev/ipmi0 through freeipmi's drivers) */
	char host[256];		 /* lan: "HOST" or "HOST:PORT" */
	char username[17];	 /* IPMI 2.0: at most 16 bytes */
	char password[21];	 /* IPMI 2.0: at most 20 bytes */
	uint8_t privilege;	 /* IPMI_PRIVILEGE_LEVEL_* */
	uint8_t cipher_suite;	 /* RMCP+ cipher suite id */
	unsigned int workaround; /* IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_* or _INBAND_* */
	unsigned int timeout_ms; /* session timeout; bounds every call */
};

struct ipmi_reader_stats {
	unsigned long sdr_loads; /* SDR fetches (first + after a timestamp change) */
	unsigned long opens;	 /* sessions opened */
	uint64_t last_poll_ms;	 /* duration of the last poll */
};

struct ipmi_reader;

/* Parse "opensesspriv,sun20" (freeipmi's -W words) for LAN 2.0; 0 or -EINVAL. */
int ipmi_parse_workarounds(const char *s, bool lan, unsigned int *ret);

/* A reader for conn (copied).  0 or -ENOMEM. */
int ipmi_reader_new(const struct ipmi_conn *conn, struct ipmi_reader **ret);

/*
 * Read every PSU- and fan-related sensor.  On success *ret_v is a malloc'd
 * array of *ret_n sensors (the caller frees it) and 0 is returned.  Returns -ENODEV
 * when in-band finds no BMC interface, -ETIMEDOUT when the BMC did not answer,
 * -EACCES for a refused login, -EIO otherwise; err then says what happened.
 */
int ipmi_reader_poll(struct ipmi_reader *r, struct ipmi_sensor **ret_v, size_t *ret_n, char *err,
		     size_t errlen);

void ipmi_reader_stats(const struct ipmi_reader *r, struct ipmi_reader_stats *ret);

/* Close the session and free; NULL is a no-op. */
void ipmi_reader_free(struct ipmi_reader *r);

#endif /* REDMON_IPMI_READER_H */
