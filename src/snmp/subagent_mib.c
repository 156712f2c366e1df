/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * REDMON-MIB's objects: scalars, the group, member, probe and alarm tables,
 * the varbinds of notifications, and the one engine that answers requests.
 *
 * Rows.  Each table is a sorted array of row references (index OID -> the
 * structs below).  The rows follow the aggregator: after a probe scanned (or
 * an event about it), its groups are walked beside the rows in id order, and
 * a row is only touched where a value differs, so a quiet scan costs a
 * comparison per group and no allocation.  Strings are kept twice: as the
 * probe reported them (to notice a change) and as SNMP shows them (escaped
 * like the JSON output, cut to 255 octets).  A column is a row field named
 * by its offset (struct column), so one function reads every column.
 *
 * Requests.  net-snmp's master turns every repetition of a GetBulk into one
 * AgentX GetNext to us (agentx/master.c), so a bulk walk costs one AgentX
 * round trip per varbind.  net-snmp's subagent would answer each through its
 * whole request pipeline: the PDU cloned into an internal callback session (a
 * pipe), the handler chain run, the answer back through the pipe, three trips
 * through the event loop per varbind.  Instead, Get and GetNext in the
 * default context are answered with one binary search per varbind by
 * subagent_mib_agentx_answer(), straight from the master's byte stream
 * (subagent.c, agentx_stream.h), or, where net-snmp read them (a TCP master,
 * a request that came while it waited for a ping's answer), by
 * rmib_session_callback(), which subagent_mib_attach() puts in front of
 * net-snmp's AgentX callback.  Everything else (Open, Register and Notify
 * responses, Ping, Set attempts, GetBulk from a master that sends it, other
 * contexts) goes on to net-snmp, whose pipeline reaches the same lookups
 * through the one handler registered for redmonObjects.
 */
#include "subagent_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../agg.h"
#include "../bus.h"
#include "subagent_index.h"
#include "redmon/grow.h"
#include "redmon/sorted.h"

#define TEXT_MAX 255 /* SnmpAdminString (SIZE (0..255)) */
/* spof reasons joined before the cut to TEXT_MAX: room for more than it shows. */
#define SPOF_JOIN_MAX 1024

/* Subtrees of redmonObjects (root.1). */
enum { SUB_SCALARS = 1, SUB_GROUPS, SUB_MEMBERS, SUB_PROBES, SUB_ALARMS, SUB_NOTIF };

enum {
	SC_VERSION = 1,
	SC_HEALTH,
	SC_GROUPS,
	SC_OK,
	SC_NONREDUNDANT,
	SC_DEGRADED,
	SC_UNKNOWN,
	SC_CRITICAL,
	SC_FAILED,
	SC_LAST_SEQ,
	SC_START_TIME,
	SC_ALARMS,
	SC_LAST_ = SC_ALARMS
};

enum {
	GC_ID = 2,
	GC_PROBE,
	GC_NAME,
	GC_KIND,
	GC_TYPE,
	GC_HEALTH,
	GC_MARGIN,
	GC_NOMINAL,
	GC_TOTAL,
	GC_OK,
	GC_FAILED,
	GC_SPARES,
	GC_ACTIVITY,
	GC_PROGRESS,
	GC_REASON,
	GC_LAST_CHANGE,
	GC_DEGRADED_SINCE,
	GC_ETA,
	GC_SPOF,      /* 20 */
	GC_SCRUB_AGE, /* 21 */
	GC_SCRUB_FOUND,
	GC_LAST_ = GC_SCRUB_FOUND
};

enum {
	MC_NAME = 2,
	MC_ROLE,
	MC_STATE,
	MC_LAST_CHANGE,
	MC_DEVICE,
	MC_SERIAL,
	MC_LOCATION,
	MC_REASON,
	MC_LAST_ = MC_REASON
};

enum {
	PC_NAME = 2,
	PC_STATUS,
	PC_LAST_POLL,
	PC_ERRORS,
	PC_LAST_ERROR,
	PC_GROUPS,
	PC_LAST_ = PC_GROUPS
};

enum { AC_GROUP = 2, AC_OBJECT, AC_HEALTH, AC_TIME, AC_TEXT, AC_LAST_ = AC_TEXT };

enum {
	NO_SEQ = 1,
	NO_PREV_HEALTH,
	NO_PREV_MARGIN,
	NO_PREV_ROLE,
	NO_PREV_ACTIVITY,
	NO_PREV_PROGRESS,
	NO_TEXT
};

/* A string as reported (raw, to notice changes) and as shown over SNMP. */
struct sa_str {
	char *raw; /* NULL: not reported */
	char *shown;
	size_t len;
};

struct sa_member {
	long group_index, index;
	struct sa_str name, state, device, serial, location, reason;
	int role; /* RedmonRole */
	struct timespec last_change;
	bool listed; /* in the member table */
};

struct sa_group {
	long index;
	struct sa_str id, probe, name, kind, type, reason;
	struct sa_str scrub_found; /* what the last scrub found; "" nothing or not known */
	long scrub_age;		   /* seconds since the last scrub, -1 unknown */
	struct sa_str spof;	   /* its reasons joined with "; " */
	enum health health;
	long margin, nominal, total, ok, failed, spares, activity, progress;
	long eta;				     /* seconds, -1 unknown */
	struct timespec last_change, degraded_since; /* zero: none */
	struct sa_member **members;		     /* in the probe's order */
	size_t n_members;
	bool listed;
};

struct sa_probe {
	struct sa_str shown; /* raw: the probe's name */
	long index;
	bool failed;
	bool dirty; /* rows to be synced */
	struct timespec last_poll;
	unsigned long errors;
	struct sa_str last_error;
	unsigned long n_groups;
	struct sa_group **groups; /* sorted by id (strcmp), as agg keeps them */
	size_t n_groups_rows;
	bool listed;
};

struct sa_alarm {
	u_long seq;
	long group_index; /* 0: a probe alarm */
	bool probe;
	char object[TEXT_MAX + 1];
	size_t object_len;
	int health;
	unsigned char time[11];
	size_t time_len;
	char text[TEXT_MAX + 1];
	size_t text_len;
	bool listed;
	struct sa_alarm *next;
	char object_raw[]; /* as reported */
};

/* The scalars are a table too: one row, index 0 (see regions). */
enum { T_SCALARS = 0, T_GROUPS, T_MEMBERS, T_PROBES, T_ALARMS, T_COUNT_ };

/* A row of a table: its index (one or two sub-identifiers) and its struct. */
struct row_ref {
	const void *data;
	oid idx[2];
	size_t idx_len;
};

/* The rows of one table, sorted by index. */
struct rowset {
	struct row_ref *v;
	size_t n, cap;
};

/* The message of the last event, which its alarm and its notification both want. */
struct event_text {
	uint64_t seq;
	struct timespec time;
	int type;
	char text[TEXT_MAX + 1];
};

struct subagent_mib {
	const struct agg *agg;
	const struct bus *bus; /* redmonLastEventSeq */
	struct subagent_index *idx;
	unsigned char started[11];
	size_t started_len;
	struct sa_probe **probes; /* sorted by name */
	size_t n_probes;
	struct sa_alarm *alarms;
	unsigned long n_alarms;
	struct rowset rows[T_COUNT_];
	netsnmp_handler_registration *reg; /* redmonObjects, for net-snmp's pipeline */
	/* net-snmp's own callback of the master session, for what we do not answer */
	netsnmp_callback next_callback;
	void *next_magic;
	struct event_text last_text;
	/* Summary scalars, recounted at each sync. */
	unsigned long n_groups, by_health[HEALTH_COUNT_];
	enum health worst;
};

static const oid root_oid[] = { SUBAGENT_ROOT_OID };
static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

/* --- strings ---------------------------------------------------------- */

