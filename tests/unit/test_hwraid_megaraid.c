// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hwraid rules (level, nominal margin, one logical drive as a group) and
 * the MegaRAID/PERC parsers (JSON and text), against made-up tables and the
 * corpus captures.  Run from the top of the tree (tests/corpus).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/hwraid/hwraid.h"
#include "../../plugins/hwraid/megaraid.h"

#include "hwraid_test.h"

/* Outputs (NULL-terminated, the first the main one) through the driver. */
static int parse(struct hwraid_result *r, const char *const *texts, char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_megaraid, r, NULL, texts, false, err, len);
}

/* The device of e's member named name (it must be there). */
static const char *member_device(const struct eval *e, const char *name)
{
	for (size_t i = 0; i < e->g.n_members; i++) {
		if (strcmp(e->mem[i].name, name) == 0)
			return e->mem[i].device ? e->mem[i].device : "(none)";
	}
	fail_msg("no member %s", name);
	return NULL;
}

static void test_levels(void **state)
{
	char out[16];

	(void)state;
	assert_true(hwraid_level("RAID10", out, sizeof(out)));
	assert_string_equal(out, "raid10");
	assert_true(hwraid_level("RAID 1E", out, sizeof(out)));
	assert_string_equal(out, "raid1e");
	assert_true(hwraid_level("raid00", out, sizeof(out)));
	assert_false(hwraid_level("RAID3", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(hwraid_level("JBOD", out, sizeof(out)));
	assert_false(hwraid_level("RAID1000000000", out, sizeof(out)));
	assert_int_equal(hwraid_nominal("raid0"), 0);
	assert_int_equal(hwraid_nominal("raid1"), 1);
	assert_int_equal(hwraid_nominal("raid5"), 1);
	assert_int_equal(hwraid_nominal("raid6"), 2);
	assert_int_equal(hwraid_nominal("raid10"), 1);
	assert_int_equal(hwraid_nominal("raid50"), 1);
	assert_int_equal(hwraid_nominal("raid60"), 2);
	assert_int_equal(hwraid_nominal("raid1e"), 1);
	assert_int_equal(hwraid_nominal("raid7"), -1);
}

/* A logical drive of level with members of the given conditions and spans. */
static struct hwraid_ld *make(struct hwraid_result *r, const char *level, const char *state,
			      enum hwraid_ld_cond cond, const enum hwraid_pd_cond *c,
			      const int *span, size_t n)
{
	struct hwraid_ld *ld = hwraid_ld_add(r);

	assert_non_null(ld);
	snprintf(ld->name, sizeof(ld->name), "c0/v%zu", r->n_ld - 1);
	assert_true(hwraid_level(level, ld->level, sizeof(ld->level)));
	snprintf(ld->state, sizeof(ld->state), "%s", state);
	ld->cond = cond;
	for (size_t i = 0; i < n; i++) {
		struct hwraid_pd *pd = hwraid_pd_add(ld);

		assert_non_null(pd);
		snprintf(pd->name, sizeof(pd->name), "252:%zu", i);
		pd->cond = c[i];
		pd->span = span ? span[i] : -1;
		ld->spares += c[i] == HWRAID_PD_SPARE;
	}
	return ld;
}

static void test_margins(void **state)
{
	const enum hwraid_pd_cond ok = HWRAID_PD_OK, f = HWRAID_PD_FAILED,
				  rb = HWRAID_PD_REBUILDING, sp = HWRAID_PD_SPARE,
				  ms = HWRAID_PD_MISSING;
	const enum hwraid_pd_cond raid10_one[] = { ok, ok, f, ok, ok, ok, ok, ok };
	const enum hwraid_pd_cond raid60_two[] = { f, ok, ok, ok, ok, f, ok, ok };
	const enum hwraid_pd_cond raid6_two[] = { f, ok, ms, ok, ok, ok };
	const enum hwraid_pd_cond raid5_rb[] = { ok, rb, ok, ok, sp };
	const enum hwraid_pd_cond all_ok[] = { ok, ok, ok, ok };
	const int spans8[] = { 0, 0, 1, 1, 2, 2, 3, 3 }, spans60[] = { 0, 0, 0, 0, 1, 1, 1, 1 };
	struct hwraid_result r = { 0 };
	struct eval e;

	(void)state;
	/* RAID10 lost one drive of span 1: its partner is alone, worst case 0. */
	eval(make(&r, "RAID10", "Dgrd", HWRAID_LD_DEGRADED, raid10_one, spans8, 8), &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 1);
	assert_int_equal(e.g.members_total, 8);
	assert_int_equal(e.g.members_ok, 7);
	assert_int_equal(e.g.members_failed, 1);
	assert_string_equal(e.g.type, "raid10");
	/* RAID60, one lost in each span: one more failure in either is survived. */
	eval(make(&r, "RAID60", "Pdgd", HWRAID_LD_DEGRADED, raid60_two, spans60, 8), &e);
	assert_int_equal(e.g.margin, 1);
	/* The same without spans: both losses count against the level. */
	eval(make(&r, "RAID60", "Pdgd", HWRAID_LD_DEGRADED, raid60_two, NULL, 8), &e);
	assert_int_equal(e.g.margin, 0);
	/* RAID6, one failed and one missing: 0, the missing one not failed. */
	eval(make(&r, "RAID6", "Dgrd", HWRAID_LD_DEGRADED, raid6_two, NULL, 6), &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.members_failed, 1);
	assert_int_equal(e.g.members_ok, 4);
	/* RAID5 rebuilding onto a drive, a spare beside: recovery, margin 0, 1 spare. */
	eval(make(&r, "RAID5", "Dgrd", HWRAID_LD_DEGRADED, raid5_rb, NULL, 5), &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_int_equal(e.g.spares, 1);
	assert_int_equal(e.g.members_total, 4);
	assert_int_equal(e.mem[1].role, REDMON_ROLE_REBUILDING);
	assert_int_equal(e.mem[4].role, REDMON_ROLE_SPARE);
	/* Offline: the service is lost whatever the members say. */
	eval(make(&r, "RAID1", "OfLn", HWRAID_LD_OFFLINE, all_ok, NULL, 2), &e);
	assert_int_equal(e.g.margin, -1);
	/* Degraded though every listed member is fine: one is not listed. */
	eval(make(&r, "RAID6", "Dgrd", HWRAID_LD_DEGRADED, all_ok, NULL, 4), &e);
	assert_int_equal(e.g.margin, 1);
	/* A total over the listed members: the unlisted are missing. */
	r.ld[r.n_ld - 1].total = 6;
	r.ld[r.n_ld - 1].cond = HWRAID_LD_OK;
	eval(&r.ld[r.n_ld - 1], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.members_total, 6);
	/* A state word nobody knows: unknown, with the word. */
	eval(make(&r, "RAID1", "Frob", HWRAID_LD_UNKNOWN, all_ok, NULL, 2), &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "Frob"));
	/* A level nobody knows: unknown, naming the tool's word; none given: said so. */
	r.ld[r.n_ld - 1].level[0] = '\0';
	hwraid_level_unknown(&r.ld[r.n_ld - 1], " RAID 3\x01 ", 9);
	eval(&r.ld[r.n_ld - 1], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(e.g.reason, "RAID level 'RAID 3?' not understood");
	r.ld[r.n_ld - 1].level_word[0] = '\0';
	eval(&r.ld[r.n_ld - 1], &e);
	assert_string_equal(e.g.reason, "RAID level not understood");
	/* RAID0: nonredundant by design. */
	eval(make(&r, "RAID0", "Optl", HWRAID_LD_OK, all_ok, NULL, 4), &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 0);
	hwraid_result_free(&r);
}

static void test_text_corpus(void **state)
{
	size_t len;
	char *buf = slurp("tests/corpus/hwraid-text/storcli-check-text-raid10-one-drive-offline/"
			  "storcli-call-show-all.txt",
			  &len);
	const char *texts[] = { buf, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	eval(find(&r, "c2/v0"), &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.members_total, 8);
	assert_int_equal(e.g.members_failed, 1);
	assert_non_null(strstr(e.g.reason, "Needs Attention"));
	for (size_t i = 0; i < e.g.n_members; i++) {
		if (strcmp(e.mem[i].name, "88:9") == 0) {
			assert_int_equal(e.mem[i].role, REDMON_ROLE_FAILED);
			assert_string_equal(e.mem[i].device, "/dev/bus/2 megaraid,84");
			assert_string_equal(e.mem[i].location, "88:9");
		}
	}
	eval(find(&r, "c1/v0"), &e);
	assert_int_equal(e.g.margin, 1);
	assert_null(e.g.reason);
	hwraid_result_free(&r);
	free(buf);
}

static void test_json_corpus(void **state)
{
	size_t l1, l2;
	char *a = slurp("tests/corpus/hwraid-json/textfile-collector-storcli-raid6-four-pds/"
			"storcli-call-show-all.json",
			&l1);
	char *b = slurp("tests/corpus/hwraid-json/textfile-collector-storcli-raid6-four-pds/"
			"storcli-call-eall-sall-show-all.json",
			&l2);
	const char *texts[] = { a, b, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "c0/v0");
	assert_int_equal(e.g.margin, 2);
	assert_string_equal(e.mem[0].serial, "20032656D641");
	assert_string_equal(e.mem[0].device, "/dev/bus/0 megaraid,2");
	hwraid_result_free(&r);
	free(a);
	free(b);
}

/* One output through the driver, with the kernel's host number when host >= 0 (live). */
static int parse_host(struct hwraid_result *r, const char *text, int host)
{
	struct hwraid_output o = { .name = "storcli64",
				   .buf = text,
				   .len = strlen(text),
				   .main = true,
				   .host_known = host >= 0,
				   .host = host };
	char err[256];

	*r = (struct hwraid_result){ 0 };
	return hwraid_megaraid.parse(&o, 1, r, err, sizeof(err));
}

/*
 * smartctl's "/dev/bus/N -d megaraid,DID": N is the SCSI host's number
 * (megaraid_sas matches the ioctl's host_no against it), not storcli's
 * controller number.  Live, with the one megaraid_sas host known (host6
 * behind six ahci ports), every drive of the one controller is on
 * /dev/bus/6; without it, or with several controllers (which host is which
 * is not said), the controller's number.
 */
static void test_smartctl_bus(void **state)
{
	size_t l1, l2;
	char *one = slurp("tests/corpus/hwraid-json/netdata-storcli-raid6-six-pds/"
			  "storcli-call-show-all.json",
			  &l1);
	char *two = slurp("tests/corpus/hwraid-text/storcli-check-text-raid10-one-drive-offline/"
			  "storcli-call-show-all.txt",
			  &l2);
	struct hwraid_result r;
	struct eval e;

	(void)state;
	assert_int_equal(parse_host(&r, one, 6), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.n_members, 6);
	for (size_t i = 0; i < e.g.n_members; i++) {
		assert_non_null(e.mem[i].device);
		assert_true(strncmp(e.mem[i].device, "/dev/bus/6 megaraid,", 20) == 0);
	}
	assert_string_equal(member_device(&e, "252:3"), "/dev/bus/6 megaraid,35");
	hwraid_result_free(&r);
	assert_int_equal(parse_host(&r, one, -1), 0); /* not known: the controller's number */
	eval(&r.ld[0], &e);
	assert_string_equal(member_device(&e, "252:3"), "/dev/bus/0 megaraid,35");
	hwraid_result_free(&r);
	assert_int_equal(parse_host(&r, two, 6), 0); /* two controllers, one host: not told */
	eval(find(&r, "c2/v0"), &e);
	assert_string_equal(member_device(&e, "88:9"), "/dev/bus/2 megaraid,84");
	hwraid_result_free(&r);
	free(one);
	free(two);
}

/* A file of the test's sysfs tree, its directories made. */
static void put(const char *root, const char *path, const char *text)
{
	char p[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, path);
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

/* The one megaraid_sas SCSI host's number (N of hostN, not its unique_id), or none. */
static void test_only_host_no(void **state)
{
	char root[] = "/tmp/test_hwraid_megaraid.XXXXXX", cmd[128];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(hwraid_only_host_no(fd, "megaraid_sas"), -1); /* no sys at all */
	put(root, "sys/class/scsi_host/host0/proc_name", "ahci\n");
	assert_int_equal(hwraid_only_host_no(fd, "megaraid_sas"), -1);
	put(root, "sys/class/scsi_host/host6/proc_name", "megaraid_sas\n");
	put(root, "sys/class/scsi_host/host6/unique_id", "45312\n"); /* PCI bus << 8 | devfn */
	assert_int_equal(hwraid_only_host_no(fd, "megaraid_sas"), 6);
	assert_int_equal(hwraid_only_host(fd, "megaraid_sas"), 45312);
	put(root, "sys/class/scsi_host/host7/proc_name", "megaraid_sas\n");
	assert_int_equal(hwraid_only_host_no(fd, "megaraid_sas"), -1); /* two: which is which? */
	put(root, "sys/class/scsi_host/host7/proc_name", "mpt3sas\n");
	assert_int_equal(hwraid_only_host_no(fd, "megaraid_sas"), 6);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static const char vd_json[] =
	"{\"Controllers\":[{\"Command Status\":{\"Controller\":0,\"Status\":\"Success\","
	"\"Description\":\"None\"},\"Response Data\":{"
	"\"Status\":{\"Controller Status\":\"Optimal\"},"
	"\"VD LIST\":[{\"DG/VD\":\"0/0\",\"TYPE\":\"RAID1\",\"State\":\"%s\",\"Cache\":\"%s\","
	"\"Name\":\"x\"}],"
	"\"PD LIST\":[{\"EID:Slt\":\"8:0\",\"DID\":3,\"State\":\"%s\",\"DG\":0,\"Model\":\"M\"},"
	"{\"EID:Slt\":\"8:1\",\"DID\":4,\"State\":\"Onln\",\"DG\":0,\"Model\":\"M\"},"
	"{\"EID:Slt\":\"8:2\",\"DID\":5,\"State\":\"%s\",\"DG\":\"%s\",\"Model\":\"M\"}],"
	"\"%s\":[{\"Model\":\"CVPM02\",\"State\":\"%s\"}]}}]}";

static void parse_vd(struct hwraid_result *r, struct eval *e, const char *vd_state,
		     const char *cache, const char *pd0, const char *pd2, const char *dg2,
		     const char *bbu, const char *bbu_state)
{
	char json[2048], err[256];
	const char *texts[] = { json, NULL };
	int rc;

	snprintf(json, sizeof(json), vd_json, vd_state, cache, pd0, pd2, dg2, bbu, bbu_state);
	rc = parse(r, texts, err, sizeof(err));
	if (rc != 0)
		fail_msg("parse: %s", err);
	assert_int_equal(r->n_ld, 1);
	eval(&r->ld[0], e);
}

static void test_json_states(void **state)
{
	struct hwraid_result r;
	struct eval e;

	(void)state;
	parse_vd(&r, &e, "Optl", "RWBD", "Onln", "UGood", "-", "Cachevault_Info", "Optimal");
	assert_int_equal(e.g.margin, 1);
	assert_int_equal(e.g.members_total, 2);
	assert_null(e.g.reason);
	hwraid_result_free(&r);
	/* a GHS spare, a rebuilding member */
	parse_vd(&r, &e, "Dgrd", "RWBD", "Rbld", "GHS", "-", "Cachevault_Info", "Optimal");
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.spares, 1);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	hwraid_result_free(&r);
	/* a DHS of another drive group is not this VD's spare */
	parse_vd(&r, &e, "Optl", "RWBD", "Onln", "DHS", "1", "Cachevault_Info", "Optimal");
	assert_int_equal(e.g.spares, 0);
	hwraid_result_free(&r);
	/* controller trouble: reasons, never health */
	parse_vd(&r, &e, "Optl", "RWBD", "Onln", "UBad", "-", "BBU_Info", "Failed");
	assert_int_equal(e.g.margin, 1);
	assert_non_null(strstr(e.g.reason, "BBU Failed"));
	assert_non_null(strstr(e.g.reason, "unconfigured-bad"));
	assert_non_null(strstr(e.g.reason, "8:2"));
	hwraid_result_free(&r);
	parse_vd(&r, &e, "Optl", "RWBD", "Onln", "UGood", "F", "Cachevault_Info", "Learning");
	assert_non_null(strstr(e.g.reason, "foreign"));
	assert_non_null(strstr(e.g.reason, "CacheVault Learning"));
	hwraid_result_free(&r);
	/* a VD state we do not know: unknown, named */
	parse_vd(&r, &e, "Bgnd?", "RWBD", "Onln", "UGood", "-", "x", "y");
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "Bgnd?"));
	hwraid_result_free(&r);
	/* OfLn: failed */
	parse_vd(&r, &e, "OfLn", "RWBD", "Offln", "UGood", "-", "x", "y");
	assert_int_equal(e.g.margin, -1);
	assert_int_equal(e.g.members_failed, 1);
	hwraid_result_free(&r);
}

/*
 * Words we do not know reach the reason whole (up to HWRAID_WORD - 1 bytes)
 * and printable: a long VD state, one with a control byte, a RAID level.
 */
static void test_unknown_words(void **state)
{
	static const char long_state[] = "Background Initialization Paused By User";
	char huge[200], json[2048], err[256], *type;
	const char *texts[] = { json, NULL };
	struct hwraid_result r;
	struct eval e;

	(void)state;
	parse_vd(&r, &e, long_state, "RWBD", "Onln", "UGood", "-", "x", "y");
	assert_true(strlen(long_state) > 23);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "state 'Background Initialization Paused By User'"));
	hwraid_result_free(&r);
	parse_vd(&r, &e, "Bell\\u0007Rung", "RWBD", "Onln", "UGood", "-", "x", "y");
	assert_non_null(strstr(e.g.reason, "state 'Bell?Rung' not understood"));
	hwraid_result_free(&r);
	/* a word past the bound: cut at HWRAID_WORD - 1 bytes, never beyond */
	memset(huge, 'W', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	parse_vd(&r, &e, huge, "RWBD", "Onln", "UGood", "-", "x", "y");
	assert_int_equal(strlen(r.ld[0].state), HWRAID_WORD - 1);
	assert_non_null(strstr(e.g.reason, r.ld[0].state));
	hwraid_result_free(&r);
	/* a RAID level the rules do not know: named */
	snprintf(json, sizeof(json), vd_json, "Optl", "RWBD", "Onln", "UGood", "-", "x", "y");
	type = strstr(json, "\"RAID1\"");
	assert_non_null(type);
	memcpy(type, "\"RAID3\"", 7);
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(e.g.type, "unknown");
	assert_non_null(strstr(e.g.reason, "RAID level 'RAID3' not understood"));
	hwraid_result_free(&r);
}

static void test_write_through_fallback(void **state)
{
	static const char perc2[] =
		"{\"Controllers\":[{\"Command "
		"Status\":{\"Controller\":\"1\",\"Status\":\"Success\"},"
		"\"Response Data\":{\"VD LIST\":[{\"DG/VD\":\"0/3\",\"TYPE\":\"RAID5\",\"State\":"
		"\"Optl\",\"CurrentCache\":\"NR,WT\",\"DefaultCache\":\"NR,WB\"}],\"PD LIST\":["
		"{\"EID:Slt\":\"9:0\",\"PID\":1,\"State\":\"Conf\",\"Status\":\"Online\",\"DG\":0},"
		"{\"EID:Slt\":\"9:1\",\"PID\":2,\"State\":\"Conf\",\"Status\":\"Online\",\"DG\":0},"
		"{\"EID:Slt\":\"9:2\",\"PID\":3,\"State\":\"Conf\",\"Status\":\"Offline\",\"DG\":0}"
		"]}}]}";
	const char *texts[] = { perc2, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "c1/v3");
	assert_non_null(strstr(e.g.reason, "write-through"));
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.members_failed, 1);
	assert_null(e.mem[0].device); /* storcli2's PID is not smartctl's number */
	hwraid_result_free(&r);
}

static void test_failures(void **state)
{
	static const char none[] = "{\"Controllers\":[{\"Command Status\":{\"Status\":\"Failure\","
				   "\"Description\":\"No Controller found\"}}]}";
	static const char failed[] =
		"{\"Controllers\":[{\"Command Status\":{\"Status\":\"Failure\","
		"\"Description\":\"un-supported command\"}}]}";
	static const char *const garbage[] = { "",
					       "garbage\n",
					       "{\"a\":1}",
					       "{\"Controllers\":[1]}",
					       "Controller = x\n",
					       "[1,2]",
					       "{\"Controllers\":[{\"Command Status\":{\"Status\":"
					       "\"Success\"}}]}",
					       NULL };
	struct hwraid_result r;
	char err[256];

	(void)state;
	{
		const char *t[] = { none, NULL };

		assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
		assert_int_equal(r.n_ld, 0);
		assert_true(r.none);
		hwraid_result_free(&r);
	}
	{
		const char *t[] = { failed, NULL };

		assert_int_equal(parse(&r, t, err, sizeof(err)), -EPROTO);
		assert_non_null(strstr(err, "un-supported"));
		hwraid_result_free(&r);
	}
	for (size_t i = 0; garbage[i]; i++) {
		const char *t[] = { garbage[i], NULL };

		assert_int_equal(parse(&r, t, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		hwraid_result_free(&r);
	}
}

/* Text tables: a model with blanks, an empty name, a missing drive in TOPOLOGY. */
static void test_text_tables(void **state)
{
	static const char text[] =
		"Controller = 3\nStatus = Success\nDescription = None\n\n"
		"Controller Status = Optimal\n\n"
		"TOPOLOGY :\n========\n\n-----\n"
		"DG Arr Row EID:Slot DID Type  State BT      Size PDC  PI SED DS3  FSpace\n-----\n"
		" 0 -   -   -        -   RAID1 Dgrd  N  465.25 GB dflt N  N   dflt N\n"
		" 0 0   -   -        -   RAID1 Dgrd  N  465.25 GB dflt N  N   dflt N\n"
		" 0 0   0   16:0     8   DRIVE Onln  N  465.25 GB dflt N  N   dflt -\n"
		" 0 0   1   -        -   DRIVE Msng  -       0 KB -    -  -   -    -\n-----\n\n"
		"VD LIST :\n=======\n\n-----\n"
		"DG/VD TYPE  State Access Consist Cache sCC      Size Name\n-----\n"
		"0/0   RAID1 Dgrd  RW     Yes     RWBD  -   465.25 GB\n-----\n\n"
		"PD LIST :\n=======\n\n-----\n"
		"EID:Slt DID State DG      Size Intf Med SED PI SeSz Model       Sp\n-----\n"
		"16:0      8 Onln   0 465.25 GB SATA HDD N   N  512B SAMSUNG MZ7 LM U\n-----\n";
	const char *t[] = { text, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	assert_string_equal(r.ld[0].pd[0].model, "SAMSUNG MZ7 LM");
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "c3/v0");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.mem[1].role, REDMON_ROLE_MISSING);
	hwraid_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_margins),
		cmocka_unit_test(test_text_corpus),
		cmocka_unit_test(test_json_corpus),
		cmocka_unit_test(test_json_states),
		cmocka_unit_test(test_unknown_words),
		cmocka_unit_test(test_write_through_fallback),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_text_tables),
		cmocka_unit_test(test_smartctl_bus),
		cmocka_unit_test(test_only_host_no),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
