/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AgentX PDUs of a walk (RFC 2741): Get and GetNext from the master,
 * parsed, and the Response that answers them, built.  No net-snmp here.
 *
 * Why: a walk through snmpd sends the subagent one GetNext per varbind.
 * Through net-snmp's library each costs 6-8 us of user time (a PDU and its
 * varbinds parsed into mallocs, cloned, built again, freed) on top of the
 * ~20 us the kernel takes for the round trip: 1.5x a bare echo of the same
 * size (issue 19).  These functions answer in well under a microsecond and
 * allocate nothing but the response buffer; every other PDU (Open,
 * Register, Notify, Ping, their Responses, anything in a non-default
 * context or not understood here) still goes to net-snmp (subagent.c).
 *
 * Every input is hostile: a parse never reads past len, and a PDU that is
 * not exactly what RFC 2741 says is refused (AGENTX_NOT_MINE), never guessed.
 */
#ifndef REDMON_AGENTX_PDU_H
#define REDMON_AGENTX_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../plugins/lib/strbuf.h"

#define AGENTX_HEADER_LEN 20
/* The longest OID parsed: net-snmp's MAX_OID_LEN (a longer one goes to net-snmp). */
#define AGENTX_OID_MAX 128
/* A PDU longer than this is not answered here (net-snmp drops such a session). */
#define AGENTX_PDU_MAX (64 * 1024)

/* RFC 2741 6.1: the PDU types and header flags used here. */
enum agentx_type {
	AGENTX_GET = 5,
	AGENTX_GETNEXT = 6,
	AGENTX_RESPONSE = 18,
};
#define AGENTX_FLAG_NON_DEFAULT_CONTEXT 0x08
#define AGENTX_FLAG_NETWORK_BYTE_ORDER	0x10

/* Value types of a varbind (RFC 2741 5.4): BER's tag numbers, as net-snmp's ASN_*. */
enum agentx_vtype {
	AGENTX_INTEGER = 2,
	AGENTX_OCTETS = 4,
	AGENTX_NULL = 5,
	AGENTX_OBJECT_ID = 6,
	AGENTX_COUNTER32 = 65,
	AGENTX_GAUGE32 = 66,
	AGENTX_TIMETICKS = 67,
	AGENTX_COUNTER64 = 70,
	AGENTX_NO_SUCH_OBJECT = 128,
	AGENTX_NO_SUCH_INSTANCE = 129,
	AGENTX_END_OF_MIB_VIEW = 130,
};

struct agentx_header {
	uint8_t version, type, flags;
	uint32_t session_id, transaction_id, packet_id;
	uint32_t payload_len;
};

/* An OID as net-snmp holds one (oid is an unsigned long on Linux). */
struct agentx_oid {
	unsigned long sub[AGENTX_OID_MAX];
	size_t len;
	bool include; /* a search range's start: included in the search */
};

/* One search range of a Get or GetNext: end.len 0 means no end. */
struct agentx_range {
	struct agentx_oid start, end;
};

/* A value to answer with; bytes are not copied until agentx_put_varbind(). */
struct agentx_value {
	enum agentx_vtype type;
	uint64_t num;		   /* INTEGER (as int32), the 32-bit types, COUNTER64 */
	const void *bytes;	   /* OCTETS */
	size_t len;		   /* OCTETS */
	unsigned char scratch[11]; /* bytes made on the fly (a DateAndTime) */
};

/*
 * The length of the whole PDU at buf (header and payload) when its header is
 * complete: 0 while fewer than AGENTX_HEADER_LEN bytes are there.  It may be
 * more than len (wait for the rest).  Fills h.
 */
size_t agentx_pdu_len(const uint8_t *buf, size_t len, struct agentx_header *h);

/*
 * Whether this PDU is one answered here: a version 1 Get or GetNext in the
 * default context, at most AGENTX_PDU_MAX long.
 */
bool agentx_is_walk_request(const struct agentx_header *h);

/* The search ranges of a Get or GetNext payload, one at a time. */
struct agentx_reader {
	const uint8_t *p, *end;
	bool net_order;
};

void agentx_reader_init(struct agentx_reader *r, const struct agentx_header *h,
			const uint8_t *payload);

/* The next range into out: 1, 0 at the end of the payload, -1 if malformed. */
int agentx_next_range(struct agentx_reader *r, struct agentx_range *out);

/* A response being built; b grows as needed (strbuf_free() it when done). */
struct agentx_out {
	struct strbuf b;
	bool failed; /* out of memory, or a value that cannot be encoded: nothing to send */
};

/* Start the Response to request h: header (network byte order) and sysUpTime. */
void agentx_response_begin(struct agentx_out *o, const struct agentx_header *h, uint32_t uptime);

/* One varbind of the response. */
void agentx_put_varbind(struct agentx_out *o, const struct agentx_oid *name,
			const struct agentx_value *v);

/* Set the payload length; false when the response could not be built. */
bool agentx_response_end(struct agentx_out *o);

#endif
