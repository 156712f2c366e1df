// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: sas2ircu's LIST, DISPLAY and STATUS outputs
 * (plugins/hwraid/sas2ircu.c), then the rules that turn each logical drive
 * into a group (hwraid_rules.c).  Input: up to four outputs separated by NUL bytes, the
 * first the main one, which is also read as the controller list of the live
 * path (the driver's controllers()).
 */
#include "fuzz_hwraid_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwraid_output o[4];
	const char *p = (const char *)data, *end = p + size;
	struct hwraid_result r = { 0 };
	char err[256] = "";
	size_t n = 0;

	while (n < 4 && (n == 0 || p < end)) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *stop = nul && n < 3 ? nul : end;

		o[n] = (struct hwraid_output){
			.name = "sas2ircu", .buf = p, .len = (size_t)(stop - p), .main = n == 0
		};
		n++;
		p = stop < end ? stop + 1 : end;
	}
	hwraid_fuzz_check_controllers(&hwraid_sas2ircu, o[0].buf, o[0].len,
				      255); /* the live list */
	if (hwraid_sas2ircu.parse(o, n, &r, err, sizeof(err)) == 0)
		hwraid_fuzz_check_named(&r, "c", "0123456789/ir-volume");
	else if (!err[0])
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	return 0;
}
