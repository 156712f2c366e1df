/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One scan of the md probe without the host: read proc/mdstat and sysfs under
 * a root directory, merge, decide, and hand each group to a callback.  The
 * plugin glue (md.c) and the tests drive the same code.
 */
#ifndef REDMON_MD_SCAN_H
#define REDMON_MD_SCAN_H

#include "../lib/spof.h"
#include "md_group.h"
#include "md_sysfs.h"

/* All buffers of a scan, kept from scan to scan.  Zero-initialise before use. */
struct md_scan {
	struct strbuf text;	 /* proc/mdstat, as parsed into mdstat */
	struct strbuf text_next; /* md_scan_reread(): proc/mdstat read again */
	struct md_sysfs_buf sb;	 /* the sysfs reader's */
	/* What was read: mdstat's arrays, and sysfs's, as read (never merged in place). */
	struct md_set mdstat, sysfs;
	struct md_set mdstat_next; /* md_scan_reread(): the new parse, before it is taken */
	struct md_array merged;	   /* md_scan_emit(): one array, both sources merged */
	struct md_group_buf gb;
	/*
	 * Hidden single points of failure (../lib/spof.h): the root read last
	 * (have_root), one memo per group emitted, in emission order, so that
	 * links are resolved again only for an array whose members changed, or
	 * after spof_stale (block devices came or went: set by the caller) at
	 * the next full read; and the reasons of the group emitted.
	 */
	int root_fd;
	bool have_root;
	bool spof_stale;
	struct spof_memo *memo;
	size_t n_memo;
	struct spof_reasons spof;

	/*
	 * Set by the caller: asked by md_scan_emit(), after a partial read,
	 * for each array md_scan_reread() did not read again; 0 means the
	 * host keeps that group as last emitted (REDMON_HOST_HAS keep), so it
	 * is neither built nor emitted.  NULL: every group is emitted.
	 */
	int (*keep)(void *ctx, const char *name);
	bool partial; /* the sets come from md_scan_reread(): untouched arrays are as before */

	/* Results of the last md_scan_read(): */
	int mdstat_err;	       /* 0 read, -ENOENT absent, other -errno unreadable */
	bool mdstat_truncated; /* larger than MD_MDSTAT_MAX, cut */
	int sysfs_err;	       /* 0 listed (or absent), -errno: sys/block unreadable */
	bool valid;	       /* the sets hold a complete read: md_scan_reread() may follow */
};

/*
 * Read both sources under root_fd through fdc (may be NULL).  Read failures
 * land in mdstat_err / sysfs_err; only running out of memory fails the call
 * (-ENOMEM).
 */
int md_scan_read(struct md_scan *s, int root_fd, struct fdcache *fdc);

/*
 * A partial scan: read again only what changed since the last read, as
 * change events name it: proc/mdstat when mdstat_changed, and from sysfs the
 * n arrays in names and those whose block in mdstat changed; every other
 * array keeps what was read before.  flags (FDC_REOPEN) go to every file
 * read.  The result is what md_scan_read() would give, provided nothing else
 * changed.
 *
 * Returns 0, -ENOMEM, or -EAGAIN when only a full md_scan_read() can tell:
 * no complete read before, an array appeared or vanished (a name in mdstat,
 * a named array sysfs does not list or no longer shows), a source or an
 * array to read again could not be read, more than 64 changed in mdstat.  After -EAGAIN, s must be read in full before it
 * is emitted.
 */
int md_scan_reread(struct md_scan *s, int root_fd, struct fdcache *fdc, unsigned int flags,
		   bool mdstat_changed, const char (*names)[MD_NAME_MAX], size_t n);

/* Called once per group; a negative return stops md_scan_emit() with that value. */
typedef int (*md_emit_fn)(void *ctx, const struct redmon_group *g);

/*
 * Merge what md_scan_read() (or a test) put into s->mdstat and s->sysfs and
 * emit every group: mdstat's arrays in mdstat order, then the arrays only
 * sysfs knows, in name order.  Containers are not emitted; nor, after a
 * partial read, an array it did not touch that s->keep keeps.  Returns the
 * number of groups emitted or kept, or the first negative value of emit, or -ENOMEM.
 */
int md_scan_emit(struct md_scan *s, md_emit_fn emit, void *ctx);

/* Free every buffer; s can be reused zeroed.  NULL is a no-op. */
void md_scan_free(struct md_scan *s);

#endif /* REDMON_MD_SCAN_H */
