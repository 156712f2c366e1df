/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe for the alert tests: its groups come from a text file under the
 * root (option file, default "fake.txt"), rewritten by the test at will.
 *
 *   group NAME MARGIN NOMINAL [KIND [TYPE]]   MARGIN: a number or "unknown"
 *   member NAME ROLE [STATE]                   ROLE: active, spare, failed, ...
 *   fail MESSAGE                               the scan fails
 *
 * NAME, STATE and MESSAGE are percent-encoded (%0A, %24, %FF ...), so a test
 * can give names any bytes: quotes, "$(...)", newlines, invalid UTF-8.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redmon/plugin.h"

#define MAX_MEMBERS 32

static const char *const roles[] = { "active", "spare",	  "standby", "rebuilding",
				     "failed", "missing", "unknown" };

struct inst {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
};

static const struct redmon_option_spec options[] = {
	{ .key = "file",
	  .type = REDMON_OPT_STRING,
	  .default_value = "fake.txt",
	  .help = "file under the root listing the groups" },
	{ 0 }
};

static int init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct inst *i = calloc(1, sizeof(*i));

	if (!i)
		return -ENOMEM;
	i->ops = ops;
	i->h = h;
	*ret = i;
	return 0;
}

static void fini(void *inst)
{
	free(inst);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX in place. */
static char *decode(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
			*o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return s;
}

struct pending {
	struct redmon_group g;
	struct redmon_member m[MAX_MEMBERS];
	char *words[64];
	size_t n_words;
	bool open;
};

static void clear(struct pending *p)
{
	for (size_t i = 0; i < p->n_words; i++)
		free(p->words[i]);
	memset(p, 0, sizeof(*p));
}

static char *keep(struct pending *p, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (d && p->n_words < 64)
		p->words[p->n_words++] = d;
	return d;
}

static int flush(struct inst *i, struct pending *p)
{
	int rc = 0;

	if (p->open) {
		p->g.members = p->m;
		rc = i->ops->report(i->h, &p->g);
	}
	clear(p);
	return rc;
}

static int scan(void *inst)
{
	struct inst *i = inst;
	const char *name = i->ops->option(i->h, "file");
	int fd = openat(i->ops->root_fd(i->h), name, O_RDONLY | O_CLOEXEC);
	struct pending p = { 0 };
	char line[4096];
	FILE *f;
	int rc = 0;

	if (fd < 0) {
		i->ops->scan_error(i->h, "%s: %s", name, strerror(errno));
		return -errno;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *save = NULL, *kw = strtok_r(line, " \t\n", &save);
		char *a = strtok_r(NULL, " \t\n", &save), *b = strtok_r(NULL, " \t\n", &save);
		char *c = strtok_r(NULL, " \t\n", &save), *d = strtok_r(NULL, " \t\n", &save);
		char *e = strtok_r(NULL, " \t\n", &save);

		if (!kw || *kw == '#')
			continue;
		if (strcmp(kw, "fail") == 0) {
			i->ops->scan_error(i->h, "%s", a ? decode(a) : "asked to fail");
			rc = -EIO;
		} else if (strcmp(kw, "group") == 0 && a && b && c) {
			rc = flush(i, &p);
			p.open = true;
			p.g.name = keep(&p, decode(a));
			p.g.margin = strcmp(b, "unknown") == 0 ? REDMON_MARGIN_UNKNOWN
							       : (int32_t)strtol(b, NULL, 10);
			p.g.margin_nominal = (int32_t)strtol(c, NULL, 10);
			p.g.kind = keep(&p, d ? decode(d) : "raid");
			p.g.type = keep(&p, e ? decode(e) : "raid1");
			p.g.progress = -1;
		} else if (strcmp(kw, "member") == 0 && a && b && p.open &&
			   p.g.n_members < MAX_MEMBERS) {
			struct redmon_member *m = &p.m[p.g.n_members++];

			m->name = keep(&p, decode(a));
			m->role = REDMON_ROLE_UNKNOWN;
			for (int r = 0; r < 7; r++) {
				if (strcmp(b, roles[r]) == 0)
					m->role = (enum redmon_role)r;
			}
			m->state = c ? keep(&p, decode(c)) : NULL;
			p.g.members_total++;
			p.g.members_ok += m->role == REDMON_ROLE_ACTIVE;
			p.g.members_failed += m->role == REDMON_ROLE_FAILED;
		}
	}
	if (rc == 0)
		rc = flush(i, &p);
	clear(&p);
	fclose(f);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "fake",
	.description = "groups from a file, for the alert tests",
	.options = options,
	.init = init,
	.fini = fini,
	.scan = scan,
};