/* Set s from raw if it differs; on ENOMEM, *oom is set and s kept. */
static void rmib_str_set(struct sa_str *s, const char *raw, bool *oom)
{
	char buf[TEXT_MAX + 1];
	char *r, *shown;
	size_t len;

	if (s->shown && subagent_same_str(s->raw, raw))
		return;
	len = subagent_text(raw, buf, TEXT_MAX);
	shown = malloc(len + 1);
	r = raw ? strdup(raw) : NULL;
	if (!shown || (raw && !r)) {
		free(shown);
		free(r);
		*oom = true;
		return;
	}
	memcpy(shown, buf, len + 1);
	free(s->raw);
	free(s->shown);
	s->raw = r;
	s->shown = shown;
	s->len = len;
}

static void rmib_str_free(struct sa_str *s)
{
	free(s->raw);
	free(s->shown);
	s->raw = s->shown = NULL;
}

/* --- values ----------------------------------------------------------- */

/* How a column is stored in its row's struct (the scalars' row is struct subagent_mib). */
enum col_kind {
	COL_NONE,     /* a column number the MIB does not define (a hole): no object */
	COL_STR,      /* struct sa_str */
	COL_OCTETS,   /* bytes at off, their count (size_t) at len_off */
	COL_TIME,     /* struct timespec, as a DateAndTime */
	COL_LONG,     /* long */
	COL_INT,      /* int */
	COL_ULONG,    /* unsigned long, cut to 32 bits */
	COL_HEALTH,   /* enum health, as RedmonHealth */
	COL_FAILED,   /* bool: failed(2), else ok(1) */
	COL_VERSION,  /* REDMON_VERSION */
	COL_LAST_SEQ, /* the last event's number, from the struct bus * at off */
};

struct column {
	unsigned char kind; /* enum col_kind */
	u_char asn;	    /* for the numbers */
	unsigned short off, len_off;
};

#define NUM(k, a, type, f)                                                                         \
	{                                                                                          \
		k, a, offsetof(type, f), 0                                                         \
	}
#define STR(type, f)  NUM(COL_STR, ASN_OCTET_STR, type, f)
#define TIME(type, f) NUM(COL_TIME, ASN_OCTET_STR, type, f)

static const struct column scalar_columns[SC_LAST_ + 1] = {
	[SC_VERSION] = { COL_VERSION, ASN_OCTET_STR, 0, 0 },
	[SC_HEALTH] = NUM(COL_HEALTH, ASN_INTEGER, struct subagent_mib, worst),
	[SC_GROUPS] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, n_groups),
	[SC_OK] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, by_health[HEALTH_OK]),
	[SC_NONREDUNDANT] =
		NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, by_health[HEALTH_NONREDUNDANT]),
	[SC_DEGRADED] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, by_health[HEALTH_DEGRADED]),
	[SC_UNKNOWN] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, by_health[HEALTH_UNKNOWN]),
	[SC_CRITICAL] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, by_health[HEALTH_CRITICAL]),
	[SC_FAILED] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, by_health[HEALTH_FAILED]),
	[SC_LAST_SEQ] = NUM(COL_LAST_SEQ, ASN_UNSIGNED, struct subagent_mib, bus),
	[SC_START_TIME] = { COL_OCTETS, ASN_OCTET_STR, offsetof(struct subagent_mib, started),
			    offsetof(struct subagent_mib, started_len) },
	[SC_ALARMS] = NUM(COL_ULONG, ASN_GAUGE, struct subagent_mib, n_alarms),
};

static const struct column group_columns[GC_LAST_ + 1] = {
	[GC_ID] = STR(struct sa_group, id),
	[GC_PROBE] = STR(struct sa_group, probe),
	[GC_NAME] = STR(struct sa_group, name),
	[GC_KIND] = STR(struct sa_group, kind),
	[GC_TYPE] = STR(struct sa_group, type),
	[GC_HEALTH] = NUM(COL_HEALTH, ASN_INTEGER, struct sa_group, health),
	[GC_MARGIN] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, margin),
	[GC_NOMINAL] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, nominal),
	[GC_TOTAL] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, total),
	[GC_OK] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, ok),
	[GC_FAILED] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, failed),
	[GC_SPARES] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, spares),
	[GC_ACTIVITY] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, activity),
	[GC_PROGRESS] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, progress),
	[GC_REASON] = STR(struct sa_group, reason),
	[GC_LAST_CHANGE] = TIME(struct sa_group, last_change),
	[GC_DEGRADED_SINCE] = TIME(struct sa_group, degraded_since),
	[GC_ETA] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, eta),
	[GC_SCRUB_AGE] = NUM(COL_LONG, ASN_INTEGER, struct sa_group, scrub_age),
	[GC_SCRUB_FOUND] = STR(struct sa_group, scrub_found),
	[GC_SPOF] = STR(struct sa_group, spof),
};

static const struct column member_columns[MC_LAST_ + 1] = {
	[MC_NAME] = STR(struct sa_member, name),
	[MC_ROLE] = NUM(COL_INT, ASN_INTEGER, struct sa_member, role),
	[MC_STATE] = STR(struct sa_member, state),
	[MC_LAST_CHANGE] = TIME(struct sa_member, last_change),
	[MC_DEVICE] = STR(struct sa_member, device),
	[MC_SERIAL] = STR(struct sa_member, serial),
	[MC_LOCATION] = STR(struct sa_member, location),
	[MC_REASON] = STR(struct sa_member, reason),
};

static const struct column probe_columns[PC_LAST_ + 1] = {
	[PC_NAME] = STR(struct sa_probe, shown),
	[PC_STATUS] = NUM(COL_FAILED, ASN_INTEGER, struct sa_probe, failed),
	[PC_LAST_POLL] = TIME(struct sa_probe, last_poll),
	[PC_ERRORS] = NUM(COL_ULONG, ASN_COUNTER, struct sa_probe, errors),
	[PC_LAST_ERROR] = STR(struct sa_probe, last_error),
	[PC_GROUPS] = NUM(COL_ULONG, ASN_GAUGE, struct sa_probe, n_groups),
};

static const struct column alarm_columns[AC_LAST_ + 1] = {
	[AC_GROUP] = NUM(COL_LONG, ASN_INTEGER, struct sa_alarm, group_index),
	[AC_OBJECT] = { COL_OCTETS, ASN_OCTET_STR, offsetof(struct sa_alarm, object),
			offsetof(struct sa_alarm, object_len) },
	[AC_HEALTH] = NUM(COL_INT, ASN_INTEGER, struct sa_alarm, health),
	[AC_TIME] = { COL_OCTETS, ASN_OCTET_STR, offsetof(struct sa_alarm, time),
		      offsetof(struct sa_alarm, time_len) },
	[AC_TEXT] = { COL_OCTETS, ASN_OCTET_STR, offsetof(struct sa_alarm, text),
		      offsetof(struct sa_alarm, text_len) },
};

/*
 * Column c of the row whose struct is at row, into v (its bytes point into
 * the row, or into v->scratch).  Both engines answer from this: net-snmp's
 * varbinds (rmib_column) and our own AgentX responses (rmib_agentx_*).
 */
static void rmib_value(const struct column *c, const void *row, struct agentx_value *v)
{
	const char *f = (const char *)row + c->off;
	const struct sa_str *s = (const struct sa_str *)f;

	v->type = (enum agentx_vtype)c->asn;
	v->num = 0;
	v->bytes = NULL;
	v->len = 0;
	switch ((enum col_kind)c->kind) {
	case COL_NONE: /* never asked: the lookups skip it */
		v->type = AGENTX_NO_SUCH_OBJECT;
		break;
	case COL_STR:
		v->bytes = s->shown ? s->shown : "";
		v->len = s->shown ? s->len : 0;
		break;
	case COL_OCTETS:
		v->bytes = f;
		v->len = *(const size_t *)((const char *)row + c->len_off);
		break;
	case COL_TIME:
		v->len = subagent_date_and_time((const struct timespec *)f, v->scratch);
		v->bytes = v->scratch;
		break;
	case COL_LONG:
		v->num = (uint64_t)(*(const long *)f);
		break;
	case COL_INT:
		v->num = (uint64_t)(long)*(const int *)f;
		break;
	case COL_ULONG:
		v->num = *(const unsigned long *)f & 0xffffffffu;
		break;
	case COL_HEALTH:
		v->num = (uint64_t)(long)subagent_health_value(*(const enum health *)f);
		break;
	case COL_FAILED:
		v->num = *(const bool *)f ? 2 : 1;
		break;
	case COL_VERSION:
		v->bytes = REDMON_VERSION;
		v->len = strlen(REDMON_VERSION);
		break;
	case COL_LAST_SEQ:
		v->num = bus_last_seq(*(const struct bus *const *)f) & 0xffffffffu;
		break;
	}
}

