/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kept-open files of the bond probe, keyed by their path under the root.
 *
 * A scan reads the same few files per bond every time; keeping them open
 * and re-reading with pread() at offset 0 (which sysfs and seq_file
 * support: each read at 0 runs show() again) saves the open, fstat and
 * close of each file and its path walk.  The price is one open file per
 * attribute (and, for a sysfs one, the kernel's page-sized seq_file
 * buffer), so at most `budget` are kept; beyond that a read falls back to
 * open, read, close.
 *
 * A kept-open file must not outlive a rename over its path (a captured
 * tree) or a renamed interface taking the name (a live system): the owner
 * keeps a cache only while it gets the events that say so, and flushes it
 * when they come.  A read error (a device removed: ENODEV, a /proc entry
 * removed: EIO) closes the file and tries the path again.
 *
 * Nothing logs.  Not thread-safe: one per probe instance.
 */
#ifndef REDMON_BOND_FDC_H
#define REDMON_BOND_FDC_H

#include <stdbool.h>
#include <stddef.h>

#include "bond_text.h"

struct bond_fd {
	char *path; /* relative to the root, owned */
	int fd;	    /* owned */
	bool used;  /* read since bond_fdc_begin() */
};

struct bond_fdc {
	struct bond_fd *v;
	size_t n, cap;
	size_t budget;	/* most files kept open; 0 keeps none */
	size_t *slots;	/* open addressing by path hash: index in v + 1, 0 = empty */
	size_t n_slots; /* a power of two, more than twice n; 0 before the first entry */
};

void bond_fdc_init(struct bond_fdc *c, size_t budget);

/*
 * bond_read_file() through the cache: from the kept-open file when there is
 * one, else opened (and kept when the budget allows).  c may be NULL.
 */
int bond_fdc_read(struct bond_fdc *c, int root_fd, const char *path, size_t max, struct bbuf *b,
		  bool *ret_truncated);

/* A full scan starts: every file becomes unused until read again. */
void bond_fdc_begin(struct bond_fdc *c);

/* A full scan ended: close the files it did not read (a bond or slave gone). */
void bond_fdc_sweep(struct bond_fdc *c);

/* Close every file (they may have been replaced). */
void bond_fdc_flush(struct bond_fdc *c);

/* Close everything and free; NULL is a no-op.  c can be reused after bond_fdc_init(). */
void bond_fdc_free(struct bond_fdc *c);

#endif /* REDMON_BOND_FDC_H */
