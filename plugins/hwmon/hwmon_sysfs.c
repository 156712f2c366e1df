// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwmon from plain sysfs files under a root directory: see hwmon_read.h.
 *
 * Layout (Documentation/hwmon/sysfs-interface.rst, and what libsensors 3.6
 * lib/sysfs.c accepts): /sys/class/hwmon/hwmonN is a link to the device's
 * hwmon directory holding "name" and the attributes; older drivers put both
 * in the parent device directory (hwmonN/device/).  The chip name follows
 * libsensors: "<name>-i2c-<bus>-<addr>" for an I2C client "3-0058",
 * "<name>-isa-<addr>" for a platform device "nct6775.656", else
 * "<name>-virtual-0".
 *
 * What a scan costs.  Listing a chip (its links, name, directory and labels)
 * is most of the work and its result rarely changes, so struct hwmon_sysfs
 * keeps each chip's listing, and the attribute files stay open in a
 * plugins/lib fdcache: a later scan reads each needed file with one pread at
 * offset 0 (sysfs answers it with a fresh show()).  Only the values a verdict
 * uses are read (hwmon_value_needed()), and only for PSU chips.  A file
 * rewritten in place needs nothing: pread sees the new content.  A chip is
 * listed again, and its files opened again (FDC_REOPEN: a file renamed over
 * keeps its name), when its listing may be out of date.  Two ways tell:
 *
 * Events (the daemon on a captured tree, hwmon_sysfs_watch()): inotify on
 * "sys", "sys/class", the class directory and each chip's directories (the
 * class link's target; old style also the device directory), for entries
 * created, removed or renamed.  A directory is watched before it is read, so
 * no change after the read goes unnoticed.  An event in a chip's directory
 * (or the directory moved or removed) lists that chip again; one in the
 * class directory reads it again and lists the entry it names again (a new
 * link may get the inode number of the one it replaced); one naming class,
 * hwmon, devices or bus in the directories above, or events lost, lists
 * everything again.  A scan with no event reads the kept files and nothing
 * else: no listing, no stat, no readlink.  What no event says (a directory
 * between sys/devices and a chip's renamed away and another put in its
 * place; a network file system, whose remote changes inotify never sees; a
 * directory that could not be watched) is found by the check below, run on
 * every CHECK_EVERY-th scan (and on every scan while a watch is missing).
 *
 * The check (every scan without events): the class directory is read again,
 * one getdents for hundreds of entries, and an entry is listed again when
 *  - it is new, or another inode than before (a replaced link: another chip
 *    took the same hwmonN name), or its link reads another target (one
 *    readlinkat: a new link may reuse the inode number).  An entry that is
 *    not a symlink (a captured tree's file standing for a link) is followed
 *    again and compared;
 *  - its attribute directory, its path resolved again (not a descriptor kept
 *    on it: a directory above replaced leaves that one unchanged), is another
 *    inode, or its mtime or ctime changed: creating, removing or renaming a
 *    file in it changes them;
 *  - the listing was taken less than a second after the directory's last
 *    change: timestamps advance in ticks, so a second change within the same
 *    tick would leave them equal.  Such a listing is not trusted and the chip
 *    is listed again at the next check, until it has been still for a second.
 *
 * Either way, a chip is listed again at once, in the same scan, when a read
 * says a file is gone (ENOENT, a link leading nowhere; ENODEV from a removed
 * kernfs node, ESTALE).  Names and labels are read only when a chip is listed.
 *
 * The root: every path is opened inside it (rootfs_open(), RESOLVE_IN_ROOT),
 * so no link of the tree reaches the host.
 *
 * What cannot be read is never "no chip": a class entry that leads nowhere,
 * or whose name cannot be read (or is HWMON_NAME_MAX bytes or longer: never
 * cut), is a chip named by the entry with an error (a supply, or not:
 * nobody can tell); a PSU chip whose directory, labels or needed values
 * cannot be read carries the error too (hwmon_class.c makes it unknown).  Such a listing is not trusted: listed every scan, as
 * is an entry whose directory could not be resolved (a link leading nowhere
 * yet: no directory to watch or compare).
 *
 * Descriptors: at most `budget` attribute files; files beyond it, and files
 * that are symlinks (their target can be replaced without the directory
 * showing it), are opened, read and closed each scan.  With no budget at
 * all nothing is kept: every scan lists and opens everything (the one-shot
 * hwmon_sysfs_read()).
 */
#include "hwmon_read.h"
#include "hwmon_fan.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/fdcache.h"
#include "../lib/watch.h"
#include "../lib/psu_util.h"
#include "../lib/rootfs.h"
#include "redmon/grow.h"

#define CLASS_DIR "sys/class/hwmon"
#define ENTRY_MAX 64 /* longer class entry names are skipped */

/* Entries that come, go or are renamed: a file rewritten in place needs no event (pread). */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

/*
 * With events, every listing is still checked as without them every
 * CHECK_EVERY-th scan: for what no event says (see the head comment).
 */
#define CHECK_EVERY 16

/* One entry of the class directory, as readdir gave it. */
struct hw_dirent {
	char name[ENTRY_MAX + 1];
	ino_t ino;
	unsigned char type; /* d_type */
};

/* A class entry as kept: its name in the pool s->names (sized to use). */
struct hw_key {
	const char *name;
	ino_t ino;
	unsigned char type; /* d_type */
};

/* While listing: a file of a chip's directory that may matter. */
struct hw_listed {
	char name[HWMON_ATTR_MAX];
	bool keep;  /* a regular file in the directory (d_type): may be kept open */
	bool label; /* a <channel>_label file, name holds the channel */
};

/*
 * One attribute file of a chip whose value a verdict uses, as kept: its
 * name is file_name(), in the same allocation (sized to use: 1000 chips
 * add up).
 */
struct hw_file {
	uint16_t off; /* of the name, after the n_files entries */
	bool keep;    /* a regular file in the directory (d_type): may be kept open */
};

/* What tells a directory changed (from its struct stat). */
struct dir_key {
	dev_t dev;
	ino_t ino;
	struct timespec mtim, ctim;
};

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* One class entry and what its last listing found. */
struct hw_ent {
	struct hw_key de;
	char *link;	       /* root-relative target of the class entry; owned */
	char *target;	       /* a symlink entry's own text (readlink); owned */
	char *attrdir;	       /* root-relative directory of name and attributes: link, or owned */
	struct dir_key dst;    /* attrdir at listing time */
	bool kept;	       /* dst is set: the listing may serve later scans */
	bool trusted;	       /* the listing was not taken in the tick of its last change */
	bool dirty;	       /* an event named its directories since the listing */
	bool is_chip;	       /* the entry has a name, or is unreadable: it is a chip */
	uint32_t ci;	       /* its chip: s->chips[ci] (identity, labels; values per scan) */
	char *lerr;	       /* what the listing could not read, or NULL (never trusted then) */
	struct hw_file *files; /* then their names */
	size_t n_files;
};

/* The name of e's file i ("in1_alarm"). */
static const char *file_name(const struct hw_ent *e, size_t i)
{
	return (const char *)(e->files + e->n_files) + e->files[i].off;
}

struct hwmon_sysfs {
	struct hw_ent *v; /* sorted by class entry name */
	size_t n;
	char *names; /* v[].de.name, end to end: one allocation, not one a name */
	/*
	 * This scan's class directory, sorted by name, only while the scan
	 * merges it.  The last scan's is v[].de (sync_entries() makes them
	 * one), not a second copy kept between scans: 90 KiB at 1000 chips.
	 */
	struct hw_dirent *list;
	size_t n_list, cap_list;
	size_t budget;		/* descriptor cap */
	struct fdcache files;	/* attribute files kept open */
	struct watch_ino ino;	/* the directories read (fd -1: no events) */
	bool watching;		/* ino watched all it wanted at the last scan */
	bool all_dirty;		/* events lost, or a directory above the chips changed */
	bool class_dirty;	/* an entry of the class directory came, went or was renamed */
	bool pending;		/* an event since the last scan */
	unsigned int unchecked; /* scans since every listing was last checked */
	char *extra;		/* the chip patterns the listings were made for */
	char *fan_chips;	/* the fan chip patterns, likewise (NULL: "") */
	/*
	 * One chip per entry of v (v[i].ci), and the answer itself: its first
	 * n_out are the chips, sorted by name (make_out() moves them there),
	 * then the entries that are none (zeroed).  No second copy.
	 */
	struct hwmon_chip *chips;
	size_t n_out;
	struct strbuf value; /* the file just read */
};

/* A value longer than that is no number anyway. */
#define VALUE_MAX 127

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * libsensors' chip name and our location, from the device and its subsystem,
 * with prefix (shorter than HWMON_NAME_MAX: find_name()) into c.  0 or -ENOMEM.
 */
static int chip_identity(int root_fd, const char *hw, const char *prefix, struct hwmon_chip *c)
{
	char devp[1024], subp[1100], dev[128] = "", subsys[64] = "";
	char name[HWMON_CHIP_NAME_MAX], location[HWMON_NAME_MAX] = "";
	unsigned int bus, addr, isa;
	char tail;

	if (psu_follow_link(root_fd, hw, "device", devp, sizeof(devp)) == 0) {
		snprintf(dev, sizeof(dev), "%.127s", base(devp));
		if (psu_follow_link(root_fd, devp, "subsystem", subp, sizeof(subp)) == 0)
			snprintf(subsys, sizeof(subsys), "%.63s", base(subp));
	}
	if (strcmp(subsys, "i2c") == 0 && sscanf(dev, "%u-%x%c", &bus, &addr, &tail) == 2 &&
	    bus < 100000 && addr < 0x400) {
		snprintf(name, sizeof(name), "%s-i2c-%u-%x", prefix, bus, addr);
		snprintf(location, sizeof(location), "i2c %.100s", dev);
	} else if (strcmp(subsys, "platform") == 0 && strchr(dev, '.') &&
		   sscanf(strchr(dev, '.') + 1, "%u%c", &isa, &tail) == 1 && isa < 0x10000) {
		snprintf(name, sizeof(name), "%s-isa-%04x", prefix, isa);
		snprintf(location, sizeof(location), "platform %.100s", dev);
	} else {
		snprintf(name, sizeof(name), "%s-virtual-0", prefix);
	}
	return hwmon_chip_set_id(c, name, prefix, location);
}

/* in, curr, temp in milli-units; power in micro-watts; fan in RPM. */
static double scale(const char *name)
{
	if (strncmp(name, "power", 5) == 0)
		return 1e6;
	if (strncmp(name, "fan", 3) == 0)
		return 1;
	return 1000;
}

static bool is_input(const char *name)
{
	size_t len = strlen(name);

	return len > 6 && strcmp(name + len - 6, "_input") == 0;
}

/* A listing error that could not be recorded (never freed). */
static char lerr_oom[] = "cannot say what: out of memory";

/*
 * Forget what the last listing of e found; the class entry itself stays.
 * Its kept files close at the end of a scan that does not read them.
 */
static void ent_clear(struct hwmon_sysfs *s, struct hw_ent *e)
{
	free(e->files);
	if (e->attrdir != e->link)
		free(e->attrdir);
	free(e->link);
	free(e->target);
	if (e->lerr != lerr_oom)
		free(e->lerr);
	if (s->chips) /* NULL: given away (hwmon_sysfs_read()) */
		hwmon_chip_free(&s->chips[e->ci]);
	*e = (struct hw_ent){ .de = e->de, .ci = e->ci };
}

/*
 * Record (the first) failure of the listing: what, what2 ("in1", "_label"),
 * -errno.  Out of line: only an entry with an error pays for its text.
 */
static void ent_error(struct hw_ent *e, const char *what, const char *what2, int rc)
{
	if (!e->lerr && asprintf(&e->lerr, "%.40s%s: %s", what, what2, psu_read_strerror(rc)) < 0)
		e->lerr = lerr_oom;
}

/*
 * The class entry is there but what it leads to cannot be read: a chip
 * known by its class entry name only, whose error says why (hwmon_class.h).
 * Never "no chip": that would make the set silently smaller.  0 or -ENOMEM.
 */
static int ent_unreadable(struct hwmon_sysfs *s, struct hw_ent *e, const char *what, int rc)
{
	ent_error(e, what, "", rc);
	if (hwmon_chip_set_id(&s->chips[e->ci], e->de.name, "", "") < 0)
		return -ENOMEM;
	e->is_chip = true;
	return 0;
}

static int by_file_name(const void *a, const void *b)
{
	return strcmp(((const struct hw_listed *)a)->name, ((const struct hw_listed *)b)->name);
}

/*
 * Is the label of channel ("in1", "fan2") used?  An "in" channel's may say
 * "vin" (hwmon_value_needed()); another's only names an alarm or fault of
 * the channel in a reason.  v: the directory's wanted files and labels.
 */
static bool label_used(const char *channel, const struct hw_listed *v, size_t n)
{
	size_t len = strlen(channel);

	if (strncmp(channel, "in", 2) == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].label && strncmp(v[i].name, channel, len) == 0 && v[i].name[len] == '_' &&
		    !is_input(v[i].name))
			return true;
	}
	return false;
}

