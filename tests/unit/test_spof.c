/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/lib/spof.c on temporary sysfs trees with real links: whole disks,
 * PCI functions and cards, the reasons they give, and hostile trees (links
 * out of the root, loops, bad names, missing files) that give nothing.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugins/lib/spof.h"
#include "spof_tree.h"

struct tree {
	char top[64]; /* top/root is the probe's root; top/out stands for the host */
	char root[96];
	int root_fd;
};

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	strcpy(t->top, "/tmp/spof-test-XXXXXX");
	assert_non_null(mkdtemp(t->top));
	snprintf(t->root, sizeof(t->root), "%s/root", t->top);
	assert_int_equal(spof_tree_mkdirs(t->top, "root"), 0);
	/* sdb with two partitions and sdc on one SATA controller; sdd elsewhere. */
	assert_int_equal(spof_tree_disk(t->root, "0000:00:1f.2", 0, "sdb", 2), 0);
	assert_int_equal(spof_tree_disk(t->root, "0000:00:1f.2", 1, "sdc", 1), 0);
	assert_int_equal(spof_tree_disk(t->root, "0000:03:00.0", 2, "sdd", 1), 0);
	/* NVMe: namespace and partition, the controller is the PCI function. */
	assert_int_equal(spof_tree_mkdirs(t->root, "sys/devices/pci0000:00/0000:00:01.1/"
						   "0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p2"),
			 0);
	assert_int_equal(spof_tree_put(t->root,
				       "sys/devices/pci0000:00/0000:00:01.1/0000:01:00.0/nvme/"
				       "nvme0/nvme0n1/nvme0n1p2/partition",
				       "2\n"),
			 0);
	assert_int_equal(spof_tree_link(t->root,
					"../../devices/pci0000:00/0000:00:01.1/0000:01:00.0/"
					"nvme/nvme0/nvme0n1",
					"sys/class/block/nvme0n1"),
			 0);
	assert_int_equal(spof_tree_link(t->root,
					"../../devices/pci0000:00/0000:00:01.1/0000:01:00.0/"
					"nvme/nvme0/nvme0n1/nvme0n1p2",
					"sys/class/block/nvme0n1p2"),
			 0);
	/* A virtual device: no PCI function. */
	assert_int_equal(spof_tree_mkdirs(t->root, "sys/devices/virtual/block/md0"), 0);
	assert_int_equal(
		spof_tree_link(t->root, "../../devices/virtual/block/md0", "sys/class/block/md0"),
		0);
	/* NIC ports: two of card 0000:01:00, one of 0000:02:00. */
	assert_int_equal(spof_tree_nic(t->root, "0000:01:00.0", "eth0"), 0);
	assert_int_equal(spof_tree_nic(t->root, "0000:01:00.1", "eth1"), 0);
	assert_int_equal(spof_tree_nic(t->root, "0000:02:00.0", "eth2"), 0);
	assert_int_equal(spof_tree_mkdirs(t->root, "sys/class/net/dummy0"), 0);

	/*
	 * Hostile: "esc" links out of the root to a partition that exists only
	 * on the "host"; "ghost1" is a partition whose disk the root lacks;
	 * "loopy" links to itself; "nl1" names a disk with a line break.
	 */
	assert_int_equal(spof_tree_mkdirs(t->top, "out/sdx/esc"), 0);
	assert_int_equal(spof_tree_put(t->top, "out/sdx/esc/partition", "1\n"), 0);
	assert_int_equal(spof_tree_link(t->root, "../../../../out/sdx/esc", "sys/class/block/esc"),
			 0);
	assert_int_equal(spof_tree_mkdirs(t->root, "sys/devices/virtual/block/ghost/ghost1"), 0);
	assert_int_equal(
		spof_tree_put(t->root, "sys/devices/virtual/block/ghost/ghost1/partition", "1\n"),
		0);
	assert_int_equal(spof_tree_link(t->root, "../../devices/virtual/block/ghost/ghost1",
					"sys/class/block/ghost1"),
			 0);
	assert_int_equal(spof_tree_link(t->root, "loopy", "sys/class/block/loopy"), 0);
	assert_int_equal(spof_tree_mkdirs(t->root, "sys/devices/virtual/block/n\nl/nl1"), 0);
	assert_int_equal(
		spof_tree_put(t->root, "sys/devices/virtual/block/n\nl/nl1/partition", "1\n"), 0);
	assert_int_equal(spof_tree_link(t->root, "../../devices/virtual/block/n\nl/nl1",
					"sys/class/block/nl1"),
			 0);
	/* A NIC whose device link leaves the root towards a PCI-looking host path. */
	assert_int_equal(spof_tree_mkdirs(t->root, "sys/class/net/evil0"), 0);
	assert_int_equal(spof_tree_link(t->root, "/../../../sys/devices/0000:01:00.0",
					"sys/class/net/evil0/device"),
			 0);

	t->root_fd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->root_fd >= 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	close(t->root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->top);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void test_whole_disk(void **state)
{
	struct tree *t = *state;
	char disk[SPOF_NAME_MAX];

	assert_int_equal(spof_whole_disk(t->root_fd, "sdb1", disk), 1);
	assert_string_equal(disk, "sdb");
	assert_int_equal(spof_whole_disk(t->root_fd, "sdb2", disk), 1);
	assert_string_equal(disk, "sdb");
	assert_int_equal(spof_whole_disk(t->root_fd, "sdb", disk), 0);
	assert_string_equal(disk, "sdb");
	assert_int_equal(spof_whole_disk(t->root_fd, "nvme0n1p2", disk), 1);
	assert_string_equal(disk, "nvme0n1");
	assert_int_equal(spof_whole_disk(t->root_fd, "md0", disk), 0);
	assert_string_equal(disk, "md0");
}

