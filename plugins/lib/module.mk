# plugins/lib: sources shared by the probes, compiled into each plugin that
# lists them (a plugin links nothing from the core or from another plugin).
PLUGIN_LIB_ROOTFS := plugins/lib/rootfs.c

UNIT_TESTS += rootfs
test_rootfs_SRCS := $(PLUGIN_LIB_ROOTFS)
