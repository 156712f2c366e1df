/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each probe needs once the daemon runs as its own user (as redmon(8),
 * PRIVILEGES, says): md, hwmon and power_supply nothing (world-readable
 * files, unprivileged udev listeners); bond CAP_NET_ADMIN, without which
 * /proc/net/bonding/BOND hides the 802.3ad details (bond_procfs.c); ipmi
 * read-write access to /dev/ipmi0, which the package's udev rule gives to
 * the group redmon.  The capability is kept across setuid() (PR_SET_KEEPCAPS)
 * in the permitted set, so probes a reload restarts reopen what they need.
 */
#include "privdrop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "errbuf.h"
#include "log.h"
#include "spool.h"

static int set_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

/* /dev/ipmi0 must be usable by the new user, else the in-band probe breaks later. */
static void warn_ipmi_access(const struct config *cfg, const struct passwd *pw)
{
	const char *driver = cfg_get(cfg, "probe.ipmi", "driver");
	struct stat st;

	if (!cfg_probe_enabled(cfg, "ipmi") || (driver && strcmp(driver, "lan") == 0) ||
	    stat("/dev/ipmi0", &st) < 0)
		return;
	if ((st.st_uid == pw->pw_uid && (st.st_mode & 0600) == 0600) ||
	    (st.st_gid == pw->pw_gid && (st.st_mode & 0060) == 0060) || (st.st_mode & 0006) == 0006)
		return;
	log_warn("/dev/ipmi0 is not readable and writable by %s: the ipmi probe cannot reopen it "
		 "(install the udev rule KERNEL==\"ipmi[0-9]*\", GROUP=\"%s\", MODE=\"0660\")",
		 pw->pw_name, pw->pw_name);
}

/*
 * Shrink the bounding set to keep: neither we nor a hook can regain another
 * capability (a set-user-ID program).  Needs CAP_SETPCAP: before setuid().
 */
static int bound_caps(uint64_t keep)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (keep & (1ull << cap))
			continue;
		/* EINVAL: a capability this kernel does not know. */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	return 0;
}

int privdrop_limit_caps(uint64_t keep)
{
	int rc = bound_caps(keep);

	return rc < 0 ? rc : set_caps(keep);
}

/* The state directory in use: set, or the default unless the tree is captured. */
static const char *state_dir_of(const struct config *cfg, bool captured_tree)
{
	return cfg->state_dir_set || !captured_tree ? cfg->state_dir : NULL;
}

static void hand_over_entry(int dfd, const char *name, uid_t uid, gid_t gid, int depth);

/* Hand over what root made in the directory fd (closed here), depth levels down. */
static void hand_over_below(int fd, uid_t uid, gid_t gid, int depth)
{
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			hand_over_entry(dirfd(d), de->d_name, uid, gid, depth);
	}
	closedir(d);
}

/*
 * Hand the entry name of directory dfd over to uid:gid when root made it,
 * and what is below it, depth levels down.  Everything goes through fds: the
 * service user owns these directories and may swap an entry for a link while
 * we walk, and a path would follow it; the entry is checked on the fd that
 * is changed.
 */
static void hand_over_entry(int dfd, const char *name, uid_t uid, gid_t gid, int depth)
{
	int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return;
	/* Only what root made: another hard link may be planted (protected_hardlinks off). */
	if (fstat(fd, &st) == 0 && st.st_uid == 0 &&
	    (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_nlink == 1))) {
		/* Best effort: whatever then fails to open says why. */
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
			log_debug("cannot hand %s over: %s", name, strerror(errno));
		if (S_ISDIR(st.st_mode) && depth > 1)
			hand_over_below(openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), uid,
					gid, depth - 1);
	}
	close(fd);
}

/*
 * dir opened when it is the new user's, else -1: only there is what root made
 * handed over, so a state_dir or sink path pointing elsewhere (/etc) is never
 * taken over.  Checked on the fd, which is what the walk then uses.
 */
static int open_owned_dir(const char *dir, const struct passwd *pw)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == pw->pw_uid)
		return fd;
	if (fd >= 0)
		close(fd);
	log_warn("%s is not owned by %s: what redmon writes there fails after the drop "
		 "(install -d -o %s -g %s %s)",
		 dir, pw->pw_name, pw->pw_name, pw->pw_name, dir);
	return -1;
}

/* What root wrote and the new user writes on: the state directory's files, the JSON Lines files. */
static void hand_over_files(const struct config *cfg, const struct passwd *pw, bool captured_tree)
{
	const char *state_dir = state_dir_of(cfg, captured_tree);
	int fd;

	if (state_dir && access(state_dir, F_OK) == 0 && (fd = open_owned_dir(state_dir, pw)) >= 0)
		hand_over_below(fd, pw->pw_uid, pw->pw_gid, 16);
	for (size_t i = 0; i < cfg->n_sinks; i++) {
		const char *path = cfg->sinks[i].path;
		char dir[PATH_MAX], base[PATH_MAX];
		struct stat st;

		if (cfg->sinks[i].type != SINK_JSON || strcmp(path, "-") == 0 ||
		    lstat(path, &st) < 0)
			continue;
		snprintf(dir, sizeof(dir), "%s", path);
		snprintf(base, sizeof(base), "%s", path);
		if ((fd = open_owned_dir(dirname(dir), pw)) >= 0) {
			hand_over_entry(fd, basename(base), pw->pw_uid, pw->pw_gid, 1);
			close(fd);
		}
	}
}

/*
 * The user privdrop_apply() will drop to ("root": none), or NULL to keep the
 * credentials (not root, a captured tree without a user).  Under systemd
 * too: the unit starts us as root to fork the privileged helper.
 */
