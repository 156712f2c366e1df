// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hwmon --root reader across scans (plugins/hwmon/hwmon_sysfs.c): what it
 * keeps (listings, open descriptors) must never hide a change in the tree.
 * Chips appear, vanish, are replaced by another under the same hwmonN name;
 * files change in place, are replaced by rename, vanish between the listing
 * and the read; the descriptor budget runs out.
 *
 * A listing is trusted only once its directory has been still for a second
 * (hwmon_sysfs.c); settle() waits that long so the cached path is the one
 * tested.  It is a wait for a state, not a timed assertion.
 *
 * With change events (hwmon_sysfs_watch()), a scan of an unchanged tree must
 * read the kept files and nothing else: sealed_scan() runs it in a child
 * process where a seccomp filter makes every open, stat, readlink, listing
 * and close fail, so any of them would show as a missing value or an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../plugins/hwmon/hwmon_class.h"
#include "../../plugins/hwmon/hwmon_read.h"

struct tree {
	char root[64];
	int fd;
};

static void put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w"); /* in place: the same inode */
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Write a new file and rename it over name: another inode, as a capture tool does. */
static void replace(const char *dir, const char *name, const char *text)
{
	char tmp[4096], path[4096];

	put(dir, ".tmp", text);
	snprintf(tmp, sizeof(tmp), "%s/.tmp", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(rename(tmp, path), 0);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* The hwmon directory of the I2C client 3-00<addr>. */
static void hwdir(const struct tree *t, const char *addr, char *buf, size_t len)
{
	snprintf(buf, len, "%s/sys/devices/i2c-3/3-00%s/hwmon", t->root, addr);
}

/*
 * A PMBus supply at 3-00<addr> (driver name) whose hwmon directory is
 * hwmon/<dir>, not yet in the class directory.
 */
static void chip(const struct tree *t, const char *addr, const char *name, const char *dir)
{
	char hw[512], d[600], p[700], target[64];

	hwdir(t, addr, hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/%s", hw, dir);
	sh("mkdir -p '%s'", d);
	put(d, "name", name);
	put(d, "in1_label", "vin\n");
	put(d, "in1_input", "230000\n");
	put(d, "in1_alarm", "0\n");
	put(d, "in2_label", "vout1\n");
	put(d, "in2_input", "12000\n");
	put(d, "curr1_input", "1500\n");
	put(d, "fan1_input", "8400\n");
	put(d, "fan1_fault", "0\n");
	put(d, "temp1_input", "38000\n");
	put(d, "temp1_crit_alarm", "0\n");
	snprintf(p, sizeof(p), "%s/device", d);
	snprintf(target, sizeof(target), "../../../3-00%s", addr); /* as the kernel links it */
	assert_int_equal(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/sys/devices/i2c-3/3-00%s/subsystem", t->root, addr);
	if (access(p, F_OK) != 0)
		assert_int_equal(symlink("../../../bus/i2c", p), 0);
}

/* sys/class/hwmon/<entry> -> the chip's hwmon directory. */
static void link_class(const struct tree *t, const char *entry, const char *addr, const char *dir)
{
	char p[512], target[512];

	snprintf(p, sizeof(p), "%s/sys/class/hwmon/%s", t->root, entry);
	snprintf(target, sizeof(target), "../../devices/i2c-3/3-00%s/hwmon/%s", addr, dir);
	assert_int_equal(symlink(target, p), 0);
}

static void unlink_class(const struct tree *t, const char *entry)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/sys/class/hwmon/%s", t->root, entry);
	assert_int_equal(unlink(p), 0);
}

static void tree_new(struct tree *t)
{
	snprintf(t->root, sizeof(t->root), "/tmp/rm-hwsys-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	sh("mkdir -p '%s/sys/class/hwmon' '%s/sys/bus/i2c'", t->root, t->root);
	t->fd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
}

static void tree_free(struct tree *t)
{
	close(t->fd);
	sh("rm -rf '%s'", t->root);
}

/* Wait until every directory of the tree has been still for over a second. */
static void settle(void)
{
	struct timespec ts = { .tv_sec = 1, .tv_nsec = 200 * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static const struct hwmon_chip *find(const struct hwmon_chip *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	}
	return NULL;
}

/* The value of attr, or -1 when the chip has none. */
static double value(const struct hwmon_chip *c, const char *attr)
{
	assert_non_null(c);
	for (size_t i = 0; i < c->n_attrs; i++) {
		if (strcmp(c->attrs[i].name, attr) == 0)
			return c->attrs[i].value;
	}
	return -1;
}

static size_t scan(struct hwmon_sysfs *s, const struct tree *t, const char *extra,
		   const struct hwmon_chip **v)
{
	size_t n = 99;

	assert_int_equal(hwmon_sysfs_scan(s, t->fd, extra, v, &n), 0);
	return n;
}

/*
 * One scan in a child whose every open, stat, readlink, directory listing
 * and close fails (EPERM, seccomp): the chips must come out exactly as
 * expected, attribute attr of chip name reading want and no error.  The
 * parent's s is untouched (the child has its own copy).  Returns the
 * child's exit status: 0 passed, 2 a value or an error differed, 3 the scan
 * failed, 4 no filter could be set.
 */
static int sealed_scan(struct hwmon_sysfs *s, const struct tree *t, size_t n_want, const char *name,
		       const char *attr, double want)
{
	static const long blocked[] = {
#ifdef SYS_open
		SYS_open,
#endif
#ifdef SYS_stat
		SYS_stat,   SYS_lstat,
#endif
		SYS_openat, SYS_openat2,    SYS_fstat,	    SYS_newfstatat,
		SYS_statx,  SYS_readlinkat, SYS_getdents64, SYS_close,
	};
	enum { N = sizeof(blocked) / sizeof(blocked[0]) };
	struct sock_filter f[N + 3];
	struct sock_fprog prog = { .len = N + 3, .filter = f };
	int status;
	pid_t pid;

	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < N; i++) /* a match jumps to the last: EPERM */
		f[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							(unsigned int)blocked[i],
							(unsigned char)(N - i), 0);
	f[N + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[N + 2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const struct hwmon_chip *v, *c = NULL;
		size_t n = 0;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(4);
		if (hwmon_sysfs_scan(s, t->fd, NULL, &v, &n) < 0)
			_exit(3);
		for (size_t i = 0; i < n; i++) {
			if (v[i].error[0])
				_exit(2);
			if (strcmp(v[i].name, name) == 0)
				c = &v[i];
		}
		for (size_t i = 0; c && i < c->n_attrs; i++) {
			if (strcmp(c->attrs[i].name, attr) == 0)
				_exit(n == n_want && c->attrs[i].value == want ? 0 : 2);
		}
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Appear, change in place, change by rename, replaced under the same name, vanish. */
static void test_lifecycle(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v;
	struct tree t;
	char hw[512], d[600];
	int fds0;

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	chip(&t, "58", "pmbus", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	fds0 = count_fds();

	/* Only what a verdict reads: the vin input, alarms, faults. */
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_string_equal(v[0].name, "pmbus-i2c-3-58");
	assert_int_equal(v[0].n_attrs, 4);
	assert_string_equal(v[0].attrs[0].name, "fan1_fault");
	assert_string_equal(v[0].attrs[1].name, "in1_alarm");
	assert_string_equal(v[0].attrs[2].name, "in1_input");
	assert_string_equal(v[0].attrs[3].name, "temp1_crit_alarm");
	assert_true(value(&v[0], "in1_input") == 230.0);

	/* Still for a second: the listing is kept, with its descriptors (4 files). */
	settle();
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_int_equal(count_fds(), fds0 + 4);

	/* A value written in place is read through the kept descriptor. */
	hwdir(&t, "58", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0", hw);
	put(d, "in1_alarm", "1\n");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "in1_alarm") == 1);
	assert_int_equal(count_fds(), fds0 + 4);

	/* Replaced by rename (another inode): the directory changed, listed again. */
	replace(d, "fan1_fault", "1\n");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "fan1_fault") == 1);
	assert_int_equal(count_fds(), fds0 + 4);

	/* A chip appears. */
	chip(&t, "59", "pmbus", "hwmon1");
	link_class(&t, "hwmon1", "59", "hwmon1");
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_string_equal(v[0].name, "pmbus-i2c-3-58");
	assert_string_equal(v[1].name, "pmbus-i2c-3-59");
	assert_true(value(&v[1], "in1_alarm") == 0);

	/* hwmon0 goes and another supply takes the name (the kernel reuses hwmonN). */
	settle();
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	unlink_class(&t, "hwmon0");
	chip(&t, "5a", "dps650ab", "hwmon0");
	link_class(&t, "hwmon0", "5a", "hwmon0");
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_string_equal(v[0].name, "dps650ab-i2c-3-5a");
	assert_string_equal(v[1].name, "pmbus-i2c-3-59");
	assert_null(find(v, 2, "pmbus-i2c-3-58"));
	assert_true(value(&v[0], "in1_alarm") == 0); /* the new chip's, not the old one's */
	assert_true(value(&v[0], "fan1_fault") == 0);

	/* A chip vanishes: its descriptors go with it. */
	settle();
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_int_equal(count_fds(), fds0 + 8);
	unlink_class(&t, "hwmon1");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_string_equal(v[0].name, "dps650ab-i2c-3-5a");
	assert_int_equal(count_fds(), fds0 + 4);

	/* A kept file removed: no value (a stale descriptor must not answer). */
	hwdir(&t, "5a", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0/temp1_crit_alarm", hw);
	assert_int_equal(unlink(d), 0);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "temp1_crit_alarm") == -1);
	assert_true(value(&v[0], "in1_alarm") == 0);

	/* The whole class directory goes: no chip, no descriptor. */
	sh("rm -rf '%s/sys/class/hwmon'", t.root);
	assert_int_equal(scan(s, &t, NULL, &v), 0);
	assert_int_equal(count_fds(), fds0);
	hwmon_sysfs_free(s);
	assert_int_equal(count_fds(), fds0);
	tree_free(&t);
}

/* Past the descriptor budget: the files beyond it opened per scan, values right. */
static void test_budget(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(2);
	const struct hwmon_chip *v;
	struct tree t;
	char hw[512], d[600];
	int fds0;

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	chip(&t, "58", "pmbus", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	chip(&t, "59", "pmbus", "hwmon1");
	link_class(&t, "hwmon1", "59", "hwmon1");
	fds0 = count_fds();
	settle();
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_int_equal(count_fds(), fds0 + 2); /* two files: the budget */
	hwdir(&t, "59", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon1", hw);
	put(d, "in1_input", "0\n");
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_true(value(&v[1], "in1_input") == 0);
	assert_true(value(&v[0], "in1_input") == 230.0);
	hwmon_sysfs_free(s);
	assert_int_equal(count_fds(), fds0);

	/* No budget at all: every scan lists and opens everything, same answer. */
	s = hwmon_sysfs_new(0);
	assert_non_null(s);
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_int_equal(count_fds(), fds0);
	assert_true(value(&v[1], "in1_input") == 0);
	hwmon_sysfs_free(s);
	tree_free(&t);
}

/*
 * A file listed but gone when read: an attribute that is a symlink whose
 * target goes (the directory does not change).  The chip is listed again at
 * once; the value is missing, the rest is read.
 */
static void test_gone_at_read(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v;
	struct tree t;
	char hw[512], d[600], store[512];

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	chip(&t, "58", "pmbus", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	hwdir(&t, "58", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0/in1_alarm", hw);
	assert_int_equal(unlink(d), 0);
	assert_int_equal(symlink("../../../../../../store/alarm", d), 0);
	snprintf(store, sizeof(store), "%s/store", t.root);
	assert_int_equal(mkdir(store, 0755), 0);
	put(store, "alarm", "1\n");
	settle();
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "in1_alarm") == 1);

	snprintf(d, sizeof(d), "%s/alarm", store);
	assert_int_equal(unlink(d), 0);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "in1_alarm") == -1);
	assert_true(value(&v[0], "in1_input") == 230.0);
	/* Listed again and still leading nowhere: unreadable, not "no alarm". */
	assert_string_equal(v[0].error, "in1_alarm: a link that leads nowhere in the root");

	/* Back, by rename: a symlinked file is opened afresh each scan. */
	replace(store, "alarm", "0\n");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "in1_alarm") == 0);
	assert_string_equal(v[0].error, "");
	replace(store, "alarm", "1\n");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "in1_alarm") == 1);
	hwmon_sysfs_free(s);
	tree_free(&t);
}