/* v into net-snmp's varbind vb. */
static void rmib_vb_set(netsnmp_variable_list *vb, const struct agentx_value *v)
{
	switch (v->type) {
	case AGENTX_OCTETS:
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->bytes, v->len);
		break;
	case AGENTX_NO_SUCH_OBJECT:
	case AGENTX_NO_SUCH_INSTANCE:
	case AGENTX_END_OF_MIB_VIEW:
		snmp_set_var_typed_value(vb, (u_char)v->type, NULL, 0);
		break;
	default:
		snmp_set_var_typed_integer(vb, (u_char)v->type, (long)v->num);
	}
}

/* Set vb to column c of the row whose struct is at row. */
static void rmib_column(const struct column *c, const void *row, netsnmp_variable_list *vb)
{
	struct agentx_value v;

	rmib_value(c, row, &v);
	rmib_vb_set(vb, &v);
}

/* --- the regions of the MIB, in OID order ------------------------------ */

/*
 * Each region is a set of instances <entry>.<column>.<row index>: a table
 * (entry = its Entry OID), or the scalars (entry = redmonScalars, one row
 * whose index is 0).
 */
struct region {
	unsigned sub;
	unsigned table; /* T_* */
	unsigned min_col, max_col;
	const struct column *columns;
};

static const struct region regions[] = {
	{ SUB_SCALARS, T_SCALARS, SC_VERSION, SC_LAST_, scalar_columns },
	{ SUB_GROUPS, T_GROUPS, GC_ID, GC_LAST_, group_columns },
	{ SUB_MEMBERS, T_MEMBERS, MC_NAME, MC_LAST_, member_columns },
	{ SUB_PROBES, T_PROBES, PC_NAME, PC_LAST_, probe_columns },
	{ SUB_ALARMS, T_ALARMS, AC_GROUP, AC_LAST_, alarm_columns },
};

#define N_REGIONS (sizeof(regions) / sizeof(regions[0]))

/* root.1.sub, and .1 (its Entry) for a table; returns the length. */
static size_t rmib_entry_oid(oid *buf, unsigned sub, bool table)
{
	memcpy(buf, root_oid, sizeof(root_oid));
	buf[SUBAGENT_ROOT_LEN] = 1;
	buf[SUBAGENT_ROOT_LEN + 1] = sub;
	buf[SUBAGENT_ROOT_LEN + 2] = 1;
	return SUBAGENT_ROOT_LEN + 2 + table;
}

/* --- rows ------------------------------------------------------------- */

struct row_key {
	const struct rowset *t;
	const oid *idx;
	size_t len;
};

static int rmib_cmp_row(const void *key, size_t i)
{
	const struct row_key *k = key;

	return snmp_oid_compare(k->t->v[i].idx, k->t->v[i].idx_len, k->idx, k->len);
}

/* The position of the first row whose index is idx or after; *exact if it is idx. */
static size_t rows_search(const struct rowset *t, const oid *idx, size_t len, bool *exact)
{
	const struct row_key k = { t, idx, len };

	return sorted_search(t->n, rmib_cmp_row, &k, exact);
}

/*
 * List a row with index i1 (and i2 when > 0) for data; false when out of
 * memory or when the index is taken.  *listed says whether data is listed.
 */
static bool rmib_row_add(struct rowset *t, const void *data, long i1, long i2, bool *listed)
{
	struct row_ref r = { .data = data, .idx = { (oid)i1, (oid)i2 }, .idx_len = i2 > 0 ? 2 : 1 };
	bool exact;
	size_t pos = rows_search(t, r.idx, r.idx_len, &exact);

	if (exact)
		return false;
	if (!grow_one((void **)&t->v, &t->cap, t->n, sizeof(*t->v), 64))
		return false;
	memmove(&t->v[pos + 1], &t->v[pos], (t->n - pos) * sizeof(*t->v));
	t->v[pos] = r;
	t->n++;
	*listed = true;
	return true;
}

static void rmib_row_remove(struct rowset *t, long i1, long i2, bool *listed)
{
	const oid idx[2] = { (oid)i1, (oid)i2 };
	bool exact;
	size_t pos;

	if (!*listed)
		return;
	pos = rows_search(t, idx, i2 > 0 ? 2 : 1, &exact);
	if (exact) {
		memmove(&t->v[pos], &t->v[pos + 1], (t->n - pos - 1) * sizeof(*t->v));
		t->n--;
	}
	*listed = false;
}

static void rmib_member_free(struct subagent_mib *m, struct sa_member *mb)
{
	if (!mb)
		return;
	rmib_row_remove(&m->rows[T_MEMBERS], mb->group_index, mb->index, &mb->listed);
	rmib_str_free(&mb->name);
	rmib_str_free(&mb->state);
	rmib_str_free(&mb->device);
	rmib_str_free(&mb->serial);
	rmib_str_free(&mb->location);
	rmib_str_free(&mb->reason);
	free(mb);
}

static void rmib_group_free(struct subagent_mib *m, struct sa_group *g)
{
	if (!g)
		return;
	rmib_row_remove(&m->rows[T_GROUPS], g->index, 0, &g->listed);
	for (size_t i = 0; i < g->n_members; i++)
		rmib_member_free(m, g->members[i]);
	free(g->members);
	rmib_str_free(&g->id);
	rmib_str_free(&g->probe);
	rmib_str_free(&g->name);
	rmib_str_free(&g->kind);
	rmib_str_free(&g->type);
	rmib_str_free(&g->reason);
	rmib_str_free(&g->scrub_found);
	rmib_str_free(&g->spof);
	free(g);
}

/* Structs in an array sorted by the string at off in each (strcmp order). */
struct name_key {
	void *const *v;
	size_t off;
	const char *name;
};

static int rmib_cmp_name(const void *key, size_t i)
{
	const struct name_key *k = key;

	return strcmp(*(char *const *)((const char *)k->v[i] + k->off), k->name);
}

static void rmib_probe_free(struct sa_probe *p)
{
	rmib_str_free(&p->shown);
	rmib_str_free(&p->last_error);
	free(p);
}

/* The probe's record, created (with its row) if new; NULL on failure. */
static struct sa_probe *rmib_probe_get(struct subagent_mib *m, const char *name)
{
	struct sa_probe *p, **v;
	bool oom = false, found;
	size_t pos;
	int index;

	pos = sorted_search(m->n_probes, rmib_cmp_name,
			    &(struct name_key){ (void *const *)m->probes,
						offsetof(struct sa_probe, shown.raw), name },
			    &found);
	if (found)
		return m->probes[pos];
	index = subagent_index_probe(m->idx, name);
	if (index < 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	v = realloc(m->probes, (m->n_probes + 1) * sizeof(*v));
	if (v)
		m->probes = v;
	if (!p || !v) {
		free(p);
		return NULL;
	}
	p->index = index;
	p->dirty = true;
	rmib_str_set(&p->shown, name, &oom);
	rmib_str_set(&p->last_error, NULL, &oom);
	if (oom || !rmib_row_add(&m->rows[T_PROBES], p, index, 0, &p->listed)) {
		rmib_probe_free(p);
		return NULL;
	}
	memmove(&m->probes[pos + 1], &m->probes[pos], (m->n_probes - pos) * sizeof(*v));
	m->probes[pos] = p;
	m->n_probes++;
	return p;
}

static struct sa_group *rmib_group_find(const struct sa_probe *p, const char *id)
{
	bool found;
	size_t i = sorted_search(p->n_groups_rows, rmib_cmp_name,
				 &(struct name_key){ (void *const *)p->groups,
						     offsetof(struct sa_group, id.raw), id },
				 &found);

