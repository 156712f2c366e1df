// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Redfish walk (plugins/redfish/redfish_walk.c), its rules
 * (redfish_groups.c) and the mockup-file source (redfish_files.c): the
 * corpus cases through the files, then made-up services from memory
 * (struct mem_source: path -> JSON text, each get counted) for what the
 * corpus lacks: a bay that empties between walks, a service that stops
 * answering, hostile links, loops, wrong types and huge collections.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/redfish/redfish_files.h"
#include "../../plugins/redfish/redfish_walk.h"

#define CORPUS "tests/corpus/redfish/"

/* --- a service from memory ------------------------------------------------------------- */

#define MEM_MAX 64

struct mem_source {
	struct redfish_source src;
	const char *path[MEM_MAX];
	char *text[MEM_MAX]; /* NULL: the get fails */
	int gets[MEM_MAX];
	int n;
	int other_gets;	  /* paths not served */
	int fail_after;	  /* > 0: every get after this many fails (the BMC stops answering) */
	int total;	  /* gets */
	bool bad_path;	  /* a path the walk must never ask for was asked */
	const char *huge; /* when set, served for any path not listed */
};

static json_t *mem_get(struct redfish_source *src, const char *path, char *why, size_t len)
{
	struct mem_source *m = src->ctx;

	m->total++;
	if (!redfish_path_ok(path) || strstr(path, "..") || strchr(path, '?') || strchr(path, '#'))
		m->bad_path = true;
	if (m->fail_after > 0 && m->total > m->fail_after) {
		snprintf(why, len, "%s: no answer", path);
		return NULL;
	}
	for (int i = 0; i < m->n; i++) {
		if (strcmp(m->path[i], path) == 0) {
			m->gets[i]++;
			if (!m->text[i])
				break;
			return json_loads(m->text[i], 0, NULL);
		}
	}
	if (m->huge)
		return json_loads(m->huge, 0, NULL);
	m->other_gets++;
	snprintf(why, len, "%s: 404", path);
	return NULL;
}

static void mem_init(struct mem_source *m)
{
	memset(m, 0, sizeof(*m));
	m->src = (struct redfish_source){ .get = mem_get, .ctx = m };
}

/* Serve text (copied; NULL: a failing get) at path (kept). */
static void mem_put(struct mem_source *m, const char *path, const char *text)
{
	for (int i = 0; i < m->n; i++) {
		if (strcmp(m->path[i], path) == 0) {
			free(m->text[i]);
			m->text[i] = text ? strdup(text) : NULL;
			return;
		}
	}
	assert_true(m->n < MEM_MAX);
	m->path[m->n] = path;
	m->text[m->n++] = text ? strdup(text) : NULL;
}

static void mem_free(struct mem_source *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->text[i]);
}

static int mem_gets(const struct mem_source *m, const char *path)
{
	for (int i = 0; i < m->n; i++) {
		if (strcmp(m->path[i], path) == 0)
			return m->gets[i];
	}
	return 0;
}

static const struct redfish_group *find(const struct redfish_result *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].g.name, name) == 0)
			return &r->v[i];
	}
	return NULL;
}

static const struct redmon_member *member(const struct redfish_group *g, const char *name)
{
	for (size_t i = 0; i < g->g.n_members; i++) {
		if (strcmp(g->members[i].name, name) == 0)
			return &g->members[i];
	}
	return NULL;
}

static void expect(const struct redfish_result *r, const char *name, const char *kind, int total,
		   int ok, int failed, int spares, int32_t margin, int32_t nominal)
{
	const struct redfish_group *g = find(r, name);

	if (!g)
		fail_msg("no group %s", name);
	assert_string_equal(g->g.kind, kind);
	assert_int_equal(g->g.members_total, total);
	assert_int_equal(g->g.members_ok, ok);
	assert_int_equal(g->g.members_failed, failed);
	assert_int_equal(g->g.spares, spares);
	assert_int_equal(g->g.margin, margin);
	assert_int_equal(g->g.margin_nominal, nominal);
}

/* --- the corpus through the files --------------------------------------------------------- */

/* One walk over a corpus case: 0 or the error; the result in *r, the walk's memory freed. */
static int walk_case(const char *name, struct redfish_result *r)
{
	char dir[256], why[REDFISH_WHY];
	struct redfish_files f;
	struct redfish_walk *w = redfish_walk_new();
	int fd, rc;

	snprintf(dir, sizeof(dir), CORPUS "%s", name);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(redfish_files_present(fd));
	redfish_files_init(&f, fd);
	rc = redfish_walk_run(w, &f.src, r, why, sizeof(why));
	close(fd);
	redfish_walk_free(w);
	return rc;
}

