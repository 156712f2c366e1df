/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/probe_thread.c with an in-process plugin: scans on request, scans the
 * plugin asks for from its own fds, failed scans, and a plugin that hangs
 * (reported busy, abandoned by stop, freeing itself once it returns).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../../src/loop_timer.h"
#include "../../src/probe_thread.h"

/* What the test plugin does; one instance at a time. */
static struct {
	int event_fd;	 /* watched by the plugin: readable = "something changed" */
	int block_fd[2]; /* scan() reads block_fd[0] when block is set */
	atomic_bool block;
	int scan_rc;
	atomic_int scans, fini_calls, init_thread_differs;
	int rescans_wanted; /* scan() asks for this many more scans (ops->rescan) */
	bool same_report;   /* every scan reports the same group (else its reason counts scans) */
	pthread_t init_thread;
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
} tp;

static int tp_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	tp.ops = ops;
	tp.h = h;
	tp.init_thread = pthread_self();
	if (ops->events_wanted(h)) {
		int rc = ops->watch_fd(h, tp.event_fd, EPOLLIN);

		if (rc < 0)
			return rc;
	}
	*ret = &tp;
	return 0;
}

static int tp_scan(void *inst)
{
	char reason[32];
	struct redmon_group g = { .name = "g0",
				  .reason = reason,
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 2,
				  .margin = 1,
				  .margin_nominal = 1,
				  .progress = -1 };
	char c;

	(void)inst;
	if (!pthread_equal(pthread_self(), tp.init_thread))
		tp.init_thread_differs = 1;
	if (atomic_load(&tp.block))
		(void)!read(tp.block_fd[0], &c, 1);
	tp.scans++;
	if (tp.rescans_wanted > 0) {
		tp.rescans_wanted--;
		tp.ops->rescan(tp.h);
	}
	/* which scan a result is from */
	snprintf(reason, sizeof(reason), "scan %d", tp.same_report ? 0 : tp.scans);
	if (tp.scan_rc < 0) {
		tp.ops->scan_error(tp.h, "bus %d is gone", 7);
		return tp.scan_rc;
	}
	return tp.ops->report(tp.h, &g);
}

static int tp_on_fd(void *inst, int fd, uint32_t revents)
{
	uint64_t n;

	(void)inst;
	(void)revents;
	(void)!read(fd, &n, sizeof(n));
	return 1;
}

static void tp_fini(void *inst)
{
	(void)inst;
	tp.fini_calls++;
}

static const struct redmon_option_spec tp_options[] = { { 0 } };

static const struct redmon_plugin tp_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "tp",
	.options = tp_options,
	.init = tp_init,
	.fini = tp_fini,
	.scan = tp_scan,
	.on_fd = tp_on_fd,
};

static int setup(void **state)
{
	(void)state;
	memset(&tp, 0, sizeof(tp));
	tp.event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(pipe(tp.block_fd), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(tp.event_fd);
	close(tp.block_fd[0]);
	close(tp.block_fd[1]);
	return 0;
}

static struct probe_thread *start(bool events)
{
	const struct probe_env env = { .root = "/", .root_fd = -1 };
	struct probe_thread *t;
	char why[128];

	assert_int_equal(probe_thread_new(&tp_plugin, &env, events, &t, why, sizeof(why)), 0);
	assert_int_equal(probe_thread_start(t), 0);
	return t;
}

/* Generous: a loaded machine (sanitizers, valgrind, other jobs) may be slow; a pass is fast. */
#define RESULT_TIMEOUT_MS 10000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait up to timeout_ms for a result, sleeping in poll() on the fd the
 * thread signals: 1 and *res as soon as one is there, 0 when none came.
 */
static int wait_result_ms(struct probe_thread *t, struct probe_result *res, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = probe_thread_fd(t), .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (probe_thread_collect(t, res))
			return 1;
		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			fail_msg("poll: %s", strerror(errno));
	}
}

static int wait_result(struct probe_thread *t, struct probe_result *res)
{
	return wait_result_ms(t, res, RESULT_TIMEOUT_MS);
}

