# multipath probe: dm-multipath maps from sysfs, path states from multipathd,
# the multipath target's status or the SCSI device state (plugins/multipath/README.md).
PLUGINS += multipath

multipath_CORE := plugins/multipath/mpath_dm.c plugins/multipath/mpath_md.c \
                  plugins/multipath/mpath_rules.c
multipath_SRCS := $(multipath_CORE) plugins/multipath/multipath.c
multipath_LIBS := -lpthread

UNIT_TESTS += multipath_parse
test_multipath_parse_SRCS := $(multipath_CORE)

FUZZERS += fuzz_multipath_dm fuzz_multipath_md
fuzz_multipath_dm_SRCS := $(multipath_CORE)
fuzz_multipath_md_SRCS := $(multipath_CORE)
