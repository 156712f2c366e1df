// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: arcconf's text (plugins/hwraid/arcconf.c) through the
 * driver's parse(), then the rules that turn each logical drive into a group
 * (hwraid_rules.c).  Input: a GETCONFIG output, optionally followed by a NUL
 * and a GETSTATUS output, as the tool prints them.
 */
#include <errno.h>

#include "fuzz_hwraid_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size, n2 = nul ? size - n1 - 1 : 0;
	char *a = malloc(n1 + 1), *b = malloc(n2 + 1);
	struct hwraid_result r = { 0 };
	char err[256] = "";
	int rc;

	if (!a || !b)
		abort();
	memcpy(a, data, n1);
	a[n1] = '\0';
	if (n2)
		memcpy(b, nul + 1, n2);
	b[n2] = '\0';
	struct hwraid_output o[2] = {
		{ .name = "arcconf-getconfig-1-al.txt", .buf = a, .len = n1, .main = true },
		{ .name = "arcconf-getstatus-1.txt", .buf = b, .len = n2, .main = false },
	};
	rc = hwraid_arcconf.parse(o, nul ? 2 : 1, &r, err, sizeof(err));
	for (size_t i = 0; rc == 0 && i < r.n_ld; i++) {
		if (r.ld[i].progress != -1 && (r.ld[i].progress < 0 || r.ld[i].progress > 100))
			abort();
	}
	if (rc == 0)
		hwraid_fuzz_check(&r);
	else if (!err[0] || (rc != -EINVAL && rc != -ENOMEM))
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	free(a);
	free(b);
	return 0;
}
