/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State across restarts: the last announced snapshot of every probe, when
 * each group's health was announced, and the event sequence, in
 * <state_dir>/state.json (written atomically, with a checksum).  On start the
 * aggregator is primed from it, so a change made while redmon was down is
 * reported as that change and nothing announced is announced again.  A file
 * that does not validate is renamed aside (state.json.corrupt-<time>).
 *
 * The sequence is reserved ahead: a saved file covers STATE_SEQ_RESERVE more
 * events than were emitted, and emitting past the reservation saves first,
 * so even after SIGKILL no sequence number (no idempotency key) is used
 * twice.  A clean stop saves the exact number.
 *
 * A failed save (ENOSPC, EDQUOT, EIO, EROFS) keeps the old file, is logged
 * once per episode and retried at each scan.  Events never wait for it: the
 * reservation then goes to <state_dir>/state.seq, a fixed-length mark
 * overwritten in place (no new blocks); a start continues after the higher.
 */
#ifndef REDMON_STATE_H
#define REDMON_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"

struct agg;

#define STATE_FORMAT	  "redmon-state"
#define STATE_VERSION	  1
#define STATE_SEQ_RESERVE 64
#define STATE_MARK_FILE	  "state.seq"

/* The highest sequence number a saved file (state.json or the mark) may hold: bus.h says why. */
#define STATE_SEQ_MAX	   BUS_SEQ_MAX
#define STATE_SEQ_MAX_TEXT BUS_SEQ_MAX_TEXT

/*
 * What a saved snapshot is about: one for another host, root or set of sinks
 * is other hardware or other people's news, and only its sequence is kept.
 */
struct state_id {
	const char *host;
	const char *root;
	const char *sinks; /* sink_set_fingerprint(); read at each save (a reload may change it) */
};

/* FNV-1a (64 bit) of text: a checksum against torn or edited files, not a MAC. */
uint64_t state_hash(const char *text);

/* The state document for a, whose last event was seq (a new reference, NULL on allocation failure). */
json_t *state_to_json(const struct agg *a, const struct state_id *id, uint64_t seq,
		      uint64_t seq_reserved, const struct timespec *now);

/*
 * Validate doc whole (format, version, checksum, a sequence within
 * STATE_SEQ_MAX, every group against the health rule) and prime a (no probes
 * yet) from it.  0; -ESTALE: valid but for another state_id (only the
 * sequence is taken); -EBADMSG: why says where, a untouched, *ret_seq set
 * still when a sequence could be read (a floor); -ENOMEM.  *ret_seq: the
 * sequence to continue after.
 */
int state_from_json(json_t *doc, const struct state_id *id, struct agg *a, uint64_t *ret_seq,
		    char *why, size_t len);

struct state;

/*
 * Daemon start: create and lock dir (one daemon per state directory), read
 * state.json into a and *ret_seq (after the higher of its reservation and
 * state.seq; the caller raises the bus's), open state.seq for writing in
 * place; logs.  A missing, foreign or corrupt file: a fresh start (0).  Run
 * as root in a directory the service user owns, it never follows, waits on
 * or writes through a symlink, FIFO or hard link.  -EBUSY when another
 * process holds the lock, other -errno when dir is unusable (logged).
 */
int state_open(const char *dir, const struct state_id *id, struct agg *a, uint64_t *ret_seq,
	       struct state **ret);

/*
 * Save a and seq, the bus's last (final: the clean stop, the exact
 * sequence).  A failure keeps the old file, is logged once per run of
 * failures (again when the error changes) and leaves it dirty: the next
 * scan retries.
 */
void state_save(struct state *st, const struct agg *a, uint64_t seq, bool final);

/* Before seq goes out: save (or mark) a reservation covering it first.  Never holds seq back. */
void state_reserve(struct state *st, const struct agg *a, uint64_t seq);

/* Whether a save is due: events went out since the last one (seq: the bus's last). */
bool state_dirty(const struct state *st, uint64_t seq);

/* NULL is a no-op.  Releases the lock. */
void state_close(struct state *st);

#endif
