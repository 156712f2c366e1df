/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The body of the storcli fuzz targets, JSON and TEXT: they differ by parser. */
#ifndef REDMON_FUZZ_HWRAID_MEGARAID_H
#define REDMON_FUZZ_HWRAID_MEGARAID_H

#include "fuzz_hwraid_check.h"

typedef int mr_parse_fn(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen);

/* One output through parse, then mr_build and the checks of every logical drive. */
static inline void hwraid_fuzz_megaraid(mr_parse_fn *parse, const uint8_t *data, size_t size)
{
	struct mr_set s = { 0 };
	struct hwraid_result r = { 0 };
	char err[256];

	if (parse(&s, (const char *)data, size, err, sizeof(err)) == 0 && mr_build(&s, &r) == 0)
		hwraid_fuzz_check(&r);
	else if (!err[0])
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	mr_set_free(&s);
}

#endif
