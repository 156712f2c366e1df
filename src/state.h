/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State across restarts: the last announced snapshot of every probe, when
 * each group's health was announced, and the event sequence, in
 * <state_dir>/state.json (written atomically, with a checksum).
 *
 * On start the aggregator is primed from it, so the first scan is diffed
 * against what was last announced: a change made while redmon was down is
 * reported as that change, nothing already announced is announced again as
 * new, and the sequence continues.  A file that does not validate is renamed
 * aside (state.json.corrupt-<time>) and never trusted.
 *
 * The sequence is reserved ahead: a saved file covers STATE_SEQ_RESERVE more
 * events than were emitted, and emitting past the reservation saves first,
 * so even after SIGKILL no sequence number (and no idempotency key) is used
 * twice.  A clean stop saves the exact number.
 *
 * A save that fails (a full disk: ENOSPC, EDQUOT; EIO, EROFS) leaves the old
 * file as it was, is logged once per episode and retried at each scan; the
 * first save that works writes the whole current state and logs the end.
 * Events never wait for the state: while state.json cannot be written, the
 * reservation goes to <state_dir>/state.seq, a fixed-length mark that is
 * overwritten in place (no new blocks), and a start continues after the
 * higher of the two.
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
 * What a saved snapshot is about.  A snapshot saved for another host, root
 * or set of sinks describes other hardware, or was announced to other
 * people: only its sequence number is kept.
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
 * STATE_SEQ_MAX, every group against the health rule) and prime a, which
 * has no probes yet, from it.  Returns 0;
 * -ESTALE when it is valid but saved for another state_id (only the
 * sequence is taken); -EBADMSG when it does not validate (why says where; a
 * left untouched, but *ret_seq is set when a sequence number could still be
 * read, as a floor); -ENOMEM.  *ret_seq: the sequence to continue after.
 */
int state_from_json(json_t *doc, const struct state_id *id, struct agg *a, uint64_t *ret_seq,
		    char *why, size_t len);

struct state;

/*
 * Daemon start: create and lock dir (one daemon per state directory), read
 * state.json into a and *ret_seq (the sequence continues after the higher
 * of its reservation and state.seq; the caller raises the bus's), open state.seq for writing in place, and log what happened.
 * A missing, foreign or corrupt file is logged and redmon starts fresh (0).
 * It runs as root in a directory the service user owns: a symlink, FIFO or
 * hard link in place of a file is never followed, waited on or written
 * through (a corrupt file, or -EPERM for the lock).  Returns -EBUSY when
 * another process holds the lock, other -errno when dir is unusable (logged).
 */
int state_open(const char *dir, const struct state_id *id, struct agg *a, uint64_t *ret_seq,
	       struct state **ret);

/*
 * Save a and seq, the bus's last (after a change that produced events;
 * final: the clean stop, with the exact sequence).  A failure keeps the old file, is logged once per run
 * of failures (again when the error changes) and leaves a dirty, so the next
 * scan retries; the save that works again is logged.
 */
void state_save(struct state *st, const struct agg *a, uint64_t seq, bool final);

/*
 * Before seq goes out: save first if the saved reservation does not cover it
 * (while saves fail, reserve in the mark instead).  Never holds seq back.
 */
void state_reserve(struct state *st, const struct agg *a, uint64_t seq);

/* Whether a save is due: events went out since the last one (seq: the bus's last). */
bool state_dirty(const struct state *st, uint64_t seq);

/* NULL is a no-op.  Releases the lock. */
void state_close(struct state *st);

#endif
