// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The zfs probe's parsers and rules (plugins/zfs): the corpus and capture
 * files, outputs in zpool's real layout (tab-indented, as print_status_config()
 * prints) for the states no capture shows, and hostile input.  Run from the
 * top of the tree.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../plugins/zfs/zfs.h"

#define CORPUS "tests/corpus/zfs/"
#define CAPS   "tests/captures/zfs/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

/* A parsed pool's group: the member array and reason live in the struct. */
struct ev {
	struct redmon_group g;
	struct redmon_member mem[64];
	char reason[ZFS_REASON];
};

static void eval(const struct zfs_pool *p, struct ev *e)
{
	assert_true(p->n_dev < 64);
	zfs_pool_eval(p, &e->g, e->mem, e->reason, sizeof(e->reason));
}

static int parse_file(const char *path,
		      int (*fn)(const char *, size_t, struct zfs_result *, char *, size_t),
		      struct zfs_result *r)
{
	size_t len;
	char *buf = slurp(path, &len), err[256] = "";
	int rc;

	*r = (struct zfs_result){ 0 };
	rc = fn(buf, len, r, err, sizeof(err));
	free(buf);
	return rc;
}

static int parse_text(const char *text, struct zfs_result *r, char *err)
{
	*r = (struct zfs_result){ 0 };
	err[0] = '\0';
	return zfs_parse_status(text, strlen(text), r, err, 256);
}

static void test_corpus_mirror_faulted(void **state)
{
	struct zfs_result r;
	struct ev e;

	(void)state;
	assert_int_equal(parse_file(CORPUS "openzfs-docs-2Q-mirror-device-cannot-open/"
					   "zpool-status-x.txt",
				    zfs_parse_status, &r),
			 0);
	assert_int_equal(r.n_pool, 1);
	assert_string_equal(r.pool[0].name, "test");
	assert_string_equal(r.pool[0].state, "DEGRADED");
	assert_int_equal(r.pool[0].n_dev, 3);
	assert_string_equal(r.pool[0].dev[2].note, "cannot open");
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 1);
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.members_failed, 1);
	assert_string_equal(e.g.type, "mirror");
	assert_int_equal(e.mem[1].role, REDMON_ROLE_FAILED);
	assert_string_equal(e.mem[1].location, "mirror"); /* its top-level vdev */
	assert_non_null(strstr(e.reason, "sdb FAULTED cannot open"));
	zfs_result_free(&r);
}

/* zpool's real layout: a tab, then two spaces per level; a mirror after `zpool attach`. */
static const char ATTACH[] =
	"  pool: data\n"
	" state: ONLINE\n"
	"status: One or more devices is currently being resilvered.  The pool will\n"
	"\tcontinue to function, possibly in a degraded state.\n"
	"action: Wait for the resilver to complete.\n"
	"  scan: resilver in progress since Sat Oct 28 10:42:41 2023\n"
	"\t820G scanned at 16.7G/s, 1.80G issued at 37.6M/s, 2.12T total\n"
	"\t1.80G resilvered, 0.08% done, 16:23:57 to go\n"
	"config:\n"
	"\n"
	"\tNAME          STATE     READ WRITE CKSUM\n"
	"\tdata          ONLINE       0     0     0\n"
	"\t  mirror-0    ONLINE       0     0     0\n"
	"\t    /dev/sda  ONLINE       0     0     0\n"
	"\t    /dev/sdb  ONLINE       0     0 1.32K  (resilvering)\n"
	"\n"
	"errors: No known data errors\n";

static void test_mirror_resilvering(void **state)
{
	struct zfs_result r;
	struct ev e;
	char err[256];

	(void)state;
	assert_int_equal(parse_text(ATTACH, &r, err), 0);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 0); /* the new side is not whole yet */
	assert_int_equal(e.g.margin_nominal, 1);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress > 0.07 && e.g.progress < 0.09);
	assert_int_equal(e.mem[1].role, REDMON_ROLE_REBUILDING);
	assert_string_equal(e.mem[1].device, "/dev/sdb");
	assert_string_equal(e.mem[1].reason, "(resilvering)");
	assert_int_equal(e.g.members_ok, 1);
	zfs_result_free(&r);
}