	return found ? p->groups[i] : NULL;
}

/* The slot of g's member named name, NULL if there is none. */
static struct sa_member **rmib_member_slot(const struct sa_group *g, const char *name)
{
	for (size_t i = 0; i < g->n_members; i++) {
		if (g->members[i] && strcmp(g->members[i]->name.raw, name) == 0)
			return &g->members[i];
	}
	return NULL;
}

/* A group in trouble is so since when it got there; zero: not in trouble. */
static void rmib_degraded_since(struct sa_group *g, enum health h, const struct timespec *when)
{
	if (!subagent_health_alarmed(h))
		g->degraded_since = (struct timespec){ 0 };
	else if (g->degraded_since.tv_sec == 0 && g->degraded_since.tv_nsec == 0)
		g->degraded_since = *when;
}

/*
 * Bring the members of g in step with src.  A name reported twice in one
 * group (should not happen) gets "name#2" as its index key.
 */
static int rmib_sync_members(struct subagent_mib *m, struct sa_group *g, const struct group *src,
			     const struct timespec *now)
{
	struct sa_member **next = calloc(src->n_members ? src->n_members : 1, sizeof(*next));
	bool oom = false;
	int rc = 0;

	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < src->n_members && rc == 0; i++) {
		const struct member *s = &src->members[i];
		struct sa_member **slot = rmib_member_slot(g, s->name);
		struct sa_member *mb = slot ? *slot : NULL;
		char key[300];
		unsigned dup = 1;

		if (slot)
			*slot = NULL;
		for (size_t j = 0; j < i; j++)
			dup += strcmp(src->members[j].name, s->name) == 0;
		if (!mb) {
			int index;

			if (dup > 1)
				snprintf(key, sizeof(key), "%s#%u", s->name, dup);
			else
				snprintf(key, sizeof(key), "%s", s->name);
			index = subagent_index_member(m->idx, (int)g->index, key);
			mb = index > 0 ? calloc(1, sizeof(*mb)) : NULL;
			if (!mb) {
				rc = index < 0 ? index : -ENOMEM;
				break;
			}
			mb->group_index = g->index;
			mb->index = index;
			mb->last_change = *now;
		}
		next[i] = mb;
		rmib_str_set(&mb->name, s->name, &oom);
		rmib_str_set(&mb->state, s->state, &oom);
		rmib_str_set(&mb->device, s->device, &oom);
		rmib_str_set(&mb->serial, s->serial, &oom);
		rmib_str_set(&mb->location, s->location, &oom);
		rmib_str_set(&mb->reason, s->reason, &oom);
		mb->role = subagent_role_value(s->role);
		if (!mb->listed && !oom)
			rmib_row_add(&m->rows[T_MEMBERS], mb, g->index, mb->index, &mb->listed);
		if (oom || !mb->listed)
			rc = -ENOMEM;
	}
	/* Members that left, or that a failure above did not carry over. */
	for (size_t j = 0; j < g->n_members; j++)
		rmib_member_free(m, g->members[j]);
	free(g->members);
	g->members = next;
	g->n_members = src->n_members;
	if (rc < 0) {
		/* Drop the slots that could not be filled; the next sync retries. */
		size_t k = 0;

		for (size_t i = 0; i < g->n_members; i++) {
			if (next[i] && next[i]->listed)
				next[k++] = next[i];
			else
				rmib_member_free(m, next[i]);
		}
		g->n_members = k;
	}
	return rc;
}

/* redmonGroupSpof: the reasons joined, empty when none. */
static void rmib_group_spof(struct sa_group *g, const struct group *src, bool *oom)
{
	char joined[SPOF_JOIN_MAX];

	subagent_spof_join(src, joined, sizeof(joined));
	rmib_str_set(&g->spof, joined, oom);
}

static int rmib_sync_group(struct subagent_mib *m, struct sa_group *g, const struct group *src,
			   const struct timespec *now)
{
	bool oom = false;

	rmib_str_set(&g->id, src->id, &oom);
	rmib_str_set(&g->probe, src->probe, &oom);
	rmib_str_set(&g->name, src->name, &oom);
	rmib_str_set(&g->kind, src->kind, &oom);
	rmib_str_set(&g->type, src->type, &oom);
	rmib_str_set(&g->reason, src->reason, &oom);
	rmib_str_set(&g->scrub_found, src->scrub_found, &oom);
	g->scrub_age = src->scrub_age_s < 0 || src->scrub_last <= 0 ? -1
		       : src->scrub_age_s > INT32_MAX		    ? INT32_MAX
								    : (long)src->scrub_age_s;
	rmib_group_spof(g, src, &oom);
	g->health = src->health;
	g->margin = margin_shown(src);
	g->nominal = src->margin_nominal < 0 ? 0 : src->margin_nominal;
	g->total = src->members_total < 0 ? -1 : src->members_total;
	g->ok = src->members_ok < 0 ? -1 : src->members_ok;
	g->failed = src->members_failed < 0 ? 0 : src->members_failed;
	g->spares = src->spares < 0 ? 0 : src->spares;
	g->activity = subagent_activity_value(src->activity);
	g->progress = src->activity == REDMON_ACTIVITY_NONE
			      ? -1
			      : subagent_progress_tenths(src->progress);
	g->eta = src->eta_s < 0 ? -1 : src->eta_s > INT32_MAX ? INT32_MAX : (long)src->eta_s;
	rmib_degraded_since(g, src->health, now);
	if (oom)
		return -ENOMEM;
	if (!g->listed && !rmib_row_add(&m->rows[T_GROUPS], g, g->index, 0, &g->listed))
		return -ENOMEM;
	return rmib_sync_members(m, g, src, now);
}

static struct sa_group *rmib_group_new(struct subagent_mib *m, const struct group *src,
				       const struct timespec *now, int *rc)
{
	int index = subagent_index_group(m->idx, src->id);
	struct sa_group *g = index > 0 ? calloc(1, sizeof(*g)) : NULL;

	if (!g) {
		*rc = index < 0 ? index : -ENOMEM;
		return NULL;
	}
	g->index = index;
	g->last_change = *now;
	return g;
}

/* Walk the probe's groups and our rows together, both sorted by id. */
static int rmib_sync_probe(struct subagent_mib *m, struct sa_probe *p, const struct agg_probe *src,
			   const struct timespec *now)
{
	const struct snapshot *s = &src->groups;
	struct sa_group **next = calloc(s->n ? s->n : 1, sizeof(*next));
	size_t i = 0, j = 0, k = 0;
	bool oom = false;
	int rc = 0;

	if (!next)
		return -ENOMEM;
	while (i < s->n || j < p->n_groups_rows) {
		int c = i == s->n		? 1
			: j == p->n_groups_rows ? -1
						: strcmp(s->groups[i].id, p->groups[j]->id.raw);
		struct sa_group *g;
		int r = 0;

		if (c > 0) {
			rmib_group_free(m, p->groups[j++]);
			continue;
		}
		g = c < 0 ? rmib_group_new(m, &s->groups[i], now, &r) : p->groups[j++];
		if (g)
			r = rmib_sync_group(m, g, &s->groups[i], now);
		i++;
		if (g && g->listed && g->id.raw)
			next[k++] = g;
		else
			rmib_group_free(m, g);
		if (r < 0 && rc == 0)
			rc = r;
	}
	free(p->groups);
	p->groups = next;
	p->n_groups_rows = k;
	p->failed = src->failed;
	p->n_groups = s->n;
	if (src->failed && src->error)
		rmib_str_set(&p->last_error, src->error, &oom);
	return rc ? rc : oom ? -ENOMEM : 0;
}

static void rmib_recount(struct subagent_mib *m)
{
	memset(m->by_health, 0, sizeof(m->by_health));
	m->n_groups = 0;
	m->worst = HEALTH_OK;
	for (size_t i = 0; i < m->n_probes; i++) {
		const struct sa_probe *p = m->probes[i];

		for (size_t j = 0; j < p->n_groups_rows; j++) {
			enum health h = p->groups[j]->health;

			m->n_groups++;
			if ((unsigned)h < HEALTH_COUNT_)
				m->by_health[h]++;
			if (health_worse(h, m->worst))
				m->worst = h;
		}
	}
}

