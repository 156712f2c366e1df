/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> the AgentX master's stream, in pieces -> the
 * split between our walk requests and net-snmp (src/snmp/agentx_stream.c),
 * each request parsed and answered (src/snmp/agentx_pdu.c).
 *
 * The first byte sets the size of the pieces.  Besides memory errors it
 * checks that no byte is lost or made up (answered + net-snmp's + not yet
 * split = all), that net-snmp's bytes come out in stream order, and that a
 * response's length field says its length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/snmp/agentx_pdu.h"
#include "../../src/snmp/agentx_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t answered_bytes;

static bool answer(void *ctx, const struct agentx_header *h, const uint8_t *payload)
{
	struct agentx_out *o = ctx;
	struct agentx_reader r;
	struct agentx_range range;
	int rc;

	if (!agentx_is_walk_request(h))
		abort(); /* the split hands over nothing else */
	agentx_reader_init(&r, h, payload);
	agentx_response_begin(o, h, 1);
	while ((rc = agentx_next_range(&r, &range)) > 0) {
		struct agentx_value v = { .type = AGENTX_OCTETS,
					  .bytes = payload,
					  .len = range.end.len };

		if (range.start.len > AGENTX_OID_MAX || range.end.len > AGENTX_OID_MAX)
			abort();
		agentx_put_varbind(o, &range.start, &v);
	}
	if (rc < 0 || (h->packet_id & 1)) /* malformed, or declined as a callback may */
		return false;
	if (agentx_response_end(o)) {
		struct agentx_header back;

		if (agentx_pdu_len((const uint8_t *)o->b.p, o->b.len, &back) != o->b.len ||
		    o->b.len % 4 || back.packet_id != h->packet_id || back.type != AGENTX_RESPONSE)
			abort();
	}
	answered_bytes += AGENTX_HEADER_LEN + h->payload_len;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agentx_stream st = { 0 };
	struct agentx_out out = { 0 };
	uint8_t *given = malloc(size + 1);
	size_t piece, got = 0;

	if (!given || size < 1) {
		free(given);
		return 0;
	}
	piece = data[0] % 64 + 1;
	data++;
	size--;
	answered_bytes = 0;
	for (size_t pos = 0; pos < size; pos += piece) {
		size_t n = size - pos < piece ? size - pos : piece;

		if (strbuf_add(&st.rx, data + pos, n) < 0) /* as a read from the socket would */
			abort();
		if (agentx_stream_split(&st, answer, &out) < 0)
			abort();
		got += agentx_stream_take(&st, given + got, 1 + (pos % 97));
	}
	got += agentx_stream_take(&st, given + got, size + 1 - got);
	if (answered_bytes + got + st.rx.len != size)
		abort();
	/* net-snmp's bytes are the input's, in order, less what was answered: a subsequence. */
	for (size_t i = 0, j = 0; i < got; i++, j++) {
		while (j < size && data[j] != given[i])
			j++;
		if (j == size)
			abort();
	}
	agentx_stream_free(&st);
	strbuf_free(&out.b);
	free(given);
	return 0;
}
