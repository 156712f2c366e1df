/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of an alert mail (docs/alerts.md, "Mail"): a subject with the
 * severity first, and a plain-text body a person reads before anything else
 * — what happened, the reason, the members, what the group still tolerates,
 * a rebuild's progress — then the details and the JSON.  A mail may carry a
 * burst of events of one group: each event is rendered once, when it
 * arrives (struct mail_part), and the mail is put together when the burst
 * ends (mail_body()).
 *
 * Names reach the text escaped to one line (text_one_line_dup()): a name
 * holding a newline cannot start a line of its own, let alone a header.
 * Prose is wrapped at 78 columns where words allow (RFC 5322 section 2.1.1).
 */
#ifndef REDMON_MAIL_RENDER_H
#define REDMON_MAIL_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "sink.h"

#define MAIL_WIDTH 78

/* One event of a mail, rendered when it arrived; strings owned. */
struct mail_part {
	enum event_severity severity;
	char *headline; /* the event's sentence, on one line */
	char *details;	/* "Details" lines, wrapped, ending in a newline */
	char *json;	/* the event as indented JSON, ending in a newline */
};

/* Render a's event into *ret (filled only on success); 0 or -ENOMEM. */
int mail_part_new(const struct alert *a, struct mail_part *ret);
/* Free what p holds (not p itself); a zeroed part is a no-op. */
void mail_part_clear(struct mail_part *p);

/*
 * The subject, without "Subject: ", as raw bytes for put_encoded(): severity
 * first, then what ev leaves its group in ("[redmon] CRITICAL: md:md1 on db1
 * is critical (tolerates no further failure)") or, without a group, its
 * sentence.  sev is the worst of the mail's events.  Escaped to one line.
 */
void mail_subject(const struct event *ev, enum event_severity sev, const char *host, char *buf,
		  size_t len);

/*
 * What ev leaves its group in, for a person: the reason, the members (role,
 * state, bay, device, disk risk), what it still tolerates in words, a
 * rebuild's progress and time left, hidden single points of failure.
 * Nothing for an event without a group.  Written to a new string (*ret,
 * "" for none); 0 or -ENOMEM.
 */
int mail_group_text(const struct event *ev, char **ret);

/*
 * The body: the headlines of parts[0..n) in order (one sentence for one
 * event, a numbered list for a burst of group), the group text (as the last
 * event left it), "Details:" of each event, then the JSON of each.
 */
int mail_body(FILE *f, const struct mail_part *parts, size_t n, const char *group,
	      const char *group_text, const char *host);

/*
 * text (one line) wrapped at MAIL_WIDTH between words, the first line after
 * first (already written by the caller, its width first_col), the next ones
 * indented by indent; a word longer than a line stays whole.
 */
void mail_wrap(FILE *f, size_t first_col, const char *indent, const char *text);

#endif