int subagent_mib_sync(struct subagent_mib *m)
{
	struct timespec now = { 0 };
	bool changed = false;
	int rc = 0;

	/* Called before every wait and every request: cheap when nothing changed. */
	if (m->n_probes == agg_probe_count(m->agg)) {
		bool any = false;

		for (size_t i = 0; i < m->n_probes && !any; i++)
			any = m->probes[i]->dirty;
		if (!any)
			return 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < agg_probe_count(m->agg); i++) {
		const struct agg_probe *src = agg_probe_at(m->agg, i);
		struct sa_probe *p = rmib_probe_get(m, src->name);
		int r;

		if (!p) {
			rc = rc ? rc : -ENOMEM;
			continue;
		}
		if (!p->dirty)
			continue;
		r = rmib_sync_probe(m, p, src, &now);
		/* A probe that could not be synced whole is tried again next time. */
		p->dirty = r < 0;
		changed = true;
		if (r < 0 && rc == 0)
			rc = r;
	}
	if (changed)
		rmib_recount(m);
	return rc;
}

void subagent_mib_scanned(struct subagent_mib *m, const char *probe)
{
	struct sa_probe *p = rmib_probe_get(m, probe);
	const struct agg_probe *src = agg_probe_find(m->agg, probe);

	if (!p)
		return;
	clock_gettime(CLOCK_REALTIME, &p->last_poll);
	if (src && src->failed)
		p->errors++;
	p->dirty = true;
}

/* --- alarms ----------------------------------------------------------- */

static void rmib_alarm_remove(struct subagent_mib *m, bool probe, const char *object)
{
	for (struct sa_alarm **pp = &m->alarms; *pp; pp = &(*pp)->next) {
		struct sa_alarm *a = *pp;

		if (a->probe == probe && strcmp(a->object_raw, object) == 0) {
			*pp = a->next;
			rmib_row_remove(&m->rows[T_ALARMS], (long)a->seq, 0, &a->listed);
			free(a);
			m->n_alarms--;
			return;
		}
	}
}

/*
 * The event's message, as the JSON event's "message" (escaped already), cut.
 * The alarm and the notification of one event both want it: built once.
 */
static const char *rmib_event_text(struct subagent_mib *m, const struct event *ev)
{
	struct event_text *last = &m->last_text;
	json_t *j;
	const char *msg;

	if (last->type != (int)ev->type || last->seq != ev->seq ||
	    last->time.tv_sec != ev->time.tv_sec || last->time.tv_nsec != ev->time.tv_nsec) {
		j = event_to_json(ev, "");
		msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
		subagent_cut(msg ? msg : "", last->text, TEXT_MAX);
		json_decref(j);
		last->seq = ev->seq;
		last->time = ev->time;
		last->type = (int)ev->type;
	}
	return last->text;
}

static void rmib_alarm_raise(struct subagent_mib *m, const struct event *ev)
{
	bool probe = ev->type == EV_PROBE_FAILED;
	const char *object = probe ? ev->probe : ev->group->id;
	struct sa_alarm *a;
	int gi = probe ? 0 : subagent_index_group(m->idx, object);

	if (!object || gi < 0)
		return;
	rmib_alarm_remove(m, probe, object);
	a = calloc(1, sizeof(*a) + strlen(object) + 1);
	if (!a)
		return;
	strcpy(a->object_raw, object);
	a->seq = (u_long)(ev->seq & 0xffffffffu);
	a->group_index = gi;
	a->probe = probe;
	a->object_len = subagent_text(object, a->object, TEXT_MAX);
	a->health = probe ? subagent_health_value(HEALTH_UNKNOWN)
			  : subagent_health_value(ev->group->health);
	a->time_len = subagent_date_and_time(&ev->time, a->time);
	a->text_len = subagent_cut(rmib_event_text(m, ev), a->text, TEXT_MAX);
	/* seq is unique while the daemon runs; it starts again at 1 after a restart. */
	if (!rmib_row_add(&m->rows[T_ALARMS], a, (long)a->seq, 0, &a->listed)) {
		free(a);
		return;
	}
	a->next = m->alarms;
	m->alarms = a;
	m->n_alarms++;
}

void subagent_mib_event(struct subagent_mib *m, const struct event *ev)
{
	struct sa_probe *p = ev->probe ? rmib_probe_get(m, ev->probe) : NULL;
	struct sa_group *g = NULL;

	if (p)
		p->dirty = true;
	/* Indexes in the order groups are first seen, before any notification uses one. */
	if (ev->group)
		subagent_index_group(m->idx, ev->group->id);
	if (p && ev->group)
		g = rmib_group_find(p, ev->group->id);
	/* Changes only: not progress steps, nor events that merely repeat a state. */
	if (g && (ev->type == EV_GROUP_APPEARED || ev->type == EV_HEALTH_CHANGED ||
		  ev->type == EV_MEMBER_CHANGED || ev->type == EV_REBUILD_STARTED ||
		  ev->type == EV_REBUILD_FINISHED))
		g->last_change = ev->time;
	if (g && (ev->type == EV_HEALTH_CHANGED || ev->type == EV_GROUP_APPEARED))
		rmib_degraded_since(g, ev->group->health, &ev->time);
	if (g && ev->type == EV_MEMBER_CHANGED && ev->member_name) {
		struct sa_member **mb = rmib_member_slot(g, ev->member_name);

		if (mb)
			(*mb)->last_change = ev->time;
	}
	switch (subagent_alarm_for(ev)) {
	case SUBAGENT_ALARM_RAISE:
		rmib_alarm_raise(m, ev);
		break;
	case SUBAGENT_ALARM_CLEAR:
		if (ev->type == EV_PROBE_RECOVERED && ev->probe)
			rmib_alarm_remove(m, true, ev->probe);
		else if (ev->group)
			rmib_alarm_remove(m, false, ev->group->id);
		break;
	default:
		break;
	}
}

/* --- notifications ---------------------------------------------------- */

struct vbuild {
	netsnmp_variable_list *vars;
	bool failed;
};

/* root.1.sub.1.col.i1[.i2] (a column instance), or root.1.sub.col.0 when i1 is 0. */
static size_t rmib_obj_oid(oid *buf, unsigned sub, unsigned col, long i1, long i2)
{
	size_t n = rmib_entry_oid(buf, sub, i1 != 0);

	buf[n++] = col;
	buf[n++] = (oid)i1;
	if (i1 != 0 && i2 > 0)
		buf[n++] = (oid)i2;
	return n;
}

/* A varbind for the object rmib_obj_oid() names. */
static void rmib_vb_add(struct vbuild *b, unsigned sub, unsigned col, long i1, long i2, u_char type,
			const void *v, size_t vlen)
{
	oid name[MAX_OID_LEN];
	size_t len = rmib_obj_oid(name, sub, col, i1, i2);

	if (!b->failed && !snmp_varlist_add_variable(&b->vars, name, len, type, v, vlen))
		b->failed = true;
}

static void rmib_vb_int(struct vbuild *b, unsigned sub, unsigned col, long i1, long i2, u_char type,
			long v)
{
	rmib_vb_add(b, sub, col, i1, i2, type, &v, sizeof(v));
}

static void rmib_vb_text(struct vbuild *b, unsigned sub, unsigned col, long i1, long i2,
			 const char *s)
{
	char buf[TEXT_MAX + 1];
	size_t n = subagent_text(s, buf, TEXT_MAX);

	rmib_vb_add(b, sub, col, i1, i2, ASN_OCTET_STR, buf, n);
}

static void rmib_vb_trap_oid(struct vbuild *b, enum subagent_notif n)
{
	oid trap[SUBAGENT_ROOT_LEN + 2];

	memcpy(trap, root_oid, sizeof(root_oid));
	trap[SUBAGENT_ROOT_LEN] = 0;
	trap[SUBAGENT_ROOT_LEN + 1] = (oid)n;
	if (!snmp_varlist_add_variable(&b->vars, snmptrap_oid, OID_LENGTH(snmptrap_oid),
				       ASN_OBJECT_ID, trap, sizeof(trap)))
		b->failed = true;
}

