/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege for `redmon daemon` started as root outside systemd: after
 * the probes opened what needs root and the first scan ran, become the
 * [daemon] user and keep only the capabilities the enabled probes need.
 * Under systemd the unit's User= and AmbientCapabilities= do the same job,
 * so the daemon leaves its credentials alone there.
 */
#ifndef REDMON_PRIVDROP_H
#define REDMON_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/*
 * Drop to user_override, else the [daemon] user (default "redmon"), when
 * running as root and not under systemd.  "root" keeps root.  With --root (a
 * captured tree: tests, development) only a user set explicitly is dropped
 * to.  A user that does not exist is an error (-ESRCH), so a typo never
 * silently leaves the daemon running as root.  Logs what it did; 0 or -errno.
 */
int privdrop_apply(const struct config *cfg, const char *user_override, bool captured_tree);

/* Whether privdrop_apply() will change user (the privileged helper is then forked). */
bool privdrop_will_drop(const struct config *cfg, const char *user_override, bool captured_tree);

/*
 * Keep only the capabilities in keep (a mask of 1 << CAP_*): the bounding
 * set, then the effective and permitted sets.  0 or -errno.
 */
int privdrop_limit_caps(uint64_t keep);

/*
 * Before the state directory is first used as root: when it does not exist
 * and privdrop_apply() will drop to a user, create it owned by that user
 * (mode 0750; missing parents root's, 0755), so state and spools stay
 * writable after the drop.  Otherwise nothing (state_open() creates it).
 * 0, or -errno (logged).  privdrop_apply() refuses to go on when the
 * directory is not writable after the drop.
 */
int privdrop_make_state_dir(const struct config *cfg, const char *user_override,
			    bool captured_tree);

/*
 * Hooks (sinks of type exec or mail) run programs with the daemon's
 * privileges, so their config must be trustworthy: the file and its directory
 * must be owned by root or by us and writable by nobody else.  0 when cfg
 * configures no hook or passes, else -EPERM with the reason in err.
 */
int privdrop_check_config(const struct config *cfg, char *err, size_t errlen);

#endif
