// SPDX-License-Identifier: GPL-2.0-or-later
/* The PSU probes' common option and report: see psu_probe.h. */
#include "psu_probe.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "psu_util.h"
#include "secret.h"
#include "strbuf.h"

const char *psu_option(const struct redmon_host_ops *ops, struct redmon_host *h, const char *key)
{
	const char *v = ops->option(h, key);

	return v ? v : "";
}

int psu_option_required(const struct redmon_host_ops *ops, struct redmon_host *h, int *ret)
{
	long long n;

	if (strv_to_ll(strv_trim(strv_c(ops->option(h, "required"))), 0, PSU_REQUIRED_MAX, &n) < 0)
		return -EINVAL;
	*ret = (int)n;
	return 0;
}

int psu_report(const struct redmon_host_ops *ops, struct redmon_host *h, int rc,
	       const struct redmon_group *g)
{
	if (rc == 0)
		return ops->report(h, g);
	if (rc == -ENODATA)
		return 0;
	ops->scan_error(h, "%s", strerror(-rc));
	return rc;
}

int psu_read_password(const struct redmon_host_ops *ops, struct redmon_host *h, const char *path,
		      const char *limit, char *out, size_t out_size)
{
	char why[PATH_MAX + 128];
	int rc = secret_file_read(path, limit, out, out_size, why, sizeof(why));

	if (rc < 0)
		ops->log(h, REDMON_LOG_ERR, "password_file %s", why);
	return rc;
}