/* Fit an array to its n elements (it keeps the old size if realloc fails). */
static void *shrink(void *p, size_t n, size_t size)
{
	void *fit;

	if (n == 0) {
		free(p);
		return NULL;
	}
	fit = realloc(p, n * size);
	return fit ? fit : p;
}

/* Open the directory path of the root for readdir(); 0 or -errno. */
static int open_dir(int root_fd, const char *path, DIR **ret)
{
	int fd = rootfs_open(root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	*ret = fdopendir(fd);
	if (*ret)
		return 0;
	rc = -errno;
	close(fd);
	return rc;
}

/*
 * List the attribute directory of a PSU chip: the labels it uses, and the
 * files whose values a verdict uses (sorted by name, at most
 * HWMON_CHIP_ATTRS).  Nothing is opened yet.  0, -ENOMEM, or -errno of the
 * directory.
 */
static int list_attrs(int root_fd, struct hw_ent *e, struct hwmon_chip *c)
{
	size_t cap = 0, n = 0, n_files = 0, k = 0, names = 0;
	struct hw_listed *v = NULL;
	struct hw_file *files = NULL;
	struct dirent *de;
	char path[1200], buf[128];
	int n_rc, rc;
	DIR *d;

	rc = open_dir(root_fd, e->attrdir, &d);
	if (rc < 0)
		return rc;
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		size_t len = strlen(nm);
		bool label = len > 6 && strcmp(nm + len - 6, "_label") == 0;

		if (len >= HWMON_ATTR_MAX || nm[0] == '.')
			continue;
		if (label) {
			char probe[HWMON_ATTR_MAX + 8];

			/* Only labels of channels we know (in1, fan2, ...). */
			snprintf(probe, sizeof(probe), "%.*s_input", (int)(len - 6), nm);
			if (!hwmon_attr_wanted(probe) || n - n_files >= HWMON_CHIP_ATTRS)
				continue;
		} else if (!hwmon_attr_wanted(nm) || n_files >= HWMON_CHIP_ATTRS) {
			continue;
		}
		if (!grow_one((void **)&v, &cap, n, sizeof(*v), 16)) {
			rc = -ENOMEM;
			break;
		}
		/*
		 * A symlink's target may change where the directory does not
		 * show it: such a file is opened afresh every scan.
		 */
		v[n] = (struct hw_listed){ .label = label, .keep = de->d_type == DT_REG };
		snprintf(v[n].name, sizeof(v[n].name), "%.*s", (int)(label ? len - 6 : len), nm);
		n_files += !label;
		n++;
	}
	closedir(d);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		/* A fan set names each fan by its label when it has one. */
		if (!v[i].label ||
		    !(c->fans ? strncmp(v[i].name, "fan", 3) == 0 : label_used(v[i].name, v, n)))
			continue;
		snprintf(path, sizeof(path), "%.900s/%s_label", e->attrdir, v[i].name);
		n_rc = psu_read_in_root(root_fd, path, buf, sizeof(buf));
		if (n_rc >= 0)
			rc = hwmon_chip_label(c, v[i].name, buf);
		else if (n_rc != -ENOENT && !c->fans)		 /* a fan's label decides nothing */
			ent_error(e, v[i].name, "_label", n_rc); /* "vin" or not: nobody can tell */
	}
	if (rc < 0) {
		free(v);
		return rc;
	}
	/* Labels are all known now: keep only the files a verdict reads. */
	for (size_t i = 0; i < n; i++) {
		if (!v[i].label && hwmon_value_needed(c, v[i].name))
			v[k++] = v[i];
	}
	n = k;
	if (n > 1)
		qsort(v, n, sizeof(*v), by_file_name);
	/* Kept for the chip's life: no spare room, names sized to use (1000 chips add up). */
	for (size_t i = 0; i < n; i++)
		names += strlen(v[i].name) + 1; /* at most 512 * HWMON_ATTR_MAX: fits off */
	if (n) {
		files = malloc(n * sizeof(*files) + names);
		c->attrs = calloc(n, sizeof(*c->attrs));
	}
	if (n && (!files || !c->attrs)) {
		free(files);
		free(v);
		return -ENOMEM;
	}
	names = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i].name) + 1;

		files[i] = (struct hw_file){ .off = (uint16_t)names, .keep = v[i].keep };
		memcpy((char *)(files + n) + names, v[i].name, len);
		names += len;
	}
	free(v);
	if (c->n_labels < c->cap_labels) {
		c->labels = shrink(c->labels, c->n_labels, sizeof(*c->labels));
		c->cap_labels = c->n_labels;
	}
	c->cap_attrs = n;
	e->files = files;
	e->n_files = n;
	return 0;
}

