// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the HPE Smart Array driver (plugins/hwraid/smartarray*.c),
 * ssacli's text or cciss_vol_status's output as its content says, then the
 * rules that turn each logical drive into a group (hwraid_rules.c).  Input:
 * one output, as the tool prints it.
 */
#include <stdbool.h>
#include <string.h>

/* "slot0/array A/ld1", "sda/vol0": letters, digits, '/' and one blank. */
static bool sa_name_ok(const char *n)
{
	size_t len = strlen(n);

	return len > 0 &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/ ") ==
		       len &&
	       strchr(n, '/') != NULL;
}

#define HWRAID_FUZZ_NAME_OK(n) sa_name_ok(n)
#include "fuzz_hwraid_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct hwraid_output o;
	struct hwraid_result r = { 0 };
	char err[256] = "";

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	o = (struct hwraid_output){ .name = "fuzz", .buf = buf, .len = size, .main = true };
	if (hwraid_smartarray.parse(&o, 1, &r, err, sizeof(err)) == 0)
		hwraid_fuzz_check(&r);
	else if (!err[0])
		abort(); /* a failure always says why */
	hwraid_result_free(&r);
	free(buf);
	return 0;
}
