/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal valid plugin for loader tests: one raid1 group, or a failure on demand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/plugin.h"

struct inst {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
};

static const struct redmon_option_spec options[] = {
	{ .key = "fail", .type = REDMON_OPT_BOOL, .default_value = "no", .help = "fail scans" },
	{ 0 }
};

static int init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct inst *i = calloc(1, sizeof(*i));

	if (!i)
		return -ENOMEM;
	i->ops = ops;
	i->h = h;
	*ret = i;
	return 0;
}

static void fini(void *inst)
{
	free(inst);
}

static int scan(void *inst)
{
	struct inst *i = inst;
	struct redmon_member m = { .name = "d0", .role = REDMON_ROLE_ACTIVE };
	struct redmon_group g = { .name = "g0",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 1,
				  .margin = 0,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = &m,
				  .n_members = 1 };

	if (strcmp(i->ops->option(i->h, "fail"), "yes") == 0) {
		i->ops->scan_error(i->h, "asked to fail");
		return -EIO;
	}
	return i->ops->report(i->h, &g);
}

#ifndef TEST_ABI
#define TEST_ABI REDMON_ABI_VERSION
#endif
#ifndef TEST_SIZE
#define TEST_SIZE sizeof(struct redmon_plugin)
#endif
#ifndef TEST_NAME
#define TEST_NAME "good"
#endif
#ifndef TEST_SYMBOL
#define TEST_SYMBOL redmon_plugin
#endif

const struct redmon_plugin TEST_SYMBOL = {
	.abi_version = TEST_ABI,
	.size = TEST_SIZE,
	.name = TEST_NAME,
	.description = "loader test plugin",
	.options = options,
	.init = init,
	.fini = fini,
	.scan = scan,
};
