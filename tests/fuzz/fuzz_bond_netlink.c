// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: bytes -> rtnetlink link message decoding of the bond
 * probe.  The kernel is trusted less than it deserves here on purpose: the
 * walk over nested, aligned lengths is where parsers of netlink go wrong.
 * Seeds: tests/fuzz/seeds/bond_netlink/ (messages as the kernel lays them out).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "../../plugins/bond/bond_netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool check(void *ctx, const struct bond_nl_link *l)
{
	(void)ctx;
	if (!memchr(l->name, 0, sizeof(l->name)))
		abort();
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* recvmsg() hands the parser an aligned buffer: do the same. */
	union {
		struct nlmsghdr nh;
		char b[65536];
	} u;

	if (size > sizeof(u.b))
		size = sizeof(u.b);
	memcpy(u.b, data, size);
	if (bond_nl_parse(u.b, size, check, NULL) > size / NLMSG_HDRLEN)
		abort();
	return 0;
}
