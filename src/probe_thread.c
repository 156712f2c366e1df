/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "probe_thread.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop_timer.h"

/*
 * After a notification, wait before scanning: one change causes a burst of
 * them, and a half-applied change must not be reported as two.  The delay
 * grows to as long as the last scan took, up to SETTLE_MAX_MS.
 */
#define SETTLE_MS     5
#define SETTLE_MAX_MS 1000

struct probe_thread {
	struct probe *p;
	const struct redmon_plugin *plugin;
	struct probe_watcher watcher;
	pthread_t thread;
	bool started;
	int epfd;      /* the plugin's fds, wake_fd and settle_fd */
	int wake_fd;   /* eventfd: the owner asked for something (scan, stop) */
	int settle_fd; /* timerfd: the settle delay after a notification */
	int done_fd;   /* eventfd: a result is waiting for the owner (have_result) */
	/* the thread's own */
	uint64_t settle_ms;
	bool settle_armed;
	bool settled; /* the settle delay ran out: the next scan is notification-driven */

	pthread_mutex_t lock; /* guards everything below */
	bool scan_requested, stop, abandoned, exited;
	bool want_whole;     /* the owner could not apply a delta: the next scan is whole */
	uint64_t busy_since; /* mono_ms() when it entered the plugin; 0: not in it */
	bool have_result;
	struct probe_result result;
	/*
	 * A scan since the last collect changed nothing (an empty delta): it
	 * did not wake the owner, which takes it, as an empty delta, at its
	 * next collect (probe_thread.h).
	 */
	bool quiet_pending;
};

static void poke(int fd)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is full, the reader is woken anyway. */
	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
}

/* Start the settle delay (ms > 0) or stop it (0). */
static void set_settle(struct probe_thread *r, uint64_t ms)
{
	struct itimerspec its = { .it_value = { (time_t)(ms / 1000),
						(long)(ms % 1000) * 1000000 } };

	r->settle_armed = timerfd_settime(r->settle_fd, 0, &its, NULL) == 0 && ms;
}

static void set_busy(struct probe_thread *r, bool busy)
{
	pthread_mutex_lock(&r->lock);
	r->busy_since = busy ? mono_ms() : 0;
	pthread_mutex_unlock(&r->lock);
}

