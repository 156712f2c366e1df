# plugins/lib: sources shared by the probes, compiled into each plugin that
# lists them (a plugin links nothing from the core or from another plugin).
PLUGIN_LIB_ROOTFS := plugins/lib/rootfs.c

UNIT_TESTS += rootfs
test_rootfs_SRCS := $(PLUGIN_LIB_ROOTFS)

# The PSU set rules the three PSU probes (power_supply, hwmon, ipmi) share,
# with the readers and helpers they need (rootfs included).
PLUGIN_LIB_PSU := plugins/lib/psu_set.c plugins/lib/psu_util.c plugins/lib/psu_probe.c \
	$(PLUGIN_LIB_ROOTFS)

UNIT_TESTS += psu_set
test_psu_set_SRCS := $(PLUGIN_LIB_PSU)
