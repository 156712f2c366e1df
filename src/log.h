/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging for the orchestration code: stderr or syslog, one line per call. */
#ifndef REDMON_LOG_H
#define REDMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

enum log_target { LOG_TARGET_STDERR = 0, LOG_TARGET_SYSLOG };

/* Set where lines go and the most verbose level written (LOG_ERR..LOG_DEBUG). */
void log_setup(enum log_target target, int max_level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The last error-level line logged, or NULL. */
const char *log_last_error(void);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