/* redmonNotifSeq (its low 32 bits) and redmonNotifText. */
static void rmib_vb_seq_msg(struct vbuild *b, uint64_t seq, const char *text)
{
	rmib_vb_int(b, SUB_NOTIF, NO_SEQ, 0, 0, ASN_UNSIGNED, (long)(seq & 0xffffffffu));
	rmib_vb_add(b, SUB_NOTIF, NO_TEXT, 0, 0, ASN_OCTET_STR, text, strlen(text));
}

static void rmib_vb_seq_text(struct vbuild *b, struct subagent_mib *m, const struct event *ev)
{
	rmib_vb_seq_msg(b, ev->seq, rmib_event_text(m, ev));
}

/* The varbinds every group notification carries, in the MIB's OBJECTS order. */
static void rmib_vb_group(struct vbuild *b, struct subagent_mib *m, const struct event *ev, long gi)
{
	const struct group *g = ev->group;
	long prev_health = subagent_health_value(g->health), prev_margin = margin_shown(g);

	if (ev->type == EV_HEALTH_CHANGED) {
		prev_health = subagent_health_value(ev->prev_health);
		prev_margin = ev->prev_margin;
	} else if (ev->type == EV_GROUP_APPEARED) {
		prev_health = SUBAGENT_HEALTH_NONE;
		prev_margin = -1;
	}
	rmib_vb_text(b, SUB_GROUPS, GC_ID, gi, 0, g->id);
	rmib_vb_text(b, SUB_GROUPS, GC_NAME, gi, 0, g->name);
	rmib_vb_text(b, SUB_GROUPS, GC_TYPE, gi, 0, g->type);
	rmib_vb_int(b, SUB_NOTIF, NO_PREV_HEALTH, 0, 0, ASN_INTEGER, prev_health);
	rmib_vb_int(b, SUB_GROUPS, GC_HEALTH, gi, 0, ASN_INTEGER, subagent_health_value(g->health));
	rmib_vb_int(b, SUB_NOTIF, NO_PREV_MARGIN, 0, 0, ASN_INTEGER, prev_margin);
	rmib_vb_int(b, SUB_GROUPS, GC_MARGIN, gi, 0, ASN_INTEGER, margin_shown(g));
	rmib_vb_text(b, SUB_GROUPS, GC_REASON, gi, 0, g->reason);
	rmib_vb_seq_text(b, m, ev);
}

/*
 * redmonGroupDegradedSince of a reminder: as the group's row says (in
 * trouble without interruption since), else when its health was announced.
 */
static void rmib_vb_degraded_since(struct vbuild *b, struct subagent_mib *m, const struct event *ev,
				   long gi)
{
	struct sa_probe *p = ev->probe ? rmib_probe_get(m, ev->probe) : NULL;
	const struct sa_group *g = p ? rmib_group_find(p, ev->group->id) : NULL;
	const struct timespec *t = g && g->degraded_since.tv_sec ? &g->degraded_since : &ev->since;
	unsigned char buf[11];
	size_t n = subagent_date_and_time(t, buf);

	rmib_vb_add(b, SUB_GROUPS, GC_DEGRADED_SINCE, gi, 0, ASN_OCTET_STR, buf, n);
}

netsnmp_variable_list *subagent_mib_notif_vars(struct subagent_mib *m, const struct event *ev,
					       enum subagent_notif n)
{
	struct vbuild b = { 0 };
	long gi = 0, pi;

	rmib_vb_trap_oid(&b, n);
	if (ev->group) {
		gi = subagent_index_group(m->idx, ev->group->id);
		if (gi < 0)
			goto fail;
		rmib_vb_group(&b, m, ev, gi);
	}
	switch (n) {
	case SUBAGENT_NOTIF_MEMBER_FAILED:
	case SUBAGENT_NOTIF_MEMBER_RECOVERED: {
		long mi = ev->group && ev->member_name
				  ? subagent_index_member(m->idx, (int)gi, ev->member_name)
				  : -EINVAL;

		if (mi < 0)
			goto fail;
		rmib_vb_text(&b, SUB_MEMBERS, MC_NAME, gi, mi, ev->member_name);
		rmib_vb_int(&b, SUB_NOTIF, NO_PREV_ROLE, 0, 0, ASN_INTEGER,
			    subagent_role_value(ev->member_prev_role));
		rmib_vb_int(&b, SUB_MEMBERS, MC_ROLE, gi, mi, ASN_INTEGER,
			    subagent_role_value(ev->member_role));
		rmib_vb_text(&b, SUB_MEMBERS, MC_STATE, gi, mi, ev->member_state);
		break;
	}
	case SUBAGENT_NOTIF_SECOND_FAILURE_RISK: {
		/* The member at risk; redmonNotifText names its disk and why. */
		long mi = ev->group && ev->member_name
				  ? subagent_index_member(m->idx, (int)gi, ev->member_name)
				  : -EINVAL;

		if (mi < 0)
			goto fail;
		rmib_vb_text(&b, SUB_MEMBERS, MC_NAME, gi, mi, ev->member_name);
		break;
	}
	case SUBAGENT_NOTIF_SPOF_FOUND: {
		char joined[SPOF_JOIN_MAX];

		subagent_spof_join(ev->group, joined, sizeof(joined));
		rmib_vb_text(&b, SUB_GROUPS, GC_SPOF, gi, 0, joined);
		break;
	}
	case SUBAGENT_NOTIF_REBUILD_STARTED:
		rmib_vb_int(&b, SUB_GROUPS, GC_ACTIVITY, gi, 0, ASN_INTEGER,
			    subagent_activity_value(ev->group->activity));
		rmib_vb_int(&b, SUB_GROUPS, GC_PROGRESS, gi, 0, ASN_INTEGER,
			    subagent_progress_tenths(ev->group->progress));
		break;
	case SUBAGENT_NOTIF_REBUILD_FINISHED:
		rmib_vb_int(&b, SUB_NOTIF, NO_PREV_ACTIVITY, 0, 0, ASN_INTEGER,
			    subagent_activity_value(ev->prev_activity));
		rmib_vb_int(&b, SUB_NOTIF, NO_PREV_PROGRESS, 0, 0, ASN_INTEGER,
			    subagent_progress_tenths(ev->prev_progress));
		rmib_vb_int(&b, SUB_GROUPS, GC_ACTIVITY, gi, 0, ASN_INTEGER,
			    subagent_activity_value(ev->group->activity));
		break;
	case SUBAGENT_NOTIF_PROBE_FAILED:
	case SUBAGENT_NOTIF_PROBE_RECOVERED: {
		struct sa_probe *p = ev->probe ? rmib_probe_get(m, ev->probe) : NULL;
		bool failed = n == SUBAGENT_NOTIF_PROBE_FAILED;

		if (!p)
			goto fail;
		pi = p->index;
		rmib_vb_text(&b, SUB_PROBES, PC_NAME, pi, 0, ev->probe);
		rmib_vb_int(&b, SUB_PROBES, PC_STATUS, pi, 0, ASN_INTEGER, failed ? 2 : 1);
		if (failed)
			rmib_vb_text(&b, SUB_PROBES, PC_LAST_ERROR, pi, 0, ev->error);
		else
			rmib_vb_add(&b, SUB_PROBES, PC_LAST_ERROR, pi, 0, ASN_OCTET_STR,
				    p->last_error.shown, p->last_error.len);
		rmib_vb_seq_text(&b, m, ev);
		break;
	}
	case SUBAGENT_NOTIF_TEST:
		rmib_vb_seq_text(&b, m, ev);
		break;
	case SUBAGENT_NOTIF_REMINDER:
		rmib_vb_degraded_since(&b, m, ev, gi);
		break;
	case SUBAGENT_NOTIF_REBUILD_STALLED:
	case SUBAGENT_NOTIF_REBUILD_RESUMED:
		rmib_vb_int(&b, SUB_GROUPS, GC_ACTIVITY, gi, 0, ASN_INTEGER,
			    subagent_activity_value(ev->group->activity));
		rmib_vb_int(&b, SUB_GROUPS, GC_PROGRESS, gi, 0, ASN_INTEGER,
			    subagent_progress_tenths(ev->group->progress));
		break;
	case SUBAGENT_NOTIF_SPARES_MISSING:
		rmib_vb_int(&b, SUB_GROUPS, GC_SPARES, gi, 0, ASN_INTEGER,
			    ev->group->spares < 0 ? 0 : ev->group->spares);
		break;
	case SUBAGENT_NOTIF_MEMBERS_MISSING:
		rmib_vb_int(&b, SUB_GROUPS, GC_TOTAL, gi, 0, ASN_INTEGER,
			    ev->group->members_total < 0 ? -1 : ev->group->members_total);
		break;
	case SUBAGENT_NOTIF_SCRUB_OVERDUE:
		rmib_vb_int(&b, SUB_GROUPS, GC_SCRUB_AGE, gi, 0, ASN_INTEGER,
			    ev->group->scrub_age_s < 0 || ev->group->scrub_last <= 0 ? -1
			    : ev->group->scrub_age_s > INT32_MAX		     ? INT32_MAX
								 : ev->group->scrub_age_s);
		break;
	case SUBAGENT_NOTIF_SCRUB_FOUND_ERRORS:
		rmib_vb_text(&b, SUB_GROUPS, GC_SCRUB_FOUND, gi, 0, ev->group->scrub_found);
		break;
	default:
		break;
	}
	if (!b.failed)
		return b.vars;
fail:
	snmp_free_varbind(b.vars);
	return NULL;
}

