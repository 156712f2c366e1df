/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the PSU probes (power_supply, hwmon, ipmi) do alike around the set
 * rules of psu_set.h: the `required` option they all take, and the report
 * of one scan's group to the core.
 */
#ifndef REDMON_PSU_PROBE_H
#define REDMON_PSU_PROBE_H

#include "redmon/plugin.h"

/* Beyond any chassis: bounds the configured N. */
#define PSU_REQUIRED_MAX 64

/* The option entry of `required` (N of N+M); when_zero, a string literal: what 0 means. */
#define PSU_OPTION_REQUIRED(when_zero)                                                             \
	{                                                                                          \
		.key = "required", .type = REDMON_OPT_UINT, .default_value = "0", .min = 0,        \
		.max = PSU_REQUIRED_MAX,                                                           \
		.help = "supplies the load needs (N of N+M); 0: " when_zero                        \
	}

/* The value of the probe's option key; "" when unset. */
const char *psu_option(const struct redmon_host_ops *ops, struct redmon_host *h, const char *key);

/* The probe's `required` option into *ret; -EINVAL (*ret untouched) when unset or bad. */
int psu_option_required(const struct redmon_host_ops *ops, struct redmon_host *h, int *ret);

/*
 * Report what psu_group_eval() (or a probe's *_psu_eval()) gave: g when rc is
 * 0, nothing on -ENODATA, else a scan error naming rc.  Returns scan()'s value.
 */
int psu_report(const struct redmon_host_ops *ops, struct redmon_host *h, int rc,
	       const struct redmon_group *g);

/*
 * The probe's password_file (path) into out through secret_file_read()
 * (secret.h), the reason logged when it cannot be had.  0 or -errno.
 */
int psu_read_password(const struct redmon_host_ops *ops, struct redmon_host *h, const char *path,
		      const char *limit, char *out, size_t out_size);

#endif /* REDMON_PSU_PROBE_H */
