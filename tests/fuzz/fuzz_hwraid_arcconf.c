// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: arcconf's text (plugins/hwraid/arcconf.c) through the
 * driver's parse(), then the rules that turn each logical drive into a group
 * (hwraid_rules.c).  Input: a GETCONFIG output, optionally followed by a NUL
 * and a GETSTATUS output, as the tool prints them.  The first is also read
 * as the controller list of the live path (arc_controllers()); every other
 * input is parsed with an aacraid number for the controller (the live path's
 * smartctl devices, up to 70000: out of range is none).
 */
#include <errno.h>

#include "fuzz_hwraid_check.h"
#include "../../plugins/hwraid/arcconf.h"

/* The controller list: at most max, numbered 1 to n, or -EINVAL. */
static void check_controllers(const char *buf, size_t len)
{
	int ctl[HWRAID_MAX_CTL];
	int n = arc_controllers(buf, len, ctl, HWRAID_MAX_CTL);

	if (n > HWRAID_MAX_CTL || (n < 0 && n != -EINVAL))
		abort();
	for (int i = 0; i < n; i++) {
		if (ctl[i] != i + 1)
			abort();
	}
}

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
		/* live-style names, with an aacraid number: smartctl devices are made too */
		{ .name = "arcconf GETCONFIG 1 AL",
		  .buf = a,
		  .len = n1,
		  .main = true,
		  .host_known = size % 2 == 0,
		  .host = (int)(size % 70000) },
		{ .name = "arcconf GETSTATUS 1", .buf = b, .len = n2, .main = false },
	};
	check_controllers(a, n1);
	rc = hwraid_arcconf.parse(o, nul ? 2 : 1, &r, err, sizeof(err));
	for (size_t i = 0; rc == 0 && i < r.n_ld; i++) {
		if (r.ld[i].progress != -1 && (r.ld[i].progress < 0 || r.ld[i].progress > 100))
			abort();
	}
	if (rc == 0)
		hwraid_fuzz_check(&r);
	else if (!err[0] || (rc != -EINVAL && rc != -ENOMEM && rc != -E2BIG))
		abort(); /* a failure always says why (-E2BIG: controllers past the cap, none read) */
	hwraid_result_free(&r);
	free(a);
	free(b);
	return 0;
}
