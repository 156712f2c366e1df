# plugins/lib: sources shared by the probes, compiled into each plugin that
# lists them (a plugin links nothing from the core or from another plugin).
PLUGIN_LIB_ROOTFS := plugins/lib/rootfs.c
# inotify over directories of the root (needs rootfs); the udev monitor
# needs -ludev too.
PLUGIN_LIB_WATCH := plugins/lib/watch.c
PLUGIN_LIB_WATCH_UDEV := plugins/lib/watch_udev.c

UNIT_TESTS += rootfs
test_rootfs_SRCS := $(PLUGIN_LIB_ROOTFS)

# A real inotify instance on temporary trees; the udev monitor's setup.
UNIT_TESTS += watch
test_watch_SRCS := $(PLUGIN_LIB_WATCH) $(PLUGIN_LIB_WATCH_UDEV) $(PLUGIN_LIB_ROOTFS)
test_watch_LIBS := -ludev
