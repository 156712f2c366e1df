/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The path is walked as the kernel resolves it, one entry at a time, each
 * link's target in turn: every directory and link on the way is checked,
 * not only those of the realpath.
 */
#include "trusted_path.h"

#include "errbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40 /* the kernel's limit too (path_resolution(7)) */

static bool owner_ok(const struct stat *st, uid_t uid)
{
	return st->st_uid == 0 || st->st_uid == uid;
}

static int refuse_owner(const char *entry, const struct stat *st, uid_t uid, char *why,
			size_t whylen)
{
	return errbuf_set(why, whylen, -EPERM,
			  "%s is owned by uid %u, not by root or uid %u: they could replace it",
			  entry, (unsigned)st->st_uid, (unsigned)uid);
}

static int refuse_writable(const char *entry, const struct stat *st, char *why, size_t whylen)
{
	return errbuf_set(why, whylen, -EPERM, "%s is writable by %s (chmod go-w %s)", entry,
			  (st->st_mode & S_IWOTH) ? "everyone" : "its group", entry);
}

/*
 * A directory on the way (nobody else may rename or replace what is in it),
 * or the program at its end (a regular file nobody else may rewrite).
 */
static int check_entry(const char *entry, const struct stat *st, uid_t uid, char *why,
		       size_t whylen)
{
	/* Sticky and root's (/tmp): others may add entries but not touch ours. */
	bool sticky = S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & S_ISVTX);

	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		return errbuf_set(why, whylen, -EACCES, "%s is not a regular file", entry);
	if (!owner_ok(st, uid))
		return refuse_owner(entry, st, uid, why, whylen);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky)
		return refuse_writable(entry, st, why, whylen);
	return 0;
}

/* The next entry name of *p into comp (skipping slashes); false at the end. */
static bool take_component(const char **p, char *comp, size_t len)
{
	const char *s = *p + strspn(*p, "/");
	size_t n = strcspn(s, "/");

	if (!n || n >= len)
		return false;
	memcpy(comp, s, n);
	comp[n] = 0;
	*p = s + n;
	return true;
}

/* A link's target, then what was left of the path after the link. */
static int follow(const char *entry, const char *rest, char *todo, size_t len)
{
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t n = readlink(entry, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = 0;
	if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, rest) >= sizeof(next) ||
	    strlen(next) >= len)
		return -ENAMETOOLONG;
	strcpy(todo, next);
	return 0;
}

/* The walk of both checks: want_dir, the path ends at a directory, else at a program. */
static int walk(const char *path, uid_t uid, bool want_dir, char *why, size_t whylen)
{
	char done[PATH_MAX] = "", todo[PATH_MAX], comp[NAME_MAX + 1],
	     entry[PATH_MAX + NAME_MAX + 2];
	const char *p = todo;
	unsigned links = 0;
	struct stat st;
	int rc = 0;

	if (!path || path[0] != '/' || strlen(path) >= sizeof(todo))
		return errbuf_set(why, whylen, -EINVAL, "%s: not an absolute path",
				  path ? path : "(none)");
	strcpy(todo, path);
	if (lstat("/", &st) < 0 || (rc = check_entry("/", &st, uid, why, whylen)) < 0)
		return rc < 0 ? rc : -errno;
	while (take_component(&p, comp, sizeof(comp))) {
		bool last = p[strspn(p, "/")] == 0;
		char *up = strcmp(comp, "..") == 0 ? strrchr(done, '/') : NULL;

		if (up)
			*up = 0; /* done never ends in '/': "" is the root */
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0)
			continue;
		snprintf(entry, sizeof(entry), "%s/%s", done, comp);
		if (lstat(entry, &st) < 0)
			return errbuf_set(why, whylen, -errno, "%s: %s", entry, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			/* Its directory was checked: the link is safe if its owner is. */
			if (!owner_ok(&st, uid))
				return refuse_owner(entry, &st, uid, why, whylen);
			if (++links > MAX_LINKS)
				return errbuf_set(why, whylen, -ELOOP,
						  "%s: too many symbolic links", path);
			rc = follow(entry, p, todo, sizeof(todo));
			if (rc < 0)
				return errbuf_set(why, whylen, rc, "%s: %s", entry, strerror(-rc));
			p = todo;
			if (todo[0] == '/')
				done[0] = 0;
			continue;
		}
		if (last && S_ISDIR(st.st_mode) && !want_dir)
			break;
		if (!S_ISDIR(st.st_mode) && (!last || want_dir))
			return errbuf_set(why, whylen, -ENOTDIR, "%s: %s", entry,
					  strerror(ENOTDIR));
		rc = check_entry(entry, &st, uid, why, whylen);
		if (rc < 0 || (last && !want_dir))
			return rc;
		if (strlen(entry) >= sizeof(done))
			return errbuf_set(why, whylen, -ENAMETOOLONG, "%s: %s", path,
					  strerror(ENAMETOOLONG));
		strcpy(done, entry);
	}
	if (!want_dir)
		return errbuf_set(why, whylen, -EISDIR, "%s: not a program", path);
	/* The directory reached, sticky or not: others could add to it (a NAME.sources read as root). */
	if (!done[0])
		strcpy(done, "/");
	if (lstat(done, &st) < 0)
		return errbuf_set(why, whylen, -errno, "%s: %s", done, strerror(errno));
	return (st.st_mode & (S_IWGRP | S_IWOTH)) ? refuse_writable(done, &st, why, whylen) : 0;
}

int trusted_path_check(const char *path, uid_t uid, char *why, size_t whylen)
{
	return walk(path, uid, false, why, whylen);
}

int trusted_dir_check(const char *path, uid_t uid, char *why, size_t whylen)
{
	return walk(path, uid, true, why, whylen);
}
