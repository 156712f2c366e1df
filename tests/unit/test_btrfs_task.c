/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the `btrfs scrub status` and `btrfs replace status -1`
 * parsers (plugins/btrfs/btrfs_task.c).  The texts are btrfs-progs 6.2's
 * output on this project's loop-device filesystems (tests/captures/btrfs),
 * and the older block format of btrfs-progs 4.x as its manual prints it.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../plugins/btrfs/btrfs_task.h"

#define UUID "e884fb1e-995c-47ab-a172-9e9d98d7fbf2"

static const char running[] = "UUID:             " UUID "\n"
			      "Scrub started:    Sun Dec  6 06:07:49 2026\n"
			      "Status:           running\n"
			      "Duration:         0:00:10\n"
			      "Time left:        0:00:32\n"
			      "ETA:              Sun Dec  6 06:08:33 2026\n"
			      "Total to scrub:   200.55MiB\n"
			      "Bytes scrubbed:   47.53MiB  (23.70%)\n"
			      "Rate:             4.75MiB/s\n"
			      "Error summary:    no errors found\n";

static const char early[] = "UUID:             " UUID "\n"
			    "\tno stats available\n"
			    "Time left:        0:00:00\n"
			    "ETA:              Sun Dec  6 06:07:44 2026\n"
			    "Total to scrub:   200.55MiB\n"
			    "Bytes scrubbed:   0.00B  (0.00%)\n"
			    "Rate:             0.00B/s\n"
			    "Error summary:    no errors found\n";

static const char finished[] = "UUID:             " UUID "\n"
			       "Scrub started:    Sun Dec  6 06:05:31 2026\n"
			       "Status:           finished\n"
			       "Duration:         0:00:00\n"
			       "Total to scrub:   200.53MiB\n"
			       "Rate:             0.00B/s\n"
			       "Error summary:    csum=61\n"
			       "  Corrected:      61\n"
			       "  Uncorrectable:  0\n"
			       "  Unverified:     0\n";

static const char old_running[] =
	"scrub status for " UUID "\n"
	"\tscrub started at Fri Mar 23 11:06:46 2018, running for 00:00:25\n"
	"\ttotal bytes scrubbed: 22.42GiB with 0 errors\n";

static struct strv sv(const char *s)
{
	return strv_c(s);
}

static void test_scrub(void **state)
{
	struct btrfs_task t;

	(void)state;
	assert_int_equal(btrfs_parse_scrub_status(sv(running), UUID, &t), 0);
	assert_true(t.running);
	assert_true(t.progress > 23.69 && t.progress < 23.71);
	assert_string_equal(t.errors, "");
	assert_int_equal(btrfs_parse_scrub_status(sv(early), UUID, &t), 0);
	assert_true(t.running);
	assert_true(t.progress == 0.0);
	assert_int_equal(btrfs_parse_scrub_status(sv(finished), UUID, &t), 0);
	assert_false(t.running);
	assert_true(t.progress == -1);
	assert_string_equal(t.errors, "csum=61");
	assert_int_equal(btrfs_parse_scrub_status(sv(old_running), UUID, &t), 0);
	assert_true(t.running);
	assert_true(t.progress == -1);
}

/*
 * When the last scrub finished: "Scrub started" plus "Duration" of a
 * finished one (6.x), "started at ... and finished after ..." (4.x); a
 * running, aborted or undated one gives none.  The test runs in UTC.
 */
static void test_scrub_finished_at(void **state)
{
	static const struct {
		const char *text;
		int64_t want;
	} cases[] = {
		{ finished, 1796537131 }, /* Sun Dec  6 06:05:31 2026 + 0 s */
		{ "UUID: " UUID "\nScrub started:    Sun Dec  6 06:05:31 2026\nStatus: finished\n"
		  "Duration:         26:01:02\n",
		  1796537131 + 26 * 3600 + 62 },
		{ running, 0 },
		{ "UUID: " UUID "\nScrub started:    Sun Dec  6 06:05:31 2026\nStatus: aborted\n"
		  "Duration:         0:01:00\n",
		  0 },
		{ "UUID: " UUID
		  "\nScrub started:    someday\nStatus: finished\nDuration: 0:01:00\n",
		  0 },
		{ "UUID: " UUID "\nScrub started:    Sun Dec  6 06:05:31 2026\nStatus: finished\n"
		  "Duration:         0:61:00\n",
		  0 },
		{ "UUID: " UUID "\nScrub started:    Sun Dec  6 06:05:31 2026\nStatus: finished\n",
		  0 },
		{ "scrub status for " UUID "\n"
		  "\tscrub started at Fri Mar 23 11:06:46 2018 and finished after 00:00:25\n"
		  "\ttotal bytes scrubbed: 22.42GiB with 0 errors\n",
		  1521803206 + 25 },
		{ "scrub status for " UUID "\n"
		  "\tscrub started at Fri Mar 23 11:06:46 2018 and was aborted after 00:00:25\n",
		  0 },
	};
	struct btrfs_task t;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(btrfs_parse_scrub_status(sv(cases[i].text), UUID, &t), 0);
		if (t.finished_at != cases[i].want)
			fail_msg("case %zu: %lld", i, (long long)t.finished_at);
	}
}