/*
 * Before dir (root-relative) of entry e is read: watch it, so that a change
 * from now on is an event, and take its state (e->dst), which a check
 * compares (ent_current()).  Without a budget nothing is kept: not needed.
 */
static void pin_dir(struct hwmon_sysfs *s, int root_fd, struct hw_ent *e, const char *dir)
{
	struct timespec now;
	struct stat st;
	int fd;

	if (s->ino.fd >= 0 && watch_ino_add(&s->ino, dir, 0) < 0)
		s->watching = false; /* checked every scan until a round watches it all */
	e->kept = false;
	if (s->budget == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	fd = rootfs_open(root_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0) {
		e->dst = (struct dir_key){ st.st_dev, st.st_ino, st.st_mtim, st.st_ctim };
		e->kept = true;
		e->trusted =
			st.st_ctim.tv_sec + 1 < now.tv_sec ||
			(st.st_ctim.tv_sec + 1 == now.tv_sec && st.st_ctim.tv_nsec <= now.tv_nsec);
	}
	close(fd);
}

/*
 * Read a chip's hwmon name file into prefix: 0 or -errno as
 * psu_read_in_root().  A name of HWMON_NAME_MAX bytes or more is
 * -ENAMETOOLONG, never cut: the chip is then unreadable, with that error.
 */
static int name_read(int root_fd, const char *path, char prefix[HWMON_NAME_MAX + 1])
{
	int rc = psu_read_in_root(root_fd, path, prefix, HWMON_NAME_MAX + 1);

	if (rc >= HWMON_NAME_MAX)
		return -ENAMETOOLONG;
	return rc < 0 ? rc : 0;
}

/*
 * Where the chip of class entry e keeps its name: hw (its class link
 * followed), or old style the device directory.  prefix gets the name.
 * 0; 1 when there is no chip (no name anywhere, or the entry went away
 * since the class directory was read); or -errno with *what naming the
 * part that could not be read.
 */
static int find_name(struct hwmon_sysfs *s, int root_fd, struct hw_ent *e, const char *hw,
		     char *attrdir, size_t len, char prefix[HWMON_NAME_MAX + 1], const char **what)
{
	char np[1200];
	int rc, fd;

	/* A class entry that leads nowhere is unreadable, not absent. */
	*what = "its link";
	fd = rootfs_open(root_fd, hw, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOLINK : -errno;
	close(fd);
	*what = "name";
	pin_dir(s, root_fd, e, hw);
	str_copy(attrdir, len, hw);
	snprintf(np, sizeof(np), "%s/name", hw);
	rc = name_read(root_fd, np, prefix);
	if (rc != -ENOENT)
		return rc < 0 ? rc : 0;
	/* Old style: name and attributes in the device directory. */
	*what = "device";
	rc = psu_follow_link(root_fd, hw, "device", attrdir, len);
	if (rc == -ENOENT)
		return 1;
	if (rc < 0)
		return rc;
	if (strlen(attrdir) + 6 >= len)
		return -ENAMETOOLONG;
	*what = "device/name";
	pin_dir(s, root_fd, e, attrdir);
	snprintf(np, sizeof(np), "%s/name", attrdir);
	rc = name_read(root_fd, np, prefix);
	/* libsensors skips a chip without a name too. */
	return rc == -ENOENT ? 1 : rc < 0 ? rc : 0;
}

/*
 * List the chip of class entry e again from scratch (see the head comment).
 * An entry that is no chip (gone, no name) is kept with is_chip false; one
 * that cannot be read is a chip with e->lerr set, listed again every scan.
 * 0, or -ENOMEM (the scan fails).
 */
static int ent_list(struct hwmon_sysfs *s, int root_fd, int cfd, struct hw_ent *e,
		    const char *extra)
{
	char hw[1024], attrdir[1100], prefix[HWMON_NAME_MAX + 1];
	struct hwmon_chip *c = &s->chips[e->ci];
	const char *what;
	int rc;

	ent_clear(s, e);
	if (e->de.type == DT_LNK) {
		rc = psu_read_link(cfd, e->de.name, hw, sizeof(hw));
		if (rc == -ENOENT)
			return 0; /* gone since the class directory was read */
		if (rc < 0)
			return ent_unreadable(s, e, "its link", rc);
		e->target = strdup(hw);
		if (!e->target)
			return -ENOMEM;
	}
	rc = psu_follow_link(root_fd, CLASS_DIR, e->de.name, hw, sizeof(hw));
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return ent_unreadable(s, e, "its link", rc);
	e->link = strdup(hw);
	if (!e->link)
		return -ENOMEM;
	rc = find_name(s, root_fd, e, hw, attrdir, sizeof(attrdir), prefix, &what);
	if (rc < 0)
		return ent_unreadable(s, e, what, rc);
	if (rc > 0 || !prefix[0])
		return 0;
	/* New style (the name beside the attributes): one text for both. */
	e->attrdir = strcmp(attrdir, e->link) == 0 ? e->link : strdup(attrdir);
	if (!e->attrdir)
		return -ENOMEM;
	if (chip_identity(root_fd, hw, prefix, c) < 0)
		return -ENOMEM;
	e->is_chip = true;
	c->fans = !hwmon_is_psu_chip(prefix, extra) &&
		  hwmon_is_fan_chip(prefix, s->fan_chips ? s->fan_chips : "");
	if (!c->fans && !hwmon_is_psu_chip(prefix, extra))
		return 0; /* no verdict reads another chip's values */
	rc = list_attrs(root_fd, e, c);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		ent_error(e, "its directory", "", rc);
	if (e->lerr)
		e->trusted = false; /* listed again at the next scan */
	return 0;
}

static bool gone(int rc)
{
	return rc == -ENOENT || rc == -ENOLINK || rc == -ENOTDIR || rc == -ENODEV || rc == -ESTALE;
}

/*
 * c's error, as what: why.  The last scan's text (c->own_error) is reused
 * when the same: a chip failing every scan allocates nothing.
 */
static void read_error(struct hwmon_chip *c, const char *what, const char *why)
{
	const char *o = c->own_error;
	size_t n = strlen(what);

	if (o && strncmp(o, what, n) == 0 && o[n] == ':' && o[n + 1] == ' ' &&
	    strcmp(o + n + 2, why) == 0) {
		c->error = o;
		return;
	}
	hwmon_chip_set_error(c, "%s: %s", what, why);
}

/*
 * Read e's file i into its chip's attrs (see ent_read()).  Returns true
 * when the file is gone.
 */
static bool ent_read_file(struct hwmon_sysfs *s, int root_fd, struct hw_ent *e, size_t i,
			  unsigned int flags, bool final)
{
	struct hwmon_chip *c = &s->chips[e->ci];
	const char *name = file_name(e, i);
	size_t dl, nl = strlen(name) + 1; /* < HWMON_ATTR_MAX */
	char path[1200];
	long long v;
	int rc;

	/* By hand, not snprintf: that was half the user time of a kept scan. */
	dl = strnlen(e->attrdir, 900);
	memcpy(path, e->attrdir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, nl); /* NUL-terminated */
	rc = fdcache_read(e->files[i].keep ? &s->files : NULL, root_fd, path, flags, &s->value,
			  VALUE_MAX, NULL);
	if (rc == -EISDIR)
		rc = -EINVAL; /* "not a regular file", as a FIFO */
	if (rc < 0 && (final || !gone(rc)) && !c->error[0])
		read_error(c, name, psu_read_strerror(rc == -ENOENT ? -ENOLINK : rc));
	if (rc < 0 || strv_to_ll(strv_trim(strv_c(s->value.p)), LLONG_MIN, LLONG_MAX, &v) < 0)
		return gone(rc); /* unreadable or garbage: no value */
	memcpy(c->attrs[c->n_attrs].name, name, nl);
	c->attrs[c->n_attrs].value = is_input(name) ? (double)v / scale(name) : (double)v;
	c->n_attrs++;
	return false;
}

/*
 * Read the values of e's files into its chip's attrs, with fdcache flags (FDC_REOPEN
 * after a listing).  Returns true when a file is gone: the listing is out of
 * date.  A file that cannot be read (EIO from the chip, EACCES, a FIFO; gone
 * too when final: it was listed just before) goes into the chip's error, after
 * what the listing could not read.
 */
static bool ent_read(struct hwmon_sysfs *s, int root_fd, struct hw_ent *e, unsigned int flags,
		     bool final)
{
	struct hwmon_chip *c = &s->chips[e->ci];
	bool stale = false;

	c->n_attrs = 0;
	/* c->own_error, the last scan's read error, stays for read_error() to reuse. */
	c->error = e->lerr ? e->lerr : "";
	/*
	 * A fan set reads its fanN_enable files first: a disabled channel's
	 * other files are not read (they may fail by design).
	 */
	for (int pass = c->fans ? 0 : 1; pass < 2; pass++) {
		for (size_t i = 0; i < e->n_files; i++) {
			const char *name = file_name(e, i);
			bool enable = c->fans && strv_ends(strv_c(name), "_enable");

			if (pass == 0 ? !enable
				      : enable || (c->fans && hwmon_fan_channel_off(c, name)))
				continue;
			stale |= ent_read_file(s, root_fd, e, i, flags, final);
		}
	}
	if (c->own_error && c->error != c->own_error) {
		free(c->own_error); /* the read error is over */
		c->own_error = NULL;
	}
	return stale;
}

/*
 * Is e's listing still good, as far as the tree itself tells (a check, with
 * or without events)?  See the head comment for the rules.
 */
static bool ent_current(int root_fd, int cfd, const struct hw_ent *e)
{
	char hw[1024];
	struct stat st;
	int fd, rc;

	if (!e->kept || !e->trusted || !e->attrdir)
		return false;
	/*
	 * The same name and inode may still be another link: a file system
	 * may give a new symlink the inode number just freed.  One readlinkat
	 * tells.  An entry that is not a symlink is followed again.
	 */
	if (e->de.type == DT_LNK) {
		if (psu_read_link(cfd, e->de.name, hw, sizeof(hw)) < 0 || !e->target ||
		    strcmp(hw, e->target) != 0)
			return false;
	} else if (psu_follow_link(root_fd, CLASS_DIR, e->de.name, hw, sizeof(hw)) < 0 ||
		   !e->link || strcmp(hw, e->link) != 0) {
		return false;
	}
	/*
	 * The directory's path resolved again, not a descriptor kept on it: a
	 * directory above it renamed away and replaced leaves the old one
	 * unchanged, and no event names it.
	 */
	fd = rootfs_open(root_fd, e->attrdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	rc = fstat(fd, &st);
	close(fd);
	return rc == 0 && st.st_ino == e->dst.ino && st.st_dev == e->dst.dev &&
	       same_time(st.st_mtim, e->dst.mtim) && same_time(st.st_ctim, e->dst.ctim);
}

static int by_entry(const void *a, const void *b)
{
	return strcmp(((const struct hw_dirent *)a)->name, ((const struct hw_dirent *)b)->name);
}

/*
 * Read the class directory into s->list, sorted by name; *ret_d stays open
 * for the scan's readlinkat calls (NULL when the directory is missing: no
 * entry).  0 or -errno.
 */
static int read_class(struct hwmon_sysfs *s, int root_fd, DIR **ret_d)
{
	struct dirent *de;
	DIR *d;
	int rc;

	s->n_list = 0;
	*ret_d = NULL;
	rc = open_dir(root_fd, CLASS_DIR, &d);
	if (rc < 0)
		return rc == -ENOENT || rc == -ENOTDIR ? 0 : rc;
	while ((de = readdir(d)) != NULL) {
		struct hw_dirent *x;

		if (de->d_name[0] == '.' || strlen(de->d_name) > ENTRY_MAX)
			continue;
		if (s->n_list >= HWMON_CHIPS_MAX) {
			rc = -E2BIG; /* beyond: the scan fails loudly, never a silent cut */
			break;
		}
		/* First room for as many as last time: one allocation, mostly. */
		if (!grow_one((void **)&s->list, &s->cap_list, s->n_list, sizeof(*s->list),
			      s->n + 16)) {
			rc = -ENOMEM;
			break;
		}
		x = &s->list[s->n_list++];
		memset(x, 0, sizeof(*x));
		snprintf(x->name, sizeof(x->name), "%.*s", ENTRY_MAX, de->d_name);
		x->ino = de->d_ino;
		x->type = de->d_type;
	}
	if (rc < 0) {
		closedir(d);
		return rc;
	}
	if (s->n_list > 1)
		qsort(s->list, s->n_list, sizeof(*s->list), by_entry);
	*ret_d = d;
	return 0;
}

/*
 * Make s->v follow the class directory just read: entries gone are dropped
 * (their directories closed), new ones and replaced ones (another inode or
 * type) start unlisted (dfd -1, so they are listed this scan).  When the
 * directory is as at the last scan, nothing is done (0); else 1, or -ENOMEM.
 */
static bool same_dirent(const struct hw_dirent *a, const struct hw_key *b)
{
	return a->ino == b->ino && a->type == b->type && strcmp(a->name, b->name) == 0;
}

/* Whether the listing just read is the one s->v was made from. */
static bool same_listing(const struct hwmon_sysfs *s)
{
	if (s->n_list != s->n)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		if (!same_dirent(&s->list[i], &s->v[i].de))
			return false;
	}
	return true;
}

static int sync_entries(struct hwmon_sysfs *s)
{
	size_t i = 0, k = 0, n = s->n_list ? s->n_list : 1, bytes = 1;
	struct hwmon_chip *nc;
	char *names, *at;
	struct hw_ent *nv;

	if (same_listing(s))
		return 0;
	for (size_t j = 0; j < s->n_list; j++)
		bytes += strlen(s->list[j].name) + 1;
	nv = calloc(n, sizeof(*nv));
	nc = calloc(n, sizeof(*nc));
	names = at = malloc(bytes);
	if (!nv || !nc || !names) {
		free(nv);
		free(nc);
		free(names);
		return -ENOMEM;
	}
	/*
	 * Merge two name-sorted sequences: old entries and the listing.  The
	 * chips move along, slot k for entry k (make_out() sorts them).
	 */
	for (size_t j = 0; j < s->n_list; j++) {
		const struct hw_dirent *de = &s->list[j];
		int cmp = 1;

		while (i < s->n && (cmp = strcmp(s->v[i].de.name, de->name)) < 0)
			ent_clear(s, &s->v[i++]); /* gone */
		if (cmp == 0 && same_dirent(de, &s->v[i].de)) {
			/* The same entry: keep its listing. */
			nc[k] = s->chips[s->v[i].ci];
			nv[k] = s->v[i++];
		} else {
			if (cmp == 0)
				ent_clear(s,
					  &s->v[i++]); /* the name now stands for another inode */
			nv[k] = (struct hw_ent){ .de = { .ino = de->ino, .type = de->type } };
		}
		nv[k].ci = (uint32_t)k;
		nv[k].de.name = memcpy(at, de->name, strlen(de->name) + 1);
		at += strlen(at) + 1;
		k++;
	}
	while (i < s->n)
		ent_clear(s, &s->v[i++]);
	free(s->v);
	free(s->chips);
	free(s->names);
	s->v = nv;
	s->chips = nc;
	s->names = names;
	s->n = k;     /* = n_list: v[].de is this listing, to compare the next one with */
	s->n_out = 0; /* the chips are out of order: make_out() sorts them again */
	return 1;
}

struct hwmon_sysfs *hwmon_sysfs_new(size_t budget)
{
	struct hwmon_sysfs *s = calloc(1, sizeof(*s));

	if (s) {
		s->budget = budget;
		fdcache_init(&s->files, budget, NULL, NULL);
		s->ino.fd = -1;
	}
	return s;
}

static void drop_all(struct hwmon_sysfs *s)
{
	for (size_t i = 0; i < s->n; i++)
		ent_clear(s, &s->v[i]);
	fdcache_flush(&s->files);
	free(s->v);
	free(s->chips);
	free(s->names);
	s->v = NULL;
	s->chips = NULL;
	s->names = NULL;
	s->n = 0;
	s->n_out = 0;
	s->class_dirty = true; /* no entry left: the next scan reads the class directory */
}

void hwmon_sysfs_free(struct hwmon_sysfs *s)
{
	if (!s)
		return;
	drop_all(s);
	fdcache_free(&s->files);
	watch_ino_close(&s->ino);
	free(s->list);
	free(s->extra);
	free(s->fan_chips);
	strbuf_free(&s->value);
	free(s);
}

void hwmon_sysfs_follow_share(struct hwmon_sysfs *s, const struct redmon_host_ops *ops,
			      struct redmon_host *h)
{
	s->files.budget = s->budget;
	fdcache_follow_share(&s->files, ops, h, 0);
	s->budget = s->files.budget; /* a scan sets the cache's from it */
}

int hwmon_sysfs_set_fan_chips(struct hwmon_sysfs *s, const char *patterns)
{
	char *x;

	patterns = patterns ? patterns : "";
	if (strcmp(s->fan_chips ? s->fan_chips : "", patterns) == 0)
		return 0;
	x = strdup(patterns);
	if (!x)
		return -ENOMEM;
	/* Other chips are fan sets now: list everything again. */
	drop_all(s);
	free(s->fan_chips);
	s->fan_chips = x;
	return 0;
}

static int by_chip_name(const void *a, const void *b, void *arg)
{
	const struct hwmon_sysfs *s = arg;
	const struct hw_ent *x = &s->v[*(const size_t *)a], *y = &s->v[*(const size_t *)b];

	/* The chips first, by name; the entries that are none after them. */
	if (x->is_chip != y->is_chip)
		return x->is_chip ? -1 : 1;
	return x->is_chip ? strcmp(s->chips[x->ci].name, s->chips[y->ci].name) : 0;
}

/*
 * Make the first n_chips of s->chips the answer, sorted by name: the chips
 * are moved in place (and each entry's ci with its chip) only when entries
 * changed or were listed again.  0 or -ENOMEM.
 */
static int make_out(struct hwmon_sysfs *s, size_t n_chips, bool changed)
{
	size_t *from;

	if (!changed && s->n_out == n_chips)
		return 0;
	from = malloc((s->n ? s->n : 1) * sizeof(*from));
	if (!from)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		from[i] = i;
	if (s->n > 1)
		qsort_r(from, s->n, sizeof(*from), by_chip_name, s);
	/* from[k]: the entry whose chip goes to slot k; then the slot it is in now. */
	for (size_t k = 0; k < s->n; k++) {
		struct hw_ent *e = &s->v[from[k]];

		from[k] = e->ci;
		e->ci = (uint32_t)k;
	}
	/*
	 * Follow each cycle of the permutation with one chip aside (no second
	 * array of chips: 100 KiB at 1000); a slot filled is marked from[j] = j.
	 */
	for (size_t k = 0; k < s->n; k++) {
		struct hwmon_chip tmp;
		size_t j = k;

		if (from[k] == k)
			continue;
		tmp = s->chips[k];
		while (from[j] != k) {
			size_t next = from[j];

			s->chips[j] = s->chips[next];
			from[j] = j;
			j = next;
		}
		s->chips[j] = tmp;
		from[j] = j;
	}
	free(from);
	s->n_out = n_chips;
	return 0;
}

int hwmon_sysfs_watch(struct hwmon_sysfs *s, int root_fd, const char *root)
{
	int rc;

	if (s->ino.fd >= 0)
		return s->ino.fd;
	rc = watch_ino_open(&s->ino, root_fd, root, WATCH_MASK);
	if (rc < 0)
		return rc;
	/* What was kept was not watched: list it again, watching. */
	drop_all(s);
	s->watching = false;
	return s->ino.fd;
}

static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return path && strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * One event (watch.h): which listings it makes stale.  Watched are "sys",
 * "sys/class", the class directory and each chip's directories (its class
 * link's target, and old style its device directory), for entries that
 * come, go or are renamed (WATCH_MASK).  Returns false: drain them all.
 */
static bool note_event(void *ctx, const struct watch_event *ev)
{
	struct hwmon_sysfs *s = ctx;
	bool top = ev->dir && (strcmp(ev->dir, "sys") == 0 || strcmp(ev->dir, "sys/class") == 0);

	if (!ev->dir || (ev->mask & IN_Q_OVERFLOW)) {
		s->all_dirty = true; /* events lost, or a watch not known */
	} else if (top) {
		/* Only these names lead to the chips (sys/devices, sys/bus: identity). */
		if (!ev->name[0] || strcmp(ev->name, "class") == 0 ||
		    strcmp(ev->name, "hwmon") == 0 || strcmp(ev->name, "devices") == 0 ||
		    strcmp(ev->name, "bus") == 0)
			s->all_dirty = true;
	} else if (strcmp(ev->dir, CLASS_DIR) == 0) {
		if (!ev->name[0])
			s->all_dirty = true; /* the class directory itself went or moved */
		s->class_dirty = true;
		/* A new link may have the inode number of the one it replaced. */
		for (size_t i = 0; i < s->n; i++) {
			if (strcmp(s->v[i].de.name, ev->name) == 0)
				s->v[i].dirty = true;
		}
	} else {
		/* A chip's directory, or (moved, removed) one above another chip's. */
		for (size_t i = 0; i < s->n; i++) {
			if (within(s->v[i].link, ev->dir) || within(s->v[i].attrdir, ev->dir))
				s->v[i].dirty = s->pending = true;
		}
	}
	s->pending |= s->all_dirty || s->class_dirty;
	return false;
}

/* Drain the pending events into the marks; 0 or -errno (then everything is marked). */
static int drain(struct hwmon_sysfs *s)
{
	int rc = watch_ino_drain(&s->ino, note_event, s);

	if (rc < 0)
		s->all_dirty = true;
	return rc;
}

int hwmon_sysfs_on_event(struct hwmon_sysfs *s)
{
	int rc;

	s->pending = false;
	rc = drain(s);
	return rc < 0 ? rc : s->pending;
}

/*
 * After a scan that listed anything (or lost a watch): a round watching
 * exactly the directories of this scan's listings; those already watched
 * (by pin_dir(), before being read) cost no system call.
 */
static void watch_round(struct hwmon_sysfs *s)
{
	static const char *const top[] = { "sys", "sys/class", CLASS_DIR };
	bool ok = true;

	watch_ino_begin(&s->ino);
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		ok &= watch_ino_add(&s->ino, top[i], 0) == 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct hw_ent *e = &s->v[i];

		if (e->link && e->kept)
			ok &= watch_ino_add(&s->ino, e->link, 0) == 0;
		if (e->attrdir && e->kept && strcmp(e->attrdir, e->link) != 0)
			ok &= watch_ino_add(&s->ino, e->attrdir, 0) == 0;
	}
	watch_ino_end(&s->ino);
	s->watching = ok && !s->ino.lost;
}

/*
 * Whether this scan reads the class directory: to check every listing, or
 * because an event or an entry not kept (listed every scan) needs it.
 */
static bool class_needed(const struct hwmon_sysfs *s, bool check)
{
	if (check || s->class_dirty || s->all_dirty || s->n == 0)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].dirty || !s->v[i].kept || s->v[i].lerr)
			return true;
	}
	return false;
}

