/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <pthread.h>
#include <stdio.h>

static enum log_target log_target = LOG_TARGET_STDERR;
static _Atomic int log_max_level = LOG_NOTICE;
static char last_error[1024]; /* for `redmon check`, which must say why on stdout */
/* Probe threads log too: one line at a time, and last_error whole. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",	  [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

void log_setup(enum log_target target, int max_level)
{
	pthread_mutex_lock(&log_lock);
	if (target == LOG_TARGET_SYSLOG && log_target != LOG_TARGET_SYSLOG)
		openlog("redmon", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (target != LOG_TARGET_SYSLOG && log_target == LOG_TARGET_SYSLOG)
		closelog();
	log_target = target;
	log_max_level = max_level;
	pthread_mutex_unlock(&log_lock);
}

/* Control characters (a device name with a newline) are replaced: no forged lines. */
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int off = 0;

	if (level > log_max_level)
		return;
	if (prefix)
		off = snprintf(line, sizeof(line), "%s: ", prefix);
	if (off < 0 || (size_t)off >= sizeof(line))
		off = 0;
	vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	for (char *p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	pthread_mutex_lock(&log_lock);
	if (level <= LOG_ERR)
		snprintf(last_error, sizeof(last_error), "%s", line);
	if (log_target == LOG_TARGET_SYSLOG)
		syslog(level, "%s", line);
	else
		fprintf(stderr, "redmon: %s: %s\n",
			level >= 0 && level <= LOG_DEBUG ? level_names[level] : "log", line);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, NULL, fmt, ap);
	va_end(ap);
}

const char *log_last_error(void)
{
	return last_error[0] ? last_error : NULL;
}
