/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege for `redmon daemon` started as root: once the probes have
 * opened what needs root, become the [daemon] user and keep only the
 * capabilities the enabled probes need.
 */
#ifndef REDMON_PRIVDROP_H
#define REDMON_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/*
 * Drop to user_override, else the [daemon] user (default "redmon"), when
 * running as root ("root" keeps root; with --root, a captured tree, only a
 * user set explicitly).  A missing user is an error (-ESRCH): a typo never
 * leaves the daemon running as root.  Logs what it did; 0 or -errno.
 */
int privdrop_apply(const struct config *cfg, const char *user_override, bool captured_tree);

/* Whether privdrop_apply() will change user (the privileged helper is then forked). */
bool privdrop_will_drop(const struct config *cfg, const char *user_override, bool captured_tree);

/* Keep only the capabilities in keep (1 << CAP_*): bounding, effective, permitted.  0 or -errno. */
int privdrop_limit_caps(uint64_t keep);

/*
 * Before the state directory is first used as root: when it does not exist
 * and privdrop_apply() will drop to a user, create it owned by that user
 * (0750; missing parents root's, 0755), so it stays writable after the drop
 * (privdrop_apply() checks).  Otherwise state_open() creates it.  0 or -errno
 * (logged).
 */
int privdrop_make_state_dir(const struct config *cfg, const char *user_override,
			    bool captured_tree);

/*
 * Hooks (sinks of type exec or mail) run programs with the daemon's
 * privileges: their programs, the config file and its directory must be
 * owned by root or by us and writable by nobody else.  0, or -errno and why.
 */
int privdrop_check_config(const struct config *cfg, char *err, size_t errlen);

#endif
