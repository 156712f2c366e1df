/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink link notifications (RTNLGRP_LINK) for the bond probe: an
 * RTM_NEWLINK on every link change of a device (carrier, operstate, flags,
 * enslave/release: rtmsg_ifinfo() in net/core/rtnetlink.c), an RTM_DELLINK
 * when one goes away; so a slave's carrier loss is seen well before the
 * bond's own MII monitor reports it.  bond_nl_parse() is pure (tested and
 * fuzzed); bond_nl_drain() reads the socket.  Nothing logs.
 */
#ifndef REDMON_BOND_NETLINK_H
#define REDMON_BOND_NETLINK_H

#include "bond_info.h"

/* One link message, as far as the bond probe cares. */
struct bond_nl_link {
	bool deleted; /* RTM_DELLINK */
	int ifindex;
	char name[BOND_IFNAME_MAX + 1]; /* IFLA_IFNAME, "" when absent or malformed */
	int master;			/* IFLA_MASTER, 0 when none */
	bool is_bond;			/* IFLA_LINKINFO/IFLA_INFO_KIND "bond" */
	bool is_bond_slave;		/* IFLA_LINKINFO/IFLA_INFO_SLAVE_KIND "bond" */
};

/* Called once per link message; return true to stop early. */
typedef bool (*bond_nl_fn)(void *ctx, const struct bond_nl_link *l);

/* A non-blocking, close-on-exec NETLINK_ROUTE socket in RTNLGRP_LINK: the fd or -errno. */
int bond_nl_open(void);

/*
 * Decode len bytes of netlink messages at buf (4-byte aligned), calling fn
 * for each RTM_NEWLINK / RTM_DELLINK.  Malformed messages and attributes are
 * skipped.  Returns the number of link messages seen.
 */
size_t bond_nl_parse(const void *buf, size_t len, bond_nl_fn fn, void *ctx);

/*
 * Read every pending datagram of fd and parse it.  Returns 0 when the
 * socket is drained, 1 when messages were lost (ENOBUFS: the receive buffer
 * overflowed, so the caller must rescan), or -errno.
 */
int bond_nl_drain(int fd, bond_nl_fn fn, void *ctx);

#endif /* REDMON_BOND_NETLINK_H */
