/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers of the hwraid driver tests (tests/unit/test_hwraid_*.c): read a
 * corpus capture, parse texts with a driver, turn a logical drive into a
 * group, find a logical drive by name.  Include after cmocka_all.h; a test
 * whose drives have fewer members may define HWRAID_TEST_MEMBERS first.
 */
#ifndef REDMON_TESTS_HWRAID_TEST_H
#define REDMON_TESTS_HWRAID_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"

/* The most members a logical drive given to eval() may have. */
#ifndef HWRAID_TEST_MEMBERS
#define HWRAID_TEST_MEMBERS 64
#endif

/* The file at path (from the top of the tree), NUL-terminated; its length in *len. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	*len = n;
	return buf;
}

/*
 * The texts (NULL-terminated) through drv as its outputs, named names[i]
 * ("t" when names is NULL): the first the main one, or every one if all_main.
 */
static inline int hwraid_test_parse(const struct hwraid_driver *drv, struct hwraid_result *r,
				    const char *const *names, const char *const *texts,
				    bool all_main, char *err, size_t len)
{
	struct hwraid_output o[8];
	size_t n = 0;

	for (; texts[n]; n++)
		o[n] = (struct hwraid_output){ .name = names ? names[n] : "t",
					       .buf = texts[n],
					       .len = strlen(texts[n]),
					       .main = all_main || n == 0 };
	*r = (struct hwraid_result){ 0 };
	err[0] = '\0';
	return drv->parse(o, n, r, err, len);
}

/* A logical drive as the group it makes, with its members and reason. */
struct eval {
	struct redmon_group g;
	struct redmon_member mem[HWRAID_TEST_MEMBERS];
	char reason[1024];
};

static inline void eval(const struct hwraid_ld *ld, struct eval *e)
{
	assert_true(ld->n_pd <= HWRAID_TEST_MEMBERS);
	hwraid_ld_eval(ld, &e->g, e->mem, e->reason, sizeof(e->reason));
}

/* The logical drive of r named name (the test fails without one). */
static inline const struct hwraid_ld *find(const struct hwraid_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_ld; i++) {
		if (strcmp(r->ld[i].name, name) == 0)
			return &r->ld[i];
	}
	fail_msg("no logical drive %s", name);
	return NULL;
}

#endif