netsnmp_variable_list *subagent_mib_test_vars(const struct event *ev)
{
	struct vbuild b = { 0 };
	json_t *j = event_to_json(ev, "");
	const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
	char text[TEXT_MAX + 1];

	subagent_cut(msg ? msg : "", text, TEXT_MAX);
	json_decref(j);
	rmib_vb_trap_oid(&b, SUBAGENT_NOTIF_TEST);
	rmib_vb_seq_msg(&b, ev->seq, text);
	if (!b.failed)
		return b.vars;
	snmp_free_varbind(b.vars);
	return NULL;
}

netsnmp_variable_list *subagent_mib_heartbeat_vars(struct subagent_mib *m)
{
	struct vbuild b = { 0 };

	rmib_vb_trap_oid(&b, SUBAGENT_NOTIF_HEARTBEAT);
	rmib_vb_int(&b, SUB_SCALARS, SC_HEALTH, 0, 0, ASN_INTEGER, subagent_health_value(m->worst));
	rmib_vb_int(&b, SUB_SCALARS, SC_GROUPS, 0, 0, ASN_GAUGE, (long)m->n_groups);
	rmib_vb_int(&b, SUB_SCALARS, SC_ALARMS, 0, 0, ASN_GAUGE, (long)m->n_alarms);
	rmib_vb_int(&b, SUB_SCALARS, SC_LAST_SEQ, 0, 0, ASN_UNSIGNED,
		    (long)(bus_last_seq(m->bus) & 0xffffffffu));
	if (!b.failed)
		return b.vars;
	snmp_free_varbind(b.vars);
	return NULL;
}

/* --- requests ----------------------------------------------------------- */

/*
 * One row of a region that is first, or first at or after (ge) / after (gt)
 * the row index idx.
 */
enum row_pick { PICK_FIRST, PICK_GE, PICK_GT };

static bool rmib_region_row(const struct subagent_mib *m, const struct region *r, const oid *idx,
			    size_t len, enum row_pick pick, struct row_ref *out)
{
	const struct rowset *t = &m->rows[r->table];
	bool exact = false;
	size_t pos = 0;

	if (pick != PICK_FIRST)
		pos = rows_search(t, idx, len, &exact);
	if (exact && pick == PICK_GT)
		pos++;
	if (pos >= t->n)
		return false;
	*out = t->v[pos];
	return true;
}

/*
 * The instance name exactly: its column and row, and 0; else
 * SNMP_NOSUCHOBJECT or SNMP_NOSUCHINSTANCE, as net-snmp's helpers answer.
 */
static int rmib_find_exact(const struct subagent_mib *m, const oid *name, size_t len,
			   const struct column **col, struct row_ref *row)
{
	for (size_t i = 0; i < N_REGIONS; i++) {
		const struct region *r = &regions[i];
		oid e[MAX_OID_LEN];
		size_t elen = rmib_entry_oid(e, r->sub, r->table != T_SCALARS);
		bool exact;
		size_t pos;

		if (len <= elen || netsnmp_oid_is_subtree(e, elen, name, len) != 0)
			continue;
		if (name[elen] < r->min_col || name[elen] > r->max_col ||
		    r->columns[name[elen]].kind == COL_NONE)
			return SNMP_NOSUCHOBJECT;
		*col = &r->columns[name[elen]];
		pos = rows_search(&m->rows[r->table], name + elen + 1, len - elen - 1, &exact);
		if (!exact)
			return SNMP_NOSUCHINSTANCE;
		*row = m->rows[r->table].v[pos];
		return 0;
	}
	return SNMP_NOSUCHOBJECT;
}

/*
 * The first instance after start (at or after it when incl), in OID order
 * over all regions: fills out/out_len, the column and row.
 */
static bool rmib_find_next(const struct subagent_mib *m, const oid *start, size_t slen, bool incl,
			   oid *out, size_t *out_len, const struct column **col,
			   struct row_ref *row)
{
	for (size_t i = 0; i < N_REGIONS; i++) {
		const struct region *r = &regions[i];
		oid e[MAX_OID_LEN];
		size_t elen = rmib_entry_oid(e, r->sub, r->table != T_SCALARS);
		enum row_pick pick = PICK_FIRST;
		const oid *idx = NULL;
		size_t idx_len = 0;
		unsigned c = r->min_col;

		if (netsnmp_oid_is_subtree(e, elen, start, slen) == 0) {
			/* start is inside this region: entry.col.index */
			if (slen > elen) {
				if (start[elen] > r->max_col)
					continue;
				if (start[elen] >= r->min_col) {
					c = (unsigned)start[elen];
					idx = start + elen + 1;
					idx_len = slen - elen - 1;
					if (idx_len)
						pick = incl ? PICK_GE : PICK_GT;
				}
			}
		} else if (snmp_oid_compare(start, slen, e, elen) > 0) {
			continue; /* the whole region is before start */
		}
		for (; c <= r->max_col; c++, pick = PICK_FIRST) {
			if (r->columns[c].kind == COL_NONE ||
			    !rmib_region_row(m, r, idx, idx_len, pick, row))
				continue;
			memcpy(out, e, elen * sizeof(oid));
			out[elen] = c;
			memcpy(out + elen + 1, row->idx, row->idx_len * sizeof(oid));
			*out_len = elen + 1 + row->idx_len;
			*col = &r->columns[c];
			return true;
		}
	}
	return false;
}

/* A Get: vb gets the instance's value, or the exception that says why not. */
static void rmib_answer_get(const struct subagent_mib *m, netsnmp_variable_list *vb)
{
	const struct column *col;
	struct row_ref row;
	int rc = rmib_find_exact(m, vb->name, vb->name_length, &col, &row);

	if (rc == 0)
		rmib_column(col, row.data, vb);
	else
		snmp_set_var_typed_value(vb, (u_char)rc, NULL, 0);
}

/*
 * A GetNext from vb's name (included when incl), before end (end_len 0: no
 * end): vb becomes the instance found with its value; false, and vb is left
 * alone, when there is none.
 */
static bool rmib_answer_next(const struct subagent_mib *m, netsnmp_variable_list *vb, bool incl,
			     const oid *end, size_t end_len)
{
	oid found[MAX_OID_LEN];
	size_t found_len = 0;
	const struct column *col;
	struct row_ref row;

	if (!rmib_find_next(m, vb->name, vb->name_length, incl, found, &found_len, &col, &row) ||
	    (end_len != 0 && snmp_oid_compare(found, found_len, end, end_len) >= 0) ||
	    snmp_set_var_objid(vb, found, found_len) != 0)
		return false;
	rmib_column(col, row.data, vb);
	return true;
}