static void test_corpus_power_and_fans(void **state)
{
	struct redfish_result r;
	const struct redfish_group *g;

	(void)state;
	assert_int_equal(walk_case("dmtf-bladed-fan-critical", &r), 0);
	assert_int_equal(r.n, 2);
	expect(&r, "Chassis/MultiBladeEncl:psu", "psu-redfish", 2, 2, 0, 0, 1, 1);
	expect(&r, "Chassis/MultiBladeEncl:fans", "fan-redfish", 4, 3, 1, 0, 0, 1);
	g = find(&r, "Chassis/MultiBladeEncl:fans");
	assert_int_equal(member(g, "2")->role, REDMON_ROLE_FAILED);
	assert_non_null(strstr(g->g.reason, "Health Critical"));
	/* Blade1-4 and Systems are linked but were not copied: left out, and counted */
	assert_int_equal(r.failures, 5);
	assert_int_equal(r.fetches, 11); /* 5 resources, 5 missing, the root asked again */
	redfish_result_free(&r);

	assert_int_equal(walk_case("dmtf-power-shelf-one-of-six", &r), 0);
	assert_int_equal(r.n, 1);
	/* 1 of 6 bays, 2 needed: below the minimum, the absent bays missing, not failed */
	expect(&r, "Chassis/PowerShelf:psu", "psu-redfish", 6, 1, 0, 0, -1, 4);
	g = find(&r, "Chassis/PowerShelf:psu");
	assert_int_equal(member(g, "Bay4")->role, REDMON_ROLE_MISSING);
	assert_string_equal(member(g, "Bay1")->location, "PSU 1");
	assert_string_equal(member(g, "Bay1")->serial, "3488247");
	redfish_result_free(&r);

	assert_int_equal(walk_case("dmtf-rackmount1-psu-absent-predictive", &r), 0);
	assert_int_equal(r.n, 3);
	expect(&r, "Chassis/1U:psu", "psu-redfish", 2, 1, 0, 0, 0, 1);
	g = find(&r, "Chassis/1U:psu");
	assert_non_null(strstr(member(g, "Bay1")->reason, "predicted failure"));
	assert_non_null(strstr(g->g.reason, "UnavailableOffline"));
	expect(&r, "Chassis/1U:fans-bay", "fan-redfish", 2, 2, 0, 0, 1, 1);
	g = find(&r, "Chassis/1U:fans-cpu");
	assert_int_equal(g->g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g->g.reason, "no Health"));
	assert_null(find(&r, "Chassis/1U:fans")); /* several sets: each has a suffix */
	redfish_result_free(&r);
}

static void test_corpus_volumes(void **state)
{
	struct redfish_result r;
	const struct redfish_group *g;

	(void)state;
	assert_int_equal(walk_case("dmtf-localstorage-raid1-global-spare", &r), 0);
	assert_int_equal(r.n, 5);
	expect(&r, "Chassis/1U:psu", "psu-redfish", 1, 1, 0, 0, 0, 0);
	expect(&r, "Chassis/1U:fans", "fan-redfish", 2, 2, 0, 0, 1, 1);
	/* the global spare helps the mirror, not the RAID0 volumes */
	expect(&r, "Systems/437XR1138R2/Storage/1/Volumes/1", "raid", 2, 2, 0, 1, 1, 1);
	g = find(&r, "Systems/437XR1138R2/Storage/1/Volumes/1");
	assert_string_equal(g->g.type, "raid1");
	assert_int_equal(member(g, "32ADF365C6C1B7BD")->role, REDMON_ROLE_SPARE);
	expect(&r, "Systems/437XR1138R2/Storage/1/Volumes/2", "raid", 1, 1, 0, 0, 0, 0);
	expect(&r, "Systems/437XR1138R2/Storage/1/Volumes/3", "raid", 1, 1, 0, 0, 0, 0);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.fetches, 17);
	redfish_result_free(&r);

	assert_int_equal(walk_case("dmtf-tower-psu-warning-volumes", &r), 0);
	assert_int_equal(r.n, 8);
	expect(&r, "Chassis/Tower:psu", "psu-redfish", 2, 2, 0, 0, 1, 1);
	expect(&r, "Systems/437XR1238R2/Storage/RAIDIntegrated/Volumes/Secondary", "raid", 3, 3, 0,
	       0, 1, 1);
	expect(&r, "Systems/437XR1238R2/Storage/NVMeSWRAID/Volumes/Boot", "raid", 2, 2, 0, 0, 1, 1);
	expect(&r, "Systems/437XR1238R2/Storage/NVMeSecondary/Volumes/AssetCache", "raid", 2, 2, 0,
	       0, 0, 0);
	/* HAFiberChannel links NVMeSecondary's Volumes again: walked once, no FC LUN group */
	assert_null(find(&r, "Systems/437XR1238R2/Storage/HAFiberChannel/Volumes/AssetStorage"));
	assert_int_equal(r.failures, 0);
	/*
	 * 12 for the chassis (legacy Power/Thermal are not read beside the newer
	 * resources), 15 for systems, storage and volumes, 10 member drives and
	 * 4 empty bays of RAIDIntegrated read for its RAID5's hot spares.
	 */
	assert_int_equal(r.fetches, 41);
	redfish_result_free(&r);
}