static const char TWO_POOLS[] =
	"  pool: tank\n"
	" state: DEGRADED\n"
	"  scan: scrub in progress since Thu Feb  1 00:00:01 2024\n"
	"\t19.3T / 20.6T scanned at 308M/s, 17.8T / 20.6T issued at 284M/s\n"
	"\t0B repaired, 86.41% done, 01:12:33 to go\n"
	"config:\n"
	"\n"
	"\tNAME        STATE     READ WRITE CKSUM\n"
	"\ttank        DEGRADED     0     0     0\n"
	"\t  raidz2-0  DEGRADED     0     0     0\n"
	"\t    sda     ONLINE       0     0     0\n"
	"\t    sdb     OFFLINE      0     0     0\n"
	"\t    sdc     ONLINE       0     0     0\n"
	"\t    sdd     ONLINE       0     0     0\n"
	"\t  raidz3-1  ONLINE       0     0     0\n"
	"\t    sde     ONLINE       0     0     0\n"
	"\t    sdf     ONLINE       0     0     0\n"
	"\t    sdg     ONLINE       0     0     0\n"
	"\t    sdh     ONLINE       0     0     0\n"
	"\t    sdi     ONLINE       0     0     0\n"
	"\tlogs\n"
	"\t  sdj       FAULTED      0     0     0  too many errors\n"
	"\tcache\n"
	"\t  sdk       ONLINE       0     0     0\n"
	"\tspares\n"
	"\t  sdl       AVAIL   \n"
	"\t  sdm       INUSE     currently in use\n"
	"\n"
	"errors: 2 data errors, use '-v' for a list\n"
	"\n"
	"  pool: boot\n"
	" state: ONLINE\n"
	"config:\n"
	"\n"
	"\tNAME        STATE     READ WRITE CKSUM\n"
	"\tboot        ONLINE       0     0     0\n"
	"\t  sdx       ONLINE       0     0     0\n"
	"\n"
	"errors: No known data errors\n";

static void test_raidz_logs_spares_two_pools(void **state)
{
	struct zfs_result r;
	struct ev e;
	char err[256];

	(void)state;
	assert_int_equal(parse_text(TWO_POOLS, &r, err), 0);
	assert_int_equal(r.n_pool, 2);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 1); /* raidz2 less one; raidz3-1 has 3 */
	assert_int_equal(e.g.margin_nominal, 2);
	assert_string_equal(e.g.type, "raidz2");
	assert_int_equal(e.g.members_total, 9); /* neither log nor cache */
	assert_int_equal(e.g.members_failed, 1);
	assert_int_equal(e.g.spares, 1); /* sdl AVAIL; sdm INUSE is not idle */
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_REPAIR);
	assert_true(e.g.progress > 86.4 && e.g.progress < 86.42);
	assert_non_null(strstr(e.reason, "log sdj FAULTED"));
	assert_non_null(strstr(e.reason, "2 data errors"));
	eval(&r.pool[1], &e);
	assert_string_equal(e.g.name, "boot");
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 0);
	assert_string_equal(e.g.type, "stripe");
	assert_null(e.mem[0].location); /* a disk alone is its own top-level vdev */
	assert_null(e.g.reason);
	zfs_result_free(&r);
}

static void test_replacing_and_lost_pool(void **state)
{
	static const char text[] =
		"  pool: p\n state: UNAVAIL\nconfig:\n\n"
		"\tNAME                STATE     READ WRITE CKSUM\n"
		"\tp                   UNAVAIL      0     0     0\n"
		"\t  mirror-0          UNAVAIL      0     0     0\n"
		"\t    replacing-0     UNAVAIL      0     0     0\n"
		"\t      123456789     UNAVAIL      0     0     0  was /dev/sda1\n"
		"\t      sdc           ONLINE       0     0     0  (resilvering)\n"
		"\t    sdb             REMOVED      0     0     0\n";
	struct zfs_result r;
	struct ev e;
	char err[256];

	(void)state;
	assert_int_equal(parse_text(text, &r, err), 0);
	eval(&r.pool[0], &e);
	assert_true(e.g.margin < 0);
	assert_int_equal(e.g.members_total, 3);
	assert_int_equal(e.mem[0].role, REDMON_ROLE_MISSING);
	assert_string_equal(e.mem[0].reason, "was /dev/sda1");
	assert_int_equal(e.mem[1].role, REDMON_ROLE_REBUILDING);
	assert_int_equal(e.mem[2].role, REDMON_ROLE_MISSING);
	zfs_result_free(&r);
}

