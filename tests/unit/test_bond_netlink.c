// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the rtnetlink decoding of the bond probe
 * (plugins/bond/bond_netlink.c), on messages built here the way
 * rtnl_fill_ifinfo() in net/core/rtnetlink.c lays them out, plus malformed
 * ones.  The socket itself is exercised by tests/integration/test_daemon_bond.py
 * with veth pairs in a private network namespace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "../../plugins/bond/bond_netlink.h"

/* A buffer of messages under construction. */
struct msgbuf {
	union {
		struct nlmsghdr align;
		char b[4096];
	} u;
	size_t len;
	struct nlmsghdr *cur;
};

static void msg_start(struct msgbuf *m, uint16_t type, int ifindex)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(m->u.b + m->len);
	struct ifinfomsg *ifi;

	memset(nh, 0, NLMSG_SPACE(sizeof(*ifi)));
	nh->nlmsg_type = type;
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	ifi = NLMSG_DATA(nh);
	ifi->ifi_index = ifindex;
	m->cur = nh;
}

static struct rtattr *attr_add(struct msgbuf *m, uint16_t type, const void *data, size_t n)
{
	struct rtattr *rta = (struct rtattr *)((char *)m->cur + NLMSG_ALIGN(m->cur->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (uint16_t)RTA_LENGTH(n);
	if (n)
		memcpy(RTA_DATA(rta), data, n);
	m->cur->nlmsg_len = NLMSG_ALIGN(m->cur->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

/* IFLA_LINKINFO { kind_type: "bond" } */
static void linkinfo(struct msgbuf *m, uint16_t kind_type)
{
	struct rtattr *nest = attr_add(m, IFLA_LINKINFO, NULL, 0);
	struct rtattr *kind = (struct rtattr *)((char *)nest + RTA_ALIGN(nest->rta_len));

	kind->rta_type = kind_type;
	kind->rta_len = RTA_LENGTH(5);
	memcpy(RTA_DATA(kind), "bond", 5);
	nest->rta_len = (uint16_t)(nest->rta_len + RTA_ALIGN(kind->rta_len));
	m->cur->nlmsg_len += RTA_ALIGN(kind->rta_len);
}

static void msg_end(struct msgbuf *m)
{
	m->len += NLMSG_ALIGN(m->cur->nlmsg_len);
}

struct seen {
	struct bond_nl_link v[8];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static bool record(void *ctx, const struct bond_nl_link *l)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->v[s->n++] = *l;
	return s->stop_after && s->n >= s->stop_after;
}

static void test_link_messages(void **state)
{
	struct msgbuf m = { .len = 0 };
	struct seen s = { .n = 0 };
	int master = 7;

	(void)state;
	/* A slave going down: name, master, slave kind. */
	msg_start(&m, RTM_NEWLINK, 3);
	attr_add(&m, IFLA_IFNAME, "eth1", 5);
	attr_add(&m, IFLA_MASTER, &master, sizeof(master));
	linkinfo(&m, IFLA_INFO_SLAVE_KIND);
	msg_end(&m);
	/* The bond itself. */
	msg_start(&m, RTM_NEWLINK, 7);
	attr_add(&m, IFLA_IFNAME, "bond0", 6);
	linkinfo(&m, IFLA_INFO_KIND);
	msg_end(&m);
	/* An address message: not ours. */
	msg_start(&m, RTM_NEWADDR, 3);
	msg_end(&m);
	/* A link going away. */
	msg_start(&m, RTM_DELLINK, 9);
	attr_add(&m, IFLA_IFNAME, "veth9", 6);
	msg_end(&m);

	assert_int_equal(bond_nl_parse(m.u.b, m.len, record, &s), 3);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].name, "eth1");
	assert_int_equal(s.v[0].ifindex, 3);
	assert_int_equal(s.v[0].master, 7);
	assert_true(s.v[0].is_bond_slave);
	assert_false(s.v[0].is_bond);
	assert_false(s.v[0].deleted);
	assert_string_equal(s.v[1].name, "bond0");
	assert_true(s.v[1].is_bond);
	assert_false(s.v[1].is_bond_slave);
	assert_string_equal(s.v[2].name, "veth9");
	assert_true(s.v[2].deleted);

	/* The callback can stop the walk. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(bond_nl_parse(m.u.b, m.len, record, &s), 1);
	assert_int_equal(bond_nl_parse(m.u.b, m.len, NULL, NULL), 3);
}

static void test_malformed(void **state)
{
	struct msgbuf m = { .len = 0 };
	struct seen s = { .n = 0 };
	struct nlmsghdr *nh;

	(void)state;
	/* Name without its NUL, name too long for an ifname, short IFLA_MASTER. */
	msg_start(&m, RTM_NEWLINK, 1);
	attr_add(&m, IFLA_IFNAME, "eth1", 4);
	attr_add(&m, IFLA_MASTER, "\x01", 1);
	msg_end(&m);
	msg_start(&m, RTM_NEWLINK, 2);
	attr_add(&m, IFLA_IFNAME, "0123456789abcdefXYZ", 20);
	msg_end(&m);
	/* An attribute claiming more than the message holds. */
	msg_start(&m, RTM_NEWLINK, 3);
	{
		struct rtattr *rta = attr_add(&m, IFLA_IFNAME, "x", 2);

		rta->rta_len = 200;
	}
	msg_end(&m);
	/* A message too short for its ifinfomsg. */
	nh = (struct nlmsghdr *)(m.u.b + m.len);
	memset(nh, 0, sizeof(*nh));
	nh->nlmsg_type = RTM_NEWLINK;
	nh->nlmsg_len = NLMSG_LENGTH(4);
	m.len += NLMSG_ALIGN(nh->nlmsg_len);
	assert_int_equal(bond_nl_parse(m.u.b, m.len, record, &s), 3);
	assert_string_equal(s.v[0].name, "");
	assert_int_equal(s.v[0].master, 0);
	assert_string_equal(s.v[1].name, "");
	assert_string_equal(s.v[2].name, "");

	/* A length field past the buffer ends the walk; so do cut buffers. */
	memset(&s, 0, sizeof(s));
	nh = (struct nlmsghdr *)m.u.b;
	nh->nlmsg_len = 100000;
	assert_int_equal(bond_nl_parse(m.u.b, m.len, record, &s), 0);
	for (size_t cut = 0; cut < 40; cut++)
		bond_nl_parse(m.u.b + 16, cut, record, &s);
	assert_int_equal(bond_nl_parse(m.u.b, 0, record, &s), 0);
}

/* An attribute whose aligned length passes the end must not wrap the walk. */
static void test_unaligned_tail(void **state)
{
	struct msgbuf m = { .len = 0 };
	struct seen s = { .n = 0 };

	(void)state;
	msg_start(&m, RTM_NEWLINK, 1);
	attr_add(&m, IFLA_IFNAME, "ab", 3); /* rta_len 7, aligned 8 */
	m.cur->nlmsg_len -= 1;		    /* the message ends at 7 */
	msg_end(&m);
	assert_int_equal(bond_nl_parse(m.u.b, m.len, record, &s), 1);
	assert_string_equal(s.v[0].name, "ab");
}

/* The socket opens and drains to "nothing pending" (needs no privilege). */
static void test_socket(void **state)
{
	struct seen s = { .n = 0 };
	int fd = bond_nl_open();

	(void)state;
	if (fd == -EPERM || fd == -EACCES || fd == -EAFNOSUPPORT)
		skip();
	assert_true(fd >= 0);
	assert_int_equal(bond_nl_drain(fd, record, &s), 0);
	close(fd);
	assert_int_equal(bond_nl_drain(-1, record, &s), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_messages),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unaligned_tail),
		cmocka_unit_test(test_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
