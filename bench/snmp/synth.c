/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe plugin for benchmarks: reports `groups` raid1-like groups of
 * `members` members each (options), all healthy, without reading anything.
 * Built by bench/snmp/run.sh into a plugin directory of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/plugin.h"

struct inst {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	unsigned long groups, members;
};

static const struct redmon_option_spec options[] = { { .key = "groups",
						       .type = REDMON_OPT_UINT,
						       .default_value = "1000",
						       .min = 1,
						       .max = 1000000,
						       .help = "how many groups to report" },
						     { .key = "members",
						       .type = REDMON_OPT_UINT,
						       .default_value = "2",
						       .min = 1,
						       .max = 64,
						       .help = "members per group" },
						     { 0 } };

static int init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct inst *i = calloc(1, sizeof(*i));

	if (!i)
		return -ENOMEM;
	i->ops = ops;
	i->h = h;
	i->groups = strtoul(ops->option(h, "groups"), NULL, 10);
	i->members = strtoul(ops->option(h, "members"), NULL, 10);
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
	struct redmon_member m[64];
	char names[64][16], name[32];

	for (unsigned long k = 0; k < i->members; k++) {
		snprintf(names[k], sizeof(names[k]), "disk%lu", k);
		m[k] = (struct redmon_member){ .name = names[k],
					       .role = REDMON_ROLE_ACTIVE,
					       .state = "in_sync" };
	}
	for (unsigned long g = 0; g < i->groups; g++) {
		struct redmon_group grp = {
			.name = name,
			.kind = "raid",
			.type = "raid1",
			.members_total = (int)i->members,
			.members_ok = (int)i->members,
			.margin = (int32_t)i->members - 1,
			.margin_nominal = (int32_t)i->members - 1,
			.progress = -1,
			.members = m,
			.n_members = i->members,
		};
		int rc;

		snprintf(name, sizeof(name), "array%06lu", g);
		rc = i->ops->report(i->h, &grp);
		if (rc < 0)
			return rc;
	}
	return 0;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.name = "synth",
	.description = "synthetic groups for benchmarks",
	.options = options,
	.init = init,
	.fini = fini,
	.scan = scan,
};