static void test_captures_draid(void **state)
{
	struct zfs_result r;
	struct ev e;

	(void)state;
	assert_int_equal(parse_file(CAPS "openzfs-docs-draid-rebuild-to-distributed-spare/"
					 "zpool-status.txt",
				    zfs_parse_status, &r),
			 0);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 1);
	assert_string_equal(e.g.type, "draid1");
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress > 57.1 && e.g.progress < 57.2);
	assert_int_equal(e.g.members_ok, 10);
	zfs_result_free(&r);
}

static void test_list(void **state)
{
	struct zfs_result r;
	struct ev e;

	(void)state;
	assert_int_equal(parse_file(CORPUS "netdata-zpool-list-faulted-pool/zpool-list-p.txt",
				    zfs_parse_list, &r),
			 0);
	assert_int_equal(r.n_pool, 2);
	assert_string_equal(r.pool[1].state, "FAULTED");
	eval(&r.pool[1], &e);
	assert_true(e.g.margin < 0);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.members_total, -1);
	zfs_result_free(&r);

	assert_int_equal(parse_file(CORPUS "netdata-zpool-list-v-log-cache-unavail/"
					   "zpool-list-v-p.txt",
				    zfs_parse_list, &r),
			 0);
	assert_int_equal(r.pool[0].detail, ZFS_SRC_LIST_V);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 1);
	assert_int_equal(e.g.members_total, 2);
	assert_non_null(strstr(e.reason, "log 14807975228228307538 UNAVAIL"));
	assert_non_null(strstr(e.reason, "cache wwn-0x500151795954c095-part2 UNAVAIL"));
	zfs_result_free(&r);
}

static void test_json(void **state)
{
	struct zfs_result r;
	struct ev e;

	(void)state;
	assert_int_equal(parse_file(CORPUS "openzfs-man-zpool-status-json-special-vdev/"
					   "zpool-status-j.json",
				    zfs_parse_status_json, &r),
			 0);
	assert_int_equal(r.n_pool, 1);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 0); /* the special class is one disk */
	assert_int_equal(e.g.members_total, 6);
	assert_int_equal(e.g.members_ok, 6);
	assert_string_equal(e.g.type, "stripe");
	assert_string_equal(e.mem[0].device,
			    "/dev/disk/by-partuuid/ca1eb824-c371-491d-ac13-37637e35c683");
	zfs_result_free(&r);
}

static void test_json_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[]",
		"{\"pools\": []}",
		"{\"pools\": {\"a\": 3}}",
		"{\"pools\": {\"a\": {\"vdevs\": {\"a\": {\"vdevs\": \"x\"}}}}}",
		"{\"pools\": {\"a\": {}}, \"pools\": {}}",
		"{\"pools\": {\"a\": {}, \"b\": {\"name\": \"a\"}}}",
		"{\"pools\": {\"\": {}}}",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zfs_result r = { 0 };

		err[0] = '\0';
		assert_int_equal(
			zfs_parse_status_json(bad[i], strlen(bad[i]), &r, err, sizeof(err)),
			-EINVAL);
		assert_true(err[0] != '\0');
		zfs_result_free(&r);
	}
}

