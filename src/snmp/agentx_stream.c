/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The master's byte stream, split between us and net-snmp (agentx_stream.h). */
#include "agentx_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Drop the first n bytes of b. */
static void consume(struct strbuf *b, size_t n)
{
	if (n == 0)
		return;
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

ssize_t agentx_stream_read(struct agentx_stream *st, int fd, size_t max)
{
	ssize_t n;

	if (strbuf_grow(&st->rx, st->rx.len + max) < 0)
		return -ENOMEM;
	do
		n = recv(fd, st->rx.p + st->rx.len, max, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	st->rx.len += (size_t)n;
	return n;
}

int agentx_stream_split(struct agentx_stream *st, agentx_answer_fn answer, void *ctx)
{
	size_t pos = 0;
	int rc = 0;

	while (pos < st->rx.len) {
		struct agentx_header h;
		size_t avail = st->rx.len - pos, pdu;

		if (st->owed) { /* the rest, or more, of a PDU that is net-snmp's */
			size_t n = avail < st->owed ? avail : st->owed;

			if ((rc = strbuf_add(&st->give, st->rx.p + pos, n)) < 0)
				break;
			st->owed -= n;
			pos += n;
			continue;
		}
		pdu = agentx_pdu_len((const uint8_t *)st->rx.p + pos, avail, &h);
		if (!pdu)
			break; /* a header not yet whole */
		if (agentx_is_walk_request(&h)) {
			if (avail < pdu)
				break; /* at most AGENTX_PDU_MAX: wait for the rest */
			if (answer(ctx, &h, (const uint8_t *)st->rx.p + pos + AGENTX_HEADER_LEN)) {
				pos += pdu;
				continue;
			}
		}
		st->owed = pdu;
	}
	consume(&st->rx, pos);
	return rc;
}

size_t agentx_stream_take(struct agentx_stream *st, void *buf, size_t size)
{
	size_t n = st->give.len < size ? st->give.len : size;

	if (n == 0)
		return 0;
	memcpy(buf, st->give.p, n);
	consume(&st->give, n);
	return n;
}

void agentx_stream_reset(struct agentx_stream *st)
{
	st->rx.len = 0;
	st->give.len = 0;
	st->owed = 0;
}

void agentx_stream_free(struct agentx_stream *st)
{
	strbuf_free(&st->rx);
	strbuf_free(&st->give);
	st->owed = 0;
}