static int watch_fd(void *ctx, struct probe *p, int fd, uint32_t events)
{
	struct probe_thread *r = ctx;
	struct epoll_event ev = { .events = events, .data.fd = fd };

	(void)p;
	if (fd == r->wake_fd || fd == r->settle_fd)
		return -EINVAL;
	return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void unwatch_fd(void *ctx, struct probe *p, int fd)
{
	struct probe_thread *r = ctx;

	(void)p;
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void probe_thread_free(struct probe_thread *r)
{
	const int fds[] = { r->epfd, r->wake_fd, r->settle_fd, r->done_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	snapshot_free(&r->result.groups);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int probe_thread_new(const struct redmon_plugin *plugin, const struct probe_env *env, bool events,
		     struct probe_thread **ret, char *why, size_t whylen)
{
	struct probe_thread *r = calloc(1, sizeof(*r));
	struct probe_env penv = *env;
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	if (!r)
		return -ENOMEM;
	r->plugin = plugin;
	r->settle_ms = SETTLE_MS;
	pthread_mutex_init(&r->lock, NULL);
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->settle_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	r->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->epfd < 0 || r->wake_fd < 0 || r->settle_fd < 0 || r->done_fd < 0)
		goto fail;
	for (size_t i = 0; i < 2; i++) {
		ev.data.fd = i ? r->settle_fd : r->wake_fd;
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			goto fail;
	}
	r->watcher = (struct probe_watcher){ .watch = watch_fd, .unwatch = unwatch_fd, .ctx = r };
	penv.watcher = events ? &r->watcher : NULL;
	rc = probe_new(plugin, &penv, &r->p);
	if (rc == 0) {
		/* The daemon applies every result in order: a scan may hand over only changes. */
		if (events)
			probe_enable_delta(r->p);
		*ret = r;
		return 0;
	}
	snprintf(why, whylen, "init failed: %s", strerror(-rc));
	probe_thread_free(r);
	return rc;
fail:
	rc = -errno;
	snprintf(why, whylen, "cannot set up its thread: %s", strerror(-rc));
	probe_thread_free(r);
	return rc;
}

static void run_scan(struct probe_thread *r)
{
	uint64_t took;
	bool quiet;
	int rc;

	if (r->settle_armed)
		set_settle(r, 0); /* this scan sees whatever the notifications were about */
	if (r->settled)
		probe_answers_event(r->p); /* no whole handover to delay the event */
	/*
	 * A result not yet collected is replaced by this one: a delta must not
	 * be, so this scan is whole.
	 */
	pthread_mutex_lock(&r->lock);
	if (r->want_whole || r->have_result)
		probe_want_whole(r->p);
	r->want_whole = false;
	pthread_mutex_unlock(&r->lock);
	set_busy(r, true);
	rc = probe_scan(r->p);
	took = mono_ms() - r->busy_since; /* ours alone to write: read without the lock */
	quiet = rc == 0 && snapshot_is_empty_delta(probe_groups(r->p));
	pthread_mutex_lock(&r->lock);
	r->busy_since = 0;
	if (probe_rescan_wanted(r->p))
		r->scan_requested = true;
	if (quiet) {
		/*
		 * Nothing to apply: waking the owner (and its sleep again) costs
		 * about a tenth of a small scan.  The probe's empty snapshot
		 * stays, cleared by the next scan.
		 */
		r->quiet_pending = true;
		pthread_mutex_unlock(&r->lock);
	} else {
		r->result.rc = rc;
		snprintf(r->result.error, sizeof(r->result.error), "%s",
			 rc < 0 && probe_error(r->p) ? probe_error(r->p) : "");
		if (rc == 0) {
			struct snapshot tmp = r->result.groups;

			r->result.groups = *probe_groups(r->p);
			*probe_groups(r->p) = tmp; /* cleared by the next scan */
		}
		r->have_result = true;
		/* Under the lock: done_fd is readable exactly while have_result is set. */
		poke(r->done_fd);
		pthread_mutex_unlock(&r->lock);
	}
	/*
	 * Settle as long as the last notification-driven scan took: a tree that
	 * never stops changing then costs at most half a core.  A periodic scan
	 * says nothing about that and must not delay the next change.
	 */
	if (r->settled)
		r->settle_ms = took < SETTLE_MS	      ? SETTLE_MS
			       : took > SETTLE_MAX_MS ? SETTLE_MAX_MS
						      : took;
	r->settled = false;
}

static void plugin_fd(struct probe_thread *r, int fd, uint32_t revents)
{
	int rc;

	set_busy(r, true);
	rc = probe_on_fd(r->p, fd, revents);
	set_busy(r, false);
	if (rc < 0)
		log_warn("probe %s: event handling failed: %s", r->plugin->name, strerror(-rc));
	/* An error also asks for a scan: the scan will say what is wrong. */
	if (rc != 0 && !r->settle_armed)
		set_settle(r, r->settle_ms);
}

static void wait_and_dispatch(struct probe_thread *r)
{
	struct epoll_event ev[16];
	int n = epoll_wait(r->epfd, ev, 16, -1);

	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;

		if (fd == r->wake_fd) {
			drain(fd); /* the flags say what was asked */
		} else if (fd == r->settle_fd) {
			drain(fd);
			r->settle_armed = false;
			r->settled = true;
			pthread_mutex_lock(&r->lock);
			r->scan_requested = true;
			pthread_mutex_unlock(&r->lock);
		} else {
			plugin_fd(r, fd, ev[i].events);
		}
	}
}

static void *probe_thread_main(void *arg)
{
	struct probe_thread *r = arg;
	bool abandoned;

	for (;;) {
		bool stop, scan;

		pthread_mutex_lock(&r->lock);
		stop = r->stop;
		scan = r->scan_requested;
		r->scan_requested = false;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
		if (scan)
			run_scan(r);
		else
			wait_and_dispatch(r);
	}
	set_busy(r, true);
	probe_free(r->p); /* fini() on the thread that ran the plugin */
	r->p = NULL;
	pthread_mutex_lock(&r->lock);
	r->busy_since = 0;
	r->exited = true;
	abandoned = r->abandoned;
	pthread_mutex_unlock(&r->lock);
	if (abandoned)
		probe_thread_free(r); /* its owner gave up on it long ago */
	return NULL;
}

int probe_thread_start(struct probe_thread *r)
{
	sigset_t all, old;
	int rc;

	/* Signals are the main thread's (signalfd): never delivered here. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, probe_thread_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -rc;
	r->started = true;
	return 0;
}

void probe_thread_request_scan(struct probe_thread *r)
{
	pthread_mutex_lock(&r->lock);
	r->scan_requested = true;
	pthread_mutex_unlock(&r->lock);
	poke(r->wake_fd);
}

void probe_thread_want_whole(struct probe_thread *r)
{
	pthread_mutex_lock(&r->lock);
	r->want_whole = true;
	pthread_mutex_unlock(&r->lock);
}

int probe_thread_fd(const struct probe_thread *r)
{
	return r->done_fd;
}

int probe_thread_collect(struct probe_thread *r, struct probe_result *res)
{
	struct snapshot mine = res->groups;

	pthread_mutex_lock(&r->lock);
	if (!r->have_result && !r->quiet_pending) {
		pthread_mutex_unlock(&r->lock);
		return 0;
	}
	r->quiet_pending = false; /* a result posted after it answers for it too */
	if (!r->have_result) {
		pthread_mutex_unlock(&r->lock);
		snapshot_clear(&res->groups);
		res->groups.delta = true; /* empty: changes nothing */
		res->rc = 0;
		res->error[0] = '\0';
		return 1;
	}
	*res = r->result;
	r->result.groups = mine;
	r->have_result = false;
	/* Only a posted result makes done_fd readable: taking a quiet one costs no read. */
	drain(r->done_fd);
	pthread_mutex_unlock(&r->lock);
	return 1;
}

uint64_t probe_thread_busy_ms(struct probe_thread *r)
{
	uint64_t ms;

	pthread_mutex_lock(&r->lock);
	ms = r->busy_since ? mono_ms() - r->busy_since : 0;
	pthread_mutex_unlock(&r->lock);
	return ms;
}

static atomic_bool any_abandoned;

bool probe_thread_any_abandoned(void)
{
	return atomic_load(&any_abandoned);
}

/* An abandoned thread still runs the plugin's code: keep the library mapped for good. */
static void pin_plugin(const struct redmon_plugin *plugin)
{
	Dl_info info;

	if (dladdr((const void *)plugin->scan, &info) && info.dli_fname)
		dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
}

bool probe_thread_stop(struct probe_thread *r, uint64_t timeout_ms)
{
	int64_t deadline = wall_ms() + (int64_t)timeout_ms;
	struct timespec until = { (time_t)(deadline / 1000), (long)(deadline % 1000) * 1000000 };

	if (!r)
		return true;
	if (!r->started) {
		probe_free(r->p);
		probe_thread_free(r);
		return true;
	}
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_mutex_unlock(&r->lock);
	poke(r->wake_fd);
	if (pthread_timedjoin_np(r->thread, NULL, &until) != 0) {
		bool abandon;

		pthread_mutex_lock(&r->lock);
		abandon = r->abandoned = !r->exited;
		pthread_mutex_unlock(&r->lock);
		if (abandon) {
			pthread_detach(r->thread);
			atomic_store(&any_abandoned, true);
			pin_plugin(r->plugin);
			return false;
		}
		pthread_join(r->thread, NULL); /* it ended just after the wait gave up */
	}
	probe_thread_free(r);
	return true;
}
