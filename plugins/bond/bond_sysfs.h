/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bond discovery and the sysfs reader (drivers/net/bonding/bond_sysfs.c and
 * bond_sysfs_slave.c), every path relative to the probe's root directory.
 * Only names the kernel could have made (bond_ifname_valid()) are kept, so a
 * hostile tree cannot make the probe open "../x".  A slave's attributes live
 * in sys/class/net/<slave>/ on a live system; in captured trees they are
 * often only reachable through the bond's lower_<slave> link (slave_<slave>
 * in older kernels), so those are tried too.  Nothing here logs.
 */
#ifndef REDMON_BOND_SYSFS_H
#define REDMON_BOND_SYSFS_H

#include "bond_info.h"

/* A set of interface names, sorted. */
struct bond_names {
	char **v; /* each owned */
	size_t n, cap;
};

bool bond_names_has(const struct bond_names *s, const char *name);
void bond_names_clear(struct bond_names *s);
void bond_names_free(struct bond_names *s);

/*
 * Every bond name found under rootfd, sorted, in *ret (which must be empty or
 * cleared).  scratch is a read buffer.  *ret_listed_net (may be NULL) says
 * whether sys/class/net had to be listed: then a bonding/ directory appearing
 * under any interface is a new bond that only another listing finds.  A
 * missing source is no error, a directory that exists but cannot be read is.
 * Returns 0 or -errno.
 */
int bond_discover(int rootfd, struct strbuf *scratch, struct bond_names *ret, bool *ret_listed_net);

/*
 * Where slave (the i-th of its bond) had its attributes at the last read of
 * the bond, or BOND_DIR_NONE; ctx is the caller's.
 */
typedef enum bond_slave_dir (*bond_dir_hint_fn)(const void *ctx, size_t i, const char *slave);

/*
 * Read sys/class/net/<info->name>/ into info, filling only fields still
 * unknown; adds slaves listed in bonding/slaves (unless /proc listed them
 * already) and records in each slave where its attributes are.  hint (may
 * be NULL) names where a slave's were at the last read: that directory is
 * tried first, so pass it only while no directory can have come or gone
 * since.  Files are read through fdc (NULL: opened each time).  Returns 0,
 * -ENOENT when there is no bonding/ directory for this bond, -EINVAL when
 * info->name is no valid ifname, or -ENOMEM.
 */
struct fdcache;
int bond_sysfs_read(int rootfd, struct bond_info *info, struct strbuf *scratch, struct fdcache *fdc,
		    bond_dir_hint_fn hint, const void *hint_ctx);

/*
 * The directory holding the attributes of slave (operstate, bonding_slave/)
 * of bond, relative to rootfd, written to buf.  Both names must be valid
 * ifnames.  Returns 0, -ENOENT when none exists, or -ENAMETOOLONG.
 */
int bond_sysfs_slave_dir(int rootfd, const char *bond, const char *slave, char *buf, size_t len);

/* The largest sysfs attribute read (one page on most machines). */
#define BOND_ATTR_MAX 65536

/*
 * fdcache_read() (FDC_RETRY: a device or /proc entry gone answers ENODEV or
 * EIO) of the regular file at path, with -ELOOP for a link leading nowhere
 * inside the root (one planted to reach a host file: there, but not to be
 * followed).
 */
int bond_read_file(struct fdcache *c, int rootfd, const char *path, size_t max, struct strbuf *b,
		   bool *ret_truncated);

#endif /* REDMON_BOND_SYSFS_H */
