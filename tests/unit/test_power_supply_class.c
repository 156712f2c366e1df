// SPDX-License-Identifier: GPL-2.0-or-later
/* /sys/class/power_supply reading and classification (plugins/power_supply/ps_class.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/power_supply/ps_class.h"

static char root[] = "/tmp/rm-ps-XXXXXX";

static void put(const char *supply, const char *attr, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/class/power_supply/%s", root, supply);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/class/power_supply/%s/%s", root, supply, attr);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char path[512];

	(void)state;
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "mkdir -p %s/sys/class/power_supply", root);
	return system(path) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "rm -rf %s", root);
	return system(path) == 0 ? 0 : -1;
}

static int read_eval(struct psu_group *p, struct redmon_group *g, struct ps_entry **ret_v,
		     size_t *ret_n)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(ps_read(fd, ret_v, ret_n), 0);
	close(fd);
	rc = ps_psu_eval(p, *ret_v, *ret_n, 0, g);
	return rc;
}

static void test_classify(void **state)
{
	struct ps_entry e = { .name = "PSU1", .type = "Mains", .online = 1, .present = -1 };
	struct psu_view v;

	(void)state;
	assert_true(ps_is_member(&e, false));
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "online");

	e.online = 0;
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "offline (input lost)");

	e.online = 1;
	snprintf(e.health, sizeof(e.health), "Dead");
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "health Dead");
	assert_string_equal(v.state, "online, health Dead");

	snprintf(e.health, sizeof(e.health), "Overheat");
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.why, "health Overheat");

	snprintf(e.health, sizeof(e.health), "Good");
	e.present = 0;
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_ABSENT);

	e.present = -1;
	e.online = -1;
	e.health[0] = '\0';
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_UNKNOWN);

	/* a battery is a member only beside a mains supply, and then it can carry the load */
	snprintf(e.type, sizeof(e.type), "Battery");
	assert_false(ps_is_member(&e, false));
	assert_true(ps_is_member(&e, true));
	e.present = 1;
	snprintf(e.status, sizeof(e.status), "Discharging");
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "battery Discharging");
	e.present = 0;
	ps_classify(&e, &v);
	assert_int_equal(v.cond, PSU_ABSENT);
	snprintf(e.type, sizeof(e.type), "UPS");
	assert_true(ps_is_member(&e, false));
	snprintf(e.type, sizeof(e.type), "USB");
	assert_false(ps_is_member(&e, true));
}

/*
 * The corpus laptop: one Mains adapter (offline) and a battery discharging:
 * a 1+1 set running on its last source (expected.json: degraded, 0 tolerable).
 */
static void test_corpus_laptop(void **state)
{
	char path[4096];
	struct ps_entry *v = NULL;
	struct psu_group p = { 0 };
	struct redmon_group g;
	struct stat st;
	size_t n = 0;
	int fd;

	(void)state;
	/* tests/corpus, relative to the repository root the runner starts us in. */
	snprintf(path, sizeof(path), "tests/corpus/power_supply/procfs-laptop-ac-offline-battery");
	if (stat(path, &st) < 0)
		fail_msg("%s not found (run from the repository root)", path);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ps_read(fd, &v, &n), 0);
	close(fd);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "AC");
	assert_string_equal(v[0].type, "Mains");
	assert_int_equal(v[0].online, 0);
	assert_string_equal(v[1].name, "BAT0");
	assert_string_equal(v[1].type, "Battery");
	assert_int_equal(ps_psu_eval(&p, v, n, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.members_ok, 1);
	assert_int_equal(g.members_failed, 1);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.margin_nominal, 1);
	psu_group_free(&p);
	free(v);
}

