# The btrfs probe: mounted btrfs filesystems from /sys/fs/btrfs.
PLUGINS += btrfs

btrfs_CORE := plugins/btrfs/btrfs_fs.c plugins/btrfs/btrfs_task.c plugins/btrfs/btrfs_read.c
btrfs_SRCS := $(btrfs_CORE) plugins/btrfs/btrfs.c
btrfs_LIBS := -ludev

UNIT_TESTS += btrfs_fs btrfs_task
test_btrfs_fs_SRCS := $(btrfs_CORE)
test_btrfs_task_SRCS := $(btrfs_CORE)

FUZZERS += fuzz_btrfs_sysfs fuzz_btrfs_task
fuzz_btrfs_sysfs_SRCS := $(btrfs_CORE)
fuzz_btrfs_task_SRCS := $(btrfs_CORE)