/* A JSON tree deeper than any real one stops at the depth bound, with a reason. */
static void test_json_deep(void **state)
{
	char buf[8192] = "{\"pools\":{\"a\":{\"vdevs\":{\"a\":{\"vdevs\":";
	struct zfs_result r = { 0 };
	char err[256] = "";

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(buf, "{\"x\":{\"vdevs\":");
	strcat(buf, "{}");
	for (int i = 0; i < 40; i++)
		strcat(buf, "}}");
	strcat(buf, "}}}}}");
	assert_int_equal(zfs_parse_status_json(buf, strlen(buf), &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not understood"));
	zfs_result_free(&r);
}

static void test_kstat(void **state)
{
	struct zfs_result r = { 0 };
	struct ev e;
	char err[256];

	(void)state;
	assert_int_equal(zfs_parse_kstat("p1", "ONLINE\n", 7, &r, err, sizeof(err)), 0);
	assert_int_equal(zfs_parse_kstat("p2", "SUSPENDED\n", 10, &r, err, sizeof(err)), 0);
	assert_int_equal(zfs_parse_kstat("p3", "DEGRADED", 8, &r, err, sizeof(err)), 0);
	assert_int_equal(zfs_parse_kstat("p4", "\n", 1, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(zfs_parse_kstat("p4", "ON\x01LINE", 7, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(zfs_parse_kstat("p4", "ONLINE ONLINE", 13, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(r.n_pool, 3);
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 0);
	eval(&r.pool[1], &e);
	assert_true(e.g.margin < 0);
	eval(&r.pool[2], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 1);
	zfs_result_free(&r);
}

static void test_merge(void **state)
{
	struct zfs_result all = { 0 }, ks = { 0 }, st;
	char err[256];

	(void)state;
	assert_int_equal(zfs_parse_kstat("data", "DEGRADED\n", 9, &ks, err, sizeof(err)), 0);
	assert_int_equal(zfs_parse_kstat("other", "ONLINE\n", 7, &ks, err, sizeof(err)), 0);
	assert_int_equal(parse_text(ATTACH, &st, err), 0);
	assert_int_equal(zfs_result_merge(&all, &ks), 0);
	assert_int_equal(zfs_result_merge(&all, &st), 0);
	assert_int_equal(all.n_pool, 2);
	assert_int_equal(all.pool[0].detail, ZFS_SRC_STATUS); /* status replaced kstat */
	assert_string_equal(all.pool[0].state, "ONLINE");
	assert_int_equal(all.pool[1].detail, ZFS_SRC_KSTAT);
	assert_int_equal(zfs_parse_kstat("data", "FAULTED\n", 8, &ks, err, sizeof(err)), 0);
	assert_int_equal(zfs_result_merge(&all, &ks), 0); /* kstat never replaces status */
	assert_string_equal(all.pool[0].state, "ONLINE");
	zfs_result_free(&all);
}

static void test_text_hostile(void **state)
{
	static const char *const cases[] = {
		"",
		"garbage\n\x01\x02\xff",
		"config:\n\tNAME STATE\n\tx ONLINE\n",
		"  pool: a\n state: ONLINE\n\n  pool: a\n state: FAULTED\n",
		"  pool:\n state: ONLINE\n",
	};
	struct zfs_result r;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_text(cases[i], &r, err), -EINVAL);
		assert_true(err[0] != '\0');
		zfs_result_free(&r);
	}
	assert_int_equal(parse_text("no pools available\n", &r, err), 0);
	assert_int_equal(r.n_pool, 0);
	zfs_result_free(&r);
}

/* Odd rows: unknown vdev types, control bytes, a bogus progress, rows before the header. */
static void test_text_odd_rows(void **state)
{
	static const char text[] = "  pool: q\x1b[31m\n state: ONLINE\n"
				   "  scan: scrub in progress since x\n\t999.5% done\n"
				   "config:\n\n"
				   "\t  early  ONLINE 0 0 0\n"
				   "\tNAME        STATE     READ WRITE CKSUM\n"
				   "\tq           ONLINE       0     0     0\n"
				   "\t  weird-0   ONLINE       0     0     0\n"
				   "\t    sda     ONLINE       0     0     0\n"
				   "\t    lonely\n"
				   "\t  mirror-1  ONLINE       0     0     0\n"
				   "\t    sdb     ONLINE       0     0     0\n"
				   "\t    sdc     ONLINE       0     0     0\n"
				   "\t                                        \n";
	struct zfs_result r;
	struct ev e;
	char err[256];

	(void)state;
	assert_int_equal(parse_text(text, &r, err), 0);
	assert_string_equal(r.pool[0].name, "q?[31m");
	assert_true(r.pool[0].progress < 0);
	assert_string_equal(r.pool[0].dev[2].name, "lonely"); /* a row of a name alone */
	assert_string_equal(r.pool[0].dev[2].state, "");
	eval(&r.pool[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.reason, "weird-0: type not understood"));
	zfs_result_free(&r);
}

/* More devices than the bound: -E2BIG, nothing past it kept. */
static void test_too_many_devices(void **state)
{
	size_t cap = 64 + (ZFS_MAX_DEVS + 10) * 32, n;
	char *text = malloc(cap);
	struct zfs_result r;
	char err[256];

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "  pool: big\nconfig:\n\n\tNAME STATE\n\tbig ONLINE\n");
	for (int i = 0; i < ZFS_MAX_DEVS + 10; i++)
		n += (size_t)snprintf(text + n, cap - n, "\t  d%d ONLINE 0 0 0\n", i);
	assert_int_equal(parse_text(text, &r, err), -E2BIG);
	assert_int_equal(r.pool[0].n_dev, ZFS_MAX_DEVS);
	zfs_result_free(&r);
	free(text);
}

static void test_long_names_cut(void **state)
{
	char text[2048] = "  pool: ";
	struct zfs_result r;
	char err[256];

	(void)state;
	memset(text + strlen(text), 'a', 1000);
	strcat(text, "\n state: ONLINE\n");
	assert_int_equal(parse_text(text, &r, err), 0);
	assert_int_equal(strlen(r.pool[0].name), ZFS_NAME - 1);
	zfs_result_free(&r);
}

/* A finished scrub, as zpool prints it (print_scan_scrub_resilver_status()). */
#define SCRUBBED(scan)                                                                             \
	"  pool: tank\n"                                                                           \
	" state: ONLINE\n"                                                                         \
	"  scan: " scan "\n"                                                                       \
	"config:\n"                                                                                \
	"\n"                                                                                       \
	"\tNAME        STATE     READ WRITE CKSUM\n"                                               \
	"\ttank        ONLINE       0     0     0\n"                                               \
	"\t  mirror-0  ONLINE       0     0     0\n"                                               \
	"\t    sda     ONLINE       0     0     0\n"                                               \
	"\t    sdb     ONLINE       0     0     0\n"                                               \
	"\n"                                                                                       \
	"errors: No known data errors\n"

/*
 * The last scrub's date and findings from the text (2.x, 0.8 and 0.7
 * wordings) and from the JSON scan stats (strings, --json-int integers);
 * canceled scrubs, finished resilvers and bad dates give none.  Dates are
 * ctime(3)'s, in the local zone: the test runs in UTC.
 */
static void test_scrub_done(void **state)
{
	static const struct {
		const char *text;
		int64_t end;
		const char *found;
	} cases[] = {
		{ SCRUBBED("scrub repaired 0B in 00:00:01 with 0 errors on Sun Dec  6 00:24:02 "
			   "2026"),
		  1796516642, NULL },
		{ SCRUBBED("scrub repaired 4.50M in 0 days 02:11:09 with 3 errors on Tue Nov 24 "
			   "14:45:16 2020"),
		  1606229116, "repaired 4.50M, 3 errors" },
		{ SCRUBBED("scrub repaired 0 in 0h0m with 1 errors on Mon Jan  1 00:00:00 2018"),
		  1514764800, "repaired 0B, 1 error" },
		{ SCRUBBED("scrub canceled on Sun Dec  6 00:24:02 2026"), 0, NULL },
		{ SCRUBBED("resilvered 1.2G in 00:10:00 with 0 errors on Sun Dec  6 00:24:02 2026"),
		  0, NULL },
		{ SCRUBBED("scrub repaired 0B in 00:00:01 with 0 errors on Blursday"), 0, NULL },
		{ SCRUBBED("scrub repaired 0B in 00:00:01 with x errors on Sun Dec  6 00:24:02 "
			   "2026"),
		  0, NULL },
		{ SCRUBBED(
			  "scrub repaired 0B in 00:00:01 with 0 errors on Sun Dec  6 00:24:02 2026 "
			  "and more"),
		  0, NULL },
		{ SCRUBBED("scrub repaired"), 0, NULL },
		{ SCRUBBED("none requested"), 0, NULL },
	};
	static const char json_fmt[] =
		"{\"pools\": {\"tank\": {\"name\": \"tank\", \"state\": \"ONLINE\", \"vdevs\": "
		"{\"tank\": {\"name\": \"tank\", \"vdevs\": {\"sda\": {\"name\": \"sda\", "
		"\"vdev_type\": \"disk\", \"state\": \"ONLINE\"}}}}, \"scan_stats\": "
		"{\"function\": \"%s\", \"state\": \"%s\", \"end_time\": %s, \"processed\": %s, "
		"\"errors\": %s}}}}";
	static const struct {
		const char *fn, *st, *end, *processed, *errors;
		int64_t want;
		const char *found;
	} jcases[] = {
		{ "SCRUB", "FINISHED", "\"Sun Dec  6 00:24:02 2026\"", "\"0B\"", "\"0\"",
		  1796516642, NULL },
		{ "SCRUB", "FINISHED", "1796516642", "4096", "2", 1796516642,
		  "repaired 4096, 2 errors" },
		{ "SCRUB", "FINISHED", "\"1796516642\"", "\"12K\"", "\"0\"", 1796516642,
		  "repaired 12K, 0 errors" },
		{ "SCRUB", "CANCELED", "1796516642", "0", "0", 0, NULL },
		{ "RESILVER", "FINISHED", "1796516642", "0", "0", 0, NULL },
		{ "SCRUB", "FINISHED", "-5", "0", "0", 0, NULL },
		{ "SCRUB", "FINISHED", "\"yesterday\"", "0", "0", 0, NULL },
		{ "SCRUB", "FINISHED", "1796516642", "0", "\"lots\"", 0, NULL },
	};
	char err[256], json[1024];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct zfs_result r;
		struct ev e;

		assert_int_equal(parse_text(cases[i].text, &r, err), 0);
		eval(&r.pool[0], &e);
		if (e.g.scrub_time != cases[i].end ||
		    (cases[i].found
			     ? !e.g.scrub_found || strcmp(e.g.scrub_found, cases[i].found) != 0
			     : e.g.scrub_found != NULL))
			fail_msg("text case %zu: %lld, %s", i, (long long)e.g.scrub_time,
				 e.g.scrub_found ? e.g.scrub_found : "(null)");
		assert_int_equal(e.g.activity, REDMON_ACTIVITY_NONE);
		assert_int_equal(e.g.margin, 1);
		zfs_result_free(&r);
	}
	for (size_t i = 0; i < sizeof(jcases) / sizeof(jcases[0]); i++) {
		struct zfs_result r = { 0 };
		struct ev e;

		snprintf(json, sizeof(json), json_fmt, jcases[i].fn, jcases[i].st, jcases[i].end,
			 jcases[i].processed, jcases[i].errors);
		assert_int_equal(zfs_parse_status_json(json, strlen(json), &r, err, sizeof(err)),
				 0);
		eval(&r.pool[0], &e);
		if (e.g.scrub_time != jcases[i].want ||
		    (jcases[i].found
			     ? !e.g.scrub_found || strcmp(e.g.scrub_found, jcases[i].found) != 0
			     : e.g.scrub_found != NULL))
			fail_msg("json case %zu: %lld, %s", i, (long long)e.g.scrub_time,
				 e.g.scrub_found ? e.g.scrub_found : "(null)");
		zfs_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_mirror_faulted),
		cmocka_unit_test(test_mirror_resilvering),
		cmocka_unit_test(test_raidz_logs_spares_two_pools),
		cmocka_unit_test(test_replacing_and_lost_pool),
		cmocka_unit_test(test_captures_draid),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_json_deep),
		cmocka_unit_test(test_kstat),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test(test_text_odd_rows),
		cmocka_unit_test(test_too_many_devices),
		cmocka_unit_test(test_long_names_cut),
		cmocka_unit_test(test_scrub_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
