/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A plugin's data sources (NAME.sources): see plugin_sources.h. */
#include "plugin_sources.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "../plugins/lib/child.h"
#include "../plugins/lib/rootfs.h"

/* Directory entries a glob may look at in all: a huge directory must not slow a check. */
#define GLOB_ENTRIES_MAX 4096
/* Components of a path or glob: more is no source a plugin reads. */
#define COMPONENTS_MAX 16

static const struct {
	const char *word;
	enum plug_source_kind kind;
} kinds[] = {
	{ "path", PLUG_SOURCE_PATH },
	{ "glob", PLUG_SOURCE_GLOB },
	{ "tool", PLUG_SOURCE_TOOL },
	{ "config", PLUG_SOURCE_CONFIG },
};

/* How many of the n bytes at s are (in) or are not (!in) in set: strspn/strcspn within n. */
static size_t span(const char *s, size_t n, const char *set, bool in)
{
	size_t i = 0;

	while (i < n && (strchr(set, s[i]) != NULL) == in && s[i])
		i++;
	return i;
}

static bool only_chars(const char *s, size_t n, const char *set)
{
	return n > 0 && span(s, n, set, true) == n;
}

/* A relative path of at most COMPONENTS_MAX components, none empty, "." or "..". */
static bool valid_path(const char *s)
{
	size_t parts = 0;

	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') ||
		    ++parts > COMPONENTS_MAX)
			return false;
		s += n + (s[n] == '/');
		if (s[-1] == '/' && !*s)
			return false; /* a trailing slash */
	}
	return parts > 0;
}

#define GRAPH_CHARS                                                                                \
	"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstu"  \
	"vwxyz{|}~"
#define TOOL_CHARS   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-"
#define CONFIG_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

/* The argument of one kind: 0, or -EINVAL with why in err. */
static int take_arg(struct plug_source *s, const char *arg, size_t n, char *err, size_t errlen)
{
	if (s->kind == PLUG_SOURCE_PATH || s->kind == PLUG_SOURCE_GLOB) {
		while (n && *arg == '/') { /* "/proc/mdstat" is proc/mdstat of the root */
			arg++;
			n--;
		}
	}
	if (n >= sizeof(s->arg))
		return errbuf_set(err, errlen, -EINVAL, "argument longer than %zu bytes",
				  sizeof(s->arg) - 1);
	memcpy(s->arg, arg, n);
	s->arg[n] = 0;
	switch (s->kind) {
	case PLUG_SOURCE_PATH:
	case PLUG_SOURCE_GLOB:
		if (!valid_path(s->arg))
			return errbuf_set(err, errlen, -EINVAL,
					  "not a path of the root (no empty, \".\" or \"..\" part, "
					  "at most %d parts)",
					  COMPONENTS_MAX);
		return 0;
	case PLUG_SOURCE_TOOL:
		if (!only_chars(arg, n, TOOL_CHARS) || arg[0] == '.')
			return errbuf_set(err, errlen, -EINVAL,
					  "a tool is a program name of [A-Za-z0-9._+-], no path");
		return 0;
	case PLUG_SOURCE_CONFIG:
		if (!only_chars(arg, n, CONFIG_CHARS))
			return errbuf_set(err, errlen, -EINVAL, "a config key is [a-z0-9_]");
		return 0;
	}
	return -EINVAL;
}

/* One line without its '\n': a source into ret, nothing (blank, comment), or -EINVAL. */
static int parse_line(const char *p, size_t n, struct plug_sources *ret, char *err, size_t errlen)
{
	size_t w, gap, a;
	struct plug_source *s;

	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n == 0 || *p == '#')
		return 0;
	if (!only_chars(p, n, GRAPH_CHARS " \t"))
		return errbuf_set(err, errlen, -EINVAL, "a control or non-ASCII byte");
	w = span(p, n, " \t", false);
	gap = span(p + w, n - w, " \t", true);
	a = span(p + w + gap, n - w - gap, " \t", false);
	if (a == 0 || w + gap + a != n)
		return errbuf_set(err, errlen, -EINVAL, "not \"KIND ARGUMENT\"");
	if (ret->n >= PLUG_SOURCES_MAX)
		return errbuf_set(err, errlen, -EINVAL, "more than %d sources", PLUG_SOURCES_MAX);
	s = &ret->v[ret->n];
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].word) == w && memcmp(p, kinds[i].word, w) == 0) {
			s->kind = kinds[i].kind;
			if (take_arg(s, p + w + gap, a, err, errlen) < 0)
				return -EINVAL;
			ret->n++;
			return 0;
		}
	}
	return errbuf_set(err, errlen, -EINVAL, "unknown kind '%.*s' (path, glob, tool, config)",
			  (int)(w > 16 ? 16 : w), p);
}

