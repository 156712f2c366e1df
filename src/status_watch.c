/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `redmon status --watch`: the daemon's probes and watches without its sinks.
 * A change rescans its probe and redraws the table; a rescan every [daemon]
 * rescan_interval catches what no notification reports.
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "log.h"
#include "loop.h"
#include "loop_timer.h"
#include "probe.h"
#include "runtime.h"
#include "status.h"

struct watch_slot {
	struct watch *w;
	const char *name;
	struct probe *p;
	struct probe_watcher watcher;
	bool pending;
};

struct watch {
	struct runtime *rt;
	struct loop *loop;
	struct agg *agg;
	struct watch_slot *slots;
	size_t n_slots;
	bool color, quit, resized;
};

static void on_fd(void *ctx, int fd, uint32_t revents)
{
	struct watch_slot *s = ctx;

	if (s->p && probe_on_fd(s->p, fd, revents) != 0)
		s->pending = true;
}

static int slot_watch(void *ctx, struct probe *p, int fd, uint32_t events)
{
	struct watch_slot *s = ctx;

	(void)p;
	return loop_add(s->w->loop, fd, events, on_fd, s);
}

static void slot_unwatch(void *ctx, struct probe *p, int fd)
{
	struct watch_slot *s = ctx;

	(void)p;
	loop_del(s->w->loop, fd);
}

static void on_signal(void *ctx, int fd, uint32_t revents)
{
	struct watch *w = ctx;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			w->resized = true;
		else
			w->quit = true;
	}
}

static void scan(struct watch_slot *s)
{
	s->pending = false;
	if (probe_scan(s->p) < 0)
		agg_probe_failed(s->w->agg, s->name, probe_error(s->p), NULL);
	else
		agg_update(s->w->agg, s->name, probe_groups(s->p), NULL);
}

/*
 * One line cut to cols columns: escape sequences (colour) take none, a UTF-8
 * character one; a cut line ends in '>' and, in colour, resets the colour.
 */
static void put_fitted(const char *line, size_t len, size_t cols, bool color, bool newline,
		       FILE *out)
{
	size_t used = 0, i = 0;

	while (i < len) {
		size_t n = 1;

		if (line[i] == '\033') {
			while (i + n < len &&
			       !((line[i + n] >= '@' && line[i + n] <= '~') && n > 1))
				n++;
			fwrite(line + i, 1, n + (i + n < len), out);
			i += n + (i + n < len);
			continue;
		}
		while (i + n < len && ((unsigned char)line[i + n] & 0xC0) == 0x80)
			n++;
		if (used + 1 >= cols && i + n < len) {
			fputc('>', out);
			if (color)
				fputs("\033[0m", out);
			break;
		}
		fwrite(line + i, 1, n, out);
		used++;
		i += n;
	}
	if (newline)
		fputc('\n', out);
}

/* The terminal's size, or 80x24 when it does not say. */
static void term_size(size_t *cols, size_t *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

/*
 * Home, table, clear to the end of the screen: no flicker, no scrollback spam.
 * Fitted to the terminal: lines cut, never wrapped (a wrapped line would
 * scroll the top away); rows beyond the screen counted on the last line.
 */
static void redraw(struct watch *w)
{
	char ts[64], *text = NULL;
	time_t now = time(NULL);
	size_t len = 0, cols, rows, shown = 0, lines = 0;
	struct tm tm;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fprintf(f, "redmon status --watch on %s, %s (Ctrl-C to quit)\n\n", w->rt->host, ts);
	status_print_table(w->agg, w->rt->cli->sort, w->color, f);
	if (fclose(f) != 0) {
		free(text);
		return;
	}
	term_size(&cols, &rows);
	for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
		lines++;
	fputs("\033[H\033[2J", stdout);
	for (const char *p = text; *p && shown + 1 < rows; shown++) {
		size_t n = strcspn(p, "\n");

		/* The last row says what did not fit, unless everything does. */
		if (shown + 2 == rows && lines > rows - 1)
			break;
		put_fitted(p, n, cols, w->color, true, stdout);
		p += n + (p[n] != 0);
	}
	if (shown < lines) {
		char more[96];
		int n = snprintf(more, sizeof(more),
				 "... %zu more line%s (a taller terminal, or --sort worst)",
				 lines - shown, lines - shown == 1 ? "" : "s");

		/* No newline: on the last row it would scroll the first away. */
		put_fitted(more,
			   n < 0		      ? 0
			   : (size_t)n < sizeof(more) ? (size_t)n
						      : sizeof(more) - 1,
			   cols, false, false, stdout);
	}
	fflush(stdout);
	free(text);
}

static int start(struct watch *w)
{
	struct runtime *rt = w->rt;

	w->slots = calloc(rt->plugins.n ? rt->plugins.n : 1, sizeof(*w->slots));
	if (!w->slots)
		return -ENOMEM;
	for (size_t i = 0; i < rt->plugins.n; i++) {
		const struct redmon_plugin *pl = rt->plugins.v[i].desc;
		struct watch_slot *s;
		struct probe_env env = { .cfg = rt->cfg, .root = rt->root, .root_fd = rt->root_fd };

		if (!pl) {
			agg_probe_failed(w->agg, rt->plugins.v[i].path, rt->plugins.v[i].error,
					 NULL);
			continue;
		}
		if (!cfg_probe_enabled(rt->cfg, pl->name))
			continue;
		s = &w->slots[w->n_slots];
		s->w = w;
		s->name = pl->name;
		s->watcher = (struct probe_watcher){ .watch = slot_watch,
						     .unwatch = slot_unwatch,
						     .ctx = s };
		env.watcher = &s->watcher;
		if (probe_new(pl, &env, &s->p) < 0) {
			agg_probe_failed(w->agg, pl->name, "init failed", NULL);
			continue;
		}
		w->n_slots++;
		scan(s);
	}
	return 0;
}

int status_watch(struct runtime *rt, bool color)
{
	struct watch w = { .rt = rt, .color = color };
	uint64_t next;
	sigset_t mask;
	int sigfd = -1, rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	rc = agg_new(&w.agg, rt->cfg->progress_step);
	if (rc == 0)
		rc = runtime_agg_configure(rt->cfg, w.agg);
	if (rc == 0)
		rc = loop_new(&w.loop);
	if (rc == 0) {
		sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
		rc = sigfd < 0 ? -errno : loop_add(w.loop, sigfd, EPOLLIN, on_signal, &w);
	}
	if (rc == 0)
		rc = start(&w);
	if (rc == 0)
		redraw(&w);
	next = mono_ms() + rt->cfg->rescan_interval_ms;
	while (rc == 0 && !w.quit) {
		uint64_t t = mono_ms();
		bool due, changed = false;

		rc = loop_run_once(w.loop, t >= next ? 0 : (int)(next - t));
		if (rc < 0)
			break;
		due = mono_ms() >= next;
		if (due)
			next = mono_ms() + rt->cfg->rescan_interval_ms;
		for (size_t i = 0; i < w.n_slots; i++) {
			if (due || w.slots[i].pending) {
				scan(&w.slots[i]);
				changed = true;
			}
		}
		if ((changed || w.resized) && !w.quit)
			redraw(&w);
		w.resized = false;
	}
	if (rc < 0)
		log_err("status --watch: %s", strerror(-rc));
	for (size_t i = 0; i < w.n_slots; i++)
		probe_free(w.slots[i].p);
	free(w.slots);
	agg_free(w.agg);
	loop_free(w.loop);
	if (sigfd >= 0)
		close(sigfd);
	return rc < 0 ? 1 : 0;
}
