# redfish probe: PSUs, fans and controller volumes through a BMC's Redfish
# service, or a DMTF mockup tree under --root (docs/redfish.md).
PLUGINS += redfish

# The walk and its rules, with the mockup-file source: what tests and fuzzers link.
redfish_CORE := plugins/redfish/redfish_walk.c plugins/redfish/redfish_groups.c \
                plugins/redfish/redfish_files.c
redfish_SRCS := $(redfish_CORE) plugins/redfish/redfish.c
redfish_LIBS := -ljansson -lpthread

UNIT_TESTS += redfish_walk
test_redfish_walk_SRCS := $(redfish_CORE)
test_redfish_walk_LIBS := -ljansson

# The plugin (worker, one-shot scans, options) against the fake host.
UNIT_TESTS += redfish_plugin
test_redfish_plugin_SRCS := $(redfish_SRCS) tests/unit/fake_host.c
test_redfish_plugin_LIBS := $(redfish_LIBS)

FUZZERS += fuzz_redfish_walk
fuzz_redfish_walk_SRCS := $(redfish_CORE)
fuzz_redfish_walk_LIBS := -ljansson
