/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe that hangs, for tests/integration/test_faults_daemon.py: it reports
 * one healthy raid1 group "hang:h0"; while the file ROOT/hang exists, scan()
 * does not return (for up to an hour), as a probe stuck on a dead bus or a
 * vendor CLI would; once the file is gone it answers again.  Built by the test itself (cc -shared), never installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "redmon/plugin.h"

struct inst {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
};

static const struct redmon_option_spec options[] = { { 0 } };

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
	struct redmon_member m[2] = { { .name = "d0", .role = REDMON_ROLE_ACTIVE },
				      { .name = "d1", .role = REDMON_ROLE_ACTIVE } };
	struct redmon_group g = { .name = "h0",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 2,
				  .margin = 1,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = m,
				  .n_members = 2 };

	for (int n = 0; n < 3600 * 20 && faccessat(i->ops->root_fd(i->h), "hang", F_OK, 0) == 0;
	     n++)
		usleep(50 * 1000);
	return i->ops->report(i->h, &g);
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "hang",
	.description = "test probe that hangs in scan() while ROOT/hang exists",
	.options = options,
	.init = init,
	.fini = fini,
	.scan = scan,
};
