/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The subagent's state file (see subagent_index.h).  Text, one key per line:
 *
 *   # comment
 *   version 1
 *   boots 7
 *   group 3 md:md0
 *   member 3 1 sda1
 *   probe 1 md
 *
 * The key is the rest of the line; a backslash, a newline and other control
 * bytes in it are escaped (\\, \n, \t, \r, \xNN), so any name round-trips.
 */
#include "subagent_index.h"
#include "../../plugins/lib/hindex.h"
#include "../errbuf.h"
#include "../spool.h"
#include "redmon/fnv1a.h"
#include "redmon/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_MAX (64 << 20) /* bytes: a million rows of 64 bytes */

enum kind { K_GROUP = 'g', K_MEMBER = 'm', K_PROBE = 'p', K_NEXT_MEMBER = 'x' };

struct entry {
	char kind;
	int group; /* members and K_NEXT_MEMBER: the group's index */
	int index; /* K_NEXT_MEMBER: the highest member index of the group */
	char *name;
};

struct subagent_index {
	char *path;
	struct entry *v; /* in file order, then allocation order */
	size_t n, cap;
	struct hindex by_key; /* refs into v */
	int next_group, next_probe;
	uint32_t boots;
	bool boots_counted;
	bool dirty;
};

static uint64_t hash_key(char kind, int group, const char *name)
{
	uint64_t h = redmon_fnv1a_byte(REDMON_FNV1A_BASIS, (unsigned char)kind);

	for (int i = 0; i < 4; i++)
		h = redmon_fnv1a_byte(h, (unsigned char)((unsigned)group >> (8 * i)));
	return redmon_fnv1a_str(h, name);
}

struct key {
	const struct subagent_index *x;
	char kind;
	int group;
	const char *name;
};

static bool key_match(const void *ctx, size_t ref)
{
	const struct key *k = ctx;
	const struct entry *e = &k->x->v[ref];

	return e->kind == k->kind && e->group == k->group && strcmp(e->name, k->name) == 0;
}

static struct entry *lookup(const struct subagent_index *x, char kind, int group, const char *name)
{
	const struct key k = { x, kind, group, name };
	size_t ref = hindex_find(&x->by_key, hash_key(kind, group, name), key_match, &k);

	return ref == HINDEX_NONE ? NULL : &x->v[ref];
}

/* Append an entry (the key must be new); returns it, or NULL on ENOMEM. */
static struct entry *add(struct subagent_index *x, char kind, int group, int index,
			 const char *name)
{
	struct entry *e;
	char *copy;

	if (!grow_one((void **)&x->v, &x->cap, x->n, sizeof(*x->v), 64))
		return NULL;
	copy = strdup(name);
	if (!copy || hindex_add(&x->by_key, hash_key(kind, group, name), x->n) < 0) {
		free(copy);
		return NULL;
	}
	e = &x->v[x->n++];
	*e = (struct entry){ .kind = kind, .group = group, .index = index, .name = copy };
	return e;
}

/* Record that group has a member with index; keeps the group's highest. */
static int note_member(struct subagent_index *x, int group, int index)
{
	struct entry *e = lookup(x, K_NEXT_MEMBER, group, "");

	if (!e) {
		e = add(x, K_NEXT_MEMBER, group, 0, "");
		if (!e)
			return -ENOMEM;
	}
	if (index > e->index)
		e->index = index;
	return 0;
}

static int allocate(struct subagent_index *x, char kind, int group, const char *name)
{
	struct entry *e = lookup(x, kind, group, name);
	int index;

	if (e)
		return e->index;
	if (kind == K_MEMBER) {
		struct entry *next = lookup(x, K_NEXT_MEMBER, group, "");

		index = next ? next->index + 1 : 1;
	} else {
		index = kind == K_GROUP ? x->next_group : x->next_probe;
	}
	if (index <= 0 || index > SUBAGENT_INDEX_MAX)
		return -ERANGE;
	if (!add(x, kind, group, index, name))
		return -ENOMEM;
	if (kind == K_MEMBER && note_member(x, group, index) < 0)
		return -ENOMEM;
	if (kind == K_GROUP)
		x->next_group = index + 1;
	else if (kind == K_PROBE)
		x->next_probe = index + 1;
	x->dirty = true;
	return index;
}

int subagent_index_group(struct subagent_index *x, const char *id)
{
	return allocate(x, K_GROUP, 0, id);
}

int subagent_index_member(struct subagent_index *x, int group, const char *name)
{
	return allocate(x, K_MEMBER, group, name);
}

int subagent_index_probe(struct subagent_index *x, const char *name)
{
	return allocate(x, K_PROBE, 0, name);
}

int subagent_index_find_group(const struct subagent_index *x, const char *id)
{
	const struct entry *e = lookup(x, K_GROUP, 0, id);

	return e ? e->index : 0;
}