static void test_pci_function(void **state)
{
	struct tree *t = *state;
	char fn[SPOF_PCI_MAX];

	assert_int_equal(spof_block_pci(t->root_fd, "sdb", fn), 0);
	assert_string_equal(fn, "0000:00:1f.2");
	assert_int_equal(spof_block_pci(t->root_fd, "sdd", fn), 0);
	assert_string_equal(fn, "0000:03:00.0");
	/* The last function of the chain: the NVMe controller, not its bridge. */
	assert_int_equal(spof_block_pci(t->root_fd, "nvme0n1", fn), 0);
	assert_string_equal(fn, "0000:01:00.0");
	assert_int_equal(spof_block_pci(t->root_fd, "md0", fn), -ENOENT);
	assert_int_equal(spof_net_pci(t->root_fd, "eth1", fn), 0);
	assert_string_equal(fn, "0000:01:00.1");
	assert_int_equal(spof_net_pci(t->root_fd, "dummy0", fn), -ENOENT);
	assert_int_equal(spof_net_pci(t->root_fd, "nosuch", fn), -ENOENT);
}

/* Bad names never reach a path; hostile links give nothing, never the host's files. */
static void test_hostile(void **state)
{
	struct tree *t = *state;
	char disk[SPOF_NAME_MAX], fn[SPOF_PCI_MAX];
	char longname[100];

	assert_int_equal(spof_whole_disk(t->root_fd, "../sdb1", disk), -EINVAL);
	assert_int_equal(spof_whole_disk(t->root_fd, "..", disk), -EINVAL);
	assert_int_equal(spof_whole_disk(t->root_fd, ".", disk), -EINVAL);
	assert_int_equal(spof_whole_disk(t->root_fd, "sd\nb1", disk), -EINVAL);
	assert_int_equal(spof_whole_disk(t->root_fd, "", disk), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(spof_whole_disk(t->root_fd, longname, disk), -EINVAL);
	assert_int_equal(spof_net_pci(t->root_fd, "eth0/../eth1", fn), -EINVAL);
	assert_int_equal(spof_whole_disk(t->root_fd, "sdz9", disk), -ENOENT);
	/* Out of the root: its "partition" is the host's, not the root's: a whole device. */
	assert_int_equal(spof_whole_disk(t->root_fd, "esc", disk), 0);
	assert_string_equal(disk, "esc");
	/* A parent the root does not know as a block device names no disk. */
	assert_int_equal(spof_whole_disk(t->root_fd, "ghost1", disk), -ENOENT);
	/* A parent with a line break is no name. */
	assert_int_equal(spof_whole_disk(t->root_fd, "nl1", disk), -ENOENT);
	/* A loop: read as text, never followed; no partition, no PCI. */
	assert_int_equal(spof_whole_disk(t->root_fd, "loopy", disk), 0);
	assert_int_equal(spof_block_pci(t->root_fd, "loopy", fn), -ENOENT);
	/* A link's text is parsed, not followed: a PCI-looking host path is only text. */
	assert_int_equal(spof_net_pci(t->root_fd, "evil0", fn), 0);
	assert_string_equal(fn, "0000:01:00.0");
}

static void check_disks(struct tree *t, const char *const *names, size_t n, struct spof_reasons *r)
{
	spof_reasons_clear(r);
	spof_check_disks(t->root_fd, names, n, r);
}

static void test_reasons_disks(void **state)
{
	struct tree *t = *state;
	struct spof_reasons r;

	/* Two partitions of sdb: one reason, no controller reason (one disk). */
	check_disks(t, (const char *const[]){ "sdb1", "sdb2" }, 2, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ptr[0], "members sdb1 and sdb2 are partitions of one disk, sdb");
	/* sdb1 and sdc1: two disks on one controller. */
	check_disks(t, (const char *const[]){ "sdb1", "sdc1" }, 2, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ptr[0], "every member is behind one controller, 0000:00:1f.2");
	/* Both reasons. */
	check_disks(t, (const char *const[]){ "sdb1", "sdc1", "sdb2" }, 3, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.ptr[0], "members sdb1 and sdb2 are partitions of one disk, sdb");
	assert_string_equal(r.ptr[1], "every member is behind one controller, 0000:00:1f.2");
	/* Listed in another order: the same text (a new text would be a new reason). */
	check_disks(t, (const char *const[]){ "sdb2", "sdc1", "sdb1" }, 3, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.ptr[0], "members sdb1 and sdb2 are partitions of one disk, sdb");
	/* A name listed twice (a hostile listing) counts once. */
	check_disks(t, (const char *const[]){ "sdb1", "sdb1" }, 2, &r);
	assert_int_equal(r.n, 0);
	check_disks(t, (const char *const[]){ "sdb1", "sdc1", "sdc1" }, 3, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ptr[0], "every member is behind one controller, 0000:00:1f.2");
	/* Two controllers: nothing. */
	check_disks(t, (const char *const[]){ "sdb1", "sdd1" }, 2, &r);
	assert_int_equal(r.n, 0);
	/* A member that resolves to nothing leaves the controller unproven. */
	check_disks(t, (const char *const[]){ "sdb1", "sdc1", "md0" }, 3, &r);
	assert_int_equal(r.n, 0);
	check_disks(t, (const char *const[]){ "sdb1", "sdc1", "sd\nx" }, 3, &r);
	assert_int_equal(r.n, 0);
	/* One member: nothing. */
	check_disks(t, (const char *const[]){ "sdb1" }, 1, &r);
	assert_int_equal(r.n, 0);
	/* Whole disks and NVMe on their own functions: nothing. */
	check_disks(t, (const char *const[]){ "sdb", "nvme0n1p2" }, 2, &r);
	assert_int_equal(r.n, 0);
}

static void test_reasons_nics(void **state)
{
	struct tree *t = *state;
	struct spof_reasons r;

	spof_reasons_clear(&r);
	spof_check_nics(t->root_fd, (const char *const[]){ "eth0", "eth1" }, 2, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ptr[0], "slaves eth0 and eth1 are ports of one card, 0000:01:00");
	spof_reasons_clear(&r);
	spof_check_nics(t->root_fd, (const char *const[]){ "eth0", "eth0" }, 2, &r);
	assert_int_equal(r.n, 0);
	spof_reasons_clear(&r);
	spof_check_nics(t->root_fd, (const char *const[]){ "eth0", "eth2", "dummy0" }, 3, &r);
	assert_int_equal(r.n, 0);
}

/* Reasons stay bounded and printable whatever the names; the list is capped. */
static void test_bounds(void **state)
{
	struct spof_reasons r;
	char big[600];

	(void)state;
	spof_reasons_clear(&r);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(spof_add(&r, "one path only, %s", big));
	assert_int_equal(strlen(r.ptr[0]), SPOF_REASON_MAX - 1);
	for (int i = 1; i < SPOF_REASONS_MAX; i++)
		assert_true(spof_add(&r, "r%d", i));
	assert_false(spof_add(&r, "one too many"));
	assert_int_equal(r.n, SPOF_REASONS_MAX);
}

/* Six partitions of one disk: four names then "and 2 more". */
static void test_long_list(void **state)
{
	struct tree *t = *state;
	struct spof_reasons r;

	assert_int_equal(spof_tree_disk(t->root, "0000:05:00.0", 5, "sdm", 6), 0);
	check_disks(t, (const char *const[]){ "sdm1", "sdm2", "sdm3", "sdm4", "sdm5", "sdm6" }, 6,
		    &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ptr[0], "members sdm1, sdm2, sdm3, sdm4 and 2 more are partitions "
				      "of one disk, sdm");
}

static void test_memo(void **state)
{
	struct spof_memo m = { 0 };
	struct spof_reasons r, got;
	const char *const a[] = { "md0", "sdb1", "sdb2" };
	const char *const b[] = { "md0", "sdb1", "sdc2" };
	const char *const c[] = { "md0", "sdb1" };
	const char *const d[] = { "md0s", "db1" };
	uint64_t ka = spof_memo_key(a, 3);

	(void)state;
	assert_true(ka != spof_memo_key(b, 3));
	assert_true(spof_memo_key(c, 2) != spof_memo_key(d, 2));
	assert_false(spof_memo_get(&m, ka, &got));
	spof_reasons_clear(&r);
	spof_add(&r, "first");
	spof_add(&r, "second");
	assert_int_equal(spof_memo_put(&m, ka, &r), 0);
	got.n = 3;
	assert_true(spof_memo_get(&m, ka, &got));
	assert_int_equal(got.n, 2);
	assert_string_equal(got.ptr[0], "first");
	assert_string_equal(got.ptr[1], "second");
	assert_false(spof_memo_get(&m, spof_memo_key(b, 3), &got));
	/* No reasons kept is a hit too: nothing to resolve again. */
	spof_reasons_clear(&r);
	assert_int_equal(spof_memo_put(&m, ka, &r), 0);
	assert_true(spof_memo_get(&m, ka, &got));
	assert_int_equal(got.n, 0);
	spof_memo_free(&m);
	assert_false(spof_memo_get(&m, ka, &got));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_disk),   cmocka_unit_test(test_pci_function),
		cmocka_unit_test(test_hostile),	     cmocka_unit_test(test_reasons_disks),
		cmocka_unit_test(test_reasons_nics), cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_long_list),    cmocka_unit_test(test_memo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