/* Two mains supplies: a group; one goes offline, comes back; hostile strings. */
static void test_two_mains(void **state)
{
	struct ps_entry *v = NULL;
	struct psu_group p = { 0 };
	struct redmon_group g;
	size_t n = 0;
	char path[512];

	(void)state;
	put("PSU1", "type", "Mains\n");
	put("PSU1", "online", "1\n");
	put("PSU1", "model_name", "M\"o\ndel\xff\n");
	put("PSU1", "serial_number", "S/N \"1\"\xc3\x28\n");
	put("PSU2", "type", "Mains\n");
	put("PSU2", "online", "1\n");
	put("BAT0", "type", "Battery\n");
	put("BAT0", "online", "garbage\n");
	put("weird\n\"name\xfe", "type", "Mains\n");
	put("weird\n\"name\xfe", "online", "99999999999999999999999\n");
	/*
	 * A FIFO where an attribute should be must not block the read (one
	 * the verdict needs makes the supply unknown: test_unreadable).
	 */
	snprintf(path, sizeof(path), "%s/sys/class/power_supply/PSU2/serial_number", root);
	assert_int_equal(mkfifo(path, 0644), 0);

	assert_int_equal(read_eval(&p, &g, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(g.name, "mains");
	assert_string_equal(g.kind, "psu");
	/* PSU1, PSU2 online; the weird one has an unreadable online: unknown. */
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.members_ok, 2);
	assert_string_equal(g.type, "1+1");
	assert_int_equal(g.margin, 1);
	assert_string_equal(g.members[0].serial, "S/N \"1\"\xc3\x28");
	free(v);

	put("PSU2", "online", "0\n");
	assert_int_equal(read_eval(&p, &g, &v, &n), 0);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.members_failed, 1);
	assert_non_null(strstr(g.reason, "PSU2: offline (input lost)"));
	free(v);

	/* PSU2 removed from the class: it stays a missing member. */
	snprintf(path, sizeof(path), "rm -rf '%s/sys/class/power_supply/PSU2'", root);
	assert_int_equal(system(path), 0);
	assert_int_equal(read_eval(&p, &g, &v, &n), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.members_ok, 1);
	assert_int_equal(g.margin, 0);
	free(v);
	psu_group_free(&p);
}

/* A supply that cannot be a member (USB): only its type is read. */
static void test_other_type(void **state)
{
	struct ps_entry *v = NULL;
	bool found = false;
	size_t n = 0;
	char path[512];
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	put("USB0", "type", "USB\n");
	put("USB0", "online", "0\n");
	put("USB0", "health", "Dead\n");
	assert_int_equal(ps_read(fd, &v, &n), 0);
	close(fd);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, "USB0") != 0)
			continue;
		assert_string_equal(v[i].type, "USB");
		assert_int_equal(v[i].online, -1);
		assert_string_equal(v[i].health, "");
		assert_false(ps_is_member(&v[i], true));
		found = true;
	}
	assert_true(found);
	free(v);
	snprintf(path, sizeof(path), "rm -rf '%s/sys/class/power_supply/USB0'", root);
	assert_int_equal(system(path), 0);
}

/* Does any text of the entries contain needle? */
static bool entries_contain(const struct ps_entry *v, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++) {
		const struct ps_entry *e = &v[i];

		if (strstr(e->name, needle) || strstr(e->path, needle) || strstr(e->type, needle) ||
		    strstr(e->health, needle) || strstr(e->status, needle) ||
		    strstr(e->serial, needle) || strstr(e->error, needle))
			return true;
	}
	return false;
}

static const struct ps_entry *entry(const struct ps_entry *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	}
	fail_msg("no entry %s", name);
	return NULL;
}

/*
 * Supplies that cannot be read, in a tree of their own: attributes that are
 * links out of the root (absolute, and ../ past it: refused, attributes are
 * read beneath their directory), a class entry leading out (resolved inside
 * the root, to nothing), a FIFO for a state attribute.
 * The secret outside is never read; each such supply is a member of unknown
 * state with a reason, and the set's margin is unknown, never a set that
 * silently shrinks.  Once they read again, N is learned from all of them.
 */