/* Values of a chip that is no PSU are not read, until the chips option names it. */
static void test_chips_option(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v;
	struct tree t;

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	chip(&t, "58", "acme_psu", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_string_equal(v[0].prefix, "acme_psu");
	assert_int_equal(v[0].n_attrs, 0);
	assert_int_equal(scan(s, &t, "acme*", &v), 1);
	assert_int_equal(v[0].n_attrs, 4);
	assert_int_equal(scan(s, &t, "", &v), 1);
	assert_int_equal(v[0].n_attrs, 0);
	hwmon_sysfs_free(s);
	hwmon_sysfs_free(NULL);
	tree_free(&t);
}

/* Does any text of the chips contain needle? */
static bool chips_contain(const struct hwmon_chip *v, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++) {
		if (strstr(v[i].name, needle) || strstr(v[i].prefix, needle) ||
		    strstr(v[i].location, needle) || strstr(v[i].error, needle))
			return true;
		for (size_t j = 0; j < v[i].n_labels; j++) {
			if (strstr(v[i].labels[j].text, needle))
				return true;
		}
	}
	return false;
}

/*
 * Links planted to leave the root (absolute, and ../ past the root) are
 * resolved inside it, where they lead nowhere: the secret outside is never
 * read, and each affected entry is a chip of unknown state with the reason,
 * never a chip silently dropped.  The set's margin is unknown.
 */