static const char *drop_target(const struct config *cfg, const char *user_override,
			       bool captured_tree)
{
	if (geteuid() != 0 || (captured_tree && !user_override && !cfg->user_set))
		return NULL;
	return user_override ? user_override : cfg->user;
}

bool privdrop_will_drop(const struct config *cfg, const char *user_override, bool captured_tree)
{
	const char *user = drop_target(cfg, user_override, captured_tree);

	return user && strcmp(user, "root") != 0;
}

/* mkdir dir as the new user's (mode 0750); 0 or -errno (EEXIST when it is there). */
static int make_owned_dir(const char *dir, const struct passwd *pw)
{
	int fd, rc = 0;

	if (mkdir(dir, 0750) < 0)
		return -errno;
	/* Through an fd of the directory just made: not through a symlink put in its place. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, pw->pw_uid, pw->pw_gid) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	return rc;
}

int privdrop_make_state_dir(const struct config *cfg, const char *user_override, bool captured_tree)
{
	const char *dir = state_dir_of(cfg, captured_tree);
	const char *user = drop_target(cfg, user_override, captured_tree);
	char parent[PATH_MAX];
	struct passwd *pw;
	int rc;

	if (!dir || !privdrop_will_drop(cfg, user_override, captured_tree) ||
	    access(dir, F_OK) == 0 || !(pw = getpwnam(user)))
		return 0; /* privdrop_apply() reports an unknown user */
	/* Missing parents are root's, and must let the user through to its directory. */
	snprintf(parent, sizeof(parent), "%s", dir);
	rc = mkdir_parents(dirname(parent), 0755);
	if (rc == 0)
		rc = make_owned_dir(dir, pw);
	if (rc == -EEXIST)
		return 0;
	if (rc < 0) {
		log_err("cannot create the state directory %s for %s: %s", dir, user,
			strerror(-rc));
		return rc;
	}
	log_notice("created the state directory %s, owned by %s", dir, user);
	return 0;
}

int privdrop_apply(const struct config *cfg, const char *user_override, bool captured_tree)
{
	const char *user = drop_target(cfg, user_override, captured_tree);
	const char *dir = state_dir_of(cfg, captured_tree);
	uint64_t keep = 0;
	struct passwd *pw;
	int rc;

	if (!user)
		return 0;
	if (strcmp(user, "root") == 0) {
		log_notice("[daemon] user = root: keeping root privileges");
		return 0;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		rc = errno ? -errno : -ESRCH;
		log_err("cannot drop privileges: no user '%s' (create it with `adduser --system "
			"--group %s`, or set [daemon] user = root to run as root)",
			user, user);
		return rc;
	}
	if (cfg_probe_enabled(cfg, "bond"))
		keep |= 1ull << CAP_NET_ADMIN;
	warn_ipmi_access(cfg, pw);
	hand_over_files(cfg, pw, captured_tree);
	if (bound_caps(keep) < 0 || prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		rc = -errno;
		log_err("cannot drop privileges to %s: %s", user, strerror(errno));
		return rc;
	}
	rc = set_caps(keep);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (rc < 0) {
		log_err("cannot set capabilities after dropping to %s: %s", user, strerror(-rc));
		return rc;
	}
	log_notice("running as %s (uid %u)%s", user, (unsigned)pw->pw_uid,
		   keep ? ", keeping CAP_NET_ADMIN for the bond probe" : ", no capabilities");
	/*
	 * A state directory we cannot write would fail every save and spool; a
	 * read-only file system is another matter (state.c says so, alerts go on).
	 */
	if (!dir || access(dir, W_OK | X_OK) == 0 || (errno != EACCES && errno != EPERM))
		return 0;
	log_err("the state directory %s is not writable by %s: state and webhook spools would "
		"fail; refusing to start (install -d -o %s -g %s %s, or remove it and let redmon "
		"create it)",
		dir, user, user, user, dir);
	return -EACCES;
}

static int check_path(const char *path, char *err, size_t errlen, const char *hook)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errbuf_set(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return errbuf_set(err, errlen, -EPERM,
				  "%s is owned by uid %u, not root or us: refusing to run the hook "
				  "of [sink.%s]",
				  path, (unsigned)st.st_uid, hook);
	/* A sticky directory (/tmp) still lets others replace files they own. */
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return errbuf_set(err, errlen, -EPERM,
				  "%s is writable by %s: refusing to run the hook of [sink.%s] "
				  "(chmod go-w %s)",
				  path, (st.st_mode & S_IWOTH) ? "everyone" : "its group", hook,
				  path);
	return 0;
}

int privdrop_check_config(const struct config *cfg, char *err, size_t errlen)
{
	const char *hook = NULL; /* the first [sink.*] that runs programs (exec, mail) */
	char file[PATH_MAX], dir[PATH_MAX];
	int rc;

	for (size_t i = 0; i < cfg->n_sinks; i++) {
		const struct cfg_sink *k = &cfg->sinks[i];

		/* Mail by SMTP runs no program (mail_smtp.h). */
		if (k->type != SINK_EXEC && (k->type != SINK_MAIL || k->mail.smtp_url))
			continue;
		hook = hook ? hook : k->name;
		/* The programs themselves: one others can rewrite is theirs to run. */
		if (k->type != SINK_EXEC || !k->exec.command || access(k->exec.command, F_OK) < 0)
			continue;
		rc = check_path(k->exec.command, err, errlen, k->name);
		if (rc < 0)
			return rc;
	}
	/* Hooks given only with -o come from whoever runs the command: nothing more to check. */
	if (!hook || !cfg->file)
		return 0;
	if (!realpath(cfg->file, file))
		return errbuf_set(err, errlen, -errno, "%s: %s", cfg->file, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", file);
	rc = check_path(file, err, errlen, hook);
	if (rc == 0)
		rc = check_path(dirname(dir), err, errlen, hook);
	return rc;
}