static void test_unreadable(void **state)
{
	char out[] = "/tmp/rm-ps-secret-XXXXXX", save[sizeof(root)], p[1024], target[1024];
	struct ps_entry *v = NULL;
	struct psu_group ps = { 0 };
	struct redmon_group g;
	size_t n = 0;

	(void)state;
	memcpy(save, root, sizeof(root));
	snprintf(root, sizeof(root), "/tmp/rm-ps-XXXXXX");
	assert_int_equal(setup(NULL), 0);
	assert_non_null(mkdtemp(out));
	snprintf(p, sizeof(p), "%s/secret", out);
	{
		FILE *f = fopen(p, "w");

		assert_non_null(f);
		fputs("Mains s3cr3t\n", f);
		fclose(f);
	}
	put("PSU1", "type", "Mains\n");
	put("PSU1", "online", "1\n");
	/* PSU2: its type is an absolute link out (followed, it would be a mains supply). */
	put("PSU2", "online", "1\n");
	snprintf(p, sizeof(p), "%s/sys/class/power_supply/PSU2/type", root);
	snprintf(target, sizeof(target), "%s/secret", out);
	assert_int_equal(symlink(target, p), 0);
	/* PSU3: online climbs past the root. */
	put("PSU3", "type", "Mains\n");
	snprintf(p, sizeof(p), "%s/sys/class/power_supply/PSU3/online", root);
	snprintf(target, sizeof(target), "../../../../../../../../../../..%s/secret", out);
	assert_int_equal(symlink(target, p), 0);
	/* PSU4: health is a FIFO. */
	put("PSU4", "type", "Mains\n");
	put("PSU4", "online", "1\n");
	snprintf(p, sizeof(p), "%s/sys/class/power_supply/PSU4/health", root);
	assert_int_equal(mkfifo(p, 0644), 0);
	/* PSU5: the class entry leads out, to a directory. */
	snprintf(p, sizeof(p), "%s/sys/class/power_supply/PSU5", root);
	assert_int_equal(symlink(out, p), 0);

	assert_int_equal(read_eval(&ps, &g, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_false(entries_contain(v, n, "s3cr3t"));
	assert_string_equal(entry(v, n, "PSU1")->error, "");
	assert_string_equal(entry(v, n, "PSU2")->error, "type: a link out of its directory");
	assert_string_equal(entry(v, n, "PSU3")->error, "online: a link out of its directory");
	assert_string_equal(entry(v, n, "PSU4")->error, "health: not a regular file");
	assert_string_equal(entry(v, n, "PSU5")->error,
			    "its directory: a link that leads nowhere in the root");
	assert_int_equal(g.members_total, 5);
	assert_int_equal(g.members_ok, 1);
	assert_int_equal(g.margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(g.type, "4+1"); /* a guess: N is not learned from this scan */
	assert_non_null(strstr(g.reason, "PSU2: unreadable: type: "));
	assert_non_null(strstr(g.reason, "PSU5: unreadable: its directory: "));
	for (size_t i = 1; i < g.n_members; i++)
		assert_int_equal(g.members[i].role, REDMON_ROLE_UNKNOWN);
	assert_string_equal(g.members[1].name, "PSU2");
	assert_string_equal(g.members[1].state, "unreadable");
	assert_string_equal(g.members[3].state, "online"); /* PSU4: what could be read */
	free(v);

	/* All readable again: N is learned now (all but one), the margin is known. */
	snprintf(p, sizeof(p),
		 "rm -f '%s/sys/class/power_supply/PSU2/type' "
		 "'%s/sys/class/power_supply/PSU3/online' '%s/sys/class/power_supply/PSU4/health' "
		 "'%s/sys/class/power_supply/PSU5'",
		 root, root, root, root);
	assert_int_equal(system(p), 0);
	put("PSU2", "type", "Mains\n");
	put("PSU3", "online", "1\n");
	assert_int_equal(read_eval(&ps, &g, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(g.type, "3+1");
	assert_int_equal(g.margin, 1);
	free(v);
	psu_group_free(&ps);

	assert_int_equal(teardown(NULL), 0);
	memcpy(root, save, sizeof(root));
	snprintf(p, sizeof(p), "rm -rf '%s'", out);
	assert_int_equal(system(p), 0);
}

static void test_no_class(void **state)
{
	struct ps_entry *v = (void *)1;
	size_t n = 7;
	int fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_int_equal(ps_read(fd, &v, &n), 0);
	assert_int_equal(n, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),  cmocka_unit_test(test_corpus_laptop),
		cmocka_unit_test(test_two_mains), cmocka_unit_test(test_other_type),
		cmocka_unit_test(test_no_class),  cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
