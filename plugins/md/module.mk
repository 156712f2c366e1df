# md probe: Linux software RAID from /proc/mdstat and /sys/block/md*/md.
PLUGINS += md

md_CORE := plugins/md/md_array.c plugins/md/mdstat.c plugins/md/md_sysfs.c \
           plugins/md/md_group.c plugins/md/md_scan.c
md_SRCS := $(md_CORE) plugins/md/md.c
md_LIBS := -ludev -lm

UNIT_TESTS += md_mdstat md_sysfs md_margin md_corpus md_plugin
test_md_mdstat_SRCS := $(md_CORE)
test_md_mdstat_LIBS := -lm
test_md_sysfs_SRCS := $(md_CORE)
test_md_sysfs_LIBS := -lm
test_md_margin_SRCS := $(md_CORE)
test_md_margin_LIBS := -lm
test_md_corpus_SRCS := $(md_CORE)
test_md_corpus_LIBS := -ljansson -lm
test_md_plugin_SRCS := $(md_SRCS) tests/unit/fake_host.c
test_md_plugin_LIBS := $(md_LIBS)

FUZZERS += fuzz_mdstat fuzz_md_sysfs
fuzz_mdstat_SRCS := $(md_CORE)
fuzz_mdstat_LIBS := -lm
fuzz_md_sysfs_SRCS := $(md_CORE)
fuzz_md_sysfs_LIBS := -lm
