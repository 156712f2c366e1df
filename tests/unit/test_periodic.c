/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/lib/periodic.c against the fake host: the job runs at once and
 * then every interval, a publication counts a generation and makes the
 * watched eventfd readable (an unchanged one does neither), the run in
 * progress is timed, periodic_stop() returns at once from a long wait and
 * after the run in progress, never starting another, and unwatches the fd
 * before closing it; a one-shot host gets no thread and no fd, and the job
 * runs in periodic_oneshot().
 */
#include "cmocka_all.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "fake_host.h"
#include "../../plugins/lib/periodic.h"

struct job {
	unsigned int sleep_ms; /* each run takes this long */
	bool changed;	       /* what each run publishes */
	/* under the worker's lock */
	int runs;
	uint64_t running_ms; /* periodic_running_ms() at the end of the last run */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void job(void *ctx, struct periodic *w)
{
	struct job *j = ctx;

	sleep_ms(j->sleep_ms);
	periodic_lock(w);
	j->runs++;
	j->running_ms = periodic_running_ms(w);
	periodic_publish(w, j->changed);
	periodic_unlock(w);
}

static int setup(void **state)
{
	*state = fake_host_new(NULL, "periodic");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct redmon_host *h = *state;

	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
	fake_host_free(h);
	return 0;
}

/* Start a worker on h; its eventfd, which the host watches. */
static int start(struct redmon_host *h, uint64_t interval_ms, struct job *j, struct periodic **w)
{
	assert_int_equal(periodic_start(&fake_host_ops, h, interval_ms, job, j, w), 0);
	assert_int_equal(h->n_watched, 1);
	assert_int_equal(h->watched[0].events, EPOLLIN);
	return h->watched[0].fd;
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static int runs(struct periodic *w, struct job *j)
{
	int n;

	periodic_lock(w);
	n = j->runs;
	periodic_unlock(w);
	return n;
}

/* Wait until a run is in progress (the thread has started): how long it has taken. */
static uint64_t wait_running(struct periodic *w)
{
	uint64_t ms = 0;

	for (int i = 0; i < 2000 && !ms; i++) {
		periodic_lock(w);
		ms = periodic_running_ms(w);
		periodic_unlock(w);
		if (!ms)
			sleep_ms(1);
	}
	return ms;
}

static void test_runs_every_interval(void **state)
{
	struct job j = { .changed = true };
	struct periodic *w = NULL;
	int fd = start(*state, 20, &j, &w);
	uint64_t gen;

	for (int seen = 0; seen < 3;) {
		assert_true(readable(fd, 2000));
		assert_int_equal(periodic_on_fd(NULL, fd, EPOLLIN), 1);
		assert_false(readable(fd, 0)); /* read empty */
		gen = periodic_lock(w);
		assert_true(gen > (uint64_t)seen);
		assert_int_equal(gen, (uint64_t)j.runs);
		seen = (int)gen;
		periodic_unlock(w);
	}
	periodic_stop(w);
}

static void test_unchanged_is_quiet(void **state)
{
	struct job j = { .sleep_ms = 30, .changed = false };
	struct periodic *w = NULL;
	int fd = start(*state, 10, &j, &w);

	while (runs(w, &j) < 2)
		sleep_ms(5);
	assert_false(readable(fd, 0));
	assert_int_equal(periodic_lock(w), 0);
	assert_true(j.running_ms >= 25); /* the run was timed while it ran */
	periodic_unlock(w);
	periodic_stop(w);
}

static void test_running_ms(void **state)
{
	struct job j = { .sleep_ms = 100, .changed = true };
	struct periodic *w = NULL;
	int fd = start(*state, 60000, &j, &w);

	assert_in_range(wait_running(w), 1, 99); /* mid-run */
	assert_true(readable(fd, 2000));
	periodic_lock(w);
	assert_int_equal(periodic_running_ms(w), 0); /* between runs */
	periodic_unlock(w);
	periodic_stop(w);
}

static void test_stop_mid_wait(void **state)
{
	struct job j = { .changed = true };
	struct periodic *w = NULL;
	int fd = start(*state, 3600000, &j, &w);
	uint64_t t;

	assert_true(readable(fd, 2000));
	t = now_ms();
	periodic_stop(w);
	assert_true(now_ms() - t < 500);
	assert_int_equal(j.runs, 1);
}

static void test_stop_mid_run(void **state)
{
	struct job j = { .sleep_ms = 100, .changed = true };
	struct periodic *w = NULL;
	uint64_t t;

	start(*state, 0, &j, &w);
	assert_true(wait_running(w) < 50);
	t = now_ms();
	periodic_stop(w); /* waits for the run, starts no other */
	assert_in_range(now_ms() - t, 40, 1000);
	assert_int_equal(j.runs, 1);
}

static void test_oneshot(void **state)
{
	struct redmon_host *h = *state;
	struct job j = { .changed = true };
	struct periodic *w = NULL;

	h->events = false;
	assert_int_equal(periodic_start(&fake_host_ops, h, 10, job, &j, &w), 0);
	assert_int_equal(h->n_watched, 0);
	sleep_ms(30);
	assert_int_equal(runs(w, &j), 0); /* no thread */
	periodic_oneshot(w);
	assert_int_equal(periodic_lock(w), 1);
	assert_int_equal(j.runs, 1);
	assert_int_equal(periodic_running_ms(w), 0);
	periodic_unlock(w);
	periodic_stop(w);
	periodic_stop(NULL);
}

static void test_oneshot_is_nothing_with_a_thread(void **state)
{
	struct job j = { .changed = true };
	struct periodic *w = NULL;
	int fd = start(*state, 3600000, &j, &w);

	assert_true(readable(fd, 2000));
	periodic_oneshot(w);
	assert_int_equal(runs(w, &j), 1);
	periodic_stop(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs_every_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_is_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running_ms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_mid_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_mid_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oneshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oneshot_is_nothing_with_a_thread, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