int subagent_index_find_member(const struct subagent_index *x, int group, const char *name)
{
	const struct entry *e = lookup(x, K_MEMBER, group, name);

	return e ? e->index : 0;
}

uint32_t subagent_index_boots(struct subagent_index *x)
{
	if (!x->boots_counted) {
		/* RFC 3414 2.2.2: snmpEngineBoots stops at 2147483647. */
		if (x->boots < 2147483647u)
			x->boots++;
		x->boots_counted = true;
		x->dirty = true;
	}
	return x->boots;
}

bool subagent_index_dirty(const struct subagent_index *x)
{
	return x->dirty;
}

/* The bytes escaped by a letter, and their letters. */
static const char plain[] = "\\\n\t\r", letter[] = "\\ntr";

/* Decode the escapes of the file format in place; -EINVAL on a bad one. */
static int unescape(char *s)
{
	char *out = s;

	for (char *p = s; *p; p++) {
		const char *c;

		if (*p != '\\') {
			*out++ = *p;
		} else if (p[1] && (c = strchr(letter, p[1]))) {
			*out++ = plain[c - letter];
			p++;
		} else if (p[1] == 'x' && p[2] && p[3]) {
			char hex[3] = { p[2], p[3], 0 }, *end;
			unsigned long v = strtoul(hex, &end, 16);

			if (*end || v == 0)
				return -EINVAL;
			*out++ = (char)v;
			p += 3;
		} else {
			return -EINVAL;
		}
	}
	*out = 0;
	return 0;
}

static void escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *c = strchr(plain, *p);

		if (c)
			fprintf(f, "\\%c", letter[c - plain]);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02X", *p);
		else
			fputc(*p, f);
	}
}

/* A decimal field followed by one space (or the end when last); advances *s. */
static int field(char **s, bool last, long max, long *ret)
{
	char *end;
	long v;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(*s, &end, 10);
	if (errno || v > max)
		return -EINVAL;
	if (last ? *end != 0 : *end != ' ')
		return -EINVAL;
	*s = last ? end : end + 1;
	*ret = v;
	return 0;
}

static int parse_line(struct subagent_index *x, char *line)
{
	long a, b;
	char *p;

	if (strncmp(line, "version ", 8) == 0) {
		p = line + 8;
		return field(&p, true, 1, &a) < 0 || a != 1 ? -EINVAL : 0;
	}
	if (strncmp(line, "boots ", 6) == 0) {
		p = line + 6;
		if (field(&p, true, 2147483647, &a) < 0)
			return -EINVAL;
		x->boots = (uint32_t)a;
		return 0;
	}
	if (strncmp(line, "group ", 6) == 0 || strncmp(line, "probe ", 6) == 0) {
		char kind = line[0] == 'g' ? K_GROUP : K_PROBE;
		int *next = kind == K_GROUP ? &x->next_group : &x->next_probe;

		p = line + 6;
		if (field(&p, false, SUBAGENT_INDEX_MAX, &a) < 0 || a < 1 || unescape(p) < 0 ||
		    lookup(x, kind, 0, p))
			return -EINVAL;
		if (!add(x, kind, 0, (int)a, p))
			return -ENOMEM;
		if (a >= *next)
			*next = (int)a + 1;
		return 0;
	}
	if (strncmp(line, "member ", 7) == 0) {
		p = line + 7;
		if (field(&p, false, SUBAGENT_INDEX_MAX, &a) < 0 ||
		    field(&p, false, SUBAGENT_INDEX_MAX, &b) < 0 || a < 1 || b < 1 ||
		    unescape(p) < 0 || lookup(x, K_MEMBER, (int)a, p))
			return -EINVAL;
		if (!add(x, K_MEMBER, (int)a, (int)b, p) || note_member(x, (int)a, (int)b) < 0)
			return -ENOMEM;
		return 0;
	}
	return -EINVAL;
}

static int cmp_entry_index(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a,
			   *y = *(const struct entry *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Two keys of a kind with one index would be two rows on one OID.  Returns
 * the name of one such key, NULL if there is none, or "" when out of memory.
 */
static const char *duplicate_index(const struct subagent_index *x)
{
	const struct entry **v = malloc((x->n ? x->n : 1) * sizeof(*v));
	const char *dup = NULL;
	size_t n = 0;

	if (!v)
		return "";
	for (size_t i = 0; i < x->n; i++) {
		if (x->v[i].kind != K_NEXT_MEMBER)
			v[n++] = &x->v[i];
	}
	qsort(v, n, sizeof(*v), cmp_entry_index);
	for (size_t i = 1; i < n && !dup; i++) {
		if (cmp_entry_index(&v[i - 1], &v[i]) == 0)
			dup = v[i]->name;
	}
	free(v);
	return dup;
}

void subagent_index_free(struct subagent_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i].name);
	free(x->v);
	hindex_free(&x->by_key);
	free(x->path);
	free(x);
}