/*
 * Wait up to RESULT_TIMEOUT_MS for a state of the thread that no fd signals
 * (the thread inside the plugin, fini() run), checking every millisecond.
 */
#define WAIT_UNTIL(cond)                                                                           \
	do {                                                                                       \
		int64_t deadline_ = now_ms() + RESULT_TIMEOUT_MS;                                  \
		while (!(cond) && now_ms() < deadline_)                                            \
			usleep(1000);                                                              \
		assert_true(cond);                                                                 \
	} while (0)

static void test_scan_on_request(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(false);

	(void)state;
	assert_int_equal(probe_thread_collect(t, &res), 0); /* nothing asked yet */
	probe_thread_request_scan(t);
	assert_int_equal(wait_result(t, &res), 1);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.groups.n, 1);
	assert_string_equal(res.groups.groups[0].id, "tp:g0");
	assert_true(tp.init_thread_differs); /* scan() ran on the probe's thread */
	assert_true(probe_thread_stop(t, 5000));
	assert_int_equal(tp.fini_calls, 1);
	snapshot_free(&res.groups);
}

/* Whether the thread has finished scan number n (it left the plugin and posted or kept it). */
static bool scan_done(struct probe_thread *t, int n)
{
	return atomic_load(&tp.scans) >= n && probe_thread_busy_ms(t) == 0;
}

static bool fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/*
 * A scan that changed nothing (an empty delta) does not wake the owner; the
 * owner's next collect takes it, as an empty delta: the answer is not lost.
 */
static void test_quiet_scan_wakes_nobody(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t;

	(void)state;
	tp.same_report = true;
	t = start(true); /* events: deltas */
	probe_thread_request_scan(t);
	assert_int_equal(wait_result(t, &res), 1); /* the first is whole */
	assert_false(res.groups.delta);
	assert_int_equal(res.groups.n, 1);
	snapshot_clear(&res.groups);

	probe_thread_request_scan(t);
	WAIT_UNTIL(scan_done(t, 2));
	assert_false(fd_readable(probe_thread_fd(t)));
	assert_int_equal(probe_thread_collect(t, &res), 1);
	assert_int_equal(res.rc, 0);
	assert_true(res.groups.delta);
	assert_true(snapshot_is_empty_delta(&res.groups));
	assert_int_equal(probe_thread_collect(t, &res), 0); /* taken once */

	/* A quiet scan, then one with a change: the change is posted, and answers for both. */
	probe_thread_request_scan(t);
	WAIT_UNTIL(scan_done(t, 3));
	tp.same_report = false;
	probe_thread_request_scan(t);
	WAIT_UNTIL(scan_done(t, 4));
	assert_true(fd_readable(probe_thread_fd(t)));
	assert_int_equal(probe_thread_collect(t, &res), 1);
	assert_true(res.groups.delta);
	assert_int_equal(res.groups.n, 1);
	assert_string_equal(res.groups.groups[0].reason, "scan 4");
	assert_false(fd_readable(probe_thread_fd(t))); /* taken: the fd no longer wakes the owner */
	assert_int_equal(probe_thread_collect(t, &res), 0);
	assert_true(probe_thread_stop(t, 5000));
	snapshot_free(&res.groups);
}

static void test_failed_scan_says_why(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(false);

	(void)state;
	tp.scan_rc = -EIO;
	probe_thread_request_scan(t);
	assert_int_equal(wait_result(t, &res), 1);
	assert_int_equal(res.rc, -EIO);
	assert_string_equal(res.error, "bus 7 is gone");
	assert_int_equal(res.groups.n, 0);
	assert_true(probe_thread_stop(t, 5000));
	snapshot_free(&res.groups);
}

