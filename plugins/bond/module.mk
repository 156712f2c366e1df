# The bond probe: Linux bonding (plugins/bond/README.md).
PLUGINS += bond
bond_SRCS := plugins/bond/bond.c plugins/bond/bond_info.c \
	plugins/bond/bond_netlink.c plugins/bond/bond_proc.c plugins/bond/bond_rules.c \
	plugins/bond/bond_sysfs.c
bond_LIBS := -ludev

# Unit tests: the /proc parser, the decisions, the sysfs reader, netlink
# decoding, and the whole plugin against a fake host.
UNIT_TESTS += bond_proc bond_rules bond_sysfs bond_netlink bond_plugin
test_bond_proc_SRCS := plugins/bond/bond_proc.c plugins/bond/bond_info.c
test_bond_rules_SRCS := plugins/bond/bond_rules.c plugins/bond/bond_proc.c plugins/bond/bond_info.c
test_bond_sysfs_SRCS := plugins/bond/bond_sysfs.c plugins/bond/bond_proc.c \
	plugins/bond/bond_rules.c plugins/bond/bond_info.c
test_bond_netlink_SRCS := plugins/bond/bond_netlink.c plugins/bond/bond_info.c
test_bond_plugin_SRCS := $(bond_SRCS) tests/unit/fake_host.c
test_bond_plugin_LIBS := $(bond_LIBS)

# libFuzzer: the /proc parser with the decisions on what it parsed, and the
# rtnetlink message walk.
FUZZERS += fuzz_bond_proc fuzz_bond_netlink
fuzz_bond_proc_SRCS := plugins/bond/bond_proc.c plugins/bond/bond_rules.c plugins/bond/bond_info.c
fuzz_bond_netlink_SRCS := plugins/bond/bond_netlink.c
