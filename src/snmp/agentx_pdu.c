/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AgentX Get, GetNext and Response (agentx_pdu.h; RFC 2741 sections 5 and 6). */
#include "agentx_pdu.h"

#include <string.h>

#define AGENTX_VERSION 1
/* 1.3.6.1: what an OID's prefix byte stands for before its value (RFC 2741 5.1). */
static const unsigned long internet[] = { 1, 3, 6, 1 };

static uint32_t get32(const uint8_t *p, bool net_order)
{
	if (net_order)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

size_t agentx_pdu_len(const uint8_t *buf, size_t len, struct agentx_header *h)
{
	bool net;

	if (len < AGENTX_HEADER_LEN)
		return 0;
	h->version = buf[0];
	h->type = buf[1];
	h->flags = buf[2];
	net = h->flags & AGENTX_FLAG_NETWORK_BYTE_ORDER;
	h->session_id = get32(buf + 4, net);
	h->transaction_id = get32(buf + 8, net);
	h->packet_id = get32(buf + 12, net);
	h->payload_len = get32(buf + 16, net);
	return AGENTX_HEADER_LEN + (size_t)h->payload_len;
}

bool agentx_is_walk_request(const struct agentx_header *h)
{
	return h->version == AGENTX_VERSION &&
	       (h->type == AGENTX_GET || h->type == AGENTX_GETNEXT) &&
	       !(h->flags & AGENTX_FLAG_NON_DEFAULT_CONTEXT) && h->payload_len % 4 == 0 &&
	       h->payload_len <= AGENTX_PDU_MAX - AGENTX_HEADER_LEN;
}

void agentx_reader_init(struct agentx_reader *r, const struct agentx_header *h,
			const uint8_t *payload)
{
	r->p = payload;
	r->end = payload + h->payload_len;
	r->net_order = h->flags & AGENTX_FLAG_NETWORK_BYTE_ORDER;
}

/* One OID (RFC 2741 5.1): 0, or -1 if malformed or longer than AGENTX_OID_MAX. */
static int read_oid(struct agentx_reader *r, struct agentx_oid *o)
{
	size_t n, prefix;

	if (r->end - r->p < 4)
		return -1;
	n = r->p[0];
	prefix = r->p[1];
	if (r->p[2] > 1)
		return -1;
	o->include = r->p[2];
	r->p += 4;
	if ((size_t)(r->end - r->p) / 4 < n || n + (prefix ? 5 : 0) > AGENTX_OID_MAX)
		return -1;
	o->len = 0;
	if (prefix) {
		memcpy(o->sub, internet, sizeof(internet));
		o->sub[4] = prefix;
		o->len = 5;
	}
	for (size_t i = 0; i < n; i++, r->p += 4)
		o->sub[o->len++] = get32(r->p, r->net_order);
	return 0;
}

int agentx_next_range(struct agentx_reader *r, struct agentx_range *out)
{
	if (r->p == r->end)
		return 0;
	if (read_oid(r, &out->start) < 0 || read_oid(r, &out->end) < 0)
		return -1;
	return 1;
}

/* --- the response --------------------------------------------------------- */

static void put_bytes(struct agentx_out *o, const void *p, size_t n)
{
	/* No answer of ours is this long; a request asking for one gets none. */
	if (o->failed || o->b.len + n > AGENTX_PDU_MAX * 16 || strbuf_add(&o->b, p, n) < 0)
		o->failed = true;
}

static void put32(struct agentx_out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(o, b, sizeof(b));
}

/* An OID, with the 1.3.6.1.x prefix folded into its prefix byte where it fits. */
static void put_oid(struct agentx_out *o, const struct agentx_oid *id)
{
	size_t skip = 0;
	uint8_t head[4] = { 0 };

	if (id->len >= 5 && memcmp(id->sub, internet, sizeof(internet)) == 0 && id->sub[4] > 0 &&
	    id->sub[4] <= 255) {
		head[1] = (uint8_t)id->sub[4];
		skip = 5;
	}
	if (id->len - skip > 255) {
		o->failed = true;
		return;
	}
	head[0] = (uint8_t)(id->len - skip);
	put_bytes(o, head, sizeof(head));
	for (size_t i = skip; i < id->len; i++) {
		if (id->sub[i] > UINT32_MAX)
			o->failed = true;
		put32(o, (uint32_t)id->sub[i]);
	}
}

void agentx_response_begin(struct agentx_out *o, const struct agentx_header *h, uint32_t uptime)
{
	uint8_t head[4] = { AGENTX_VERSION, AGENTX_RESPONSE, AGENTX_FLAG_NETWORK_BYTE_ORDER, 0 };

	o->b.len = 0;
	o->failed = false;
	put_bytes(o, head, sizeof(head));
	put32(o, h->session_id);
	put32(o, h->transaction_id);
	put32(o, h->packet_id);
	put32(o, 0); /* the payload's length: agentx_response_end() */
	put32(o, uptime);
	put32(o, 0); /* res.error noError, res.index 0 */
}

void agentx_put_varbind(struct agentx_out *o, const struct agentx_oid *name,
			const struct agentx_value *v)
{
	static const uint8_t zeros[3];

	put32(o, (uint32_t)v->type << 16); /* v.type, then 2 reserved bytes */
	put_oid(o, name);
	switch (v->type) {
	case AGENTX_INTEGER:
	case AGENTX_COUNTER32:
	case AGENTX_GAUGE32:
	case AGENTX_TIMETICKS:
		put32(o, (uint32_t)v->num);
		break;
	case AGENTX_COUNTER64:
		put32(o, (uint32_t)(v->num >> 32));
		put32(o, (uint32_t)v->num);
		break;
	case AGENTX_OCTETS:
		if (v->len > UINT32_MAX) {
			o->failed = true;
			return;
		}
		put32(o, (uint32_t)v->len);
		put_bytes(o, v->bytes, v->len);
		put_bytes(o, zeros, (4 - v->len % 4) % 4);
		break;
	case AGENTX_NULL:
	case AGENTX_NO_SUCH_OBJECT:
	case AGENTX_NO_SUCH_INSTANCE:
	case AGENTX_END_OF_MIB_VIEW:
		break;
	default: /* a type this encoder does not know: no answer rather than a wrong one */
		o->failed = true;
	}
}

bool agentx_response_end(struct agentx_out *o)
{
	uint32_t n;

	if (o->failed || o->b.len < AGENTX_HEADER_LEN)
		return false;
	n = (uint32_t)(o->b.len - AGENTX_HEADER_LEN);
	o->b.p[16] = (char)(n >> 24);
	o->b.p[17] = (char)(n >> 16);
	o->b.p[18] = (char)(n >> 8);
	o->b.p[19] = (char)n;
	return true;
}