/* --- a service from memory --------------------------------------------------------------- */

#define ROOT_DOC                                                                                   \
	"{\"Chassis\":{\"@odata.id\":\"/redfish/v1/Chassis\"},"                                    \
	"\"Systems\":{\"@odata.id\":\"/redfish/v1/Systems\"}}"
#define ONE_CHASSIS "{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/C\"}]}"
#define CHASSIS_C   "{\"PowerSubsystem\":{\"@odata.id\":\"/redfish/v1/Chassis/C/PowerSubsystem\"}}"
#define PS_C                                                                                       \
	"{\"PowerSupplies\":{\"@odata.id\":\"/redfish/v1/Chassis/C/PowerSubsystem/"                \
	"PowerSupplies\"},"                                                                        \
	"\"PowerSupplyRedundancy\":[{\"RedundancyType\":\"NPlusM\",\"MinNeededInGroup\":1,"        \
	"\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}]}"
#define PSUS_C                                                                                     \
	"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/A\"},"  \
	"{\"@odata.id\":\"/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/B\"}]}"
#define PSU_OK	   "{\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}"
#define PSU_ABSENT "{\"Status\":{\"State\":\"Absent\"}}"

static void serve_psus(struct mem_source *m, const char *b)
{
	mem_put(m, "/redfish/v1", ROOT_DOC);
	mem_put(m, "/redfish/v1/Chassis", ONE_CHASSIS);
	mem_put(m, "/redfish/v1/Chassis/C", CHASSIS_C);
	mem_put(m, "/redfish/v1/Chassis/C/PowerSubsystem", PS_C);
	mem_put(m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies", PSUS_C);
	mem_put(m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/A", PSU_OK);
	mem_put(m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/B", b);
	mem_put(m, "/redfish/v1/Systems", "{\"Members\":[]}");
}

static int walk_mem(struct redfish_walk *w, struct mem_source *m, struct redfish_result *r)
{
	char why[REDFISH_WHY];

	return redfish_walk_run(w, &m->src, r, why, sizeof(why));
}

/* A supply seen present that turns Absent stays a member, missing; one never seen is no member. */
static void test_bay_emptied(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	mem_init(&m);
	serve_psus(&m, PSU_ABSENT);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	expect(&r, "Chassis/C:psu", "psu-redfish", 1, 1, 0, 0, 0, 0);
	redfish_result_free(&r);

	mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/B", PSU_OK);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	expect(&r, "Chassis/C:psu", "psu-redfish", 2, 2, 0, 0, 1, 1);
	redfish_result_free(&r);

	mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/B", PSU_ABSENT);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	expect(&r, "Chassis/C:psu", "psu-redfish", 2, 1, 0, 0, 0, 1);
	assert_int_equal(member(find(&r, "Chassis/C:psu"), "B")->role, REDMON_ROLE_MISSING);
	redfish_result_free(&r);

	/* and when the BMC stops listing it at all */
	mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/"
		"A\"}]}");
	assert_int_equal(walk_mem(w, &m, &r), 0);
	expect(&r, "Chassis/C:psu", "psu-redfish", 2, 1, 0, 0, 0, 1);
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
}

/* Health missing or "N/A" on a member: unknown with a reason, never failed. */
static void test_no_health(void **state)
{
	static const char *const words[] = {
		"{\"Status\":{\"State\":\"Enabled\"}}",
		"{\"Status\":{\"State\":\"Enabled\",\"Health\":\"N/A\"}}",
		"{\"Status\":{\"State\":\"Enabled\",\"Health\":null}}",
		"{\"Status\":{\"State\":\"Updating\",\"Health\":\"OK\"}}",
		"{\"Status\":[\"Enabled\"]}",
		"{}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct redfish_walk *w = redfish_walk_new();
		const struct redfish_group *g;
		struct redfish_result r;
		struct mem_source m;

		mem_init(&m);
		serve_psus(&m, words[i]);
		assert_int_equal(walk_mem(w, &m, &r), 0);
		g = find(&r, "Chassis/C:psu");
		assert_non_null(g);
		assert_int_equal(g->g.margin, REDMON_MARGIN_UNKNOWN);
		assert_int_equal(g->g.members_failed, 0);
		assert_int_equal(member(g, "B")->role, REDMON_ROLE_UNKNOWN);
		assert_non_null(member(g, "B")->reason);
		redfish_result_free(&r);
		redfish_walk_free(w);
		mem_free(&m);
	}
}

/*
 * The legacy resources (inline supplies and fans, RedundancySet links with
 * fragments), input lost, a cold-standby supply, a volume rebuilding a
 * failed drive with a dedicated spare, a spanned volume losing two drives.
 */
static void test_rules(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	const struct redfish_group *g;
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	mem_init(&m);
	mem_put(&m, "/redfish/v1", ROOT_DOC);
	mem_put(&m, "/redfish/v1/Chassis", ONE_CHASSIS);
	mem_put(&m, "/redfish/v1/Chassis/C",
		"{\"Power\":{\"@odata.id\":\"/redfish/v1/Chassis/C/Power\"},"
		"\"Thermal\":{\"@odata.id\":\"/redfish/v1/Chassis/C/Thermal\"}}");
	mem_put(&m, "/redfish/v1/Chassis/C/Power",
		"{\"@odata.type\":\"#Power.v1_7_0.Power\",\"PowerSupplies\":["
		"{\"MemberId\":\"0\",\"@odata.id\":\"/redfish/v1/Chassis/C/Power#/PowerSupplies/"
		"0\","
		"\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"},\"LineInputStatus\":"
		"\"NoInput\"},"
		"{\"MemberId\":\"1\",\"@odata.id\":\"/redfish/v1/Chassis/C/Power#/PowerSupplies/"
		"1\","
		"\"Status\":{\"State\":\"Absent\"}},"
		"{\"MemberId\":\"2\",\"Status\":{\"State\":\"StandbyOffline\",\"Health\":\"OK\"}},"
		"{\"MemberId\":\"3\",\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"},"
		"\"Name\":\"PSU 4\",\"SerialNumber\":\"S\\u0007N\"}],"
		"\"Redundancy\":[{\"Mode\":\"N+m\",\"MinNumNeeded\":1,\"Status\":{\"State\":"
		"\"Enabled\",\"Health\":\"Critical\"},\"RedundancySet\":["
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/Power#/PowerSupplies/0\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/Power#/PowerSupplies/1\"}]}]}");
	mem_put(&m, "/redfish/v1/Chassis/C/Thermal",
		"{\"Fans\":[{\"MemberId\":\"F0\",\"Status\":{\"State\":\"Enabled\",\"Health\":"
		"\"OK\"}},{\"MemberId\":\"F1\",\"Status\":{\"State\":\"Disabled\"}}],"
		"\"Redundancy\":[{\"MinNumNeeded\":1,\"Status\":{\"State\":\"Enabled\",\"Health\":"
		"\"OK\"},\"RedundancySet\":[{\"@odata.id\":\"/redfish/v1/Chassis/C/Thermal#/Fans/"
		"0\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/Thermal#/Fans/1\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/Thermal#/Fans/7\"}]}]}");
	mem_put(&m, "/redfish/v1/Systems",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Systems/S\"}]}");
	mem_put(&m, "/redfish/v1/Systems/S",
		"{\"Storage\":{\"@odata.id\":\"/redfish/v1/Systems/S/Storage\"}}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1\"}]}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1",
		"{\"Volumes\":{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1/Volumes\"}}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1/Volumes",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1/Volumes/M\"},"
		"{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1/Volumes/T\"}]}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1/Volumes/M",
		"{\"RAIDType\":\"RAID1\",\"Status\":{\"State\":\"Enabled\",\"Health\":\"Warning\"},"
		"\"Operations\":[{\"Operation\":\"Rebuild\",\"PercentageComplete\":37}],"
		"\"Links\":{\"Drives\":[{\"@odata.id\":\"/redfish/v1/D/0\"},{\"@odata.id\":"
		"\"/redfish/v1/D/1\"}],\"DedicatedSpareDrives\":[{\"@odata.id\":\"/redfish/v1/D/"
		"2\"}]}}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1/Volumes/T",
		"{\"VolumeType\":\"SpannedMirrors\",\"Status\":{\"State\":\"Enabled\",\"Health\":"
		"\"Warning\"},\"Links\":{\"Drives\":[{\"@odata.id\":\"/redfish/v1/D/3\"},"
		"{\"@odata.id\":\"/redfish/v1/D/4\"},{\"@odata.id\":\"/redfish/v1/D/5\"},"
		"{\"@odata.id\":\"/redfish/v1/D/6\"}]}}");
	mem_put(&m, "/redfish/v1/D/0",
		"{\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"},"
		"\"FailurePredicted\":true,\"PhysicalLocation\":{\"PartLocation\":"
		"{\"ServiceLabel\":\"Slot 0\"}}}");
	mem_put(&m, "/redfish/v1/D/1",
		"{\"Status\":{\"State\":\"Enabled\",\"Health\":\"Critical\"}}");
	mem_put(&m, "/redfish/v1/D/2", "{\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}");
	mem_put(&m, "/redfish/v1/D/3", "{\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}");
	mem_put(&m, "/redfish/v1/D/4", "{\"Status\":{\"State\":\"Absent\"}}");
	mem_put(&m, "/redfish/v1/D/5", "{\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}");
	mem_put(&m, "/redfish/v1/D/6", "{\"Status\":{\"State\":\"UnavailableOffline\"}}");
	assert_int_equal(walk_mem(w, &m, &r), 0);

	/* supply 0 lost its input, 1 is an empty bay the set names, 2 cold standby, 3 fine */
	expect(&r, "Chassis/C:psu", "psu-redfish", 4, 1, 1, 1, 1, 3);
	g = find(&r, "Chassis/C:psu");
	assert_non_null(strstr(member(g, "0")->reason, "line input NoInput"));
	assert_int_equal(member(g, "1")->role, REDMON_ROLE_MISSING);
	assert_int_equal(member(g, "2")->role, REDMON_ROLE_STANDBY);
	assert_string_equal(member(g, "3")->location, "PSU 4");
	assert_string_equal(member(g, "3")->serial, "S?N");
	assert_non_null(strstr(g->g.reason, "rates the redundancy Critical"));
	/* fans by fragment; F1 Disabled is failed; #/Fans/7 names no fan: unknown */
	g = find(&r, "Chassis/C:fans");
	assert_int_equal(g->g.members_total, 3);
	assert_int_equal(g->g.members_failed, 1);
	assert_int_equal(g->g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(member(g, "F1"));
	/* the mirror lost D/1, rebuilding; the dedicated spare counts */
	expect(&r, "Systems/S/Storage/1/Volumes/M", "raid", 2, 1, 1, 1, 0, 1);
	g = find(&r, "Systems/S/Storage/1/Volumes/M");
	assert_int_equal(g->g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(g->g.progress == 37);
	assert_non_null(strstr(member(g, "0")->reason, "failure predicted"));
	assert_string_equal(member(g, "0")->location, "Slot 0");
	assert_int_equal(member(g, "2")->role, REDMON_ROLE_SPARE);
	/* RAID10 (VolumeType SpannedMirrors) lost two drives but is still served: no margin */
	expect(&r, "Systems/S/Storage/1/Volumes/T", "raid", 4, 2, 1, 0, 0, 1);
	assert_string_equal(find(&r, "Systems/S/Storage/1/Volumes/T")->g.type, "raid10");
	redfish_result_free(&r);

	/* the same RAID10 out of service: the data is lost */
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1/Volumes/T",
		"{\"RAIDType\":\"RAID10\",\"Status\":{\"State\":\"Enabled\",\"Health\":"
		"\"Critical\"},\"Links\":{\"Drives\":[{\"@odata.id\":\"/redfish/v1/D/3\"},"
		"{\"@odata.id\":\"/redfish/v1/D/4\"},{\"@odata.id\":\"/redfish/v1/D/5\"},"
		"{\"@odata.id\":\"/redfish/v1/D/6\"}]}}");
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_int_equal(find(&r, "Systems/S/Storage/1/Volumes/T")->g.margin, -1);
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
}

/* The root failing fails the walk; the service stopping mid-walk too; a missing resource does not. */
static void test_service_down(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	char why[REDFISH_WHY];
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	mem_init(&m);
	assert_int_equal(redfish_walk_run(w, &m.src, &r, why, sizeof(why)), -EIO);
	assert_non_null(strstr(why, "/redfish/v1: 404"));
	redfish_result_free(&r);

	serve_psus(&m, PSU_OK);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_non_null(find(&r, "Chassis/C:psu"));
	redfish_result_free(&r);

	/* a supply that cannot be had: its member unknown, the rest goes on */
	mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem/PowerSupplies/B", NULL);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_int_equal(find(&r, "Chassis/C:psu")->g.margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(r.failures, 1);
	redfish_result_free(&r);

	/* the subsystem gone while the root answers: the group is unknown, not dropped */
	mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem", NULL);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(r.v[0].g.reason, "not read"));
	redfish_result_free(&r);

	/* the BMC stops answering after the root: the walk fails after asking the root again */
	mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem", PS_C);
	m.total = 0;
	m.fail_after = 2;
	assert_int_equal(redfish_walk_run(w, &m.src, &r, why, sizeof(why)), -EIO);
	assert_non_null(strstr(why, "no longer answers"));
	assert_int_equal(m.total, 4); /* root, Chassis, Chassis/C (fails), root again */
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
}

/* Links that leave /redfish/v1, climb with "..", carry a query or fragment: never asked for. */
static void test_hostile_links(void **state)
{
	static const char *const paths[] = {
		"/redfish/v1",
		"/redfish/v1/",
		"/redfish/v1/Chassis/1U",
		"/redfish/v1/Chassis/a%20b",
	};
	static const char *const bad[] = {
		"/redfish/v1/../../etc/passwd",
		"/redfish/v1/Chassis/..",
		"/redfish/v1/./Chassis",
		"/redfish/v1//Chassis",
		"/redfish/v1/Chassis/%2e%2e/x",
		"/redfish/v1/Chassis/%2F",
		"/redfish/v1/Chassis?$expand=*",
		"/redfish/v1/Chassis#/x",
		"/redfish/v10",
		"redfish/v1/Chassis",
		"/etc/passwd",
		"/redfish/v1/Chassis/a b",
		"/redfish/v1/Chassis/a\nb",
		"/redfish/v1/Chassis/\\x",
		"",
	};
	struct redfish_walk *w = redfish_walk_new();
	struct redfish_result r;
	struct mem_source m;
	char longp[REDFISH_PATH_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_true(redfish_path_ok(paths[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (redfish_path_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
	memset(longp, 'a', sizeof(longp) - 1);
	memcpy(longp, "/redfish/v1/", 12);
	longp[sizeof(longp) - 1] = '\0';
	assert_false(redfish_path_ok(longp));
	assert_false(redfish_path_ok(NULL));

	mem_init(&m);
	mem_put(&m, "/redfish/v1",
		"{\"Chassis\":{\"@odata.id\":\"/redfish/v1/../../etc\"},"
		"\"Systems\":{\"@odata.id\":\"/redfish/v1/Systems\"}}");
	mem_put(&m, "/redfish/v1/Systems",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Systems/%2e%2e\"},"
		"{\"@odata.id\":\"/redfish/v1/Systems/S?x=1\"},{\"@odata.id\":\"/etc/passwd\"},"
		"{\"@odata.id\":\"/redfish/v1/Systems/S\"}]}");
	mem_put(&m, "/redfish/v1/Systems/S",
		"{\"Storage\":{\"@odata.id\":\"/redfish/v1/Systems/S/Storage\"}}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1\"}]}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1",
		"{\"Volumes\":{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1/Volumes\"}}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1/Volumes",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Systems/S/Storage/1/Volumes/V\"}]}");
	mem_put(&m, "/redfish/v1/Systems/S/Storage/1/Volumes/V",
		"{\"RAIDType\":\"RAID1\",\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"},"
		"\"Links\":{\"Drives\":[{\"@odata.id\":\"/redfish/v1/Chassis/C/Drives/../../x\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/Drives/D1\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/Drives/D1/\"},"
		"{\"@odata.id\":\"/redfish/v1/x\\nb\"}]}}");
	mem_put(&m, "/redfish/v1/Chassis/C/Drives/D1", PSU_OK);
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_false(m.bad_path);
	/*
	 * the refused drive links are members not known (named printable): the
	 * mirror's margin is unknown; D1 with a trailing '/' is D1 again
	 */
	expect(&r, "Systems/S/Storage/1/Volumes/V", "raid", 3, 1, 0, 0, REDMON_MARGIN_UNKNOWN, 1);
	assert_non_null(member(find(&r, "Systems/S/Storage/1/Volumes/V"), "x?b"));
	assert_non_null(strstr(member(find(&r, "Systems/S/Storage/1/Volumes/V"), "x")->reason,
			       "not a /redfish/v1 path"));
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
}

/* Links that loop back: each path fetched once, each container walked once. */
static void test_loops(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	mem_init(&m);
	mem_put(&m, "/redfish/v1",
		"{\"Chassis\":{\"@odata.id\":\"/redfish/v1/Chassis\"},"
		"\"Systems\":{\"@odata.id\":\"/redfish/v1/Chassis\"}}");
	mem_put(&m, "/redfish/v1/Chassis",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1\"},{\"@odata.id\":\"/redfish/v1/"
		"Chassis\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C\"},{\"@odata.id\":\"/redfish/v1/Chassis/C/"
		"\"}],"
		"\"Storage\":{\"@odata.id\":\"/redfish/v1/Chassis\"},"
		"\"PowerSubsystem\":{\"@odata.id\":\"/redfish/v1/Chassis\"}}");
	mem_put(&m, "/redfish/v1/Chassis/C",
		"{\"@odata.type\":\"#Chassis.v1_0_0.Chassis\","
		"\"PowerSubsystem\":{\"@odata.id\":\"/redfish/v1/Chassis/C\"},"
		"\"ThermalSubsystem\":{\"@odata.id\":\"/redfish/v1/Chassis/C/T\"},"
		"\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/C\"}]}");
	mem_put(&m, "/redfish/v1/Chassis/C/T",
		"{\"FanRedundancy\":[{\"RedundancyGroup\":[{\"@odata.id\":\"/redfish/v1/Chassis/C/"
		"T\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/C/T\"},{\"@odata.id\":\"/redfish/v1\"}],"
		"\"MinNeededInGroup\":1,\"Status\":{\"Health\":\"OK\"}}]}");
	assert_int_equal(walk_mem(w, &m, &r), 0);
	/* the root is asked again once, after the first resource that could not be had */
	for (int i = 0; i < m.n; i++)
		assert_true(mem_gets(&m, m.path[i]) <= (i == 0 ? 2 : 1));
	/* the fan set's "members" are the subsystem and the root: no Status, so unknown */
	assert_int_equal(find(&r, "Chassis/C:fans")->g.members_total, 2);
	assert_int_equal(find(&r, "Chassis/C:fans")->g.margin, REDMON_MARGIN_UNKNOWN);
	assert_true(m.total <= 10);
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
}

/* Every field of the wrong JSON type: no crash, no group made up, no member failed by it. */
static void test_wrong_types(void **state)
{
	static const char *const power[] = {
		"{\"PowerSupplies\":{\"@odata.id\":7},\"PowerSupplyRedundancy\":\"x\"}",
		"{\"PowerSupplies\":[1,2],\"PowerSupplyRedundancy\":[{\"MinNeededInGroup\":\"2\","
		"\"RedundancyGroup\":{\"@odata.id\":\"/redfish/v1/x\"},\"Status\":7}]}",
		"{\"PowerSupplyRedundancy\":[{\"MinNeededInGroup\":-1,\"RedundancyGroup\":[7,null,"
		"{\"@odata.id\":[\"/redfish/v1/y\"]}],\"Status\":{\"Health\":7}}]}",
		"{\"PowerSupplyRedundancy\":[{\"MinNeededInGroup\":99999999999999999999}]}",
		"[]",
		"\"PowerSubsystem\"",
		"7",
		"null",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(power) / sizeof(power[0]); i++) {
		struct redfish_walk *w = redfish_walk_new();
		struct redfish_result r;
		struct mem_source m;

		mem_init(&m);
		serve_psus(&m, PSU_OK);
		mem_put(&m, "/redfish/v1/Chassis/C/PowerSubsystem", power[i]);
		mem_put(&m, "/redfish/v1/Systems", "{\"Members\":{\"a\":1}}");
		assert_int_equal(walk_mem(w, &m, &r), 0);
		for (size_t k = 0; k < r.n; k++)
			assert_int_equal(r.v[k].g.members_failed, 0);
		assert_false(m.bad_path);
		redfish_result_free(&r);
		redfish_walk_free(w);
		mem_free(&m);
	}
}

/* A collection of 100000 members and a service that answers anything: bounded. */
static void test_huge(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	size_t len = 100000 * 48 + 64, off = 0;
	char *big = malloc(len);
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	assert_non_null(big);
	off += (size_t)snprintf(big + off, len - off, "{\"Members\":[");
	for (int i = 0; i < 100000; i++)
		off += (size_t)snprintf(big + off, len - off,
					"%s{\"@odata.id\":\"/redfish/v1/C/%d\"}", i ? "," : "", i);
	snprintf(big + off, len - off, "]}");
	mem_init(&m);
	mem_put(&m, "/redfish/v1", ROOT_DOC);
	mem_put(&m, "/redfish/v1/Chassis", big);
	/* every chassis is a PowerSubsystem whose supplies are the same huge collection */
	m.huge = "{\"PowerSubsystem\":{\"@odata.id\":\"/redfish/v1/Chassis\"},"
		 "\"PowerSupplies\":{\"@odata.id\":\"/redfish/v1/Chassis\"},"
		 "\"Status\":{\"State\":\"Enabled\",\"Health\":\"OK\"}}";
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_true(r.fetches <= REDFISH_MAX_FETCHES + 1);
	assert_true(r.n <= REDFISH_MAX_GROUPS);
	for (size_t k = 0; k < r.n; k++)
		assert_true(r.v[k].g.members_total <= REDFISH_MAX_MEMBERS);
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
	free(big);
}

/* Resources of 300000 values each: the walk stops at REDFISH_MAX_VALUES, and ends well. */
static void test_values_budget(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	size_t len = 300000 * 2 + 64, off = 0;
	char *big = malloc(len);
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	assert_non_null(big);
	off += (size_t)snprintf(big + off, len - off, "{\"x\":[");
	for (int i = 0; i < 300000; i++)
		off += (size_t)snprintf(big + off, len - off, "%s0", i ? "," : "");
	snprintf(big + off, len - off, "]}");
	mem_init(&m);
	mem_put(&m, "/redfish/v1", ROOT_DOC);
	mem_put(&m, "/redfish/v1/Chassis",
		"{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/1\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/2\"},{\"@odata.id\":\"/redfish/v1/Chassis/"
		"3\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/4\"},{\"@odata.id\":\"/redfish/v1/Chassis/"
		"5\"},"
		"{\"@odata.id\":\"/redfish/v1/Chassis/6\"}]}");
	m.huge = big;
	assert_int_equal(walk_mem(w, &m, &r), 0);
	/* root, collection, 3 chassis held (900006 values), the 4th dropped; then nothing */
	assert_int_equal(r.fetches, 6);
	assert_int_equal(r.failures, 1);
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
	free(big);
}

/* More groups than a walk reports: the rest left out, the walk not failed. */
static void test_many_groups(void **state)
{
	struct redfish_walk *w = redfish_walk_new();
	size_t len = 256 * 48 + 64, off = 0;
	char *coll = malloc(len);
	struct redfish_result r;
	struct mem_source m;

	(void)state;
	assert_non_null(coll);
	off += (size_t)snprintf(coll + off, len - off, "{\"Members\":[");
	for (int i = 0; i < 256; i++)
		off += (size_t)snprintf(coll + off, len - off,
					"%s{\"@odata.id\":\"/redfish/v1/Chassis/%d\"}",
					i ? "," : "", i);
	snprintf(coll + off, len - off, "]}");
	mem_init(&m);
	mem_put(&m, "/redfish/v1", ROOT_DOC);
	mem_put(&m, "/redfish/v1/Chassis", coll);
	mem_put(&m, "/redfish/v1/T",
		"{\"FanRedundancy\":[{\"RedundancyGroup\":[{\"@odata.id\":\"/redfish/v1/F\"}],"
		"\"Status\":{\"Health\":\"OK\"}},{\"RedundancyGroup\":[{\"@odata.id\":\"/redfish/"
		"v1/"
		"F\"}],\"Status\":{\"Health\":\"OK\"}},{\"RedundancyGroup\":[{\"@odata.id\":\"/"
		"redfish/v1/F\"}],\"Status\":{\"Health\":\"OK\"}}]}");
	mem_put(&m, "/redfish/v1/F", PSU_OK);
	mem_put(&m, "/redfish/v1/Systems", "{}");
	/* every chassis has three fan sets: 768 groups */
	m.huge = "{\"ThermalSubsystem\":{\"@odata.id\":\"/redfish/v1/T\"}}";
	assert_int_equal(walk_mem(w, &m, &r), 0);
	assert_int_equal(r.n, REDFISH_MAX_GROUPS);
	assert_int_equal(r.fetches, 261); /* root, collection, 256 chassis, T, F, Systems */
	assert_non_null(find(&r, "Chassis/0:fans-f")); /* then fans-2, fans-3: the suffix taken */
	assert_non_null(find(&r, "Chassis/0:fans-3"));
	redfish_result_free(&r);
	redfish_walk_free(w);
	mem_free(&m);
	free(coll);
}

/* --- the files source --------------------------------------------------------------------- */

static void put_file(const char *root, const char *rel, const char *text)
{
	char p[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A link inside the tree leading out of it is not followed; a file over the cap is not read. */
static void test_files_stay_in_root(void **state)
{
	char root[] = "/tmp/redfish-files.XXXXXX", out[] = "/tmp/redfish-outside.XXXXXX", p[512],
	     why[REDFISH_WHY];
	struct redfish_files f;
	json_t *doc;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(mkdtemp(out));
	/* a resource outside the root, valid JSON: only containment keeps it out */
	put_file(out, "index.json", ROOT_DOC);
	put_file(root, "redfish/v1/index.json", ROOT_DOC);
	put_file(root, "redfish/v1/Chassis/x", "");
	snprintf(p, sizeof(p), "%s/redfish/v1/Chassis/index.json", root);
	snprintf(why, sizeof(why), "%s/index.json", out);
	assert_int_equal(symlink(why, p), 0);
	snprintf(p, sizeof(p), "%s/redfish/v1/Systems", root);
	assert_int_equal(symlink("../../../../../../../../etc", p), 0);
	put_file(root, "redfish/v1/Big/index.json", "{\"a\":\"0123456789012345678901234567890\"}");
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	redfish_files_init(&f, fd);

	doc = f.src.get(&f.src, "/redfish/v1", why, sizeof(why));
	assert_true(json_is_object(doc));
	json_decref(doc);
	assert_null(f.src.get(&f.src, "/redfish/v1/Chassis", why, sizeof(why)));
	assert_null(f.src.get(&f.src, "/redfish/v1/Systems/passwd", why, sizeof(why)));
	assert_null(f.src.get(&f.src, "/redfish/v1/../../etc", why, sizeof(why)));
	f.max = 16;
	assert_null(f.src.get(&f.src, "/redfish/v1/Big", why, sizeof(why)));
	assert_non_null(strstr(why, "larger"));
	put_file(root, "redfish/v1/Bad/index.json", "{\"a\":");
	f.max = REDFISH_FILES_MAX;
	assert_null(f.src.get(&f.src, "/redfish/v1/Bad", why, sizeof(why)));
	assert_non_null(strstr(why, "not JSON"));
	close(fd);
	assert_int_equal(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	assert_int_equal(nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_power_and_fans),
		cmocka_unit_test(test_corpus_volumes),
		cmocka_unit_test(test_bay_emptied),
		cmocka_unit_test(test_no_health),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_service_down),
		cmocka_unit_test(test_hostile_links),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_many_groups),
		cmocka_unit_test(test_values_budget),
		cmocka_unit_test(test_files_stay_in_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
