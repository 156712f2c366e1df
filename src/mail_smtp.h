/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mail by SMTP through libcurl (a mail sink's smtp_url), for hosts where no
 * sendmail can run: under the unit's NoNewPrivileges a setuid or setgid
 * sendmail (Postfix's postdrop) cannot, a connection to the local MTA can.
 *
 * Every mail is first written to the sink's spool (spool.h: one fsync'ed
 * file per mail, named by the sequence number of its first event), then
 * sent, in order, one at a time, on the daemon's loop (curl_loop.h).  It is
 * removed only once the server accepted it (250 after DATA).  Where nothing
 * accepts mail it stays spooled: the failure is reported once per run of
 * failures (sink_result()), retried with backoff (1 s doubling to 60 s), and
 * survives a restart.  A mail the server refuses for good (5xx) is set aside
 * as *.rejected.  test-alert sends directly, without the spool.
 */
#ifndef REDMON_MAIL_SMTP_H
#define REDMON_MAIL_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

struct mail_smtp;

/*
 * For sink k: url (smtp:// or smtps://), the envelope sender and recipients
 * from mail_from (NULL: redmon@ the host) and mail_to, the spool (the
 * daemon: <state_dir>/spool/<name>, at most max mails; test-alert: none).
 * 0 and *ret, or -errno with a message in err.
 */
int mail_smtp_new(struct sink *k, const char *url, const char *from, const char *to, size_t max,
		  struct mail_smtp **ret, char *err, size_t errlen);

/* The envelope sender (borrowed): the From: header when mail_from is not set. */
const char *mail_smtp_sender(const struct mail_smtp *m);

/* Spool msg (LF line ends; sent with CRLF) as mail seq, then send what is due. */
void mail_smtp_queue(struct mail_smtp *m, uint64_t seq, const char *msg, size_t len);

/* test-alert: send msg now, without the spool; finishes with sink_test_done(). */
void mail_smtp_test(struct mail_smtp *m, const char *msg, size_t len);

/* A mail in flight (a clean stop waits for it). */
bool mail_smtp_busy(const struct mail_smtp *m);

/* Reload: stop sending; the next set's sink takes over the spool. */
void mail_smtp_retire(struct mail_smtp *m);

/* NULL is a no-op. */
void mail_smtp_free(struct mail_smtp *m);

#endif
