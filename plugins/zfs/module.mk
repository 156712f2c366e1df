# zfs probe: ZFS pools through zpool status and the kstat state files
# (plugins/zfs/README.md, docs/zfs.md).
PLUGINS += zfs

zfs_CORE := plugins/zfs/zfs_rules.c plugins/zfs/zfs_text.c plugins/zfs/zfs_json.c
zfs_SRCS := $(zfs_CORE) plugins/zfs/zfs.c
zfs_LIBS := -ljansson -lpthread

UNIT_TESTS += zfs
test_zfs_SRCS := $(zfs_CORE)
test_zfs_LIBS := -ljansson

FUZZERS += fuzz_zfs_status fuzz_zfs_list fuzz_zfs_json fuzz_zfs_kstat
fuzz_zfs_status_SRCS := $(zfs_CORE)
fuzz_zfs_status_LIBS := -ljansson
fuzz_zfs_list_SRCS := $(zfs_CORE)
fuzz_zfs_list_LIBS := -ljansson
fuzz_zfs_json_SRCS := $(zfs_CORE)
fuzz_zfs_json_LIBS := -ljansson
fuzz_zfs_kstat_SRCS := $(zfs_CORE)
fuzz_zfs_kstat_LIBS := -ljansson

UNIT_TESTS += zfs_plugin
test_zfs_plugin_SRCS := $(zfs_SRCS) tests/unit/fake_host.c
test_zfs_plugin_LIBS := -ljansson -lpthread