/* Whether e must be listed again this scan (see the head comment). */
static bool ent_stale(const struct hw_ent *e, bool check, int root_fd, int cfd)
{
	if (e->dirty || !e->kept || e->lerr)
		return true;
	return check && !ent_current(root_fd, cfd, e);
}

int hwmon_sysfs_scan(struct hwmon_sysfs *s, int root_fd, const char *extra,
		     const struct hwmon_chip **ret, size_t *ret_n)
{
	size_t n_chips = 0;
	bool changed = false, check, events = s->ino.fd >= 0;
	DIR *d = NULL;
	int rc = 0, cfd;

	extra = extra ? extra : "";
	if (!s->extra || strcmp(s->extra, extra) != 0) {
		/* Other chip patterns: other chips are PSUs, list everything again. */
		char *x = strdup(extra);

		if (!x)
			return -ENOMEM;
		drop_all(s);
		free(s->extra);
		s->extra = x;
	}
	if (events) {
		drain(s);
		if (!s->watching)
			watch_round(s); /* the class directories, before they are read */
	}
	/* Without events every scan checks every listing; with them, every CHECK_EVERY-th. */
	check = !events || !s->watching || s->unchecked == 0;
	s->unchecked = (s->unchecked + 1) % CHECK_EVERY;
	if (s->all_dirty) {
		for (size_t i = 0; i < s->n; i++)
			s->v[i].dirty = true;
	}
	if (class_needed(s, check)) {
		rc = read_class(s, root_fd, &d);
		if (rc == 0)
			rc = sync_entries(s);
		/* Merged into v[].de: not held until the next reading (90 KiB at 1000 chips). */
		free(s->list);
		s->list = NULL;
		s->n_list = s->cap_list = 0;
		changed = rc > 0;
		rc = rc > 0 ? 0 : rc;
	}
	s->all_dirty = s->class_dirty = false;
	cfd = d ? dirfd(d) : -1;
	s->files.budget = s->budget;
	fdcache_begin(&s->files);
	for (size_t i = 0; rc == 0 && i < s->n; i++) {
		struct hw_ent *e = &s->v[i];
		unsigned int flags = 0;

		if (ent_stale(e, check, root_fd, cfd)) {
			changed = true;
			flags = FDC_REOPEN;
			rc = ent_list(s, root_fd, cfd, e, extra);
			if (rc < 0)
				break;
		}
		/* A file gone since the listing: list again at once, once. */
		if (e->is_chip && ent_read(s, root_fd, e, flags, false)) {
			changed = true;
			if (!d && open_dir(root_fd, CLASS_DIR, &d) == 0)
				cfd = dirfd(d); /* not read this scan: for its readlinkat */
			rc = ent_list(s, root_fd, cfd, e, extra);
			if (rc < 0)
				break;
			if (e->is_chip)
				ent_read(s, root_fd, e, FDC_REOPEN, true);
		}
		n_chips += e->is_chip;
	}
	if (d)
		closedir(d);
	if (rc == 0)
		rc = make_out(s, n_chips, changed);
	if (rc < 0) {
		drop_all(s);
		return rc;
	}
	fdcache_sweep(&s->files); /* the files of chips gone or listed without them */
	if (events && (changed || s->ino.lost || !s->watching))
		watch_round(s);
	*ret = s->chips;
	*ret_n = s->n_out;
	return 0;
}

int hwmon_sysfs_read(int root_fd, const char *extra, struct hwmon_chip **ret, size_t *ret_n)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(0);
	const struct hwmon_chip *out;
	int rc;

	if (!s)
		return -ENOMEM;
	rc = hwmon_sysfs_scan(s, root_fd, extra, &out, ret_n);
	if (rc == 0) {
		/* The caller owns the answer, its arrays and texts now. */
		*ret = s->chips;
		for (size_t i = 0; i < s->n; i++) {
			struct hw_ent *e = &s->v[i];
			struct hwmon_chip *c = &s->chips[e->ci];

			if (e->lerr && e->lerr != lerr_oom && c->error == e->lerr) {
				c->own_error = e->lerr;
				e->lerr = NULL;
			}
		}
		s->chips = NULL;
	}
	hwmon_sysfs_free(s);
	return rc;
}
