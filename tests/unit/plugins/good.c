/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal valid plugin for loader tests: one raid1 group of two members and
 * one disk, or a failure on demand.  With -DTEST_OLD_LAYOUT it is built as a
 * plugin of ABI 1's first layout: members without risk, groups without spof
 * or scrub, a descriptor that ends before member_size, no report_disk.
 */
#include <errno.h>
#include <stdint.h>
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

#ifdef TEST_OLD_LAYOUT
/* struct redmon_member as ABI 1 first laid it out. */
struct member_v1 {
	const char *name;
	enum redmon_role role;
	const char *state, *device, *serial, *location, *reason;
};
_Static_assert(sizeof(struct member_v1) == REDMON_MEMBER_SIZE_V1, "the first layout");
static const struct member_v1 members[] = {
	{ .name = "d0", .role = REDMON_ROLE_ACTIVE, .device = "/dev/sda1" },
	{ .name = "d1", .role = REDMON_ROLE_FAILED, .device = "/dev/sdb1" },
};

static int report_disk(struct inst *i)
{
	(void)i;
	return 0;
}
#else
static const struct redmon_member members[] = {
	{ .name = "d0", .role = REDMON_ROLE_ACTIVE, .device = "/dev/sda1" },
	{ .name = "d1",
	  .role = REDMON_ROLE_FAILED,
	  .device = "/dev/sdb1",
	  .risk = REDMON_RISK_WARNING },
};

static int report_disk(struct inst *i)
{
	const struct redmon_disk d = { .device = "/dev/sdb",
				       .health = REDMON_RISK_WARNING,
				       .reason = "3 reallocated sectors",
				       .model = "TEST DISK",
				       .serial = "S1" };

	if (!REDMON_HOST_HAS(i->ops, report_disk))
		return 0;
	return i->ops->report_disk(i->h, &d, sizeof(d));
}
#endif

static int scan(void *inst)
{
	struct inst *i = inst;
	struct redmon_group g = { .name = "g0",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 1,
				  .margin = 0,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = (const struct redmon_member *)members,
				  .n_members = 2 };
#ifdef TEST_OLD_LAYOUT
	/* Past the first layout's end: what a core must never read of this plugin. */
	g.spof = (const char *const *)(uintptr_t)1;
	g.n_spof = 9;
	g.scrub_found = (const char *)(uintptr_t)1;
#else
	static const char *const spof[] = { "d0 and d1 are partitions of one disk", NULL };

	g.spof = spof;
	g.n_spof = 2; /* a NULL reason is skipped */
	g.scrub_time = 1700000000;
	g.scrub_found = "12 mismatches";
#endif
	int rc;

	if (strcmp(i->ops->option(i->h, "fail"), "yes") == 0) {
		i->ops->scan_error(i->h, "asked to fail");
		return -EIO;
	}
	rc = report_disk(i);
	return rc < 0 ? rc : i->ops->report(i->h, &g);
}

#ifndef TEST_ABI
#define TEST_ABI REDMON_ABI_VERSION
#endif
#ifndef TEST_SIZE
#ifdef TEST_OLD_LAYOUT
#define TEST_SIZE offsetof(struct redmon_plugin, member_size)
#else
#define TEST_SIZE sizeof(struct redmon_plugin)
#endif
#endif
#ifndef TEST_MEMBER_SIZE
#ifdef TEST_OLD_LAYOUT
#define TEST_MEMBER_SIZE 7 /* beyond size: the core must not read it */
#else
#define TEST_MEMBER_SIZE sizeof(struct redmon_member)
#endif
#endif
#ifndef TEST_GROUP_SIZE
#ifdef TEST_OLD_LAYOUT
#define TEST_GROUP_SIZE 7 /* beyond size: the core must not read it */
#else
#define TEST_GROUP_SIZE sizeof(struct redmon_group)
#endif
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
	.member_size = TEST_MEMBER_SIZE,
	.group_size = TEST_GROUP_SIZE,
};