static void test_escape(void **state)
{
	char out[] = "/tmp/rm-hwsecret-XXXXXX", hw[512], d[600], p[700], target[1024];
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v, *c;
	struct psu_group ps = { 0 };
	struct redmon_group g;
	struct tree t;
	size_t n;

	(void)state;
	assert_non_null(s);
	assert_non_null(mkdtemp(out));
	put(out, "secret", "1\n");
	snprintf(d, sizeof(d), "%s/chip", out);
	assert_int_equal(mkdir(d, 0755), 0);
	put(d, "name", "s3cr3t\n");
	put(d, "in1_alarm", "1\n");
	tree_new(&t);
	chip(&t, "58", "pmbus", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	/* hwmon1: its name is an absolute link out. */
	chip(&t, "59", "pmbus", "hwmon1");
	link_class(&t, "hwmon1", "59", "hwmon1");
	hwdir(&t, "59", hw, sizeof(hw));
	snprintf(p, sizeof(p), "%s/hwmon1/name", hw);
	assert_int_equal(unlink(p), 0);
	snprintf(target, sizeof(target), "%s/chip/name", out);
	assert_int_equal(symlink(target, p), 0);
	/* hwmon2: an alarm that climbs past the root (it would read 1). */
	chip(&t, "5a", "pmbus", "hwmon2");
	link_class(&t, "hwmon2", "5a", "hwmon2");
	hwdir(&t, "5a", hw, sizeof(hw));
	snprintf(p, sizeof(p), "%s/hwmon2/in1_alarm", hw);
	assert_int_equal(unlink(p), 0);
	snprintf(target, sizeof(target), "../../../../../../../../../../../..%s/secret", out);
	assert_int_equal(symlink(target, p), 0);
	/* hwmon3: the class entry itself leads to a chip directory outside. */
	snprintf(p, sizeof(p), "%s/sys/class/hwmon/hwmon3", t.root);
	snprintf(target, sizeof(target), "%s/chip", out);
	assert_int_equal(symlink(target, p), 0);

	n = scan(s, &t, NULL, &v);
	assert_int_equal(n, 4);
	assert_false(chips_contain(v, n, "s3cr3t"));
	c = find(v, n, "pmbus-i2c-3-58");
	assert_string_equal(c->error, "");
	c = find(v, n, "hwmon1");
	assert_non_null(c);
	assert_string_equal(c->prefix, "");
	assert_string_equal(c->error, "name: a link that leads nowhere in the root");
	c = find(v, n, "pmbus-i2c-3-5a");
	assert_true(value(c, "in1_alarm") == -1);
	assert_string_equal(c->error, "in1_alarm: a link that leads nowhere in the root");
	c = find(v, n, "hwmon3");
	assert_non_null(c);
	assert_string_equal(c->error, "its link: a link that leads nowhere in the root");

	assert_int_equal(hwmon_psu_eval(&ps, v, n, NULL, 0, &g), 0);
	assert_int_equal(g.members_total, 4);
	assert_int_equal(g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(g.reason);
	assert_non_null(strstr(g.reason, "hwmon1: cannot tell whether it is a supply: name: "));
	assert_non_null(strstr(g.reason, "pmbus-i2c-3-5a: unreadable: in1_alarm: "));
	for (size_t i = 0; i < g.n_members; i++) {
		if (strcmp(g.members[i].name, "pmbus-i2c-3-58") != 0)
			assert_int_equal(g.members[i].role, REDMON_ROLE_UNKNOWN);
	}
	psu_group_free(&ps);
	hwmon_sysfs_free(s);
	tree_free(&t);
	sh("rm -rf '%s'", out);
}

/*
 * With events: an unchanged scan reads the kept files and nothing else (no
 * settle(): inotify, not timestamps, says when a listing is stale), and
 * every change is still seen by the next scan: a value in place, a file
 * replaced by rename, a chip appearing, another taking a hwmonN name, a
 * chip vanishing.
 */
static void test_events(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v;
	struct tree t;
	char hw[512], d[600];

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	chip(&t, "58", "pmbus", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	assert_true(hwmon_sysfs_watch(s, t.fd, t.root) >= 0);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_int_equal(hwmon_sysfs_on_event(s), 0); /* nothing changed */
	assert_int_equal(sealed_scan(s, &t, 1, "pmbus-i2c-3-58", "in1_input", 230.0), 0);
	assert_int_equal(scan(s, &t, NULL, &v), 1);

	/* In place: no event, the kept descriptor reads it, still without an open. */
	hwdir(&t, "58", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0", hw);
	put(d, "in1_alarm", "1\n");
	assert_int_equal(sealed_scan(s, &t, 1, "pmbus-i2c-3-58", "in1_alarm", 1), 0);

	/* By rename: an event; the next scan opens the new file, then no more. */
	replace(d, "fan1_fault", "1\n");
	assert_int_equal(hwmon_sysfs_on_event(s), 1);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "fan1_fault") == 1);
	assert_int_equal(sealed_scan(s, &t, 1, "pmbus-i2c-3-58", "fan1_fault", 1), 0);
	/* The same, the event not taken before the scan: the scan takes it. */
	replace(d, "fan1_fault", "0\n");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "fan1_fault") == 0);

	/* A chip appears. */
	chip(&t, "59", "pmbus", "hwmon1");
	link_class(&t, "hwmon1", "59", "hwmon1");
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_true(value(&v[1], "in1_input") == 230.0);
	assert_int_equal(sealed_scan(s, &t, 2, "pmbus-i2c-3-59", "in1_input", 230.0), 0);

	/* hwmon0 goes and another supply takes the name. */
	unlink_class(&t, "hwmon0");
	chip(&t, "5a", "dps650ab", "hwmon0");
	link_class(&t, "hwmon0", "5a", "hwmon0");
	assert_int_equal(scan(s, &t, NULL, &v), 2);
	assert_string_equal(v[0].name, "dps650ab-i2c-3-5a");
	assert_true(value(&v[0], "in1_alarm") == 0); /* the new chip's, not the old one's */
	assert_int_equal(sealed_scan(s, &t, 2, "dps650ab-i2c-3-5a", "in1_alarm", 0), 0);

	/* A chip vanishes; then its directory too (its watch goes). */
	unlink_class(&t, "hwmon1");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_string_equal(v[0].name, "dps650ab-i2c-3-5a");
	sh("rm -rf '%s/sys/devices/i2c-3/3-0059'", t.root);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_int_equal(sealed_scan(s, &t, 1, "dps650ab-i2c-3-5a", "in1_alarm", 0), 0);

	/* A new file in the chip's directory: listed again (a label may say "vin" now). */
	hwdir(&t, "5a", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0", hw);
	put(d, "in3_alarm", "1\n");
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	assert_true(value(&v[0], "in3_alarm") == 1);
	hwmon_sysfs_free(s);
	tree_free(&t);
}

/*
 * What no event says: the directory above a chip's renamed away and
 * another put in its place (the watched directory moved with the old one,
 * unchanged).  The periodic check of every listing, every 16th scan, finds
 * it: within 16 scans the new chip's values are read.
 */
static void test_events_unseen(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v;
	struct tree t;
	char hw[512], d[600];
	int scans = 0;

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	chip(&t, "58", "pmbus", "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	assert_true(hwmon_sysfs_watch(s, t.fd, t.root) >= 0);
	assert_int_equal(scan(s, &t, NULL, &v), 1);
	settle(); /* a check then trusts the listing: what it finds is the swap */
	sh("mv '%s/sys/devices/i2c-3/3-0058' '%s/sys/devices/i2c-3/old'", t.root, t.root);
	chip(&t, "58", "pmbus", "hwmon0");
	hwdir(&t, "58", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0", hw);
	put(d, "in1_alarm", "1\n");
	do {
		assert_int_equal(scan(s, &t, NULL, &v), 1);
		scans++;
	} while (value(&v[0], "in1_alarm") != 1 && scans < 17);
	assert_true(scans <= 16);
	hwmon_sysfs_free(s);
	tree_free(&t);
}

/*
 * Chip names are sized to use, never cut: a hwmon name of 127 bytes (the
 * longest kept, HWMON_NAME_MAX - 1) comes out whole, in the prefix and the
 * chip name; one of 128 bytes is a chip that cannot be read, named by its
 * class entry, with the reason, never a shortened name.  A read error that
 * stays is the same text at every scan; gone, the error is "".
 */
static void test_name_bounds(void **state)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	char longest[HWMON_NAME_MAX + 1], over[HWMON_NAME_MAX + 2], want[HWMON_CHIP_NAME_MAX];
	char hw[512], d[600], p[700];
	const struct hwmon_chip *v, *c;
	struct psu_group ps = { 0 };
	struct redmon_group g;
	struct tree t;
	size_t n;

	(void)state;
	assert_non_null(s);
	memset(longest, 'x', sizeof(longest));
	memcpy(longest, "pmbus", 5);
	longest[HWMON_NAME_MAX - 1] = '\0';
	memset(over, 'y', sizeof(over));
	memcpy(over, "pmbus", 5);
	over[HWMON_NAME_MAX] = '\0';
	tree_new(&t);
	chip(&t, "58", longest, "hwmon0");
	link_class(&t, "hwmon0", "58", "hwmon0");
	chip(&t, "59", over, "hwmon1");
	link_class(&t, "hwmon1", "59", "hwmon1");

	n = scan(s, &t, "pmbus*", &v);
	assert_int_equal(n, 2);
	snprintf(want, sizeof(want), "%s-i2c-3-58", longest);
	c = find(v, n, want);
	assert_non_null(c);
	assert_int_equal(strlen(c->prefix), HWMON_NAME_MAX - 1);
	assert_string_equal(c->prefix, longest);
	assert_string_equal(c->location, "i2c 3-0058");
	assert_string_equal(c->error, "");
	assert_int_equal(c->n_attrs, 4);
	c = find(v, n, "hwmon1");
	assert_non_null(c);
	assert_string_equal(c->prefix, "");
	assert_string_equal(c->error, "name: File name too long");
	assert_false(chips_contain(v, n, "yyyy"));
	/* Reported: the supply set holds it as a member nobody can tell. */
	assert_int_equal(hwmon_psu_eval(&ps, v, n, "pmbus*", 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g.reason, "hwmon1: cannot tell whether it is a supply: name: File "
					 "name too long"));

	/*
	 * The one-shot read gives the caller the chips with their texts (the
	 * listing's error among them): still whole after the reader is gone.
	 */
	{
		struct hwmon_chip *own = NULL;

		assert_int_equal(hwmon_sysfs_read(t.fd, "pmbus*", &own, &n), 0);
		assert_int_equal(n, 2);
		c = find(own, n, "hwmon1");
		assert_non_null(c);
		assert_string_equal(c->error, "name: File name too long");
		assert_non_null(find(own, n, want));
		assert_int_equal(find(own, n, want)->n_labels, 2);
		hwmon_chips_free(own, n);
	}

	/* An alarm that cannot be read, scan after scan; then readable again. */
	hwdir(&t, "58", hw, sizeof(hw));
	snprintf(d, sizeof(d), "%s/hwmon0", hw);
	snprintf(p, sizeof(p), "%s/in1_alarm", d);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	for (int i = 0; i < 3; i++) {
		n = scan(s, &t, "pmbus*", &v);
		c = find(v, n, want);
		assert_non_null(c);
		assert_string_equal(c->error, "in1_alarm: not a regular file");
	}
	assert_int_equal(unlink(p), 0);
	put(d, "in1_alarm", "0\n");
	n = scan(s, &t, "pmbus*", &v);
	c = find(v, n, want);
	assert_non_null(c);
	assert_string_equal(c->error, "");
	assert_true(value(c, "in1_alarm") == 0);
	psu_group_free(&ps);
	hwmon_sysfs_free(s);
	tree_free(&t);
}

/*
 * The answer is the chips moved into name order, not copied: with class
 * entries in another order than the chip names (a permutation of several
 * cycles), every chip must come out sorted and with its own values, after
 * the first scan and after chips come and go.
 */
static void test_order(void **state)
{
	/*
	 * Entry hwmon<i> is the chip at 3-00<addr[i]>: names order 5,3,0,4,1,2;
	 * the last comes later, as hwmon1 again.
	 */
	static const char *const addr[] = { "52", "54", "55", "51", "53", "50", "56" };
	struct hwmon_sysfs *s = hwmon_sysfs_new(100);
	const struct hwmon_chip *v;
	char hw[512], d[600], e[32], val[32];
	struct tree t;
	size_t n;

	(void)state;
	assert_non_null(s);
	tree_new(&t);
	for (int i = 0; i < 6; i++) {
		snprintf(e, sizeof(e), "hwmon%d", i);
		chip(&t, addr[i], "pmbus", e);
		link_class(&t, e, addr[i], e);
		hwdir(&t, addr[i], hw, sizeof(hw));
		snprintf(d, sizeof(d), "%s/%s", hw, e);
		snprintf(val, sizeof(val), "%d000\n", 200 + i); /* vin tells the chip */
		put(d, "in1_input", val);
	}
	for (int round = 0; round < 3; round++) {
		n = scan(s, &t, NULL, &v);
		assert_int_equal(n, round == 0 ? 6 : 5);
		for (size_t k = 0; k < n; k++) {
			int i;

			if (k > 0)
				assert_true(strcmp(v[k - 1].name, v[k].name) < 0);
			for (i = 0; i < 7; i++) {
				char want[32];

				snprintf(want, sizeof(want), "pmbus-i2c-3-%s", addr[i]);
				if (strcmp(v[k].name, want) == 0)
					break;
			}
			assert_true(i < 7);
			assert_true(value(&v[k], "in1_input") == (i < 6 ? 200 + i : 230));
			assert_string_equal(v[k].error, "");
		}
		if (round == 0) {
			unlink_class(&t, "hwmon1"); /* 3-0054 goes */
		} else if (round == 1) {
			/* hwmon1 back as another chip (3-0056, last by name), hwmon4 gone. */
			chip(&t, "56", "pmbus", "hwmon1b");
			link_class(&t, "hwmon1", "56", "hwmon1b");
			unlink_class(&t, "hwmon4");
		}
	}
	hwmon_sysfs_free(s);
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),     cmocka_unit_test(test_budget),
		cmocka_unit_test(test_gone_at_read),  cmocka_unit_test(test_chips_option),
		cmocka_unit_test(test_escape),	      cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_unseen), cmocka_unit_test(test_name_bounds),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