static void test_scrub_hostile(void **state)
{
	static const char *const bad[] = {
		"", "\n\n", "garbage\n", "Status running\n", "Bytes scrubbed: 1 (50%)\n",
	};
	struct btrfs_task t = { .running = true, .progress = 42 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(btrfs_parse_scrub_status(sv(bad[i]), UUID, &t), -EINVAL);
	assert_true(t.progress == 42); /* untouched */
	/* Another filesystem's status is not this one's. */
	assert_int_equal(
		btrfs_parse_scrub_status(sv(running), "00000000-0000-0000-0000-000000000000", &t),
		-ENOENT);
	assert_int_equal(btrfs_parse_scrub_status(sv(old_running), "x", &t), -ENOENT);
	/* Percentages that are not ones: progress not known, still running. */
	static const char *const pct[] = {
		"Status: running\nBytes scrubbed: 1  (101%)\n",
		"Status: running\nBytes scrubbed: 1  (1e3%)\n",
		"Status: running\nBytes scrubbed: 1  (-5%)\n",
		"Status: running\nBytes scrubbed: 1  (50.%)\n",
		"Status: running\nBytes scrubbed: 1  (50.1234567%)\n",
		"Status: running\nBytes scrubbed: 1  (50%\n",
		"Status: running\nBytes scrubbed: 1  )50%(\n",
	};
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		assert_int_equal(btrfs_parse_scrub_status(sv(pct[i]), UUID, &t), 0);
		assert_true(t.running);
		assert_true(t.progress == -1);
	}
	/* Error summary with control bytes: copied printable only. */
	assert_int_equal(btrfs_parse_scrub_status(
				 sv("Status: finished\nError summary: a\033[2Jb\n"), UUID, &t),
			 0);
	assert_null(strchr(t.errors, '\033'));
}

static void test_replace(void **state)
{
	struct btrfs_task t;

	(void)state;
	assert_int_equal(btrfs_parse_replace_status(sv("12.8% done, 0 write errs, 0 uncorr. read "
						       "errs\n"),
						    &t),
			 0);
	assert_true(t.running);
	assert_true(t.progress > 12.79 && t.progress < 12.81);
	assert_int_equal(btrfs_parse_replace_status(sv("Never started\n"), &t), 0);
	assert_false(t.running);
	assert_int_equal(btrfs_parse_replace_status(sv("Started on  6.Dec 06:10:01, finished on  "
						       "6.Dec 06:10:09, 0 write errs, 0 uncorr. "
						       "read errs\n"),
						    &t),
			 0);
	assert_false(t.running);
	assert_int_equal(btrfs_parse_replace_status(sv(""), &t), -EINVAL);
	assert_int_equal(btrfs_parse_replace_status(sv("x% done, 0 write errs\n"), &t), -EINVAL);
	assert_int_equal(btrfs_parse_replace_status(sv("200% done\n"), &t), -EINVAL);
	assert_int_equal(btrfs_parse_replace_status(sv("whatever\n"), &t), -EINVAL);
}

static void test_apply(void **state)
{
	struct btrfs_task scrub = { .running = true, .progress = 23.7, .errors = "csum=61" };
	struct btrfs_task replace = { .running = true, .progress = 12.8 };
	struct redmon_group g = { .progress = -1 };
	char reason[128] = "devid 2 missing";

	(void)state;
	g.reason = reason;
	scrub.finished_at = 1796537131;
	btrfs_task_apply(&scrub, NULL, &g);
	assert_int_equal(g.activity, REDMON_ACTIVITY_CHECK);
	assert_true(g.progress == 23.7);
	/* the findings go to scrub_found: the core words the reason for every probe */
	assert_string_equal(g.reason, "devid 2 missing");
	assert_string_equal(g.scrub_found, "csum=61");
	assert_int_equal(g.scrub_time, 1796537131);
	g = (struct redmon_group){ .progress = -1 };
	btrfs_task_apply(&scrub, &replace, &g);
	assert_int_equal(g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(g.progress == 12.8);
	assert_string_equal(g.scrub_found, "csum=61");
	assert_null(g.reason);
	/* A reshape (balance) already said: a scrub does not override it. */
	g = (struct redmon_group){ .progress = -1, .activity = REDMON_ACTIVITY_RESHAPE };
	scrub.errors[0] = '\0';
	btrfs_task_apply(&scrub, NULL, &g);
	assert_int_equal(g.activity, REDMON_ACTIVITY_RESHAPE);
	assert_null(g.reason);
	assert_null(g.scrub_found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrub),	      cmocka_unit_test(test_scrub_finished_at),
		cmocka_unit_test(test_scrub_hostile), cmocka_unit_test(test_replace),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
