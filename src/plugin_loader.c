/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plugin_loader.h"

#include "errbuf.h"
#include "trusted_path.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool valid_probe_name(const char *s)
{
	size_t n = s ? strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") : 0;

	return n > 0 && n <= 32 && s[n] == 0;
}

size_t plugin_member_size(const struct redmon_plugin *d)
{
	if (d->size < offsetof(struct redmon_plugin, member_size) + sizeof(d->member_size))
		return REDMON_MEMBER_SIZE_V1;
	return d->member_size;
}

size_t plugin_group_size(const struct redmon_plugin *d)
{
	if (d->size < offsetof(struct redmon_plugin, group_size) + sizeof(d->group_size))
		return REDMON_GROUP_SIZE_V1;
	return d->group_size;
}

/*
 * Read the descriptor only as far as its size says (the Redis module rule): an
 * older, shorter struct of this major ABI is fine if it covers what we call.
 */
static int check_descriptor(const struct redmon_plugin *d, const char *path, char *err,
			    size_t errlen)
{
	const size_t need = offsetof(struct redmon_plugin, on_fd) + sizeof(d->on_fd);

	if (d->abi_version != REDMON_ABI_VERSION)
		return errbuf_set(err, errlen, -EPROTO,
				  "%s: built for plugin ABI %u, this redmon speaks ABI %u; "
				  "rebuild the plugin against this redmon's headers",
				  path, d->abi_version, REDMON_ABI_VERSION);
	if (d->size < need)
		return errbuf_set(err, errlen, -EPROTO,
				  "%s: descriptor is %u bytes, ABI %u needs at least %zu; "
				  "rebuild the plugin",
				  path, d->size, REDMON_ABI_VERSION, need);
	if (plugin_member_size(d) < REDMON_MEMBER_SIZE_V1)
		return errbuf_set(err, errlen, -EPROTO,
				  "%s: member_size %u is below ABI %u's %zu; set it to "
				  "sizeof(struct redmon_member) and rebuild the plugin",
				  path, d->member_size, REDMON_ABI_VERSION,
				  (size_t)REDMON_MEMBER_SIZE_V1);
	if (plugin_group_size(d) < REDMON_GROUP_SIZE_V1)
		return errbuf_set(err, errlen, -EPROTO,
				  "%s: group_size %u is below ABI %u's %zu; set it to "
				  "sizeof(struct redmon_group) and rebuild the plugin",
				  path, d->group_size, REDMON_ABI_VERSION,
				  (size_t)REDMON_GROUP_SIZE_V1);
	if (!valid_probe_name(d->name))
		return errbuf_set(err, errlen, -EINVAL, "%s: probe name must be 1-32 of [a-z0-9_]",
				  path);
	if (!d->init || !d->scan)
		return errbuf_set(err, errlen, -EINVAL, "%s: descriptor lacks init or scan", path);
	return 0;
}

