// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The redfish plugin (plugins/redfish/redfish.c) against the fake host:
 * nothing to read is no error; a mockup tree under the root is walked in the
 * scan of a one-shot command, and on the worker in the daemon (its eventfd
 * wakes the probe, the scan reports the published result); the service root
 * gone fails the scan; a url on the live root reads the password file by the
 * ipmi probe's rules and says the HTTPS client is not built.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "fake_host.h"

extern const struct redmon_plugin redmon_plugin;

#define PSU_OK "{\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}"

static int setup(void **state)
{
	struct redmon_host *h = fake_host_new(&redmon_plugin, "redmon-rfp");

	*state = h;
	return h ? 0 : -1;
}

static int teardown(void **state)
{
	fake_host_free(*state);
	return 0;
}

/* A chassis with two supplies, one needed; B's Status as given. */
static void put_tree(struct redmon_host *h, const char *b)
{
	fake_host_write(h, "redfish/v1/index.json",
			"{\"Chassis\":{\"@odata.id\":\"/redfish/v1/Chassis\"}}");
	fake_host_write(h, "redfish/v1/Chassis/index.json",
			"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/C\"}]}");
	fake_host_write(h, "redfish/v1/Chassis/C/index.json",
			"{\"PowerSubsystem\":{\"@odata.id\":\"/redfish/v1/Chassis/C/PS\"}}");
	fake_host_write(h, "redfish/v1/Chassis/C/PS/index.json",
			"{\"PowerSupplies\":{\"@odata.id\":\"/redfish/v1/Chassis/C/PS/P\"},"
			"\"PowerSupplyRedundancy\":[{\"MinNeededInGroup\":1,"
			"\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}]}");
	fake_host_write(h, "redfish/v1/Chassis/C/PS/P/index.json",
			"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/C/PS/P/A\"},"
			"{\"@odata.id\":\"/redfish/v1/Chassis/C/PS/P/B\"}]}");
	fake_host_write(h, "redfish/v1/Chassis/C/PS/P/A/index.json", PSU_OK);
	fake_host_write(h, "redfish/v1/Chassis/C/PS/P/B/index.json", b);
}

static void test_nothing_to_read(void **state)
{
	struct redmon_host *h = *state;
	void *inst;

	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 0);
	assert_int_equal(h->n_scan_errors, 0);
	assert_int_equal(h->n_watched, 0);
	redmon_plugin.fini(inst);
}

static void test_one_shot(void **state)
{
	struct redmon_host *h = *state;
	const struct fake_report *r;
	char path[160];
	void *inst;

	h->events = false;
	put_tree(h, PSU_OK);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(redmon_plugin.scan(inst), 0);
	r = fake_host_report(h, "Chassis/C:psu");
	assert_non_null(r);
	assert_int_equal(r->margin, 1);
	assert_int_equal(r->total, 2);

	/* each scan walks again, with the memory of the last */
	fake_host_write(h, "redfish/v1/Chassis/C/PS/P/B/index.json",
			"{\"Status\":{\"State\":\"Absent\"}}");
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	r = fake_host_report(h, "Chassis/C:psu");
	assert_int_equal(r->margin, 0);
	assert_int_equal(r->total, 2);
	assert_int_equal(r->role[1], REDMON_ROLE_MISSING);

	/* the service root gone: the scan fails, saying which file */
	snprintf(path, sizeof(path), "%s/redfish/v1/index.json", h->root);
	assert_int_equal(unlink(path), 0);
	h->n_reports = 0;
	assert_true(redmon_plugin.scan(inst) < 0);
	assert_int_equal(h->n_reports, 0);
	assert_non_null(strstr(h->scan_error, "redfish/v1/index.json"));
	redmon_plugin.fini(inst);
}

/* In the daemon the walk runs on the worker: its eventfd wakes the probe. */
static void test_worker(void **state)
{
	struct redmon_host *h = *state;
	struct pollfd pfd;
	void *inst;

	put_tree(h, PSU_OK);
	fake_host_option(h, "interval", "1s");
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(fake_host_count_watched(h, EPOLLIN), 1);
	pfd = (struct pollfd){ .fd = h->watched[0].fd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(redmon_plugin.on_fd(inst, pfd.fd, EPOLLIN), 1);
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_non_null(fake_host_report(h, "Chassis/C:psu"));
	assert_int_equal(fake_host_report(h, "Chassis/C:psu")->margin, 1);

	/* the next walk, a second later, sees the supply gone */
	fake_host_write(h, "redfish/v1/Chassis/C/PS/P/B/index.json",
			"{\"Status\":{\"State\":\"Absent\"}}");
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(redmon_plugin.on_fd(inst, pfd.fd, EPOLLIN), 1);
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(fake_host_report(h, "Chassis/C:psu")->margin, 0);
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

static void put_password(struct redmon_host *h, mode_t mode, char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/bmc.pass", h->root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\n", 7), 7);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_live_url(void **state)
{
	struct redmon_host *h = *state;
	char pw[160];
	void *inst;

	h->live = true;
	put_password(h, 0600, pw, sizeof(pw));
	fake_host_option(h, "url", "https://127.0.0.1:8443");
	fake_host_option(h, "password_file", pw);
	/* a url without an account is a configuration error, named */
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), -EINVAL);
	assert_non_null(strstr(h->last_log, "username"));

	fake_host_option(h, "username", "monitor");
	put_password(h, 0644, pw, sizeof(pw));
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), -EPERM);
	assert_non_null(strstr(h->last_log, "chmod 600"));

	/* the live source is made at init; the BMC is asked only by the worker or a scan */
	put_password(h, 0600, pw, sizeof(pw));
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_null(strstr(h->last_log, "s3cret"));
	redmon_plugin.fini(inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_to_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_shot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_url, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
