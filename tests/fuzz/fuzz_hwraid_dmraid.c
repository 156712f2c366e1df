// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: dmraid's -r and -s outputs (plugins/hwraid/dmraid.c),
 * then the rules that turn each set into a group (hwraid_rules.c).  Input:
 * the -r output, then optionally a NUL byte and the -s output.
 */
#include "fuzz_hwraid_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *nul = memchr(buf, '\0', size);
	size_t first = nul ? (size_t)(nul - buf) : size;
	struct hwraid_output o[2] = {
		{ .name = "dmraid -r", .buf = buf, .len = first, .main = true },
		{ .name = "dmraid -s",
		  .buf = nul ? nul + 1 : "",
		  .len = nul ? size - first - 1 : 0 },
	};
	struct hwraid_result r = { 0 };
	char err[256] = "";

	if (hwraid_dmraid.parse(o, nul ? 2 : 1, &r, err, sizeof(err)) == 0)
		hwraid_fuzz_check_named(&r, "",
					"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789_.-");
	else if (!err[0])
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	return 0;
}
