/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The byte stream from the AgentX master, split between us and net-snmp.
 *
 * Every byte the master sends is read here first.  A Get or GetNext in the
 * default context (agentx_pdu.h), once whole, goes to the answer callback;
 * the bytes of every other PDU, and of a request the callback declines, are
 * set aside in order for net-snmp, which takes them through the transport's
 * recv (subagent.c).  PDU boundaries come from the headers, so net-snmp sees
 * exactly the PDUs it would have read from the socket, only fewer of them.
 * No net-snmp here.
 */
#ifndef REDMON_AGENTX_STREAM_H
#define REDMON_AGENTX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../plugins/lib/strbuf.h"
#include "agentx_pdu.h"

/* Answer the request (its header and payload_len bytes of payload); false: net-snmp's. */
typedef bool (*agentx_answer_fn)(void *ctx, const struct agentx_header *h, const uint8_t *payload);

struct agentx_stream {
	struct strbuf rx;   /* read, not yet split */
	struct strbuf give; /* net-snmp's, in stream order */
	size_t owed;	    /* bytes still to come of a PDU that is net-snmp's */
};

/*
 * Read what fd has (without waiting) into the stream, at most max bytes:
 * the count, 0 at the end of the stream, or -errno (-EAGAIN: nothing there).
 */
ssize_t agentx_stream_read(struct agentx_stream *st, int fd, size_t max);

/*
 * Split what was read: whole walk requests to answer(ctx, ...), the rest to
 * net-snmp's side.  A request not yet whole waits for more bytes.  -ENOMEM,
 * or 0.
 */
int agentx_stream_split(struct agentx_stream *st, agentx_answer_fn answer, void *ctx);

/* Up to size of net-snmp's bytes into buf: the count (0: none waiting). */
size_t agentx_stream_take(struct agentx_stream *st, void *buf, size_t size);

/* Forget everything (a new connection); the buffers are kept. */
void agentx_stream_reset(struct agentx_stream *st);

void agentx_stream_free(struct agentx_stream *st);

#endif
