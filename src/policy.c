/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "policy.h"

#include <errno.h>
#include <string.h>

#include "config.h"

#define MIN_INTERVAL_MS 1000ull
#define MAX_INTERVAL_MS (365 * POLICY_DAY_MS)

int policy_parse_remind(const char *s, struct remind *ret)
{
	struct remind r = { .kind = REMIND_EVERY, .interval_ms = POLICY_DAY_MS };
	uint64_t ms;

	if (strcmp(s, "once") == 0) {
		r = (struct remind){ .kind = REMIND_ONCE };
	} else if (strcmp(s, "diminishing") == 0) {
		r.kind = REMIND_DIMINISHING;
	} else if (strcmp(s, "daily") != 0) {
		if (strncmp(s, "diminishing/", 12) == 0) {
			r.kind = REMIND_DIMINISHING;
			s += 12;
		}
		if (opt_parse_duration_ms(s, MIN_INTERVAL_MS, MAX_INTERVAL_MS, &ms) < 0)
			return -EINVAL;
		r.interval_ms = (int64_t)ms;
	}
	*ret = r;
	return 0;
}

const char *policy_remind_setting(const char *value, void *field)
{
	if (policy_parse_remind(value, field) < 0)
		return "expected once, daily, diminishing, diminishing/DURATION or a duration of "
		       "at least 1s";
	return NULL;
}

int policy_parse_heartbeat(const char *s, uint64_t *ret_ms)
{
	if (strcmp(s, "off") == 0) {
		*ret_ms = 0;
		return 0;
	}
	return opt_parse_duration_ms(s, MIN_INTERVAL_MS, MAX_INTERVAL_MS, ret_ms) < 0 ? -EINVAL : 0;
}

int64_t policy_remind_offset(const struct remind *r, unsigned n)
{
	if (r->kind == REMIND_ONCE || n == 0)
		return INT64_MAX;
	if (r->kind == REMIND_EVERY)
		return n > INT64_MAX / r->interval_ms ? INT64_MAX : (int64_t)n * r->interval_ms;
	/* Gaps of 1, 2, 4 ... intervals: reminder n comes (2^n - 1) intervals after. */
	if (n >= 40 || ((1ll << n) - 1) > INT64_MAX / r->interval_ms)
		return INT64_MAX;
	return ((1ll << n) - 1) * r->interval_ms;
}

bool policy_next_reminder(const struct remind *r, int64_t since_ms, int64_t after_ms,
			  unsigned *ret_n, int64_t *ret_due)
{
	unsigned n = 1;
	int64_t off;

	if (r->kind == REMIND_ONCE)
		return false;
	/* Jump close for fixed intervals; a restart after months must not loop long. */
	if (r->kind == REMIND_EVERY && after_ms > since_ms) {
		int64_t k = (after_ms - since_ms) / r->interval_ms;

		if (k >= (int64_t)UINT32_MAX)
			return false;
		n = k > 0 ? (unsigned)k : 1;
	}
	for (;; n++) {
		off = policy_remind_offset(r, n);
		if (off == INT64_MAX || since_ms > INT64_MAX - off)
			return false;
		if (since_ms + off > after_ms)
			break;
	}
	*ret_n = n;
	*ret_due = since_ms + off;
	return true;
}

bool policy_health_reminded(enum health h)
{
	return h == HEALTH_DEGRADED || h == HEALTH_CRITICAL || h == HEALTH_FAILED ||
	       h == HEALTH_UNKNOWN;
}
