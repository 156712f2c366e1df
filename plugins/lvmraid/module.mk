# lvmraid probe: LVM RAID (dm-raid) and LVM mirrors from `dmsetup status`
# (plugins/lvmraid/README.md).
PLUGINS += lvmraid

lvmraid_CORE := plugins/lvmraid/dm_status.c plugins/lvmraid/lvmraid_rules.c
lvmraid_SRCS := $(lvmraid_CORE) plugins/lvmraid/lvmraid.c
lvmraid_LIBS := -lpthread

UNIT_TESTS += lvmraid
test_lvmraid_SRCS := $(lvmraid_CORE)

FUZZERS += fuzz_lvmraid
fuzz_lvmraid_SRCS := $(lvmraid_CORE)
