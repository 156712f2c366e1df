// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink link notifications: see bond_netlink.h. */
#include "bond_netlink.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>

int bond_nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int group = RTNLGRP_LINK, fd, rcvbuf = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* A burst (a switch reboot flaps every port) must not overflow at once. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* A NUL-terminated string attribute of at most cap - 1 bytes, copied to buf ("" else). */
static void attr_string(const struct rtattr *rta, char *buf, size_t cap)
{
	size_t n = strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta));

	buf[0] = 0;
	if (n < RTA_PAYLOAD(rta) && n < cap)
		memcpy(buf, RTA_DATA(rta), n + 1);
}

static bool attr_is(const struct rtattr *rta, const char *lit)
{
	size_t n = strlen(lit);

	/* The kernel sends "bond\0"; accept the bytes with or without the NUL. */
	return (RTA_PAYLOAD(rta) == n ||
		(RTA_PAYLOAD(rta) == n + 1 && ((const char *)RTA_DATA(rta))[n] == 0)) &&
	       memcmp(RTA_DATA(rta), lit, n) == 0;
}

static void parse_linkinfo(const struct rtattr *nest, struct bond_nl_link *l)
{
	int len = (int)RTA_PAYLOAD(nest);
	const struct rtattr *rta;

	for (rta = RTA_DATA(nest); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_INFO_KIND && attr_is(rta, "bond"))
			l->is_bond = true;
		else if (rta->rta_type == IFLA_INFO_SLAVE_KIND && attr_is(rta, "bond"))
			l->is_bond_slave = true;
	}
}

static void parse_link(const struct nlmsghdr *nh, struct bond_nl_link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)IFLA_PAYLOAD(nh);
	const struct rtattr *rta;

	*l = (struct bond_nl_link){ .deleted = nh->nlmsg_type == RTM_DELLINK,
				    .ifindex = ifi->ifi_index };
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case IFLA_IFNAME:
			attr_string(rta, l->name, sizeof(l->name));
			break;
		case IFLA_MASTER:
			if (RTA_PAYLOAD(rta) >= sizeof(int))
				memcpy(&l->master, RTA_DATA(rta), sizeof(int));
			break;
		case IFLA_LINKINFO:
			parse_linkinfo(rta, l);
			break;
		}
	}
}

size_t bond_nl_parse(const void *buf, size_t len, bond_nl_fn fn, void *ctx)
{
	const struct nlmsghdr *nh;
	/*
	 * The macros of netlink(3) and rtnetlink(3) want a signed length: with
	 * an unsigned one, a last message or attribute whose aligned length
	 * passes the end would wrap it around instead of ending the walk.
	 */
	int left = len > INT_MAX ? INT_MAX : (int)len;
	size_t seen = 0;

	for (nh = buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
		struct bond_nl_link l;

		if ((nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK) ||
		    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
			continue;
		parse_link(nh, &l);
		seen++;
		if (fn && fn(ctx, &l))
			break;
	}
	return seen;
}

int bond_nl_drain(int fd, bond_nl_fn fn, void *ctx)
{
	/* Aligned for struct nlmsghdr; one page holds many link messages. */
	union {
		struct nlmsghdr nh;
		char b[32768];
	} u;
	int lost = 0;

	for (;;) {
		struct sockaddr_nl from;
		socklen_t from_len = sizeof(from);
		/* MSG_TRUNC: the length of the datagram, even when it did not fit. */
		ssize_t n = recvfrom(fd, u.b, sizeof(u.b), MSG_TRUNC, (struct sockaddr *)&from,
				     &from_len);

		if (n < 0 && (errno == EINTR || errno == ENOBUFS)) {
			lost |= errno == ENOBUFS; /* the receive buffer overflowed */
			continue;
		}
		if (n == 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
			return lost;
		if (n < 0)
			return -errno;
		/* Only the kernel (port 0) speaks for links; a truncated datagram is lost. */
		if (from_len != sizeof(from) || from.nl_pid != 0)
			continue;
		if ((size_t)n > sizeof(u.b))
			lost = 1;
		else
			bond_nl_parse(u.b, (size_t)n, fn, ctx);
	}
}
