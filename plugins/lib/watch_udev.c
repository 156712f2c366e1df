// SPDX-License-Identifier: GPL-2.0-or-later
/* A udev monitor for a probe: see watch.h. */
#include "watch.h"

#include <errno.h>
#include <libudev.h>
#include <stddef.h>

void watch_udev_close(struct watch_udev *w)
{
	udev_monitor_unref(w->mon); /* closes its socket; NULL is a no-op */
	udev_unref(w->udev);
	w->mon = NULL;
	w->udev = NULL;
	w->fd = -1;
}

/* libudev creates the socket non-blocking and close-on-exec: a drain never waits. */
int watch_udev_open(struct watch_udev *w, const char *source, const char *const *subsystems,
		    const char **ret_why)
{
	const char *why = "udev_new failed";
	int r = -ENOMEM;

	w->mon = NULL;
	w->fd = -1;
	w->udev = udev_new();
	if (!w->udev)
		goto fail;
	why = "cannot open the udev netlink monitor";
	errno = 0;
	w->mon = udev_monitor_new_from_netlink(w->udev, source);
	if (!w->mon) {
		r = errno ? -errno : -EIO;
		goto fail;
	}
	why = "cannot filter or enable the udev monitor";
	for (size_t i = 0; subsystems && subsystems[i]; i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(w->mon, subsystems[i], NULL);
		if (r < 0)
			goto fail;
	}
	r = udev_monitor_enable_receiving(w->mon);
	if (r < 0)
		goto fail;
	why = "no descriptor for the udev monitor";
	r = udev_monitor_get_fd(w->mon);
	if (r < 0)
		goto fail;
	w->fd = r;
	return 0;
fail:
	if (ret_why)
		*ret_why = why;
	watch_udev_close(w);
	return r < 0 ? r : -EIO;
}

int watch_udev_drain(struct watch_udev *w, watch_udev_fn fn, void *ctx)
{
	struct udev_device *dev;
	bool stop = false;

	if (!w->mon)
		return 0;
	errno = 0;
	while ((dev = udev_monitor_receive_device(w->mon))) {
		if (!stop)
			stop = fn(ctx, dev);
		udev_device_unref(dev);
		errno = 0;
	}
	return errno == ENOBUFS ? -ENOBUFS : 0;
}
