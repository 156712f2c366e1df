# plugins/lib: sources shared by the probes, compiled into each plugin that
# lists them (a plugin links nothing from the core or from another plugin).
PLUGIN_LIB_ROOTFS := plugins/lib/rootfs.c

UNIT_TESTS += rootfs
test_rootfs_SRCS := $(PLUGIN_LIB_ROOTFS)

# The child-process runner (child.h), for probes that run a tool.  The core
# links it too: its privileged helper (src/privhelper.c) runs tools with it.
PLUGIN_LIB_CHILD := plugins/lib/child.c
$(BUILD)/redmon: $(BUILD)/obj/plugins/lib/child.o

UNIT_TESTS += child
test_child_SRCS := $(PLUGIN_LIB_CHILD)
