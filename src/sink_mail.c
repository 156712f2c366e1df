/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mail through the local sendmail program (`sendmail -t -oi`, as mdadm's
 * MAILADDR and smartd's -m do), run by the same runner as exec hooks: no
 * shell, bounded queue, timeout, the program checked as hooks are
 * (trusted_path.h).  Headers never carry raw names: whatever is built from a
 * host, group or member name (the subject, the idempotency key) is escaped to
 * one line (and MIME-encoded when not ASCII), so a name with a newline cannot
 * add a header; mail_to and mail_from hold no control character (config.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"

struct mail_sink {
	char *sendmail;
	char *to;
	char *from; /* NULL: sendmail's default */
	struct runner *runner;
};

static void mail_free(struct mail_sink *m)
{
	runner_free(m->runner);
	free(m->sendmail);
	free(m->to);
	free(m->from);
	free(m);
}

static int mail_open(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen)
{
	struct mail_sink *m = calloc(1, sizeof(*m));
	const char *from = set->mail.from;
	int rc;

	if (!m)
		return -ENOMEM;
	k->timeout_ms = set->mail.timeout_ms;
	m->sendmail = strdup(set->mail.sendmail);
	m->to = strdup(set->mail.to);
	m->from = from ? strdup(from) : NULL;
	rc = m->sendmail && m->to && (!from || m->from)
		     ? runner_new(k, set->mail.queue_max, &m->runner)
		     : -ENOMEM;
	if (rc == 0 && access(m->sendmail, X_OK) < 0) {
		rc = -errno;
		snprintf(err, errlen,
			 "sink %s: %s: %s (install a mail transfer agent, or set "
			 "sendmail)",
			 k->name, m->sendmail, strerror(errno));
	}
	if (rc == 0)
		rc = sink_check_program(k->name, m->sendmail, err, errlen);
	if (rc < 0) {
		mail_free(m);
		return rc;
	}
	k->priv = m;
	return 0;
}

/* RFC 2047 "B" encoding for a header holding UTF-8, in one encoded word per chunk. */
static void put_encoded(FILE *f, const char *s)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	bool ascii = true;

	for (const char *p = s; *p; p++)
		ascii = ascii && (unsigned char)*p < 0x80;
	if (ascii) {
		fputs(s, f);
		return;
	}
	/* 45 bytes a word keeps each line under 78 characters; cut only between characters. */
	for (size_t i = 0; i < n;) {
		size_t chunk = n - i < 45 ? n - i : 45;

		while (chunk < n - i && ((unsigned char)s[i + chunk] & 0xc0) == 0x80)
			chunk--;
		fputs(i ? "\n =?UTF-8?B?" : "=?UTF-8?B?", f); /* sendmail -t takes LF */
		for (size_t j = 0; j < chunk; j += 3) {
			unsigned v = (unsigned char)s[i + j] << 16;
			size_t left = chunk - j;

			if (left > 1)
				v |= (unsigned char)s[i + j + 1] << 8;
			if (left > 2)
				v |= (unsigned char)s[i + j + 2];
			fputc(b64[(v >> 18) & 63], f);
			fputc(b64[(v >> 12) & 63], f);
			fputc(left > 1 ? b64[(v >> 6) & 63] : '=', f);
			fputc(left > 2 ? b64[v & 63] : '=', f);
		}
		fputs("?=", f);
		i += chunk;
	}
}

/* The message sendmail -t reads: headers naming the recipients, a text body, the JSON. */
static int render_mail(const struct mail_sink *m, const struct alert *a, char **ret,
		       size_t *ret_len)
{
	const char *msg = json_string_value(json_object_get(a->json, "message"));
	char *pretty = json_dumps(a->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char subject[600], raw[1200], date[64], key[400];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct tm tm;
	time_t now = time(NULL);

	if (!pretty)
		return -ENOMEM;
	f = open_memstream(&text, &len);
	if (!f) {
		free(pretty);
		return -ENOMEM;
	}
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	/* From the raw sentence: escaped once, to one line. */
	event_message(a->ev, subject, sizeof(subject));
	snprintf(raw, sizeof(raw), "[redmon] %s: %s", a->host, subject);
	text_one_line(raw, subject, sizeof(subject));
	fprintf(f, "To: %s\n", m->to);
	if (m->from)
		fprintf(f, "From: %s\n", m->from);
	fputs("Subject: ", f);
	put_encoded(f, subject);
	fprintf(f,
		"\nDate: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n"
		"X-Redmon-Event: %s\nX-Redmon-Idempotency-Key: ",
		date, event_type_name(a->ev->type));
	text_one_line(a->key, key, sizeof(key));
	put_encoded(f, key);
	fprintf(f, "\n\n%s\n\n-- \nredmon on %s, event %s, severity %s\n\n%s\n", msg ? msg : "",
		a->host, event_type_name(a->ev->type), event_severity_name(event_severity(a->ev)),
		pretty);
	free(pretty);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	*ret_len = len;
	return 0;
}

static struct job *mail_job(struct sink *k, const struct alert *a, bool test)
{
	struct mail_sink *m = k->priv;
	struct job *j = job_new();

	if (!j)
		return NULL;
	j->test = test;
	if (job_arg(j, m->sendmail) < 0 || job_arg(j, "-t") < 0 || job_arg(j, "-oi") < 0 ||
	    job_setenv(j, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    render_mail(m, a, &j->input, &j->input_len) < 0) {
		job_free(j);
		return NULL;
	}
	return j;
}

static void mail_deliver(struct sink *k, const struct alert *a)
{
	struct job *j = mail_job(k, a, false);

	if (!j) {
		sink_result(k, -ENOMEM, true, "out of memory preparing a mail");
		return;
	}
	runner_push(((struct mail_sink *)k->priv)->runner, j);
}

static void mail_test(struct sink *k, const struct alert *a)
{
	struct job *j = mail_job(k, a, true);

	if (!j) {
		sink_test_done(k, -ENOMEM, "out of memory");
		return;
	}
	runner_push(((struct mail_sink *)k->priv)->runner, j);
}

static bool mail_busy(const struct sink *k)
{
	return runner_busy(((struct mail_sink *)k->priv)->runner);
}

static void mail_close(struct sink *k)
{
	mail_free(k->priv);
}

const struct sink_ops sink_mail_ops = {
	.type = "mail",
	.open = mail_open,
	.deliver = mail_deliver,
	.test = mail_test,
	.busy = mail_busy,
	.close = mail_close,
};
