# The hwmon probe: PMBus power supplies through libsensors (live) or the
# captured sysfs tree (--root); one classification module for both.
PLUGINS += hwmon
hwmon_SRCS = plugins/hwmon/hwmon.c plugins/hwmon/hwmon_class.c plugins/hwmon/hwmon_sysfs.c \
	plugins/hwmon/hwmon_fan.c \
	plugins/hwmon/hwmon_lsensors.c
hwmon_LIBS := -lsensors

UNIT_TESTS += hwmon_class
test_hwmon_class_SRCS = plugins/hwmon/hwmon_class.c plugins/hwmon/hwmon_sysfs.c plugins/hwmon/hwmon_fan.c

FUZZERS += fuzz_hwmon
fuzz_hwmon_SRCS = plugins/hwmon/hwmon_class.c plugins/hwmon/hwmon_sysfs.c plugins/hwmon/hwmon_fan.c

# The --root reader across scans: kept listings and descriptors against a changing tree.
UNIT_TESTS += hwmon_sysfs
test_hwmon_sysfs_SRCS = plugins/hwmon/hwmon_class.c plugins/hwmon/hwmon_sysfs.c plugins/hwmon/hwmon_fan.c

# Fan sets: the decision, and the --root reader on a fan tray and the corpus.
UNIT_TESTS += hwmon_fan
test_hwmon_fan_SRCS = plugins/hwmon/hwmon_class.c plugins/hwmon/hwmon_sysfs.c plugins/hwmon/hwmon_fan.c

# The plugin's glue against the fake host: the --root reader's inotify, the poll timer.
UNIT_TESTS += hwmon_plugin
test_hwmon_plugin_SRCS = $(hwmon_SRCS) tests/unit/fake_host.c
test_hwmon_plugin_LIBS := $(hwmon_LIBS)
