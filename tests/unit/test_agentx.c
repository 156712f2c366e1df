/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AgentX codec of the walk requests (src/snmp/agentx_pdu.c) and the split
 * of the master's byte stream between us and net-snmp (src/snmp/agentx_stream.c),
 * on PDUs built here by RFC 2741 in both byte orders, over a real socket pair.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/snmp/agentx_pdu.h"
#include "../../src/snmp/agentx_stream.h"

#define PING 13

/* A PDU under construction, in either byte order. */
struct pdu {
	uint8_t b[1024];
	size_t len;
	bool net;
};

static void p32(struct pdu *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p->b[p->len++] = (uint8_t)(p->net ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void pbytes(struct pdu *p, const void *v, size_t n)
{
	memcpy(p->b + p->len, v, n);
	p->len += n;
}

static void pdu_begin(struct pdu *p, uint8_t type, uint8_t flags, uint32_t packet_id, bool net)
{
	uint8_t head[4] = { 1, type, (uint8_t)(flags | (net ? AGENTX_FLAG_NETWORK_BYTE_ORDER : 0)),
			    0 };

	p->len = 0;
	p->net = net;
	pbytes(p, head, 4);
	p32(p, 7);	   /* session */
	p32(p, 9);	   /* transaction */
	p32(p, packet_id); /* packet */
	p32(p, 0);	   /* payload length, set by pdu_end() */
}

/* An OID of n subids, with a prefix byte (0: none) and the include flag. */
static void pdu_oid(struct pdu *p, uint8_t prefix, bool include, const uint32_t *sub, size_t n)
{
	uint8_t head[4] = { (uint8_t)n, prefix, include, 0 };

	pbytes(p, head, 4);
	for (size_t i = 0; i < n; i++)
		p32(p, sub[i]);
}

static void pdu_end(struct pdu *p)
{
	size_t save = p->len;

	p->len = 16;
	p32(p, (uint32_t)(save - AGENTX_HEADER_LEN));
	p->len = save;
}

static const uint32_t mib[] = { 4, 1, 8072, 9999, 9999, 7336, 1, 2, 1, 2, 5 };

/* GetNext from 1.3.6.1.<mib> (included), no end: what snmpd sends in a walk. */
static void getnext(struct pdu *p, uint32_t packet_id, bool net)
{
	pdu_begin(p, AGENTX_GETNEXT, 0, packet_id, net);
	pdu_oid(p, 4, true, mib + 1, sizeof(mib) / sizeof(mib[0]) - 1);
	pdu_oid(p, 0, false, NULL, 0);
	pdu_end(p);
}

static void test_parses_both_byte_orders(void **state)
{
	(void)state;
	for (int net = 0; net <= 1; net++) {
		struct agentx_header h;
		struct agentx_reader r;
		struct agentx_range range;
		struct pdu p;

		getnext(&p, 0x01020304, net);
		assert_int_equal(agentx_pdu_len(p.b, p.len, &h), p.len);
		assert_int_equal(h.type, AGENTX_GETNEXT);
		assert_int_equal(h.session_id, 7);
		assert_int_equal(h.transaction_id, 9);
		assert_int_equal(h.packet_id, 0x01020304);
		assert_true(agentx_is_walk_request(&h));
		agentx_reader_init(&r, &h, p.b + AGENTX_HEADER_LEN);
		assert_int_equal(agentx_next_range(&r, &range), 1);
		/* 1.3.6.1 + prefix 4 + the rest */
		assert_int_equal(range.start.len, 15);
		assert_int_equal(range.start.sub[0], 1);
		assert_int_equal(range.start.sub[3], 1);
		assert_int_equal(range.start.sub[4], 4);
		assert_int_equal(range.start.sub[6], 8072);
		assert_int_equal(range.start.sub[14], 5);
		assert_true(range.start.include);
		assert_int_equal(range.end.len, 0);
		assert_int_equal(agentx_next_range(&r, &range), 0);
	}
}

static void test_short_header_waits(void **state)
{
	struct agentx_header h;
	struct pdu p;

	(void)state;
	getnext(&p, 1, false);
	assert_int_equal(agentx_pdu_len(p.b, AGENTX_HEADER_LEN - 1, &h), 0);
	/* A whole header says how long the PDU is, even before the rest is there. */
	assert_int_equal(agentx_pdu_len(p.b, AGENTX_HEADER_LEN, &h), p.len);
}

static void test_not_walk_requests(void **state)
{
	struct agentx_header h;
	struct pdu p;

	(void)state;
	pdu_begin(&p, PING, 0, 1, false);
	pdu_end(&p);
	agentx_pdu_len(p.b, p.len, &h);
	assert_false(agentx_is_walk_request(&h));
	/* A non-default context: net-snmp answers (with its error). */
	pdu_begin(&p, AGENTX_GET, AGENTX_FLAG_NON_DEFAULT_CONTEXT, 1, true);
	pdu_end(&p);
	agentx_pdu_len(p.b, p.len, &h);
	assert_false(agentx_is_walk_request(&h));
	/* Another version, an unaligned payload, one too long. */
	getnext(&p, 1, true);
	p.b[0] = 2;
	agentx_pdu_len(p.b, p.len, &h);
	assert_false(agentx_is_walk_request(&h));
	getnext(&p, 1, true);
	agentx_pdu_len(p.b, p.len, &h);
	h.payload_len = 6;
	assert_false(agentx_is_walk_request(&h));
	h.payload_len = AGENTX_PDU_MAX;
	assert_false(agentx_is_walk_request(&h));
}

/* The first range of the GetNext in p, as agentx_next_range() reads it: 1, 0 or -1. */
static int first_range(const struct pdu *p, struct agentx_range *range)
{
	struct agentx_header h;
	struct agentx_reader r;

	agentx_pdu_len(p->b, p->len, &h);
	agentx_reader_init(&r, &h, p->b + AGENTX_HEADER_LEN);
	return agentx_next_range(&r, range);
}

/* A GetNext whose start is 1.3.6.1.4 and n more subids (all 0), with an empty end. */
static void getnext_long(struct pdu *p, size_t n)
{
	static const uint32_t zeros[AGENTX_OID_MAX];

	pdu_begin(p, AGENTX_GETNEXT, 0, 1, true);
	pdu_oid(p, 4, false, zeros, n);
	pdu_oid(p, 0, false, NULL, 0);
	pdu_end(p);
}

static void test_malformed_ranges(void **state)
{
	struct agentx_range range;
	struct pdu p;

	(void)state;
	/* 1.3.6.1.4 and 124 more subids: 129, one over the limit. */
	getnext_long(&p, AGENTX_OID_MAX - 4);
	assert_int_equal(first_range(&p, &range), -1);
	/* Exactly the limit parses. */
	getnext_long(&p, AGENTX_OID_MAX - 5);
	assert_int_equal(first_range(&p, &range), 1);
	assert_int_equal(range.start.len, AGENTX_OID_MAX);
	/* include is 0 or 1. */
	getnext(&p, 1, true);
	p.b[AGENTX_HEADER_LEN + 2] = 2;
	assert_int_equal(first_range(&p, &range), -1);
	/* An OID that says it has more subids than the payload holds. */
	getnext(&p, 1, true);
	p.b[AGENTX_HEADER_LEN] = 40;
	assert_int_equal(first_range(&p, &range), -1);
	/* A start without its end. */
	pdu_begin(&p, AGENTX_GETNEXT, 0, 1, true);
	pdu_oid(&p, 4, false, mib + 1, 3);
	pdu_end(&p);
	assert_int_equal(first_range(&p, &range), -1);
}

static void test_response_bytes(void **state)
{
	static const uint8_t want[] = {
		1, 18, 0x10, 0, 0, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 42, /* header */
		0, 0, 0, 100,					     /* payload length */
		0, 0, 0x30, 0x39,				     /* sysUpTime 12345 */
		0, 0, 0, 0,					     /* noError, index 0 */
		/* INTEGER -2 at 1.3.6.1.4.1.2 (prefix 4) */
		0, 2, 0, 0, 2, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe,
		/* OCTET STRING "abcde" at 1.2 (no prefix): padded to 8 */
		0, 4, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e',
		0, 0, 0,
		/* Counter64 at 1.3.6.1.300 (300 does not fit the prefix byte) */
		0, 70, 0, 0, 5, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 1,
		44, 0, 0, 0, 1, 0, 0, 0, 2,
		/* endOfMibView at the null OID */
		0, 130, 0, 0, 0, 0, 0, 0
	};
	struct agentx_header h = { .session_id = 7, .transaction_id = 9, .packet_id = 42 };
	struct agentx_out o = { 0 };
	struct agentx_oid a = { .sub = { 1, 3, 6, 1, 4, 1, 2 }, .len = 7 };
	struct agentx_oid b = { .sub = { 1, 2 }, .len = 2 };
	struct agentx_oid c = { .sub = { 1, 3, 6, 1, 300 }, .len = 5 };
	struct agentx_oid null = { .len = 0 };
	struct agentx_value v = { .type = AGENTX_INTEGER, .num = (uint64_t)-2 };

	(void)state;
	agentx_response_begin(&o, &h, 12345);
	agentx_put_varbind(&o, &a, &v);
	v = (struct agentx_value){ .type = AGENTX_OCTETS, .bytes = "abcde", .len = 5 };
	agentx_put_varbind(&o, &b, &v);
	v = (struct agentx_value){ .type = AGENTX_COUNTER64, .num = (1ull << 32) | 2 };
	agentx_put_varbind(&o, &c, &v);
	v = (struct agentx_value){ .type = AGENTX_END_OF_MIB_VIEW };
	agentx_put_varbind(&o, &null, &v);
	assert_true(agentx_response_end(&o));
	assert_int_equal(o.b.len, sizeof(want));
	assert_memory_equal(o.b.p, want, sizeof(want));
	/* A type the encoder does not know: no response at all. */
	agentx_response_begin(&o, &h, 0);
	v = (struct agentx_value){ .type = (enum agentx_vtype)99 };
	agentx_put_varbind(&o, &a, &v);
	assert_false(agentx_response_end(&o));
	strbuf_free(&o.b);
}

/* --- the stream ----------------------------------------------------------- */

struct answered {
	uint32_t ids[8];
	size_t n;
	bool decline;
};

static bool record(void *ctx, const struct agentx_header *h, const uint8_t *payload)
{
	struct answered *a = ctx;

	(void)payload;
	if (a->decline)
		return false;
	assert_true(a->n < 8);
	a->ids[a->n++] = h->packet_id;
	return true;
}

/* A socket pair; what is written to sv[0] is read from sv[1]. */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void test_stream_splits_byte_by_byte(void **state)
{
	struct agentx_stream st = { 0 };
	struct answered a = { 0 };
	struct pdu seq[4]; /* a walk request, a Ping, a Get in another context, a walk request */
	struct pdu *ping = &seq[1], *ctx_get = &seq[2];
	uint8_t all[4096], give[4096];
	size_t n = 0, got = 0;
	int sv[2];

	(void)state;
	pair(sv);
	getnext(&seq[0], 1, false);
	pdu_begin(ping, PING, 0, 2, false);
	pdu_end(ping);
	pdu_begin(ctx_get, AGENTX_GET, AGENTX_FLAG_NON_DEFAULT_CONTEXT, 3, true);
	p32(ctx_get, 3);
	pbytes(ctx_get, "pub\0", 4);
	pdu_end(ctx_get);
	getnext(&seq[3], 4, true);
	for (size_t i = 0; i < 4; i++) {
		memcpy(all + n, seq[i].b, seq[i].len);
		n += seq[i].len;
	}
	/* One byte at a time: every boundary falls inside a header or a payload once. */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(write(sv[0], all + i, 1), 1);
		assert_int_equal(agentx_stream_read(&st, sv[1], 64), 1);
		assert_int_equal(agentx_stream_split(&st, record, &a), 0);
		got += agentx_stream_take(&st, give + got, sizeof(give) - got);
	}
	assert_int_equal(a.n, 2);
	assert_int_equal(a.ids[0], 1);
	assert_int_equal(a.ids[1], 4);
	/* net-snmp gets the Ping and the Get in another context, whole, in order. */
	assert_int_equal(got, ping->len + ctx_get->len);
	assert_memory_equal(give, ping->b, ping->len);
	assert_memory_equal(give + ping->len, ctx_get->b, ctx_get->len);
	assert_int_equal(st.rx.len, 0);
	assert_int_equal(agentx_stream_read(&st, sv[1], 64), -EAGAIN);
	close(sv[0]);
	assert_int_equal(agentx_stream_read(&st, sv[1], 64), 0); /* the end */
	close(sv[1]);
	agentx_stream_free(&st);
}

static void test_declined_request_is_net_snmps(void **state)
{
	struct agentx_stream st = { 0 };
	struct answered a = { .decline = true };
	struct pdu walk;
	uint8_t give[256];
	int sv[2];

	(void)state;
	pair(sv);
	getnext(&walk, 1, false);
	assert_int_equal(write(sv[0], walk.b, walk.len), (ssize_t)walk.len);
	assert_int_equal(agentx_stream_read(&st, sv[1], 4096), (ssize_t)walk.len);
	assert_int_equal(agentx_stream_split(&st, record, &a), 0);
	assert_int_equal(a.n, 0);
	/* Taken in two pieces, as a small receive buffer would. */
	assert_int_equal(agentx_stream_take(&st, give, 10), 10);
	assert_int_equal(agentx_stream_take(&st, give + 10, sizeof(give) - 10), walk.len - 10);
	assert_memory_equal(give, walk.b, walk.len);
	assert_int_equal(agentx_stream_take(&st, give, sizeof(give)), 0);
	close(sv[0]);
	close(sv[1]);
	agentx_stream_free(&st);
}

static void test_long_foreign_pdu_passes_through(void **state)
{
	struct agentx_stream st = { 0 };
	struct answered a = { 0 };
	struct pdu big, walk;
	uint8_t give[2048];
	size_t got = 0;
	int sv[2];

	(void)state;
	pair(sv);
	/* A Ping claiming a payload longer than any walk request we would wait for. */
	pdu_begin(&big, PING, 0, 5, false);
	memset(big.b + big.len, 0xab, 800);
	big.len += 800;
	pdu_end(&big);
	getnext(&walk, 6, false);
	/* net-snmp gets the Ping's bytes as they come, before it is whole. */
	assert_int_equal(write(sv[0], big.b, 300), 300);
	assert_int_equal(agentx_stream_read(&st, sv[1], 4096), 300);
	assert_int_equal(agentx_stream_split(&st, record, &a), 0);
	got += agentx_stream_take(&st, give, sizeof(give));
	assert_int_equal(got, 300);
	assert_int_equal(write(sv[0], big.b + 300, big.len - 300), (ssize_t)(big.len - 300));
	assert_int_equal(write(sv[0], walk.b, walk.len), (ssize_t)walk.len);
	assert_true(agentx_stream_read(&st, sv[1], 4096) > 0);
	assert_int_equal(agentx_stream_split(&st, record, &a), 0);
	got += agentx_stream_take(&st, give + got, sizeof(give) - got);
	assert_int_equal(got, big.len);
	assert_memory_equal(give, big.b, big.len);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.ids[0], 6);
	agentx_stream_reset(&st);
	assert_int_equal(st.owed, 0);
	close(sv[0]);
	close(sv[1]);
	agentx_stream_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_both_byte_orders),
		cmocka_unit_test(test_short_header_waits),
		cmocka_unit_test(test_not_walk_requests),
		cmocka_unit_test(test_malformed_ranges),
		cmocka_unit_test(test_response_bytes),
		cmocka_unit_test(test_stream_splits_byte_by_byte),
		cmocka_unit_test(test_declined_request_is_net_snmps),
		cmocka_unit_test(test_long_foreign_pdu_passes_through),
	};

	return cmocka_run_group_tests_name("agentx", tests, NULL, NULL);
}