/* path from the working directory when relative, into abs; false when it does not fit. */
static bool absolute(const char *path, char *abs, size_t abslen)
{
	char cwd[PATH_MAX];
	int n = -1;

	if (path[0] == '/')
		n = snprintf(abs, abslen, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(abs, abslen, "%s/%s", cwd, path);
	return n >= 0 && (size_t)n < abslen;
}

/*
 * A plugin runs as whoever loads it: root, at the daemon's start.  A file
 * someone else could replace, or one in a directory they could write (a
 * plugin_dir the service user owns), would run their code as root.  The
 * rule of the programs redmon runs (trusted_path.h) decides.  Only its
 * refusals are final here: a path that cannot be walked (a missing file) is
 * left to dlopen(), which says why in its own words.  abs gets the path
 * walked, which dlopen() must open: a name without a slash would make it
 * search the library path instead.
 */
static int check_trusted(const char *path, char *abs, size_t abslen, char *err, size_t errlen)
{
	char why[PATH_MAX + 160];
	int rc;

	if (!absolute(path, abs, abslen))
		return errbuf_set(err, errlen, -ENAMETOOLONG, "%s: cannot tell its full path",
				  path);
	rc = trusted_path_check(abs, geteuid(), why, sizeof(why));
	if (rc == -EPERM || rc == -EACCES)
		return errbuf_set(err, errlen, -EPERM, "not loaded: %s", why);
	return 0;
}

int plugin_load(const char *path, struct plugin *ret, char *err, size_t errlen)
{
	const struct redmon_plugin *d;
	char abs[PATH_MAX];
	void *dl;
	int rc;

	rc = check_trusted(path, abs, sizeof(abs), err, errlen);
	if (rc < 0)
		return rc;
	/* RTLD_LOCAL: a plugin's symbols never satisfy another plugin's. */
	dl = dlopen(abs, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return errbuf_set(err, errlen, -ENOEXEC, "cannot load: %s", dlerror());
	d = dlsym(dl, REDMON_PLUGIN_SYMBOL);
	rc = d ? check_descriptor(d, path, err, errlen)
	       : errbuf_set(err, errlen, -ENOENT, "%s: no '%s' symbol: not a redmon plugin", path,
			    REDMON_PLUGIN_SYMBOL);
	if (rc < 0) {
		dlclose(dl);
		return rc;
	}
	ret->dl = dl;
	ret->desc = d;
	return 0;
}

static bool is_plugin_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* The probe name a plugin file promises ("md" of "md.so"), when it is a valid one. */
static bool file_probe_name(const char *file, char *buf, size_t len)
{
	size_t n = strlen(file) - 3; /* is_plugin_file(): ends in ".so" */

	if (n >= len)
		return false;
	memcpy(buf, file, n);
	buf[n] = 0;
	return valid_probe_name(buf);
}

static int add(struct plugin_set *set, const char *path, const char *skipped)
{
	struct plugin *v = realloc(set->v, (set->n + 1) * sizeof(*v));
	struct plugin *p;
	char err[512];

	if (!v)
		return -ENOMEM;
	set->v = v;
	p = &v[set->n];
	*p = (struct plugin){ .path = strdup(path) };
	if (!p->path)
		return -ENOMEM;
	if (skipped) {
		p->skipped = strdup(skipped);
		if (!p->skipped) {
			free(p->path);
			return -ENOMEM;
		}
	} else if (plugin_load(path, p, err, sizeof(err)) < 0) {
		p->error = strdup(err);
		if (!p->error) {
			free(p->path);
			return -ENOMEM;
		}
	} else if (plugin_set_find(set, p->desc->name)) {
		dlclose(p->dl);
		p->dl = NULL;
		p->error = strdup("another plugin with the same probe name was loaded first");
		p->desc = NULL;
	}
	set->n++;
	return 0;
}

int plugin_set_load_dir(struct plugin_set *set, const char *dir, const struct plugin_filter *filter,
			char *err, size_t errlen)
{
	char abs[PATH_MAX], why[PATH_MAX + 160];
	struct dirent **names;
	int n, rc = 0;

	/*
	 * Only a directory nobody else can write may say what to skip: the
	 * filter reads its NAME.sources files, as root.  In any other, every
	 * plugin goes to plugin_load(), whose own check refuses it and says why.
	 */
	if (filter && !(absolute(dir, abs, sizeof(abs)) &&
			trusted_dir_check(abs, geteuid(), why, sizeof(why)) == 0))
		filter = NULL;
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return errbuf_set(err, errlen, -errno, "plugin directory %s: %s", dir,
				  strerror(errno));
	for (int i = 0; i < n; i++) {
		char path[4096], name[64];
		bool skip;

		if (rc == 0 && is_plugin_file(names[i]->d_name) &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) <
			    sizeof(path)) {
			skip = filter && file_probe_name(names[i]->d_name, name, sizeof(name)) &&
			       !plugin_set_find(set, name) && filter->skip(filter->ctx, dir, name);
			rc = add(set, path, skip ? name : NULL);
		}
		free(names[i]);
	}
	free(names);
	if (rc < 0)
		return errbuf_set(err, errlen, rc, "loading plugins: %s", strerror(-rc));
	return 0;
}

int plugin_set_load_skipped(struct plugin_set *set, struct plugin *p, char *err, size_t errlen)
{
	struct plugin got = { 0 };
	int rc;

	if (p->desc)
		return 0;
	if (!p->skipped)
		return errbuf_set(err, errlen, -ENOEXEC, "%s", p->error ? p->error : "not loaded");
	rc = plugin_load(p->path, &got, err, errlen);
	if (rc == 0 && strcmp(got.desc->name, p->skipped) != 0)
		rc = errbuf_set(err, errlen, -EINVAL,
				"%s: declares probe '%s', not '%s' (its file name)", p->path,
				got.desc->name, p->skipped);
	else if (rc == 0 && plugin_set_find(set, got.desc->name))
		rc = errbuf_set(err, errlen, -EEXIST,
				"%s: another plugin with the same probe name was loaded first",
				p->path);
	if (rc < 0) {
		if (got.dl)
			dlclose(got.dl);
		free(p->error);
		p->error = strdup(err);
		return rc;
	}
	free(p->error);
	p->error = NULL;
	p->dl = got.dl;
	p->desc = got.desc;
	return 0;
}

const struct redmon_plugin *plugin_set_find(const struct plugin_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].desc && strcmp(set->v[i].desc->name, name) == 0)
			return set->v[i].desc;
	}
	return NULL;
}

bool plugin_set_has(const struct plugin_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].skipped && strcmp(set->v[i].skipped, name) == 0)
			return true;
	}
	return plugin_set_find(set, name) != NULL;
}

void plugin_set_free(struct plugin_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].dl)
			dlclose(set->v[i].dl);
		free(set->v[i].path);
		free(set->v[i].error);
		free(set->v[i].skipped);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
