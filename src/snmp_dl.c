/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redmon-snmp.so by dlopen(3) (snmp_dl.h).
 *
 * Found only in the directory of the running redmond, where the build and
 * `make install` put both: the trust of the binary itself, never a path from
 * the environment.  RTLD_LOCAL keeps net-snmp's symbols out of the global
 * namespace (the plugins'); RTLD_NODELETE and no dlclose(): net-snmp keeps
 * process-global state and registers atexit handlers.
 */
#include "snmp_dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "errbuf.h"
#include "full_exec.h"
#include "log.h"
#include "snmp/snmp_module.h"
#include "../plugins/lib/dl_words.h"

/* The module's table once loaded; NULL before (one load per process). */
static const struct snmp_module *module;

/* Load the module if not yet: 0, or -errno with the reason in why. */
static int module_load(char *why, size_t why_len)
{
	char path[PATH_MAX], words[512];
	const struct snmp_module *m;
	void *lib;
	int rc;

	if (module)
		return 0;
	rc = exe_dir_path(SNMP_MODULE_FILE, path, sizeof(path));
	if (rc < 0)
		return errbuf_set(why, why_len, rc, "SNMP: cannot find %s: %s", SNMP_MODULE_FILE,
				  strerror(-rc));
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!lib) {
		dl_error_words(path, words, sizeof(words));
		return errbuf_set(why, why_len, -ELIBACC, "SNMP: cannot load %s: %s", path, words);
	}
	m = dlsym(lib, SNMP_MODULE_SYMBOL);
	if (!m || !m->version || strcmp(m->version, REDMON_VERSION) != 0 ||
	    m->config_size != sizeof(struct config)) {
		dlclose(lib); /* NODELETE: it stays mapped, its count is ours no more */
		return errbuf_set(why, why_len, -ELIBBAD,
				  "SNMP: %s is not from this build of redmon %s (restart redmon "
				  "after an upgrade)",
				  path, REDMON_VERSION);
	}
	module = m;
	return 0;
}

int snmp_dl_check_config(const struct config *cfg, char *err, size_t errlen)
{
	int rc;

	if (!cfg->snmp.enabled)
		return 0;
	rc = module_load(err, errlen);
	return rc < 0 ? rc : module->check_config(cfg, err, errlen);
}

int snmp_dl_open(const struct config *cfg, struct loop *loop, const struct agg *agg,
		 const struct bus *bus, struct subagent **ret)
{
	char why[PATH_MAX + 600];
	int rc;

	*ret = NULL;
	if (!cfg->snmp.enabled)
		return 0;
	rc = module_load(why, sizeof(why));
	if (rc < 0) {
		log_err("%s", why);
		return rc;
	}
	return module->open(cfg, loop, agg, bus, ret);
}

void snmp_dl_event(struct subagent *s, const struct event *ev)
{
	if (s)
		module->event(s, ev);
}

void snmp_dl_scanned(struct subagent *s, const char *probe)
{
	if (s)
		module->scanned(s, probe);
}

void snmp_dl_reload(struct subagent **s, const struct config *cfg, struct loop *loop,
		    const struct agg *agg, const struct bus *bus)
{
	if (*s)
		module->reload(s, cfg, loop, agg, bus);
	else
		snmp_dl_open(cfg, loop, agg, bus, s); /* turned on: started, or logged why not */
}

int snmp_dl_test(const struct config *cfg, struct loop *loop, const struct event *ev, FILE *out)
{
	char why[PATH_MAX + 600];

	if (!cfg->snmp.enabled)
		return -ENOENT;
	if (module_load(why, sizeof(why)) < 0) {
		fprintf(out, "snmp: FAILED: %s\n", why);
		return 1;
	}
	return module->test(cfg, loop, ev, out);
}

void snmp_dl_close(struct subagent *s)
{
	if (s)
		module->close(s);
}
