// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands of a per-controller driver (hwraid.h, HWRAID_CTL) made for
 * one controller: "GETCONFIG {ctl} AL" for arcconf's controller 2,
 * "/c{ctl} show all" for tw_cli's c8.  The number may sit inside a word
 * (tw_cli addresses a controller as "/c8"), so a word is copied with the
 * number in its place.  Nothing here logs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hwraid.h"

bool hwraid_command_per_ctl(const char *const words[HWRAID_MAX_ARGS])
{
	for (size_t a = 0; a + 1 < HWRAID_MAX_ARGS && words[a]; a++) {
		if (strstr(words[a], HWRAID_CTL))
			return true;
	}
	return false;
}

/* word with every HWRAID_CTL as num, into dst (cap bytes): its length, or -E2BIG. */
static int substitute(const char *word, const char *num, char *dst, size_t cap)
{
	const size_t k = strlen(HWRAID_CTL), m = strlen(num);
	size_t n = 0;

	for (const char *s = word; *s;) {
		bool here = strncmp(s, HWRAID_CTL, k) == 0;
		size_t add = here ? m : 1;

		if (n + add >= cap)
			return -E2BIG;
		memcpy(dst + n, here ? num : s, add);
		n += add;
		s += here ? k : 1;
	}
	dst[n] = '\0';
	return (int)n;
}

int hwraid_argv_make(struct hwraid_argv *a, const char *tool,
		     const char *const words[HWRAID_MAX_ARGS], int ctl)
{
	char num[16];
	size_t used = 0, w = 0;

	snprintf(num, sizeof(num), "%d", ctl);
	a->argv[0] = tool;
	for (; w + 1 < HWRAID_MAX_ARGS && words[w]; w++) {
		int n;

		if (!strstr(words[w], HWRAID_CTL)) {
			a->argv[w + 1] = words[w];
			continue;
		}
		if (ctl < 0)
			return -EINVAL;
		n = substitute(words[w], num, a->text + used, sizeof(a->text) - used);
		if (n < 0)
			return n;
		a->argv[w + 1] = a->text + used;
		used += (size_t)n + 1;
	}
	a->argv[w + 1] = NULL;
	return 0;
}