/*
 * The file, opened as root (at start) in the state directory, which the
 * service user owns: a link it planted (to /dev/zero, /etc/shadow) or a FIFO
 * (a start blocked forever) is refused, and so is a file beyond INDEX_MAX.
 * The stream, NULL with errno ENOENT for no file, else NULL and the reason in err.
 */
static FILE *open_index(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc = 0;
	struct stat st;
	FILE *f;

	if (fd < 0 && errno == ENOENT)
		return NULL;
	if (fd < 0)
		rc = errbuf_set(err, errlen, -errno, "%s: cannot read: %s", path,
				errno == ELOOP ? "a symbolic link" : strerror(errno));
	else if (fstat(fd, &st) < 0)
		rc = errbuf_set(err, errlen, -errno, "%s: cannot read: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_size > INDEX_MAX)
		rc = errbuf_set(err, errlen, -EPERM, "%s: cannot read: %s", path,
				!S_ISREG(st.st_mode) ? "not a regular file" : "larger than 64 MiB");
	f = rc == 0 ? fdopen(fd, "re") : NULL;
	if (!f && fd >= 0)
		close(fd);
	if (!f)
		errno = rc == 0 ? ENOMEM : -rc;
	return f;
}

int subagent_index_load(const char *path, struct subagent_index **ret, char *err, size_t errlen)
{
	struct subagent_index *x = calloc(1, sizeof(*x));
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	const char *dup;
	ssize_t len;
	FILE *f;
	int rc = 0;

	if (!x || !(x->path = strdup(path))) {
		free(x);
		return -ENOMEM;
	}
	x->next_group = x->next_probe = 1;
	f = open_index(path, err, errlen);
	if (!f && errno == ENOMEM)
		rc = errbuf_set(err, errlen, -ENOMEM, "%s: out of memory", path);
	else if (!f && errno != ENOENT)
		rc = -errno;
	while (f && rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		rc = parse_line(x, line);
		if (rc < 0)
			snprintf(err, errlen, "%s:%u: %s", path, lineno,
				 rc == -ENOMEM ? "out of memory" : "not a valid index line");
	}
	if (f && rc == 0 && ferror(f))
		rc = errbuf_set(err, errlen, -EIO, "%s: read error", path);
	if (f)
		fclose(f);
	free(line);
	if (rc == 0 && (dup = duplicate_index(x)) != NULL)
		rc = errbuf_set(err, errlen, *dup ? -EINVAL : -ENOMEM,
				"%s: the index of '%s' is given twice", path, dup);
	if (rc < 0) {
		subagent_index_free(x);
		return rc;
	}
	*ret = x;
	return 0;
}

/* The map in the file's format: a new buffer in *ret, its length in *ret_len; 0 or -ENOMEM. */
static int format_map(const struct subagent_index *x, char **ret, size_t *ret_len)
{
	FILE *f = open_memstream(ret, ret_len);

	if (!f)
		return -ENOMEM;
	fputs("# redmon SNMP state: REDMON-MIB row indexes and the SNMPv3 engine boot\n"
	      "# counter.  Written by redmon; an index here is never given to another key.\n"
	      "version 1\n",
	      f);
	fprintf(f, "boots %u\n", x->boots);
	for (size_t i = 0; i < x->n; i++) {
		const struct entry *e = &x->v[i];

		if (e->kind == K_GROUP)
			fprintf(f, "group %d ", e->index);
		else if (e->kind == K_PROBE)
			fprintf(f, "probe %d ", e->index);
		else if (e->kind == K_MEMBER)
			fprintf(f, "member %d %d ", e->group, e->index);
		else
			continue;
		escape(f, e->name);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(*ret);
		return -ENOMEM;
	}
	return 0;
}

int subagent_index_save(struct subagent_index *x, char *err, size_t errlen)
{
	const char *slash = strrchr(x->path, '/');
	char *dir = !slash	       ? strdup(".")
		    : slash == x->path ? strdup("/")
				       : strndup(x->path, (size_t)(slash - x->path));
	char *data = NULL;
	size_t len;
	int dirfd = -1, rc = -ENOMEM;

	if (dir)
		rc = format_map(x, &data, &len);
	if (rc == 0)
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rc == 0)
		rc = dirfd < 0 ? -errno
			       : write_file_atomic(dirfd, slash ? slash + 1 : x->path, data, len,
						   0644);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	free(data);
	if (rc < 0)
		return errbuf_set(err, errlen, rc, "%s: cannot write: %s", x->path, strerror(-rc));
	x->dirty = false;
	return 0;
}
