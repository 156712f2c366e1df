/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The master's byte stream, split between us and net-snmp (agentx_stream.h). */
#include "agentx_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Room for n more bytes in b: 0 or -ENOMEM. */
static int bytes_reserve(struct agentx_bytes *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *p;

	if (b->cap - b->len >= n)
		return 0;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p)
		return -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

static int bytes_append(struct agentx_bytes *b, const uint8_t *p, size_t n)
{
	if (bytes_reserve(b, n) < 0)
		return -ENOMEM;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

static void bytes_consume(struct agentx_bytes *b, size_t n)
{
	if (n == 0)
		return;
	memmove(b->buf, b->buf + n, b->len - n);
	b->len -= n;
}

ssize_t agentx_stream_read(struct agentx_stream *st, int fd, size_t max)
{
	ssize_t n;

	if (bytes_reserve(&st->rx, max) < 0)
		return -ENOMEM;
	do
		n = recv(fd, st->rx.buf + st->rx.len, max, MSG_DONTWAIT);
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

			if ((rc = bytes_append(&st->give, st->rx.buf + pos, n)) < 0)
				break;
			st->owed -= n;
			pos += n;
			continue;
		}
		pdu = agentx_pdu_len(st->rx.buf + pos, avail, &h);
		if (!pdu)
			break; /* a header not yet whole */
		if (agentx_is_walk_request(&h)) {
			if (avail < pdu)
				break; /* at most AGENTX_PDU_MAX: wait for the rest */
			if (answer(ctx, &h, st->rx.buf + pos + AGENTX_HEADER_LEN)) {
				pos += pdu;
				continue;
			}
		}
		st->owed = pdu;
	}
	bytes_consume(&st->rx, pos);
	return rc;
}

size_t agentx_stream_take(struct agentx_stream *st, void *buf, size_t size)
{
	size_t n = st->give.len < size ? st->give.len : size;

	if (n == 0)
		return 0;
	memcpy(buf, st->give.buf, n);
	bytes_consume(&st->give, n);
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
	free(st->rx.buf);
	free(st->give.buf);
	memset(st, 0, sizeof(*st));
}