/* The plugin's own fd firing leads to a scan nobody asked for (after the settle delay). */
static void test_scan_on_plugin_event(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(true);
	uint64_t one = 1;

	(void)state;
	assert_int_equal(write(tp.event_fd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(wait_result(t, &res), 1);
	assert_int_equal(res.rc, 0);
	assert_int_equal(tp.scans, 1);
	assert_true(probe_thread_stop(t, 5000));
	snapshot_free(&res.groups);
}

/* Without events the plugin is not offered its fds: the write changes nothing. */
static void test_no_events_one_shot(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(false);
	uint64_t one = 1;

	(void)state;
	assert_int_equal(write(tp.event_fd, &one, sizeof(one)), sizeof(one));
	/* The same wait a scan the write caused would end (it ends at once with a result). */
	assert_int_equal(wait_result_ms(t, &res, 200), 0);
	assert_int_equal(tp.scans, 0);
	assert_true(probe_thread_stop(t, 5000));
}

/* Requests made while a scan runs merge into one more scan. */
static void test_requests_merge(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(false);

	(void)state;
	atomic_store(&tp.block, true);
	probe_thread_request_scan(t);
	WAIT_UNTIL(probe_thread_busy_ms(t) > 0 || tp.scans > 0);
	for (int i = 0; i < 5; i++)
		probe_thread_request_scan(t);
	atomic_store(&tp.block, false);
	assert_int_equal(write(tp.block_fd[1], "x", 1), 1);
	/* The first scan's result may be replaced by the second's before it is collected. */
	do {
		assert_int_equal(wait_result(t, &res), 1);
		assert_int_equal(res.groups.n, 1);
	} while (strcmp(res.groups.groups[0].reason, "scan 2") != 0);
	/* A third scan would give a result within this wait. */
	assert_int_equal(wait_result_ms(t, &res, 200), 0);
	assert_int_equal(tp.scans, 2);
	assert_true(probe_thread_stop(t, 5000));
	snapshot_free(&res.groups);
}

/*
 * A scan that asks for another (ops->rescan: it set a watch after reading)
 * gets exactly one more at once, whose result replaces or follows its own.
 */
static void test_plugin_asks_rescan(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(false);

	(void)state;
	tp.rescans_wanted = 1;
	probe_thread_request_scan(t);
	do {
		assert_int_equal(wait_result(t, &res), 1);
		assert_int_equal(res.groups.n, 1);
	} while (strcmp(res.groups.groups[0].reason, "scan 2") != 0);
	assert_int_equal(wait_result_ms(t, &res, 200), 0); /* and no third */
	assert_int_equal(tp.scans, 2);
	assert_true(probe_thread_stop(t, 5000));
	snapshot_free(&res.groups);
}

/*
 * A scan that does not return: busy grows, stop gives up and abandons the
 * thread, which runs fini() and frees itself once the scan returns.
 */
static void test_hung_scan_abandoned(void **state)
{
	struct probe_result res = { 0 };
	struct probe_thread *t = start(false);

	(void)state;
	atomic_store(&tp.block, true);
	probe_thread_request_scan(t);
	WAIT_UNTIL(probe_thread_busy_ms(t) >= 20);
	assert_int_equal(probe_thread_collect(t, &res), 0);
	assert_false(probe_thread_any_abandoned());
	assert_false(probe_thread_stop(t, 20));
	assert_true(probe_thread_any_abandoned());
	assert_int_equal(tp.fini_calls, 0);
	assert_int_equal(write(tp.block_fd[1], "x", 1), 1); /* the scan returns */
	WAIT_UNTIL(tp.fini_calls > 0);
	assert_int_equal(tp.fini_calls, 1);
}

static int tp_init_fails(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	(void)ops;
	(void)h;
	(void)ret;
	return -ENODEV;
}

static void test_init_failure_says_why(void **state)
{
	struct redmon_plugin bad = tp_plugin;
	const struct probe_env env = { .root = "/", .root_fd = -1 };
	struct probe_thread *t = NULL;
	char why[128];

	(void)state;
	bad.init = tp_init_fails;
	assert_int_equal(probe_thread_new(&bad, &env, true, &t, why, sizeof(why)), -ENODEV);
	assert_non_null(strstr(why, "init failed"));
	assert_null(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_on_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_scan_wakes_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_scan_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_on_plugin_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_events_one_shot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plugin_asks_rescan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_failure_says_why, setup, teardown),
		/* last: it leaves the "abandoned" mark set for the process */
		cmocka_unit_test_setup_teardown(test_hung_scan_abandoned, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
