// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: smartctl -j output through the verdict rules
 * (plugins/smart/smart_read.c).  Whatever the input, the verdict is one of
 * the four disk healths, its texts are printable NUL-terminated ASCII, and
 * any verdict but ok says why.
 */
#include <stdlib.h>
#include <string.h>

#include "../../plugins/smart/smart_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smart_disk d;

	smart_judge((const char *)data, size, size % 3 ? -1 : 0, &d);
	if (d.health < REDMON_RISK_OK || d.health > REDMON_RISK_UNKNOWN)
		abort();
	if (d.health != REDMON_RISK_OK && !d.reason[0])
		abort();
	check_text(d.device, sizeof(d.device));
	check_text(d.model, sizeof(d.model));
	check_text(d.serial, sizeof(d.serial));
	check_text(d.reason, sizeof(d.reason));
	return 0;
}