int plug_sources_parse(const char *text, size_t len, struct plug_sources *ret, char *err,
		       size_t errlen)
{
	char why[PLUG_SOURCE_ARG_MAX + 128];
	unsigned line = 0;
	size_t at = 0;

	ret->n = 0;
	if (len > PLUG_SOURCES_FILE_MAX)
		return errbuf_set(err, errlen, -EINVAL, "larger than %u bytes",
				  PLUG_SOURCES_FILE_MAX);
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;

		line++;
		if (memchr(text + at, 0, n))
			return errbuf_set(err, errlen, -EINVAL, "line %u: a NUL byte", line);
		if (parse_line(text + at, n, ret, why, sizeof(why)) < 0)
			return errbuf_set(err, errlen, -EINVAL, "line %u: %s", line, why);
		at += n + 1;
	}
	if (ret->n == 0)
		return errbuf_set(err, errlen, -EINVAL, "lists no source");
	return 0;
}

int plug_sources_read(const char *path, struct plug_sources *ret, char *err, size_t errlen)
{
	char buf[PLUG_SOURCES_FILE_MAX + 1];
	size_t len = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : errbuf_set(err, errlen, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errbuf_set(err, errlen, -EINVAL, "not a regular file");
	}
	/* One more byte than allowed: a file that grew is still seen as too large. */
	while (len < sizeof(buf)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			close(fd);
			return errbuf_set(err, errlen, rc, "%s", strerror(-rc));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	return plug_sources_parse(buf, len, ret, err, errlen);
}

static bool path_exists(int root_fd, const char *path)
{
	int fd = rootfs_open(root_fd, path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Does the pattern rest match under dir (a path of the root, "" for its top,
 * in a buffer of PATH_MAX)?  Literal parts are appended; a part with a
 * wildcard lists its directory, fnmatch(3) without matching a leading dot.
 * Out of budget it answers yes: unsure, the plugin is loaded.
 */
static bool glob_under(int root_fd, char *dir, const char *rest, unsigned *budget)
{
	size_t dl = strlen(dir), n = strcspn(rest, "/");
	const char *next = rest + n + (rest[n] == '/');
	char part[PLUG_SOURCE_ARG_MAX];
	bool found = false;
	struct dirent *e;
	DIR *d;
	int fd;

	if (!*rest)
		return path_exists(root_fd, dir);
	memcpy(part, rest, n);
	part[n] = 0;
	if (!strpbrk(part, "*?[")) {
		if (dl + 1 + n >= PATH_MAX)
			return false;
		snprintf(dir + dl, PATH_MAX - dl, "%s%s", dl ? "/" : "", part);
		found = glob_under(root_fd, dir, next, budget);
		dir[dl] = 0;
		return found;
	}
	fd = rootfs_open(root_fd, dl ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (e = readdir(d))) {
		if (*budget == 0) { /* cannot tell: a plugin loaded for nothing is the safe side */
			found = true;
			break;
		}
		(*budget)--;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fnmatch(part, e->d_name, FNM_PERIOD) != 0 ||
		    dl + 1 + strlen(e->d_name) >= PATH_MAX)
			continue;
		snprintf(dir + dl, PATH_MAX - dl, "%s%s", dl ? "/" : "", e->d_name);
		found = glob_under(root_fd, dir, next, budget);
		dir[dl] = 0;
	}
	closedir(d);
	return found;
}

static bool source_exists(const struct plug_source *s, const struct plug_sources_env *env,
			  unsigned *budget)
{
	char buf[PATH_MAX] = "";

	switch (s->kind) {
	case PLUG_SOURCE_PATH:
		return path_exists(env->root_fd, s->arg);
	case PLUG_SOURCE_GLOB:
		return glob_under(env->root_fd, buf, s->arg, budget);
	case PLUG_SOURCE_TOOL:
		/* Probes run tools only on the live system (under --root they read captures). */
		return env->live && child_find_tool(s->arg, NULL, buf, sizeof(buf)) == 0;
	case PLUG_SOURCE_CONFIG:
		return env->config_set && env->config_set(env->ctx, s->arg);
	}
	return true;
}

bool plug_sources_any(const struct plug_source *v, size_t n, const struct plug_sources_env *env)
{
	unsigned budget = GLOB_ENTRIES_MAX;

	for (size_t i = 0; i < n; i++) {
		if (source_exists(&v[i], env, &budget))
			return true;
	}
	return false;
}
