// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's number for a RAID controller, as the disk tools address the
 * disks behind it: a SCSI host's unique_id
 * (Documentation/ABI: /sys/class/scsi_host/hostN/unique_id), which the aacraid
 * driver also gives its control node (/dev/aacN, drivers/scsi/aacraid/linit.c:
 * aac->id = shost->unique_id) and smartctl opens for "-d aacraid,N,..."; or
 * its host number, the N of hostN, which smartctl's "/dev/bus/N -d
 * megaraid,D" passes to megaraid_sas as the ioctl's host_no (matched against
 * shost->host_no, megasas_lookup_instance(); megaraid_sas's unique_id is a
 * PCI address, not that number).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "hwraid.h"
#include "../lib/strbuf.h"
#include "../lib/sysfs_read.h"

/* The SCSI hosts of one kernel driver: their unique_ids, counted. */
struct hosts {
	int root_fd;
	const char *driver;
	struct strbuf buf;
	bool host_no; /* the N of hostN, not unique_id */
	int id;	      /* the first one's */
	size_t n;     /* how many */
};

/* One /sys/class/scsi_host entry (sysfs_list_dir() callback). */
static int host_entry(void *ctx, const char *name)
{
	struct hosts *h = ctx;
	struct sysfs_dir d = { .root_fd = h->root_fd, .buf = &h->buf, .max = 64, .cut_ok = true };
	struct strv v;
	long long id;

	if (strncmp(name, "host", 4) != 0 || sysfs_dir_at(&d, "sys/class/scsi_host/%s", name) < 0 ||
	    sysfs_read(&d, "proc_name", 0, &v) < 0 || !strv_eq(strv_trim(v), h->driver))
		return 0;
	if (h->host_no)
		v = strv_c(name + 4);
	else if (sysfs_read(&d, "unique_id", 0, &v) < 0)
		v = strv_c("");
	if (strv_to_ll(strv_trim(v), 0, 65535, &id) < 0) {
		h->n += 2; /* a host we cannot number: no controller can be told */
		return 0;
	}
	h->id = h->n++ ? h->id : (int)id;
	return 0;
}

static int only_host(int root_fd, const char *driver, bool host_no)
{
	struct hosts h = { .root_fd = root_fd, .driver = driver, .host_no = host_no };
	int rc = sysfs_list_dir(h.root_fd, "sys/class/scsi_host", &h.buf, host_entry, &h);

	strbuf_free(&h.buf);
	return rc == 0 && h.n == 1 ? h.id : -1;
}

int hwraid_only_host(int root_fd, const char *driver)
{
	return only_host(root_fd, driver, false);
}

int hwraid_only_host_no(int root_fd, const char *driver)
{
	return only_host(root_fd, driver, true);
}
