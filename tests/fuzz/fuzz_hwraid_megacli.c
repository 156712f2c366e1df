// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: MegaCli's "-LDInfo -Lall -aALL" and "-PDList -aALL"
 * (plugins/hwraid/megacli.c), then the rules that turn each logical drive
 * into a group (hwraid_rules.c).  Input: the two outputs one after the
 * other, as one text (the parser reads blocks wherever they are); a NUL byte,
 * when there is one, splits it into two outputs.
 */
#include "fuzz_hwraid_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *nul = memchr(buf, '\0', size);
	size_t first = nul ? (size_t)(nul - buf) : size;
	struct hwraid_output o[2] = {
		{ .name = "ldinfo", .buf = buf, .len = first, .main = true },
		{ .name = "pdlist", .buf = nul ? nul + 1 : "", .len = nul ? size - first - 1 : 0 },
	};
	struct hwraid_result r = { 0 };
	char err[256] = "";

	if (hwraid_megacli.parse(o, nul ? 2 : 1, &r, err, sizeof(err)) == 0)
		hwraid_fuzz_check_named(&r, "a", "0123456789/vd");
	else if (!err[0])
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	return 0;
}