/*
 * An AgentX GetNext search range (RFC 2741 7.2.3.2): the name is the start,
 * the type says whether it is included, the value is the end (exclusive; a
 * null OID or none means no end).  Out of range: the start, with endOfMibView.
 */
static void rmib_answer_range(const struct subagent_mib *m, netsnmp_variable_list *vb)
{
	oid end[MAX_OID_LEN];
	size_t end_len = 0;

	if (vb->val.objid && vb->val_len >= sizeof(oid)) {
		end_len = vb->val_len / sizeof(oid);
		if (end_len > MAX_OID_LEN)
			end_len = MAX_OID_LEN;
		memcpy(end, vb->val.objid, end_len * sizeof(oid));
		/* agentx_parse() gives a null OID as 0.0 */
		if (end_len == 2 && end[0] == 0 && end[1] == 0)
			end_len = 0;
	}
	if (!rmib_answer_next(m, vb, vb->type == ASN_PRIV_INCL_RANGE, end, end_len))
		snmp_set_var_typed_value(vb, SNMP_ENDOFMIBVIEW, NULL, 0);
}

/* --- Get and GetNext straight from the AgentX stream (agentx_stream.h) ---- */

/* net-snmp's oid and the parser's subidentifiers: the same array type, on every Linux ABI. */
_Static_assert(sizeof(oid) == sizeof(unsigned long) && (oid)-1 > 0,
	       "net-snmp's oid is not an unsigned long");

static void rmib_agentx_get(const struct subagent_mib *m, const struct agentx_oid *name,
			    struct agentx_out *out)
{
	struct agentx_value v = { .type = AGENTX_NO_SUCH_OBJECT };
	const struct column *col;
	struct row_ref row;
	int rc = rmib_find_exact(m, name->sub, name->len, &col, &row);

	if (rc == 0)
		rmib_value(col, row.data, &v);
	else
		v.type = (enum agentx_vtype)rc;
	agentx_put_varbind(out, name, &v);
}

/* As rmib_answer_range(): the first instance in the range, else its start with endOfMibView. */
static void rmib_agentx_next(const struct subagent_mib *m, const struct agentx_range *r,
			     struct agentx_out *out)
{
	struct agentx_oid found;
	struct agentx_value v = { .type = AGENTX_END_OF_MIB_VIEW };
	const struct column *col;
	struct row_ref row;

	if (!rmib_find_next(m, r->start.sub, r->start.len, r->start.include, found.sub, &found.len,
			    &col, &row) ||
	    (r->end.len != 0 &&
	     snmp_oid_compare(found.sub, found.len, r->end.sub, r->end.len) >= 0)) {
		agentx_put_varbind(out, &r->start, &v);
		return;
	}
	rmib_value(col, row.data, &v);
	agentx_put_varbind(out, &found, &v);
}

bool subagent_mib_agentx_answer(const struct subagent_mib *m, const struct agentx_header *h,
				const uint8_t *payload, uint32_t uptime, struct agentx_out *out)
{
	struct agentx_reader r;
	struct agentx_range range;
	int rc;

	agentx_reader_init(&r, h, payload);
	agentx_response_begin(out, h, uptime);
	while ((rc = agentx_next_range(&r, &range)) > 0) {
		if (h->type == AGENTX_GET)
			rmib_agentx_get(m, &range.start, out);
		else
			rmib_agentx_next(m, &range, out);
	}
	return rc == 0 && agentx_response_end(out);
}

/*
 * The master session's callback (subagent_mib_attach()): Get and GetNext in
 * the default context answered here, the rest passed to net-snmp's own.
 * magic is the subagent_mib: net-snmp gives each session one callback and one
 * pointer, so the one it had is kept in m and given back when passing on.
 */
static int rmib_session_callback(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
				 void *magic)
{
	struct subagent_mib *m = magic;
	netsnmp_pdu *resp;

	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu ||
	    (pdu->command != SUBAGENT_AGENTX_GET && pdu->command != SUBAGENT_AGENTX_GETNEXT) ||
	    pdu->community_len != 0 /* a non-default context */)
		return m->next_callback(op, sess, reqid, pdu, m->next_magic);
	/* The answer is the request with its varbinds filled in, as net-snmp's
	 * handle_subagent_response() builds it. */
	resp = snmp_clone_pdu(pdu);
	if (!resp)
		return m->next_callback(op, sess, reqid, pdu, m->next_magic);
	for (netsnmp_variable_list *vb = resp->variables; vb; vb = vb->next_variable) {
		if (pdu->command == SUBAGENT_AGENTX_GET)
			rmib_answer_get(m, vb);
		else
			rmib_answer_range(m, vb);
	}
	resp->command = SUBAGENT_AGENTX_RESPONSE;
	resp->version = sess->version;
	resp->errstat = 0;
	resp->errindex = 0;
	resp->time = netsnmp_get_agent_uptime();
	resp->flags &= ~UCD_MSG_FLAG_EXPECT_RESPONSE;
	if (!snmp_send(sess, resp))
		snmp_free_pdu(resp);
	return 1;
}

void subagent_mib_attach(struct subagent_mib *m, netsnmp_session *session)
{
	if (!session || session->callback == rmib_session_callback)
		return;
	m->next_callback = session->callback;
	m->next_magic = session->callback_magic;
	session->callback = rmib_session_callback;
	session->callback_magic = m;
}

/*
 * net-snmp's pipeline, for what the session callback passes on in the
 * default context (GetBulk from a master that sends it: the bulk_to_next
 * helper makes it GetNext): the same lookups.  The pipeline checks the range
 * itself and goes on to the next subtree when a GetNext varbind is left alone.
 */
static int rmib_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
			netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	const struct subagent_mib *m = reg->my_reg_void;

	(void)h;
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		if (r->processed)
			continue;
		if (ri->mode == MODE_GET)
			rmib_answer_get(m, r->requestvb);
		else if (ri->mode == MODE_GETNEXT)
			rmib_answer_next(m, r->requestvb, r->inclusive, NULL, 0);
	}
	return SNMP_ERR_NOERROR;
}

/* --- setup ------------------------------------------------------------ */

int subagent_mib_new(const struct agg *agg, const struct bus *bus, struct subagent_index *idx,
		     const struct timespec *started, struct subagent_mib **ret)
{
	struct subagent_mib *m = calloc(1, sizeof(*m));
	oid o[SUBAGENT_ROOT_LEN + 1];
	bool listed;

	if (!m)
		return -ENOMEM;
	if (!rmib_row_add(&m->rows[T_SCALARS], m, 0, 0, &listed)) {
		free(m);
		return -ENOMEM;
	}
	m->agg = agg;
	m->bus = bus;
	m->idx = idx;
	m->last_text.type = -1;
	m->started_len = subagent_date_and_time(started, m->started);
	memcpy(o, root_oid, sizeof(root_oid));
	o[SUBAGENT_ROOT_LEN] = 1; /* redmonObjects: one AgentX registration */
	m->reg = netsnmp_create_handler_registration("redmonObjects", rmib_handler, o,
						     OID_LENGTH(o), HANDLER_CAN_RONLY);
	if (!m->reg) {
		subagent_mib_free(m);
		return -ENOMEM;
	}
	m->reg->my_reg_void = m;
	if (netsnmp_register_handler(m->reg) != MIB_REGISTERED_OK) {
		subagent_mib_free(m);
		return -EIO;
	}
	*ret = m;
	return 0;
}

void subagent_mib_free(struct subagent_mib *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_probes; i++) {
		struct sa_probe *p = m->probes[i];

		for (size_t j = 0; j < p->n_groups_rows; j++)
			rmib_group_free(m, p->groups[j]);
		free(p->groups);
		rmib_probe_free(p);
	}
	free(m->probes);
	while (m->alarms) {
		struct sa_alarm *a = m->alarms;

		m->alarms = a->next;
		free(a);
	}
	/* The registration is not undone: it would be an AgentX round trip, and
	 * a master dying meanwhile re-enters net-snmp's callback code.
	 * snmp_shutdown() closed the session, which drops it. */
	for (size_t i = 0; i < T_COUNT_; i++)
		free(m->rows[i].v);
	free(m);
}
