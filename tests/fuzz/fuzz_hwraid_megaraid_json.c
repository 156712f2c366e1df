// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: storcli's JSON output (plugins/hwraid/megaraid_json.c),
 * then the logical drives it makes (megaraid.c) and the rules that turn each
 * into a group (hwraid_rules.c).  Input: one output, as the tool prints it.
 */
#include "fuzz_hwraid_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_set s = { 0 };
	struct hwraid_result r = { 0 };
	char err[256];

	if (mr_parse_json(&s, (const char *)data, size, err, sizeof(err)) == 0 &&
	    mr_build(&s, &r) == 0)
		hwraid_fuzz_check(&r);
	else if (!err[0])
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	mr_set_free(&s);
	return 0;
}
